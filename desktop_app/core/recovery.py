"""Damage detected and survived: checks when a database opens, kept copies of imported files, rebuilding a
damaged reference database from them, and salvaging what is readable from a damaged user database.

* **Sessions.** Each process that opens a database leaves a marker beside it (``<db>.open-<pid>``) and removes
  it when it closes cleanly. A marker whose process is gone means a session ended uncleanly (killed, crashed,
  power lost): a full ``integrity_check`` is then due (in the background in the window), and stays due until
  it has passed. A ``-wal`` with no ``-shm`` is stale and set aside before SQLite can replay it.
* **Cheap checks.** At every open the file header is read and ``PRAGMA quick_check`` runs on a small time
  budget; a damage the budget did not reach is found by the full check.
* **Kept imports.** Every successful import leaves a compressed copy of its files (``<db stem>-imports/NNNN.zip``
  with a ``NNNN.json`` naming the sources it made) so a rebuild needs nothing from the user; removing a
  source drops it from its copy, and a copy with no sources left is deleted.
* **Rebuild.** A damaged reference database is renamed with a timestamp, built again from the bundle, and every
  kept import is read again.
* **Salvage.** A damaged user database is renamed with a timestamp and everything still readable (favourites,
  notes, history row by row, skipping unreadable pages) is copied into a new one.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.errors import CodeDeskError, DatabaseError, printable
from desktop_app.core.userdata import DEFAULT_LIST, UserData, take_unsaved_notes

ProgressFn = Callable[[str, int, int], None]  # message, done, total (0 when unknown)

if TYPE_CHECKING:
    from desktop_app.core.store import CodeStore

SQLITE_HEADER = b"SQLite format 3\x00"
QUICK_CHECK_SECONDS = 0.1  # the open-time check; a bigger database is finished by the background check
KEPT_SUFFIX = "-imports"
_MARKER = ".open-"
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


# --- sessions and checks -----------------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would end the process there
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process
    return True


@dataclass
class Session:
    """This process's marker beside a database. ``unclean`` says why the previous session looks unfinished
    ('' when it ended cleanly)."""

    path: Path
    unclean: str = ""
    marker: Path | None = None

    @classmethod
    def begin(cls, path: Path | str) -> Session:
        path = Path(path)
        session = cls(path)
        # Only markers count: a -wal beside the file may belong to a connection that is open right now (another
        # program, or this one), so its presence says nothing about how the last session ended.
        for marker in path.parent.glob(path.name + _MARKER + "*"):
            pid_text = marker.name.rsplit("-", 1)[-1]
            if pid_text.isdigit() and _pid_alive(int(pid_text)):
                continue
            session.unclean = session.unclean or "CodeDesk did not close normally last time"
            with contextlib.suppress(OSError):
                marker.unlink()
        pending = check_pending_flag(path)
        if pending.exists():
            session.unclean = session.unclean or "the full check after an earlier unclean end never finished"
        elif session.unclean and os.access(path.parent, os.W_OK):
            # Until the full check has passed, later sessions must run it too.
            with contextlib.suppress(OSError):
                pending.write_text(session.unclean + "\n", encoding="utf-8")
        with contextlib.suppress(OSError):  # a first start: the folder is made here, so the marker is left too
            path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent.is_dir() and os.access(path.parent, os.W_OK):
            marker = path.with_name(f"{path.name}{_MARKER}{os.getpid()}")
            try:
                marker.touch()
                session.marker = marker
            except OSError:
                pass
        return session

    def end(self) -> None:
        if self.marker is not None:
            with contextlib.suppress(OSError):
                self.marker.unlink()
            self.marker = None


def set_aside_stale_wal(path: Path) -> Path | None:
    """A ``-wal`` with no ``-shm`` beside it is stale: every open WAL connection keeps a ``-shm``, a crash
    leaves both, a clean close removes both. So it was copied there (from a backup, with an older database) and
    replaying it would bring back older data over newer (removed sources, rolled-back notes). It is renamed to
    ``<name>-wal.stale-<timestamp>`` before SQLite can replay it; returns the new name, or None."""
    wal = path.with_name(path.name + "-wal")
    shm = path.with_name(path.name + "-shm")
    try:
        if not wal.exists() or wal.stat().st_size == 0 or shm.exists() or not path.exists():
            return None
        target = wal.with_name(f"{wal.name}.stale-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
        wal.rename(target)
    except OSError:
        return None
    return target


def check_pending_flag(path: Path) -> Path:
    return path.with_name(path.name + ".check-pending")


def check_passed(path: Path) -> None:
    """The full check found nothing: later sessions need not run it."""
    with contextlib.suppress(OSError):
        check_pending_flag(path).unlink()


def header_problem(path: Path) -> str:
    """'' when ``path`` is absent, empty or starts like an SQLite file; else what is wrong with its header."""
    try:
        with path.open("rb") as handle:
            head = handle.read(100)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return f"cannot read it ({exc.strerror or exc})"
    if not head:
        return ""
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        return "its first page is not an SQLite header"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"its header names an impossible page size ({page_size})"
    return ""


def check_connection(conn: sqlite3.Connection, *, full: bool = False, budget: float = QUICK_CHECK_SECONDS) -> str:
    """'' when the database looks whole, else SQLite's first complaint. ``full`` runs ``integrity_check``
    without a time limit; otherwise ``quick_check`` stops after ``budget`` seconds (finding nothing)."""
    deadline = time.monotonic() + budget
    if not full:
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        rows = conn.execute("PRAGMA integrity_check(5)" if full else "PRAGMA quick_check(5)").fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc):
            return ""  # out of budget (or stopped): nothing found in what was read
        return str(exc)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        if not full:
            conn.set_progress_handler(None, 0)
    found = [str(row[0]) for row in rows]
    if found == ["ok"]:
        return ""
    lines = [line.strip() for text in found for line in text.splitlines()]
    return "; ".join(line for line in lines if line and not line.startswith("***"))


def full_check(path: Path | str) -> str:
    """The full ``integrity_check`` on a connection of its own."""
    result = FullCheck(Path(path)).run()
    return result or ""


class FullCheck:
    """The full ``integrity_check`` of one file, on its own read-only connection, that another thread can stop
    (the window runs it in the background after an unclean end)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._stopped = False

    def run(self) -> str | None:
        """'' when whole, else the damage found; None when stopped before it finished."""
        try:
            conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            return str(exc)
        self._conn = conn
        try:
            if self._stopped:
                return None
            problem = check_connection(conn, full=True)
            return None if self._stopped else problem
        finally:
            self._conn = None
            conn.close()

    def stop(self) -> None:
        self._stopped = True
        conn = self._conn
        if conn is not None:
            conn.interrupt()


def is_damage(exc: BaseException | str) -> bool:
    """Is this SQLite error (or its message) a damaged file (rather than locked, read-only or missing)?"""
    text = str(exc)
    return any(word in text for word in ("malformed", "corrupt", "not a database", "disk image"))


def damage_flag(path: Path) -> Path:
    return path.with_name(path.name + ".damaged")


def mark_damaged(path: Path, reason: str) -> None:
    """Remember that the background check found damage: the next open sets the file aside and repairs it."""
    with contextlib.suppress(OSError):
        damage_flag(path).write_text(reason + "\n", encoding="utf-8")


def flagged_damage(path: Path) -> str:
    try:
        return damage_flag(path).read_text(encoding="utf-8").strip() or "damage was found"
    except OSError:
        return ""


def set_aside(path: Path) -> Path:
    """Rename a damaged database (with its -wal and -shm) to ``<name>.damaged-<timestamp>``; returns the name."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    with contextlib.suppress(OSError):
        damage_flag(path).unlink()
    return target


# --- kept copies of imported files -------------------------------------------------------------------------


def kept_imports_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + KEPT_SUFFIX)


def database_file(conn: sqlite3.Connection) -> Path | None:
    """The file behind ``conn`` (None for an in-memory database)."""
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return Path(row[2]) if row[2] else None
    return None


@dataclass(frozen=True)
class KeptImport:
    archive: Path
    manifest: Path
    sources: list[dict[str, str]]  # kind, release, name, file_name, sha256
    files: list[str]
    kept_at: str


def kept_imports(db_path: Path) -> list[KeptImport]:
    folder = kept_imports_dir(db_path)
    found = []
    for manifest in sorted(folder.glob("*.json")):
        archive = manifest.with_suffix(".zip")
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if archive.exists() and isinstance(data, dict):
            found.append(KeptImport(archive, manifest, list(data.get("sources", [])), list(data.get("files", [])),
                                    str(data.get("kept_at", ""))))
    return found


def _source_key(source: dict[str, str]) -> tuple[str, str]:
    return (str(source.get("kind", "")), str(source.get("release", "")))


def keep_import(conn: sqlite3.Connection, paths: Sequence[Path], source_ids: Sequence[int]) -> Path | None:
    """Keep a compressed copy of the files of a committed import, with the sources it made, beside the
    database. An earlier copy's claim to a source this import replaced is dropped. Returns the archive."""
    from desktop_app.core.importers import SUPPORTED_EXTENSIONS
    from desktop_app.core.importers.limits import MAX_FILE_BYTES

    db_path = database_file(conn)
    if db_path is None or not source_ids:
        return None
    rows = conn.execute(
        f"SELECT kind, release, name, file_name, sha256 FROM sources WHERE id IN ({','.join('?' * len(source_ids))})",
        list(source_ids)).fetchall()
    sources = [{"kind": r[0], "release": r[1], "name": r[2], "file_name": r[3], "sha256": r[4]} for r in rows]
    if not sources:
        return None
    folder = kept_imports_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.stem) for p in folder.glob("*.zip") if p.stem.isdigit()]
    stem = f"{max(numbers, default=0) + 1:04d}"
    archive = folder / f"{stem}.zip"
    partial = folder / f"{stem}.zip.partial"
    names: list[str] = []
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for index, path in enumerate(paths):
            path = Path(path)
            top = f"{index}/{path.name}"
            names.append(top)
            if path.is_dir():
                # Only what an import can read (a release folder also holds PDFs; a big folder holds anything).
                for child in sorted(path.rglob("*")):
                    if (child.is_file() and child.suffix.lower() in SUPPORTED_EXTENSIONS
                            and child.stat().st_size <= MAX_FILE_BYTES):
                        out.write(child, f"{top}/{child.relative_to(path).as_posix()}")
            else:
                out.write(path, top)
    os.replace(partial, archive)
    manifest = {"kept_at": datetime.now().isoformat(timespec="seconds"), "files": names, "sources": sources,
                "original_paths": [printable(str(p)) for p in paths]}
    (folder / f"{stem}.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    replaced = {_source_key(s) for s in sources}
    for kept in kept_imports(db_path):
        if kept.archive != archive:
            _drop_sources(kept, replaced)
    return archive


def _drop_sources(kept: KeptImport, keys: set[tuple[str, str]]) -> None:
    remaining = [s for s in kept.sources if _source_key(s) not in keys]
    if len(remaining) == len(kept.sources):
        return
    if not remaining:
        for path in (kept.manifest, kept.archive):
            with contextlib.suppress(OSError):
                path.unlink()
        return
    data = json.loads(kept.manifest.read_text(encoding="utf-8"))
    data["sources"] = remaining
    kept.manifest.write_text(json.dumps(data, indent=1), encoding="utf-8")


def forget_kept_source(db_path: Path | None, kind: str, release: str) -> None:
    """A source was removed: its kept copy no longer brings it back."""
    if db_path is None:
        return
    for kept in kept_imports(db_path):
        with contextlib.suppress(OSError, ValueError):
            _drop_sources(kept, {(kind, release)})


# --- rebuilding the reference database ---------------------------------------------------------------------


@dataclass
class RebuildReport:
    path: Path
    set_aside_as: Path | None
    reason: str
    restored: list[str] = field(default_factory=list)  # source names read again from kept copies
    failed: list[str] = field(default_factory=list)

    def message(self) -> str:
        old = f"; the damaged file is kept as {self.set_aside_as}" if self.set_aside_as else ""
        restored = (f"{len(self.restored)} imported source(s) restored from kept copies"
                    if self.restored else "no kept imports to restore")
        failed = f"; could not restore: {'; '.join(self.failed)}" if self.failed else ""
        return (f"the database {printable(str(self.path))} was damaged ({self.reason}); rebuilt from the bundled "
                f"reference, {restored}{old}{failed}")


def restore_kept(conn: sqlite3.Connection, kept_list: Sequence[KeptImport],
                 progress: ProgressFn | None = None) -> tuple[list[str], list[str]]:
    """Import kept copies again (in order), then remove any source the copy no longer stands for."""
    from desktop_app.core.importers import import_paths, remove_source

    restored: list[str] = []
    failed: list[str] = []
    for kept in kept_list:
        wanted = {_source_key(s) for s in kept.sources}
        try:
            with tempfile.TemporaryDirectory(prefix="codedesk-restore-") as tmp:
                with zipfile.ZipFile(kept.archive) as archive:
                    archive.extractall(tmp)
                paths = [Path(tmp) / name for name in kept.files]
                summaries = import_paths(conn, paths, progress=progress)
            for summary in summaries:
                row = conn.execute("SELECT kind, release, name FROM sources WHERE id = ?",
                                   (summary.source_id,)).fetchone()
                if row is None:
                    continue
                if (row[0], row[1]) in wanted:
                    restored.append(row[2] if row[1] in row[2] else f"{row[2]} {row[1]}".strip())
                else:
                    remove_source(conn, summary.source_id)
        except (CodeDeskError, OSError, zipfile.BadZipFile, sqlite3.Error) as exc:
            failed.append(f"{kept.archive.name}: {printable(str(exc))}")
    return restored, failed


def rebuild_reference(path: Path, reason: str, progress: ProgressFn | None = None) -> RebuildReport:
    """Set the damaged database aside and build it again from the bundle and the kept imports (reading them
    again takes as long as importing them did: ``progress`` hears about it)."""
    from desktop_app.core.store import CodeStore

    report = RebuildReport(path, None, reason)
    if progress is not None:
        progress(f"The code database is damaged ({reason}); rebuilding it\u2026", 0, 0)
    if path.exists():
        report.set_aside_as = set_aside(path)
    else:
        with contextlib.suppress(OSError):
            damage_flag(path).unlink()
    store = CodeStore.open(path)
    try:
        report.restored, report.failed = restore_kept(store.conn, kept_imports(path), progress)
    finally:
        store.close()
    return report


def missing_kept_sources(conn: sqlite3.Connection, db_path: Path) -> list[KeptImport]:
    """Kept imports whose sources the database no longer has (a deleted ``-wal`` dropped a committed import)."""
    present = {(r[0], r[1]) for r in conn.execute("SELECT kind, release FROM sources")}
    return [k for k in kept_imports(db_path) if any(_source_key(s) not in present for s in k.sources)]


# --- salvaging the user database ---------------------------------------------------------------------------


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
        old = sqlite3.connect(f"{aside.as_uri()}?mode=ro", uri=True)
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


# --- opening the reference database ------------------------------------------------------------------------


@dataclass
class OpenedReference:
    store: CodeStore
    session: Session
    rebuilt: RebuildReport | None = None
    notices: list[str] = field(default_factory=list)  # one line each, for the person

    @property
    def needs_full_check(self) -> bool:
        return bool(self.session.unclean) and self.rebuilt is None

    def close(self) -> None:
        self.store.close()
        self.session.end()


def stale_wal_notice(path: Path, stale: Path) -> str:
    return (f"a write-ahead log beside {printable(str(path))} did not belong to it (no session left it) and would "
            f"have brought back older data; it was set aside as {printable(str(stale))}")


def _looks_ours(path: Path) -> bool:
    """Is a file that SQLite cannot read CodeDesk's (so it may be set aside), or someone else's file given by
    mistake (left alone)? CodeDesk's has its companions beside it, or CodeDesk's name."""
    from desktop_app.core.database import default_userdata_path

    return (path.name == "codedesk.sqlite3" or kept_imports_dir(path).is_dir()
            or default_userdata_path(path).exists() or damage_flag(path).exists())


def open_reference(path: Path | str, *, readonly: bool = False, progress: ProgressFn | None = None) -> OpenedReference:
    """Open the reference database with the checks of this module: a damaged file (header, ``quick_check``
    on a small budget, or a damage flag from an earlier full check) is set aside and rebuilt; imports a lost
    ``-wal`` dropped are read again from their kept copies. Other problems raise :class:`DatabaseError`."""
    from desktop_app.core.database import is_writable
    from desktop_app.core.store import CodeStore

    path = Path(path)
    readonly = readonly or (path.exists() and not is_writable(path))
    stale = None if readonly else set_aside_stale_wal(path)
    session = Session.begin(path) if not readonly else Session(path)
    reason = flagged_damage(path)
    if not reason and _looks_ours(path):
        reason = header_problem(path)
    store: CodeStore | None = None
    try:
        if not reason:
            try:
                store = CodeStore.open(path, readonly=readonly)
            except DatabaseError as exc:
                if not (is_damage(exc.__cause__ or exc) and _looks_ours(path)):
                    raise
                reason = str(exc.__cause__ or exc)
            else:
                reason = check_connection(store.conn)
                if reason:
                    store.close()
                    store = None
        if reason:
            if readonly:
                raise DatabaseError(f"the database {printable(str(path))} is damaged ({reason}) and read-only, "
                                    "so it cannot be rebuilt")
            rebuilt = rebuild_reference(path, reason, progress)
            check_passed(path)
            store = CodeStore.open(path)
            told = [rebuilt.message()] + ([stale_wal_notice(path, stale)] if stale is not None else [])
            return OpenedReference(store, session, rebuilt, told)
        assert store is not None
        opened = OpenedReference(store, session)
        if stale is not None:
            opened.notices.append(stale_wal_notice(path, stale))
        if not readonly:
            missing = missing_kept_sources(store.conn, path)
            if missing:
                restored, failed = restore_kept(store.conn, missing, progress)
                store.refresh()
                if restored:
                    opened.notices.append(
                        f"{len(restored)} import(s) missing from the database (its write-ahead log was lost) were "
                        f"read again from their kept copies: {', '.join(restored)}")
                opened.notices.extend(f"could not restore a kept import: {f}" for f in failed)
        return opened
    except BaseException:
        if store is not None:
            store.close()
        session.end()
        raise
