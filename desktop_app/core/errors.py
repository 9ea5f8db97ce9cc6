"""Typed errors. A :class:`UserError` is something the person can fix (bad input, a broken file, a missing
database) and its message is written for them; anything else escaping the core is a bug."""

from __future__ import annotations

import re
import sqlite3

# Characters that must never reach a terminal or a message box raw: C0 and C1 controls (newlines, ANSI escape
# sequences), DEL, bidirectional overrides and isolates (they reorder what follows), and lone surrogates (what
# undecodable bytes in a file name become; they cannot be printed or stored as UTF-8).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every control, bidi-override and lone-surrogate character written as an escape
    (``\\n``, ``\\x1b``, ``\\u202e``, ``\\udcff``), so a file name cannot break a line, colour the terminal or
    hide its real ending. Idempotent: printable text comes back unchanged."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


class CodeDeskError(Exception):
    """Base class of every error CodeDesk raises on purpose."""


class UserError(CodeDeskError):
    """A problem the user can act on. ``str(error)`` is a complete, one-line message for them."""


class DatabaseError(UserError):
    """The database file is missing, unreadable, locked, corrupt or from a newer CodeDesk."""


class ImportFileError(UserError):
    """A file could not be imported. Names the file, the line (when there is one) and what was wrong."""

    def __init__(self, file_name: str, reason: str, line: int | None = None) -> None:
        file_name = printable(file_name)  # names come from disks and zips: never echo their controls raw
        self.file_name = file_name
        self.line = line
        self.reason = reason
        where = f"{file_name}, line {line}" if line is not None else file_name
        super().__init__(f"{where}: {reason}")


class ImportCancelled(CodeDeskError):
    """The user cancelled an import; the transaction was rolled back."""


# --- SQLite errors, sorted by their result code -------------------------------------------------------------
# SQLite's primary result codes (https://sqlite.org/rescode.html). Python 3.11 has them as sqlite3.SQLITE_*, 3.10
# does not, so they are written out here.
SQLITE_ERROR, SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY = 1, 3, 5, 6, 7, 8
SQLITE_INTERRUPT, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_PROTOCOL = 9, 10, 11, 13, 14, 15
SQLITE_NOLFS, SQLITE_AUTH, SQLITE_NOTADB = 22, 23, 26

# What the machine or the file did to us: the person can act on these (free space, close the other program,
# choose another file), so they get a clear message and no trace. Every other code (SQL errors, constraint
# violations, misuse of the API, schema mismatches) means CodeDesk itself is wrong: a bug, logged with its trace.
_ENVIRONMENT_CODES = frozenset({
    SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT,
    SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_PROTOCOL, SQLITE_NOLFS, SQLITE_AUTH, SQLITE_NOTADB,
})

_CODE_NAMES = {
    SQLITE_ERROR: "SQLITE_ERROR", SQLITE_PERM: "SQLITE_PERM", SQLITE_BUSY: "SQLITE_BUSY",
    SQLITE_LOCKED: "SQLITE_LOCKED", SQLITE_NOMEM: "SQLITE_NOMEM", SQLITE_READONLY: "SQLITE_READONLY",
    SQLITE_INTERRUPT: "SQLITE_INTERRUPT", SQLITE_IOERR: "SQLITE_IOERR", SQLITE_CORRUPT: "SQLITE_CORRUPT",
    SQLITE_FULL: "SQLITE_FULL", SQLITE_CANTOPEN: "SQLITE_CANTOPEN", SQLITE_PROTOCOL: "SQLITE_PROTOCOL",
    SQLITE_NOLFS: "SQLITE_NOLFS", SQLITE_AUTH: "SQLITE_AUTH", SQLITE_NOTADB: "SQLITE_NOTADB",
}

# Python 3.10 gives only the message, which is SQLite's own text for the code (sqlite3_errstr); these are
# those texts, most specific first, so the fallback sorts errors as 3.11 does.
_MESSAGE_CODES = (
    ("file is not a database", SQLITE_NOTADB),
    ("database disk image is malformed", SQLITE_CORRUPT),
    ("database or disk is full", SQLITE_FULL),
    ("attempt to write a readonly database", SQLITE_READONLY),
    ("database table is locked", SQLITE_LOCKED),
    ("database schema is locked", SQLITE_LOCKED),
    ("database is locked", SQLITE_BUSY),
    ("unable to open database file", SQLITE_CANTOPEN),
    ("disk i/o error", SQLITE_IOERR),
    ("out of memory", SQLITE_NOMEM),
    ("access permission denied", SQLITE_PERM),
    ("locking protocol", SQLITE_PROTOCOL),
    ("large file support is disabled", SQLITE_NOLFS),
    ("authorization denied", SQLITE_AUTH),
    ("not authorized", SQLITE_AUTH),
    ("interrupted", SQLITE_INTERRUPT),
)


def sqlite_error_code(exc: sqlite3.Error) -> int | None:
    """The primary SQLite result code of ``exc`` (extended codes folded to their primary one), or None when
    the error did not come from SQLite (the ``sqlite3`` module's own checks, e.g. a closed connection)."""
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if isinstance(code, int):
        return code & 0xFF
    text = str(exc).lower()
    return next((value for message, value in _MESSAGE_CODES if message in text), None)


def sqlite_error_name(exc: sqlite3.Error) -> str:
    """``SQLITE_BUSY``-style name of the error, for logs; ``"unknown"`` when SQLite did not raise it."""
    name = getattr(exc, "sqlite_errorname", None)
    if isinstance(name, str):
        return name
    code = sqlite_error_code(exc)
    return _CODE_NAMES.get(code, "unknown") if code is not None else "unknown"


def is_interrupt(exc: BaseException) -> bool:
    """Was this SQLite stopping a statement because ``Connection.interrupt()`` (or a progress handler) asked?"""
    return isinstance(exc, sqlite3.OperationalError) and sqlite_error_code(exc) == SQLITE_INTERRUPT


def is_environment_problem(exc: BaseException) -> bool:
    """True for SQLite errors the person can act on (locked, read-only, full, damaged, not a database);
    False for every other exception, SQLite's or not: those are bugs and are logged with their trace."""
    return isinstance(exc, sqlite3.Error) and sqlite_error_code(exc) in _ENVIRONMENT_CODES
