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
import sqlite3
from collections.abc import Iterable

from desktop_app.core.catalog import Catalog

# Which descriptor becomes the title, best first. Official long text beats abbreviations; our own summary
# is the title only when nothing official has been imported.
TITLE_KIND_ORDER = ("long", "medium", "consumer", "short", "clinician", "summary")
SEARCH_EXCLUDED_KINDS = ("keywords",)
_KIND_RANK = {kind: rank for rank, kind in enumerate(TITLE_KIND_ORDER)}
BODY_SEPARATOR = " \u2022 "

SearchRow = tuple[str, str, str, str]  # the code_fts columns: code, title, body, keywords


def search_row(code: str, title: str, texts: Iterable[str], keywords: Iterable[str], section_words: str) -> SearchRow:
    """The text of one code's FTS row: (code, title, body, keywords).

    ``texts`` are the code's descriptors other than keywords (any order, repeats allowed): the body is every
    distinct one but the title, in the order given; ``keywords`` are its keyword descriptors and
    ``section_words`` the names of its section path, both go to the keywords column. Every search row is made
    here, so a change to what is searchable (vocabulary, expansions) is made in this one function.
    """
    body = BODY_SEPARATOR.join(dict.fromkeys(text for text in texts if text != title))
    return code, title, body, " ".join(filter(None, (" ".join(keywords), section_words)))


def _touched_table(conn: sqlite3.Connection, codes: Iterable[str] | None) -> str:
    """Fill a temp table with the codes to reindex (all codes when ``codes`` is None); return its name."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS reindex_codes (code TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM reindex_codes")
    if codes is None:
        conn.execute("INSERT INTO reindex_codes SELECT code FROM codes")
    else:
        conn.executemany("INSERT OR IGNORE INTO reindex_codes VALUES (?)", ((c,) for c in codes))
    return "reindex_codes"


def reindex(conn: sqlite3.Connection, catalog: Catalog, codes: Iterable[str] | None = None) -> int:
    """Recompute section, title and search row of ``codes`` (every code when None). Returns how many.

    Must run inside the caller's transaction.
    """
    table = _touched_table(conn, codes)
    try:
        return reindex_table(conn, catalog, table)
    finally:
        conn.execute(f"DELETE FROM {table}")


Descriptor = tuple[str, str, int, str, str, int]  # kind, text, source id, effective date, loaded at, id


def _title_order(descriptors: list[Descriptor]) -> list[Descriptor]:
    """Descriptors (kind, text, source id, effective date, loaded at, id), best title first: kind rank, then the
    newest source (effective date, then time of loading), then the first written."""
    ordered = sorted(descriptors, key=lambda d: d[5])
    ordered.sort(key=lambda d: d[4], reverse=True)  # sorts are stable: each pass keeps the order of the last
    ordered.sort(key=lambda d: d[3], reverse=True)
    ordered.sort(key=lambda d: _KIND_RANK.get(d[0], len(TITLE_KIND_ORDER)))
    return ordered


def reindex_table(conn: sqlite3.Connection, catalog: Catalog, table: str, *, sections: bool = True) -> int:
    """Recompute title and search row (and, with ``sections``, the section) of the codes listed in the temp table
    ``table`` (one column, ``code``). Writes only what changed. Returns how many codes were looked at.

    ``sections=False`` keeps each code's stored section: an importer sets it when it inserts a code, and the
    section of a code depends only on the catalog, which an import does not change.
    """
    section_words = {
        section_id: " ".join(s.name for s in catalog.section_path(section_id)) for section_id in catalog.sections
    }
    # One pass: each touched code, its descriptors (with their sources, for the title order) and its current
    # search row (the FTS5 content table, read by rowid), ordered by code id then descriptor id.
    cursor = conn.execute(
        f"""
        SELECT c.id, c.code, c.section_id, c.title, c.title_source,
               fc.c0, fc.c1, fc.c2, fc.c3, fc.id IS NOT NULL,
               d.kind, d.text, d.source_id, s.effective_date, s.loaded_at, d.id
        FROM {table} t
        JOIN codes c ON c.code = t.code
        LEFT JOIN code_fts_content fc ON fc.id = c.id
        LEFT JOIN descriptors d ON d.code = c.code
        LEFT JOIN sources s ON s.id = d.source_id
        ORDER BY c.id, d.id
        """
    )
    code_updates: list[tuple[object, ...]] = []
    stale_rows: list[tuple[int]] = []
    new_rows: list[tuple[object, ...]] = []
    looked_at = 0
    for code_id, rows_iter in itertools.groupby(cursor, key=lambda r: r[0]):
        rows = list(rows_iter)
        looked_at += 1
        first = rows[0]
        code, section_id, old_title, old_title_source = first[1], first[2], first[3], first[4]
        descriptors: list[Descriptor] = [(r[10], r[11], r[12], r[13], r[14], r[15]) for r in rows if r[15] is not None]
        if sections:
            section = catalog.section_for(code)
            section_id = section.id if section else None
        titled = _title_order([d for d in descriptors if d[0] not in SEARCH_EXCLUDED_KINDS])
        title, title_source = (titled[0][1], titled[0][2]) if titled else ("", None)
        if (section_id, title, title_source) != (first[2], old_title, old_title_source):
            code_updates.append((section_id, title, title_source, code_id))
        row = search_row(
            code,
            title,
            (d[1] for d in descriptors if d[0] not in SEARCH_EXCLUDED_KINDS),
            (d[1] for d in descriptors if d[0] in SEARCH_EXCLUDED_KINDS),
            section_words.get(section_id, "") if section_id is not None else "",
        )
        has_row = first[9]
        if has_row and (first[5], first[6], first[7], first[8]) == row:
            continue
        if has_row:
            stale_rows.append((code_id,))
        new_rows.append((code_id, *row))
    conn.executemany("UPDATE codes SET section_id = ?, title = ?, title_source = ? WHERE id = ?", code_updates)
    # FTS5 deletes must name the old row; then the new rows go in, in rowid order, through one prepared statement.
    conn.executemany("DELETE FROM code_fts WHERE rowid = ?", stale_rows)
    conn.executemany("INSERT INTO code_fts (rowid, code, title, body, keywords) VALUES (?, ?, ?, ?, ?)", new_rows)
    return looked_at


def drop_orphan_codes(conn: sqlite3.Connection) -> int:
    """Remove codes that no source speaks of any more (after a source was removed). Returns how many."""
    orphan_filter = """
        NOT EXISTS (SELECT 1 FROM descriptors d WHERE d.code = codes.code)
        AND NOT EXISTS (SELECT 1 FROM code_facts f WHERE f.code = codes.code)
    """
    conn.execute(f"DELETE FROM code_fts WHERE rowid IN (SELECT id FROM codes WHERE {orphan_filter})")
    return conn.execute(f"DELETE FROM codes WHERE {orphan_filter}").rowcount
