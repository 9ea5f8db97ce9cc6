"""Search: one query string in, ranked hits out.

Order of business: codes, code lists, prefixes and ranges are answered from the ``codes`` table by key;
anything else is words, answered by FTS5 with bm25. User input never reaches FTS5 unquoted: every word
becomes a quoted phrase, so ``"``, ``*``, ``NOT``, ``(`` and emoji are just text. What a query means (codes or
words) and how its words become FTS5 expressions is :mod:`desktop_app.core.query`; this module runs them and
makes the hits and results of :mod:`desktop_app.core.results` (importable from here too).

Over 500 lines on purpose: :class:`SearchEngine` is one plan of tiers (codes by key; every word; all words but
one; some words; spelling; modifiers first), and each tier's limits and counts depend on the ones before it, so
they are read together; what could stand alone (parsing, expressions, result types) already lives elsewhere.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from desktop_app.core.catalog import Catalog, Section
from desktop_app.core.grammar import (
    CodeSet,
    CodeTerm,
    ListItem,
    PrefixTerm,
    Shape,
    classify,
    code_set_for,
)
from desktop_app.core.indexing import filter_token
from desktop_app.core.modifiers import (
    check_modifiers,
    mentions_modifier,
    modifiers_named_by,
    without_modifier_words,
)
from desktop_app.core.query import (
    STOPWORDS,
    TOKEN_RE,
    ParsedQuery,
    QueryKind,
    fts_expression,
    fts_phrase,
    load_synonyms,
    parse_query,
    units_expression,
)
from desktop_app.core.results import Highlighter as Highlighter
from desktop_app.core.results import Hit as Hit
from desktop_app.core.results import MatchKind
from desktop_app.core.results import SearchFilters as SearchFilters
from desktop_app.core.results import SearchResult as SearchResult
from desktop_app.core.results import UnknownCode as UnknownCode
from desktop_app.core.vocabulary import QueryUnit, Vocabulary, index_terms, load_vocabulary

RANK_LIMIT = 600  # at most this many matching rows are ranked by bm25 (see SearchEngine._run_fts)
# A query matching more than RANK_LIMIT rows ranks this many of the rows whose title matches: bm25 costs a
# microsecond or two a row, and the best of a few hundred is as good an answer to "office" as the best of 600.
BROAD_RANK_LIMIT = 200
# bm25 points (of a typical 5-25) added to the bundled starter codes: enough to lift K0001 above the
# wheelchair accessories for "wheelchair", not enough to beat a code that matches more of the words.
COMMON_CODE_BONUS = 3.0
# Column weights for bm25 (code, title, body, keywords, filters): a hit on the code or the title counts most;
# the filter tokens (core.indexing.filter_text) never count.
BM25_WEIGHTS = (10.0, 5.0, 1.5, 2.0, 0.0)
# The ceiling of one search (and of one counts call): past it SQLite is stopped by the progress handler and
# the result says so, so no query can hold a worker (or the CLI) for long, whatever the data.
TIME_LIMIT = 0.25
PROGRESS_STEPS = 1000  # SQLite VM instructions between two looks at the clock (a few microseconds)
# FTS5 first, then the codes row of each match. A plain JOIN lets SQLite start from codes when a filter
# column has an index (code_set, section_id) and re-run the MATCH for every code of the category: seconds
# to minutes. The left table of a CROSS JOIN is always the outer loop, so the cost follows the matches.
FTS_JOIN = "code_fts CROSS JOIN codes c ON c.id = code_fts.rowid"

# Codes of one family (same category, same first four characters: 99211-99215) whose score is at least this
# share of the family's best count as equally good and list in code order, not by descriptor length.
FAMILY_CLOSE = 0.8
# Two code families describe the same operations as the surgical codes a coder is looking for, in shorter words,
# so bm25 ranked them first: the D range of HCPCS Level II is the ADA's dental code set (CDT), billed on dental
# claims, not by the medical coders this tool is for (a dental office visit above 99202-99205 for "office
# visit"); the anesthesia codes of Category I (00100-01999) name the procedure the anaesthesia is for (the knee
# arthroplasty anesthesia code above 27447 for "total knee"). Their score counts this share (bm25 is negative,
# so they rank lower); a query only they answer ("tooth extraction", "anesthesia knee") still lists them, in the
# same order.
SECONDARY_SCORE_SHARE = 0.8
# The family order (99211 … 99215 in code order) is applied to at least this many of the best rows before they
# are cut to the limit asked for: cut first, "hemoglobin a1c" listed 83037 but not 83036 at --limit 5 and 83036
# first at --limit 10, so the answer depended on how many rows were asked for (and the window, which asks for
# 50, showed another first ten than the quality benchmark measured at 10).
ORDERED_FLOOR = 50
FAMILY_LIFT_ROWS = 10  # the family order lifts within the best ten rows only (see family_order)
DENTAL_SQL = f"(c.code_set = '{CodeSet.HCPCS}' AND c.code GLOB 'D[0-9]*')"
ANESTHESIA_SQL = f"(c.code_set = '{CodeSet.CAT_I}' AND c.code BETWEEN '00100' AND '01999')"
# Round 8: two more families that name what a coder's CPT code names, in words bm25 prefers: the hospital
# outpatient procedure codes of HCPCS C (C5271-C5278 skin substitute application, C7500-C7999 and C9600-C9799
# procedures, listed by CMS beside the CPT code the physician reports: "AV fistula creation" listed C9754 above
# 36818), and the quality-reporting codes (Category II, HCPCS G8xxx-G9xxx and M), which name the procedure they
# report on (a preoperative-assessment code of Category II above 66984 for "cataract surgery"). A query only they
# answer still lists them, in the same order. The C device (C1xxx) and drug (C9xxx below C9600) codes are not in it.
HOSPITAL_PROCEDURE_SQL = (f"(c.code_set = '{CodeSet.HCPCS}' AND (c.code GLOB 'C[57][0-9]*'"
                          f" OR c.code BETWEEN 'C9600' AND 'C9799'))")
QUALITY_SQL = (f"(c.code_set = '{CodeSet.CAT_II}' OR (c.code_set = '{CodeSet.HCPCS}'"
               f" AND (c.code GLOB 'G[89][0-9]*' OR c.code GLOB 'M[0-9]*')))")
# Round 8: a query that asks for the anaesthesia service ("anesthesia for femur fracture", "anes TURP") ranks the
# anaesthesia codes as any other code, and when no code has all its words the codes with the anaesthesia word and
# any of the others come first (SearchEngine._anesthesia_rows): the anaesthesia descriptor names the region
# (01230 names the femur, not the fracture), so the every-word tier missed it and the some-words tiers listed the
# operations themselves (the femur fracture treatments, 27230 …) instead.
ANESTHESIA_WORDS = frozenset({"anesthesia", "anaesthesia", "anesth", "anes", "anest"})
# Words before "anesthesia" that make it the state a procedure is done in, not the service asked for ("knee
# manipulation under anesthesia", "suture removal under general anesthesia").
NOT_THE_ANESTHESIA_SERVICE = frozenset({"under", "with", "w", "w/", "without", "wo", "w/o", "general", "local",
                                        "requiring", "req", "no"})
# Words of an operation's meanings that name no organ or region: in the any-word look-up for anaesthesia codes they
# would match most of them (the lens surgery anaesthesia for "prostate surgery").
NO_REGION_WORDS = frozenset({"surgery", "surgical", "removal", "remove", "excision", "incision", "repair",
                             "procedure", "treatment", "open", "graft", "opening", "revision", "reconstruction"})
ANESTHESIA_OTHER_WORDS = 40  # at most this many single words of the other query words (see _anesthesia_rows)
# A query in the words of quality reporting ("tobacco cessation counselling documented", "BMI not performed")
# asks for the reporting codes: they rank as any other code then (see secondary_sql).
QUALITY_WORDS = frozenset({"documented", "documentation", "performed", "reported", "reason", "reasons", "measure",
                           "measures", "mips", "quality", "assessed", "assessment"})
WHOLE_WORD_MAX = 6
# Codes with all the words but one are added after the every-word codes when these are fewer than FILL_BELOW,
# ranked among the first FILL_RANK_LIMIT such codes (a cheap second look, not a second full search).
FILL_BELOW = 10
FILL_RANK_LIMIT = 100  # last words up to this long are matched as whole words before prefixes
# Index-only counts remembered per engine (expression and filters -> count), across keystrokes and between a
# search and its counts; emptied whenever the database changes (see SearchEngine._check_memo).
COUNT_MEMO_SIZE = 512
_GLOB_FOR_SHAPE = {
    Shape.CPT: "[0-9][0-9][0-9][0-9][0-9]",
    Shape.PLA: "[0-9][0-9][0-9][0-9]U",
    Shape.MAAA: "[0-9][0-9][0-9][0-9]M",
    Shape.VACCINE: "[0-9][0-9][0-9][0-9]A",
    Shape.CAT_II: "[0-9][0-9][0-9][0-9]F",
    Shape.CAT_III: "[0-9][0-9][0-9][0-9]T",
    Shape.HCPCS: "[A-Z][0-9][0-9][0-9][0-9]",
}


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
                 time_limit: float | None = TIME_LIMIT, vocabulary: Vocabulary | None = None) -> None:
        self.conn = conn
        self.catalog = catalog
        self.synonyms = synonyms if synonyms is not None else load_synonyms()
        self._vocabulary_given = vocabulary
        self.time_limit = time_limit
        self._source_names: dict[int, str] | None = None
        self._vocabulary: dict[str, list[str]] = {}
        self._corrections: dict[str, str] = {}
        self._plain_words: dict[str, list[str]] | None = None
        self._section_names: dict[int | None, tuple[str, ...]] = {}
        # Work kept across searches, valid for one state of the database (_check_memo): index-only counts by
        # (filtered expression, cap); the words and every-word count of the last unfiltered word search (does
        # the next keystroke probably match few codes?); the category whose count is left to subtraction.
        self._count_memo: dict[tuple[str, int | None], int] = {}
        self._memo_version: tuple[int, int] | None = None
        self._last_words: tuple[tuple[str, ...], int] | None = None
        self._largest_code_set: str | None = None
        self._one_category_each: bool | None = None
        self._secondary_sql = secondary_sql((), False)  # every family; per word search: see _search_words

    @property
    def vocabulary(self) -> Vocabulary:
        """The shorthand vocabulary, read on the first word search (a fifth of a second, once per process),
        not when the engine is made: opening a database and code look-ups never wait for it."""
        if self._vocabulary_given is None:
            self._vocabulary_given = load_vocabulary()
        return self._vocabulary_given

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
               with_counts: bool = False, parsed: ParsedQuery | None = None) -> SearchResult:
        """Hits for ``query``. Never raises for a slow query: past the time limit the result is cut short
        (``stopped``, with a message) and holds whatever was found by then. ``Connection.interrupt``
        from another thread still raises ``sqlite3.OperationalError``, as the worker expects.
        ``parsed``: ``parse_query(query)`` when the caller has it already."""
        filters = filters or SearchFilters()
        parsed = parse_query(query) if parsed is None else parsed
        result = SearchResult(query, parsed)
        self._check_memo()
        if parsed.kind == QueryKind.WORDS:
            # Read the vocabulary (a fifth of a second, once) before the clock starts: counted against the ceiling,
            # a first word search on a busy machine came back empty ("cystoscopy": "Search stopped after 254 ms").
            _ = self.vocabulary
        with self._ceiling() as deadline:
            try:
                if parsed.kind == QueryKind.CODES:
                    self._search_codes(result, filters, limit)
                elif parsed.kind == QueryKind.WORDS:
                    self._search_words(result, parsed.words, filters, limit)
                    if len(parsed.words) == 1 and len(parsed.words[0]) == 2:
                        # A clinical abbreviation that is also a modifier ("bp" blood pressure / BP, "ct", "pt",
                        # "us", "ua", "er") means the clinical thing: the modifier is listed after the codes
                        # ("-BP" or "modifier bp" asks for it alone).
                        word = parsed.words[0]
                        self._put_first(result, word.upper(), filters, first=word not in self.synonyms,
                                        limit=limit)
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

    def _item_sql(self, item: ListItem) -> tuple[str, list[object], MatchKind]:
        if isinstance(item, CodeTerm):
            return "c.code = ?", [item.code], MatchKind.EXACT
        if isinstance(item, PrefixTerm):
            return "c.code >= ? AND c.code < ?", [item.prefix, item.prefix + "\uffff"], MatchKind.PREFIX
        code_range = item.range
        shape = classify(code_range.start)
        glob = _GLOB_FOR_SHAPE.get(shape, "*") if shape else "*"
        return "c.code BETWEEN ? AND ? AND c.code GLOB ?", [code_range.start, code_range.end, glob], MatchKind.RANGE

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
                hit = self._hit(row, MatchKind.EXACT if row["code"] == getattr(item, "code", None) else match)
                if isinstance(item, CodeTerm) and item.modifiers:
                    hit = replace(hit, modifiers=tuple(check_modifiers(self.conn, hit.code, hit.code_set,
                                                                       item.modifiers)))
                result.hits.append(hit)
        result.total = self._count_codes(result.parsed.items, filters)
        # "99213-25": after the codes, the modifiers they were written with, so each can be opened.
        written = dict.fromkeys(m for m in _written_modifiers(result.parsed.items) if m not in seen)
        if written:
            rows_by_code = {row["code"]: row for row in self.conn.execute(
                f"SELECT c.* FROM codes c WHERE c.kind = 'modifier' AND c.code IN ({','.join('?' * len(written))})",
                list(written))}
            for modifier in written:
                if modifier not in rows_by_code:
                    continue
                if len(result.hits) < limit:
                    result.hits.append(self._hit(rows_by_code[modifier], MatchKind.MODIFIER))
                result.total += 1

    def _items_where(self, items: Sequence[ListItem]) -> tuple[str, list[object]]:
        """One WHERE clause matching any of ``items``, and its parameters."""
        clauses, params = [], []
        for item in items:
            where, item_params, _ = self._item_sql(item)
            clauses.append(f"({where})")
            params.extend(item_params)
        return " OR ".join(clauses), params

    def _count_codes(self, items: Sequence[ListItem], filters: SearchFilters) -> int:
        """Distinct codes matched by any item (a code in two items, as in "99213, 992*", counts once)."""
        matched, params = self._items_where(items)
        extra, extra_params = self._filter_sql(filters)
        return int(self.conn.execute(f"SELECT count(*) FROM codes c WHERE ({matched}){extra}",
                                     [*params, *extra_params]).fetchone()[0])

    def _among_matches(self, result: SearchResult, row_id: int) -> bool:
        """Does the search row ``row_id`` match the words (and so is already in ``result.total``)?"""
        if not result.fts_expression:
            return False
        return self.conn.execute("SELECT 1 FROM code_fts WHERE code_fts MATCH ? AND rowid = ?",
                                 (result.fts_expression, row_id)).fetchone() is not None

    def _put_first(self, result: SearchResult, code: str, filters: SearchFilters, *, first: bool = True,
                   limit: int = 0) -> None:
        """Put the code or modifier spelled exactly like the query at the top of a word search (with ``first``
        false, after the hits, if it is not among them)."""
        extra, params = self._filter_sql(filters)
        row = self.conn.execute(f"SELECT c.* FROM codes c WHERE c.code = ?{extra}", [code, *params]).fetchone()
        if row is None:
            return
        listed = any(hit.code == code for hit in result.hits)
        if not listed and not self._among_matches(result, int(row["id"])):
            result.total += 1  # counted already when it matches the words too, only ranked beyond this page
        if not first:
            if not listed and len(result.hits) < limit:
                result.hits.append(self._hit(row, MatchKind.EXACT))
            return
        result.hits = [self._hit(row, MatchKind.EXACT), *(hit for hit in result.hits if hit.code != code)]

    def _browse_section(self, result: SearchResult, filters: SearchFilters, limit: int) -> None:
        extra, params = self._filter_sql(filters)
        rows = self.conn.execute(
            f"SELECT c.* FROM codes c WHERE c.kind = 'code'{extra} ORDER BY c.code LIMIT ?", [*params, limit]
        ).fetchall()
        result.hits = [self._hit(row, MatchKind.SECTION) for row in rows]
        result.total = int(self.conn.execute(
            f"SELECT count(*) FROM codes c WHERE c.kind = 'code'{extra}", params).fetchone()[0])

    # --- words

    def _filtered_expression(self, expression: str, filters: SearchFilters, *, kind: str | None = None,
                             include_code_set: bool = True) -> str:
        """``expression`` restricted to ``filters`` (and, with ``kind``, to codes or modifiers) inside FTS5: the
        filter tokens every search row carries (core.indexing.filter_text) are ANDed to the words, so FTS5
        intersects the doclists and no codes row is read for a match outside the filter."""
        tokens = []
        if include_code_set and filters.code_set:
            tokens.append(filter_token("c", filters.code_set))
        if kind is not None:
            tokens.append(filter_token("k", kind))
        if filters.section_id is not None:
            tokens.append(filter_token("s", filters.section_id))
        if not tokens:
            return expression
        return " AND ".join([f"({expression})", *(f'"{token}"' for token in tokens)])

    def _check_memo(self) -> None:
        """Forget what was read from the database when it has changed since: a commit on another connection (an
        import in the window's other worker, or by the CLI) moves ``PRAGMA data_version``, one on this
        connection moves ``total_changes``. The remembered counts go, and so do the indexed terms and the
        spelling corrections read from them, and the sources' names."""
        version = (int(self.conn.execute("PRAGMA data_version").fetchone()[0]), self.conn.total_changes)
        if version != self._memo_version:
            self.forget()
            self._vocabulary.clear()
            self._corrections.clear()
            self._source_names = None
            self._one_category_each = None
            self._memo_version = version

    def forget(self) -> None:
        """Drop the remembered counts and last words: the next search runs as the first one would. Benchmarks
        call it so that no repeat of a query is answered from the counts of the one before."""
        self._count_memo.clear()
        self._last_words = None

    def _remember(self, key: tuple[str, int | None], count: int) -> int:
        if len(self._count_memo) >= COUNT_MEMO_SIZE:
            del self._count_memo[next(iter(self._count_memo))]  # the oldest entry
        self._count_memo[key] = count
        return count

    def _count_matches(self, expression: str, filters: SearchFilters, cap: int | None = None) -> int:
        """Matching rows (codes and modifiers) within ``filters``, counted in the index alone (the filters are
        filter tokens of the search rows): no row lookups. With ``cap``, counting stops there. Remembered
        (see :meth:`_check_memo`): typing, backspacing and the counts after a search ask again for the same."""
        within = self._filtered_expression(expression, filters)
        exact = self._count_memo.get((within, None))
        if exact is not None:
            return exact if cap is None else min(exact, cap)
        if cap is not None:
            capped = self._count_memo.get((within, cap))
            if capped is None:
                capped = self._remember((within, cap), int(self.conn.execute(
                    "SELECT count(*) FROM (SELECT 1 FROM code_fts WHERE code_fts MATCH ? LIMIT ?)",
                    (within, cap)).fetchone()[0]))
            if capped < cap:  # it stopped before the cap: the exact count
                self._remember((within, None), capped)
            return capped
        return self._remember((within, None), int(self.conn.execute(
            "SELECT count(*) FROM code_fts WHERE code_fts MATCH ?", (within,)).fetchone()[0]))

    def _run_fts(self, expression: str, filters: SearchFilters, limit: int, total: int = 0,
                 every_word: bool = False) -> list[sqlite3.Row]:
        """The best ``limit`` matches by bm25, among at most :data:`RANK_LIMIT` matching rows.

        bm25 costs a microsecond or two a row, so ranking every row of a query that matches half the
        database ("of", while the user is still typing) would take longer than a frame. Queries that
        match more than RANK_LIMIT codes are not discriminating anyway; the result says so, and the
        codes whose title matches are ranked before the rest: the first :data:`BROAD_RANK_LIMIT` of them
        when every one has every word, the first RANK_LIMIT for a some-words fallback (where the title rows
        that have most of the words can lie anywhere among thousands that have one).
        The bundled starter codes, the ones coders look up every day, get a small head start (see
        :data:`COMMON_CODE_BONUS`).
        """
        if total > RANK_LIMIT:
            # Too many to rank them all: codes whose *title* matches come first, then the rest.
            in_title = self._ranked(f"title : ({expression})", filters, limit, every_word,
                                    BROAD_RANK_LIMIT if every_word else RANK_LIMIT)
            if len(in_title) >= limit:
                return in_title
            seen = {row["code"] for row in in_title}
            return in_title + [row for row in self._ranked(expression, filters, limit + len(in_title), every_word)
                               if row["code"] not in seen][: limit - len(in_title)]
        return self._ranked(expression, filters, limit, every_word)

    def _ranked(self, expression: str, filters: SearchFilters, limit: int, every_word: bool = False,
                rank_limit: int | None = None) -> list[sqlite3.Row]:
        return self._ranked_counted(expression, filters, limit, every_word, rank_limit, counted=False)[0]

    def _ranked_counted(self, expression: str, filters: SearchFilters, limit: int, every_word: bool = False,
                        rank_limit: int | None = None, counted: bool = True) -> tuple[list[sqlite3.Row], int]:
        """The best ``limit`` rows among the first ``rank_limit`` matches and, when ``counted``, how many matches
        were ranked (all of them when fewer than ``rank_limit``: then it is the count, from the same pass over
        the index; a window function over the ranked rows, so not asked for when not needed)."""
        extra, params = self._filter_sql(filters)  # already met by every match: a check, not a search
        rank_limit = RANK_LIMIT if rank_limit is None else rank_limit
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        ranked = ", count(*) OVER () AS ranked" if counted else ""
        # Two steps: the matches are ranked on the few columns the order needs, and only the best ``limit`` rows
        # are read whole (titles and all), not every ranked row.
        rows = self.conn.execute(
            f"""SELECT c.*, best.* FROM (
                    SELECT id AS ranked_id, score{ranked} FROM (
                        SELECT c.id, c.status, c.kind, c.common, c.code,
                               bm25(code_fts, {weights}) * {self._secondary_sql} AS score
                        FROM {FTS_JOIN}
                        WHERE code_fts MATCH ?{extra}
                        LIMIT ?)
                    ORDER BY status = 'deleted', kind = 'modifier', score - common * ?, code
                    LIMIT ?) AS best
                CROSS JOIN codes c ON c.id = best.ranked_id""",
            [self._filtered_expression(expression, filters), *params, rank_limit, COMMON_CODE_BONUS,
             max(limit, ORDERED_FLOOR)],
        ).fetchall()
        return family_order(rows, every_word)[:limit], (int(rows[0]["ranked"]) if rows and counted else 0)

    def _count_fts(self, expression: str, filters: SearchFilters) -> dict[str, int]:
        """Matches per category, codes and modifiers alike, as the list shows them under that category's filter
        (a button's number is what choosing it lists); one index-only count per category (filter tokens).

        Every row carries exactly one category's token, so when the count over all categories is known (the
        search just took it) the largest category's count is that total less the others': its count, the
        dearest of them, is not taken."""
        any_category = self._count_memo.get((self._filtered_expression(expression, replace(filters, code_set=None)),
                                             None))
        derived = self._largest_code_set if any_category is not None and self._one_category_per_row() else None
        counts = {}
        for code_set in self.catalog.code_sets:
            if code_set.id == derived:
                continue
            n = self._count_matches(expression, replace(filters, code_set=code_set.id))
            if n:
                counts[code_set.id] = n
        if derived is not None and any_category is not None:
            n = any_category - sum(counts.values())
            if n:
                counts[derived] = n
        if counts:  # the next keystroke's counts leave out the category that had the most here
            self._largest_code_set = max(counts, key=lambda code_set: counts[code_set])
        return {code_set.id: counts[code_set.id] for code_set in self.catalog.code_sets if code_set.id in counts}

    def _one_category_per_row(self) -> bool:
        """Is every code's category one of the catalog's (so the categories' counts add up to the total)? A few
        index probes, once per state of the database."""
        if self._one_category_each is None:
            known = {code_set.id for code_set in self.catalog.code_sets}
            found: list[str] = []
            row = self.conn.execute("SELECT min(code_set) FROM codes").fetchone()
            while row[0] is not None and len(found) <= len(known):
                found.append(row[0])
                row = self.conn.execute("SELECT min(code_set) FROM codes WHERE code_set > ?", (row[0],)).fetchone()
            self._one_category_each = set(found) <= known
        return self._one_category_each

    def _search_words(self, result: SearchResult, words: Sequence[str], filters: SearchFilters, limit: int) -> None:
        """Try, in order: every word; every word with typos corrected; any of the words.

        A plan is chosen when it matches anything in *any* category (so the category buttons can show
        where the hits are), whatever the category filter.
        """
        any_category = SearchFilters(None, filters.section_id)
        plans: list[tuple[MatchKind, tuple[str, ...], bool]] = [(MatchKind.WORDS, tuple(words), False)]
        asks_for_anesthesia = asks_for_anesthesia_service(words)
        # Round 8: the families that count less for these words (every ranking of this search reads it; each word
        # search sets it first, and only word searches rank by bm25).
        self._secondary_sql = secondary_sql(words, asks_for_anesthesia)
        for plan, candidate, any_word in self._word_plans(words, plans):
            units = self.vocabulary.query_units(candidate, indexed=self._word_is_indexed)
            most_words = plan == MatchKind.MOST_WORDS
            expression = units_expression(units, any_word=any_word, most_words=most_words,
                                          stem_prefix=plan == MatchKind.HALF_TYPED)
            match = MatchKind.WORDS if plan == MatchKind.HALF_TYPED else plan
            probe: list[sqlite3.Row] | None = None
            if (plan == MatchKind.WORDS and filters == SearchFilters() and "NEAR(" in expression
                    and self._probably_few(words)):
                # The words before matched few codes and these extend them: rank at once, and count in the same
                # pass over the index (exact when fewer than RANK_LIMIT matched), not once to count and again
                # to rank. More than that, and this is only the first RANK_LIMIT: counted as usual below. Only
                # for expressions with NEAR groups (the meanings of "office visit"), whose position checks make
                # a count cost as much as the ranking; a count of plain words costs less than the window
                # function that counts the ranked rows.
                rows, ranked = self._ranked_counted(expression, filters, limit, True, RANK_LIMIT + 1)
                if ranked <= RANK_LIMIT:
                    self._remember((self._filtered_expression(expression, any_category), None), ranked)
                    probe = rows
            matches = self._count_matches(expression, any_category) if expression else 0
            if plan == MatchKind.WORDS and filters == SearchFilters():
                self._last_words = (tuple(words), matches)
            if not matches:
                continue
            result.fts_expression = expression
            # With a category filter, count only as far as ranking needs to know (RANK_LIMIT + 1) before
            # ranking, and the rest after: a search cut by the ceiling while counting keeps its hits.
            result.total = self._count_matches(expression, filters, RANK_LIMIT + 1) if filters.code_set else matches
            rows, ranked_among = self._whole_words_first(units, any_word, most_words, expression, filters, limit,
                                                         result.total, matches, any_category, probe)
            highlighter = Highlighter(candidate, self.synonyms, units)
            anesthesia_rows = (self._anesthesia_rows(units, filters, limit)
                               if asks_for_anesthesia and (any_word or most_words or len(rows) < FILL_BELOW) else [])
            if anesthesia_rows and (any_word or most_words):
                # No code has every word: the anaesthesia codes with another word of the query come first, those
                # this tier found in its order, then the others; then the rest of the tier.
                bag = {row["code"] for row in anesthesia_rows}
                first = [row for row in rows if is_anesthesia_code(row) and row["code"] in bag]
                listed = {row["code"] for row in first}
                first += [row for row in anesthesia_rows if row["code"] not in listed]
                listed |= {row["code"] for row in first}
                rows = [*first, *(row for row in rows if row["code"] not in listed)][:limit]
                anesthesia_rows = []
            result.hits = [self._hit(row, match, highlighter) for row in rows]
            if anesthesia_rows:
                # Few codes have every word: the anaesthesia codes for the operation follow them, before the codes
                # with all words but one (which would be the operations themselves).
                listed = {row["code"] for row in rows}
                extra = [row for row in anesthesia_rows if row["code"] not in listed][: limit - len(rows)]
                result.hits += [self._hit(row, MatchKind.MOST_WORDS, highlighter) for row in extra]
                for row in extra:
                    result.filled[row["code_set"]] = result.filled.get(row["code_set"], 0) + 1
                result.total += len(extra)
                rows = [*rows, *extra]
            fill = (self._fill_expression(units, any_category)
                    if not (any_word or most_words) and result.total < FILL_BELOW else "")  # not the page's rows
            if fill:
                # Few codes have every word: the codes with all words but one follow them, so a descriptor
                # that leaves out one of the user's words (no "abdominal" in a short text) is still listed.
                # All of the (at most FILL_RANK_LIMIT) ranked ones are counted, whatever the page's size, so the
                # total and the category counts do not depend on how many rows were asked for (a review found
                # "knee injection" at 10 of 10, 50 of 50 and 100 of 100).
                # Only the codes without every word: a code with every word that the page had no room for (a
                # page of 5) was counted twice ("knee injection": 103 at --limit 5, 101 otherwise).
                seen = {row["code"] for row in rows}
                extra = [row for row in self._ranked(f"({fill}) NOT ({expression})", filters, FILL_RANK_LIMIT,
                                                     rank_limit=FILL_RANK_LIMIT)
                         if row["code"] not in seen]
                result.hits += [self._hit(row, MatchKind.MOST_WORDS, highlighter)
                                for row in extra[: max(0, limit - len(rows))]]
                for row in extra:  # counted with the every-word codes, as the total counts them
                    result.filled[row["code_set"]] = result.filled.get(row["code_set"], 0) + 1
                result.total += len(extra)
            result.partial = any_word or most_words
            result.ranked_subset = bool(ranked_among)
            result.ranked_among = ranked_among
            result.corrected_words = self._surface_words(candidate, words, rows) if match == MatchKind.CORRECTED else ()
            if filters.code_set and result.total > RANK_LIMIT:
                result.total = self._count_matches(expression, filters)
            break
        self._lift_modifiers(result, words, filters, limit)

    def _anesthesia_rows(self, units: Sequence[QueryUnit], filters: SearchFilters, limit: int) -> list[sqlite3.Row]:
        """The best ``limit`` codes with the anaesthesia word and any other word of the query: "anesthesia femur
        fracture" finds 01230, whose descriptor names the region (the femur) and not the operation.
        [] when the query has no other word."""
        content = [unit for unit in units if unit.text not in STOPWORDS]
        anesthesia = [unit for unit in content if unit.text in ANESTHESIA_WORDS][:1]
        # The other words, each also read as the single words of its meanings: an anaesthesia descriptor names the
        # organ or region (the prostate for TURP, "transurethral resection of prostate"), so any
        # one of those words is enough here; bm25 ranks the codes with the rarer and more of them first.
        words = dict.fromkeys(token for unit in content if unit.text not in ANESTHESIA_WORDS
                              for text in (unit.text, *unit.alternatives) for token in TOKEN_RE.findall(text.lower())
                              if token not in STOPWORDS and len(token) > 2
                              and token not in ANESTHESIA_WORDS and token not in NO_REGION_WORDS)
        if not anesthesia or not words:
            return []
        expression = (f"({units_expression(anesthesia, prefix_last=False)}) AND "
                      f"({' OR '.join(fts_phrase(word) for word in list(words)[:ANESTHESIA_OTHER_WORDS])})")
        return self._ranked(expression, filters, limit)

    def _fill_expression(self, units: Sequence[QueryUnit], counted_in: SearchFilters) -> str:
        """What the codes after the every-word codes must match: all the words but one (3 words or more), or
        for two words the rarer one alone ("keppra level": the drug names the code, "level" does not; round 3).
        '' when there is nothing to add."""
        content = [unit for unit in units if unit.text not in STOPWORDS]
        if len(content) >= 3:
            return units_expression(units, most_words=True)
        if len(content) != 2:
            return ""
        counted = [(self._count_matches(expression, counted_in, RANK_LIMIT + 1), expression)
                   for expression in (units_expression([unit], prefix_last=False) for unit in content) if expression]
        return min(((n, e) for n, e in counted if n), default=(0, ""))[1]

    def _lift_modifiers(self, result: SearchResult, words: Sequence[str], filters: SearchFilters, limit: int) -> None:
        """Modifiers first when the query names one: by a keyword phrase of ours ("bilateral", "distinct
        procedural service") or with the word modifier ("telehealth modifier", "modifier for left side").
        Everyday word searches are left alone: modifiers rank after codes there."""
        lifted = modifiers_named_by(words)
        if mentions_modifier(words):
            rest = without_modifier_words(words)
            expression = fts_expression(rest, self.synonyms) if rest else ""
            if expression:
                lifted += [row["code"] for row in self.conn.execute(
                    f"""SELECT c.code FROM {FTS_JOIN} WHERE code_fts MATCH ? AND c.kind = 'modifier'
                        ORDER BY bm25(code_fts, {', '.join(str(w) for w in BM25_WEIGHTS)}) LIMIT 8""",
                    (expression,))]
        if not lifted:
            return
        extra, params = self._filter_sql(filters)
        wanted = list(dict.fromkeys(lifted))
        rows = {row["code"]: row for row in self.conn.execute(
            f"SELECT c.* FROM codes c WHERE c.kind = 'modifier' AND c.code IN ({','.join('?' * len(wanted))}){extra}",
            [*wanted, *params])}
        top = [self._hit(rows[m], MatchKind.MODIFIER) for m in wanted if m in rows]
        if not top:
            return
        codes = {hit.code for hit in top}
        result.total += len(codes - {hit.code for hit in result.hits})
        result.hits = [*top, *(hit for hit in result.hits if hit.code not in codes)][:limit]

    def _probably_few(self, words: Sequence[str]) -> bool:
        """Do these words extend those of the last unfiltered word search (a letter or a word more, as typing
        does), which matched at most RANK_LIMIT codes? Then they most likely match few codes too."""
        if self._last_words is None:
            return False
        before, matched = self._last_words
        if not 0 < matched <= RANK_LIMIT or not before:
            return False
        words = tuple(words)
        if len(words) == len(before):
            return words[:-1] == before[:-1] and words[-1].startswith(before[-1]) and words[-1] != before[-1]
        return len(words) == len(before) + 1 and words[:-1] == before

    def _whole_words_first(self, units: Sequence[QueryUnit], any_word: bool, most_words: bool, expression: str,
                           filters: SearchFilters, limit: int, total: int, prefix_matches: int,
                           counted_in: SearchFilters, probe: list[sqlite3.Row] | None = None
                           ) -> tuple[list[sqlite3.Row], int]:
        """Codes matching the last word as a whole word before those matching it only as a prefix: "DEXA"
        finds the bone density scans before "dexamethasone"; "office vis" still finds the visits.

        ``probe``: the expression's best ``limit`` rows among all its matches (every word), when already ranked.
        Also returns how many matching rows were ranked when not all of them were (0: all were)."""
        every = not (any_word or most_words)
        if not total:
            return [], 0

        def by_expression() -> list[sqlite3.Row]:
            if probe is not None and every and total <= RANK_LIMIT:
                return probe  # what _run_fts would rank: the same statement, run already
            return self._run_fts(expression, filters, limit, total, every)

        whole = units_expression(units, any_word=any_word, prefix_last=False, most_words=most_words)
        if total > RANK_LIMIT:
            return self._broad(expression, whole, filters, limit, total, every)
        if every and total > BROAD_RANK_LIMIT and self._titles_fill_page(whole, filters, limit):
            # Hundreds of codes have every word, and enough of them have the words (whole) in their title to
            # fill the page: those are ranked (bm25 costs a microsecond or two a row), not every match.
            return self._ranked(f"title : ({whole})", filters, limit, every, BROAD_RANK_LIMIT), BROAD_RANK_LIMIT
        # A long last word's prefix finds its own inflections, which the stemmer finds anyway: only a short
        # one ("dexa", "colon", "vis") runs into other words.
        if (whole == expression or len(units[-1].text) > WHOLE_WORD_MAX
                or self._prefix_adds_nothing(units, any_word, expression)):
            return by_expression(), 0
        # Counting the index alone costs little; a second ranking (with its filters) costs more. When the
        # prefix finds no code the whole words do not, or the whole words find none, one ranking does.
        whole_matches = self._count_matches(whole, counted_in)
        if whole_matches in (0, prefix_matches):
            return by_expression(), 0
        first = self._ranked(whole, filters, limit, every)
        if len(first) >= limit or len(first) == total:
            return first, 0  # enough whole-word matches, or the prefix adds no code: one ranking is enough
        seen = {row["code"] for row in first}
        rest = [row for row in self._run_fts(expression, filters, limit + len(first), total, every)
                if row["code"] not in seen]
        return first + rest[: limit - len(first)], 0

    def _prefix_adds_nothing(self, units: Sequence[QueryUnit], any_word: bool, expression: str) -> bool:
        """Does the last word's group (the word, its meanings) match the same codes as a prefix as it does as
        a whole word? Then so do the whole expressions, which differ in that group alone: "estab"* adds
        nothing to "estab" OR "established" (both are the indexed "establish"). Two counts of one group over
        the whole index (remembered) instead of one of the whole expression: asked only when the other words
        have NEAR groups (the meanings of "office visit") and the last word's group none, so that the group is
        the cheaper to count; the other words of a plain expression usually make its own count cheap."""
        content = [unit for unit in units if unit.text not in STOPWORDS] or list(units)
        last = content[-1:]
        as_prefix = units_expression(last, any_word=any_word)
        as_word = units_expression(last, any_word=any_word, prefix_last=False)
        if not as_prefix or not as_word or "NEAR(" in as_prefix or "NEAR(" not in expression:
            return False
        everything = SearchFilters()
        return as_prefix == as_word or self._count_matches(as_prefix, everything) == self._count_matches(
            as_word, everything)

    def _titles_fill_page(self, expression: str, filters: SearchFilters, limit: int) -> bool:
        """At least ``limit`` rows match ``expression`` in their title (an index-only count that stops there)."""
        return self._count_matches(f"title : ({expression})", filters, cap=limit) >= limit

    def _broad(self, expression: str, whole: str, filters: SearchFilters, limit: int, total: int, every: bool
               ) -> tuple[list[sqlite3.Row], int]:
        """More matches than are ranked: the title-first cut (:meth:`_run_fts`), of the whole last word when
        its titles alone fill the page. "office" is then ranked among the titles with the word "office", not
        among every title with a word starting "offic", and FTS5 does not merge the doclists of every such word
        (for the count of bm25 and again for the rows) only to rank a page of a query that matches thousands."""
        among = BROAD_RANK_LIMIT if every else RANK_LIMIT
        if whole != expression and self._titles_fill_page(whole, filters, limit):
            return self._ranked(f"title : ({whole})", filters, limit, every, among), among
        return self._run_fts(expression, filters, limit, total, every), among

    def counts(self, result: SearchResult, filters: SearchFilters) -> dict[str, int]:
        """Hits per code set for an earlier result, ignoring the category filter (for the filter buttons).

        Kept apart from :meth:`search` so a window can paint the hits first and the counts a moment later.
        Under the same time limit as a search: when cut, the answer is ``{}`` and ``result.counts_stopped``
        is set (the counts are unknown, not zero).
        """
        if result.stopped and result.parsed.kind == QueryKind.WORDS and not result.fts_expression:
            result.counts_stopped = True  # cut before it knew which words match: the counts are unknown
            return {}
        self._check_memo()
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
            found = self._count_fts(result.fts_expression, filters)
            for code_set, n in result.filled.items():
                found[code_set] = found.get(code_set, 0) + n
            return found
        if result.parsed.kind == QueryKind.CODES:
            # The same rows as the total: each code once however many items match it ("99213, 992*"), and the
            # modifiers written after a code ("99213-25" lists 25 too), so the counts add up to the total.
            items = result.parsed.items
            matched, params = self._items_where(items)
            base_extra, base_params = self._filter_sql(filters, include_code_set=False)
            counts: dict[str, int] = {}
            for row in self.conn.execute(
                    f"SELECT c.code_set, count(*) AS n FROM codes c WHERE ({matched}){base_extra} GROUP BY c.code_set",
                    [*params, *base_params]):
                counts[row["code_set"]] = row["n"]
            written = _written_modifiers(items)
            if written:
                for row in self.conn.execute(
                        f"SELECT c.code_set, count(*) AS n FROM codes c WHERE c.kind = 'modifier' "
                        f"AND c.code IN ({','.join('?' * len(written))}) AND NOT ({matched}) GROUP BY c.code_set",
                        [*written, *params]):
                    counts[row["code_set"]] = counts.get(row["code_set"], 0) + row["n"]
            return counts
        if filters.section_id is not None:
            base_extra, base_params = self._filter_sql(filters, include_code_set=False)
            # "+code_set": grouping by the bare column lets SQLite walk all codes in the (code_set, code) index
            # to get them grouped (0.4 s at 1M); the section's codes come from the covering index instead.
            return {row["code_set"]: row["n"] for row in self.conn.execute(
                f"SELECT code_set, count(*) AS n FROM codes c WHERE c.kind = 'code'{base_extra} GROUP BY +code_set",
                base_params)}
        return {}

    def _word_plans(self, words: Sequence[str], first: list[tuple[MatchKind, tuple[str, ...], bool]]
                    ) -> Iterator[tuple[MatchKind, tuple[str, ...], bool]]:
        yield from first
        last = words[-1] if words else ""
        if len(last) >= 7 and last.isalpha():
            # The index holds stems: a half-typed "screenin" or "injectio" is no prefix of "screen" or
            # "inject", so the start of the word is tried before anything is corrected.
            yield MatchKind.HALF_TYPED, tuple(words), False
        corrected = self.correct_words(words)  # only computed when every word together found nothing
        if corrected:
            yield MatchKind.CORRECTED, corrected, False
        if len(words) > 2:
            yield MatchKind.MOST_WORDS, tuple(corrected or words), False
        if len(words) > 1:
            yield MatchKind.SOME_WORDS, tuple(corrected or words), True

    # --- typo correction

    def _indexed_terms(self, letter: str) -> list[str]:
        """The indexed terms (stems) starting with ``letter``, read once per letter and engine. One letter's
        range of the sorted vocabulary is a small, quick read, so a first typo stays well under the ceiling."""
        if letter not in self._vocabulary:
            self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.code_fts_vocab USING fts5vocab(main, "
                              "'code_fts', 'row')")
            self._vocabulary[letter] = [term for (term,) in self.conn.execute(
                "SELECT term FROM temp.code_fts_vocab WHERE term >= ? AND term < ? AND length(term) > 2",
                (letter, chr(ord(letter) + 1)))]
        return self._vocabulary[letter]

    def _word_is_indexed(self, word: str) -> bool:
        """Does any code contain this word (or a word starting with it)? One index probe."""
        phrase = fts_phrase(word)
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
        """The closest real word for a word that matches nothing, or the word itself.

        Never a correction for a word the vocabulary knows ("Whipple") or the index holds, and only within a
        small edit distance of similar length, so a real word missing from this database ("trabeculectomy"
        before the RVU file is imported) is left alone rather than turned into another word. Plain words
        (the vocabulary's, which are real words) are preferred over the index's stems.
        """
        if (len(word) < 4 or word in STOPWORDS or any(ch.isdigit() for ch in word) or not word.isalpha()
                or self.vocabulary.knows(word) or self._word_is_indexed(word)):
            return word
        max_edits = 1 if len(word) <= 5 else 2 if len(word) <= 10 else 3
        max_length_change = 1 if len(word) < 8 else 2
        for pool in (self._plain_words_by_letter().get(word[0], ()), self._indexed_terms(word[0])):
            candidates = [w for w in pool if abs(len(w) - len(word)) <= max_length_change]
            # Two letters swapped are one edit (optimal string alignment), as a typist makes them: by plain
            # Levenshtein "physcial" was as far from "physical" as from the files' "physcl", which sorts first.
            best = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=max_edits)
            if best is not None:
                return str(best[0])
        return word

    def _plain_words_by_letter(self) -> dict[str, list[str]]:
        """The vocabulary's plain words that the index can find, bucketed by first letter."""
        if self._plain_words is None:
            self._plain_words = {letter: [plain for plain in words if len(plain) > 3]
                                 for letter, words in self.vocabulary.words_by_letter().items()}
        return self._plain_words

    def _surface_words(self, corrected: Sequence[str], typed: Sequence[str],
                       rows: Sequence[sqlite3.Row]) -> tuple[str, ...]:
        """Corrections may be stems of the index ("colonoscopi"): show a real word instead, from the
        vocabulary or from the titles of the hits, and the typed word where nothing was corrected."""
        titles = _surface_words(corrected, rows)
        shown = []
        for word, was, from_titles in zip(corrected, typed, titles, strict=True):
            if word == was or word in self.vocabulary.words:
                shown.append(word)
                continue
            # A word the index reads as this very stem ("colonoscopy" for "colonoscopi"), not any word sharing its
            # first letters: "dmek" was shown as "dmentia" (the files' misspelling, a key of the vocabulary).
            real = [w for w in self._plain_words_by_letter().get(word[0], ())
                    if w.startswith(word[:-1]) and index_terms(w) == (word,)]
            shown.append(min(real, key=lambda w: (Levenshtein.distance(w, word), len(w))) if real else from_titles)
        return tuple(shown)

    # --- helpers

    def source_name(self, source_id: int | None) -> str:
        if self._source_names is None:
            self._source_names = {r["id"]: r["name"] for r in self.conn.execute("SELECT id, name FROM sources")}
        return self._source_names.get(source_id, "") if source_id is not None else ""

    def _hit(self, row: sqlite3.Row, match: MatchKind, highlighter: Highlighter | None = None) -> Hit:
        section_id = row["section_id"]
        section = self._section_names.get(section_id)
        if section is None:  # a search lists up to 50 hits from a few sections: each path is walked once
            path = self.catalog.section_path(section_id) if section_id in self.catalog.sections else []
            section = self._section_names[section_id] = tuple(s.name for s in path)
        return Hit(
            code=row["code"],
            code_set=row["code_set"],
            kind=row["kind"],
            section_id=section_id,
            section=section,
            title=row["title"],
            source=self.source_name(row["title_source"]),
            status=row["status"],
            match=match,
            highlighter=highlighter,
        )

    def describe_unknown(self, code: str) -> UnknownCode:
        code_set = code_set_for(code)
        section: Section | None = self.catalog.section_for(code)
        path = tuple(s.name for s in self.catalog.section_path(section.id)) if section else ()
        return UnknownCode(code, code_set.value if code_set else None, path)


def is_anesthesia_code(row: sqlite3.Row) -> bool:
    """Is the row one of the anaesthesia codes of Category I (00100-01999)?"""
    return bool(row["code_set"] == CodeSet.CAT_I and "00100" <= row["code"] <= "01999")


def asks_for_anesthesia_service(words: Sequence[str]) -> bool:
    """Does the query ask for the anaesthesia service ("anesthesia for TURP", "anes femur fracture", "cystoscopy
    anesthesia"), not for a procedure done under anaesthesia ("manipulation under anesthesia")?"""
    return any(word in ANESTHESIA_WORDS and (index == 0 or words[index - 1] not in NOT_THE_ANESTHESIA_SERVICE)
               for index, word in enumerate(words))


def secondary_sql(words: Sequence[str], asks_for_anesthesia: bool | None = None) -> str:
    """The score share per code (bm25 times this) for a word query: the secondary families count less, except the
    one the query asks for (anaesthesia: ``asks_for_anesthesia``, worked out from ``words`` when not given; quality
    reporting)."""
    families = [DENTAL_SQL, HOSPITAL_PROCEDURE_SQL]
    if asks_for_anesthesia is None:
        asks_for_anesthesia = asks_for_anesthesia_service(words)
    if not asks_for_anesthesia:
        families.append(ANESTHESIA_SQL)
    if not QUALITY_WORDS.intersection(words):
        families.append(QUALITY_SQL)
    return f"(CASE WHEN {' OR '.join(families)} THEN {SECONDARY_SCORE_SHARE} ELSE 1.0 END)"


def family_order(rows: Sequence[sqlite3.Row], every_word: bool = False) -> list[sqlite3.Row]:
    """Rows ranked by score (bm25 is negative: lower is better), with the close members of a family lifted
    to the family's best score, so "office visit est" lists 99211, 99212, 99213 … in code order. When every
    row has every word of the query, all members of a family are equally good answers: they tie whatever
    their descriptors' lengths (a long abbreviated 99211 next to a short 99212)."""
    close = 0.0 if every_word else FAMILY_CLOSE
    best: dict[tuple[str, str], float] = {}
    for row in rows:
        best.setdefault((row["code_set"], row["code"][:4]), row["score"] - row["common"] * COMMON_CODE_BONUS)
    # Only the first FAMILY_LIFT_ROWS rows (in the rows' own order: the query's) are lifted, so the answer does
    # not depend on how many rows were fetched: lifting every member of a large family among 50 rows pushed
    # better answers off the first ten, and lifting among only the rows asked for made --limit 5 and --limit 10
    # disagree.
    lifted = {id(row) for row in rows[:FAMILY_LIFT_ROWS]}

    def key(row: sqlite3.Row) -> tuple[bool, bool, float, str]:
        adjusted = row["score"] - row["common"] * COMMON_CODE_BONUS
        family_best = best[(row["code_set"], row["code"][:4])]
        effective = family_best if id(row) in lifted and adjusted <= family_best * close else adjusted
        return row["status"] == "deleted", row["kind"] == "modifier", effective, row["code"]

    return sorted(rows, key=key)


def _surface_words(stems: Sequence[str], rows: Sequence[sqlite3.Row]) -> tuple[str, ...]:
    """Corrections come from the stemmed index ("offic"); show the word as it appears in a title instead."""
    titles = " ".join(row["title"] for row in rows[:20]).lower()
    surface = []
    for stem in stems:
        found = re.search(r"(?<![^\W_])" + re.escape(stem) + r"[^\W_]*", titles)
        surface.append(found.group(0) if found else stem)
    return tuple(surface)


def _written_modifiers(items: Sequence[ListItem]) -> list[str]:
    """The modifiers written after the codes of a code query ("99213-25, 27447-RT" → 25, RT), once each."""
    return list(dict.fromkeys(m for item in items if isinstance(item, CodeTerm) for m in item.modifiers))
