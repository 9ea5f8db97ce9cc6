"""ui/navigation.py: opening codes builds a history that Back and Forward walk, and the search follows."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow

from .conftest import WAIT_MS, codes, own_user_connection, search, settle, wait_detail


def test_back_and_forward_walk_the_codes_opened(qtbot: QtBot, window: MainWindow) -> None:
    for code in ("99213", "3074F", "0042T"):
        window.open_code(code)
        wait_detail(qtbot, window, code)
    assert window.history() == (["99213", "3074F", "0042T"], 2)
    window.go_back()
    wait_detail(qtbot, window, "3074F")
    window.go_back()
    wait_detail(qtbot, window, "99213")
    assert window.search_box.text() == "99213"  # not in the list: the box follows the code shown
    window.go_forward()
    wait_detail(qtbot, window, "3074F")
    window.open_code("99214")  # opening a code drops the codes ahead
    wait_detail(qtbot, window, "99214")
    assert window.history() == (["99213", "3074F", "99214"], 2)
    assert not window.forward_action.isEnabled() and window.back_action.isEnabled()


def _recent(window: MainWindow) -> list[str]:
    with own_user_connection(window) as user:
        return [entry.code for entry in user.history_entries()]


def test_scanning_rows_with_the_arrow_keys_records_only_the_code_opened(qtbot: QtBot, window: MainWindow) -> None:
    """Moving through 6 rows shows each, but only the one opened with Enter joins Back and Recent."""
    window.view_dwell_ms = 60_000  # no dwell during the test: only the Enter counts
    search(qtbot, window, "asthma")
    rows = codes(window)
    assert len(rows) >= 6
    for _ in range(6):
        qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    wait_detail(qtbot, window, rows[5])
    assert window.history() == ([], -1) and not window.back_action.isEnabled()
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _recent(window) == [rows[5]], timeout=WAIT_MS)
    assert window.history() == ([rows[5]], 0)


def test_a_code_shown_long_enough_is_recorded(qtbot: QtBot, window: MainWindow) -> None:
    window.view_dwell_ms = 200
    search(qtbot, window, "asthma")
    first, second = codes(window)[:2]
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)  # the first was passed over at once
    wait_detail(qtbot, window, second)
    qtbot.waitUntil(lambda: _recent(window) == [second], timeout=WAIT_MS)
    assert window.history() == ([second], 0) and first not in _recent(window)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)  # opening it now is the same look: one view
    wait_detail(qtbot, window, second)
    qtbot.wait(300)
    with own_user_connection(window) as user:
        assert [(e.code, e.views) for e in user.history_entries()] == [(second, 1)]


def test_a_code_passed_over_and_used_is_recorded_at_once(qtbot: QtBot, window: MainWindow) -> None:
    window.view_dwell_ms = 60_000
    search(qtbot, window, "asthma")
    first = codes(window)[0]
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    wait_detail(qtbot, window, first)
    window.copy_action.trigger()  # copied: used
    qtbot.waitUntil(lambda: _recent(window) == [first], timeout=WAIT_MS)
    assert window.history() == ([first], 0)


def test_coming_back_with_the_arrows_to_the_code_last_recorded_is_not_a_second_view(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Opened, then one row down and back up: Back has it once, so Recent counts it once (it counted two)."""
    window.view_dwell_ms = 200
    search(qtbot, window, "asthma")
    first, second = codes(window)[:2]
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _recent(window) == [first], timeout=WAIT_MS)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Up)
    wait_detail(qtbot, window, first)
    qtbot.wait(600)  # more than the dwell, and time for the worker to write a view it was sent
    assert window.history() == ([first], 0)
    with own_user_connection(window) as user:
        assert [(e.code, e.views) for e in user.history_entries()] == [(first, 1)]
    assert second not in _recent(window)


def test_a_code_passed_over_and_saved_as_pdf_or_put_in_a_list_is_recorded_at_once(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saving the shown code as PDF (or printing it) and Ctrl+Shift+D are uses, like copying: they were not
    counted, so a code printed straight from the arrow keys was missing from Recent and Back."""
    window.view_dwell_ms = 60_000
    search(qtbot, window, "asthma")
    first, second = codes(window)[:2]
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    wait_detail(qtbot, window, first)
    pdf = tmp_path / "first.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(pdf), "PDF files (*.pdf)"))
    window.save_current_pdf()
    assert pdf.stat().st_size > 0
    qtbot.waitUntil(lambda: _recent(window) == [first], timeout=WAIT_MS)
    assert window.history() == ([first], 0)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    wait_detail(qtbot, window, second)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *_args: ("Invented list", True))
    window.add_to_list()
    qtbot.waitUntil(lambda: _recent(window) == [second, first], timeout=WAIT_MS)
    assert window.history() == ([first, second], 1)
    with own_user_connection(window) as user:
        assert user.lists_of(second) == ["Invented list"]


def test_back_from_a_code_passed_over_returns_to_the_last_code_opened(qtbot: QtBot, window: MainWindow) -> None:
    window.view_dwell_ms = 60_000
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    search(qtbot, window, "asthma")
    passed = codes(window)[0]
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    wait_detail(qtbot, window, passed)
    assert window.back_action.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    wait_detail(qtbot, window, "99213")
    assert window.history() == (["99213"], 0) and not window.back_action.isEnabled()
    assert _recent(window) == ["99213"]


def test_a_code_typed_whole_shows_at_once_and_is_recorded_only_if_it_stays(qtbot: QtBot, window: MainWindow) -> None:
    """Typing 3074F showed one row and an empty detail until Enter; now it shows, as a row passed over."""
    window.view_dwell_ms = 60_000
    search(qtbot, window, "3074F")
    wait_detail(qtbot, window, "3074F")
    assert window.search_box.hasFocus() and window.history() == ([], -1)
    search(qtbot, window, "9921")  # a prefix: several rows, nothing opened by itself
    qtbot.wait(200)
    assert window.detail_pane.detail is not None and window.detail_pane.detail.code == "3074F"
    window.view_dwell_ms = 200
    search(qtbot, window, "99213")
    wait_detail(qtbot, window, "99213")
    qtbot.waitUntil(lambda: _recent(window) == ["99213"], timeout=WAIT_MS)
    window.open_code("3074F")  # a link: opened elsewhere while the box still says 99213
    wait_detail(qtbot, window, "3074F")
    window.request_search()  # the same search again (as after an import by another program)
    settle(qtbot, window)
    qtbot.wait(300)
    assert window.detail_pane.detail is not None and window.detail_pane.detail.code == "3074F"  # not taken back
