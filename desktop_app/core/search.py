"""Search: one query string in, ranked hits out.

Order of business: codes, code lists, prefixes and ranges are answered from the ``codes`` table by key;
anything else is words, answered by FTS5 with bm25. User input never reaches FTS5 unquoted: every word
becomes a quoted phrase, so ``"``, ``*``, ``NOT``, ``(`` and emoji are just text.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from desktop_app.core.catalog import Catalog, Section
from desktop_app.core.grammar import (
    CodeTerm,
    GrammarError,
    ListItem,
    PrefixTerm,
    Shape,
    classify,
    clean_input,
    code_set_for,
    parse_code_list,
)
from desktop_app.core.resources import data_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_QUERY_CHARS = 2000
MAX_WORDS = 12
RANK_LIMIT = 2000  # at most this many matching rows are ranked by bm25 (see SearchEngine._run_fts)
# bm25 points (of a typical 5-25) added to the bundled starter codes: enough to lift K0001 above the
# wheelchair accessories for "wheelchair", not enough to beat a code that matches more of the words.
COMMON_CODE_BONUS = 3.0
# Column weights for bm25 (code, title, body, keywords): a hit on the code or the title counts most.
BM25_WEIGHTS = (10.0, 5.0, 1.5, 2.0)
STOPWORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "by", "per"})
# The ceiling of one search (and of one counts call): past it SQLite is stopped by the progress handler and
# the result says so, so no query can hold a worker (or the CLI) for long, whatever the data.
TIME_LIMIT = 0.25
PROGRESS_STEPS = 1000  # SQLite VM instructions between two looks at the clock (a few microseconds)
# FTS5 first, then the codes row of each match. A plain JOIN lets SQLite start from codes when a filter
# column has an index (code_set, section_id) and re-run the MATCH for every code of the category: seconds
# to minutes. The left table of a CROSS JOIN is always the outer loop, so the cost follows the matches.
FTS_JOIN = "code_fts CROSS JOIN codes c ON c.id = code_fts.rowid"

_WORD_RE = re.compile(r"[^\W_]+(?:[/\-][^\W_]+)*")
_GLOB_FOR_SHAPE = {
    Shape.CPT: "[0-9][0-9][0-9][0-9][0-9]",
    Shape.PLA: "[0-9][0-9][0-9][0-9]U",
    Shape.MAAA: "[0-9][0-9][0-9][0-9]M",
    Shape.VACCINE: "[0-9][0-9][0-9][0-9]A",
    Shape.CAT_II: "[0-9][0-9][0-9][0-9]F",
    Shape.CAT_III: "[0-9][0-9][0-9][0-9]T",
    Shape.HCPCS: "[A-Z][0-9][0-9][0-9][0-9]",
}


# --- query parsing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    """What a query string means. ``kind`` is ``'empty'``, ``'codes'`` or ``'words'``."""

    kind: str
    items: tuple[ListItem, ...] = ()
    words: tuple[str, ...] = ()
    error: str | None = None  # a range-shaped query that cannot be a range
    truncated: bool = False  # the text was longer than MAX_QUERY_CHARS; only its start was read


def parse_query(text: str) -> ParsedQuery:
    """Decide whether ``text`` is codes (codes, prefixes, ranges, lists) or words. Never raises."""
    text = clean_input(text)  # NFKC and no lone surrogates, once, at the edge
    truncated = len(text) > MAX_QUERY_CHARS
    if truncated:
        # Cut at the last separator, so a long pasted list never ends in half a code ("004" of "0042T").
        head = text[:MAX_QUERY_CHARS]
        cut = max(head.rfind(sep) for sep in (" ", ",", ";", "\n", "\t"))
        text = head[:cut] if cut > 0 else head
    if not text.strip():
        return ParsedQuery("empty")
    try:
        items = parse_code_list(text)
    except GrammarError as exc:
        return ParsedQuery("empty", error=str(exc))
    if items:
        return ParsedQuery("codes", items=tuple(dict.fromkeys(items)), truncated=truncated)
    words = tuple(w.lower() for w in _WORD_RE.findall(text))[:MAX_WORDS]
    words = tuple(w[:64] for w in words)
    if not words:
        return ParsedQuery("empty")
    return ParsedQuery("words", words=words, truncated=truncated)


@lru_cache(maxsize=4)
def load_synonyms(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """``abbreviations.toml`` as a symmetric map: word → the words and phrases it also means."""
    with (path or data_dir() / "abbreviations.toml").open("rb") as fh:
        table = tomllib.load(fh)["synonyms"]
    synonyms: dict[str, set[str]] = {}
    for word, alternatives in table.items():
        for alternative in alternatives:
            synonyms.setdefault(word.lower(), set()).add(alternative.lower())
            # The reverse direction only for plain words: "office" must not also search the phrase
            # "o p", which is how the index sees "O&P" (ova and parasites) as well as "o/p".
            if " " not in alternative and word.isalnum():
                synonyms.setdefault(alternative.lower(), set()).add(word.lower())
    return {word: tuple(sorted(alts)) for word, alts in synonyms.items()}


def _fts_phrase(text: str) -> str:
    """Quote ``text`` as an FTS5 phrase: split into words, double any quote. Empty if nothing is left."""
    words = _WORD_RE.findall(text)
    inner = " ".join(re.split(r"[/\-]", " ".join(words)))
    return '"' + inner.replace('"', '""') + '"' if inner.strip() else ""


def fts_expression(words: Sequence[str], synonyms: dict[str, tuple[str, ...]], *, any_word: bool = False,
                   prefix_last: bool = True) -> str:
    """Build a safe FTS5 MATCH expression: each word (with its synonyms) is a group; groups are ANDed.

    The last word is matched as a prefix so results follow the typing. With ``any_word`` the groups
    are ORed (the fallback when no code has every word).
    """
    content = [w for w in words if w not in STOPWORDS] or list(words)
    groups = []
    for index, word in enumerate(content):
        literal = _fts_phrase(word)
        if not literal:
            continue
        is_last = index == len(content) - 1
        # In OR mode a 2-3 letter prefix ("fa*") would pull in thousands of words and rank noise; match it whole.
        min_prefix = 4 if any_word else 2
        alternatives = [literal + "*" if is_last and prefix_last and len(word) >= min_prefix else literal]
        alternatives += [p for p in (_fts_phrase(alt) for alt in synonyms.get(word, ())) if p]
        groups.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    return (" OR " if any_word else " AND ").join(groups)


# --- results ---------------------------------------------------------------------------------------


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
    match: str  # 'exact', 'prefix', 'range', 'words', 'some words', 'corrected'
    highlights: tuple[tuple[int, int], ...] = ()  # (start, end) character spans in ``title``

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
    partial: bool = False  # True when no code had every word and hits match some of them
    ranked_subset: bool = False  # True when more codes matched than are ranked (RANK_LIMIT)
    fts_expression: str = ""  # the FTS5 expression behind a word search, for a later counts() call
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
            return "No code has all of these words; showing codes with some of them."
        if self.ranked_subset:
            return (f"{self.total:,} codes match; showing the best of the first {RANK_LIMIT:,}. "
                    "Add a word to narrow the search.")
        return None


# --- the engine ------------------------------------------------------------------------------------


class _Deadline:
    """A progress handler that stops SQLite once ``seconds`` have passed, and remembers that it did.

    Telling our own stop apart from ``Connection.interrupt`` matters: the window's worker interrupts a
    search when a newer one arrives and expects the error, while a search cut by its ceiling is an answer.
    """

    def __init__(self, seconds: float) -> None:
        self.started = time.perf_counter()
        self.deadline = self.started + seconds
        self.expired = False

    def __call__(self) -> int:
        if time.perf_counter() >= self.deadline:
            self.expired = True
        return int(self.expired)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


class SearchEngine:
    """Runs searches on one connection. Cheap to create; create one per thread (per connection).

    Every :meth:`search` and :meth:`counts` call stops within ``time_limit`` seconds (``None``: never).
    """

    def __init__(self, conn: sqlite3.Connection, catalog: Catalog,
                 synonyms: dict[str, tuple[str, ...]] | None = None,
                 time_limit: float | None = TIME_LIMIT) -> None:
        self.conn = conn
        self.catalog = catalog
        self.synonyms = synonyms if synonyms is not None else load_synonyms()
        self.time_limit = time_limit
        self._source_names: dict[int, str] | None = None
        self._vocabulary: dict[str, list[str]] | None = None
        self._corrections: dict[str, str] = {}

    @contextmanager
    def _ceiling(self) -> Iterator[_Deadline]:
        """Run the block under the time limit; the caller checks ``expired`` after an OperationalError."""
        deadline = _Deadline(self.time_limit if self.time_limit is not None else float("inf"))
        if self.time_limit is not None:
            self.conn.set_progress_handler(deadline, PROGRESS_STEPS)
        try:
            yield deadline
        finally:
            if self.time_limit is not None:
                self.conn.set_progress_handler(None, 0)

    def search(self, query: str, filters: SearchFilters | None = None, limit: int = 50,
               with_counts: bool = False) -> SearchResult:
        """Hits for ``query``. Never raises for a slow query: past the time limit the result is cut short
        (``stopped``, with a message) and holds whatever was found by then. ``Connection.interrupt``
        from another thread still raises ``sqlite3.OperationalError``, as the worker expects."""
        filters = filters or SearchFilters()
        parsed = parse_query(query)
        result = SearchResult(query, parsed)
        with self._ceiling() as deadline:
            try:
                if parsed.kind == "codes":
                    self._search_codes(result, filters, limit)
                elif parsed.kind == "words":
                    self._search_words(result, parsed.words, filters, limit)
                    if len(parsed.words) == 1 and len(parsed.words[0]) == 2:
                        self._put_first(result, parsed.words[0].upper(), filters)
                elif filters.section_id is not None and not parsed.error:
                    self._browse_section(result, filters, limit)
            except sqlite3.OperationalError:
                if not deadline.expired:
                    raise
                result.stopped_after = deadline.elapsed
                result.total = max(result.total, len(result.hits))
        if with_counts:
            result.counts = self.counts(result, filters)
        return result

    # --- codes, prefixes, ranges

    def _filter_sql(self, filters: SearchFilters, alias: str = "c", include_code_set: bool = True
                    ) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        if include_code_set and filters.code_set:
            clauses.append(f"{alias}.code_set = ?")
            params.append(filters.code_set)
        if filters.section_id is not None:
            ids = self.catalog.descendants(filters.section_id)
            clauses.append(f"{alias}.section_id IN ({','.join('?' for _ in ids)})")
            params.extend(ids)
        return "".join(" AND " + c for c in clauses), params

    def _item_sql(self, item: ListItem) -> tuple[str, list[object], str]:
        if isinstance(item, CodeTerm):
            return "c.code = ?", [item.code], "exact"
        if isinstance(item, PrefixTerm):
            return "c.code >= ? AND c.code < ?", [item.prefix, item.prefix + "\uffff"], "prefix"
        code_range = item.range
        shape = classify(code_range.start)
        glob = _GLOB_FOR_SHAPE.get(shape, "*") if shape else "*"
        return "c.code BETWEEN ? AND ? AND c.code GLOB ?", [code_range.start, code_range.end, glob], "range"

    def _search_codes(self, result: SearchResult, filters: SearchFilters, limit: int) -> None:
        seen: set[str] = set()
        extra, extra_params = self._filter_sql(filters)
        for item in result.parsed.items:
            where, params, match = self._item_sql(item)
            # A two-character code-like query ("25", "TC") is a modifier as well as a prefix.
            rows = self.conn.execute(
                f"SELECT c.* FROM codes c WHERE {where}{extra} ORDER BY c.kind = 'modifier', c.code LIMIT ?",
                [*params, *extra_params, limit + 1],
            ).fetchall()
            if isinstance(item, PrefixTerm) and len(item.prefix) == 2:
                modifier = self.conn.execute(f"SELECT c.* FROM codes c WHERE c.code = ?{extra}",
                                             [item.prefix, *extra_params]).fetchone()
                if modifier is not None:
                    rows.insert(0, modifier)
            if isinstance(item, CodeTerm) and not rows and not extra:
                result.unknown.append(self.describe_unknown(item.code))
            for row in rows:
                if row["code"] in seen or len(result.hits) >= limit:
                    continue
                seen.add(row["code"])
                result.hits.append(self._hit(row, "exact" if row["code"] == getattr(item, "code", None) else match))
        result.total = self._count_codes(result.parsed.items, filters)

    def _count_codes(self, items: Sequence[ListItem], filters: SearchFilters) -> int:
        """Distinct codes matched by any item (a code in two items, as in "99213, 992*", counts once)."""
        clauses, params = [], []
        for item in items:
            where, item_params, _ = self._item_sql(item)
            clauses.append(f"({where})")
            params.extend(item_params)
        extra, extra_params = self._filter_sql(filters)
        return int(self.conn.execute(f"SELECT count(*) FROM codes c WHERE ({' OR '.join(clauses)}){extra}",
                                     [*params, *extra_params]).fetchone()[0])

    def _put_first(self, result: SearchResult, code: str, filters: SearchFilters) -> None:
        """Put the code or modifier spelled exactly like the query at the top of a word search."""
        extra, params = self._filter_sql(filters)
        row = self.conn.execute(f"SELECT c.* FROM codes c WHERE c.code = ?{extra}", [code, *params]).fetchone()
        if row is None:
            return
        if all(hit.code != code for hit in result.hits):
            result.total += 1
        result.hits = [self._hit(row, "exact"), *(hit for hit in result.hits if hit.code != code)]

    def _browse_section(self, result: SearchResult, filters: SearchFilters, limit: int) -> None:
        extra, params = self._filter_sql(filters)
        rows = self.conn.execute(
            f"SELECT c.* FROM codes c WHERE c.kind = 'code'{extra} ORDER BY c.code LIMIT ?", [*params, limit]
        ).fetchall()
        result.hits = [self._hit(row, "section") for row in rows]
        result.total = int(self.conn.execute(
            f"SELECT count(*) FROM codes c WHERE c.kind = 'code'{extra}", params).fetchone()[0])

    # --- words

    def _count_matches(self, expression: str, filters: SearchFilters, cap: int | None = None) -> int:
        """Matching rows (codes and modifiers) within ``filters``; with ``cap``, counting stops there."""
        extra, params = self._filter_sql(filters)
        if not extra:  # counting the index alone needs no row lookups: well under a millisecond
            return int(self.conn.execute("SELECT count(*) FROM code_fts WHERE code_fts MATCH ?",
                                         (expression,)).fetchone()[0])
        if cap is not None:
            return int(self.conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {FTS_JOIN} WHERE code_fts MATCH ?{extra} LIMIT ?)",
                [expression, *params, cap]).fetchone()[0])
        return int(self.conn.execute(
            f"SELECT count(*) FROM {FTS_JOIN} WHERE code_fts MATCH ?{extra}",
            [expression, *params]).fetchone()[0])

    def _run_fts(self, expression: str, filters: SearchFilters, limit: int, total: int = 0) -> list[sqlite3.Row]:
        """The best ``limit`` matches by bm25, among at most :data:`RANK_LIMIT` matching rows.

        bm25 costs about a microsecond a row, so ranking every row of a query that matches half the
        database ("of", while the user is still typing) would take longer than a frame. Queries that
        match more than RANK_LIMIT codes are not discriminating anyway; the result says so, and the
        codes whose title matches are ranked before the rest.
        The bundled starter codes, the ones coders look up every day, get a small head start (see
        :data:`COMMON_CODE_BONUS`).
        """
        if total > RANK_LIMIT:
            # Too many to rank them all: codes whose *title* matches come first, then the rest.
            in_title = self._ranked(f"title : ({expression})", filters, limit)
            if len(in_title) >= limit:
                return in_title
            seen = {row["code"] for row in in_title}
            return in_title + [row for row in self._ranked(expression, filters, limit + len(in_title))
                               if row["code"] not in seen][: limit - len(in_title)]
        return self._ranked(expression, filters, limit)

    def _ranked(self, expression: str, filters: SearchFilters, limit: int) -> list[sqlite3.Row]:
        extra, params = self._filter_sql(filters)
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        return self.conn.execute(
            f"""SELECT * FROM (
                    SELECT c.*, bm25(code_fts, {weights}) AS score
                    FROM {FTS_JOIN}
                    WHERE code_fts MATCH ?{extra}
                    LIMIT ?)
                ORDER BY status = 'deleted', kind = 'modifier', score - common * ?, code
                LIMIT ?""",
            [expression, *params, RANK_LIMIT, COMMON_CODE_BONUS, limit],
        ).fetchall()

    def _count_fts(self, expression: str, filters: SearchFilters) -> dict[str, int]:
        extra, params = self._filter_sql(filters, include_code_set=False)
        return {
            row["code_set"]: row["n"] for row in self.conn.execute(
                f"""SELECT c.code_set, count(*) AS n FROM {FTS_JOIN}
                    WHERE code_fts MATCH ?{extra} AND c.kind = 'code' GROUP BY c.code_set""",
                [expression, *params],
            )
        }

    def _search_words(self, result: SearchResult, words: Sequence[str], filters: SearchFilters, limit: int) -> None:
        """Try, in order: every word; every word with typos corrected; any of the words.

        A plan is chosen when it matches anything in *any* category (so the category buttons can show
        where the hits are), whatever the category filter.
        """
        any_category = SearchFilters(None, filters.section_id)
        plans: list[tuple[str, tuple[str, ...], bool]] = [("words", tuple(words), False)]
        for match, candidate, any_word in self._word_plans(words, plans):
            expression = fts_expression(candidate, self.synonyms, any_word=any_word)
            matches = self._count_matches(expression, any_category) if expression else 0
            if not matches:
                continue
            result.fts_expression = expression
            # With a category filter, count only as far as ranking needs to know (RANK_LIMIT + 1) before
            # ranking, and the rest after: a search cut by the ceiling while counting keeps its hits.
            result.total = self._count_matches(expression, filters, RANK_LIMIT + 1) if filters.code_set else matches
            rows = self._run_fts(expression, filters, limit, result.total) if result.total else []
            highlighter = Highlighter(candidate, self.synonyms)
            result.hits = [self._hit(row, match, highlighter) for row in rows]
            result.partial = any_word
            result.ranked_subset = result.total > RANK_LIMIT
            result.corrected_words = _surface_words(candidate, rows) if match == "corrected" else ()
            if filters.code_set and result.total > RANK_LIMIT:
                result.total = self._count_matches(expression, filters)
            return

    def counts(self, result: SearchResult, filters: SearchFilters) -> dict[str, int]:
        """Hits per code set for an earlier result, ignoring the category filter (for the filter buttons).

        Kept apart from :meth:`search` so a window can paint the hits first and the counts a moment later.
        Under the same time limit as a search: when cut, the answer is ``{}`` and ``result.counts_stopped``
        is set (the counts are unknown, not zero).
        """
        if result.stopped and result.parsed.kind == "words" and not result.fts_expression:
            result.counts_stopped = True  # cut before it knew which words match: the counts are unknown
            return {}
        with self._ceiling() as deadline:
            try:
                return self._counts(result, filters)
            except sqlite3.OperationalError:
                if not deadline.expired:
                    raise
                result.counts_stopped = True
                return {}

    def _counts(self, result: SearchResult, filters: SearchFilters) -> dict[str, int]:
        if result.fts_expression:
            return self._count_fts(result.fts_expression, filters)
        if result.parsed.kind == "codes":
            counts: dict[str, int] = {}
            base_extra, base_params = self._filter_sql(filters, include_code_set=False)
            for item in result.parsed.items:
                where, params, _ = self._item_sql(item)
                for row in self.conn.execute(
                        f"SELECT c.code_set, count(*) AS n FROM codes c WHERE {where}{base_extra} "
                        "AND c.kind = 'code' GROUP BY c.code_set", [*params, *base_params]):
                    counts[row["code_set"]] = counts.get(row["code_set"], 0) + row["n"]
            return counts
        if filters.section_id is not None:
            base_extra, base_params = self._filter_sql(filters, include_code_set=False)
            return {row["code_set"]: row["n"] for row in self.conn.execute(
                f"SELECT code_set, count(*) AS n FROM codes c WHERE c.kind = 'code'{base_extra} GROUP BY code_set",
                base_params)}
        return {}

    def _word_plans(self, words: Sequence[str], first: list[tuple[str, tuple[str, ...], bool]]
                    ) -> Iterator[tuple[str, tuple[str, ...], bool]]:
        yield from first
        corrected = self.correct_words(words)  # only computed when every word together found nothing
        if corrected:
            yield "corrected", corrected, False
        if len(words) > 1:
            yield "some words", tuple(words), True

    # --- typo correction

    def _vocabulary_by_letter(self) -> dict[str, list[str]]:
        """The indexed words (after stemming), bucketed by first letter; loaded once per engine."""
        if self._vocabulary is None:
            self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.code_fts_vocab USING fts5vocab(main, "
                              "'code_fts', 'row')")
            buckets: dict[str, list[str]] = {}
            for (term,) in self.conn.execute(
                    "SELECT term FROM temp.code_fts_vocab WHERE length(term) > 2 AND term GLOB '[a-z]*' "
                    "ORDER BY doc DESC LIMIT 50000"):
                buckets.setdefault(term[0], []).append(term)
            self._vocabulary = buckets
        return self._vocabulary

    def _word_is_indexed(self, word: str) -> bool:
        """Does any code contain this word (or a word starting with it)? One index probe."""
        phrase = _fts_phrase(word)
        return bool(phrase) and self.conn.execute(
            "SELECT 1 FROM code_fts WHERE code_fts MATCH ? LIMIT 1", (phrase + "*",)).fetchone() is not None

    def correct_words(self, words: Sequence[str]) -> tuple[str, ...]:
        """Each word that matches nothing replaced by the closest indexed word; () when nothing changed."""
        changed = False
        corrected = []
        for word in words:
            if word not in self._corrections:
                self._corrections[word] = self._closest_word(word)
            replacement = self._corrections[word]
            changed = changed or replacement != word
            corrected.append(replacement)
        return tuple(corrected) if changed else ()

    def _closest_word(self, word: str) -> str:
        if len(word) < 4 or word in STOPWORDS or any(ch.isdigit() for ch in word) or self._word_is_indexed(word):
            return word
        candidates = [v for v in self._vocabulary_by_letter().get(word[0], ()) if abs(len(v) - len(word)) <= 2]
        match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
        return match[0] if match else word

    # --- helpers

    def source_name(self, source_id: int | None) -> str:
        if self._source_names is None:
            self._source_names = {r["id"]: r["name"] for r in self.conn.execute("SELECT id, name FROM sources")}
        return self._source_names.get(source_id, "") if source_id is not None else ""

    def _hit(self, row: sqlite3.Row, match: str, highlighter: Highlighter | None = None) -> Hit:
        path = self.catalog.section_path(row["section_id"]) if row["section_id"] in self.catalog.sections else []
        return Hit(
            code=row["code"],
            code_set=row["code_set"],
            kind=row["kind"],
            section_id=row["section_id"],
            section=tuple(s.name for s in path),
            title=row["title"],
            source=self.source_name(row["title_source"]),
            status=row["status"],
            match=match,
            highlights=highlighter.spans(row["title"]) if highlighter else (),
        )

    def describe_unknown(self, code: str) -> UnknownCode:
        code_set = code_set_for(code)
        section: Section | None = self.catalog.section_for(code)
        path = tuple(s.name for s in self.catalog.section_path(section.id)) if section else ()
        return UnknownCode(code, code_set.value if code_set else None, path)


def _surface_words(stems: Sequence[str], rows: Sequence[sqlite3.Row]) -> tuple[str, ...]:
    """Corrections come from the stemmed index ("offic"); show the word as it appears in a title instead."""
    titles = " ".join(row["title"] for row in rows[:20]).lower()
    surface = []
    for stem in stems:
        found = re.search(r"(?<![^\W_])" + re.escape(stem) + r"[^\W_]*", titles)
        surface.append(found.group(0) if found else stem)
    return tuple(surface)


class Highlighter:
    """Finds where query words (or their synonyms) start a word in a title. Built once per search."""

    def __init__(self, words: Sequence[str], synonyms: dict[str, tuple[str, ...]]) -> None:
        stems: set[str] = set()
        for word in words:
            if word in STOPWORDS:
                continue
            for variant in (word, *synonyms.get(word, ())):
                for part in variant.split():
                    if len(part) >= 2:
                        # Match the stem, so "visits" lights up "visit" and "established" lights up "establish".
                        stems.add(part[: max(3, len(part) - 2)] if len(part) > 4 else part)
        self._pattern = re.compile(
            r"(?<![^\W_])(" + "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True)) + r")[^\W_]*",
            re.IGNORECASE) if stems else None

    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        """(start, end) character spans, merged and sorted."""
        if self._pattern is None:
            return ()
        spans: list[tuple[int, int]] = []
        for match in self._pattern.finditer(text):
            if spans and match.start() <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], match.end()))
            else:
                spans.append((match.start(), match.end()))
        return tuple(spans)
