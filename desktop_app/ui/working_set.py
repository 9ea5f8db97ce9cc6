"""The working set beside the search: Favourites (in named lists), Recent (history) and Notes, each an
:class:`~desktop_app.ui.entry_page.EntryPage`.

The entries (the user's own data, a separate file) and their titles (from the reference database) are read
together in the worker (``reload_requested`` → :meth:`WorkingSetPanel.set_snapshot`). The person's changes
here (remove, new list, rename, delete, add to a list) are posted to the worker as ordered writes
(``ui/user_requests.py``); since the worker runs writes before any waiting read, the reload posted right after
a change already sees it. A change the file refused is told in a message box.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QWidget,
)

from desktop_app.core.search import Hit
from desktop_app.core.userdata import DEFAULT_LIST, check_list_name
from desktop_app.core.working_set import WorkingSetSnapshot
from desktop_app.ui.entry_page import CODE_ROLE as CODE_ROLE
from desktop_app.ui.entry_page import EntryPage, Row, stamp_text
from desktop_app.ui.results import HighlightDelegate
from desktop_app.ui.user_requests import (
    CreateListRequest,
    DeleteListRequest,
    EntriesRemoved,
    FavouriteSet,
    ListChanged,
    RemoveEntriesRequest,
    RenameListRequest,
    SetFavouriteRequest,
    UserWrite,
)
from desktop_app.ui.worker import StoreService

__all__ = ["CODE_ROLE", "EntryPage", "Row", "WorkingSetPanel"]

ALL_LISTS = "All lists"
LIST_COLUMN = 2  # the favourites table: Code, Title, List, Added


class WorkingSetPanel(QTabWidget):
    """The side panel: the section browser first, then Favourites, Recent and Notes."""

    code_activated = Signal(str)
    reload_requested = Signal()  # the user data should be read again (by the worker)
    changed = Signal()  # the user data changed here (a removal, a list)
    list_chosen = Signal(object)  # the favourite list shown (str), or None for all lists: the star acts on it
    # (on the Favourites list when None)

    def __init__(self, sections: QWidget, service: StoreService | None, parent: QWidget | None = None) -> None:
        """``service``: the worker that reads and writes the working set (None, or a service without user data:
        the working-set pages are off)."""
        super().__init__(parent)
        self.setObjectName("sidePanel")
        self.setAccessibleName("Sections and working set")
        self.setDocumentMode(True)
        self.service = service if service is not None and service.user_data_on else None
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
        self.addTab(self.favourites, "Favo&urites")  # Alt+V is the View menu; "F&a" would elide (kerning)
        self.addTab(self.recent, "&Recent")
        self.addTab(self.notes, "&Notes")  # Alt+O is the Compare codes tab
        for page, remover in ((self.favourites, self._remove_favourites), (self.recent, self._remove_history),
                              (self.notes, self._remove_notes)):
            page.code_activated.connect(self.code_activated)
            page.remove_requested.connect(remover)
            page.table.doubleClicked.connect(lambda index, page=page: page._on_activated(index))
            QShortcut(QKeySequence("Ctrl+Shift+S"), page, page.cycle_sort,
                      Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.currentChanged.connect(lambda _i: self.reload())
        if self.service is None:
            for index in (1, 2, 3):
                self.setTabEnabled(index, False)
        else:
            self.service.on(EntriesRemoved, lambda answer: self._refused(answer.problem))
            self.service.on(ListChanged, lambda answer: self._refused(answer.problem))
            self.service.on(FavouriteSet, self._on_favourite_set)

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
        if self.service is not None:
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
        self.list_chosen.emit(chosen)
        entries = [e for e in self.snapshot.favourites if chosen is None or e.list_name == chosen]
        self.favourites.set_rows([Row(e.code, (e.list_name, stamp_text(e.added_at)), ("", e.added_at),
                                      tooltip=f"{e.code} in {e.list_name}, added {stamp_text(e.added_at)} UTC")
                                  for e in entries], self.titles, self.texts)
        self.favourites.table.setColumnHidden(2, chosen is not None)

    def _fill_recent(self) -> None:
        if self.snapshot is None:
            return
        self.recent.set_rows([Row(e.code, (stamp_text(e.viewed_at), str(e.views)), (e.viewed_at, f"{e.views:09d}"),
                                  tooltip=f"{e.code}: last viewed {stamp_text(e.viewed_at)} UTC, {e.views} view(s)")
                              for e in self.snapshot.history], self.titles, self.texts)

    def _fill_notes(self) -> None:
        if self.snapshot is None:
            return
        self.notes.set_rows([Row(e.code, (" ".join(e.text.split()), stamp_text(e.updated_at)), ("", e.updated_at),
                                 tooltip=f"{e.text}\n\n(changed {stamp_text(e.updated_at)} UTC)")
                             for e in self.snapshot.notes], self.titles, self.texts)

    def show_page(self, page: EntryPage) -> None:
        self.setCurrentWidget(page)
        self.reload()
        page.focus()

    # --- changes: posted to the worker; the reload posted after each runs after it, so it shows it

    def _write(self, request: UserWrite) -> None:
        assert self.service is not None
        self.service.post(request)
        self.reload()
        self.changed.emit()

    def _refused(self, problem: str) -> None:
        if problem:
            QMessageBox.warning(self, "Working set", f"Your change was not saved: {problem}.")
            self.reload()  # show what the file holds

    def _on_favourite_set(self, answer: FavouriteSet) -> None:
        if not answer.by_star:  # a list chosen here (the star in the detail pane tells its own)
            self._refused(answer.problem)

    def _remove_favourites(self, codes: list[str]) -> None:
        """Delete: the selected rows out of the list shown; with "All lists" shown, each row out of the list it
        names (a row "93000 Favourites" took 93000 out of Cardiology too, its other row vanishing unasked)."""
        chosen = self.chosen_list()
        lists = tuple(self.favourites.selected_cells(LIST_COLUMN)) if chosen is None else ()
        if chosen is None and (len(lists) != len(codes) or not all(lists)):
            lists = ()  # the rows' lists could not be read: every list, as before
        self._write(RemoveEntriesRequest("favourites", tuple(codes), chosen, lists))

    def _remove_history(self, codes: list[str]) -> None:
        self._write(RemoveEntriesRequest("history", tuple(codes)))

    def _remove_notes(self, codes: list[str]) -> None:
        if QMessageBox.question(self, "Delete notes", f"Delete your note on {', '.join(codes)}?") \
                != QMessageBox.StandardButton.Yes:
            return
        self._write(RemoveEntriesRequest("notes", tuple(codes)))

    def new_list(self) -> str | None:
        if self.service is None:
            return None
        name, ok = QInputDialog.getText(self, "New favourite list", "Name of the list (e.g. Cardiology):")
        if not ok:
            return None
        try:
            created = check_list_name(name)
        except ValueError as exc:
            QMessageBox.warning(self, "New favourite list", _sentence(str(exc)))
            return None
        self._show_list = created  # chosen once the lists are read again
        self._write(CreateListRequest(created))
        return created

    def _list_menu(self) -> None:
        name = self.chosen_list()
        if self.service is None or name is None:
            QMessageBox.information(self, "Favourite lists", "Choose a list first.")
            return
        choice, ok = QInputDialog.getItem(self, f"List \u201c{name}\u201d", "What to do with this list:",
                                          ["Rename\u2026", "Delete the list and its entries"], 0, False)
        if not ok:
            return
        if choice.startswith("Rename"):
            new, ok = QInputDialog.getText(self, "Rename list", "New name:", text=name)
            if not ok:
                return
            try:
                new = check_list_name(new)
                if name == DEFAULT_LIST:
                    raise ValueError(f"the {DEFAULT_LIST} list keeps its name")
                if new != name and self.snapshot is not None and new in self.snapshot.lists:
                    raise ValueError(f"there is already a list called {new}")
            except ValueError as exc:
                QMessageBox.warning(self, "Favourite lists", _sentence(str(exc)))
                return
            self._show_list = new
            self._write(RenameListRequest(name, new))
        else:
            entries = sum(1 for f in self.snapshot.favourites if f.list_name == name) if self.snapshot else 0
            codes = f"{entries:,} code{'' if entries == 1 else 's'}"
            question = (f"Empty the {DEFAULT_LIST} list ({codes})? It keeps its name." if name == DEFAULT_LIST
                        else f"Delete the list \u201c{name}\u201d and its {codes}?")
            if QMessageBox.question(self, "Favourite lists", question) != QMessageBox.StandardButton.Yes:
                return
            self.list_combo.setCurrentIndex(0)
            self._write(DeleteListRequest(name))

    def add_to_list(self, code: str, ask: Callable[[list[str]], str | None]) -> str | None:
        """Put ``code`` in a list chosen by ``ask`` (given the list names; returns one, new or old)."""
        if self.service is None:
            return None
        name = ask(self.snapshot.lists if self.snapshot is not None else [DEFAULT_LIST])
        if not name:
            return None
        try:
            name = check_list_name(name)
        except ValueError as exc:
            QMessageBox.warning(self, "Favourite lists", _sentence(str(exc)))
            return None
        self._write(SetFavouriteRequest(code, True, name))
        return name


def _sentence(message: str) -> str:
    """``message`` as a sentence: its first letter in upper case, the rest as written (``str.capitalize`` lowered a
    list's name: "Cardiology" became "cardiology"), and a full stop."""
    return message[:1].upper() + message[1:] + "."
