"""The category/section filter never hides a code the user named exactly, and a category is browsed page by
page (issue 12, item 4)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.search import SearchFilters
from desktop_app.core.store import CodeStore
from tests.conftest import add_invented_codes


def test_exact_code_is_shown_whatever_the_category(store: CodeStore) -> None:
    result = store.search("J1100", SearchFilters("II"))
    assert [h.code for h in result.hits] == ["J1100"]
    assert result.filter_ignored and result.outside_filter == ("J1100",)
    inside = store.search("3074F", SearchFilters("II"))
    assert [h.code for h in inside.hits] == ["3074F"] and inside.outside_filter == ()


def test_list_and_range_ignore_the_filter_and_name_what_lies_outside(store: CodeStore) -> None:
    result = store.search("3074F, J1100, 99213", SearchFilters("II"))
    assert {h.code for h in result.hits} == {"3074F", "J1100", "99213"}
    assert set(result.outside_filter) == {"J1100", "99213"}
    ranged = store.search("99202-99205", SearchFilters("HCPCS"))
    assert [h.code for h in ranged.hits] == ["99202", "99203", "99204", "99205"]
    assert len(ranged.outside_filter) == 4


def test_a_section_filter_does_not_hide_an_exact_code_either(store: CodeStore) -> None:
    section = store.catalog.section_for("3074F")
    assert section is not None
    result = store.search("99213", SearchFilters(section_id=section.id))
    assert [h.code for h in result.hits] == ["99213"] and result.outside_filter == ("99213",)


def test_words_and_prefixes_still_follow_the_filter(store: CodeStore) -> None:
    words = store.search("asthma", SearchFilters("II"), limit=50)
    assert words.hits and all(h.code_set == "II" for h in words.hits) and not words.filter_ignored
    prefix = store.search("99*", SearchFilters("II"))
    assert all(h.code_set == "II" for h in prefix.hits) and not prefix.filter_ignored


def test_choosing_a_category_lists_its_codes_a_page_at_a_time(db_path: Path) -> None:
    add_invented_codes(db_path)
    store = CodeStore.open(db_path, build=False)
    try:
        everything = [r[0] for r in store.conn.execute(
            "SELECT code FROM codes WHERE code_set = 'I' AND kind = 'code' ORDER BY code")]
        seen: list[str] = []
        after = ""
        pages = 0
        while True:
            page = store.search("", SearchFilters("I"), limit=500, after=after)
            assert page.total == len(everything)
            seen += [h.code for h in page.hits]
            pages += 1
            if page.next_after is None:
                break
            after = page.next_after
        assert seen == everything and pages == -(-len(everything) // 500)
        # Keyset paging: the statement really sent walks the (code_set, code) index, never sorts the category.
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        store.search("", SearchFilters("I"), limit=500, after=everything[1000])
        store.conn.set_trace_callback(None)
        page_sql = next(s for s in statements if "c.code >" in s)
        plan = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + page_sql))
        assert "TEMP B-TREE" not in plan and "codes_set_code" in plan, plan
    finally:
        store.close()
