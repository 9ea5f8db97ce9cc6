"""A whole AMA CPT release in the shapes the AMA's public ETL code and its test fixtures show (AMADataLabs/Core;
hapifhir CPTImporter): every member read or skipped with a note, the history visible in `show`, release names
as they are found in the wild. All codes and text are invented (tests/fixtures/make_fixtures.py)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from importer_helpers import FIXTURES, dump
from test_broken import expect_failure

from desktop_app.cli import run
from desktop_app.core.details import codes_named, link_codes
from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers import import_paths
from desktop_app.core.importers.ama_cpt import history_date, modifier_name, name_year
from desktop_app.core.store import CodeStore

RELEASE = FIXTURES / "ama" / "CPT 2030 data files"
STANDARD = RELEASE / "standard"
HISTORY = RELEASE / "CPT Link" / "history"


def show(store: CodeStore, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(["--db", str(store.path), "show", *args], out, err, io.StringIO())
    assert err.getvalue() == ""
    return status, out.getvalue()


def test_whole_release_folder_then_show(db: CodeStore) -> None:
    """Import the release folder as a user would, then `show` a code, a deleted code and a PLA code."""
    summaries = import_paths(db.conn, [RELEASE])
    assert len(summaries) == 1 and summaries[0].release == "2030"
    db.close()
    store = CodeStore.open(db.path)
    try:
        status, text = show(store, "99991")
        assert status == 0
        # Long, medium, short, consumer and clinician descriptors, each once: LONGUT and LONGULF/LONGUF, which
        # carry the same long text again, are not read beside LONGULT.
        for label, words in (("Long descriptor", "Pretend scan of a sample limb; with imaginary contrast"),
                             ("Medium descriptor", "PRETEND SCAN SAMPLE LIMB W/IMAGINARY CONTRAST"),
                             ("Short descriptor", "PRETEND SCAN LIMB"),
                             ("Consumer-friendly descriptor", "Pretend picture of an arm or leg using dye"),
                             ("Clinician descriptor", "Pretend limb scan with imaginary contrast")):
            assert text.count(f"{label} \u2014 AMA CPT 2030 data files:") == 1, label
            assert text.upper().count(words.upper()) == 1, words

        status, text = show(store, "99990")
        assert "History \u2014 AMA CPT 2030 data files:" in text
        assert "before 1982  Added" in text and "2029-01-01   Changed   was: Imaginary visit, first wording" in text

        status, text = show(store, "99980")
        assert "Status: deleted as of 2028-01-01 (valid through 2027-12-31)" in text
        assert "Deletion instruction: use 99990 instead" in text
        record = json.loads(show(store, "99980", "--json")[1])
        assert record["status"] == "deleted" and record["deleted_date"] == "2028-01-01"
        assert record["deletion_instruction"] == {"date": "2028-01-01", "instruction": "use 99990 instead",
                                                  "see": ["99990"], "source": "AMA CPT 2030 data files"}
        assert record["history"] == [{"date": "2028-01-01", "change": "DELETED", "prior": "Old invented procedure",
                                      "current": None, "instruction": None, "see": [],
                                      "source": "AMA CPT 2030 data files"}]
        old = json.loads(show(store, "99982", "--json")[1])
        assert old["deleted_date"] == "before 1982" and old["history"][0]["date"] == "before 1982"

        status, text = show(store, "0999U")
        assert "Laboratory      Example Laboratory" in text and "Manufacturer    Toy Instruments" in text
        pla = json.loads(show(store, "0999U", "--json")[1])
        facts = pla["facts"][0]
        assert (facts["lab_name"], facts["manufacturer_name"]) == ("Example Laboratory", "Toy Instruments")
        assert json.loads(show(store, "0998U", "--json")[1])["status"] == "deleted"
    finally:
        store.close()


def copy_release(tmp_path: Path, name: str, *members: Path) -> Path:
    """A copy of the fixture release (or of some of its members) in a folder called ``name``."""
    target = tmp_path / name
    if not members:
        shutil.copytree(RELEASE, target)
        return target
    target.mkdir()
    for member in members:
        shutil.copy(member, target / member.name)
    return target


@pytest.mark.parametrize(("folder", "members", "release", "effective"), [
    ("2030 Standard Update 2", (), "2030-U2", "2030-01-01"),
    # A date stamp in the autumn carries the next year's codes; one in the winter its own year's.
    ("CPT_Link_20290901", (HISTORY / "History_DTK_tab.txt", HISTORY / "Deleted_DTK_tab.txt"),
     "2030 deleted + history", "2030-01-01"),
    ("CPT_Link_20300131", (HISTORY / "History_DTK_tab.txt",), "2030 history", "2030-01-01"),
    ("CPT 2030 Data File_PLA Q2 Updt", (STANDARD / "Proprietary Laboratory Analyses (PLA) Codes" / "CPTPLA",),
     "2030-Q2 PLA", "2030-07-01"),
    ("PLA Code Data Files_ 2030_Q4", (STANDARD / "Proprietary Laboratory Analyses (PLA) Codes" / "CPTPLA",),
     "2030-Q4 PLA", "2031-01-01"),
])
def test_release_names_seen_in_the_wild(db: CodeStore, tmp_path: Path, folder: str, members: tuple[Path, ...],
                                        release: str, effective: str) -> None:
    if not members:  # the history files alone would be kept only for codes already in the database
        import_paths(db.conn, [RELEASE])
    elif "history" in release:
        import_paths(db.conn, [STANDARD / "LONGULT.txt"])
    summary = import_paths(db.conn, [copy_release(tmp_path, folder, *members)])[0]
    assert summary.release == release
    row = db.conn.execute("SELECT effective_date FROM sources WHERE id = ?", (summary.source_id,)).fetchone()
    assert row[0] == effective


@pytest.mark.parametrize(("name", "year"), [
    ("2021 Standard Update 2", 2021), ("CPT_Link_20200131", 2020), ("CPT_Link_20200901", 2021),
    ("CPT_Link_20201001", 2021), ("CPT 2021 Data File_PLA Q2 Updt", 2021), ("PLA Code Data Files_ 2022_Q4", 2022),
    ("standard", None), ("CPT Link", None), ("ConsumerDescriptor.txt", None),
])
def test_name_year(name: str, year: int | None) -> None:
    assert name_year(name) == year


@pytest.mark.parametrize(("text", "expected"), [
    ("20300101", "2030-01-01"), ("Pre-1982", "before 1982"), ("Pre-1990", "before 1990"), ("PRE 1990", "before 1990"),
    ("2030-01-01", "2030-01-01"), ("20301301", None), ("20290101 CHANGED", None), ("", None), ("soon", None),
])
def test_history_dates(text: str, expected: str | None) -> None:
    assert history_date(text) == expected


@pytest.mark.parametrize(("label", "first", "text", "name"), [
    ("CPT modifier", "Increased Toy Services: When the work", "Increased Toy Services: When the work is more",
     "Increased Toy Services"),
    ("Category II performance measure modifier", "Exclusion Modifier due to Pretend Reasons",
     "Exclusion Modifier due to Pretend Reasons Reasons include: Pretend", "Exclusion Modifier due to Pretend Reasons"),
    ("CPT Level I modifier (hospital outpatient/ASC)", "Significant, Separately Identifiable Toy and",
     "Significant, Separately Identifiable Toy and Pretend Service: For reporting",
     "Significant, Separately Identifiable Toy and Pretend Service"),
    ("CPT modifier", "A sentence. Then: more", "A sentence. Then: more", "A sentence. Then"),
    ("Anesthesia physical status modifier", "An invented healthy patient", "An invented healthy patient", ""),
])
def test_modul_names(label: str, first: str, text: str, name: str) -> None:
    assert modifier_name(label, first, text) == name


def test_codes_in_instructions_become_links() -> None:
    assert link_codes("use 99990 instead") == [("use ", None), ("99990", "99990"), (" instead", None)]
    assert codes_named("To report, see 0001U-0003U, 99202 or 0042T; not 123456 or ABCDE") == [
        "0001U", "0003U", "99202", "0042T"]
    assert codes_named("Descriptor not available") == []


def test_longut_alone_is_read_as_the_long_descriptor(db: CodeStore) -> None:
    summary = import_paths(db.conn, [STANDARD / "LONGUT.txt"])[0]
    text = db.conn.execute("SELECT text FROM descriptors WHERE code = '99990' AND source_id = ?",
                           (summary.source_id,)).fetchone()[0]
    assert text == "IMAGINARY VISIT OF AN EXAMPLE PATIENT, BRIEF, WITH PRETEND HISTORY AND A MADE-UP EXAM"


@pytest.mark.parametrize("name", ["LONGUF.txt", "LONGULF.txt"])
def test_a_fixed_field_file_alone_says_what_to_import(db: CodeStore, name: str) -> None:
    error = expect_failure(db, STANDARD / name, None, "fixed-field records.*LONGULT.txt.*whole release")
    assert error.file_name == name


@pytest.mark.parametrize("member", ["LONGUF.txt", "LONGULF.txt", "LONGUT.txt"])
def test_a_damaged_member_that_is_not_read_is_skipped_not_refused(db: CodeStore, tmp_path: Path,
                                                                  member: str) -> None:
    folder = copy_release(tmp_path, "CPT 2030 data files")
    (folder / "standard" / member).write_bytes("cut off, UTF-16, not a record".encode("utf-16"))
    summary = import_paths(db.conn, [folder])[0]
    assert any(member in note and "skipped" in note for note in summary.notes)


@pytest.mark.parametrize(("member", "damage", "line", "reason"), [
    ("standard/MEDU.txt", lambda d: d[: d.rindex(b"\r\n") - 4], 8, "cut off"),
    ("standard/SHORTU.txt", lambda d: d.replace(b"PRETEND SCAN", b"PRETEND \x81SCAN"), 8, "encoding"),
    ("CPT Link/history/History_DTK_tab.txt", lambda d: d.replace(b"See fixture notes", b"See\tfixture\tnotes"), 4,
     "expected 8 columns, found 10"),
    ("CPT Link/history/Deleted_DTK_tab.txt", lambda d: d.replace(b"Pre-1982", b"Once"), 3,
     "'Once' is not a date"),
    ("CPT Link/history/HistoryModifiers_DTK_tab.txt", lambda d: d.replace(b"\tADDED\t9000032", b"\t\t9000032"), 4,
     "'' is not a change type"),
])
def test_a_damaged_member_refuses_the_whole_release(db: CodeStore, tmp_path: Path, member: str, damage: object,
                                                    line: int, reason: str) -> None:
    folder = copy_release(tmp_path, "CPT 2030 data files")
    target = folder / member
    target.write_bytes(damage(target.read_bytes()))  # type: ignore[operator]
    before = dump(db.conn)
    with pytest.raises(ImportFileError) as info:
        import_paths(db.conn, [folder])
    assert info.value.file_name.endswith(member) and info.value.line == line, str(info.value)
    assert reason in str(info.value)
    assert dump(db.conn) == before
