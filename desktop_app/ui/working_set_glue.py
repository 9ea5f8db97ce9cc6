"""The main window's side of the working set: favourites, lists, the star, carrying it as CSV (a part of
``MainWindow``).

Each function is a method of :class:`MainWindow` (assigned in its class body): ``self`` is the window.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMessageBox,
)

from desktop_app.core.userdata import lists_in_order
from desktop_app.core.working_set import WorkingSetSnapshot
from desktop_app.ui.requests import (
    WorkingSetRequest,
)
from desktop_app.ui.user_requests import (
    ImportWorkingSetRequest,
    WorkingSetImported,
    WorkingSetWritten,
    WriteWorkingSetRequest,
)
from desktop_app.ui.window_layout import SEARCH_TAB

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


def _read_working_set(self: MainWindow) -> None:
    if self.userdata_path is not None:
        self.service.post(WorkingSetRequest())


def _show_side_page(self: MainWindow, name: str | None) -> None:
    self.tabs.setCurrentIndex(SEARCH_TAB)
    if name is None:
        self.side_panel.setCurrentWidget(self.section_tree)
        self.section_tree.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return
    self.side_panel.show_page(getattr(self.side_panel, name))


def _open_code_name(self: MainWindow) -> str | None:
    detail = self.detail_pane.detail
    return detail.code if detail is not None and detail.known else None


def toggle_favourite(self: MainWindow) -> None:
    """Ctrl+D: the open code in or out of the list chosen in the Favourites tab (see ``FavouriteButton``)."""
    if self._open_code_name() is not None and self.detail_pane.favourite_button.isEnabled():
        self.detail_pane.favourite_button.toggle()


def edit_note(self: MainWindow) -> None:
    """F2: the cursor to the end of the open code's note (the note field was reachable only by mouse or many Tabs);
    Ctrl+L goes back to the search box."""
    note = self.detail_pane.note
    if self._open_code_name() is None or not note.isEnabled():
        self.statusBar().showMessage("Open a code first, then write your note on it (F2).", 5000)
        return
    self.tabs.setCurrentIndex(SEARCH_TAB)
    note.setFocus(Qt.FocusReason.ShortcutFocusReason)
    note.moveCursor(QTextCursor.MoveOperation.End)


def add_to_list(self: MainWindow) -> None:
    code = self._open_code_name()
    if code is None:
        self.statusBar().showMessage("Open a code first, then add it to a list.", 5000)
        return
    new_list = "New list\u2026"

    def ask(lists: list[str]) -> str | None:
        name, ok = QInputDialog.getItem(self, "Add to favourite list", f"Add {code} to:",
                                        [*lists, new_list], 0, True)
        if not ok:
            return None
        if name == new_list:
            name, ok = QInputDialog.getText(self, "New favourite list", "Name of the list:")
        return name if ok else None

    name = self.side_panel.add_to_list(code, ask)
    if name:
        self.record_dwell_now()  # a code passed over and put in a list is a code used
        self.statusBar().showMessage(f"{code} added to {name}.", 5000)


def side_panel_new_list(self: MainWindow) -> None:
    self._show_side_page("favourites")
    self.side_panel.new_list()


def _sync_favourite_star(self: MainWindow, snapshot: WorkingSetSnapshot) -> None:
    """The star follows changes made in the working set (a removal, a list deleted, an import)."""
    code = self._open_code_name()
    if code is None or self.userdata_path is None:
        return
    self.detail_pane.favourite_button.show_state(
        code, lists_in_order(e.list_name for e in snapshot.favourites if e.code == code))


def _sync_open_note(self: MainWindow, snapshot: WorkingSetSnapshot) -> None:
    """The note field follows changes made outside it (a working-set import, a note deleted in the Notes list)."""
    detail = self.detail_pane.detail
    if detail is None or self.userdata_path is None:
        return
    stored = next((entry.text for entry in snapshot.notes if entry.code == detail.code), "")
    self.detail_pane.note_editor.follow_stored(detail.code, stored)


def export_working_set(self: MainWindow) -> None:
    if self.userdata_path is None:
        return
    start = str(Path(str(self.settings.value("export/last_dir", str(Path.home())))) / "codedesk-working-set.csv")
    path, _ = QFileDialog.getSaveFileName(self, "Export working set", start, "CSV files (*.csv)")
    if not path:
        return
    self.settings.setValue("export/last_dir", str(Path(path).parent))
    self.service.post(WriteWorkingSetRequest(Path(path)))  # answered in _on_working_set_written


def _on_working_set_written(self: MainWindow, answer: WorkingSetWritten) -> None:
    if answer.problem:
        QMessageBox.warning(self, "Export working set", f"Could not write {answer.path}: {answer.problem}")
        return
    self.statusBar().showMessage(f"Working set exported: {answer.rows or 0:,} entries to {answer.path}", 8000)


def import_working_set(self: MainWindow) -> None:
    if self.userdata_path is None:
        return
    start = str(self.settings.value("export/last_dir", str(Path.home())))
    path, _ = QFileDialog.getOpenFileName(self, "Import working set", start, "CSV files (*.csv)")
    if not path:
        return
    self.service.post(ImportWorkingSetRequest(Path(path)))  # answered in _on_working_set_imported


def _on_working_set_imported(self: MainWindow, answer: WorkingSetImported) -> None:
    if answer.summary is None:
        QMessageBox.warning(self, "Import working set", f"Nothing was imported.\n\n{answer.problem}")
        return
    self.side_panel.reload()
    self.statusBar().showMessage(f"Working set imported: {answer.summary.text()}.", 10000)
