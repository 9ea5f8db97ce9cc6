"""What the window says about damaged data: the dialog that tells what was repaired and where the old files
are, and the full check that runs in the background after an unclean end."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from html import escape
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import printable
from desktop_app.core.recovery import FullCheck, RebuildReport, SalvageReport, check_passed, mark_damaged


def repair_html(rebuilt: RebuildReport | None, salvage: SalvageReport | None, notices: Sequence[str]) -> str:
    parts: list[str] = []
    if rebuilt is not None:
        restored = "".join(f"<li>{escape(name)}</li>" for name in rebuilt.restored)
        parts.append(
            "<h3>Code database rebuilt</h3>"
            f"<p>{escape(printable(str(rebuilt.path)))} was damaged ({escape(printable(rebuilt.reason))}). "
            "CodeDesk rebuilt it from its bundled reference"
            + (f" and read again the {len(rebuilt.restored)} import(s) it keeps copies of:</p><ul>{restored}</ul>"
               if rebuilt.restored else "; there were no kept imports to read again.</p>"))
        if rebuilt.failed:
            failed = "".join(f"<li>{escape(f)}</li>" for f in rebuilt.failed)
            parts.append(f"<p>These kept imports could not be read again; import them yourself:</p><ul>{failed}</ul>")
        if rebuilt.set_aside_as is not None:
            parts.append(f"<p>The damaged file is kept as <b>{escape(printable(str(rebuilt.set_aside_as)))}</b>.</p>")
    if salvage is not None:
        got = salvage.recovered
        skipped = sum(salvage.skipped.values())
        parts.append(
            "<h3>Notes and favourites recovered</h3>"
            f"<p>Your notes and favourites file was damaged ({escape(printable(salvage.reason))}). "
            "Everything that could still be read was copied into a new one:</p>"
            f"<ul><li>{got.get('notes', 0):,} note(s)</li><li>{got.get('favourites', 0):,} favourite(s)</li>"
            f"<li>{got.get('history', 0):,} history entries</li></ul>"
            + (f"<p>{skipped:,} unreadable part(s) of the old file were skipped.</p>" if skipped else "")
            + f"<p>The damaged file is kept as <b>{escape(printable(str(salvage.set_aside_as)))}</b>.</p>")
    if notices:
        items = "".join(f"<li>{escape(printable(n))}</li>" for n in notices)
        parts.append(f"<h3>Also</h3><ul>{items}</ul>")
    return "".join(parts)


class RepairDialog(QDialog):
    """Tells what CodeDesk found damaged, what it recovered and where the old file is."""

    def __init__(self, rebuilt: RebuildReport | None, salvage: SalvageReport | None, notices: Sequence[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("CodeDesk repaired its data")
        self.setObjectName("repairDialog")
        self.setAccessibleName("CodeDesk repaired its data")
        self.label = QLabel(repair_html(rebuilt, salvage, notices), self)
        self.label.setWordWrap(True)
        self.label.setMinimumWidth(520)
        self.label.setTextInteractionFlags(self.label.textInteractionFlags()
                                           | self.label.textInteractionFlags().TextSelectableByMouse)
        old = (rebuilt.set_aside_as if rebuilt is not None else None) or (
            salvage.set_aside_as if salvage is not None else None)
        self._folder = old.parent if old is not None else None
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.accepted.connect(self.accept)
        if self._folder is not None:
            show = QPushButton("Show Folder", self)
            show.setToolTip(f"Open {printable(str(self._folder))}")
            show.clicked.connect(self._show_folder)
            buttons.addButton(show, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)

    def _show_folder(self) -> None:
        if self._folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._folder)))


class RepairProgress:
    """Before the window exists, a rebuild reads every kept import again (as long as importing them took): a
    progress window says so instead of a silent start. Called on the UI thread, between import steps."""

    def __init__(self) -> None:
        self._dialog: QProgressDialog | None = None

    def report(self, message: str, done: int, total: int) -> None:
        if self._dialog is None:
            self._dialog = QProgressDialog("", "", 0, 0)
            self._dialog.setWindowTitle("CodeDesk")
            self._dialog.setObjectName("repairProgress")
            self._dialog.setCancelButton(None)  # type: ignore[arg-type]  # a half-rebuilt database helps no one
            self._dialog.setMinimumDuration(0)
            self._dialog.setMinimumWidth(480)
            self._dialog.show()
        self._dialog.setLabelText(f"Repairing the code database\u2026\n{message}")
        self._dialog.setMaximum(max(total, 0))
        self._dialog.setValue(min(done, total) if total > 0 else 0)
        QApplication.processEvents()

    def close(self) -> None:
        if self._dialog is not None:
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None


class BackgroundCheck(QObject):
    """Runs the full ``integrity_check`` in a thread of its own after an unclean end, with a status-bar
    message; damage found is remembered for the next start (the file is in use now) and told at once."""

    finished = Signal(str)  # '' when whole, else the damage found
    _done = Signal(object)

    def __init__(self, path: Path, window: QMainWindow, *, show_dialogs: bool = True) -> None:
        super().__init__(window)
        self.path = path
        self.result: str | None = None
        self._window = window
        self._show_dialogs = show_dialogs
        self._check = FullCheck(path)
        self._thread = threading.Thread(target=self._run, name="codedesk-full-check", daemon=True)
        self._done.connect(self._on_done)

    def start(self, reason: str) -> None:
        self._window.statusBar().showMessage(f"{reason}: checking the whole database in the background\u2026")
        self._thread.start()

    def _run(self) -> None:
        try:
            problem = self._check.run()
        except Exception as exc:  # a check that cannot run must not print a traceback from its thread
            problem = f"the check could not run ({type(exc).__name__}: {exc})"
        if problem is not None:
            with contextlib.suppress(RuntimeError):  # the window closed first
                self._done.emit(problem)

    def stop(self) -> None:
        self._check.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    @Slot(object)
    def _on_done(self, problem: str) -> None:
        self.result = problem
        if not problem:
            check_passed(self.path)
            self._window.statusBar().showMessage("Database checked: no damage found.", 8000)
        else:
            mark_damaged(self.path, problem)
            self._window.statusBar().showMessage("The database is damaged: CodeDesk repairs it at the next start.")
            if self._show_dialogs:
                QMessageBox.warning(
                    self._window, "CodeDesk",
                    f"CodeDesk found damage in its code database ({printable(problem)}).\n\nIt will set the file "
                    "aside and rebuild it from its bundled reference and the copies it keeps of your imports the "
                    "next time it starts. Until then some codes may not show.")
        self.finished.emit(problem)
