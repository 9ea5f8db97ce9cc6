"""The "What changed" window: two imported releases of one family side by side, as lists a coder can read.

The family and releases come from the ``releases`` request, the report from ``changes`` (both in the store worker);
rendering is here, the diff in :mod:`desktop_app.core.changes`. Codes are links that open in the main window;
descriptor changes are highlighted word by word; Export writes every change to a CSV file.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import changes
from desktop_app.core.grammar import CodeSet
from desktop_app.ui.links import LinkKind, parse_link
from desktop_app.ui.requests import ChangesAnswer, ChangesRequest, ReleasesAnswer, ReleasesRequest
from desktop_app.ui.theme import is_dark, muted_text
from desktop_app.ui.worker import StoreService

CATEGORY_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("All categories", None), *((code_set.compact_label, code_set.value) for code_set in CodeSet))
LIST_LIMIT = 400  # codes listed per group in the window (the CSV export has all)


def _code(code: str) -> str:
    return f"<a href='{LinkKind.CODE}:{escape(code)}'>{escape(code)}</a>"


def _old_new_table(heading: str, columns: tuple[str, ...], rows: list[tuple[tuple[str, ...], str, str]],
                   palette: QPalette) -> list[str]:
    """A table of texts that changed: each row's leading cells (HTML already), then the old and new text with
    the words that differ marked."""
    out = [f"<h3>{escape(heading)}</h3><table><tr>" + "".join(f"<th>{c}</th>" for c in (*columns, "old", "new"))
           + "</tr>"]
    for cells, old_text, new_text in rows:
        old, new = _diff_html(old_text, new_text, palette)
        out.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in (*cells, old, new)) + "</tr>")
    out.append("</table>")
    return out


def _diff_html(old: str, new: str, palette: QPalette) -> tuple[str, str]:
    removed, added = ("#5c2b29", "#1f4d2b") if is_dark(palette) else ("#fbd5d2", "#cdeccf")
    before, after = [], []
    for op, text in changes.word_diff(old, new):
        if op == "same":
            before.append(escape(text))
            after.append(escape(text))
        elif op == "removed":
            before.append(f"<span style='background-color:{removed};'>{escape(text)}</span>")
        else:
            after.append(f"<span style='background-color:{added};'>{escape(text)}</span>")
    return " ".join(before), " ".join(after)


def report_html(report: changes.ChangeReport, palette: QPalette) -> str:
    muted = muted_text(palette).name()
    counts = report.shown_counts()
    parts = [f"<style>h3 {{ margin-top: 12px; margin-bottom: 4px; }} .muted {{ color: {muted}; }} "
             "td { padding: 2px 10px 2px 0; vertical-align: top; } "
             f"th {{ text-align: left; padding: 2px 10px 2px 0; color: {muted}; font-weight: normal; }}</style>"]
    parts.append(f"<p><b>{escape(changes.FAMILY_LABELS[report.family])}</b>: {escape(report.old.name)} "
                 f"\u2192 {escape(report.new.name)}<br><span class='muted'>"
                 + " \u00b7 ".join(f"{n:,} {escape(words)}" for words, n in counts) + "</span></p>")
    if not report.roles_comparable:
        parts.append(f"<p><b>Measure roles not compared.</b> {escape(report.roles_note)}</p>")

    def codes(title: str, items: list[str]) -> None:
        if items:
            more = f" \u2026 and {len(items) - LIST_LIMIT:,} more (Export lists all)" if len(items) > LIST_LIMIT else ""
            parts.append(f"<h3>{escape(title)} ({len(items):,})</h3><p>"
                         + ", ".join(items[:LIST_LIMIT]) + f"{more}</p>")

    def when(deleted: dict[str, str]) -> str:
        said = f"as of {deleted['deleted_date']}" if deleted["deleted_date"] else f"({deleted.get('note', '')})"
        return f" <span class='muted'>{escape(said)}</span>"

    codes("Added", [_code(c) for c in report.added])
    codes("Deleted", [_code(d["code"]) + when(d) for d in report.deleted])
    codes("Reinstated", [_code(c) for c in report.reinstated])
    codes("Added and deleted between the two", [_code(d["code"]) + when(d) for d in report.added_and_deleted])
    if report.descriptors:
        parts += _old_new_table(f"Descriptor changed ({len({d.code for d in report.descriptors}):,} codes)",
                                ("code", "kind"), [((_code(d.code), escape(d.kind)), d.old, d.new)
                                                   for d in report.descriptors[:LIST_LIMIT]], palette)
    if report.facts:
        parts.append(f"<h3>Status and payment facts changed ({len({f.code for f in report.facts}):,} codes)</h3>"
                     "<table><tr><th>code</th><th>fact</th><th>old</th><th>new</th><th>change</th></tr>")
        for f in report.facts[:LIST_LIMIT]:
            delta = "" if f.delta is None else f"{f.delta:+g}"
            parts.append(f"<tr><td>{_code(f.code)}</td><td>{escape(f.fact.replace('_', ' '))}</td>"
                         f"<td>{escape(changes.fact_text(f.old))}</td><td>{escape(changes.fact_text(f.new))}</td>"
                         f"<td>{escape(delta)}</td></tr>")
        parts.append("</table>")
    if report.roles:
        parts.append(f"<h3>Measure roles ({len(report.roles):,})</h3><table>")
        for r in report.roles[:LIST_LIMIT]:
            modifier = f"-{escape(r.modifier)}" if r.modifier else ""
            parts.append(f"<tr><td>{escape(r.change)}</td><td>measure {escape(r.measure_id)}</td>"
                         f"<td>{_code(r.code)}{modifier}</td><td>{escape(r.role)}</td></tr>")
        parts.append("</table>")
    codes("Measures added", [escape(m) for m in report.measures_added])
    codes("Measures removed", [escape(m) for m in report.measures_removed])
    if report.titles_changed:
        parts += _old_new_table(f"Measure titles changed ({len(report.titles_changed):,})", ("measure",),
                                [((escape(t.measure_id),), t.old, t.new) for t in report.titles_changed[:LIST_LIMIT]],
                                palette)
    if report.action_checks:
        wrong = [a for a in report.action_checks if not a.agrees]
        parts.append(f"<h3>HCPCS action codes</h3><p>{len(report.action_checks) - len(wrong):,} of "
                     f"{len(report.action_checks):,} agree with the computed change. <span class='muted'>Action "
                     "codes describe the change from CMS's previous release, so releases that are not consecutive "
                     "disagree more.</span></p>")
        if wrong:
            parts.append("<table><tr><th>code</th><th>action code</th><th>computed</th></tr>" + "".join(
                f"<tr><td>{_code(a.code)}</td><td>{escape(a.action_code)}</td><td>{escape(', '.join(a.computed))}"
                "</td></tr>" for a in wrong[:LIST_LIMIT]) + "</table>")
    if not any(n for _, n in counts) and report.roles_comparable:
        parts.append("<p>No differences.</p>")
    return "".join(parts)


class ChangesView(QWidget):
    """Pick a family and two of its releases; see what changed; export it; open any code."""

    code_activated = Signal(str)

    def __init__(self, service: StoreService, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("changesView")
        self.setWindowTitle("What changed \u2014 CodeDesk")
        self.setAccessibleName("What changed between releases")
        self._service = service
        self._releases: dict[str, list[changes.Release]] = {}
        self.report: changes.ChangeReport | None = None
        self.family = QComboBox(self)
        self.family.setAccessibleName("Family")
        self.old = QComboBox(self)
        self.old.setAccessibleName("Older release")
        self.new = QComboBox(self)
        self.new.setAccessibleName("Newer release")
        self.category = QComboBox(self)
        self.category.setAccessibleName("Category")
        for label, value in CATEGORY_CHOICES:
            self.category.addItem(label, value)
        self.section = QComboBox(self)
        self.section.setAccessibleName("Section")
        self.section.setToolTip("Only the codes of one section, with its subsections")
        self.section.addItem("All sections", None)
        self.export_button = QPushButton("&Export\u2026", self)
        self.export_button.setToolTip("Every change as a CSV file or an Excel workbook (.xlsx)")
        self.export_button.clicked.connect(self.export)
        self.export_button.setEnabled(False)
        row = QHBoxLayout()
        for label, widget in (("&Family:", self.family), ("F&rom:", self.old), ("&To:", self.new)):
            text = QLabel(label, self)
            text.setBuddy(widget)
            row.addWidget(text)
            row.addWidget(widget, 1)
        row.addWidget(self.export_button)
        # The filters on a line of their own: the release names and section names need the width.
        filters = QHBoxLayout()
        category_label = QLabel("&Category:", self)
        category_label.setBuddy(self.category)
        filters.addWidget(category_label)
        filters.addWidget(self.category)
        section_label = QLabel("S&ection:", self)
        section_label.setBuddy(self.section)
        filters.addWidget(section_label)
        filters.addWidget(self.section, 1)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("changesBrowser")
        self.browser.setAccessibleName("Changes")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_anchor)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(filters)
        layout.addWidget(self.browser, 1)
        self.family.currentIndexChanged.connect(self._fill_releases)
        for combo in (self.old, self.new, self.category, self.section):
            combo.currentIndexChanged.connect(lambda _i: self.request())
        service.on(ReleasesAnswer, lambda answer: self._on_releases(answer.releases, answer.sections))
        service.on(ChangesAnswer, lambda answer: self._on_report(answer.report))
        service.failed.connect(self._on_failed)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        # Esc closes it as it closes a dialog: a window of its own with no Close button left only Ctrl+W, shown
        # nowhere (an open combo box or calendar takes its Esc first).
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.resize(1000, 640)
        self.browser.setHtml("<p>Reading the imported releases\u2026</p>")

    def reload(self) -> None:
        """Ask for the imported releases again (on opening, and after an import)."""
        self._service.post(ReleasesRequest())

    def _on_releases(self, found: dict[str, list[changes.Release]],
                     sections: tuple[tuple[str, int], ...] = ()) -> None:
        self._releases = found
        if sections:
            chosen = self.section.currentData()
            self.section.blockSignals(True)
            self.section.clear()
            self.section.addItem("All sections", None)
            for name, depth in sections:
                self.section.addItem("\u2003" * depth + name, name)
            self.section.setCurrentIndex(max(0, self.section.findData(chosen)))
            self.section.blockSignals(False)
        current = self.family.currentData()
        self.family.blockSignals(True)
        self.family.clear()
        for family in changes.FAMILIES:
            count = len(found.get(family, []))
            if count:
                self.family.addItem(f"{changes.FAMILY_LABELS[family]} ({count})", family)
        self.family.blockSignals(False)
        usable = [f for f in changes.FAMILIES if len(found.get(f, [])) >= 2]
        if not usable:
            self.report = None
            self.export_button.setEnabled(False)
            self.browser.setHtml("<p>No family has two releases imported. Import two releases of the same file "
                                 "(two RVU quarters, two HCPCS years, two QPP years: File \u2192 Import) to see what "
                                 "changed between them.</p>")
            return
        choice = current if current in usable else usable[0]
        self.family.setCurrentIndex(self.family.findData(choice))
        self._fill_releases()

    def _fill_releases(self) -> None:
        items = self._releases.get(str(self.family.currentData()), [])
        for combo, default in ((self.old, max(0, len(items) - 2)), (self.new, len(items) - 1)):
            combo.blockSignals(True)
            combo.clear()
            for r in items:
                combo.addItem(f"{r.release} ({r.effective_date or 'no date'})", r.source_id)
            combo.setCurrentIndex(default)
            combo.blockSignals(False)
        self.request()

    def request(self) -> None:
        if self.old.count() < 2 or self.old.currentData() == self.new.currentData():
            return
        self._service.post(ChangesRequest(str(self.family.currentData()), str(self.old.currentData()),
                                             str(self.new.currentData()), self.category.currentData(),
                                             self.section.currentData()))

    def _on_report(self, report: changes.ChangeReport) -> None:
        self.report = report
        self.export_button.setEnabled(True)
        self.browser.setHtml(report_html(report, self.palette()))

    def _on_failed(self, kind: str, message: str) -> None:
        if kind in (ChangesRequest.kind, ReleasesRequest.kind):
            self.browser.setHtml(f"<p>{escape(message)}</p>")

    def _on_anchor(self, url: QUrl) -> None:
        kind, value = parse_link(url.toString())
        if kind is LinkKind.CODE:
            self.code_activated.emit(value)

    def export(self, path: str | None = None) -> None:
        if self.report is None:
            return
        if path is None:
            name = f"changes-{self.report.old.release}-to-{self.report.new.release}.csv".replace(" ", "_")
            path, _ = QFileDialog.getSaveFileName(self, "Export the changes", name,
                                                  "CSV files (*.csv);;Excel workbooks (*.xlsx)")
            if not path:
                return
        try:
            changes.export(self.report, path)
        except OSError as exc:
            QMessageBox.warning(self, "Export", f"Could not write {path}: {exc.strerror or exc}")
