"""The main window: search box, filters, results, detail pane and comparison tab, wired together."""

from __future__ import annotations

import contextlib
from html import escape
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSettings,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.code_compare import MAX_CODES, MIN_CODES
from desktop_app.core.details import CodeDetail
from desktop_app.core.errors import CodeDeskError
from desktop_app.core.fee_schedule import Locality
from desktop_app.core.grammar import is_code, normalize
from desktop_app.core.recovery import is_damage, mark_damaged
from desktop_app.core.reference import BUNDLED_KIND
from desktop_app.core.search import Highlighter, SearchResult, load_synonyms
from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData, keep_unsaved_notes
from desktop_app.core.working_set import WorkingSetSnapshot, import_working_set, write_working_set
from desktop_app.ui.about import AboutDialog
from desktop_app.ui.changes_view import ChangesView
from desktop_app.ui.claim_check import ClaimCheckPanel, CodeEditsPanel
from desktop_app.ui.code_compare import CodeCompareView, compare_command
from desktop_app.ui.comparison import ComparisonView
from desktop_app.ui.detail import DetailPane
from desktop_app.ui.empty_state import no_results_html, result_note
from desktop_app.ui.export import choose_export_path, hits_tsv, safe_file_stem
from desktop_app.ui.filters import ALL, CategoryFilter, SectionTree
from desktop_app.ui.importing import (
    DataSourcesDialog,
    JobRunner,
    file_dialog_filter,
    supported_formats_text,
)
from desktop_app.ui.printing import comparison_print_html, detail_print_html, print_html, save_pdf
from desktop_app.ui.requests import (
    CodeComparisonAnswer,
    ComparisonAnswer,
    ComparisonRequest,
    CountsAnswer,
    DetailAnswer,
    ExportDone,
    ExportRequest,
    LocalitiesAnswer,
    LocalitiesRequest,
    MeasureAnswer,
    MeasureRequest,
    Overview,
    SearchAnswer,
    SearchRequest,
    WorkingSetAnswer,
    WorkingSetRequest,
)
from desktop_app.ui.results import ResultsModel, ResultsView, SortKey
from desktop_app.ui.shortcuts import ShortcutsDialog
from desktop_app.ui.theme import CODE_SET_LABELS, ThemeChoice, apply_theme
from desktop_app.ui.worker import StoreService
from desktop_app.ui.working_set import WorkingSetPanel

RESULT_LIMIT = 200
STALENESS_POLL_MS = 1000  # a change made elsewhere shows within two seconds
SEARCH_TAB, COMPARE_TAB, COMPARE_CODES_TAB = 0, 1, 2


class MainWindow(QMainWindow):
    def __init__(
        self,
        store: CodeStore,
        settings: QSettings,
        userdata: UserData | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.userdata = userdata
        self.service = StoreService(store.path, self)
        self.jobs = JobRunner(store.path, self)
        self.overview: Overview | None = None
        self.last_result: SearchResult | None = None
        self.last_counts: dict[str, int] = {}  # hits per code set of last_result, once they came
        self._history: list[str] = []
        self._history_index = -1
        self._requested_code = ""  # the code last asked of the worker (its failure is shown in the pane)
        self._selecting_programmatically = False
        self._page_starts: list[str] = []  # browsing: the 'after' code of each page before the current one
        self._page_after = ""
        code_sets = [c.id for c in store.catalog.code_sets]

        self.setObjectName("mainWindow")
        self.setWindowTitle(f"CodeDesk \u2014 {store.path.name}")
        self.setAccessibleName("CodeDesk")
        self.setAcceptDrops(True)
        self._build_actions()

        # --- search row
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setAccessibleName("Search codes")
        self.search_box.setAccessibleDescription(
            "Type a code, a list, a prefix, a range or words; Down moves into the results"
        )
        self.search_box.setPlaceholderText(
            "Search: 99213 \u00b7 3074F \u00b7 992* \u00b7 99202-99205 \u00b7 office visit established   (Ctrl+L)"
        )
        self.search_box.setClearButtonEnabled(True)
        font = self.search_box.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.search_box.setFont(font)
        self.search_box.textChanged.connect(self.request_search)
        self.search_box.installEventFilter(self)
        self.sort_combo = QComboBox(self)
        self.sort_combo.setObjectName("sortCombo")
        self.sort_combo.setAccessibleName("Sort results")
        self.sort_combo.addItem("Sort by relevance", SortKey.RELEVANCE)
        self.sort_combo.addItem("Sort by code", SortKey.CODE)
        self.sort_combo.currentIndexChanged.connect(self._on_sort_combo)
        self.category_filter = CategoryFilter(code_sets, self)
        self.category_filter.changed.connect(self._on_category_changed)

        # --- results area
        self.results_model = ResultsModel(self)
        self.results_view = ResultsView(self.results_model, self)
        self.results_view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.results_view.activated.connect(self._on_result_activated)
        self.results_model.layoutChanged.connect(self._sync_sort_combo)
        self.result_note = QLabel(self)
        self.result_note.setObjectName("resultNote")
        self.result_note.setWordWrap(True)
        self.result_note.setAccessibleName("Search message")
        self.result_note.hide()
        self.measure_note = QLabel(self)
        self.measure_note.setObjectName("measureNote")
        self.measure_note.setWordWrap(True)
        self.measure_note.setAccessibleName("Quality measures that match")
        self.measure_note.setTextFormat(Qt.TextFormat.RichText)
        self.measure_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.measure_note.linkActivated.connect(self._on_measure_note_link)
        self.measure_note.hide()
        self.empty_state = QLabel(self)
        self.empty_state.setObjectName("emptyState")
        self.empty_state.setAccessibleName("No results")
        self.empty_state.setWordWrap(True)
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty_state.setTextFormat(Qt.TextFormat.RichText)
        self.empty_state.setMargin(16)
        self.empty_state.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.empty_state.linkActivated.connect(self._on_empty_state_link)
        self.results_stack = QStackedWidget(self)
        self.results_stack.addWidget(self.results_view)
        self.results_stack.addWidget(self.empty_state)
        results_box = QWidget(self)
        results_layout = QVBoxLayout(results_box)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.result_note)
        results_layout.addWidget(self.measure_note)
        results_layout.addWidget(self.results_stack)

        # --- section tree, detail
        self.section_tree = SectionTree(store.catalog, self)
        self.section_tree.section_chosen.connect(self._on_section_chosen)
        # Re-filtering the tree from inside its own selection change would lose its current row: defer.
        self.section_tree.code_set_chosen.connect(
            lambda cs: QTimer.singleShot(0, lambda: self.category_filter.set_current(cs))
        )
        self.detail_pane = DetailPane(self.back_action, self.forward_action, userdata, self)
        self.detail_pane.code_link_activated.connect(self.open_code)
        self.detail_pane.section_link_activated.connect(self.browse_section)
        self.detail_pane.measure_link_activated.connect(self.open_measure)
        self.detail_pane.locality_requested.connect(lambda: self.service.post(LocalitiesRequest()))
        self.code_edits = CodeEditsPanel(self.service, self)  # NCCI edits of the shown code, under its detail
        self.code_edits.code_activated.connect(self.open_code)
        self.detail_pane.splitter.insertWidget(1, self.code_edits)
        self.claim_check: ClaimCheckPanel | None = None
        self.changes_view: ChangesView | None = None

        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.side_panel = WorkingSetPanel(self.section_tree, userdata, self)
        self.side_panel.code_activated.connect(self.open_code)
        self.side_panel.reload_requested.connect(self._read_working_set)
        self.service.on(WorkingSetAnswer, lambda answer: self.side_panel.set_snapshot(answer.snapshot))
        self.service.on(WorkingSetAnswer, lambda answer: self._sync_favourite_star(answer.snapshot))
        self.detail_pane.favourite_button.toggled.connect(
            lambda _on: QTimer.singleShot(0, self.side_panel.reload)
        )
        self.main_splitter.addWidget(self.side_panel)
        self.main_splitter.addWidget(results_box)
        self.main_splitter.addWidget(self.detail_pane)
        # The results list gets the most room: its titles are what a coder scans.
        self.main_splitter.setStretchFactor(0, 2)
        self.main_splitter.setStretchFactor(1, 6)
        self.main_splitter.setStretchFactor(2, 4)
        self.main_splitter.setSizes([310, 640, 430])

        search_tab = QWidget(self)
        search_layout = QVBoxLayout(search_tab)
        search_layout.setContentsMargins(4, 4, 4, 4)
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.category_filter, 1)
        filter_row.addWidget(self.sort_combo)
        search_layout.addLayout(filter_row)
        search_layout.addWidget(self.main_splitter, 1)

        self.comparison_view = ComparisonView(code_sets, self)
        self.comparison_view.code_sets_changed.connect(self._request_comparison)
        self.comparison_view.code_activated.connect(self.open_code)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.tabs.setAccessibleName("Views")
        self.tabs.addTab(search_tab, "&Search")
        self.tabs.addTab(self.comparison_view, "Co&mpare categories")
        self.code_compare_view = CodeCompareView(self)
        self.code_compare_view.codes_requested.connect(self.compare_codes)
        self.code_compare_view.code_activated.connect(self.open_code)
        self.code_compare_view.print_requested.connect(self.print_current)
        self.code_compare_view.pdf_requested.connect(self.save_current_pdf)
        self.tabs.addTab(self.code_compare_view, "Compare c&odes")
        self.tabs.currentChanged.connect(self._on_tab_changed)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.search_box)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self._build_status_bar()

        # --- the worker's answers
        self.service.on(SearchAnswer, self._on_search_answer)
        self.service.on(CountsAnswer, self._on_counts_ready)
        self.service.on(DetailAnswer, lambda answer: self._on_detail_ready(answer.detail))
        self.service.on(MeasureAnswer, lambda answer: self.detail_pane.show_measure(answer.measure))
        self.service.on(LocalitiesAnswer, lambda answer: self._choose_locality(answer.localities))
        self.service.on(Overview, self._on_overview_ready)
        self.service.on(ComparisonAnswer, self._on_comparison_ready)
        self.service.on(CodeComparisonAnswer, lambda answer: self.code_compare_view.set_comparison(answer.comparison))
        self.service.on(ExportDone, self._on_export_ready)
        self.service.failed.connect(self._on_service_failed)
        self.jobs.data_changed.connect(self.on_data_changed)
        self.service.changed_elsewhere.connect(self._on_changed_elsewhere)
        # Never stale: another process (codedesk-cli import, a second window) may change the database. The
        # worker reads PRAGMA data_version once a second, which costs microseconds.
        self.staleness_timer = QTimer(self)
        self.staleness_timer.setInterval(STALENESS_POLL_MS)
        self.staleness_timer.timeout.connect(self.service.poll_data_version)
        self.staleness_timer.start()

        self._restore_settings()
        self.service.overview()
        self.request_search()
        if self.tabs.currentIndex() == COMPARE_TAB:
            self._request_comparison()
        self.search_box.setFocus()

    # --- construction helpers -----------------------------------------------------------------------

    def _action(self, text: str, slot: object, shortcuts: list[QKeySequence] | None = None, name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcuts:
            # Platform bindings often repeat ours (Back is Alt+Left on Linux): duplicates make Qt call the
            # shortcut ambiguous and fire nothing.
            unique = {sequence.toString(): sequence for sequence in shortcuts if not sequence.isEmpty()}
            action.setShortcuts(list(unique.values()))
        action.triggered.connect(slot)  # type: ignore[arg-type]
        if name:
            action.setObjectName(name)
        self.addAction(action)  # shortcuts work even while the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence
        self.import_action = self._action(
            "&Import Files\u2026", self.choose_import_files, [keys(keys.StandardKey.Open)], "importAction"
        )
        self.import_folder_action = self._action(
            "Import &Folder\u2026", self.choose_import_folder, None, "importFolderAction"
        )
        self.sources_action = self._action("&Data Sources\u2026", self.show_data_sources, None, "sourcesAction")
        self.quit_action = self._action(
            "&Quit", self.close, [keys(keys.StandardKey.Quit), keys("Ctrl+Q")], "quitAction"
        )
        self.focus_search_action = self._action(
            "&Find", self.focus_search, [keys("Ctrl+L"), keys("Ctrl+F")], "focusSearchAction"
        )
        self.back_action = self._action(
            "\u2190 Back", self.go_back, [keys("Alt+Left"), keys(keys.StandardKey.Back)], "backAction"
        )
        self.back_action.setToolTip("Back to the previous code (Alt+Left)")
        self.forward_action = self._action(
            "Forward \u2192",
            self.go_forward,
            [keys("Alt+Right"), keys(keys.StandardKey.Forward)],
            "forwardAction",
        )
        self.forward_action.setToolTip("Forward (Alt+Right)")
        self.copy_action = self._action("&Copy Code", self.copy_code, [keys(keys.StandardKey.Copy)], "copyAction")
        self.copy_title_action = self._action(
            "Copy Code and &Title", self.copy_code_and_title, [keys("Ctrl+Shift+C")], "copyTitleAction"
        )
        self.about_action = self._action("&About CodeDesk", self.show_about, None, "aboutAction")
        self.claim_check_action = self._action(
            "Check Codes &Together\u2026", self.show_claim_check, [keys("Ctrl+Shift+K")], "claimCheckAction"
        )
        self.changes_action = self._action(
            "&What Changed\u2026", self.show_changes, [keys("Ctrl+Shift+W")], "changesAction"
        )
        self.shortcuts_action = self._action(
            "&Keyboard Shortcuts", self.show_shortcuts, [keys(keys.StandardKey.HelpContents), keys("F1")],
            "shortcutsAction",
        )
        self.sections_action = self._action(
            "Sec&tions", lambda: self._show_side_page(None), [keys("Ctrl+Shift+G")], "sectionsAction"
        )
        self.favourites_action = self._action(
            "Fa&vourites", lambda: self._show_side_page("favourites"), [keys("Ctrl+Shift+F")], "favouritesAction"
        )
        self.recent_action = self._action(
            "&Recent Codes", lambda: self._show_side_page("recent"), [keys("Ctrl+Shift+H")], "recentAction"
        )
        self.notes_action = self._action(
            "&Notes", lambda: self._show_side_page("notes"), [keys("Ctrl+Shift+N")], "notesAction"
        )
        self.toggle_favourite_action = self._action(
            "Toggle &Favourite", self.toggle_favourite, [keys("Ctrl+D")], "toggleFavouriteAction"
        )
        self.add_to_list_action = self._action(
            "Add to &List\u2026", self.add_to_list, [keys("Ctrl+Shift+D")], "addToListAction"
        )
        self.new_list_action = self._action(
            "&New Favourite List\u2026", self.side_panel_new_list, [keys("Ctrl+Shift+L")], "newListAction"
        )
        self.export_working_set_action = self._action(
            "Save &Working Set to Carry (CSV)\u2026", self.export_working_set, None, "exportWorkingSetAction"
        )
        self.export_working_set_action.setToolTip("Favourites, lists, notes and history in one CSV file that "
                                                  "Import Working Set reads on another machine")
        self.import_working_set_action = self._action(
            "Import Wor&king Set (CSV)\u2026", self.import_working_set, None, "importWorkingSetAction"
        )
        self.export_results_action = self._action(
            "&Export Results (XLSX, CSV)\u2026", self.export_results, [keys("Ctrl+E")], "exportResultsAction"
        )
        self.export_results_action.setToolTip("Every match of the current search, not only the rows shown, "
                                              "with source columns")
        self.export_working_table_action = self._action(
            "Export Working Set as &Table (XLSX, CSV)\u2026", self.export_working_table, [keys("Ctrl+Shift+E")],
            "exportWorkingTableAction",
        )
        self.copy_rows_action = self._action(
            "Copy Selected &Rows (TSV)", self.copy_rows, [keys("Ctrl+Shift+T")], "copyRowsAction"
        )
        self.clear_filter_action = self._action(
            "Show &All Categories and Sections", self.clear_filters, [keys("Ctrl+0")], "clearFilterAction"
        )
        self.clear_filter_action.setToolTip("Clear the category and section filter (Ctrl+0, or Esc in an empty box)")
        self.next_page_action = self._action(
            "&Next Page of Codes", self.next_page, [keys("Alt+PgDown")], "nextPageAction"
        )
        self.previous_page_action = self._action(
            "&Previous Page of Codes", self.previous_page, [keys("Alt+PgUp")], "previousPageAction"
        )
        self.search_tab_action = self._action(
            "&Search", lambda: self.tabs.setCurrentIndex(SEARCH_TAB), [keys("Ctrl+1")]
        )
        self.compare_tab_action = self._action(
            "&Compare Categories", lambda: self.tabs.setCurrentIndex(COMPARE_TAB), [keys("Ctrl+2")]
        )
        self.compare_codes_tab_action = self._action(
            "Compare C&odes", self.show_code_compare, [keys("Ctrl+3")], "compareCodesTabAction"
        )
        self.compare_selected_action = self._action(
            "Compare &Selected Codes", self.compare_selected, [keys("Ctrl+K")], "compareSelectedAction"
        )
        self.compare_selected_action.setToolTip(
            "Compare the 2-4 codes selected in the results or the working set (Ctrl+K)"
        )
        self.print_action = self._action(
            "&Print\u2026", self.print_current, [keys(keys.StandardKey.Print), keys("Ctrl+P")], "printAction"
        )
        self.print_action.setToolTip("Print the open code's detail, or the comparison on the Compare codes tab")
        self.pdf_action = self._action(
            "Save as P&DF\u2026", self.save_current_pdf, [keys("Ctrl+Shift+P")], "pdfAction"
        )
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[ThemeChoice, QAction] = {}
        for choice, label in (
            (ThemeChoice.SYSTEM, "Follow &System"),
            (ThemeChoice.LIGHT, "&Light"),
            (ThemeChoice.DARK, "&Dark"),
        ):
            action = QAction(label, self)
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, choice=choice: self.set_theme(choice))
            self.theme_group.addAction(action)
            self.theme_actions[choice] = action
        formats = supported_formats_text()
        for action in (self.import_action, self.import_folder_action):
            action.setToolTip(formats)
            action.setStatusTip(formats[:200])
        self._sync_history_actions()
        self._box_fallback_actions = [
            self.focus_search_action,
            self.back_action,
            self.forward_action,
            self.search_tab_action,
            self.compare_tab_action,
            self.compare_codes_tab_action,
            self.compare_selected_action,
            self.print_action,
            self.pdf_action,
            self.export_results_action,
            self.export_working_table_action,
            self.copy_rows_action,
            self.clear_filter_action,
            self.favourites_action,
            self.recent_action,
            self.notes_action,
            self.sections_action,
            self.toggle_favourite_action,
            self.add_to_list_action,
            self.shortcuts_action,
            self.next_page_action,
            self.previous_page_action,
            self.import_action,
            self.quit_action,
        ]

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.import_action, self.import_folder_action, self.sources_action])
        file_menu.addSeparator()
        file_menu.addActions([self.print_action, self.pdf_action])
        file_menu.addSeparator()
        file_menu.addActions([self.export_results_action, self.export_working_table_action])
        file_menu.addSeparator()
        file_menu.addActions([self.export_working_set_action, self.import_working_set_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.copy_action, self.copy_title_action, self.copy_rows_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.toggle_favourite_action, self.add_to_list_action, self.new_list_action])
        edit_menu.addSeparator()
        edit_menu.addAction(self.focus_search_action)
        go_menu = bar.addMenu("&Go")
        go_menu.addActions([self.back_action, self.forward_action])
        go_menu.addSeparator()
        go_menu.addActions([self.sections_action, self.favourites_action, self.recent_action, self.notes_action])
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.search_tab_action, self.compare_tab_action, self.compare_codes_tab_action])
        view_menu.addAction(self.compare_selected_action)
        view_menu.addActions([self.claim_check_action, self.changes_action])
        view_menu.addSeparator()
        view_menu.addActions([self.clear_filter_action, self.next_page_action, self.previous_page_action])
        theme_menu = view_menu.addMenu("&Theme")
        theme_menu.addActions(list(self.theme_actions.values()))
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    def show_changes(self) -> None:
        if self.changes_view is None:
            self.changes_view = ChangesView(self.service, self)
            self.changes_view.code_activated.connect(self.open_code)
        self.changes_view.reload()
        self.changes_view.show()
        self.changes_view.raise_()
        self.changes_view.activateWindow()

    def show_claim_check(self) -> None:
        if self.claim_check is None:
            self.claim_check = ClaimCheckPanel(self.service, self)
            self.claim_check.code_activated.connect(self.open_code)
        self.claim_check.show()
        self.claim_check.raise_()
        self.claim_check.activateWindow()
        self.claim_check.claim.setFocus()

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.db_label = QLabel(self)
        self.db_label.setObjectName("databaseLabel")
        self.db_label.setAccessibleName("Database")
        self.db_label.setText(f"Database: {self.store.path}")
        self.db_label.setToolTip(f"Database: {self.store.path}")
        self.sources_label = QLabel(self)
        self.sources_label.setObjectName("sourcesLabel")
        self.sources_label.setAccessibleName("Data sources")
        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("countsLabel")
        self.counts_label.setAccessibleName("Codes in the database")
        self.result_count_label = QLabel(self)
        self.result_count_label.setObjectName("resultCountLabel")
        self.result_count_label.setAccessibleName("Results found")
        # Permanent widgets stay visible while showMessage() shows a passing error on the left.
        for label in (self.db_label, self.sources_label, self.counts_label, self.result_count_label):
            label.setContentsMargins(8, 0, 8, 0)
        status.addWidget(self.result_count_label, 1)
        status.addPermanentWidget(self.db_label)
        status.addPermanentWidget(self.sources_label)
        status.addPermanentWidget(self.counts_label)

    # --- search -------------------------------------------------------------------------------------

    def current_request(self) -> SearchRequest:
        return SearchRequest(
            self.search_box.text(),
            self.category_filter.current_code_set(),
            self.section_tree.current_section(),
            RESULT_LIMIT,
            self._page_after,
        )

    def request_search(self, *_args: object) -> int:
        """A new question starts at its first page."""
        self._page_starts.clear()
        self._page_after = ""
        return self.service.post(self.current_request())

    def next_page(self) -> None:
        """Browsing a category or section: the next page of its codes (Alt+PgDown)."""
        result = self.last_result
        if result is None or not result.next_after:
            return
        self._page_starts.append(self._page_after)
        self._page_after = result.next_after
        self.service.post(self.current_request())

    def previous_page(self) -> None:
        if not self._page_starts:
            return
        self._page_after = self._page_starts.pop()
        self.service.post(self.current_request())

    def clear_filters(self) -> None:
        """One key back to everything: no category, no section (Ctrl+0, or Esc in an empty search box)."""
        changed = self.category_filter.current() != ALL or self.section_tree.current_section() is not None
        self.section_tree.select_section(None, notify=False)
        self.category_filter.set_current(ALL, notify=False)
        self.section_tree.set_code_set(None)
        self.settings.setValue("filter/category", ALL)
        if changed:
            self.request_search()

    def _on_counts_ready(self, answer: CountsAnswer) -> None:
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

    def _on_search_answer(self, answer: SearchAnswer) -> None:
        self.last_counts = dict(answer.result.counts)  # empty until their own answer comes
        self._on_search_ready(answer.result, answer.seconds)

    def _on_search_ready(self, result: SearchResult, seconds: float) -> None:
        self.last_result = result
        self._show_measure_hits(result)
        request = self.current_request()
        self._selecting_programmatically = True
        try:
            words = result.corrected_words or result.parsed.words
            highlighter = Highlighter(words, load_synonyms()) if words else None
            self.results_model.set_hits(result.hits, result.row_texts, highlighter)
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
            note = result_note(result, len(result.hits), self._filter_label(request), len(self._page_starts))
            self.result_note.setText(note)
            self.result_note.setVisible(bool(note))
            # Keep the open code selected when it is still in the list.
            if self.detail_pane.detail is not None:
                row = self.results_model.row_of(self.detail_pane.detail.code)
                if row >= 0:
                    self._select_row(row, open_detail=False)
        else:
            section_name = None
            if request.section_id is not None and request.section_id in self.store.catalog.sections:
                section_name = self.store.catalog.sections[request.section_id].name
            imported = sum(1 for x in self.overview.sources if x.kind != BUNDLED_KIND) if self.overview else 0
            self.empty_state.setText(
                no_results_html(result, request.code_set, section_name, imported, self.last_counts))
            self.results_stack.setCurrentWidget(self.empty_state)
            self.result_note.setVisible(bool(result.message) and not result.parsed.error)
            self.result_note.setText(result.message or "")
        count = (
            f"{result.total:,} result{'s' if result.total != 1 else ''}"
            if request.query or request.section_id is not None or request.code_set
            else ""
        )
        self.result_count_label.setText(f"{count} in {seconds * 1000:.0f} ms" if count else "")

    def _unfiltered_total(self, result: SearchResult) -> int | None:
        """The result's total when it was counted without a category filter (then it is what "All" means)."""
        unfiltered = result.filter_ignored or self.category_filter.current() == ALL
        return result.total if unfiltered and not result.stopped else None

    def _filter_label(self, request: SearchRequest) -> str:
        """The filter in words ("Category II", "Surgery"), for notes about codes shown outside it."""
        names = []
        if request.code_set:
            names.append(CODE_SET_LABELS.get(request.code_set, request.code_set))
        if request.section_id is not None and request.section_id in self.store.catalog.sections:
            names.append(self.store.catalog.sections[request.section_id].name)
        return " \u203a ".join(names)

    def _on_category_changed(self, key: str) -> None:
        code_set = key or None
        section = self.section_tree.current_section()
        if code_set and section is not None and self.store.catalog.sections[section].code_set != code_set:
            self.section_tree.select_section(None, notify=False)
        self.section_tree.set_code_set(code_set)
        self.settings.setValue("filter/category", key)
        self.request_search()

    def _on_section_chosen(self, _section_id: int | None) -> None:
        self.request_search()

    def browse_section(self, section_id: int) -> None:
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

    def _on_sort_combo(self, index: int) -> None:
        key = SortKey(self.sort_combo.itemData(index))
        self.results_model.set_sort_key(key)
        self.settings.setValue("results/sort", int(key))

    def _sync_sort_combo(self) -> None:
        index = self.sort_combo.findData(self.results_model.sort_key)
        if index != self.sort_combo.currentIndex():
            self.sort_combo.blockSignals(True)
            self.sort_combo.setCurrentIndex(index)
            self.sort_combo.blockSignals(False)

    def _on_empty_state_link(self, link: str) -> None:
        kind, _, value = link.partition(":")
        if kind == "category":
            self.category_filter.set_current(value or ALL)
        elif kind == "section":
            self.section_tree.select_section(None)
        elif kind == "code":
            self.open_code(value)
        elif kind == "import":
            self.choose_import_files()

    # --- keyboard -----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._search_box_key(event)
        if watched is self.search_box and event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            # Without selected text, Ctrl+C in the box copies the open code (the window's action).
            if event.matches(QKeySequence.StandardKey.Copy) and not self.search_box.hasSelectedText():
                event.ignore()
                return True
        return super().eventFilter(watched, event)

    def _search_box_key(self, event: QKeyEvent) -> bool:
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

    def move_selection(self, step: int) -> None:
        rows = self.results_model.rowCount()
        if rows == 0:
            return
        current = self.results_view.currentIndex().row()
        start = -1 if step > 0 else rows  # from nothing selected, Down goes to the first row, Up to the last
        self._select_row(max(0, min(rows - 1, (start if current < 0 else current) + step)))

    def _select_row(self, row: int, open_detail: bool = True) -> None:
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

    def open_current(self) -> None:
        """Enter: open the selected result, else the first; for an unknown code, what the grammar knows."""
        row = self.results_view.currentIndex().row()
        if row < 0 and self.results_model.rowCount():
            self._select_row(0)
            return
        hit = self.results_model.hit(row)
        if hit is not None:
            self.open_code(hit.text)
            return
        text = normalize(self.search_box.text())
        if is_code(text):
            self.open_code(text)

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting_programmatically or not current.isValid():
            return
        hit = self.results_model.hit(current.row())
        if hit is not None:
            self.open_code(hit.text)

    def _on_result_activated(self, index: QModelIndex) -> None:
        hit = self.results_model.hit(index.row())
        if hit is not None:
            self.open_code(hit.text)
            self.detail_pane.browser.setFocus()

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(SEARCH_TAB)
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    # --- detail and history -------------------------------------------------------------------------

    def open_code(self, code: str, *, record: bool = True) -> None:
        code = normalize(code)
        if not code:
            return
        if self.tabs.currentIndex() != SEARCH_TAB:
            self.tabs.setCurrentIndex(SEARCH_TAB)
        if record and (self._history_index < 0 or self._history[self._history_index] != code):
            del self._history[self._history_index + 1 :]
            self._history.append(code)
            self._history_index = len(self._history) - 1
            if self.userdata is not None:
                try:
                    self.userdata.record_view(code)
                except CodeDeskError as exc:  # history is a convenience: the code still opens
                    self.statusBar().showMessage(f"Could not record {code} in your history: {exc}", 8000)
        self._sync_history_actions()
        self._requested_code = code
        self.service.detail(code)

    def _show_measure_hits(self, result: SearchResult) -> None:
        """Quality measures the query names ("measure 236", "controlling high blood pressure"), as links."""
        if not result.measures:
            self.measure_note.hide()
            return
        links = " \u00b7 ".join(
            f"<a href='measure:{escape(m.measure_id)}'>Measure {escape(m.measure_id)}</a> {escape(m.title)}"
            + (f" ({escape(', '.join(m.years))})" if m.years else "")
            for m in result.measures
        )
        self.measure_note.setText(f"Quality measures: {links}")
        self.measure_note.show()

    def _on_measure_note_link(self, link: str) -> None:
        kind, _, value = link.partition(":")
        if kind == "measure" and value:
            self.open_measure(value)

    def open_measure(self, measure_id: str) -> None:
        """Show a quality measure in the detail pane (from a link in a code's detail or the measure list)."""
        if self.tabs.currentIndex() != SEARCH_TAB:
            self.tabs.setCurrentIndex(SEARCH_TAB)
        self.service.post(MeasureRequest(measure_id))

    def _choose_locality(self, localities: list[Locality]) -> None:
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

    def _on_detail_ready(self, detail: CodeDetail) -> None:
        previous = self.detail_pane.detail
        self.detail_pane.show_detail(detail)
        # The open code in the title: in the task bar and window switcher, and for tools that read titles.
        self.setWindowTitle(f"CodeDesk \u2014 {detail.code} \u2014 {self.store.path.name}")
        if previous is None or previous.code != detail.code:
            # A new code is read from its top, not from where the previous one was scrolled to.
            QTimer.singleShot(0, lambda: self.detail_pane.browser.verticalScrollBar().setValue(0))
        if self.side_panel.current_page() is not None:
            self.side_panel.reload()  # the code just viewed joins Recent
        row = self.results_model.row_of(detail.code)
        if row >= 0 and self.results_view.currentIndex().row() != row:
            self._select_row(row, open_detail=False)

    def history(self) -> tuple[list[str], int]:
        return list(self._history), self._history_index

    def go_back(self) -> None:
        if self._history_index > 0:
            self._history_index -= 1
            self._show_history_code(self._history[self._history_index])

    def go_forward(self) -> None:
        if self._history_index < len(self._history) - 1:
            self._history_index += 1
            self._show_history_code(self._history[self._history_index])

    def _show_history_code(self, code: str) -> None:
        """Back/forward: when the code is not in the list, the box and the list follow it, so the search box,
        the selected row and the detail never show three different codes."""
        if self.results_model.row_of(code) < 0:
            self.search_box.setText(code)  # searches it; the detail's answer selects its row
        self.open_code(code, record=False)

    def _sync_history_actions(self) -> None:
        self.back_action.setEnabled(self._history_index > 0)
        self.forward_action.setEnabled(0 <= self._history_index < len(self._history) - 1)

    def copy_code(self) -> None:
        """Ctrl+C: several selected rows go out as TSV (for a spreadsheet); otherwise the open code."""
        if len(self.selected_codes()) > 1:
            self.copy_rows()
            return
        self.detail_pane.copy_code()

    def copy_rows(self) -> None:
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

    def copy_code_and_title(self) -> None:
        self.detail_pane.copy_code_and_title()

    # --- working set -------------------------------------------------------------------------------

    def _read_working_set(self) -> None:
        if self.userdata is not None:
            self.service.post(WorkingSetRequest(self.userdata.path))

    def _show_side_page(self, name: str | None) -> None:
        self.tabs.setCurrentIndex(SEARCH_TAB)
        if name is None:
            self.side_panel.setCurrentWidget(self.section_tree)
            self.section_tree.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        self.side_panel.show_page(getattr(self.side_panel, name))

    def _open_code_name(self) -> str | None:
        detail = self.detail_pane.detail
        return detail.code if detail is not None and detail.known else None

    def toggle_favourite(self) -> None:
        """Ctrl+D: the open code in or out of the favourites (all lists when taken out)."""
        if self._open_code_name() is not None and self.detail_pane.favourite_button.isEnabled():
            self.detail_pane.favourite_button.toggle()

    def add_to_list(self) -> None:
        code = self._open_code_name()
        if code is None:
            self.statusBar().showMessage("Open a code first, then add it to a list.", 5000)
            return
        new_list = "New list\u2026"

        def ask(lists: list[str]) -> str | None:
            name, ok = QInputDialog.getItem(self, "Add to favourite list", f"Add {code} to:",
                                            [*lists, new_list], 0, True)
            if not ok:
                return None
            if name == new_list:
                name, ok = QInputDialog.getText(self, "New favourite list", "Name of the list:")
            return name if ok else None

        name = self.side_panel.add_to_list(code, ask)
        if name:
            self.statusBar().showMessage(f"{code} added to {name}.", 5000)

    def side_panel_new_list(self) -> None:
        self._show_side_page("favourites")
        self.side_panel.new_list()

    def _sync_favourite_star(self, snapshot: WorkingSetSnapshot) -> None:
        """The star follows changes made in the working set (a removal, a list deleted, an import)."""
        code = self._open_code_name()
        if code is None or self.userdata is None:
            return
        button = self.detail_pane.favourite_button
        button.blockSignals(True)
        button.setChecked(any(entry.code == code for entry in snapshot.favourites))
        button.blockSignals(False)
        button.setText("\u2605 Favourite" if button.isChecked() else "\u2606 Favourite")

    def export_working_set(self) -> None:
        if self.userdata is None:
            return
        start = str(Path(str(self.settings.value("export/last_dir", str(Path.home())))) / "codedesk-working-set.csv")
        path, _ = QFileDialog.getSaveFileName(self, "Export working set", start, "CSV files (*.csv)")
        if not path:
            return
        self.settings.setValue("export/last_dir", str(Path(path).parent))
        try:
            count = write_working_set(self.userdata, Path(path))
        except OSError as exc:
            QMessageBox.warning(self, "Export working set", f"Could not write {escape(path)}: {exc.strerror}")
            return
        self.statusBar().showMessage(f"Working set exported: {count:,} entries to {path}", 8000)

    def import_working_set(self) -> None:
        if self.userdata is None:
            return
        start = str(self.settings.value("export/last_dir", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self, "Import working set", start, "CSV files (*.csv)")
        if not path:
            return
        try:
            summary = import_working_set(self.userdata, Path(path))
        except CodeDeskError as exc:
            QMessageBox.warning(self, "Import working set", f"Nothing was imported.\n\n{exc}")
            return
        self.side_panel.reload()
        self.statusBar().showMessage(f"Working set imported: {summary.text()}.", 10000)

    # --- compare codes, print -------------------------------------------------------------------------

    def show_code_compare(self) -> None:
        self.tabs.setCurrentIndex(COMPARE_CODES_TAB)
        self.code_compare_view.code_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.code_compare_view.code_box.selectAll()

    def compare_codes(self, codes: list[str]) -> None:
        """Show 2-4 codes side by side on the Compare codes tab (fewer or more: say so, keep the box)."""
        codes = list(dict.fromkeys(normalize(c) for c in codes if c.strip()))
        self.code_compare_view.set_codes(codes)
        self.tabs.setCurrentIndex(COMPARE_CODES_TAB)
        if not MIN_CODES <= len(codes) <= MAX_CODES:
            self.code_compare_view.show_error(
                f"Choose {MIN_CODES} to {MAX_CODES} codes to compare ({len(codes)} chosen): type them here.")
            self.code_compare_view.code_box.setFocus()
            return
        self.service.code_comparison(codes)

    def selected_codes(self) -> list[str]:
        """Codes selected where the focus is: a working-set page, else the results list."""
        page, focus = self.side_panel.current_page(), QApplication.focusWidget()
        if page is not None and focus is not None and page.isAncestorOf(focus):
            return page.selected_codes()
        rows = sorted({index.row() for index in self.results_view.selectionModel().selectedRows()})
        return [hit.code for row in rows if (hit := self.results_model.hit(row)) is not None]

    def compare_selected(self) -> None:
        codes = self.selected_codes()
        if len(codes) < MIN_CODES and self._open_code_name() is not None:
            codes = [c for c in [self._open_code_name(), *codes] if c]
        self.compare_codes(codes)

    def _printable(self) -> tuple[str, str] | None:
        """(HTML, title) of what Ctrl+P prints here: the comparison on its tab, else the open code."""
        if self.tabs.currentIndex() == COMPARE_CODES_TAB:
            comparison = self.code_compare_view.comparison
            if comparison is None:
                return None
            return comparison_print_html(comparison), "Comparison " + " ".join(comparison.codes)
        detail = self.detail_pane.detail
        if detail is None:
            return None
        return detail_print_html(detail, self.detail_pane.note.toPlainText()), f"CodeDesk {detail.code}"

    def print_current(self) -> None:
        printable = self._printable()
        if printable is None:
            self.statusBar().showMessage("Nothing to print: open a code or compare codes first.", 5000)
            return
        print_html(printable[0], self, printable[1])

    def save_current_pdf(self) -> None:
        printable = self._printable()
        if printable is None:
            self.statusBar().showMessage("Nothing to save: open a code or compare codes first.", 5000)
            return
        html, title = printable
        start = Path(str(self.settings.value("export/last_dir", str(Path.home())))) / f"{title}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Save as PDF", str(start), "PDF files (*.pdf)")
        if not path:
            return
        self.settings.setValue("export/last_dir", str(Path(path).parent))
        try:
            save_pdf(html, Path(path), title)
        except OSError as exc:
            QMessageBox.warning(self, "Save as PDF", f"Could not write {path}: {exc}")
            return
        self.statusBar().showMessage(f"Saved {path}", 8000)

    def export_results(self) -> None:
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

    def export_working_table(self) -> None:
        if self.userdata is None:
            return
        path = choose_export_path(self, self.settings, "Export working set", "codedesk-working-set")
        if path is None:
            return
        self.statusBar().showMessage(f"Exporting to {path}\u2026")
        self.service.post(ExportRequest("working_set", path, userdata_path=self.userdata.path))

    def _on_export_ready(self, done: ExportDone) -> None:
        self.statusBar().showMessage(f"Exported {done.rows:,} rows to {done.path}", 10000)

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.actions(), self).exec()

    # --- overview, comparison -----------------------------------------------------------------------

    def _on_overview_ready(self, overview: Overview) -> None:
        self.overview = overview
        self.section_tree.set_counts(overview.section_counts)
        names = [s.name for s in overview.sources]
        self.sources_label.setText(f"Sources: {len(names)}")
        self.sources_label.setToolTip("\n".join(names))
        per_set = " \u00b7 ".join(f"{cs} {c['codes']:,}" for cs, c in overview.code_counts.items())
        self.counts_label.setText(f"{overview.total_codes:,} codes ({per_set})")
        request = self.current_request()
        if not request.query.strip() and request.section_id is None:
            self.category_filter.set_counts({cs: c["codes"] for cs, c in overview.code_counts.items()})

    def _on_tab_changed(self, index: int) -> None:
        self.settings.setValue("window/tab", index)
        if index == COMPARE_TAB:
            self._request_comparison()

    def _request_comparison(self, *_args: object) -> None:
        code_sets = self.comparison_view.chosen()
        self.settings.setValue("compare/code_sets", ",".join(code_sets))
        self.service.post(ComparisonRequest(tuple(code_sets)))

    def _on_comparison_ready(self, answer: ComparisonAnswer) -> None:
        self.comparison_view.set_rows(answer.rows, list(answer.code_sets))

    def _on_service_failed(self, kind: str, message: str) -> None:
        if kind == "code_comparison":
            self.code_compare_view.show_error(f"Could not compare: {message}")
        if kind == "export":
            QMessageBox.warning(self, "Export", f"Nothing was exported: {message}")
        damaged = is_damage(message)
        if damaged:
            # The file is in use now: flag it, so the next start sets it aside and rebuilds it.
            mark_damaged(self.store.path, message)
            message += "; CodeDesk will set the database aside and rebuild it the next time it starts"
        self.statusBar().showMessage(f"Could not {kind}: {message}", 0 if damaged else 10000)
        if kind == "detail" and self._requested_code:
            # The pane must move on: showing the previous code as if it were the one asked for misleads.
            self.detail_pane.show_problem(self._requested_code, message)

    # --- import -------------------------------------------------------------------------------------

    def choose_import_files(self) -> None:
        if not self.import_action.isEnabled():
            return
        start = str(self.settings.value("import/last_dir", str(Path.home())))
        files, _ = QFileDialog.getOpenFileNames(self, "Import code files", start, file_dialog_filter())
        if files:
            self.settings.setValue("import/last_dir", str(Path(files[0]).parent))
            self.import_paths([Path(f) for f in files])

    def choose_import_folder(self) -> None:
        if not self.import_folder_action.isEnabled():
            return
        start = str(self.settings.value("import/last_dir", str(Path.home())))
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of code files", start)
        if folder:
            self.settings.setValue("import/last_dir", folder)
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> bool:
        return self.jobs.import_paths(paths)

    def show_data_sources(self) -> None:
        DataSourcesDialog(self.store.sources, self.jobs, self).exec()

    def _on_changed_elsewhere(self) -> None:
        self.on_data_changed()
        self.statusBar().showMessage("The database was changed by another program: counts, sources and the "
                                     "open code are up to date.", 8000)

    def on_data_changed(self) -> None:
        """After an import or a removal (here or by another process): refresh the UI's store, the worker, and
        everything shown, keeping the user's place (section, page, open code, selection)."""
        section = self.section_tree.current_section()
        self.store.refresh()
        self.section_tree.set_catalog(self.store.catalog)
        self.section_tree.set_code_set(self.category_filter.current_code_set())
        if section is not None:
            self.section_tree.select_section(section, notify=False)
        self.service.refresh()
        self.service.overview()
        self.service.post(self.current_request())  # the same page, not back to the first
        self.side_panel.reload()  # titles may have changed
        if self.detail_pane.detail is not None:
            self.service.detail(self.detail_pane.detail.code)
        if self.tabs.currentIndex() == COMPARE_TAB:
            self._request_comparison()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and all(url.isLocalFile() for url in urls) and self.import_action.isEnabled():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(QUrl(url).toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            # Let the drop finish before the modal progress dialog opens.
            QTimer.singleShot(0, lambda: self.import_paths(paths))

    # --- about, theme -------------------------------------------------------------------------------

    def show_about(self) -> None:
        AboutDialog(self.overview.sources if self.overview else self.store.sources(), self).exec()

    def set_theme(self, choice: ThemeChoice) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, choice)
        self.theme_actions[choice].setChecked(True)
        self.settings.setValue("view/theme", choice.value)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            # Views paint from the palette; the detail pane re-renders itself on its own PaletteChange.
            if self.last_result is not None and not self.last_result.hits:
                self._on_search_ready(self.last_result, 0.0)
            self.results_view.viewport().update()
            self.comparison_view.table.viewport().update()
        super().changeEvent(event)

    # --- settings -----------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            screen = self.screen().availableGeometry() if self.screen() else None
            width = min(1400, int(screen.width() * 0.92)) if screen else 1360
            height = min(900, int(screen.height() * 0.9)) if screen else 860
            self.resize(width, height)
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        for splitter, key in (
            (self.main_splitter, "splitter/main"),
            (self.detail_pane.splitter, "splitter/detail"),
        ):
            value = s.value(key)
            if isinstance(value, QByteArray):
                splitter.restoreState(value)
        compare = str(s.value("compare/code_sets", "") or "")
        if compare:
            self.comparison_view.set_chosen(compare.split(","))
        sort = s.value("results/sort")
        if sort is not None and str(sort).isdigit() and int(str(sort)) in (k.value for k in SortKey):
            self.sort_combo.setCurrentIndex(self.sort_combo.findData(SortKey(int(str(sort)))))
        self.service.locality = str(s.value("payment/locality", "") or "") or None
        # The category filter is not restored: a filter left on yesterday would silently hide today's
        # answers. Every start shows all categories.
        tab = s.value("window/tab", SEARCH_TAB)
        self.tabs.setCurrentIndex(
            int(str(tab)) if str(tab).isdigit() and int(str(tab)) < self.tabs.count() else SEARCH_TAB
        )
        theme = str(s.value("view/theme", ThemeChoice.SYSTEM.value))
        self.theme_actions[
            ThemeChoice(theme) if theme in {t.value for t in ThemeChoice} else ThemeChoice.SYSTEM
        ].setChecked(True)

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("splitter/main", self.main_splitter.saveState())
        s.setValue("splitter/detail", self.detail_pane.splitter.saveState())
        s.setValue("filter/category", self.category_filter.current())
        s.setValue("window/tab", self.tabs.currentIndex())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.detail_pane.save_note()
        if self.detail_pane.unsaved_notes and self.userdata is not None:
            # Still refused at the end: written beside the user data, saved into it at the next start.
            with contextlib.suppress(OSError):
                keep_unsaved_notes(self.userdata.path, self.detail_pane.unsaved_notes)
        self.save_settings()
        self.jobs.shutdown()
        self.service.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the worker threads (tests call this when they do not close the window)."""
        self.jobs.shutdown()
        self.service.shutdown()
