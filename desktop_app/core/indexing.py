"""Derived data kept next to the facts: each code's section, its title (best descriptor) and its FTS row.

Both the bundled-reference build and every importer end by calling :func:`reindex` (or, with a temp table of
codes already filled, :func:`reindex_table`) for the codes they touched, inside their own transaction, so search
never sees a half-updated code.

Set-based: one query reads every touched code with its descriptors and its current search row, the title and
the search text are computed per code by :func:`search_row` (the one place that decides what is indexed), and
only the codes whose title or search text actually changed are written (one ``executemany`` each), so an
incremental import that repeats most of a release re-indexes only what it changed.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from desktop_app.core.catalog import Catalog
from desktop_app.core.resources import data_dir
from desktop_app.core.vocabulary import index_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Which descriptor becomes the title, best first. Official long text beats abbreviations; our own summary
# is the title only when nothing official has been imported.
TITLE_KIND_ORDER = ("long", "medium", "consumer", "short", "clinician", "summary")
SEARCH_EXCLUDED_KINDS = ("keywords",)
_KIND_RANK = {kind: rank for rank, kind in enumerate(TITLE_KIND_ORDER)}
BODY_SEPARATOR = " \u2022 "

SearchRow = tuple[str, str, str, str, str]  # the code_fts columns: code, title, body, keywords, filters

# Filter tokens (the ``filters`` column): each code's category, kind and every section of its path as one
# token each, so a filtered word search is "(words) AND <category token>" and FTS5 intersects the doclists
# itself instead of SQLite looking up the codes row of every match (issue 9: at 1M codes a common word
# matches hundreds of thousands of rows). They start with a private-use character: unicode61 keeps it in the
# token, but no user word can contain one (search quotes only letters and digits, core.query.TOKEN_RE), so
# nothing typed ever matches a filter token, and its prefix never starts with a letter. They end with a digit,
# which no porter rule strips, so "I", "II" and "III" stay three tokens.
FILTER_MARK = "\ue000"


def filter_token(field: str, value: object) -> str:
    """One filter token: ``field`` is 'c' (category), 'k' (kind: code or modifier) or 's' (section id)."""
    return f"{FILTER_MARK}{field}{str(value).lower()}0"


def filter_text(code_set: str, kind: str, section_ids: Iterable[int]) -> str:
    """The ``filters`` column of a code: its category, its kind and each section of its path (broad to narrow)."""
    tokens = [filter_token("c", code_set), filter_token("k", kind), *(filter_token("s", i) for i in section_ids)]
    return " ".join(tokens)


def search_row(code: str, title: str, texts: Iterable[str], keywords: Iterable[str], section_words: str,
               filters: str) -> SearchRow:
    """The text of one code's FTS row: (code, title, body, keywords, filters).

    ``texts`` are the code's descriptors other than keywords (any order, repeats allowed): the body is every
    distinct one but the title, in the order given; ``keywords`` are its keyword descriptors and
    ``section_words`` the names of its section path, both go to the keywords column; ``filters`` is the code's
    :func:`filter_text`, stored as it is. Every search row is made here, so a change to what is searchable
    (vocabulary, expansions) is made in this one function.
    """
    body = BODY_SEPARATOR.join(dict.fromkeys(text for text in texts if text != title))
    keyword_text = index_text(" ".join(filter(None, (" ".join(keywords), section_words))))
    # Round 8 of issue 10: the names a coder knows a code by (the Whipple codes, whose descriptor is one generic
    # text shared with the total pancreatectomy 48146): resources/data/code_terms*.toml. They are plain words
    # already, so they are indexed as written, not expanded: a code's own names would otherwise make its keywords
    # text one of a kind, and each such text is one more vocabulary walk on every import (issue 13).
    terms = code_terms().get(code)
    if terms:
        keyword_text = " ; ".join(filter(None, (keyword_text, *terms)))
    # Every text column also gets the plain words of its shorthand (core.vocabulary), so a descriptor written
    # "optx … dst … fx" is found as "open treatment distal fracture". This is where what is indexed differs from
    # what is stored: change it with a migration that re-indexes (database.py).
    return code, index_text(title), index_text(body), keyword_text, filters


# Our own words for single codes (code_terms.toml, and code_terms_<part>.toml files that hold one part of the code
# range each, so the lists stay reviewable). A code named in two files is an error: its words would silently depend
# on which file was read last.
CODE_TERMS_GLOB = "code_terms*.toml"


@lru_cache(maxsize=1)
def code_terms() -> dict[str, tuple[str, ...]]:
    """code -> our own words for it (``resources/data/code_terms*.toml``): indexed with the code when it is in the
    database, whichever file brought it."""
    return read_code_terms(sorted(data_dir().glob(CODE_TERMS_GLOB)))


def read_code_terms(paths: Iterable[Path]) -> dict[str, tuple[str, ...]]:
    """The ``[terms]`` tables of ``paths`` as one mapping; a code in two of them is refused (ValueError)."""
    terms_of: dict[str, tuple[str, ...]] = {}
    source_of: dict[str, str] = {}
    for path in paths:
        with path.open("rb") as fh:
            table = tomllib.load(fh).get("terms", {})
        for raw_code, terms in table.items():
            code = raw_code.strip().upper()
            if code in terms_of:
                raise ValueError(f"{path.name}: code {code} already has words in {source_of[code]}")
            terms_of[code] = tuple(term.strip().lower() for term in terms)
            source_of[code] = path.name
    return terms_of


def descriptor_search_row(
    code: str, title: str, descriptors: Iterable[tuple[str, str]], section_words: str, filters: str
) -> SearchRow:
    """:func:`search_row` from a code's descriptors (kind, text) in the order written (a code new to the database,
    whose descriptors all come from the file being imported)."""
    texts: list[str] = []
    keywords: list[str] = []
    for kind, text in descriptors:
        (keywords if kind in SEARCH_EXCLUDED_KINDS else texts).append(text)
    return search_row(code, title, texts, keywords, section_words, filters)


def section_filter_ids(catalog: Catalog) -> dict[int | None, list[int]]:
    """section id -> the ids of its path, broad to narrow (the section tokens of its codes' filters column)."""
    return {section_id: [s.id for s in catalog.section_path(section_id)] for section_id in catalog.sections}


# Words a section name uses to say what it does NOT hold ("Upper Leg (Except Knee)", "Drugs Administered Other
# Than Oral Method"): indexed, they made every code of the section match the very word it excludes ("knee
# arthroplasty" listed the hip anaesthesia code 01214 third; "oral" matched every injectable J code).
_EXCLUDED_BY_NAME = re.compile(r"\(\s*except\b[^)]*\)|\bother than\s+\w+(?:\s+method)?", re.IGNORECASE)


def section_search_words(name: str) -> str:
    """A section's name as search words: what it holds, without the words it names only to exclude."""
    return " ".join(_EXCLUDED_BY_NAME.sub(" ", name).split())


def section_words(catalog: Catalog) -> dict[int | None, str]:
    """section id -> the names of its path, broad to narrow: what a code's search row gets from its section."""
    return {section_id: " ".join(section_search_words(s.name) for s in catalog.section_path(section_id))
            for section_id in catalog.sections}


def insert_search_rows(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str, str, str, str]]) -> None:
    """Insert search rows (rowid = codes.id, then the :data:`SearchRow` columns) through one prepared statement;
    ``rows`` may be a generator and is never listed. The codes must have no search row yet."""
    conn.executemany(
        "INSERT INTO code_fts (rowid, code, title, body, keywords, filters) VALUES (?, ?, ?, ?, ?, ?)", rows)


def _touched_table(conn: sqlite3.Connection, codes: Iterable[str] | None) -> str:
    """Fill a temp table with the codes to reindex (all codes when ``codes`` is None); return its name."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS reindex_codes (code TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM reindex_codes")
    if codes is None:
        conn.execute("INSERT INTO reindex_codes SELECT code FROM codes")
    else:
        conn.executemany("INSERT OR IGNORE INTO reindex_codes VALUES (?)", ((c,) for c in codes))
    return "reindex_codes"


def reindex(conn: sqlite3.Connection, catalog: Catalog, codes: Iterable[str] | None = None,
            written: list[int] | None = None) -> int:
    """Recompute section, title and search row of ``codes`` (every code when None). Returns how many;
    ``written``, when given, gets the number of search rows deleted and inserted appended.

    Must run inside the caller's transaction.
    """
    table = _touched_table(conn, codes)
    try:
        return reindex_table(conn, catalog, table, written=written)
    finally:
        conn.execute(f"DELETE FROM {table}")


def title_rank(kind: str) -> int:
    """Where a descriptor kind stands for the title (lower is better; keywords are never the title)."""
    return _KIND_RANK.get(kind, len(TITLE_KIND_ORDER))


def first_title(descriptors: Iterable[tuple[str, str]]) -> str:
    """The title among one source's descriptors (kind, text) in the order written: the best kind, the first
    written among equals; '' when there is none. (How :func:`reindex_table` picks it within one source.)"""
    best = min(
        (
            (title_rank(kind), i, text)
            for i, (kind, text) in enumerate(descriptors)
            if kind not in SEARCH_EXCLUDED_KINDS
        ),
        default=None,
    )
    return best[2] if best else ""


def _source_recency(conn: sqlite3.Connection) -> dict[int, int]:
    """source id -> its place, newest first (effective date, then time of loading; equal sources share a place,
    and then the first written descriptor wins): the title's tie-break."""
    places: dict[tuple[str, str], int] = {}
    recency: dict[int, int] = {}
    for source_id, effective, loaded in conn.execute(
        "SELECT id, effective_date, loaded_at FROM sources ORDER BY effective_date DESC, loaded_at DESC"
    ):
        recency[source_id] = places.setdefault((effective, loaded), len(places))
    return recency


def reindex_table(
    conn: sqlite3.Connection, catalog: Catalog, table: str, *, sections: bool = True, max_id: int | None = None,
    written: list[int] | None = None,
) -> int:
    """Recompute title and search row (and, with ``sections``, the section) of the codes listed in the temp table
    ``table`` (one column, ``code``). Writes only what changed. Returns how many codes were looked at.

    ``sections=False`` keeps each code's stored section: an importer sets it when it inserts a code, and the
    section of a code depends only on the catalog, which an import does not change. ``max_id`` skips codes with
    a higher id (codes an importer has just inserted with their title and search row). ``written``, when given,
    gets the number of search rows deleted and inserted appended (see :func:`settle_search_index`).
    """
    words = section_words(catalog)
    path_ids = section_filter_ids(catalog)
    recency = _source_recency(conn)
    # One pass: each touched code, its descriptors and its current search row (the FTS5 content table, read by
    # rowid), ordered by code id then descriptor id.
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: tens of thousands of rows
    cursor.execute(
        f"""
        SELECT c.id, c.code, c.section_id, c.title, c.title_source, c.code_set, c.kind,
               fc.id IS NOT NULL, fc.c0, fc.c1, fc.c2, fc.c3, fc.c4, d.id, d.kind, d.text, d.source_id
        FROM {table} t
        JOIN codes c ON c.code = t.code
        LEFT JOIN code_fts_content fc ON fc.id = c.id
        LEFT JOIN descriptors d ON d.code = c.code
        WHERE c.id <= ?
        ORDER BY c.id, d.id
        """,
        (max_id if max_id is not None else 2**63 - 1,),
    )
    unknown_source = len(recency)
    code_updates: list[tuple[object, ...]] = []
    stale_rows: list[tuple[int]] = []
    new_rows: list[tuple[int, str, str, str, str, str]] = []
    looked_at = 0
    for code_id, group in itertools.groupby(cursor, key=lambda r: r[0]):
        rows = list(group)
        looked_at += 1
        _, code, old_section, old_title, old_title_source, code_set, kind, has_row, *stored = rows[0][:13]
        section_id = old_section
        if sections:
            section = catalog.section_for(code)
            section_id = section.id if section else None
        texts: list[str] = []
        keywords: list[str] = []
        best: tuple[int, int, int, str, int] | None = None
        # The title: the best kind, then the newest source, then the first written (rows come in id order).
        for row in rows:
            descriptor_id, descriptor_kind, text, source_id = row[13:17]
            if descriptor_id is None:
                continue
            if descriptor_kind in SEARCH_EXCLUDED_KINDS:
                keywords.append(text)
                continue
            texts.append(text)
            candidate = (title_rank(descriptor_kind), recency.get(source_id, unknown_source), descriptor_id, text,
                         source_id)
            if best is None or candidate < best:
                best = candidate
        title, title_source = (best[3], best[4]) if best else ("", None)
        if (section_id, title, title_source) != (old_section, old_title, old_title_source):
            code_updates.append((section_id, title, title_source, code_id))
        search = search_row(code, title, texts, keywords, words.get(section_id, ""),
                            filter_text(code_set, kind, path_ids.get(section_id, ())))
        if has_row:
            if tuple(stored) == search:
                continue
            stale_rows.append((code_id,))
        new_rows.append((code_id, *search))
    conn.executemany("UPDATE codes SET section_id = ?, title = ?, title_source = ? WHERE id = ?", code_updates)
    # FTS5 deletes must name the old row; then the new rows go in, in rowid order, through one prepared statement.
    conn.executemany("DELETE FROM code_fts WHERE rowid = ?", stale_rows)
    insert_search_rows(conn, new_rows)
    if written is not None:
        written.append(len(stale_rows) + len(new_rows))
    return looked_at


def drop_orphan_codes(conn: sqlite3.Connection) -> int:
    """Remove codes that no source speaks of any more (after a source was removed). Returns how many."""
    orphan_filter = """
        NOT EXISTS (SELECT 1 FROM descriptors d WHERE d.code = codes.code)
        AND NOT EXISTS (SELECT 1 FROM code_facts f WHERE f.code = codes.code)
    """
    conn.execute(f"DELETE FROM code_fts WHERE rowid IN (SELECT id FROM codes WHERE {orphan_filter})")
    return conn.execute(f"DELETE FROM codes WHERE {orphan_filter}").rowcount


def optimize_search_index(conn: sqlite3.Connection) -> None:
    """Merge the full-text index's segments into one (FTS5 ``optimize``). An import writes the index in many
    small segments; merged, every later search reads one b-tree per term instead of one per segment."""
    conn.execute("INSERT INTO code_fts (code_fts) VALUES ('optimize')")


# An import that wrote at least this share of the index's rows (inserted plus deleted, against the codes there are
# after it) merges the whole index into one segment; a smaller one leaves its few new segments to FTS5's own
# incremental merging (automerge), as any FTS5 write does.
OPTIMIZE_SHARE = 0.25


def settle_search_index(conn: sqlite3.Connection, rows_written: int) -> bool:
    """End an import's writes to the search index; True when it merged the whole index (:func:`optimize_search_index`).

    'optimize' rewrites every page of the index however few rows changed (issue 13: 0.09 s, all 1,088 pages, for
    one new row beside the RVU file's 17,000 codes; 5.5 s in the 1,000,000-code database), so it runs only after
    an import that wrote a good share of the rows (a first import of a release: the bulk case, one segment as
    before). After a smaller one the index keeps the big segment and a few small ones, which FTS5 merges as they
    accumulate (its default ``automerge``); every search finds exactly the same rows with the same scores either
    way.
    """
    if rows_written <= 0:
        return False
    codes = int(conn.execute("SELECT count(*) FROM codes").fetchone()[0])
    if rows_written < OPTIMIZE_SHARE * codes:
        return False
    optimize_search_index(conn)
    return True
