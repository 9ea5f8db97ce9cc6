"""A practice's own code list: CSV (comma, semicolon or tab) with ``code, descriptor[, category]``.

A header row is optional; with one, columns are found by name (``code``/``cpt``/``hcpcs`` …,
``descriptor``/``description`` …, ``category``/``group`` …). The text becomes a descriptor of kind
``practice`` (it never outranks official text as a code's title), the category a fact. The source name
and release come from the file name, so importing a file of the same name again replaces it.
"""

from __future__ import annotations

import csv
import io
import re

from desktop_app.core.codedesk_files import RESULT_COLUMNS, WORKING_SET_COLUMNS, WORKING_SET_HEADER
from desktop_app.core.errors import ImportFileError
from desktop_app.core.grammar import is_code, normalize
from desktop_app.core.importers.model import Dataset, Monitor, is_modifier
from desktop_app.core.importers.textio import SourceFile, check_width, csv_rows
from desktop_app.core.kinds import CodeKind, DescriptorKind, SourceKind

KIND = SourceKind.PRACTICE_LIST
FORMAT = "csv"
DESCRIPTOR_KIND = DescriptorKind.PRACTICE

CODE_NAMES = frozenset(
    {"code", "codes", "cpt", "cptcode", "hcpcs", "hcpcscode", "cpthcpcs", "procedurecode", "procedure"}
)
TEXT_NAMES = frozenset(
    {
        "descriptor",
        "description",
        "desc",
        "text",
        "longdescription",
        "title",
        "name",
        "shortdescription",
        "label",
    }
)
CATEGORY_NAMES = frozenset({"category", "group", "section", "type", "list", "tag"})


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _delimiter_of(text: str) -> str:
    return _delimiter(next((line for line in text.splitlines() if line.strip()), ""))


def _rows(text: str) -> tuple[str, list[tuple[int, list[str]]]]:
    """Lenient reading, for sniffing a sample only (the sample's last row may be cut)."""
    delimiter = _delimiter_of(text)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    return delimiter, [(reader.line_num, row) for row in reader]


def _header_columns(row: list[str]) -> dict[str, int] | None:
    keys = [_key(c) for c in row]
    code = next((i for i, k in enumerate(keys) if k in CODE_NAMES), None)
    text = next((i for i, k in enumerate(keys) if k in TEXT_NAMES), None)
    if code is None and text is None:
        return None
    columns = {"code": -1 if code is None else code, "text": -1 if text is None else text}
    category = next((i for i, k in enumerate(keys) if k in CATEGORY_NAMES), None)
    if category is not None:
        columns["category"] = category
    return columns


def _is_code_or_modifier(text: str) -> bool:
    code = normalize(text)
    return is_code(code) or is_modifier(code)


def sniff_text(head: str) -> bool:
    if not head.strip():
        return False
    lines = head.splitlines()
    if len(head) >= 60_000 and len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut
    _, rows = _rows("\n".join(lines[:20]))
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
    if not rows:
        return False
    first = rows[0][1]
    columns = _header_columns(first)
    if columns is not None:
        # A wide table with a code column (a CMS payment file, say) is not a code list; a wide list given
        # directly is still read, by its .csv name (see sniff.guess_from_name).
        return columns["code"] >= 0 and columns["text"] >= 0 and len(first) <= 6
    data = rows[:10]
    return all(len(r) >= 2 and _is_code_or_modifier(r[0]) and r[1].strip() for _, r in data)


def _refuse_codedesk_file(sf: SourceFile, line: int, header: list[str]) -> None:
    """CodeDesk's own CSV files are not code lists. Its search-results export holds titles from files already
    imported: read as "your own list", the CMS text was credited to the user's list. Its working-set file holds
    favourites and notes, which File → Import Working Set merges; read here it was "99213 has no descriptor"."""
    columns = tuple(cell.strip().lower() for cell in header)
    while columns and not columns[-1]:
        columns = columns[:-1]
    if columns in (RESULT_COLUMNS, WORKING_SET_COLUMNS):
        raise ImportFileError(sf.name, "this is a CodeDesk export (its titles came from files already imported), "
                              "not a code list: import the original code files instead", line=line)
    if columns == WORKING_SET_HEADER:
        raise ImportFileError(sf.name, "this is a CodeDesk working-set file (favourites, notes, history), not a code "
                              "list: use File → Import Working Set… to bring it in", line=line)


def parse(sf: SourceFile, monitor: Monitor) -> Dataset:
    text = sf.text().lstrip("\ufeff")
    rows = [(n, r) for n, r in csv_rows(sf, text, _delimiter_of(text)) if any(c.strip() for c in r)]
    if not rows:
        raise ImportFileError(sf.name, "the file is empty", line=1)
    header_line, first = rows[0]
    _refuse_codedesk_file(sf, header_line, first)
    width = len(first)
    while width > 1 and not first[width - 1].strip():
        width -= 1
    columns = _header_columns(first)
    if columns is not None:
        missing = [name for name in ("code", "text") if columns[name] < 0]
        if missing:
            names = {"code": "code", "text": "descriptor"}
            raise ImportFileError(
                sf.name,
                "wrong columns: the header has no " + " or ".join(names[m] for m in missing) + " column",
                line=header_line,
            )
        rows = rows[1:]
    else:
        columns = {"code": 0, "text": 1}
        if len(first) >= 3:
            columns["category"] = 2
    stem = sf.stem
    ds = Dataset(KIND, FORMAT, f"Practice list: {stem}", sf.name, stem, "", sf.sha256)
    monitor.start(f"Reading {sf.name}", len(rows))
    seen: dict[str, int] = {}
    for index, (line_no, row) in enumerate(rows, start=1):
        monitor.tick(index)
        check_width(sf, line_no, row, width, "every row needs as many columns as the first; quote text with commas")
        raw = row[columns["code"]]
        code = normalize(raw)
        if not (is_code(code) or is_modifier(code)):
            raise ImportFileError(sf.name, f"{raw.strip()!r} is not a procedure code or modifier", line=line_no)
        if code in seen:
            raise ImportFileError(sf.name, f"duplicate key: {code} is already on line {seen[code]}", line=line_no)
        seen[code] = line_no
        text = row[columns["text"]].strip()
        if not text:
            raise ImportFileError(sf.name, f"{code} has no descriptor", line=line_no)
        rec = ds.record(code, CodeKind.CODE if is_code(code) else CodeKind.MODIFIER)
        rec.add_descriptor(DESCRIPTOR_KIND, text)
        if "category" in columns and columns["category"] < len(row) and row[columns["category"]].strip():
            rec.facts[""] = {"category": row[columns["category"]].strip()}
        ds.rows += 1
    if not ds.codes:
        raise ImportFileError(sf.name, "the file has a header but no codes", line=header_line + 1)
    return ds
