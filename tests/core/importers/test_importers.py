"""core/importers/__init__.py: detect, import_paths and remove_source, the importers' entry points."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import FIXTURES

from desktop_app.core.errors import UserError
from desktop_app.core.importers import detect, import_paths, remove_source
from desktop_app.core.store import CodeStore


def test_detect_names_the_format_or_none() -> None:
    assert detect(FIXTURES / "cms" / "GPCI2030.csv") == "cms-gpci-csv"
    assert detect(FIXTURES / "ama" / "CPT 2030 data files") == "folder"
    assert detect(FIXTURES / "broken" / "notes_unknown_format.txt") is None


def test_an_import_is_summarised_and_a_removed_source_leaves_nothing(db: CodeStore) -> None:
    (summary,) = import_paths(db.conn, [FIXTURES / "cms" / "HCPC2030_ANWEB_fixture.txt"])
    assert summary.added > 0 and summary.format == "cms-hcpcs-txt"
    assert db.conn.execute("SELECT 1 FROM codes WHERE code = 'A9990'").fetchone() is not None
    remove_source(db.conn, summary.source_id)
    assert db.conn.execute("SELECT 1 FROM sources WHERE id = ?", (summary.source_id,)).fetchone() is None
    assert db.conn.execute("SELECT 1 FROM codes WHERE code = 'A9990'").fetchone() is None


def test_the_bundled_reference_cannot_be_removed(db: CodeStore) -> None:
    (bundled,) = db.conn.execute("SELECT id FROM sources WHERE kind = 'bundled'").fetchone()
    with pytest.raises(UserError):
        remove_source(db.conn, bundled)


def _fts_pages(store: CodeStore) -> int:
    return int(store.conn.execute("SELECT count(*) FROM code_fts_data").fetchone()[0])


def test_a_large_import_and_a_removal_leave_the_search_index_merged(db: CodeStore, tmp_path: Path) -> None:
    """FTS5 ``optimize`` ran: running it again merges nothing (tests/core/importers/test_loader.py shows the
    page count does drop when segments are left unmerged, so this can fail). An import merges the whole index
    when it wrote a good share of its rows (indexing.settle_search_index): here 1,000 codes beside the 1,478
    bundled ones; a removal always does."""
    have = {row[0] for row in db.conn.execute("SELECT code FROM codes")}
    codes = [code for code in (f"{n:05d}" for n in range(60_000, 99_999)) if code not in have][:1_000]
    practice = tmp_path / "practice.csv"
    practice.write_text("code,descriptor\n" + "".join(f"{code},Invented item {code}\n" for code in codes))
    (summary,) = import_paths(db.conn, [practice])
    pages = _fts_pages(db)
    db.conn.execute("INSERT INTO code_fts (code_fts) VALUES ('optimize')")
    assert _fts_pages(db) == pages
    remove_source(db.conn, summary.source_id)
    pages = _fts_pages(db)
    db.conn.execute("INSERT INTO code_fts (code_fts) VALUES ('optimize')")
    assert _fts_pages(db) == pages
