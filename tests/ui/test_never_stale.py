"""Never stale: an import made by another process shows in the open window within two seconds, keeping the
user's place (issue 12, item 6)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore
from desktop_app.ui.main_window import MainWindow
from tests.ui.conftest import WAIT_MS, search, wait_detail

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


def test_the_windows_own_import_and_removal_are_not_said_to_be_another_programs(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window's job writes on a connection of its own: a poll between its commit and the catalog read after
    it saw a new version and the status bar said "The database was changed by another program"."""
    from desktop_app.core import importers

    def slow(job: Callable[..., object]) -> Callable[..., object]:
        def run(*args: object, **kwargs: object) -> object:
            result = job(*args, **kwargs)
            time.sleep(0.6)  # committed; the window has not heard yet, and polls meanwhile
            return result
        return run

    monkeypatch.setattr("desktop_app.ui.importing.importers_module", lambda: SimpleNamespace(
        import_paths=slow(importers.import_paths), remove_source=slow(importers.remove_source)))
    window.staleness_timer.setInterval(40)
    said: list[str] = []
    window.service.changed_elsewhere.connect(lambda: said.append(window.statusBar().currentMessage()))
    with qtbot.waitSignal(window.jobs.finished, timeout=WAIT_MS):
        window.import_paths([FIXTURES / "cms" / "PPRRVU2030_Jan.csv"])
    source = next(s for s in window.store.sources() if s.kind == "cms-rvu")
    qtbot.wait(300)
    with qtbot.waitSignal(window.jobs.finished, timeout=WAIT_MS):
        window.jobs.remove_source(source)
    qtbot.wait(300)
    assert said == []
    assert "another program" not in window.statusBar().currentMessage()
    # Another program's change is still said.
    other = CodeStore.open(window.store.path, build=False)
    try:
        import_paths(other.conn, [FIXTURES / "cms" / "PPRRVU2030_Jan.csv"])
    finally:
        other.close()
    qtbot.waitUntil(lambda: len(said) == 1, timeout=WAIT_MS)
    assert "another program" in window.statusBar().currentMessage()
