"""ui/detail_user.py: a note typed in the detail pane is saved by the worker, and shown again for the code."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.ui.detail_user import NoteEditor, star_done_text, star_text, star_tooltip
from desktop_app.ui.main_window import MainWindow

from .conftest import WAIT_MS, own_user_connection, wait_detail


def _with_note(qtbot: QtBot, window: MainWindow, code: str, text: str) -> NoteEditor:
    """``code`` opened and ``text`` written in its note and saved; the note editor."""
    window.open_code(code)
    wait_detail(qtbot, window, code)
    editor = window.detail_pane.note_editor
    qtbot.waitUntil(editor.edit.isEnabled, timeout=WAIT_MS)
    editor.edit.setPlainText(text)
    editor.save()
    return editor


def test_a_typed_note_is_saved_and_comes_back(qtbot: QtBot, window: MainWindow) -> None:
    editor = _with_note(qtbot, window, "99213", "an invented note")
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: user.note("99213") == "an invented note", timeout=WAIT_MS)
    window.open_code("3074F")
    wait_detail(qtbot, window, "3074F")
    qtbot.waitUntil(lambda: editor.edit.toPlainText() == "", timeout=WAIT_MS)
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    qtbot.waitUntil(lambda: editor.edit.toPlainText() == "an invented note", timeout=WAIT_MS)


def test_text_typed_just_before_the_same_code_is_shown_again_is_kept(qtbot: QtBot, window: MainWindow) -> None:
    """The shown code opened again (from Recent, or refreshed after an import) within the save delay after the
    last keystroke: what was typed stays in the field and reaches the file, not replaced by the stored note."""
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    editor = window.detail_pane.note_editor
    qtbot.waitUntil(editor.edit.isEnabled, timeout=WAIT_MS)
    editor.edit.setFocus()
    qtbot.keyClicks(editor.edit, "first part")
    editor.save()
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: user.note("99213") == "first part", timeout=WAIT_MS)
    qtbot.keyClicks(editor.edit, " then more")  # the save delay has not passed
    window.open_code("99213")
    qtbot.waitUntil(lambda: window.service.settled("detail"), timeout=WAIT_MS)
    assert editor.edit.toPlainText() == "first part then more"
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: user.note("99213") == "first part then more", timeout=WAIT_MS)


def test_a_long_list_name_is_shortened_on_the_star_and_whole_in_its_tooltip(qtbot: QtBot) -> None:
    from desktop_app.ui.detail_user import FavouriteButton

    star = FavouriteButton(None)
    qtbot.addWidget(star)
    star.show_state("99213", ())
    star.set_context("Cardiology")
    short_width = star.sizeHint().width()
    long_name = "Interventional cardiology and vascular surgery, invented"
    star.set_context(long_name)
    assert star.text().startswith("\u2606 Add to ") and star.text().endswith("\u2026")
    assert long_name in star.toolTip()
    assert star.sizeHint().width() < short_width * 1.5  # the window does not grow with the name


@pytest.mark.parametrize(("lists", "context", "text", "said"), [
    ((), None, "\u2606 Favourite", "adds 99213 to the Favourites list"),
    (("Favourites",), None, "\u2605 In Favourites", "out of the Favourites list only"),
    (("Favourites", "Cardiology"), None, "\u2605 In Favourites", "also in: Cardiology (the star leaves it)"),
    (("Cardiology",), None, "\u2606 Add to Favourites", "also in: Cardiology"),
    (("Favourites", "Cardiology"), "Cardiology", "\u2605 In Cardiology", "out of the Cardiology list only"),
    (("Favourites",), "Cardiology", "\u2606 Add to Cardiology", "also in: Favourites"),
])
def test_the_star_names_the_one_list_it_acts_on(lists: tuple[str, ...], context: str | None, text: str,
                                                said: str) -> None:
    """With "All lists" chosen the star acts on the Favourites list (it used to read "In 2 lists" and take the
    code out of every list); the tooltip names the lists it leaves."""
    assert star_text(lists, context) == text
    assert said in star_tooltip("99213", lists, context)


def test_the_status_after_a_star_says_where_the_code_stays() -> None:
    assert star_done_text("93000", False, "Favourites", ("Cardiology",)) == \
        "93000 taken out of Favourites (still in Cardiology)."
    assert star_done_text("93000", False, "Cardiology", ()) == "93000 taken out of Cardiology (in no list now)."
    assert star_done_text("93000", True, "Cardiology", ("Favourites", "Cardiology")) == "93000 added to Cardiology."


def test_tab_moves_through_the_note_and_leaves_it_unchanged(qtbot: QtBot, window: MainWindow) -> None:
    """A review: tabbing through the window reached the note, which took every further Tab as a character, saved
    them into the user's note at once, and kept the focus there."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    editor = _with_note(qtbot, window, "99213", "an invented note")
    editor.edit.setFocus()
    qtbot.waitUntil(editor.edit.hasFocus, timeout=WAIT_MS)
    for _ in range(3):
        QTest.keyClick(editor.edit, Qt.Key.Key_Tab)
    assert editor.edit.toPlainText() == "an invented note"
    assert not editor.edit.hasFocus()  # the first Tab moved on
    qtbot.wait(50)
    with own_user_connection(window) as user:
        assert user.note("99213") == "an invented note"
