"""The main tab widget does not repaint the whole window when a page's content changes size (issue 12,
keystroke → paint): a note shown above the results list repaints that column, not the detail pane beside it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.steady_tabs import SteadyTabWidget
from tests.ui.conftest import search


class PaintCounter(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.paints = 0
        widget.installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def _two_pages(qtbot: QtBot, tabs: QTabWidget) -> tuple[QLabel, QLabel, QWidget]:
    """A page with a note that comes and goes above a fixed panel, as the search page's results column."""
    page = QWidget()
    layout = QVBoxLayout(page)
    note = QLabel("")
    note.setWordWrap(True)
    note.hide()
    bystander = QLabel("A panel beside the results that nothing here changes")
    layout.addWidget(note)
    layout.addWidget(bystander, 1)
    tabs.addTab(page, "One")
    tabs.addTab(QLabel("Another page"), "Two")
    qtbot.addWidget(tabs)
    tabs.resize(500, 300)
    tabs.show()
    qtbot.waitExposed(tabs)
    return note, bystander, page


def test_a_label_changing_text_in_a_page_does_not_repaint_a_widget_that_did_not_move(qtbot: QtBot) -> None:
    for tabs, expected_repaint in ((QTabWidget(), True), (SteadyTabWidget(), False)):
        page = QWidget()
        layout = QVBoxLayout(page)
        status = QLabel("12 results")
        fixed = QLabel("Unchanged")
        layout.addWidget(status)
        layout.addWidget(fixed, 1)
        tabs.addTab(page, "One")
        qtbot.addWidget(tabs)
        tabs.resize(500, 300)
        tabs.show()
        qtbot.waitExposed(tabs)
        qtbot.wait(50)
        counter = PaintCounter(fixed)
        status.setText("1,204 results")  # a new size hint: a layout request climbs to the tab widget
        qtbot.wait(100)
        assert (counter.paints > 0) is expected_repaint, type(tabs).__name__


def test_the_tab_widget_still_lays_out_when_its_size_or_tabs_change(qtbot: QtBot) -> None:
    tabs = SteadyTabWidget()
    _, _, page = _two_pages(qtbot, tabs)
    tabs.resize(640, 420)
    qtbot.waitUntil(lambda: page.width() > 600 and page.height() > 330)
    tabs.addTab(QLabel("A third page"), "A third tab with a long name")
    qtbot.wait(50)
    assert tabs.tabBar().width() >= tabs.tabBar().sizeHint().width() - 1
    tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: tabs.currentWidget().isVisible())


def test_typing_in_the_window_leaves_the_detail_pane_unpainted(qtbot: QtBot, window: MainWindow) -> None:
    assert isinstance(window.tabs, SteadyTabWidget)
    search(qtbot, window, "knee")
    qtbot.wait(100)
    counter = PaintCounter(window.detail_pane)
    where = window.detail_pane.geometry()
    # Each of these changes the result note, the counts or the list's height, and so asks for a new layout.
    # (A search with no results is left out: the empty state's width may move the splitter, and then the detail
    # pane, having moved, rightly repaints.)
    for text in ("knee inj", "glucose", "knee", "blood"):
        search(qtbot, window, text, typed=False)
        qtbot.wait(50)
        assert window.detail_pane.geometry() == where
        assert counter.paints == 0, text
    assert window.tabs.layout_requests_answered > 0
