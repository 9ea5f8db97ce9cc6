"""Sessions and checks: open markers, stale WAL files, header and integrity checks, damage flags, setting a
damaged file aside (see the package's docstring)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desktop_app.core.database import file_uri

ProgressFn = Callable[[str, int, int], None]  # message, done, total (0 when unknown)


SQLITE_HEADER = b"SQLite format 3\x00"


QUICK_CHECK_SECONDS = 0.1  # the open-time check; a bigger database is finished by the background check


_MARKER = ".open-"


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
            conn = sqlite3.connect(file_uri(self.path, "mode=ro"), uri=True, check_same_thread=False)
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
