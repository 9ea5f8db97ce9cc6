"""The bulk writer keeps derived data exactly as a full rebuild would make it: after any sequence of imports,
re-imports, new releases and removals, recomputing every code's section, title, status and search row from
scratch changes nothing; and a re-import that repeats a release rewrites no search row."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import pytest

from desktop_app.core import indexing
from desktop_app.core.catalog import Catalog
from desktop_app.core.importers import import_paths, loader, remove_source
from desktop_app.core.importers.loader import refresh_status
from desktop_app.core.indexing import reindex
from desktop_app.core.store import CodeStore

SEQUENCE = [
    "cms/PPRRVU2030_Jan.csv",
    "cms/HCPC2030_ANWEB_fixture.txt",
    "cms/PPRRVU2030_Apr.csv",
    "ama",
    "cms/HCPC2030_APR_ANWEB.xlsx",
    "cms/PPRRVU2030_Jan.csv",  # the same release again: replaces it
    "qpp",
]


def derived(conn: sqlite3.Connection) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    codes = [
        tuple(r)
        for r in conn.execute(
            "SELECT id, code, code_set, kind, section_id, status, deleted_date, title, title_source FROM codes "
            "ORDER BY id"
        )
    ]
    search = [tuple(r) for r in conn.execute("SELECT rowid, code, title, body, keywords FROM code_fts ORDER BY rowid")]
    return codes, search


def rebuilt(conn: sqlite3.Connection) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The derived data recomputed for every code, row by row (then rolled back)."""
    catalog = Catalog.from_db(conn)
    conn.execute("BEGIN")
    try:
        everything = [r[0] for r in conn.execute("SELECT code FROM codes")]
        conn.execute("DELETE FROM code_fts")
        conn.execute("UPDATE codes SET status = 'deleted', deleted_date = 'x', title = 'x', section_id = NULL")
        refresh_status(conn, everything)
        reindex(conn, catalog)
        return derived(conn)
    finally:
        conn.execute("ROLLBACK")


def test_incremental_imports_leave_what_a_full_rebuild_makes(db: CodeStore, fixtures: Path) -> None:
    conn = db.conn
    for relative in SEQUENCE:
        import_paths(conn, [fixtures / relative])
        assert derived(conn) == rebuilt(conn), f"after importing {relative}"
    hcpcs = conn.execute("SELECT id FROM sources WHERE kind = 'cms-hcpcs' ORDER BY id LIMIT 1").fetchone()[0]
    remove_source(conn, hcpcs)
    assert derived(conn) == rebuilt(conn), "after removing a source"


def test_reimporting_a_release_rewrites_no_search_row(
    db: CodeStore, fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = db.conn
    import_paths(conn, [fixtures / "cms/PPRRVU2030_Jan.csv"])
    before = derived(conn)[1]
    written: list[tuple[object, ...]] = []
    real_insert = indexing.insert_search_rows

    def counting(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str, str, str]]) -> None:
        rows = list(rows)
        written.extend(rows)
        real_insert(conn, rows)

    monkeypatch.setattr(indexing, "insert_search_rows", counting)
    monkeypatch.setattr(loader, "insert_search_rows", counting)
    import_paths(conn, [fixtures / "cms/PPRRVU2030_Jan.csv"])
    assert derived(conn)[1] == before
    assert written == []
    # A new release that changes one descriptor rewrites that code's row only.
    import_paths(conn, [fixtures / "cms/PPRRVU2030_Apr.csv"])
    changed = {row[1] for row in written}
    assert changed, "the April fixture changes some descriptors"
    assert len(changed) < len(before) / 2


def test_new_codes_are_searchable_in_the_same_transaction(db: CodeStore, fixtures: Path) -> None:
    conn = db.conn
    import_paths(conn, [fixtures / "cms/HCPC2030_ANWEB_fixture.txt"])
    missing = conn.execute(
        "SELECT count(*) FROM codes c WHERE NOT EXISTS (SELECT 1 FROM code_fts f WHERE f.rowid = c.id)"
    ).fetchone()[0]
    assert missing == 0
