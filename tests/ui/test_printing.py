"""ui/printing.py: a code's printable page, and a PDF written from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from desktop_app.core.store import CodeStore
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.printing import detail_print_html, save_pdf

from .conftest import WAIT_MS, wait_detail


def test_a_printed_code_keeps_its_note_and_becomes_a_pdf(qtbot: QtBot, store: CodeStore, tmp_path: Path) -> None:
    html = detail_print_html(store.detail("99213"), note="an invented note & more")
    assert "99213" in html and "an invented note &amp; more" in html
    target = tmp_path / "99213.pdf"
    save_pdf(html, target)
    assert target.read_bytes().startswith(b"%PDF")


def _page_size(pdf: Path) -> tuple[float, float]:
    found = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert found, "no page size in the PDF"
    return float(found.group(1)), float(found.group(2))


def test_a_comparison_of_four_codes_is_saved_in_landscape(qtbot: QtBot, window: MainWindow, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """In portrait, four columns broke words in the middle ("straightforwar-d"); a code's detail stays portrait."""
    window.compare_codes(["99212", "99213", "99214", "99215"])
    qtbot.waitUntil(lambda: window.code_compare_view.comparison is not None, timeout=WAIT_MS)
    target = tmp_path / "comparison.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    window.save_current_pdf()
    width, height = _page_size(target)
    assert width > height
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    detail_pdf = tmp_path / "detail.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(detail_pdf), ""))
    window.save_current_pdf()
    width, height = _page_size(detail_pdf)
    assert width < height
