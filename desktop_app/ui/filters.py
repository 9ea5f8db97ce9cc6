"""The two filters: the category buttons (with hit counts) and the section browser tree."""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QPalette, QResizeEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeView,
    QWidget,
)

from desktop_app.core.catalog import Catalog, Section
from desktop_app.ui.theme import CODE_SET_LABELS

ALL = ""  # the "All" button's key; code sets use their ids ('I', 'II', 'III', 'HCPCS')
SECTION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
CODE_SET_ID_ROLE = Qt.ItemDataRole.UserRole + 2


class CategoryFilter(QWidget):
    """Exclusive buttons: All / Category I / II / III / HCPCS Level II, each with its count."""

    changed = Signal(str)  # ALL or a code set id

    def __init__(self, code_sets: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("categoryFilter")
        self.setAccessibleName("Category filter")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._buttons: dict[str, QPushButton] = {}
        self._counts: dict[str, int | None] = {}
        for key in [ALL, *code_sets]:
            button = QPushButton(self)
            button.setCheckable(True)
            button.setFlat(False)
            button.setObjectName(f"categoryFilter_{key or 'ALL'}")
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self._group.addButton(button)
            self._buttons[key] = button
            layout.addWidget(button)
            button.toggled.connect(lambda on, key=key: self._on_toggled(on, key))
            self._counts[key] = None
            self._update_text(key)
        layout.addStretch(1)
        self._buttons[ALL].setChecked(True)
        self.restyle()

    def restyle(self) -> None:
        """The chosen button in the selection colours: unmistakable in light and dark themes alike (Fusion's own
        checked look differs from the rest by a few shades only). Its border and padding take no more room than
        Fusion's own button margins (7 px a side): the button keeps its width when chosen, and 8 px of padding cut
        the label's first and last letters ("ategory III 5").

        The colours are the application's palette, not the widget's: a widget with a style sheet of its own is
        told of a theme change before its own palette follows, so reading that kept the previous theme's
        colours (View \u2192 Theme left the chosen button light on dark until a restart). The window calls this on
        its own palette change too: with its style sheet this widget is not always told."""
        palette = QGuiApplication.palette()
        background = palette.color(QPalette.ColorRole.Highlight).name()
        text = palette.color(QPalette.ColorRole.HighlightedText).name()
        self.setStyleSheet(
            f"QPushButton:checked {{ background-color: {background}; color: {text};"
            f" border: 1px solid {background}; border-radius: 3px; padding: 3px 6px; }}"
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.restyle()
        super().changeEvent(event)

    def _on_toggled(self, on: bool, key: str) -> None:
        if on:
            self.changed.emit(key)

    def current(self) -> str:
        return next((key for key, button in self._buttons.items() if button.isChecked()), ALL)

    def current_code_set(self) -> str | None:
        return self.current() or None

    def set_current(self, key: str, *, notify: bool = True) -> None:
        button = self._buttons.get(key, self._buttons[ALL])
        if button.isChecked():
            return
        if notify:
            button.setChecked(True)
            return
        self.blockSignals(True)
        button.setChecked(True)
        self.blockSignals(False)

    def set_counts(self, counts: dict[str, int] | None, total: int | None = None) -> None:
        """Hits per code set for the current query; ``None`` hides the numbers (nothing asked yet).
        ``total``: the search's own count of everything it found (modifiers too), so that "All" and the
        status bar's "N results" never disagree."""
        for key in self._buttons:
            if counts is None:
                self._counts[key] = None
            elif key == ALL:
                self._counts[key] = max(total, sum(counts.values())) if total is not None else sum(counts.values())
            else:
                self._counts[key] = counts.get(key, 0)
            self._update_text(key)

    def count(self, key: str) -> int | None:
        return self._counts.get(key)

    def button(self, key: str) -> QPushButton:
        return self._buttons[key]

    def _update_text(self, key: str) -> None:
        label = "All" if key == ALL else CODE_SET_LABELS.get(key, key)
        count = self._counts[key]
        button = self._buttons[key]
        button.setText(label if count is None else f"{label}  {count:,}")
        button.setAccessibleName(f"Show {label}" + ("" if count is None else f", {count} results"))


class _SectionFilterProxy(QSortFilterProxyModel):
    """Shows only the chosen code set's branch of the tree (the first row, "All sections", always)."""

    def __init__(self) -> None:
        super().__init__()
        self.code_set: str | None = None

    def set_code_set(self, code_set: str | None) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+, where invalidateFilter() is deprecated
            self.beginFilterChange()
            self.code_set = code_set
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.code_set = code_set
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:  # type: ignore[override]
        if source_parent.isValid() or self.code_set is None:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        item_set = index.data(CODE_SET_ID_ROLE)
        return item_set is None or item_set == self.code_set


RANGE_COLUMN_FROM = 400  # px: a narrower tree hides its Range column, so the section names can be read


class SectionTree(QTreeView):
    """Code sets, their sections and subsections, with ranges and code counts. Choosing one browses it."""

    section_chosen = Signal(object)  # section id, or None for "all sections"
    code_set_chosen = Signal(str)  # a code set's own row was chosen

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sectionTree")
        self.setAccessibleName("Section browser")
        self.setAccessibleDescription("Sections and ranges of each code set; choose one to list its codes")
        self._model = QStandardItemModel(self)
        self._model.setHorizontalHeaderLabels(["Section", "Range", "Codes"])
        self._proxy = _SectionFilterProxy()
        self._proxy.setSourceModel(self._model)
        self.setModel(self._proxy)
        self.setUniformRowHeights(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(False)
        header = self.header()
        header.setStretchLastSection(False)
        # Counts are read whole, so they take the room they need: a count cut at the panel's edge ("9,7" for
        # 9,726) misleads. The names take the rest and elide in the middle, with the full name (and range) as
        # tooltip. A range gets room for one range ("00100–01999"; a list of ranges elides, whole in its
        # tooltip), and only while the panel is wide enough that the names stay readable (RANGE_COLUMN_FROM):
        # widening the panel (its splitter) shows it.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, self.fontMetrics().horizontalAdvance("00100\u201301999") + 16)
        header.setMinimumSectionSize(40)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._items: dict[int, QStandardItem] = {}
        self._count_items: dict[int, QStandardItem] = {}
        self._set_count_items: dict[str, QStandardItem] = {}
        self._catalog = catalog
        self._quiet = False
        self.set_catalog(catalog)
        self.selectionModel().currentChanged.connect(self._on_current_changed)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.setColumnHidden(1, event.size().width() < RANGE_COLUMN_FROM)
        super().resizeEvent(event)

    def set_catalog(self, catalog: Catalog) -> None:
        """(Re)build the tree, e.g. after an import refreshed the catalog."""
        self._catalog = catalog
        self._model.removeRows(0, self._model.rowCount())
        self._items.clear()
        self._count_items.clear()
        self._set_count_items.clear()
        everything = QStandardItem("All sections")
        everything.setData(None, SECTION_ID_ROLE)
        self._model.appendRow([everything, QStandardItem(""), QStandardItem("")])
        for info in catalog.code_sets:
            top = QStandardItem(info.name)
            top.setToolTip(f"{info.name}: choose to list its codes")
            top.setData(info.id, CODE_SET_ID_ROLE)
            font = top.font()
            font.setBold(True)
            top.setFont(font)
            count = QStandardItem("")
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._set_count_items[info.id] = count
            top.setData(info.id, CODE_SET_ID_ROLE)
            self._add_children(top, catalog.children(None, info.id))
            self._model.appendRow([top, QStandardItem(""), count])

    def _add_children(self, parent: QStandardItem, sections: list[Section]) -> None:
        for section in sections:
            item = QStandardItem(section.name)
            item.setData(section.id, SECTION_ID_ROLE)
            item.setData(section.code_set, CODE_SET_ID_ROLE)
            item.setToolTip(f"{section.name}\n{section.range_text}" + (f"\n{section.note}" if section.note else ""))
            ranges = QStandardItem(section.range_text)
            ranges.setToolTip(section.range_text)
            count = QStandardItem("")
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._items[section.id] = item
            self._count_items[section.id] = count
            self._add_children(item, self._catalog.children(section.id))
            parent.appendRow([item, ranges, count])

    def set_counts(self, direct: dict[int, int]) -> None:
        """Codes per section including subsections, from the direct counts the store gives."""
        totals: dict[int, int] = {}

        def total(section_id: int) -> int:
            if section_id not in totals:
                totals[section_id] = direct.get(section_id, 0) + sum(
                    total(child.id) for child in self._catalog.children(section_id)
                )
            return totals[section_id]

        for section_id, item in self._count_items.items():
            item.setText(f"{total(section_id):,}")
        for code_set, item in self._set_count_items.items():
            item.setText(f"{sum(total(s.id) for s in self._catalog.children(None, code_set)):,}")

    def section_count(self, section_id: int) -> str:
        item = self._count_items.get(section_id)
        return item.text() if item else ""

    def set_code_set(self, code_set: str | None) -> None:
        # Re-filtering loses the view's current index: put it back (quietly) on the same row if still shown.
        current = self._model.itemFromIndex(self._proxy.mapToSource(self.currentIndex().siblingAtColumn(0)))
        self._proxy.set_code_set(code_set)
        index = self._proxy.mapFromSource(current.index()) if current is not None else QModelIndex()
        if index.isValid():
            self._set_current(index, notify=False)

    def current_section(self) -> int | None:
        index = self.currentIndex()
        return index.siblingAtColumn(0).data(SECTION_ID_ROLE) if index.isValid() else None

    def select_section(self, section_id: int | None, *, notify: bool = True) -> None:
        if section_id is None or section_id not in self._items:
            index = self._proxy.index(0, 0)
        else:
            index = self._proxy.mapFromSource(self._items[section_id].index())
        if not index.isValid():
            return
        parent = index.parent()
        while parent.isValid():
            self.expand(parent)
            parent = parent.parent()
        self._set_current(index, notify=notify)
        self.scrollTo(index)

    def _set_current(self, index: QModelIndex, *, notify: bool) -> None:
        """Select ``index``; with ``notify`` False the change does not start a section browse."""
        self._quiet = not notify
        try:
            self.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        finally:
            self._quiet = False

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self._quiet:
            return
        first = current.siblingAtColumn(0)
        section_id = first.data(SECTION_ID_ROLE)
        if section_id is None and first.data(CODE_SET_ID_ROLE) and not first.parent().isValid():
            self.code_set_chosen.emit(first.data(CODE_SET_ID_ROLE))
        self.section_chosen.emit(section_id)
