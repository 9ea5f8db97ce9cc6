"""cli_commands/validate.py: each line of a list is a known, unknown, deleted or malformed code."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import rvu_with_one_title
from tests.core.test_valid_dates import write_hcpcs_txt
from tests.test_cli import cli


def test_validate_reads_stdin_and_judges_each_line(db_path: Path, tmp_path: Path) -> None:
    listing = tmp_path / "codes.txt"
    listing.write_text("99213\nnot a code\n99999\n", encoding="utf-8")
    status, out, err = cli(db_path, "validate", str(listing), "--json")
    rows = json.loads(out)
    assert [(row["line"], row["input"], row["valid"]) for row in rows] == [
        (1, "99213", True), (2, "not a code", False), (3, "99999", True)]
    assert (rows[0]["known"], rows[0]["status"]) == (True, "active")
    assert rows[2]["known"] is False  # well formed, but not in the database
    assert status == 1, err  # not every line was a known code


def test_codes_whose_descriptors_read_alike_get_our_summary_under_them(db_path: Path, tmp_path: Path) -> None:
    assert cli(db_path, "import", str(rvu_with_one_title(tmp_path)))[0] == 0
    listing = tmp_path / "codes.txt"
    listing.write_text("45384\n45385\n99213\n", encoding="utf-8")
    status, out, _ = cli(db_path, "validate", str(listing))
    assert status == 0
    lines = out.splitlines()
    assert "Invented same title" in lines[0] and "Invented same title" in lines[2]
    assert lines[1].strip() and lines[3].strip() and lines[1].strip() != lines[3].strip()  # our two summaries
    assert lines[4].split()[1] == "99213" and lines[5].startswith("3 codes")  # no line under a title of its own
    # Every descriptor shown says where it came from: a mark on the title, explained under the list (and the
    # JSON names the title's source).
    assert lines[0].endswith("[1]") and lines[4].endswith("[2]")
    assert lines[6] == ("Titles: [1] CMS PFS RVU 2030 January (RVU30A); [2] CodeDesk plain-language summary (our own "
                        "words)")
    rows = json.loads(cli(db_path, "validate", str(listing), "--json")[1])
    assert [row["title_source"] for row in rows] == ["CMS PFS RVU 2030 January (RVU30A)"] * 2 + [
        "CodeDesk plain-language summary (our own words)"]


def test_units_after_a_code_are_read_as_units(db_path: Path, tmp_path: Path) -> None:
    # "J1100 x 3" was "invalid J1100X3"; check and search read the count as units, so validate does too.
    listing = tmp_path / "codes.txt"
    listing.write_text("J1100 x 3\n99213-25 2u\n99213\n", encoding="utf-8")
    status, out, err = cli(db_path, "validate", str(listing), "--json")
    assert status == 0, err
    rows = json.loads(out)
    assert [(row["code"], row["valid"], row["units"]) for row in rows] == [
        ("J1100", True, 3), ("99213", True, 2), ("99213", True, None)]
    assert [m["modifier"] for m in rows[1]["modifiers"]] == ["25"]


def test_with_a_date_of_service_each_code_is_judged_on_that_day(db_path: Path, tmp_path: Path) -> None:
    # A9971 is deleted as of 2030-01-01 (its last valid day 2029-12-31); A9977 is added with effect from 2030-07-01.
    write_hcpcs_txt(tmp_path / "HCPC2030_JUL_ANWEB.txt",
                    [("A9971", "20291231", "20300101", "D"), ("A9977", "", "20300701", "A")])
    assert cli(db_path, "import", str(tmp_path / "HCPC2030_JUL_ANWEB.txt"))[0] == 0
    listing = tmp_path / "codes.txt"
    listing.write_text("A9971\nA9977\n99213\n", encoding="utf-8")

    def judged(*date: str) -> tuple[int, list[tuple[str, object, object]]]:
        status, out, _err = cli(db_path, "validate", str(listing), "--json", *date)
        return status, [(row["code"], row["status"], row.get("valid_on_date")) for row in json.loads(out)]

    # Without a date: the code's status today, and a deleted code is not an error (as before).
    assert judged() == (0, [("A9971", "deleted", None), ("A9977", "active", None), ("99213", "active", None)])
    # The last day before the deletion and before the start: A9971 may be billed, A9977 not yet.
    assert judged("--date", "2029-12-31") == (1, [("A9971", "active", True), ("A9977", "not yet", False),
                                                 ("99213", "active", True)])
    assert judged("--date", "2030-07-01") == (1, [("A9971", "deleted", False), ("A9977", "active", True),
                                                 ("99213", "active", True)])
    status, out, _ = cli(db_path, "validate", str(listing), "--date", "12/31/2029")
    assert status == 1
    assert "valid on 2029-12-31; deleted as of 2030-01-01 (valid through 2029-12-31)" in out
    assert "takes effect on 2030-07-01" in out and "not valid on 2029-12-31" in out
    assert "3 codes on 2029-12-31: 2 active, 1 not yet" in out
    # The same rule as the claim check: what check refuses, validate does not call active.
    assert cli(db_path, "check", "A9977", "--date", "2029-12-31")[0] == 1


def test_a_code_a_spreadsheet_shortened_is_named_and_units_are_shown(db_path: Path, tmp_path: Path) -> None:
    listing = tmp_path / "codes.txt"
    listing.write_text("100\n7\nJ1100 x 3\n", encoding="utf-8")
    status, out, _ = cli(db_path, "validate", str(listing))
    assert status == 1
    lines = out.splitlines()
    assert lines[0].endswith("a spreadsheet may have dropped its leading zeros: was it 00100?")
    assert "leading zeros" not in lines[1]  # one digit is no shortened code
    assert lines[2].split()[1:3] == ["J1100", "x3"]  # the count read after the code is shown, not dropped
