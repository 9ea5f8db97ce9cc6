"""cli_commands/lookup.py: search, show, measure and localities as the CLI prints them."""

from __future__ import annotations

import json
from pathlib import Path

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
