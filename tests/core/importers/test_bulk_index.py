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


# Several files in one import (one transaction): statuses and search rows are derived once, after the last file.
ONE_IMPORT_GROUPS = [
    ["cms/PPRRVU2030_Jan.csv", "cms/HCPC2030_ANWEB_fixture.txt", "qpp"],
    ["cms/HCPC2030_ANWEB_fixture.txt", "cms/PPRRVU2030_Apr.csv", "ama"],
    # The same release twice in one import: the second copy replaces the first within the transaction.
    ["cms/PPRRVU2030_Jan.csv", "cms/PPRRVU2030_Jan.txt", "cms/HCPC2030_APR_ANWEB.xlsx"],
]


def by_code(conn: sqlite3.Connection) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The derived data keyed by code, not id (ids depend on the order codes were first written)."""
    codes = [tuple(r) for r in conn.execute(
        "SELECT code, code_set, kind, section_id, status, deleted_date, title FROM codes ORDER BY code")]
    search = [tuple(r) for r in conn.execute("SELECT code, title, body, keywords, filters FROM code_fts ORDER BY code")]
    return codes, search


@pytest.mark.parametrize("group", ONE_IMPORT_GROUPS, ids=lambda g: "+".join(Path(p).name for p in g))
def test_one_import_of_several_files_leaves_what_importing_them_one_by_one_makes(
    db: CodeStore, tmp_path: Path, fixtures: Path, group: list[str]
) -> None:
    import_paths(db.conn, [fixtures / relative for relative in group])
    assert derived(db.conn) == rebuilt(db.conn)
    one_by_one = CodeStore.open(tmp_path / "one-by-one.sqlite3")
    try:
        for relative in group:
            import_paths(one_by_one.conn, [fixtures / relative])
        assert by_code(db.conn) == by_code(one_by_one.conn)
    finally:
        one_by_one.close()


def test_a_code_two_files_of_one_import_describe_gets_one_search_row_write(
    db: CodeStore, fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The RVU fixture adds A9990 and G9990, which the HCPCS fixture also describes: imported together, their
    search rows are made once from both files, not made from the RVU file's text and then replaced."""
    written: list[int] = []
    real_insert = indexing.insert_search_rows

    def counting(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str, str, str, str]]) -> None:
        rows = list(rows)
        written.extend(int(row[0]) for row in rows)
        real_insert(conn, rows)

    monkeypatch.setattr(indexing, "insert_search_rows", counting)
    monkeypatch.setattr(loader, "insert_search_rows", counting)
    import_paths(db.conn, [fixtures / "cms/PPRRVU2030_Jan.csv", fixtures / "cms/HCPC2030_ANWEB_fixture.txt"])
    assert len(written) == len(set(written)), "a search row was written twice in one import"
    both = {r[0] for r in db.conn.execute("SELECT id FROM codes WHERE code IN ('A9990', 'G9990')")}
    assert len(both) == 2 and both <= set(written)
    assert derived(db.conn) == rebuilt(db.conn)
