"""Synthetic CodeDesk databases of any size, for benchmarks (never for tests of correctness).

The database has the real schema, the real bundled catalog and starter codes, plus ``n_codes`` synthetic
codes with generated descriptors. Words follow a Zipf-like distribution so some words are very common (as
"office" or "injection" are in real data) and most are rare. Only about 330,000 five-character codes fit
the real grammar, so past that the generator uses two-letter pseudo-codes (``AB123``) filed under HCPCS.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.catalog import Catalog
from desktop_app.core.database import connect, transaction
from desktop_app.core.grammar import HCPCS_LETTERS, code_set_of
from desktop_app.core.indexing import filter_text, section_filter_ids
from desktop_app.core.reference import ensure_reference

COMMON_WORDS = [
    "office",
    "visit",
    "established",
    "new",
    "patient",
    "injection",
    "knee",
    "shoulder",
    "joint",
    "blood",
    "test",
    "panel",
    "x-ray",
    "chest",
    "view",
    "ultrasound",
    "abdomen",
    "complete",
    "limited",
    "therapy",
    "exercise",
    "minutes",
    "each",
    "additional",
    "service",
    "evaluation",
    "management",
    "emergency",
    "department",
    "critical",
    "care",
    "hospital",
    "repair",
    "removal",
    "lesion",
    "skin",
    "biopsy",
    "catheter",
    "insertion",
    "replacement",
    "artery",
    "vein",
    "imaging",
    "contrast",
    "without",
    "with",
    "report",
    "interpretation",
    "device",
    "supply",
    "drug",
    "dose",
    "wheelchair",
    "ambulance",
    "transport",
    "oxygen",
    "screening",
    "counseling",
    "vaccine",
    "influenza",
    "assessment",
    "measure",
    "documented",
    "pressure",
    "systolic",
    "diastolic",
    "hemoglobin",
    "tobacco",
    "smoking",
    "asthma",
    "diabetes",
    "depression",
]


def _make_vocabulary(rng: random.Random, size: int) -> list[str]:
    syllables = [
        "ab",
        "ar",
        "ca",
        "de",
        "di",
        "en",
        "fa",
        "go",
        "hy",
        "in",
        "lo",
        "ma",
        "ne",
        "os",
        "pa",
        "qu",
        "ro",
        "si",
        "ta",
        "ul",
        "ve",
        "xo",
        "zy",
        "thr",
        "ple",
        "cro",
        "sto",
        "gra",
    ]
    words = list(COMMON_WORDS)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def synthetic_codes(n: int) -> Iterator[str]:
    """``n`` distinct code strings: real shapes first, then two-letter pseudo-codes."""
    produced = 0
    generators = (
        (f"{i:05d}" for i in range(100, 100_000)),
        (f"{i:04d}F" for i in range(1, 10_000)),
        (f"{i:04d}T" for i in range(1, 10_000)),
        (f"{letter}{i:04d}" for letter in HCPCS_LETTERS for i in range(10_000)),
        (f"{i:04d}U" for i in range(1, 10_000)),
        (
            f"{a}{b}{i:03d}"
            for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            for i in range(1000)
        ),
    )
    for generator in generators:
        for code in generator:
            if produced >= n:
                return
            yield code
            produced += 1


def build_synthetic_db(path: Path, n_codes: int, seed: int = 7) -> Path:
    """Create (or reuse, if it already has ``n_codes`` synthetic codes) a database at ``path``."""
    path = Path(path)
    if path.exists():
        conn = sqlite3.connect(path)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'synthetic_codes'").fetchone()
        except sqlite3.DatabaseError:
            row = None
        conn.close()
        if row and int(row[0]) == n_codes:
            return path
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    rng = random.Random(seed)
    vocabulary = _make_vocabulary(rng, 20_000)
    # Cumulative Zipf-like weights, computed once: random.choices with plain weights would sum all 20,000 of them
    # again for every code (most of the old 7-minute build); with cum_weights it draws exactly the same words.
    cum_weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocabulary))))
    conn = connect(path)
    ensure_reference(conn)
    catalog = Catalog.from_db(conn)
    bundled = {r[0] for r in conn.execute("SELECT code FROM codes")}
    conn.execute("PRAGMA cache_size = -262144")  # 256 MB of page cache while building (this connection only)
    with transaction(conn):
        source_id = conn.execute(
            "INSERT INTO sources (kind, name, file_name, release, loaded_at) "
            "VALUES ('synthetic', 'Synthetic benchmark data', 'synthetic', ?, 'now')",
            (str(n_codes),),
        ).lastrowid
        first_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM codes").fetchone()[0]) + 1
        rows = _synthetic_rows(rng, vocabulary, cum_weights, catalog, bundled, n_codes, first_id, source_id)
        # Bulk load: the secondary indexes are dropped and built again once at the end (one sort each), the rows
        # go in through one prepared statement per table, and the search rows are built from the codes table in
        # one INSERT ... SELECT.
        with _indexes_rebuilt_after(conn, ("codes", "descriptors")):
            for batch in _batches(rows, 50_000):
                conn.executemany(
                    "INSERT INTO codes (id, code, code_set, section_id, title, title_source) VALUES (?,?,?,?,?,?)",
                    batch,
                )
                conn.executemany(
                    "INSERT INTO descriptors (code, kind, text, source_id) VALUES (?, 'long', ?, ?)",
                    ((code, title, source) for _, code, _, _, title, source in batch),
                )
        # No merging while a million rows go in: 'optimize' below merges the index once. automerge = 0 stops the
        # incremental merges; crisismerge at FTS5's ceiling (1999 segments a level; the default is 16) stops the
        # forced ones, which otherwise merge every 16 flushed segments again and again (issue 13, round 4: the
        # search rows of 200,000 codes went in in 1.1-1.25 s instead of 1.7-2.05, optimize 0.1 s longer).
        conn.execute("INSERT INTO code_fts(code_fts, rank) VALUES ('automerge', 0)")
        conn.execute("INSERT INTO code_fts(code_fts, rank) VALUES ('crisismerge', 1999)")
        # The filters column as core.indexing writes it, made once per (category, kind, section) and joined in.
        path_ids = section_filter_ids(catalog)
        conn.execute("CREATE TEMP TABLE synthetic_filters (code_set TEXT, kind TEXT, section_id INTEGER, text TEXT)")
        conn.executemany(
            "INSERT INTO synthetic_filters VALUES (?, ?, ?, ?)",
            (
                (code_set, kind, section_id, filter_text(code_set, kind, path_ids.get(section_id, ())))
                for code_set, kind, section_id in conn.execute(
                    "SELECT DISTINCT code_set, kind, section_id FROM codes WHERE id >= ?", (first_id,)
                ).fetchall()
            ),
        )
        conn.execute(
            "INSERT INTO code_fts (rowid, code, title, body, keywords, filters) "
            "SELECT c.id, c.code, c.title, '', '', f.text FROM codes c JOIN synthetic_filters f "
            "ON f.code_set = c.code_set AND f.kind = c.kind AND f.section_id IS c.section_id "
            "WHERE c.id >= ? ORDER BY c.id",
            (first_id,),
        )
        conn.execute("DROP TABLE temp.synthetic_filters")
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('synthetic_codes', ?)", (str(n_codes),))
    conn.execute("PRAGMA optimize")
    conn.execute("INSERT INTO code_fts(code_fts) VALUES ('optimize')")
    conn.execute("INSERT INTO code_fts(code_fts, rank) VALUES ('automerge', 4)")  # FTS5's defaults again
    conn.execute("INSERT INTO code_fts(code_fts, rank) VALUES ('crisismerge', 16)")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def _synthetic_rows(
    rng: random.Random,
    vocabulary: list[str],
    cum_weights: list[float],
    catalog: Catalog,
    bundled: set[str],
    n_codes: int,
    first_id: int,
    source_id: int | None,
) -> Iterator[tuple[object, ...]]:
    """(id, code, code set, section id, title, source id) for each synthetic code, generated lazily."""
    next_id = first_id
    for code in synthetic_codes(n_codes + len(bundled)):
        if code in bundled:
            continue
        words = rng.choices(vocabulary, cum_weights=cum_weights, k=rng.randint(5, 12))
        title = " ".join(words).capitalize()
        code_set = code_set_of(code)
        section = catalog.section_for(code)
        yield next_id, code, code_set.value if code_set else "HCPCS", section.id if section else None, title, source_id
        next_id += 1


def _batches(rows: Iterator[tuple[object, ...]], size: int) -> Iterator[list[tuple[object, ...]]]:
    while batch := list(itertools.islice(rows, size)):
        yield batch


@contextmanager
def _indexes_rebuilt_after(conn: sqlite3.Connection, tables: tuple[str, ...]) -> Iterator[None]:
    """Drop the tables' own indexes (not the UNIQUE/PRIMARY KEY ones) and create them again afterwards, inside
    the caller's transaction: building an index once from sorted data beats updating it row by row."""
    marks = ",".join("?" for _ in tables)
    indexes = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) AND sql IS NOT NULL",
        tables,
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.execute(sql)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("n_codes", type=int)
    args = parser.parse_args()
    started = time.perf_counter()
    build_synthetic_db(args.path, args.n_codes)
    print(f"built {args.path} with {args.n_codes:,} synthetic codes in {time.perf_counter() - started:.1f} s")
