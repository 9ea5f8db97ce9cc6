"""CMS Physician Fee Schedule national RVU file (PPRRVU): CSV, fixed-width TXT or XLSX.

One row per code and payment modifier (blank, 26, TC, 53). The blank-modifier row gives the code's short
descriptor and its facts; rows with a modifier are components of the same code (``code_facts`` rows with
that modifier), never codes of their own.

* CSV: banner and heading rows come first; the real header row starts ``HCPCS,MOD,``. Columns are found by
  their (joined, multi-row) headings, so a reordered or extended year still reads.
* TXT: ``HDR`` lines, then fixed-width records (positions from the CMS record layout; trailing blanks may be
  cut, so a record is read padded).
* XLSX: like the CSV (the header row is found the same way); numeric cells are turned back into the CSV's
  text (global days ``90`` → ``090``). No real XLSX was available to check this against.

Over 500 lines on purpose: one file family whose three forms share the column map, the fact rules and the
row-to-facts code that is the import's hot path (``bench/bench_import.py``); split apart, the forms could drift.
"""

from __future__ import annotations

import itertools
import operator
import re
import sys
from collections.abc import Iterator, Sequence
from functools import lru_cache

from desktop_app.core.errors import ImportFileError
from desktop_app.core.grammar import HCPCS_LETTERS, is_code, normalize
from desktop_app.core.importers.loader import json_member
from desktop_app.core.importers.model import Dataset, Monitor
from desktop_app.core.importers.textio import (
    SourceFile,
    check_width,
    csv_rows,
    require_columns,
    require_record_length,
)
from desktop_app.core.importers.xlsx import read_rows
from desktop_app.core.kinds import DescriptorKind, SourceKind
from desktop_app.core.rvu_meanings import GLOBAL_MEANINGS, STATUS_MEANINGS

KIND = SourceKind.CMS_RVU
FORMAT_CSV = "cms-rvu-csv"
FORMAT_TXT = "cms-rvu-txt"
FORMAT_XLSX = "cms-rvu-xlsx"

# Deleted codes: D (deleted) and F (deleted, no grace period). G ("not valid for Medicare") and H (a deleted
# 26/TC component, on the modifier rows) do not mean the code itself is gone.
DELETED_STATUSES = frozenset("DF")

# Heading (letters only, upper case) → fact key. Several spellings per field where years differ.
_HEADINGS = {
    "HCPCS": "hcpcs",
    "MOD": "mod",
    "DESCRIPTION": "description",
    "STATUSCODE": "status_code",
    "STATUS": "status_code",
    "NOTUSEDFORMEDICAREPAYMENT": "not_used_for_medicare_payment",
    "WORKRVU": "work_rvu",
    "NONFACPERVU": "nonfacility_pe_rvu",
    "NONFACILITYPERVU": "nonfacility_pe_rvu",
    "NONFACNAINDICATOR": "nonfacility_na",
    "NONFACILITYNAINDICATOR": "nonfacility_na",
    "FACILITYPERVU": "facility_pe_rvu",
    "FACILITYNAINDICATOR": "facility_na",
    "MPRVU": "mp_rvu",
    "MALPRACTICERVU": "mp_rvu",
    "NONFACILITYTOTAL": "nonfacility_total",
    "FACILITYTOTAL": "facility_total",
    "PCTCIND": "pctc_indicator",
    "PCTCINDICATOR": "pctc_indicator",
    "GLOBDAYS": "global_days",
    "GLOBALDAYS": "global_days",
    "PREOP": "preop_share",
    "INTRAOP": "intraop_share",
    "POSTOP": "postop_share",
    "MULTPROC": "mult_proc",
    "BILATSURG": "bilat_surg",
    "ASSTSURG": "asst_surg",
    "COSURG": "co_surg",
    "TEAMSURG": "team_surg",
    "ENDOBASE": "endo_base",
    "CONVFACTOR": "conversion_factor",
    "CONVERSIONFACTOR": "conversion_factor",
    "PHYSICIANSUPERVISIONOFDIAGNOSTICPROCEDURES": "physician_supervision",
    "CALCULATIONFLAG": "calculation_flag",
    "DIAGNOSTICIMAGINGFAMILYINDICATOR": "imaging_family",
    "NONFACILITYPEUSEDFOROPPSPAYMENTAMOUNT": "opps_nonfacility_pe",
    "FACILITYPEUSEDFOROPPSPAYMENTAMOUNT": "opps_facility_pe",
    "MPUSEDFOROPPSPAYMENTAMOUNT": "opps_mp",
}
# Every column the reader relies on: a file without one is refused ("wrong columns: missing WORK RVU") rather
# than imported with the RVUs silently missing. Key → the heading people see.
REQUIRED = {
    "hcpcs": "HCPCS",
    "mod": "MOD",
    "description": "DESCRIPTION",
    "status_code": "STATUS CODE",
    "work_rvu": "WORK RVU",
    "nonfacility_pe_rvu": "NON-FAC PE RVU",
    "facility_pe_rvu": "FACILITY PE RVU",
    "mp_rvu": "MP RVU",
    "pctc_indicator": "PCTC IND",
    "global_days": "GLOB DAYS",
    "conversion_factor": "CONV FACTOR",
}

# Fixed-width TXT layout, 1-based inclusive (CMS record layout; position 59 carries the '+' flag).
TXT_LAYOUT: tuple[tuple[str, int, int], ...] = (
    ("hcpcs", 1, 5),
    ("mod", 6, 7),
    ("description", 8, 57),
    ("status_code", 58, 58),
    ("not_used_for_medicare_payment", 59, 59),
    ("work_rvu", 60, 65),
    ("nonfacility_pe_rvu", 67, 72),
    ("nonfacility_na", 73, 74),
    ("facility_pe_rvu", 76, 81),
    ("facility_na", 82, 83),
    ("mp_rvu", 85, 89),
    ("nonfacility_total", 91, 96),
    ("facility_total", 97, 102),
    ("pctc_indicator", 103, 103),
    ("global_days", 104, 106),
    ("preop_share", 107, 109),
    ("intraop_share", 110, 112),
    ("postop_share", 113, 115),
    ("mult_proc", 116, 116),
    ("bilat_surg", 117, 117),
    ("asst_surg", 118, 118),
    ("co_surg", 119, 119),
    ("team_surg", 120, 120),
    ("endo_base", 128, 132),
    ("conversion_factor", 133, 140),
    ("physician_supervision", 142, 143),
    ("calculation_flag", 144, 144),
    ("imaging_family", 146, 147),
    ("opps_nonfacility_pe", 152, 157),
    ("opps_facility_pe", 159, 164),
    ("opps_mp", 166, 171),
)
# A record must reach the last field the reader requires (the conversion factor, 133-140); trailing blanks after
# it may be cut (the real file's records stop at 171, the layout says 200).
TXT_MIN_LENGTH = 140
_TXT_SNIFF_LENGTH = 106  # through global days: enough to recognise a record
TXT_WIDTH = 171
_TXT_SLICES = tuple((key, start - 1, end) for key, start, end in TXT_LAYOUT)

NUMERIC = frozenset(
    {
        "work_rvu",
        "nonfacility_pe_rvu",
        "facility_pe_rvu",
        "mp_rvu",
        "nonfacility_total",
        "facility_total",
        "preop_share",
        "intraop_share",
        "postop_share",
        "conversion_factor",
        "opps_nonfacility_pe",
        "opps_facility_pe",
        "opps_mp",
    }
)
_ZERO_PAD = {"global_days": 3, "physician_supervision": 2, "imaging_family": 2}
_TXT_RECORD = re.compile(r"^[0-9A-Z]{5}[ 0-9A-Z]{2}.{50}[A-Z ]")
_MONTHS = {"JAN": ("A", 1), "APR": ("B", 4), "JUL": ("C", 7), "OCT": ("D", 10)}
_LETTER_MONTH = {"A": 1, "B": 4, "C": 7, "D": 10}
_MONTH_NAMES = {1: "January", 4: "April", 7: "July", 10: "October"}


def _heading_key(text: str) -> str:
    return re.sub(r"[^A-Z]", "", text.upper())


# --- sniffing ---------------------------------------------------------------------------------------------


def sniff_lines(lines: list[str]) -> str | None:
    head = lines[:40]
    if any(line.upper().startswith("HCPCS,MOD,") for line in head):
        return FORMAT_CSV
    data = [line for line in head if line.strip() and not line.startswith("HDR")]
    if any(line.startswith("HDR") for line in head) or data:
        sample = data[:10]
        if sample and sum(_looks_txt_record(line) for line in sample) >= max(1, 0.8 * len(sample)):
            return FORMAT_TXT
    return None


def _looks_txt_record(line: str) -> bool:
    if len(line) < _TXT_SNIFF_LENGTH or not _TXT_RECORD.match(line):
        return False
    return is_code(line[:5]) and line[103:106] in GLOBAL_MEANINGS


def sniff_rows(rows: list[list[str]]) -> bool:
    return any(len(r) > 2 and r[0].strip().upper() == "HCPCS" and r[1].strip().upper() == "MOD" for r in rows)


# --- reading ------------------------------------------------------------------------------------------------


Rows = Iterator[tuple[int, Sequence[str]]]


def parse(sf: SourceFile, fmt: str, monitor: Monitor) -> Dataset:
    banner: list[str] = []
    if fmt == FORMAT_TXT:
        keys: list[str] = [key for key, _, _ in TXT_LAYOUT]
        rows = _txt_rows(sf, monitor)
    else:
        # Streamed: only the first rows (the headings) are held, the data rows are read one at a time.
        table = csv_rows(sf, sf.text()) if fmt == FORMAT_CSV else read_rows(sf)
        total = sf.data.count(b"\n") if fmt == FORMAT_CSV else 0
        keys, rows = _table_rows(sf, table, total, banner, monitor)
    ds = _dataset(sf, fmt, banner)
    _build(sf, ds, keys, rows, monitor)
    return ds


def _txt_rows(sf: SourceFile, monitor: Monitor) -> Rows:
    lines = sf.lines()
    # A record's 31 fields cut in one C call (slice objects), as the HCPCS text reader does.
    cut_fields = operator.itemgetter(*(slice(a, b) for _, a, b in _TXT_SLICES))
    monitor.start(f"Reading {sf.name}", len(lines))
    for line_no, line in enumerate(lines, start=1):
        monitor.tick(line_no)
        if not line.strip() or line.startswith("HDR"):
            continue
        require_record_length(sf, line_no, line, TXT_MIN_LENGTH, "the conversion factor")
        yield line_no, cut_fields(line.ljust(TXT_WIDTH))


def _table_rows(
    sf: SourceFile, rows_in: Iterator[tuple[int, list[str]]], total: int, banner: list[str], monitor: Monitor
) -> tuple[list[str], Rows]:
    """The column keys found in the (multi-row) headings, and the data rows as cells in that key order."""
    table = list(itertools.islice(rows_in, 60))
    header_at = next((i for i, (_, row) in enumerate(table[:60]) if sniff_rows([row])), None)
    if header_at is None:
        raise ImportFileError(
            sf.name,
            "no header row starting HCPCS, MOD was found in the first 60 rows (wrong columns?)",
            line=1,
        )
    # The headings are split over several rows above the header row: join them column by column.
    first = header_at
    while first > 0 and any(c.strip() for c in table[first - 1][1][3:]):
        first -= 1
    header_line, header = table[header_at]
    banner.extend(" ".join(c.strip() for c in row if c.strip()) for _, row in table[:first])
    width = len(header)
    names = [
        " ".join(
            table[i][1][col].strip()
            for i in range(first, header_at + 1)
            if col < len(table[i][1]) and table[i][1][col].strip()
        )
        for col in range(width)
    ]
    columns: dict[str, int] = {}
    for col, name in enumerate(names):
        key = _HEADINGS.get(_heading_key(name))
        if key and key not in columns:
            columns[key] = col
    missing = [label for key, label in REQUIRED.items() if key not in columns]
    require_columns(sf, header_line, missing, ", ".join(n for n in names if n))
    while width and not header[width - 1].strip():
        width -= 1
    pick = operator.itemgetter(*columns.values())

    def rows() -> Rows:
        monitor.start(f"Reading {sf.name}", total)
        for line_no, row in itertools.chain(table[header_at + 1 :], rows_in):
            monitor.tick(line_no)
            if not "".join(row).strip():  # blank row: every cell empty or white space
                continue
            if len(row) != width:
                check_width(sf, line_no, row, width, "the file may be cut off or not a PPRRVU file")
            yield line_no, pick(row)

    return list(columns), rows()


def _dataset(sf: SourceFile, fmt: str, banner: list[str]) -> Dataset:
    year: int | None = None
    letter = ""
    correction = ""
    warnings: list[str] = []
    for text in banner:  # "2025 National Physician Fee Schedule Relative Value File October Release"
        m = re.search(r"(20\d\d)\s+National Physician Fee Schedule.*?\b(January|April|July|October)\b", text, re.I)
        if m:
            year, letter = int(m.group(1)), _MONTHS[m.group(2)[:3].upper()][0]
    for hint in (sf.base_name, *sf.hints):
        m = re.search(r"RVU(\d\d)([A-D])(R?)(?![A-Z])", hint, re.I)
        if m:
            year = year or 2000 + int(m.group(1))
            letter = letter or m.group(2).upper()
            correction = correction or m.group(3).upper()
            continue
        m = re.search(r"PPRRVU(\d{4}|\d\d)[_ -]?(JAN|APR|JUL|OCT)", hint, re.I)
        if m:
            digits = int(m.group(1))
            year = year or (digits if digits > 99 else 2000 + digits)
            letter = letter or _MONTHS[m.group(2).upper()][0]
    if year is None:
        release = f"unknown-{sf.sha256[:8]}"
        warnings.append(
            "could not tell the release (year and quarter) from the file or its name; "
            "name the file like PPRRVU2025_Oct.csv or RVU25D.zip"
        )
        ds = Dataset(KIND, fmt, f"CMS PFS RVU (unknown release, {sf.base_name})", sf.name, release, "", sf.sha256)
    elif not letter:
        warnings.append(f"could not tell which {year} release (quarter) this is; treated as January")
        ds = Dataset(KIND, fmt, f"CMS PFS RVU {year}", sf.name, f"RVU{year % 100:02d}", f"{year}-01-01", sf.sha256)
    else:
        month = _LETTER_MONTH[letter]
        release = f"RVU{year % 100:02d}{letter}{correction}"
        name = f"CMS PFS RVU {year} {_MONTH_NAMES[month]}{' correction' if correction else ''} ({release})"
        ds = Dataset(KIND, fmt, name, sf.name, release, f"{year}-{month:02d}-01", sf.sha256)
    ds.warnings.extend(warnings)
    return ds


_TEXT, _NUMBER, _FLAG = 0, 1, 2
_FIELD_KIND = {key: _NUMBER for key in NUMERIC} | {"not_used_for_medicare_payment": _FLAG}


# A cell that is already a normalised procedure code (ASCII, upper case, no blanks): the shapes of
# grammar.classify other than the modifier's, which normalize() leaves unchanged and is_code() accepts.
_PLAIN_CODE = re.compile(rf"[0-9]{{5}}|[0-9]{{4}}[FTUMA]|[{HCPCS_LETTERS}][0-9]{{4}}")


@lru_cache(maxsize=32768)
def _clean_code(raw: str) -> str:
    """Normalised code, or '' if ``raw`` is not a procedure code (memoised, bounded: the same codes recur)."""
    if _PLAIN_CODE.fullmatch(raw):  # nearly every cell: no normalising or classifying needed
        return raw
    code = normalize(raw)
    return code if is_code(code) else ""


# RVUs, shares and the conversion factor are plain decimals ("1.30", "35.1234", ".5"): not "nan", "inf", "1e9"
# or "1_000" (which float() would take), and never negative or absurdly large.
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
MAX_RVU_VALUE = 100_000.0


@lru_cache(maxsize=65536)
def _decimal(value: str) -> float | str:
    """The number in ``value``, or why it is not one (memoised: the same few thousand values recur, and each
    becomes one float object)."""
    if not _DECIMAL.fullmatch(value):
        if value.lstrip("+-").lower() in ("nan", "inf", "infinity") or "e" in value.lower():
            return "is not a finite decimal number"
        if value.startswith("-") and _DECIMAL.fullmatch(value[1:]):
            return "is negative; RVUs, shares and conversion factors never are"
        return "is not a number (wrong columns?)"
    number = float(value)
    if number > MAX_RVU_VALUE:
        return f"is out of range (over {MAX_RVU_VALUE:,.0f}; real values are under 1,000)"
    return number


def _number(sf: SourceFile, line_no: int, name: str, value: str) -> float:
    number = _decimal(value)
    if isinstance(number, str):
        raise ImportFileError(sf.name, f"{name.replace('_', ' ')} {value[:40]!r} {number}", line=line_no)
    return number


_BLANK = object()  # a memoised blank cell: no fact
_MEMO_LIMIT = 4096
_SAME_FACTS_LIMIT = 16384  # rows with distinct facts remembered (each entry: one tuple of shared values)


def _cell_value(sf: SourceFile, line_no: int, name: str, kind: int, pad: int, raw: str) -> object:
    """One cell as its fact value (None: blank, no fact); raises for a value that is not a valid number."""
    value = raw.strip()
    if not value:
        return None
    if kind == _NUMBER:
        return _number(sf, line_no, name, value)
    if kind == _FLAG:
        return value == "+"
    # Interned: the same few codes ("XXX", "09", "A") recur in every row; one object each.
    return sys.intern(value.zfill(pad) if pad and value.isdigit() else value)


def _build(sf: SourceFile, ds: Dataset, keys: list[str], rows: Rows, monitor: Monitor) -> None:
    seen: dict[tuple[str, str], int] = {}
    first_mod_descriptor: dict[str, str] = {}
    unknown_status: set[str] = set()
    # Status D is "deleted effective with the beginning of the applicable year" (the file's documentation): the
    # first day not valid is 1 January of the file's year, the one meaning of deleted_date (core.valid_dates).
    deleted_date = f"{ds.effective_date[:4]}-01-01" if ds.effective_date else ""
    i_code, i_mod, i_text = keys.index("hcpcs"), keys.index("mod"), keys.index("description")
    specs: list[tuple[int, str, int, int]] = [
        (i, key, _FIELD_KIND.get(key, _TEXT), _ZERO_PAD.get(key, 0))
        for i, key in enumerate(keys)
        if key not in ("hcpcs", "mod", "description")
    ]
    names = [name for _, name, _, _ in specs]
    # The fact cells of a row in one C call; each column's few thousand distinct cells are converted once
    # (a memo per column, bounded so a hostile file cannot grow it) and looked up all at once per row. A blank
    # cell is memoised as _BLANK (no fact), so a lookup that finds nothing (None) means "not converted yet".
    fact_cells = operator.itemgetter(*(i for i, _, _, _ in specs))
    memos: list[dict[str, object]] = [{} for _ in specs]
    lookup = dict.get
    # The facts' canonical JSON is joined from memoised members ('"work_rvu":1.3'; '' for a blank cell) in
    # sorted key order: the columns', then the deletion date. The meanings of the status code, PC/TC indicator
    # and global days are not stored: they are joined when the facts are read (core.rvu_meanings).
    member_memos: list[dict[str, str]] = [{} for _ in specs]
    all_keys = [*names, "deleted_date"]
    in_key_order = operator.itemgetter(*sorted(range(len(all_keys)), key=all_keys.__getitem__))
    deleted_member = json_member("deleted_date", deleted_date)
    # Rows whose fact cells read as the same values (and that agree on whether the code's deletion date applies)
    # have the same facts: they share one facts dict and one JSON text, which nothing changes after reading. A
    # repeated row costs one look-up, and a file of repeated rows holds its facts once. Bounded, like the memos.
    same_facts: dict[tuple[object, ...], tuple[dict[str, object], str]] = {}

    def convert(
        line_no: int, modifier: str, cells: tuple[str, ...], converted: list[object]
    ) -> tuple[dict[str, object], str]:
        """The facts and their JSON for one row; a cell value seen for the first time is converted and checked
        here (raising with the row's line when it is not valid)."""
        members = list(map(lookup, member_memos, cells))
        if None in converted:
            for n, value in enumerate(converted):
                if value is None:
                    # A bad value is never memoised, so it is refused with its own line.
                    _, name, kind, pad = specs[n]
                    raw = cells[n]
                    value = _cell_value(sf, line_no, name, kind, pad, raw)
                    if value is None:
                        value = _BLANK
                    member = "" if value is _BLANK else json_member(name, value)
                    if len(memos[n]) < _MEMO_LIMIT:
                        memos[n][raw] = value
                        member_memos[n][raw] = member
                    converted[n] = value
                    members[n] = member
        facts: dict[str, object] = {
            name: value for name, value in zip(names, converted, strict=True) if value is not _BLANK
        }
        status = facts.get("status_code", "")
        if status and status not in STATUS_MEANINGS:
            unknown_status.add(str(status))
        if not modifier and status in DELETED_STATUSES and deleted_date:
            facts["deleted_date"] = deleted_date
            members.append(deleted_member)
        else:
            members.append("")
        facts_text = "{" + ",".join(filter(None, in_key_order(members))) + "}"
        if len(same_facts) < _SAME_FACTS_LIMIT:
            facts_key = (*converted, not modifier)
            same_facts[facts_key] = (facts, facts_text)
        return facts, facts_text

    for line_no, values in rows:
        raw_code = values[i_code].strip()
        code = _clean_code(raw_code)
        if not code:
            raise ImportFileError(sf.name, f"{raw_code!r} is not a procedure code (not a PPRRVU row?)", line=line_no)
        modifier = values[i_mod].strip().upper()
        key = (code, modifier)
        if key in seen:
            what = f"{code} with modifier {modifier}" if modifier else code
            raise ImportFileError(sf.name, f"duplicate key: {what} is already on line {seen[key]}", line=line_no)
        seen[key] = line_no
        cells = fact_cells(values)
        converted = list(map(lookup, memos, cells))
        shared = None if None in converted else same_facts.get((*converted, not modifier))
        if shared is None:
            facts, facts_text = convert(line_no, modifier, cells, converted)
        else:
            facts, facts_text = shared
        rec = ds.record(code)
        text = values[i_text].strip()
        if not modifier:
            rec.add_descriptor(DescriptorKind.SHORT, text)
        elif text:
            first_mod_descriptor.setdefault(code, text)
        rec.facts[modifier] = facts
        rec.facts_text[modifier] = facts_text
        ds.rows += 1
    for code, text in first_mod_descriptor.items():
        rec = ds.codes[code]
        if not rec.descriptors:
            rec.add_descriptor(DescriptorKind.SHORT, text)
    if not ds.codes:
        raise ImportFileError(sf.name, "the file has a header but no data rows", line=None)
    if unknown_status:
        ds.warnings.append(f"status codes not in the CMS documentation: {', '.join(sorted(unknown_status))}")
    monitor.report(ds.rows)
