"""Export from the window (in the worker), several rows selected and copied as TSV (issue 12, item 2)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.export import RESULT_COLUMNS
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.requests import ExportDone, ExportRequest
from tests.ui.conftest import WAIT_MS, own_user_connection, search


def test_export_results_writes_every_match(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    search(qtbot, window, "9*")
    assert window.last_result is not None and window.last_result.total > len(window.results_model.hits())
    path = tmp_path / "results.xlsx"
    done: list[ExportDone] = []
    window.service.on(ExportDone, done.append)
    request = window.current_request()
    window.service.post(ExportRequest("results", path, request.query, request.code_set, request.section_id))
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT_MS * 4)
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == RESULT_COLUMNS and len(rows) - 1 == window.last_result.total
    assert "Exported" in window.statusBar().currentMessage()


def test_export_working_set_table(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    with own_user_connection(window) as user:
        user.set_favourite("99213", True, "Office")
    path = tmp_path / "ws.csv"
    done: list[ExportDone] = []
    window.service.on(ExportDone, done.append)
    window.service.post(ExportRequest("working_set", path))
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT_MS)
    assert done[0].path == path
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("kind,list,code,category,title,title_source") and "favourite,Office,99213" in text
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["code"] == "99213" and row["summary"] == window.store.detail("99213").descriptors[0].text


def test_selected_rows_copy_as_tsv(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "99202-99205")
    selection = window.results_view.selectionModel()
    window.results_view.setFocus()
    for row in range(3):
        selection.select(window.results_model.index(row, 0),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    qtbot.keyClick(window.results_view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t")[0] == "code" and [line.split("\t")[0] for line in lines[1:]] == [
        "99202", "99203", "99204"]
    assert all(len(line.split("\t")) == len(lines[0].split("\t")) for line in lines)
