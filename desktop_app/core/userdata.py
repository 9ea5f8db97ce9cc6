"""User data: favourites (in named lists), notes and history. A separate SQLite file, so no import or
reference rebuild can ever touch it.

Version 1 files (one unnamed favourites list) are upgraded in place on open: their favourites land in the
list called :data:`DEFAULT_LIST`, nothing else changes.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import ParamSpec, TypeVar

from desktop_app.core.database import transaction
from desktop_app.core.errors import DatabaseError

DEFAULT_LIST = "Favourites"
MAX_LIST_NAME = 80
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS favourite_lists (name TEXT PRIMARY KEY, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS favourites (list TEXT NOT NULL, code TEXT NOT NULL, added_at TEXT NOT NULL, "
    "PRIMARY KEY (list, code))",
    "CREATE TABLE IF NOT EXISTS notes (code TEXT PRIMARY KEY, text TEXT NOT NULL, updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY, code TEXT NOT NULL, viewed_at TEXT NOT NULL)",
)
USERDATA_VERSION = 2
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


@dataclass(frozen=True)
class FavouriteEntry:
    list_name: str
    code: str
    added_at: str


@dataclass(frozen=True)
class NoteEntry:
    code: str
    text: str
    updated_at: str


@dataclass(frozen=True)
class HistoryEntry:
    code: str
    viewed_at: str  # the latest view
    views: int


def _upgrade_v1(conn: sqlite3.Connection) -> None:
    """Version 1 kept one list: ``favourites(code PRIMARY KEY, added_at)``. Its rows go to DEFAULT_LIST."""
    columns = [r[1] for r in conn.execute("PRAGMA table_info(favourites)")]
    if columns and "list" not in columns:
        conn.execute("ALTER TABLE favourites RENAME TO favourites_v1")
        conn.execute(_SCHEMA[1])
        conn.execute("INSERT INTO favourites (list, code, added_at) SELECT ?, code, added_at FROM favourites_v1",
                     (DEFAULT_LIST,))
        conn.execute("DROP TABLE favourites_v1")


def lists_in_order(names: Iterable[str]) -> list[str]:
    """Favourite lists as every view names them: the default list first, then by name (case ignored)."""
    ordered = sorted(set(names), key=str.casefold)
    return [n for n in ordered if n == DEFAULT_LIST] + [n for n in ordered if n != DEFAULT_LIST]


def check_list_name(name: str) -> str:
    """A list name as stored: trimmed, one line, not empty, at most MAX_LIST_NAME characters."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValueError("a list needs a name")
    if len(cleaned) > MAX_LIST_NAME:
        raise ValueError(f"a list name has at most {MAX_LIST_NAME} characters")
    return cleaned


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
                if version == 1:
                    _upgrade_v1(conn)
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.execute("INSERT OR IGNORE INTO favourite_lists VALUES (?, ?)", (DEFAULT_LIST, _now()))
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

    @_user_errors
    def set_busy_timeout(self, milliseconds: int) -> None:
        """How long a write waits for another program's lock before it is refused (and told, and retried)."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")

    # favourites
    @_user_errors
    def is_favourite(self, code: str) -> bool:
        """In any list."""
        return self.conn.execute("SELECT 1 FROM favourites WHERE code = ?", (code,)).fetchone() is not None

    @_user_errors
    def lists_of(self, code: str) -> list[str]:
        """The lists ``code`` is in, the default list first, then by name."""
        return lists_in_order(r[0] for r in self.conn.execute("SELECT list FROM favourites WHERE code = ?", (code,)))

    @_user_errors
    def set_favourite(self, code: str, on: bool, list_name: str | None = None) -> None:
        """Add ``code`` to ``list_name`` (default: the Favourites list); remove it from that list, or from
        every list when ``list_name`` is None."""
        if on:
            name = check_list_name(list_name or DEFAULT_LIST)
            with transaction(self.conn):
                self.conn.execute("INSERT OR IGNORE INTO favourite_lists VALUES (?, ?)", (name, _now()))
                self.conn.execute("INSERT OR IGNORE INTO favourites VALUES (?, ?, ?)", (name, code, _now()))
        elif list_name is None:
            self.conn.execute("DELETE FROM favourites WHERE code = ?", (code,))
        else:
            self.conn.execute("DELETE FROM favourites WHERE list = ? AND code = ?", (list_name, code))

    @_user_errors
    def favourites(self) -> list[str]:
        """Codes in any list, each once, in the order they were first added."""
        return [r[0] for r in self.conn.execute(
            "SELECT code FROM favourites GROUP BY code ORDER BY min(added_at), code")]

    @_user_errors
    def favourite_entries(self, list_name: str | None = None) -> list[FavouriteEntry]:
        sql = "SELECT list, code, added_at FROM favourites"
        params: tuple[str, ...] = ()
        if list_name is not None:
            sql += " WHERE list = ?"
            params = (list_name,)
        return [FavouriteEntry(*r) for r in self.conn.execute(sql + " ORDER BY list, added_at, code", params)]

    @_user_errors
    def lists(self) -> list[str]:
        """Names of the favourite lists, the default list first."""
        names = [r[0] for r in self.conn.execute("SELECT name FROM favourite_lists ORDER BY name COLLATE NOCASE")]
        return [DEFAULT_LIST] + [n for n in names if n != DEFAULT_LIST]

    @_user_errors
    def create_list(self, name: str) -> str:
        name = check_list_name(name)
        self.conn.execute("INSERT OR IGNORE INTO favourite_lists VALUES (?, ?)", (name, _now()))
        return name

    @_user_errors
    def rename_list(self, old: str, new: str) -> str:
        new = check_list_name(new)
        if old == DEFAULT_LIST:
            raise ValueError(f"the {DEFAULT_LIST} list keeps its name")
        if new != old and new in self.lists():
            raise ValueError(f"there is already a list called {new}")
        with transaction(self.conn):
            self.conn.execute("UPDATE favourite_lists SET name = ? WHERE name = ?", (new, old))
            self.conn.execute("UPDATE favourites SET list = ? WHERE list = ?", (new, old))
        return new

    @_user_errors
    def delete_list(self, name: str) -> None:
        """Delete a list and its entries (the Favourites list is only emptied)."""
        with transaction(self.conn):
            self.conn.execute("DELETE FROM favourites WHERE list = ?", (name,))
            if name != DEFAULT_LIST:
                self.conn.execute("DELETE FROM favourite_lists WHERE name = ?", (name,))

    # notes
    @_user_errors
    def note(self, code: str) -> str:
        row = self.conn.execute("SELECT text FROM notes WHERE code = ?", (code,)).fetchone()
        return row[0] if row else ""

    @_user_errors
    def set_note(self, code: str, text: str, updated_at: str | None = None) -> None:
        if text.strip():
            self.conn.execute("INSERT OR REPLACE INTO notes VALUES (?, ?, ?)", (code, text, updated_at or _now()))
        else:
            self.conn.execute("DELETE FROM notes WHERE code = ?", (code,))

    @_user_errors
    def note_entries(self) -> list[NoteEntry]:
        return [NoteEntry(*r) for r in self.conn.execute(
            "SELECT code, text, updated_at FROM notes ORDER BY updated_at DESC, code")]

    # history
    @_user_errors
    def record_view(self, code: str, viewed_at: str | None = None) -> None:
        with transaction(self.conn):
            self.conn.execute("INSERT INTO history (code, viewed_at) VALUES (?, ?)", (code, viewed_at or _now()))
            self.conn.execute("DELETE FROM history WHERE id <= (SELECT max(id) FROM history) - ?",
                              (HISTORY_LIMIT,))

    @_user_errors
    def recent(self, limit: int = 20) -> list[str]:
        """Most recently viewed codes, newest first, each once."""
        return [r[0] for r in self.conn.execute(
            "SELECT code FROM history GROUP BY code ORDER BY max(id) DESC LIMIT ?", (limit,))]

    @_user_errors
    def history_entries(self, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
        """Each code viewed, newest first: when it was last viewed and how often."""
        return [HistoryEntry(*r) for r in self.conn.execute(
            "SELECT code, max(viewed_at), count(*) FROM history GROUP BY code ORDER BY max(id) DESC LIMIT ?",
            (limit,))]

    @_user_errors
    def remove_history(self, code: str) -> None:
        self.conn.execute("DELETE FROM history WHERE code = ?", (code,))

    @_user_errors
    def clear_history(self) -> None:
        self.conn.execute("DELETE FROM history")

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
