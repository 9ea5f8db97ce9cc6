"""Modifiers in the window: opening one shows our entry in the detail pane, a modified code shows both, and
the comparison view's modifier row links open them."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, QPointF, QRect, Qt
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from desktop_app.core.modifiers import OUR_MODIFIER_LABEL, bundled_modifiers
from desktop_app.ui.main_window import COMPARE_TAB, SEARCH_TAB, MainWindow

from .conftest import WAIT_MS, codes, search, settle, wait_detail


def test_opening_a_modifier_shows_it_in_the_detail_pane(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "mod 59")
    assert codes(window)[0] == "59"
    window.results_view.setCurrentIndex(window.results_model.index(0, 0))
    wait_detail(qtbot, window, "59")
    text = window.detail_pane.text()
    entry = bundled_modifiers()["59"]
    assert "CPT Level I modifier" in text and OUR_MODIFIER_LABEL in text
    for part in (entry.meaning, "Not for", "Never on"):
        assert " ".join(part.split()[:6]) in " ".join(text.split())
    assert "Status and payment" not in text  # a modifier is not paid: no payment section


def test_a_modified_code_shows_the_code_and_its_modifier_as_a_link(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "99213-8P")
    assert codes(window)[:2] == ["99213", "8P"]
    window.results_view.setCurrentIndex(window.results_model.index(0, 0))
    wait_detail(qtbot, window, "99213")
    text = window.detail_pane.text()
    assert text.startswith("99213-8P")
    assert "does not fit" in text and "goes on CPT Category II codes" in text
    assert "Office or outpatient visit" in text  # the code itself is still all there
    assert "href=\"code:8P\"" in window.detail_pane.browser.toHtml()
    window.detail_pane.code_link_activated.emit("8P")
    wait_detail(qtbot, window, "8P")
    assert "performance-measure modifier" in window.detail_pane.text()


def _find_link(window: MainWindow, index: QModelIndex, rect: QRect, anchor: str) -> QPoint | None:
    table = window.comparison_view.table
    option = QStyleOptionViewItem()
    option.initFrom(table)
    option.rect = rect
    option.font = table.font()
    document = window.comparison_view.delegate._document(option, index, rect.width())
    for y in range(0, rect.height(), 2):
        for x in range(0, rect.width(), 2):
            if document.documentLayout().anchorAt(QPointF(x, y)) == anchor:
                return QPoint(rect.left() + x, rect.top() + y)
    return None


def test_the_comparison_modifier_row_links_open_modifiers(qtbot: QtBot, window: MainWindow) -> None:
    window.tabs.setCurrentIndex(COMPARE_TAB)
    settle(qtbot, window, "comparison")
    model = window.comparison_view.model
    row = model.row_keys().index("modifiers")
    column = model.code_sets().index("II")
    index = model.index(row, column)
    assert list(model.data(index, Qt.ItemDataRole.UserRole + 1)) == ["1P", "2P", "3P", "8P"]
    table = window.comparison_view.table
    table.scrollTo(index)
    qtbot.waitUntil(lambda: table.visualRect(index).height() > 0, timeout=WAIT_MS)
    target = _find_link(window, index, table.visualRect(index), "code:8P")
    assert target is not None, "no 8P link in the Category II modifier cell"
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=target)
    wait_detail(qtbot, window, "8P")
    assert window.tabs.currentIndex() == SEARCH_TAB
    assert OUR_MODIFIER_LABEL in window.detail_pane.text()
