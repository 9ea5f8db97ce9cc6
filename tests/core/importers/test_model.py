"""core/importers/model.py: dates as the files write them, modifiers, records and the monitor's phases."""

from __future__ import annotations

import pytest

from desktop_app.core.importers.model import Dataset, Monitor, is_modifier, iso_date
from desktop_app.core.kinds import CodeKind, DescriptorKind, SourceKind


@pytest.mark.parametrize(("text", "iso"), [
    ("20300101", "2030-01-01"),
    ("2030-1-2", "2030-01-02"),
    ("01/02/2030", "2030-01-02"),
    ("2030-01-02T10:00:00", "2030-01-02"),
    ("  ", ""),
    ("20301301", None),  # month 13
    ("next week", None),
])
def test_iso_date(text: str, iso: str | None) -> None:
    assert iso_date(text) == iso


@pytest.mark.parametrize(("text", "expected"), [("25", True), ("TC", True), ("99213", False), ("2", False)])
def test_is_modifier(text: str, expected: bool) -> None:
    assert is_modifier(text) is expected


def test_a_record_is_made_once_and_keeps_its_descriptors() -> None:
    ds = Dataset(SourceKind.PRACTICE_LIST, "csv", "invented", "invented.csv", "", "", "")
    record = ds.record("99990")
    record.add_descriptor(DescriptorKind.PRACTICE, "An invented visit")
    assert ds.record("99990") is record and record.code_set == "I"
    assert record.has_descriptor(DescriptorKind.PRACTICE) and not record.has_descriptor(DescriptorKind.LONG)
    ds.record("25", CodeKind.MODIFIER)
    assert ds.modifier_count == 1


def test_the_monitor_sums_time_per_phase() -> None:
    monitor = Monitor()
    with monitor.phase("read/parse"):
        pass
    with monitor.phase("read/parse"):
        pass
    assert set(monitor.phases) == {"read/parse"} and monitor.phases["read/parse"] >= 0
