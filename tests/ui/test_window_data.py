"""ui/window_data.py: an import from the window refreshes what is shown, keeping the search."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow

from .conftest import WAIT_MS, codes, search

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_an_import_refreshes_the_current_search(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "A9990", typed=False)
    assert codes(window) == []
    assert window.import_paths([FIXTURES / "cms" / "HCPC2030_ANWEB_fixture.txt"])
    qtbot.waitUntil(lambda: codes(window) == ["A9990"], timeout=WAIT_MS * 2)
    assert window.search_box.text() == "A9990"
