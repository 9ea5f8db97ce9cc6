"""ui/working_set_glue.py: Ctrl+D stars the open code, through the worker, into the person's favourites."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow

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
