"""core/importers/ama_cpt/history.py: CPT Link dates, deleted codes and history rows."""

from __future__ import annotations

import pytest

from desktop_app.core.importers.ama_cpt.history import DeletedCode, date_sort_key, history_date, read_deleted
from desktop_app.core.importers.model import Monitor

from .ama_files import source


@pytest.mark.parametrize(("text", "expected"), [
    ("20300101", "2030-01-01"), ("Pre-1982", "before 1982"), ("pre 1990", "before 1990"),
    ("", None), ("20290101 CHANGED", None), ("someday", None),
])
def test_history_date(text: str, expected: str | None) -> None:
    assert history_date(text) == expected


def test_before_a_year_sorts_ahead_of_that_year() -> None:
    assert sorted(["1982-03-01", "before 1982", "1981-12-31"], key=date_sort_key) == [
        "1981-12-31", "before 1982", "1982-03-01"]


def test_deleted_codes_with_their_dates() -> None:
    deleted: dict[str, DeletedCode] = {}
    assert read_deleted(*source("CPT Link/history/Deleted_DTK_tab.txt"), deleted, Monitor()) >= 3
    assert {"99980", "99981", "99982"} <= deleted.keys()
