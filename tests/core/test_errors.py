"""SQLite errors are sorted by their result code, not their text: the person's problems from CodeDesk's bugs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.database import connect, database_problem
from desktop_app.core.errors import (
    SQLITE_BUSY,
    SQLITE_CORRUPT,
    SQLITE_ERROR,
    SQLITE_INTERRUPT,
    SQLITE_NOTADB,
    SQLITE_READONLY,
    DatabaseError,
    is_environment_problem,
    is_interrupt,
    sqlite_error_code,
    sqlite_error_name,
)


def raised(action: object) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as info:
        action()  # type: ignore[operator]
    return info.value


def test_locked_database_is_the_users_problem(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        exc = raised(lambda: other.execute("BEGIN IMMEDIATE"))
    finally:
        other.close()
        holder.execute("ROLLBACK")
        holder.close()
    assert sqlite_error_code(exc) == SQLITE_BUSY and sqlite_error_name(exc) == "SQLITE_BUSY"
    assert is_environment_problem(exc) and not is_interrupt(exc)
    assert "in use by another program" in database_problem(path, exc)


def test_sql_mistake_is_a_bug() -> None:
    conn = sqlite3.connect(":memory:")
    for statement in ("SELEC 1", "SELECT * FROM no_such_table"):
        exc = raised(lambda s=statement: conn.execute(s))  # type: ignore[misc]
        assert sqlite_error_code(exc) == SQLITE_ERROR
        assert not is_environment_problem(exc)


def test_constraint_violation_is_a_bug() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x PRIMARY KEY)")
    conn.execute("INSERT INTO t VALUES (1)")
    exc = raised(lambda: conn.execute("INSERT INTO t VALUES (1)"))
    assert sqlite_error_name(exc).startswith("SQLITE_CONSTRAINT") or sqlite_error_name(exc) == "unknown"
    assert not is_environment_problem(exc)


def test_interrupt_is_recognised_by_code() -> None:
    conn = sqlite3.connect(":memory:")
    conn.set_progress_handler(lambda: 1, 1)  # a non-zero return stops the statement as interrupt() does
    exc = raised(lambda: conn.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                                      "SELECT count(*) FROM n").fetchone())
    assert sqlite_error_code(exc) == SQLITE_INTERRUPT and is_interrupt(exc)
    assert not is_environment_problem(exc)


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(DatabaseError, match="not an SQLite file"):
        connect(path)


def test_errors_from_the_sqlite3_module_itself_are_bugs() -> None:
    conn = sqlite3.connect(":memory:")
    conn.close()
    exc = raised(lambda: conn.execute("SELECT 1"))
    assert sqlite_error_code(exc) is None and sqlite_error_name(exc) == "unknown"
    assert not is_environment_problem(exc)


@pytest.mark.parametrize(("message", "code"), [
    ("database is locked", SQLITE_BUSY),
    ("attempt to write a readonly database", SQLITE_READONLY),
    ("database disk image is malformed", SQLITE_CORRUPT),
    ("file is not a database", SQLITE_NOTADB),
    ("interrupted", SQLITE_INTERRUPT),
    ("near \"SELEC\": syntax error", None),
])
def test_python_3_10_fallback_reads_sqlites_own_texts(message: str, code: int | None) -> None:
    """Python 3.10's exceptions carry no code; an exception built by hand has none either."""
    exc = sqlite3.OperationalError(message)
    assert getattr(exc, "sqlite_errorcode", None) is None
    assert sqlite_error_code(exc) == code
    assert is_environment_problem(exc) == (code not in (None, SQLITE_INTERRUPT))


def test_non_sqlite_exceptions_are_not_environment_problems() -> None:
    assert not is_environment_problem(OSError("disk"))
    assert not is_interrupt(RuntimeError("interrupted"))
