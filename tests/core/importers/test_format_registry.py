"""The format registry (core/importers/formats.py): every id a sniffer returns has one entry, and the entry's rules
are the file's truth (its family is the kind its parser stores, a workbook is a workbook, names guess right)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import FIXTURES

from desktop_app.core.importers import (
    FORMAT_LABELS,
    ama_cpt,
    cms_gpci,
    cms_hcpcs,
    cms_ncci,
    cms_qpp,
    cms_rvu,
    generic_csv,
)
from desktop_app.core.importers.formats import FORMATS, Reading
from desktop_app.core.importers.model import Monitor
from desktop_app.core.importers.sniff import guess_from_name, read_path, sniff_file
from desktop_app.core.kinds import SourceKind

EVERY_ID = {cms_rvu.FORMAT_CSV, cms_rvu.FORMAT_TXT, cms_rvu.FORMAT_XLSX, cms_hcpcs.FORMAT_TXT, cms_hcpcs.FORMAT_XLSX,
            cms_qpp.FORMAT_JSON, cms_qpp.FORMAT_CLAIMS, cms_gpci.FORMAT, generic_csv.FORMAT, *cms_ncci.FORMATS,
            *ama_cpt.FORMATS, *ama_cpt.NEVER_READ}


def test_every_format_id_has_exactly_one_entry() -> None:
    assert set(FORMATS) == EVERY_ID
    assert all(FORMAT_LABELS[fmt] == entry.label for fmt, entry in FORMATS.items())
    assert len({entry.label for entry in FORMATS.values()}) == len(FORMATS)


def test_the_reading_says_who_parses() -> None:
    for entry in FORMATS.values():
        assert (entry.parse is not None) == (entry.reading is Reading.ALONE), entry.id
        assert entry.family in SourceKind and entry.family != SourceKind.BUNDLED
    members = {f.id for f in FORMATS.values() if f.reading is Reading.RELEASE_MEMBER}
    assert members == {*ama_cpt.FORMATS, *ama_cpt.NEVER_READ}
    assert {f.id for f in FORMATS.values() if f.reading is Reading.STREAMED} == set(cms_ncci.FORMATS)


@pytest.mark.parametrize("relative", [
    "cms/PPRRVU2030_Jan.csv", "cms/PPRRVU2030_Jan.txt", "cms/PPRRVU2030_Jan.xlsx", "cms/HCPC2030_ANWEB_fixture.txt",
    "cms/HCPC2030_APR_ANWEB.xlsx", "qpp/measures-data-2030.json", "qpp/2030_Claims_SingleSource_V1.0.csv",
    "cms/GPCI2030.csv", "csv/practice_favourites.csv",
])
def test_a_parser_stores_its_entrys_family_and_id(relative: str) -> None:
    files, _ = read_path(FIXTURES / relative)
    fmt = sniff_file(files[0])
    assert fmt is not None
    entry = FORMATS[fmt]
    assert entry.parse is not None
    dataset = entry.parse(files[0], Monitor())
    assert (dataset.kind, dataset.format) == (entry.family, fmt)
    assert entry.workbook == relative.endswith(".xlsx")


@pytest.mark.parametrize(("name", "expected"), [
    ("PPRRVU2031_Jan.csv", cms_rvu.FORMAT_CSV),
    ("PPRRVU2031_Jan.txt", cms_rvu.FORMAT_TXT),
    ("HCPC2031_JAN_ANWEB.txt", cms_hcpcs.FORMAT_TXT),
    ("LONGUT.txt", ama_cpt.LONGUT),
    ("LONGULF.txt", ama_cpt.LONG_FIXED),
    ("LONGULT.txt", ama_cpt.LONGULT),
    ("CPTPLATab.txt", ama_cpt.PLA_TAB),
    ("CPTPLA", ama_cpt.PLA),
    ("cpt-pla.xml", ama_cpt.PLA),
    ("HistoryModifiers_DTK_tab.txt", ama_cpt.HISTORY_MODIFIERS),
    ("History_DTK_tab.txt", ama_cpt.HISTORY),
    ("Modifiers.txt", ama_cpt.MODIFIERS),
    ("2031-measures-data.json", cms_qpp.FORMAT_JSON),
    ("ccipra-v320r0-f1.txt", cms_ncci.FORMAT_PTP),
    ("MCR_MUE_DME.csv", cms_ncci.FORMAT_MUE),
    ("our list.csv", generic_csv.FORMAT),
    ("notes.txt", None),
])
def test_a_damaged_file_is_known_by_its_name(tmp_path: Path, name: str, expected: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(b"not what the name says\n")
    files, _ = read_path(path)
    assert guess_from_name(files[0]) == expected
