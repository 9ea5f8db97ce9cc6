"""Cells that are safe to hand to a spreadsheet program. Qt-free, no other imports from the project.

CSV injection (OWASP "CSV Injection"): a spreadsheet program opening a CSV file treats a cell that begins
with "=", "+", "-" or "@" as a formula (tab and carriage return are trimmed first in some, so they count too).
Text from an imported file or a user's note must never run as one, so such cells are written with a leading
apostrophe, which spreadsheets show as text and do not evaluate. The XLSX writers store every value as text
instead (see :func:`desktop_app.core.export.write_xlsx`).

Decision on numbers: a plain number ("-0.25", "+3", "-1,234.50", "-1e3") cannot be a formula, and negative
RVU or payment deltas must stay numbers a spreadsheet can add up, so those are left as they are. Codes never
begin with a sign (codes are letters and digits), so no code is ever changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-0.25", "+3", "-1,234.50", "-1e3") cannot be a formula, and negative RVU or payment
# deltas must stay numbers a spreadsheet can add up: those are left as they are. Codes never begin with a
# sign (the grammar's codes are letters and digits), so no code is ever changed.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?")


def spreadsheet_safe(cell: str) -> str:
    """``cell`` as it is written to a CSV file: a leading apostrophe when a spreadsheet would run it as a
    formula; plain numbers (negative ones included) and everything else unchanged. Text that already starts
    with apostrophes before a formula character gets one more, so :func:`spreadsheet_unsafe` gives it back
    exactly."""
    body = cell.lstrip("'")
    if not body.startswith(FORMULA_TRIGGERS):
        return cell
    if body[0] in "+-" and any(ch.isdigit() for ch in body) and _PLAIN_NUMBER.fullmatch(body):
        return cell
    return "'" + cell


def spreadsheet_unsafe(cell: str) -> str:
    """Undo :func:`spreadsheet_safe` when reading our own CSV back (the working set's import)."""
    if cell.startswith("'") and spreadsheet_safe(cell[1:]) == cell:
        return cell[1:]
    return cell


def safe_row(row: Iterable[str]) -> list[str]:
    return [spreadsheet_safe(str(cell)) for cell in row]
