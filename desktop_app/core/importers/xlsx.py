"""Reading the first worksheet of an XLSX workbook as rows of text (openpyxl, read-only mode)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers.textio import SourceFile


def is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def cell_text(value: object) -> str:
    """A cell as the text a CSV export would hold: ``None`` → '', ``90.0`` → '90', dates → 'YYYYMMDD'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.strftime("%Y%m%d")
    return str(value)


def _workbook(sf: SourceFile) -> Any:
    """The workbook, loaded once per file (sniffing and reading share it)."""
    if "workbook" not in sf._cache:
        from openpyxl import load_workbook

        try:
            sf._cache["workbook"] = load_workbook(io.BytesIO(sf.data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds (BadZipFile, KeyError, InvalidFileException ...)
            raise ImportFileError(
                sf.name, f"the workbook cannot be read (damaged or incomplete file?): {exc}"
            ) from None
    return sf._cache["workbook"]


def read_rows(sf: SourceFile, limit: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) for the first worksheet; raises :class:`ImportFileError` if damaged."""
    workbook = _workbook(sf)
    try:
        sheet = workbook.worksheets[0]
        for row_no, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if limit is not None and row_no > limit:
                break
            yield row_no, [cell_text(v) for v in row]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise ImportFileError(sf.name, f"the workbook is damaged or incomplete: {exc}") from None
