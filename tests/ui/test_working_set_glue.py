"""ui/working_set_glue.py: Ctrl+D stars the open code, through the worker, into the person's favourites; the open
note follows changes made to the file outside its field."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.shortcuts import shortcut_rows
from desktop_app.ui.user_requests import ImportWorkingSetRequest

from .conftest import WAIT_MS, own_user_connection, wait_detail


def test_toggle_favourite_stars_and_unstars_the_open_code(qtbot: QtBot, window: MainWindow) -> None:
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    qtbot.waitUntil(window.detail_pane.favourite_button.isEnabled, timeout=WAIT_MS)
    window.toggle_favourite()
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: user.is_favourite("99213"), timeout=WAIT_MS)
    window.toggle_favourite()
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: not user.is_favourite("99213"), timeout=WAIT_MS)


def test_the_open_note_follows_an_import_and_a_deletion_in_the_notes_list(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note field shows what the file holds after a change made outside it, so typing on does not
    overwrite a newer imported note, nor bring back a deleted one unseen."""
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    editor = window.detail_pane.note_editor
    qtbot.waitUntil(editor.edit.isEnabled, timeout=WAIT_MS)
    editor.edit.setPlainText("an invented local note")
    editor.save()
    qtbot.waitUntil(lambda: not editor.unsaved, timeout=WAIT_MS)
    carried = tmp_path / "carried.csv"
    carried.write_text("kind,list,code,text,when\nnote,,99213,an invented newer note,2099-01-01T00:00:00+00:00\n",
                       encoding="utf-8")
    window.service.post(ImportWorkingSetRequest(carried))
    qtbot.waitUntil(lambda: editor.edit.toPlainText() == "an invented newer note", timeout=WAIT_MS)
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    window.side_panel._remove_notes(["99213"])
    qtbot.waitUntil(lambda: editor.edit.toPlainText() == "", timeout=WAIT_MS)
    with own_user_connection(window) as user:
        assert user.note("99213") == ""


def test_a_note_being_typed_is_not_replaced_by_the_working_set_read(qtbot: QtBot, window: MainWindow) -> None:
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    editor = window.detail_pane.note_editor
    qtbot.waitUntil(editor.edit.isEnabled, timeout=WAIT_MS)
    editor.edit.setFocus()
    qtbot.keyClicks(editor.edit, "typed")
    window.side_panel.reload()
    qtbot.waitUntil(lambda: window.service.settled("working_set"), timeout=WAIT_MS)
    assert editor.edit.toPlainText() == "typed"
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: user.note("99213") == "typed", timeout=WAIT_MS)


def test_the_star_acts_on_the_list_chosen_and_says_so(qtbot: QtBot, window: MainWindow) -> None:
    """Un-starring while a named list is shown takes the code out of that list only. The star's label and
    tooltip say which, before the key is pressed. (Its "All lists" half is the next test: it asserted that
    un-starring there emptied every list, the behaviour changed in desk-5.)"""
    with own_user_connection(window) as user:
        user.set_favourite("93000", True)
        user.set_favourite("93000", True, "Cardiology")
    star = window.detail_pane.favourite_button
    window.favourites_action.trigger()
    panel = window.side_panel
    qtbot.waitUntil(lambda: panel.list_combo.findText("Cardiology") >= 0, timeout=WAIT_MS)
    panel.list_combo.setCurrentText("Cardiology")
    window.open_code("93000")
    wait_detail(qtbot, window, "93000")
    qtbot.waitUntil(lambda: star.isEnabled() and star.text() == "\u2605 In Cardiology", timeout=WAIT_MS)
    assert star.isChecked() and "out of the Cardiology list only" in star.toolTip()
    assert "also in: Favourites" in star.toolTip()
    window.toggle_favourite()
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: user.lists_of("93000") == ["Favourites"], timeout=WAIT_MS)
    assert not star.isChecked() and star.text() == "\u2606 Add to Cardiology"
    qtbot.waitUntil(lambda: panel.favourites.visible_codes() == [], timeout=WAIT_MS)  # gone from the list shown
    qtbot.waitUntil(lambda: window.statusBar().currentMessage()
                    == "93000 taken out of Cardiology (still in Favourites).", timeout=WAIT_MS)
    window.toggle_favourite()  # back into Cardiology, Favourites untouched
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: user.lists_of("93000") == ["Favourites", "Cardiology"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "93000 added to Cardiology.", timeout=WAIT_MS)


def test_unstarring_from_all_lists_leaves_the_named_lists(qtbot: QtBot, window: MainWindow) -> None:
    """With "All lists" chosen (the start) the star acts on the Favourites list only: un-starring a code that
    is also in Cardiology took it out of Cardiology too, unsaid. Now Cardiology keeps it, and the tooltip and
    the status line name the list the star changed and the list the code stays in."""
    with own_user_connection(window) as user:
        user.set_favourite("93000", True)
        user.set_favourite("93000", True, "Cardiology")
        user.set_favourite("93005", True, "Cardiology")
    star = window.detail_pane.favourite_button
    assert star.context is None  # "All lists"
    window.open_code("93000")
    wait_detail(qtbot, window, "93000")
    qtbot.waitUntil(lambda: star.isEnabled() and star.text() == "\u2605 In Favourites", timeout=WAIT_MS)
    assert star.isChecked() and "out of the Favourites list only" in star.toolTip()
    assert "also in: Cardiology" in star.toolTip()
    window.toggle_favourite()
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: user.lists_of("93000") == ["Cardiology"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage()
                    == "93000 taken out of Favourites (still in Cardiology).", timeout=WAIT_MS)
    assert not star.isChecked() and star.text() == "\u2606 Add to Favourites"
    window.open_code("93005")  # only in Cardiology: the star is empty (it names Favourites), Cardiology is said
    wait_detail(qtbot, window, "93005")
    qtbot.waitUntil(lambda: star.text() == "\u2606 Add to Favourites", timeout=WAIT_MS)
    assert not star.isChecked() and "also in: Cardiology" in star.toolTip()
    window.toggle_favourite()  # from "All lists", a star goes to the Favourites list
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: user.lists_of("93005") == ["Favourites", "Cardiology"], timeout=WAIT_MS)
    assert star.isChecked() and star.text() == "\u2605 In Favourites"
    window.toggle_favourite()
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: user.lists_of("93005") == ["Cardiology"], timeout=WAIT_MS)
    window.open_code("99213")  # in no list
    wait_detail(qtbot, window, "99213")
    qtbot.waitUntil(lambda: star.text() == "\u2606 Favourite", timeout=WAIT_MS)
    assert "adds 99213 to the Favourites list" in star.toolTip()


def test_f2_puts_the_cursor_in_the_open_codes_note(qtbot: QtBot, window: MainWindow) -> None:
    """The note was reachable only with the mouse or a long walk of Tabs."""
    qtbot.keyClick(window.search_box, Qt.Key.Key_F2)
    assert "Open a code first" in window.statusBar().currentMessage()
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    editor = window.detail_pane.note_editor
    qtbot.waitUntil(editor.edit.isEnabled, timeout=WAIT_MS)
    window.search_box.setFocus()
    qtbot.keyClick(window.search_box, Qt.Key.Key_F2)
    assert editor.edit.hasFocus()
    qtbot.keyClicks(editor.edit, "invented note typed by keys")
    editor.save()
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: user.note("99213") == "invented note typed by keys", timeout=WAIT_MS)
    assert ("F2", "Edit Note on the Open Code") in shortcut_rows(window.actions())


def _notes_listed(window: MainWindow) -> dict[str, str]:
    page = window.side_panel.notes
    return {page.proxy.index(row, 0).data(): page.proxy.index(row, 2).data()
            for row in range(page.proxy.rowCount())}


def test_the_notes_tab_follows_a_note_written_changed_and_cleared(qtbot: QtBot, window: MainWindow) -> None:
    """The Notes tab kept the old text (and a cleared note) until another code was opened; the star already
    read the working set again, the note did not."""
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    editor = window.detail_pane.note_editor
    qtbot.waitUntil(editor.edit.isEnabled, timeout=WAIT_MS)
    window.notes_action.trigger()
    qtbot.waitUntil(lambda: window.service.settled("working_set"), timeout=WAIT_MS)
    assert "99213" not in _notes_listed(window)
    qtbot.keyClick(window.search_box, Qt.Key.Key_F2)
    qtbot.keyClicks(editor.edit, "first invented note")
    qtbot.waitUntil(lambda: _notes_listed(window).get("99213") == "first invented note", timeout=WAIT_MS)
    editor.edit.selectAll()
    qtbot.keyClicks(editor.edit, "second invented note")
    qtbot.waitUntil(lambda: _notes_listed(window).get("99213") == "second invented note", timeout=WAIT_MS)
    editor.edit.selectAll()
    qtbot.keyClick(editor.edit, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: "99213" not in _notes_listed(window), timeout=WAIT_MS)
    assert editor.edit.toPlainText() == "" and editor.edit.hasFocus()
