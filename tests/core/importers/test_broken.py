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
    "ama-longut": AMA / "standard" / "LONGUT.txt",  # read when no LONGULT is beside it
    "ama-pla": AMA / "standard" / "Proprietary Laboratory Analyses (PLA) Codes" / "CPTPLA",
    "ama-deleted": AMA / "CPT Link" / "history" / "Deleted_DTK_tab.txt",
    "ama-history": AMA / "CPT Link" / "history" / "History_DTK_tab.txt",
    "ama-history-modifiers": AMA / "CPT Link" / "history" / "HistoryModifiers_DTK_tab.txt",
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
    ("LONGULT_duplicate.txt", 12, "duplicate key: 0990T is already on line 7"),
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
    "cms-rvu-csv": (truncate_last_line(20), "no line end.*cut off"),
    "cms-rvu-txt": (truncate_last_line(40), "cut off"),
    "cms-hcpcs-txt": (truncate_last_line(60), "cut off"),
    "cms-qpp-json": (truncate_half, "not valid JSON"),
    "cms-qpp-claims-csv": (truncate_last_line(15), "expected 8 columns, found 3"),
    # Practice lists may lack a final line break (spreadsheet exports); a cut row fails on its columns.
    "csv": (truncate_last_line(6), "expected 3 columns, found 2"),
    "ama-longult": (truncate_last_line(5), "cut off"),
    "ama-longut": (truncate_last_line(5), "cut off"),
    "ama-medu": (truncate_last_line(5), "cut off"),
    "ama-shortu": (truncate_last_line(5), "cut off"),
    "ama-consumer": (truncate_last_line(12), "cut off"),
    "ama-clinician": (truncate_last_line(12), "cut off"),
    "ama-pla": (truncate_half, "not well-formed XML"),
    "ama-deleted": (truncate_last_line(10), "cut off"),
    "ama-history": (truncate_last_line(10), "cut off"),
    "ama-history-modifiers": (truncate_last_line(10), "cut off"),
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
    start = text.index("<plaCode ")
    end = text.index("</plaCode>") + len("</plaCode>\r\n")
    doubled = text[:end] + text[start:end] + text[end:]
    return doubled.encode(), doubled[: doubled.index('cdCode="0999U"', end)].count("\n") + 1


DUPLICATES: dict[str, Callable[[bytes], tuple[bytes, int]]] = {
    "cms-rvu-csv": duplicate_line(11),
    "cms-rvu-txt": duplicate_line(4),
    "cms-hcpcs-txt": duplicate_line(6),
    "cms-qpp-json": duplicate_measure,
    "csv": duplicate_line(2),
    "ama-longult": duplicate_line(6),
    "ama-longut": duplicate_line(6),
    "ama-medu": duplicate_line(6),
    "ama-shortu": duplicate_line(6),
    "ama-consumer": duplicate_line(2),
    "ama-clinician": duplicate_line(2),
    "ama-pla": duplicate_pla,
    "ama-deleted": duplicate_line(2),
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
    "cms-rvu-csv": (replace_in_line(12, b"Made-up result documented,", b""), "expected 31 columns, found 30"),
    "cms-rvu-txt": (shift_line(5, b"   "), "not a procedure code"),
    "cms-hcpcs-txt": (shift_line(8, b"X"), "not a HCPCS record"),
    "cms-qpp-json": (lambda data: (b'{"measures": {"not": "a list"}}', 1), "wrong structure"),
    "cms-qpp-claims-csv": (replace_in_line(1, b",CODE,", b",KODE,"), "wrong columns"),
    "csv": (replace_in_line(1, b"code,", b"number,"), "wrong columns"),
    "ama-longult": (replace_in_line(7, b"\t", b" "), "not a LONGULT line"),
    "ama-longut": (replace_in_line(7, b"\t", b" "), "not a LONGUT line"),
    "ama-medu": (replace_in_line(6, b"0990T ", b"0990T"), "not a MEDU line"),
    "ama-shortu": (replace_in_line(6, b"0990T ", b"0990T\t"), "not a SHORTU line"),
    "ama-consumer": (replace_in_line(2, b"\tShort", b" Short"), r"expected \d columns, found \d"),
    "ama-clinician": (replace_in_line(3, b"\t80000002", b" 80000002"), r"expected \d columns, found \d"),
    "ama-pla": (replace_in_line(5, b'cdCode="0999U"', b'cdCode="NOPE"'), "not a CPT code"),
    # CPT Link rows may be shorter than their header (padded), so a lost tab shows in the cell it merges into.
    "ama-deleted": (replace_in_line(2, b"\t20280101", b" 20280101"), "'99980 20280101' is not a CPT code"),
    "ama-history": (replace_in_line(4, b"\tCHANGED", b" CHANGED"), "'20290101 CHANGED' is not a date"),
    "ama-history-modifiers": (replace_in_line(2, b"\t9P\t", b"\t9PX\t"), "'9PX' is not a modifier"),
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
    """Another writer holding the lock past the longest wait: the import waited (saying so), then gave up with
    a clear message and changed nothing. The wait is shortened here; tests never block."""
    import sqlite3

    from desktop_app.core.errors import DatabaseError

    before = dump(loaded.conn)
    other = sqlite3.connect(loaded.path, timeout=0.05)
    other.execute("BEGIN IMMEDIATE")
    said: list[str] = []
    try:
        with pytest.raises(DatabaseError, match=r"another import kept the database busy.*nothing was changed"):
            import_paths(loaded.conn, [FIXTURES / "qpp" / "measures-data-2030.json"], lock_wait=0.5,
                         progress=lambda text, _done, _total: said.append(text))
    finally:
        other.rollback()
        other.close()
    assert not loaded.conn.in_transaction
    assert dump(loaded.conn) == before
    assert any(text.startswith("Waiting for the other import to finish") for text in said)
    assert loaded.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000  # restored after the wait


# --- regressions: truncation, column checks, zips, odd files (the defects of the importer review) -----------

# Formats whose end is their closing bracket or tag, and the QPP claims CSV (the published file has no line end
# after its last row): a file without a final line end is complete if it is otherwise whole.
NO_LINE_END_NEEDED = {"cms-qpp-json", "cms-qpp-claims-csv", "ama-pla", "csv"}


def without_final_line_end(data: bytes) -> tuple[bytes, int]:
    """The file with its last line complete but not ended (what `head -c` leaves at a line boundary)."""
    lines = lines_of(data)
    while lines and not lines[-1].strip():
        lines.pop()
    return b"\n".join(lines), len(lines)


@pytest.mark.parametrize("fmt", sorted(TEXT_FIXTURES))
def test_truncated_at_a_line_boundary_is_refused(loaded: CodeStore, tmp_path: Path, fmt: str) -> None:
    """A file whose last line has no line end was cut off, even when that line looks whole (defect 1a)."""
    data, last = without_final_line_end((FIXTURES / TEXT_FIXTURES[fmt]).read_bytes())
    path = write_broken(tmp_path, TEXT_FIXTURES[fmt], data)
    if fmt in NO_LINE_END_NEEDED:
        assert import_paths(loaded.conn, [path])
    else:
        expect_failure(loaded, path, last, "no line end.*cut off")


def test_truncated_longult_keeps_the_stored_text(db: CodeStore, tmp_path: Path) -> None:
    """`head -c 612` of LONGULT cut a descriptor in half; it was stored cut off (defect 1a)."""
    source = FIXTURES / AMA / "standard" / "LONGULT.txt"
    import_paths(db.conn, [source])
    cut = tmp_path / "LONGULT.txt"
    cut.write_bytes(source.read_bytes()[:612])
    expect_failure(db, cut, 10, "no line end.*cut off")


def test_csv_row_with_missing_columns_names_the_counts(loaded: CodeStore, tmp_path: Path) -> None:
    """A row cut short (then ended) must have the header's 31 columns (defect 1b)."""
    lines = lines_of((FIXTURES / TEXT_FIXTURES["cms-rvu-csv"]).read_bytes())
    assert lines[12].startswith(b"0990T,,Demo emerging tech service,")
    lines[12] = b",".join(lines[12].split(b",")[:17])
    path = write_broken(tmp_path, TEXT_FIXTURES["cms-rvu-csv"], b"\n".join(lines))
    expect_failure(loaded, path, 13, "expected 31 columns, found 17")


@pytest.mark.parametrize(("fmt", "index", "keep", "reason"), [
    ("cms-rvu-txt", 5, 120, "carries fields up to position 140"),
    ("cms-hcpcs-txt", 9, 200, "carries fields up to position 293"),
])
def test_fixed_width_record_cut_short(loaded: CodeStore, tmp_path: Path, fmt: str, index: int, keep: int,
                                      reason: str) -> None:
    """A record shorter than the fields it must carry is refused, wherever it is in the file (defect 1b)."""
    lines = lines_of((FIXTURES / TEXT_FIXTURES[fmt]).read_bytes())
    lines[index - 1] = lines[index - 1][:keep]
    expect_failure(loaded, write_broken(tmp_path, TEXT_FIXTURES[fmt], b"\n".join(lines)), index, reason)


def first_lines(data: bytes, count: int) -> bytes:
    """The first ``count`` lines, each with its line end: a cut-off copy that is well-formed to the end."""
    return b"".join(data.splitlines(keepends=True)[:count])


@pytest.mark.parametrize(("relative", "keep", "unit"), [
    ("cms/PPRRVU2030_Jan.csv", 14, "codes"),
    ("cms/PPRRVU2030_Jan.txt", 6, "codes"),
    ("cms/HCPC2030_ANWEB_fixture.txt", 9, "codes"),
    ("qpp/2030_Claims_SingleSource_V1.0.csv", 6, "measure code links"),
    (str(AMA / "standard" / "LONGULT.txt"), 8, "codes"),
])
def test_shrinking_a_loaded_release_is_refused(db: CodeStore, tmp_path: Path, relative: str, keep: int,
                                               unit: str) -> None:
    """Replacing a loaded release with a copy holding < 90 % of its codes is refused (defect 1c)."""
    source = FIXTURES / relative
    import_paths(db.conn, [source])
    (tmp_path / "cut").mkdir()
    cut = tmp_path / "cut" / source.name
    cut.write_bytes(first_lines(source.read_bytes(), keep))
    error = expect_failure(db, cut, None, rf"has \d+ {unit}; the loaded copy of this release .* has \d+; "
                                          r"the file looks truncated — remove the old source first")
    old_id = int(re.search(r"source id (\d+)", str(error)).group(1))  # type: ignore[union-attr]
    from desktop_app.core.importers import remove_source

    remove_source(db.conn, old_id)
    assert import_paths(db.conn, [cut])  # intended: allowed once the old copy is gone


def test_shrinking_measures_is_refused(db: CodeStore, tmp_path: Path) -> None:
    source = FIXTURES / TEXT_FIXTURES["cms-qpp-json"]
    import_paths(db.conn, [source])
    measures = json.loads(source.read_bytes())
    cut = tmp_path / source.name
    cut.write_text(json.dumps(measures[:1]), encoding="utf-8")
    expect_failure(db, cut, None, r"has 1 measure; the loaded copy of this release .* has 3;")


def test_a_shorter_practice_list_replaces_the_old_one(db: CodeStore, tmp_path: Path) -> None:
    """Practice lists are edited by their owners: a shorter list of the same name is an ordinary update."""
    path = tmp_path / "favourites.csv"
    path.write_text("code,descriptor\n99990,Our quick visit\n0990F,Our measure note\n", encoding="utf-8")
    import_paths(db.conn, [path])
    path.write_text("code,descriptor\n99990,Our quick visit\n", encoding="utf-8")
    assert import_paths(db.conn, [path])[0].unchanged == 1


def rvu_without(column: int) -> bytes:
    """The January RVU CSV with one column (0-based) removed from every row, headings included."""
    import csv
    import io

    text = (FIXTURES / TEXT_FIXTURES["cms-rvu-csv"]).read_text(encoding="ascii")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow(row[:column] + row[column + 1:])
    return out.getvalue().encode("ascii")


@pytest.mark.parametrize(("column", "label"), [
    (0, "HCPCS"), (1, "MOD"), (2, "DESCRIPTION"), (3, "STATUS CODE"), (5, "WORK RVU"), (6, "NON-FAC PE RVU"),
    (8, "FACILITY PE RVU"), (10, "MP RVU"), (13, "PCTC IND"), (14, "GLOB DAYS"), (24, "CONV FACTOR"),
])
def test_rvu_csv_without_a_column_it_uses(loaded: CodeStore, tmp_path: Path, column: int, label: str) -> None:
    """A PPRRVU CSV missing WORK RVU imported and wiped the RVUs (defect 3)."""
    path = write_broken(tmp_path, TEXT_FIXTURES["cms-rvu-csv"], rvu_without(column))
    if column <= 1:  # without HCPCS or MOD there is no header row to find at all
        expect_failure(loaded, path, 1, "no header row starting HCPCS, MOD")
    else:
        expect_failure(loaded, path, 10, f"wrong columns: missing {label}")


@pytest.mark.parametrize("name", ["SEQNUM", "SHORT DESCRIPTION", "ACTION CD", "TERM DT", "PRICE1", "BETOS"])
def test_hcpcs_xlsx_without_a_column_it_uses(loaded: CodeStore, tmp_path: Path, name: str) -> None:
    from openpyxl import load_workbook

    book = load_workbook(FIXTURES / XLSX_FIXTURES["cms-hcpcs-xlsx"])
    sheet = book.worksheets[0]
    column = next(c.column for c in sheet[1] if c.value == name)
    sheet.delete_cols(column)
    path = tmp_path / "HCPC2030_APR_ANWEB.xlsx"
    book.save(path)
    expect_failure(loaded, path, 1, f"wrong columns: missing {name}$")


def test_claims_csv_without_a_column_it_uses(loaded: CodeStore, tmp_path: Path) -> None:
    lines = lines_of((FIXTURES / TEXT_FIXTURES["cms-qpp-claims-csv"]).read_bytes())
    assert lines[0].startswith(b"\xef\xbb\xbfMeasure ID,")
    lines[0] = b"\xef\xbb\xbf\n" + lines[0][3:]  # a blank line first: the header is on line 2
    lines = [line.rsplit(b",", 2)[0] if line.strip() else line for line in lines]  # no AGE, GENDER
    path = write_broken(tmp_path, TEXT_FIXTURES["cms-qpp-claims-csv"], b"\n".join(lines))
    expect_failure(loaded, path, 2, "wrong columns: missing AGE, GENDER")


def test_claims_csv_cut_after_a_comma(loaded: CodeStore, tmp_path: Path) -> None:
    """The claims CSV needs no final line end, so a last row cut right after a comma is caught by its empty
    last cell (every real row names the patient sex)."""
    data, last = without_final_line_end((FIXTURES / TEXT_FIXTURES["cms-qpp-claims-csv"]).read_bytes())
    data = data[: data.rfind(b',"') + 1]  # the last row ends ',"M, F"': keep the comma, lose the field
    expect_failure(loaded, write_broken(tmp_path, TEXT_FIXTURES["cms-qpp-claims-csv"], data), last,
                   "no line end and its last field is empty")


def utf16_member() -> bytes:
    return (FIXTURES / TEXT_FIXTURES["cms-rvu-csv"]).read_text(encoding="ascii").encode("utf-16")


def test_zip_with_a_bad_member_fails_whole(loaded: CodeStore, tmp_path: Path) -> None:
    """A good HCPCS file and a UTF-16 PPRRVU CSV: the import stopped at nothing, with a note (defect 4)."""
    import zipfile

    archive = tmp_path / "downloads.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURES / TEXT_FIXTURES["cms-hcpcs-txt"], "HCPC2030_ANWEB_fixture.txt")
        zf.writestr("PPRRVU2030_Jan.csv", utf16_member())
    error = expect_failure(loaded, archive, 1, "UTF-16")
    assert error.file_name == "downloads.zip/PPRRVU2030_Jan.csv"
    assert str(error).startswith("downloads.zip/PPRRVU2030_Jan.csv, line 1: ")


@pytest.mark.parametrize(("member", "data", "line", "reason"), [
    ("PPRRVU2030_Jan.csv", utf16_member(), 1, "UTF-16"),
    ("renamed.csv", utf16_member(), 1, "UTF-16"),  # recognised by its content, read as UTF-16
    ("HCPC2030_ANWEB.txt", b"A9990001003Toy\x00\x00 item\r\n", 1, "binary"),
    ("measures-data-2030.json", b"[]\n", 1, "no measures in file"),
    ("nested/LONGULT.txt", b"99990\tA pretend visit\r\n99991\tAnother pretend", 2, "cut off"),
])
def test_zip_with_only_a_broken_member_gives_its_reason(loaded: CodeStore, tmp_path: Path, member: str,
                                                         data: bytes, line: int, reason: str) -> None:
    import zipfile

    archive = tmp_path / "only.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(member, data)
        zf.writestr("README.txt", "Nothing to import here.\n")
    error = expect_failure(loaded, archive, line, reason)
    assert error.file_name == f"only.zip/{member}"
    assert "no importable file" not in str(error)


def test_zip_skips_only_what_is_clearly_not_a_code_file(db: CodeStore, tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "HCPC2030.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURES / TEXT_FIXTURES["cms-hcpcs-txt"], "HCPC2030_ANWEB_fixture.txt")
        zf.writestr("HCPC2030_README.txt", "Invented read-me text.\r\n".encode("utf-16"))
        zf.writestr("HCPC2030_ANWEB layout.pdf", b"%PDF-1.4\n\x00\x01binary")
        zf.writestr("proc_notes_2030.txt", b"Invented processing notes.\r\n")
    summary = import_paths(db.conn, [archive])[0]
    assert summary.format == "cms-hcpcs-txt"
    skipped = " ".join(summary.notes)
    for name in ("HCPC2030_README.txt", "HCPC2030_ANWEB layout.pdf", "proc_notes_2030.txt"):
        assert name in skipped


@pytest.mark.parametrize("data", [b"[]\n", b'{"measures": []}\n'])
def test_measures_file_with_no_measures(loaded: CodeStore, tmp_path: Path, data: bytes) -> None:
    """`[]` imported as a source with 0 measures (defect 5b)."""
    expect_failure(loaded, write_broken(tmp_path, Path("measures-data-2032.json"), data), 1, "no measures in file")


@pytest.mark.parametrize(("relative", "line_no", "damage", "line"), [
    ("csv/practice_favourites.csv", 3, (b"0990f,", b'0990f,"'), 3),
    ("cms/PPRRVU2030_Jan.csv", 12, (b"Made-up", b'"Made-up'), 12),
    ("qpp/2030_Claims_SingleSource_V1.0.csv", 3, (b'"M, F"', b'"M, F'), 3),
])
def test_unterminated_quote(loaded: CodeStore, tmp_path: Path, relative: str, line_no: int,
                            damage: tuple[bytes, bytes], line: int) -> None:
    """A practice CSV with a quote never closed imported, the rest of the file swallowed (defect 5c)."""
    data, _ = replace_in_line(line_no, *damage)((FIXTURES / relative).read_bytes())
    expect_failure(loaded, write_broken(tmp_path, Path(relative), data), line, "quot")


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no FIFOs on this system")
def test_fifo_is_refused_not_read(loaded: CodeStore, tmp_path: Path) -> None:
    """Importing a FIFO hung forever (defect 5d)."""
    import os
    import threading

    fifo = tmp_path / "PPRRVU2030_Jan.csv"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            import_paths(loaded.conn, [fifo])
            outcome.append(None)
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    before = dump(loaded.conn)
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # unblock the reader so the test ends, then fail
        with open(fifo, "wb"):
            pass
        worker.join(10)
        pytest.fail("importing a FIFO blocked")
    assert isinstance(outcome[0], ImportFileError) and "not a regular file" in str(outcome[0])
    assert dump(loaded.conn) == before
