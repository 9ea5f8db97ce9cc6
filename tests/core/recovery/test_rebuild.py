"""core/recovery/rebuild.py: a damaged reference database is set aside and rebuilt with the kept imports."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.importers import import_paths
from desktop_app.core.recovery.kept import keep_import
from desktop_app.core.recovery.rebuild import open_reference, stale_wal_notice
from desktop_app.core.store import CodeStore

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_a_damaged_reference_is_rebuilt_with_its_kept_imports(tmp_path: Path) -> None:
    path = tmp_path / "codedesk.sqlite3"
    store = CodeStore.open(path)
    gpci = FIXTURES / "cms" / "GPCI2030.csv"
    (summary,) = import_paths(store.conn, [gpci])
    keep_import(store.conn, [gpci], [summary.source_id])
    store.close()
    path.write_bytes(b"an invented scribble over the first page" * 200)
    opened = open_reference(path)
    try:
        assert opened.rebuilt is not None
        kinds = {kind for (kind,) in opened.store.conn.execute("SELECT kind FROM sources")}
        assert "cms-gpci" in kinds
    finally:
        opened.close()


def test_the_stale_wal_notice_names_both_files(tmp_path: Path) -> None:
    notice = stale_wal_notice(tmp_path / "a.sqlite3", tmp_path / "a.sqlite3-wal.stale")
    assert "a.sqlite3" in notice and "a.sqlite3-wal.stale" in notice


def test_a_reference_without_one_of_its_tables_is_rebuilt(tmp_path: Path) -> None:
    """SQLite's quick_check passes a file whose table was dropped; every query on it then failed as an internal
    error (CLI exit 3). Found missing at open, the file is set aside and rebuilt with its kept imports."""
    path = tmp_path / "codedesk.sqlite3"
    store = CodeStore.open(path)
    gpci = FIXTURES / "cms" / "GPCI2030.csv"
    (summary,) = import_paths(store.conn, [gpci])
    keep_import(store.conn, [gpci], [summary.source_id])
    store.conn.execute("DROP TABLE descriptors")
    store.close()
    opened = open_reference(path)
    try:
        assert opened.rebuilt is not None and "its table descriptors is missing" in opened.rebuilt.message()
        assert opened.store.conn.execute("SELECT count(*) FROM descriptors").fetchone()[0] > 0
        assert "cms-gpci" in {kind for (kind,) in opened.store.conn.execute("SELECT kind FROM sources")}
    finally:
        opened.close()
    assert list(tmp_path.glob("codedesk.sqlite3.damaged-*"))  # the damaged file is kept


def test_a_whole_database_is_not_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "codedesk.sqlite3"
    CodeStore.open(path).close()
    opened = open_reference(path)
    try:
        assert opened.rebuilt is None
    finally:
        opened.close()
