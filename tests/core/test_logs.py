"""core/logs.py: the log goes to a file under the log folder, and the debug console only with --debug."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from desktop_app.core.logs import LOG_DIR_ENV, configure_logging


def test_records_reach_the_file_and_with_debug_the_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path))
    console = io.StringIO()
    path = configure_logging("invented", debug=True, console=console)
    assert path == tmp_path / "invented.log"
    logging.getLogger("desktop_app.core.invented").debug("an invented detail")
    for handler in logging.getLogger("desktop_app").handlers:
        handler.flush()
    assert "an invented detail" in path.read_text(encoding="utf-8")
    assert "an invented detail" in console.getvalue()
    configure_logging("invented")  # again, without debug: the console handler goes, and DEBUG is off
    console.truncate(0)
    logging.getLogger("desktop_app.core.invented").debug("not shown")
    assert console.getvalue() == ""
