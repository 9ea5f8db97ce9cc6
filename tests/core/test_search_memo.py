"""What the word search remembers between searches (counts per expression, the last words typed) is never stale:
an import in between, on the engine's own connection or on another one (the window's import worker, the CLI in
another process), is seen by the very next search and its counts. And what is remembered gives the same answers
as a search that remembers nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.importers import import_paths
from desktop_app.core.search import SearchEngine, SearchFilters
from desktop_app.core.store import CodeStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HCPCS_FIXTURE = FIXTURES / "cms" / "HCPC2030_ANWEB_fixture.txt"
# Words of the invented HCPCS fixture that no bundled code uses.
IMAGINARY = "imaginary"


def typed(store: CodeStore, text: str) -> list[tuple[list[str], int, dict[str, int]]]:
    """Each prefix of ``text`` searched as the window does while typing: the hits, then the counts."""
    answers = []
    for end in range(1, len(text) + 1):
        result = store.engine.search(text[:end], limit=50)
        answers.append(([hit.code for hit in result.hits], result.total, store.engine.counts(result, SearchFilters())))
    return answers


def test_bundled_reference_lacks_the_fixture_words(store: CodeStore) -> None:
    result = store.search(IMAGINARY)
    assert not [hit for hit in result.hits if hit.code_set == "HCPCS" and hit.code.startswith(("A999", "G999"))]


@pytest.mark.parametrize("other_connection", [False, True], ids=["same connection", "another connection"])
def test_an_import_between_two_searches_is_seen(store: CodeStore, db_path: Path, other_connection: bool) -> None:
    before = store.engine.search(IMAGINARY)
    counts_before = store.engine.counts(before, SearchFilters())
    if other_connection:
        importer = CodeStore.open(db_path)
        import_paths(importer.conn, [HCPCS_FIXTURE])
        importer.close()
    else:
        import_paths(store.conn, [HCPCS_FIXTURE])  # no refresh(): the engine must notice by itself
    after = store.engine.search(IMAGINARY)
    counts_after = store.engine.counts(after, SearchFilters())
    found = {hit.code for hit in after.hits}
    assert {"A9990", "G9990"} <= found
    assert after.total > before.total
    assert counts_after.get("HCPCS", 0) > counts_before.get("HCPCS", 0)
    # The counts after the import are those of an engine that never searched before it.
    fresh = SearchEngine(store.conn, store.catalog)
    assert counts_after == fresh.counts(fresh.search(IMAGINARY), SearchFilters())
    assert after.total == fresh.search(IMAGINARY).total


def test_typing_through_an_import_gives_what_a_fresh_engine_gives(store: CodeStore, db_path: Path) -> None:
    typed(store, "imaginary tool")  # remembered: counts and the last words typed
    importer = CodeStore.open(db_path)
    import_paths(importer.conn, [HCPCS_FIXTURE])
    importer.close()
    remembered = typed(store, "imaginary tool")
    store.refresh()  # a new engine: nothing remembered
    assert remembered == typed(store, "imaginary tool")
    assert remembered[-1][0][:1] == ["G9990"]


@pytest.mark.parametrize("text", ["office visit established", "knee injection", "blood test panel", "chest x-ray",
                                  "wheelchair", "colonoscopy with biopsy"])
def test_remembering_changes_no_answer(store: CodeStore, text: str) -> None:
    """Typing key by key (counts and ranking in one pass, counts by subtraction, the last word's group checked
    alone) and searching each prefix with a fresh engine give the same hits, totals and counts."""
    remembered = typed(store, text)
    fresh = []
    for end in range(1, len(text) + 1):
        engine = SearchEngine(store.conn, store.catalog)
        result = engine.search(text[:end], limit=50)
        fresh.append(([hit.code for hit in result.hits], result.total, engine.counts(result, SearchFilters())))
    assert remembered == fresh


def test_typing_office_visit_ranks_and_counts_in_one_pass(store: CodeStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The keys after "office visit e" (an expression with NEAR groups, few matches) are ranked and counted in
    one statement, and the counts after them leave one category to subtraction: the paths the test above
    compares with a fresh engine are the ones taken."""
    probes: list[str] = []
    counted_categories: list[str] = []
    ranked_counted = SearchEngine._ranked_counted
    count_matches = SearchEngine._count_matches

    def spy_ranked(self: SearchEngine, expression: str, *args: object, **kwargs: object) -> object:
        if kwargs.get("counted", True):
            probes.append(expression)
        return ranked_counted(self, expression, *args, **kwargs)  # type: ignore[arg-type]

    def spy_count(self: SearchEngine, expression: str, filters: SearchFilters, cap: int | None = None) -> int:
        if filters.code_set:
            counted_categories.append(filters.code_set)
        return count_matches(self, expression, filters, cap)

    monkeypatch.setattr(SearchEngine, "_ranked_counted", spy_ranked)
    monkeypatch.setattr(SearchEngine, "_count_matches", spy_count)
    typed(store, "office visit es")
    probes.clear()
    counted_categories.clear()
    result = store.engine.search("office visit est", limit=50)
    assert probes and "NEAR(" in probes[0]
    counts = store.engine.counts(result, SearchFilters())
    assert len(counted_categories) == len(store.catalog.code_sets) - 1  # one category by subtraction
    assert sum(counts.values()) == result.total


def test_counts_by_subtraction_match_counting_each_category(store: CodeStore) -> None:
    engine = store.engine
    engine.counts(engine.search("inject"), SearchFilters())  # the largest category is known from here on
    result = engine.search("injection")
    by_subtraction = engine.counts(result, SearchFilters())
    counted = {code_set.id: engine._count_matches(result.fts_expression, SearchFilters(code_set.id))
               for code_set in store.catalog.code_sets}
    assert by_subtraction == {code_set: n for code_set, n in counted.items() if n}
    assert sum(by_subtraction.values()) == result.total


def test_spelling_corrections_are_read_again_after_an_import(store: CodeStore, db_path: Path) -> None:
    """"imaginar", corrected to "imaging" before the import, starts a word the import brings: after it, the
    word is found as typed, as by an engine that never saw it before."""
    assert store.engine.search("imaginar").corrected_words == ("imaging",)
    importer = CodeStore.open(db_path)
    import_paths(importer.conn, [HCPCS_FIXTURE])
    importer.close()
    remembered = store.engine.search("imaginar")
    fresh = SearchEngine(store.conn, store.catalog).search("imaginar")
    assert remembered.corrected_words == fresh.corrected_words == ()
    assert [hit.code for hit in remembered.hits] == [hit.code for hit in fresh.hits]
    assert "G9990" in [hit.code for hit in remembered.hits]
