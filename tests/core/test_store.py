"""core/store.py: the database as one object: search, detail, sources and counts over the bundled reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.errors import DatabaseError
from desktop_app.core.results import MatchKind, SearchFilters
from desktop_app.core.store import CodeStore


def test_search_detail_and_summaries(store: CodeStore) -> None:
    result = store.search("99213")
    assert [(hit.code, hit.match) for hit in result.hits] == [("99213", MatchKind.EXACT)]
    assert store.detail("99213").code == "99213"
    assert set(store.summaries(["99213", "ZZZZZ"])) == {"99213"}


def test_a_filtered_search_keeps_to_its_category(store: CodeStore) -> None:
    hits = store.search("visit", SearchFilters(code_set="II")).hits
    assert hits and all(hit.code_set == "II" for hit in hits)


def test_sources_and_counts(store: CodeStore) -> None:
    assert [source.kind for source in store.sources()] == ["bundled"]
    counts = store.code_counts()
    assert counts["I"]["codes"] > 0 and set(counts["I"]) == {"codes", "active", "deleted", "modifiers"}


def test_a_missing_database_opened_read_only_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError):
        CodeStore.open(tmp_path / "absent.sqlite3", readonly=True)
