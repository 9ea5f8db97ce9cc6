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


def test_the_summary_shows_the_notes_apart_from_the_warnings(store: CodeStore, tmp_path: Path) -> None:
    """The notes (localities counted, skipped files, a replaced release) were dropped: the window said only
    "No warnings." where the CLI says "note: ..." lines, and the README promises skipped files a note here."""
    folder = tmp_path / "gpci"
    folder.mkdir()
    (folder / "GPCI2030.csv").write_bytes((FIXTURES / "cms" / "GPCI2030.csv").read_bytes())
    (folder / "GPCI2030.pdf").write_bytes(b"%PDF-1.4 invented, not a code file\n")
    (folder / "PROVENANCE.md").write_text("Where the invented file came from.\n", encoding="utf-8")
    first = import_paths(store.conn, [folder])
    assert first[0].notes, "the fixture must give notes, else this test proves nothing"
    html = summary_html(first)
    assert "<h4>Notes (" in html and "payment localities" in html
    assert "skipped" in html and "GPCI2030.pdf" in html and "PROVENANCE.md" in html
    assert "No warnings." in html and html.index("No warnings.") < html.index("<h4>Notes (")
    again = summary_html(import_paths(store.conn, [FIXTURES / "cms" / "GPCI2030.csv"]))
    assert "replaced the earlier import of this release" in again
