"""The window as a person uses it: type, filter, browse, open, go back, compare."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_app.ui.detail import NOT_IN_DATABASE_HINT, OUR_SUMMARY_LABEL
from desktop_app.ui.filters import ALL
from desktop_app.ui.main_window import COMPARE_TAB, SEARCH_TAB, MainWindow
from desktop_app.ui.results import Column

from .conftest import WAIT_MS, codes, search, settle, wait_detail


def click_row(qtbot: QtBot, window: MainWindow, code: str) -> None:
    row = window.results_model.row_of(code)
    assert row >= 0, f"{code} not in {codes(window)}"
    rect = window.results_view.visualRect(window.results_model.index(row, Column.TITLE))
    qtbot.mouseClick(window.results_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_search_box_is_focused_at_start(window: MainWindow) -> None:
    assert window.search_box.hasFocus()
    assert "Search by code" in window.empty_state.text()


def test_typing_a_code_fills_results_and_selecting_fills_the_detail(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "3074F")
    assert codes(window) == ["3074F"]
    click_row(qtbot, window, "3074F")
    wait_detail(qtbot, window, "3074F")
    text = window.detail_pane.text()
    assert "130" in text and "systolic" in text.lower()
    assert OUR_SUMMARY_LABEL in text
    assert "Diagnostic/Screening Processes or Results" in text
    assert "never paid" in text  # Category II: no payment facts, and the pane says why


def test_words_find_codes_with_highlights(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "asthma")
    assert "2016F" in codes(window)
    row = window.results_model.row_of("2016F")
    hit = window.results_model.hit(row)
    assert hit is not None and hit.highlights
    start, end = hit.highlights[0]
    assert hit.title[start:end].lower().startswith("asthma")
    click_row(qtbot, window, "2016F")
    wait_detail(qtbot, window, "2016F")
    assert "Physical Examination" in window.detail_pane.text()
    # The highlighted title cell paints without errors (the delegate draws the spans by hand).
    assert not window.results_view.grab().isNull()


def test_category_filter_shows_counts_and_filters(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "asthma")
    # The counts follow the hits in their own answer (CountsAnswer): wait for them, not for the hits alone.
    qtbot.waitUntil(lambda: bool(window.last_counts), timeout=5000)
    counts = window.last_counts
    assert counts.get("II", 0) >= 2
    total = sum(counts.values())
    assert window.category_filter.count(ALL) == total
    assert window.category_filter.count("II") == counts["II"]
    assert f"{counts['II']}" in window.category_filter.button("II").text()

    qtbot.mouseClick(window.category_filter.button("II"), Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert codes(window) and all(h.code_set == "II" for h in window.results_model.hits())
    assert window.category_filter.count(ALL) == total  # counts ignore the category filter
    assert len(codes(window)) == counts["II"]

    qtbot.mouseClick(window.category_filter.button(ALL), Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert len(codes(window)) == total


def test_section_browser_lists_a_section_and_combines_with_words(qtbot: QtBot, window: MainWindow) -> None:
    catalog = window.store.catalog
    exam = next(
        s for s in catalog.sections.values() if s.code_set == "II" and s.name == "Physical Examination"
    )
    window.section_tree.select_section(exam.id)
    settle(qtbot, window)
    listed = codes(window)
    assert "2016F" in listed and all("2000F" <= c <= "2060F" for c in listed)
    assert window.section_tree.section_count(exam.id) == f"{len(listed):,}"
    # Words within the section.
    search(qtbot, window, "asthma")
    assert codes(window) == [c for c in codes(window) if c in listed]
    assert "2016F" in codes(window)


def test_range_query(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "99202-99205")
    assert codes(window) == ["99202", "99203", "99204", "99205"]


def test_enter_on_a_typed_code_opens_it_even_before_its_search_answers(qtbot: QtBot, window: MainWindow) -> None:
    """The list still shows the previous keystroke's hits (here: "30"): Enter opens the code typed, not their
    first row (the end-to-end test once saw 3008F open for 3074F typed fast)."""
    search(qtbot, window, "30")
    assert codes(window) and codes(window)[0] != "3074F"
    window.search_box.blockSignals(True)  # as if the answer for the last keystroke had not come back yet
    window.search_box.setText("3074F")
    window.search_box.blockSignals(False)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    wait_detail(qtbot, window, "3074F")

def test_keyboard_down_enter_and_alt_left(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "asthma")
    first, second = codes(window)[:2]
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    wait_detail(qtbot, window, first)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    wait_detail(qtbot, window, second)
    assert window.results_view.currentIndex().row() == 1
    # Shown long enough, the second joins Back (the first was only passed over: navigation.VIEW_DWELL_MS).
    qtbot.waitUntil(lambda: window.history() == ([second], 0), timeout=WAIT_MS)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Up)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    wait_detail(qtbot, window, first)
    assert window.search_box.hasFocus()  # typing can go on
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    wait_detail(qtbot, window, second)
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    wait_detail(qtbot, window, first)


def test_escape_clears_and_ctrl_l_focuses(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "knee")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Escape)
    assert window.search_box.text() == ""
    window.results_view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.search_box.hasFocus()


def test_back_and_forward_through_viewed_codes(qtbot: QtBot, window: MainWindow) -> None:
    for code in ("99213", "20610", "71045"):
        window.open_code(code)
        wait_detail(qtbot, window, code)
    window.back_action.trigger()
    wait_detail(qtbot, window, "20610")
    window.back_action.trigger()
    wait_detail(qtbot, window, "99213")
    assert not window.back_action.isEnabled()
    window.forward_action.trigger()
    wait_detail(qtbot, window, "20610")
    window.open_code("97110")  # a new code drops the forward history
    wait_detail(qtbot, window, "97110")
    assert window.history() == (["99213", "20610", "97110"], 2)
    assert not window.forward_action.isEnabled()


def test_unknown_well_formed_code_gets_the_grammar_hint(qtbot: QtBot, window: MainWindow) -> None:
    missing = next(f"{n:04d}F" for n in range(3006, 3777) if not window.store.detail(f"{n:04d}F").known)
    search(qtbot, window, missing)
    assert codes(window) == []
    hint = window.empty_state.text()
    assert "CPT Category II" in hint and "Diagnostic/Screening Processes or Results" in hint
    assert "not in your database" in hint and "import" in hint
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    wait_detail(qtbot, window, missing)
    assert NOT_IN_DATABASE_HINT in window.detail_pane.text()


def test_no_hits_explain_and_suggest(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "zzqqxx")
    assert "Check the spelling" in window.empty_state.text()
    window.category_filter.set_current("III")
    search(qtbot, window, "asthma")
    # Where the hits are comes with the search's counts, a second answer.
    qtbot.waitUntil(lambda: "Other categories have hits" in window.empty_state.text(), timeout=WAIT_MS)
    assert "category:II" in window.empty_state.text()
    window._on_empty_state_link("category:II")
    settle(qtbot, window)
    assert "2016F" in codes(window)


def test_corrected_typo_is_announced(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "astma")
    assert "2016F" in codes(window)
    assert window.result_note.isVisible()
    assert "Showing results for: asthma" in window.result_note.text()


def test_copy_code_with_ctrl_c(qtbot: QtBot, window: MainWindow) -> None:
    window.open_code("2016F")
    wait_detail(qtbot, window, "2016F")
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(window.search_box, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "2016F"
    window.copy_title_action.trigger()
    assert QGuiApplication.clipboard().text().startswith("2016F ")


def test_detail_links_open_codes_and_browse_sections(qtbot: QtBot, window: MainWindow) -> None:
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    detail = window.detail_pane.detail
    assert detail is not None and detail.neighbours
    neighbour = detail.neighbours[0][0]
    window.detail_pane.code_link_activated.emit(neighbour)
    wait_detail(qtbot, window, neighbour)
    section = detail.section[-1]
    search(qtbot, window, "knee")
    window.detail_pane.section_link_activated.emit(section.id)
    settle(qtbot, window)
    assert window.search_box.text() == ""
    assert window.section_tree.current_section() == section.id
    assert "99213" in codes(window)


def test_sort_by_code(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "office visit established")
    ranked = codes(window)
    window.sort_combo.setCurrentIndex(1)
    assert codes(window) == sorted(ranked)
    window.sort_combo.setCurrentIndex(0)
    assert codes(window) == ranked


def test_comparison_view_columns_rows_and_links(qtbot: QtBot, window: MainWindow) -> None:
    window.tabs.setCurrentIndex(COMPARE_TAB)
    settle(qtbot, window, "comparison")
    model = window.comparison_view.model
    assert model.columnCount() == 4
    assert [model.headerData(i, Qt.Orientation.Horizontal) for i in range(4)] == [
        "Category I",
        "Category II",
        "Category III",
        "HCPCS Level II",
    ]
    keys = model.row_keys()
    for key in ("purpose", "payment", "format", "codes_in_database", "active_deleted"):
        assert key in keys
    # \u2260 marks a row where some categories agree and one stands apart (issue 12): "maintainer" (CMS vs
    # AMA); a row where all four say different things is not marked, since the mark would say nothing.
    payment, maintainer = keys.index("payment"), keys.index("maintainer")
    assert model.row(payment).differs
    assert not str(model.headerData(payment, Qt.Orientation.Vertical)).startswith("\u2260")
    assert str(model.headerData(maintainer, Qt.Orientation.Vertical)).startswith("\u2260")

    window.comparison_view.checkboxes["III"].setChecked(False)
    window.comparison_view.checkboxes["HCPCS"].setChecked(False)
    settle(qtbot, window, "comparison")
    assert model.code_sets() == ["I", "II"]
    assert model.columnCount() == 2

    # Example codes are links: click the one in the Format row, Category II column.
    table = window.comparison_view.table
    index = model.index(keys.index("format"), 1)
    assert "3074F" in model.data(index, Qt.ItemDataRole.UserRole + 1)
    table.scrollTo(index)
    rect = table.visualRect(index)
    target = _find_link(window, index, rect)
    assert target is not None, "no link found in the Format cell"
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=target)
    wait_detail(qtbot, window, "3074F")
    assert window.tabs.currentIndex() == SEARCH_TAB


def _find_link(window: MainWindow, index: object, rect: object) -> QPoint | None:
    from PySide6.QtCore import QModelIndex, QPointF, QRect
    from PySide6.QtWidgets import QStyleOptionViewItem

    assert isinstance(index, QModelIndex) and isinstance(rect, QRect)
    table = window.comparison_view.table
    option = QStyleOptionViewItem()
    option.initFrom(table)
    option.rect = rect
    option.font = table.font()
    document = window.comparison_view.delegate._document(option, index, rect.width())
    for y in range(0, rect.height(), 2):
        for x in range(0, rect.width(), 3):
            if document.documentLayout().anchorAt(QPointF(x, y)) == "code:3074F":
                return QPoint(rect.left() + x, rect.top() + y)
    return None


def test_settings_are_remembered(qtbot: QtBot, make_window: Callable[[], MainWindow]) -> None:
    first = make_window()
    first.category_filter.set_current("II")
    first.comparison_view.checkboxes["HCPCS"].setChecked(False)
    first.resize(760, 540)  # fits the offscreen screen, so restoreGeometry gives back the same size
    first.tabs.setCurrentIndex(SEARCH_TAB)
    qtbot.waitUntil(lambda: first.main_splitter.width() < 760)
    first.main_splitter.setSizes([100, 350, 300])
    qtbot.wait(20)
    sizes = first.main_splitter.sizes()
    first.tabs.setCurrentIndex(COMPARE_TAB)
    first.close()
    second = make_window()
    assert second.category_filter.current() == ""  # never restored: a forgotten filter would hide answers
    assert second.tabs.currentIndex() == COMPARE_TAB
    assert second.comparison_view.chosen() == ["I", "II", "III"]
    second.tabs.setCurrentIndex(SEARCH_TAB)
    qtbot.wait(50)
    assert second.main_splitter.sizes() == sizes


def test_favourite_and_note_are_kept(qtbot: QtBot, make_window: Callable[[], MainWindow]) -> None:
    first = make_window()
    first.open_code("4011F")
    wait_detail(qtbot, first, "4011F")
    first.detail_pane.favourite_button.click()
    first.detail_pane.note.setPlainText("check the measure year")
    first.close()
    second = make_window()
    second.open_code("4011F")
    wait_detail(qtbot, second, "4011F")
    assert second.detail_pane.favourite_button.isChecked()
    assert second.detail_pane.note.toPlainText() == "check the measure year"


def test_status_bar_and_accessible_names(window: MainWindow) -> None:
    assert str(window.store.path) in window.db_label.text()
    assert "codes" in window.counts_label.text()
    assert window.sources_label.text().startswith("Sources:")
    for widget in (
        window.search_box,
        window.results_view,
        window.section_tree,
        window.detail_pane,
        window.category_filter,
        window.comparison_view,
        window.tabs,
    ):
        assert widget.accessibleName()


def test_dark_palette_rerenders_with_readable_colours(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.theme import ThemeChoice, badge_colors, is_dark

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window.open_code("3074F")
    wait_detail(qtbot, window, "3074F")
    try:
        window.set_theme(ThemeChoice.DARK)
        assert is_dark(app.palette())
        background, text = badge_colors("II", app.palette())
        assert text.lightness() - background.lightness() > 100
        # The badge is re-rendered with the dark colours.
        qtbot.waitUntil(lambda: background.name() in window.detail_pane.browser.toHtml(), timeout=2000)
    finally:
        window.set_theme(ThemeChoice.LIGHT)


def test_ctrl_shift_r_switches_the_results_order_from_the_search_box(qtbot: QtBot, window: MainWindow) -> None:
    """The Sort box was reachable only by mouse or Tab."""
    search(qtbot, window, "knee")
    relevance = codes(window)
    qtbot.keyClick(window.search_box, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.sort_combo.currentText() == "Sort by code" and window.search_box.hasFocus()
    assert codes(window) == sorted(relevance) != relevance
    qtbot.keyClick(window.search_box, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.sort_combo.currentText() == "Sort by relevance" and codes(window) == relevance
