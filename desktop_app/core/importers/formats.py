"""The one table of import formats: id, family, label, parser and the rules the import path applies to them.

A format is what :mod:`~desktop_app.core.importers.sniff` recognises in a file's content (each family's module
says which of its ids a file is: ``cms_rvu.sniff_lines``, ``ama_cpt.sniff`` …). Everything the rest of the
import path needs to know about an id is in its :class:`Format` entry here, never in the id's spelling: whether it
is a workbook, whether a text file must end with a line end, how it is read (alone, as one member of an AMA
release, or streamed into the transaction) and which name a damaged copy may be recognised by.

Adding a format: one entry in :data:`FORMATS` (and its content test in its family's module).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from desktop_app.core.importers import ama_cpt, cms_gpci, cms_hcpcs, cms_ncci, cms_qpp, cms_rvu, generic_csv
from desktop_app.core.importers.model import Dataset, Monitor
from desktop_app.core.importers.textio import SourceFile
from desktop_app.core.kinds import SourceKind

Parser = Callable[[SourceFile, Monitor], Dataset]


class Reading(Enum):
    """How ``import_paths`` reads a file of a format."""

    ALONE = "alone"  # parsed on its own into one Dataset (``Format.parse``)
    RELEASE_MEMBER = "release member"  # one file of an AMA CPT release: the members are parsed together
    STREAMED = "streamed"  # NCCI tables, far larger than the rest: written row by row inside the transaction


@dataclass(frozen=True)
class NameRule:
    """A file name that only this format has: ``pattern`` searched in the upper-case stem, and the suffix it
    must have (``""``: any). Used only when the content matched nothing (a damaged copy), so the reader the name
    suggests gives a precise message ("line 7: wrong number of columns") instead of "not supported"."""

    pattern: str
    suffix: str = ""

    def matches(self, stem: str, suffix: str) -> bool:
        return bool(re.search(self.pattern, stem)) and (not self.suffix or suffix == self.suffix)


@dataclass(frozen=True)
class Format:
    """One import format. ``id`` is what ``import --json`` prints as ``format`` and ``detect`` returns."""

    id: str
    family: SourceKind  # the ``sources.kind`` its data is stored as
    label: str  # for people: messages, the import dialog
    parse: Parser | None = None  # for Reading.ALONE
    reading: Reading = Reading.ALONE
    workbook: bool = False  # an .xlsx workbook: rows counted as they are read; no line ends to check
    needs_line_end: bool = True  # a text file whose last line has no line end was cut off
    one_form_per_release: bool = False  # the same data as .csv/.txt/.xlsx beside each other: one is read
    names: tuple[NameRule, ...] = ()


def _with_format(parse: Callable[[SourceFile, str, Monitor], Dataset], fmt: str) -> Parser:
    """A family parser that reads several forms, bound to one of them."""

    def parse_form(sf: SourceFile, monitor: Monitor) -> Dataset:
        return parse(sf, fmt, monitor)

    return parse_form


def _ama(fmt: str, label: str, *names: NameRule, needs_line_end: bool = True) -> Format:
    return Format(fmt, SourceKind.AMA_CPT, label, reading=Reading.RELEASE_MEMBER, needs_line_end=needs_line_end,
                  names=names)


# The order matters only for name guesses: the first entry whose rule matches wins (LONGUT before LONGU…).
_TABLE: tuple[Format, ...] = (
    Format(cms_rvu.FORMAT_CSV, SourceKind.CMS_RVU, "CMS PFS RVU file (PPRRVU, CSV)",
           _with_format(cms_rvu.parse, cms_rvu.FORMAT_CSV), one_form_per_release=True,
           names=(NameRule("PPRRVU", "csv"),)),
    Format(cms_rvu.FORMAT_TXT, SourceKind.CMS_RVU, "CMS PFS RVU file (PPRRVU, fixed-width text)",
           _with_format(cms_rvu.parse, cms_rvu.FORMAT_TXT), one_form_per_release=True,
           names=(NameRule("PPRRVU", "txt"),)),
    Format(cms_rvu.FORMAT_XLSX, SourceKind.CMS_RVU, "CMS PFS RVU file (PPRRVU, Excel)",
           _with_format(cms_rvu.parse, cms_rvu.FORMAT_XLSX), workbook=True, one_form_per_release=True,
           names=(NameRule("PPRRVU", "xlsx"),)),
    Format(cms_hcpcs.FORMAT_TXT, SourceKind.CMS_HCPCS, "CMS HCPCS Level II file (ANWEB, fixed-width text)",
           _with_format(cms_hcpcs.parse, cms_hcpcs.FORMAT_TXT), one_form_per_release=True,
           names=(NameRule("ANWEB", "txt"),)),
    Format(cms_hcpcs.FORMAT_XLSX, SourceKind.CMS_HCPCS, "CMS HCPCS Level II file (ANWEB, Excel)",
           _with_format(cms_hcpcs.parse, cms_hcpcs.FORMAT_XLSX), workbook=True, one_form_per_release=True,
           names=(NameRule("ANWEB", "xlsx"),)),
    _ama(ama_cpt.LONG_FIXED, "AMA CPT long descriptors, fixed-field (LONGULF/LONGUF; not read)",
         NameRule(r"^LONGUL?F$")),
    _ama(ama_cpt.LONGUT, "AMA CPT long descriptors, upper case (LONGUT)", NameRule(r"^LONGUT$")),
    _ama(ama_cpt.LONGULT, "AMA CPT long descriptors (LONGULT)", NameRule(r"^LONGU")),
    _ama(ama_cpt.PLA_TAB, "AMA CPT PLA side file (CPTPLATab/CPTPLAChanges; not read)",
         NameRule(r"^CPTPLA(?:TAB|CHANGES)")),
    # The XML ends with its closing tag (the parser reports a cut-off file): no final line end needed.
    _ama(ama_cpt.PLA, "AMA CPT PLA codes (XML)", NameRule(r"^CPTPLA$"),
         NameRule(r"(?<![A-Z])(?:CPT)?PLA(?![A-Z])", "xml"), needs_line_end=False),
    _ama(ama_cpt.MEDU, "AMA CPT medium descriptors (MEDU)", NameRule(r"^MEDU")),
    _ama(ama_cpt.SHORTU, "AMA CPT short descriptors (SHORTU)", NameRule(r"^SHORTU")),
    _ama(ama_cpt.CONSUMER, "AMA CPT consumer-friendly descriptors", NameRule(r"CONSUMERDESCRIPTOR")),
    _ama(ama_cpt.CLINICIAN, "AMA CPT clinician descriptors", NameRule(r"CLINICIANDESCRIPTOR")),
    _ama(ama_cpt.DELETED, "AMA CPT Link deleted codes (Deleted_DTK)", NameRule(r"DELETED_DTK")),
    _ama(ama_cpt.HISTORY_MODIFIERS, "AMA CPT Link modifier history (HistoryModifiers_DTK)",
         NameRule(r"HISTORYMODIFIERS_DTK")),
    _ama(ama_cpt.HISTORY, "AMA CPT Link code history (History_DTK)", NameRule(r"HISTORY_DTK")),
    _ama(ama_cpt.CODE_LIST, "AMA CPT consolidated code list", NameRule(r"CONSOLIDATEDCODELIST")),
    _ama(ama_cpt.MODIFIERS, "AMA CPT modifiers list (Modifiers.txt)", NameRule(r"^MODIFIERS$", "txt")),
    _ama(ama_cpt.MODUL, "AMA CPT modifiers document (MODUL)", NameRule(r"^MODUL")),
    # JSON ends with its closing bracket (the parser reports a cut-off file); the real QPP claims CSV has no line
    # end after its last row (its reader checks that row instead).
    Format(cms_qpp.FORMAT_JSON, SourceKind.CMS_QPP, "CMS QPP measures data (JSON)", cms_qpp.parse_json,
           needs_line_end=False, names=(NameRule(r"MEASURES[-_ ]?DATA", "json"),)),
    Format(cms_qpp.FORMAT_CLAIMS, SourceKind.CMS_QPP_CLAIMS, "CMS QPP claims single-source code list (CSV)",
           cms_qpp.parse_claims, needs_line_end=False, names=(NameRule(r"SINGLESOURCE", "csv"),)),
    Format(cms_gpci.FORMAT, SourceKind.CMS_GPCI, "CMS geographic practice cost indices (GPCI, CSV)", cms_gpci.parse),
    Format(cms_ncci.FORMAT_PTP, SourceKind.CMS_NCCI_PTP,
           "CMS NCCI procedure-to-procedure edits (PTP, tab-separated text)", reading=Reading.STREAMED,
           names=(NameRule(r"^CCI(PRA|OPH)", "txt"),)),
    Format(cms_ncci.FORMAT_MUE, SourceKind.CMS_NCCI_MUE, "CMS NCCI medically unlikely edits (MUE, CSV)",
           reading=Reading.STREAMED, names=(NameRule(r"MUE", "csv"),)),
    # Practice lists are often saved by spreadsheets without a final line end; their column-count check still
    # catches a cut row. Any .csv name may be one, so this entry comes last.
    Format(generic_csv.FORMAT, SourceKind.PRACTICE_LIST, "code list (CSV: code, descriptor[, category])",
           generic_csv.parse, needs_line_end=False, names=(NameRule(r"", "csv"),)),
)

FORMATS: dict[str, Format] = {f.id: f for f in _TABLE}

