"""The claim check after a hostile review on the real CMS files: a code not valid yet on the date of service, PTP
releases imported in part, an MUE table not in effect on the day, the exit status and unknown codes, and the
modifiers present on an indicator-0 pair. Fixtures are invented codes in the CMS layouts; the real-file tests
skip without ../shared/data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from ncci_fixtures import write_mue, write_ptp

from desktop_app.core import ncci
from desktop_app.core.importers import import_paths
from desktop_app.core.ncci import check_claim, code_edits, parse_claim
from desktop_app.core.store import CodeStore
from tests.fixtures.make_fixtures import _hcpcs_record
from tests.test_cli import cli

REASON_FOR_A_PAIR = "Mutually exclusive procedures"


def write_hcpcs(path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """code, ADD DT, ACT EFF DT, action: one first record each, in the CMS 320-character layout."""
    lines = ["Invented HCPCS file for CodeDesk's tests; nothing here is real.", ""]
    for code, added, effective, action in rows:
        fields = {"short": "Invented item", "cov": "C", "added": added, "effective": effective, "action": action}
        lines.append(_hcpcs_record(code, "00100", "3", f"Invented supply item {code}", fields, None))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


@pytest.fixture
def added_in_october(store: CodeStore, tmp_path: Path) -> CodeStore:
    """C9990 added as of 2030-10-01 (action A), C9991 in the file since 2010 (action N)."""
    write_hcpcs(tmp_path / "HCPC2030_OCT_ANWEB.txt",
                [("C9990", "20301001", "20301001", "A"), ("C9991", "20100101", "20300101", "N")])
    import_paths(store.conn, [tmp_path / "HCPC2030_OCT_ANWEB.txt"])
    store.conn.commit()
    return store


# 1. A code whose first valid day is after the date of service is not valid on it.

def test_a_code_added_after_the_date_of_service_is_not_valid_on_it(added_in_october: CodeStore, db_path: Path
                                                                   ) -> None:
    conn = added_in_october.conn
    before = check_claim(conn, parse_claim("C9990 C9991"), date(2030, 9, 30))
    assert [(c.code, c.reason, c.known) for c in before.codes_invalid] == [
        ("C9990", "takes effect on 2030-10-01 (CMS HCPCS Level II 2030 October): not valid on 2030-09-30", True)]
    assert check_claim(conn, parse_claim("C9990 C9991"), date(2030, 10, 1)).codes_invalid == []  # its first day
    status, out, _ = cli(db_path, "check", "C9990", "--date", "2030-09-30", "--json")
    assert status == 1 and json.loads(out)["codes_invalid"] == [
        {"code": "C9990", "reason": before.codes_invalid[0].reason, "known": True}]
    status, text, _ = cli(db_path, "check", "C9990", "--date", "2030-09-30")
    assert status == 1 and "DENY C9990: takes effect on 2030-10-01" in text


def test_a_pla_code_is_valid_from_its_effective_date(store: CodeStore) -> None:
    """The AMA PLA file's effective date is a start too (the importer's fact); written here as that file's facts
    would be, so the rule is pinned without the AMA file."""
    source = store.conn.execute(
        "INSERT INTO sources (kind, name, file_name, release, effective_date, sha256, loaded_at, counts) "
        "VALUES ('ama-cpt', 'Invented AMA PLA 2031 Q1', 'pla.xml', '2031Q1', '2031-04-01', '', '', '{}')").lastrowid
    store.conn.execute("INSERT INTO codes (code, code_set) VALUES ('0990U', 'I')")
    store.conn.execute("INSERT INTO code_facts (code, modifier, source_id, facts) VALUES ('0990U', '', ?, ?)",
                       (source, json.dumps({"effective_date": "2031-04-01", "pla_status": "New"})))
    early = check_claim(store.conn, parse_claim("0990U"), date(2031, 3, 31))
    assert [c.reason for c in early.codes_invalid] == [
        "takes effect on 2031-04-01 (Invented AMA PLA 2031 Q1): not valid on 2031-03-31"]
    assert check_claim(store.conn, parse_claim("0990U"), date(2031, 4, 1)).codes_invalid == []


# 2. PTP releases imported in part.

@pytest.fixture
def part_one(store: CodeStore, tmp_path: Path) -> CodeStore:
    import_paths(store.conn, [write_ptp(tmp_path / "v322"), write_mue(tmp_path / "mue")])
    store.conn.commit()
    return store


def test_missing_ptp_parts_are_said_wherever_the_check_answers(part_one: CodeStore, db_path: Path) -> None:
    result = check_claim(part_one.conn, parse_claim("20610 99213"), date(2026, 7, 15))
    release = result.ptp_release
    assert release is not None and release.missing_parts == (2, 3, 4) and not release.complete
    assert result.ptp == [] and any("parts 2, 3, 4" in n and "were not checked" in n for n in result.notes)
    status, out, _ = cli(db_path, "check", "20610", "99213", "--date", "2026-07-15", "--json")
    data = json.loads(out)
    assert status == 0  # nothing denied: the caveat is not a denial
    assert data["ptp_release"]["missing_parts"] == [2, 3, 4] and data["ptp_release"]["complete"] is False
    assert data["ptp_release"]["parts"] == [
        {"part": 1, "version": "32.2r0", "file": "ccipra-v322r0-f1.zip/ccipra-v322r0-f1.TXT"}]
    _, text, _ = cli(db_path, "check", "20610", "99213", "--date", "2026-07-15")
    assert "none of these codes pairs with another in an edit in effect on that date in the imported parts; " \
           "parts 2, 3, 4 were not checked" in text
    assert "part 1 (ccipra-v322r0-f1.zip/ccipra-v322r0-f1.TXT)" in text
    _, text, _ = cli(db_path, "edits", "20610")
    assert "parts 2, 3, 4 of the practitioner PTP edits (version 32.2r0) are not imported" in text


def test_an_older_versions_part_fills_a_missing_part(part_one: CodeStore, db_path: Path, tmp_path: Path) -> None:
    """The reviewer's case: a second PTP file, part 2 of version 32.1, was ignored beside part 1 of 32.2."""
    import_paths(part_one.conn, [write_ptp(tmp_path / "v321", "ccipra-v321r0-f2", [
        ("20610", "99213", "", "20100101", "*", "1", REASON_FOR_A_PAIR),
        # A pair the newest version also has (CMS may move a split): the newest's dates judge it.
        ("10001", "10002", "", "20200101", "20221231", "1", REASON_FOR_A_PAIR),
    ])])
    part_one.conn.commit()
    result = check_claim(part_one.conn, parse_claim("20610 99213 10001 10002"), date(2025, 6, 1))
    assert {(p.column1, p.column2) for p in result.ptp} == {("20610", "99213"), ("10001", "10002")}
    assert [(n.column1, n.column2) for n in result.ptp_not_in_effect] == []  # 32.1's deletion is not used
    release = result.ptp_release
    assert release is not None and release.version == "32.2r0" and release.missing_parts == (3, 4)
    assert release.parts_text == ("part 1 (ccipra-v322r0-f1.zip/ccipra-v322r0-f1.TXT), part 2 from version 32.1r0 "
                                  "(ccipra-v321r0-f2.zip/ccipra-v321r0-f2.TXT)")
    _, text, _ = cli(db_path, "check", "20610", "99213", "--date", "2025-06-01")
    assert "DENY 99213 is not paid with 20610" in text and "part 2 from version 32.1r0" in text
    assert code_edits(part_one.conn, "20610").total == 1
    # 10001/10002 is in both versions: the code's edit list shows it once, with the newest dates.
    edits = code_edits(part_one.conn, "10001")
    assert edits.total == 6 and [e.deletion_date for e in edits.edits if e.other_code == "10002"] == [None]


def test_all_four_parts_make_a_complete_release(part_one: CodeStore, tmp_path: Path) -> None:
    import_paths(part_one.conn, [
        write_ptp(tmp_path / f"f{n}", f"ccipra-v322r0-f{n}", [(f"2{n}000", "99213", "", "20200101", "*", "1",
                                                              REASON_FOR_A_PAIR)]) for n in (2, 3, 4)])
    result = check_claim(part_one.conn, parse_claim("20610 99213"), date(2026, 7, 15))
    assert result.ptp_release is not None and result.ptp_release.complete and result.notes == []


# 3. An MUE table not in effect on the date of service judges no units and says so.

def test_an_mue_table_not_in_effect_is_said_and_no_mue_is_never_claimed(part_one: CodeStore, db_path: Path
                                                                         ) -> None:
    _, text, _ = cli(db_path, "check", "10002 x3", "10004", "--date", "2025-01-15")
    assert "not in effect on 2025-01-15 (in effect from 2026-07-01): units not checked" in text
    assert "no MUE" not in text
    data = json.loads(cli(db_path, "check", "10002 x3", "--date", "2025-01-15", "--json")[1])
    assert data["mue_in_effect"] is False and data["mue_release"]["effective_date"] == "2026-07-01"
    _, text, _ = cli(db_path, "check", "10002", "10004", "--date", "2026-07-15")
    assert "no MUE for 10004" in text and "not in effect" not in text  # in effect: a code it lacks is said
    _, text, _ = cli(db_path, "edits", "10002", "--date", "2025-01-15")
    assert "MUE (practitioner): 2 units" in text
    assert "not in effect on 2025-01-15: the table takes effect on 2026-07-01" in text
    data = json.loads(cli(db_path, "edits", "10002", "--date", "2025-01-15", "--json")[1])
    assert data["mue"][0]["in_effect"] is False
    data = json.loads(cli(db_path, "edits", "10002", "--date", "2026-07-15", "--json")[1])
    assert data["mue"][0]["in_effect"] is True


# 4. The exit status, and a code CodeDesk does not know is not "denied".

def test_exit_status_and_unknown_codes(part_one: CodeStore, db_path: Path) -> None:
    assert cli(db_path, "check", "20610", "99213", "--date", "2026-07-15")[0] == 0  # nothing denied
    status, text, _ = cli(db_path, "check", "20610", "12399", "--date", "2026-07-15")
    assert status == 1
    assert "DENY 12399" not in text and "12399: not in the imported files" in text
    assert cli(db_path, "check", "20610", "12399", "--date", "2026-07-15", "--json")[0] == 1


# 5. modifiers_present says what is present, whatever the indicator.

def test_modifiers_present_on_an_indicator_0_pair(part_one: CodeStore) -> None:
    result = check_claim(part_one.conn, parse_claim("10001 10003-59"), date(2026, 7, 15))
    finding = {(p.column1, p.column2): p for p in result.ptp}[("10001", "10003")]
    assert finding.modifier_indicator == 0 and finding.modifiers_present == ["59"] and not finding.bypassed
    assert finding.message.endswith("no modifier bypasses this edit, so 59 does not")


# The real files.

def test_real_hcpcs_code_added_in_october_is_not_valid_in_september(store_with_real_files: CodeStore) -> None:
    conn = store_with_real_files.conn
    september = check_claim(conn, parse_claim("C9306"), date(2025, 9, 30))
    assert [c.reason for c in september.codes_invalid] == [
        "takes effect on 2025-10-01 (CMS HCPCS Level II 2025 October): not valid on 2025-09-30"]
    assert check_claim(conn, parse_claim("C9306"), date(2025, 10, 1)).codes_invalid == []
    # 0001U (a PLA code the RVU file lacks) is unknown here, not denied.
    unknown = check_claim(conn, parse_claim("0001U 99213"), date(2025, 10, 1)).codes_invalid
    assert [(c.code, c.known) for c in unknown] == [("0001U", False)]


def test_real_ptp_excerpt_is_part_1_of_4(store: CodeStore, shared_data: Path, db_path: Path) -> None:
    import_paths(store.conn, [shared_data / "cms-ncci"])
    store.conn.commit()
    result = check_claim(store.conn, parse_claim("29881 29877-59"), date(2026, 7, 15))
    assert result.ptp == [] and result.ptp_release is not None and result.ptp_release.missing_parts == (2, 3, 4)
    assert any("were not checked" in n for n in result.notes)
    table = ncci.mue_release(store.conn, "practitioner", date(2025, 1, 15))
    assert table is not None and table.effective_date == "2026-07-01"
    assert not ncci.in_effect_on(table, date(2025, 1, 15)) and ncci.in_effect_on(table, date(2026, 7, 1))
    _, text, _ = cli(db_path, "check", "0009U x3", "--date", "2025-01-15")
    assert "no MUE for 0009U" not in text and "units not checked" in text
    status, out, _ = cli(db_path, "check", "0001A", "36591-59", "--date", "2023-06-01", "--json")
    assert status == 1 and json.loads(out)["ptp"][0]["modifiers_present"] == ["59"]
