"""Filtered search does the work of its matches, not of its category, and stops at its ceiling (issue 9).

A category or section filter once let SQLite start from the codes table (through the code_set or section
index) and re-run the FTS MATCH for every code of the category: 40 s for ``o/p`` in Category I. These tests
look at the query plans SQLite really chooses and count the VM steps a filtered word search takes, on a
real SQLite file with a few thousand invented codes; no wall-clock time is asserted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.indexing import FILTER_MARK
from desktop_app.core.search import SearchEngine, SearchFilters, SearchResult
from desktop_app.core.store import CodeStore
from tests.conftest import INVENTED_CODE_COUNT, INVENTED_COMMON_WORD, INVENTED_RARE_CODES, INVENTED_RARE_WORD


@pytest.fixture
def invented_store(invented_db: Path) -> Iterator[CodeStore]:
    opened = CodeStore.open(invented_db, build=False)
    yield opened
    opened.close()


def _filters(store: CodeStore) -> list[SearchFilters]:
    surgery = next(s for s in store.catalog.sections.values() if s.name == "Surgery" and s.parent_id is None)
    leaf = store.catalog.section_for(INVENTED_RARE_CODES[0])
    assert leaf is not None
    return [SearchFilters("I"), SearchFilters("HCPCS"), SearchFilters(section_id=surgery.id),
            SearchFilters(section_id=leaf.id), SearchFilters("I", surgery.id)]


WORD_QUERIES = [INVENTED_RARE_WORD, INVENTED_COMMON_WORD, "o/p", "quixot",  # words, a prefix being typed
                "quixtoal",  # a typo
                f"{INVENTED_RARE_WORD} zorblat"]  # no code has both: the any-word fallback


def test_fts_queries_start_from_the_index_whatever_the_filter(invented_store: CodeStore) -> None:
    """Every statement with a MATCH, as the engine really sent it, is planned FTS5 first and never walks
    codes through the code_set or section index."""
    statements: list[str] = []
    invented_store.conn.set_trace_callback(statements.append)
    try:
        for filters in _filters(invented_store):
            for query in WORD_QUERIES:
                result = invented_store.search(query, filters)
                invented_store.engine.counts(result, filters)
    finally:
        invented_store.conn.set_trace_callback(None)
    filtered = [s for s in statements if "MATCH" in s and (FILTER_MARK in s or "code_set =" in s
                                                           or "section_id IN" in s)]
    assert len(filtered) >= 20, "the searches should have sent filtered FTS statements"
    for statement in dict.fromkeys(filtered):
        plan = [row[3] for row in invented_store.conn.execute("EXPLAIN QUERY PLAN " + statement)]
        steps = [detail for detail in plan if detail.startswith(("SCAN", "SEARCH"))]
        assert steps[0].startswith("SCAN code_fts VIRTUAL TABLE"), (statement, plan)
        assert not any("codes_set_code" in d or "codes_section" in d for d in plan), (statement, plan)


def _vm_steps(conn: sqlite3.Connection, run: object) -> int:
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    conn.set_progress_handler(count, 1)
    try:
        run()  # type: ignore[operator]
    finally:
        conn.set_progress_handler(None, 0)
    return steps


def test_a_filtered_rare_word_costs_no_more_than_the_unfiltered_one(invented_store: CodeStore) -> None:
    """The rare word matches 3 codes of a 4,000-code category: the filtered search (with its counts) must
    do about the same number of SQLite VM steps as the unfiltered one, not one probe per category code."""
    engine = SearchEngine(invented_store.conn, invented_store.catalog, time_limit=None)  # no handler of its own

    def expected(filters: SearchFilters) -> list[str]:
        catalog = invented_store.catalog
        return [code for code in INVENTED_RARE_CODES if filters.code_set in (None, "I") and (
            filters.section_id is None or filters.section_id in [s.id for s in catalog.section_path(
                catalog.section_for(code).id)])]  # type: ignore[union-attr]

    def search(filters: SearchFilters) -> None:
        result = engine.search(INVENTED_RARE_WORD, filters)
        assert sorted(hit.code for hit in result.hits) == expected(filters)
        engine.counts(result, filters)

    unfiltered = _vm_steps(invented_store.conn, lambda: search(SearchFilters()))
    category_size = invented_store.conn.execute("SELECT count(*) FROM codes WHERE code_set = 'I'").fetchone()[0]
    assert category_size > INVENTED_CODE_COUNT
    for filters in _filters(invented_store):
        filtered = _vm_steps(invented_store.conn, lambda f=filters: search(f))  # type: ignore[misc]
        # One VM step per category code would already be thousands; the old plan took many per code. The
        # filtered search's cost is index probes: a few hundred steps per statement (the counts send one per
        # category), whatever the category's size.
        assert filtered < 2 * unfiltered + 200, (filters, filtered, unfiltered)
        assert filtered < category_size // 2, (filters, filtered, category_size)


def test_filtered_totals_and_hits_agree_with_a_plain_scan(invented_store: CodeStore) -> None:
    conn = invented_store.conn
    for filters in _filters(invented_store):
        where, params = invented_store.engine._filter_sql(filters)
        expected = conn.execute(f"SELECT count(*) FROM codes c WHERE c.title LIKE ?{where}",
                                [f"%{INVENTED_COMMON_WORD}%", *params]).fetchone()[0]
        result = invented_store.search(INVENTED_COMMON_WORD, filters, limit=20)
        assert result.total == expected and not result.stopped
        assert len(result.hits) == min(20, expected)
        assert all(filters.code_set in (None, hit.code_set) for hit in result.hits)


def test_a_search_past_its_ceiling_is_an_answer_with_a_message(invented_store: CodeStore) -> None:
    engine = SearchEngine(invented_store.conn, invented_store.catalog, time_limit=0.0)
    for query in (INVENTED_COMMON_WORD, "1*", ""):
        filters = SearchFilters("I", None if query else _filters(invented_store)[2].section_id)
        result = engine.search(query, filters, limit=50, with_counts=True)
        assert result.stopped, query
        assert result.message is not None and result.message.startswith("Search stopped after ")
        assert "narrow" in result.message
        assert result.total >= len(result.hits)
        if result.fts_expression or query == "1*":
            assert result.counts == {} and result.counts_stopped
    # The connection is left without a progress handler: the next statement runs normally.
    assert invented_store.conn.execute("SELECT count(*) FROM codes").fetchone()[0] > INVENTED_CODE_COUNT


def test_the_ceiling_leaves_ordinary_searches_alone(invented_store: CodeStore) -> None:
    result = invented_store.search(INVENTED_RARE_WORD, SearchFilters("I"), with_counts=True)
    assert not result.stopped and not result.counts_stopped
    assert result.counts == {"I": len(INVENTED_RARE_CODES)}
    assert result.message is None


def test_an_interrupt_from_another_thread_still_raises(invented_store: CodeStore,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's worker interrupts a search when a newer one arrives and relies on the error; only the
    engine's own ceiling turns into a result."""
    engine = invented_store.engine

    def interrupted(result: SearchResult, *_args: object) -> None:
        raise sqlite3.OperationalError("interrupted")

    monkeypatch.setattr(engine, "_search_words", interrupted)
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        engine.search(INVENTED_COMMON_WORD, SearchFilters("I"))
