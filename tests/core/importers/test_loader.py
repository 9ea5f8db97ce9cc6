"""The loader's contract: it leaves the Dataset it is given as parsed, and an import ends with a merged
(optimised) full-text index."""

from __future__ import annotations

import copy
import gc
from pathlib import Path

import pytest

from desktop_app.core.database import transaction
from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers import ImportSummary, import_paths
from desktop_app.core.importers.loader import write_dataset
from desktop_app.core.importers.model import Dataset, Monitor
from desktop_app.core.store import CodeStore
from tests.fixtures.make_fixtures import RVU_ROWS_JAN, write_rvu_csv


def test_write_dataset_does_not_change_its_input(db: CodeStore) -> None:
    ds = Dataset(kind="csv", format="csv", name="Practice list", file_name="list.csv", release="1",
                 effective_date="2030-01-01", sha256="0" * 64)
    ds.record("99990").add_descriptor("practice", "An invented code with text")
    history_only = ds.record("99991")  # history of a code the database does not have: skipped by the write
    history_only.facts[""] = {"history": "invented"}
    history_only.facts_only = True
    before = copy.deepcopy(ds)
    with transaction(db.conn):
        result = write_dataset(db.conn, db.catalog, ds, Monitor())
    assert ds == before
    assert any("99991" in warning for warning in result.warnings)
    assert db.conn.execute("SELECT 1 FROM codes WHERE code = '99991'").fetchone() is None
    assert db.conn.execute("SELECT 1 FROM codes WHERE code = '99990'").fetchone() is not None


def _fts_pages(store: CodeStore) -> int:
    return int(store.conn.execute("SELECT count(*) FROM code_fts_data").fetchone()[0])


def _index_terms(store: CodeStore) -> list[tuple[object, ...]]:
    """Every (term, row, column, offset) the search index holds: what any search can find, however the index is
    split into segments."""
    store.conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.code_fts_terms USING fts5vocab(main, code_fts, instance)")
    return [tuple(row) for row in store.conn.execute("SELECT term, doc, col, offset FROM temp.code_fts_terms")]


def _practice_list(store: CodeStore, path: Path, count: int) -> Path:
    """A practice list of ``count`` invented codes the database does not have yet."""
    have = {row[0] for row in store.conn.execute("SELECT code FROM codes")}
    codes = [code for code in (f"{n:05d}" for n in range(60_000, 99_999)) if code not in have][:count]
    rows = "".join(f"{code},Invented practice item {code},ours\n" for code in codes)
    path.write_text("code,descriptor,category\n" + rows)
    return path


def test_a_large_import_leaves_the_search_index_optimised(db: CodeStore, tmp_path: Path) -> None:
    """An import that writes a good share of the index's rows (here 1,000 codes beside the 1,478 bundled) merges
    it into one segment: optimising again changes nothing."""
    import_paths(db.conn, [_practice_list(db, tmp_path / "big.csv", 1_000)])
    db.refresh()
    after_import = _fts_pages(db)
    db.conn.execute("INSERT INTO code_fts (code_fts) VALUES ('optimize')")
    assert _fts_pages(db) == after_import
    db.conn.execute("INSERT INTO code_fts (code_fts) VALUES ('integrity-check')")
    assert db.search("invented practice item").hits


def test_a_small_import_leaves_the_index_to_automerge_and_every_search_finds_the_same(
    db: CodeStore, fixtures: Path
) -> None:
    """A small import (30 codes into 1,478) does not rewrite the whole index (FTS5 'optimize' rewrites every page
    however few rows changed); the index holds exactly the same terms, and searches answer the same, as merged."""
    import_paths(db.conn, [fixtures / "cms" / "PPRRVU2030_Jan.csv", fixtures / "cms" / "HCPC2030_ANWEB_fixture.txt"])
    db.conn.execute("INSERT INTO code_fts (code_fts) VALUES ('integrity-check')")
    db.refresh()
    queries = ["99990", "imaginary visit", "pretend scan", "toy supply", "knee", "office visit", "inj*"]
    answers = [[hit.code for hit in db.search(query).hits] for query in queries]
    assert answers[0] and answers[1]
    terms, pages = _index_terms(db), _fts_pages(db)
    db.conn.execute("INSERT INTO code_fts (code_fts) VALUES ('optimize')")
    assert _fts_pages(db) < pages, "the import merged the whole index"
    assert _index_terms(db) == terms
    db.refresh()  # no answer remembered from before
    assert [[hit.code for hit in db.search(query).hits] for query in queries] == answers


def test_without_optimize_the_index_has_segments_to_merge(db: CodeStore) -> None:
    """The check above can fail: after plain writes the index holds more pages than once merged."""
    db.conn.executemany("INSERT INTO code_fts (rowid, code, title, body, keywords) VALUES (?, ?, ?, ?, ?)",
                        [(10_000_000 + i, f"Z{i:04d}", f"invented title {i}", "", "") for i in range(200)])
    db.conn.executemany("DELETE FROM code_fts WHERE rowid = ?", [(10_000_000 + i,) for i in range(0, 200, 2)])
    before = _fts_pages(db)
    db.conn.execute("INSERT INTO code_fts (code_fts) VALUES ('optimize')")
    assert _fts_pages(db) < before


def test_the_garbage_collector_is_paused_during_an_import_and_back_on_after(db: CodeStore, fixtures: Path) -> None:
    seen: list[bool] = []
    import_paths(db.conn, [fixtures / "cms" / "PPRRVU2030_Jan.csv"],
                 progress=lambda message, done, total: seen.append(gc.isenabled()))
    assert seen and not any(seen)  # paused the whole time
    assert gc.isenabled()
    broken = fixtures / "broken" / "PPRRVU2030_Jan_wrong_columns.csv"
    with pytest.raises(ImportFileError):
        import_paths(db.conn, [broken])
    assert gc.isenabled()  # on again after a refused file too
    gc.disable()
    try:
        import_paths(db.conn, [fixtures / "cms" / "PPRRVU2030_Apr.csv"])
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


# --- a whole release cut short at a line boundary reads without an error: the import says so


def _invented_rvu(path: Path, codes: list[str], month: str = "January") -> Path:
    template = next(r for r in RVU_ROWS_JAN if r[0] == "A9990")
    write_rvu_csv(path, [[code, "", f"Invented item {code}", *template[3:]] for code in codes], month)
    return path


def _cut_short(summaries: list[ImportSummary]) -> list[str]:
    return [w for s in summaries for w in s.warnings if "cut short" in w]


def test_a_whole_release_without_its_v_codes_is_said_to_be_cut_short(db: CodeStore, tmp_path: Path) -> None:
    codes = [f"G{n:04d}" for n in range(1, 1101)]
    # A small file (a fixture, a few codes of a practice) is no whole release: nothing said.
    assert _cut_short(import_paths(db.conn, [_invented_rvu(tmp_path / "PPRRVU2030_Jan.csv", codes[:50])])) == []
    cut = import_paths(db.conn, [_invented_rvu(tmp_path / "PPRRVU2030_Jan.csv", codes)])
    assert _cut_short(cut) == ["the file has no V codes (vision and hearing services), with which every whole CMS "
                               "release ends; its last code is G1100: the file may be cut short"]
    whole = import_paths(db.conn, [_invented_rvu(tmp_path / "PPRRVU2030_Jan.csv", [*codes, "V5990"])])
    assert _cut_short(whole) == []


def test_a_release_with_under_half_the_codes_of_the_one_before_is_said_to_be_cut_short(
        db: CodeStore, tmp_path: Path) -> None:
    codes = [f"G{n:04d}" for n in range(1, 1101)] + ["V5990"]
    import_paths(db.conn, [_invented_rvu(tmp_path / "PPRRVU2030_Jan.csv", codes)])
    april = import_paths(db.conn, [_invented_rvu(tmp_path / "PPRRVU2030_Apr.csv", [*codes[:400], "V5990"], "April")])
    assert _cut_short(april) == ["the file has 401 codes; the release before it (CMS PFS RVU 2030 January (RVU30A)) "
                                 "has 1,101: the file may be cut short"]
    july = import_paths(db.conn, [_invented_rvu(tmp_path / "PPRRVU2030_Jul.csv", [*codes[:900], "V5990"], "July")])
    assert _cut_short(july) == []  # compared with April's 401: more, not fewer


def test_the_real_rvu_file_cut_at_a_line_boundary_is_said_to_be_cut_short(
        db: CodeStore, shared_data: Path, tmp_path: Path) -> None:
    whole = (shared_data / "cms-pfs-rvu-2025d" / "PPRRVU2025_Oct.csv").read_bytes()
    lines = whole.splitlines(keepends=True)
    cut = tmp_path / "PPRRVU2025_Oct.csv"
    cut.write_bytes(b"".join(lines[: len(lines) * 3 // 4]))
    summaries = import_paths(db.conn, [cut])
    assert len(_cut_short(summaries)) == 1 and "its last code is " in _cut_short(summaries)[0]


def test_a_copy_of_a_loaded_release_without_its_v_codes_is_refused(db: CodeStore, tmp_path: Path) -> None:
    # Cut after 95% of its lines it passed the shrink check and took the last codes out of the database.
    codes = [*(f"G{n:04d}" for n in range(1, 1101)), "V5990"]
    import_paths(db.conn, [_invented_rvu(tmp_path / "PPRRVU2030_Jan.csv", codes)])
    before = db.conn.execute("SELECT count(*), group_concat(code) FROM descriptors").fetchone()
    with pytest.raises(ImportFileError, match=r"has no V codes; its last code is G1050, and the loaded copy of "
                                              r"this release .* runs to V5990: the file looks cut short \(51 of"):
        import_paths(db.conn, [_invented_rvu(tmp_path / "PPRRVU2030_Jan.csv", codes[:1050])])
    assert db.conn.execute("SELECT count(*), group_concat(code) FROM descriptors").fetchone() == before
