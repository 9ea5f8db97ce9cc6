"""Import UI: a worker thread that runs the importers on its own connection, the progress and summary
dialogs, and the Data sources dialog (list what is loaded, remove a source)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape
from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import importers
from desktop_app.core.code_compare import release_in_name
from desktop_app.core.database import WRITER_WAIT_SECONDS
from desktop_app.core.errors import CodeDeskError, ImportCancelled, printable
from desktop_app.core.kinds import SourceKind
from desktop_app.core.store import CodeStore, SourceInfo
from desktop_app.ui.requests import SourcesAnswer, SourcesRequest
from desktop_app.ui.worker import StoreService


def importers_module() -> ModuleType:
    """The importers package. A function, so tests can put a controllable importer in its place."""
    return importers


IMPORT_PATTERNS = " ".join(f"*{extension}" for extension in importers.SUPPORTED_EXTENSIONS)


def file_dialog_filter() -> str:
    return f"Code files ({IMPORT_PATTERNS});;All files (*)"


def supported_formats_text() -> str:
    """The importers' own description of what they read, for tooltips and the empty state."""
    return importers.SUPPORTED_FORMATS


class JobWorker(QObject):
    """Runs one import or removal on its own connection, in its own thread."""

    progress = Signal(str, int, int)
    succeeded = Signal(object)  # list[ImportSummary] for an import, None for a removal
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, db_path: Path, job: Callable[[CodeStore, JobWorker], object]) -> None:
        super().__init__()
        self._db_path = db_path
        self._job = job
        self.cancel_requested = threading.Event()

    @Slot()
    def run(self) -> None:
        store: CodeStore | None = None
        try:
            store = CodeStore.open(self._db_path, build=False)
            result = self._job(store, self)
        except ImportCancelled:
            self.cancelled.emit()
        except CodeDeskError as exc:
            self.failed.emit(printable(str(exc)))
        except Exception as exc:  # an importer bug must not take the window down with it
            self.failed.emit(printable(f"unexpected error ({type(exc).__name__}): {exc}"))
        else:
            self.succeeded.emit(result)
        finally:
            if store is not None:
                store.close()


SUMMARY_HEADINGS = ("File", "Loaded as", "Added", "Updated", "Unchanged", "Modifiers", "Measures", "Seconds")


def summary_html(summaries: Sequence[Any]) -> str:
    # Headers never wrap: a long file name squeezed the number columns until "Unchanged" broke mid-word
    # ("Unchange / d"); the file name, which may wrap, takes the squeeze instead.
    headers = "".join(
        f"<th align='{'left' if heading in ('File', 'Loaded as') else 'center'}' style='white-space: nowrap'>"
        f"{heading}</th>"
        for heading in SUMMARY_HEADINGS
    )
    parts = [f"<table cellpadding='4'><tr>{headers}</tr>"]
    warnings: list[str] = []
    notes: list[str] = []
    for s in summaries:
        release_text = str(getattr(s, "release", "") or "")
        # Names often carry their release ("CMS PFS RVU 2025 October (RVU25D)"): never say it twice.
        release = "" if release_in_name(str(s.source_name), release_text) else f" ({escape(release_text)})"
        parts.append(
            f"<tr><td>{escape(printable(str(s.file_name)))}<br><i>{escape(str(s.format))}</i></td>"
            f"<td>{escape(str(s.source_name))}{release}</td>"
            f"<td align='right'>{s.added:,}</td><td align='right'>{s.updated:,}</td>"
            f"<td align='right'>{s.unchanged:,}</td><td align='right'>{s.modifiers:,}</td>"
            f"<td align='right'>{s.measures:,}</td><td align='right'>{s.seconds:.1f}</td></tr>"
        )
        warnings += [printable(f"{s.file_name}: {w}") for w in s.warnings]
        # Information, not problems (skipped files, localities counted, a replaced release): the CLI prints them
        # as "note:" lines and the README promises skipped files a note here, so they are listed apart.
        notes += [printable(f"{s.file_name}: {n}") for n in getattr(s, "notes", ())]
    parts.append("</table>")
    if warnings:
        parts += _listed("Warnings", warnings)
    else:
        parts.append("<p>No warnings.</p>")
    if notes:
        parts += _listed("Notes", notes)
    return "".join(parts)


def _listed(heading: str, lines: list[str], at_most: int = 200) -> list[str]:
    shown = lines[:at_most]
    parts = [f"<h4>{heading} ({len(lines):,})</h4><ul>"]
    parts += [f"<li>{escape(line)}</li>" for line in shown]
    if len(lines) > len(shown):
        parts.append(f"<li>\u2026 and {len(lines) - len(shown):,} more</li>")
    parts.append("</ul>")
    return parts


class ImportSummaryDialog(QDialog):
    def __init__(self, summaries: Sequence[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import finished")
        self.setObjectName("importSummary")
        self.setAccessibleName("Import summary")
        self.resize(980, 420)
        self.text = QTextBrowser(self)
        self.text.setHtml(summary_html(summaries))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)


class JobRunner(QObject):
    """Starts import and removal jobs one at a time, with a progress dialog, and reports the outcome."""

    started = Signal()  # a job starts writing on its own connection (its change is not another program's)
    data_changed = Signal()  # the database changed: refresh stores, catalog and views
    finished = Signal(bool)  # True when the database changed

    def __init__(self, db_path: Path, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self._db_path = db_path
        self._parent_widget = parent_widget
        self._thread: QThread | None = None
        self._worker: JobWorker | None = None
        self._progress: QProgressDialog | None = None
        self.show_dialogs = True  # tests turn the modal summary off
        # How long an import waits for another process's import to finish (tests shorten it).
        self.lock_wait = WRITER_WAIT_SECONDS
        self.last_progress = ""  # the progress text last shown ("Waiting for the other import…")
        self.last_summaries: list[Any] = []
        self.last_error = ""

    def busy(self) -> bool:
        return self._thread is not None

    def import_paths(self, paths: Sequence[Path]) -> bool:
        module = importers_module()
        if self.busy():
            self._message("An import is already running.")
            return False

        def job(store: CodeStore, worker: JobWorker) -> object:
            return module.import_paths(
                store.conn,
                list(paths),
                progress=lambda text, done, total: worker.progress.emit(str(text), int(done), int(total)),
                cancel=worker.cancel_requested.is_set,
                keep=True,  # a compressed copy beside the database, so a damaged one can be rebuilt
                lock_wait=self.lock_wait,
            )

        names = ", ".join(printable(p.name) for p in paths[:3]) + (" \u2026" if len(paths) > 3 else "")
        self._start(job, f"Importing {names}")
        return True

    def remove_source(self, source: SourceInfo) -> bool:
        module = importers_module()
        if self.busy():
            return False

        def job(store: CodeStore, _worker: JobWorker) -> object:
            module.remove_source(store.conn, source.id)
            return None

        self._start(job, f"Removing {source.name}")
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel_requested.set()

    def _start(self, job: Callable[[CodeStore, JobWorker], object], title: str) -> None:
        self.last_summaries, self.last_error = [], ""
        thread = QThread(self)
        worker = JobWorker(self._db_path, job)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._on_progress)
        worker.succeeded.connect(self._on_succeeded)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        self._thread, self._worker = thread, worker
        progress = QProgressDialog(title + "\u2026", "Cancel", 0, 0, self._parent_widget)
        progress.setWindowTitle("CodeDesk")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(self._on_cancel_clicked)
        self._progress = progress
        self.started.emit()
        thread.start()

    def _on_cancel_clicked(self) -> None:
        self.cancel()
        if self._progress is not None:
            self._progress.setLabelText("Cancelling; rolling back\u2026")
            self._progress.show()  # stays up until the worker has rolled back

    @Slot(str, int, int)
    def _on_progress(self, text: str, done: int, total: int) -> None:
        if self._progress is None or (self._worker and self._worker.cancel_requested.is_set()):
            return
        self.last_progress = text
        self._progress.setLabelText(text)
        self._progress.setMaximum(max(total, 0))
        self._progress.setValue(min(done, total) if total > 0 else 0)

    def _finish(self) -> None:
        if self._progress is not None:
            self._progress.canceled.disconnect(self._on_cancel_clicked)
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread.deleteLater()
        if self._worker is not None:
            self._worker.deleteLater()
        self._thread, self._worker = None, None

    @Slot(object)
    def _on_succeeded(self, result: object) -> None:
        self._finish()
        self.last_summaries = list(result) if isinstance(result, (list, tuple)) else []
        self.data_changed.emit()
        self.finished.emit(True)
        if self.show_dialogs and self.last_summaries:
            ImportSummaryDialog(self.last_summaries, self._parent_widget).exec()
            self._parent_widget.activateWindow()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._finish()
        self.last_error = message
        self.finished.emit(False)
        self._message(f"Nothing was changed.\n\n{message}", error=True)

    @Slot()
    def _on_cancelled(self) -> None:
        self._finish()
        self.last_error = "cancelled"
        self.finished.emit(False)
        self._message("Import cancelled. Nothing was changed.")

    def _message(self, text: str, error: bool = False) -> None:
        if not self.show_dialogs:
            return
        if error:
            QMessageBox.warning(self._parent_widget, "CodeDesk", text)
        else:
            QMessageBox.information(self._parent_widget, "CodeDesk", text)

    def shutdown(self) -> None:
        self.cancel()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(10000)


def loaded_text(stamp: str) -> str:
    """'2026-03-02T10:01:07.123456+00:00' → '2026-03-02 11:01' (local time, to the minute)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


class DataSourcesDialog(QDialog):
    """What the database holds, one source a row; Remove for anything but the bundled reference."""

    COLUMNS = ("Name", "Kind", "Release", "Effective", "File", "Loaded")

    def __init__(self, service: StoreService, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Data sources")
        self.setObjectName("dataSources")
        self.setAccessibleName("Data sources")
        self.resize(1040, 340)
        # The list comes from the worker (no query on the UI thread): asked for now and after every job.
        self._service = service
        service.on(SourcesAnswer, self._on_sources)
        self.finished.connect(lambda _result: service.off(SourcesAnswer, self._on_sources))
        self._runner = runner
        self._sources: list[SourceInfo] = []
        # The row a removal was asked from: once the list comes back the table takes the focus there (the
        # disabled Remove… button had it, and the next Tab went nowhere useful).
        self._removed_row: int | None = None
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setAccessibleName("Loaded data sources")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # Tab leaves the table (to Remove…, Close): moving between cells kept keyboard users in it for good.
        self.table.setTabKeyNavigation(False)
        self.table.installEventFilter(self)  # Delete asks to remove the selected source, as Remove… does
        # Names in full (the dialog is wide enough; a long one still elides with its tooltip), the file last.
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._sync_buttons)
        self.remove_button = QPushButton("&Remove\u2026", self)
        self.remove_button.setAccessibleName("Remove the selected source")
        self.remove_button.setAutoDefault(False)  # Enter in the table must never start a removal
        self.remove_button.clicked.connect(self._remove)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        runner.finished.connect(lambda _changed: self.reload())
        self.reload()

    def reload(self) -> None:
        self._service.post(SourcesRequest())

    def _on_sources(self, answer: SourcesAnswer) -> None:
        self._sources = answer.sources
        self.table.setRowCount(len(self._sources))
        for row, source in enumerate(self._sources):
            values = (
                source.name,
                source.kind,
                source.release if source.kind != SourceKind.BUNDLED else "",
                source.effective_date,
                printable(source.file_name),
                loaded_text(source.loaded_at),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self._sync_buttons()
        if self._removed_row is not None and not self._runner.busy():
            row, self._removed_row = self._removed_row, None
            if self._sources:
                self.table.selectRow(min(row, len(self._sources) - 1))
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Delete and event.modifiers() == Qt.KeyboardModifier.NoModifier):
            self._remove()
            return True
        return super().eventFilter(watched, event)

    def selected_source(self) -> SourceInfo | None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        return self._sources[rows.pop()] if len(rows) == 1 else None

    def _sync_buttons(self) -> None:
        source = self.selected_source()
        removable = source is not None and source.kind != SourceKind.BUNDLED and not self._runner.busy()
        self.remove_button.setEnabled(removable)
        self.remove_button.setToolTip(
            "" if removable or source is None else "The bundled reference is part of CodeDesk and cannot be removed"
        )

    def _remove(self) -> None:
        source = self.selected_source()
        if source is None or not self.remove_button.isEnabled():
            return
        row = self._sources.index(source)
        answer = QMessageBox.question(self, "Remove source", removal_question(source))
        if answer == QMessageBox.StandardButton.Yes and self._runner.remove_source(source):
            self._removed_row = row
        else:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)


# What a source's counts (written by its import, read with the list) hold, in the order they are said.
HELD_COUNTS = (("codes", "code", "codes"), ("modifiers", "modifier", "modifiers"),
               ("measures", "measure", "measures"), ("edits", "edit", "edits"),
               ("localities", "payment locality", "payment localities"))


def held_text(counts: dict[str, object]) -> str:
    """'10,234 codes, 57 modifiers' from a source's counts ('' when its import counted none of them)."""
    said = []
    for key, one, many in HELD_COUNTS:
        value = counts.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            said.append(f"{value:,} {one if value == 1 else many}")
    return ", ".join(said)


def removal_question(source: SourceInfo) -> str:
    held = held_text(source.counts)
    holds = f" It holds {held}." if held else ""
    return (f"Remove \u201c{source.name}\u201d and everything it brought (descriptors, facts, measures)?{holds}")
