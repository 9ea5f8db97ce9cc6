"""The window never shows a file name's control characters raw: a real import of a broken file whose name holds
a newline and an ANSI escape sequence fails with the name escaped (issue 9)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow

from .conftest import WAIT_MS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_failed_import_escapes_the_file_name(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    name = "PPRRVU2030\n\x1b[31mJan.csv"
    broken = tmp_path / name
    broken.write_bytes((FIXTURES / "cms" / "PPRRVU2030_Jan.csv").read_bytes().replace(b",1.30,", b",nan,", 1))
    with qtbot.waitSignal(window.jobs.finished, timeout=WAIT_MS * 4) as blocker:
        window.import_paths([broken])
    assert blocker.args == [False]
    message = window.jobs.last_error
    assert "PPRRVU2030\\n\\x1b[31mJan.csv, line 14: work rvu 'nan' is not a finite decimal number" in message
    assert "\x1b" not in message and "\n" not in message
