"""Issue 10, fourth round: a drug's brand name reaches the generic name the HCPCS files use, and the other way.

Table-driven, on the bundled vocabulary (resources/data/drug_names.toml, shorthand.toml) and on a small invented
HCPCS file whose drug codes and descriptors are made up (only the drug names are real words)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.importers import import_paths
from desktop_app.core.resources import data_dir
from desktop_app.core.store import CodeStore
from desktop_app.core.vocabulary import BUNDLED_VOCABULARY_FILES, load_vocabulary
from tests.fixtures.make_fixtures import HCPCS_XLSX_HEADER

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Invented codes (a letter and four digits, none of them checked against any real file) and invented descriptors
# in the files' style; a brand a coder types; the code it must find.
INVENTED_DRUGS = [
    ("J9901", "Injection, nivolumab, 7 mg", "Opdivo"),
    ("J9902", "Injection, piperacillin sodium/tazobactam sodium, 3 grams", "Zosyn"),
    ("J9903", "Injection, ferumoxytol, 2 mg", "Feraheme"),
    ("J9904", "Injection, oxaliplatin, 2 mg", "Eloxatin"),
    ("J9905", "Injection, gadobutrol, 0.3 ml", "Gadavist"),
    ("J9906", "Injection, levetiracetam, 20 mg", "Keppra"),
    ("J9907", "Varicella zoster immune globulin, human, 25 units", "VZIG"),
]


@pytest.mark.parametrize(("typed", "meaning"), [
    ("opdivo", "nivolumab"),
    ("nivolumab", "opdivo"),
    ("zosyn", "piperacillin"),
    ("gemzar", "gemcitabine"),
    ("adriamycin", "doxorubicin"),
    ("tysabri", "natalizumab"),
    ("gadavist", "gadobutrol"),
    ("omnipaque", "iohexol"),
    ("shingrix", "zoster vaccine"),
    ("vzig", "varicella zoster immune globulin"),
    ("emend", "fosaprepitant"),
    # acronyms and eponyms of round 4 (one direction)
    ("scfe", "slipped capital femoral epiphysis"),
    ("aicd", "defibrillator"),
    ("watchman", "left atrial appendage closure"),
    ("lisfranc", "tarsometatarsal"),
])
def test_a_typed_name_also_means_its_counterpart(typed: str, meaning: str) -> None:
    units = load_vocabulary().query_units(typed.split())
    assert len(units) == 1 and meaning in units[0].alternatives


def test_an_eponym_is_one_way_only() -> None:
    """Typing the plain words must not also search the eponym: "metatarsal fracture" stays what it says."""
    for unit in load_vocabulary().query_units(["metatarsal", "fracture"]):
        assert "jones fracture" not in unit.alternatives


def test_each_drug_group_is_one_drug_and_no_brand_is_in_two_groups() -> None:
    with (data_dir() / "drug_names.toml").open("rb") as fh:
        groups = tomllib.load(fh)["synonyms"]["groups"]
    assert "drug_names.toml" in BUNDLED_VOCABULARY_FILES
    assert len(groups) >= 150
    seen: dict[str, int] = {}
    twice = []
    for number, group in enumerate(groups):
        assert len(group) >= 2, group
        for name in group:
            if name in seen and seen[name] != number:
                twice.append(name)
            seen[name] = number
    assert not twice, twice


@pytest.fixture(scope="module")
def drug_store(reference_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CodeStore]:
    from openpyxl import Workbook

    folder = tmp_path_factory.mktemp("drugs")
    book = Workbook()
    sheet = book.active
    sheet.title = "HCPC2030_JAN_ANWEB"
    sheet.append(HCPCS_XLSX_HEADER)
    for code, text, _brand in INVENTED_DRUGS:
        row: list[object] = [""] * len(HCPCS_XLSX_HEADER)
        row[0], row[1], row[2], row[3], row[4] = code, "0010", "3", text, text[:28]
        sheet.append(row)
    book.save(folder / "HCPC2030_JAN_ANWEB.xlsx")
    path = folder / "drugs.sqlite3"
    shutil.copyfile(reference_template, path)
    store = CodeStore.open(path)
    import_paths(store.conn, [folder / "HCPC2030_JAN_ANWEB.xlsx"])
    store.refresh()
    yield store
    store.close()


@pytest.mark.parametrize(("code", "brand"), [(code, brand) for code, _text, brand in INVENTED_DRUGS])
def test_the_brand_finds_the_code_that_names_the_generic(drug_store: CodeStore, code: str, brand: str) -> None:
    hits = [hit.code for hit in drug_store.search(brand, limit=10).hits]
    assert hits[:1] == [code]


def test_the_generic_finds_the_same_code(drug_store: CodeStore) -> None:
    assert [hit.code for hit in drug_store.search("nivolumab", limit=10).hits][:1] == ["J9901"]
