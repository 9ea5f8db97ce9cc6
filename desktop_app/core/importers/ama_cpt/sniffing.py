"""Which AMA file a text is, by its content (header rows, record shapes, XML); the name only breaks ties."""

from __future__ import annotations

import re

from desktop_app.core.importers.ama_cpt.common import FIXED_LINE, cells_key, find_header
from desktop_app.core.importers.ama_cpt.formats import (
    CLINICIAN,
    CODE_LIST,
    CONSUMER,
    DELETED,
    HISTORY,
    HISTORY_MODIFIERS,
    LONG_FIXED,
    LONGULT,
    LONGUT,
    MEDU,
    MODIFIERS,
    MODUL,
    PLA,
    PLA_TAB,
    SHORTU,
)
from desktop_app.core.importers.textio import SourceFile

# What sniffing asks of a descriptor line: two columns only, and text that starts with a letter (so tables
# of numbers keyed by 5-digit ids, like the CMS GPCI or anesthesia files, are not taken for AMA files).
_LONG_SNIFF = re.compile(r"^\d{4}[0-9A-Z]\t[A-Za-z(][^\t]*$")
_FIXED_SNIFF = re.compile(r"^\d{4}[0-9A-Z] [A-Za-z(][^\t]*$")
# LONGULF/LONGUF records: the code, then a 2-digit sequence number and a blank (the published 2001 layout) or
# blanks up to column 9 (the AMA's own formatter pads the code to 8 characters).
_LONG_FIXED_SNIFF = re.compile(r"^\d{4}[0-9A-Z](?:\d\d | {2,})[A-Za-z(][^\t]*$")


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
    if find_header(lines, ("conceptid", "cptcode", "long", "medium", "short")) is not None:
        return CODE_LIST
    if find_header(lines, ("modifiercode", "modifiername")) is not None:
        return MODIFIERS
    if find_header(lines, ("cptcode", "cliniciandescriptor")) is not None:
        return CLINICIAN
    if find_header(lines, ("cptcode", "consumer")) is not None:
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
    fixed = [_FIXED_SNIFF.match(line) and FIXED_LINE.match(line) for line in data]
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
    header = cells_key(tabbed[0])
    if "datedeleted" in header:
        return DELETED
    if "changetype" in header and "date" in header:
        if "modifiercode" in header or "modifier" in header:
            return HISTORY_MODIFIERS
        if "cptcode" in header or "code" in header:
            return HISTORY
    return None
