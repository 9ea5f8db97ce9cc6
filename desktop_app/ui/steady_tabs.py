"""A tab widget that does not repaint the whole window each time a page's content changes size."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QTabWidget, QWidget

# What QTabWidget's own layout (where the tab bar and the page go) depends on: its size, the tab bar's size,
# the tabs, and how they are shown.
_LayoutInputs = tuple[QSize, QSize, int, int, bool, bool]


class SteadyTabWidget(QTabWidget):
    """:class:`QTabWidget`, but a page asking for a new layout repaints only what moved, not every page's widgets.

    Any layout change inside a page (a note shown above the results, a button's count, a label's text) climbs
    the widget tree as a layout request. QTabWidget answers every one by laying out its tab bar and page again
    and repainting its whole area, unasked: at each keystroke the detail pane, the side panel and the filter row
    were painted again beside the results list (66-118 widget paints a key instead of 23-56), and the answer of
    the next key waited for that paint (README, "The window's repaints"). The tab
    bar and the page are placed from the inputs in :data:`_LayoutInputs` alone, so a request that finds them
    unchanged has nothing to move: it is answered here. The page's own layout has already placed its widgets,
    and those that moved have asked for their own repaint.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._laid_out_for: _LayoutInputs | None = None
        self.layout_requests_answered = 0  # what the tests read

    def _layout_inputs(self) -> _LayoutInputs:
        return (self.size(), self.tabBar().sizeHint(), self.count(), int(self.tabPosition().value),
                self.documentMode(), self.isVisible())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            inputs = self._layout_inputs()
            if inputs == self._laid_out_for:
                self.layout_requests_answered += 1
                return True
            handled = super().event(event)
            self._laid_out_for = inputs
            return handled
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange, QEvent.Type.LayoutDirectionChange):
            self._laid_out_for = None  # the tab bar may now be placed otherwise: lay out at the next request
        return super().event(event)
