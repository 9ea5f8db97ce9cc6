"""Broken files: every one fails with ImportFileError naming the file and (where there is one) the line, and
the database is exactly as before (compared row by row with a full dump)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from importer_helpers import FIXTURES, dump

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers import SUPPORTED_FORMATS, import_paths
from desktop_app.core.store import CodeStore

AMA = Path("ama") / "CPT 2030 data files"
CURRENT = Path("ama") / "2031 CPT Standard Annual Update" / "Current Format" / "Primary Data Files"

# Every text fixture, by format.
TEXT_FIXTURES = {
    "cms-rvu-csv": Path("cms/PPRRVU2030_Jan.csv"),
    "cms-rvu-txt": Path("cms/PPRRVU2030_Jan.txt"),
    "cms-hcpcs-txt": Path("cms/HCPC2030_ANWEB_fixture.txt"),
    "cms-qpp-json": Path("qpp/measures-data-2030.json"),
    "cms-qpp-claims-csv": Path("qpp/2030_Claims_SingleSource_V1.0.csv"),
    "csv": Path("csv/practice_favourites.csv"),
    "ama-longult": AMA / "standard" / "LONGULT.txt",
    "ama-medu": AMA / "standard" / "MEDU.txt",
    "ama-shortu": AMA / "standard" / "SHORTU.txt",
    "ama-consumer": AMA / "standard" / "Consumer Friendly Descriptors" / "ConsumerDescriptor.txt",
    "ama-clinician": AMA / "standard" / "Clinician Descriptors" / "ClinicianDescriptor.txt",
    "ama-pla": AMA / "standard" / "Proprietary Laboratory Analyses (PLA) Codes" / "CPTPLA_2030.xml",
    "ama-deleted": AMA / "CPT Link" / "history" / "Deleted_DTK_tab.txt",
    "ama-history": AMA / "CPT Link" / "history" / "History_DTK_tab.txt",
    "ama-modul": AMA / "standard" / "MODUL.txt",
    "ama-code-list": CURRENT / "ConsolidatedCodeList.txt",
    "ama-modifiers": CURRENT / "Modifiers.txt",
}
XLSX_FIXTURES = {"cms-rvu-xlsx": Path("cms/PPRRVU2030_Jan.xlsx"), "cms-hcpcs-xlsx": Path("cms/HCPC2030_APR_ANWEB.xlsx")}


@pytest.fixture
def loaded(db: CodeStore) -> CodeStore:
    """A database that already holds an import of the same kind and release as some broken files."""
    import_paths(db.conn, [FIXTURES / "cms" / "PPRRVU2030_Jan.csv"])
    return db


def expect_failure(store: CodeStore, path: Path, line: int | type[object] | None = object,
                   reason: str = "") -> ImportFileError:
    """Import ``path``; it must fail naming the file (and ``line``), and change nothing at all."""
    before = dump(store.conn)
    with pytest.raises(ImportFileError) as info:
        import_paths(store.conn, [path])
    error = info.value
    assert path.name in str(error) and path.name in error.file_name
    if line is not object:
        assert error.line == line, str(error)
    if line not in (None, object):
        assert f"line {line}" in str(error)
    assert re.search(reason, str(error), re.I), str(error)
    assert not store.conn.in_transaction
    assert dump(store.conn) == before
    return error


# --- the committed broken fixtures ---------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "line", "reason"), [
    ("PPRRVU2030_Jan_truncated.txt", 9, "cut off"),
    ("practice_utf16.csv", 1, "UTF-16"),
    ("practice_binary.csv", 2, "binary"),
    ("practice_mixed_encoding.csv", 3, "mixes encodings"),
    ("empty.csv", 1, "empty"),
    ("PPRRVU2030_Jan_wrong_columns.csv", 10, "wrong columns"),
    ("LONGULT_duplicate.txt", 10, "duplicate key: 0990T is already on line 5"),
])
def test_broken_fixture(loaded: CodeStore, name: str, line: int, reason: str) -> None:
    expect_failure(loaded, FIXTURES / "broken" / name, line, reason)


def test_unknown_format_lists_what_is_supported(loaded: CodeStore) -> None:
    error = expect_failure(loaded, FIXTURES / "broken" / "notes_unknown_format.txt", None, "not a file CodeDesk")
    assert SUPPORTED_FORMATS in str(error)


# --- generated: every format × every kind of damage -----------------------------------------------------------

def lines_of(data: bytes) -> list[bytes]:
    return data.replace(b"\r\n", b"\n").split(b"\n")


def truncate_last_line(keep: int) -> Callable[[bytes], tuple[bytes, int]]:
    """Cut the file inside its last line, keeping ``keep`` characters of it (no line end after it)."""
    def cut(data: bytes) -> tuple[bytes, int]:
        lines = lines_of(data)
        while lines and not lines[-1].strip():
            lines.pop()
        lines[-1] = lines[-1][:keep]
        return b"\n".join(lines), len(lines)
    return cut


def truncate_half(data: bytes) -> tuple[bytes, int]:
    half = data[: len(data) // 2]
    return half, half.count(b"\n") + 1


TRUNCATIONS: dict[str, tuple[Callable[[bytes], tuple[bytes, int]], str]] = {
    "cms-rvu-csv": (truncate_last_line(20), "wrong number of columns"),
    "cms-rvu-txt": (truncate_last_line(40), "cut off"),
    "cms-hcpcs-txt": (truncate_last_line(60), "cut off"),
    "cms-qpp-json": (truncate_half, "not valid JSON"),
    "cms-qpp-claims-csv": (truncate_last_line(15), "wrong number of columns"),
    "csv": (truncate_last_line(6), "no descriptor"),
    "ama-longult": (truncate_last_line(5), "cut off"),
    "ama-medu": (truncate_last_line(5), "cut off"),
    "ama-shortu": (truncate_last_line(5), "cut off"),
    "ama-consumer": (truncate_last_line(12), "cut off"),
    "ama-clinician": (truncate_last_line(12), "cut off"),
    "ama-pla": (truncate_half, "not well-formed XML"),
    "ama-deleted": (truncate_last_line(10), "cut off"),
    "ama-history": (truncate_last_line(10), "cut off"),
    "ama-code-list": (truncate_last_line(20), "cut off"),
    "ama-modifiers": (truncate_last_line(20), "cut off"),
}  # MODUL is prose: a cut paragraph is still a valid (shorter) paragraph, so it cannot be told.


def duplicate_line(index: int) -> Callable[[bytes], tuple[bytes, int]]:
    """Append a copy of line ``index`` (1-based) at the end."""
    def dup(data: bytes) -> tuple[bytes, int]:
        lines = lines_of(data)
        while lines and not lines[-1].strip():
            lines.pop()
        lines.append(lines[index - 1])
        return b"\n".join(lines) + b"\n", len(lines)
    return dup


def duplicate_measure(data: bytes) -> tuple[bytes, int]:
    measures = json.loads(data)
    measures.append(measures[0])
    text = json.dumps(measures, indent=2)
    return text.encode(), text[: text.rfind('"measureId"')].count("\n") + 1


def duplicate_pla(data: bytes) -> tuple[bytes, int]:
    text = data.decode()
    start = text.index("  <plaCode")
    end = text.index("</plaCode>") + len("</plaCode>\n")
    doubled = text[:end] + text[start:end] + text[end:]
    return doubled.encode(), doubled[: doubled.index('cdCode="0999U"', end)].count("\n") + 1


DUPLICATES: dict[str, Callable[[bytes], tuple[bytes, int]]] = {
    "cms-rvu-csv": duplicate_line(11),
    "cms-rvu-txt": duplicate_line(4),
    "cms-hcpcs-txt": duplicate_line(6),
    "cms-qpp-json": duplicate_measure,
    "csv": duplicate_line(2),
    "ama-longult": duplicate_line(4),
    "ama-medu": duplicate_line(4),
    "ama-shortu": duplicate_line(4),
    "ama-consumer": duplicate_line(2),
    "ama-clinician": duplicate_line(2),
    "ama-pla": duplicate_pla,
    "ama-deleted": duplicate_line(3),
    "ama-code-list": duplicate_line(5),
    "ama-modifiers": duplicate_line(4),
}  # A repeated claims-CSV row is skipped with a warning; history files list a code many times on purpose.


def replace_in_line(index: int, old: bytes, new: bytes) -> Callable[[bytes], tuple[bytes, int]]:
    def change(data: bytes) -> tuple[bytes, int]:
        lines = lines_of(data)
        assert old in lines[index - 1], (old, lines[index - 1])
        lines[index - 1] = lines[index - 1].replace(old, new, 1)
        return b"\n".join(lines), index
    return change


def shift_line(index: int, by: bytes) -> Callable[[bytes], tuple[bytes, int]]:
    def shift(data: bytes) -> tuple[bytes, int]:
        lines = lines_of(data)
        lines[index - 1] = by + lines[index - 1]
        return b"\n".join(lines), index
    return shift


WRONG_COLUMNS: dict[str, tuple[Callable[[bytes], tuple[bytes, int]], str]] = {
    "cms-rvu-csv": (replace_in_line(12, b"Made-up result documented,", b""), "wrong number of columns"),
    "cms-rvu-txt": (shift_line(5, b"   "), "not a procedure code"),
    "cms-hcpcs-txt": (shift_line(8, b"X"), "not a HCPCS record"),
    "cms-qpp-json": (lambda data: (b'{"measures": {"not": "a list"}}', 1), "wrong structure"),
    "cms-qpp-claims-csv": (replace_in_line(1, b",CODE,", b",KODE,"), "wrong columns"),
    "csv": (replace_in_line(1, b"code,", b"number,"), "wrong columns"),
    "ama-longult": (replace_in_line(5, b"\t", b" "), "not a LONGULT line"),
    "ama-medu": (replace_in_line(4, b"0990T ", b"0990T"), "not a MEDU line"),
    "ama-shortu": (replace_in_line(4, b"0990T ", b"0990T\t"), "not a SHORTU line"),
    "ama-consumer": (replace_in_line(2, b"\tShort", b" Short"), "wrong number of columns"),
    "ama-clinician": (replace_in_line(3, b"\t8000002", b" 8000002"), "wrong number of columns"),
    "ama-pla": (replace_in_line(4, b'cdCode="0999U"', b'cdCode="NOPE"'), "not a CPT code"),
    "ama-deleted": (replace_in_line(3, b"\t20280101", b" 20280101"), "wrong number of columns"),
    "ama-history": (replace_in_line(4, b"\tCHANGED", b" CHANGED"), "wrong number of columns"),
    "ama-code-list": (replace_in_line(5, b"\t99990\t", b"\t9999\t"), "not a CPT code"),
    "ama-modifiers": (replace_in_line(4, b"\t98\t", b"\t998\t"), "not a modifier"),
}  # MODUL is prose: it has no columns; a paragraph that does not start with a modifier is narrative.


def write_broken(tmp_path: Path, relative: Path, data: bytes) -> Path:
    target = tmp_path / "broken" / relative.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


@pytest.mark.parametrize("fmt", sorted(TRUNCATIONS))
def test_truncated(loaded: CodeStore, tmp_path: Path, fmt: str) -> None:
    cut, reason = TRUNCATIONS[fmt]
    data, line = cut((FIXTURES / TEXT_FIXTURES[fmt]).read_bytes())
    expect_failure(loaded, write_broken(tmp_path, TEXT_FIXTURES[fmt], data), line, reason)


@pytest.mark.parametrize("fmt", sorted(DUPLICATES))
def test_duplicate_keys(loaded: CodeStore, tmp_path: Path, fmt: str) -> None:
    data, line = DUPLICATES[fmt]((FIXTURES / TEXT_FIXTURES[fmt]).read_bytes())
    expect_failure(loaded, write_broken(tmp_path, TEXT_FIXTURES[fmt], data), line, "duplicate key")


@pytest.mark.parametrize("fmt", sorted(WRONG_COLUMNS))
def test_wrong_columns(loaded: CodeStore, tmp_path: Path, fmt: str) -> None:
    change, reason = WRONG_COLUMNS[fmt]
    data, line = change((FIXTURES / TEXT_FIXTURES[fmt]).read_bytes())
    expect_failure(loaded, write_broken(tmp_path, TEXT_FIXTURES[fmt], data), line, reason)


@pytest.mark.parametrize("fmt", sorted(TEXT_FIXTURES))
def test_wrong_encoding_utf16(loaded: CodeStore, tmp_path: Path, fmt: str) -> None:
    text = (FIXTURES / TEXT_FIXTURES[fmt]).read_bytes().decode("utf-8-sig", errors="replace")
    path = write_broken(tmp_path, TEXT_FIXTURES[fmt], text.encode("utf-16"))
    expect_failure(loaded, path, 1, "UTF-16")


@pytest.mark.parametrize("fmt", sorted(TEXT_FIXTURES))
def test_wrong_encoding_undefined_bytes(loaded: CodeStore, tmp_path: Path, fmt: str) -> None:
    lines = lines_of((FIXTURES / TEXT_FIXTURES[fmt]).read_bytes())
    lines[2] = lines[2] + b" \x81\x8d"  # neither UTF-8 nor Windows-1252
    expect_failure(loaded, write_broken(tmp_path, TEXT_FIXTURES[fmt], b"\n".join(lines)), 3, "encoding")


@pytest.mark.parametrize("fmt", sorted(TEXT_FIXTURES))
def test_binary(loaded: CodeStore, tmp_path: Path, fmt: str) -> None:
    lines = lines_of((FIXTURES / TEXT_FIXTURES[fmt]).read_bytes())
    lines[2] = lines[2][:3] + b"\x00\x00\x07" + lines[2][3:]
    expect_failure(loaded, write_broken(tmp_path, TEXT_FIXTURES[fmt], b"\n".join(lines)), 3, "binary")


@pytest.mark.parametrize("fmt", sorted(TEXT_FIXTURES) + sorted(XLSX_FIXTURES))
def test_empty(loaded: CodeStore, tmp_path: Path, fmt: str) -> None:
    relative = TEXT_FIXTURES.get(fmt) or XLSX_FIXTURES[fmt]
    expect_failure(loaded, write_broken(tmp_path, relative, b""), 1, "empty")


@pytest.mark.parametrize("fmt", sorted(XLSX_FIXTURES))
def test_truncated_xlsx(loaded: CodeStore, tmp_path: Path, fmt: str) -> None:
    data = (FIXTURES / XLSX_FIXTURES[fmt]).read_bytes()
    expect_failure(loaded, write_broken(tmp_path, XLSX_FIXTURES[fmt], data[: len(data) // 2]), None,
                   "damaged or incomplete")


def test_xlsx_duplicate_and_wrong_columns(loaded: CodeStore, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(FIXTURES / XLSX_FIXTURES["cms-hcpcs-xlsx"])
    sheet = book.worksheets[0]
    sheet.append([c.value for c in sheet[2]])
    duplicate = tmp_path / "dup" / "HCPC2030_APR_ANWEB.xlsx"
    duplicate.parent.mkdir()
    book.save(duplicate)
    expect_failure(loaded, duplicate, sheet.max_row, "duplicate key")

    book = load_workbook(FIXTURES / XLSX_FIXTURES["cms-hcpcs-xlsx"])
    book.worksheets[0]["D1"] = "DESCRIPTION"  # was LONG DESCRIPTION
    wrong = tmp_path / "wrong" / "HCPC2030_APR_ANWEB.xlsx"
    wrong.parent.mkdir()
    book.save(wrong)
    expect_failure(loaded, wrong, 1, "wrong columns")

    book = load_workbook(FIXTURES / XLSX_FIXTURES["cms-rvu-xlsx"])
    sheet = book.worksheets[0]
    sheet.append([c.value for c in sheet[11]])
    rvu = tmp_path / "rvu" / "PPRRVU2030_Jan.xlsx"
    rvu.parent.mkdir()
    book.save(rvu)
    expect_failure(loaded, rvu, sheet.max_row, "duplicate key")


def test_broken_zip(loaded: CodeStore, tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "RVU30A.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURES / "broken" / "PPRRVU2030_Jan_truncated.txt", "PPRRVU2030_Jan.txt")
        zf.writestr("README.txt", "Nothing to import here.\n")
    error = expect_failure(loaded, archive, 9, "cut off")
    assert error.file_name == "RVU30A.zip/PPRRVU2030_Jan.txt"
    cut = tmp_path / "cut" / "RVU30A.zip"
    cut.parent.mkdir()
    cut.write_bytes(archive.read_bytes()[:-40])
    expect_failure(loaded, cut, None, "damaged or incomplete")


def test_zip_with_nothing_importable(loaded: CodeStore, tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "stuff.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("README.txt", "Nothing to import here.\n")
        zf.writestr("picture.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    error = expect_failure(loaded, archive, None, "no importable file")
    assert SUPPORTED_FORMATS in str(error)


def test_one_broken_file_among_good_ones_changes_nothing(loaded: CodeStore) -> None:
    before = dump(loaded.conn)
    with pytest.raises(ImportFileError, match=r"empty\.csv"):
        import_paths(loaded.conn, [FIXTURES / "cms" / "HCPC2030_ANWEB_fixture.txt",
                                   FIXTURES / "qpp" / "measures-data-2030.json", FIXTURES / "broken" / "empty.csv"])
    assert dump(loaded.conn) == before


def test_old_excel_xls_gets_its_own_message(loaded: CodeStore, tmp_path: Path) -> None:
    path = tmp_path / "HCPC2030_ANWEB.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    expect_failure(loaded, path, None, r"old Excel \(\.xls\)")


def test_markdown_that_mentions_formats_is_not_taken_for_one(loaded: CodeStore, tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n\nThe PLA file has `<plaCode cdCode=\"0999U\">` elements.\n\nAppendix A\n\n"
                    "Category II Modifiers\n", encoding="utf-8")
    expect_failure(loaded, path, None, "not a file CodeDesk can import")


def test_locked_database_is_a_clear_error(loaded: CodeStore) -> None:
    import sqlite3

    from desktop_app.core.errors import DatabaseError

    before = dump(loaded.conn)
    other = sqlite3.connect(loaded.path, timeout=0.05)
    other.execute("BEGIN IMMEDIATE")
    loaded.conn.execute("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(DatabaseError, match="nothing was changed"):
            import_paths(loaded.conn, [FIXTURES / "qpp" / "measures-data-2030.json"])
    finally:
        other.rollback()
        other.close()
    assert not loaded.conn.in_transaction
    assert dump(loaded.conn) == before
