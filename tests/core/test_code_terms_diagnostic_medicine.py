"""Issue 10, round 9: our own everyday names for the diagnostic and medicine part of the code range
(``resources/data/code_terms_diagnostic_medicine.toml``: radiology, laboratory and pathology, medicine and E/M,
Category III).

The file's shape is checked on its own; the names are checked on the real files imported (skipped without
../shared/data): each query below found none of its codes in the first ten before the file was written.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import tomllib

from desktop_app.core.indexing import code_terms
from desktop_app.core.resources import data_dir
from desktop_app.core.store import CodeStore

PART_FILE = data_dir() / "code_terms_diagnostic_medicine.toml"
RVU_CSV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cms-pfs-rvu-2025d" / "PPRRVU2025_Oct.csv"


def _part_terms() -> dict[str, list[str]]:
    with PART_FILE.open("rb") as fh:
        terms: dict[str, list[str]] = tomllib.load(fh)["terms"]
    return terms


def _in_part(code: str) -> bool:
    if re.fullmatch(r"\d{4}T", code):
        return True  # Category III, 0001T-0999T
    return bool(re.fullmatch(r"\d{5}", code)) and "70010" <= code <= "99607"


def test_the_part_file_holds_only_codes_of_its_range_each_with_short_names() -> None:
    terms = _part_terms()
    assert len(terms) > 1000
    assert all(_in_part(code) for code in terms), [code for code in terms if not _in_part(code)]
    for code, names in terms.items():
        assert names, code
        assert all(name == name.strip().lower() and 0 < len(name.split()) <= 6 for name in names), code
        assert len(set(names)) == len(names), code


def test_the_part_file_is_read_with_the_others() -> None:
    assert "dexa" in code_terms()["77080"]
    assert "whipple" in code_terms()["48150"]  # code_terms.toml still read beside it


@pytest.mark.skipif(not RVU_CSV.exists(), reason="needs ../shared/data (the real RVU file)")
def test_no_name_is_a_short_descriptor_of_the_files() -> None:
    # Licensing: our own words only; a name that is the file's short descriptor of any code is a copy.
    with RVU_CSV.open(encoding="latin-1", newline="") as fh:
        descriptors = {row[2].strip().lower() for row in csv.reader(fh) if len(row) > 3 and len(row[0]) == 5}
    copied = {(code, name) for code, names in _part_terms().items() for name in names if name in descriptors}
    assert not copied



@pytest.mark.parametrize(("query", "wanted"), [
    ("oncotype dx", {"81519"}),  # a brand; the descriptor says breast mRNA oncology
    ("aquablation", {"0421T"}),  # the files say waterjet ablation
    ("icd check", {"93282", "93283", "93284", "93289", "93295"}),
    ("fibroscan", {"91200"}),  # the descriptor names the method, not the device
    ("gamma knife", {"77371"}),  # the descriptor names the technique in shorthand
    ("amh", {"82166"}),  # anti-Mullerian hormone
    ("voiding cystourethrogram", {"74450", "74455"}),  # the descriptor names the organs only
    ("cochlear implant programming", {"92601", "92602", "92603", "92604"}),
    ("istent", {"0671T"}),
    ("thc drug test", {"80349"}),  # the descriptor names the drug class
])
def test_an_everyday_name_finds_its_code_in_the_first_ten(imported: CodeStore, query: str,
                                                          wanted: set[str]) -> None:
    codes = [hit.code for hit in imported.search(query, limit=10).hits]
    assert wanted & set(codes), codes
