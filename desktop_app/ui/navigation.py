"""The main window's open code: detail, measures, locality, back/forward history, copying, comparing codes,
printing and exporting (a part of ``MainWindow``).

Each function is a method of :class:`MainWindow` (assigned in its class body): ``self`` is the window.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QMessageBox,
)

from desktop_app.core.code_compare import MAX_CODES, MIN_CODES
from desktop_app.core.fee_schedule import Locality
from desktop_app.core.grammar import normalize
from desktop_app.ui.code_compare import count_problem
from desktop_app.ui.export import choose_export_path, hits_tsv, safe_file_stem
from desktop_app.ui.printing import (
    comparison_print_html,
    detail_print_html,
    print_html,
    save_pdf,
    wants_landscape,
)
from desktop_app.ui.requests import (
    DetailAnswer,
    ExportDone,
    ExportRequest,
    MeasureRequest,
)
from desktop_app.ui.user_requests import RecordViewRequest, ViewRecorded
from desktop_app.ui.window_layout import COMPARE_CODES_TAB, SEARCH_TAB

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


def open_code(self: MainWindow, code: str, *, record: bool = True) -> None:
    """Show ``code``; ``record``: the person opened it, so it joins Back/Forward and Recent now."""
    code = normalize(code)
    if not code:
        return
    if self.tabs.currentIndex() != SEARCH_TAB:
        self.tabs.setCurrentIndex(SEARCH_TAB)
    self._dwell_code = ""
    self.view_dwell_timer.stop()
    # Enter on the code already shown and recorded (it was dwelt on) is the same look: not a second view.
    seen = self._history_index >= 0 and self._history[self._history_index] == code == self._requested_code
    if record:
        self._push_history(code)
    self._requested_code = code
    self._sync_history_actions()
    self.service.detail(code, record_view=record and not seen)  # the worker records it in the person's history


def preview_code(self: MainWindow, code: str) -> None:
    """The selection moved onto ``code``: show it; it is recorded (Back, Recent) only when it stays shown for
    ``view_dwell_ms`` or is used (see :func:`record_dwell_now`)."""
    code = normalize(code)
    if not code:
        return
    self._requested_code = code
    self._dwell_code = code
    self.view_dwell_timer.start(self.view_dwell_ms)
    self._sync_history_actions()
    self.service.detail(code)


def record_dwell_now(self: MainWindow) -> None:
    """The code passed over is still shown after the dwell, or the person used it (copied, starred, noted):
    it joins Back/Forward and Recent."""
    code, self._dwell_code = self._dwell_code, ""
    self.view_dwell_timer.stop()
    if not code or code != self._requested_code:
        return
    if self._history_index >= 0 and self._history[self._history_index] == code:
        return  # the arrows came back to the code last recorded: the same look, as Back would show it
    self._push_history(code)
    self._sync_history_actions()
    if self.userdata_path is not None:
        self.service.post(RecordViewRequest(code))


def _push_history(self: MainWindow, code: str) -> None:
    if self._history_index < 0 or self._history[self._history_index] != code:
        del self._history[self._history_index + 1 :]
        self._history.append(code)
        self._history_index = len(self._history) - 1


def _previewing(self: MainWindow) -> bool:
    """A code passed over (not recorded) is shown: Back returns to the last recorded code."""
    return self._history_index >= 0 and self._requested_code != self._history[self._history_index]


def _on_view_recorded(self: MainWindow, answer: ViewRecorded) -> None:
    if answer.problem:
        self.statusBar().showMessage(f"Could not record {answer.code} in your history: {answer.problem}", 8000)
    elif self.side_panel.current_page() is self.side_panel.recent:
        self.side_panel.reload()


def open_measure(self: MainWindow, measure_id: str) -> None:
    """Show a quality measure in the detail pane (from a link in a code's detail or the measure list)."""
    if self.tabs.currentIndex() != SEARCH_TAB:
        self.tabs.setCurrentIndex(SEARCH_TAB)
    self.service.post(MeasureRequest(measure_id))


def _choose_locality(self: MainWindow, localities: list[Locality]) -> None:
    """Ask which Medicare locality's payment amounts to show; the choice is remembered."""
    if not localities:
        self.statusBar().showMessage("No GPCI file imported: import the CMS GPCI table first.", 8000)
        return
    labels = ["National amounts only"] + [loc.label for loc in localities]
    keys: list[str | None] = [None] + [loc.key for loc in localities]
    current = keys.index(self.service.locality) if self.service.locality in keys else 0
    label, ok = QInputDialog.getItem(self, "Payment locality", "Show Medicare payment amounts for:",
                                     labels, current, False)
    if not ok:
        return
    self.service.locality = keys[labels.index(label)]
    self.settings.setValue("payment/locality", self.service.locality or "")
    if self.detail_pane.detail is not None:
        self.service.detail(self.detail_pane.detail.code)


def _on_detail_ready(self: MainWindow, answer: DetailAnswer) -> None:
    detail = answer.detail
    previous = self.detail_pane.detail
    self.detail_pane.show_detail(detail, answer.user)
    if answer.user is not None and answer.user.history_problem:  # history is a convenience: the code still opens
        self.statusBar().showMessage(f"Could not record {detail.code} in your history: "
                                     f"{answer.user.history_problem}", 8000)
    # The open code in the title: in the task bar and window switcher, and for tools that read titles.
    self.setWindowTitle(f"CodeDesk \u2014 {detail.code} \u2014 {self.store.path.name}")
    if previous is None or previous.code != detail.code:
        # A new code is read from its top, not from where the previous one was scrolled to.
        QTimer.singleShot(0, lambda: self.detail_pane.browser.verticalScrollBar().setValue(0))
    if self.side_panel.current_page() is not None and self._dwell_code != detail.code:
        self.side_panel.reload()  # the code just opened joins Recent (one passed over joins it after the dwell)
    row = self.results_model.row_of(detail.code)
    if row >= 0 and self.results_view.currentIndex().row() != row:
        self._select_row(row, open_detail=False)


def history(self: MainWindow) -> tuple[list[str], int]:
    return list(self._history), self._history_index


def go_back(self: MainWindow) -> None:
    if self._previewing():
        self._show_history_code(self._history[self._history_index])
    elif self._history_index > 0:
        self._history_index -= 1
        self._show_history_code(self._history[self._history_index])


def go_forward(self: MainWindow) -> None:
    if self._history_index < len(self._history) - 1:
        self._history_index += 1
        self._show_history_code(self._history[self._history_index])


def _show_history_code(self: MainWindow, code: str) -> None:
    """Back/forward: when the code is not in the list, the box and the list follow it, so the search box,
    the selected row and the detail never show three different codes."""
    if self.results_model.row_of(code) < 0:
        self.search_box.setText(code)  # searches it; the detail's answer selects its row
    self.open_code(code, record=False)


def _sync_history_actions(self: MainWindow) -> None:
    self.back_action.setEnabled(self._history_index > 0 or self._previewing())
    self.forward_action.setEnabled(0 <= self._history_index < len(self._history) - 1)


def copy_code(self: MainWindow) -> None:
    """Ctrl+C: several selected rows go out as TSV (for a spreadsheet); otherwise the open code."""
    if len(self.selected_codes()) > 1:
        self.copy_rows()
        return
    self.record_dwell_now()  # a code copied is a code used
    self.detail_pane.copy_code()


def copy_rows(self: MainWindow) -> None:
    page, focus = self.side_panel.current_page(), QApplication.focusWidget()
    if page is not None and focus is not None and page.isAncestorOf(focus):
        text = page.selected_tsv()
        count = len(page.selected_codes())
    else:
        rows = sorted({index.row() for index in self.results_view.selectionModel().selectedRows()})
        hits = [hit for row in rows if (hit := self.results_model.hit(row)) is not None]
        text, count = hits_tsv(hits), len(hits)
    if count:
        QApplication.clipboard().setText(text)
        self.statusBar().showMessage(f"Copied {count:,} row(s) as tab-separated text.", 4000)


def copy_code_and_title(self: MainWindow) -> None:
    self.record_dwell_now()
    self.detail_pane.copy_code_and_title()


def show_code_compare(self: MainWindow) -> None:
    self.tabs.setCurrentIndex(COMPARE_CODES_TAB)
    self.code_compare_view.code_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
    self.code_compare_view.code_box.selectAll()


def compare_codes(self: MainWindow, codes: list[str]) -> None:
    """Show 2-4 codes side by side on the Compare codes tab (fewer or more: say so, keep the box)."""
    given = [normalize(c) for c in codes if c.strip()]
    codes = list(dict.fromkeys(given))
    self.code_compare_view.set_codes(codes)
    self.tabs.setCurrentIndex(COMPARE_CODES_TAB)
    problem = count_problem(codes, given)
    if problem:
        self.code_compare_view.show_error(
            f"{problem} Type {MIN_CODES} to {MAX_CODES} codes here, or select them in the list and press Ctrl+K.")
        self.code_compare_view.code_box.setFocus()
        return
    self.service.code_comparison(codes)


def selected_codes(self: MainWindow) -> list[str]:
    """Codes selected where the focus is: a working-set page, else the results list."""
    page, focus = self.side_panel.current_page(), QApplication.focusWidget()
    if page is not None and focus is not None and page.isAncestorOf(focus):
        return page.selected_codes()
    rows = sorted({index.row() for index in self.results_view.selectionModel().selectedRows()})
    return [hit.code for row in rows if (hit := self.results_model.hit(row)) is not None]


def compare_selected(self: MainWindow) -> None:
    codes = self.selected_codes()
    opened = self._open_code_name()
    if len(codes) < MIN_CODES and opened:
        # The open code joins one selected row; when that row is the open code, it is one code, not one "given
        # twice" (the person gave it once).
        codes = [opened, *(c for c in codes if normalize(c) != normalize(opened))]
    self.compare_codes(codes)


def _printable(self: MainWindow) -> tuple[str, str, bool] | None:
    """(HTML, title, landscape) of what Ctrl+P prints here: the comparison on its tab, else the open code."""
    if self.tabs.currentIndex() == COMPARE_CODES_TAB:
        comparison = self.code_compare_view.comparison
        if comparison is None:
            return None
        return (comparison_print_html(comparison), "Comparison " + " ".join(comparison.codes),
                wants_landscape(comparison))
    detail = self.detail_pane.detail
    if detail is None:
        return None
    return detail_print_html(detail, self.detail_pane.note.toPlainText()), f"CodeDesk {detail.code}", False


def print_current(self: MainWindow) -> None:
    printable = self._printable()
    if printable is None:
        self.statusBar().showMessage("Nothing to print: open a code or compare codes first.", 5000)
        return
    html, title, landscape = printable
    if print_html(html, self, title, landscape=landscape):
        self._record_printed_code()


def save_current_pdf(self: MainWindow) -> None:
    printable = self._printable()
    if printable is None:
        self.statusBar().showMessage("Nothing to save: open a code or compare codes first.", 5000)
        return
    html, title, landscape = printable
    start = Path(str(self.settings.value("export/last_dir", str(Path.home())))) / f"{title}.pdf"
    path, _ = QFileDialog.getSaveFileName(self, "Save as PDF", str(start), "PDF files (*.pdf)")
    if not path:
        return
    self.settings.setValue("export/last_dir", str(Path(path).parent))
    try:
        save_pdf(html, Path(path), title, landscape=landscape)
    except OSError as exc:
        QMessageBox.warning(self, "Save as PDF", f"Could not write {path}: {exc}")
        return
    self._record_printed_code()
    self.statusBar().showMessage(f"Saved {path}", 8000)


def _record_printed_code(self: MainWindow) -> None:
    """A code passed over and then printed or saved as PDF is a code used: it joins Back and Recent now (a
    comparison printed is not one code's view)."""
    if self.tabs.currentIndex() != COMPARE_CODES_TAB:
        self.record_dwell_now()


def export_results(self: MainWindow) -> None:
    """Every match of the current search (not only the page shown) to XLSX or CSV, in the worker."""
    request = self.current_request()
    if not request.query.strip() and request.section_id is None and not request.code_set:
        self.statusBar().showMessage("Search or choose a category or section first: then export its codes.",
                                     6000)
        return
    path = choose_export_path(self, self.settings, "Export results",
                              safe_file_stem(request.query, "codedesk-results"))
    if path is None:
        return
    self.statusBar().showMessage(f"Exporting to {path}\u2026")
    self.service.post(ExportRequest("results", path, request.query, request.code_set, request.section_id))


def export_working_table(self: MainWindow) -> None:
    if self.userdata_path is None:
        return
    path = choose_export_path(self, self.settings, "Export working set", "codedesk-working-set")
    if path is None:
        return
    self.statusBar().showMessage(f"Exporting to {path}\u2026")
    self.service.post(ExportRequest("working_set", path))


def _on_export_ready(self: MainWindow, done: ExportDone) -> None:
    self.statusBar().showMessage(f"Exported {done.rows:,} rows to {done.path}", 10000)
