"""The database under the main window: imports (files, folders, dropped), a change made by another program,
and requests the worker could not answer (a part of ``MainWindow``).

Each function is a method of :class:`MainWindow` (assigned in its class body): ``self`` is the window.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
)

from desktop_app.core.recovery import is_damage, mark_damaged
from desktop_app.ui.importing import (
    DataSourcesDialog,
    file_dialog_filter,
)
from desktop_app.ui.requests import Refreshed, RequestKind
from desktop_app.ui.window_layout import COMPARE_TAB

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


def _on_service_failed(self: MainWindow, kind: str, message: str) -> None:
    if kind == RequestKind.CODE_COMPARISON:
        self.code_compare_view.show_error(f"Could not compare: {message}")
    if kind == RequestKind.EXPORT:
        QMessageBox.warning(self, "Export", f"Nothing was exported: {message}")
    damaged = is_damage(message)
    if damaged:
        # The file is in use now: flag it, so the next start sets it aside and rebuilds it.
        mark_damaged(self.store.path, message)
        message += "; CodeDesk will set the database aside and rebuild it the next time it starts"
    said = f"Could not {RequestKind(kind).words}: {message}"
    self.statusBar().showMessage(said, 0 if damaged else 10000)
    # A damaged database stays said until the restart that rebuilds it; a request's failure until it succeeds.
    self._failure_said = None if damaged else (kind, said)
    if kind == RequestKind.DETAIL and self._requested_code:
        # The pane must move on: showing the previous code as if it were the one asked for misleads.
        self.detail_pane.show_problem(self._requested_code, message)


def _on_service_answered(self: MainWindow, kind: str) -> None:
    """A request of the kind that last failed now succeeded: its failure no longer holds, so the status bar stops
    saying it."""
    if self._failure_said is not None and self._failure_said[0] == kind:
        if self.statusBar().currentMessage() == self._failure_said[1]:
            self.statusBar().clearMessage()
        self._failure_said = None


def choose_import_files(self: MainWindow) -> None:
    if not self.import_action.isEnabled():
        return
    start = str(self.settings.value("import/last_dir", str(Path.home())))
    files, _ = QFileDialog.getOpenFileNames(self, "Import code files", start, file_dialog_filter())
    if files:
        self.settings.setValue("import/last_dir", str(Path(files[0]).parent))
        self.import_paths([Path(f) for f in files])


def choose_import_folder(self: MainWindow) -> None:
    if not self.import_folder_action.isEnabled():
        return
    start = str(self.settings.value("import/last_dir", str(Path.home())))
    folder = QFileDialog.getExistingDirectory(self, "Import a folder of code files", start)
    if folder:
        self.settings.setValue("import/last_dir", folder)
        self.import_paths([Path(folder)])


def import_paths(self: MainWindow, paths: list[Path]) -> bool:
    return self.jobs.import_paths(paths)


def show_data_sources(self: MainWindow) -> None:
    DataSourcesDialog(self.service, self.jobs, self).exec()


def _on_changed_elsewhere(self: MainWindow) -> None:
    self.on_data_changed()
    self.statusBar().showMessage("The database was changed by another program: counts, sources and the "
                                 "open code are up to date.", 8000)


def on_data_changed(self: MainWindow) -> None:
    """After an import or a removal (here or by another process): refresh the UI's store, the worker, and
    everything shown, keeping the user's place (section, page, open code, selection)."""
    # The worker re-reads the catalog (the refresh runs before every other kind); the window takes its copy
    # from the answer (on_catalog_refreshed) rather than reading the database on the UI thread.
    self.service.refresh()
    self.service.overview()
    # The same page, not back to the first, with as many rows as the list holds.
    self.service.post(self.current_request(self.results_model.rowCount()))
    self.side_panel.reload()  # titles may have changed
    if self.detail_pane.detail is not None:
        self.service.detail(self.detail_pane.detail.code)
    if self.tabs.currentIndex() == COMPARE_TAB:
        self._request_comparison()


def on_catalog_refreshed(self: MainWindow, answer: Refreshed) -> None:
    """The catalog as the worker re-read it after a change: the section tree follows, keeping its place."""
    section = self.section_tree.current_section()
    self.store.catalog = answer.catalog
    self.section_tree.set_catalog(answer.catalog)
    self.section_tree.set_code_set(self.category_filter.current_code_set())
    if section is not None and section in answer.catalog.sections:
        self.section_tree.select_section(section, notify=False)
