"""The reliability suite (bounded for CI): ``kill -9`` of a real ``codedesk-cli import`` at several points, and
a damage matrix over both databases (garbage page, truncation, stale WAL, deleted WAL), each opened the way the
next start opens it. The fuzzers and the zip bomb live in ``tests/core/importers/test_hostile.py``."""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.cli import run
from desktop_app.core.database import default_userdata_path
from desktop_app.core.importers import import_paths
from desktop_app.core.recovery import full_check, open_reference
from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RVU = FIXTURES / "cms" / "PPRRVU2030_Jan.csv"
BIG_LIST_ROWS = 10_000
KILL_POINTS = (0.15, 0.35, 0.55, 0.75, 0.95)  # fractions of one complete import's time


def cli(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("codedesk-cli")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "desktop_app.cli", *args]


@pytest.fixture(scope="module")
def big_list(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An invented practice list big enough that its import takes a second or two."""
    path = tmp_path_factory.mktemp("big") / "practice_reliability.csv"
    rows = ["code,descriptor,category"]
    rows += [f"{20000 + i:05d},Invented reliability wording {i},frambly" for i in range(BIG_LIST_ROWS)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def source_kinds(path: Path) -> list[str]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return sorted(r[0] for r in conn.execute("SELECT kind FROM sources"))
    finally:
        conn.close()


def practice_rows(path: Path) -> int:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM descriptors WHERE kind = 'practice'").fetchone()[0])
    finally:
        conn.close()


def test_kill_9_at_any_point_of_an_import_keeps_the_previous_data(db_path: Path, tmp_path: Path,
                                                                  big_list: Path) -> None:
    store = CodeStore.open(db_path)
    import_paths(store.conn, [RVU], keep=True)
    before = [d.text for d in store.detail("99213").descriptors]
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()

    def fresh(name: str) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        target = folder / "codedesk.sqlite3"
        shutil.copyfile(db_path, target)
        return target

    complete = fresh("complete")
    started = time.monotonic()
    done = subprocess.run(cli("--db", str(complete), "import", str(big_list)), capture_output=True, timeout=60)
    whole = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert practice_rows(complete) == BIG_LIST_ROWS

    outcomes = []
    for index, fraction in enumerate(KILL_POINTS):
        target = fresh(f"kill-{index}")
        proc = subprocess.Popen(cli("--db", str(target), "import", str(big_list)),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * fraction)
        proc.kill()
        proc.wait(timeout=30)
        # The next start: the dead session is noticed, the whole file checked, the data is all or nothing.
        left_marker = target.with_name(f"{target.name}.open-{proc.pid}").exists()
        opened = open_reference(target)
        try:
            assert opened.needs_full_check or not left_marker
            assert full_check(target) == ""
            kinds = source_kinds(target)
            assert "cms-rvu" in kinds and "bundled" in kinds
            rows = practice_rows(target)
            assert rows in (0, BIG_LIST_ROWS), f"a partial import survived ({rows} rows)"
            assert ("csv" in kinds) == (rows == BIG_LIST_ROWS)
            assert [d.text for d in opened.store.detail("99213").descriptors] == before
            outcomes.append("committed" if rows else "rolled back")
        finally:
            opened.close()
    print(f"\nreliability: {len(outcomes)} kill -9 survived ({outcomes.count('rolled back')} rolled back, "
          f"{outcomes.count('committed')} committed; one import took {whole:.2f} s)")
    assert "rolled back" in outcomes  # at least some kills landed inside the import


# --- the damage matrix: both databases, four kinds of damage -----------------------------------------------

DAMAGES = ("garbage page", "truncation", "stale wal", "deleted wal")


def _fill_user(path: Path) -> None:
    user = UserData(path)
    for i in range(40):
        user.set_note(f"{99000 + i}", f"invented note {i} " + "x" * 900)
    for i in range(5):
        user.set_favourite(f"{99200 + i}", True)
    user.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    user.close()


def _middle_live_page(path: Path, fallback: int) -> int:
    """The middle page of those holding data (a free page in the middle of the file, as an FTS5 merge leaves
    them, can take garbage without harm); ``fallback`` where SQLite has no dbstat table."""
    conn = sqlite3.connect(path)
    try:
        pages = [row[0] for row in conn.execute("SELECT pageno FROM dbstat WHERE pageno > 1 ORDER BY pageno")]
    except sqlite3.OperationalError:
        pages = []
    finally:
        conn.close()
    return pages[len(pages) // 2] if pages else fallback


def _damage(path: Path, damage: str, change: object) -> None:
    """Damage ``path``; ``change`` writes something newer first (what a stale or lost -wal takes away)."""
    wal = path.with_name(path.name + "-wal")
    if damage in ("stale wal", "deleted wal"):
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        assert callable(change)
        change(conn, 1)
        if damage == "stale wal":
            old = wal.read_bytes()
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            change(conn, 2)
            conn.close()
            wal.write_bytes(old)  # an older log put back beside the newer file
        else:
            kept = path.read_bytes()  # the main file as it is while the change is only in the -wal
            conn.close()
            path.write_bytes(kept)
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        return
    data = path.read_bytes()
    page_size = int.from_bytes(data[16:18], "big")
    if damage == "garbage page":
        page = _middle_live_page(path, max(2, len(data) // page_size // 2))
        with path.open("r+b") as handle:
            handle.seek((page - 1) * page_size)
            handle.write(bytes((i * 151 + 7) % 256 for i in range(page_size)))
    else:
        with path.open("r+b") as handle:
            handle.truncate(len(data) // 2)


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_reference_database_survives(db_path: Path, damage: str) -> None:
    store = CodeStore.open(db_path)
    import_paths(store.conn, [RVU], keep=True)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()

    def change(conn: sqlite3.Connection, step: int) -> None:
        conn.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     ("reliability", str(step)))

    _damage(db_path, damage, change)
    out, err = io.StringIO(), io.StringIO()
    assert run(["--db", str(db_path), "sources"], out, err, io.StringIO()) == 0, err.getvalue()
    assert "Traceback" not in err.getvalue() and len(err.getvalue().splitlines()) <= 2
    assert "RVU30A" in out.getvalue()  # the kept import is there, rebuilt or never lost
    assert full_check(db_path) == ""
    conn = sqlite3.connect(db_path)
    step = conn.execute("SELECT value FROM meta WHERE key = 'reliability'").fetchone()
    conn.close()
    if damage == "stale wal":
        assert step == ("2",)  # the older log was not replayed over the newer file
    if damage in ("garbage page", "truncation", "stale wal"):
        assert err.getvalue(), "the repair was not told"


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_user_database_survives(db_path: Path, damage: str) -> None:
    user_path = default_userdata_path(db_path)
    _fill_user(user_path)

    def change(conn: sqlite3.Connection, step: int) -> None:
        conn.execute("INSERT OR REPLACE INTO notes VALUES ('99000', ?, '2030-01-01')", (f"version {step}",))

    _damage(user_path, damage, change)
    out, err = io.StringIO(), io.StringIO()
    assert run(["--db", str(db_path), "show", "99213"], out, err, io.StringIO()) == 0, err.getvalue()
    assert "Traceback" not in err.getvalue() and len(err.getvalue().splitlines()) <= 1
    assert full_check(user_path) == ""
    user = UserData(user_path)
    try:
        notes = user.conn.execute("SELECT count(*) FROM notes").fetchone()[0]
        if damage == "stale wal":
            assert user.note("99000") == "version 2" and notes == 40
        elif damage == "deleted wal":
            assert notes == 40  # only the change still in the lost log is gone
        else:
            assert 0 < notes < 40 and "recovered" in err.getvalue() and "damaged-" in err.getvalue()
        assert len(user.favourites()) == 5 or damage == "truncation"
    finally:
        user.close()
