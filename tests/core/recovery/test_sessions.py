"""core/recovery/sessions.py: a file's header is checked before SQLite is trusted with it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop_app.core.recovery.sessions import check_connection, header_problem


def test_header_problem(tmp_path: Path) -> None:
    assert header_problem(tmp_path / "absent.sqlite3") == ""
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    assert header_problem(tmp_path / "empty.sqlite3") == ""
    (tmp_path / "text.sqlite3").write_text("not a database, an invented note" * 10)
    assert header_problem(tmp_path / "text.sqlite3") == "its first page is not an SQLite header"
    good = tmp_path / "good.sqlite3"
    sqlite3.connect(good).execute("CREATE TABLE t (x)").connection.commit()
    assert header_problem(good) == ""
    data = bytearray(good.read_bytes())
    data[16:18] = (1000).to_bytes(2, "big")
    (tmp_path / "bad_page.sqlite3").write_bytes(bytes(data))
    assert "impossible page size (1000)" in header_problem(tmp_path / "bad_page.sqlite3")


def test_a_whole_database_passes_the_check(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "whole.sqlite3")
    conn.execute("CREATE TABLE t (x)")
    assert check_connection(conn, full=True) == ""
