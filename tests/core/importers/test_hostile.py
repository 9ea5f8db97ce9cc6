"""Hostile files: values that must be refused (NaN, out of range), structure-aware fuzzing of every reader, bounded
resources (a small zip bomb, nested zips, shared-strings bombs) and messages that name the true cause.

Every refusal must be an ImportFileError naming the file, and leave the database exactly as it was (the same
full-dump comparison as test_broken). The fuzzers are bounded (a few dozen examples each, no deadline).
"""

from __future__ import annotations

import io
import json
import random
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importer_helpers import FIXTURES, REAL_DATA, dump
from test_broken import TEXT_FIXTURES, XLSX_FIXTURES, expect_failure

from desktop_app.core.errors import ImportFileError, printable
from desktop_app.core.importers import import_paths
from desktop_app.core.importers.limits import MAX_FILE_BYTES, MB
from desktop_app.core.store import CodeStore

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])


def import_or_refuse(store: CodeStore, path: Path) -> ImportFileError | None:
    """Import ``path``: it either imports, or fails with an ImportFileError naming it and changing nothing.
    Anything else (an internal error) fails the test with its traceback."""
    before = dump(store.conn)
    try:
        import_paths(store.conn, [path])
    except ImportFileError as error:
        assert printable(path.name) in error.file_name, str(error)
        assert not store.conn.in_transaction
        assert dump(store.conn) == before, f"a refused import changed the database: {error}"
        return error
    return None


# --- every value checked ------------------------------------------------------------------------------------

RVU_CSV = FIXTURES / "cms" / "PPRRVU2030_Jan.csv"


def rvu_with(value: bytes, column: int = 6) -> bytes:
    """The RVU fixture with one number (row 14, 99990: WORK RVU by default) replaced."""
    lines = RVU_CSV.read_bytes().split(b"\n")
    cells = lines[13].split(b",")
    assert cells[0] == b"99990" and cells[column] == b"1.30"
    cells[column] = value
    lines[13] = b",".join(cells)
    return b"\n".join(lines)


@pytest.mark.parametrize(("value", "reason"), [
    (b"nan", "work rvu 'nan' is not a finite decimal number"),
    (b"NaN", "not a finite decimal number"),
    (b"inf", "not a finite decimal number"),
    (b"-Infinity", "not a finite decimal number"),
    (b"1e400", "not a finite decimal number"),
    (b"1_000", "not a number"),
    (b"-1.30", "is negative"),
    (b"9" * 400, "out of range"),
    (b"123456.7", "out of range"),
])
def test_rvu_numbers_must_be_finite_and_in_range(db: CodeStore, tmp_path: Path, value: bytes, reason: str) -> None:
    """A `nan` RVU imported; `show --json` then printed NaN (not JSON) and the next import failed."""
    path = tmp_path / "PPRRVU2030_Jan.csv"
    path.write_bytes(rvu_with(value))
    expect_failure(db, path, 14, reason)


def test_rvu_xlsx_nan_cell_is_refused(db: CodeStore, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(FIXTURES / XLSX_FIXTURES["cms-rvu-xlsx"])
    sheet = book.worksheets[0]
    row = next(r for r in sheet.iter_rows() if r[0].value == "99990")
    row[5].value = "NaN"  # WORK RVU (openpyxl cannot write a float NaN: a cell can only say it as text)
    path = tmp_path / "PPRRVU2030_Jan.xlsx"
    book.save(path)
    expect_failure(db, path, row[0].row, "not a finite decimal number")


def test_json_output_is_never_nan(db: CodeStore, tmp_path: Path) -> None:
    """A database written before the check may hold NaN: --json still prints JSON (null), never NaN."""
    from desktop_app.cli import run

    import_paths(db.conn, [RVU_CSV])
    with db.conn:
        db.conn.execute("UPDATE code_facts SET facts = replace(facts, '\"work_rvu\":1.3}', '\"work_rvu\":NaN}') "
                        "WHERE code = '99990' AND modifier = ''")
    assert "NaN" in db.conn.execute("SELECT group_concat(facts) FROM code_facts WHERE code = '99990'").fetchone()[0]
    out, err = io.StringIO(), io.StringIO()
    assert run(["--db", str(db.path), "show", "99990", "--json"], out, err, io.StringIO()) == 0, err.getvalue()
    assert "NaN" not in out.getvalue()
    facts = json.loads(out.getvalue())["facts"]
    assert any(f.get("work_rvu", 0) is None for f in facts)


QPP_JSON = FIXTURES / "qpp" / "measures-data-2030.json"


def qpp_with(change: Callable[[list[dict[str, object]]], None]) -> str:
    measures = json.loads(QPP_JSON.read_text(encoding="utf-8"))
    change(measures)
    return json.dumps(measures, indent=2)


@pytest.mark.parametrize(("text", "line", "reason"), [
    (qpp_with(lambda m: m[0].__setitem__("title", {"x": 1})), 4, r"measure '901'.title is an object, expected text"),
    (qpp_with(lambda m: m[0].__setitem__("eligibilityOptions", "x")), 4, "eligibilityOptions is text, expected a list"),
    (qpp_with(lambda m: m[0].__setitem__("eligibilityOptions", [3])), 4, r"eligibilityOptions\[0\] is a whole number"),
    (qpp_with(lambda m: m[0]["performanceOptions"][0]["qualityCodes"][0].__setitem__("modifiers", "25")), 4,
     "modifiers is text, expected a list"),
    (qpp_with(lambda m: m[0]["performanceOptions"][0].__setitem__("qualityCodes", [[1]])), 4,
     r"qualityCodes\[0\] is a list, expected an object"),
    (qpp_with(lambda m: m[0]["eligibilityOptions"][0].__setitem__("minAge", 400)), 4, "minAge 400 is out of range"),
    ("[" * 100_000 + "]" * 100_000, 1, "nested too deeply"),
    ('[{"measureId": "001", "minAge": ' + "9" * 5000 + "}]", 1, "5,000 digits is out of range"),
    ('[{"measureId": "001",\n "x": 1e999}]', 2, "1e999 is too large"),
    ('[{"measureId": "001",\n "x": NaN}]', 2, "NaN is not a number JSON allows"),
    (json.dumps([{"measureId": "001", "measureSpecification": json.loads("[" * 60 + "]" * 60)}]), 1,
     "nested more than 40 levels"),
])
def test_qpp_json_wrong_types_and_numbers(db: CodeStore, tmp_path: Path, text: str, line: int, reason: str) -> None:
    """Five wrong-type files ended as AttributeError/TypeError, deep nesting as RecursionError, a 5,000-digit
    integer as ValueError: all "internal error" with no file or line."""
    path = tmp_path / "measures-data-2030.json"
    path.write_text(text, encoding="utf-8")
    expect_failure(db, path, line, reason)


# --- messages that name the true cause -------------------------------------------------------------------------

def test_cut_mid_character_is_called_cut_off(db: CodeStore, tmp_path: Path) -> None:
    path = tmp_path / "practice.csv"
    path.write_bytes("code,descriptor\n99990,Visit ≥ 30 minutes\n99991,Caf\u00e9 ≥".encode()[:-2])
    expect_failure(db, path, 3, "ends in the middle of a character.*cut off")


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_is_called_utf32(db: CodeStore, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "practice.csv"
    path.write_bytes("code,descriptor\n99990,Our visit\n".encode(encoding))
    expect_failure(db, path, 1, "UTF-32")


def nested_zip(levels: int) -> bytes:
    data = (FIXTURES / TEXT_FIXTURES["cms-hcpcs-txt"]).read_bytes()
    name = "HCPC2030_ANWEB_fixture.txt"
    for level in range(levels):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr(name, data)
        data, name = buffer.getvalue(), f"level{level}.zip"
    return data


def test_zip_nested_too_deep_says_so(db: CodeStore, tmp_path: Path) -> None:
    path = tmp_path / "release.zip"
    path.write_bytes(nested_zip(2))
    assert import_paths(db.conn, [path])[0].format == "cms-hcpcs-txt"  # one zip in a zip is opened
    deep = tmp_path / "deep.zip"
    deep.write_bytes(nested_zip(3))
    expect_failure(db, deep, None, r"nested more than 2 deep were not opened \(unzip them first\)")


def test_symlink_loop_is_called_a_loop(db: CodeStore, tmp_path: Path) -> None:
    from desktop_app.cli import run

    loop = tmp_path / "PPRRVU2030_Jan.csv"
    loop.symlink_to(loop)
    expect_failure(db, loop, None, "symbolic link loop")
    err = io.StringIO()
    assert run(["--db", str(db.path), "import", str(loop)], io.StringIO(), err, io.StringIO()) == 2
    assert "link loop" in err.getvalue() and "no such file" not in err.getvalue()


@pytest.mark.parametrize("name", ["PPRRVU\n2030_Jan.csv", "PPRRVU\x1b[31m2030_Jan.csv", "PPRRVU\u202e2030.csv"])
def test_control_characters_in_file_names_are_escaped(db: CodeStore, tmp_path: Path, name: str) -> None:
    from desktop_app.cli import run

    broken = tmp_path / name
    broken.write_bytes(rvu_with(b"nan"))
    out, err = io.StringIO(), io.StringIO()
    assert run(["--db", str(db.path), "import", str(broken)], out, err, io.StringIO()) == 2
    message = err.getvalue()
    assert message.count("\n") == 1 and "\x1b" not in message and "\u202e" not in message, repr(message)
    assert printable(name) in message
    good = tmp_path / "ok" / name
    good.parent.mkdir()
    good.write_bytes(RVU_CSV.read_bytes())
    assert run(["--db", str(db.path), "import", str(good)], out, err, io.StringIO()) == 0
    assert "\x1b" not in out.getvalue() and out.getvalue().count("\n") == 1, repr(out.getvalue())


def test_window_import_messages_escape_names() -> None:
    from desktop_app.core.importers import ImportSummary
    from desktop_app.ui.importing import summary_html

    summary = ImportSummary("a\x1b[2Jb.csv", "csv", 1, "list", "", 0, 0, 0, 0, 0, ["line\nbreak"], 0.0)
    html = summary_html([summary])
    assert "\x1b" not in html and "a\\x1b[2Jb.csv" in html and "line\\nbreak" in html


@pytest.mark.parametrize("quoted", [False, True])
def test_huge_csv_field_is_not_called_bad_quoting(db: CodeStore, tmp_path: Path, quoted: bool) -> None:
    path = tmp_path / "practice.csv"
    field = "x" * 200_000
    if quoted:
        field = f'"{field}"'
    path.write_text(f"code,descriptor\n99990,{field}\n", encoding="utf-8")
    expect_failure(db, path, 2, "a field is longer than 131,072 characters")


# --- look-alike digits and undecodable input -----------------------------------------------------------------

def test_lookalike_digits(db: CodeStore) -> None:
    assert db.detail("\uff19\uff19\uff12\uff11\uff13").code == "99213"  # full-width: NFKC makes it 99213
    assert db.detail("\uff19\uff19\uff12\uff11\uff13").well_formed
    arabic = "\u0669\u0669\u0662\u0661\u0663"
    assert not db.detail(arabic).well_formed
    assert db.search(arabic).parsed.kind != "codes"
    assert db.search(arabic + "*").parsed.kind != "codes"
    assert db.search("\uff19\uff19\uff12\uff11\uff13").parsed.kind == "codes"


@pytest.mark.parametrize("text", ["99213\udcff", "\ud800", "9921\udcff*", "\udcff\udcfe"])
def test_lone_surrogates_never_reach_sqlite(db: CodeStore, text: str) -> None:
    from desktop_app.cli import run

    assert not db.detail(text).well_formed
    db.search(text)
    err = io.StringIO()
    assert run(["--db", str(db.path), "show", text], io.StringIO(), err, io.StringIO()) == 2
    assert "internal error" not in err.getvalue() and "not a procedure code" in err.getvalue()


# --- bounded resources ---------------------------------------------------------------------------------------

def test_small_zip_bomb_is_refused_before_it_is_unpacked(db: CodeStore, tmp_path: Path) -> None:
    """A 60 KB zip whose member unpacks to 64 MB: refused from the sizes the zip declares, without unpacking
    (the 480 MB version of this took 7.9 GB)."""
    bomb = tmp_path / "RVU30A.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("PPRRVU2030_Jan.csv", "w") as out:
        out.write(RVU_CSV.read_bytes())
        for _ in range(64):
            out.write(b" " * MB)
    assert bomb.stat().st_size < 200_000
    tracemalloc.start()
    try:
        expect_failure(db, bomb, None, r"the file is 64\.0 MB; CodeDesk reads files up to 32\.0 MB")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * MB, f"refusing the bomb allocated {peak / MB:.1f} MB"


def test_zip_member_expanding_too_much_is_refused(db: CodeStore, tmp_path: Path) -> None:
    bomb = tmp_path / "HCPC2030.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("HCPC2030_ANWEB.txt", (FIXTURES / TEXT_FIXTURES["cms-hcpcs-txt"]).read_bytes() + b" " * (8 * MB))
    expect_failure(db, bomb, None, "expand .* times.*zip bomb")


def test_shared_strings_bomb_is_refused_with_its_cause(db: CodeStore, tmp_path: Path) -> None:
    """An xlsx with hundreds of MB of shared strings peaked at 952 MB and was called 'no header row'."""
    source = zipfile.ZipFile(FIXTURES / XLSX_FIXTURES["cms-rvu-xlsx"])
    path = tmp_path / "PPRRVU2030_Jan.xlsx"
    with source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            zf.writestr(info, source.read(info))
        with zf.open("xl/sharedStrings.xml", "w") as out:
            out.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for _ in range(20):
                out.write(b"<si><t>" + b"x" * MB + b"</t></si>")
            out.write(b"</sst>")
    expect_failure(db, path, None, "shared strings .* unpacks to 20.0 MB")


def test_file_over_the_size_limit_is_refused_unread(db: CodeStore, tmp_path: Path) -> None:
    path = tmp_path / "PPRRVU2030_Jan.csv"
    with path.open("wb") as out:  # sparse: costs no disk space
        out.write(RVU_CSV.read_bytes())
        out.truncate(MAX_FILE_BYTES + 1)
    expect_failure(db, path, None, "CodeDesk reads files up to 32.0 MB")


def test_too_many_lines_is_refused(db: CodeStore, tmp_path: Path) -> None:
    path = tmp_path / "practice.csv"
    path.write_bytes(b"code,descriptor\n99990,Our visit\n" + b"\n" * 200_000)
    expect_failure(db, path, None, r"has 200,002 lines; CodeDesk reads at most 120,000")


def test_non_importable_members_are_skipped(db: CodeStore, tmp_path: Path) -> None:
    archive = tmp_path / "HCPC2030.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(FIXTURES / TEXT_FIXTURES["cms-hcpcs-txt"], "HCPC2030_ANWEB_fixture.txt")
        for n in range(300):
            zf.writestr(f"notes/note{n:03d}.txt", f"Invented note {n}.\r\n")
        zf.writestr("big.pdf", b"%PDF-1.4\n" + b"\x00" * (40 * MB))  # too large to read, and not needed
    summary = import_paths(db.conn, [archive])[0]
    assert summary.format == "cms-hcpcs-txt"
    assert "skipped 301 file(s)" in " ".join(summary.notes)


# --- structure-aware fuzzing ----------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**40), max_value=10**40) | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
QPP_PATHS = [
    ("measureId",), ("title",), ("measureSets",), ("isInverse",), ("firstPerformanceYear",),
    ("measureSpecification",), ("eligibilityOptions",), ("performanceOptions",),
    ("eligibilityOptions", 0), ("eligibilityOptions", 0, "minAge"), ("eligibilityOptions", 0, "procedureCodes"),
    ("eligibilityOptions", 0, "procedureCodes", 0), ("eligibilityOptions", 0, "procedureCodes", 0, "code"),
    ("eligibilityOptions", 0, "procedureCodes", 0, "modifierExclusions"), ("eligibilityOptions", 0, "optionGroup"),
    ("performanceOptions", 0), ("performanceOptions", 0, "optionType"), ("performanceOptions", 0, "qualityCodes"),
    ("performanceOptions", 0, "qualityCodes", 0), ("performanceOptions", 0, "qualityCodes", 0, "code"),
    ("performanceOptions", 0, "qualityCodes", 0, "modifiers"), ("performanceOptions", 0, "qualityCodes", 0,
                                                                "modifiers", 0),
]


def set_path(document: object, path: tuple[object, ...], value: object) -> None:
    for key in path[:-1]:
        document = document[key]  # type: ignore[index]
    document[path[-1]] = value  # type: ignore[index]


@FUZZ
@given(index=st.integers(0, 2), path=st.sampled_from(QPP_PATHS), value=JSON_VALUES)
def test_fuzz_qpp_json_wrong_types(db: CodeStore, tmp_path: Path, index: int, path: tuple[object, ...],
                                   value: object) -> None:
    measures = json.loads(QPP_JSON.read_text(encoding="utf-8"))
    try:
        set_path(measures[index], path, value)
    except (KeyError, IndexError, TypeError):
        return  # this measure has no such field to damage
    target = tmp_path / "measures-data-2030.json"
    target.write_text(json.dumps(measures, indent=1), encoding="utf-8")
    import_or_refuse(db, target)


@FUZZ
@given(depth=st.integers(1, 3000), literal=st.sampled_from(
    ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 5000, "1" * 31, "0.1e-999", "[]", "{}", "null"]))
def test_fuzz_qpp_json_deep_and_huge(db: CodeStore, tmp_path: Path, depth: int, literal: str) -> None:
    text = QPP_JSON.read_text(encoding="utf-8")
    at = text.index('"description"')
    damaged = text[:at] + '"extra": ' + "[" * depth + literal + "]" * depth + ",\n  " + text[at:]
    target = tmp_path / "measures-data-2030.json"
    target.write_text(damaged, encoding="utf-8")
    import_or_refuse(db, target)


def damage(data: bytes, rng: random.Random, flips: int, cut: float | None) -> bytes:
    """Random bit flips, then (maybe) a cut at a random point."""
    damaged = bytearray(data)
    for _ in range(flips):
        position = rng.randrange(len(damaged))
        damaged[position] ^= 1 << rng.randrange(8)
    if cut is not None:
        damaged = damaged[: max(1, int(len(damaged) * cut))]
    return bytes(damaged)


ALL_FIXTURES = sorted({**TEXT_FIXTURES, **XLSX_FIXTURES}.items())


@FUZZ
@given(fixture=st.sampled_from(ALL_FIXTURES), seed=st.integers(0, 2**32), flips=st.integers(0, 8),
       cut=st.none() | st.floats(0.0, 1.0))
def test_fuzz_fixtures_bit_flips_and_truncation(db: CodeStore, tmp_path: Path, fixture: tuple[str, Path], seed: int,
                                                flips: int, cut: float | None) -> None:
    _, relative = fixture
    target = tmp_path / "fuzz" / relative.name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(damage((FIXTURES / relative).read_bytes(), random.Random(seed), flips, cut))
    import_or_refuse(db, target)


XLSX_PARTS = ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels",
              "xl/styles.xml", "_rels/.rels"]


@FUZZ
@given(fixture=st.sampled_from(sorted(XLSX_FIXTURES.values())), part=st.sampled_from(XLSX_PARTS),
       action=st.sampled_from(["drop", "cut", "flip", "garbage", "empty"]), seed=st.integers(0, 2**32))
def test_fuzz_damaged_xlsx_parts(db: CodeStore, tmp_path: Path, fixture: Path, part: str, action: str,
                                 seed: int) -> None:
    """Workbooks with one part removed, cut, flipped or replaced (no worksheet ended as IndexError, garbage XML
    as ParseError)."""
    rng = random.Random(seed)
    source = zipfile.ZipFile(FIXTURES / fixture)
    target = tmp_path / "fuzz" / fixture.name
    target.parent.mkdir(exist_ok=True)
    with source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                if action == "drop":
                    continue
                data = {
                    "cut": data[: rng.randrange(max(1, len(data)))],
                    "flip": damage(data, rng, 4, None),
                    "garbage": bytes(rng.randrange(256) for _ in range(200)),
                    "empty": b"",
                }[action]
            zf.writestr(info.filename, data)
    import_or_refuse(db, target)


REAL_FILES = [
    "cms-pfs-rvu-2025d/PPRRVU2025_Oct.csv", "cms-pfs-rvu-2025d/PPRRVU2025_Oct.txt",
    "cms-hcpcs-2020/HCPC2020_ANWEB_w_disclaimer.txt", "cms-hcpcs-2025-oct/HCPC2025_OCT_ANWEB.xlsx",
    "cms-qpp-measures/measures-data-2025.json", "cms-qpp-measures/2025_Claims_SingleSource_V9.1.csv",
]


@pytest.mark.realdata
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(relative=st.sampled_from(REAL_FILES), seed=st.integers(0, 2**32), flips=st.integers(0, 6),
       keep=st.integers(2_000, 150_000))
def test_fuzz_real_files(db: CodeStore, tmp_path: Path, relative: str, seed: int, flips: int, keep: int) -> None:
    """The real CMS files, cut to their first ``keep`` bytes (to bound the time) then bit-flipped; the xlsx and
    the JSON are damaged whole (a cut workbook is only a broken zip)."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real CMS data not available: {REAL_DATA} is missing (it is never committed, for licensing)")
    data = (REAL_DATA / relative).read_bytes()
    rng = random.Random(seed)
    if relative.endswith((".csv", ".txt")):
        data = data[:keep]
    target = tmp_path / "fuzz" / Path(relative).name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(damage(data, rng, flips, None))
    import_or_refuse(db, target)
