"""Rows that tell codes apart (issue 12, item 5)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.importers import import_paths
from desktop_app.core.row_text import _telling_starts, common_source
from desktop_app.core.store import CodeStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_official_first_line_and_our_summary_second(store: CodeStore) -> None:
    import_paths(store.conn, [FIXTURES / "cms" / "PPRRVU2030_Jan.csv"])
    store.refresh()
    store.conn.execute("INSERT INTO descriptors (code, kind, text, source_id) SELECT '99990', 'summary', "
                       "'An invented visit, in our words', id FROM sources WHERE kind = 'bundled'")
    result = store.search("99990")
    text = result.row_texts["99990"]
    assert text.primary == "Imaginary visit, brief" and text.secondary == "An invented visit, in our words"


def test_bundled_only_rows_have_one_line(store: CodeStore) -> None:
    result = store.search("99213")
    text = result.row_texts["99213"]
    assert text.primary == result.hits[0].title and text.secondary == ""


def test_rows_that_read_alike_get_their_section_and_code(store: CodeStore) -> None:
    store.conn.execute("UPDATE codes SET title = 'Same words' WHERE code IN ('99213', '99214')")
    store.conn.execute("DELETE FROM descriptors WHERE code IN ('99213', '99214')")
    result = store.search("99213, 99214")
    lines = {code: t.secondary for code, t in result.row_texts.items()}
    assert lines["99213"].endswith("99213") and lines["99214"].endswith("99214")


def test_deleted_codes_carry_their_date(store: CodeStore) -> None:
    store.conn.execute("UPDATE codes SET status = 'deleted', deleted_date = '2024-12-31' WHERE code = '99213'")
    assert store.search("99213").row_texts["99213"].deleted_date == "2024-12-31"


def test_lines_that_begin_alike_are_shown_from_where_they_differ() -> None:
    lines = ["Office visit for an established patient with low-level decision making",
             "Office visit for an established patient with moderate decision making",
             "Something else entirely that is long enough"]
    starts = _telling_starts(lines)
    assert lines[0][starts[0]:].startswith("patient with low-level")
    assert lines[1][starts[1]:].startswith("patient with moderate")
    assert starts[2] == 0


def test_common_source(store: CodeStore) -> None:
    hits = store.search("992*", limit=30).hits
    assert common_source(hits) == hits[0].source and common_source([]) == ""


def test_twins_in_the_rvu_file_are_told_apart_by_their_work_rvus(store: CodeStore, tmp_path: Path) -> None:
    # Two codes with one short descriptor and no summary of ours (27486/27487 in the real file) showed only
    # "section · code"; the RVU file's work RVUs say which is the bigger service. With none, the code stays.
    from tests.conftest import rvu_with_one_title

    import_paths(store.conn, [rvu_with_one_title(tmp_path, ("99991", "99992", "99993"), "Invented twin title")])
    store.refresh()
    for code, work in (("99991", 21.12), ("99992", 27.1), ("99993", 0)):
        store.conn.execute("UPDATE code_facts SET facts = json_set(facts, '$.work_rvu', ?) WHERE code = ?",
                           (work, code))
    lines = {code: t.secondary for code, t in store.search("99991, 99992, 99993").row_texts.items()}
    assert lines["99991"].endswith("work RVU 21.12") and lines["99992"].endswith("work RVU 27.10")
    assert lines["99993"].endswith("99993")
