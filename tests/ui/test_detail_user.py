"""ui/detail_user.py: a note typed in the detail pane is saved by the worker, and shown again for the code."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow

from .conftest import WAIT_MS, own_user_connection, wait_detail


def test_a_typed_note_is_saved_and_comes_back(qtbot: QtBot, window: MainWindow) -> None:
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    editor = window.detail_pane.note_editor
    qtbot.waitUntil(editor.edit.isEnabled, timeout=WAIT_MS)
    editor.edit.setPlainText("an invented note")
    editor.save()
    with own_user_connection(window) as user:
        qtbot.waitUntil(lambda: user.note("99213") == "an invented note", timeout=WAIT_MS)
    window.open_code("3074F")
    wait_detail(qtbot, window, "3074F")
    qtbot.waitUntil(lambda: editor.edit.toPlainText() == "", timeout=WAIT_MS)
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    qtbot.waitUntil(lambda: editor.edit.toPlainText() == "an invented note", timeout=WAIT_MS)
