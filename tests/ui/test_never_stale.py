"""Never stale: an import made by another process shows in the open window within two seconds, keeping the
user's place (issue 12, item 6)."""

from __future__ import annotations

import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore
from desktop_app.ui.main_window import MainWindow
from tests.ui.conftest import search, wait_detail

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_an_import_by_another_process_shows_within_two_seconds(qtbot: QtBot, window: MainWindow,
                                                              ui_db: Path) -> None:
    window.open_code("99990")  # an invented code the fixture file adds
    wait_detail(qtbot, window, "99990")
    assert window.detail_pane.detail is not None and not window.detail_pane.detail.known
    search(qtbot, window, "9999*")
    before = window.sources_label.text()
    other = CodeStore.open(ui_db, build=False)  # as codedesk-cli would: its own connection
    try:
        import_paths(other.conn, [FIXTURES / "cms" / "PPRRVU2030_Jan.csv"])
    finally:
        other.close()
    started = time.perf_counter()
    qtbot.waitUntil(lambda: window.sources_label.text() != before, timeout=2500)
    qtbot.waitUntil(lambda: window.detail_pane.detail is not None and window.detail_pane.detail.known,
                    timeout=2500)
    assert time.perf_counter() - started < 2.5
    assert window.search_box.text() == "9999*"  # the user's place is kept
    qtbot.waitUntil(lambda: "99990" in [h.code for h in window.results_model.hits()], timeout=2500)
    assert window.detail_pane.detail.code == "99990"


def test_nothing_changed_means_no_refresh(qtbot: QtBot, window: MainWindow) -> None:
    refreshed: list[int] = []
    window.service.changed_elsewhere.connect(lambda: refreshed.append(1))
    qtbot.wait(2200)
    assert refreshed == []
