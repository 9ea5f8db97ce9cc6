"""User data: favourites, notes and history. A separate SQLite file, so no import or reference rebuild
can ever touch it."""

from __future__ import annotations

import functools
import json
import os
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import ParamSpec, TypeVar

from desktop_app.core.database import transaction
from desktop_app.core.errors import DatabaseError

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS favourites (code TEXT PRIMARY KEY, added_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS notes (code TEXT PRIMARY KEY, text TEXT NOT NULL, updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY, code TEXT NOT NULL, viewed_at TEXT NOT NULL)",
)
USERDATA_VERSION = 1
HISTORY_LIMIT = 500


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _user_errors(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """SQLite errors (a damaged, locked or full disk file) become a :class:`DatabaseError` with a message for
    people, so the window can show it and keep going; a raw ``sqlite3`` error would be a traceback."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            raise DatabaseError(f"your notes and favourites file could not be used ({exc})") from exc

    return wrapper


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class UserData:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        conn: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode = WAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > USERDATA_VERSION:
                raise DatabaseError(f"{self.path} was written by a newer CodeDesk")
            with transaction(conn):
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {USERDATA_VERSION}")
        except (sqlite3.DatabaseError, OSError, DatabaseError) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, DatabaseError):
                raise
            raise DatabaseError(f"cannot open your user data {self.path}: {exc}") from exc
        self.conn = conn

    @_user_errors
    def close(self) -> None:
        self.conn.close()

    # favourites
    @_user_errors
    def is_favourite(self, code: str) -> bool:
        return self.conn.execute("SELECT 1 FROM favourites WHERE code = ?", (code,)).fetchone() is not None

    @_user_errors
    def set_favourite(self, code: str, on: bool) -> None:
        if on:
            self.conn.execute("INSERT OR IGNORE INTO favourites VALUES (?, ?)", (code, _now()))
        else:
            self.conn.execute("DELETE FROM favourites WHERE code = ?", (code,))

    @_user_errors
    def favourites(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT code FROM favourites ORDER BY added_at, code")]

    # notes
    @_user_errors
    def note(self, code: str) -> str:
        row = self.conn.execute("SELECT text FROM notes WHERE code = ?", (code,)).fetchone()
        return row[0] if row else ""

    @_user_errors
    def set_note(self, code: str, text: str) -> None:
        if text.strip():
            self.conn.execute("INSERT OR REPLACE INTO notes VALUES (?, ?, ?)", (code, text, _now()))
        else:
            self.conn.execute("DELETE FROM notes WHERE code = ?", (code,))

    # history
    @_user_errors
    def record_view(self, code: str) -> None:
        with transaction(self.conn):
            self.conn.execute("INSERT INTO history (code, viewed_at) VALUES (?, ?)", (code, _now()))
            self.conn.execute("DELETE FROM history WHERE id <= (SELECT max(id) FROM history) - ?",
                              (HISTORY_LIMIT,))

    @_user_errors
    def recent(self, limit: int = 20) -> list[str]:
        """Most recently viewed codes, newest first, each once."""
        return [r[0] for r in self.conn.execute(
            "SELECT code FROM history GROUP BY code ORDER BY max(id) DESC LIMIT ?", (limit,))]


def unsaved_notes_path(path: Path) -> Path:
    return path.with_name(path.name + ".unsaved-notes.json")


def keep_unsaved_notes(path: Path, notes: dict[str, str]) -> Path:
    """Notes the user database refused until the window closed: written beside it (merged with any kept
    before), to be saved into it at the next start (:func:`take_unsaved_notes`)."""
    target = unsaved_notes_path(path)
    kept: dict[str, str] = {}
    try:
        loaded = json.loads(target.read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            kept = {str(k): str(v) for k, v in loaded.items()}
    except (OSError, ValueError):
        pass
    kept.update(notes)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(kept, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(partial, target)
    return target


def take_unsaved_notes(userdata: UserData) -> int:
    """Save notes kept by :func:`keep_unsaved_notes` into ``userdata``; the file goes once they are in.
    Returns how many were saved."""
    source = unsaved_notes_path(userdata.path)
    try:
        loaded = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return 0
    except (OSError, ValueError) as exc:
        raise DatabaseError(f"cannot read the notes kept from the last session in {source}: {exc}") from exc
    notes = {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
    with transaction(userdata.conn):
        for code, text in notes.items():
            userdata.conn.execute("INSERT OR REPLACE INTO notes VALUES (?, ?, ?)", (code, text, _now()))
    source.unlink()
    return len(notes)
