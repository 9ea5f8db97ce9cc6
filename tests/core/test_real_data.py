"""Checks against the real CMS files in ../shared/data (skipped when they are absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from desktop_app.core.catalog import Catalog
from desktop_app.core.grammar import code_set_of
from desktop_app.core.reference import read_starter_codes
from desktop_app.core.resources import data_dir

pytestmark = pytest.mark.realdata


def rvu_codes(shared_data: Path) -> set[str]:
    with (shared_data / "cms-pfs-rvu-2025d" / "PPRRVU2025_Oct.csv").open(newline="", encoding="latin-1") as fh:
        rows = list(csv.reader(fh))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "HCPCS")
    return {row[0].strip() for row in rows[header + 1:] if row and row[0].strip()}


def hcpcs_xlsx_codes(shared_data: Path) -> set[str]:
    import openpyxl

    book = openpyxl.load_workbook(shared_data / "cms-hcpcs-2025-oct" / "HCPC2025_OCT_ANWEB.xlsx", read_only=True)
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = next(rows)
    code_col, ric_col = header.index("HCPC"), header.index("RECID")
    codes = {str(row[code_col]).strip() for row in rows if str(row[ric_col]) == "3"}
    book.close()
    return codes


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_files(data_dir())


def test_every_rvu_code_has_a_category_and_a_section(shared_data: Path, catalog: Catalog) -> None:
    codes = rvu_codes(shared_data)
    assert len(codes) == 16_852
    unplaced = sorted(c for c in codes if code_set_of(c) is None or catalog.section_for(c) is None)
    assert unplaced == []


def test_every_hcpcs_2025_code_has_a_category_and_a_section(shared_data: Path, catalog: Catalog) -> None:
    codes = hcpcs_xlsx_codes(shared_data)
    assert len(codes) == 8_463
    unplaced = sorted(c for c in codes if code_set_of(c) is None or catalog.section_for(c) is None)
    assert unplaced == []


def test_every_bundled_code_exists_in_the_real_files(shared_data: Path) -> None:
    real = rvu_codes(shared_data) | hcpcs_xlsx_codes(shared_data)
    missing = sorted(s.code for s in read_starter_codes(data_dir()) if s.code not in real)
    assert missing == []


def test_no_bundled_summary_copies_a_cms_short_descriptor(shared_data: Path) -> None:
    with (shared_data / "cms-pfs-rvu-2025d" / "PPRRVU2025_Oct.csv").open(newline="", encoding="latin-1") as fh:
        short = {row[0]: row[2].lower() for row in csv.reader(fh) if len(row) > 2 and row[1] == ""}
    copied = [s.code for s in read_starter_codes(data_dir())
              if s.code in short and len(short[s.code]) > 12 and short[s.code] in s.summary.lower()]
    assert copied == []
