"""CMS National Correct Coding Initiative (NCCI) edits: procedure-to-procedure (PTP) pairs and medically unlikely
edits (MUE). Codes only: neither file carries a descriptor; the AMA notice at the top of each applies to the codes.

PTP (tab-separated text inside the CMS zips ``ccipra-v322r0-f1.zip`` … ``-f4``; ``ccioph-…`` for outpatient
hospital): the AMA notice, ``Column1/Column2 Edits``, a header wrapped over four lines, then rows of seven fields:
column 1 code, column 2 code, ``*`` if in existence before 1996, effective date ``YYYYMMDD``, deletion date
``YYYYMMDD`` or ``*``, modifier indicator 0/1/9, rationale. The files are far larger than any other import (the
four practitioner parts hold millions of rows), so they are never held in memory: rows are checked and written
as they are read, inside the import's one transaction; a bad row raises and the transaction rolls back, so the
database is exactly as before.

MUE (CSV, Latin-1): a quoted multi-line notice record, a header whose first field wraps (``"HCPCS/\\nCPT Code"``),
then code, units, adjudication indicator (``2 Date of Service Edit: Policy``), rationale. The setting
(practitioner, outpatient hospital, DME) is in the header; the effective date in the file name.

About 500 lines on purpose: PTP and MUE share the streamed, checked-as-written transaction path (file naming,
versions, replacing a release, the rationale table); split, each half would carry a copy of it.

The PTP setting and version are in the file name only (``ccipra`` practitioner, ``ccioph`` outpatient hospital,
``v322r0`` version 32.2 revision 0, ``f1`` part 1), so a renamed file is refused rather than guessed.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import IO

from desktop_app.core.errors import ImportFileError
from desktop_app.core.grammar import is_code
from desktop_app.core.importers.model import Monitor
from desktop_app.core.importers.textio import SourceFile, csv_rows
from desktop_app.core.kinds import NCCI_SETTING_LABELS, NcciSetting, SourceKind

KIND_PTP = SourceKind.CMS_NCCI_PTP
KIND_MUE = SourceKind.CMS_NCCI_MUE
FORMAT_PTP = "cms-ncci-ptp-txt"
FORMAT_MUE = "cms-ncci-mue-csv"
FORMATS = frozenset({FORMAT_PTP, FORMAT_MUE})
SETTINGS = tuple(NcciSetting)
SETTING_LABELS = NCCI_SETTING_LABELS
NO_DELETION = 99991231  # how '*' (no deletion date) is stored

# Bounds of a streamed NCCI file: far above the real ones (a practitioner PTP part has under a million rows and
# about 80 MB), low enough that a hostile or endless file (a zip bomb of valid-looking rows) stops.
MAX_NCCI_ROWS = 6_000_000
MAX_NCCI_BYTES = 256 * 1024 * 1024  # checked on the size on disk or the size the zip declares, before reading
MAX_HEADER_LINES = 12
# Re-importing a release with fewer than this share of the loaded copy's rows is refused (a cut-off file).
SHRINK_LIMIT = 0.9
INDEX_CACHE_KIB = 64 * 1024

_PTP_TITLE = "Column1/Column2 Edits"
_PTP_NAME = re.compile(r"cci(pra|oph)[-_ ]?v?(\d{2})(\d)r(\d+)(?:[-_ ]?f(\d))?", re.I)
_SETTING_WORDS = (
    (NcciSetting.HOSPITAL, re.compile(r"ccioph|hospital|outpatient|\bOPPS\b", re.I)),
    (NcciSetting.PRACTITIONER, re.compile(r"ccipra|practitioner|physician", re.I)),
)
_MUE_EFFECTIVE = re.compile(r"Eff(?:ective)?[-_ ]?(\d{1,2})[-_](\d{1,2})[-_](\d{4})", re.I)
_MUE_HEADER_SETTING = (
    (NcciSetting.HOSPITAL, re.compile(r"HOSPITAL", re.I)),
    (NcciSetting.DME, re.compile(r"\bDME\b|SUPPLIER", re.I)),
    (NcciSetting.PRACTITIONER, re.compile(r"PRACTITIONER", re.I)),
)
_DIGITS8 = re.compile(r"\d{8}")
_MAI = re.compile(r"\s*([123])\b")


def sniff_lines(lines: list[str]) -> str | None:
    """PTP: ``Column1/Column2 Edits`` or the ``Column 1<TAB>Column 2`` header in the first lines; MUE: a header
    naming ``MUE Values`` and ``MUE Adjudication Indicator``."""
    head = lines[:MAX_HEADER_LINES + 8]
    for line in head:
        if line.startswith(_PTP_TITLE) or line.startswith("Column 1\tColumn 2\t"):
            return FORMAT_PTP
    text = "\n".join(head).upper()
    if "MUE VALUES" in text and "MUE ADJUDICATION INDICATOR" in text:
        return FORMAT_MUE
    return None


@dataclass
class NcciSummary:
    """What one NCCI file wrote (see :class:`desktop_app.core.importers.ImportSummary`, which it becomes)."""

    file_name: str
    format: str
    source_id: int
    source_name: str
    release: str
    rows: int
    replaced: bool
    seconds: float
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _PtpName:
    setting: NcciSetting
    version: str  # '32.2r0'
    part: int  # 1-4, 0 when the file is not split
    effective_date: str  # the quarter the version starts, ISO


def _ptp_name(sf: SourceFile) -> _PtpName:
    """Setting, version and part from the file's name (or its zip's, or folders')."""
    for hint in (sf.base_name, *sf.hints):
        if m := _PTP_NAME.search(hint):
            setting = NcciSetting.PRACTITIONER if m.group(1).lower() == "pra" else NcciSetting.HOSPITAL
            major, minor = int(m.group(2)), int(m.group(3))
            # NCCI version 32.0 is January 2026: the major number counts years from 1994, the minor quarters.
            effective = date(1994 + major, 3 * minor + 1, 1).isoformat() if minor <= 3 else ""
            return _PtpName(setting, f"{major}.{minor}r{int(m.group(4))}", int(m.group(5) or 0), effective)
    for hint in (sf.base_name, *sf.hints):
        for setting, pattern in _SETTING_WORDS:
            if pattern.search(hint):
                return _PtpName(setting, f"unnamed {sf.stem}", 0, "")
    raise ImportFileError(
        sf.name,
        "this is an NCCI PTP edit file, but its name does not say whether it holds practitioner or outpatient "
        "hospital edits (the CMS files are named ccipra-v322r0-f1.txt or ccioph-v322r0-f1.txt); "
        "import it under its CMS name",
    )


def _iso(value: int) -> str:
    text = str(value)
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


class _Rationales:
    """Rationale texts, each stored once in ``ncci_rationales`` (a PTP file repeats a few dozen texts)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._ids: dict[str, int] = {text: rid for rid, text in conn.execute("SELECT id, text FROM ncci_rationales")}

    def id(self, text: str) -> int:
        rid = self._ids.get(text)
        if rid is None:
            cursor = self._conn.execute("INSERT INTO ncci_rationales (text) VALUES (?)", (text,))
            assert cursor.lastrowid is not None
            rid = self._ids[text] = cursor.lastrowid
        return rid


class _DateReader:
    """``YYYYMMDD`` → the integer, checked once per distinct text (a file has a few hundred distinct dates)."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, text: str) -> int | None:
        value = self.seen.get(text)
        if value is None:
            if not _DIGITS8.fullmatch(text):
                return None
            try:
                date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                return None
            value = self.seen[text] = int(text)
        return value


def _open_text(sf: SourceFile) -> tuple[IO[bytes], io.TextIOWrapper]:
    _refuse_size(sf)
    stream = sf.open_stream()
    return stream, io.TextIOWrapper(stream, encoding="latin-1", newline="")


# A well-formed data row with its line end: most rows take only this match and a few dictionary look-ups; any
# row it does not match is checked field by field, for the exact reason.
_PTP_ROW = re.compile(r"([0-9A-Z]{5})\t([0-9A-Z]{5})\t(\*?)\t(\d{8})\t(\d{8}|\*)\t([019])\t([^\t\r\n]*)\t*(\r\n|\n|\r)")


_INDICATORS = {"0": 0, "1": 1, "9": 9}  # the modifier indicators the fast match allows, as stored


def _check_row(sf: SourceFile, number: int, line: str, read_date: _DateReader,
               valid_codes: set[str]) -> tuple[str, str, str, int, int, str, str]:
    """The fields of a data row that the fast match refused or has not seen the codes or dates of, each checked;
    raises :class:`ImportFileError` with the reason."""
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) < 7 or (len(fields) > 7 and any(f.strip() for f in fields[7:])):
        raise ImportFileError(sf.name, f"expected 7 tab-separated fields (column 1, column 2, *=prior to 1996, "
                              f"effective date, deletion date, modifier, rationale), found {len(fields)}",
                              line=number)
    column1, column2, before, effective_text, deletion_text, modifier, rationale = fields[:7]
    for which, code in (("column 1", column1), ("column 2", column2)):
        if code not in valid_codes:
            if not is_code(code):
                raise ImportFileError(sf.name, f"{which} code {code!r} is not a CPT or HCPCS code", line=number)
            valid_codes.add(code)
    if before not in ("", "*"):
        raise ImportFileError(sf.name, f"the prior-to-1996 field is {before!r}; it is '*' or empty", line=number)
    effective = read_date(effective_text)
    if effective is None:
        raise ImportFileError(sf.name, f"effective date {effective_text!r} is not a date YYYYMMDD", line=number)
    deletion = NO_DELETION if deletion_text == "*" else read_date(deletion_text)
    if deletion is None:
        raise ImportFileError(sf.name, f"deletion date {deletion_text!r} is neither a date YYYYMMDD nor '*'",
                              line=number)
    if modifier not in ("0", "1", "9"):
        raise ImportFileError(sf.name, f"modifier indicator {modifier!r} is not 0, 1 or 9", line=number)
    return column1, column2, before, effective, deletion, modifier, rationale.strip()


def _refuse_size(sf: SourceFile) -> None:
    """Before anything is read: the size on disk, or the size the zip declares (zipfile never reads past it)."""
    if sf.size > MAX_NCCI_BYTES:
        raise ImportFileError(sf.name, f"the file is {sf.size / (1024 * 1024):,.0f} MB; CodeDesk reads NCCI files up "
                              f"to {MAX_NCCI_BYTES // (1024 * 1024):,} MB (a real one is under 100 MB), so this is "
                              "not an NCCI file or it is damaged")


def _too_much(sf: SourceFile, number: int) -> None:
    if number > MAX_NCCI_ROWS:
        raise ImportFileError(sf.name, f"the file has over {MAX_NCCI_ROWS:,} lines; real NCCI files have far "
                              "fewer, so this is not an NCCI file or it is damaged", line=number)


def _ptp_rows(sf: SourceFile, monitor: Monitor, rationales: _Rationales, source_id: int,
              counter: list[int]) -> Iterator[tuple[object, ...]]:
    """The checked rows of a PTP file, as ``ptp_edits`` tuples, read as a stream (never the whole file in memory).
    Raises ImportFileError naming the line."""
    read_date = _DateReader()
    dates = read_date.seen
    valid_codes: set[str] = set()
    rationale_ids: dict[str, int] = {}
    match = _PTP_ROW.fullmatch
    rows = number = 0
    in_header = True
    blank_from = 0
    line = ""
    stream, text = _open_text(sf)
    try:
        for number, line in enumerate(text, 1):
            if number % 1000 == 0:
                _too_much(sf, number)
                monitor.report(min(number, monitor.total))  # the total is estimated from the size
            m = match(line)
            if m is not None and not in_header and not blank_from:
                column1, column2, before, effective_text, deletion_text, modifier, rationale, _ = m.groups()
                # A code or date seen for the first time is checked here and remembered; one that fails takes
                # the field-by-field path below, which names the reason.
                effective = dates.get(effective_text) or read_date(effective_text)
                deletion = NO_DELETION if deletion_text == "*" else dates.get(deletion_text) or read_date(deletion_text)
                if column1 not in valid_codes and is_code(column1):
                    valid_codes.add(column1)
                if column2 not in valid_codes and is_code(column2):
                    valid_codes.add(column2)
                if (effective is not None and deletion is not None and column1 in valid_codes
                        and column2 in valid_codes):
                    rid = rationale_ids.get(rationale)
                    if rid is None:
                        rid = rationale_ids[rationale] = rationales.id(rationale.strip())
                    rows += 1
                    yield (source_id, column1, column2, 1 if before else 0, effective, deletion,
                           _INDICATORS[modifier], rid)
                    continue
            if not line.strip("\t \r\n"):
                blank_from = blank_from or number
                continue
            if in_header:
                first = line.split("\t", 1)[0].strip()
                if first and is_code(first):
                    in_header = False
                elif number <= MAX_HEADER_LINES:
                    continue
                else:
                    raise ImportFileError(sf.name, f"expected the first edit after the {MAX_HEADER_LINES}-line "
                                          f"header; found {line[:60]!r}", line=number)
            if blank_from:
                raise ImportFileError(sf.name, f"a blank line (line {blank_from}) in the middle of the edits",
                                      line=number)
            column1, column2, before, effective, deletion, modifier, rationale = _check_row(
                sf, number, line, read_date, valid_codes)
            rows += 1
            yield (source_id, column1, column2, 1 if before else 0, effective, deletion, int(modifier),
                   rationales.id(rationale))
    except (OSError, EOFError, ValueError) as exc:  # a damaged zip member fails while it is read
        raise ImportFileError(sf.name, f"cannot be read (damaged or incomplete?): {exc}", line=number) from None
    finally:
        stream.close()
    if in_header:
        raise ImportFileError(sf.name, "the file has the PTP header but no edits (cut off?)")
    if not line.endswith(("\n", "\r")):
        raise ImportFileError(sf.name, "the last line has no line end, so the file looks cut off (truncated); "
                              "import the complete file", line=number)
    counter[0] = rows


def _replace_old(conn: sqlite3.Connection, sf: SourceFile, kind: str, release: str) -> tuple[int | None, int]:
    """Delete the loaded copy of this release, if any; (its source id, its rows) for the shrink check."""
    old = conn.execute("SELECT s.id, coalesce(n.rows, 0) FROM sources s LEFT JOIN ncci_files n ON n.source_id = s.id "
                       "WHERE s.kind = ? AND s.release = ?", (kind, release)).fetchone()
    if old is None:
        return None, 0
    conn.execute("DELETE FROM sources WHERE id = ?", (old[0],))
    return int(old[0]), int(old[1])


def _refuse_shrinking(sf: SourceFile, name: str, rows: int, old_id: int | None, old_rows: int) -> None:
    if old_id is not None and rows < SHRINK_LIMIT * old_rows:
        raise ImportFileError(sf.name, f"has {rows:,} edits; the loaded copy of this release ({name}, source id "
                              f"{old_id}) has {old_rows:,}; the file looks truncated — remove the old source first "
                              "if this is intended")


def _insert_source(conn: sqlite3.Connection, kind: str, name: str, sf: SourceFile, release: str,
                   effective: str, counts: dict[str, object]) -> int:
    loaded_at = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    cursor = conn.execute(
        "INSERT INTO sources (kind, name, file_name, release, effective_date, sha256, loaded_at, counts) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, name, sf.name, release, effective, "", loaded_at, json.dumps(counts, sort_keys=True)),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


_INSERT_FILE = "INSERT INTO ncci_files (source_id, edit_kind, setting, version, part, rows) VALUES (?, ?, ?, ?, ?, ?)"
_PTP_INDEXES = (
    # Not covering the dates: that made the index builds a third slower and the database 40 MB larger for the
    # same check and first-page times (measured with bench/bench_ncci.py); only a date-filtered count reads rows.
    ("ptp_edits_pair", "column1, column2"),
    ("ptp_edits_column2", "column2, column1"),
)


def drop_ptp_indexes(conn: sqlite3.Connection) -> None:
    """Before PTP files are written: inserting into indexed tables costs a B-tree update per row and index;
    building the indexes once after all the rows are in is several times faster. DDL is part of the transaction,
    so a failed or cancelled import restores them."""
    for index, _ in _PTP_INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {index}")


def create_ptp_indexes(conn: sqlite3.Connection, monitor: Monitor) -> None:
    monitor.start("Indexing the NCCI edits", len(_PTP_INDEXES))
    for done, (index, columns) in enumerate(_PTP_INDEXES):
        monitor.report(done)
        conn.execute(f"CREATE INDEX IF NOT EXISTS {index} ON ptp_edits ({columns})")


def write_ptp(conn: sqlite3.Connection, sf: SourceFile, monitor: Monitor) -> NcciSummary:
    """Read a PTP file and write its edits as one source. Must run inside the import's transaction, between
    :func:`drop_ptp_indexes` and :func:`create_ptp_indexes` (see :func:`write_all`)."""
    if not conn.in_transaction:
        raise RuntimeError("write_ptp must run inside a transaction")
    started = time.perf_counter()
    named = _ptp_name(sf)
    part = f" part {named.part}" if named.part else ""
    release = f"{named.setting} v{named.version}{part}"
    name = f"CMS NCCI PTP edits, {SETTING_LABELS[named.setting]}, version {named.version}{part}"
    old_id, old_rows = _replace_old(conn, sf, KIND_PTP, release)
    source_id = _insert_source(conn, KIND_PTP, name, sf, release, named.effective_date, {})
    monitor.start(f"Reading {sf.name}", max(1, sf.size // 62))  # about 62 bytes per real row
    counter = [0]
    conn.executemany(
        "INSERT INTO ptp_edits (source_id, column1, column2, before_1996, effective, deletion, modifier, rationale_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        _ptp_rows(sf, monitor, _Rationales(conn), source_id, counter),
    )
    rows = counter[0]
    _refuse_shrinking(sf, name, rows, old_id, old_rows)
    conn.execute(_INSERT_FILE, (source_id, "ptp", named.setting, named.version, named.part, rows))
    conn.execute("UPDATE sources SET counts = ? WHERE id = ?",
                 (json.dumps({"edits": rows, "format": FORMAT_PTP, "setting": named.setting}, sort_keys=True),
                  source_id))
    notes = [f"{rows:,} {SETTING_LABELS[named.setting]} PTP edits (codes only; the AMA notice at the top of the "
             "file applies to the CPT codes)"]
    return NcciSummary(sf.name, FORMAT_PTP, source_id, name, release, rows, old_id is not None,
                       round(time.perf_counter() - started, 3), notes=notes)


def _mue_effective(sf: SourceFile) -> str:
    for hint in (sf.base_name, *sf.hints):
        if m := _MUE_EFFECTIVE.search(hint):
            try:
                return date(int(m.group(3)), int(m.group(1)), int(m.group(2))).isoformat()
            except ValueError:
                continue
    return ""


def write_mue(conn: sqlite3.Connection, sf: SourceFile, monitor: Monitor) -> NcciSummary:
    """Read an MUE table and write it as one source. Must run inside the import's transaction."""
    if not conn.in_transaction:
        raise RuntimeError("write_mue must run inside a transaction")
    started = time.perf_counter()
    _refuse_size(sf)
    text = sf.open_stream().read().decode("latin-1")  # the CMS tables are Latin-1 (the notice has ®)
    rows_iter = csv_rows(sf, text)
    header_line, setting = 0, ""
    for line_no, row in rows_iter:
        cells = [c.strip() for c in row]
        if len(cells) >= 3 and "MUE" in cells[1].upper() and "ADJUDICATION" in cells[2].upper():
            header_line = line_no
            for candidate, pattern in _MUE_HEADER_SETTING:
                if pattern.search(cells[1]):
                    setting = candidate
                    break
            break
        if line_no > 40:
            break
    if not header_line:
        raise ImportFileError(sf.name, "no MUE header (HCPCS/CPT Code, … MUE Values, MUE Adjudication Indicator, "
                              "MUE Rationale) after the notice", line=1)
    if not setting:
        raise ImportFileError(sf.name, "the MUE header does not say practitioner, outpatient hospital or DME "
                              "supplier services", line=header_line)
    effective = _mue_effective(sf)
    warnings = [] if effective else ["the file name gives no effective date (CMS names them …_Eff_07-01-2026.csv)"]
    version = effective or f"unnamed-{sf.sha256[:8]}"
    release = f"{setting} {version}"
    name = f"CMS NCCI MUE, {SETTING_LABELS[setting]} services, effective {effective or 'unknown'}"
    old_id, old_rows = _replace_old(conn, sf, KIND_MUE, release)
    source_id = _insert_source(conn, KIND_MUE, name, sf, release, effective, {})
    rationales = _Rationales(conn)
    monitor.start(f"Reading {sf.name}", text.count("\n"))
    records: list[tuple[object, ...]] = []
    seen: dict[str, int] = {}
    for line_no, row in rows_iter:
        monitor.tick(line_no)
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) < 4 or any(cells[4:]):
            raise ImportFileError(sf.name, f"expected 4 columns (code, MUE value, adjudication indicator, rationale), "
                                  f"found {len(cells)}", line=line_no)
        code, units_text, mai_text, rationale = cells[:4]
        if not is_code(code):
            raise ImportFileError(sf.name, f"{code!r} is not a CPT or HCPCS code", line=line_no)
        if code in seen:
            raise ImportFileError(sf.name, f"code {code} appears twice (first on line {seen[code]})", line=line_no)
        seen[code] = line_no
        if not units_text.isdigit():
            raise ImportFileError(sf.name, f"MUE value {units_text!r} is not a whole number of units", line=line_no)
        mai = _MAI.match(mai_text)
        if mai is None:
            raise ImportFileError(sf.name, f"adjudication indicator {mai_text!r} does not start with 1, 2 or 3",
                                  line=line_no)
        records.append((source_id, code, int(units_text), int(mai.group(1)), rationales.id(rationale)))
    if not records:
        raise ImportFileError(sf.name, "the file has the MUE header but no codes (cut off?)", line=header_line + 1)
    if not text.endswith(("\n", "\r")):
        raise ImportFileError(sf.name, "the last line has no line end, so the file looks cut off (truncated); "
                              "import the complete file", line=max(seen.values()))
    _refuse_shrinking(sf, name, len(records), old_id, old_rows)
    conn.executemany(
        "INSERT INTO mue_values (source_id, code, units, adjudication, rationale_id) VALUES (?, ?, ?, ?, ?)", records
    )
    conn.execute(_INSERT_FILE, (source_id, "mue", setting, version, 0, len(records)))
    conn.execute("UPDATE sources SET counts = ? WHERE id = ?",
                 (json.dumps({"codes": len(records), "format": FORMAT_MUE, "setting": setting}, sort_keys=True),
                  source_id))
    notes = [f"{len(records):,} {SETTING_LABELS[setting]} MUE values (codes only)"]
    return NcciSummary(sf.name, FORMAT_MUE, source_id, name, release, len(records), old_id is not None,
                       round(time.perf_counter() - started, 3), warnings=warnings, notes=notes)


def write_all(conn: sqlite3.Connection, files: list[tuple[SourceFile, str]], monitor: Monitor) -> list[NcciSummary]:
    """Write NCCI files (PTP parts and MUE tables) inside the import's transaction; the PTP indexes are dropped
    once before the first PTP file and built once after the last."""
    ptp = any(fmt == FORMAT_PTP for _, fmt in files)
    if not ptp:
        return [write_mue(conn, sf, monitor) for sf, _ in files]
    drop_ptp_indexes(conn)
    written = [write_ptp(conn, sf, monitor) if fmt == FORMAT_PTP else write_mue(conn, sf, monitor)
               for sf, fmt in files]
    started = time.perf_counter()
    # Building an index sorts every row: with SQLite's default 2 MB page cache the sort spills and re-reads pages;
    # 64 MB keeps it in memory (inside the 300 MB the import may use) and is given back afterwards.
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-INDEX_CACHE_KIB}")
    try:
        create_ptp_indexes(conn, monitor)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
    ptp_written = [w for w in written if w.format == FORMAT_PTP]
    share = (time.perf_counter() - started) / len(ptp_written)
    for w in ptp_written:
        w.seconds = round(w.seconds + share, 3)
    return written


__all__ = [
    "FORMATS",
    "FORMAT_MUE",
    "FORMAT_PTP",
    "KIND_MUE",
    "KIND_PTP",
    "NO_DELETION",
    "SETTINGS",
    "SETTING_LABELS",
    "NcciSummary",
    "sniff_lines",
    "write_all",
]
