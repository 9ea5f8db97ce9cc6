"""A release: its files grouped by CPT year, its name, year, quarter or update, and one Dataset for it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers.ama_cpt.common import set_fact
from desktop_app.core.importers.ama_cpt.descriptors import (
    read_clinician,
    read_code_list,
    read_consumer,
    read_modifiers,
    read_simple,
)
from desktop_app.core.importers.ama_cpt.formats import (
    CLINICIAN,
    CODE_LIST,
    CONSUMER,
    DELETED,
    FORMATS,
    HISTORY,
    HISTORY_MODIFIERS,
    KIND,
    LONGULT,
    LONGUT,
    MEDU,
    MODIFIERS,
    MODUL,
    NEVER_READ,
    PART_LABELS,
    PLA,
    SHORTU,
    SKIP_REASONS,
)
from desktop_app.core.importers.ama_cpt.history import DeletedCode, date_sort_key, read_deleted, read_history
from desktop_app.core.importers.ama_cpt.modul import read_modul
from desktop_app.core.importers.ama_cpt.pla import read_pla
from desktop_app.core.importers.model import Dataset, Monitor
from desktop_app.core.importers.textio import SourceFile
from desktop_app.core.kinds import DescriptorKind

_YEAR_IN_NOTICE = re.compile(r"\bCPT\s*(?:\u00ae|\(R\))?\s*(20\d\d)\b", re.I)
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_DATE_STAMP = re.compile(r"(?<!\d)(20\d\d)(0[1-9]|1[0-2])([0-3]\d)(?!\d)")
_UPDATE = re.compile(r"\bstandard[ _-]+update[ _-]*(\d{1,2})(?!\d)", re.I)


@dataclass
class _Release:
    """What one release's files say, merged."""

    year: int | None = None
    deleted: dict[str, DeletedCode] = field(default_factory=dict)


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
            read_simple(sf, lines, file_fmt, ds, current, monitor)
        elif file_fmt == CONSUMER:
            read_consumer(sf, lines, ds, current, monitor)
        elif file_fmt == CLINICIAN:
            read_clinician(sf, lines, ds, current, monitor)
        elif file_fmt == CODE_LIST:
            read_code_list(sf, lines, ds, current, monitor)
        elif file_fmt == PLA:
            read_pla(sf, lines, ds, current, monitor)
        elif file_fmt == MODIFIERS:
            read_modifiers(sf, lines, ds, monitor)
        elif file_fmt == MODUL:
            read_modul(sf, lines, ds, monitor)
        elif file_fmt == DELETED:
            ds.rows += read_deleted(sf, lines, release.deleted, monitor)
        elif file_fmt == HISTORY:
            read_history(sf, lines, ds, False, monitor)
        elif file_fmt == HISTORY_MODIFIERS:
            read_history(sf, lines, ds, True, monitor)
    for code, deleted in release.deleted.items():
        rec = ds.record(code)
        if code in current:  # deleted once, listed again in this release: keep the deletion as history only
            set_fact(rec, "previously_deleted", deleted.date)
            continue
        if not rec.has_descriptor(DescriptorKind.LONG):
            rec.add_descriptor(DescriptorKind.LONG, deleted.descriptor)
        rec.facts_only = False  # Deleted_DTK names it as a CPT code: kept even with no text ("not available")
        set_fact(rec, "deleted_date", deleted.date)
        set_fact(rec, "deletion_instruction", deleted.instruction)
        set_fact(rec, "concept_id", deleted.concept_id)
        set_fact(rec, "level", deleted.level)
    for rec in ds.codes.values():
        history = rec.facts.get("", {}).get("history")
        if isinstance(history, list):
            history.sort(key=lambda h: date_sort_key(str(h.get("date", ""))))
        if rec.descriptors:
            rec.facts_only = False
    if not ds.codes:
        raise ImportFileError(file_name, "the AMA files hold no codes", line=None)
    return ds
