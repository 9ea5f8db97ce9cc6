"""A bug in the window is logged with its trace and shown in a dialog the person can copy from; the app lives on."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.logs import configure_logging
from desktop_app.ui.error_dialog import BugDialog, ExceptionHook, bug_details


def _raise() -> None:
    raise ZeroDivisionError("planted by the test")


def _caught() -> tuple[type[BaseException], BaseException, object]:
    try:
        _raise()
    except ZeroDivisionError:
        info = sys.exc_info()
    assert info[0] is not None and info[1] is not None
    return info[0], info[1], info[2]


def test_copy_details_puts_the_trace_on_the_clipboard(qtbot: QtBot, tmp_path: Path) -> None:
    exc_type, exc, tb = _caught()
    details = bug_details(exc_type, exc, tb)  # type: ignore[arg-type]
    dialog = BugDialog("ZeroDivisionError: planted by the test", details, tmp_path / "codedesk.log")
    qtbot.addWidget(dialog)
    assert "Traceback" in dialog.text.toPlainText() and "_raise" in dialog.text.toPlainText()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == details
    assert dialog.copy_button.text() == "Copied"


def test_the_hook_logs_the_trace_and_shows_one_dialog(qtbot: QtBot, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEDESK_LOG_DIR", str(tmp_path))
    log_file = configure_logging("codedesk-test")
    assert log_file is not None
    hook = ExceptionHook(log_file)
    seen: list[str] = []

    def close_the_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, BugDialog)
        seen.append(dialog.summary.text())
        assert dialog.copy_button.text() == "Copy Details"
        dialog.reject()

    QTimer.singleShot(0, close_the_dialog)
    hook(*_caught())  # type: ignore[arg-type]
    assert seen == ["ZeroDivisionError: planted by the test"] and hook.shown == 1
    for handler in logging.getLogger("desktop_app").handlers:
        handler.flush()
    logged = log_file.read_text(encoding="utf-8")
    assert "unhandled exception" in logged and "Traceback" in logged and "planted by the test" in logged


def test_a_bug_while_the_dialog_is_open_is_logged_not_shown_again(qtbot: QtBot, tmp_path: Path) -> None:
    hook = ExceptionHook(None)
    hook.showing = True
    hook(*_caught())  # type: ignore[arg-type]
    assert hook.shown == 0


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_reaches_the_hook(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """PySide6 hands exceptions escaping slots to ``sys.excepthook``: that is what makes the dialog appear."""
    caught: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, e, tb: caught.append(e))
    QTimer.singleShot(0, _raise)
    qtbot.waitUntil(lambda: bool(caught), timeout=2000)
    assert isinstance(caught[0], ZeroDivisionError)
