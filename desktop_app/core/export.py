"""Tables that leave the app: the current search's matches (all of them) and the working set, as CSV, XLSX
or tab-separated text for the clipboard. Qt-free.

Every row carries where its title comes from (``title_source``) and which sources describe the code
(``descriptor_sources``, each with its release), so a sheet passed on still says where its text came from.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.code_compare import AMA_NOTICE, CPT_SETS, category_label, source_label
from desktop_app.core.codedesk_files import RESULT_COLUMNS, WORKING_SET_COLUMNS
from desktop_app.core.reference import BUNDLED_KIND, BUNDLED_SOURCE_NAME
from desktop_app.core.results import MatchKind
from desktop_app.core.search import FTS_JOIN, Hit, SearchFilters
from desktop_app.core.spreadsheet import safe_row, spreadsheet_safe
from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData

MAX_EXPORT_ROWS = 1_000_000  # Excel's sheet limit is 1,048,576 rows
# ``summary``: our own plain-language summary, which tells apart codes whose official short descriptors are the
# same (45384 and 45385 share one short descriptor in the CMS files), as the list's second line does.
@dataclass
class ExportTable:
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    notices: tuple[str, ...] = ()  # copyright notices owed for text in the rows (written after the rows)
    total: int = 0  # matches in the database (rows can be fewer only past MAX_EXPORT_ROWS)


@dataclass(frozen=True)
class CodeFacts:
    """What the export adds to a hit: the deletion date and the sources that describe the code."""

    deleted_date: str
    descriptor_sources: str
    official_text: bool  # a descriptor from an imported (non-bundled) source
    summary: str = ""  # our own plain-language summary ("" when we wrote none)


def code_facts(conn: sqlite3.Connection, codes: Sequence[str]) -> dict[str, CodeFacts]:
    """Per code, in chunks (SQLite's parameter limit): deletion date and descriptor sources with releases."""
    facts: dict[str, CodeFacts] = {}
    sources = {r[0]: (r[1], r[2], r[3]) for r in conn.execute("SELECT id, name, release, kind FROM sources")}
    described: dict[tuple[int, ...], tuple[str, bool]] = {}
    ours = [i for i, (_, _, kind) in sources.items() if kind == BUNDLED_KIND]  # the sources of our summaries
    for start in range(0, len(codes), 900):
        chunk = list(codes[start:start + 900])
        marks = ",".join("?" for _ in chunk)
        deleted = dict(conn.execute(f"SELECT code, deleted_date FROM codes WHERE code IN ({marks})", chunk))
        summaries = dict(conn.execute(
            f"SELECT code, text FROM descriptors WHERE code IN ({marks}) AND kind = 'summary' "
            f"AND source_id IN ({','.join('?' for _ in ours)})", [*chunk, *ours])) if ours else {}
        by_code: dict[str, list[int]] = {}
        for code, source_id in conn.execute(
                f"SELECT DISTINCT code, source_id FROM descriptors WHERE code IN ({marks}) AND kind != 'keywords'",
                chunk):
            by_code.setdefault(code, []).append(source_id)
        for code in chunk:
            ids = tuple(sorted(by_code.get(code, ())))
            if ids not in described:  # a few combinations of sources describe thousands of codes
                known = [i for i in ids if i in sources]
                described[ids] = ("; ".join(source_label(*sources[i]) for i in known),
                                  any(sources[i][2] != BUNDLED_KIND for i in known))
            labels, official = described[ids]
            facts[code] = CodeFacts(deleted.get(code) or "", labels, official, summaries.get(code, ""))
    return facts


def _all_hits(store: CodeStore, query: str, filters: SearchFilters) -> tuple[list[Hit], int]:
    """Every match of the search, without the window's page size or time ceiling: the ranked hits first,
    then (for word searches matching more than the ranker looks at) the rest in code order."""
    engine = store.engine
    saved = engine.time_limit
    engine.time_limit = None
    try:
        result = store.search(query, filters, limit=MAX_EXPORT_ROWS, with_row_texts=False)
        hits = list(result.hits)
        if result.fts_expression and result.total > len(hits):
            extra, params = engine._filter_sql(filters)
            seen = {hit.code for hit in hits}
            for row in store.conn.execute(
                    f"SELECT c.* FROM {FTS_JOIN} WHERE code_fts MATCH ?{extra} ORDER BY c.code LIMIT ?",
                    [result.fts_expression, *params, MAX_EXPORT_ROWS]):
                if row["code"] not in seen and len(hits) < MAX_EXPORT_ROWS:
                    hits.append(engine._hit(row, result.hits[0].match if result.hits else MatchKind.WORDS))
        return hits, max(result.total, len(hits))
    finally:
        engine.time_limit = saved


def results_table(store: CodeStore, query: str, filters: SearchFilters | None = None) -> ExportTable:
    """All matches of ``query`` under ``filters`` (as the window searched them) with source columns."""
    hits, total = _all_hits(store, query, filters or SearchFilters())
    facts = code_facts(store.conn, [hit.code for hit in hits])
    empty = CodeFacts("", "", False)
    rows: list[tuple[str, ...]] = []
    official_cpt = False
    for hit in hits:
        extra = facts.get(hit.code, empty)
        official_cpt = official_cpt or (extra.official_text and hit.code_set in CPT_SETS)
        rows.append((hit.code, category_label(hit.code_set), " > ".join(hit.section), hit.title, hit.source,
                     hit.status, extra.deleted_date, extra.descriptor_sources, hit.match, extra.summary))
    return ExportTable(RESULT_COLUMNS, rows, (AMA_NOTICE,) if official_cpt else (), total)


def working_set_table(userdata: UserData, summaries: dict[str, Hit],
                      ours: dict[str, str] | None = None) -> ExportTable:
    """Favourites (by list), notes and recent codes with their titles and title sources; ``ours``: our own
    plain-language summary per code (the ``summary`` column, as in the results export)."""
    rows: list[tuple[str, ...]] = []
    ours = ours or {}

    def described(kind: str, list_name: str, code: str, text: str, when: str) -> tuple[str, ...]:
        hit = summaries.get(code)
        if hit is None:
            return (kind, list_name, code, "", "", "", "not in the database", text, when, "")
        return (kind, list_name, code, category_label(hit.code_set), hit.title, hit.source, hit.status, text, when,
                ours.get(code, ""))

    rows += [described("favourite", f.list_name, f.code, "", f.added_at) for f in userdata.favourite_entries()]
    rows += [described("note", "", n.code, n.text, n.updated_at) for n in userdata.note_entries()]
    rows += [described("recent", "", h.code, f"{h.views} view(s)", h.viewed_at) for h in userdata.history_entries()]
    listed = {row[2] for row in rows}
    official = any(hit.code_set in CPT_SETS and hit.source not in ("", BUNDLED_SOURCE_NAME)
                   for code, hit in summaries.items() if code in listed)
    return ExportTable(WORKING_SET_COLUMNS, rows, (AMA_NOTICE,) if official else (), len(rows))


def write_csv(table: ExportTable, path: Path) -> None:
    """UTF-8 with a BOM (spreadsheet programs then read accents right); notices as rows after a blank one.
    Every cell goes through :func:`spreadsheet_safe`: text from an imported file or a user's note must not
    become a formula in the spreadsheet that opens the export."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(safe_row(table.columns))
        writer.writerows(safe_row(row) for row in table.rows)
        if table.notices:
            writer.writerow(())
            writer.writerows((spreadsheet_safe(notice),) for notice in table.notices)


def write_xlsx(table: ExportTable, path: Path, sheet: str = "CodeDesk") -> None:
    """One sheet, streamed row by row (XlsxWriter's constant-memory mode: about twice as fast as openpyxl for
    20,000 rows, see bench/bench_export.py). Every value is written as text, so nothing from a file can
    turn into a formula, a number or a link."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_numbers": False, "strings_to_urls": False})
    try:
        worksheet = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        worksheet.write_row(0, 0, table.columns, bold)
        worksheet.freeze_panes(1, 0)
        for number, row in enumerate(table.rows, start=1):
            worksheet.write_row(number, 0, row)
        for offset, notice in enumerate(table.notices, start=len(table.rows) + 2):
            worksheet.write_string(offset, 0, notice)
    finally:
        workbook.close()


def write_table(table: ExportTable, path: Path) -> None:
    """By the file's suffix: .xlsx, else CSV."""
    if path.suffix.lower() == ".xlsx":
        write_xlsx(table, path)
    else:
        write_csv(table, path)


def tsv(columns: Sequence[str] | None, rows: Iterable[Sequence[str]]) -> str:
    """Tab-separated text for the clipboard (tabs and line breaks inside cells become spaces)."""
    def line(cells: Sequence[str]) -> str:
        return "\t".join(" ".join(str(cell).replace("\t", " ").split()) for cell in cells)

    lines = [line(columns)] if columns else []
    lines += [line(row) for row in rows]
    return "\n".join(lines) + "\n"
