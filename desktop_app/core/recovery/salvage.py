"""Salvaging a damaged user database: everything still readable (favourites, notes, history, row by row) is
copied into a new file; and opening the user database with that repair."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from desktop_app.core.database import file_uri
from desktop_app.core.errors import DatabaseError
from desktop_app.core.recovery.rebuild import stale_wal_notice
from desktop_app.core.recovery.sessions import (
    check_connection,
    flagged_damage,
    header_problem,
    is_damage,
    set_aside,
    set_aside_stale_wal,
)
from desktop_app.core.userdata import DEFAULT_LIST, UserData, take_unsaved_notes

_SALVAGED_TABLES = {
    "favourite_lists": ("name", "created_at"),
    "favourites": ("list", "code", "added_at"),
    "notes": ("code", "text", "updated_at"),
    "history": ("code", "viewed_at"),
}


# What a version-1 user file holds instead: favourites with no list (they go to the default list).
_V1_FAVOURITES = ("code", "added_at")


def _table_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    try:
        return {str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")}
    except sqlite3.Error:
        return set()


@dataclass
class SalvageReport:
    path: Path
    set_aside_as: Path
    reason: str
    recovered: dict[str, int] = field(default_factory=dict)  # table -> rows recovered
    skipped: dict[str, int] = field(default_factory=dict)  # table -> unreadable stretches skipped

    def message(self) -> str:
        got = ", ".join(f"{self.recovered.get(t, 0)} {t}" for t in ("notes", "favourites", "history"))
        lost = sum(self.skipped.values())
        tail = f"; {lost} unreadable part(s) skipped" if lost else ""
        return (f"your notes and favourites file was damaged ({self.reason}); recovered {got}{tail}. "
                f"The damaged file is kept as {self.set_aside_as}")


def _readable_rows(conn: sqlite3.Connection, table: str,
                   columns: Sequence[str]) -> tuple[list[tuple[object, ...]], int]:
    """Every row of ``table`` that can be read, in rowid order, each read by its own seek (a scan would stop at
    the first unreadable page). Past an unreadable page the walk goes on from the smallest rowid that can be
    read again (found by growing steps, then bisection), so one damaged page costs only its own rows.
    Returns the rows and how many unreadable stretches were skipped."""
    rows: list[tuple[object, ...]] = []
    skipped = 0
    highest = 2**62
    one = f"SELECT rowid, {', '.join(columns)} FROM {table} WHERE rowid >= ? ORDER BY rowid LIMIT 1"

    def first_from(rowid: int) -> tuple[object, ...] | None:
        return tuple(conn.execute(one, (rowid,)).fetchone() or ()) or None

    def readable_from(rowid: int) -> bool:
        try:
            first_from(rowid)
        except sqlite3.DatabaseError:
            return False
        return True

    at = -(2**63)
    while len(rows) < 10_000_000:
        try:
            row = first_from(at)
        except sqlite3.DatabaseError:
            skipped += 1
            start = max(at, 0)
            if at < 0 and not readable_from(start) and not readable_from(highest):
                return rows, skipped  # the table's root page is unreadable: nothing to walk from
            bad, step = start, 1
            good = start + step
            while not readable_from(good):
                bad, step = good, step * 2
                good = start + step
                if good >= highest:
                    return rows, skipped
            while good - bad > 1:  # the smallest rowid from which rows can be read again
                middle = (bad + good) // 2
                if readable_from(middle):
                    good = middle
                else:
                    bad = middle
            at = good
            continue
        if row is None:
            break
        rows.append(row[1:])
        at = int(row[0]) + 1  # type: ignore[call-overload]
    return rows, skipped


def salvage_userdata(path: Path, reason: str) -> SalvageReport:
    """Set the damaged user database aside and copy everything readable into a new one at ``path``."""
    aside = set_aside(path)
    report = SalvageReport(path, aside, reason)
    found: dict[str, list[tuple[object, ...]]] = {}
    try:
        old = sqlite3.connect(file_uri(aside, "mode=ro"), uri=True)
        old.text_factory = lambda data: data.decode("utf-8", "replace")
        # A truncated file is refused outright unless the schema is "writable" (then SQLite reads the pages
        # that are there); the connection is read-only, so nothing can be written through it.
        old.execute("PRAGMA writable_schema = ON")
    except sqlite3.Error:
        old = None
    if old is not None:
        try:
            for table, columns in _SALVAGED_TABLES.items():
                if table == "favourites" and "list" not in _table_columns(old, table):
                    rows, report.skipped[table] = _readable_rows(old, table, _V1_FAVOURITES)
                    found[table] = [(DEFAULT_LIST, *row) for row in rows]
                elif table == "favourite_lists" and not _table_columns(old, table):
                    found[table] = []  # a version-1 file: its one list is made by the new file
                else:
                    found[table], report.skipped[table] = _readable_rows(old, table, columns)
        finally:
            old.close()
    fresh = UserData(path)
    try:
        for table, columns in _SALVAGED_TABLES.items():
            count = 0
            for row in found.get(table, []):
                if not all(isinstance(value, str) for value in row):
                    continue  # a damaged cell: not worth restoring as garbage
                try:
                    marks = ", ".join("?" * len(columns))
                    cur = fresh.conn.execute(
                        f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({marks})", row)
                except sqlite3.Error:
                    continue
                count += cur.rowcount
            report.recovered[table] = count
        # The lists are part of the favourites: the report counts favourites, notes and history.
        report.recovered.pop("favourite_lists", None)
        report.skipped.pop("favourite_lists", None)
        for (name, *_rest) in found.get("favourites", []):  # a list whose own row was on a damaged page
            if isinstance(name, str):
                with contextlib.suppress(sqlite3.Error):
                    fresh.conn.execute("INSERT OR IGNORE INTO favourite_lists VALUES (?, ?)",
                                       (name, datetime.now().isoformat(timespec="seconds")))
    finally:
        fresh.close()
    return report


def userdata_problem(path: Path) -> str:
    """'' when the user database at ``path`` is absent or whole; else what is wrong (the file is small, so the
    full ``integrity_check`` runs every time)."""
    if not path.exists():
        return ""
    flagged = flagged_damage(path)
    if flagged:
        return flagged
    problem = header_problem(path)
    if problem:
        return problem
    try:
        conn = sqlite3.connect(path)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        return check_connection(conn, full=True)
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        conn.close()


@dataclass
class OpenedUserData:
    userdata: UserData
    salvage: SalvageReport | None = None
    notes_restored: int = 0  # notes kept beside the file when the last session could not save them
    stale_wal: Path | None = None

    def messages(self) -> list[str]:
        told = [self.salvage.message()] if self.salvage else []
        if self.stale_wal is not None:
            told.append(stale_wal_notice(self.userdata.path, self.stale_wal))
        if self.notes_restored:
            told.append(f"{self.notes_restored} note(s) the last session could not save are saved now")
        return told


def open_userdata(path: Path) -> OpenedUserData:
    """Open the user database, salvaging it first if it is damaged, and save notes an earlier session could not;
    raises :class:`DatabaseError` when it cannot be opened at all."""
    stale = set_aside_stale_wal(path)
    problem = userdata_problem(path)
    report = salvage_userdata(path, problem) if problem else None
    try:
        userdata = UserData(path)
    except DatabaseError as exc:
        if report is not None or not is_damage(exc):
            raise
        report = salvage_userdata(path, str(exc))
        userdata = UserData(path)
    opened = OpenedUserData(userdata, report, stale_wal=stale)
    with contextlib.suppress(DatabaseError):  # an unreadable kept-notes file stays for the next start
        opened.notes_restored = take_unsaved_notes(userdata)
    return opened
