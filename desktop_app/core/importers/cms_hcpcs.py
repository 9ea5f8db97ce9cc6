"""CMS Alpha-Numeric HCPCS (Level II) file: the fixed-width ANWEB TXT or the XLSX form.

TXT: a free-text header of varying length (never counted: a data record has digits in positions 6-10 and a
record code 3/4/7/8 in position 11), then 320-character records; continuation records (4, 8) may be cut
after position 91 (2020) or padded to 320. The long description is the pieces of a code joined in sequence
order with one space. Modifiers are written ``'   XX'``.

XLSX: header in row 1, one row per code with the full long description, all cells text.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from functools import lru_cache

from desktop_app.core.errors import ImportFileError
from desktop_app.core.grammar import Shape, classify, is_code
from desktop_app.core.importers.model import Dataset, Monitor, iso_date, today_iso
from desktop_app.core.importers.textio import SourceFile, require_columns, require_record_length
from desktop_app.core.importers.xlsx import read_rows
from desktop_app.core.kinds import CodeKind, DescriptorKind, SourceKind
from desktop_app.core.valid_dates import day_after

KIND = SourceKind.CMS_HCPCS
FORMAT_TXT = "cms-hcpcs-txt"
FORMAT_XLSX = "cms-hcpcs-xlsx"

RECORD_WIDTH = 320
# A first record (3/7) carries fields up to the action code in position 293 (always set: N = no change); only
# the filler after it may be cut. Continuation records (4/8) carry only a piece of the long description.
FIRST_RECORD_MIN = 293

# 1-based inclusive positions of the fixed-width record (CMS layout; the XLSX column names are the keys).
TXT_LAYOUT: tuple[tuple[str, int, int], ...] = (
    ("SHORT DESCRIPTION", 92, 119),
    ("PRICE1", 120, 121),
    ("PRICE2", 122, 123),
    ("PRICE3", 124, 125),
    ("PRICE4", 126, 127),
    ("MULT_PI", 128, 128),
    ("CIM1", 129, 134),
    ("CIM2", 135, 140),
    ("CIM3", 141, 146),
    ("MCM1", 147, 154),
    ("MCM2", 155, 162),
    ("MCM3", 163, 170),
    ("STATUTE", 171, 180),
    *((f"LABCERT{i + 1}", 181 + 3 * i, 183 + 3 * i) for i in range(8)),
    *((f"XREF{i + 1}", 205 + 5 * i, 209 + 5 * i) for i in range(5)),
    ("COV", 230, 230),
    ("ASC_GRP", 231, 232),
    ("ASC_DT", 233, 240),
    ("OPPS", 241, 243),
    ("OPPS_PI", 244, 244),
    ("OPPS_DT", 245, 252),
    ("PROCNOTE", 253, 256),
    ("BETOS", 257, 259),
    *((f"TOS{i + 1}", 261 + i, 261 + i) for i in range(5)),
    ("ANEST_BU", 266, 268),
    ("ADD DT", 269, 276),
    ("ACT EFF DT", 277, 284),
    ("TERM DT", 285, 292),
    ("ACTION CD", 293, 293),
)
_SLICES = tuple((key, a - 1, b) for key, a, b in TXT_LAYOUT)
# The same layout as two parallel tuples, so a record's fields are cut and stripped in C (see _read_txt).
_FIELD_KEYS = tuple(key for key, _, _ in _SLICES)
_FIELD_SLICES = tuple(slice(a, b) for _, a, b in _SLICES)
# Every column the XLSX reader uses: the key columns and every field of the record layout.
XLSX_REQUIRED = ("HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", *(key for key, _, _ in TXT_LAYOUT))

# Action codes (what changed in this release), in our own words.
ACTION_MEANINGS = {
    "A": "Added",
    "B": "Changed: administrative data and long description",
    "C": "Changed: long description",
    "D": "Discontinued",
    "F": "Changed: administrative data",
    "N": "No change",
    "P": "Changed: payment",
    "R": "Reactivated",
    "S": "Changed: short description",
    "T": "Miscellaneous change",
}
# Medicare coverage codes, in our own words.
COVERAGE_MEANINGS = {
    "C": "Carrier judgment: the contractor decides coverage",
    "D": "Special coverage instructions apply",
    "I": "Not payable by Medicare",
    "M": "Not covered by Medicare",
    "S": "Not covered by Medicare by statute",
}

_GROUPED = {
    "PRICE": "pricing_indicators",
    "CIM": "cim_references",
    "MCM": "mcm_references",
    "LABCERT": "lab_certifications",
    "XREF": "cross_references",
    "TOS": "types_of_service",
}
_SINGLE = {
    "MULT_PI": "multiple_pricing_indicator",
    "STATUTE": "statute",
    "COV": "coverage_code",
    "ASC_GRP": "asc_group",
    "OPPS": "opps_group",
    "OPPS_PI": "opps_indicator",
    "PROCNOTE": "processing_note",
    "BETOS": "betos",
    "ANEST_BU": "anesthesia_base_units",
    "ACTION CD": "action_code",
}
_DATES = {
    "ASC_DT": "asc_group_date",
    "OPPS_DT": "opps_date",
    "ADD DT": "added_date",
    "ACT EFF DT": "action_effective_date",
    "TERM DT": "termination_date",
}
_MONTHS = {"JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}
_MONTH_NAMES = {1: "January", 4: "April", 7: "July", 10: "October"}


@dataclass
class _Entry:
    code: str
    kind: CodeKind
    line: int
    fields: dict[str, str] | None = None
    pieces: list[tuple[str, str, int]] = field(default_factory=list)  # (sequence, text, line)


def is_txt_record(line: str) -> bool:
    return len(line) >= 11 and line[5:10].isdigit() and line[10] in "3478" and _code_of(line[:5], line[10]) != ""


@lru_cache(maxsize=65536)  # a code's first and continuation records ask the same
def _code_of(field5: str, ric: str) -> str:
    """The code in positions 1-5: a code (RIC 3/4) or ``'   XX'`` modifier (RIC 7/8); '' if malformed."""
    if ric in "34":
        code = field5.strip().upper()
        return code if is_code(code) and len(field5.strip()) == 5 else ""
    modifier = field5[3:5].upper()
    return modifier if field5[:3] == "   " and classify(modifier) is Shape.MODIFIER else ""


def sniff_lines(lines: list[str]) -> str | None:
    records = [line for line in lines[:200] if is_txt_record(line)]
    return FORMAT_TXT if len(records) >= min(3, len(lines)) else None


def sniff_rows(rows: list[list[str]]) -> bool:
    return bool(rows) and {"HCPC", "RECID", "LONG DESCRIPTION"} <= {c.strip().upper() for c in rows[0]}


def parse(sf: SourceFile, fmt: str, monitor: Monitor) -> Dataset:
    entries: dict[str, _Entry] = {}
    if fmt == FORMAT_TXT:
        _read_txt(sf, entries, monitor)
    else:
        _read_xlsx(sf, entries, monitor)
    ds = _dataset(sf, fmt, entries)
    _build(sf, ds, entries)
    monitor.report(ds.rows)
    return ds


def _add(
    sf: SourceFile,
    entries: dict[str, _Entry],
    code: str,
    ric: str,
    seq: str,
    text: str,
    fields: dict[str, str] | None,
    line_no: int,
) -> None:
    kind = CodeKind.MODIFIER if ric in "78" else CodeKind.CODE
    entry = entries.get(code)
    if entry is None:
        entry = entries[code] = _Entry(code, kind, line_no)
    if entry.kind != kind:
        raise ImportFileError(sf.name, f"{code} is both a code and a modifier (see line {entry.line})", line=line_no)
    if fields is not None:
        if entry.fields is not None:
            raise ImportFileError(sf.name, f"duplicate key: {code} already starts on line {entry.line}", line=line_no)
        entry.fields = fields
        entry.line = line_no
    for other_seq, _, other_line in entry.pieces:
        if other_seq == seq:
            raise ImportFileError(
                sf.name, f"duplicate key: {code} sequence {seq} is already on line {other_line}", line=line_no
            )
    entry.pieces.append((seq, text, line_no))


def _read_txt(sf: SourceFile, entries: dict[str, _Entry], monitor: Monitor) -> None:
    lines = sf.lines()
    monitor.start(f"Reading {sf.name}", len(lines))
    started = False
    for line_no, line in enumerate(lines, start=1):
        monitor.tick(line_no)
        if not is_txt_record(line):
            if started and line.strip():
                raise ImportFileError(
                    sf.name,
                    "not a HCPCS record (positions 6-10 must be a sequence number and 11 a record code 3, 4, 7 or 8)",
                    line=line_no,
                )
            continue
        started = True
        ric = line[10]
        code = _code_of(line[:5], ric)
        fields: dict[str, str] | None = None
        if ric in "37":
            require_record_length(sf, line_no, line, FIRST_RECORD_MIN, "the action code")
            padded = line.ljust(RECORD_WIDTH)
            fields = dict(zip(_FIELD_KEYS, map(str.strip, map(padded.__getitem__, _FIELD_SLICES)), strict=True))
        _add(sf, entries, code, ric, line[5:10], line[11:91].strip(), fields, line_no)
    if not started:
        raise ImportFileError(sf.name, "no HCPCS records found", line=None)


def _read_xlsx(sf: SourceFile, entries: dict[str, _Entry], monitor: Monitor) -> None:
    rows = read_rows(sf)
    header: dict[str, int] = {}
    width = 0
    monitor.start(f"Reading {sf.name}", 0)
    for row_no, row in rows:
        if not header:
            names = [c.strip().upper() for c in row]
            if "HCPC" not in names:
                if row_no >= 5:
                    break
                continue
            header = {name: i for i, name in enumerate(names) if name}
            width = max(header.values()) + 1
            require_columns(sf, row_no, [n for n in XLSX_REQUIRED if n not in header])
            # The named cells of a row in one C call (the header has every required column, so several).
            field_names = list(header)
            field_cells = operator.itemgetter(*header.values())
            continue
        monitor.tick(row_no)
        if not any(c.strip() for c in row):
            continue
        cells = row + [""] * max(0, width - len(row))
        raw = cells[header["HCPC"]]
        ric = cells[header["RECID"]].strip()
        if ric not in ("3", "4", "7", "8"):
            raise ImportFileError(sf.name, f"RECID {ric!r} is not 3, 4, 7 or 8", line=row_no)
        if ric in "78" and raw.strip() and not raw.startswith("   "):
            raw = "   " + raw.strip()  # tolerate a modifier whose padding was trimmed by a re-save
        code = _code_of(raw.ljust(5), ric)
        if not code:
            raise ImportFileError(sf.name, f"{raw.strip()!r} is not a HCPCS code or modifier", line=row_no)
        seq = cells[header["SEQNUM"]].strip().zfill(5)
        fields = None
        if ric in "37":
            fields = dict(zip(field_names, map(str.strip, field_cells(cells)), strict=True))
        _add(sf, entries, code, ric, seq, cells[header["LONG DESCRIPTION"]].strip(), fields, row_no)
    if not header:
        raise ImportFileError(sf.name, "no header row with a HCPC column (wrong columns?)", line=1)
    if not entries:
        raise ImportFileError(sf.name, "the workbook has a header but no data rows", line=None)


def _dataset(sf: SourceFile, fmt: str, entries: dict[str, _Entry]) -> Dataset:
    year = month = None
    annual = False
    for hint in (sf.base_name, *sf.hints):
        m = re.search(r"HCPC(?:S)?[_ -]?(20\d\d)(?:[_ -]?(JAN|APR|JUL|OCT)[A-Z]*)?", hint, re.I)
        if m:
            year = int(m.group(1))
            month = _MONTHS[m.group(2).upper()] if m.group(2) else 1
            annual = not m.group(2)
            break
    warning = ""
    if year is None or month is None:
        # The content: the latest action effective date is the release's effective date.
        latest = max((e.fields.get("ACT EFF DT", "") for e in entries.values() if e.fields), default="")
        iso = iso_date(latest) or ""
        if iso:
            year, month = int(iso[:4]), max(m for m in _MONTHS.values() if m <= int(iso[5:7]))
            warning = (
                f"the file name does not say which release this is; taken from the latest action date "
                f"({iso}): {year} {_MONTH_NAMES[month]}"
            )
    if year is None or month is None:
        ds = Dataset(
            KIND,
            fmt,
            f"CMS HCPCS Level II (unknown release, {sf.base_name})",
            sf.name,
            f"unknown-{sf.sha256[:8]}",
            "",
            sf.sha256,
        )
        ds.warnings.append("could not tell the release from the file or its name")
        return ds
    name = f"CMS HCPCS Level II {year} {'(annual)' if annual else _MONTH_NAMES[month]}"
    ds = Dataset(KIND, fmt, name, sf.name, f"{year}-{month:02d}", f"{year}-{month:02d}-01", sf.sha256)
    if warning:
        ds.warnings.append(warning)
    return ds


# The same few hundred dates recur on thousands of records: each is read once (a pure function of its text).
_record_date = lru_cache(maxsize=8192)(iso_date)


def _facts(sf: SourceFile, entry: _Entry, fields: dict[str, str], today: str) -> dict[str, object]:
    facts: dict[str, object] = {}
    grouped: dict[str, list[str]] = {}
    for name, value in fields.items():
        if not value:
            continue
        prefix = name.rstrip("0123456789")
        if prefix in _GROUPED and name != prefix:
            grouped.setdefault(_GROUPED[prefix], []).append(value)
        elif name in _SINGLE:
            facts[_SINGLE[name]] = value
        elif name in _DATES:
            iso = _record_date(value)
            if iso is None:
                raise ImportFileError(
                    sf.name,
                    f"{name} {value!r} is not a date (YYYYMMDD); the record may be cut off",
                    line=entry.line,
                )
            facts[_DATES[name]] = iso
    facts.update(grouped)
    if (cov := COVERAGE_MEANINGS.get(str(facts.get("coverage_code", "")))) is not None:
        facts["coverage"] = cov
    action = str(facts.get("action_code", ""))
    if action in ACTION_MEANINGS:
        facts["action"] = ACTION_MEANINGS[action]
    deleted_as_of = deletion_date(facts, today)
    if deleted_as_of:
        facts["deleted_date"] = deleted_as_of
    return facts


def deletion_date(facts: dict[str, object], today: str) -> str:
    """The ``deleted_date`` of a record's facts: the first day the code is not valid (core.valid_dates), or ''.

    TERM DT is the last day the code may be used (in the real files it is always the day before ACT EFF DT of
    a discontinued code), so the code is deleted as of the day after it; stored as it is, "2024-12-31" read as
    a deletion date let a claim dated 2024-12-31 be refused and one dated 2025-01-01 pass under the RVU file's
    meaning. A code whose last day is still to come is not deleted yet. Action D with no TERM DT is deleted as
    of its action's effective date (else the import day)."""
    terminated = str(facts.get("termination_date", ""))
    if terminated:
        deleted_as_of = day_after(terminated)
        return deleted_as_of if deleted_as_of <= today or facts.get("action_code") == "D" else ""
    if facts.get("action_code") == "D":
        return str(facts.get("action_effective_date", "")) or today
    return ""


def _build(sf: SourceFile, ds: Dataset, entries: dict[str, _Entry]) -> None:
    today = today_iso()
    for entry in entries.values():
        if entry.fields is None:
            first = min(line for _, _, line in entry.pieces)
            raise ImportFileError(sf.name, f"continuation record for {entry.code} without its first record", line=first)
        rec = ds.record(entry.code, entry.kind)
        long_text = " ".join(text for _, text, _ in sorted(entry.pieces) if text)
        rec.add_descriptor(DescriptorKind.LONG, long_text)
        rec.add_descriptor(DescriptorKind.SHORT, entry.fields.get("SHORT DESCRIPTION", ""))
        rec.facts[""] = _facts(sf, entry, entry.fields, today)
        ds.rows += len(entry.pieces)
