"""The working set (favourites in named lists, notes, history) as one CSV file a coder can carry to another
machine, and back. Qt-free.

The file has one row per entry::

    kind,list,code,text,when
    favourite,Cardiology,93000,,2026-03-01T09:12:00+00:00
    note,,99213,"check the time rule",2026-03-02T10:00:00+00:00
    history,,99213,,2026-03-02T10:01:00+00:00

Cells a spreadsheet would run as a formula (a note beginning with "=", "+", "-", "@") are written with a
leading apostrophe (see :func:`desktop_app.core.export.spreadsheet_safe`) and read back without it.

Reading is all or nothing: every row is checked first, a bad one names the file, the line and the cause,
and the user data is written in one transaction only when the whole file is good. Entries already present
are not duplicated; of two notes on one code the newer is kept.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from desktop_app.core.codedesk_files import WORKING_SET_HEADER
from desktop_app.core.database import transaction
from desktop_app.core.errors import ImportFileError
from desktop_app.core.grammar import normalize
from desktop_app.core.row_text import RowText, row_texts
from desktop_app.core.search import Hit
from desktop_app.core.spreadsheet import safe_row, spreadsheet_unsafe
from desktop_app.core.userdata import (
    HISTORY_LIMIT,
    FavouriteEntry,
    HistoryEntry,
    NoteEntry,
    UserData,
    check_list_name,
)

HEADER = WORKING_SET_HEADER
KINDS = ("favourite", "note", "history")
MAX_NOTE_CHARS = 20_000
MAX_ROWS = 100_000
_CODE_RE = re.compile(r"[A-Z0-9]{2,7}")


@dataclass
class WorkingSetRows:
    favourites: list[tuple[str, str, str]] = field(default_factory=list)  # (list, code, when)
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (code, text, when)
    history: list[tuple[str, str]] = field(default_factory=list)  # (code, when)


@dataclass(frozen=True)
class MergeSummary:
    favourites: int
    notes: int
    history: int
    lists: int

    def text(self) -> str:
        return (f"{self.favourites:,} favourite(s), {self.notes:,} note(s), {self.history:,} history entr"
                f"{'y' if self.history == 1 else 'ies'} added; {self.lists:,} new list(s)")


def working_set_rows(userdata: UserData) -> list[tuple[str, str, str, str, str]]:
    """Every entry as a CSV row (HEADER order): favourites by list, then notes, then history (oldest first)."""
    rows = [("favourite", f.list_name, f.code, "", f.added_at) for f in userdata.favourite_entries()]
    rows += [("note", "", n.code, n.text, n.updated_at) for n in userdata.note_entries()]
    rows += [("history", "", code, "", when) for code, when in userdata.conn.execute(
        "SELECT code, viewed_at FROM history ORDER BY id")]
    # Empty named lists travel too, as a favourite row without a code.
    used = {f.list_name for f in userdata.favourite_entries()}
    rows += [("favourite", name, "", "", "") for name in userdata.lists() if name not in used]
    return rows


def write_working_set(userdata: UserData, path: Path) -> int:
    """Write the working set to ``path`` (UTF-8 with a BOM, so spreadsheet programs read accents right)."""
    rows = working_set_rows(userdata)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(safe_row(row) for row in rows)
    return len(rows)


def _when(value: str, name: str, line: int) -> str:
    if not value.strip():
        return datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ImportFileError(name, f"'when' must be a date and time like 2026-03-01T09:12:00, not {value!r}",
                              line) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).isoformat(timespec="seconds")


def read_working_set(text: str, name: str) -> WorkingSetRows:
    """Parse and check a working-set CSV; raises ImportFileError naming the line of the first problem."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader, None)
        if header is None or tuple(h.strip().lower() for h in header) != HEADER:
            raise ImportFileError(name, f"the first line must be the columns {','.join(HEADER)}", 1)
        rows = WorkingSetRows()
        for row in reader:
            line = reader.line_num
            if line > MAX_ROWS + 1:
                raise ImportFileError(name, f"more than {MAX_ROWS:,} entries", line)
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(HEADER):
                raise ImportFileError(name, f"expected {len(HEADER)} columns, found {len(row)}", line)
            kind, list_name, raw_code, note_text, when = (spreadsheet_unsafe(cell) for cell in row)
            kind = kind.strip().lower()
            if kind not in KINDS:
                raise ImportFileError(name, f"kind must be one of {', '.join(KINDS)}, not {kind!r}", line)
            code = normalize(raw_code)
            if kind == "favourite" and not code:  # an empty named list
                try:
                    rows.favourites.append((check_list_name(list_name), "", ""))
                except ValueError as exc:
                    raise ImportFileError(name, str(exc), line) from None
                continue
            if not _CODE_RE.fullmatch(code):
                raise ImportFileError(name, f"{raw_code!r} is not a code", line)
            stamp = _when(when, name, line)
            if kind == "favourite":
                try:
                    rows.favourites.append((check_list_name(list_name), code, stamp))
                except ValueError as exc:
                    raise ImportFileError(name, str(exc), line) from None
            elif kind == "note":
                if not note_text.strip():
                    raise ImportFileError(name, "a note row needs its text", line)
                if len(note_text) > MAX_NOTE_CHARS:
                    raise ImportFileError(name, f"a note has at most {MAX_NOTE_CHARS:,} characters", line)
                rows.notes.append((code, note_text, stamp))
            else:
                rows.history.append((code, stamp))
    except csv.Error as exc:
        raise ImportFileError(name, f"not a readable CSV file ({exc})", reader.line_num) from None
    return rows


def merge_working_set(userdata: UserData, rows: WorkingSetRows) -> MergeSummary:
    """Add the entries to ``userdata`` in one transaction."""
    conn = userdata.conn
    before_lists = set(userdata.lists())
    counts = {"favourites": 0, "notes": 0, "history": 0}
    with transaction(conn):
        for list_name, code, when in rows.favourites:
            conn.execute("INSERT OR IGNORE INTO favourite_lists VALUES (?, ?)", (list_name, when or _when("", "", 0)))
            if code:
                counts["favourites"] += conn.execute("INSERT OR IGNORE INTO favourites VALUES (?, ?, ?)",
                                                     (list_name, code, when)).rowcount
        for code, note_text, when in rows.notes:
            counts["notes"] += conn.execute(
                "INSERT INTO notes VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET text = excluded.text, "
                "updated_at = excluded.updated_at WHERE excluded.updated_at > notes.updated_at "
                "AND excluded.text != notes.text", (code, note_text, when)).rowcount
        seen = {(c, w) for c, w in conn.execute("SELECT code, viewed_at FROM history")}
        for code, when in sorted(rows.history, key=lambda item: item[1]):
            if (code, when) not in seen:
                conn.execute("INSERT INTO history (code, viewed_at) VALUES (?, ?)", (code, when))
                seen.add((code, when))
                counts["history"] += 1
        conn.execute("DELETE FROM history WHERE id <= (SELECT max(id) FROM history) - ?", (HISTORY_LIMIT,))
    return MergeSummary(counts["favourites"], counts["notes"], counts["history"],
                        len(set(userdata.lists()) - before_lists))


def import_working_set(userdata: UserData, path: Path) -> MergeSummary:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(path.name, f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ImportFileError(path.name, f"cannot be read ({exc.strerror or exc})") from None
    return merge_working_set(userdata, read_working_set(text, path.name))


@dataclass(frozen=True)
class WorkingSetSnapshot:
    """Everything the working-set panel lists, read at once (in the window's worker, never the UI thread)."""

    lists: list[str]
    favourites: list[FavouriteEntry]
    notes: list[NoteEntry]
    history: list[HistoryEntry]
    titles: dict[str, Hit]  # the reference database's summary of each code listed
    # What each code's row says, as in the results list (core.row_text): the best official descriptor and
    # our summary, so that codes whose stored titles read alike (45384/45385) are told apart here too.
    texts: dict[str, RowText] = field(default_factory=dict)


def read_snapshot(userdata: UserData, summaries: Callable[[list[str]], dict[str, Hit]],
                  texts: Callable[[list[Hit]], dict[str, RowText]] | None = None) -> WorkingSetSnapshot:
    """Everything the panel lists. ``texts`` gives the rows' lines; when it is not passed and ``summaries``
    is a method of an object with a database connection (``CodeStore.summaries``, as the worker passes it),
    the lines are read from that connection."""
    favourites = userdata.favourite_entries()
    notes = userdata.note_entries()
    history = userdata.history_entries()
    codes = [f.code for f in favourites] + [n.code for n in notes] + [h.code for h in history]
    titles = summaries(codes)
    if texts is None:
        conn = getattr(getattr(summaries, "__self__", None), "conn", None)
        if isinstance(conn, sqlite3.Connection):
            def texts(hits: list[Hit]) -> dict[str, RowText]:
                return row_texts(conn, hits)
    lines = texts(list(titles.values())) if texts is not None and titles else {}
    return WorkingSetSnapshot(userdata.lists(), favourites, notes, history, titles, lines)
