"""Issue 10, round 9: our own names for thousands of codes (resources/data/code_terms*.toml), indexed as written.

The names are plain words already: indexed as written, they cost the import no vocabulary walk (issue 13), and a
database from an older CodeDesk is indexed again once (``_migrate_search_reach_9``)."""

from __future__ import annotations

from desktop_app.core.database import MIGRATIONS
from desktop_app.core.indexing import code_terms, search_row
from desktop_app.core.vocabulary import index_text


def test_the_round_is_the_last_migration() -> None:
    names = [step.__name__ for step in MIGRATIONS]
    assert names.count("_migrate_search_reach_9") == 1
    assert names[-1] == "_migrate_search_reach_9"


def test_code_names_are_indexed_as_written_after_the_expanded_keywords() -> None:
    terms = code_terms()["48150"]
    keywords = search_row("48150", "Invented title", [], ["invented keyword w/o"], "Digestive System", "")[3]
    expanded = index_text("invented keyword w/o Digestive System")
    assert keywords == " ; ".join((expanded, *terms))
    # Without keywords or section words, the names alone.
    assert search_row("48150", "Invented title", [], [], "", "")[3] == " ; ".join(terms)
    # A code without names keeps its expanded keywords and nothing else.
    assert search_row("99999", "Invented title", [], ["w/o"], "", "")[3] == index_text("w/o")
