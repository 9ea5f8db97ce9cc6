"""No database work on the UI thread (issue 11, item 1): every statement the window's own reference-database
connection runs from the Qt main thread is recorded, and driving the window through search, filters, paging,
a code, its NCCI edits, comparisons, an export, the claim check, what changed, the data sources and a data
change records none.
The worker's connection (its own, in its thread) is the one that answers."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.ui import navigation
from desktop_app.ui.importing import DataSourcesDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.requests import ExportDone

from .conftest import WAIT_MS, codes, search, settle, wait_detail


def record_ui_thread_statements(conn: sqlite3.Connection) -> list[str]:
    seen: list[str] = []

    def trace(statement: str) -> None:
        if threading.current_thread() is threading.main_thread():
            seen.append(statement)

    conn.set_trace_callback(trace)
    return seen


def test_the_trace_sees_a_statement_run_on_the_ui_thread(window: MainWindow) -> None:
    """The guard itself: a query on the UI thread is caught (so an empty list below means something)."""
    seen = record_ui_thread_statements(window.store.conn)
    window.store.sources()
    assert seen and "sources" in seen[0]


def test_driving_the_window_runs_no_reference_query_on_the_ui_thread(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = record_ui_thread_statements(window.store.conn)

    search(qtbot, window, "asthma")
    qtbot.waitUntil(lambda: bool(window.last_counts), timeout=WAIT_MS)
    qtbot.mouseClick(window.category_filter.button("II"), Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    window.clear_filters()
    settle(qtbot, window)
    window.open_code(codes(window)[0])
    wait_detail(qtbot, window, codes(window)[0])
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    window.go_back()
    wait_detail(qtbot, window, codes(window)[0])

    section = next(iter(window.store.catalog.sections))
    window.browse_section(section)
    settle(qtbot, window)
    window.next_page()
    settle(qtbot, window)

    window.compare_codes(["99213", "99214"])
    settle(qtbot, window, "code_comparison")
    window.tabs.setCurrentIndex(1)  # compare categories
    settle(qtbot, window, "comparison")
    window.tabs.setCurrentIndex(0)

    path = tmp_path / "results.csv"
    monkeypatch.setattr(navigation, "choose_export_path", lambda *_args: path)
    done: list[ExportDone] = []
    window.service.on(ExportDone, done.append)
    search(qtbot, window, "office visit")
    window.export_results()
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT_MS * 4)
    assert path.exists()

    window.show_claim_check()
    assert window.claim_check is not None
    window.claim_check.claim.setText("99213 99214")
    window.claim_check.check()
    settle(qtbot, window, "ncci_check")
    window.show_changes()
    settle(qtbot, window, "releases")

    sources = DataSourcesDialog(window.service, window.jobs, window)
    qtbot.waitUntil(lambda: sources.table.rowCount() > 0, timeout=WAIT_MS)
    sources.done(0)

    window.on_data_changed()  # as after an import: catalog, counts, the open code, all from the worker
    settle(qtbot, window, "refresh")
    settle(qtbot, window)
    settle(qtbot, window, "detail")
    settle(qtbot, window, "overview")

    assert seen == []
