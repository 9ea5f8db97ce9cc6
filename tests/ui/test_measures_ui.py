"""Quality measures and payment amounts in the window: open a measure from a code and from the search, go
back to a code from the measure, choose a payment locality."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore
from desktop_app.ui.main_window import MainWindow

from .conftest import WAIT_MS, search, wait_detail

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def ui_db(tmp_path: Path) -> Path:
    """The bundled reference plus the invented QPP, RVU and GPCI fixtures."""
    path = tmp_path / "db.sqlite3"
    store = CodeStore.open(path)
    import_paths(store.conn, [FIXTURES / "qpp" / "measures-data-2030.json",
                              FIXTURES / "qpp" / "2030_Claims_SingleSource_V1.0.csv",
                              FIXTURES / "cms" / "PPRRVU2030_Jan.csv", FIXTURES / "cms" / "GPCI2030.csv"])
    store.close()
    return path


def test_measure_opens_from_a_code_and_leads_back_to_codes(qtbot: QtBot, window: MainWindow) -> None:
    window.open_code("G9992")
    wait_detail(qtbot, window, "G9992")
    text = window.detail_pane.text()
    assert "G9991 + G9992" in text and "performance met" in text and "G9992 + G9993" in text
    assert "measure:901" in window.detail_pane.browser.toHtml()
    window.detail_pane.browser.anchorClicked.emit(QUrl("measure:901"))
    qtbot.waitUntil(lambda: window.detail_pane.measure is not None, timeout=WAIT_MS)
    text = window.detail_pane.text()
    assert "Measure 901" in text and "Fixture Steward" in text and "Eligible population" in text
    assert window.detail_pane.detail is None and not window.detail_pane.note.isEnabled()
    window.detail_pane.browser.anchorClicked.emit(QUrl("code:0990F"))
    wait_detail(qtbot, window, "0990F")
    assert "0990F-8P" in window.detail_pane.text()


def test_search_lists_matching_measures_as_links(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "measure 901")
    qtbot.waitUntil(lambda: window.measure_note.isVisible(), timeout=WAIT_MS)
    assert "Invented measure" in window.measure_note.text()
    window.measure_note.linkActivated.emit("measure:901")
    qtbot.waitUntil(lambda: window.detail_pane.measure is not None, timeout=WAIT_MS)
    search(qtbot, window, "99990")
    qtbot.waitUntil(lambda: not window.measure_note.isVisible(), timeout=WAIT_MS)


def test_payment_amounts_and_the_locality_choice(qtbot: QtBot, window: MainWindow,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    window.open_code("99990")
    wait_detail(qtbot, window, "99990")
    text = window.detail_pane.text()
    assert "$96.59" in text and "$69.19" in text and "Choose the payment locality" in text
    assert "Bilateral surgery (modifier 50)" in text and "bilat_surg" not in text
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(
        lambda parent, title, label, items, current, editable: (next(i for i in items if "PRETEND" in i), True)))
    window.detail_pane.browser.anchorClicked.emit(QUrl("locality:choose"))
    qtbot.waitUntil(lambda: "$112.39" in window.detail_pane.text(), timeout=WAIT_MS)
    assert window.settings.value("payment/locality") == "99102-01"


def test_payment_locality_from_the_keyboard(qtbot: QtBot, window: MainWindow,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12 (keyboard-first): the chooser the detail's link opens is a View menu action with its own key,
    listed in the F1 shortcuts help."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence

    from desktop_app.ui.shortcuts import shortcut_rows

    action = window.locality_action
    view_menu = next(m.menu() for m in window.menuBar().actions() if m.text() == "&View")
    assert action in view_menu.actions()
    assert action.shortcut() == QKeySequence("Ctrl+Shift+M")
    clashes = [a.text() for a in window.actions() if a is not action and action.shortcut() in a.shortcuts()]
    assert clashes == []
    assert ("Ctrl+Shift+M", "Payment Locality") in shortcut_rows(window.actions())
    window.open_code("99990")
    wait_detail(qtbot, window, "99990")
    asked: list[list[str]] = []

    def choose(parent: object, title: str, label: str, items: list[str], current: int, editable: bool
               ) -> tuple[str, bool]:
        asked.append(items)
        return next(i for i in items if "PRETEND" in i), True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(choose))
    window.search_box.setFocus()
    qtbot.keyClick(window.search_box, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: "$112.39" in window.detail_pane.text(), timeout=WAIT_MS)
    assert asked and asked[0][0] == "National amounts only"
    assert window.settings.value("payment/locality") == "99102-01"


def test_the_detail_pane_and_measure_view_say_the_conditions(qtbot: QtBot, ui_db: Path) -> None:
    """The review found modifier and place-of-service exclusions and age limits only in `show --json`: the
    window says them in words beside each measure, as `show` and `measure` do."""
    from PySide6.QtGui import QPalette, QTextDocument

    from desktop_app.ui.detail_html import detail_html, measure_html

    def plain(html: str) -> str:
        document = QTextDocument()
        document.setHtml(html)
        return document.toPlainText()

    store = CodeStore.open(ui_db)
    try:
        code = plain(detail_html(store.detail("99990"), QPalette()))
        assert "not with modifier GQ or GT; not at place of service 02 or 10" in code
        # Counted as the measures file counts measures: 901.01 is an option group of 901, not a second measure.
        assert "of 1 measure (listed with option group 901.01 of 901):" in code
        assert "patients aged 18\u201375; female patients only" in plain(detail_html(store.detail("0990F"), QPalette()))
        measure = plain(measure_html(store.measure("901"), QPalette()))
        assert "Conditions: patients aged 18 or older" in measure and "not at place of service 02" in measure
        assert "option group 01" in plain(measure_html(store.measure("901.01"), QPalette()))
        unknown = plain(measure_html(store.measure("901.5"), QPalette()))
        assert "Measure 901 has no option group 05 in your files" in unknown and "Invented" not in unknown
    finally:
        store.close()


def test_the_changes_view_says_roles_were_not_compared(qtbot: QtBot, tmp_path: Path) -> None:
    import json

    from PySide6.QtGui import QPalette, QTextDocument

    from desktop_app.core.changes import compare
    from desktop_app.ui.changes_view import report_html

    later = json.loads((FIXTURES / "qpp" / "measures-data-2030.json").read_text(encoding="utf-8"))
    for measure in later:
        measure.pop("eligibilityOptions", None)
        measure.pop("performanceOptions", None)
    (tmp_path / "measures-data-2031.json").write_text(json.dumps(later), encoding="utf-8")
    store = CodeStore.open(tmp_path / "db.sqlite3")
    try:
        import_paths(store.conn, [FIXTURES / "qpp" / "measures-data-2030.json", tmp_path / "measures-data-2031.json"])
        document = QTextDocument()
        document.setHtml(report_html(compare(store.conn, "cms-qpp"), QPalette()))
        text = document.toPlainText()
    finally:
        store.close()
    assert "Measure roles not compared." in text and "lists no codes" in text
    assert "roles removed" not in text and "Measure roles (" not in text and "No differences" not in text


def test_the_measure_view_counts_its_denominator_as_the_cli_does(qtbot: QtBot, ui_db: Path) -> None:
    """It said "1 procedure codes" and did not say a measure's option groups were merged (`measure` did)."""
    from PySide6.QtGui import QPalette, QTextDocument

    from desktop_app.ui.detail_html import measure_html

    store = CodeStore.open(ui_db)
    try:
        texts = []
        for measure_id in ("901", "901.01"):
            document = QTextDocument()
            document.setHtml(measure_html(store.measure(measure_id), QPalette()))
            texts.append(document.toPlainText())
    finally:
        store.close()
    assert "2 procedure codes:" in texts[0] and "its 2 option groups together (901.01 shows one alone)" in texts[0]
    assert "1 procedure code:" in texts[1] and "option groups together" not in texts[1]


def test_a_locality_keeps_its_name_as_the_file_writes_it(ui_db: Path) -> None:
    """A review: "FL — MIAMI (MAC 09102, locality 04)" read "Fl — miami (mac 09102, locality 04)" in the detail's
    formula line, the code comparison and the printed row (``str.capitalize``); the print also left out the note
    that the GPCI and RVU years differ."""
    from desktop_app.core.code_compare import compare_codes
    from desktop_app.ui.detail_html import _payments_html
    from desktop_app.ui.printing import detail_print_html

    store = CodeStore.open(ui_db)
    try:
        detail = store.detail("99990", locality="99102-01")
        local = next(p for p in detail.payments if p.where != "national")
        assert "PRETEND CITY" in local.where and "MAC 99102" in local.where
        assert local.where_label == local.where
        assert next(p for p in detail.payments if p.where == "national").where_label == "National"
        shown = _payments_html(detail)
        assert "PRETEND CITY (MAC 99102" in shown and "Pretend city" not in shown
        printed = detail_print_html(detail)
        assert "PRETEND CITY (MAC 99102" in printed and "Pretend city" not in printed
        assert any("GPCIs of" in note for note in local.notes) == ("GPCIs of" in printed)
        rows = compare_codes([detail, store.detail("99991", locality="99102-01")]).rows
        assert any("PRETEND CITY (MAC 99102" in row.label for row in rows)
        assert not any("pretend city" in row.label for row in rows)
    finally:
        store.close()
