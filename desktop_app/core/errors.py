"""Typed errors. A :class:`UserError` is something the person can fix (bad input, a broken file, a missing
database) and its message is written for them; anything else escaping the core is a bug."""

from __future__ import annotations


class CodeDeskError(Exception):
    """Base class of every error CodeDesk raises on purpose."""


class UserError(CodeDeskError):
    """A problem the user can act on. ``str(error)`` is a complete, one-line message for them."""


class DatabaseError(UserError):
    """The database file is missing, unreadable, locked, corrupt or from a newer CodeDesk."""


class ImportFileError(UserError):
    """A file could not be imported. Names the file, the line (when there is one) and what was wrong."""

    def __init__(self, file_name: str, reason: str, line: int | None = None) -> None:
        self.file_name = file_name
        self.line = line
        self.reason = reason
        where = f"{file_name}, line {line}" if line is not None else file_name
        super().__init__(f"{where}: {reason}")


class ImportCancelled(CodeDeskError):
    """The user cancelled an import; the transaction was rolled back."""


class InvalidQuery(UserError):
    """A query that cannot mean anything (for example a range whose ends are different kinds of code)."""
