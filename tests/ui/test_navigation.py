"""ui/navigation.py: opening codes builds a history that Back and Forward walk, and the search follows."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow

from .conftest import wait_detail


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
