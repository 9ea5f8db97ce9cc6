"""Compare codes in the window, print and PDF (issue 12, items 2 and 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.code_compare import AMA_NOTICE, compare_codes
from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore
from desktop_app.ui.main_window import COMPARE_CODES_TAB, SEARCH_TAB, MainWindow
from desktop_app.ui.printing import comparison_print_html, detail_print_html, save_pdf
from tests.ui.conftest import WAIT_MS, codes, search, settle

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _compared(window: MainWindow, codes: tuple[str, ...]) -> bool:
    comparison = window.code_compare_view.comparison
    return comparison is not None and comparison.codes == codes


def test_compare_typed_in_the_search_box(qtbot: QtBot, window: MainWindow) -> None:
    window.search_box.setText("compare 99213 99214")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert window.tabs.currentIndex() == COMPARE_CODES_TAB
    qtbot.waitUntil(lambda: _compared(window, ("99213", "99214")), timeout=WAIT_MS)
    text = window.code_compare_view.browser.toPlainText()
    assert "99213" in text and "Plain-language summary" in text and "\u2260" in text


def test_compare_selected_results_with_ctrl_k(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "99202-99205")
    selection = window.results_view.selectionModel()
    for row in (0, 2):
        selection.select(window.results_model.index(row, 0),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    window.results_view.setFocus()
    qtbot.keyClick(window.results_view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _compared(window, ("99202", "99204")), timeout=WAIT_MS)


def test_one_code_asks_for_more(qtbot: QtBot, window: MainWindow) -> None:
    window.compare_codes(["99213"])
    assert window.tabs.currentIndex() == COMPARE_CODES_TAB
    assert "2 to 4 codes" in window.code_compare_view.message.text()
    assert window.code_compare_view.message.isVisible()
    window.compare_codes(["45384", "45384"])  # the same code twice is named, not counted as "1 chosen"
    assert "45384 given more than once" in window.code_compare_view.message.text()


def test_printed_detail_names_sources_and_the_ama_notice(store: CodeStore, tmp_path: Path) -> None:
    import_paths(store.conn, [FIXTURES / "cms" / "PPRRVU2030_Jan.csv"])
    store.refresh()
    detail = store.detail("99990")
    html = detail_print_html(detail, note="check units")
    assert html.count("Source: ") >= len(detail.descriptors) and AMA_NOTICE in html and "check units" in html
    bundled_only = detail_print_html(store.detail("99213"))
    assert AMA_NOTICE not in bundled_only and "our own words" in bundled_only
    pdf = tmp_path / "detail.pdf"
    save_pdf(html, pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 1000
    comparison = compare_codes([store.detail("99990"), store.detail("99991")])
    printed = comparison_print_html(comparison)
    assert "Comparison: 99990 \u00b7 99991" in printed and AMA_NOTICE in printed
    save_pdf(printed, tmp_path / "compare.pdf")
    assert (tmp_path / "compare.pdf").stat().st_size > 1000


def test_typing_compare_lists_the_codes_to_compare_not_word_matches(qtbot: QtBot, window: MainWindow) -> None:
    # Typing "compare 45384 45385" used to search the word "compare" too ("Comparative genomic hybridization").
    window.search_box.clear()
    qtbot.keyClicks(window.search_box, "compare 99213 99214")
    settle(qtbot, window)
    assert codes(window) == ["99213", "99214"]
    assert window.result_note.text().startswith("Enter compares these codes")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _compared(window, ("99213", "99214")), timeout=WAIT_MS)


def test_typing_in_the_box_brings_the_search_tab_forward(qtbot: QtBot, window: MainWindow) -> None:
    window.tabs.setCurrentIndex(COMPARE_CODES_TAB)
    window.search_box.clear()
    qtbot.keyClicks(window.search_box, "compare 99213 99214")
    settle(qtbot, window)
    assert window.tabs.currentIndex() == SEARCH_TAB
    assert codes(window) == ["99213", "99214"]
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)  # and Enter still takes it to the comparison
    assert window.tabs.currentIndex() == COMPARE_CODES_TAB
    window.search_box.setText("99215")  # text the window itself puts in the box leaves the tab as it is
    assert window.tabs.currentIndex() == COMPARE_CODES_TAB


def test_ctrl_k_with_the_open_code_selected_asks_for_a_second_code(qtbot: QtBot, window: MainWindow) -> None:
    """One row selected, and it is the open code: it was counted twice ("1 chosen; 99214 given more than once")."""
    search(qtbot, window, "99213-99215")
    window.open_code("99214")
    qtbot.waitUntil(lambda: window.detail_pane.detail is not None and window.detail_pane.detail.code == "99214",
                    timeout=WAIT_MS)
    row = window.results_model.row_of("99214")
    window.results_view.selectionModel().select(
        window.results_model.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    window.results_view.setFocus()
    qtbot.keyClick(window.results_view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    message = window.code_compare_view.message.text()
    assert "needs at least 2 different codes; only 99214 is given." in message
    assert "more than once" not in message and "chosen" not in message


@pytest.mark.parametrize(("typed", "said"), [
    ("compare 99213", "Compare codes needs at least 2 different codes; only 99213 is given."),
    ("compare 99211 99212 99213 99214 99215",
     "Compare codes shows at most 4 codes side by side; 5 are given: leave out 1."),
    ("compare 99213 99214", "Enter compares these codes side by side."),
])
def test_the_compare_hint_says_enter_only_when_enter_compares(qtbot: QtBot, window: MainWindow, typed: str,
                                                               said: str) -> None:
    window.search_box.clear()
    qtbot.keyClicks(window.search_box, typed)
    settle(qtbot, window)
    assert window.result_note.text().startswith(said)
    assert ("Enter compares" in window.result_note.text()) == said.startswith("Enter")
