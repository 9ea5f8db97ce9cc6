"""The NCCI window parts: Check Codes Together (Ctrl+Shift+K) and a code's edits under the detail pane."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore
from desktop_app.ui.claim_check import ClaimCheckPanel
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.requests import ClaimCheckAnswer, RequestKind
from tests.ui.conftest import WAIT_MS, wait_detail

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from ncci_fixtures import write_mue, write_ptp


@pytest.fixture
def ui_db(tmp_path: Path) -> Path:
    """The bundled reference plus invented NCCI edits and MUEs in the real layouts."""
    path = tmp_path / "db.sqlite3"
    store = CodeStore.open(path)
    import_paths(store.conn, [write_ptp(tmp_path / "ncci"), write_mue(tmp_path / "ncci")])
    store.close()
    return path


def test_check_codes_together_window(qtbot: QtBot, window: MainWindow) -> None:
    window.claim_check_action.trigger()
    panel = window.claim_check
    assert panel is not None and panel.isVisible()
    assert "Ctrl+Shift+K" in [s.toString() for s in window.claim_check_action.shortcuts()]
    panel.date.set_date(date(2025, 1, 1))
    qtbot.keyClicks(panel.claim, "10001, 10002-59, 10003 x2")
    qtbot.waitUntil(lambda: panel.result is not None and len(panel.result.lines) == 3, timeout=WAIT_MS)
    assert panel.result is not None
    verdicts = {(p.column1, p.column2): p.bypassed for p in panel.result.ptp}
    # 59 on 10002 bypasses both its indicator-1 edits; 10001/10003 has indicator 0.
    assert verdicts == {("10001", "10002"): True, ("10001", "10003"): False, ("10002", "10003"): True}
    text = panel.browser.toPlainText()
    assert "denied" in text and "bypassed" in text and "American Medical Association" in text
    # The fixture's MUE table takes effect on 2026-07-01: on 2025-01-01 the units are said not to be checked.
    assert "units were not checked" in text and "more than the MUE" not in text
    # A later date: the edit deleted on 2022-12-31 is said not to apply; the check follows the date.
    panel.claim.setText("10001 10004")
    panel.date.set_date(date(2023, 1, 1))
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.date_of_service == "2023-01-01"
                    and [ln.code for ln in panel.result.lines] == ["10001", "10004"], timeout=WAIT_MS)
    assert "through 2022-12-31" in panel.browser.toPlainText()
    # On or after the MUE table's effective date the units are judged.
    panel.claim.setText("10003 x2")
    panel.date.set_date(date(2026, 7, 15))
    qtbot.waitUntil(lambda: "10003: 2 units billed, more than the MUE of 1 on one claim line"
                    in panel.browser.toPlainText(), timeout=WAIT_MS)
    # A modifier that does not fit its code is said, as in show/search/validate.
    panel.claim.setText("00100-AA-QK")
    qtbot.waitUntil(lambda: "AA and QK on one line" in panel.browser.toPlainText(), timeout=WAIT_MS)
    assert "Modifiers that do not fit: 1" in panel.browser.toPlainText()
    panel.claim.setText("10001 hello")
    qtbot.waitUntil(lambda: "'HELLO'" in panel.browser.toPlainText(), timeout=WAIT_MS)
    # A code in the answer opens in the main window.
    panel.browser.anchorClicked.emit(QUrl("code:10002"))
    qtbot.waitUntil(lambda: window.detail_pane.detail is not None and window.detail_pane.detail.code == "10002",
                    timeout=WAIT_MS)


def test_detail_pane_lists_the_codes_edits(qtbot: QtBot, window: MainWindow) -> None:
    window.open_code("10001")
    panel = window.code_edits
    qtbot.waitUntil(lambda: panel.edits is not None and panel.edits.page.code == "10001", timeout=WAIT_MS)
    assert panel.edits is not None and panel.edits.page.total == 6
    assert "6" in panel.heading.text() and not panel.next.isEnabled()
    text = panel.browser.toPlainText()
    assert "G0001" in text and "column 2" in text and "MUE (practitioner)" in text
    panel.setting.setCurrentIndex(1)  # outpatient hospital: none imported
    qtbot.waitUntil(lambda: panel.edits is not None and panel.edits.page.setting == "hospital", timeout=WAIT_MS)
    assert "No outpatient hospital PTP edits imported" in panel.browser.toPlainText()


def test_the_window_says_what_the_check_could_not_judge(qtbot: QtBot, window: MainWindow) -> None:
    """As the CLI: the missing PTP parts, an MUE table not in effect on the day (never "no MUE"), and a code
    CodeDesk does not know (unknown, not denied)."""
    window.claim_check_action.trigger()
    panel = window.claim_check
    assert panel is not None
    panel.date.set_date(date(2025, 1, 15))
    qtbot.keyClicks(panel.claim, "20610, 12399 x3")
    qtbot.waitUntil(lambda: panel.result is not None and len(panel.result.lines) == 2, timeout=WAIT_MS)
    text = panel.browser.toPlainText()
    assert "in the imported parts; parts 2, 3, 4 were not checked" in text
    assert "parts 2, 3, 4 of the practitioner PTP edits (version 32.2r0) are not imported" in text
    assert "Units (MUE): not checked" in text and "in effect from 2026-07-01" in text and "No MUE" not in text
    assert "Codes not in the imported files: 1" in text and "Codes not valid on this date" not in text
    section = text.split("Codes not in the imported files: 1")[1].split("Pairs (PTP edits)")[0]
    assert "unknown" in section and "12399" in section and "denied" not in section


def test_a_modifier_shows_no_empty_edits_panel_and_says_where_its_official_text_is(qtbot: QtBot,
                                                                                    window: MainWindow) -> None:
    """A review: a modifier's detail showed an empty "NCCI edits of 25: 0" panel, and "Import the CMS HCPCS file to
    see the official text" for CPT modifier 25, which no CMS file holds."""
    from desktop_app.ui.detail_html import official_modifier_text_hint

    window.open_code("25")
    wait_detail(qtbot, window, "25")
    panel = window.code_edits
    qtbot.waitUntil(lambda: "per modifier" in panel.heading.text(), timeout=WAIT_MS)
    assert "NCCI edits of 25" not in panel.heading.text() and not panel.browser.isVisible()
    assert "AMA CPT data files" in window.detail_pane.text()
    assert "CMS HCPCS file to see" not in window.detail_pane.text()
    assert "CMS HCPCS file" in official_modifier_text_hint("GT")
    window.open_code("99213")  # a code afterwards asks for its edits again
    wait_detail(qtbot, window, "99213")
    qtbot.waitUntil(lambda: "per modifier" not in panel.heading.text(), timeout=WAIT_MS)


def test_the_detail_pane_keeps_its_width_from_a_code_with_edits_to_one_without(qtbot: QtBot,
                                                                                window: MainWindow) -> None:
    """A review: at 1400 px the list and detail divider moved about 25 px at each switch between a code with NCCI
    edits and one without: the edits bar's width followed its heading's text."""
    from desktop_app.ui.claim_check import EDITS_PANEL_MIN_WIDTH

    window.resize(1400, 900)
    panel = window.code_edits
    widths, bars = set(), set()
    for code in ("10001", "3074F", "10001", "3074F"):  # invented edits for 10001; none for 3074F
        window.open_code(code)
        wait_detail(qtbot, window, code)
        qtbot.waitUntil(lambda c=code: panel.edits is not None and panel.edits.page.code == c, timeout=WAIT_MS)
        qtbot.wait(50)
        widths.add(window.detail_pane.minimumSizeHint().width())
        bars.add(panel.heading.text())
    assert len(bars) == 2  # the panel's bar did change between the two codes
    assert len(widths) == 1 and panel.minimumWidth() == EDITS_PANEL_MIN_WIDTH


# The date of service after a hostile review of the real window: a QDateEdit read typed dates section by section,
# so "2025-01-15" became 2025-01-01, "2025-03-31" 2025-03-03, "03/31/2025" 2025-03-12, and the check ran on them.


def _panel(qtbot: QtBot, window: MainWindow, claim: str = "10001 10004") -> ClaimCheckPanel:
    window.claim_check_action.trigger()
    panel = window.claim_check
    assert panel is not None
    panel.claim.setText(claim)
    return panel


def _type_date(qtbot: QtBot, panel: ClaimCheckPanel, text: str) -> None:
    """Select the whole date and type ``text`` over it, key by key, as a coder does."""
    field = panel.date.focusProxy() or panel.date
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, text)


def _checked_on(panel: ClaimCheckPanel, day: str, lines: list[str]) -> bool:
    result = panel.result
    return result is not None and result.date_of_service == day and [ln.code for ln in result.lines] == lines


def _answers(panel: ClaimCheckPanel) -> list[ClaimCheckAnswer]:
    """Every claim check answer delivered from now on."""
    seen: list[ClaimCheckAnswer] = []
    panel._service.on(ClaimCheckAnswer, seen.append)
    return seen


@pytest.mark.parametrize(("typed", "day"), [
    ("2025-01-15", "2025-01-15"), ("2025-03-31", "2025-03-31"), ("03/31/2025", "2025-03-31"),
    ("3/5/2025", "2025-03-05"), ("20250115", "2025-01-15"), ("12/1/2024", "2024-12-01"),
])
def test_a_typed_date_of_service_is_the_date_checked(qtbot: QtBot, window: MainWindow, typed: str, day: str) -> None:
    panel = _panel(qtbot, window)
    _type_date(qtbot, panel, typed)
    qtbot.waitUntil(lambda: _checked_on(panel, day, ["10001", "10004"]), timeout=WAIT_MS)
    assert panel.date.text() == typed  # what the coder typed stays as typed
    assert f"Date of service {day}" in panel.browser.toPlainText()


def test_a_pasted_date_is_read_whole(qtbot: QtBot, window: MainWindow) -> None:
    panel = _panel(qtbot, window)
    field = panel.date.focusProxy() or panel.date
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QApplication.clipboard().setText(" 2025-03-31 ")
    qtbot.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _checked_on(panel, "2025-03-31", ["10001", "10004"]), timeout=WAIT_MS)


@pytest.mark.parametrize("garbage", ["2025-02-30", "31/03/2025", "hello", "2025-13-01", "2025-0", "03/31/25"])
def test_text_that_is_not_a_date_is_said_and_nothing_is_checked(qtbot: QtBot, window: MainWindow,
                                                               garbage: str) -> None:
    panel = _panel(qtbot, window)
    _type_date(qtbot, panel, "2025-01-15")
    qtbot.waitUntil(lambda: _checked_on(panel, "2025-01-15", ["10001", "10004"]), timeout=WAIT_MS)
    answers = _answers(panel)
    _type_date(qtbot, panel, garbage)
    qtbot.waitUntil(lambda: "is not a date" in panel.browser.toPlainText(), timeout=WAIT_MS)
    text = panel.browser.toPlainText()
    assert f"\u201c{garbage}\u201d is not a date" in text and "Nothing was checked" in text
    assert "2025-01-15, 01/15/2025 or 20250115" in text  # the forms it takes
    assert panel.result is None and panel.date.edit.property("invalidDate") is True
    qtbot.keyClick(panel.date.edit, Qt.Key.Key_Return)  # Enter on a non-date checks nothing either
    qtbot.wait(400)
    assert answers == [] and panel.result is None and panel.date.text() == garbage  # never another date
    _type_date(qtbot, panel, "2025-03-31")  # a date again: checked, and the mark goes
    qtbot.waitUntil(lambda: _checked_on(panel, "2025-03-31", ["10001", "10004"]), timeout=WAIT_MS)
    assert panel.date.edit.property("invalidDate") is False


def test_a_date_still_being_typed_waits_for_enter(qtbot: QtBot, window: MainWindow) -> None:
    """'2025-01-1' reads as 1 January but is most likely 2025-01-15 half typed: a pause does not check it."""
    panel = _panel(qtbot, window)
    _type_date(qtbot, panel, "2025-01-20")
    qtbot.waitUntil(lambda: _checked_on(panel, "2025-01-20", ["10001", "10004"]), timeout=WAIT_MS)
    answers = _answers(panel)
    _type_date(qtbot, panel, "2025-01-1")
    qtbot.waitUntil(lambda: "press Enter to check 2025-01-01" in panel.browser.toPlainText(), timeout=WAIT_MS)
    qtbot.wait(400)
    assert answers == [] and panel.result is None
    qtbot.keyClick(panel.date.edit, Qt.Key.Key_Return)  # asked for: checked on that day
    qtbot.waitUntil(lambda: _checked_on(panel, "2025-01-01", ["10001", "10004"]), timeout=WAIT_MS)
    qtbot.keyClicks(panel.date.edit, "5")
    qtbot.waitUntil(lambda: _checked_on(panel, "2025-01-15", ["10001", "10004"]), timeout=WAIT_MS)


def test_arrows_calendar_tab_and_enter(qtbot: QtBot, window: MainWindow) -> None:
    panel = _panel(qtbot, window)
    edit = panel.date.edit
    _type_date(qtbot, panel, "2025-01-31")
    qtbot.keyClick(edit, Qt.Key.Key_Up)
    assert panel.date.text() == "2025-02-01"
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    assert panel.date.text() == "2025-01-30"
    qtbot.keyClick(edit, Qt.Key.Key_PageUp)
    assert panel.date.text() == "2025-02-28"  # a month later, the last day of a shorter month
    qtbot.waitUntil(lambda: _checked_on(panel, "2025-02-28", ["10001", "10004"]), timeout=WAIT_MS)
    qtbot.keyClick(edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # the calendar
    calendar = panel.date.calendar
    assert calendar.isVisible() and calendar.selectedDate().toString("yyyy-MM-dd") == "2025-02-28"
    calendar.setSelectedDate(calendar.selectedDate().addDays(3))
    calendar.activated.emit(calendar.selectedDate())  # Enter or a double click on a day
    assert not calendar.isVisible() and panel.date.text() == "2025-03-03"
    qtbot.waitUntil(lambda: _checked_on(panel, "2025-03-03", ["10001", "10004"]), timeout=WAIT_MS)
    # Tab goes codes -> date -> setting -> Check (the calendar button is reached by Alt+Down, not by Tab).
    chain, widget = [], panel.claim
    for _ in range(3):
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or not widget.isVisibleTo(panel):
            widget = widget.nextInFocusChain()
        chain.append(widget)
    assert chain == [edit, panel.setting, panel.check_button]
    # Enter in the date box checks at once.
    answers = _answers(panel)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(answers) == 1, timeout=WAIT_MS)


def test_an_answer_for_a_date_no_longer_shown_is_not_shown(qtbot: QtBot, window: MainWindow) -> None:
    panel = _panel(qtbot, window)
    _type_date(qtbot, panel, "2025-01-15")
    qtbot.waitUntil(lambda: _checked_on(panel, "2025-01-15", ["10001", "10004"]), timeout=WAIT_MS)
    answer = panel.result
    assert answer is not None
    _type_date(qtbot, panel, "2023-01-01")
    qtbot.waitUntil(lambda: _checked_on(panel, "2023-01-01", ["10001", "10004"]), timeout=WAIT_MS)
    panel._on_result(answer)  # the earlier day's answer arriving late
    assert _checked_on(panel, "2023-01-01", ["10001", "10004"])
    assert "Date of service 2023-01-01" in panel.browser.toPlainText()


def test_a_failed_check_is_said_in_words_and_goes_when_a_check_succeeds(qtbot: QtBot, window: MainWindow) -> None:
    panel = _panel(qtbot, window, "10001 hello")
    qtbot.waitUntil(lambda: "'HELLO'" in panel.browser.toPlainText(), timeout=WAIT_MS)
    said = window.statusBar().currentMessage()
    assert said.startswith("Could not check the codes together: ") and "ncci_check" not in said
    panel.claim.setText("10001 10004")
    qtbot.waitUntil(lambda: panel.result is not None, timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == ""


def test_every_request_kind_is_said_in_words() -> None:
    for kind in RequestKind:
        assert kind.words and "_" not in kind.words, kind


def test_an_edit_deleted_on_its_effective_date_is_said_alike_in_the_detail_and_the_check(
        qtbot: QtBot, window: MainWindow) -> None:
    """10001/10005 has indicator 9 (deleted on its effective date, 2021-01-01): the detail pane said
    "2021-01-01 – 2021-01-01 (not now)" while the check said it does not apply."""
    window.open_code("10001")
    edits = window.code_edits
    qtbot.waitUntil(lambda: edits.edits is not None and edits.edits.page.code == "10001", timeout=WAIT_MS)
    text = edits.browser.toPlainText()
    row = text.split("10005", 1)[1].split("10006", 1)[0]  # the table's cells, one a line, up to the next edit
    assert "not applicable (the edit was deleted on its effective date): 2021-01-01" in row
    assert "2021-01-01 \u2013 2021-01-01" not in text and "not now" not in row
    panel = _panel(qtbot, window, "10001 10005")
    _type_date(qtbot, panel, "2025-01-15")
    qtbot.waitUntil(lambda: _checked_on(panel, "2025-01-15", ["10001", "10005"]), timeout=WAIT_MS)
    assert "10001/10005 (not applicable (the edit was deleted on its effective date))" in panel.browser.toPlainText()


def test_esc_closes_the_check_codes_together_window(qtbot: QtBot, window: MainWindow) -> None:
    """Only Ctrl+W closed it, said nowhere; a window of its own with no Close button is closed with Esc."""
    window.claim_check_action.trigger()
    panel = window.claim_check
    assert panel is not None and panel.isVisible()
    qtbot.waitUntil(panel.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClicks(panel.claim, "10001")
    qtbot.keyClick(panel.claim, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=WAIT_MS)
    assert "Esc or Ctrl+W" in window.claim_check_action.toolTip()


def test_a_code_with_no_edits_leaves_the_room_to_its_detail(qtbot: QtBot, window: MainWindow) -> None:
    """A review: with NCCI edits imported, the panel took about 40% of the detail column for a code with 0 edits,
    pushing "Status and payment" out of view; it takes the height of its few lines, and a code with edits gets
    its list's room back."""
    window.resize(1400, 900)
    panel = window.code_edits
    splitter = window.detail_pane.splitter
    heights = {}
    for code in ("3074F", "10001", "3074F", "10001"):  # invented edits for 10001; none for 3074F
        window.open_code(code)
        wait_detail(qtbot, window, code)
        qtbot.waitUntil(lambda c=code: panel.edits is not None and panel.edits.page.code == c, timeout=WAIT_MS)
        qtbot.wait(50)
        share = splitter.sizes()[splitter.indexOf(panel)] / sum(splitter.sizes())
        heights[code] = share
        if code == "3074F":
            assert panel.browser.isVisible() and panel.setting.isVisible()  # the setting can still be changed
            assert share < 0.2, (share, splitter.sizes())
            # Its lines are all shown: the list needs no scrolling; the notice is on the heading.
            assert panel.browser.verticalScrollBar().maximum() == 0
            assert "American Medical Association" in panel.heading.toolTip()
    assert heights["10001"] > 0.25, heights
