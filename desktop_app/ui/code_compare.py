"""Compare codes: 2-4 codes side by side, as an HTML table in a text browser (the same HTML is printed).

Keys: Ctrl+3 opens the view with the code box focused; type codes and press Enter; Ctrl+P prints and
Ctrl+Shift+P saves a PDF (see :mod:`desktop_app.ui.printing`). Codes in the header are links that open them.
"""

from __future__ import annotations

import re
from html import escape

from PySide6.QtCore import QEvent, QUrl, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from desktop_app.core.code_compare import MAX_CODES, MIN_CODES, CodeComparison, CompareRow, given_twice_note
from desktop_app.core.grammar import normalize
from desktop_app.ui.links import LinkKind, parse_link
from desktop_app.ui.theme import differs_background, highlight_background, muted_text

_SPLIT = re.compile(r"[\s,;]+")
COMPARE_PREFIX = re.compile(r"^\s*compare\s+(.+)$", re.IGNORECASE)


def codes_in(text: str) -> list[str]:
    """'45384, 45385 45385' → ['45384', '45385'] (normalised, each once)."""
    return list(dict.fromkeys(normalize(part) for part in _SPLIT.split(text) if part.strip()))


def compare_command(text: str) -> list[str] | None:
    """The codes of a 'compare 45384 45385' typed in the search box, or None when it is not one."""
    match = COMPARE_PREFIX.match(text)
    return codes_in(match.group(1)) if match else None


def count_problem(codes: list[str], given: list[str] | None = None) -> str | None:
    """What keeps these codes (each once) from being compared, in words, or None when Compare codes takes them
    (2 to 4). ``given``: the codes as given, so a code given twice is named as such."""
    if MIN_CODES <= len(codes) <= MAX_CODES:
        return None
    if len(codes) > MAX_CODES:
        return (f"Compare codes shows at most {MAX_CODES} codes side by side; {len(codes)} are given: leave out "
                f"{len(codes) - MAX_CODES}.")
    chosen = f"only {codes[0]} is given{given_twice_note(given)}" if codes else "none is given"
    return f"Compare codes needs at least {MIN_CODES} different codes; {chosen}."


def _marked_text(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    parts, last = [], 0
    for start, end in spans:
        parts.append(escape(text[last:start]))
        parts.append(f"<span class='diff'>{escape(text[start:end])}</span>")
        last = end
    parts.append(escape(text[last:]))
    return "".join(parts)


def _cell(row: CompareRow, index: int) -> str:
    value = row.values[index]
    if not value:
        return "<td class='none'>\u2014</td>"
    if row.text:
        return f"<td>{_marked_text(value, row.marked[index])}</td>"
    css = " class='apart'" if row.standout and row.standout[index] else ""
    return f"<td{css}>{escape(value)}</td>"


def comparison_html(comparison: CodeComparison, palette: QPalette, *, printing: bool = False,
                    titles: dict[str, str] | None = None) -> str:
    """The comparison as an HTML table. ``printing``: black on white with a heading, for paper and PDF."""
    if printing:
        base, text, muted, apart, diff = "#ffffff", "#000000", "#555555", "#ffe7b0", "#ffe7b0"
    else:
        base = palette.color(QPalette.ColorRole.Base).name()
        text = palette.color(QPalette.ColorRole.Text).name()
        muted = muted_text(palette).name()
        apart = differs_background(palette).name()
        diff = highlight_background(palette).name()
    width = max(18, 80 // max(1, len(comparison.codes)))
    style = (
        f"<style>body {{ color: {text}; background: {base}; }}"
        f" table {{ border-collapse: collapse; }} td, th {{ padding: 3px 6px; vertical-align: top; }}"
        f" th {{ text-align: left; }} .group {{ font-weight: bold; padding-top: 10px; }}"
        f" .label {{ color: {muted}; }} .none {{ color: {muted}; }} .apart {{ background: {apart}; }}"
        f" .diff {{ background: {diff}; font-weight: bold; }} .muted {{ color: {muted}; }}</style>"
    )
    heads = "".join(
        f"<th width='{width}%'>"
        + (escape(code) if printing else f"<a href='{LinkKind.CODE}:{escape(code)}'>{escape(code)}</a>")
        + (f"<br><span class='muted'>{escape(titles.get(code, ''))}</span>" if titles else "")
        + "</th>"
        for code in comparison.codes
    )
    parts = [style]
    if printing:
        joined = " \u00b7 ".join(comparison.codes)
        parts.append(f"<h2>Comparison: {escape(joined)}</h2>")
    parts.append(
        "<p class='muted'>\u2260 marks a row whose values differ; in descriptors the words that differ are "
        "highlighted, elsewhere the cells that stand apart.</p>"
    )
    parts.append(f"<table width='100%'><tr><th></th>{heads}</tr>")
    for group in comparison.groups():
        parts.append(f"<tr><td class='group' colspan='{len(comparison.codes) + 1}'>{escape(group)}</td></tr>")
        for row in (r for r in comparison.rows if r.group == group):
            mark = "\u2260 " if row.differs else ""
            cells = "".join(_cell(row, i) for i in range(len(comparison.codes)))
            parts.append(f"<tr><td class='label'>{mark}{escape(row.label)}</td>{cells}</tr>")
    parts.append("</table>")
    if comparison.unknown:
        parts.append(f"<p><b>Not in your database:</b> {escape(', '.join(comparison.unknown))}</p>")
    for notice in comparison.notices:
        parts.append(f"<p class='muted'>{escape(notice, quote=False)}</p>")
    return "".join(parts)


class CodeCompareView(QWidget):
    """A code box, Compare / Print / PDF buttons, and the comparison."""

    codes_requested = Signal(list)  # normalised codes (2-4)
    code_activated = Signal(str)
    print_requested = Signal()
    pdf_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeCompareView")
        self.comparison: CodeComparison | None = None
        self.code_box = QLineEdit(self)
        self.code_box.setObjectName("compareCodeBox")
        self.code_box.setAccessibleName("Codes to compare")
        self.code_box.setPlaceholderText(f"{MIN_CODES} to {MAX_CODES} codes, e.g. 45384 45385   (Enter)")
        self.code_box.setClearButtonEnabled(True)
        self.code_box.returnPressed.connect(self.request)
        label = QLabel("&Codes:", self)
        label.setBuddy(self.code_box)
        self.compare_button = QPushButton("Compare", self)
        self.compare_button.clicked.connect(self.request)
        self.print_button = QPushButton("Print\u2026", self)
        self.print_button.setToolTip("Print the comparison (Ctrl+P)")
        self.print_button.clicked.connect(self.print_requested)
        self.pdf_button = QPushButton("Save PDF\u2026", self)
        self.pdf_button.setToolTip("Save the comparison as PDF (Ctrl+Shift+P)")
        self.pdf_button.clicked.connect(self.pdf_requested)
        self.message = QLabel(self)
        self.message.setObjectName("compareMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("compareBrowser")
        self.browser.setAccessibleName("Comparison of codes")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_anchor)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.code_box, 1)
        row.addWidget(self.compare_button)
        row.addWidget(self.print_button)
        row.addWidget(self.pdf_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.browser, 1)
        self._sync_buttons()
        self.browser.setHtml(
            "<p>Type two to four codes above and press Enter, or select codes in the results or your "
            "favourites and press Ctrl+K. In the search box, <b>compare 45384 45385</b> does the same.</p>"
        )

    def request(self) -> None:
        codes = codes_in(self.code_box.text())
        problem = count_problem(codes, [normalize(c) for c in _SPLIT.split(self.code_box.text()) if c.strip()])
        if problem:
            self.show_error(f"{problem} Type {MIN_CODES} to {MAX_CODES} codes here.")
            return
        self.show_error("")
        self.codes_requested.emit(codes)

    def set_codes(self, codes: list[str]) -> None:
        self.code_box.setText(" ".join(codes))

    def set_comparison(self, comparison: CodeComparison) -> None:
        self.comparison = comparison
        self.show_error("")
        self._render()
        self._sync_buttons()

    def show_error(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))

    def _render(self) -> None:
        if self.comparison is None:
            return
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml(comparison_html(self.comparison, self.palette()))
        self.browser.verticalScrollBar().setValue(scroll)

    def _sync_buttons(self) -> None:
        self.print_button.setEnabled(self.comparison is not None)
        self.pdf_button.setEnabled(self.comparison is not None)

    def _on_anchor(self, url: QUrl) -> None:
        kind, value = parse_link(url.toString())
        if kind is LinkKind.CODE and value:
            self.code_activated.emit(value)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._render()
        super().changeEvent(event)
