"""The main window's search: the request from the box and filters, its answers (hits, then counts), the
results list, keys in the box, paging, the overview and the category comparison (a part of ``MainWindow``).

Each function is a method of :class:`MainWindow` (assigned in its class body): ``self`` is the window.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    Qt,
)
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
)

from desktop_app.core.grammar import is_code, normalize
from desktop_app.core.query import load_synonyms
from desktop_app.core.reference import BUNDLED_KIND
from desktop_app.core.results import MatchKind
from desktop_app.core.search import Highlighter, SearchResult
from desktop_app.ui.code_compare import compare_command, count_problem
from desktop_app.ui.empty_state import no_results_html, result_note
from desktop_app.ui.filters import ALL
from desktop_app.ui.links import LinkKind, parse_link
from desktop_app.ui.requests import (
    ComparisonAnswer,
    ComparisonRequest,
    CountsAnswer,
    Overview,
    SearchAnswer,
    SearchRequest,
)
from desktop_app.ui.results import SortKey
from desktop_app.ui.theme import CODE_SET_LABELS
from desktop_app.ui.window_layout import COMPARE_TAB, FIRST_PAGE, RESULT_LIMIT, SEARCH_TAB, TYPED_CODE_PAUSE_MS

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


def current_request(self: MainWindow, loaded: int = 0) -> SearchRequest:
    """The search the box and filters ask. Typed text asks first for a short page, enough to fill the list
    (the list is painted sooner: fewer hits to rank and describe); more come when it is scrolled to its end.
    ``loaded``: ask for as many as the list holds now (to refresh it in place). Browsing a category or
    section asks for whole pages, as Alt+PgDown turns them."""
    query = self.search_box.text()
    compared = compare_command(query)
    if compared:  # "compare 45384 45385": the list shows the codes Enter will compare, not word matches
        query = ", ".join(compared)
    limit = max(FIRST_PAGE, min(loaded, RESULT_LIMIT)) if query.strip() else RESULT_LIMIT
    return SearchRequest(
        query,
        self.category_filter.current_code_set(),
        self.section_tree.current_section(),
        limit,
        self._page_after,
    )


def show_search_tab_for_typing(self: MainWindow, text: str) -> None:
    """Typing in the box while a comparison is shown means "show me results": the Search tab comes forward
    (only for the person's own edits, not for text the window puts there)."""
    if text.strip() and self.tabs.currentIndex() != SEARCH_TAB:
        self.tabs.setCurrentIndex(SEARCH_TAB)


def fetch_more_results(self: MainWindow) -> None:
    """The list was scrolled to its last row: the same search again, for up to RESULT_LIMIT hits; its answer
    is appended below the rows shown (``_on_search_answer``)."""
    request = self.current_request(RESULT_LIMIT)
    if self.last_result is None or self.last_result.query != request.query:
        return  # the box changed since: its own search is on the way
    self._more_request = request
    self.service.post(request)


def request_search(self: MainWindow, *_args: object) -> int:
    """A new question starts at its first page."""
    self._page_starts.clear()
    self._page_after = ""
    return self.service.post(self.current_request())


def next_page(self: MainWindow) -> None:
    """Browsing a category or section: the next page of its codes (Alt+PgDown)."""
    result = self.last_result
    if result is None or not result.next_after:
        return
    self._page_starts.append(self._page_after)
    self._page_after = result.next_after
    self.service.post(self.current_request())


def previous_page(self: MainWindow) -> None:
    if not self._page_starts:
        return
    self._page_after = self._page_starts.pop()
    self.service.post(self.current_request())


def clear_filters(self: MainWindow) -> None:
    """One key back to everything: no category, no section (Ctrl+0, or Esc in an empty search box)."""
    changed = self.category_filter.current() != ALL or self.section_tree.current_section() is not None
    self.section_tree.select_section(None, notify=False)
    self.category_filter.set_current(ALL, notify=False)
    self.section_tree.set_code_set(None)
    self.settings.setValue("filter/category", ALL)
    if changed:
        self.request_search()


def toggle_category(self: MainWindow, code_set: str) -> None:
    """Alt+1 … Alt+4: only that category; the same key again: all categories."""
    self.tabs.setCurrentIndex(SEARCH_TAB)
    self.category_filter.set_current(ALL if self.category_filter.current() == code_set else code_set)


def _on_counts_ready(self: MainWindow, answer: CountsAnswer) -> None:
    """The second half of a search: hits per category, for the filter buttons and the empty state."""
    result, counts = answer.result, answer.counts
    if result is not self.last_result:
        return
    self.last_counts = counts
    request = self.current_request()
    if request.query.strip() or request.section_id is not None:
        # Counts cut by the search ceiling are unknown, not zero: hide the numbers.
        self.category_filter.set_counts(None if result.counts_stopped else counts, self._unfiltered_total(result))
    if not result.hits:
        self._on_search_ready(result, 0.0)  # the empty state can now say where the hits are


def _on_search_answer(self: MainWindow, answer: SearchAnswer) -> None:
    self.last_counts = dict(answer.result.counts)  # empty until their own answer comes
    more = answer.request.limit < RESULT_LIMIT and len(answer.result.hits) >= answer.request.limit
    extend = self._more_request is not None and answer.request == self._more_request
    self._more_request = None
    self._on_search_ready(answer.result, answer.seconds, more, extend)


def _on_search_ready(self: MainWindow, result: SearchResult, seconds: float, more_available: bool = False,
                     extend: bool = False) -> None:
    """Show a search's hits. ``more_available``: they are a first page of more; ``extend``: they answer the
    list's request for more, and those not shown yet are appended below the rows shown."""
    self.last_result = result
    self._show_measure_hits(result)
    request = self.current_request()
    self._selecting_programmatically = True
    extended = extend and self.results_model.rowCount() > 0
    # Another question (words, category, section, page) is a new list, shown from its first row; the same one
    # answered again (a refresh after an import) keeps the person's place. The view keeps its scroll position
    # across a model reset, so without this a section chosen after scrolling another opened rows down.
    shown_list = (request.query, request.code_set, request.section_id, request.after)
    new_list = not extended and shown_list != self._shown_list
    self._shown_list = shown_list
    try:
        if extended:
            self.results_model.extend_hits(result.hits, result.row_texts, more_available, RESULT_LIMIT)
        else:
            words = result.corrected_words or result.parsed.words
            highlighter = Highlighter(words, load_synonyms()) if words else None
            self.results_model.set_hits(result.hits, result.row_texts, highlighter, more_available)
    finally:
        self._selecting_programmatically = False
    nothing_asked = not request.query.strip() and request.section_id is None
    if nothing_asked and self.overview is not None:
        self.category_filter.set_counts({cs: c["codes"] for cs, c in self.overview.code_counts.items()})
    elif self.last_counts:
        self.category_filter.set_counts(self.last_counts, self._unfiltered_total(result))
    # Otherwise the counts follow in a moment (counts_ready); until then the buttons keep their numbers.
    self.next_page_action.setEnabled(bool(result.next_after))
    self.previous_page_action.setEnabled(bool(self._page_starts))
    if result.hits:
        self.results_stack.setCurrentWidget(self.results_view)
        shown = self.results_model.rowCount()
        note = result_note(result, shown, self._filter_label(request), len(self._page_starts), more_available)
        command = compare_command(self.search_box.text())
        if command is not None:
            # The Enter hint only when Enter will compare them (2-4 codes); otherwise what is wrong.
            said = count_problem(command) or "Enter compares these codes side by side."
            note = said + (f" {note}" if note else "")
        self.result_note.setText(note)
        self.result_note.setVisible(bool(note))
        if new_list:
            self.results_view.scrollToTop()
        # Keep the open code selected when it is still in the list (rows appended below keep it already, and
        # must not scroll the list back up to it).
        if self.detail_pane.detail is not None and not extended:
            row = self.results_model.row_of(self.detail_pane.detail.code)
            if row >= 0:
                self._select_row(row, open_detail=False)
        self._preview_typed_code(result)
    else:
        section_name = None
        if request.section_id is not None and request.section_id in self.store.catalog.sections:
            section_name = self.store.catalog.sections[request.section_id].name
        imported = sum(1 for x in self.overview.sources if x.kind != BUNDLED_KIND) if self.overview else 0
        self.empty_state.setText(
            no_results_html(result, request.code_set, section_name, imported, self.last_counts))
        self.results_stack.setCurrentWidget(self.empty_state)
        self.service.answer_shown()  # no list to paint first: the empty state wants the counts now
        self.result_note.setVisible(bool(result.message) and not result.parsed.error)
        self.result_note.setText(result.message or "")
    count = (
        f"{result.total:,} result{'s' if result.total != 1 else ''}"
        if request.query or request.section_id is not None or request.code_set
        else ""
    )
    self.result_count_label.setText(f"{count} in {seconds * 1000:.0f} ms" if count else "")


def _preview_typed_code(self: MainWindow, result: SearchResult) -> None:
    """A code typed whole ("99213") shows its detail at once, as a row passed over does: it joins Recent and Back
    only if it stays shown (VIEW_DWELL_MS) or is opened or used. Once per typed text, so a refresh of the same
    search (another program imported) does not take the person back to it, nor Back/Forward, which show
    their code themselves. It waits for a pause in the typing (TYPED_CODE_PAUSE_MS), so keys typed on cost
    nothing more."""
    if len(result.hits) != 1 or result.hits[0].match != MatchKind.EXACT or result.query != self.search_box.text():
        return
    if result.query == self._previewed_query or result.hits[0].code == self._requested_code:
        return
    self.typed_code_timer.start(TYPED_CODE_PAUSE_MS)


def _on_typing_paused(self: MainWindow) -> None:
    result = self.last_result
    if result is None or len(result.hits) != 1 or result.query != self.search_box.text():
        return  # typed on: another search is shown or coming
    if result.query == self._previewed_query or result.hits[0].code == self._requested_code:
        return
    if self.results_model.row_of(result.hits[0].code) != 0:
        return
    self._previewed_query = result.query
    self._select_row(0)  # the selection shows it (navigation.preview_code)


def _unfiltered_total(self: MainWindow, result: SearchResult) -> int | None:
    """The result's total when it was counted without a category filter (then it is what "All" means), or the
    one counted for the same query and section before a category was chosen."""
    unfiltered = result.filter_ignored or self.category_filter.current() == ALL
    question = (result.query, self.section_tree.current_section())
    if unfiltered and not result.stopped:
        self._all_total = (question, result.total)
        return result.total
    if self._all_total is not None and self._all_total[0] == question:
        return self._all_total[1]
    return None


def _filter_label(self: MainWindow, request: SearchRequest) -> str:
    """The filter in words ("Category II", "Surgery"), for notes about codes shown outside it."""
    names = []
    if request.code_set:
        names.append(CODE_SET_LABELS.get(request.code_set, request.code_set))
    if request.section_id is not None and request.section_id in self.store.catalog.sections:
        names.append(self.store.catalog.sections[request.section_id].name)
    return " \u203a ".join(names)


def _on_category_changed(self: MainWindow, key: str) -> None:
    code_set = key or None
    section = self.section_tree.current_section()
    if code_set and section is not None and self.store.catalog.sections[section].code_set != code_set:
        self.section_tree.select_section(None, notify=False)
    self.section_tree.set_code_set(code_set)
    self.settings.setValue("filter/category", key)
    self.request_search()


def _on_section_chosen(self: MainWindow, _section_id: int | None) -> None:
    self.request_search()


def browse_section(self: MainWindow, section_id: int) -> None:
    """List a section's codes: clear the words, keep a category filter only if it agrees."""
    section = self.store.catalog.sections.get(section_id)
    if section is None:
        return
    self.tabs.setCurrentIndex(SEARCH_TAB)
    if self.category_filter.current() not in (ALL, section.code_set):
        self.category_filter.set_current(section.code_set, notify=False)
        self.section_tree.set_code_set(section.code_set)
    self.search_box.blockSignals(True)
    self.search_box.clear()
    self.search_box.blockSignals(False)
    self.section_tree.select_section(section_id, notify=False)
    self.request_search()


def _on_sort_combo(self: MainWindow, index: int) -> None:
    key = SortKey(self.sort_combo.itemData(index))
    self.results_model.set_sort_key(key)
    self.settings.setValue("results/sort", int(key))


def cycle_results_order(self: MainWindow) -> None:
    """Ctrl+Shift+R: the Sort box's next order (relevance, code), without reaching for it."""
    self.sort_combo.setCurrentIndex((self.sort_combo.currentIndex() + 1) % self.sort_combo.count())
    self.statusBar().showMessage(f"Results: {self.sort_combo.currentText().lower()}.", 3000)


def _sync_sort_combo(self: MainWindow) -> None:
    index = self.sort_combo.findData(self.results_model.sort_key)
    if index != self.sort_combo.currentIndex():
        self.sort_combo.blockSignals(True)
        self.sort_combo.setCurrentIndex(index)
        self.sort_combo.blockSignals(False)


def _on_empty_state_link(self: MainWindow, link: str) -> None:
    kind, value = parse_link(link)
    if kind is LinkKind.CATEGORY:
        self.category_filter.set_current(value or ALL)
    elif kind is LinkKind.SECTION:
        self.section_tree.select_section(None)
    elif kind is LinkKind.CODE:
        self.open_code(value)
    elif kind is LinkKind.IMPORT:
        self.choose_import_files()


def _search_box_key(self: MainWindow, event: QKeyEvent) -> bool:
    # Window shortcuts only fire while Qt thinks the window is active; after a modal dialog on a desktop
    # without a window manager it may not, yet the keys still reach the box. Honour them here too.
    pressed = QKeySequence(event.keyCombination())
    for action in self._box_fallback_actions:
        if action.isEnabled() and any(
            shortcut.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for shortcut in action.shortcuts()
        ):
            action.trigger()
            return True
    key = event.key()
    moves = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10, Qt.Key.Key_PageUp: -10}
    if key in moves and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
        self.move_selection(moves[Qt.Key(key)])
        return True
    if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        command = compare_command(self.search_box.text())
        if command is not None:
            self.compare_codes(command)  # "compare 45384 45385"
            return True
        self.open_current()
        return True
    if key == Qt.Key.Key_Escape:
        if self.search_box.text():
            self.search_box.clear()
        else:
            self.clear_filters()  # a second Esc: back to all categories and sections
        return True
    return False


def move_selection(self: MainWindow, step: int) -> None:
    rows = self.results_model.rowCount()
    if rows == 0:
        return
    current = self.results_view.currentIndex().row()
    start = -1 if step > 0 else rows  # from nothing selected, Down goes to the first row, Up to the last
    self._select_row(max(0, min(rows - 1, (start if current < 0 else current) + step)))


def _select_row(self: MainWindow, row: int, open_detail: bool = True) -> None:
    index = self.results_model.index(row, 0)
    self._selecting_programmatically = not open_detail
    try:
        self.results_view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
    finally:
        self._selecting_programmatically = False
    self.results_view.scrollTo(index)


def open_current(self: MainWindow) -> None:
    """Enter: open the selected result, else the first; for an unknown code, what the grammar knows."""
    text = normalize(self.search_box.text())
    if is_code(text) and (self.last_result is None or self.last_result.query != self.search_box.text()):
        # A code typed and Enter pressed before its search answered: the list still shows the previous
        # keystroke's hits, and its first row is not what was typed. Open the code itself.
        self.open_code(text)
        return
    row = self.results_view.currentIndex().row()
    if row < 0 and self.results_model.rowCount():
        row = 0
        self._select_row(row, open_detail=False)
    hit = self.results_model.hit(row)
    if hit is not None:
        self.open_code(hit.text)
        return
    if is_code(text):
        self.open_code(text)


def _on_current_row_changed(self: MainWindow, current: QModelIndex, _previous: QModelIndex) -> None:
    if self._selecting_programmatically or not current.isValid():
        return
    hit = self.results_model.hit(current.row())
    if hit is not None:
        self.preview_code(hit.text)  # passed over: recorded only if it stays shown (navigation.VIEW_DWELL_MS)


def _on_result_activated(self: MainWindow, index: QModelIndex) -> None:
    hit = self.results_model.hit(index.row())
    if hit is not None:
        self.open_code(hit.text)
        self.detail_pane.browser.setFocus()


def focus_search(self: MainWindow) -> None:
    self.tabs.setCurrentIndex(SEARCH_TAB)
    self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
    self.search_box.selectAll()


def _show_measure_hits(self: MainWindow, result: SearchResult) -> None:
    """Quality measures the query names ("measure 236", "controlling high blood pressure"), as links."""
    if not result.measures:
        self.measure_note.hide()
        return
    links = " \u00b7 ".join(
        f"<a href='{LinkKind.MEASURE}:{escape(m.measure_id)}'>Measure {escape(m.measure_id)}</a> {escape(m.title)}"
        + (f" ({escape(', '.join(m.years))})" if m.years else "")
        for m in result.measures
    )
    self.measure_note.setText(f"Quality measures: {links}")
    self.measure_note.show()


def _on_measure_note_link(self: MainWindow, link: str) -> None:
    kind, value = parse_link(link)
    if kind is LinkKind.MEASURE and value:
        self.open_measure(value)


def _on_overview_ready(self: MainWindow, overview: Overview) -> None:
    self.overview = overview
    imported = sum(1 for source in overview.sources if source.kind != BUNDLED_KIND)
    if imported != self.detail_pane.imported_sources:
        self.detail_pane.imported_sources = imported
        self.detail_pane.rerender()  # an unknown code shown says what fits the sources now
    self.section_tree.set_counts(overview.section_counts)
    names = [s.name for s in overview.sources]
    self.sources_label.setText(f"Sources: {len(names)}")
    self.sources_label.setToolTip("\n".join(names))
    per_set = " \u00b7 ".join(f"{cs} {c['codes']:,}" for cs, c in overview.code_counts.items())
    self.counts_label.setText(f"{overview.total_codes:,} codes ({per_set})")
    request = self.current_request()
    if not request.query.strip() and request.section_id is None:
        self.category_filter.set_counts({cs: c["codes"] for cs, c in overview.code_counts.items()})


def _on_tab_changed(self: MainWindow, index: int) -> None:
    self.settings.setValue("window/tab", index)
    if index == COMPARE_TAB:
        self._request_comparison()


def _request_comparison(self: MainWindow, *_args: object) -> None:
    code_sets = self.comparison_view.chosen()
    self.settings.setValue("compare/code_sets", ",".join(code_sets))
    self.service.post(ComparisonRequest(tuple(code_sets)))


def _on_comparison_ready(self: MainWindow, answer: ComparisonAnswer) -> None:
    self.comparison_view.set_rows(answer.rows, list(answer.code_sets))
