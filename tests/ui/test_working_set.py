"""The working set panel: favourites, recent and notes listed, filtered, sorted, removed, by keyboard
(issue 12, item 1)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.shortcuts import shortcut_rows
from desktop_app.ui.working_set import EntryPage
from tests.ui.conftest import WAIT_MS, own_user_connection, wait_detail


def _titles_arrived(window: MainWindow, page_codes: list[str]) -> bool:
    return all(code in window.side_panel.titles for code in page_codes)


def _shows(qtbot: QtBot, page: EntryPage, expected: list[str], *, ordered: bool = False) -> None:
    """The page is filled from the worker's answer: wait for it."""
    qtbot.waitUntil(lambda: (page.visible_codes() if ordered else sorted(page.visible_codes())) == expected,
                    timeout=WAIT_MS)


def test_favourites_are_listed_filtered_opened_and_removed_by_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    for code in ("99213", "3074F", "J1100"):
        window.open_code(code)
        wait_detail(qtbot, window, code)
        qtbot.keyClick(window.search_box, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        assert window.detail_pane.favourite_button.isChecked()
    qtbot.keyClick(window.search_box, Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    page = window.side_panel.favourites
    assert window.side_panel.currentWidget() is page and page.filter_box.hasFocus()
    _shows(qtbot, page, ["3074F", "99213", "J1100"])
    qtbot.waitUntil(lambda: _titles_arrived(window, page.codes()), timeout=5000)
    row = page.visible_codes().index("J1100")
    assert "dexamethasone" in page.proxy.index(row, 1).data().lower()
    qtbot.keyClicks(page.filter_box, "dexameth")  # the title is searched too
    assert page.visible_codes() == ["J1100"]
    qtbot.keyClick(page.filter_box, Qt.Key.Key_Return)
    wait_detail(qtbot, window, "J1100")
    page.filter_box.clear()
    page.table.setFocus()
    page.table.selectRow(page.visible_codes().index("3074F"))
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    _shows(qtbot, page, ["99213", "J1100"])
    with own_user_connection(window) as user:
        assert not user.is_favourite("3074F")


def test_named_list_and_sorting(qtbot: QtBot, window: MainWindow) -> None:
    with own_user_connection(window) as user:
        user.set_favourite("93000", True, "Cardiology")
        user.set_favourite("99214", True)
    window.favourites_action.trigger()
    panel = window.side_panel
    qtbot.waitUntil(lambda: [panel.list_combo.itemText(i) for i in range(panel.list_combo.count())] == [
        "All lists", "Favourites", "Cardiology"], timeout=WAIT_MS)
    panel.list_combo.setCurrentText("Cardiology")
    assert panel.favourites.visible_codes() == ["93000"]
    panel.list_combo.setCurrentText("All lists")
    panel.favourites.sort_combo.setCurrentText("Code")
    assert panel.favourites.visible_codes() == ["93000", "99214"]
    panel.favourites.sort_combo.setCurrentText("List")
    assert panel.favourites.visible_codes() == ["93000", "99214"]  # Cardiology before Favourites


def test_delete_in_all_lists_takes_a_row_out_of_the_list_it_names(qtbot: QtBot, window: MainWindow) -> None:
    """All lists shows 93000 twice (Favourites, Cardiology): Delete on its Favourites row took it out of
    Cardiology too, and that row vanished unasked. Now each row selected goes out of its own list."""
    with own_user_connection(window) as user:
        user.set_favourite("93000", True)
        user.set_favourite("93000", True, "Cardiology")
        user.set_favourite("99214", True, "Cardiology")
    window.favourites_action.trigger()
    panel = window.side_panel
    page = panel.favourites
    _shows(qtbot, page, ["93000", "93000", "99214"])
    assert panel.chosen_list() is None
    page.sort_combo.setCurrentText("List")  # Cardiology rows, then Favourites
    rows = [(page.visible_codes()[r], page.proxy.index(r, 2).data()) for r in range(3)]
    page.table.setFocus()
    page.table.selectRow(rows.index(("93000", "Favourites")))
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    _shows(qtbot, page, ["93000", "99214"])
    with own_user_connection(window) as user:
        assert user.lists_of("93000") == ["Cardiology"] and user.lists_of("99214") == ["Cardiology"]


def test_deleting_a_list_asks_first_and_names_what_goes(qtbot: QtBot, window: MainWindow,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with own_user_connection(window) as user:
        user.set_favourite("93000", True, "Cardiology")
        user.set_favourite("93306", True, "Cardiology")
    window.favourites_action.trigger()
    panel = window.side_panel
    qtbot.waitUntil(lambda: panel.snapshot is not None and "Cardiology" in panel.snapshot.lists, timeout=WAIT_MS)
    panel.list_combo.setCurrentText("Cardiology")
    asked: list[str] = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda *_a, **_k: ("Delete the list and its entries", True))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _parent, _title, text, *_a: asked.append(text) or QMessageBox.StandardButton.No)
    panel._list_menu()
    assert asked == ["Delete the list \u201cCardiology\u201d and its 2 codes?"]
    qtbot.wait(300)  # nothing was posted: the list is still there
    with own_user_connection(window) as user:
        assert user.favourite_entries() and "Cardiology" in user.lists()
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    panel._list_menu()
    qtbot.waitUntil(lambda: panel.snapshot is not None and "Cardiology" not in panel.snapshot.lists,
                    timeout=WAIT_MS)


def test_recent_and_notes_pages(qtbot: QtBot, window: MainWindow) -> None:
    for code in ("99213", "99214", "99213"):
        window.open_code(code)
        wait_detail(qtbot, window, code)
    window.detail_pane.note.setPlainText("time rule")
    window.detail_pane.save_note()
    window.recent_action.trigger()
    recent = window.side_panel.recent
    qtbot.waitUntil(lambda: recent.visible_codes()[:2] == ["99213", "99214"], timeout=WAIT_MS)
    recent.sort_combo.setCurrentText("Most viewed")
    assert recent.visible_codes()[0] == "99213"
    window.notes_action.trigger()
    _shows(qtbot, window.side_panel.notes, ["99213"])
    assert window.side_panel.notes.proxy.index(0, 2).data() == "time rule"


def test_help_lists_the_new_shortcuts(window: MainWindow) -> None:
    text = "\n".join(f"{keys} {does}" for keys, does in shortcut_rows(window.actions()))
    for expected in ("Ctrl+D Toggle Favourite", "Ctrl+Shift+F Favourites", "Ctrl+Shift+H Recent Codes",
                     "Ctrl+Shift+N Notes", "Ctrl+0 Show All Categories"):
        assert expected in text


def test_rows_show_the_results_lists_two_lines(qtbot: QtBot) -> None:
    """Round 2 of issue 12: favourites whose stored titles read alike are told apart, as in the results list;
    deleted codes say so with the date; the second line is searched by the filter."""
    from desktop_app.core.row_text import RowText
    from desktop_app.core.search import Hit
    from desktop_app.core.userdata import FavouriteEntry
    from desktop_app.core.working_set import WorkingSetSnapshot
    from desktop_app.ui.results import SECONDARY_ROLE
    from desktop_app.ui.working_set import WorkingSetPanel

    def hit(code: str, status: str = "active") -> Hit:
        return Hit(code, "CPT1", "code", None, ("Invented",), "Same stored title", "Invented", status, "exact")

    panel = WorkingSetPanel(QWidget(), None)
    qtbot.addWidget(panel)
    page = panel.favourites
    one_line = page.table.verticalHeader().defaultSectionSize()
    codes = ("X0001", "X0002", "X0003")
    snapshot = WorkingSetSnapshot(
        ["Favourites"], [FavouriteEntry("Favourites", code, "2026-01-01T00:00:00+00:00") for code in codes], [], [],
        {"X0001": hit("X0001"), "X0002": hit("X0002"), "X0003": hit("X0003", "deleted")},
        {"X0001": RowText("Same stored title", "Invented section \u00b7 X0001"),
         "X0002": RowText("Same stored title", "Invented section \u00b7 X0002"),
         "X0003": RowText("Official invented text", "", "2024-12-31")})
    panel.set_snapshot(snapshot)
    cells = {page.proxy.index(r, 0).data(): page.proxy.index(r, 1) for r in range(page.proxy.rowCount())}
    assert cells["X0001"].data(SECONDARY_ROLE)[0] != cells["X0002"].data(SECONDARY_ROLE)[0]
    assert cells["X0003"].data() == "Official invented text"
    assert cells["X0003"].data(SECONDARY_ROLE)[0] == "Deleted as of 2024-12-31"
    assert page.table.verticalHeader().defaultSectionSize() > one_line * 1.5
    page.filter_box.setText("section \u00b7 X0002")  # the second line is searched too
    assert page.visible_codes() == ["X0002"]


def test_notes_name_the_code_under_the_note(qtbot: QtBot) -> None:
    """The Notes page hides the Title column (the note is what is read): the code's row text is the note's
    second line, so two notes on codes whose stored titles read alike are told apart, and it is searched."""
    from desktop_app.core.row_text import RowText
    from desktop_app.core.search import Hit
    from desktop_app.core.userdata import NoteEntry
    from desktop_app.core.working_set import WorkingSetSnapshot
    from desktop_app.ui.results import SECONDARY_ROLE
    from desktop_app.ui.working_set import WorkingSetPanel

    def hit(code: str) -> Hit:
        return Hit(code, "CPT1", "code", None, ("Invented",), "Same stored title", "Invented", "active", "exact")

    panel = WorkingSetPanel(QWidget(), None)
    qtbot.addWidget(panel)
    page = panel.notes
    one_line = page.table.verticalHeader().defaultSectionSize()
    snapshot = WorkingSetSnapshot(
        [], [], [NoteEntry("X0001", "check the frambly rule", "2026-01-01T00:00:00+00:00"),
                 NoteEntry("X0002", "ask about units", "2026-01-02T00:00:00+00:00")], [],
        {"X0001": hit("X0001"), "X0002": hit("X0002")},
        {"X0001": RowText("Invented official text one"), "X0002": RowText("Invented official text two")})
    panel.set_snapshot(snapshot)
    cells = {page.proxy.index(r, 0).data(): page.proxy.index(r, 2) for r in range(page.proxy.rowCount())}
    assert cells["X0001"].data() == "check the frambly rule"
    assert cells["X0001"].data(SECONDARY_ROLE)[0] == "Invented official text one"
    assert cells["X0002"].data(SECONDARY_ROLE)[0] == "Invented official text two"
    assert page.table.verticalHeader().defaultSectionSize() > one_line * 1.5
    page.filter_box.setText("text two")
    assert page.visible_codes() == ["X0002"]
    page.filter_box.clear()
    # Codes whose first lines read the same (45384/45385) are named by the line that differs.
    alike = WorkingSetSnapshot(
        [], [], [NoteEntry("X0001", "a note", "2026-01-01T00:00:00+00:00")], [], {"X0001": hit("X0001")},
        {"X0001": RowText("Invented scope w/removal", "Invented summary using a snare"),
         "X0002": RowText("Invented scope w/removal", "Invented summary using forceps")})
    panel.set_snapshot(alike)
    assert page.proxy.index(0, 2).data(SECONDARY_ROLE)[0] == "Invented summary using a snare"
