"""NCCI in the window: the "Check codes together" panel and the edits of one code under the detail pane.

Both ask the store worker (``ncci_check`` and ``ncci_edits`` requests); nothing here touches the database.
What they show comes from :mod:`desktop_app.core.ncci`: codes only (the NCCI files carry no descriptors), with the
AMA notice beside the data.
"""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeySequence, QPalette, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import ncci
from desktop_app.core.kinds import NcciSetting
from desktop_app.ui.date_field import FORMS, DateField
from desktop_app.ui.links import LinkKind, parse_link
from desktop_app.ui.requests import ClaimCheckAnswer, ClaimCheckRequest, CodeEdits, CodeEditsRequest, DetailAnswer
from desktop_app.ui.theme import differs_background, is_dark, muted_text, warning_text
from desktop_app.ui.worker import StoreService

SETTING_CHOICES = ((NcciSetting.PRACTITIONER, "Practitioner"), (NcciSetting.HOSPITAL, "Outpatient hospital"),
                   (NcciSetting.DME, "DME supplier (MUE)"))
EXAMPLE_CLAIM = "29881, 29877-59, 20610 x2"


def _style(palette: QPalette) -> str:
    muted = muted_text(palette).name()
    dark = is_dark(palette)
    deny, ok = ("#ff8a80", "#8fd19e") if dark else ("#b3261e", "#1e7b34")
    return (f"<style>h3 {{ margin-top: 12px; margin-bottom: 4px; }} .muted {{ color: {muted}; }} "
            f".deny {{ color: {deny}; font-weight: bold; }} .ok {{ color: {ok}; font-weight: bold; }} "
            "td { padding: 2px 10px 2px 0; vertical-align: top; } "
            f"th {{ text-align: left; padding: 2px 10px 2px 0; color: {muted}; font-weight: normal; }}</style>")


def _code(code: str) -> str:
    return f"<a href='{LinkKind.CODE}:{escape(code)}'>{escape(code)}</a>"


def _until(deletion: str | None) -> str:
    return f"through {escape(deletion)}" if deletion else "no deletion date"


def _denied_table(title: str, rows: list[tuple[str, str]], mark: str = "<span class='deny'>denied</span>"
                  ) -> list[str]:
    """A heading with the count and one row per (what, why) led by ``mark`` ("denied"); nothing when there are no
    rows."""
    if not rows:
        return []
    return [f"<h3>{escape(title)}: {len(rows)}</h3><table>",
            *(f"<tr><td>{mark}</td><td>{escape(what)}</td><td>{escape(why)}</td></tr>" for what, why in rows),
            "</table>"]


def check_html(result: ncci.CheckResult, palette: QPalette) -> str:
    """A claim check as rich text: each PTP edit that fires, each MUE, what does not apply, notes, the notice."""
    parts = [_style(palette)]
    lines = ", ".join(escape(ln.label()) for ln in result.lines)
    parts.append(f"<p><b>{lines}</b><br><span class='muted'>Date of service {escape(result.date_of_service)}, "
                 f"{escape(ncci.SETTING_LABELS[result.setting])}</span></p>")
    for note in result.notes:  # missing or out-of-date tables: said before the answers they limit
        parts.append(f"<p><b>Note:</b> {escape(note)}</p>")
    parts += _denied_table("Codes not valid on this date",
                           [(invalid.code, invalid.reason) for invalid in result.codes_invalid if invalid.known])
    # A code CodeDesk does not know is not denied by anything: said apart, as unchecked.
    parts += _denied_table("Codes not in the imported files",
                           [(invalid.code, invalid.reason) for invalid in result.codes_invalid if not invalid.known],
                           "<span class='muted'>unknown</span>")
    parts += _denied_table("Modifiers that do not fit",
                           [(unfit.line, f"-{unfit.modifier}: {unfit.reason}") for unfit in result.modifiers_unfit])
    if result.ptp_release is not None:
        verdicts = [p for p in result.ptp if not p.bypassed]
        parts.append(f"<h3>Pairs (PTP edits): {len(result.ptp)} apply, {len(verdicts)} denied</h3>")
        if not result.ptp and result.pairs_partly_unchecked:
            parts.append("<p>No two of these codes form an edit in effect on that date <b>in the imported parts"
                         "</b>; parts " + escape(", ".join(map(str, result.ptp_release.missing_parts)))
                         + " were not checked.</p>")
        elif not result.ptp:
            parts.append("<p class='ok'>No two of these codes form an edit in effect on that date.</p>")
        else:
            parts.append("<table>")
            for p in result.ptp:
                mark = "<span class='ok'>bypassed</span>" if p.bypassed else "<span class='deny'>denied</span>"
                bypass = ("a modifier may bypass it" if p.bypass_allowed else "no modifier bypasses it")
                present = f"; present: {escape(', '.join(p.modifiers_present))}" if p.modifiers_present else ""
                parts.append(
                    f"<tr><td>{mark}</td><td>{_code(p.column1)} + {_code(p.column2)}</td>"
                    f"<td>{escape(p.message)}<br><span class='muted'>column 1 {escape(p.column1)}, column 2 "
                    f"{escape(p.column2)} · indicator {p.modifier_indicator}: {bypass}{present} · "
                    f"{escape(p.rationale)} · effective {escape(p.effective_date)}, {_until(p.deletion_date)}"
                    "</span></td></tr>")
            parts.append("</table>")
        if result.ptp_not_in_effect:
            parts.append("<p class='muted'>Not in effect on that date: " + "; ".join(
                f"{escape(n.column1)}/{escape(n.column2)} ({escape(n.reason)})" for n in result.ptp_not_in_effect)
                + "</p>")
        parts.append(f"<p class='muted'>CMS NCCI {escape(ncci.SETTING_LABELS[result.setting])} PTP edits, "
                     f"version {escape(result.ptp_release.version)}; used: "
                     f"{escape(result.ptp_release.parts_text)}.</p>")
    if result.mue_release is not None and not result.mue_in_effect:
        parts.append(f"<h3>Units (MUE): not checked</h3><p>The imported MUE table is not in effect on "
                     f"{escape(result.date_of_service)} (in effect from "
                     f"{escape(result.mue_release.effective_date)}): units not checked.</p>")
    elif result.mue_release is not None:
        over = result.mue_exceeded
        parts.append(f"<h3>Units (MUE): {len(over)} over the limit</h3><table>")
        for m in result.mue:
            mark = "<span class='deny'>over</span>" if m.exceeded else "<span class='ok'>ok</span>"
            parts.append(f"<tr><td>{mark}</td><td>{_code(m.code)}</td><td>{escape(m.message)}<br>"
                         f"<span class='muted'>MUE {m.mue}, {escape(m.adjudication)} · {escape(m.rationale)}"
                         "</span></td></tr>")
        parts.append("</table>")
        if result.codes_without_mue:
            parts.append(f"<p class='muted'>No MUE in the table for {escape(', '.join(result.codes_without_mue))}"
                         ".</p>")
        parts.append(f"<p class='muted'>CMS NCCI {escape(ncci.SETTING_LABELS[result.setting])} MUE table, "
                     f"effective {escape(result.mue_release.version)}.</p>")
    parts.append(f"<p class='muted'><small>{escape(ncci.NOTICE)}</small></p>")
    return "".join(parts)


class ClaimCheckPanel(QWidget):
    """Type the codes of one claim and a date of service; see every PTP edit that applies and every MUE exceeded.
    Checks as you type (after a short pause); a code in the answer opens it in the main window."""

    code_activated = Signal(str)

    def __init__(self, service: StoreService, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("claimCheckPanel")
        self.setWindowTitle("Check codes together \u2014 CodeDesk")
        self.setAccessibleName("Check codes together")
        self._service = service
        self.result: ncci.CheckResult | None = None

        self.claim = QLineEdit(self)
        self.claim.setObjectName("claimInput")
        self.claim.setAccessibleName("Codes of the claim")
        self.claim.setPlaceholderText(f"Codes of one claim, with modifiers and units: {EXAMPLE_CLAIM}")
        self.claim.setClearButtonEnabled(True)
        # Typed as text and read whole (see date_field): a QDateEdit turned typed dates into other days.
        self.date = DateField(self)
        self.date.setObjectName("claimDate")
        self.date.edit.setObjectName("claimDateText")
        self.date.edit.setAccessibleName("Date of service")
        self.date.set_date(date.today())
        self.setting = QComboBox(self)
        self.setting.setObjectName("claimSetting")
        self.setting.setAccessibleName("Setting")
        for key, label in SETTING_CHOICES:
            self.setting.addItem(label, key)
        self.check_button = QPushButton("&Check", self)
        self.check_button.setDefault(True)
        self.check_button.clicked.connect(self.check_now)

        claim_label = QLabel("C&odes:", self)
        claim_label.setBuddy(self.claim)
        date_label = QLabel("&Date of service:", self)
        date_label.setBuddy(self.date)
        row = QHBoxLayout()
        row.addWidget(claim_label)
        row.addWidget(self.claim, 1)
        row.addWidget(date_label)
        row.addWidget(self.date)
        row.addWidget(self.setting)
        row.addWidget(self.check_button)

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("claimCheckResult")
        self.browser.setAccessibleName("What applies to this claim")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_anchor)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.browser, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.check)
        self.claim.textChanged.connect(self._timer.start)
        self.claim.returnPressed.connect(self.check_now)
        self.date.edited.connect(self._timer.start)
        self.date.submitted.connect(self.check_now)
        self.setting.currentIndexChanged.connect(self._timer.start)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        # Esc closes it as it closes a dialog: a window of its own with no Close button left only Ctrl+W, shown
        # nowhere (an open combo box or calendar takes its Esc first).
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        service.on(ClaimCheckAnswer, lambda answer: self._on_result(answer.result))
        service.refreshed.connect(lambda: self.check() if self.isVisible() else None)
        service.failed.connect(self._on_failed)
        self.resize(900, 560)
        self._show_hint()

    def _show_hint(self) -> None:
        muted = muted_text(self.palette()).name()
        self.browser.setHtml(
            f"<p style='color:{muted};'>Type the codes of one claim, e.g. <b>{EXAMPLE_CLAIM}</b> (a modifier after "
            "a dash, units as x2), and the date of service. CodeDesk shows every CMS NCCI procedure-to-procedure "
            "edit between them in effect on that date, whether a modifier may bypass it and whether one is "
            "present, and every medically unlikely edit (MUE) the units exceed. Import the CMS NCCI files "
            "(File \u2192 Import) first.</p>"
            f"<p style='color:{muted};'><small>{escape(ncci.NOTICE)}</small></p>")

    @property
    def on(self) -> date | None:
        """The date of service as typed, or None when the text is not a date."""
        return self.date.typed_date()

    def check_now(self) -> None:
        """Enter or the Check button: the person asks for this date, even one that looks half typed."""
        self.check(asked=True)

    def check(self, asked: bool = False) -> None:
        """Check the claim on the typed date. After a pause (``asked`` False) a date that may still be being
        typed (``2025-01-1``) waits for Enter; a text that is not a date is said, and nothing is checked."""
        self._timer.stop()
        if not self.claim.text().strip():
            self.result = None
            self._show_hint()
            return
        on = self.on
        if on is None or not (asked or self.date.complete()):
            self.result = None
            self.date.mark_invalid(on is None)
            self._show_date_problem(on)
            return
        self._service.post(ClaimCheckRequest(self.claim.text(), on, str(self.setting.currentData())))

    def _show_date_problem(self, on: date | None) -> None:
        typed = self.date.text().strip()
        if on is None:
            color = warning_text(self.palette()).name()
            said = (f"\u201c{escape(typed)}\u201d is not a date" if typed else "No date of service is given")
            self.browser.setHtml(f"<p style='color:{color};'><b>{said}.</b> Type the date of service as "
                                 f"{escape(FORMS)} (Up/Down: a day earlier or later; Alt+Down: a calendar). "
                                 "Nothing was checked.</p>")
        else:
            muted = muted_text(self.palette()).name()
            self.browser.setHtml(f"<p style='color:{muted};'>\u201c{escape(typed)}\u201d: press Enter to check "
                                 f"{on.isoformat()}, or go on typing the day. Nothing was checked yet.</p>")

    def _on_result(self, result: ncci.CheckResult) -> None:
        on = self.on
        if on is None or on.isoformat() != result.date_of_service:
            return  # asked before the date was changed: an answer for another day than the one shown
        self.result = result
        self.browser.setHtml(check_html(result, self.palette()))

    def _on_failed(self, kind: str, message: str) -> None:
        if kind == ClaimCheckRequest.kind:
            self.result = None
            self.browser.setHtml(f"<p>{escape(message)}</p>")

    def _on_anchor(self, url: QUrl) -> None:
        kind, value = parse_link(url.toString())
        if kind is LinkKind.CODE:
            self.code_activated.emit(value)


EDITS_PANEL_MIN_WIDTH = 240  # px; the bar's buttons give way below their own width


class CodeEditsPanel(QWidget):
    """Under a code's detail: its NCCI PTP edits (both directions, a page at a time, with counts) and its MUEs.
    Follows the detail pane: each code shown there is asked for here."""

    code_activated = Signal(str)

    def __init__(self, service: StoreService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeEditsPanel")
        self.setAccessibleName("NCCI edits of this code")
        self._service = service
        self.code = ""
        self.offset = 0
        self.edits: CodeEdits | None = None
        self.setting = QComboBox(self)
        self.setting.setAccessibleName("NCCI setting")
        for key, label in SETTING_CHOICES[:2]:
            self.setting.addItem(label, key)
        self.setting.currentIndexChanged.connect(lambda _i: self._request(0))
        self.previous = QPushButton("\u2190", self)
        self.previous.setAccessibleName("Previous page of edits")
        self.previous.clicked.connect(lambda: self._request(max(0, self.offset - ncci.EDIT_PAGE)))
        self.next = QPushButton("\u2192", self)
        self.next.setAccessibleName("Next page of edits")
        self.next.clicked.connect(lambda: self._request(self.offset + ncci.EDIT_PAGE))
        for button in (self.previous, self.next):
            button.setFixedWidth(32)
        self.heading = QLabel("NCCI edits", self)
        self.heading.setObjectName("codeEditsHeading")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.heading, 1)
        bar.addWidget(self.setting)
        bar.addWidget(self.previous)
        bar.addWidget(self.next)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("codeEditsBrowser")
        self.browser.setAccessibleName("NCCI edits list")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_anchor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.browser, 1)
        service.on(DetailAnswer, self._on_detail)
        service.on(CodeEdits, self._on_edits)
        service.refreshed.connect(lambda: self._request(0))  # after an import: the edits may be new
        self._sync_buttons()
        self._fitted = False  # showing a list with nothing to list, at the height of its lines
        self._small_height = 0  # the height the panel was last given for a line or a fitted list
        self._set_compact(True)
        # One minimum width whatever the panel shows: its bar (setting, Previous, Next) asked for 449 px with edits
        # and 377 without, so the splitter moved the detail pane sideways at each code with and without NCCI edits.
        self.setMinimumWidth(EDITS_PANEL_MIN_WIDTH)

    def _on_anchor(self, url: QUrl) -> None:
        kind, value = parse_link(url.toString())
        if kind is LinkKind.CODE:
            self.code_activated.emit(value)

    def _set_compact(self, compact: bool, *, fit: bool = False) -> None:
        """With no NCCI file imported (or no code shown) the panel is one line, so the detail pane keeps the
        room: an empty list box under every code says nothing. ``fit``: the list is shown but has nothing to
        list (a code with no edits): the panel takes the height of its few lines, not a third of the column, so
        "Status and payment" above stays in view."""
        for widget in (self.browser, self.setting, self.previous, self.next):
            widget.setVisible(not compact)
        self._fitted = fit and not compact
        if compact:
            self._take_room(self.heading.sizeHint().height() + 8)
        elif self._fitted:
            self._take_room(self._fitted_height())
            # Once shown, the list has its real width (it may have been hidden): its lines are measured again.
            QTimer.singleShot(0, lambda: self._take_room(self._fitted_height()) if self._fitted else None)
        else:
            self._take_room(None)

    def _take_room(self, room: int | None) -> None:
        """``room``: the panel's height (a line, or a list with nothing to list); None: a list with its own room
        (a third of the detail text's, when the panel was small)."""
        self.setMaximumHeight(16_777_215 if room is None else room)
        splitter = self.parentWidget()
        if isinstance(splitter, QSplitter):  # the room goes to the detail text above, or comes back from it
            sizes = splitter.sizes()
            index = splitter.indexOf(self)
            if index > 0 and len(sizes) > index:
                if room is not None and sizes[index] != room:
                    moved = min(sizes[index] - room, sizes[0])  # negative: the panel grows into the text
                    sizes[0] += moved
                    sizes[index] -= moved
                    splitter.setSizes(sizes)
                elif room is None and sizes[index] <= self._small_height:
                    moved = sizes[0] // 3
                    sizes[0] -= moved
                    sizes[index] += moved
                    splitter.setSizes(sizes)
        self._small_height = room or 0

    def _fitted_height(self) -> int:
        """The bar and the list's lines at the list's present width."""
        document = self.browser.document()
        document.setTextWidth(max(self.browser.viewport().width(), EDITS_PANEL_MIN_WIDTH))
        frame = self.browser.frameWidth() * 2 + 4
        bar = max(self.heading.sizeHint().height(), self.setting.sizeHint().height())
        layout = self.layout()
        spacing = layout.spacing() if layout is not None else 0
        return bar + int(document.size().height()) + frame + spacing + 4

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitted and event.size().width() != event.oldSize().width():
            self.setMaximumHeight(self._fitted_height())  # narrower: the lines wrap and need more height

    def _on_detail(self, answer: DetailAnswer) -> None:
        detail = answer.detail
        if detail.kind == "modifier":
            # PTP and MUE edits are kept per code; a modifier has none of its own ("NCCI edits of 25: 0" said
            # nothing). Whether a modifier bypasses an edit is told in its codes' edits and the claim check.
            self.code, self.edits = "", None
            self._set_compact(True)
            self.heading.setText("NCCI edits: kept per code, not per modifier")
            self.heading.setToolTip(f"A code's edits, and the claim check, say whether {detail.code} bypasses them")
            self.browser.clear()
            self._sync_buttons()
        elif detail.well_formed:
            self.show_code(detail.code)

    def show_code(self, code: str) -> None:
        if code != self.code:
            self.code = code
            self._request(0)

    def _request(self, offset: int) -> None:
        if self.code:
            self.offset = offset
            self._service.post(CodeEditsRequest(self.code, str(self.setting.currentData()), offset))

    def _sync_buttons(self) -> None:
        total = self.edits.page.total if self.edits else 0
        self.previous.setEnabled(self.offset > 0)
        self.next.setEnabled(self.offset + ncci.EDIT_PAGE < total)

    def _on_edits(self, edits: CodeEdits) -> None:
        if edits.page.code != self.code:
            return
        self.edits = edits
        if not edits.has_ncci:
            self._set_compact(True)
            self.heading.setText("NCCI edits: none imported")
            self.heading.setToolTip("Import the CMS PTP and MUE files (File \u2192 Import) to see what may not be "
                                    "billed with this code")
            self.browser.setHtml(edits_html(edits, 0, self.palette()))
            return
        nothing_listed = edits.page.total == 0 and not edits.mues
        # With nothing listed the notice is left out of the list (it would be most of it): said on the heading.
        self.heading.setToolTip(ncci.NOTICE if nothing_listed else "")
        self.offset = self.offset if edits.page.edits or self.offset == 0 else 0
        self.browser.setHtml(edits_html(edits, self.offset, self.palette()))
        self._set_compact(False, fit=nothing_listed)
        page = edits.page
        if page.release is not None:
            last = min(self.offset + ncci.EDIT_PAGE, page.total)
            # Which ones are shown only when they are not all shown: the bar has little room beside its buttons.
            shown = f", {self.offset + 1:,}\u2013{last:,} shown" if page.total > ncci.EDIT_PAGE else ""
            self.heading.setText(f"<b>NCCI edits of {escape(page.code)}</b>: {page.total:,}{shown}")
        else:
            self.heading.setText(f"<b>NCCI edits of {escape(page.code)}</b>")
        self._sync_buttons()


def edits_html(edits: CodeEdits, offset: int, palette: QPalette) -> str:
    page = edits.page
    parts = [_style(palette)]
    if not edits.has_ncci:
        muted = muted_text(palette).name()
        return (f"<p style='color:{muted};'>No NCCI edits imported. Import the CMS PTP files (ccipra/ccioph) and "
                "MUE tables (File \u2192 Import) to see which codes this one may not be billed with.</p>")
    for m in edits.mues:
        when = "" if m.in_effect else " (not in effect yet: the table takes effect on that date)"
        parts.append(f"<p><b>MUE ({escape(ncci.SETTING_LABELS[m.setting])})</b>: at most {m.units} unit"
                     f"{'' if m.units == 1 else 's'} {escape(m.adjudication)} "
                     f"<span class='muted'>· {escape(m.rationale)} · effective {escape(m.effective_date)}"
                     f"{when}</span></p>")
    if page.release is None:
        parts.append(f"<p class='muted'>No {escape(ncci.SETTING_LABELS[page.setting])} PTP edits imported.</p>")
    elif page.total == 0:
        # Nothing to list: one sentence (the panel takes only its height), not counts of zero above an empty table.
        parts.append(f"<p class='muted'>No edits pair this code with another · version "
                     f"{escape(page.release.version)}; used: {escape(page.release.parts_text)}</p>")
        if page.release.missing_parts:
            parts.append(f"<p><b>Note:</b> {escape(page.release.missing_text)}</p>")
        if not edits.mues:  # no code of the edit files is shown: their notice would be most of the panel
            return "".join(parts)
    else:
        parts.append(f"<p class='muted'>{page.as_column1:,} as column 1 (the other code is denied), "
                     f"{page.as_column2:,} as column 2 (this code is denied) · version "
                     f"{escape(page.release.version)}; used: {escape(page.release.parts_text)}</p>")
        if page.release.missing_parts:
            parts.append(f"<p><b>Note:</b> {escape(page.release.missing_text)}</p>")
        background = differs_background(palette).name()
        parts.append("<table><tr><th>with</th><th>this code is</th><th>in effect</th><th>modifier</th>"
                     "<th>rationale</th></tr>")
        for e in page.edits:
            if e.modifier_indicator == 9:
                # Deleted on its effective date: never in effect. Said as the claim check says it, not as a
                # one-day span "2022-01-01 \u2013 2022-01-01 (not now)".
                dates = f"{escape(ncci.MODIFIER_MEANINGS[9])}: {escape(e.effective_date)}"
            else:
                dates = (f"{escape(e.effective_date)} \u2013 {escape(e.deletion_date)}" if e.deletion_date
                         else f"since {escape(e.effective_date)}") + ("" if e.in_effect else " (not now)")
            style = "" if e.in_effect else f" style='background-color:{background};'"
            parts.append(f"<tr{style}><td>{_code(e.other_code)}</td><td>{escape(e.role)}</td><td>{dates}</td>"
                         f"<td>{e.modifier_indicator}</td><td>{escape(e.rationale)}</td></tr>")
        parts.append("</table>")
    parts.append(f"<p class='muted'><small>{escape(ncci.NOTICE)}</small></p>")
    return "".join(parts)
