"""Release changes: two releases of one family compared (invented fixtures in the real formats, and the real HCPCS
2020 and October 2025 files and QPP 2025 and 2026 measures when ../shared/data is there)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from desktop_app.cli import run
from desktop_app.core.catalog import Catalog
from desktop_app.core.changes import ChangeReport, ChangesError, Release, compare
from desktop_app.core.database import transaction
from desktop_app.core.importers import import_paths
from desktop_app.core.importers.loader import write_dataset
from desktop_app.core.importers.model import Dataset, Monitor
from desktop_app.core.store import CodeStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cms"


@pytest.fixture
def two_of_each(store: CodeStore) -> CodeStore:
    import_paths(store.conn, [FIXTURES / "PPRRVU2030_Jan.csv", FIXTURES / "PPRRVU2030_Apr.csv",
                              FIXTURES / "HCPC2030_ANWEB_fixture.txt", FIXTURES / "HCPC2030_APR_ANWEB.xlsx"])
    return store


def test_rvu_quarters(two_of_each: CodeStore) -> None:
    report = compare(two_of_each.conn, "cms-rvu")
    assert (report.old.release, report.new.release) == ("RVU30A", "RVU30B")
    assert report.added == ["99996"] and report.deleted == [] and report.reinstated == []
    assert [(d.code, d.kind, d.old, d.new) for d in report.descriptors] == [
        ("99990", "short", "Imaginary visit, brief", "Imaginary visit, brief, revised")]
    assert [(f.code, f.fact, f.old, f.new, f.delta) for f in report.facts] == [("99990", "work_rvu", 1.3, 1.4, 0.1)]
    # Backwards: what the older quarter has that the newer lacks.
    back = compare(two_of_each.conn, "cms-rvu", "RVU30B", "RVU30A")
    assert [d["code"] for d in back.deleted] == ["99996"] and back.facts[0].delta == -0.1


def test_hcpcs_action_codes_are_cross_checked(two_of_each: CodeStore) -> None:
    report = compare(two_of_each.conn, "cms-hcpcs")
    assert report.added == ["A9992"]
    checks = {a.code: a for a in report.action_checks}
    assert len(checks) == 7 and all(a.agrees for a in checks.values())
    assert checks["A9992"].computed == ["added"] and checks["A9992"].action_code == "A"
    assert checks["A9990"].carried_over  # action A kept from the annual file in the April quarter
    # A release whose action codes say the opposite of what changed: each disagreement is listed.
    ds = Dataset("cms-hcpcs", "cms-hcpcs-txt", "CMS HCPCS Level II 2030 July", "invented.txt", "2030-07",
                 "2030-07-01", "0" * 64)
    for code, action, text in (("A9992", "N", "Invented supply, changed words"), ("A9993", "C", "Invented new")):
        rec = ds.record(code)
        rec.add_descriptor("long", text)
        rec.facts[""] = {"action_code": action}
    with transaction(two_of_each.conn):
        write_dataset(two_of_each.conn, Catalog.from_db(two_of_each.conn), ds, Monitor())
    july = compare(two_of_each.conn, "cms-hcpcs")
    wrong = {a.code: a.computed for a in july.action_checks if not a.agrees}
    assert wrong == {"A9992": ["descriptor", "facts"], "A9993": ["added"]}
    assert july.to_json()["counts"]["action_codes_disagreeing"] == 2  # type: ignore[index]


def test_category_filter_and_errors(two_of_each: CodeStore) -> None:
    assert compare(two_of_each.conn, "cms-rvu", code_set="HCPCS").added == []
    with pytest.raises(ChangesError, match="names no single release"):
        compare(two_of_each.conn, "cms-rvu", "RVU29Z")
    import_paths(two_of_each.conn, [FIXTURES.parent / "qpp" / "measures-data-2030.json"])
    with pytest.raises(ChangesError, match="1 release"):
        compare(two_of_each.conn, "cms-qpp")
    with pytest.raises(ChangesError, match="unknown family"):
        compare(two_of_each.conn, "ncci")


def test_cli_changes_json(two_of_each: CodeStore, db_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run(["--db", str(db_path), "changes", "--family", "cms-rvu", "--json"], out, err, io.StringIO()) == 0
    data = json.loads(out.getvalue())
    assert {"family", "from", "to", "counts", "added", "deleted", "reinstated", "descriptor_changed",
            "facts_changed", "roles", "action_code_disagreements"} <= data.keys()
    assert data["counts"]["added"] == 1 and data["from"]["release"] == "RVU30A"
    workbook = db_path.parent / "changes.xlsx"
    out = io.StringIO()
    assert run(["--db", str(db_path), "changes", "--family", "cms-rvu", "--export", str(workbook)], out, err,
               io.StringIO()) == 0
    from openpyxl import load_workbook

    rows = list(load_workbook(workbook, read_only=True).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("change", "code", "what") and rows[2][:2] == ("added", "99996")
    assert rows[-1][:6] == ("fact changed", "99990", "work_rvu", "1.3", "1.4", "+0.1")


@pytest.mark.realdata
def test_real_hcpcs_2020_to_2025_and_qpp_2025_to_2026(shared_data: Path, store: CodeStore) -> None:
    import_paths(store.conn, [shared_data / "cms-hcpcs-2020" / "HCPC2020_ANWEB_w_disclaimer.txt",
                              shared_data / "cms-hcpcs-2025-oct" / "HCPC2025_OCT_ANWEB.xlsx",
                              shared_data / "cms-qpp-measures" / "measures-data-2025.json",
                              shared_data / "cms-qpp-measures" / "measures-data-2026.json"])
    report = compare(store.conn, "cms-hcpcs")
    deleted = {d["code"]: d["deleted_date"] for d in report.deleted}
    # Checked against the files: A4397 ends (TERM DT) 2021-12-31 in the 2025 file, so deleted as of 2022-01-01;
    # A2001 is new since 2020.
    assert deleted["A4397"] == "2022-01-01" and "A2001" in report.added
    assert len(report.added) > 1000 and report.action_checks
    # Added after the 2020 file and terminated before the 2025 one: in no list before (the review found 210).
    between = {d["code"]: d["deleted_date"] for d in report.added_and_deleted}
    assert between.get("C9803") == "2024-01-01" and "C9803" not in report.added
    assert report.to_json()["counts"]["added_and_deleted"] == len(between) > 100  # type: ignore[index]
    section = Catalog.from_db(store.conn).section_for("A4397")
    assert section is not None
    narrowed = compare(store.conn, "cms-hcpcs", section=section.name)
    codes = narrowed.added + [d["code"] for d in narrowed.deleted] + [d.code for d in narrowed.descriptors]
    assert "A4397" in {d["code"] for d in narrowed.deleted} and {c[0] for c in codes} == {"A"}
    qpp = compare(store.conn, "cms-qpp")
    # The 2026 measures file lists no codes per measure (checked in the file): it removed none of 2025's roles
    # (they were all reported "removed"); roles are not compared, measures and titles are.
    links = dict(store.conn.execute(
        "SELECT source_id, count(DISTINCT measure_id || ' ' || code || ' ' || role || ' ' || modifier) "
        "FROM measure_codes GROUP BY source_id").fetchall())
    assert links.get(qpp.new.source_id, 0) == 0 and links[qpp.old.source_id] > 1000
    assert qpp.roles == [] and not qpp.roles_comparable and qpp.measures_added and qpp.measures_removed


def test_change_exports_never_carry_a_formula(tmp_path: Path) -> None:
    """A descriptor that starts like a formula is text in the CSV and the workbook; a negative delta stays a
    number (issue 12, round 2: CSV injection)."""
    import csv

    from openpyxl import load_workbook

    from desktop_app.core.changes import ChangeReport, DescriptorChange, FactChange, Release, export

    old, new = Release(1, "cms-rvu", "old", "R1", ""), Release(2, "cms-rvu", "new", "R2", "")
    report = ChangeReport("cms-rvu", old, new,
                          descriptors=[DescriptorChange("X0001", "short", "plain", '=HYPERLINK("http://x")')],
                          facts=[FactChange("X0001", "work_rvu", 1.5, 1.25, -0.25)])
    export(report, str(tmp_path / "c.csv"))
    with (tmp_path / "c.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][4] == "'=HYPERLINK(\"http://x\")" and rows[2][5] == "-0.25"
    export(report, str(tmp_path / "c.xlsx"))
    sheet = load_workbook(tmp_path / "c.xlsx").active
    assert sheet["E3"].data_type == "s" and sheet["E3"].value == '=HYPERLINK("http://x")'


def test_section_choices_are_the_names_find_section_accepts() -> None:
    from desktop_app.core.catalog import Catalog
    from desktop_app.core.changes import find_section, section_choices
    from desktop_app.core.resources import data_dir

    catalog = Catalog.from_files(data_dir())
    choices = section_choices(catalog)
    assert choices and choices[0][1] == 0
    for name, _depth in choices:
        assert find_section(catalog, name).name == name


@pytest.mark.parametrize(("family", "shown"), [
    ("cms-qpp", ["roles added", "roles removed", "measures added", "measures removed", "titles changed"]),
    ("cms-rvu", ["added", "deleted", "reinstated", "descriptor changed", "facts changed", "added and deleted"]),
    ("cms-hcpcs", ["added", "deleted", "reinstated", "descriptor changed", "facts changed", "action codes checked",
                   "action codes disagreeing", "added and deleted"]),
])
def test_the_counts_shown_are_the_ones_a_family_can_have(family: str, shown: list[str]) -> None:
    # A measures release compared with the next said "0 added, 0 deleted, 0 reinstated, 0 descriptor changed, 0
    # facts changed, 0 action codes checked, …" before its measure counts: zeros it can never be anything else.
    old, new = Release(1, family, "old", "1", "2030-01-01"), Release(2, family, "new", "2", "2031-01-01")
    assert [words for words, _ in ChangeReport(family, old, new).shown_counts()] == shown
