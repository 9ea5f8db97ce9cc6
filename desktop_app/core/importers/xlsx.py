"""Reading the first worksheet of an XLSX workbook as rows of text (openpyxl, read-only mode)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers.limits import (
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_IMPORT_ROWS,
    MAX_ROWS,
    MAX_SHARED_STRINGS_BYTES,
    MAX_SHEET_BYTES,
    RATIO_CHECKED_FROM,
    megabytes,
)
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
        if value != value or value in (float("inf"), float("-inf")):
            return repr(value)  # 'nan' / 'inf': the reader refuses it as "not a finite number"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.strftime("%Y%m%d")
    return str(value)


def _check_parts(sf: SourceFile) -> None:
    """Refuse a workbook whose parts would take too much memory or time, by the sizes the zip declares (before
    openpyxl reads anything): it holds every shared string in memory, and pads rows to the sheet's width."""
    try:
        with zipfile.ZipFile(io.BytesIO(sf.data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFileError(sf.name, f"the workbook cannot be read (damaged or incomplete file?): {exc}") from None
    for info in infos:
        part = info.filename.lower()
        limit = MAX_SHARED_STRINGS_BYTES if part.endswith("sharedstrings.xml") else MAX_SHEET_BYTES
        what = "shared strings (all the texts of the workbook)" if limit == MAX_SHARED_STRINGS_BYTES else "part"
        if info.file_size > limit:
            raise ImportFileError(
                sf.name,
                f"the workbook's {what} {info.filename} unpacks to {megabytes(info.file_size)}; CodeDesk reads at "
                f"most {megabytes(limit)} (real CMS workbooks have under 16 MB), so it is not a code file or it is "
                "damaged (a zip bomb?)",
            )
        if info.file_size > RATIO_CHECKED_FROM and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise ImportFileError(
                sf.name,
                f"the workbook's part {info.filename} would expand from {megabytes(info.compress_size)} to "
                f"{megabytes(info.file_size)} (more than {MAX_COMPRESSION_RATIO} times; real workbooks expand about "
                "10 times): a zip bomb or a damaged file",
            )


def _workbook(sf: SourceFile) -> Any:
    """The workbook, loaded once per file (sniffing and reading share it)."""
    if "workbook" not in sf._cache:
        from openpyxl import load_workbook

        _check_parts(sf)
        try:
            workbook = load_workbook(io.BytesIO(sf.data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds (BadZipFile, KeyError, InvalidFileException ...)
            raise ImportFileError(
                sf.name, f"the workbook cannot be read (damaged or incomplete file?): {_reason(exc)}"
            ) from None
        if not workbook.worksheets:
            raise ImportFileError(sf.name, "the workbook has no worksheet (damaged, or not a data workbook)")
        sf._cache["workbook"] = workbook
    return sf._cache["workbook"]


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def read_rows(sf: SourceFile, limit: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) for the first worksheet; raises :class:`ImportFileError` if damaged.

    At most :data:`MAX_COLUMNS` columns are read and :data:`MAX_ROWS` rows (more is refused)."""
    workbook = _workbook(sf)
    row_no = 0
    try:
        sheet = workbook.worksheets[0]
        for row_no, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if limit is not None and row_no > limit:
                break
            if row_no > sf.row_budget:
                reason = (
                    f"the worksheet has more than {MAX_ROWS:,} rows; real code files have about 20,000, so this is "
                    "not a code file or it is damaged"
                    if sf.row_budget >= MAX_ROWS
                    else f"with the files before it this import has over {MAX_IMPORT_ROWS:,} rows, more than "
                    "CodeDesk holds in one import: import the files one at a time"
                )
                raise ImportFileError(sf.name, reason, line=row_no)
            yield row_no, [cell_text(v) for v in row]
    except ImportFileError:
        raise
    except MemoryError:
        raise ImportFileError(sf.name, "the workbook is too large to read", line=row_no + 1) from None
    except Exception as exc:  # a damaged sheet: openpyxl and the XML parser raise many kinds (ParseError, ...)
        raise ImportFileError(
            sf.name, f"the workbook is damaged or incomplete: {_reason(exc)}", line=row_no + 1
        ) from None
