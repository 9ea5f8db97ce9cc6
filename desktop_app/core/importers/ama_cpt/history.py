"""The CPT Link history files: Deleted_DTK_tab.txt (deleted codes, with what to report instead),
History_DTK_tab.txt and HistoryModifiers_DTK_tab.txt (added / changed / deleted, with dates)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers.ama_cpt.common import cells_key, code_cell, set_fact
from desktop_app.core.importers.ama_cpt.formats import DELETED, HISTORY, HISTORY_MODIFIERS
from desktop_app.core.importers.model import Dataset, Monitor, iso_date
from desktop_app.core.importers.textio import SourceFile
from desktop_app.core.kinds import CodeKind


@dataclass(frozen=True)
class DeletedCode:
    """One row of Deleted_DTK_tab.txt."""

    date: str  # ISO date, or "before 1982"
    concept_id: str
    level: str
    descriptor: str
    instruction: str  # what to report instead ("use 99999 instead"), as the file words it


# CPT Link columns by header name (letters only, lower case): field -> the names it goes by. The AMA's own
# parsers assign these names by position; the files' header rows (seen in the AMA's test fixtures) say
# "Code" in Deleted_DTK, "CPT Code" in History_DTK, "Modifier Code" and "CurrentValue" in HistoryModifiers.
_DELETED_COLUMNS = {
    "concept": ("conceptid",),
    "code": ("code", "cptcode"),
    "date": ("datedeleted", "deleted", "date"),
    "level": ("level",),
    "descriptor": ("descriptor", "description"),
    "instruction": ("instruction",),
}
_HISTORY_COLUMNS = {
    "date": ("date",),
    "change": ("changetype", "change"),
    "concept": ("conceptid",),
    "code": ("cptcode", "modifiercode", "modifier", "code"),
    "level": ("level",),
    "prior": ("priorvalue", "prior"),
    "current": ("currentvalue", "current"),
    "instruction": ("instruction",),
}
_DTK_REQUIRED = {DELETED: ("code", "date"), HISTORY: ("date", "change", "code"),
                 HISTORY_MODIFIERS: ("date", "change", "code")}
# What the AMA writes where it has no text: not a descriptor or a level, so not stored as one.
_NOT_AVAILABLE = frozenset({"descriptor not available", "not available", "n/a"})
_BEFORE_YEAR = re.compile(r"pre[- ]?(\d{4})", re.I)


def _dtk_table(
    sf: SourceFile, lines: list[str], fmt: str, monitor: Monitor
) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """A CPT Link file: its header row (the first line, as the AMA's parsers take it; a title line before it is
    tolerated) mapped by name, and its rows padded to the header's width (the AMA's rows often stop after the
    last filled cell: 6 fields under 8 names)."""
    spec = _DELETED_COLUMNS if fmt == DELETED else _HISTORY_COLUMNS
    required = _DTK_REQUIRED[fmt]
    header = None
    for index, line in enumerate(lines[:5]):
        keys = cells_key(line)
        if line.count("\t") >= 3 and all(any(k in keys for k in spec[f]) for f in required):
            header = index
            break
    if header is None:
        wanted = ", ".join(spec[f][0] for f in required)
        raise ImportFileError(
            sf.name, f"wrong columns: no tab-delimited header row naming {wanted} in the first lines", line=1
        )
    keys = cells_key(lines[header])
    columns: dict[str, int] = {}
    for field_name, names in spec.items():
        found = next((keys.index(n) for n in names if n in keys), None)
        if found is not None and found not in columns.values():
            columns[field_name] = found
    width = len(keys)
    rows = []
    monitor.start(f"Reading {sf.name}", len(lines))
    for index in range(header + 1, len(lines)):
        monitor.tick(index + 1)
        if not lines[index].strip():
            continue
        cells = [c.strip() for c in lines[index].split("\t")]
        if len(cells) > width and any(cells[width:]):
            raise ImportFileError(
                sf.name, f"expected {width} columns, found {len(cells)} (tab-delimited)", line=index + 1
            )
        rows.append((index + 1, (cells + [""] * width)[:width]))
    return columns, rows


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    value = cells[index] if index is not None else ""
    return "" if value.lower() in _NOT_AVAILABLE else value


def history_date(text: str) -> str | None:
    """A CPT Link date: ``20300101`` → ``2030-01-01``; ``Pre-1982`` → ``before 1982``; None if neither."""
    text = text.strip()
    m = _BEFORE_YEAR.fullmatch(text)
    if m:
        return f"before {m.group(1)}"
    if not text or any(c.isspace() for c in text):  # one date per cell: "20290101 CHANGED" is a lost tab
        return None
    return iso_date(text) or None


def date_sort_key(text: str) -> str:
    """Sorts ``before 1982`` ahead of every date in 1982, ISO dates as themselves."""
    return f"{text[7:11]}-00-00" if text.startswith("before ") else text


def _dtk_date(sf: SourceFile, raw: str, line_no: int) -> str:
    when = history_date(raw)
    if when is None:
        raise ImportFileError(sf.name, f"{raw!r} is not a date (YYYYMMDD or Pre-YYYY)", line=line_no)
    return when


def read_deleted(sf: SourceFile, lines: list[str], deleted: dict[str, DeletedCode], monitor: Monitor) -> int:
    """Deleted_DTK_tab.txt into ``deleted`` (code → row); returns the rows read."""
    seen: dict[str, int] = {}
    rows = 0
    columns, table = _dtk_table(sf, lines, DELETED, monitor)
    for line_no, cells in table:
        code = code_cell(sf, _cell(cells, columns, "code"), line_no)
        if code in seen:
            raise ImportFileError(sf.name, f"duplicate key: {code} is already on line {seen[code]}", line=line_no)
        seen[code] = line_no
        deleted[code] = DeletedCode(
            _dtk_date(sf, _cell(cells, columns, "date"), line_no),
            _cell(cells, columns, "concept"),
            _cell(cells, columns, "level"),
            _cell(cells, columns, "descriptor"),
            _cell(cells, columns, "instruction"),
        )
        rows += 1
    return rows


def read_history(sf: SourceFile, lines: list[str], ds: Dataset, modifiers: bool, monitor: Monitor) -> None:
    fmt = HISTORY_MODIFIERS if modifiers else HISTORY
    columns, table = _dtk_table(sf, lines, fmt, monitor)
    headings = 0
    for line_no, cells in table:
        # Date and change type first, on every row: heading rows have them too, and a row whose cells slid
        # left (a lost tab) fails here instead of passing for a heading with no code.
        when = _dtk_date(sf, _cell(cells, columns, "date"), line_no)
        change = _cell(cells, columns, "change")
        if not change or change[:1].isdigit():
            raise ImportFileError(sf.name, f"{change!r} is not a change type (ADDED, DELETED …)", line=line_no)
        raw_code = _cell(cells, columns, "code")
        if not raw_code:
            headings += 1  # a row for a section heading ("Category II Modifiers"), not for a code
            continue
        code = code_cell(sf, raw_code, line_no, modifier=modifiers)
        rec = ds.record(code, CodeKind.MODIFIER if modifiers else CodeKind.CODE)
        if not rec.descriptors:
            rec.facts_only = True
        entry = {
            k: v
            for k, v in (
                ("date", when),
                ("change", change),
                ("level", _cell(cells, columns, "level")),
                ("prior", _cell(cells, columns, "prior")),
                ("current", _cell(cells, columns, "current")),
                ("instruction", _cell(cells, columns, "instruction")),
            )
            if v
        }
        history = rec.facts.setdefault("", {}).setdefault("history", [])
        assert isinstance(history, list)
        history.append(entry)
        set_fact(rec, "concept_id", _cell(cells, columns, "concept"))
        ds.rows += 1
    if headings:
        ds.notes.append(f"{sf.base_name}: {headings} row(s) without a code (section headings) were not stored")
