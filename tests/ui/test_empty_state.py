"""ui/empty_state.py: what the results area says when a search finds nothing, with links that act."""

from __future__ import annotations

from desktop_app.core.store import CodeStore
from desktop_app.ui.empty_state import IMPORT_HINT, import_hint, no_results_html, unknown_code_sentence
from desktop_app.ui.links import LinkKind, parse_link


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
