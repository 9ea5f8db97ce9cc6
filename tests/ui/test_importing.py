"""ui/importing.py: what the import dialog offers and how an import's summary reads."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.importers import SUPPORTED_EXTENSIONS, import_paths
from desktop_app.core.store import CodeStore
from desktop_app.ui.importing import file_dialog_filter, summary_html, supported_formats_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_the_file_dialog_offers_every_supported_extension() -> None:
    assert all(f"*{extension}" in file_dialog_filter() for extension in SUPPORTED_EXTENSIONS)
    assert supported_formats_text()


def test_the_summary_names_the_file_and_what_was_added(store: CodeStore) -> None:
    summaries = import_paths(store.conn, [FIXTURES / "cms" / "HCPC2030_ANWEB_fixture.txt"])
    html = summary_html(summaries)
    assert "HCPC2030_ANWEB_fixture.txt" in html and str(summaries[0].added) in html
