"""Opening the reference database with its checks, and rebuilding a damaged one from the bundle and the kept
imports."""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.database import missing_tables
from desktop_app.core.errors import CodeDeskError, DatabaseError, printable
from desktop_app.core.recovery.kept import KeptImport, _source_key, kept_imports, kept_imports_dir
from desktop_app.core.recovery.sessions import (
    ProgressFn,
    Session,
    check_connection,
    check_passed,
    damage_flag,
    flagged_damage,
    header_problem,
    is_damage,
    set_aside,
    set_aside_stale_wal,
)

if TYPE_CHECKING:
    from desktop_app.core.store import CodeStore


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


def _missing_tables_problem(conn: sqlite3.Connection) -> str:
    """SQLite's checks find nothing wrong with a dropped table, and every query on it would then fail as if
    CodeDesk had a bug: a reference database without one of its tables is damaged (and rebuilt)."""
    missing = missing_tables(conn)
    if not missing:
        return ""
    if len(missing) == 1:
        return f"its table {missing[0]} is missing"
    return f"its tables {', '.join(missing)} are missing"


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
                reason = check_connection(store.conn) or _missing_tables_problem(store.conn)
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
