"""ui/search_controller.py: the links of the empty state and the measure note act on the window."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow

from .conftest import WAIT_MS, codes, search, settle, wait_detail


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


def _first_row_shown(window: MainWindow) -> int:
    return window.results_view.rowAt(0)


def test_a_new_list_is_shown_from_its_first_row(qtbot: QtBot, window: MainWindow) -> None:
    # The view kept its scroll position across the model's reset: a category or page chosen after scrolling
    # the list opened rows down, its first codes hidden above (the note said "Page 1: 10004 to …", 10009 shown).
    window.category_filter.set_current("I")
    settle(qtbot, window)
    window.results_view.verticalScrollBar().setValue(5)
    assert _first_row_shown(window) == 5
    window.next_page_action.trigger()
    qtbot.waitUntil(lambda: window._page_starts != [] and window.service.settled("search"), timeout=WAIT_MS)
    assert _first_row_shown(window) == 0
    window.results_view.verticalScrollBar().setValue(5)
    window.category_filter.set_current("HCPCS")
    settle(qtbot, window)
    assert codes(window)[0].startswith(("A", "B", "C", "E", "G")) and _first_row_shown(window) == 0
    window.results_view.verticalScrollBar().setValue(5)
    search(qtbot, window, "office visit")
    assert _first_row_shown(window) == 0


def test_the_same_list_answered_again_keeps_its_place(qtbot: QtBot, window: MainWindow) -> None:
    # A refresh (another program imported) answers the same question: the person's place stays.
    window.category_filter.set_current("I")
    settle(qtbot, window)
    window.results_view.verticalScrollBar().setValue(5)
    window.service.post(window.current_request(window.results_model.rowCount()))
    settle(qtbot, window)
    assert _first_row_shown(window) == 5


def test_a_new_list_with_the_open_code_keeps_it_selected_and_in_view(qtbot: QtBot, window: MainWindow) -> None:
    window.category_filter.set_current("I")
    settle(qtbot, window)
    far = codes(window)[150]
    window.open_code(far)
    wait_detail(qtbot, window, far)
    window.category_filter.set_current("HCPCS")
    settle(qtbot, window)
    window.category_filter.set_current("I")
    settle(qtbot, window)
    row = window.results_model.row_of(far)
    assert row == 150 and window.results_view.currentIndex().row() == row
    assert window.results_view.visualRect(window.results_model.index(row, 0)).intersects(
        window.results_view.viewport().rect())
