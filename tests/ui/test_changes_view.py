"""The What Changed window on two invented RVU quarters and two HCPCS releases (fixtures in the real formats)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot

from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore
from desktop_app.ui.main_window import MainWindow
from tests.ui.conftest import WAIT_MS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cms"


@pytest.fixture
def ui_db(tmp_path: Path) -> Path:
    path = tmp_path / "db.sqlite3"
    store = CodeStore.open(path)
    import_paths(store.conn, [FIXTURES / "PPRRVU2030_Jan.csv", FIXTURES / "PPRRVU2030_Apr.csv",
                              FIXTURES / "HCPC2030_ANWEB_fixture.txt", FIXTURES / "HCPC2030_APR_ANWEB.xlsx"])
    store.close()
    return path


def test_what_changed_window(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    window.changes_action.trigger()
    view = window.changes_view
    assert view is not None and view.isVisible()
    qtbot.waitUntil(lambda: view.report is not None, timeout=WAIT_MS)
    assert view.report is not None and view.report.family == "cms-rvu"
    text = view.browser.toPlainText()
    assert "Added (1)" in text and "99996" in text and "work rvu" in text and "+0.1" in text
    assert "Imaginary visit, brief, revised" in text
    view.family.setCurrentIndex(view.family.findData("cms-hcpcs"))
    qtbot.waitUntil(lambda: view.report is not None and view.report.family == "cms-hcpcs", timeout=WAIT_MS)
    assert "7 of 7 agree" in view.browser.toPlainText()
    # The section filter (as `changes --section`): a section's codes only, its subsections included.
    supplies = view.section.findData("A: Transportation and Medical/Surgical Supplies")
    other = view.section.findData("Evaluation and Management")
    assert supplies > 0 and other > 0
    view.section.setCurrentIndex(other)
    qtbot.waitUntil(lambda: view.report is not None and "A9992" not in view.browser.toPlainText(), timeout=WAIT_MS)
    view.section.setCurrentIndex(supplies)
    qtbot.waitUntil(lambda: view.report is not None and "A9992" in view.browser.toPlainText(), timeout=WAIT_MS)
    view.section.setCurrentIndex(0)
    qtbot.waitUntil(lambda: "7 of 7 agree" in view.browser.toPlainText(), timeout=WAIT_MS)
    target = tmp_path / "changes.csv"
    view.export(str(target))
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[0][:3] == ["change", "code", "what"] and rows[1][:2] == ["added", "A9992"]
    view.browser.anchorClicked.emit(QUrl("code:A9992"))
    qtbot.waitUntil(lambda: window.detail_pane.detail is not None and window.detail_pane.detail.code == "A9992",
                    timeout=WAIT_MS)


def test_esc_closes_the_what_changed_window(qtbot: QtBot, window: MainWindow) -> None:
    """Only Ctrl+W closed it, said nowhere; a window of its own with no Close button is closed with Esc."""
    window.changes_action.trigger()
    view = window.changes_view
    assert view is not None and view.isVisible()
    qtbot.waitUntil(view.isActiveWindow, timeout=WAIT_MS)
    view.browser.setFocus()
    qtbot.keyClick(view.browser, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=WAIT_MS)
    assert "Esc or Ctrl+W" in window.changes_action.toolTip()
