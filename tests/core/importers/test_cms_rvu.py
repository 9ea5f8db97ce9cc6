"""The RVU reader joins each row's facts JSON from memoised members; it must be exactly the loader's encoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.importers import _parse
from desktop_app.core.importers.loader import facts_json
from desktop_app.core.importers.model import Dataset, Monitor
from desktop_app.core.importers.sniff import plan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cms"


def _datasets(path: Path) -> list[Dataset]:
    return [_parse(sf, fmt, Monitor()) for sf, fmt in plan(path, "").files]


def _assert_same_text(datasets: list[Dataset]) -> int:
    checked = 0
    for ds in datasets:
        assert ds.kind == "cms-rvu"
        for rec in ds.codes.values():
            assert rec.facts_text.keys() == rec.facts.keys(), rec.code
            for modifier, facts in rec.facts.items():
                assert rec.facts_text[modifier] == facts_json(facts), (rec.code, modifier)
                checked += 1
    return checked


@pytest.mark.parametrize("name", ["PPRRVU2030_Jan.csv", "PPRRVU2030_Apr.csv", "PPRRVU2030_Jan.txt",
                                  "PPRRVU2030_Jan.xlsx"])
def test_fixture_facts_text_is_the_canonical_json(name: str) -> None:
    datasets = _datasets(FIXTURES / name)
    assert _assert_same_text(datasets) > 0
    if name.startswith("PPRRVU2030_Jan"):  # a deleted code (status D): its deletion date is a member too
        assert any("deleted_date" in rec.facts.get("", {}) for ds in datasets for rec in ds.codes.values())


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["PPRRVU2025_Oct.csv", "PPRRVU2025_Oct.txt"])
def test_real_facts_text_is_the_canonical_json(real_data: Path, name: str) -> None:
    """Every row of the real file: modifier rows, blank and '+' cells, every status and global period."""
    assert _assert_same_text(_datasets(real_data / "cms-pfs-rvu-2025d" / name)) == 19_090
