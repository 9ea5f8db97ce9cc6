"""The comparison tab: the chosen code sets side by side, one column each, a row per feature."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QFont, QMouseEvent, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.store import ComparisonRow
from desktop_app.ui.links import LinkKind, parse_link
from desktop_app.ui.theme import CODE_SET_LABELS, differs_background, link_color

AnyIndex = QModelIndex | QPersistentModelIndex
EXAMPLES_ROLE = Qt.ItemDataRole.UserRole + 1
DIFFERS_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_KEY_ROLE = Qt.ItemDataRole.UserRole + 3


STANDS_APART_ROLE = Qt.ItemDataRole.UserRole + 4


def stands_apart(row: ComparisonRow, code_set: str) -> bool:
    """True when this category's value in a differing row is shared by no other chosen category.

    Tinting whole rows would tint nearly everything (the categories differ in most respects); tinting the
    cells that stand apart shows *which* category is the odd one out ("On a claim": only Category II).
    """
    if not row.differs or code_set not in row.values or not has_odd_one_out(row):
        return False
    value = row.values[code_set]
    return sum(1 for other in row.values.values() if other == value) == 1


def has_odd_one_out(row: ComparisonRow) -> bool:
    """Some categories share a value and at least one does not. When every value differs (or all agree),
    a mark would say nothing: such rows are neither marked nor tinted."""
    values = list(row.values.values())
    return row.differs and len(set(values)) < len(values)


class ComparisonModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ComparisonRow] = []
        self._code_sets: list[str] = []

    def set_rows(self, rows: list[ComparisonRow], code_sets: list[str]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._code_sets = list(code_sets)
        self.endResetModel()

    def code_sets(self) -> list[str]:
        return list(self._code_sets)

    def row_keys(self) -> list[str]:
        return [r.key for r in self._rows]

    def row(self, row: int) -> ComparisonRow:
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._code_sets)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._code_sets):
            return CODE_SET_LABELS.get(self._code_sets[section], self._code_sets[section])
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            row = self._rows[section]
            return f"\u2260 {row.label}" if has_odd_one_out(row) else row.label
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (
            not index.isValid()
            or not (0 <= index.row() < len(self._rows))
            or not (0 <= index.column() < len(self._code_sets))
        ):
            return None
        row = self._rows[index.row()]
        code_set = self._code_sets[index.column()]
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            value = row.values.get(code_set, "")
            examples = row.examples.get(code_set, ())
            if examples and role != Qt.ItemDataRole.DisplayRole:
                value += " (e.g. " + ", ".join(examples) + ")"
            return value
        if role == EXAMPLES_ROLE:
            return row.examples.get(code_set, ())
        if role == DIFFERS_ROLE:
            return row.differs
        if role == ROW_KEY_ROLE:
            return row.key
        if role == STANDS_APART_ROLE:
            return stands_apart(row, code_set)
        if role == Qt.ItemDataRole.BackgroundRole and stands_apart(row, code_set):
            return differs_background(QPalette())
        return None


class ComparisonDelegate(QStyledItemDelegate):
    """Wrapped value text with example codes as links (clicking one opens the code)."""

    example_activated = Signal(str)

    def _document(self, option: QStyleOptionViewItem, index: AnyIndex, width: float) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(6)
        palette = option.palette
        color = palette.color(QPalette.ColorRole.Text).name()
        html = f"<div style='color:{color};'>{escape(str(index.data() or ''))}</div>"
        examples = index.data(EXAMPLES_ROLE) or ()
        if examples:
            link = link_color(palette).name()
            links = " ".join(f"<a href='{LinkKind.CODE}:{escape(c)}' style='color:{link};'>{escape(c)}</a>"
                             for c in examples)
            html += f"<div style='color:{color};'>e.g. {links}</div>"
        document.setHtml(html)
        document.setTextWidth(width)
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        document = self._document(option, index, option.rect.width())
        painter.save()
        painter.translate(QPointF(option.rect.topLeft()))
        context = QAbstractTextDocumentLayout.PaintContext()
        context.clip = QRectF(0, 0, option.rect.width(), option.rect.height())
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        width = option.rect.width() if option.rect.width() > 0 else 220
        view = option.widget
        if isinstance(view, QTableView):
            width = view.columnWidth(index.column())
        document = self._document(option, index, width)
        return QSize(int(width), int(document.size().height()) + 2)

    def editorEvent(
        self, event: QEvent, model: QAbstractItemModel, option: QStyleOptionViewItem, index: AnyIndex
    ) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and index.data(EXAMPLES_ROLE)
        ):
            document = self._document(option, index, option.rect.width())
            position = event.position() - QPointF(option.rect.topLeft())
            anchor = document.documentLayout().anchorAt(position)
            kind, value = parse_link(anchor)
            if kind is LinkKind.CODE:
                self.example_activated.emit(value)
                return True
        return super().editorEvent(event, model, option, index)


class ComparisonView(QWidget):
    """Checkboxes to choose the code sets, and the table."""

    code_sets_changed = Signal(list)
    code_activated = Signal(str)

    def __init__(self, code_sets: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparisonView")
        self.setAccessibleName("Compare categories")
        self._all_code_sets = list(code_sets)
        choose = QHBoxLayout()
        label = QLabel("Compare:", self)
        choose.addWidget(label)
        self.checkboxes: dict[str, QCheckBox] = {}
        for code_set in code_sets:
            box = QCheckBox(CODE_SET_LABELS.get(code_set, code_set), self)
            box.setObjectName(f"compare_{code_set}")
            box.setChecked(True)
            box.setAccessibleName(f"Compare {CODE_SET_LABELS.get(code_set, code_set)}")
            box.toggled.connect(self._on_toggled)
            self.checkboxes[code_set] = box
            choose.addWidget(box)
        choose.addStretch(1)
        self.legend = QLabel(
            "\u2260 marks rows where some categories agree and others differ; tinted cells are those that share "
            "their value with no other category. "
            "Example codes are links.",
            self,
        )
        self.legend.setWordWrap(True)

        self.model = ComparisonModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("comparisonTable")
        self.table.setAccessibleName("Comparison of categories")
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header_font = QFont(self.table.verticalHeader().font())
        header_font.setBold(True)
        self.table.verticalHeader().setFont(header_font)
        self.table.setMouseTracking(True)
        self.delegate = ComparisonDelegate(self.table)
        self.delegate.example_activated.connect(self.code_activated)
        self.table.setItemDelegate(self.delegate)
        # Wrapped text changes height with the column width: re-measure rows once per burst of resizes.
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(0)
        self._relayout.timeout.connect(self.table.resizeRowsToContents)
        self.table.horizontalHeader().sectionResized.connect(lambda *_: self._relayout.start())

        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addWidget(self.legend)
        layout.addWidget(self.table)

    def chosen(self) -> list[str]:
        return [cs for cs, box in self.checkboxes.items() if box.isChecked()]

    def set_chosen(self, code_sets: list[str]) -> None:
        wanted = [cs for cs in code_sets if cs in self.checkboxes] or self._all_code_sets
        for code_set, box in self.checkboxes.items():
            box.blockSignals(True)
            box.setChecked(code_set in wanted)
            box.blockSignals(False)

    def set_rows(self, rows: list[ComparisonRow], code_sets: list[str]) -> None:
        self.model.set_rows(rows, code_sets)
        self.table.resizeRowsToContents()

    def _on_toggled(self, _on: bool) -> None:
        self.code_sets_changed.emit(self.chosen())
