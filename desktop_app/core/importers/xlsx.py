"""Reading the first worksheet of an XLSX workbook as rows of text.

Two readers give the same rows: python-calamine (Rust, about four times faster than openpyxl) for workbooks
whose every cell has a plain reference inside :data:`CALAMINE_MAX_ROWS` x :data:`CALAMINE_MAX_COLUMNS`, and
openpyxl's streaming read-only mode for anything else. calamine builds the whole sheet as a dense grid from the
highest row and column any cell names, so one stray cell at XFD1048576 would ask for hundreds of GB and abort
the process: every worksheet part is checked for such references first (one regular-expression pass over the
XML), and a workbook that fails the check is read by openpyxl, which streams rows and reads at most
:data:`MAX_COLUMNS` columns.
"""

from __future__ import annotations

import io
import re
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


# The grid calamine may build: at most 120,000 x 64 cells (about 250 MB); real CMS sheets are about
# 20,000 x 50. Wider or longer sheets are read by openpyxl.
CALAMINE_MAX_ROWS = 119_999
CALAMINE_MAX_COLUMNS = 64  # A..BL
# A cell tag that does not start with a reference inside those bounds (a missing, misplaced or far reference).
_ODD_CELL = re.compile(rb'<c(?! r="(?:[A-Z]|A[A-Z]|B[A-L])(?:[1-9][0-9]{0,4}|1[01][0-9]{4})")[\s>/]')
# A cell tag with a namespace prefix (<x:c ...>): checked with a slower pattern only when one may be there
# (found in one scan of the part; three substring searches took 30 ms on the real 14 MB HCPCS sheet, this 4 ms).
_PREFIXED_HINT = re.compile(rb":c[ >/]")
_ODD_PREFIXED_CELL = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?c(?! r="(?:[A-Z]|A[A-Z]|B[A-L])(?:[1-9][0-9]{0,4}|1[01][0-9]{4})")[\s>/]'
)


def _calamine_safe(sf: SourceFile) -> bool:
    """Whether every part of the workbook names only cells calamine can hold (see the module docstring)."""
    try:
        with zipfile.ZipFile(io.BytesIO(sf.data)) as zf:
            for info in zf.infolist():
                if not info.filename.lower().endswith(".xml") or info.filename.lower().endswith("sharedstrings.xml"):
                    continue
                part = zf.read(info)
                if _ODD_CELL.search(part):
                    return False
                if _PREFIXED_HINT.search(part) and _ODD_PREFIXED_CELL.search(part):
                    return False
    except Exception:  # a damaged zip: openpyxl's reading reports it with the usual message
        return False
    return True


def _damaged(exc: BaseException) -> bool:
    """Whether calamine failed on the file: its own errors, or a Rust panic (pyo3's PanicException is a
    BaseException), but never an interrupt or a generator being closed."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _calamine_sheet(sf: SourceFile) -> Any | None:
    """The first worksheet read by calamine, or None when openpyxl must read this workbook."""
    if not _calamine_safe(sf):
        return None
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(sf.data))
        worksheets = [i for i, m in enumerate(workbook.sheets_metadata) if m.typ == SheetTypeEnum.WorkSheet]
        if not worksheets:
            raise ImportFileError(sf.name, "the workbook has no worksheet (damaged, or not a data workbook)")
        return workbook.get_sheet_by_index(worksheets[0])
    except ImportFileError:
        raise
    except BaseException as exc:
        if not _damaged(exc):
            raise
        raise ImportFileError(
            sf.name, f"the workbook cannot be read (damaged or incomplete file?): {_reason(exc)}"
        ) from None


def _workbook(sf: SourceFile) -> Any:
    """The workbook opened by openpyxl, loaded once per file (sniffing and reading share it)."""
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


def _over_budget(sf: SourceFile, row_no: int) -> ImportFileError:
    reason = (
        f"the worksheet has more than {MAX_ROWS:,} rows; real code files have about 20,000, so this is "
        "not a code file or it is damaged"
        if sf.row_budget >= MAX_ROWS
        else f"with the files before it this import has over {MAX_IMPORT_ROWS:,} rows, more than "
        "CodeDesk holds in one import: import the files one at a time"
    )
    return ImportFileError(sf.name, reason, line=row_no)


def read_rows(sf: SourceFile, limit: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) for the first worksheet; raises :class:`ImportFileError` if damaged.

    At most :data:`MAX_COLUMNS` columns are read and :data:`MAX_ROWS` rows (more is refused)."""
    if "reader" not in sf._cache:
        _check_parts(sf)
        sf._cache["reader"] = _calamine_sheet(sf) or "openpyxl"
    sheet = sf._cache["reader"]
    if sheet != "openpyxl":
        yield from _calamine_rows(sf, sheet, limit)
        return
    workbook = _workbook(sf)
    row_no = 0
    try:
        sheet = workbook.worksheets[0]
        for row_no, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if limit is not None and row_no > limit:
                break
            if row_no > sf.row_budget:
                raise _over_budget(sf, row_no)
            yield row_no, [cell_text(v) for v in row]
    except ImportFileError:
        raise
    except MemoryError:
        raise ImportFileError(sf.name, "the workbook is too large to read", line=row_no + 1) from None
    except Exception as exc:  # a damaged sheet: openpyxl and the XML parser raise many kinds (ParseError, ...)
        raise ImportFileError(
            sf.name, f"the workbook is damaged or incomplete: {_reason(exc)}", line=row_no + 1
        ) from None


def _calamine_rows(sf: SourceFile, sheet: Any, limit: int | None) -> Iterator[tuple[int, list[str]]]:
    """The rows of a sheet calamine has read, numbered like the worksheet's rows, cells as text.

    calamine's rows start at row 1 but at the first used column: the columns before it are put back, so a cell
    keeps its column whichever reader read it (both pad every row to the sheet's width)."""
    pad = [""] * sheet.start[1] if sheet.height else []
    row_no = 0
    try:
        for row_no, row in enumerate(sheet.iter_rows(), start=1):
            if limit is not None and row_no > limit:
                break
            if row_no > sf.row_budget:
                raise _over_budget(sf, row_no)
            # Most cells are text already: only the others pay for the call.
            yield row_no, pad + [v if type(v) is str else cell_text(v) for v in row]
    except ImportFileError:
        raise
    except BaseException as exc:
        if not _damaged(exc):
            raise
        raise ImportFileError(
            sf.name, f"the workbook is damaged or incomplete: {_reason(exc)}", line=row_no + 1
        ) from None
