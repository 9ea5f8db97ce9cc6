"""The two XLSX readers (calamine for ordinary workbooks, openpyxl for the rest) read the same cells, and a
workbook that names a far-away cell never reaches calamine (which would build the whole grid and abort)."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from desktop_app.core.importers import xlsx
from desktop_app.core.importers.textio import SourceFile

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _rows(data: bytes, reader: str | None) -> tuple[str, list[tuple[int, list[str]]]]:
    sf = SourceFile("book.xlsx", data)
    if reader == "openpyxl":
        sf._cache["reader"] = "openpyxl"
    rows = list(xlsx.read_rows(sf))
    used = "openpyxl" if sf._cache["reader"] == "openpyxl" else "calamine"
    # Compared as the importers read cells: stripped, trailing blanks and blank rows ignored (openpyxl pads rows
    # to 256 columns and keeps whitespace-only strings).
    cleaned = []
    for row_no, row in rows:
        cells = [c.strip() for c in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            cleaned.append((row_no, cells))
    return used, cleaned


def _save(book: Workbook, tmp_path: Path) -> bytes:
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path.read_bytes()


@pytest.mark.parametrize("fixture", ["cms/HCPC2030_APR_ANWEB.xlsx", "cms/PPRRVU2030_Jan.xlsx"])
def test_calamine_reads_the_fixtures_like_openpyxl(fixture: str) -> None:
    data = (FIXTURES / fixture).read_bytes()
    fast_reader, fast = _rows(data, None)
    _, slow = _rows(data, "openpyxl")
    assert fast_reader == "calamine"
    assert fast == slow


def test_cell_values_become_the_same_text(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["C2"] = "text"
    sheet["D3"] = 90
    sheet["E3"] = 1.3
    sheet["F3"] = datetime.date(2030, 1, 2)
    sheet["G3"] = True
    sheet["H3"] = "0090"
    data = _save(book, tmp_path)
    fast_reader, fast = _rows(data, None)
    assert fast_reader == "calamine"
    assert fast == _rows(data, "openpyxl")[1]
    assert fast == [(2, ["", "", "text"]), (3, ["", "", "", "90", "1.3", "20300102", "TRUE", "0090"])]


@pytest.mark.parametrize("far_cell", ["XFD1048576", "A120000", "BM1", "IV2"])
def test_a_far_cell_keeps_the_workbook_from_calamine(tmp_path: Path, far_cell: str) -> None:
    """calamine would allocate rows x columns of the farthest cell (XFD1048576: 500 GB, then abort)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "HCPC"
    sheet[far_cell] = "x"
    assert not xlsx._calamine_safe(SourceFile("book.xlsx", _save(book, tmp_path)))


@pytest.mark.parametrize(("far_cell", "column"), [("BM1", 64), ("IV1", 255)])
def test_a_wide_sheet_is_read_by_openpyxl(tmp_path: Path, far_cell: str, column: int) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "HCPC"
    sheet[far_cell] = "x"
    used, rows = _rows(_save(book, tmp_path), None)
    assert used == "openpyxl"
    assert rows == [(1, ["HCPC", *[""] * (column - 1), "x"])]


def test_a_cell_without_a_reference_is_read_by_openpyxl() -> None:
    sheet_xml = b'<sheetData><row r="1"><c t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    assert xlsx._ODD_CELL.search(sheet_xml)
    assert xlsx._ODD_PREFIXED_CELL.search(b'<x:row r="1"><x:c r="XFD1"><x:v>1</x:v></x:c></x:row>')
    assert not xlsx._ODD_CELL.search(b'<row r="1"><c r="BL119999" t="s"><v>1</v></c><cols><col min="1"/></cols>')


@pytest.mark.parametrize(("cell", "safe"), [
    (b'<x:c r="XFD1"><x:v>1</x:v></x:c>', False),  # far, prefixed, followed by a blank
    (b'<x:c r="A1"><x:v>1</x:v></x:c>', True),
    (b'<x:c><x:v>1</x:v></x:c>', False),  # no reference, prefixed, followed by '>'
    (b'<x:c/>', False),  # no reference, prefixed, empty
    (b'<c r="B2"><v>1</v></c>', True),
])
def test_prefixed_cells_are_found_in_one_scan(cell: bytes, safe: bool) -> None:
    part = b'<x:worksheet><x:sheetData><x:row r="1">' + cell + b"</x:row></x:sheetData></x:worksheet>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", part)
    assert xlsx._calamine_safe(SourceFile("prefixed.xlsx", buffer.getvalue())) is safe
