"""The reference database as one object: its connection, its catalog and the questions asked of it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop_app.core.catalog import Catalog
from desktop_app.core.database import connect, database_problem, is_writable
from desktop_app.core.details import CodeDetail, code_detail, localities
from desktop_app.core.errors import DatabaseError, is_environment_problem
from desktop_app.core.fee_schedule import Locality
from desktop_app.core.grammar import CodeTerm, RangeTerm
from desktop_app.core.kinds import CodeKind, CodeStatus
from desktop_app.core.measures import (
    MeasureDetail,
    MeasureHit,
    find_measures,
    measure_detail,
    normalize_measure_query,
)
from desktop_app.core.modifiers import ModifierCheck, check_modifiers
from desktop_app.core.query import ParsedQuery, QueryKind, parse_query
from desktop_app.core.reference import ensure_reference
from desktop_app.core.results import MatchKind
from desktop_app.core.row_text import row_texts
from desktop_app.core.search import Hit, SearchEngine, SearchFilters, SearchResult


@dataclass(frozen=True)
class SourceInfo:
    id: int
    kind: str
    name: str
    file_name: str
    release: str
    effective_date: str
    sha256: str
    loaded_at: str
    counts: dict[str, object]

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "name": self.name, "file": self.file_name,
                "release": self.release, "effective_date": self.effective_date, "sha256": self.sha256,
                "loaded_at": self.loaded_at, "counts": self.counts}


@dataclass(frozen=True)
class ComparisonRow:
    key: str
    label: str
    values: dict[str, str]
    examples: dict[str, tuple[str, ...]]

    @property
    def differs(self) -> bool:
        return len(set(self.values.values())) > 1


class CodeStore:
    """Owns one connection. Not shared between threads: a worker opens its own with :meth:`open`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, catalog: Catalog) -> None:
        self.path = path
        self.conn = conn
        self.catalog = catalog
        self.engine = SearchEngine(conn, catalog)

    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False, build: bool = True) -> CodeStore:
        """Open the database; with ``build``, create or refresh the bundled reference first."""
        path = Path(path)
        # On read-only media (a shared network folder, a CD) the database can still be searched.
        readonly = readonly or (path.exists() and not is_writable(path))
        conn = connect(path, readonly=readonly)
        try:
            if build and not readonly:
                ensure_reference(conn)
            return cls(path, conn, Catalog.from_db(conn))
        except sqlite3.Error as exc:
            conn.close()
            if not is_environment_problem(exc):
                raise  # a bug in CodeDesk, not a problem with the file: the caller logs it with its trace
            raise DatabaseError(database_problem(path, exc)) from exc

    def close(self) -> None:
        self.conn.close()

    def refresh(self) -> None:
        """Re-read the catalog and drop caches after the database changed (an import, say)."""
        self.catalog = Catalog.from_db(self.conn)
        self.engine = SearchEngine(self.conn, self.catalog)

    def search(self, query: str, filters: SearchFilters | None = None, limit: int = 50,
               with_counts: bool = False, after: str = "", with_row_texts: bool = True) -> SearchResult:
        result = self._search(query, filters, limit, with_counts, after)
        if with_row_texts:
            # What each row shows so that codes can be told apart (official descriptor, our summary, deletion).
            # Highlights are left to the window, which marks only the rows it paints.
            result.row_texts = row_texts(self.conn, result.hits)
        return result

    def _search(self, query: str, filters: SearchFilters | None, limit: int, with_counts: bool,
                after: str) -> SearchResult:
        """Hits for ``query``. A code, range or list the user typed is answered whatever the filter (the
        filter must never hide an exact answer): ``outside_filter`` names the hits it would have hidden.
        With nothing typed and a category or section chosen, its codes are listed in code order, a page of
        ``limit`` at a time (``after``: the last code of the previous page; ``next_after`` for the next)."""
        filters = filters or SearchFilters()
        parsed = parse_query(query)
        filtered = bool(filters.code_set) or filters.section_id is not None
        if parsed.kind == QueryKind.EMPTY and not parsed.error and filtered:
            browsed = self._browse(query, parsed, filters, limit, after)
            if with_counts:
                browsed.counts = self.engine.counts(browsed, filters)
            return browsed
        named = parsed.kind == QueryKind.CODES and any(isinstance(i, (CodeTerm, RangeTerm)) for i in parsed.items)
        if named and filtered:
            result = self.engine.search(query, SearchFilters(), limit, with_counts, parsed)
            result.filter_ignored = True
            result.outside_filter = tuple(h.code for h in result.hits if not self._within(h, filters))
            return result
        result = self.engine.search(query, filters, limit, with_counts, parsed)
        # Measures by number ("measure 236") or title words ("controlling high blood pressure") come beside
        # the codes: a coder looking for a measure wants it opened, not a list of codes that mention it.
        if result.parsed.kind == QueryKind.WORDS or normalize_measure_query(query) is not None:
            result.measures = find_measures(self.conn, query)
        return result

    def _within(self, hit: Hit, filters: SearchFilters) -> bool:
        if filters.code_set and hit.code_set != filters.code_set:
            return False
        if filters.section_id is not None:
            return hit.section_id in self.catalog.descendants(filters.section_id)
        return True

    def _browse(self, query: str, parsed: ParsedQuery, filters: SearchFilters, limit: int, after: str
                ) -> SearchResult:
        """One page of a category's or section's codes, by code. Keyset paging (``code > after``) walks the
        (code_set, code) index, so the thousandth page costs what the first does, even at a million codes."""
        result = SearchResult(query, parsed)
        extra, params = self.engine._filter_sql(filters)
        rows = self.conn.execute(
            f"SELECT c.* FROM codes c WHERE c.kind = 'code'{extra} AND c.code > ? ORDER BY c.code LIMIT ?",
            [*params, after, limit + 1]).fetchall()
        result.hits = [self.engine._hit(row, MatchKind.SECTION) for row in rows[:limit]]
        if len(rows) > limit:
            result.next_after = rows[limit - 1]["code"]
        result.total = int(self.conn.execute(
            f"SELECT count(*) FROM codes c WHERE c.kind = 'code'{extra}", params).fetchone()[0])
        return result

    def summaries(self, codes: list[str]) -> dict[str, Hit]:
        """Title, category, section and status of each known code (for lists of codes the user keeps)."""
        found: dict[str, Hit] = {}
        unique = list(dict.fromkeys(codes))
        for start in range(0, len(unique), 500):
            chunk = unique[start:start + 500]
            for row in self.conn.execute(
                    f"SELECT c.* FROM codes c WHERE c.code IN ({','.join('?' for _ in chunk)})", chunk):
                found[row["code"]] = self.engine._hit(row, MatchKind.EXACT)
        return found

    def detail(self, code: str, locality: str | None = None) -> CodeDetail:
        """Everything about ``code``; with ``locality`` (a key like ``10112-00`` or words like ``manhattan``)
        and an imported GPCI file, the payment amounts for that locality too."""
        return code_detail(self.conn, self.catalog, code, locality=locality)

    def modifier_checks(self, code: str, code_set: str | None, modifiers: Sequence[str],
                        on: date | None = None) -> list[ModifierCheck]:
        """Whether each of ``modifiers`` exists and fits ``code`` (on the date of service ``on``, when given:
        a modifier terminated by then does not; see :mod:`desktop_app.core.modifiers`)."""
        return check_modifiers(self.conn, code, code_set, modifiers, on=on)

    def localities(self) -> list[Locality]:
        return localities(self.conn)

    def measure(self, text: str) -> MeasureDetail:
        return measure_detail(self.conn, text)

    def find_measures(self, query: str, limit: int = 5) -> list[MeasureHit]:
        return find_measures(self.conn, query, limit)

    def sources(self) -> list[SourceInfo]:
        return [
            SourceInfo(r["id"], r["kind"], r["name"], r["file_name"], r["release"], r["effective_date"],
                       r["sha256"], r["loaded_at"], json.loads(r["counts"]))
            for r in self.conn.execute("SELECT * FROM sources ORDER BY id")
        ]

    def code_counts(self) -> dict[str, dict[str, int]]:
        """Per code set: codes in total, active, deleted, and modifiers."""
        counts = {c.id: {"codes": 0, "active": 0, "deleted": 0, "modifiers": 0} for c in self.catalog.code_sets}
        for r in self.conn.execute("SELECT code_set, kind, status, count(*) AS n FROM codes "
                                   "GROUP BY code_set, kind, status"):
            bucket = counts.setdefault(r["code_set"], {"codes": 0, "active": 0, "deleted": 0, "modifiers": 0})
            if r["kind"] == CodeKind.MODIFIER:
                bucket["modifiers"] += r["n"]
                continue
            bucket["codes"] += r["n"]
            bucket["active" if r["status"] == CodeStatus.ACTIVE else "deleted"] += r["n"]
        return counts

    def section_counts(self) -> dict[int, int]:
        """Codes directly in each section (not counting subsections)."""
        return {r["section_id"]: r["n"] for r in self.conn.execute(
            "SELECT section_id, count(*) AS n FROM codes WHERE kind = 'code' GROUP BY section_id")}

    def comparison(self, code_sets: list[str] | None = None) -> list[ComparisonRow]:
        """The comparison table: catalog feature rows, then live figures from the database."""
        wanted = code_sets or [c.id for c in self.catalog.code_sets]
        rows = [
            ComparisonRow(key, next(iter(by_set.values())).label,
                          {cs: by_set[cs].value for cs in wanted if cs in by_set},
                          {cs: by_set[cs].examples for cs in wanted if cs in by_set})
            for key, by_set in self.catalog.features_by_key().items()
        ]
        counts = self.code_counts()
        sections = {cs: sum(1 for s in self.catalog.sections.values() if s.code_set == cs and s.depth == 0)
                    for cs in wanted}
        live = [
            ("codes_in_database", "Codes in your database", {cs: f"{counts[cs]['codes']:,}" for cs in wanted}),
            ("active_deleted", "Active / deleted",
             {cs: f"{counts[cs]['active']:,} / {counts[cs]['deleted']:,}" for cs in wanted}),
            ("sections_in_catalog", "Top-level sections", {cs: str(sections[cs]) for cs in wanted}),
        ]
        rows += [ComparisonRow(key, label, values, {}) for key, label, values in live]
        return rows
