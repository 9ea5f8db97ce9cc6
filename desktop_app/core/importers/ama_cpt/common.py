"""What every AMA reader shares: header rows found by their names, cells checked as codes, facts set."""

from __future__ import annotations

import re
from collections.abc import Sequence

from desktop_app.core.errors import ImportFileError
from desktop_app.core.grammar import is_code, normalize
from desktop_app.core.importers.model import CodeRecord, Dataset, Monitor, is_modifier
from desktop_app.core.importers.textio import SourceFile, check_width
from desktop_app.core.kinds import DescriptorKind

LONG_LINE = re.compile(r"^(\d{4}[0-9A-Z])\t(.*)$")
FIXED_LINE = re.compile(r"^(\d{4}[0-9A-Z]) (.*)$")


def cells_key(line: str) -> list[str]:
    return [re.sub(r"[^a-z]", "", c.lower()) for c in line.split("\t")]


def find_header(lines: list[str], needed: Sequence[str], limit: int = 80) -> int | None:
    """Index of the first line (tab-delimited) whose cells contain all of ``needed`` (letters only, lower)."""
    for index, line in enumerate(lines[:limit]):
        if "\t" not in line:
            continue
        keys = cells_key(line)
        if all(any(n in k for k in keys) for n in needed):
            return index
    return None


def header_of(sf: SourceFile, lines: list[str], needed: Sequence[str]) -> tuple[int, list[str]]:
    header = find_header(lines, needed)
    if header is None:
        raise ImportFileError(sf.name, f"wrong columns: no header row with {', '.join(needed)}", line=1)
    return header, cells_key(lines[header])


def column(keys: list[str], *names: str, default: int | None = None) -> int | None:
    for name in names:
        for i, key in enumerate(keys):
            if key == name:
                return i
    for name in names:
        for i, key in enumerate(keys):
            if name in key:
                return i
    return default


def table_rows(
    sf: SourceFile, lines: list[str], header: int, width: int, monitor: Monitor
) -> list[tuple[int, list[str]]]:
    """(line number, cells) of the rows after ``header``; every row has the header's ``width`` columns."""
    out = []
    monitor.start(f"Reading {sf.name}", len(lines))
    for index in range(header + 1, len(lines)):
        monitor.tick(index + 1)
        if not lines[index].strip():
            continue
        cells = [c.strip() for c in lines[index].split("\t")]
        check_width(sf, index + 1, cells, width, "tab-delimited")
        out.append((index + 1, cells[:width]))
    return out


def code_cell(sf: SourceFile, raw: str, line_no: int, modifier: bool = False) -> str:
    code = normalize(raw)
    if modifier:
        if not is_modifier(code):
            raise ImportFileError(sf.name, f"{raw!r} is not a modifier", line=line_no)
    elif not is_code(code):
        raise ImportFileError(sf.name, f"{raw!r} is not a CPT code", line=line_no)
    return code


def set_fact(rec: CodeRecord, key: str, value: object) -> None:
    if value not in (None, "", []):
        rec.facts.setdefault("", {})[key] = value


def add_descriptor_row(ds: Dataset, current: set[str], code: str, kind: DescriptorKind, text: str,
                       concept_id: str) -> None:
    """One row of a one-descriptor-per-line file (ConsumerDescriptor, ClinicianDescriptor)."""
    rec = ds.record(code)
    rec.add_descriptor(kind, text)
    if concept_id:
        set_fact(rec, "concept_id", concept_id)
    current.add(code)
    ds.rows += 1
