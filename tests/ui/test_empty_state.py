"""ui/empty_state.py: what the results area says when a search finds nothing, with links that act."""

from __future__ import annotations

import contextlib
from pathlib import Path

from desktop_app.core.store import CodeStore
from desktop_app.ui.empty_state import IMPORT_HINT, import_hint, no_results_html, result_note, unknown_code_sentence
from desktop_app.ui.links import LinkKind, parse_link
from tests.conftest import INVENTED_COMMON_WORD, add_invented_codes


def test_the_import_hint_links_to_the_import() -> None:
    assert import_hint(0) == IMPORT_HINT
    assert f"href='{LinkKind.IMPORT}:'" in IMPORT_HINT
    assert "None of your 2 imported sources lists it" in import_hint(2)


def test_an_unknown_code_is_linked_and_described() -> None:
    sentence = unknown_code_sentence("99999", "I", ("Evaluation and Management",))
    assert "href='code:99999'" in sentence and "Evaluation and Management" in sentence
    assert parse_link("code:99999") == (LinkKind.CODE, "99999")


def test_no_results_in_a_category_offers_all_categories(store: CodeStore) -> None:
    result = store.search("xqzzyv")
    html = no_results_html(result, "II", None)
    assert "href='category:'" in html


def test_a_broad_search_is_counted_and_told_to_narrow_once(db_path: Path) -> None:
    """The engine's "N codes match; showing the best of the first 200" says the count and how to narrow; the
    note above the list adds only where the list stands, not a second count and a second "narrow"."""
    add_invented_codes(db_path)
    with contextlib.closing(CodeStore.open(db_path)) as store:
        store.engine.time_limit = None  # on a busy machine the 250 ms ceiling cut it short: not what is tested
        result = store.search(INVENTED_COMMON_WORD, limit=50)
    assert result.ranked_subset and result.total > 50 and result.message is not None
    note = result_note(result, 50, more_available=True)
    assert note.startswith(result.message)
    assert note.count("narrow") == 1 and note.count(f"{result.total:,}") == 1
    assert note.endswith("Showing 50 so far; scroll down for more.")
    # All 200 loaded: the rest are not reachable in the list, so the note says where they are (the export).
    assert result_note(result, 200) == f"{result.message} Showing 200; Export (Ctrl+E) saves all {result.total:,}."


def test_a_list_that_holds_all_it_will_points_to_the_export(db_path: Path) -> None:
    add_invented_codes(db_path)
    with contextlib.closing(CodeStore.open(db_path)) as store:
        store.engine.time_limit = None  # on a busy machine the 250 ms ceiling cut it short: not what is tested
        result = store.search(INVENTED_COMMON_WORD, limit=50)
    result.ranked_subset = False  # an every-word search that was not cut to its best 200
    assert result_note(result, 200).endswith(f"Showing the first 200 of {result.total:,}; Export (Ctrl+E) saves all "
                                             f"{result.total:,}; type more to narrow.")


def test_an_empty_word_search_says_import_only_when_nothing_is_imported(store: CodeStore) -> None:
    """With nine sources imported, "zzqxw" still said "Your database has only what you loaded: import your code
    files…"; the hint is for a database that holds only the bundled reference."""
    result = store.search("zzqxw")
    assert not result.hits and not result.unknown
    assert IMPORT_HINT in no_results_html(result, None, None, imported_sources=0)
    with_files = no_results_html(result, None, None, imported_sources=9)
    assert IMPORT_HINT not in with_files and "only what you loaded" not in with_files
    assert "Check the spelling" in with_files
    browsed = no_results_html(store.search(""), None, "An invented empty section", imported_sources=9)
    assert "only what you loaded" not in browsed and "None of your 9 imported sources" in browsed
