"""The window with damaged or busy databases: a note the user data refuses is shown, kept and retried; a broken
or locked user data file never freezes the window (the worker writes it and answers; the tests wait for the
answers); a second import waits visibly and can be cancelled; the repair
dialog tells what was recovered and where the old file is; the background check after an unclean end."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.importers import import_paths
from desktop_app.core.recovery import (
    check_pending_flag,
    damage_flag,
    open_userdata,
    rebuild_reference,
    salvage_userdata,
)
from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData, unsaved_notes_path
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.repair import BackgroundCheck, RepairDialog

from .conftest import WAIT_MS, handed_over_userdata, own_user_connection, wait_detail

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RVU = FIXTURES / "cms" / "PPRRVU2030_Jan.csv"


def lock(path: Path) -> sqlite3.Connection:
    """Another program holding the write lock of ``path``."""
    other = sqlite3.connect(path, timeout=0.05)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_note_that_cannot_be_saved_is_shown_kept_and_retried(qtbot: QtBot, window: MainWindow) -> None:
    assert window.userdata_path is not None
    pane = window.detail_pane
    pane.retry_interval_ms = 200
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    other = lock(window.userdata_path)
    try:
        qtbot.keyClicks(pane.note, "call the payer first")
        pane.save_note()  # returns at once: the worker writes it
        assert pane.unsaved_notes == {"99213": "call the payer first"}
        qtbot.waitUntil(lambda: "Not saved yet" in pane.note_status.text(), timeout=WAIT_MS)
        assert pane.note_status.isVisible() and "99213" in pane.note_status.text()
        assert pane.unsaved_notes == {"99213": "call the payer first"}
        # Another code opens while the file is locked (its history entry is refused and said in the status
        # bar), and the unsaved note is still there when 99213 comes back.
        window.open_code("G0438")
        wait_detail(qtbot, window, "G0438")
        assert pane.note.toPlainText() == ""
        qtbot.waitUntil(lambda: "Could not record G0438 in your history" in window.statusBar().currentMessage(),
                        timeout=WAIT_MS)
        window.open_code("99213")
        wait_detail(qtbot, window, "99213")
        assert pane.note.toPlainText() == "call the payer first"
        assert pane.unsaved_notes == {"99213": "call the payer first"}  # the retries were refused too
    finally:
        other.rollback()
        other.close()
    qtbot.waitUntil(lambda: not pane.unsaved_notes, timeout=WAIT_MS)
    assert pane.note_status.text() == "Your notes are saved."
    with own_user_connection(window) as user:
        assert user.note("99213") == "call the payer first"


def test_a_locked_user_data_file_does_not_hold_the_window(qtbot: QtBot, window: MainWindow) -> None:
    """While another program holds the user data's write lock, saving a note and starring a code return at
    once (the worker waits, and answers), and a search still comes back."""
    import time

    from desktop_app.ui.user_requests import FavouriteSet

    from .conftest import search

    assert window.userdata_path is not None
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    pane = window.detail_pane
    answers: list[FavouriteSet] = []
    window.service.on(FavouriteSet, answers.append)
    other = lock(window.userdata_path)
    try:
        started = time.perf_counter()
        pane.note.setPlainText("typed while another program writes")
        pane.save_note()
        pane.favourite_button.click()
        assert time.perf_counter() - started < 0.2  # nothing waited for the lock (0.25 s a write) here
        search(qtbot, window, "asthma")
        qtbot.waitUntil(lambda: bool(answers), timeout=WAIT_MS)
        assert "could not be used" in answers[0].problem or "locked" in answers[0].problem
        assert not pane.favourite_button.isChecked()  # refused: the star says what the file holds
        assert "Could not change the favourite of 99213" in pane.note_status.text()
    finally:
        other.rollback()
        other.close()


def test_a_broken_user_data_file_never_freezes_the_detail_pane(qtbot: QtBot, window: MainWindow) -> None:
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    handed_over_userdata(window).conn.close()  # every call on it fails from now on, as on a damaged file
    window.open_code("G0438")
    wait_detail(qtbot, window, "G0438")  # the pane moved on
    assert "G0438" in window.detail_pane.text()
    assert "could not read your note and favourite for g0438" in window.detail_pane.note_status.text().lower()
    window.detail_pane.favourite_button.click()
    qtbot.waitUntil(lambda: "Could not change the favourite" in window.detail_pane.note_status.text(),
                    timeout=WAIT_MS)
    assert not window.detail_pane.favourite_button.isChecked()  # refused, shown, not pretended


def test_notes_still_refused_at_close_are_kept_for_the_next_start(qtbot: QtBot, window: MainWindow) -> None:
    path = window.userdata_path
    assert path is not None
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    other = lock(path)
    try:
        qtbot.keyClicks(window.detail_pane.note, "typed while locked")
        window.close()  # the worker tries the note once more, is refused, and keeps it beside the file
        assert unsaved_notes_path(path).exists()
    finally:
        other.rollback()
        other.close()
    opened = open_userdata(path)
    assert opened.notes_restored == 1 and opened.userdata.note("99213") == "typed while locked"
    opened.userdata.close()


def test_a_second_import_waits_visibly_and_can_be_cancelled(qtbot: QtBot, window: MainWindow, ui_db: Path) -> None:
    window.jobs.lock_wait = 30
    other = lock(ui_db)
    try:
        assert window.import_paths([RVU])
        qtbot.waitUntil(lambda: window.jobs.last_progress.startswith("Waiting for the other import"),
                        timeout=WAIT_MS)
        with qtbot.waitSignal(window.jobs.finished, timeout=WAIT_MS) as blocker:
            window.jobs.cancel()
        assert blocker.args == [False] and window.jobs.last_error == "cancelled"
    finally:
        other.rollback()
        other.close()
    store = CodeStore.open(ui_db, build=False)
    assert "cms-rvu" not in {s.kind for s in store.sources()}
    store.close()


def test_a_second_import_goes_ahead_when_the_other_finishes(qtbot: QtBot, window: MainWindow, ui_db: Path) -> None:
    window.jobs.lock_wait = 30
    other = lock(ui_db)
    released = False
    try:
        assert window.import_paths([RVU])
        qtbot.waitUntil(lambda: window.jobs.last_progress.startswith("Waiting for the other import"),
                        timeout=WAIT_MS)
        with qtbot.waitSignal(window.jobs.finished, timeout=WAIT_MS) as blocker:
            other.rollback()
            released = True
        assert blocker.args == [True]
    finally:
        if not released:
            other.rollback()
        other.close()
    store = CodeStore.open(ui_db, build=False)
    assert "cms-rvu" in {s.kind for s in store.sources()}
    store.close()
    assert list((ui_db.parent / "db-imports").glob("*.zip"))  # the window's imports are kept too


def test_the_repair_dialog_tells_what_was_recovered_and_where(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "codedesk.sqlite3"
    store = CodeStore.open(db)
    import_paths(store.conn, [RVU], keep=True)
    store.close()
    rebuilt = rebuild_reference(db, "database disk image is malformed")
    user_path = tmp_path / "codedesk-user.sqlite3"
    user = UserData(user_path)
    for i in range(7):
        user.set_note(f"9900{i}", "an invented note")
    user.close()
    salvage = salvage_userdata(user_path, "database disk image is malformed")
    dialog = RepairDialog(rebuilt, salvage, [])
    qtbot.addWidget(dialog)
    text = dialog.label.text()
    assert "Code database rebuilt" in text and "CMS PFS RVU 2030 January" in text
    assert "7 note(s)" in text and str(salvage.set_aside_as) in text and str(rebuilt.set_aside_as) in text


def test_the_background_check_remembers_damage_for_the_next_start(qtbot: QtBot, window: MainWindow,
                                                                  tmp_path: Path) -> None:
    whole = tmp_path / "whole" / "codedesk.sqlite3"
    whole.parent.mkdir()
    CodeStore.open(whole).close()
    check_pending_flag(whole).write_text("test\n")
    check = BackgroundCheck(whole, window, show_dialogs=False)
    with qtbot.waitSignal(check.finished, timeout=WAIT_MS) as blocker:
        check.start("test")
    assert blocker.args == [""] and not check_pending_flag(whole).exists()

    damaged = tmp_path / "damaged" / "codedesk.sqlite3"
    damaged.parent.mkdir()
    CodeStore.open(damaged).close()
    data = bytearray(damaged.read_bytes())
    data[4096 * 5: 4096 * 6] = bytes(4096)
    damaged.write_bytes(bytes(data))
    check = BackgroundCheck(damaged, window, show_dialogs=False)
    with qtbot.waitSignal(check.finished, timeout=WAIT_MS) as blocker:
        check.start("test")
    assert blocker.args[0] and damage_flag(damaged).exists()
    assert "repairs it at the next start" in window.statusBar().currentMessage()


def test_a_damaged_page_of_the_code_database_moves_the_pane_on_and_is_flagged(
        qtbot: QtBot, window: MainWindow, ui_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    real_detail = CodeStore.detail

    def detail(self: CodeStore, code: str, locality: str | None = None) -> object:
        if code == "G0438":  # as SQLite answers when the pages of this code are damaged
            raise sqlite3.DatabaseError("database disk image is malformed")
        return real_detail(self, code, locality)

    monkeypatch.setattr(CodeStore, "detail", detail)
    window.open_code("G0438")
    qtbot.waitUntil(lambda: window.detail_pane.detail is None, timeout=WAIT_MS)
    assert "Could not open G0438" in window.detail_pane.text() and "malformed" in window.detail_pane.text()
    assert "rebuild it the next time it starts" in window.statusBar().currentMessage()
    assert damage_flag(ui_db).exists()
    window.open_code("99203")
    wait_detail(qtbot, window, "99203")  # other codes still open
