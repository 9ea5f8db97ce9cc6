"""The results list: a table model over :class:`Hit` objects and the delegates that draw it.

Over 500 lines on purpose: the model (rows, paging, first page then more) and the delegate that paints its two-line
rows share one idea of a row (its texts, marks and height), and the paint path is tuned as one piece for the
keystroke-to-paint budget (bench/bench_ui.py); split apart, each half would need the other to be read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desktop_app.core.kinds import CodeStatus
from desktop_app.core.reference import BUNDLED_SOURCE_NAME
from desktop_app.core.row_text import RowText, common_source, cut_line
from desktop_app.core.search import Highlighter, Hit
from desktop_app.core.valid_dates import deleted_label
from desktop_app.ui.theme import (
    CODE_SET_LABELS,
    CODE_SET_SHORT,
    badge_colors,
    deleted_text,
    highlight_background,
    muted_text,
)

AnyIndex = QModelIndex | QPersistentModelIndex
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
HIGHLIGHTS_ROLE = Qt.ItemDataRole.UserRole + 2
CODE_SET_ROLE = Qt.ItemDataRole.UserRole + 3
SECONDARY_ROLE = Qt.ItemDataRole.UserRole + 4  # the title cell's second line: (text, highlight spans)


class Column(IntEnum):
    CODE = 0
    CATEGORY = 1
    TITLE = 2
    SOURCE = 3


SOURCE_SHARE = 5  # the Source column's most: a fifth of the list's width

HEADERS = {Column.CODE: "Code", Column.CATEGORY: "Category", Column.TITLE: "Title", Column.SOURCE: "Source"}


Spans = tuple[tuple[int, int], ...]
# One laid-out line: (x, text, highlighted, box width) per piece, for one width and font.
LinePieces = tuple[tuple[int, str, bool, int], ...]


@dataclass(frozen=True, slots=True)
class RowPaint:
    """What one row's cells show, gathered from the model once per row and contents.

    The delegates read this instead of asking ``data()`` role by role: each ``data()`` call crosses from Qt into
    Python, and the style's ``initStyleOption`` asks seven roles per cell, some 700 calls per keystroke's paint.
    """

    code: str
    category: str
    code_set: str
    title: str
    title_spans: Spans
    secondary: str
    secondary_spans: Spans
    deleted: bool
    source: str
    # A line shortened to what tells it apart ("Office or outpatient … patient with low-level …"): the line
    # whole, with its marks, drawn instead where it fits the column (see _lay_out_line).
    title_whole: tuple[str, Spans] | None = None
    secondary_whole: tuple[str, Spans] | None = None


class SortKey(IntEnum):
    RELEVANCE = 0
    CODE = 1


class ResultsModel(QAbstractTableModel):
    """Hits in relevance order (as the search ranked them) or in code order.

    A search's first answer is a short page (enough to fill the list); when the view scrolls to its end Qt asks
    :meth:`fetchMore`, and ``more_wanted`` tells the window to ask the worker for the rest, which
    :meth:`extend_hits` appends without resetting what is shown.
    """

    more_wanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ranked: list[Hit] = []
        self._hits: list[Hit] = []
        self._sort_key = SortKey.RELEVANCE
        self._descending = False
        self._bold = QFont()
        self._bold.setBold(True)
        self._texts: dict[str, RowText] = {}
        self._highlighter: Highlighter | None = None
        self._spans: dict[tuple[str, int], tuple[tuple[int, int], ...]] = {}
        self.common_source = ""  # rows from this source leave the Source column blank
        self._more_available = False  # the search found more than this first page holds
        self._more_asked = False
        self._painted: dict[int, RowPaint] = {}  # row -> what it shows; forgotten whenever the rows change

    # --- contents

    def set_hits(self, hits: list[Hit], texts: dict[str, RowText] | None = None,
                 highlighter: Highlighter | None = None, more_available: bool = False) -> None:
        """``highlighter`` marks the query's words in the rows' lines, as they are painted (then kept).
        ``more_available``: these are the first of more hits, fetched when the list is scrolled to its end."""
        self._more_available, self._more_asked = more_available, False
        self.beginResetModel()
        self._ranked = list(hits)
        self._hits = self._sorted(self._ranked)
        self._texts = texts or {}
        self._highlighter = highlighter
        self._spans = {}
        self._painted = {}
        self.common_source = common_source(hits)
        self.endResetModel()

    def extend_hits(self, hits: list[Hit], texts: dict[str, RowText], more_available: bool = False,
                    limit: int | None = None) -> None:
        """The same search's longer answer: its hits not shown yet are appended below the rows shown (rows
        inserted, not a reset, so the scroll position, selection and painted rows stay), up to ``limit`` rows.
        The rows shown keep their places: the engine fills a short page from titles alone, so a longer page
        can rank a few of them differently, and rows must not jump while the person reads them."""
        shown = len(self._ranked)
        codes = {hit.code for hit in self._ranked}
        added = [hit for hit in hits if hit.code not in codes][: max(0, (limit or len(hits)) - shown)]
        self._more_available, self._more_asked = more_available, False
        self._texts = {**texts, **self._texts}  # the lines of the rows shown stay as they were computed
        self._painted = {}  # a row shown without its lines may have them now
        if not added:
            return
        if self._sort_key == SortKey.RELEVANCE:
            self.beginInsertRows(QModelIndex(), shown, shown + len(added) - 1)
            self._ranked = self._ranked + list(added)
            self._hits = list(self._ranked)
            self.endInsertRows()
        else:  # code order: the new rows fall between the old ones
            self.layoutAboutToBeChanged.emit()
            old = self._hits
            self._ranked = self._ranked + list(added)
            self._hits = self._sorted(self._ranked)
            new_row = {id(h): i for i, h in enumerate(self._hits)}
            for index in self.persistentIndexList():
                if index.isValid():
                    self.changePersistentIndex(index, self.index(new_row[id(old[index.row()])], index.column()))
            self.layoutChanged.emit()

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and self._more_available and not self._more_asked

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        """The view reached the last row: ask once for the rest (the window posts the longer search)."""
        if self.canFetchMore(parent):
            self._more_asked = True
            self.more_wanted.emit()

    def source_column_blank(self) -> bool:
        """Does every row's title come from the common source (so the Source column would say nothing)?"""
        return all(hit.source == self.common_source for hit in self._hits)

    def two_lines(self) -> bool:
        """Does any row have a second line (a summary beside the official text, a deletion date)?"""
        return any(t.secondary or t.deleted_date for t in self._texts.values())

    def _secondary(self, hit: Hit, cut: bool = True) -> tuple[str, tuple[tuple[int, int], ...]]:
        """The second line as shown, ``cut`` to what tells it apart (or whole), with its marks."""
        text = self._texts.get(hit.code)
        if text is None:
            return "", ()
        shown, spans = cut_line(text.secondary, text.secondary_cut if cut else (0, 0),
                                self._marks(hit, 1, text.secondary))
        if text.deleted_date or hit.status == CodeStatus.DELETED:
            label = deleted_label(text.deleted_date) + (" \u00b7 " if shown else "")
            return label + shown, tuple((a + len(label), b + len(label)) for a, b in spans)
        return shown, spans

    def _primary(self, hit: Hit, cut: bool = True) -> tuple[str, tuple[tuple[int, int], ...]]:
        text = self._texts.get(hit.code)
        if text is None:
            return hit.title, hit.highlights
        spans = hit.highlights if text.primary == hit.title else self._marks(hit, 0, text.primary)
        return cut_line(text.primary, text.primary_cut if cut else (0, 0), spans)

    def _marks(self, hit: Hit, line: int, text: str) -> tuple[tuple[int, int], ...]:
        """The query's words in one line of a row, found when the row is first painted."""
        if self._highlighter is None or not text:
            return ()
        key = (hit.code, line)
        if key not in self._spans:
            self._spans[key] = self._highlighter.spans(text)
        return self._spans[key]

    def row_paint(self, row: int) -> RowPaint | None:
        """What ``row`` shows in its cells (as ``data()`` says it), made on its first paint and then kept."""
        painted = self._painted.get(row)
        if painted is None:
            hit = self.hit(row)
            if hit is None:
                return None
            title, title_spans = self._primary(hit)
            secondary, secondary_spans = self._secondary(hit)
            text = self._texts.get(hit.code)
            painted = self._painted[row] = RowPaint(
                hit.text, CODE_SET_SHORT.get(hit.code_set, hit.code_set), hit.code_set,
                title or "(no descriptor loaded)", title_spans, secondary, secondary_spans,
                hit.status == CodeStatus.DELETED,
                "" if hit.source == self.common_source else short_source_name(hit.source),
                self._primary(hit, cut=False) if text is not None and text.primary_cut[1] > 0 else None,
                self._secondary(hit, cut=False) if text is not None and text.secondary_cut[1] > 0 else None)
        return painted

    def hit(self, row: int) -> Hit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def hits(self) -> list[Hit]:
        return list(self._hits)

    def row_of(self, code: str) -> int:
        return next((i for i, h in enumerate(self._hits) if h.code == code), -1)

    # --- sorting

    @property
    def sort_key(self) -> SortKey:
        return self._sort_key

    @property
    def descending(self) -> bool:
        return self._descending

    def set_sort_key(self, key: SortKey, descending: bool = False) -> None:
        if key == self._sort_key and descending == self._descending:
            return
        self.layoutAboutToBeChanged.emit()
        old = self._hits
        self._sort_key, self._descending = key, descending
        self._hits = self._sorted(self._ranked)
        self._painted = {}
        # Keep selections and the current row on the same hits across the re-sort.
        new_row = {id(h): i for i, h in enumerate(self._hits)}
        for index in self.persistentIndexList():
            if index.isValid():
                row = new_row[id(old[index.row()])]
                self.changePersistentIndex(index, self.index(row, index.column()))
        self.layoutChanged.emit()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header clicks: the Code column sorts by code, any other column restores relevance."""
        key = SortKey.CODE if column == Column.CODE else SortKey.RELEVANCE
        self.set_sort_key(key, order == Qt.SortOrder.DescendingOrder and key == SortKey.CODE)

    def _sorted(self, hits: list[Hit]) -> list[Hit]:
        if self._sort_key == SortKey.CODE:
            return sorted(hits, key=lambda h: h.code, reverse=self._descending)
        return list(hits)

    # --- QAbstractTableModel

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return HEADERS[Column(section)]
        if (
            orientation == Qt.Orientation.Vertical
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._hits)
        ):
            return str(section + 1)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # Called thousands of times per repaint: plain int comparisons, and unhandled roles leave first.
        if role not in _HANDLED_ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not 0 <= row < len(self._hits):
            return None
        hit = self._hits[row]
        if role == _DISPLAY:
            if column == _CODE:
                return hit.text  # "99213-25" when the query wrote modifiers after the code
            if column == _CATEGORY:
                return CODE_SET_SHORT.get(hit.code_set, hit.code_set)
            if column == _TITLE:
                return self._primary(hit)[0] or "(no descriptor loaded)"
            # The Source column speaks only when a row's title comes from elsewhere than most rows'.
            return "" if hit.source == self.common_source else short_source_name(hit.source)
        if role == _TOOLTIP:
            if column == _CATEGORY:
                return CODE_SET_LABELS.get(hit.code_set, hit.code_set)
            if column == _TITLE:
                path = " \u203a ".join(hit.section)
                checks = [f"-{c.modifier}: " + ("fits" if c.fits else f"does not fit: {c.reason}")
                          for c in hit.modifiers]
                text = self._texts.get(hit.code)
                lines = [text.primary, text.secondary] if text else [hit.title]
                deleted = deleted_label(text.deleted_date) if text and text.deleted_date else ""
                return "\n".join(line for line in [*lines, deleted, path, *checks] if line)
            if column == _SOURCE:
                return f"Title from {hit.source}"
            return None
        if role == _ACCESSIBLE:
            if column == _CATEGORY:
                return CODE_SET_LABELS.get(hit.code_set, hit.code_set)
            if column == _TITLE:
                return " \u2014 ".join(x for x in (str(self.data(index, _DISPLAY)), self._secondary(hit)[0]) if x)
            if column == _SOURCE:
                return short_source_name(hit.source)
            return self.data(index, _DISPLAY)
        if role == _FONT:
            return self._bold if column == _CODE else None
        if role == _FOREGROUND:
            if hit.status == CodeStatus.DELETED:
                return deleted_text(QPalette())
            return None
        if role == HIT_ROLE:
            return hit
        if role == HIGHLIGHTS_ROLE:
            if column != _TITLE:
                return None
            return self._primary(hit)[1]
        if role == _SECONDARY:
            return self._secondary(hit) if column == _TITLE else None
        return hit.code_set  # CODE_SET_ROLE


_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_SECONDARY = int(SECONDARY_ROLE)


_HANDLED_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ACCESSIBLE, _FONT, _FOREGROUND, int(HIT_ROLE),
                            int(HIGHLIGHTS_ROLE), int(CODE_SET_ROLE), _SECONDARY})
_CODE, _CATEGORY, _TITLE, _SOURCE = (int(c) for c in Column)


def _badge_pixmap(code_set: str, text: str, opt: QStyleOptionViewItem, ratio: float) -> QPixmap:
    """One badge on a transparent pixmap, at the screen's pixel ratio."""
    background, foreground = badge_colors(code_set, opt.palette)
    font = QFont(opt.font)
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    font.setBold(True)
    metrics = QFontMetrics(font)
    width = metrics.horizontalAdvance(text) + 12
    height = max(1, min(opt.rect.height() - 4, metrics.height() + 4))
    pixmap = QPixmap(round(width * ratio), round(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(background)
    box = QRect(0, 0, width, height)
    painter.drawRoundedRect(box, height / 2, height / 2)
    painter.setFont(font)
    painter.setPen(foreground)
    painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
    painter.end()
    return pixmap


def short_source_name(name: str) -> str:
    """Our bundled source has a long, explicit name (shown in full in tooltips and the detail pane)."""
    return "CodeDesk summary" if name == BUNDLED_SOURCE_NAME else name


def _draw_cell_without_text(
    delegate: QStyledItemDelegate, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex
) -> tuple[QStyleOptionViewItem, str]:
    """Draw the cell's background, focus and selection as the style does, but not its text.

    Returns the initialised option and the text, which the delegate then draws its own way.
    """
    opt = QStyleOptionViewItem(option)
    delegate.initStyleOption(opt, index)
    text = opt.text
    opt.text = ""
    style = opt.widget.style() if opt.widget else None
    if style is not None:
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
    return opt, text


# Looked up once: a PySide enum member costs a Python attribute walk each time, some 100 cells per paint.
_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_ITEM_VIEW_ITEM = QStyle.ControlElement.CE_ItemViewItem
_SELECTED = QStyle.StateFlag.State_Selected
_ROW_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewRow


def _draw_row_cell(painter: QPainter, option: QStyleOptionViewItem, text: str, deleted: QColor | None,
                   font: QFont | None = None, metrics: QFontMetrics | None = None) -> QStyleOptionViewItem:
    """A results cell drawn by the style as :meth:`QStyledItemDelegate.paint` draws it, from a :class:`RowPaint`.

    Fills in what ``initStyleOption`` would have read from the model (the text, the Code column's bold font,
    a deleted row's grey) without its seven ``data()`` calls. ``text`` empty: background, selection and focus
    only. Returns the option, for the delegate that draws the text itself.
    """
    opt = QStyleOptionViewItem(option)
    opt.features |= _HAS_DISPLAY  # every results cell has a display text
    opt.text = text
    if font is not None and metrics is not None:
        opt.font, opt.fontMetrics = font, metrics
    if deleted is not None:
        opt.palette.setBrush(QPalette.ColorRole.Text, QBrush(deleted))
    widget = opt.widget
    style = widget.style() if widget is not None else None
    if style is not None:
        style.drawControl(_ITEM_VIEW_ITEM, opt, painter, widget)
    return opt


class _Fonts:
    """A cell font's plain and bold faces with their metrics, made once per font (not per painted line)."""

    def __init__(self, font: QFont) -> None:
        self.key = font.key()
        self.plain, self.bold = QFont(font), QFont(font)
        self.bold.setBold(True)
        self.plain_metrics, self.bold_metrics = QFontMetrics(self.plain), QFontMetrics(self.bold)


class _CellPixmaps:
    """Results cells kept as painted, keyed by all their pixels depend on, so that a repaint draws a pixmap.

    Typing a word letter by letter lists mostly the same rows as the key before (56% of the visible rows on the
    real files, the same code with the same text and marks); each was drawn again through the style, some 50 µs a
    cell. A kept cell is copied instead. The key holds the row's paint, the column, the cell's size, the style
    option's state (selected, focus, hover, active window) and features (alternate row), the palette and its
    colour group, the font and the device pixel ratio: a change to any of them is a new key, painted afresh.
    A cell is painted on the viewport's own background colour, so that the pixmap is opaque and its text is drawn
    exactly as on the viewport (``tests/ui/test_results_paint.py`` compares them pixel for pixel), with the row's
    panel (an alternate row's colour) under it as the view draws it.
    """

    # Per column (each delegate keeps its own): some three screens of rows, the previous keystroke's list and this
    # one's with room to scroll; a title cell is some 70 KB, so 80 of them are about 6 MB.
    KEPT = 80

    def __init__(self) -> None:
        self._kept: dict[tuple[object, ...], QPixmap] = {}
        self.enabled = True  # tests paint with and without to compare
        self.copied = 0  # cells painted from a kept pixmap (what the tests read)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, what: tuple[object, ...],
              draw: Callable[[QPainter, QStyleOptionViewItem], object]) -> None:
        if not self.enabled:
            draw(painter, option)
            return
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        rect = option.rect
        palette = option.palette
        key = (what, rect.width(), rect.height(), option.state.value, option.features.value, palette.cacheKey(),
               palette.currentColorGroup().value, option.font.key(), ratio)
        pixmap = self._kept.get(key)
        if pixmap is not None:
            self.copied += 1
        else:
            pixmap = QPixmap(max(1, round(rect.width() * ratio)), max(1, round(rect.height() * ratio)))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(palette.color(QPalette.ColorRole.Base))
            cell = QPainter(pixmap)
            try:
                local = QStyleOptionViewItem(option)
                local.rect = QRect(0, 0, rect.width(), rect.height())
                # Under the cell, the row's panel (an alternate row's colour) as the view draws it first.
                widget = option.widget
                style = widget.style() if widget is not None else None
                if style is not None:
                    style.drawPrimitive(_ROW_PANEL, local, cell, widget)
                draw(cell, local)
            finally:
                cell.end()
            if len(self._kept) >= self.KEPT:
                del self._kept[next(iter(self._kept))]  # the oldest painted
            self._kept[key] = pixmap
        painter.drawPixmap(rect.topLeft(), pixmap)


class _RowCellDelegate(QStyledItemDelegate):
    """Paints the results list's cells from the model's :class:`RowPaint` when given the results model.

    Other models (the working set, the entry page) keep the role-by-role path of :class:`QStyledItemDelegate`.
    """

    def __init__(self, parent: QWidget | None = None, rows: ResultsModel | None = None) -> None:
        super().__init__(parent)
        self._rows = rows
        self._fonts: dict[str, _Fonts] = {}
        self.cells = _CellPixmaps()

    def _fonts_for(self, font: QFont) -> _Fonts:
        key = font.key()
        fonts = self._fonts.get(key)
        if fonts is None:
            fonts = self._fonts[key] = _Fonts(font)
        return fonts

    def _row(self, index: AnyIndex) -> RowPaint | None:
        rows = self._rows
        if rows is None or index.model() is not rows:
            return None
        return rows.row_paint(index.row())

    def _deleted_color(self, row: RowPaint) -> QColor | None:
        """A deleted row's text colour (the model's ForegroundRole), per application palette (kept by theme)."""
        return deleted_text(QPalette()) if row.deleted else None


class RowTextDelegate(_RowCellDelegate):
    """The Code and Source cells of the results list: plain text (the code in bold), drawn by the style."""

    def __init__(self, column: Column, parent: QWidget | None = None, rows: ResultsModel | None = None) -> None:
        super().__init__(parent, rows)
        self._column = column

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        row = self._row(index)
        if row is None:
            super().paint(painter, option, index)
            return
        deleted = self._deleted_color(row)
        if self._column == Column.CODE:
            fonts = self._fonts_for(option.font)
            self.cells.paint(painter, option, (row.code, row.deleted, True), lambda p, o: _draw_row_cell(
                p, o, row.code, deleted, fonts.bold, fonts.bold_metrics))
        else:
            self.cells.paint(painter, option, (row.source, row.deleted, False),
                             lambda p, o: _draw_row_cell(p, o, row.source, deleted))


class HighlightDelegate(_RowCellDelegate):
    """Draws the title with the matched words in bold on a tinted background.

    Painted by hand from ``Hit.highlights`` spans rather than through a QTextDocument per cell: typing must
    repaint the list within one frame, and a rich-text document per cell costs far more than a few drawText.
    Fonts, metrics and colours are made once per font and palette, not per line: a keystroke repaints some
    thirty rows, and building them per line was a third of the paint. Given the results model, it reads each
    row's :class:`RowPaint`.

    Each line is kept as laid out (measured, cut into marked and plain pieces, elided), keyed by what it
    depends on: its text, marks, width and font. A repaint (hover, selection, the column resized back) and the
    next keystroke, whose list mostly holds the same rows with the same marks (a mark covers the whole word
    from the typed prefix on), only draw. A changed text, mark or width is a new key, laid out afresh.
    """

    LINES_KEPT = 4096  # laid-out lines: some 60 per screen of results, so many keystrokes' worth

    def __init__(self, parent: QWidget | None = None, rows: ResultsModel | None = None) -> None:
        super().__init__(parent, rows)
        self._tints: dict[int, tuple[QColor, QColor]] = {}
        self._lines: dict[tuple[str, Spans, int, str, tuple[str, Spans] | None], LinePieces] = {}

    def _tint_and_muted(self, palette: QPalette) -> tuple[QColor, QColor]:
        key = palette.cacheKey()
        colors = self._tints.get(key)
        if colors is None:
            colors = self._tints[key] = (highlight_background(palette), muted_text(palette))
        return colors

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        row = self._row(index)
        if row is not None:
            self.cells.paint(painter, option, (row,), lambda p, o: self._paint_row(p, o, row))
            return
        spans = index.data(HIGHLIGHTS_ROLE) or ()
        secondary, secondary_spans = index.data(SECONDARY_ROLE) or ("", ())
        two_lines = option.rect.height() >= 2 * option.fontMetrics.height()
        if not spans and not (two_lines and secondary):
            super().paint(painter, option, index)
            return
        opt, text = _draw_cell_without_text(self, painter, option, index)
        foreground = index.data(_FOREGROUND)
        self._draw_lines(painter, opt, text, spans, secondary if two_lines else "", secondary_spans,
                         foreground if isinstance(foreground, QColor) else None)

    def _paint_row(self, painter: QPainter, option: QStyleOptionViewItem, row: RowPaint) -> None:
        two_lines = option.rect.height() >= 2 * option.fontMetrics.height()
        deleted = self._deleted_color(row)
        if not row.title_spans and not (two_lines and row.secondary) and row.title_whole is None:
            # No marks, one line, not shortened (whole where it fits is decided when laid out): the style draws it.
            _draw_row_cell(painter, option, row.title, deleted)
            return
        opt = _draw_row_cell(painter, option, "", deleted)
        self._draw_lines(painter, opt, row.title, row.title_spans, row.secondary if two_lines else "",
                         row.secondary_spans, deleted, (row.title_whole, row.secondary_whole))

    def _draw_lines(self, painter: QPainter, opt: QStyleOptionViewItem, text: str, spans: Spans,
                    secondary: str, secondary_spans: Spans, foreground: QColor | None,
                    whole: tuple[tuple[str, Spans] | None, tuple[str, Spans] | None] = (None, None)) -> None:
        selected = bool(opt.state & _SELECTED)
        palette = opt.palette
        text_color = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        if foreground is not None and not selected:
            text_color = foreground  # deleted codes stay grey
        fonts = self._fonts_for(opt.font)
        tint, muted = self._tint_and_muted(palette)
        if secondary:
            half = opt.rect.height() // 2
            top = QRect(opt.rect.left(), opt.rect.top() + 2, opt.rect.width(), half - 2)
            bottom = QRect(opt.rect.left(), opt.rect.top() + half, opt.rect.width(), half - 2)
            self._draw_line(painter, fonts, tint, top, text, spans, text_color, selected, whole=whole[0])
            # Marked words keep the first line's colour: muted grey on the tint is hard to read in the dark theme.
            # A deleted row's second line ("Deleted as of …") is in its grey: muted from that grey (the palette's
            # text colour here) was 2.5:1.
            second_color = text_color if selected or foreground is not None else muted
            self._draw_line(painter, fonts, tint, bottom, secondary, secondary_spans,
                            second_color, selected, marked_color=text_color,
                            whole=whole[1])
            return
        # A row without a second line is centred in its cell, level with its code (as the style draws it),
        # not left on the top half of a two-line row.
        self._draw_line(painter, fonts, tint, opt.rect, text, spans, text_color, selected, whole=whole[0])

    def _draw_line(self, painter: QPainter, fonts: _Fonts, tint: QColor, cell: QRect, text: str, spans: Spans,
                   text_color: QColor, selected: bool,
                   marked_color: QColor | None = None, whole: tuple[str, Spans] | None = None) -> None:
        plain_metrics = fonts.plain_metrics
        # One line of text, centred in the cell: in a two-line row's full height the marks stay line-high.
        line_height = fonts.bold_metrics.height() + 4
        if cell.height() > line_height:
            cell = QRect(cell.left(), cell.top() + (cell.height() - line_height) // 2, cell.width(), line_height)
        rect = cell.adjusted(4, 0, -4, 0)
        key = (text, spans, rect.width(), fonts.key, whole)
        pieces = self._lines.get(key)
        if pieces is None:
            if len(self._lines) >= self.LINES_KEPT:
                del self._lines[next(iter(self._lines))]  # the oldest laid out
            pieces = self._lines[key] = _lay_out_line(text, spans, fonts, rect.width(), whole)
        painter.save()
        painter.setClipRect(cell)
        left, top, height = rect.left(), rect.top(), rect.height()
        baseline = top + (height - plain_metrics.height()) // 2 + plain_metrics.ascent()
        current: bool | None = None
        for x, piece, marked, width in pieces:
            if marked and not selected and piece != "\u2026":
                painter.fillRect(QRect(left + x - 1, top + 2, width + 2, height - 4), tint)
            if marked is not current:
                painter.setFont(fonts.bold if marked else fonts.plain)
                painter.setPen(marked_color if marked and marked_color is not None else text_color)
                current = marked
            # At a baseline point: the rect-and-flags form lays the text out again only to centre it.
            painter.drawText(left + x, baseline, piece)
        painter.restore()


def _lay_out_line(text: str, spans: Spans, fonts: _Fonts, room: int,
                  whole: tuple[str, Spans] | None = None) -> LinePieces:
    """Cut one line into pieces (plain or marked) that fit ``room`` pixels, the last elided with "…".

    ``whole``: ``text`` is a line shortened to what tells it apart, and this the line uncut; where that fits
    ``room`` it is drawn instead (nothing need be left out), else the shortened line from its start: bringing a
    match far to the right into view would cut its head and telling words off again (99212-99215's summaries
    all read "…minutes of total time on the visit date."). Any other line starts shortly before its first
    match when that would be cut off.

    Each piece: x from the line's left, its text, marked or not, and its box width (the last, elided piece
    gets all the room left: a box cut to its measured width can clip the "…").
    """
    plain_metrics, bold_metrics = fonts.plain_metrics, fonts.bold_metrics
    if whole is not None:
        if _natural_width(whole[0], whole[1], fonts) < room:
            text, spans = whole
    elif spans:
        text, spans = _bring_first_match_into_view(text, spans, plain_metrics, room)
    right = room - 1  # QRect.right() of a rect ``room`` wide starting at 0
    pieces: list[tuple[int, str, bool, int]] = []
    x = 0
    for start, end, marked in _segments(text, spans):
        piece = text[start:end]
        metrics = bold_metrics if marked else plain_metrics
        width = metrics.horizontalAdvance(piece)
        out_of_room = x + width > right
        if out_of_room:
            piece = metrics.elidedText(piece, Qt.TextElideMode.ElideRight, right - x)
            if not piece:
                break
            width = right - x + 1
        pieces.append((x, piece, marked, width))
        x += width
        if out_of_room:
            break  # the elided piece ends with "…": nothing after it may be drawn
    return tuple(pieces)


def _natural_width(text: str, spans: Spans, fonts: _Fonts) -> int:
    """The width of a line drawn uncut: its marked pieces in bold."""
    return sum((fonts.bold_metrics if marked else fonts.plain_metrics).horizontalAdvance(text[start:end])
               for start, end, marked in _segments(text, spans))


def _bring_first_match_into_view(
    text: str, spans: Spans, metrics: QFontMetrics, width: int
) -> tuple[str, Spans]:
    """If the first matched word would be cut off, start the title shortly before it with "…".

    A highlighted word you cannot see tells you nothing about why the code matched.
    """
    start, end = spans[0]
    if metrics.horizontalAdvance(text[:end]) <= width:
        return text, spans
    # Keep a few words of context before the match, starting at a word boundary.
    cut = text.rfind(" ", 0, max(0, start - 24)) + 1
    if cut <= 0:
        cut = start
    shift = cut - 1  # one character for the leading ellipsis
    shown = "\u2026" + text[cut:]
    return shown, tuple((max(1, a - shift), b - shift) for a, b in spans if b > cut)


def _segments(text: str, spans: Spans) -> list[tuple[int, int, bool]]:
    """Split ``text`` into (start, end, highlighted) pieces from sorted, non-overlapping spans."""
    pieces: list[tuple[int, int, bool]] = []
    position = 0
    for start, end in spans:
        start, end = max(start, position), min(end, len(text))
        if start >= end:
            continue
        if start > position:
            pieces.append((position, start, False))
        pieces.append((start, end, True))
        position = end
    if position < len(text):
        pieces.append((position, len(text), False))
    return pieces


class BadgeDelegate(_RowCellDelegate):
    """The category as a rounded badge, coloured per code set from the current palette.

    Only four badges exist (one per code set) per palette and row height: each is drawn once into a pixmap
    and then copied, instead of an antialiased rounded rectangle and a text layout per painted row.
    """

    def __init__(self, parent: QWidget | None = None, rows: ResultsModel | None = None) -> None:
        super().__init__(parent, rows)
        self._badges: dict[tuple[str, str, int, int, str, float], QPixmap] = {}

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        row = self._row(index)
        if row is not None:
            deleted = self._deleted_color(row)
            self.cells.paint(painter, option, (row.code_set, row.category, row.deleted), lambda p, o: self._badge(
                p, _draw_row_cell(p, o, "", deleted), row.code_set, row.category))
            return
        opt, text = _draw_cell_without_text(self, painter, option, index)
        self._badge(painter, opt, index.data(CODE_SET_ROLE) or "", text)

    def _badge(self, painter: QPainter, opt: QStyleOptionViewItem, code_set: str, text: str) -> None:
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        key = (code_set, text, opt.rect.height(), opt.palette.cacheKey(), opt.font.key(), ratio)
        badge = self._badges.get(key)
        if badge is None:
            badge = self._badges[key] = _badge_pixmap(code_set, text, opt, ratio)
        height = round(badge.height() / ratio)
        painter.drawPixmap(opt.rect.left() + 4, opt.rect.center().y() - height // 2 + 1, badge)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 16, hint.height())


class ResultsView(QTableView):
    """The table the results model is shown in, set up once."""

    painted = Signal()  # after each paint: work held until the list is shown may start (StoreService)

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setObjectName("results")
        self.setAccessibleName("Search results")
        self.setAccessibleDescription("Codes matching the search; Enter opens the selected code")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows (Shift/Ctrl): to copy as TSV or compare; the current row is the one opened.
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setSortingEnabled(False)  # header clicks call model.sort without the view reordering rows itself
        self.verticalHeader().setVisible(False)
        self._one_line_height = self.fontMetrics().height() + 10
        self.verticalHeader().setDefaultSectionSize(self._one_line_height)
        model.modelReset.connect(self._fit_row_height)
        model.rowsInserted.connect(self._fit_row_height)  # more rows fetched: a second line may now be needed
        model.layoutChanged.connect(self._fit_row_height)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        # Fixed widths: ResizeToContents would ask the model about every row on every reset and repaint.
        bold = QFont(self.font())
        bold.setBold(True)
        header.setSectionResizeMode(Column.CODE, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(Column.CODE, QFontMetrics(bold).horizontalAdvance("0000WW") + 12)
        header.setSectionResizeMode(Column.CATEGORY, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.SOURCE, QHeaderView.ResizeMode.Interactive)
        widest = max(CODE_SET_SHORT.values(), key=len)
        header.resizeSection(Column.CATEGORY, self.fontMetrics().horizontalAdvance(widest) + 36)
        # The Source column's room when the list is wide; on a narrow list (a 1366- or 1024-pixel screen) it gives
        # way to the titles, which are what a coder scans: at 1024 x 700 the titles had 80 pixels ("Knee art…")
        # beside 145 of mostly blank Source.
        self._source_width = self.fontMetrics().horizontalAdvance("CodeDesk summary") + 24
        self._source_min_width = self.fontMetrics().horizontalAdvance("CMS HCPCS") + 16
        header.resizeSection(Column.SOURCE, self._source_width)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._on_header_clicked)
        # Each cell drawn from the model's RowPaint (see RowPaint: no role-by-role data() calls per cell).
        self._code_delegate = RowTextDelegate(Column.CODE, self, model)
        self._title_delegate = HighlightDelegate(self, model)
        self._badge_delegate = BadgeDelegate(self, model)
        self._source_delegate = RowTextDelegate(Column.SOURCE, self, model)
        self.setItemDelegateForColumn(Column.CODE, self._code_delegate)
        self.setItemDelegateForColumn(Column.TITLE, self._title_delegate)
        self.setItemDelegateForColumn(Column.CATEGORY, self._badge_delegate)
        self.setItemDelegateForColumn(Column.SOURCE, self._source_delegate)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_source_width()

    def _fit_source_width(self) -> None:
        """The Source column takes at most a fifth of the list, and never less than a short source name."""
        width = max(self._source_min_width, min(self._source_width, self.viewport().width() // SOURCE_SHARE))
        header = self.horizontalHeader()
        if header.sectionSize(Column.SOURCE) != width and not self.isColumnHidden(Column.SOURCE):
            header.resizeSection(Column.SOURCE, width)

    def moveCursor(self, cursorAction: QAbstractItemView.CursorAction,
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        """Home and End go to the first and last result: a table takes them to the row's first and last column,
        which, with whole rows selected, moves nothing."""
        if cursorAction in (QAbstractItemView.CursorAction.MoveHome, QAbstractItemView.CursorAction.MoveEnd):
            modifiers = modifiers | Qt.KeyboardModifier.ControlModifier
        return super().moveCursor(cursorAction, modifiers)

    def _fit_row_height(self) -> None:
        """Two lines per row when any row has a second (official text and our summary, a deletion date).
        The Source column is hidden while it would be blank in every row: its room goes to the titles."""
        hide = self.results_model().source_column_blank()
        if hide != self.isColumnHidden(Column.SOURCE):
            # Quietly: QTableView answers each section resized (Source shown or hidden, Title stretched) by
            # repainting the whole list on a zero timer, after the paint that the new rows already asked for:
            # the same rows painted twice. The geometry and one repaint are asked for here instead.
            header = self.horizontalHeader()
            was_blocked = header.blockSignals(True)
            try:
                self.setColumnHidden(Column.SOURCE, hide)
                self._fit_source_width()
                # Now, while blocked: the header stretches the Title column lazily, and would else announce it
                # later (and so bring the second paint back).
                self.updateGeometries()
            finally:
                header.blockSignals(was_blocked)
            self.viewport().update()
        lines = 2 if self.results_model().two_lines() else 1
        height = self._one_line_height + (lines - 1) * (self.fontMetrics().height() + 2)
        if self.verticalHeader().defaultSectionSize() != height:
            self.verticalHeader().setDefaultSectionSize(height)

    def results_model(self) -> ResultsModel:
        model = self.model()
        assert isinstance(model, ResultsModel)
        return model

    def _on_header_clicked(self, section: int) -> None:
        model = self.results_model()
        if section == Column.CODE:
            descending = model.sort_key == SortKey.CODE and not model.descending
            model.set_sort_key(SortKey.CODE, descending)
        else:
            model.set_sort_key(SortKey.RELEVANCE)
