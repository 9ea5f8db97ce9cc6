"""Checking a claim's codes against the NCCI edits: claim parsing, dates, modifier indicators, bypass modifiers,
MUE units per line and per day, the newest version, a code's edit list, and the CLI's ``check`` and ``edits``."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from ncci_fixtures import write_mue, write_ptp

from desktop_app.cli import run
from desktop_app.core import ncci
from desktop_app.core.importers import import_paths
from desktop_app.core.ncci import ClaimError, ClaimLine, check_claim, code_edits, code_mues, parse_claim
from desktop_app.core.store import CodeStore

PARSE_CASES = [
    ("29881, 29877-59, 20610 x2", [ClaimLine("29881"), ClaimLine("29877", ("59",)), ClaimLine("20610", (), 2)]),
    ("29881 29877 59", [ClaimLine("29881"), ClaimLine("29877", ("59",))]),
    ("29877-59-rt x 3; g0001", [ClaimLine("29877", ("59", "RT"), 3), ClaimLine("G0001")]),
    ("20610×2\n20611 *4", [ClaimLine("20610", (), 2), ClaimLine("20611", (), 4)]),
    ("0001u-xs 2u", [ClaimLine("0001U", ("XS",), 2)]),
    ("20610-X2 x3", [ClaimLine("20610", ("X2",), 3)]),  # after a dash X2 is the modifier, after a blank units
]


@pytest.mark.parametrize(("text", "lines"), PARSE_CASES, ids=[c[0] for c in PARSE_CASES])
def test_parse_claim(text: str, lines: list[ClaimLine]) -> None:
    assert parse_claim(text) == lines


@pytest.mark.parametrize(("text", "message"), [
    ("", "no codes"), ("59 29881", "not a code"), ("29881 hello", "'HELLO'"), ("29881 x0", "units"),
])
def test_parse_claim_refuses(text: str, message: str) -> None:
    with pytest.raises(ClaimError, match=message):
        parse_claim(text)


@pytest.fixture
def loaded(store: CodeStore, tmp_path: Path) -> CodeStore:
    import_paths(store.conn, [write_ptp(tmp_path), write_mue(tmp_path)])
    return store


def pairs(result: ncci.CheckResult) -> set[tuple[str, str]]:
    return {(p.column1, p.column2) for p in result.ptp}


def test_dates_and_indicator_9(loaded: CodeStore) -> None:
    claim = parse_claim("10001 10002 10003 10004 10005 10006")
    on_2022 = check_claim(loaded.conn, claim, date(2022, 12, 31))
    # 10004 is in effect through its deletion date; 10005 has indicator 9; 10006 starts in 2030.
    assert pairs(on_2022) == {("10001", "10002"), ("10001", "10003"), ("10001", "10004"), ("10002", "10003")}
    on_2023 = check_claim(loaded.conn, claim, date(2023, 1, 1))
    assert ("10001", "10004") not in pairs(on_2023)
    reasons = {(n.column1, n.column2): n.reason for n in on_2023.ptp_not_in_effect}
    assert "through 2022-12-31" in reasons[("10001", "10004")]
    assert "not applicable" in reasons[("10001", "10005")]
    assert "not yet in effect" in reasons[("10001", "10006")]
    before = check_claim(loaded.conn, claim, date(2019, 12, 31))
    assert pairs(before) == {("10001", "10003")}  # only the edit in existence before 1996


def test_modifiers_bypass_only_indicator_1(loaded: CodeStore) -> None:
    result = check_claim(loaded.conn, parse_claim("10001, 10002-59, 10003-XS"), date(2025, 1, 1))
    found = {(p.column1, p.column2): p for p in result.ptp}
    assert found[("10001", "10002")].bypassed and found[("10001", "10002")].modifiers_present == ["59"]
    # Indicator 0: no modifier bypasses it, whatever is present.
    assert not found[("10001", "10003")].bypassed and not found[("10001", "10003")].bypass_allowed
    assert "no modifier bypasses" in found[("10001", "10003")].message
    # A modifier NCCI does not accept (25 is one it does; 26 is not) does not bypass.
    plain = check_claim(loaded.conn, parse_claim("10001, 10002-26"), date(2025, 1, 1))
    assert not plain.ptp[0].bypassed and "unless an NCCI-associated modifier" in plain.ptp[0].message
    assert found[("10001", "10002")].denied_code == "10002"


def test_mue_per_line_and_per_day(loaded: CodeStore) -> None:
    # 10002: MUE 2 per day (indicator 3): two lines of 2 units are 4, over. 10003: MUE 1 per line (indicator 1):
    # two lines of one unit each are within. G0001: 4 per day, 3 units within.
    result = check_claim(loaded.conn, parse_claim("10002 x2, 10002-59 x2, 10003, 10003-76, G0001 x3"),
                         date(2026, 7, 1))
    by_code = {m.code: m for m in result.mue}
    assert by_code["10002"].exceeded and by_code["10002"].units == 4 and by_code["10002"].mue == 2
    assert not by_code["10003"].exceeded and not by_code["G0001"].exceeded
    assert [m.code for m in result.mue_exceeded] == ["10002"]
    assert "more than the MUE of 2" in by_code["10002"].message
    # An MUE denies the whole line or every line of the day, never "the units over the limit" (indicator 3).
    assert "every line of this code that day is denied" in by_code["10002"].message
    assert "appeal" in by_code["10002"].message and "over the limit" not in by_code["10002"].message
    per_line = check_claim(loaded.conn, parse_claim("10003 x2"), date(2026, 7, 1))
    assert per_line.mue_exceeded[0].adjudication_indicator == 1 and "one claim line" in per_line.mue[0].message


def test_mue_table_before_its_effective_date_is_said(loaded: CodeStore) -> None:
    result = check_claim(loaded.conn, parse_claim("10001"), date(2025, 1, 1))
    assert any("effective 2026-07-01" in n for n in result.notes)
    # A table effective after the date of service does not judge its units (it said "denied").
    early = check_claim(loaded.conn, parse_claim("10002 x5"), date(2025, 1, 1))
    assert early.mue == [] and early.mue_exceeded == []
    assert any("units were not checked" in n for n in early.notes)


def test_newest_version_is_used(loaded: CodeStore, tmp_path: Path) -> None:
    newer = [("10001", "10002", "", "20200101", "20240630", "1", "Mutually exclusive procedures")]
    import_paths(loaded.conn, [write_ptp(tmp_path / "v323", "ccipra-v323r0-f1", newer)])
    result = check_claim(loaded.conn, parse_claim("10001 10002 10003"), date(2025, 1, 1))
    assert result.ptp_release is not None and result.ptp_release.version == "32.3r0"
    assert pairs(result) == set()  # the newer version deleted 10001/10002 and has no 10003 edits


def test_hospital_setting_and_missing_data_are_said(loaded: CodeStore, tmp_path: Path) -> None:
    result = check_claim(loaded.conn, parse_claim("10001 10002"), date(2025, 1, 1), "hospital")
    assert result.ptp == [] and any("no outpatient hospital PTP edits" in n for n in result.notes)
    import_paths(loaded.conn, [write_ptp(tmp_path / "oph", "ccioph-v322r0-f1")])
    assert pairs(check_claim(loaded.conn, parse_claim("10001 10002"), date(2025, 1, 1), "hospital")) == {
        ("10001", "10002")}


def test_code_edits_both_directions_paged(loaded: CodeStore) -> None:
    page = code_edits(loaded.conn, "10001")
    assert (page.total, page.as_column1, page.as_column2) == (6, 5, 1)
    assert [e.other_code for e in page.edits] == ["10002", "10003", "10004", "10005", "10006", "G0001"]
    assert page.edits[-1].role == "column 2" and page.edits[-1].column1 == "G0001"
    second = code_edits(loaded.conn, "10001", offset=2, limit=2)
    assert [e.other_code for e in second.edits] == ["10004", "10005"] and second.total == 6
    on = code_edits(loaded.conn, "10001", on=date(2025, 1, 1))
    assert on.total == 3 and all(e.in_effect for e in on.edits)
    assert code_mues(loaded.conn, "10002")[0].units == 2


def run_cli(db: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(["--db", str(db), *args], out, err, io.StringIO())
    return code, out.getvalue(), err.getvalue()


def test_cli_check_json_contract(loaded: CodeStore, db_path: Path) -> None:
    code, out, err = run_cli(db_path, "check", "10001,", "10002-59", "10004", "10002 x3", "--date", "2022-06-01",
                             "--json")
    assert code == 1, err  # 10001/10004 denies a line: the exit status says so, as validate's does
    data = json.loads(out)
    assert {"date_of_service", "setting", "lines", "ptp", "ptp_not_in_effect", "mue", "mue_exceeded", "ptp_release",
            "mue_release", "notes", "notice"} <= data.keys()
    assert {"column1", "column2", "effective_date", "deletion_date", "modifier_indicator", "bypass_allowed",
            "modifiers_present", "bypassed", "rationale", "message"} <= data["ptp"][0].keys()
    assert [(p["column1"], p["column2"], p["bypassed"]) for p in data["ptp"]] == [
        ("10001", "10002", True), ("10001", "10004", False)]
    # The only MUE table is effective 2026-07-01: on 2022-06-01 units are not checked; on a later date they are.
    assert data["mue_exceeded"] == [] and any("units were not checked" in n for n in data["notes"])
    code, out, err = run_cli(db_path, "check", "10001,", "10002-59", "10004", "10002 x3", "--date", "2026-07-15",
                             "--json")
    data = json.loads(out)
    assert data["mue_exceeded"][0]["code"] == "10002" and data["mue_exceeded"][0]["units"] == 4
    code, text, _ = run_cli(db_path, "check", "10001", "10003", "--date", "07/01/2026")
    assert code == 1 and "DENY 10003 is not paid with 10001" in text and "American Medical Association" in text
    code, _, err = run_cli(db_path, "check", "10001", "--date", "tomorrow")
    assert code == 2 and "not a date" in err


def test_cli_edits(loaded: CodeStore, db_path: Path) -> None:
    code, out, _ = run_cli(db_path, "edits", "10001", "--json")
    data = json.loads(out)
    assert code == 0 and data["total"] == 6 and data["as_column2"] == 1 and data["mue"][0]["units"] == 1
    # Without --date every edit is listed ("on": null) and in_effect is judged against today, which is said.
    assert data["on"] is None and data["in_effect_on"] == date.today().isoformat()
    dated = json.loads(run_cli(db_path, "edits", "10001", "--date", "2022-06-01", "--json")[1])
    assert dated["on"] == dated["in_effect_on"] == "2022-06-01"


def test_the_claim_checks_its_modifiers_on_its_date_of_service(store: CodeStore, db_path: Path, tmp_path: Path
                                                               ) -> None:
    """A modifier the HCPCS file terminated is refused on a date of service after its end, not before."""
    from tests.core.test_modifiers import HCPCS_MODIFIER_ROWS, write_invented_hcpcs

    write_invented_hcpcs(tmp_path / "HCPC2031_JAN_ANWEB.txt", HCPCS_MODIFIER_ROWS)
    import_paths(store.conn, [tmp_path / "HCPC2031_JAN_ANWEB.txt"])
    claim = parse_claim("99213-Z5, 20610-Z6, 00100-AA-QK")
    before = check_claim(store.conn, claim, date(2019, 6, 1))
    assert [(m.line, m.modifier) for m in before.modifiers_unfit] == [("00100-AA-QK", "QK")]
    after = check_claim(store.conn, claim, date(2025, 1, 1))
    assert [m.message for m in after.modifiers_unfit] == [
        "99213-Z5: -Z5 does not fit: Z5 was terminated: valid through 2019-12-31 (CMS HCPCS Level II 2031 January)",
        "00100-AA-QK: -QK does not fit: AA and QK on one line: each says differently how the anesthesiologist took "
        "part (performed personally against directing two to four cases); a line carries one"]
    store.conn.commit()
    code, out, _ = run_cli(db_path, "check", "99213-Z5", "--date", "2025-01-01", "--json")
    assert code == 1 and json.loads(out)["modifiers_unfit"] == [
        {"line": "99213-Z5", "modifier": "Z5",
         "reason": "Z5 was terminated: valid through 2019-12-31 (CMS HCPCS Level II 2031 January)"}]
    _, text, _ = run_cli(db_path, "check", "99213-Z5", "--date", "2019-12-31")
    assert "Modifiers:" not in text


def test_a_modifier_that_does_not_fit_its_code_bypasses_no_edit(store: CodeStore, tmp_path: Path) -> None:
    # 59 is never used on an E/M code: "36415 99213-59" said "bypassed by modifier 59" above a Modifiers section
    # that denies 99213-59. A fitting modifier still bypasses.
    import_paths(store.conn, [write_ptp(tmp_path, rows=(
        ("36415", "99213", "", "20200101", "*", "1", "Mutually exclusive procedures"),
        ("36415", "10002", "", "20200101", "*", "1", "Mutually exclusive procedures"),
    ))])
    result = check_claim(store.conn, parse_claim("36415 99213-59 10002-59"), date(2026, 7, 15))
    verdicts = {(p.column1, p.column2): p.bypassed for p in result.ptp}
    assert verdicts == {("36415", "99213"): False, ("36415", "10002"): True}
    assert [(u.line, u.modifier) for u in result.modifiers_unfit] == [("99213-59", "59")]


def test_codes_not_valid_on_the_date_of_service_are_said(loaded: CodeStore) -> None:
    # S0020 terminated in 2023 and a code no file knows were checked as if billable, without a word.
    loaded.conn.execute("UPDATE codes SET status = 'deleted', deleted_date = '2023-07-01' WHERE code = '99214'")
    later = check_claim(loaded.conn, parse_claim("99213 99214 12399"), date(2026, 7, 15))
    assert [(c.code, c.reason) for c in later.codes_invalid] == [
        ("12399", ncci.NOT_IMPORTED),
        ("99214", "deleted as of 2023-07-01 (valid through 2023-06-30): not valid on 2026-07-15")]
    before = check_claim(loaded.conn, parse_claim("99213 99214"), date(2023, 6, 30))  # its last valid day
    assert before.codes_invalid == []
    assert later.to_json()["codes_invalid"][0] == {"code": "12399", "reason": later.codes_invalid[0].reason,
                                                   "known": False}
