"""AMA CPT data files (licensed per user; none ships with CodeDesk), as described in the project's FORMAT.md.

Read: LONGULT (code TAB long text), MEDU and SHORTU (code, blank, text), ConsumerDescriptor and
ClinicianDescriptor (tab-delimited with a header row; several clinician descriptors per code), the PLA XML,
the CPT Link history files (Deleted_DTK_tab → deleted codes, History_DTK_tab / HistoryModifiers_DTK_tab →
history facts), the 2026 "Current Format" ConsolidatedCodeList and Modifiers files, and the MODUL modifier
document. All the AMA files of one release (a folder, a zip, or several files picked together) become ONE
source of kind ``ama-cpt``.

No licensed AMA file was available. The layouts follow the AMA's own public ETL code and its test fixtures
(listed in :data:`VERIFIED`, with where each point comes from); what is still assumed is in :data:`UNVERIFIED`.
Known members CodeDesk does not read (LONGUT beside LONGULT, the fixed-field LONGULF/LONGUF, the PLA side
files) are skipped with a note in the import summary, never a refusal (:func:`select`).
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.core.errors import ImportFileError
from desktop_app.core.grammar import is_code, normalize
from desktop_app.core.importers.model import CodeRecord, Dataset, Monitor, is_modifier, iso_date
from desktop_app.core.importers.textio import SourceFile, check_width

KIND = "ama-cpt"
LONGULT = "ama-longult"
LONGUT = "ama-longut"  # the same long descriptors in upper case (read only when LONGULT is not there)
LONG_FIXED = "ama-long-fixed"  # LONGULF / LONGUF: the long descriptors as fixed-field records (never read)
PLA_TAB = "ama-pla-tab"  # CPTPLATab.txt / CPTPLAChanges.txt beside the PLA XML (layout unpublished; never read)
MEDU = "ama-medu"
SHORTU = "ama-shortu"
CONSUMER = "ama-consumer"
CLINICIAN = "ama-clinician"
PLA = "ama-pla"
DELETED = "ama-deleted"
HISTORY = "ama-history"
HISTORY_MODIFIERS = "ama-history-modifiers"
CODE_LIST = "ama-code-list"
MODIFIERS = "ama-modifiers"
MODUL = "ama-modul"
FORMATS = (
    LONGULT,
    LONGUT,
    MEDU,
    SHORTU,
    CONSUMER,
    CLINICIAN,
    PLA,
    DELETED,
    HISTORY,
    HISTORY_MODIFIERS,
    CODE_LIST,
    MODIFIERS,
    MODUL,
)
# Known members of a release that CodeDesk chooses not to read: skipped with a note, never a refusal.
NEVER_READ = frozenset({LONG_FIXED, PLA_TAB})
MAY_SKIP = NEVER_READ | {LONGUT}
SKIP_REASONS = {
    LONG_FIXED: "the long descriptors as fixed-field records; CodeDesk reads the same text from LONGULT.txt",
    LONGUT: "the long descriptors in upper case; CodeDesk reads the same text in mixed case from LONGULT.txt",
    PLA_TAB: "a PLA side file whose layout is not published; CodeDesk reads the PLA codes from the CPTPLA XML",
}

# What the readers assume, checked against the AMA's own public ETL code and its test fixtures
# (github.com/AMADataLabs/Core, Source/Python/datalabs/curate/cpt/ and etl/cpt/, their tests under
# Test/Python/test/datalabs/curate/cpt/) and the HL7 FHIR CPT converter (hapifhir/org.hl7.fhir.core,
# org.hl7.fhir.convertors/.../misc/CPTImporter.java). Shown in the README; the sources are credited there.
VERIFIED = (
    "LONGULT/MEDU/SHORTU: a licence notice of several paragraphs, data after the last blank line; LONGULT "
    "code<TAB>text; MEDU/SHORTU code, one blank, text 48/28 wide (curate/cpt/descriptor.py and its test).",
    "LONGUT is LONGULT upper-cased and written as Windows-1252; LONGULF/LONGUF are fixed-field copies (code "
    "padded to 8, text 71 wide) made from LONGULT (etl/cpt/files/link/transform.py, descriptor.py "
    "formatters; CPTImporter.java reads LONGUT as an upper-case designation).",
    "ConsumerDescriptor header 'Concept Id, CPT Code, Consumer Friendly Descriptor'; ClinicianDescriptor "
    "'Concept Id, CPT Code, Clinician Descriptor Id, Clinician Descriptor', several rows per code, concept ids "
    "of 7 digits and descriptor ids of 8 (test_descriptor.py; CPTImporter.java).",
    "CPT Link files have no title line (the parsers skip only the header). Deleted_DTK: Concept Id, Code, Date "
    "Deleted, Level, Descriptor, Instruction; History_DTK: Date, Change Type, Concept Id, CPT Code, Level, Prior "
    "Value, Current Value, Instruction, rows often of 6 fields; HistoryModifiers_DTK: Date, Change Type, Concept "
    "Id, Modifier Code, Prior Value, CurrentValue, rows with no code for section headings "
    "(curate/cpt/link/history.py and test_history.py).",
    "History dates are YYYYMMDD or 'Pre-1982' / 'Pre-1990' (test_history.py; etl/cpt/api/transform.py drops "
    "the Pre- rows before parsing %Y%m%d). Change types seen: ADDED, DELETED.",
    "PLA XML: the XML declaration on line 1, root <plaCodes>, <plaCode cdCode cdId>, cdDesc/cdMDesc/cdSDesc, "
    "cdStatus EXISTING, clinicalDesc, consumerDesc, effectiveDate and publishDate like 2017-02-01T00:00:00-06:00, "
    "labName, manufacturerName, testName (test_pla.py; api/transform.py parses %Y-%m-%dT%H:%M:%S%z).",
    "MODUL: the headings Appendix A, Anesthesia Physical Status, CPT Level I Modifiers, Category II Modifiers, "
    "Level II (HCPCS/National) Modifiers; 'Physical Status Modifier P1: …'; Category II entries named on their "
    "first line with no colon; Windows-1252 and CRLF (test_modifier.py).",
    "Encodings: descriptor files read as UTF-8 with a Windows-1252 fallback, MODUL and LONGUT/LONGUF as "
    "Windows-1252; CRLF line ends (descriptor.py _decode; the fixtures of the tests above).",
    "Release cadence: annual release 1 September and Q4 update 1 October, both effective 1 January of the next "
    "year; Q1-Q3 released a quarter before they take effect (the AMA's release schedule configuration).",
)

UNVERIFIED = (
    "The PLA status value of a deleted code (a cdStatus starting 'Delet' marks the code deleted; EXISTING and "
    "any other value are active), and the layouts of CPTPLATab.txt and CPTPLAChanges.txt (skipped with a note).",
    "Change types other than ADDED and DELETED, and what 'Level' holds (both stored and shown as the file "
    "words them); whether History_DTK also has rows without a code (skipped, counted in a note, as in "
    "HistoryModifiers_DTK).",
    "The wording of the Deleted_DTK instruction column (codes named in it become links, whatever the words).",
    "Release names: a year in the folder, zip or file name ('[year] Standard Update [n]', 'CPT 2021 Data File_PLA "
    "Q2 Updt', 'PLA Code Data Files_ 2022_Q4'), else a date stamp ('CPT_Link_20200131') read as the next "
    "year's release from September on; what the n of 'Standard Update n' means (kept as update n, effective "
    "1 January of the year); Q1-Q4 in a name as the quarterly update of that year.",
    "ConsolidatedCodeList.txt / Modifiers.txt (the 2026 'Current Format'): header texts and the licence "
    "preamble before them come from a third-party fixture only.",
    "The fixed-field layout of LONGULF/LONGUF in a real release (not read, so nothing depends on it).",
)

_LONG_LINE = re.compile(r"^(\d{4}[0-9A-Z])\t(.*)$")
_FIXED_LINE = re.compile(r"^(\d{4}[0-9A-Z]) (.*)$")
# What sniffing asks of a descriptor line: two columns only, and text that starts with a letter (so tables
# of numbers keyed by 5-digit ids, like the CMS GPCI or anesthesia files, are not taken for AMA files).
_LONG_SNIFF = re.compile(r"^\d{4}[0-9A-Z]\t[A-Za-z(][^\t]*$")
_FIXED_SNIFF = re.compile(r"^\d{4}[0-9A-Z] [A-Za-z(][^\t]*$")
# LONGULF/LONGUF records: the code, then a 2-digit sequence number and a blank (the published 2001 layout) or
# blanks up to column 9 (the AMA's own formatter pads the code to 8 characters).
_LONG_FIXED_SNIFF = re.compile(r"^\d{4}[0-9A-Z](?:\d\d | {2,})[A-Za-z(][^\t]*$")
_YEAR_IN_NOTICE = re.compile(r"\bCPT\s*(?:\u00ae|\(R\))?\s*(20\d\d)\b", re.I)
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_DATE_STAMP = re.compile(r"(?<!\d)(20\d\d)(0[1-9]|1[0-2])([0-3]\d)(?!\d)")
_UPDATE = re.compile(r"\bstandard[ _-]+update[ _-]*(\d{1,2})(?!\d)", re.I)

# (heading, label stored as the modifier type, entry pattern, whether every matching line starts an entry).
# In the paragraph sections an entry starts only after a blank line, so "90 days" wrapped to the start of a
# line is not taken for modifier 90.
MODUL_SECTIONS: tuple[tuple[str, str, re.Pattern[str], bool], ...] = (
    ("appendix a", "CPT modifier", re.compile(r"^(\d\d)\s+(\S.*)$"), False),
    (
        "anesthesia physical status",
        "Anesthesia physical status modifier",
        re.compile(r"^(?:.*?\s)?(P\d)\s*:\s*(\S.*)$"),
        True,
    ),
    (
        "cpt level i modifiers",
        "CPT Level I modifier (hospital outpatient/ASC)",
        re.compile(r"^(\d\d)\s+(\S.*)$"),
        False,
    ),
    (
        "category ii modifiers",
        "Category II performance measure modifier",
        re.compile(r"^(\d[A-Z])\s+(\S.*)$"),
        False,
    ),
    (
        "level ii (hcpcs/national) modifiers",
        "HCPCS Level II modifier",
        re.compile(r"^([0-9A-Z]{2})\s+(\S.*)$"),
        True,
    ),
)


def _cells_key(line: str) -> list[str]:
    return [re.sub(r"[^a-z]", "", c.lower()) for c in line.split("\t")]


def _find_header(lines: list[str], needed: Sequence[str], limit: int = 80) -> int | None:
    """Index of the first line (tab-delimited) whose cells contain all of ``needed`` (letters only, lower)."""
    for index, line in enumerate(lines[:limit]):
        if "\t" not in line:
            continue
        keys = _cells_key(line)
        if all(any(n in k for k in keys) for n in needed):
            return index
    return None


# --- sniffing ---------------------------------------------------------------------------------------------


def sniff(sf: SourceFile, lines: list[str]) -> str | None:
    head = "\n".join(lines[:400])
    name = sf.base_name.upper()
    stem = sf.stem.upper()
    # Members known by name that CodeDesk does not read (skipped with a note): the fixed-field long
    # descriptors and the PLA side files. Their content is never needed, so it is not judged either.
    if re.fullmatch(r"LONGUL?F", stem):
        return LONG_FIXED
    if re.fullmatch(r"CPTPLA(?:TAB|CHANGES)\w*", stem):
        return PLA_TAB
    first_lines = [line.lstrip() for line in lines[:40] if line.strip()][:3]
    if re.search(r"<plaCode\b", head, re.I) and any(line.startswith("<") for line in first_lines):
        return PLA  # XML (after at most a notice line or two) with plaCode elements
    if _find_header(lines, ("conceptid", "cptcode", "long", "medium", "short")) is not None:
        return CODE_LIST
    if _find_header(lines, ("modifiercode", "modifiername")) is not None:
        return MODIFIERS
    if _find_header(lines, ("cptcode", "cliniciandescriptor")) is not None:
        return CLINICIAN
    if _find_header(lines, ("cptcode", "consumer")) is not None:
        return CONSUMER
    dtk = _sniff_dtk(name, lines)
    if dtk:
        return dtk
    stripped = [line.strip().lower() for line in lines[:2000]]
    if "appendix a" in stripped and any(s.startswith(("category ii modifiers", "level ii (hcpcs")) for s in stripped):
        after = lines[stripped.index("appendix a") + 1 : 2000]
        entries = sum(1 for line in after if re.match(r"^(\d\d|\d[A-Z]|[A-Z0-9]{2})\s+[A-Z]", line.strip()))
        if entries >= 3:  # headings alone (a note that names them) are not the modifier document
            return MODUL
    data = [line for line in lines[:400] if line.strip()]
    long_hits = [i for i, line in enumerate(data) if _LONG_SNIFF.match(line)]
    if len(long_hits) >= min(3, len(data)) and long_hits:
        preamble = long_hits[0] > 0
        if preamble or "LONG" in name:
            return _long_kind(stem, [data[i] for i in long_hits])
        return None  # a headerless tab list without a notice: a practice list (generic CSV)
    fixed_long = [i for i, line in enumerate(data) if _LONG_FIXED_SNIFF.match(line)]
    if fixed_long and len(fixed_long) >= min(3, len(data)) and (fixed_long[0] > 0 or "LONG" in name):
        return LONG_FIXED  # code, a sequence number or several blanks, text: the fixed-field long records
    fixed = [_FIXED_SNIFF.match(line) and _FIXED_LINE.match(line) for line in data]
    hits = [m for m in fixed if m]
    after_first = len(data) - data.index(hits[0].string) if hits else 0
    # Nearly every line after the notice is "code, blank, text" (a cut last line may not be).
    if hits and len(hits) >= min(3, len(data)) and len(hits) >= 0.8 * after_first:
        if "SHORT" in name:
            return SHORTU
        if "MED" in name:
            return MEDU
        return SHORTU if max(len(m.group(2).rstrip()) for m in hits) <= 28 else MEDU
    return None


def _long_kind(stem: str, hits: list[str]) -> str:
    """LONGULT (mixed case) or LONGUT (the same text in upper case), by name, else by the text's case."""
    if "LONGULT" in stem:
        return LONGULT
    if "LONGUT" in stem:
        return LONGUT
    texts = [line.split("\t", 1)[1] for line in hits]
    return LONGUT if not any(c.islower() for text in texts for c in text) else LONGULT


def _sniff_dtk(name: str, lines: list[str]) -> str | None:
    """The CPT Link history files: by name, else by their header row (found by its names, never by position)."""
    tabbed = [line for line in lines[:5] if line.count("\t") >= 4]
    if not tabbed:
        return None
    if "HISTORYMODIFIERS" in name or "HISTORY_MODIFIERS" in name:
        return HISTORY_MODIFIERS
    if "DELETED_DTK" in name or ("DELETED" in name and "DTK" in name):
        return DELETED
    if "HISTORY" in name and "DTK" in name:
        return HISTORY
    header = _cells_key(tabbed[0])
    if "datedeleted" in header:
        return DELETED
    if "changetype" in header and "date" in header:
        if "modifiercode" in header or "modifier" in header:
            return HISTORY_MODIFIERS
        if "cptcode" in header or "code" in header:
            return HISTORY
    return None


# --- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeletedCode:
    """One row of Deleted_DTK_tab.txt."""

    date: str  # ISO date, or "before 1982"
    concept_id: str
    level: str
    descriptor: str
    instruction: str  # what to report instead ("use 99999 instead"), as the file words it


@dataclass
class _Release:
    """What one release's files say, merged."""

    year: int | None = None
    deleted: dict[str, DeletedCode] | None = None


def _year_in(texts: Sequence[str]) -> int | None:
    for text in texts:
        m = _YEAR_IN_NOTICE.search(text)
        if m:
            return int(m.group(1))
    return None


def name_year(name: str) -> int | None:
    """The CPT year a file or folder name gives: a plain year ("2021 Standard Update 2", "PLA Code Data Files_
    2022_Q4"), else a release-date stamp ("CPT_Link_20200131"). A release published from September on
    carries the next year's codes (the AMA publishes the annual release on 1 September and the Q4 update on
    1 October, both effective 1 January), so a stamp from September to December counts for the next year."""
    m = _YEAR_IN_NAME.search(name)
    if m:
        return int(m.group(1))
    stamp = _DATE_STAMP.search(name)
    if stamp:
        year, month = int(stamp.group(1)), int(stamp.group(2))
        return year + 1 if month >= 9 else year
    return None


_NO_NOTICE = frozenset({DELETED, HISTORY, HISTORY_MODIFIERS, CONSUMER, CLINICIAN})


def file_year(sf: SourceFile, lines: list[str], fmt: str) -> int | None:
    """The release year a file states (its notice), else one in its names (nearest first)."""
    # Only files with a notice are searched: the data rows of the tab files could mention "CPT 2019".
    notice = [] if fmt in _NO_NOTICE else lines[:40] if fmt != PLA else lines[:3]
    year = _year_in(notice)
    if year is None:
        for hint in (sf.base_name, *sf.hints):
            year = name_year(hint)
            if year is not None:
                return year
    return year


def _read_simple(sf: SourceFile, lines: list[str], fmt: str, ds: Dataset, current: set[str], monitor: Monitor) -> None:
    tabbed = fmt in (LONGULT, LONGUT)
    pattern = _LONG_LINE if tabbed else _FIXED_LINE
    kind = {LONGULT: "long", LONGUT: "long", MEDU: "medium", SHORTU: "short"}[fmt]
    start = next((i for i, line in enumerate(lines) if pattern.match(line)), None)
    if start is None:
        raise ImportFileError(
            sf.name,
            "no data lines found (expected 'code" + ("<TAB>" if tabbed else " ") + "descriptor')",
            line=None,
        )
    # The notice ends with a blank line (as the AMA's own reader assumes): data starts after the last blank
    # line before the first data line, so a damaged first record is reported, not taken for notice text.
    start = next((i + 1 for i in range(start - 1, -1, -1) if not lines[i].strip()), start)
    seen: dict[str, int] = {}
    monitor.start(f"Reading {sf.name}", len(lines))
    for index in range(start, len(lines)):
        line_no = index + 1
        monitor.tick(line_no)
        line = lines[index]
        if not line.strip():
            continue
        m = pattern.match(line)
        if not m:
            what = "code<TAB>descriptor" if tabbed else "code, a blank, the descriptor"
            raise ImportFileError(
                sf.name,
                f"not a {fmt[4:].upper()} line ({what})",
                line=line_no,
            )
        code = m.group(1)
        if not is_code(code):
            raise ImportFileError(sf.name, f"{code!r} is not a CPT code", line=line_no)
        if code in seen:
            raise ImportFileError(sf.name, f"duplicate key: {code} is already on line {seen[code]}", line=line_no)
        seen[code] = line_no
        text = m.group(2).strip()
        if not text:
            raise ImportFileError(sf.name, f"{code} has no descriptor", line=line_no)
        ds.record(code).add_descriptor(kind, text)
        current.add(code)
        ds.rows += 1


def _table(sf: SourceFile, lines: list[str], needed: Sequence[str]) -> tuple[int, list[str]]:
    header = _find_header(lines, needed)
    if header is None:
        raise ImportFileError(sf.name, f"wrong columns: no header row with {', '.join(needed)}", line=1)
    return header, _cells_key(lines[header])


def _column(keys: list[str], *names: str, default: int | None = None) -> int | None:
    for name in names:
        for i, key in enumerate(keys):
            if key == name:
                return i
    for name in names:
        for i, key in enumerate(keys):
            if name in key:
                return i
    return default


def _rows(sf: SourceFile, lines: list[str], header: int, width: int, monitor: Monitor) -> list[tuple[int, list[str]]]:
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


def _code_cell(sf: SourceFile, raw: str, line_no: int, modifier: bool = False) -> str:
    code = normalize(raw)
    if modifier:
        if not is_modifier(code):
            raise ImportFileError(sf.name, f"{raw!r} is not a modifier", line=line_no)
    elif not is_code(code):
        raise ImportFileError(sf.name, f"{raw!r} is not a CPT code", line=line_no)
    return code


def _set_fact(rec: CodeRecord, key: str, value: object) -> None:
    if value not in (None, "", []):
        rec.facts.setdefault("", {})[key] = value


def _read_consumer(sf: SourceFile, lines: list[str], ds: Dataset, current: set[str], monitor: Monitor) -> None:
    header, keys = _table(sf, lines, ("cptcode",))
    code_col = _column(keys, "cptcode", default=1)
    concept_col = _column(keys, "conceptid", default=0)
    text_col = _column(keys, "consumerfriendlydescriptor", "consumerdescriptor", "descriptor", default=2)
    assert code_col is not None and text_col is not None
    seen: dict[str, int] = {}
    for line_no, cells in _rows(sf, lines, header, len(keys), monitor):
        code = _code_cell(sf, cells[code_col], line_no)
        if code in seen:
            raise ImportFileError(sf.name, f"duplicate key: {code} is already on line {seen[code]}", line=line_no)
        seen[code] = line_no
        _add_descriptor_row(ds, current, code, "consumer", cells[text_col],
                            cells[concept_col] if concept_col is not None else "")


def _add_descriptor_row(ds: Dataset, current: set[str], code: str, kind: str, text: str, concept_id: str) -> None:
    """One row of a one-descriptor-per-line file (ConsumerDescriptor, ClinicianDescriptor)."""
    rec = ds.record(code)
    rec.add_descriptor(kind, text)
    if concept_id:
        _set_fact(rec, "concept_id", concept_id)
    current.add(code)
    ds.rows += 1


def _read_clinician(sf: SourceFile, lines: list[str], ds: Dataset, current: set[str], monitor: Monitor) -> None:
    header, keys = _table(sf, lines, ("cptcode", "cliniciandescriptor"))
    code_col = _column(keys, "cptcode", default=1)
    concept_col = _column(keys, "conceptid", default=0)
    id_col = _column(keys, "cliniciandescriptorid", default=2)
    text_col = next((i for i, k in enumerate(keys) if "cliniciandescriptor" in k and not k.endswith("id")), 3)
    assert code_col is not None
    seen: dict[str, int] = {}
    for line_no, cells in _rows(sf, lines, header, len(keys), monitor):
        code = _code_cell(sf, cells[code_col], line_no)
        descriptor_id = cells[id_col] if id_col is not None else ""
        if descriptor_id:
            if descriptor_id in seen:
                raise ImportFileError(
                    sf.name,
                    f"duplicate key: clinician descriptor id {descriptor_id} is already on line {seen[descriptor_id]}",
                    line=line_no,
                )
            seen[descriptor_id] = line_no
        _add_descriptor_row(ds, current, code, "clinician", cells[text_col],
                            cells[concept_col] if concept_col is not None else "")


def _read_code_list(sf: SourceFile, lines: list[str], ds: Dataset, current: set[str], monitor: Monitor) -> None:
    header, keys = _table(sf, lines, ("cptcode", "long"))
    col = {
        "concept": _column(keys, "conceptid"),
        "code": _column(keys, "cptcode"),
        "long": _column(keys, "long", "longdescriptor"),
        "medium": _column(keys, "medium", "mediumdescriptor"),
        "short": _column(keys, "short", "shortdescriptor"),
        "consumer": _column(keys, "consumer"),
        "spanish": _column(keys, "spanishconsumer"),
        "effective": _column(keys, "currentdescriptoreffectivedate"),
        "test": _column(keys, "testname"),
        "lab": _column(keys, "labname"),
        "manufacturer": _column(keys, "manufacturername"),
    }
    code_col = col["code"]
    assert code_col is not None
    seen: dict[str, int] = {}
    for line_no, cells in _rows(sf, lines, header, len(keys), monitor):
        code = _code_cell(sf, cells[code_col], line_no)
        if code in seen:
            raise ImportFileError(sf.name, f"duplicate key: {code} is already on line {seen[code]}", line=line_no)
        seen[code] = line_no
        rec = ds.record(code)
        for kind in ("long", "medium", "short", "consumer"):
            index = col[kind]
            if index is not None and index != col["spanish"]:
                rec.add_descriptor(kind, cells[index])
        for key, fact in (
            ("concept", "concept_id"),
            ("spanish", "spanish_consumer"),
            ("test", "test_name"),
            ("lab", "lab_name"),
            ("manufacturer", "manufacturer_name"),
        ):
            index = col[key]
            if index is not None:
                _set_fact(rec, fact, cells[index])
        if col["effective"] is not None and cells[col["effective"]]:
            _set_fact(rec, "descriptor_effective_date", iso_date(cells[col["effective"]]) or cells[col["effective"]])
        current.add(code)
        ds.rows += 1


def _read_modifiers(sf: SourceFile, lines: list[str], ds: Dataset, monitor: Monitor) -> None:
    header, keys = _table(sf, lines, ("modifiercode",))
    code_col = _column(keys, "modifiercode")
    assert code_col is not None
    name_col = _column(keys, "modifiername")
    text_col = _column(keys, "modifierdescription")
    level_col = _column(keys, "leveliii", "level")
    effective_col = _column(keys, "modifierdescriptoreffective", "effective")
    section_col = _column(keys, "sectionmainsection", "section")
    concept_col = _column(keys, "conceptid")
    seen: dict[str, int] = {}
    for line_no, cells in _rows(sf, lines, header, len(keys), monitor):
        code = _code_cell(sf, cells[code_col], line_no, modifier=True)
        if code in seen:
            raise ImportFileError(
                sf.name, f"duplicate key: modifier {code} is already on line {seen[code]}", line=line_no
            )
        seen[code] = line_no
        rec = ds.record(code, "modifier")
        if name_col is not None:
            rec.add_descriptor("short", cells[name_col])
        if text_col is not None:
            rec.add_descriptor("long", cells[text_col])
        for index, fact in ((concept_col, "concept_id"), (level_col, "level"), (section_col, "section")):
            if index is not None:
                _set_fact(rec, fact, cells[index])
        if effective_col is not None and cells[effective_col]:
            _set_fact(rec, "descriptor_effective_date", iso_date(cells[effective_col]) or cells[effective_col])
        ds.rows += 1


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
        keys = _cells_key(line)
        if line.count("\t") >= 3 and all(any(k in keys for k in spec[f]) for f in required):
            header = index
            break
    if header is None:
        wanted = ", ".join(spec[f][0] for f in required)
        raise ImportFileError(
            sf.name, f"wrong columns: no tab-delimited header row naming {wanted} in the first lines", line=1
        )
    keys = _cells_key(lines[header])
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


def _read_deleted(sf: SourceFile, lines: list[str], release: _Release, monitor: Monitor) -> int:
    release.deleted = release.deleted or {}
    seen: dict[str, int] = {}
    rows = 0
    columns, table = _dtk_table(sf, lines, DELETED, monitor)
    for line_no, cells in table:
        code = _code_cell(sf, _cell(cells, columns, "code"), line_no)
        if code in seen:
            raise ImportFileError(sf.name, f"duplicate key: {code} is already on line {seen[code]}", line=line_no)
        seen[code] = line_no
        release.deleted[code] = DeletedCode(
            _dtk_date(sf, _cell(cells, columns, "date"), line_no),
            _cell(cells, columns, "concept"),
            _cell(cells, columns, "level"),
            _cell(cells, columns, "descriptor"),
            _cell(cells, columns, "instruction"),
        )
        rows += 1
    return rows


def _read_history(sf: SourceFile, lines: list[str], ds: Dataset, modifiers: bool, monitor: Monitor) -> None:
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
        code = _code_cell(sf, raw_code, line_no, modifier=modifiers)
        rec = ds.record(code, "modifier" if modifiers else "code")
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
        _set_fact(rec, "concept_id", _cell(cells, columns, "concept"))
        ds.rows += 1
    if headings:
        ds.notes.append(f"{sf.base_name}: {headings} row(s) without a code (section headings) were not stored")


def _read_pla(sf: SourceFile, lines: list[str], ds: Dataset, current: set[str], monitor: Monitor) -> None:
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("<")), None)
    if start is None:
        raise ImportFileError(sf.name, "no XML found", line=1)
    try:
        root = ET.fromstring("\n".join(lines[start:]))
    except ET.ParseError as exc:
        line, _column_no = exc.position
        raise ImportFileError(
            sf.name, f"not well-formed XML (the file may be cut off): {exc}", line=start + line
        ) from None
    seen: dict[str, int] = {}
    text = sf.text()
    elements = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "plaCode"]
    monitor.start(f"Reading {sf.name}", len(elements))
    for index, element in enumerate(elements, start=1):
        monitor.tick(index)
        raw = element.get("cdCode") or _child(element, "cdCode")
        position = text.find(f'cdCode="{raw}"') if raw else -1
        line_no = text.count("\n", 0, position) + 1 if position >= 0 else None
        code = normalize(raw)
        if not is_code(code):
            raise ImportFileError(sf.name, f"plaCode {raw!r} is not a CPT code", line=line_no)
        if code in seen:
            second = text.find(f'cdCode="{raw}"', position + 1) if position >= 0 else -1
            raise ImportFileError(
                sf.name,
                f"duplicate key: {code} appears twice",
                line=text.count("\n", 0, second) + 1 if second >= 0 else None,
            )
        seen[code] = index
        rec = ds.record(code)
        # clinicalDesc / consumerDesc are in the AMA's own PLA fixtures (often empty).
        for tag, kind in (("cdDesc", "long"), ("cdMDesc", "medium"), ("cdSDesc", "short"),
                          ("consumerDesc", "consumer"), ("clinicalDesc", "clinician")):
            rec.add_descriptor(kind, _child(element, tag))
        _set_fact(rec, "concept_id", element.get("cdId") or _child(element, "cdId"))
        for tag, fact in (
            ("cdStatus", "pla_status"),
            ("labName", "lab_name"),
            ("manufacturerName", "manufacturer_name"),
            ("testName", "test_name"),
        ):
            _set_fact(rec, fact, _child(element, tag))
        for tag, fact in (("effectiveDate", "effective_date"), ("publishDate", "publish_date")):
            value = _child(element, tag)
            _set_fact(rec, fact, iso_date(value) or value)
        status = _child(element, "cdStatus").lower()
        if status.startswith("delet"):
            _set_fact(rec, "deleted_date", iso_date(_child(element, "effectiveDate")) or ds.effective_date)
        else:
            current.add(code)
        ds.rows += 1


def _child(element: ET.Element, tag: str) -> str:
    for child in element:
        if child.tag.rsplit("}", 1)[-1] == tag:
            return " ".join((child.text or "").split())
    return ""


def _read_modul(sf: SourceFile, lines: list[str], ds: Dataset, monitor: Monitor) -> None:
    section: tuple[str, str, re.Pattern[str], bool] | None = None
    entries: list[tuple[str, str, str, int, str]] = []  # code, section label, text, line, name
    current: list[str] | None = None
    monitor.start(f"Reading {sf.name}", len(lines))

    def close() -> None:
        nonlocal current
        if current is not None and section is not None:
            code, text = current[0], " ".join(current[1:])
            entries.append((code, section[1], text, start_line, _modifier_name(section[1], current[1], text)))
        current = None

    start_line = 0
    for index, line in enumerate(lines):
        monitor.tick(index + 1)
        stripped = line.strip()
        heading = next((s for s in MODUL_SECTIONS if stripped.lower().startswith(s[0]) and len(stripped) < 80), None)
        if heading is not None:
            close()
            section = heading
            continue
        if section is None:
            continue
        if not stripped:
            close()
            continue
        m = section[2].match(stripped)
        if m and (current is None or section[3]):
            close()
            current = [m.group(1), m.group(2).strip()]
            start_line = index + 1
        elif current is not None:
            current.append(stripped)
    close()
    if section is None:
        raise ImportFileError(sf.name, "no 'Appendix A' heading: not a MODUL modifier file", line=None)
    for code, label, text, line_no, name in entries:
        if not is_modifier(code):
            raise ImportFileError(sf.name, f"{code!r} is not a modifier", line=line_no)
        rec = ds.record(code, "modifier")
        if name and name != text:
            rec.add_descriptor("short", name)
        rec.add_descriptor("long", text)
        sections = rec.facts.setdefault("", {}).setdefault("modifier_types", [])
        assert isinstance(sections, list)
        if label not in sections:
            sections.append(label)
        ds.rows += 1


# Sections whose entries are a name on the first line and the explanation below it, with no colon.
_NAME_ON_FIRST_LINE = ("Category II performance measure modifier", "HCPCS Level II modifier")
_LONGEST_NAME = 250  # characters; 25's name wraps over three lines before its colon


def _modifier_name(label: str, first_line: str, text: str) -> str:
    """A MODUL entry's name: the words before the colon ("Increased Procedural Services: When …"), where the
    colon may come after the name has wrapped to further lines; in the Category II and HCPCS sections, whose
    entries have no colon ("Performance Measure Exclusion Modifier due to Medical Reasons" then "Reasons
    include:" below), the first line."""
    first = first_line.strip()
    head, colon, _ = first.partition(":")
    if colon:
        return head.strip()
    if label in _NAME_ON_FIRST_LINE:
        return first
    head, colon, _ = text.partition(":")
    if colon and len(head) <= _LONGEST_NAME and "." not in head:
        return head.strip()
    return ""


def select(files: Sequence[tuple[SourceFile, str]]) -> tuple[list[tuple[SourceFile, str]], list[str]]:
    """The AMA members to read, and a note for each known member skipped: the fixed-field long descriptors
    and the PLA side files always, LONGUT when the same folder or zip (or the same pick of files) has LONGULT."""
    with_longult = {sf.container for sf, fmt in files if fmt == LONGULT}
    chosen: list[tuple[SourceFile, str]] = []
    notes: list[str] = []
    for sf, fmt in files:
        if fmt in NEVER_READ or (fmt == LONGUT and sf.container in with_longult):
            notes.append(f"skipped {sf.name}: {SKIP_REASONS[fmt]}")
        else:
            chosen.append((sf, fmt))
    return chosen, notes


def parse_release(files: Sequence[tuple[SourceFile, str]], monitor: Monitor) -> list[Dataset]:
    """Read the AMA files given (all of one or more releases) into one Dataset per release year."""
    by_year: dict[int | None, list[tuple[SourceFile, str, list[str]]]] = {}
    for sf, fmt in files:
        lines = sf.lines()
        by_year.setdefault(file_year(sf, lines, fmt), []).append((sf, fmt, lines))
    years = [y for y in by_year if y is not None]
    if None in by_year and len(years) == 1:  # files that state no year join the one release that does
        by_year[years[0]].extend(by_year.pop(None))
    return [_parse_one(year, group, monitor) for year, group in sorted(by_year.items(), key=lambda kv: kv[0] or 0)]


PART_LABELS = {
    LONGULT: "long",
    LONGUT: "long (upper case)",
    MEDU: "medium",
    SHORTU: "short",
    CONSUMER: "consumer",
    CLINICIAN: "clinician",
    PLA: "PLA",
    DELETED: "deleted",
    HISTORY: "history",
    HISTORY_MODIFIERS: "modifier history",
    CODE_LIST: "code list",
    MODIFIERS: "modifiers",
    MODUL: "MODUL",
}
_QUARTER = re.compile(r"(?:(?<![A-Z0-9])Q([1-4])(?![0-9])|QUARTER[ _-]?([1-4]))", re.I)


def _quarter(group: list[tuple[SourceFile, str, list[str]]]) -> int:
    """The quarterly update a release folder or zip is named for (Q1-Q4), or 0 for the annual release."""
    for sf, _, _ in group:
        for hint in sf.hints:
            m = _QUARTER.search(hint)
            if m:
                return int(m.group(1) or m.group(2))
    return 0


def _update(group: list[tuple[SourceFile, str, list[str]]]) -> int:
    """The update number of a release named "[year] Standard Update [n]" (0 when it is not one)."""
    for sf, _, _ in group:
        for hint in sf.hints:
            m = _UPDATE.search(hint)
            if m:
                return int(m.group(1))
    return 0


def _release_name(group: list[tuple[SourceFile, str, list[str]]]) -> str:
    containers = sorted({sf.container for sf, _, _ in group if sf.container})
    if len(containers) == 1:
        return containers[0]
    names = [sf.name for sf, _, _ in group]
    text = ", ".join(names)
    return text if len(text) <= 200 else f"{names[0]} and {len(names) - 1} more files"


def _parse_one(year: int | None, group: list[tuple[SourceFile, str, list[str]]], monitor: Monitor) -> Dataset:
    digest = hashlib.sha256("".join(sorted(f"{sf.name}:{sf.sha256}\n" for sf, _, _ in group)).encode())
    sha = group[0][0].sha256 if len(group) == 1 else digest.hexdigest()
    formats = sorted({fmt for _, fmt, _ in group})
    fmt = formats[0] if len(formats) == 1 else "ama-cpt-release"
    file_name = _release_name(group)
    quarter = _quarter(group)
    update = 0 if quarter else _update(group)
    # A release is keyed by year (and quarter). Files without the main descriptor file (LONGULT or the
    # consolidated list), picked on their own, are a source of their own ("2030 clinician"): importing one
    # updated file later must not replace, and so drop, the whole release.
    partial = not any(f in (LONGULT, LONGUT, CODE_LIST) for f in formats)
    parts = " + ".join(PART_LABELS[f] for f in formats) if partial else ""
    label = f" Q{quarter}" if quarter else (f" update {update}" if update else "")
    if year is None:
        ds = Dataset(KIND, fmt, "AMA CPT data files (unknown year)", file_name, f"unknown-{sha[:8]}", "", sha)
        ds.warnings.append("could not tell the CPT release year from the files' notices or names")
    else:
        effective = f"{year + 1}-01-01" if quarter == 4 else f"{year}-{3 * quarter + 1 if quarter else 1:02d}-01"
        name = f"AMA CPT {year}{label} data files" + (f" ({parts})" if parts else "")
        # No blank in the key before the parts: a blank marks a partial release (see loader._family).
        suffix = f"-Q{quarter}" if quarter else (f"-U{update}" if update else "")
        key = f"{year}{suffix}" + (f" {parts}" if parts else "")
        ds = Dataset(KIND, fmt, name, file_name, key, effective, sha)
    release = _Release(year)
    current: set[str] = set()
    order = {f: i for i, f in enumerate(FORMATS)}
    for sf, file_fmt, lines in sorted(group, key=lambda g: order.get(g[1], 99)):
        if file_fmt in (LONGULT, LONGUT, MEDU, SHORTU):
            _read_simple(sf, lines, file_fmt, ds, current, monitor)
        elif file_fmt == CONSUMER:
            _read_consumer(sf, lines, ds, current, monitor)
        elif file_fmt == CLINICIAN:
            _read_clinician(sf, lines, ds, current, monitor)
        elif file_fmt == CODE_LIST:
            _read_code_list(sf, lines, ds, current, monitor)
        elif file_fmt == PLA:
            _read_pla(sf, lines, ds, current, monitor)
        elif file_fmt == MODIFIERS:
            _read_modifiers(sf, lines, ds, monitor)
        elif file_fmt == MODUL:
            _read_modul(sf, lines, ds, monitor)
        elif file_fmt == DELETED:
            ds.rows += _read_deleted(sf, lines, release, monitor)
        elif file_fmt == HISTORY:
            _read_history(sf, lines, ds, False, monitor)
        elif file_fmt == HISTORY_MODIFIERS:
            _read_history(sf, lines, ds, True, monitor)
    for code, deleted in (release.deleted or {}).items():
        rec = ds.record(code)
        if code in current:  # deleted once, listed again in this release: keep the deletion as history only
            _set_fact(rec, "previously_deleted", deleted.date)
            continue
        if not rec.has_descriptor("long"):
            rec.add_descriptor("long", deleted.descriptor)
        rec.facts_only = False  # Deleted_DTK names it as a CPT code: kept even with no text ("not available")
        _set_fact(rec, "deleted_date", deleted.date)
        _set_fact(rec, "deletion_instruction", deleted.instruction)
        _set_fact(rec, "concept_id", deleted.concept_id)
        _set_fact(rec, "level", deleted.level)
    for rec in ds.codes.values():
        history = rec.facts.get("", {}).get("history")
        if isinstance(history, list):
            history.sort(key=lambda h: date_sort_key(str(h.get("date", ""))))
        if rec.descriptors:
            rec.facts_only = False
    if not ds.codes:
        raise ImportFileError(file_name, "the AMA files hold no codes", line=None)
    return ds
