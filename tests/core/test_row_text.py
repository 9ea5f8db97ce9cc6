"""Rows that tell codes apart (issue 12, item 5)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.importers import import_paths
from desktop_app.core.row_text import RowText, common_source, cut_line, shown_lines, telling_cuts
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


def _shortened(lines: list[str]) -> list[str]:
    return [cut_line(line, cut)[0] for line, cut in zip(lines, telling_cuts(lines), strict=True)]


def test_lines_that_begin_alike_keep_their_head_then_where_they_differ() -> None:
    # They were shown from just before the difference alone ("… img gdn ea addl"): no row said what the
    # procedure was. The first words stay, then " … ", then the telling words.
    lines = ["Invented visit for an established patient with low-level decision making",
             "Invented visit for an established patient with moderate decision making",
             "Something else entirely that is long enough"]
    shown = _shortened(lines)
    assert shown[0] == "Invented visit for \u2026 patient with low-level decision making"
    assert shown[1] == "Invented visit for \u2026 patient with moderate decision making"
    assert shown[2] == lines[2]


def test_a_difference_within_the_first_words_leaves_the_line_whole() -> None:
    # Leaving out one word would show nothing more (invented short forms that differ in word 3 or 4, as the file's
    # needle-biopsy variants do).
    lines = ["Frmb nd w/o img gd ea addl", "Frmb nd w/o img gd 1st les", "Frmb nd w/us gd 1st les",
             "Frmb nd w/us gd ea addl", "Invented abuse services, family counseling",
             "Invented abuse services, plan development"]
    assert _shortened(lines) == lines


def test_lines_that_read_the_same_are_not_shortened() -> None:
    # Two equal lines have no telling words: shortened they showed the same last two words ("… RVU 1.19").
    lines = ["Invented section name (invented part) \u00b7 work RVU 1.19"] * 2 + ["Invented section name (other)"]
    assert _shortened(lines) == lines


def test_lines_that_would_read_the_same_shortened_stay_whole() -> None:
    lines = ["Invented scan of the belly without dye.", "Invented scan of the belly without dye followed by dye.",
             "Invented scan of the belly and hips without dye.", "Invented scan of the belly and hips with dye."]
    shown = _shortened(lines)
    assert len({line.lower() for line in shown}) == 4, shown


def test_marks_move_with_the_cut() -> None:
    line = "Invented scope exam of the colon with removal of a polyp by snare"
    head_end, resume = line.index(" scope") + len(" scope exam"), line.index("removal")
    marks = ((0, 8), (9, 14), (line.index("colon"), line.index("colon") + 5), (line.index("snare"), len(line)),
             (line.index("with"), line.index("removal") + 3))
    shown, moved = cut_line(line, (head_end, resume), marks)
    assert shown == "Invented scope exam \u2026 removal of a polyp by snare"
    assert [shown[a:b] for a, b in moved] == ["Invented", "scope", "snare", "rem"]


def test_shown_lines_use_the_cuts_and_lead_a_deleted_line_with_its_date() -> None:
    text = RowText("Invented one two three four", "Our words", "2024-12-31", primary_cut=(12, 17))
    assert shown_lines(text) == ("Invented one \u2026 three four", "Deleted as of 2024-12-31 \u00b7 Our words")


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
    assert lines["99991"].startswith("work RVU 21.12 \u00b7 ") and lines["99992"].startswith("work RVU 27.10 \u00b7 ")
    assert lines["99993"].endswith("99993")


def test_twins_with_one_work_rvu_still_read_apart_and_keep_the_words_work_rvu(store: CodeStore,
                                                                            tmp_path: Path) -> None:
    # 70010 and 70015 share a short descriptor and a work RVU: both second lines read "… RVU 1.19".
    from tests.conftest import rvu_with_one_title

    import_paths(store.conn, [rvu_with_one_title(tmp_path, ("99991", "99992"), "Invented twin title")])
    store.refresh()
    store.conn.execute("UPDATE code_facts SET facts = json_set(facts, '$.work_rvu', 1.19) WHERE code IN "
                       "('99991', '99992')")
    texts = store.search("99991, 99992").row_texts
    lines = {code: shown_lines(text)[1] for code, text in texts.items()}
    assert lines["99991"] != lines["99992"]
    assert all(line.startswith("work RVU 1.19 \u00b7 ") for line in lines.values()), lines
