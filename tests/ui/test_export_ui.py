"""Export from the window (in the worker), several rows selected and copied as TSV (issue 12, item 2)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.export import RESULT_COLUMNS
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.worker import ExportRequest
from tests.ui.conftest import WAIT_MS, search


def test_export_results_writes_every_match(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    search(qtbot, window, "9*")
    assert window.last_result is not None and window.last_result.total > len(window.results_model.hits())
    path = tmp_path / "results.xlsx"
    with qtbot.waitSignal(window.service.export_ready, timeout=WAIT_MS * 4):
        request = window.current_request()
        window.service.export(ExportRequest("results", path, request.query, request.code_set, request.section_id))
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == RESULT_COLUMNS and len(rows) - 1 == window.last_result.total
    assert "Exported" in window.statusBar().currentMessage()


def test_export_working_set_table(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    assert window.userdata is not None
    window.userdata.set_favourite("99213", True, "Office")
    path = tmp_path / "ws.csv"
    with qtbot.waitSignal(window.service.export_ready, timeout=WAIT_MS):
        window.service.export(ExportRequest("working_set", path, userdata_path=window.userdata.path))
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("kind,list,code,category,title,title_source") and "favourite,Office,99213" in text


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
