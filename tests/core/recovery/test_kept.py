"""core/recovery/kept.py: an import is kept beside the database, with a manifest naming its sources."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.importers import import_paths
from desktop_app.core.recovery.kept import database_file, keep_import, kept_imports, kept_imports_dir
from desktop_app.core.store import CodeStore

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_the_kept_folder_is_named_after_the_database(tmp_path: Path) -> None:
    assert kept_imports_dir(tmp_path / "codedesk.sqlite3") == tmp_path / "codedesk-imports"


def test_an_import_is_kept_and_read_back(store: CodeStore, db_path: Path) -> None:
    assert database_file(store.conn) == db_path.resolve() or database_file(store.conn) == db_path
    path = FIXTURES / "cms" / "GPCI2030.csv"
    (summary,) = import_paths(store.conn, [path])
    keep_import(store.conn, [path], [summary.source_id])
    (kept,) = kept_imports(db_path)
    assert kept.archive.is_file() and kept.archive.parent == kept_imports_dir(db_path)
    assert [(s["kind"], s["release"]) for s in kept.sources] == [("cms-gpci", "2030")]
