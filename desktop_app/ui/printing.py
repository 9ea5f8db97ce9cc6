"""Print, or save as PDF, a code's detail or a comparison (Qt's print support).

The printed page is its own clean layout, black on white whatever the theme: every descriptor says which
source and release it comes from, and the copyright notice is printed whenever official (AMA) text is.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPalette, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from desktop_app.core.code_compare import CodeComparison, category_label, copyright_notices, source_label
from desktop_app.core.details import CodeDetail
from desktop_app.core.fee_schedule import fact_rows
from desktop_app.core.valid_dates import deletion_words
from desktop_app.ui.code_compare import comparison_html

_PRINT_STYLE = (
    "<style>body { color: #000; } h1 { font-size: 18pt; margin-bottom: 0; } h3 { margin-bottom: 2px; }"
    " table { border-collapse: collapse; } th { text-align: left; padding: 2px 8px 2px 0; color: #333; }"
    " td { padding: 2px 8px 2px 0; vertical-align: top; } .muted { color: #555; } .source { color: #333; "
    "font-style: italic; }</style>"
)


def _footer(notices: tuple[str, ...]) -> str:
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    parts = [f"<hr><p class='muted'>Printed from CodeDesk on {escape(stamp)}. Every descriptor names its source "
             "and release; summaries in our own words are labelled as such.</p>"]
    parts += [f"<p class='muted'>{escape(notice, quote=False)}</p>" for notice in notices]
    return "".join(parts)


def detail_print_html(detail: CodeDetail, note: str = "") -> str:
    """A code's detail for paper: code, category, section, status, descriptors by source, facts, payment."""
    parts = [_PRINT_STYLE, f"<h1>{escape(detail.code)}</h1>"]
    parts.append(f"<p><b>{escape(category_label(detail.code_set))}</b>"
                 + (" \u00b7 " + escape(" \u203a ".join(s.name for s in detail.section)) if detail.section else "")
                 + "</p>")
    if not detail.known:
        parts.append("<p>Not in the database this was printed from.</p>")
    else:
        status = deletion_words(detail.deleted_date) if detail.deleted_date else detail.status
        parts.append(f"<p>Status: {escape(status)}</p>")
    if detail.descriptors:
        parts.append("<h3>Descriptors</h3><table>")
        for descriptor in detail.descriptors:
            source = source_label(descriptor.source.name, descriptor.source.release, descriptor.source.kind)
            parts.append(f"<tr><th>{escape(descriptor.label)}</th><td>{escape(descriptor.text)}"
                         f"<br><span class='source'>Source: {escape(source)}</span></td></tr>")
        parts.append("</table>")
    for facts in detail.facts:
        source = source_label(facts.source.name, facts.source.release, facts.source.kind)
        component = f", modifier {facts.modifier}" if facts.modifier else ""
        parts.append(f"<h3>Payment facts \u2014 {escape(source)}{escape(component)}</h3><table>")
        parts += [f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
                  for label, value in fact_rows(facts.values)]
        parts.append("</table>")
    if detail.payments:
        parts.append("<h3>Medicare payment amounts</h3><table>")
        for payment in detail.payments:
            component = f", modifier {payment.modifier}" if payment.modifier else ""
            amounts = "; ".join(f"{a.setting}: " + (f"${a.amount:,.2f}" if a.amount is not None else "not paid")
                                for a in payment.amounts)
            notes = "".join(f"<br>{escape(note)}" for note in payment.notes)  # the OPPS cap, differing GPCI years
            parts.append(f"<tr><th>{escape(payment.where_label + component)}</th><td>{escape(amounts)}{notes}"
                         f"<br><span class='source'>Source: {escape(payment.source)}</span></td></tr>")
        parts.append("</table>")
    if detail.measures:
        parts.append("<h3>Quality measures</h3><table>")
        for link in detail.measures:
            parts.append(f"<tr><th>{escape(link.measure_id)}</th><td>{escape(link.title)} \u2014 "
                         f"{escape(link.role_label)}<br><span class='source'>Source: {escape(link.source)}</span>"
                         "</td></tr>")
        parts.append("</table>")
    if note.strip():
        parts.append(f"<h3>Your note</h3><p>{escape(note).replace(chr(10), '<br>')}</p>")
    parts.append(_footer(copyright_notices([detail])))
    return "".join(parts)


def comparison_print_html(comparison: CodeComparison, titles: dict[str, str] | None = None) -> str:
    # comparison_html ends with the notices; only the date line is added.
    return _PRINT_STYLE + comparison_html(comparison, QPalette(), printing=True, titles=titles) + _footer(())


def _document(html: str) -> QTextDocument:
    document = QTextDocument()
    document.setHtml(html)
    return document


def _printer(printer: QPrinter | None = None, *, landscape: bool = False) -> QPrinter:
    """Letter, 15 mm margins; ``landscape`` for a comparison of 3-4 codes, whose columns in portrait break
    words in the middle ("straightforwar-d")."""
    printer = printer or QPrinter(QPrinter.PrinterMode.HighResolution)
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.Letter), orientation,
                                      QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    return printer


def wants_landscape(comparison: CodeComparison) -> bool:
    """Three or four codes side by side need the width of a landscape page."""
    return len(comparison.codes) >= 3


def save_pdf(html: str, path: Path, title: str = "CodeDesk", *, landscape: bool = False) -> None:
    """Write ``html`` as a PDF file (raises OSError when the file cannot be written)."""
    printer = _printer(landscape=landscape)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setDocName(title)
    _document(html).print_(printer)
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"could not write {path}")


def print_html(html: str, parent: QWidget, title: str = "CodeDesk", *, landscape: bool = False) -> bool:
    """The system print dialog (the orientation proposed, the person can change it), then print. False when
    cancelled."""
    printer = _printer(landscape=landscape)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {title}")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    _document(html).print_(printer)
    return True
