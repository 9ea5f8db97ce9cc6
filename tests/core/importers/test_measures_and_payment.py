"""Quality measures you can open, payment amounts and the GPCI importer, on invented fixtures (and the real
files when ../shared/data is present)."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from desktop_app.cli import run
from desktop_app.core.database import MIGRATIONS, SCHEMA_VERSION
from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers import import_paths
from desktop_app.core.importers.sniff import sniff_file
from desktop_app.core.importers.textio import SourceFile
from desktop_app.core.measures import find_measures, group_links, measure_detail
from desktop_app.core.quality import QUALITY_ROLES, coded
from desktop_app.core.store import CodeStore


def cli(db: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(["--db", str(db), *args], out, err, io.StringIO(""))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def qpp(db: CodeStore, fixtures: Path) -> CodeStore:
    import_paths(db.conn, [fixtures / "qpp" / "measures-data-2030.json",
                           fixtures / "qpp" / "2030_Claims_SingleSource_V1.0.csv",
                           fixtures / "cms" / "PPRRVU2030_Jan.csv"])
    return db


def test_a_measure_opens_with_its_codes_by_role(qpp: CodeStore) -> None:
    m = measure_detail(qpp.conn, "measure 901")
    assert m.known and m.title == "Invented measure: pretend follow-up documented"
    assert m.title_source == "CMS QPP MIPS measures 2030" and m.years == ("2030",)
    assert m.facts["high_priority"] is True and m.facts["steward"] == "Fixture Steward"
    assert m.option_groups == ("901", "901.01")
    lines = [(q.reported_as, q.role) for q in m.quality]
    assert ("901: G9991 + G9992", "performance met") in lines
    assert ("901: 0990F-8P", "performance not met") in lines
    assert ("901: G9990", "exclusion") in lines and ("901: 0991F-1P", "exception") in lines
    assert not any(role == "reporting" for _, role in lines)  # folded into the met/not met lines
    assert m.eligibility == {"I": ["99990", "99991"]}
    one_group = measure_detail(qpp.conn, "901.01")
    assert one_group.title.endswith("option group 01") and [q.reported_as for q in one_group.quality] == ["0990F"]


def test_measures_are_found_by_number_and_by_title_words(qpp: CodeStore) -> None:
    assert [h.measure_id for h in find_measures(qpp.conn, "measure 901")] == ["901"]
    assert [h.measure_id for h in find_measures(qpp.conn, "pretend follow-up")] == ["901"]
    # Without the measures file, our own bundled short names still name the claims measures.
    assert [h.measure_id for h in find_measures(qpp.conn, "controlling high blood pressure")] == []
    assert [h.measure_id for h in find_measures(qpp.conn, "high blood pressure under control")] == ["236"]
    assert find_measures(qpp.conn, "2") == []  # a bare digit is a code prefix, not a measure
    result = qpp.search("measure 901")
    assert [m.measure_id for m in result.measures] == ["901"]


def test_titles_without_the_measures_file_come_from_our_short_names(db: CodeStore, fixtures: Path) -> None:
    import_paths(db.conn, [fixtures / "qpp" / "2030_Claims_SingleSource_V1.0.csv"])
    db.conn.execute("INSERT INTO measure_codes (measure_id, code, role, source_id) "
                    "SELECT '236', '3074F', 'performance met', id FROM sources WHERE kind = 'cms-qpp-claims'")
    links = db.detail("3074F").measures
    assert links[0].title.startswith("High blood pressure") and "our own words" in links[0].title_source


def test_category_ii_code_no_measure_uses_names_the_years_imported(qpp: CodeStore, tmp_path: Path) -> None:
    qpp.close()
    status, out, _ = cli(qpp.path, "show", "0991T")
    assert status == 1
    status, out, _ = cli(qpp.path, "show", "1036F")
    assert "no imported measure uses 1036F (measure files imported for 2030)" in out


def test_cli_show_and_measure(qpp: CodeStore) -> None:
    qpp.close()
    status, out, _ = cli(qpp.path, "show", "G9992")
    assert status == 1  # not described by any file, but its measures are shown
    assert "G9991 + G9992" in out and "\u2192 performance met" in out and "G9992 + G9993" in out
    status, out, _ = cli(qpp.path, "show", "0990F", "--json")
    data = json.loads(out)
    roles = {(m["measure"], m["role"], m["modifier"]) for m in data["measures"]}
    assert ("901", "performance not met", "8P") in roles and ("901", "performance met", "") in roles
    assert all({"together", "years", "role_label", "title_source"} <= set(m) for m in data["measures"])
    assert data["measure_sources"] and data["payment_notes"]  # status M: no amount, and why
    status, out, _ = cli(qpp.path, "measure", "901")
    assert status == 0 and "Measure 901: Invented measure" in out and "G9991 + G9992" in out
    status, out, _ = cli(qpp.path, "measure", "901", "--json")
    assert json.loads(out)["eligibility_counts"] == {"I": 2}
    status, out, _ = cli(qpp.path, "search", "measure", "901", "--json")
    assert json.loads(out)["measures"][0]["measure"] == "901"


def test_payment_amounts_in_show(qpp: CodeStore, fixtures: Path) -> None:
    summary = import_paths(qpp.conn, [fixtures / "cms" / "GPCI2030.csv"])[0]
    assert (summary.format, summary.release) == ("cms-gpci-csv", "2030")
    detail = qpp.detail("99990", locality="pretend city")
    national, local = [p for p in detail.payments if not p.modifier]
    assert (national.where, national.to_json()["non_facility"], national.to_json()["facility"]) == (
        "national", 96.59, 69.19)
    assert local.where.startswith("ZZ \u2014 PRETEND CITY") and local.to_json()["non_facility"] == 112.39
    assert detail.localities == 3
    qpp.close()
    status, out, _ = cli(qpp.path, "show", "99990", "--locality", "99102-01")
    assert status == 0 and "non-facility $112.39" in out and "national: non-facility $96.59" in out
    assert "Bilateral surgery (modifier 50)" in out and "bilat_surg" not in out
    status, out, err = cli(qpp.path, "show", "99990", "--locality", "zz")
    assert status == 2 and "no single locality" in err
    status, out, _ = cli(qpp.path, "localities")
    assert "99102-01" in out and "TOYLAND" in out
    status, out, _ = cli(qpp.path, "show", "99990", "--json")
    assert json.loads(out)["payments"][0]["formula"].startswith("total RVUs")


@pytest.mark.parametrize(("edit", "reason"), [
    (lambda t: t.replace("1.200", "abc"), "PE GPCI 'abc' is not a number"),
    (lambda t: t.replace("1.200", "nan"), "out of range"),
    (lambda t: t.replace("1.200", "90"), "out of range"),
    (lambda t: t.replace("99103,YY,99", "99102,YY,01"), "duplicate key: MAC 99102 locality 01"),
    (lambda t: t.replace("99102,ZZ,01,PRETEND CITY*,1.100,1.200,1.500", "99102,ZZ,01"), "columns"),
])
def test_broken_gpci_files_are_refused_and_change_nothing(db: CodeStore, fixtures: Path, tmp_path: Path,
                                                          edit: object, reason: str) -> None:
    path = tmp_path / "GPCI2030.csv"
    path.write_text(edit((fixtures / "cms" / "GPCI2030.csv").read_text()))  # type: ignore[operator]
    before = list(db.conn.iterdump())
    with pytest.raises(ImportFileError) as info:
        import_paths(db.conn, [path])
    assert reason in str(info.value) and "GPCI2030.csv" in str(info.value) and "line" in str(info.value)
    assert list(db.conn.iterdump()) == before


def test_a_version_2_database_gets_the_claims_roles_read_again(tmp_path: Path) -> None:
    """Rows the old reader stored (_PD read as met) are corrected from the file's own element names."""
    path = tmp_path / "v2.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[0](raw)
    MIGRATIONS[1](raw)
    raw.execute("PRAGMA user_version = 2")
    raw.execute("INSERT INTO sources (id, kind, name, file_name, release, loaded_at) "
                "VALUES (7, 'cms-qpp-claims', 'claims 2030', 'x.csv', '2030', 'then')")
    rows = [("236", "G8752", "performance met", "G_CODE_1_PD"), ("236", "G8754", "performance met", "G_CODE_1_PD"),
            ("236", "G8752", "performance not met", "G_CODE_1_PN"),
            ("236", "G8754", "performance not met", "G_CODE_1_PN"),
            ("134", "G8432", "performance not met", "G_CODE_PN_X"), ("134", "G8433", "exception", "G_CODE_PD_Exe")]
    raw.executemany("INSERT INTO measure_codes (measure_id, code, role, role_detail, source_id) VALUES (?, ?, ?, ?, 7)",
                    rows)
    raw.execute("INSERT INTO measures (measure_id, source_id, title) VALUES ('226.01', 7, 'Measure 226, sub-measure')")
    raw.close()
    store = CodeStore.open(path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    got = set(store.conn.execute("SELECT measure_id, code, role, together FROM measure_codes").fetchall())
    assert {tuple(r) for r in got} == {
        ("236", "G8752", "reporting", "G8752 + G8754"), ("236", "G8754", "reporting", "G8752 + G8754"),
        ("236", "G8752", "performance met", "G8752 + G8754"), ("236", "G8754", "performance met", "G8752 + G8754"),
        ("134", "G8432", "performance not met", ""), ("134", "G8433", "exception", "")}
    assert store.conn.execute("SELECT count(*) FROM measures WHERE source_id = 7").fetchone()[0] == 0
    store.close()


# --- the real files -------------------------------------------------------------------------------------------

def test_real_qpp_files_agree_on_every_claims_measure(db: CodeStore, real_data: Path) -> None:
    folder = real_data / "cms-qpp-measures"
    json_summary, claims_summary = import_paths(
        db.conn, [folder / "measures-data-2025.json", folder / "2025_Claims_SingleSource_V9.1.csv"])

    def options(source_id: int) -> set[tuple[str, str, str]]:
        return {(r[0], r[1], r[2] or coded(r[3], r[4])) for r in db.conn.execute(
            "SELECT measure_id, role, together, code, modifier FROM measure_codes WHERE source_id = ?",
            (source_id,)) if r[1] in QUALITY_ROLES}

    from_claims = options(claims_summary.source_id)
    claims_measures = {m for m, _, _ in from_claims}
    from_json = {o for o in options(json_summary.source_id) if o[0] in claims_measures}
    assert len(claims_measures) == 29 and len(from_claims) > 150
    assert from_json == from_claims, (sorted(from_json - from_claims), sorted(from_claims - from_json))
    for option in [("047", "performance met", "1123F"), ("047", "performance not met", "1123F-8P"),
                   ("236", "performance met", "G8752 + G8754"), ("236", "performance not met", "G8753 + G8754"),
                   ("134", "performance not met", "G8432"), ("134", "exception", "G8433"),
                   ("134", "exclusion", "G9717"), ("024.01", "performance met", "5015F")]:
        assert option in from_claims
    # What a coder sees for 1123F: met plain, not met with 8P; never both for the same report.
    lines = {(line.reported_as, line.role) for g in group_links(db.detail("1123F").measures) for line in g.lines}
    assert lines == {("1123F", "performance met"), ("1123F-8P", "performance not met")}
    lines = {(line.reported_as, line.role) for g in group_links(db.detail("G8753").measures) for line in g.lines}
    assert ("G8753 + G8754", "performance not met") in lines and not any(r == "performance met" for _, r in lines)


def test_real_gpci_file(real_data: Path) -> None:
    from desktop_app.core.importers import cms_gpci
    from desktop_app.core.importers.model import Monitor

    path = real_data / "cms-gpci-2026" / "GPCI2026.csv"
    sf = SourceFile(path.name, path.read_bytes())
    assert sniff_file(sf) == cms_gpci.FORMAT
    ds = cms_gpci.parse(sf, Monitor())
    assert ds.release == "2026" and len(ds.localities) == 109
    alabama = next(x for x in ds.localities if x.state == "AL")
    assert (alabama.mac, alabama.number, alabama.work_gpci) == ("10112", "00", 1.0)
    assert not any(x.name.endswith("*") for x in ds.localities)
