"""core/spreadsheet.py: cells a spreadsheet would run as formulas are written as text, and read back exactly."""

from __future__ import annotations

import pytest

from desktop_app.core.spreadsheet import safe_row, spreadsheet_safe, spreadsheet_unsafe


@pytest.mark.parametrize(("cell", "written"), [
    ("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("+49 invented", "'+49 invented"), ("-12.5", "-12.5"),
    ("99213", "99213"), ("'=x", "''=x"), ("plain text", "plain text"),
])
def test_spreadsheet_safe_and_back(cell: str, written: str) -> None:
    assert spreadsheet_safe(cell) == written
    assert spreadsheet_unsafe(written) == cell


def test_safe_row() -> None:
    assert safe_row(["99213", "=HYPERLINK()"]) == ["99213", "'=HYPERLINK()"]
