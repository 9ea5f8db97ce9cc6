"""The quality-measure review of the real CMS files (six defects), each pinned on invented fixtures in the real
formats and, when ../shared/data is there, on the real files:

1. a measures release without code lists is not compared for code roles (2026 "removed" all 1,638 of 2025's);
2. modifier, place-of-service and age conditions are said in words wherever a measure link is shown;
3. an option group the files do not list (236.05) is unknown;
4. ``%`` and ``_`` typed as a measure id are not wildcards;
5. a claims CSV whose columns do not hold what their headers say is refused, the database unchanged;
6. measures are counted as the measures file counts them, and option groups named as the files write them.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.changes import compare, report_rows
from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers import import_paths
from desktop_app.core.measures import (
    condition_words,
    eligibility_heading,
    find_measures,
    group_links,
    like_pattern,
    measure_detail,
    measure_links,
    normalize_measure_query,
)
from desktop_app.core.store import CodeStore
from tests.test_cli import cli

QPP = Path(__file__).resolve().parents[1] / "fixtures" / "qpp"
CLAIMS = QPP / "2030_Claims_SingleSource_V1.0.csv"
MEASURES = QPP / "measures-data-2030.json"


def _import(db: Path, *paths: Path) -> None:
    store = CodeStore.open(db)
    try:
        import_paths(store.conn, list(paths))
    finally:
        store.close()


def _release_without_code_lists(folder: Path) -> Path:
    """The 2030 fixture as the next year's file would be if, like the real 2026 file, it had no code lists: the
    same measures less IA_TEST_1, one new measure 903, and 901 retitled."""
    measures = json.loads(MEASURES.read_text(encoding="utf-8"))
    for measure in measures:
        measure.pop("eligibilityOptions", None)
        measure.pop("performanceOptions", None)
        if measure["measureId"] == "901":
            measure["title"] = "Invented measure: pretend follow-up recorded"
    kept = [m for m in measures if m["measureId"] != "IA_TEST_1"]
    kept.append({**kept[0], "measureId": "903", "title": "Invented measure: a third pretend one"})
    path = folder / "measures-data-2031.json"
    path.write_text(json.dumps(kept), encoding="utf-8")
    return path


# --- 1. a release without code lists ----------------------------------------------------------------------


def test_a_release_without_code_lists_removes_no_roles(db_path: Path, tmp_path: Path) -> None:
    _import(db_path, MEASURES, _release_without_code_lists(tmp_path))
    conn = sqlite3.connect(db_path)
    report = compare(conn, "cms-qpp")
    assert (report.old.release, report.new.release) == ("2030", "2031")
    assert report.roles == [] and not report.roles_comparable  # before: every 2030 role "removed"
    assert "lists no codes" in report.roles_note and "cannot be compared" in report.roles_note
    # What can be compared is: measures by id (not option groups, which only code lists name), and titles.
    assert report.measures_added == ["903"] and report.measures_removed == ["IA_TEST_1"]
    assert [(t.measure_id, t.new) for t in report.titles_changed] == [
        ("901", "Invented measure: pretend follow-up recorded")]
    data = report.to_json()
    assert data["roles_comparable"] is False and data["measures_removed"] == ["IA_TEST_1"]
    assert data["counts"]["roles_removed"] == 0 and data["counts"]["titles_changed"] == 1  # type: ignore[index]
    assert ("measure roles not compared", "", report.roles_note, "", "", "", "") in report_rows(report)
    # The text says so and prints no role counts (a "0 roles removed" would claim a comparison).
    status, out, _ = cli(db_path, "changes", "--family", "cms-qpp")
    assert status == 0 and "Measure roles not compared:" in out and "roles removed" not in out
    assert "Measures added (1): 903" in out and "Measures removed (1): IA_TEST_1" in out and "measure 901 title:" in out


def test_two_releases_with_code_lists_still_compare_roles(db_path: Path, tmp_path: Path) -> None:
    measures = json.loads(MEASURES.read_text(encoding="utf-8"))
    for measure in measures:
        for option in measure.get("performanceOptions", []):
            option["qualityCodes"] = [q for q in option["qualityCodes"] if q["code"] != "G9990"]
    later = tmp_path / "measures-data-2031.json"
    later.write_text(json.dumps(measures), encoding="utf-8")
    _import(db_path, MEASURES, later)
    report = compare(sqlite3.connect(db_path), "cms-qpp")
    assert report.roles_comparable and [(r.measure_id, r.code, r.change) for r in report.roles] == [
        ("901", "G9990", "removed")]
    assert report.measures_added == report.measures_removed == []


# --- 2. conditions in words --------------------------------------------------------------------------------


@pytest.mark.parametrize(("conditions", "words"), [
    ({"min_age": 66, "max_age": 80, "age": "66 - 80", "sex": ["M", "F"]}, ["patients aged 66\u201380"]),
    ({"min_age": 0, "age": "\u22650"}, []),  # no limit at all
    ({"min_age": 18}, ["patients aged 18 or older"]),
    ({"sex": "F"}, ["female patients only"]),
    ({"modifier_exclusions": ["GQ", "GT", "FQ", "93"]}, ["not with modifier GQ, GT, FQ or 93"]),
    ({"place_of_service_exclusions": ["02", "10"]}, ["not at place of service 02 or 10"]),
    ({"place_of_service_exclusions": ["23"]}, ["not at place of service 23"]),
])
def test_conditions_read_as_plain_words(conditions: dict[str, object], words: list[str]) -> None:
    assert condition_words(conditions) == words


def test_show_and_measure_say_the_exclusions(db_path: Path) -> None:
    _import(db_path, CLAIMS)
    _, out, _ = cli(db_path, "show", "99990")
    measures = out[out.index("Quality measures:"):]
    assert "not with modifier GQ or GT" in measures and "not at place of service 02 or 10" in measures
    assert "patients aged 18 or older" in measures
    _, data, _ = cli(db_path, "show", "99990", "--json")
    link = next(m for m in json.loads(data)["measures"] if m["measure"] == "901")
    assert "not with modifier GQ or GT" in link["conditions_text"]
    # The option group's own age and sex, on the quality code the measure view lists with its prefix.
    _, out, _ = cli(db_path, "show", "0990F")
    assert "patients aged 18\u201375; female patients only" in out
    _, out, _ = cli(db_path, "measure", "901")
    conditions = next(line for line in out.splitlines() if line.strip().startswith("Conditions:"))
    assert "not with modifier GQ or GT" in conditions and "not at place of service 02 or 10" in conditions
    assert "min age" not in conditions  # it read "min age: 18; age: ≥18; sex: male or female"
    _, data, _ = cli(db_path, "measure", "901", "--json")
    assert "not at place of service 02 or 10" in json.loads(data)["eligibility_conditions"]


# --- 3. option groups the files do not list ------------------------------------------------------------------


@pytest.mark.parametrize("asked", ["901.5", "901.99", "902.01", "measure 901.07"])
def test_an_option_group_no_file_lists_is_unknown(db_path: Path, asked: str) -> None:
    _import(db_path, MEASURES, CLAIMS)
    status, out, _ = cli(db_path, "measure", asked)
    assert status == 1 and " has no option group " in out  # it answered "Measure 901.05: … option group 6"
    status, data, _ = cli(db_path, "measure", asked, "--json")
    assert status == 1 and json.loads(data)["known"] is False and json.loads(data)["title"] == ""
    conn = sqlite3.connect(db_path)
    assert find_measures(conn, f"measure {asked.split()[-1]}") == []
    _, data, _ = cli(db_path, "search", f"measure {asked.split()[-1]}", "--json")
    assert json.loads(data)["measures"] == []


def test_listed_option_groups_and_group_00_still_open(db_path: Path) -> None:
    _import(db_path, MEASURES, CLAIMS)
    conn = sqlite3.connect(db_path)
    assert measure_detail(conn, "901.01").known
    assert normalize_measure_query("901.00") == "901" and measure_detail(conn, "901.0").measure_id == "901"
    assert [h.measure_id for h in find_measures(conn, "measure 901.01")] == ["901.01"]


# --- 4. no wildcards from input ------------------------------------------------------------------------------


@pytest.mark.parametrize("asked", ["%", "9_1", "90_", "_", "9%"])
def test_like_wildcards_typed_as_a_measure_match_themselves(db_path: Path, asked: str) -> None:
    _import(db_path, MEASURES, CLAIMS)
    status, out, _ = cli(db_path, "measure", asked)
    assert status == 1 and not out.startswith("Measure")
    detail = measure_detail(sqlite3.connect(db_path), asked)
    assert not detail.known and detail.option_groups == () and detail.quality == []


@pytest.mark.parametrize(("text", "title", "matches"), [
    ("a_b", "a_b", True), ("a_b", "axb", False), ("100%", "100% done", True), ("100%", "1000 done", False),
    ("c\\d", "c\\d", True),
])
def test_like_patterns_match_their_text_literally(text: str, title: str, matches: bool) -> None:
    """Title words reach LIKE through :func:`like_pattern` (search words cannot hold a wildcard today; the
    pattern keeps it so if they ever do)."""
    row = sqlite3.connect(":memory:").execute("SELECT ? LIKE ? ESCAPE '\\'", (title, like_pattern(text))).fetchone()
    assert bool(row[0]) is matches


# --- 5. claims columns that do not hold what their headers say ---------------------------------------------


def _swapped(folder: Path, name: str = "2025_Claims_SingleSource_V9.1.csv", source: Path = CLAIMS) -> Path:
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    lines[0] = lines[0].replace("CODING SYSTEM,CODE", "CODE,CODING SYSTEM")
    path = folder / name
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_claims_with_swapped_columns_are_refused_and_nothing_changes(db_path: Path, tmp_path: Path) -> None:
    before = list(sqlite3.connect(db_path).iterdump())
    status, out, err = cli(db_path, "import", str(_swapped(tmp_path)))
    assert status == 2 and out == ""
    assert "2025_Claims_SingleSource_V9.1.csv, line 2:" in err and "CODING SYSTEM" in err and "swapped" in err
    assert len(err) < 600 and err.count("\n") == 1  # a short message, not every value
    assert list(sqlite3.connect(db_path).iterdump()) == before


def test_a_few_misfit_rows_warn_briefly(tmp_path: Path, db_path: Path) -> None:
    """One row in twenty-odd naming a code of another system is imported with a short warning (the real 2025
    file lists the dental code D3921 as C4), but past 5% of rows the file is refused."""
    lines = CLAIMS.read_text(encoding="utf-8-sig").splitlines()
    lines.append("902,PROC_CODE,C4,A9990,,,\u22650,\"M, F\"")
    path = tmp_path / "2030_Claims_SingleSource_V1.1.csv"
    path.write_text("\ufeff" + "\r\n".join(lines), encoding="utf-8")
    status, out, _ = cli(db_path, "import", str(path))
    assert status == 0
    warning = next(line for line in out.splitlines() if "warning:" in line)
    assert "1 row has a CODE" in warning and "CODE 'A9990'" in warning and len(warning) < 300
    assert warning.endswith(": it was imported as written")  # was "0 of them were skipped, the rest … as written"
    lines += [f"902,PROC_CODE,C4,Z{n:04d},,,\u22650,\"M, F\"" for n in range(3)]
    path.write_text("\ufeff" + "\r\n".join(lines), encoding="utf-8")
    status, _, err = cli(db_path, "import", str(path))
    assert status == 2 and "4 of 25 rows" in err


# --- 6. counting measures and naming option groups ----------------------------------------------------------


def test_measures_are_counted_as_the_file_counts_them(db_path: Path) -> None:
    _import(db_path, MEASURES, CLAIMS)
    conn = sqlite3.connect(db_path)
    groups = [g for g in group_links(measure_links(conn, "99990")) if g.eligibility_only]
    assert [g.measure_id for g in groups] == ["901", "901.01"]
    assert eligibility_heading(groups) == ("Puts the patient in the eligible population (denominator) of 1 "
                                          "measure (listed with option group 901.01 of 901):")
    _, out, _ = cli(db_path, "show", "99990")
    assert "of 1 measure (listed with option group 901.01 of 901):" in out
    # The JSON's optionGroup "01" is option group 01, not "2".
    assert measure_detail(conn, "901.01").title.endswith("\u2014 option group 01")


# --- the real files -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_db(shared_data: Path, reference_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("measures-review") / "real.sqlite3"
    shutil.copyfile(reference_template, path)
    _import(path, shared_data / "cms-qpp-measures")
    return path


@pytest.mark.realdata
def test_real_2025_to_2026_compares_measures_not_roles(real_db: Path) -> None:
    report = compare(sqlite3.connect(real_db), "cms-qpp")
    assert not report.roles_comparable and report.roles == []  # it listed 1,638 roles "removed"
    assert "574 measures" in report.roles_note
    assert len(report.measures_added) == 51 and len(report.measures_removed) == 89  # 612 - 89 + 51 = 574
    assert "024.01" not in report.measures_removed  # option groups are named only by code lists
    assert any(t.measure_id == "510" for t in report.titles_changed)


@pytest.mark.realdata
def test_real_show_and_measure_say_the_conditions(real_db: Path) -> None:
    _, out, _ = cli(real_db, "show", "99213")
    assert "of 14 measures (listed with option groups 226.01 and 226.02 of 226):" in out
    assert "not with modifier GQ, GT, FQ or 93; not at place of service 02, 10 or 12" in out  # 128
    assert "not at place of service 23" in out  # 047
    _, out, _ = cli(real_db, "show", "G2115")
    assert "patients aged 66\u201380" in out
    _, out, _ = cli(real_db, "measure", "249")
    assert "not with modifier GQ or GT; not at place of service 02 or 10" in out
    _, out, _ = cli(real_db, "measure", "024.01")
    assert out.splitlines()[0].endswith("option group 01")


@pytest.mark.realdata
@pytest.mark.parametrize("asked", ["236.5", "024.07", "236.99", "1.01", "%", "2_6"])
def test_real_unknown_measures(real_db: Path, asked: str) -> None:
    status, out, _ = cli(real_db, "measure", asked)
    assert status == 1 and (" has no option group " in out or out.startswith("No measure"))
    _, data, _ = cli(real_db, "search", f"measure {asked}", "--json")
    assert json.loads(data)["measures"] == []


@pytest.mark.realdata
def test_real_claims_with_swapped_columns_are_refused(shared_data: Path, store: CodeStore, tmp_path: Path) -> None:
    """Swapped, the only row whose CODE fits its CODING SYSTEM is ICD-10 I10 listed as system I10."""
    swapped = _swapped(tmp_path, source=shared_data / "cms-qpp-measures" / "2025_Claims_SingleSource_V9.1.csv")
    before = list(store.conn.iterdump())
    with pytest.raises(ImportFileError, match="16,071 of 16,072 rows") as caught:
        import_paths(store.conn, [swapped])
    assert caught.value.line == 2 and len(str(caught.value)) < 600
    assert list(store.conn.iterdump()) == before
