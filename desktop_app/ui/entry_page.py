"""One page of the working set: a filter box over a sortable table of codes with their titles (drawn as the
results list draws them) and a few columns of the person's own. Keys: type in the filter box to narrow, Down
moves into the table, Enter opens the code, Delete asks to remove the selected entries, Ctrl+Shift+S cycles the
sort. It shows what it is given (:meth:`EntryPage.set_rows`) and reads nothing itself."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.export import tsv
from desktop_app.core.row_text import RowText, shown_lines
from desktop_app.core.search import Hit
from desktop_app.ui.results import SECONDARY_ROLE, HighlightDelegate
from desktop_app.ui.theme import deleted_text

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
# Above the results list's roles (UserRole + 1…4): the Title cell is drawn by its HighlightDelegate, which
# reads HIGHLIGHTS_ROLE and SECONDARY_ROLE.
SORT_ROLE = Qt.ItemDataRole.UserRole + 20
FILTER_ROLE = Qt.ItemDataRole.UserRole + 21  # what the filter box searches: the shown text and the second line


@dataclass(frozen=True)
class Row:
    code: str
    cells: tuple[str, ...]  # after Code and Title
    sort_keys: tuple[str, ...] = ()  # per cell in ``cells`` when the shown text does not sort right
    tooltip: str = ""


def stamp_text(stamp: str) -> str:
    """'2026-03-02T10:01:00+00:00' → '2026-03-02 10:01' (UTC, as stored)."""
    return stamp[:16].replace("T", " ") if stamp else ""


class EntryPage(QWidget):
    """A filter box over a table of codes with their titles and a few columns of the user's own."""

    code_activated = Signal(str)
    remove_requested = Signal(list)  # codes

    def __init__(self, name: str, columns: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"workingSet{name}")
        self.headers = ["Code", "Title", *columns]
        self.filter_box = QLineEdit(self)
        self.filter_box.setObjectName(f"workingSet{name}Filter")
        self.filter_box.setPlaceholderText(f"Filter {name.lower()}\u2026")
        self.filter_box.setAccessibleName(f"Filter {name.lower()}")
        self.filter_box.setClearButtonEnabled(True)
        self.model = QStandardItemModel(self)
        self.model.setHorizontalHeaderLabels(self.headers)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterRole(FILTER_ROLE)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter_box.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter_box.installEventFilter(self)
        self.table = QTableView(self)
        self.table.setObjectName(f"workingSet{name}Table")
        self.table.setAccessibleName(name)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._one_line_height = self.fontMetrics().height() + 8
        self.table.verticalHeader().setDefaultSectionSize(self._one_line_height)
        # The Title cell is drawn as the results list draws it: the line that tells codes apart, and our
        # summary (or "Deleted <date>") in a muted second line.
        self._title_delegate = HighlightDelegate(self.table)
        self.table.setItemDelegateForColumn(1, self._title_delegate)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in range(2, len(self.headers)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(self._on_activated)
        self.table.installEventFilter(self)
        self.sort_combo = QComboBox(self)
        self.sort_combo.setAccessibleName(f"Sort {name.lower()}")
        self.count_label = QLabel(self)
        self.count_label.setObjectName(f"workingSet{name}Count")
        self.top_row = QHBoxLayout()
        self.top_row.setContentsMargins(0, 0, 0, 0)
        self.top_row.addWidget(self.filter_box, 1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(QLabel("Sort:", self))
        bottom.addWidget(self.sort_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 4, 2, 2)
        layout.setSpacing(4)
        layout.addLayout(self.top_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self._default_sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)
        self._rows: list[Row] = []
        self.titles: dict[str, Hit] = {}
        self.texts: dict[str, RowText] = {}
        # A page that hides the Title column (Notes: the note is what is read) names the code in a second
        # line under this column's text instead, so codes are told apart there too.
        self.described_column: int | None = None
        self.sort_combo.currentIndexChanged.connect(self._on_sort_combo)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sync_sort_combo)

    def set_sort_choices(self, choices: list[tuple[str, int, Qt.SortOrder]], default: int = 0) -> None:
        self.sort_combo.blockSignals(True)
        self.sort_combo.clear()
        for label, column, order in choices:
            self.sort_combo.addItem(label, (column, order))
        self.sort_combo.blockSignals(False)
        self._default_sort = choices[default][1:]  # type: ignore[assignment]
        self.sort_combo.setCurrentIndex(default)
        self.table.sortByColumn(*self._default_sort)

    def _on_sort_combo(self, index: int) -> None:
        data = self.sort_combo.itemData(index)
        if data:
            self.table.sortByColumn(data[0], data[1])

    def _sync_sort_combo(self, column: int, order: Qt.SortOrder) -> None:
        for index in range(self.sort_combo.count()):
            if self.sort_combo.itemData(index) == (column, order):
                self.sort_combo.blockSignals(True)
                self.sort_combo.setCurrentIndex(index)
                self.sort_combo.blockSignals(False)
                return

    def cycle_sort(self) -> None:
        if self.sort_combo.count():
            self.sort_combo.setCurrentIndex((self.sort_combo.currentIndex() + 1) % self.sort_combo.count())

    def set_rows(self, rows: list[Row], titles: dict[str, Hit] | None = None,
                 texts: dict[str, RowText] | None = None) -> None:
        selected = set(self.selected_codes())
        self._rows = rows
        if titles is not None:
            self.titles = titles
        if texts is not None:
            self.texts = texts
        self.model.removeRows(0, self.model.rowCount())
        for row in rows:
            code_item = QStandardItem(row.code)
            code_item.setData(row.code, CODE_ROLE)
            code_item.setData(row.code, SORT_ROLE)
            code_item.setData(row.code, FILTER_ROLE)
            title = QStandardItem("")
            items = [code_item, title]
            for index, cell in enumerate(row.cells):
                item = QStandardItem(cell)
                key = row.sort_keys[index] if index < len(row.sort_keys) and row.sort_keys[index] else cell
                item.setData(key, SORT_ROLE)
                item.setData(cell, FILTER_ROLE)
                if row.tooltip:
                    item.setToolTip(row.tooltip)
                items.append(item)
            self.model.appendRow(items)
        self.apply_titles()
        self.count_label.setText(f"{len(rows):,} entr{'y' if len(rows) == 1 else 'ies'}")
        if selected:
            for proxy_row in range(self.proxy.rowCount()):
                if self.proxy.index(proxy_row, 0).data(CODE_ROLE) in selected:
                    self.table.selectRow(proxy_row)

    def apply_titles(self) -> None:
        two_lines = False
        shared = Counter(t.primary.lower() for t in self.texts.values())
        for source_row in range(self.model.rowCount()):
            code = self.model.item(source_row, 0).text()
            hit = self.titles.get(code)
            item = self.model.item(source_row, 1)
            if hit is None:
                item.setText("not in your database")
                item.setData("\uffff", SORT_ROLE)
                item.setData("not in your database", FILTER_ROLE)
                item.setData(None, SECONDARY_ROLE)
                item.setToolTip(f"{code} is not in your database")
                continue
            text = self.texts.get(code)
            if text is None:  # no row text read: the stored title, as before
                deleted = hit.status == "deleted"
                text = RowText(hit.title, "", "")
                primary, secondary = hit.title, "Deleted" if deleted else ""
            else:
                primary, secondary = shown_lines(text)
                if hit.status == "deleted" and not text.deleted_date:
                    secondary = "Deleted" + (f" \u00b7 {secondary}" if secondary else "")
            two_lines = two_lines or (bool(secondary) and not self.table.isColumnHidden(1))
            if self.described_column is not None and self.table.isColumnHidden(1):
                described = self.model.item(source_row, self.described_column)
                # One line only: the one that tells this code apart (its first line, unless another listed
                # code's first line reads the same, as 45384's and 45385's do: then the second).
                about = (secondary if secondary and shared[text.primary.lower()] > 1 else primary) or hit.title
                described.setData((about, ()) if about else None, SECONDARY_ROLE)
                described.setData(f"{described.text()} {text.primary} {text.secondary} {hit.title}", FILTER_ROLE)
                two_lines = two_lines or bool(about)
            item.setText(primary or hit.title)
            item.setData((text.primary or hit.title or "\uffff").lower(), SORT_ROLE)
            item.setData(" ".join((text.primary, text.secondary, hit.title, secondary)), FILTER_ROLE)
            item.setData((secondary, ()) if secondary else None, SECONDARY_ROLE)
            item.setData(deleted_text(QPalette())
                         if hit.status == "deleted" else None, Qt.ItemDataRole.ForegroundRole)
            item.setToolTip("\n".join(line for line in (f"{code}: {text.primary or hit.title}", text.secondary,
                                                         secondary if secondary.startswith("Deleted") else "")
                                       if line))
        height = self._one_line_height + (self.fontMetrics().height() + 2 if two_lines else 0)
        if self.table.verticalHeader().defaultSectionSize() != height:
            self.table.verticalHeader().setDefaultSectionSize(height)

    def codes(self) -> list[str]:
        return [row.code for row in self._rows]

    def visible_codes(self) -> list[str]:
        return [self.proxy.index(r, 0).data(CODE_ROLE) for r in range(self.proxy.rowCount())]

    def selected_tsv(self) -> str:
        """The selected rows as tab-separated text, with the visible columns' headings."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        columns = [c for c in range(self.proxy.columnCount()) if not self.table.isColumnHidden(c)]
        return tsv([self.headers[c] for c in columns],
                   [[str(self.proxy.index(r, c).data() or "") for c in columns] for r in rows])

    def selected_codes(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.proxy.index(r, 0).data(CODE_ROLE) for r in rows]

    def selected_cells(self, column: int) -> list[str]:
        """The text in ``column`` of each selected row, in the order of :meth:`selected_codes`."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [str(self.proxy.index(r, column).data() or "") for r in rows]

    def _on_activated(self, index: QModelIndex) -> None:
        code = index.siblingAtColumn(0).data(CODE_ROLE)
        if code:
            self.code_activated.emit(code)

    def focus(self) -> None:
        self.filter_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_box.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if watched is self.filter_box and key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.proxy.rowCount():
                    self.table.setFocus()
                    if not self.table.currentIndex().isValid():
                        self.table.selectRow(0)
                    if key != Qt.Key.Key_Down:
                        self._on_activated(self.table.currentIndex())
                return True
            if watched is self.table and key == Qt.Key.Key_Delete:
                codes = self.selected_codes()
                if codes:
                    self.remove_requested.emit(codes)
                return True
            if watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._on_activated(self.table.currentIndex())
                return True
        return super().eventFilter(watched, event)
