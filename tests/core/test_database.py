"""The database layer: migrations, typed errors, transactions, user data kept apart."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.database import SCHEMA_VERSION, connect, default_userdata_path, transaction
from desktop_app.core.errors import DatabaseError, UserError
from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData


def test_new_database_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    conn = connect(tmp_path / "new.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused_with_a_user_error(db_path: Path) -> None:
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    raw.close()
    with pytest.raises(DatabaseError, match=f"{db_path.name} was written by a newer CodeDesk"):
        connect(db_path)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(DatabaseError, match="not an SQLite file"):
        CodeStore.open(path)


def test_another_programs_sqlite_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE bookmarks (url TEXT)")
    raw.close()
    with pytest.raises(DatabaseError, match="not a CodeDesk database"):
        CodeStore.open(path)
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("bookmarks",)]


def test_the_user_data_file_is_not_taken_for_the_reference(db_path: Path) -> None:
    UserData(default_userdata_path(db_path)).close()
    with pytest.raises(DatabaseError, match="not a CodeDesk database"):
        CodeStore.open(default_userdata_path(db_path))


def test_a_damaged_database_is_a_user_error(db_path: Path) -> None:
    with db_path.open("r+b") as fh:  # overwrite part of the schema page
        fh.seek(100)
        fh.write(b"\xff" * 400)
    with pytest.raises(DatabaseError, match=r"damaged|not a CodeDesk database"):
        CodeStore.open(db_path).search("knee")


def test_read_only_folder_opens_read_only(db_path: Path) -> None:
    import os

    os.chmod(db_path, 0o444)
    os.chmod(db_path.parent, 0o555)
    try:
        if os.access(db_path.parent, os.W_OK):
            pytest.skip("running as root: permissions do not make a folder read-only here")
        store = CodeStore.open(db_path)
        assert store.search("3074F").hits
        store.close()
    finally:
        os.chmod(db_path.parent, 0o755)
        os.chmod(db_path, 0o644)


def test_missing_database_in_readonly_mode(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no database"):
        connect(tmp_path / "nope.sqlite3", readonly=True)


def test_transaction_rolls_back_everything(store: CodeStore) -> None:
    before = store.conn.execute("SELECT count(*) FROM codes").fetchone()[0]
    with pytest.raises(RuntimeError), transaction(store.conn):
        store.conn.execute("DELETE FROM code_fts")
        store.conn.execute("DELETE FROM codes")
        raise RuntimeError("simulated failure half way")
    assert store.conn.execute("SELECT count(*) FROM codes").fetchone()[0] == before
    assert store.search("3074F").hits


def test_user_data_lives_in_its_own_file(db_path: Path) -> None:
    user = UserData(default_userdata_path(db_path))
    user.set_favourite("3074F", True)
    user.set_note("3074F", "check the chart for the latest reading")
    user.record_view("99213")
    user.record_view("3074F")
    user.record_view("99213")
    assert user.path != db_path
    assert user.favourites() == ["3074F"]
    assert user.note("3074F").startswith("check")
    assert user.recent() == ["99213", "3074F"]
    user.close()
    reopened = UserData(default_userdata_path(db_path))
    assert reopened.is_favourite("3074F")


def test_read_only_open_searches_without_writing(db_path: Path) -> None:
    before = db_path.read_bytes()
    store = CodeStore.open(db_path, readonly=True)
    assert store.search("3074F").hits[0].code == "3074F"
    store.close()
    assert db_path.read_bytes() == before


def test_a_version_1_database_is_migrated_and_its_reference_refreshed(tmp_path: Path) -> None:
    from desktop_app.core.database import MIGRATIONS

    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[0](raw)
    raw.execute("PRAGMA user_version = 1")
    raw.execute("INSERT INTO meta VALUES ('bundle_hash', 'from an older CodeDesk')")
    raw.close()
    store = CodeStore.open(path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.conn.execute("SELECT common FROM codes WHERE code = '99213'").fetchone()[0] == 1
    store.close()


def test_the_expected_tables_are_those_a_new_database_holds(tmp_path: Path) -> None:
    """EXPECTED_TABLES is read from the schema scripts; a fresh database at SCHEMA_VERSION has exactly those
    (FTS5's own shadow tables aside), and dropping one is reported."""
    from desktop_app.core.database import EXPECTED_TABLES, missing_tables

    conn = connect(tmp_path / "fresh.sqlite3")
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {n for n in names if not n.startswith("code_fts_")} == EXPECTED_TABLES
        assert missing_tables(conn) == []
        conn.execute("DROP TABLE measure_codes")
        assert missing_tables(conn) == ["measure_codes"]
    finally:
        conn.close()
