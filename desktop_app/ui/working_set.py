"""The working set beside the search: Favourites (in named lists), Recent (history) and Notes.

Each page is a filterable, sortable table. Keys: type in the filter box to narrow, Down moves into the
table, Enter opens the code, Delete removes the selected entries, Ctrl+Shift+S cycles the sort column.
The entries (the user's own data, :class:`UserData`, a separate file) and their titles (from the reference
database) are read together in the worker (``reload_requested`` → :meth:`WorkingSetPanel.set_snapshot`);
only the user's own changes (remove, new list) are written from here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.export import tsv
from desktop_app.core.row_text import RowText, shown_lines
from desktop_app.core.search import Hit
from desktop_app.core.userdata import DEFAULT_LIST, UserData
from desktop_app.core.working_set import WorkingSetSnapshot
from desktop_app.ui.results import SECONDARY_ROLE, HighlightDelegate

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
# Above the results list's roles (UserRole + 1…4): the Title cell is drawn by its HighlightDelegate, which
# reads HIGHLIGHTS_ROLE and SECONDARY_ROLE.
SORT_ROLE = Qt.ItemDataRole.UserRole + 20
FILTER_ROLE = Qt.ItemDataRole.UserRole + 21  # what the filter box searches: the shown text and the second line
ALL_LISTS = "All lists"


@dataclass(frozen=True)
class Row:
    code: str
    cells: tuple[str, ...]  # after Code and Title
    sort_keys: tuple[str, ...] = ()  # per cell in ``cells`` when the shown text does not sort right
    tooltip: str = ""


def _when(stamp: str) -> str:
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
            item.setData(QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
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


class WorkingSetPanel(QTabWidget):
    """The side panel: the section browser first, then Favourites, Recent and Notes."""

    code_activated = Signal(str)
    reload_requested = Signal()  # the user data should be read again (by the worker)
    changed = Signal()  # the user data changed here (a removal, a list)

    def __init__(self, sections: QWidget, userdata: UserData | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidePanel")
        self.setAccessibleName("Sections and working set")
        self.setDocumentMode(True)
        self.userdata = userdata
        self.titles: dict[str, Hit] = {}
        self.snapshot: WorkingSetSnapshot | None = None
        self._show_list = ""  # a list just made or renamed, to choose when the lists arrive
        self.favourites = EntryPage("Favourites", ["List", "Added"], self)
        self.recent = EntryPage("Recent", ["Viewed", "Views"], self)
        self.notes = EntryPage("Notes", ["Note", "Updated"], self)
        self.favourites.set_sort_choices([
            ("Newest first", 3, Qt.SortOrder.DescendingOrder), ("Code", 0, Qt.SortOrder.AscendingOrder),
            ("Title", 1, Qt.SortOrder.AscendingOrder), ("List", 2, Qt.SortOrder.AscendingOrder)])
        self.recent.set_sort_choices([
            ("Last viewed", 2, Qt.SortOrder.DescendingOrder), ("Most viewed", 3, Qt.SortOrder.DescendingOrder),
            ("Code", 0, Qt.SortOrder.AscendingOrder), ("Title", 1, Qt.SortOrder.AscendingOrder)])
        self.notes.set_sort_choices([
            ("Last changed", 3, Qt.SortOrder.DescendingOrder), ("Code", 0, Qt.SortOrder.AscendingOrder),
            ("Note", 2, Qt.SortOrder.AscendingOrder)])
        self.list_combo = QComboBox(self.favourites)
        self.list_combo.setObjectName("favouriteListCombo")
        self.list_combo.setAccessibleName("Favourite list")
        self.list_combo.setToolTip("Which favourite list to show (Ctrl+Shift+L for a new list)")
        self.list_combo.currentIndexChanged.connect(lambda _i: self._fill_favourites())
        self.new_list_button = QPushButton("New\u2026", self.favourites)
        self.new_list_button.setToolTip("Make a new named favourite list (Ctrl+Shift+L)")
        self.new_list_button.clicked.connect(self.new_list)
        self.list_menu_button = QPushButton("List\u2026", self.favourites)
        self.list_menu_button.setToolTip("Rename or delete the chosen list")
        self.list_menu_button.clicked.connect(self._list_menu)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list_combo, 1)
        row.addWidget(self.new_list_button)
        row.addWidget(self.list_menu_button)
        self.favourites.layout().insertLayout(0, row)  # type: ignore[union-attr]
        # The panel is narrow: code and title (or note) are what is read; dates and counts sort the list
        # (Sort box, Ctrl+Shift+S) and show in each row's tooltip.
        self.favourites.table.setColumnHidden(3, True)
        self.recent.table.setColumnHidden(2, True)
        self.notes.table.setColumnHidden(1, True)
        self.notes.table.setColumnHidden(3, True)
        self.notes.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.notes.described_column = 2  # the note, and under it what the code is
        self.notes.table.setItemDelegateForColumn(2, HighlightDelegate(self.notes.table))
        self.tabBar().setUsesScrollButtons(False)
        self.tabBar().setElideMode(Qt.TextElideMode.ElideRight)  # full names at the default width
        self.addTab(sections, "Sec&tions")
        self.addTab(self.favourites, "Fa&vourites")
        self.addTab(self.recent, "Rece&nt")
        self.addTab(self.notes, "N&otes")
        for page, remover in ((self.favourites, self._remove_favourites), (self.recent, self._remove_history),
                              (self.notes, self._remove_notes)):
            page.code_activated.connect(self.code_activated)
            page.remove_requested.connect(remover)
            page.table.doubleClicked.connect(lambda index, page=page: page._on_activated(index))
            QShortcut(QKeySequence("Ctrl+Shift+S"), page, page.cycle_sort,
                      Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.currentChanged.connect(lambda _i: self.reload())
        if userdata is None:
            for index in (1, 2, 3):
                self.setTabEnabled(index, False)

    # --- contents

    def pages(self) -> list[EntryPage]:
        return [self.favourites, self.recent, self.notes]

    def current_page(self) -> EntryPage | None:
        widget = self.currentWidget()
        return widget if isinstance(widget, EntryPage) else None

    def chosen_list(self) -> str | None:
        name = self.list_combo.currentText()
        return None if not name or name == ALL_LISTS else name

    def reload(self) -> None:
        """Ask for the user data again (read in the worker; :meth:`set_snapshot` fills the pages)."""
        if self.userdata is not None:
            self.reload_requested.emit()

    reload_all = reload

    def set_snapshot(self, snapshot: WorkingSetSnapshot) -> None:
        self.snapshot = snapshot
        self.titles = dict(snapshot.titles)
        self.texts = dict(snapshot.texts)
        self._fill_favourites()
        self._fill_recent()
        self._fill_notes()

    def _fill_favourites(self) -> None:
        if self.snapshot is None:
            return
        current = self._show_list or self.list_combo.currentText() or ALL_LISTS
        self._show_list = ""
        wanted = [ALL_LISTS, *self.snapshot.lists]
        if [self.list_combo.itemText(i) for i in range(self.list_combo.count())] != wanted:
            self.list_combo.blockSignals(True)
            self.list_combo.clear()
            self.list_combo.addItems(wanted)
            self.list_combo.blockSignals(False)
        if self.list_combo.currentText() != current:
            self.list_combo.blockSignals(True)
            self.list_combo.setCurrentIndex(wanted.index(current) if current in wanted else 0)
            self.list_combo.blockSignals(False)
        chosen = self.chosen_list()
        entries = [e for e in self.snapshot.favourites if chosen is None or e.list_name == chosen]
        self.favourites.set_rows([Row(e.code, (e.list_name, _when(e.added_at)), ("", e.added_at),
                                      tooltip=f"{e.code} in {e.list_name}, added {_when(e.added_at)} UTC")
                                  for e in entries], self.titles, self.texts)
        self.favourites.table.setColumnHidden(2, chosen is not None)

    def _fill_recent(self) -> None:
        if self.snapshot is None:
            return
        self.recent.set_rows([Row(e.code, (_when(e.viewed_at), str(e.views)), (e.viewed_at, f"{e.views:09d}"),
                                  tooltip=f"{e.code}: last viewed {_when(e.viewed_at)} UTC, {e.views} view(s)")
                              for e in self.snapshot.history], self.titles, self.texts)

    def _fill_notes(self) -> None:
        if self.snapshot is None:
            return
        self.notes.set_rows([Row(e.code, (" ".join(e.text.split()), _when(e.updated_at)), ("", e.updated_at),
                                 tooltip=f"{e.text}\n\n(changed {_when(e.updated_at)} UTC)")
                             for e in self.snapshot.notes], self.titles, self.texts)

    def show_page(self, page: EntryPage) -> None:
        self.setCurrentWidget(page)
        self.reload()
        page.focus()

    # --- changes

    def _remove_favourites(self, codes: list[str]) -> None:
        assert self.userdata is not None
        for code in codes:
            self.userdata.set_favourite(code, False, self.chosen_list())
        self.reload()
        self.changed.emit()

    def _remove_history(self, codes: list[str]) -> None:
        assert self.userdata is not None
        for code in codes:
            self.userdata.remove_history(code)
        self.reload()
        self.changed.emit()

    def _remove_notes(self, codes: list[str]) -> None:
        assert self.userdata is not None
        if QMessageBox.question(self, "Delete notes", f"Delete your note on {', '.join(codes)}?") \
                != QMessageBox.StandardButton.Yes:
            return
        for code in codes:
            self.userdata.set_note(code, "")
        self.reload()
        self.changed.emit()

    def new_list(self) -> str | None:
        if self.userdata is None:
            return None
        name, ok = QInputDialog.getText(self, "New favourite list", "Name of the list (e.g. Cardiology):")
        if not ok:
            return None
        try:
            created = self.userdata.create_list(name)
        except ValueError as exc:
            QMessageBox.warning(self, "New favourite list", str(exc).capitalize() + ".")
            return None
        self._show_list = created  # chosen once the lists are read again
        self.reload()
        return created

    def _list_menu(self) -> None:
        name = self.chosen_list()
        if self.userdata is None or name is None:
            QMessageBox.information(self, "Favourite lists", "Choose a list first.")
            return
        choice, ok = QInputDialog.getItem(self, f"List \u201c{name}\u201d", "What to do with this list:",
                                          ["Rename\u2026", "Delete the list and its entries"], 0, False)
        if not ok:
            return
        try:
            if choice.startswith("Rename"):
                new, ok = QInputDialog.getText(self, "Rename list", "New name:", text=name)
                if ok:
                    self._show_list = self.userdata.rename_list(name, new)
                    self.reload()
            else:
                self.userdata.delete_list(name)
                self.list_combo.setCurrentIndex(0)
                self.reload()
        except ValueError as exc:
            QMessageBox.warning(self, "Favourite lists", str(exc).capitalize() + ".")
        self.changed.emit()

    def add_to_list(self, code: str, ask: Callable[[list[str]], str | None]) -> str | None:
        """Put ``code`` in a list chosen by ``ask`` (given the list names; returns one, new or old)."""
        if self.userdata is None:
            return None
        name = ask(self.snapshot.lists if self.snapshot is not None else [DEFAULT_LIST])
        if not name:
            return None
        try:
            self.userdata.set_favourite(code, True, name)
        except ValueError as exc:
            QMessageBox.warning(self, "Favourite lists", str(exc).capitalize() + ".")
            return None
        self.reload()
        self.changed.emit()
        return name

