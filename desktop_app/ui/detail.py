"""The detail pane: everything the store knows about one code, each descriptor labelled by its source."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.details import CodeDetail, Descriptor, Facts
from desktop_app.core.errors import CodeDeskError
from desktop_app.core.userdata import UserData
from desktop_app.ui.theme import CODE_SET_LABELS, badge_colors, blend, differs_background, muted_text

OUR_SUMMARY_LABEL = "CodeDesk plain-language summary (our own words)"
NOT_IN_DATABASE_HINT = "Not in your database. Import your code files (File \u2192 Import\u2026) to see its descriptors."

# Fact keys the importers write, in the order and words a coder expects. Unknown keys follow, humanised.
FACT_LABELS: dict[str, str] = {
    # CMS physician fee schedule (RVU) file
    "status": "Status",
    "status_code": "Status code",
    "not_used_for_medicare_payment": "Not used for Medicare payment",
    "work_rvu": "Work RVU",
    "nonfacility_pe_rvu": "Practice expense RVU, non-facility",
    "facility_pe_rvu": "Practice expense RVU, facility",
    "mp_rvu": "Malpractice RVU",
    "nonfacility_total": "Total RVUs, non-facility",
    "facility_total": "Total RVUs, facility",
    "nonfacility_na": "Non-facility NA indicator",
    "facility_na": "Facility NA indicator",
    "conversion_factor": "Conversion factor",
    "global_days": "Global days",
    "global_period": "Global period",
    "preop_share": "Pre-operative share",
    "intraop_share": "Intra-operative share",
    "postop_share": "Post-operative share",
    "pctc_indicator": "PC/TC indicator",
    "pctc": "PC/TC meaning",
    "mult_proc": "Multiple procedure indicator",
    "bilat_surg": "Bilateral surgery indicator",
    "asst_surg": "Assistant at surgery indicator",
    "co_surg": "Co-surgeons indicator",
    "team_surg": "Team surgery indicator",
    "endo_base": "Endoscopic base code",
    "physician_supervision": "Physician supervision of diagnostic procedures",
    "imaging_family": "Diagnostic imaging family",
    "calculation_flag": "Calculation flag",
    "opps_nonfacility_pe": "OPPS cap: non-facility PE",
    "opps_facility_pe": "OPPS cap: facility PE",
    "opps_mp": "OPPS cap: malpractice",
    # CMS HCPCS file
    "coverage": "Medicare coverage",
    "coverage_code": "Coverage code",
    "action": "Latest action",
    "action_code": "Action code",
    "added_date": "Added",
    "action_effective_date": "Action effective",
    "termination_date": "Terminated",
    "deleted_date": "Deleted",
    "betos": "BETOS",
    "multiple_pricing_indicator": "Multiple pricing indicator",
    "anesthesia_base_units": "Anesthesia base units",
    "statute": "Statute",
    "asc_group": "ASC payment group",
    "asc_group_date": "ASC group date",
    "opps_group": "OPPS group",
    "opps_indicator": "OPPS payment indicator",
    "opps_date": "OPPS date",
    "processing_note": "Processing note",
    "category": "Category",
}


def _fact_label(key: str) -> str:
    return FACT_LABELS.get(key, key.replace("_", " ").strip().capitalize())


# The facts a coder looks for first; every other indicator goes on one compact line below them.
PRIMARY_FACTS = frozenset(
    {
        "status",
        "status_code",
        "not_used_for_medicare_payment",
        "work_rvu",
        "nonfacility_pe_rvu",
        "facility_pe_rvu",
        "mp_rvu",
        "nonfacility_total",
        "facility_total",
        "conversion_factor",
        "global_days",
        "global_period",
        "pctc",
        "coverage",
        "action",
        "added_date",
        "action_effective_date",
        "termination_date",
        "deleted_date",
        "category",
        "betos",
    }
)


def _fact_rows(facts: Facts, primary: bool | None = None) -> list[tuple[str, str]]:
    """(label, value) rows in a coder's order; ``primary`` True/False keeps only main/other facts."""
    order = {key: i for i, key in enumerate(FACT_LABELS)}
    keys = sorted(facts.values, key=lambda k: (order.get(k, len(order)), k))
    if primary is not None:
        keys = [k for k in keys if (k in PRIMARY_FACTS) == primary]
    rows = []
    for key in keys:
        value = facts.values[key]
        if value in (None, "", [], {}):
            continue
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, float) and (key.endswith("_rvu") or key.endswith("_total")):
            text = f"{value:.2f}"  # RVUs are published with two decimals: 1.30, not 1.3
        elif isinstance(value, float):
            text = f"{value:.4f}".rstrip("0").rstrip(".")
        elif isinstance(value, list):
            text = ", ".join(map(str, value))
        else:
            text = str(value)
        rows.append((_fact_label(key), text))
    return rows


def _measures_by_id(detail: CodeDetail) -> list[tuple[str, str, str]]:
    """One row per measure: the claims file lists a code once per condition set, which says the same role
    many times over."""
    grouped: dict[str, tuple[str, list[str]]] = {}
    for measure in detail.measures:
        role = f"{measure.role} ({measure.modifier})" if measure.modifier else measure.role
        _title, roles = grouped.setdefault(measure.measure_id, (measure.title, []))
        if role not in roles:
            roles.append(role)
    return [(measure_id, title, ", ".join(roles)) for measure_id, (title, roles) in grouped.items()]


def _source_heading(descriptor: Descriptor) -> str:
    if descriptor.source.is_ours:
        return OUR_SUMMARY_LABEL
    release = descriptor.source.release
    # Source names often carry their release already ("CMS PFS RVU 2025 October (RVU25D)").
    suffix = f" ({release})" if release and release not in descriptor.source.name else ""
    return f"From {descriptor.source.name}{suffix}"


def _facts_html(detail: CodeDetail) -> str:
    if not detail.facts:
        if detail.code_set == "II":
            return ("<h3>Status and payment</h3><p class='muted'>Category II codes are never paid: "
                    "they carry no relative value units.</p>")
        return ("<h3>Status and payment</h3><p class='muted'>No payment facts loaded. Import the CMS "
                "physician fee schedule RVU file to see RVUs, global days and status.</p>")
    parts = ["<h3>Status and payment</h3>"]
    for facts in detail.facts:
        component = f" \u2014 modifier {escape(facts.modifier)}" if facts.modifier else ""
        parts.append(f"<p style='margin-bottom: 2px;'><b>From {escape(facts.source.name)}</b>{component}</p>")
        parts.append(
            "<table>"
            + "".join(
                f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
                for label, value in _fact_rows(facts, primary=True)
            )
            + "</table>"
        )
        others = _fact_rows(facts, primary=False)
        if others:
            parts.append(
                "<p class='muted'>Other indicators: "
                + " \u00b7 ".join(f"{escape(label)} {escape(value)}" for label, value in others)
                + "</p>"
            )
    return "".join(parts)


def _measures_html(detail: CodeDetail) -> str:
    if not detail.measures:
        return ""
    parts = ["<h3>Quality measures</h3><table><tr><th>Measure</th><th>Role (modifier)</th></tr>"]
    for measure_id, title, roles in _measures_by_id(detail):
        title_html = f" \u2014 {escape(title)}" if title else ""
        parts.append(f"<tr><td><b>{escape(measure_id)}</b>{title_html}</td><td>{escape(roles)}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


def detail_html(detail: CodeDetail, palette: QPalette) -> str:
    """The pane's content as Qt rich text. Colours come from ``palette`` so dark themes stay readable."""
    muted = muted_text(palette).name()
    rule = blend(palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text), 0.2).name()
    notice_bg = differs_background(palette).name()
    parts: list[str] = [
        f"<style>h1 {{ margin: 0; }} h3 {{ margin-top: 14px; margin-bottom: 4px; }}"
        f" .muted {{ color: {muted}; }} td {{ padding: 2px 8px 2px 0; }}"
        f" th {{ text-align: left; padding: 2px 8px 2px 0; color: {muted}; font-weight: normal; }}"
        f" hr {{ color: {rule}; }}</style>"
    ]
    badge = ""
    if detail.code_set:
        background, foreground = badge_colors(detail.code_set, palette)
        badge = (
            f"<span style='background-color:{background.name()}; color:{foreground.name()};'>"
            f"&nbsp;{escape(CODE_SET_LABELS.get(detail.code_set, detail.code_set))}&nbsp;</span>"
        )
    status = ""
    if detail.known and detail.status and detail.status != "active":
        status = f" &nbsp;<b>{escape(detail.status.capitalize())}</b>"
        if detail.deleted_date:
            status += f" <span class='muted'>({escape(detail.deleted_date)})</span>"
    parts.append(f"<h1 style='font-size: xx-large;'>{escape(detail.code)}</h1>")
    parts.append(f"<p>{badge}{status}</p>")
    if detail.section:
        links = " \u203a ".join(
            f"<a href='section:{s.id}' title='Browse {escape(s.name)}'>{escape(s.name)}</a>" for s in detail.section
        )
        parts.append(f"<p>{links} <span class='muted'>({escape(detail.section[-1].ranges)})</span></p>")
    # No unlabelled headline: the title is one of the descriptors below, each shown with its source.
    if not detail.known:
        parts.append(_unknown_html(detail, notice_bg))
        parts.append(_measures_html(detail))  # a measure can name a code no imported file describes
        return "".join(parts)

    by_source: dict[str, list[Descriptor]] = {}
    for descriptor in detail.descriptors:
        by_source.setdefault(_source_heading(descriptor), []).append(descriptor)
    if by_source:
        parts.append("<h3>Descriptors</h3>")
    for heading, descriptors in by_source.items():
        parts.append(f"<p style='margin-bottom: 2px;'><b>{escape(heading)}</b></p><table>")
        for descriptor in descriptors:
            parts.append(f"<tr><th>{escape(descriptor.label)}</th><td>{escape(descriptor.text)}</td></tr>")
        parts.append("</table>")

    # For Category II the measures are the point of the code; for the others, payment comes first.
    sections = [_facts_html(detail), _measures_html(detail)]
    if detail.code_set == "II":
        sections.reverse()
    parts.extend(sections)

    if detail.neighbours:
        parts.append("<h3>Related codes in this range</h3><table>")
        for code, title in detail.neighbours:
            parts.append(
                f"<tr><td><a href='code:{escape(code)}'>{escape(code)}</a></td>"
                f"<td>{escape(title) if title else '<span class=muted>(no descriptor)</span>'}</td></tr>"
            )
        parts.append("</table>")
    return "".join(parts)


def _unknown_html(detail: CodeDetail, notice_bg: str) -> str:
    if not detail.well_formed:
        return (
            f"<p>\u201c{escape(detail.code)}\u201d is not a code shape CodeDesk knows. Codes are five "
            "characters: 5 digits (Category I), 4 digits + F (Category II), 4 digits + T (Category III) "
            "or a letter + 4 digits (HCPCS Level II).</p>"
        )
    lines = [f"<p>What its shape tells: a <b>{escape(detail.shape)}</b>"]
    if detail.section:
        path = " \u203a ".join(s.name for s in detail.section)
        lines.append(f", in section <b>{escape(path)}</b>")
    lines.append(".</p>")
    lines.append(
        f"<table width='100%' cellpadding='8' style='background-color:{notice_bg};'><tr><td>"
        f"<b>{escape(NOT_IN_DATABASE_HINT)}</b></td></tr></table>"
    )
    return "".join(lines)


class DetailPane(QWidget):
    """Toolbar (back, forward, copy, favourite), the rich-text detail, and a note field."""

    code_link_activated = Signal(str)
    section_link_activated = Signal(int)

    def __init__(
        self, back: QAction, forward: QAction, userdata: UserData | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("detailPane")
        self.setAccessibleName("Code detail")
        self._detail: CodeDetail | None = None
        self._userdata = userdata

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for action, name in ((back, "Back"), (forward, "Forward")):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAccessibleName(name)
            bar.addWidget(button)
        bar.addStretch(1)
        self.copy_code_action = QAction("Copy code", self)
        self.copy_code_action.triggered.connect(self.copy_code)
        self.copy_title_action = QAction("Copy code and title", self)
        self.copy_title_action.triggered.connect(self.copy_code_and_title)
        self.copy_button = QToolButton(self)
        self.copy_button.setObjectName("copyButton")
        self.copy_button.setDefaultAction(self.copy_code_action)
        self.copy_button.setText("Copy")
        self.copy_button.setAccessibleName("Copy code")
        self.copy_button.setToolTip("Copy the code (Ctrl+C); the arrow offers code and title")
        menu = QMenu(self.copy_button)
        menu.addAction(self.copy_code_action)
        menu.addAction(self.copy_title_action)
        self.copy_button.setMenu(menu)
        self.copy_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        bar.addWidget(self.copy_button)
        self.favourite_button = QToolButton(self)
        self.favourite_button.setObjectName("favouriteButton")
        self.favourite_button.setCheckable(True)
        self.favourite_button.setText("\u2606 Favourite")
        self.favourite_button.setAccessibleName("Favourite")
        self.favourite_button.setToolTip("Keep this code in your favourites")
        self.favourite_button.toggled.connect(self._on_favourite_toggled)
        bar.addWidget(self.favourite_button)

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("detailBrowser")
        self.browser.setAccessibleName("Code detail text")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_anchor)

        self.note = QPlainTextEdit(self)
        self.note.setObjectName("noteEdit")
        self.note.setAccessibleName("Your note on this code")
        self.note.setPlaceholderText("Your note on this code (saved as you type, kept in your user data)")
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(400)
        self._note_timer.timeout.connect(self.save_note)
        self.note.textChanged.connect(self._note_timer.start)

        self.splitter = QSplitter(self)
        self.splitter.setObjectName("detailSplitter")
        self.splitter.setOrientation(self.splitter.orientation().Vertical)
        self.splitter.addWidget(self.browser)
        note_box = QWidget(self)
        note_layout = QVBoxLayout(note_box)
        note_layout.setContentsMargins(0, 0, 0, 0)
        note_label = QLabel("Note", note_box)
        note_label.setBuddy(self.note)
        note_layout.addWidget(note_label)
        note_layout.addWidget(self.note)
        self.splitter.addWidget(note_box)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.splitter)
        self.show_placeholder()

    # --- contents

    @property
    def detail(self) -> CodeDetail | None:
        return self._detail

    def show_placeholder(self) -> None:
        self.save_note()
        self._detail = None
        muted = muted_text(self.palette()).name()
        self.browser.setHtml(
            f"<p style='color:{muted};'>Choose a code in the results (or press Enter in the search box) "
            "to see everything CodeDesk knows about it: descriptors by source, payment facts, quality "
            "measures and related codes.</p>"
        )
        self._set_code_actions_enabled(False)

    def show_detail(self, detail: CodeDetail) -> None:
        if self._detail is None or self._detail.code != detail.code:
            self.save_note()
        self._detail = detail
        self.rerender()
        self._set_code_actions_enabled(True)
        self.favourite_button.blockSignals(True)
        self.favourite_button.setChecked(self._userdata is not None and self._userdata.is_favourite(detail.code))
        self.favourite_button.blockSignals(False)
        self._sync_favourite_text()
        self.note.blockSignals(True)
        self.note.setPlainText(self._userdata.note(detail.code) if self._userdata else "")
        self.note.blockSignals(False)

    def rerender(self) -> None:
        """Re-render (also after a palette change, since colours are baked into the HTML)."""
        if self._detail is None:
            return
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml(detail_html(self._detail, self.palette()))
        self.browser.verticalScrollBar().setValue(scroll)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            # Colours are baked into the rich text: draw it again with the new palette.
            if self._detail is None:
                self.show_placeholder()
            else:
                self.rerender()
        super().changeEvent(event)

    def text(self) -> str:
        return self.browser.toPlainText()

    def _set_code_actions_enabled(self, enabled: bool) -> None:
        self.copy_code_action.setEnabled(enabled)
        self.copy_title_action.setEnabled(enabled)
        self.copy_button.setEnabled(enabled)
        self.favourite_button.setEnabled(enabled and self._userdata is not None)
        self.note.setEnabled(enabled and self._userdata is not None)

    # --- actions

    def copy_code(self) -> None:
        if self._detail is not None:
            QGuiApplication.clipboard().setText(self._detail.code)

    def copy_code_and_title(self) -> None:
        if self._detail is not None:
            title = self._detail.title
            QGuiApplication.clipboard().setText(f"{self._detail.code} {title}".strip())

    def save_note(self) -> None:
        self._note_timer.stop()
        if self._detail is None or self._userdata is None:
            return
        try:
            if self.note.toPlainText() != self._userdata.note(self._detail.code):
                self._userdata.set_note(self._detail.code, self.note.toPlainText())
        except (CodeDeskError, OSError):
            pass  # the note stays in the field; user data is a convenience, never a reason to crash

    def _on_favourite_toggled(self, on: bool) -> None:
        if self._detail is not None and self._userdata is not None:
            self._userdata.set_favourite(self._detail.code, on)
        self._sync_favourite_text()

    def _sync_favourite_text(self) -> None:
        on = self.favourite_button.isChecked()
        self.favourite_button.setText("\u2605 Favourite" if on else "\u2606 Favourite")

    def _on_anchor(self, url: QUrl) -> None:
        target = url.toString()
        kind, _, value = target.partition(":")
        if kind == "code" and value:
            self.code_link_activated.emit(value)
        elif kind == "section" and value.isdigit():
            self.section_link_activated.emit(int(value))
