"""CMS geographic practice cost indices (GPCI, PFS Addendum E): one row per Medicare payment locality.

Layout: title and blank lines, then a header ``Medicare Administrative Contractor (MAC), State, Locality Number,
Locality Name, <year> PW GPCI (with 1.0 Floor), <year> PE GPCI, <year> MP GPCI``, the localities, and footnote
lines (``*``…) after them. Columns are found by their names, so a year's wording changes are tolerated.
"""

from __future__ import annotations

import csv
import math
import re

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers.model import Dataset, LocalityRecord, Monitor
from desktop_app.core.importers.textio import SourceFile, csv_rows
from desktop_app.core.kinds import SourceKind

KIND = SourceKind.CMS_GPCI
FORMAT = "cms-gpci-csv"

# Header cell (upper case, letters only) → what it holds; the first matching pattern wins.
_COLUMNS = (
    ("mac", re.compile(r"MEDICAREADMINISTRATIVECONTRACTOR|^MAC$|CONTRACTOR")),
    ("state", re.compile(r"^STATE$")),
    ("number", re.compile(r"LOCALITYNUMBER|^LOCALITY$")),
    ("name", re.compile(r"LOCALITYNAME")),
    ("work", re.compile(r"(PW|WORK)GPCI")),
    ("pe", re.compile(r"PEGPCI")),
    ("mp", re.compile(r"MPGPCI")),
)
MAX_GPCI = 5.0  # real GPCIs lie between about 0.3 and 2; anything far outside is a wrong column


def _letters(cell: str) -> str:
    return re.sub(r"[^A-Z]", "", cell.upper())


def _header_columns(row: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        letters = _letters(cell)
        for name, pattern in _COLUMNS:
            if name not in found and pattern.search(letters):
                found[name] = index
                break
    return found if len(found) == len(_COLUMNS) else None


def sniff_lines(lines: list[str]) -> str | None:
    """The GPCI format when one of the first lines is its header row: cells (comma or tab separated) naming every
    column. A text that only mentions GPCIs and localities (a PROVENANCE.md or README beside the CSV in a
    folder) is not one: it was taken for the table and refused the whole folder's import."""
    for line in lines[:12]:
        upper = line.upper()
        if "GPCI" not in upper or "LOCALITY" not in upper:
            continue
        for delimiter in (",", "\t"):
            cells = next(csv.reader([line], delimiter=delimiter), [])
            if len(cells) >= len(_COLUMNS) and _header_columns(cells) is not None:
                return FORMAT
            # The table's title row as a spreadsheet saves it (the title, then empty cells to the table's width):
            # a file that lost its header row is still this table, and the reader says what is missing, instead
            # of the title being refused as "not a procedure code" by the code-list reader.
            if len(cells) >= len(_COLUMNS) and cells[0].strip() and not any(c.strip() for c in cells[1:]):
                return FORMAT
    return None


def _year(sf: SourceFile, header: list[str], title: str) -> str:
    for text in (" ".join(header), title, sf.base_name, *sf.hints):
        if m := re.search(r"(?<!\d)(20\d\d)(?!\d)", text):
            return m.group(1)
    return ""


def parse(sf: SourceFile, monitor: Monitor) -> Dataset:
    rows = csv_rows(sf, sf.text().lstrip("\ufeff"))
    title = ""
    header_line, columns, header = 0, None, []
    for line_no, row in rows:
        if not any(c.strip() for c in row):
            continue
        columns = _header_columns(row)
        if columns is not None:
            header_line, header = line_no, row
            break
        title = title or " ".join(c for c in row if c.strip())
        if line_no > 20:
            break
    if columns is None:
        raise ImportFileError(sf.name, "no GPCI header row (MAC, State, Locality Number, Locality Name, "
                              "PW GPCI, PE GPCI, MP GPCI) in the first 20 lines", line=1)
    year = _year(sf, header, title)
    ds = Dataset(KIND, FORMAT, f"CMS GPCI {year or '(unknown year)'} (Medicare localities)", sf.name,
                 year or f"unknown-{sf.sha256[:8]}", f"{year}-01-01" if year else "", sf.sha256)
    if not year:
        ds.warnings.append("could not tell the year; name the file like GPCI2026.csv")
    monitor.start(f"Reading {sf.name}", sf.data.count(b"\n"))
    seen: dict[tuple[str, str], int] = {}
    width = max(columns.values()) + 1
    for line_no, row in rows:
        monitor.tick(line_no)
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        mac = cells[columns["mac"]] if len(cells) > columns["mac"] else ""
        if not re.fullmatch(r"\d{5}", mac):
            # Footnotes (asterisks, "Source:" lines) follow the table; a row with a MAC must be complete.
            if re.match(r"\d", mac):
                raise ImportFileError(sf.name, f"MAC {mac!r} is not a 5-digit contractor number", line=line_no)
            continue
        if len(cells) < width:
            raise ImportFileError(sf.name, f"expected at least {width} columns, found {len(cells)} (the file may "
                                  "be cut off)", line=line_no)
        number = cells[columns["number"]].zfill(2)
        values: dict[str, float] = {}
        for name in ("work", "pe", "mp"):
            text = cells[columns[name]]
            try:
                value = float(text)
            except ValueError:
                raise ImportFileError(sf.name, f"{name.upper()} GPCI {text!r} is not a number", line=line_no) from None
            if not math.isfinite(value) or not 0 < value <= MAX_GPCI:
                raise ImportFileError(sf.name, f"{name.upper()} GPCI {text!r} is out of range (0 to {MAX_GPCI})",
                                      line=line_no)
            values[name] = value
        key = (mac, number)
        if key in seen:
            raise ImportFileError(sf.name, f"duplicate key: MAC {mac} locality {number} (first on line "
                                  f"{seen[key]})", line=line_no)
        seen[key] = line_no
        name = re.sub(r"\*+$", "", cells[columns["name"]]).strip()
        ds.localities.append(LocalityRecord(mac, cells[columns["state"]], number, name,
                                            values["work"], values["pe"], values["mp"]))
        ds.rows += 1
    if not ds.localities:
        raise ImportFileError(sf.name, "the file has a header but no localities", line=header_line + 1)
    ds.extra_counts["localities"] = len(ds.localities)
    ds.notes.append(f"{len(ds.localities)} Medicare payment localities (for payment amounts per locality)")
    return ds
