"""Derived data kept next to the facts: each code's section, its title (best descriptor) and its FTS row.

Both the bundled-reference build and every importer end by calling :func:`reindex` for the codes they
touched, inside their own transaction, so search never sees a half-updated code.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from desktop_app.core.catalog import Catalog
from desktop_app.core.vocabulary import index_text

# Which descriptor becomes the title, best first. Official long text beats abbreviations; our own summary
# is the title only when nothing official has been imported.
TITLE_KIND_ORDER = ("long", "medium", "consumer", "short", "clinician", "summary")
SEARCH_EXCLUDED_KINDS = ("keywords",)

_KIND_RANK_SQL = "CASE d.kind " + " ".join(
    f"WHEN '{kind}' THEN {rank}" for rank, kind in enumerate(TITLE_KIND_ORDER)
) + f" ELSE {len(TITLE_KIND_ORDER)} END"


def _touched_table(conn: sqlite3.Connection, codes: Iterable[str] | None) -> str:
    """Fill a temp table with the codes to reindex (all codes when ``codes`` is None); return its name."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS reindex_codes (code TEXT PRIMARY KEY)")
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
    touched = _touched_table(conn, codes)
    rows = conn.execute(f"SELECT c.id, c.code FROM codes c JOIN {touched} t ON t.code = c.code").fetchall()
    updates = []
    for row in rows:
        section = catalog.section_for(row["code"])
        updates.append((section.id if section else None, row["id"]))
    conn.executemany("UPDATE codes SET section_id = ? WHERE id = ?", updates)

    # Title: the best-ranked descriptor; among equals, the newest source.
    conn.execute(
        f"""
        WITH ranked AS (
            SELECT d.code, d.text, d.source_id,
                   row_number() OVER (
                       PARTITION BY d.code
                       ORDER BY {_KIND_RANK_SQL}, s.effective_date DESC, s.loaded_at DESC, d.id
                   ) AS rn
            FROM descriptors d
            JOIN sources s ON s.id = d.source_id
            JOIN {touched} t ON t.code = d.code
            WHERE d.kind NOT IN ({",".join("?" for _ in SEARCH_EXCLUDED_KINDS)})
        )
        UPDATE codes SET title = ranked.text, title_source = ranked.source_id
        FROM ranked WHERE ranked.code = codes.code AND ranked.rn = 1
        """,
        SEARCH_EXCLUDED_KINDS,
    )
    conn.execute(
        f"""UPDATE codes SET title = '', title_source = NULL
            WHERE code IN (SELECT code FROM {touched})
              AND NOT EXISTS (SELECT 1 FROM descriptors d WHERE d.code = codes.code AND d.kind != 'keywords')"""
    )

    # Search rows: code, title, every other descriptor, and keywords plus the section path.
    conn.execute(f"DELETE FROM code_fts WHERE rowid IN (SELECT c.id FROM codes c JOIN {touched} t USING (code))")
    section_words = {
        section_id: " ".join(s.name for s in catalog.section_path(section_id))
        for section_id in catalog.sections
    }
    fts_rows = []
    for row in conn.execute(
        f"""
        SELECT c.id, c.code, c.title, c.section_id,
               (SELECT group_concat(text, ' \u2022 ') FROM (
                    SELECT DISTINCT d.text FROM descriptors d
                    WHERE d.code = c.code AND d.kind != 'keywords' AND d.text != c.title)) AS body,
               (SELECT group_concat(d.text, ' ') FROM descriptors d
                    WHERE d.code = c.code AND d.kind = 'keywords') AS keywords
        FROM codes c JOIN {touched} t ON t.code = c.code
        """
    ):
        keywords = " ".join(filter(None, (row["keywords"], section_words.get(row["section_id"], ""))))
        fts_rows.append(search_row(row["id"], row["code"], row["title"], row["body"] or "", keywords))
    conn.executemany("INSERT INTO code_fts (rowid, code, title, body, keywords) VALUES (?, ?, ?, ?, ?)", fts_rows)
    conn.execute(f"DELETE FROM {touched}")
    return len(rows)


def search_row(rowid: int, code: str, title: str, body: str, keywords: str) -> tuple[int, str, str, str, str]:
    """One ``code_fts`` row. Every text column gets the plain words of its shorthand (core.vocabulary), so
    a descriptor written "optx … dst … fx" is found as "open treatment distal fracture". The one place where what is
    indexed differs from what is stored: change it with a migration that re-indexes (database.py)."""
    return rowid, code, index_text(title), index_text(body), index_text(keywords)


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
