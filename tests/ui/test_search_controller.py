"""ui/search_controller.py: the links of the empty state and the measure note act on the window."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow

from .conftest import WAIT_MS, search, wait_detail


def test_a_category_link_sets_the_filter_and_a_code_link_opens_the_code(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "xqzzyv")
    window._on_empty_state_link("category:II")
    qtbot.waitUntil(lambda: window.category_filter.current() == "II", timeout=WAIT_MS)
    window._on_empty_state_link("category:")
    qtbot.waitUntil(lambda: window.category_filter.current() != "II", timeout=WAIT_MS)
    window._on_empty_state_link("code:3074F")
    wait_detail(qtbot, window, "3074F")


def test_a_link_of_another_kind_does_nothing(qtbot: QtBot, window: MainWindow) -> None:
    window._on_measure_note_link("code:99213")  # the measure note only opens measures
    window._on_empty_state_link("https://example.invalid/")
    assert window.detail_pane.detail is None
