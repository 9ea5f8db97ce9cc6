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


def test_newer_schema_is_refused_with_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    raw.close()
    with pytest.raises(DatabaseError, match="newer CodeDesk"):
        connect(path)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(DatabaseError, match="cannot open the database"):
        CodeStore.open(path)


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
