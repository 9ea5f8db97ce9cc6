"""core/results.py: a hit's JSON and highlights, match kinds, and the message a result shows."""

from __future__ import annotations

from desktop_app.core.query import QueryKind, parse_query
from desktop_app.core.results import Highlighter, Hit, MatchKind, SearchResult


def _hit(title: str, match: MatchKind = MatchKind.WORDS, highlighter: Highlighter | None = None) -> Hit:
    return Hit(code="99990", code_set="I", kind="code", section_id=None, section=("Invented",), title=title,
               source="invented", status="active", match=match, highlighter=highlighter)


def test_a_hit_prints_its_match_kind_as_text() -> None:
    data = _hit("An invented visit", MatchKind.MOST_WORDS).to_json()
    assert data["match"] == "most words" and data["known"] is True and data["category"] == "I"
    assert {kind.value for kind in MatchKind} >= {"exact", "prefix", "range", "words", "some words", "corrected"}


def test_highlights_mark_where_a_query_word_starts_a_word() -> None:
    hit = _hit("Invented knee visit", highlighter=Highlighter(["knee"], {}))
    assert [hit.title[a:b].lower() for a, b in hit.highlights] == ["knee"]


def test_the_message_says_why_a_result_is_partial() -> None:
    parsed = parse_query("invented words here")
    assert parsed.kind is QueryKind.WORDS
    result = SearchResult("invented words here", parsed)
    assert result.message is None
    result.hits = [_hit("x", MatchKind.MOST_WORDS)]
    result.partial = True
    assert result.message == "No code has all of these words; showing codes with all but one of them."
    result.stopped_after = 0.25
    assert result.message is not None and result.message.startswith("Search stopped after 250 ms")


def test_the_highlighter_compiles_its_pattern_only_when_asked_for_spans() -> None:
    # Every word search makes one; compiling its pattern (0.06-0.1 ms, new to re's cache each query) was paid by
    # searches nothing highlighted (the CLI's JSON, exports, the benchmarks).
    highlighter = Highlighter(["visits", "establish"], {})
    assert highlighter._compiled is None
    assert highlighter.spans("Office visit, established patient") == ((7, 12), (14, 25))
    assert highlighter._compiled is not None
    assert Highlighter(["of"], {}).spans("of") == ()  # stopwords only: nothing to mark
