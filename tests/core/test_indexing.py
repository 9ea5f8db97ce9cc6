"""Filtered word search through the filter tokens of the search rows (issue 9 at 1M codes).

A filtered search ANDs the filter's tokens (category, kind, section path; core.indexing.filter_text) to the
words, so FTS5 intersects the doclists. These tests hold that path to the meaning of the filter: the same
codes as the unfiltered search kept to the filter, on a table of queries and filters, and the same counts as
a plain scan of the codes table for every category and every section of the catalog.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.database import FTS_TOKENIZE, MIGRATIONS, _migrate_search_filters, connect
from desktop_app.core.indexing import FILTER_MARK, filter_text, section_search_words
from desktop_app.core.query import parse_query
from desktop_app.core.search import RANK_LIMIT, Hit, SearchFilters
from desktop_app.core.store import CodeStore
from tests.conftest import INVENTED_RARE_WORD


@pytest.fixture
def invented_store(invented_db: Path) -> Iterator[CodeStore]:
    opened = CodeStore.open(invented_db, build=False)
    yield opened
    opened.close()


# Words, prefixes being typed, a slash word, synonyms, two words, invented words (each under RANK_LIMIT matches).
QUERIES = ["injection", "office visit", "o/p", "inj", "x-ray", "blood", "wheelchair", "screening",
           "knee", "vaccine", "ambulance", "therapy", INVENTED_RARE_WORD, f"{INVENTED_RARE_WORD} plimsy"]


def _filter_table(store: CodeStore) -> list[SearchFilters]:
    catalog = store.catalog
    tops = [s for s in catalog.sections.values() if s.parent_id is None]
    surgery = next(s for s in tops if s.name == "Surgery")
    leaves = [s for s in catalog.sections.values() if not catalog.children(s.id)]
    table = [SearchFilters(code_set=c.id) for c in catalog.code_sets]
    table += [SearchFilters(section_id=s.id) for s in tops]
    table += [SearchFilters(section_id=s.id) for s in leaves[:: max(1, len(leaves) // 8)]]
    table += [SearchFilters("I", surgery.id), SearchFilters("HCPCS", surgery.id)]
    return table


def _in_filter(store: CodeStore, hit: Hit, filters: SearchFilters) -> bool:
    if filters.code_set and hit.code_set != filters.code_set:
        return False
    return filters.section_id is None or hit.section_id in store.catalog.descendants(filters.section_id)


def test_filtered_hits_are_the_unfiltered_hits_kept_to_the_filter(invented_store: CodeStore) -> None:
    """Every query of the table under every filter of the table: with room for every match, the filtered
    search lists exactly the unfiltered search's codes that lie in the filter, and its total says so."""
    compared = 0
    for query in QUERIES:
        unfiltered = invented_store.search(query, limit=RANK_LIMIT)
        assert unfiltered.hits and unfiltered.total < RANK_LIMIT and not unfiltered.partial, query
        for filters in _filter_table(invented_store):
            expected = {hit.code for hit in unfiltered.hits if _in_filter(invented_store, hit, filters)}
            result = invented_store.search(query, filters, limit=RANK_LIMIT)
            if filters.section_id is not None and not expected:
                continue  # no match in the section: the search falls back to other plans, as it should
            assert {hit.code for hit in result.hits} == expected, (query, filters)
            assert result.total == len(expected), (query, filters)
            compared += 1
    assert compared > 100


def test_filtered_counts_are_the_unfiltered_hits_counted_by_category(invented_store: CodeStore) -> None:
    for query in QUERIES:
        unfiltered = invented_store.search(query, limit=RANK_LIMIT)
        for filters in [SearchFilters(), *(f for f in _filter_table(invented_store) if f.code_set is None)]:
            expected: dict[str, int] = {}
            for hit in unfiltered.hits:
                if _in_filter(invented_store, hit, filters):  # codes and modifiers, as the list shows them
                    expected[hit.code_set] = expected.get(hit.code_set, 0) + 1
            result = invented_store.search(query, filters, limit=RANK_LIMIT)
            if not expected:
                continue
            assert invented_store.engine.counts(result, filters) == expected, (query, filters)


def test_token_counts_match_a_scan_of_the_codes_table_for_every_section(invented_store: CodeStore) -> None:
    """For every category, every section of the catalog and both kinds, counting in the index with the filter's
    tokens gives what the codes table says (so every search row carries the right tokens)."""
    conn, engine = invented_store.conn, invented_store.engine
    expression = '"a"* OR "e"* OR "i"* OR "o"* OR "s"* OR "t"* OR "frambly"'  # most rows

    def scanned(filters: SearchFilters, kind: str | None) -> int:
        extra, params = engine._filter_sql(filters)
        kind_sql = " AND c.kind = ?" if kind else ""
        return int(conn.execute(
            f"SELECT count(*) FROM code_fts CROSS JOIN codes c ON c.id = code_fts.rowid WHERE code_fts MATCH ?"
            f"{extra}{kind_sql}", [expression, *params, *([kind] if kind else [])]).fetchone()[0])

    table = [SearchFilters(code_set=c.id) for c in invented_store.catalog.code_sets]
    table += [SearchFilters(section_id=s) for s in invented_store.catalog.sections]
    checked = 0
    for filters in table:
        for kind in (None, "code", "modifier"):
            within = engine._filtered_expression(expression, filters, kind=kind)
            in_index = conn.execute("SELECT count(*) FROM code_fts WHERE code_fts MATCH ?", (within,)).fetchone()[0]
            assert in_index == scanned(filters, kind), (filters, kind)
            checked += in_index
    assert checked > 10_000


@pytest.mark.parametrize("typed", [FILTER_MARK, "ci0", f"{FILTER_MARK}ci0", "kcode", "s1*", "c*"])
def test_nothing_typed_matches_a_filter_token(invented_store: CodeStore, typed: str) -> None:
    """The tokens start with a private-use character, which no query word keeps: typing the mark, a token's
    letters or a prefix of them finds no more codes than the words' own columns hold."""
    parsed = parse_query(typed)
    result = invented_store.search(typed, limit=RANK_LIMIT)
    every_row = invented_store.conn.execute("SELECT count(*) FROM codes").fetchone()[0]
    assert result.total < every_row // 10, (typed, parsed, result.total)


def test_an_old_database_is_reindexed_with_filter_tokens(db_path: Path) -> None:
    """A database from before the filters column: opening it rebuilds the search table with the tokens, and
    filtered searches find what they found before (by the slow plan) and nothing else."""
    conn = connect(db_path)
    before = {row[0]: row[1] for row in conn.execute("SELECT code, code_set FROM codes")}
    conn.execute("DROP TABLE code_fts")
    conn.execute(f"CREATE VIRTUAL TABLE code_fts USING fts5(code, title, body, keywords, "
                 f"tokenize = '{FTS_TOKENIZE}', prefix = '2 3')")
    conn.execute("INSERT INTO code_fts (rowid, code, title, body, keywords) SELECT id, code, title, '', '' FROM codes")
    conn.execute("CREATE INDEX codes_section ON codes (section_id)")
    conn.execute("DROP INDEX codes_section_kind_set")
    # just before the filters step (later steps, such as round 3's re-indexing, may follow it)
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_migrate_search_filters)}")
    conn.close()

    store = CodeStore.open(db_path, build=False)
    try:
        columns = [row[1] for row in store.conn.execute("PRAGMA table_info(code_fts)")]
        assert columns == ["code", "title", "body", "keywords", "filters"]
        indexes = {row[1] for row in store.conn.execute("PRAGMA index_list(codes)")}
        assert "codes_section_kind_set" in indexes and "codes_section" not in indexes
        rows = store.conn.execute("SELECT c.code_set, c.kind, c.section_id, f.filters FROM codes c "
                                  "JOIN code_fts f ON f.rowid = c.id").fetchall()
        assert len(rows) == len(before)
        paths = {s: [x.id for x in store.catalog.section_path(s)] for s in store.catalog.sections}
        assert all(r["filters"] == filter_text(r["code_set"], r["kind"], paths.get(r["section_id"], ())) for r in rows)
        result = store.search("injection", SearchFilters("HCPCS"), limit=RANK_LIMIT)
        assert result.hits and all(before[hit.code] == "HCPCS" for hit in result.hits)
    finally:
        store.close()


def test_the_counts_index_answers_section_counts_alone(invented_store: CodeStore) -> None:
    """Section browse and its per-category counts read the covering index, never the codes rows."""
    surgery = next(s for s in invented_store.catalog.sections.values() if s.name == "Surgery")
    extra, params = invented_store.engine._filter_sql(SearchFilters(section_id=surgery.id), include_code_set=False)
    plan = " ".join(row[3] for row in invented_store.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT code_set, count(*) AS n FROM codes c WHERE c.kind = 'code'{extra} "
        "GROUP BY code_set", params))
    assert "COVERING INDEX codes_section_kind_set" in plan, plan


def test_filter_text_keeps_categories_apart() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(filters, tokenize = '{FTS_TOKENIZE}')")
    for code_set in ("I", "II", "III", "HCPCS"):
        conn.execute("INSERT INTO t VALUES (?)", (filter_text(code_set, "code", [1, 12]),))
    for code_set in ("I", "II", "III", "HCPCS"):
        token = filter_text(code_set, "code", []).split()[0]
        assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (f'"{token}"',)).fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?",
                        (f'"{filter_text("I", "code", [1]).split()[-1]}"',)).fetchone()[0] == 4


@pytest.mark.parametrize(("name", "words"), [
    ("Upper Leg (Except Knee)", "Upper Leg"),
    ("Pelvis (Except Hip)", "Pelvis"),
    ("J: Drugs Administered Other Than Oral Method", "J: Drugs Administered"),
    ("Knee Joint", "Knee Joint"),
    ("Excision (Skin)", "Excision (Skin)"),
    ("Exceptional Circumstances", "Exceptional Circumstances"),
])
def test_a_section_gives_its_codes_only_the_words_of_what_it_holds(name: str, words: str) -> None:
    assert section_search_words(name) == words


def test_codes_do_not_match_the_word_their_section_excludes(store: CodeStore) -> None:
    """01214 (hip anaesthesia) sits in "Upper Leg (Except Knee)": it answered "knee"; J1100 (an injection) sits
    in "Drugs Administered Other Than Oral Method": it answered "oral". Both still answer their own words."""
    def found(query: str) -> set[str]:
        return {hit.code for hit in store.search(query, limit=RANK_LIMIT).hits}

    assert "01214" not in found("knee") and "01214" in found("hip")
    assert "J1100" not in found("oral") and "J1100" in found("dexamethasone")
