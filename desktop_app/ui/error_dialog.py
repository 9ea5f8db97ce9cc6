"""What the window does with a bug: log it with its trace, show it in a dialog the person can copy from, and
carry on. Installed by the composition root (``app.py``) as ``sys.excepthook`` (PySide6 hands exceptions
escaping slots and event handlers to it), ``threading.excepthook`` and Qt's message handler."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app import __version__
from desktop_app.core.errors import printable

log = logging.getLogger(__name__)
qt_log = logging.getLogger("desktop_app.qt")


class BugDialog(QDialog):
    """"CodeDesk hit a bug": what happened in one line, the details (version, trace) to copy into a report."""

    def __init__(self, summary: str, details: str, log_file: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("CodeDesk: something went wrong")
        self.details = details
        where = f" The details are also in the log, {log_file}." if log_file is not None else ""
        message = QLabel(
            "CodeDesk hit a bug and could not finish what it was doing. Your codes, imports and notes are "
            f"safe and you can keep working.{where} Please copy the details into your report.", self)
        message.setWordWrap(True)
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel(printable(summary), self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        bold = self.summary.font()
        bold.setBold(True)
        self.summary.setFont(bold)
        self.text = QPlainTextEdit(details, self)
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setMinimumSize(560, 220)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("Copy Details", self)
        self.copy_button.setAccessibleName("Copy the error details to the clipboard")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(self.summary)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.copy_button.setText("Copied")


def bug_details(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    return (f"CodeDesk {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n\n"
            + "".join(traceback.format_exception(exc_type, exc, tb)))


class ExceptionHook:
    """``sys.excepthook`` for the window: log the trace, then show one :class:`BugDialog` at a time (a bug
    that repeats while the dialog is open, in a paint handler say, is logged but not shown again)."""

    def __init__(self, log_file: Path | None) -> None:
        self.log_file = log_file
        self.showing = False
        self.shown = 0

    def __call__(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("unhandled exception", exc_info=(exc_type, exc, tb))
        app = QApplication.instance()
        on_ui_thread = threading.current_thread() is threading.main_thread()
        if self.showing or not isinstance(app, QApplication) or not on_ui_thread:
            return
        self.showing = True
        try:
            self.shown += 1
            dialog = BugDialog(f"{exc_type.__name__}: {exc}", bug_details(exc_type, exc, tb), self.log_file,
                               app.activeWindow())
            dialog.exec()
        finally:
            self.showing = False


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    log.critical("unhandled exception in thread %s", args.thread.name if args.thread else "?",
                 exc_info=(args.exc_type, args.exc_value, args.exc_traceback))  # type: ignore[arg-type]


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def qt_message_handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's own warnings (a missing plugin, a bad stylesheet) go to the log instead of vanishing on stderr."""
    where = f" ({context.file}:{context.line})" if context.file else ""
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s%s", message, where)


def install_error_handlers(log_file: Path | None) -> ExceptionHook:
    hook = ExceptionHook(log_file)
    sys.excepthook = hook
    threading.excepthook = _thread_hook
    qInstallMessageHandler(qt_message_handler)
    return hook
