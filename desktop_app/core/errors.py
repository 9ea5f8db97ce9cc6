"""Typed errors. A :class:`UserError` is something the person can fix (bad input, a broken file, a missing
database) and its message is written for them; anything else escaping the core is a bug."""

from __future__ import annotations

import re

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


class InvalidQuery(UserError):
    """A query that cannot mean anything (for example a range whose ends are different kinds of code)."""
