"""Issue 10, ninth round: our own names for the urinary, genital, maternity, endocrine, nervous, eye and ear codes
and the anaesthesia codes (resources/data/code_terms_urogen_neuro.toml).

The file's shape is checked on its own; the names are checked on the real files imported (skipped without
../shared/data): each query below found its code nowhere in the first ten, or lower, before the file existed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import tomllib

from desktop_app.core.indexing import read_code_terms
from desktop_app.core.resources import data_dir
from desktop_app.core.store import CodeStore

PART_FILE = data_dir() / "code_terms_urogen_neuro.toml"


def _part_terms() -> dict[str, tuple[str, ...]]:
    return read_code_terms([PART_FILE])


def test_the_part_holds_only_codes_of_its_range_in_short_names() -> None:
    terms = _part_terms()
    assert len(terms) > 1000
    in_range = re.compile(r"(0[01]\d{3}|5\d{4}|6\d{4})")
    assert all(in_range.fullmatch(code) and ("00100" <= code <= "01999" or "50010" <= code <= "69990")
               for code in terms)
    assert all(1 <= len(term.split()) <= 5 for names in terms.values() for term in names)


def test_the_part_repeats_no_code_of_the_main_terms_file() -> None:
    with (data_dir() / "code_terms.toml").open("rb") as fh:
        main_codes = set(tomllib.load(fh)["terms"])
    assert not main_codes & set(_part_terms())


def test_no_name_is_a_descriptor_of_the_files(shared_data: Path) -> None:
    # Licensing: our own words only, never a phrase of the descriptors.
    with (shared_data / "cms-pfs-rvu-2025d" / "PPRRVU2025_Oct.csv").open(newline="", encoding="latin-1") as fh:
        descriptors = {" ".join(row[2].lower().split()) for row in csv.reader(fh) if len(row) > 2 and row[2]}
    # A generic name of one or two words ("vaginal hysterectomy", "goniotomy") may be a short descriptor too; a
    # phrase of three words or more may not.
    copied = {term for names in _part_terms().values() for term in names
              if term in descriptors and len(term.split()) >= 3}
    assert not copied



@pytest.mark.parametrize(("query", "first"), [
    ("HoLEP", {"52649"}),  # not in the first ten before
    ("Rezum", {"53854"}),  # not in the first ten before
    ("TURBT large", {"52240"}),  # ninth before
    ("hysteroscopic myomectomy", {"58561"}),  # not in the first ten before
    ("tubal ligation at cesarean", {"58611"}),  # not in the first ten before
    ("hemithyroidectomy", {"60220"}),  # not in the first ten before
    ("chronic subdural burr hole", {"61154"}),  # not in the first ten before
    ("stroke thrombectomy", {"61645"}),  # tenth before
    ("Inspire implant", {"64582"}),  # not in the first ten before
    ("DMEK", {"65756"}),  # not in the first ten before
    ("anesthesia kyphoplasty", {"01941", "01942"}),  # not in the first ten before
])
def test_a_name_coders_use_finds_its_code_first(imported: CodeStore, query: str, first: set[str]) -> None:
    assert imported.search(query, limit=1).hits[0].code in first


def test_cochlear_implant_brings_the_operation_into_the_first_two(imported: CodeStore) -> None:
    # Not in the first ten before the names; with every file's names the listening device V5273, whose descriptor
    # ends with the very words, still comes first.
    assert "69930" in [hit.code for hit in imported.search("cochlear implant", limit=2).hits]
