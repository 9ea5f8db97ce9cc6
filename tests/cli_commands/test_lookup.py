"""cli_commands/lookup.py: search, show, measure and localities as the CLI prints them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import rvu_with_one_title
from tests.test_cli import cli


def test_search_json_lists_hits_with_their_match(db_path: Path) -> None:
    status, out, _ = cli(db_path, "search", "99213", "--json")
    assert status == 0
    data = json.loads(out)
    assert (data["total"], data["results"][0]["code"], data["results"][0]["category"]) == (1, "99213", "I")


def test_show_prints_the_code_and_its_category(db_path: Path) -> None:
    status, out, _ = cli(db_path, "show", "99213")
    assert status == 0 and "99213" in out and "Category I" in out


def test_measure_names_its_title_source_and_localities_want_a_gpci_file(db_path: Path) -> None:
    status, out, _ = cli(db_path, "measure", "1")
    assert status == 0 and out.startswith("Measure 001:") and "our own words" in out
    status, out, err = cli(db_path, "localities")
    assert status == 1 and "No GPCI file imported" in out + err


def test_search_tells_apart_codes_whose_titles_read_alike(db_path: Path, tmp_path: Path) -> None:
    """After a CMS import 45384 and 45385 share one short descriptor; the text output adds the list's second line
    (our summary) under each, and only under codes whose titles collide."""
    rvu = rvu_with_one_title(tmp_path)
    assert cli(db_path, "import", str(rvu))[0] == 0
    status, out, _ = cli(db_path, "search", "45384, 45385, 99213")
    assert status == 0
    lines = out.splitlines()
    first, second = (lines.index(next(line for line in lines if line.startswith(c))) for c in ("45384", "45385"))
    assert "Invented same title" in lines[first] and "Invented same title" in lines[second]
    under_first, under_second = lines[first + 1].strip(), lines[second + 1].strip()
    assert under_first and under_second and under_first != under_second  # our two summaries
    after = lines[lines.index(next(line for line in lines if line.startswith("99213"))) + 1:]
    assert after == ["Titles: [1] CMS PFS RVU 2030 January (RVU30A); [2] CodeDesk plain-language summary (our own "
                     "words)"]  # no extra line under 99213; the footer names where each title comes from
    assert lines[first].endswith("[1]") and lines[lines.index(after[0]) - 1].endswith("[2]")


def test_a_code_typed_outside_the_category_filter_is_shown_and_named(db_path: Path) -> None:
    """As in the window: J1100 with --category II is listed, and the output says it lies outside the filter."""
    status, out, _ = cli(db_path, "search", "J1100, 3074F", "--category", "II")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "J1100 is outside the CPT Category II filter, shown because you typed it exactly."
    assert {line.split()[0] for line in lines[1:-1]} == {"J1100", "3074F"}
    assert lines[-1].startswith("Titles: ")
    status, out, _ = cli(db_path, "search", "J1100", "--category", "HCPCS")
    assert "outside" not in out


def test_a_measure_with_option_groups_says_its_denominator_merges_them(db_path: Path) -> None:
    # "measure 024" printed one merged list as if it were one denominator, and "1 procedure codes".
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "qpp"
    assert cli(db_path, "import", str(fixtures / "measures-data-2030.json"))[0] == 0
    _, whole, _ = cli(db_path, "measure", "901")
    line = next(x for x in whole.splitlines() if x.startswith("Eligible population"))
    assert "2 procedure codes" in line and "its 2 option groups together (`measure 901.01` shows one alone)" in line
    _, group, _ = cli(db_path, "measure", "901.01")
    line = next(x for x in group.splitlines() if x.startswith("Eligible population"))
    assert "1 procedure code (" in line and "option groups" not in line
