"""No database work on the UI thread (issue 11, item 1): every statement the window's own reference-database
connection runs from the Qt main thread is recorded, and driving the window through search, filters, paging,
a code, its NCCI edits, comparisons, an export, the claim check, what changed, the data sources and a data
change records none.
The worker's connection (its own, in its thread) is the one that answers.

The user's own database too: the window hands its UserData to the worker, and the statements that connection
runs on the UI thread are recorded (conftest watches every window made by ``make_window``, so every UI test
checks it at teardown); driving favourites, notes, history, lists, the working-set pages, their CSV import and
export, and closing with a note records none here either."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.core.userdata import unsaved_notes_path
from desktop_app.ui import navigation
from desktop_app.ui.importing import DataSourcesDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.requests import ExportDone
from desktop_app.ui.user_requests import NoteSaved, WorkingSetImported, WorkingSetWritten

from .conftest import (
    WAIT_MS,
    codes,
    handed_over_userdata,
    own_user_connection,
    record_ui_thread_statements,
    search,
    settle,
    ui_thread_user_statements,
    wait_detail,
)


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


def test_the_user_data_guard_sees_a_statement_run_on_the_ui_thread(window: MainWindow) -> None:
    """The guard on the user data: a read on the UI thread through the window's connection is caught."""
    seen = ui_thread_user_statements(window)
    handed_over_userdata(window).note("99213")
    assert seen and "notes" in seen[0]
    seen.clear()  # caught; the teardown check is for the window's own work


def test_driving_favourites_notes_history_and_lists_runs_no_user_data_query_on_the_ui_thread(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = ui_thread_user_statements(window)
    panel = window.side_panel
    saved: list[NoteSaved] = []
    window.service.on(NoteSaved, saved.append)

    for code in ("99213", "3074F", "J1100"):  # each view is recorded in the history (by the worker)
        window.open_code(code)
        wait_detail(qtbot, window, code)
    qtbot.keyClick(window.search_box, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # star J1100
    window.detail_pane.note.setPlainText("check the units")
    window.detail_pane.save_note()
    qtbot.waitUntil(lambda: bool(saved) and not window.detail_pane.unsaved_notes, timeout=WAIT_MS)

    monkeypatch.setattr(QInputDialog, "getItem", lambda *_a, **_k: ("Cardiology", True))
    window.add_to_list()  # J1100 into a new list, named in the dialog
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("Orthopaedics", True))
    window.side_panel_new_list()
    qtbot.waitUntil(lambda: panel.snapshot is not None and "Orthopaedics" in panel.snapshot.lists,
                    timeout=WAIT_MS)
    assert "Cardiology" in panel.snapshot.lists
    panel.list_combo.setCurrentText("Orthopaedics")
    monkeypatch.setattr(QInputDialog, "getItem", lambda *_a, **_k: ("Rename\u2026", True))
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("Knees", True))
    panel._list_menu()
    qtbot.waitUntil(lambda: panel.snapshot is not None and "Knees" in panel.snapshot.lists, timeout=WAIT_MS)
    panel.list_combo.setCurrentText("Knees")
    monkeypatch.setattr(QInputDialog, "getItem", lambda *_a, **_k: ("Delete the list and its entries", True))
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    panel._list_menu()
    qtbot.waitUntil(lambda: panel.snapshot is not None and "Knees" not in panel.snapshot.lists, timeout=WAIT_MS)

    window.recent_action.trigger()
    qtbot.waitUntil(lambda: "3074F" in panel.recent.visible_codes(), timeout=WAIT_MS)
    panel.recent.table.setFocus()
    panel.recent.table.selectRow(panel.recent.visible_codes().index("3074F"))
    qtbot.keyClick(panel.recent.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: "3074F" not in panel.recent.visible_codes(), timeout=WAIT_MS)

    csv_path = tmp_path / "working-set.csv"
    written: list[WorkingSetWritten] = []
    window.service.on(WorkingSetWritten, written.append)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(csv_path), ""))
    window.export_working_set()
    qtbot.waitUntil(lambda: bool(written), timeout=WAIT_MS)
    assert not written[0].problem and "check the units" in csv_path.read_text(encoding="utf-8-sig")
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    window.notes_action.trigger()
    qtbot.waitUntil(lambda: panel.notes.visible_codes() == ["J1100"], timeout=WAIT_MS)
    panel.notes.table.setFocus()
    panel.notes.table.selectRow(0)
    qtbot.keyClick(panel.notes.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: panel.notes.visible_codes() == [], timeout=WAIT_MS)
    imported: list[WorkingSetImported] = []
    window.service.on(WorkingSetImported, imported.append)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(csv_path), ""))
    window.import_working_set()
    qtbot.waitUntil(lambda: bool(imported), timeout=WAIT_MS)
    assert imported[0].summary is not None and imported[0].summary.notes == 1
    qtbot.waitUntil(lambda: panel.notes.visible_codes() == ["J1100"], timeout=WAIT_MS)

    export_path = tmp_path / "working-set.xlsx"
    monkeypatch.setattr(navigation, "choose_export_path", lambda *_args: export_path)
    done: list[ExportDone] = []
    window.service.on(ExportDone, done.append)
    window.export_working_table()
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT_MS)

    window.open_code("99214")
    wait_detail(qtbot, window, "99214")
    window.detail_pane.note.setPlainText("typed just before closing")
    assert seen == []
    window.close()  # the note is written by the worker as it stops
    assert seen == []
    assert window.userdata_path is not None and not unsaved_notes_path(window.userdata_path).exists()
    with own_user_connection(window) as user:
        assert user.note("99214") == "typed just before closing" and user.note("J1100") == "check the units"
        assert user.is_favourite("J1100") and [e.list_name for e in user.favourite_entries()] == [
            "Cardiology", "Favourites"]
        assert [h.code for h in user.history_entries()][:2] == ["99214", "J1100"]
