"""ui/importing.py: what the import dialog offers and how an import's summary reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.core.importers import SUPPORTED_EXTENSIONS, ImportSummary, import_paths
from desktop_app.core.store import CodeStore
from desktop_app.ui.importing import (
    SUMMARY_HEADINGS,
    DataSourcesDialog,
    file_dialog_filter,
    summary_html,
    supported_formats_text,
)
from desktop_app.ui.main_window import MainWindow

from .conftest import WAIT_MS

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


def test_the_summary_headers_never_break_inside_a_word(qapp: object) -> None:
    """With long file names the number columns were squeezed until "Unchanged" read "Unchange / d" (at the
    dialog's own width, 980 px)."""
    long_file = ImportSummary(
        file_name="PPRRVU2030_Jan_a_very_long_practice_export_name_with_more.csv", format="CMS PFS RVU (CSV)",
        source_id=2, source_name="CMS PFS RVU 2030 January (RVU30A) from an invented long name", release="RVU30A",
        added=1000, updated=20, unchanged=30000, modifiers=5, measures=0, warnings=[], seconds=1.2)
    for width in (600, 980):
        document = QTextDocument()
        document.setHtml(summary_html([long_file, long_file]))
        document.setTextWidth(width)
        document.size()  # lays the document out
        lines = {}
        block = document.begin()
        while block.isValid():
            text = block.text().replace("\u00a0", " ")  # no-wrap text is laid out with no-break spaces
            if text in SUMMARY_HEADINGS:
                lines[text] = block.layout().lineCount()
            block = block.next()
        assert set(lines) == set(SUMMARY_HEADINGS)
        assert all(count == 1 for count in lines.values()), (width, lines)


def test_a_source_is_removed_from_the_keyboard(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tab stayed in the table for good and Delete did nothing, so Remove… could not be reached without a mouse;
    the question did not say what would go; and after a removal the focus sat on a disabled Remove…."""
    with qtbot.waitSignal(window.jobs.finished, timeout=WAIT_MS):
        window.import_paths([FIXTURES / "cms" / "PPRRVU2030_Jan.csv"])
    dialog = DataSourcesDialog(window.service, window.jobs, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=WAIT_MS)  # the bundled reference, the import
    assert "&R" in dialog.remove_button.text()  # Alt+R
    dialog.table.setFocus()
    dialog.table.selectRow(1)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.remove_button  # Tab leaves the table

    asked: list[str] = []

    def question(_parent: object, _title: str, text: str) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)  # asked, answered No: nothing goes
    assert len(asked) == 1 and dialog.table.rowCount() == 2
    codes = dialog.selected_source().counts["codes"]  # type: ignore[union-attr]
    assert isinstance(codes, int) and codes > 0 and f"It holds {codes:,} codes" in asked[0]
    qtbot.keyClick(dialog.table, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.remove_button
    with qtbot.waitSignal(window.jobs.finished, timeout=WAIT_MS):
        qtbot.keyClick(dialog.remove_button, Qt.Key.Key_Space)  # Remove…, answered Yes
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.table, timeout=WAIT_MS)
    assert not dialog.remove_button.hasFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)  # the bundled reference: never removed, never asked about
    assert len(asked) == 2
    dialog.done(0)
