"""ui/printing.py: a code's printable page, and a PDF written from it."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.core.store import CodeStore
from desktop_app.ui.printing import detail_print_html, save_pdf


def test_a_printed_code_keeps_its_note_and_becomes_a_pdf(qtbot: QtBot, store: CodeStore, tmp_path: Path) -> None:
    html = detail_print_html(store.detail("99213"), note="an invented note & more")
    assert "99213" in html and "an invented note &amp; more" in html
    target = tmp_path / "99213.pdf"
    save_pdf(html, target)
    assert target.read_bytes().startswith(b"%PDF")
