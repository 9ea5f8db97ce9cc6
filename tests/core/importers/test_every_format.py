"""Every supported format, read from the invented fixtures in tests/fixtures (codes and text are made up)."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from desktop_app.core.importers import ImportSummary, import_paths
from desktop_app.core.store import CodeStore


def one(store: CodeStore, *paths: Path) -> ImportSummary:
    summaries = import_paths(store.conn, list(paths))
    assert len(summaries) == 1, summaries
    return summaries[0]


def facts(store: CodeStore, code: str, source_id: int) -> dict[str, dict[str, object]]:
    return {r["modifier"]: json.loads(r["facts"]) for r in store.conn.execute(
        "SELECT modifier, facts FROM code_facts WHERE code = ? AND source_id = ?", (code, source_id))}


def descriptors(store: CodeStore, code: str, source_id: int) -> list[tuple[str, str]]:
    return sorted((r["kind"], r["text"]) for r in store.conn.execute(
        "SELECT kind, text FROM descriptors WHERE code = ? AND source_id = ?", (code, source_id)))


def code_row(store: CodeStore, code: str) -> dict[str, object] | None:
    row = store.conn.execute("SELECT * FROM codes WHERE code = ?", (code,)).fetchone()
    return dict(row) if row else None


def source_rows(store: CodeStore, source_id: int) -> list[tuple[str, str, str]]:
    """All descriptors and facts of one source, for comparing two imports."""
    rows = [("d", r[0], f"{r[1]}|{r[2]}") for r in store.conn.execute(
        "SELECT code, kind, text FROM descriptors WHERE source_id = ?", (source_id,))]
    rows += [("f", f"{r[0]}|{r[1]}", r[2]) for r in store.conn.execute(
        "SELECT code, modifier, facts FROM code_facts WHERE source_id = ?", (source_id,))]
    return sorted(rows)


# --- CMS RVU -------------------------------------------------------------------------------------------------

RVU_CODES = {"0990F", "0991F", "0990T", "99990", "99991", "99992", "99993", "99994", "A9990", "D9990", "G9990"}


def test_rvu_csv(db: CodeStore, fixtures: Path) -> None:
    path = fixtures / "cms" / "PPRRVU2030_Jan.csv"
    s = one(db, path)
    assert (s.format, s.release, s.source_name) == ("cms-rvu-csv", "RVU30A", "CMS PFS RVU 2030 January (RVU30A)")
    assert (s.added, s.updated, s.unchanged, s.warnings) == (11, 0, 0, [])
    src = db.conn.execute("SELECT * FROM sources WHERE id = ?", (s.source_id,)).fetchone()
    assert src["kind"] == "cms-rvu" and src["effective_date"] == "2030-01-01" and src["file_name"] == path.name
    assert src["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    counts = json.loads(src["counts"])
    assert {k: counts[k] for k in ("added", "updated", "unchanged", "warnings")} == {
        "added": 11, "updated": 0, "unchanged": 0, "warnings": 0}
    assert {r[0] for r in db.conn.execute("SELECT DISTINCT code FROM code_facts WHERE source_id = ?",
                                          (s.source_id,))} == RVU_CODES

    visit = facts(db, "99990", s.source_id)
    assert set(visit) == {"", "53"}  # the 53 row is a component of 99990, not a code
    base = visit[""]
    assert base["status_code"] == "A"
    assert base["work_rvu"] == 1.30 and base["global_days"] == "XXX" and base["conversion_factor"] == 35.1234
    assert base["pctc_indicator"] == "0"
    # The meanings are not stored (every row repeated them); the details join them, in sorted key order.
    assert not {"status", "pctc", "global_period"} & base.keys()
    shown = next(f.values for f in db.detail("99990").facts if f.modifier == "")
    assert str(shown["status"]).startswith("Active") and str(shown["pctc"]).startswith("Physician service")
    assert shown["global_period"] == "The global period does not apply"
    assert list(shown) == sorted({**base, "status": "", "pctc": "", "global_period": ""})
    assert descriptors(db, "99990", s.source_id) == [("short", "Imaginary visit, brief")]
    assert code_row(db, "99990")["title"] == "Imaginary visit, brief"  # type: ignore[index]

    assert set(facts(db, "99991", s.source_id)) == {"", "26", "TC"}
    assert facts(db, "99991", s.source_id)[""]["facility_na"] == "NA"
    assert code_row(db, "9999126") is None and code_row(db, "99991TC") is None
    # A code with component rows only still gets its descriptor from the first component row.
    assert descriptors(db, "99992", s.source_id) == [("short", "Fictional reading, test site")]
    surgery = facts(db, "99994", s.source_id)[""]
    assert surgery["global_days"] == "090" and surgery["preop_share"] == 0.10
    assert surgery["not_used_for_medicare_payment"] is True
    deleted = code_row(db, "99993")
    assert deleted is not None and deleted["status"] == "deleted" and deleted["deleted_date"] == "2030-01-01"
    assert code_row(db, "0990F")["code_set"] == "II" and code_row(db, "0990T")["code_set"] == "III"  # type: ignore[index]


def test_rvu_csv_txt_and_xlsx_agree(new_db: Callable[[str], CodeStore], fixtures: Path) -> None:
    results = {}
    for suffix in ("csv", "txt", "xlsx"):
        store = new_db(suffix)
        s = one(store, fixtures / "cms" / f"PPRRVU2030_Jan.{suffix}")
        assert s.format == f"cms-rvu-{suffix}" and s.release == "RVU30A"
        results[suffix] = source_rows(store, s.source_id)
    assert results["csv"] == results["txt"] == results["xlsx"]
    assert len(results["csv"]) == 11 + 15  # descriptors + fact rows


def test_rvu_zip_reads_one_form_and_skips_the_rest(db: CodeStore, fixtures: Path, tmp_path: Path) -> None:
    archive = tmp_path / "RVU30A.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for suffix in ("csv", "txt", "xlsx"):
            zf.write(fixtures / "cms" / f"PPRRVU2030_Jan.{suffix}", f"PPRRVU2030_Jan.{suffix}")
        zf.writestr("RVU30A.pdf", b"%PDF-1.4\x00\x01 not really")
        zf.writestr("GPCI2030.csv", "Medicare Administrative Contractor,Locality,Name\n01112,05,Toy place\n")
    s = one(db, archive)
    assert s.format == "cms-rvu-csv" and s.release == "RVU30A" and s.added == 11
    assert s.file_name == "RVU30A.zip/PPRRVU2030_Jan.csv"
    assert any("same data" in note for note in s.notes) and any("GPCI2030.csv" in note for note in s.notes)


# --- CMS HCPCS ----------------------------------------------------------------------------------------------

A9990_LONG = ("Toy supply item for an imaginary wound, sterile, each; includes pretend adhesive border and a made-up "
              "protective film, size up to sixteen square inches, for use with a fictional kit")
Z1_LONG = ("Imaginary modifier for a pretend second session on the same day by the same fixture clinician when the "
           "example requires it")


def test_hcpcs_txt(db: CodeStore, fixtures: Path) -> None:
    s = one(db, fixtures / "cms" / "HCPC2030_ANWEB_fixture.txt")
    assert (s.format, s.release, s.source_name) == ("cms-hcpcs-txt", "2030-01", "CMS HCPCS Level II 2030 (annual)")
    assert s.modifiers == 2 and s.added == 6
    # Continuation records joined in sequence order (the file has them out of order; one is cut at 91).
    assert descriptors(db, "A9990", s.source_id) == [("long", A9990_LONG), ("short", "Toy supply item")]
    a9990 = facts(db, "A9990", s.source_id)[""]
    assert a9990["added_date"] == "2030-01-01" and a9990["action_code"] == "A" and a9990["action"] == "Added"
    assert a9990["betos"] == "D1A" and a9990["coverage_code"] == "C" and a9990["pricing_indicators"] == ["00"]
    assert "deleted_date" not in a9990
    old = code_row(db, "A9991")
    assert old is not None and old["status"] == "deleted" and old["deleted_date"] == "2016-01-01"  # TERM DT 20151231
    assert facts(db, "J9990", s.source_id)[""]["cross_references"] == ["J9991"]
    modifier = code_row(db, "Z1")
    assert modifier is not None and modifier["kind"] == "modifier" and modifier["code_set"] == "HCPCS"
    assert descriptors(db, "Z1", s.source_id) == [("long", Z1_LONG), ("short", "Pretend second session")]
    assert code_row(db, "A9990")["title"] == A9990_LONG  # type: ignore[index]


def test_hcpcs_xlsx(db: CodeStore, fixtures: Path) -> None:
    s = one(db, fixtures / "cms" / "HCPC2030_APR_ANWEB.xlsx")
    assert (s.format, s.release, s.source_name) == ("cms-hcpcs-xlsx", "2030-04", "CMS HCPCS Level II 2030 April")
    assert s.modifiers == 2 and s.added == 7
    assert descriptors(db, "A9990", s.source_id)[0] == ("long", A9990_LONG)
    assert facts(db, "G9990", s.source_id)[""]["action_effective_date"] == "2020-01-01"  # numeric cell
    assert code_row(db, "A9992") is not None and code_row(db, "Z2")["kind"] == "modifier"  # type: ignore[index]


def test_hcpcs_txt_and_xlsx_describe_the_same_codes(new_db: Callable[[str], CodeStore], fixtures: Path) -> None:
    txt, xlsx = new_db("txt"), new_db("xlsx")
    a = one(txt, fixtures / "cms" / "HCPC2030_ANWEB_fixture.txt")
    b = one(xlsx, fixtures / "cms" / "HCPC2030_APR_ANWEB.xlsx")
    for code in ("A9990", "A9991", "J9990", "Z1", "Z2"):
        assert descriptors(txt, code, a.source_id) == descriptors(xlsx, code, b.source_id)
        assert facts(txt, code, a.source_id) == facts(xlsx, code, b.source_id)


# --- CMS QPP -------------------------------------------------------------------------------------------------

def links(store: CodeStore, code: str) -> set[tuple[str, str, str, str]]:
    return {(r["measure_id"], r["role"], r["role_detail"], r["modifier"]) for r in store.conn.execute(
        "SELECT * FROM measure_codes WHERE code = ?", (code,))}


def options(store: CodeStore, kind: str) -> set[tuple[str, str, str]]:
    """(measure, role, what is reported) for the quality roles of one kind of source."""
    return {(r[0], r[1], r[2] or (f"{r[3]}-{r[4]}" if r[4] else r[3])) for r in store.conn.execute(
        """SELECT mc.measure_id, mc.role, mc.together, mc.code, mc.modifier FROM measure_codes mc
           JOIN sources s ON s.id = mc.source_id WHERE s.kind = ? AND mc.role IN
           ('performance met', 'performance not met', 'exclusion', 'exception')""", (kind,))}


def test_qpp_json(db: CodeStore, fixtures: Path) -> None:
    s = one(db, fixtures / "qpp" / "measures-data-2030.json")
    assert (s.format, s.release, s.source_name) == ("cms-qpp-json", "2030", "CMS QPP MIPS measures 2030")
    assert s.measures == 3 and s.added == 3  # option group 01 is 901.01, counted with its parent 901
    measures = {r["measure_id"]: r for r in db.conn.execute("SELECT * FROM measures WHERE source_id = ?",
                                                            (s.source_id,))}
    assert set(measures) == {"901", "009", "IA_TEST_1"}  # '9' padded to three digits
    details = json.loads(measures["901"]["details"])
    assert details["high_priority"] is True and details["type"] == "process"
    assert details["specialties"] == ["testSpecialty", "otherSpecialty"]
    assert details["submission_methods"] == ["claims", "registry"]
    assert links(db, "0990F") == {("901", "performance met", "performanceMet", ""),
                                  ("901.01", "performance met", "performanceMet", ""),
                                  ("901", "performance not met", "performanceNotMet", "8P")}
    assert links(db, "G9990") == {("901", "exclusion", "eligiblePopulationExclusion", "")}
    assert links(db, "0991F") == {("901", "exception", "eligiblePopulationException", "1P")}
    together = {(r[0], r[1]) for r in db.conn.execute("SELECT role, together FROM measure_codes WHERE code = 'G9992'")}
    assert together == {("performance met", "G9991 + G9992"), ("performance not met", "G9992 + G9993")}
    eligibility = db.conn.execute(
        "SELECT measure_id, conditions FROM measure_codes WHERE code = '99990' ORDER BY measure_id").fetchall()
    assert [r[0] for r in eligibility] == ["901", "901.01"]  # option group 01 is the claims file's 901.01
    assert json.loads(eligibility[0][1]) == {
        "min_age": 18, "modifier_exclusions": ["GQ"], "place_of_service_exclusions": ["02"]}
    # Diagnosis codes are counted, not linked; measure codes do not create code rows.
    assert db.conn.execute("SELECT count(*) FROM measure_codes WHERE code LIKE 'X99%'").fetchone()[0] == 0
    counts = json.loads(db.conn.execute("SELECT counts FROM sources WHERE id = ?", (s.source_id,)).fetchone()[0])
    assert counts["diagnosis_codes"] == 3 and any("diagnosis" in n for n in s.notes)
    assert code_row(db, "0990F") is None
    # Once a file describes the code, its detail lists the measures (measure_codes are read by code).
    one(db, fixtures / "cms" / "PPRRVU2030_Jan.csv")
    detail = db.detail("0990F")
    assert detail.known and {m.measure_id for m in detail.measures} == {"901", "901.01"}
    assert detail.measures[0].title == "Invented measure: pretend follow-up documented"


def test_qpp_claims_csv(db: CodeStore, fixtures: Path) -> None:
    s = one(db, fixtures / "qpp" / "2030_Claims_SingleSource_V1.0.csv")
    assert (s.format, s.release) == ("cms-qpp-claims-csv", "2030")
    assert s.source_name == "CMS QPP claims single source 2030 (V1.0)"
    # _PN is performance met, _PN_X not met, plain _PD a quality-data code counted for reporting.
    assert links(db, "0990F") == {("901", "reporting", "CPT_II_PD", ""),
                                  ("901", "reporting", "CPT_II_PD", "8P"),
                                  ("901", "performance met", "CPT_II_PN", ""),
                                  ("901", "performance not met", "CPT_II_PN_X", "8P"),
                                  ("901.01", "reporting", "CPT_II_PD_2", ""),
                                  ("901.01", "performance met", "CPT_II_PN_2", "")}
    assert links(db, "G9990") == {("901", "exclusion", "G_CODE_PD_Exl", "")}
    assert links(db, "0991F") == {("901", "exception", "CPT_II_PD_Exe", "1P")}
    assert links(db, "99991") == {("901", "unrecognised", "SOME_NEW_ROLE", "")}  # kept, never guessed
    together = {(r[0], r[1]) for r in db.conn.execute("SELECT role, together FROM measure_codes WHERE code = 'G9992'")}
    assert together == {("reporting", "G9991 + G9992"), ("reporting", "G9992 + G9993"),
                        ("performance met", "G9991 + G9992"), ("performance not met", "G9992 + G9993")}
    assert links(db, "0990T") == {("902", "eligibility", "PROC_CODE", "")}
    encounter = db.conn.execute("SELECT conditions FROM measure_codes WHERE code = '99990'").fetchone()[0]
    assert json.loads(encounter) == {"age": "\u226518", "min_age": 18, "modifier_exclusions": ["GQ", "GT"],
                                     "place_of_service_exclusions": ["02", "10"], "sex": ["M", "F"]}
    # No invented "sub-measure" title: 901.01 is named by its parent (here our fixture has none: no title).
    assert db.conn.execute("SELECT count(*) FROM measures WHERE measure_id = '901.01'").fetchone()[0] == 0
    assert s.measures == 3  # 901, 901.01 and 902
    counts = json.loads(db.conn.execute("SELECT counts FROM sources WHERE id = ?", (s.source_id,)).fetchone()[0])
    assert counts["diagnosis_codes"] == 2
    assert db.conn.execute("SELECT count(*) FROM codes WHERE code IN (SELECT code FROM measure_codes)"
                           ).fetchone()[0] == 0


def test_qpp_files_agree_on_every_role(db: CodeStore, fixtures: Path) -> None:
    """Both QPP files describe the same options; read with core.quality they give the same roles."""
    one(db, fixtures / "qpp" / "measures-data-2030.json")
    one(db, fixtures / "qpp" / "2030_Claims_SingleSource_V1.0.csv")
    from_json, from_claims = options(db, "cms-qpp"), options(db, "cms-qpp-claims")
    assert from_json == from_claims
    assert ("901", "performance met", "G9991 + G9992") in from_json
    assert ("901", "performance not met", "0990F-8P") in from_json


def test_qpp_detail_shows_combinations_once_with_both_sources(db: CodeStore, fixtures: Path) -> None:
    from desktop_app.core.measures import group_links

    one(db, fixtures / "qpp" / "measures-data-2030.json")
    one(db, fixtures / "qpp" / "2030_Claims_SingleSource_V1.0.csv")
    groups = group_links(db.detail("G9992").measures)
    assert [(g.measure_id, [(line.reported_as, line.role) for line in g.lines]) for g in groups] == [
        ("901", [("G9991 + G9992", "performance met"), ("G9992 + G9993", "performance not met")])]
    assert "2030" in groups[0].lines[0].years
    assert "CMS QPP MIPS measures 2030" in groups[0].lines[0].source
    assert "claims single source" in groups[0].lines[0].source
    lines = group_links(db.detail("0990F").measures)[0].lines
    assert [(line.reported_as, line.role) for line in lines] == [
        ("0990F", "performance met"), ("0990F-8P", "performance not met")]  # the reporting rows fold away


# --- a practice's own list ----------------------------------------------------------------------------------

def test_generic_csv(db: CodeStore, fixtures: Path) -> None:
    one(db, fixtures / "cms" / "PPRRVU2030_Jan.csv")
    s = one(db, fixtures / "csv" / "practice_favourites.csv")
    assert (s.format, s.release, s.source_name) == ("csv", "practice_favourites", "Practice list: practice_favourites")
    # Counted against the previous release of this list (there is none), not against the RVU file's codes.
    assert (s.added, s.updated, s.modifiers) == (4, 0, 1)
    assert descriptors(db, "0990F", s.source_id) == [("practice", "Measure note we always add")]
    assert facts(db, "0990F", s.source_id) == {"": {"category": "quality"}}
    # Practice text never outranks official text as the title, but titles a code nothing else describes.
    assert code_row(db, "99990")["title"] == "Imaginary visit, brief"  # type: ignore[index]
    assert code_row(db, "Q9990")["title"] == "Practice-only supply we stock"  # type: ignore[index]
    assert code_row(db, "Z1")["kind"] == "modifier"  # type: ignore[index]


def test_generic_csv_semicolons_and_windows_1252(db: CodeStore, fixtures: Path) -> None:
    s = one(db, fixtures / "csv" / "semicolon_list_cp1252.csv")
    assert descriptors(db, "99991", s.source_id) == [("practice", "Pretend scan \u2013 our \u201cusual\u201d wording")]


# --- AMA CPT data files -------------------------------------------------------------------------------------

AMA_2030 = "CPT 2030 data files"


def check_ama_2030(db: CodeStore, s: ImportSummary) -> None:
    assert (s.release, s.source_name, s.format) == ("2030", "AMA CPT 2030 data files", "ama-cpt-release")
    assert db.conn.execute("SELECT count(*) FROM sources WHERE kind = 'ama-cpt'").fetchone()[0] == 1
    # LONGUT beside LONGULT, the fixed-field LONGULF/LONGUF and the PLA side file: skipped, each with a note.
    for name, why in (("LONGUT.txt", "upper case"), ("LONGULF.txt", "fixed-field"), ("LONGUF.txt", "fixed-field"),
                      ("CPTPLATab.txt", "not published")):
        assert any(name in note and why in note for note in s.notes), (name, s.notes)
    kinds = descriptors(db, "99990", s.source_id)
    # One long descriptor: LONGUT's upper-case copy of it is not a second one.
    assert [k for k, _ in kinds] == ["clinician", "clinician", "consumer", "long", "medium", "short"]
    assert ("long", "Imaginary visit of an example patient, brief, with pretend history and a made-up exam") in kinds
    assert str(db.detail("99990").title).startswith("Imaginary visit of an example")
    assert descriptors(db, "99995", s.source_id) == [("long", "New invented procedure on a caf\u00e9-style toy model")]
    plain = facts(db, "99990", s.source_id)[""]
    history = plain["history"]
    assert plain["concept_id"] == "9000001"
    # Rows of 6 fields under 8 names are padded; Pre-1982 is kept as "before 1982" and sorts first.
    assert history == [  # type: ignore[comparison-overlap]
        {"date": "before 1982", "change": "ADDED", "current": "Imaginary visit, first wording"},
        {"date": "2029-01-01", "change": "CHANGED", "prior": "Imaginary visit, first wording",
         "current": "Imaginary visit of an example patient", "instruction": "See fixture notes"}]
    pla = facts(db, "0999U", s.source_id)[""]
    assert pla["lab_name"] == "Example Laboratory" and pla["effective_date"] == "2030-01-01"
    assert pla["pla_status"] == "EXISTING" and pla["publish_date"] == "2029-10-01"
    assert pla["manufacturer_name"] == "Toy Instruments" and pla["test_name"] == "FixtureTest\u00ae Protein Panel"
    pla_text = descriptors(db, "0999U", s.source_id)
    assert ("medium", "MADE-UP ASSAY SAMPLE PROTEINS EXAMPLE PANEL") in pla_text
    assert ("consumer", "Pretend test of proteins in a sample") in pla_text
    assert ("clinician", "Pretend protein panel on a sample, scored") in pla_text
    assert code_row(db, "0999U")["status"] == "active"  # type: ignore[index]
    for code, when in (("0998U", "2029-07-01"), ("99980", "2028-01-01"), ("99982", "before 1982")):
        row = code_row(db, code)
        assert row is not None and row["status"] == "deleted" and row["deleted_date"] == when, (code, row)
    assert descriptors(db, "99980", s.source_id) == [("long", "Old invented procedure retired in the fixture")]
    assert facts(db, "99980", s.source_id)[""]["deletion_instruction"] == "use 99990 instead"
    # "Descriptor not available" / "Not available" are not text: the code is kept, with no descriptor.
    assert descriptors(db, "99982", s.source_id) == []
    assert "level" not in facts(db, "99982", s.source_id)[""]
    assert code_row(db, "99970") is None and any("99970" in w for w in s.warnings)  # history of an unknown code
    assert any("HistoryModifiers_DTK_tab.txt: 1 row(s) without a code" in note for note in s.notes)
    assert facts(db, "9P", s.source_id)[""]["history"] == [
        {"date": "before 1990", "change": "ADDED", "current": "Invented performance measure exclusion modifier"}]
    modul = facts(db, "98", s.source_id)[""]["modifier_types"]
    assert modul == ["CPT modifier", "CPT Level I modifier (hospital outpatient/ASC)"]
    assert ("short", "Pretend Reduced Session") in descriptors(db, "98", s.source_id)
    # Category II: the name is the first line (no colon); the "Reasons include:" lines are description only.
    assert ("short", "Invented performance measure exclusion modifier due to pretend reasons") in \
        descriptors(db, "9P", s.source_id)
    # A name that wraps to a second line before its colon is still the name.
    assert ("short", "Imaginary Service by the Same Pretend Clinician or Other Qualified Toy Professional on the "
            "Same Made-up Day") in descriptors(db, "96", s.source_id)
    assert ("long", "An invented healthy fixture patient") in descriptors(db, "P8", s.source_id)
    # "90 days" wrapped to a line start is not a modifier (90 itself is in the bundle, so ask the import)
    assert descriptors(db, "90", s.source_id) == [] and facts(db, "90", s.source_id) == {}
    assert code_row(db, "9P")["code_set"] == "II" and code_row(db, "P9")["kind"] == "modifier"  # type: ignore[index]
    assert code_row(db, "Z3") is not None and code_row(db, "97") is not None


def test_ama_release_folder(db: CodeStore, fixtures: Path) -> None:
    check_ama_2030(db, one(db, fixtures / "ama" / AMA_2030))


def test_ama_release_zip(db: CodeStore, fixtures: Path, tmp_path: Path) -> None:
    archive = Path(shutil.make_archive(str(tmp_path / "cpt2030"), "zip", fixtures / "ama", AMA_2030))
    s = one(db, archive)
    check_ama_2030(db, s)
    assert s.file_name == "cpt2030.zip"


def test_ama_files_picked_together_make_one_source(db: CodeStore, fixtures: Path) -> None:
    standard = fixtures / "ama" / AMA_2030 / "standard"
    summaries = import_paths(db.conn, [standard / "LONGULT.txt", standard / "SHORTU.txt", standard / "MEDU.txt"])
    assert len(summaries) == 1
    s = summaries[0]
    assert s.release == "2030" and s.file_name == "LONGULT.txt, SHORTU.txt, MEDU.txt"
    assert [k for k, _ in descriptors(db, "99991", s.source_id)] == ["long", "medium", "short"]


def test_ama_current_format(db: CodeStore, fixtures: Path) -> None:
    s = one(db, fixtures / "ama" / "2031 CPT Standard Annual Update")
    assert (s.release, s.source_name, s.modifiers) == ("2031", "AMA CPT 2031 data files", 2)
    assert descriptors(db, "99990", s.source_id) == [
        ("consumer", "Short pretend doctor visit"),
        ("long", "Imaginary visit of an example patient, brief, 2031 wording"),
        ("medium", "IMAGINARY VISIT BRIEF 2031"), ("short", "IMAGINARY VISIT 2031")]
    plain = facts(db, "99990", s.source_id)[""]
    assert plain["spanish_consumer"] == "Visita breve imaginaria" and plain["descriptor_effective_date"] == "2031-01-01"
    assert facts(db, "0999U", s.source_id)[""]["manufacturer_name"] == "Toy Instruments"
    assert descriptors(db, "9P", s.source_id) == [("long", "Invented performance measure exclusion"),
                                                   ("short", "Invented exclusion")]
    assert facts(db, "9P", s.source_id)[""]["section"] == "Category II Modifiers"


def test_several_formats_in_one_call(db: CodeStore, fixtures: Path) -> None:
    summaries = import_paths(db.conn, [fixtures / "cms" / "PPRRVU2030_Jan.csv", fixtures / "ama" / AMA_2030,
                                       fixtures / "qpp" / "measures-data-2030.json"])
    assert [s.format for s in summaries] == ["cms-rvu-csv", "ama-cpt-release", "cms-qpp-json"]
    assert all(s.seconds >= 0 for s in summaries)
    assert db.detail("0990F").known and db.detail("0990F").measures


def test_ama_single_file_later_does_not_replace_the_release(db: CodeStore, fixtures: Path) -> None:
    full = one(db, fixtures / "ama" / AMA_2030)
    clinician = fixtures / "ama" / AMA_2030 / "standard" / "Clinician Descriptors" / "ClinicianDescriptor.txt"
    part = one(db, clinician)
    assert (part.release, part.source_name) == ("2030 clinician", "AMA CPT 2030 data files (clinician)")
    assert db.conn.execute("SELECT count(*) FROM sources WHERE kind = 'ama-cpt'").fetchone()[0] == 2
    assert ("long", "Imaginary visit of an example patient, brief, with pretend history and a made-up exam") in \
        descriptors(db, "99990", full.source_id)
    again = one(db, clinician)  # the same part again replaces only itself
    assert again.release == "2030 clinician" and again.unchanged == 2
    assert db.conn.execute("SELECT count(*) FROM sources WHERE kind = 'ama-cpt'").fetchone()[0] == 2


def test_ama_quarterly_release_is_its_own_source(db: CodeStore, fixtures: Path, tmp_path: Path) -> None:
    one(db, fixtures / "ama" / AMA_2030)
    quarterly = tmp_path / "CPT 2030 Q2 update"
    shutil.copytree(fixtures / "ama" / AMA_2030, quarterly)
    s = one(db, quarterly)
    assert (s.release, s.source_name) == ("2030-Q2", "AMA CPT 2030 Q2 data files")
    row = db.conn.execute("SELECT effective_date FROM sources WHERE id = ?", (s.source_id,)).fetchone()
    assert row[0] == "2030-07-01"
    assert db.conn.execute("SELECT count(*) FROM sources WHERE kind = 'ama-cpt'").fetchone()[0] == 2


def test_practice_list_saved_without_a_final_line_break_imports(tmp_path: Path) -> None:
    from desktop_app.core.importers import import_paths
    from desktop_app.core.store import CodeStore

    listing = tmp_path / "our-codes.csv"
    listing.write_text("code,descriptor\n99213,Invented clinic wording\n3074F,Another invented wording", "utf-8")
    store = CodeStore.open(tmp_path / "db.sqlite3")
    summary = import_paths(store.conn, [listing])[0]
    assert summary.added + summary.updated + summary.unchanged == 2
    store.close()
