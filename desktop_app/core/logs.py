"""Logging for the window and the CLI: a rotating file under the platform's log folder, and with ``--debug``
everything on stderr as well.

Modules log through ``logging.getLogger(__name__)`` (all under ``desktop_app``); only the two entry points call
:func:`configure_logging`. Bugs are logged with their trace here and shown to people without one.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import TextIO

LOGGER_NAME = "desktop_app"
LOG_DIR_ENV = "CODEDESK_LOG_DIR"  # tests and packagers point logs elsewhere with this
MAX_LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def log_dir() -> Path:
    """``$CODEDESK_LOG_DIR`` if set, else the platform's per-user log folder (``~/.local/state/CodeDesk/log``
    on Linux, ``~/Library/Logs/CodeDesk`` on macOS, ``%LOCALAPPDATA%\\CodeDesk\\Logs`` on Windows)."""
    env = os.environ.get(LOG_DIR_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_log_path

    return user_log_path("CodeDesk", appauthor=False)


def configure_logging(program: str, *, debug: bool = False, console: TextIO | None = None) -> Path | None:
    """Send ``desktop_app``'s log records to ``<log dir>/<program>.log`` (rotated at 1 MB, three kept), at INFO,
    or at DEBUG and also to ``console`` (stderr) with ``debug``. Returns the log file, or None when the folder
    cannot be written (read-only home): logging must never stop the program. Calling it again replaces the
    handlers it added before, so a process that runs several commands (the tests) does not log twice."""
    logger = logging.getLogger(LOGGER_NAME)
    # A library's logging.config.dictConfig() disables every logger that exists at the time (import-linter's
    # does): ours are switched back on, or a bug's trace would silently go nowhere.
    for name, existing in list(logging.Logger.manager.loggerDict.items()):
        if (name == LOGGER_NAME or name.startswith(LOGGER_NAME + ".")) and isinstance(existing, logging.Logger):
            existing.disabled = False
    logger.disabled = False
    for handler in [h for h in logger.handlers if getattr(h, "_codedesk", False)]:
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False  # nothing reaches Python's last-resort handler, which prints to the user's terminal
    formatter = logging.Formatter(_FORMAT)
    path: Path | None
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise PermissionError(folder)
        path = folder / f"{program}.log"
        _add(logger, logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True), formatter)
    except OSError:
        path = None
    if debug:
        _add(logger, logging.StreamHandler(console or sys.stderr), formatter)
    if path is None and not debug:
        _add(logger, logging.NullHandler(), formatter)
    return path


def _add(logger: logging.Logger, handler: logging.Handler, formatter: logging.Formatter) -> None:
    handler.setFormatter(formatter)
    handler._codedesk = True  # type: ignore[attr-defined]  # marks the handlers configure_logging owns
    logger.addHandler(handler)
