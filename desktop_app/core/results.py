"""What a search returns: the filters it ran under, its hits, the codes it did not know, the result as a whole
(with the message the window and the CLI show), and the highlighter that marks the query's words in a hit's text.
Plain data, no SQL: :mod:`desktop_app.core.search` makes these.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from desktop_app.core.enums import StrEnum
from desktop_app.core.modifiers import ModifierCheck
from desktop_app.core.query import MAX_QUERY_CHARS, STOPWORDS, TOKEN_RE, ParsedQuery
from desktop_app.core.vocabulary import QueryUnit


class MatchKind(StrEnum):
    """How a hit matched the query (``Hit.match``, ``hits[].match`` in ``search --json``)."""

    EXACT = "exact"  # the code typed
    PREFIX = "prefix"
    RANGE = "range"
    SECTION = "section"  # listed by browsing a section, no query
    MODIFIER = "modifier"  # a modifier written after a code ("99213-25") or named by the words
    WORDS = "words"  # every word
    CORRECTED = "corrected"  # every word, after typo correction
    MOST_WORDS = "most words"  # every word but one
    SOME_WORDS = "some words"  # any of the words
    # A plan of the word search, never a hit's match: a long last word tried by its start ("screenin"); its
    # hits match as WORDS.
    HALF_TYPED = "half-typed"


@dataclass(frozen=True)
class SearchFilters:
    code_set: str | None = None  # 'I', 'II', 'III', 'HCPCS'
    section_id: int | None = None


@dataclass(frozen=True)
class Hit:
    code: str
    code_set: str
    kind: str  # 'code' or 'modifier'
    section_id: int | None
    section: tuple[str, ...]  # broad to narrow
    title: str
    source: str
    status: str
    match: MatchKind
    # Marks the query's words in ``title`` (see ``highlights``), on demand: a list paints a screenful of the
    # hits it is given, and finding the words costs more than the rest of making a hit.
    highlighter: Highlighter | None = field(default=None, compare=False, repr=False)
    modifiers: tuple[ModifierCheck, ...] = ()  # the modifiers the query wrote after this code (99213-25)

    @cached_property
    def highlights(self) -> tuple[tuple[int, int], ...]:
        """(start, end) character spans of the query's words in ``title``, computed once, when first asked."""
        return self.highlighter.spans(self.title) if self.highlighter else ()

    @property
    def text(self) -> str:
        """The code as the query wrote it, modifiers included (``99213-25``): what opening the hit shows."""
        return "-".join((self.code, *(m.modifier for m in self.modifiers)))

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "category": self.code_set,
            "section": list(self.section),
            "title": self.title,
            "source": self.source,
            "known": True,
            "status": self.status,
            "kind": self.kind,
            "match": self.match,
            "modifiers": [m.to_json() for m in self.modifiers],
        }


@dataclass(frozen=True)
class UnknownCode:
    """A well-formed code the database does not have: what the grammar alone can say about it."""

    code: str
    code_set: str | None
    section: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "category": self.code_set, "section": list(self.section), "title": "",
                "known": False}


@dataclass
class SearchResult:
    query: str
    parsed: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # hits per code set, ignoring the category filter
    unknown: list[UnknownCode] = field(default_factory=list)
    corrected_words: tuple[str, ...] = ()  # set when typos were corrected ("showing results for …")
    partial: bool = False  # True when no code had every word and hits match most or some of them
    ranked_subset: bool = False  # True when more codes matched than are ranked (RANK_LIMIT)
    ranked_among: int = 0  # with ranked_subset: how many of the matching rows (titles first) were ranked
    fts_expression: str = ""  # the FTS5 expression behind a word search, for a later counts() call
    filled: dict[str, int] = field(default_factory=dict)  # codes per code set listed after those with every word
    measures: list[Any] = field(default_factory=list)  # quality measures the query names (core.measures.MeasureHit)
    stopped_after: float | None = None  # seconds, when the search hit the ceiling (TIME_LIMIT) and was cut
    counts_stopped: bool = False  # the per-category counts hit the ceiling: ``counts`` is empty, not zero
    # Codes the user named exactly (a code, range or list) are shown whatever the filter; these lie outside it.
    outside_filter: tuple[str, ...] = ()
    filter_ignored: bool = False  # the category/section filter was not applied (codes named exactly)
    next_after: str | None = None  # browsing: the last code of this page, to ask for the next one
    row_texts: dict[str, Any] = field(default_factory=dict)  # code -> core.row_text.RowText (the list's lines)

    @property
    def stopped(self) -> bool:
        return self.stopped_after is not None

    @property
    def message(self) -> str | None:
        if self.parsed.error:
            return self.parsed.error
        if self.stopped_after is not None:
            shown = "; showing what was found by then" if self.hits else ""
            return (f"Search stopped after {self.stopped_after * 1000:.0f} ms{shown}. "
                    "Add a word or a code to narrow it.")
        if self.parsed.truncated:
            return f"Only the first {MAX_QUERY_CHARS:,} characters of the query were searched."
        if self.corrected_words:
            return "Showing results for: " + " ".join(self.corrected_words)
        if self.partial:
            most = bool(self.hits) and self.hits[0].match == MatchKind.MOST_WORDS
            return f"No code has all of these words; showing codes with {'all but one' if most else 'some'} of them."
        if self.ranked_subset:
            return (f"{self.total:,} codes match; showing the best of the first {self.ranked_among:,}. "
                    "Add a word to narrow the search.")
        return None


class Highlighter:
    """Finds where query words (or their synonyms) start a word in a title. Built once per search."""

    def __init__(self, words: Sequence[str], synonyms: dict[str, tuple[str, ...]],
                 units: Sequence[QueryUnit] = ()) -> None:
        stems: set[str] = set()
        alternatives = {unit.text: unit.alternatives for unit in units}
        for word in [*words, *(unit.text for unit in units if unit.phrase)]:
            if word in STOPWORDS:
                continue
            for variant in (word, *synonyms.get(word, ()), *alternatives.get(word, ())):
                for part in TOKEN_RE.findall(variant):
                    if len(part) >= 2:
                        # Match the stem, so "visits" lights up "visit" and "established" lights up "establish".
                        stems.add(part[: max(3, len(part) - 2)] if len(part) > 4 else part)
        # Compiled when first asked for spans, not here: a search makes one highlighter whether or not anything
        # is highlighted, and compiling a pattern of every stem and meaning took 0.4 ms of a 1-2 ms search (each
        # query's pattern is new to re's cache).
        self._source = (r"(?<![^\W_])(" + "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))
                        + r")[^\W_]*") if stems else ""
        self._compiled: re.Pattern[str] | None = None

    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        """(start, end) character spans, merged and sorted."""
        if not self._source:
            return ()
        if self._compiled is None:
            self._compiled = re.compile(self._source, re.IGNORECASE)
        spans: list[tuple[int, int]] = []
        for match in self._compiled.finditer(text):
            if spans and match.start() <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], match.end()))
            else:
                spans.append((match.start(), match.end()))
        return tuple(spans)
