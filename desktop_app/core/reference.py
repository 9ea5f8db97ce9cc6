"""Build the bundled reference (catalog + starter codes with our summaries) into a database.

It runs on first start and again whenever the bundle's hash changes. Imported sources are left alone:
only the catalog tables and the ``bundled`` source are replaced, then every code is reindexed, because
a changed section range may move codes that came from imports too.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from desktop_app.core.catalog import Catalog
from desktop_app.core.database import transaction
from desktop_app.core.grammar import code_set_of, is_code, modifier_code_set, normalize
from desktop_app.core.indexing import drop_orphan_codes, reindex, settle_search_index
from desktop_app.core.kinds import DescriptorKind, SourceKind
from desktop_app.core.modifiers import read_modifiers, search_keywords
from desktop_app.core.resources import bundle_hash, data_dir

BUNDLED_KIND = SourceKind.BUNDLED
BUNDLED_SOURCE_NAME = "CodeDesk plain-language summary (our own words)"


@dataclass(frozen=True)
class StarterCode:
    code: str
    summary: str
    keywords: str


def read_starter_codes(root: Path) -> list[StarterCode]:
    """Every ``starter_codes/*.csv`` row (``code,summary,keywords``). Raises ``ValueError`` naming the line."""
    seen: dict[str, str] = {}
    codes: list[StarterCode] = []
    for path in sorted((root / "starter_codes").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for line_no, row in enumerate(csv.DictReader(fh), start=2):
                code = normalize(row.get("code") or "")
                where = f"{path.name}, line {line_no}"
                if not is_code(code):
                    raise ValueError(f"{where}: {row.get('code')!r} is not a procedure code")
                if code in seen:
                    raise ValueError(f"{where}: {code} is already in {seen[code]}")
                summary = (row.get("summary") or "").strip()
                if not summary:
                    raise ValueError(f"{where}: {code} has no summary")
                seen[code] = where
                keywords = (row.get("keywords") or "").replace(";", " ").strip()
                codes.append(StarterCode(code, summary, " ".join(keywords.split())))
    return codes


def read_measure_names(root: Path) -> list[tuple[str, str]]:
    """``quality_measures.csv``: our own short names for the claims-reportable MIPS measures, so a code's
    measures are named even before the CMS measures file is imported. Raises ``ValueError`` naming the line."""
    path = root / "quality_measures.csv"
    if not path.exists():
        return []
    names: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), start=2):
            measure = (row.get("measure") or "").strip()
            name = (row.get("short_name") or "").strip()
            if not re.fullmatch(r"\d{3}", measure) or not name:
                raise ValueError(f"{path.name}, line {line_no}: expected a 3-digit measure and a short name")
            if measure in names:
                raise ValueError(f"{path.name}, line {line_no}: measure {measure} appears twice")
            names[measure] = name
    return sorted(names.items())


def current_bundle_hash(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'bundle_hash'").fetchone()
    return row["value"] if row else None


def ensure_reference(conn: sqlite3.Connection, root: Path | None = None) -> bool:
    """Build the bundled reference if it is missing or out of date. Returns True if it (re)built."""
    root = root or data_dir()
    wanted = bundle_hash(root)
    if current_bundle_hash(conn) == wanted:
        return False
    build_reference(conn, root, wanted)
    return True


def build_reference(conn: sqlite3.Connection, root: Path | None = None, digest: str | None = None) -> None:
    """Replace the catalog and the bundled starter codes, in one transaction."""
    root = root or data_dir()
    catalog = Catalog.from_files(root)
    starters = read_starter_codes(root)
    measure_names = read_measure_names(root)
    modifiers = read_modifiers(root)
    digest = digest or bundle_hash(root)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with transaction(conn):
        catalog.write_to_db(conn)
        conn.execute("DELETE FROM sources WHERE kind = ?", (BUNDLED_KIND,))
        source_id = conn.execute(
            """INSERT INTO sources (kind, name, file_name, release, effective_date, sha256, loaded_at, counts)
               VALUES (?, ?, 'resources/data', ?, '', ?, ?, ?)""",
            (BUNDLED_KIND, BUNDLED_SOURCE_NAME, digest[:12], digest, now,
             json.dumps({"codes": len(starters), "modifiers": len(modifiers)})),
        ).lastrowid
        conn.executemany(
            "INSERT OR IGNORE INTO codes (code, code_set) VALUES (?, ?)",
            [(s.code, code_set_of(s.code).value) for s in starters],  # type: ignore[union-attr]
        )
        # Modifiers are entries of their own (kind 'modifier'), found by number and by words like any code.
        conn.executemany(
            "INSERT OR IGNORE INTO codes (code, code_set, kind) VALUES (?, ?, 'modifier')",
            [(m, modifier_code_set(m).value) for m in modifiers],
        )
        # The starter codes are the everyday ones; search gives them a small head start.
        conn.execute("UPDATE codes SET common = 0 WHERE common != 0")
        conn.executemany("UPDATE codes SET common = 1 WHERE code = ?", [(s.code,) for s in starters])
        descriptor_rows = [(s.code, DescriptorKind.SUMMARY, s.summary, source_id) for s in starters]
        descriptor_rows += [(s.code, DescriptorKind.KEYWORDS, s.keywords, source_id) for s in starters if s.keywords]
        descriptor_rows += [(m.modifier, DescriptorKind.SUMMARY, m.meaning, source_id) for m in modifiers.values()]
        descriptor_rows += [(m.modifier, DescriptorKind.KEYWORDS, search_keywords(m), source_id)
                            for m in modifiers.values()]
        conn.executemany("INSERT INTO descriptors (code, kind, text, source_id) VALUES (?, ?, ?, ?)",
                         descriptor_rows)
        conn.executemany(
            "INSERT INTO measures (measure_id, source_id, title, details) VALUES (?, ?, ?, '{\"ours\": true}')",
            [(measure, source_id, name) for measure, name in measure_names],
        )
        drop_orphan_codes(conn)
        written: list[int] = []
        reindex(conn, catalog, written=written)
        # A new CodeDesk whose bundle differs (more names for codes, say) rewrites most search rows of a database
        # with imported files: left in many small segments, its index made every search about 65% slower (the
        # 584 queries of the quality sets on the real files) until the next large import merged it.
        settle_search_index(conn, sum(written))
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('bundle_hash', ?)", (digest,))
