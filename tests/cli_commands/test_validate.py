"""cli_commands/validate.py: each line of a list is a known, unknown, deleted or malformed code."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import rvu_with_one_title
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
