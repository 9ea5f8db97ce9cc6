"""The main window: search box, filters, results, detail pane and comparison tab, wired together."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QEvent,
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
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.search import SearchResult
from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData
from desktop_app.ui import navigation, search_controller, window_data, window_menus, working_set_glue
from desktop_app.ui.changes_view import ChangesView
from desktop_app.ui.claim_check import ClaimCheckPanel, CodeEditsPanel
from desktop_app.ui.code_compare import CodeCompareView
from desktop_app.ui.comparison import ComparisonView
from desktop_app.ui.detail import DetailPane
from desktop_app.ui.filters import CategoryFilter, SectionTree
from desktop_app.ui.importing import (
    JobRunner,
)
from desktop_app.ui.requests import (
    CodeComparisonAnswer,
    ComparisonAnswer,
    CountsAnswer,
    DetailAnswer,
    ExportDone,
    LocalitiesAnswer,
    MeasureAnswer,
    Overview,
    Refreshed,
    SearchAnswer,
    SearchRequest,
    WorkingSetAnswer,
)
from desktop_app.ui.results import ResultsModel, ResultsView, SortKey
from desktop_app.ui.steady_tabs import SteadyTabWidget
from desktop_app.ui.theme import ThemeChoice
from desktop_app.ui.user_requests import NoteSaved, ViewRecorded, WorkingSetImported, WorkingSetWritten
from desktop_app.ui.window_layout import COMPARE_CODES_TAB as COMPARE_CODES_TAB
from desktop_app.ui.window_layout import COMPARE_TAB as COMPARE_TAB
from desktop_app.ui.window_layout import NOTES_RELOAD_MS, STALENESS_POLL_MS, VIEW_DWELL_MS
from desktop_app.ui.window_layout import RESULT_LIMIT as RESULT_LIMIT
from desktop_app.ui.window_layout import SEARCH_TAB as SEARCH_TAB
from desktop_app.ui.worker import StoreService
from desktop_app.ui.working_set import WorkingSetPanel


class MainWindow(QMainWindow):
    """The window: builds the widgets and wires them. Its behaviour lives in four modules, one concern each;
    their functions are this class's methods."""

    # Made by window_menus.py (_build_actions, _build_status_bar).
    about_action: QAction
    add_to_list_action: QAction
    back_action: QAction
    changes_action: QAction
    claim_check_action: QAction
    clear_filter_action: QAction
    compare_codes_tab_action: QAction
    compare_selected_action: QAction
    compare_tab_action: QAction
    copy_action: QAction
    copy_rows_action: QAction
    copy_title_action: QAction
    export_results_action: QAction
    export_working_set_action: QAction
    export_working_table_action: QAction
    favourites_action: QAction
    focus_search_action: QAction
    forward_action: QAction
    import_action: QAction
    import_folder_action: QAction
    import_working_set_action: QAction
    locality_action: QAction
    new_list_action: QAction
    next_page_action: QAction
    notes_action: QAction
    pdf_action: QAction
    previous_page_action: QAction
    print_action: QAction
    quit_action: QAction
    recent_action: QAction
    search_tab_action: QAction
    sections_action: QAction
    shortcuts_action: QAction
    sources_action: QAction
    toggle_favourite_action: QAction
    edit_note_action: QAction
    results_order_action: QAction
    counts_label: QLabel
    db_label: QLabel
    result_count_label: QLabel
    sources_label: QLabel
    theme_group: QActionGroup
    theme_actions: dict[ThemeChoice, QAction]
    category_actions: dict[str, QAction]  # Alt+1 … Alt+4: one category
    _box_fallback_actions: list[QAction]

    # window_menus.py
    _action = window_menus._action
    _build_actions = window_menus._build_actions
    _build_menus = window_menus._build_menus
    show_changes = window_menus.show_changes
    show_claim_check = window_menus.show_claim_check
    _build_status_bar = window_menus._build_status_bar
    show_shortcuts = window_menus.show_shortcuts
    choose_payment_locality = window_menus.choose_payment_locality
    show_about = window_menus.show_about
    set_theme = window_menus.set_theme
    _restore_settings = window_menus._restore_settings
    save_settings = window_menus.save_settings

    # search_controller.py
    current_request = search_controller.current_request
    fetch_more_results = search_controller.fetch_more_results
    request_search = search_controller.request_search
    show_search_tab_for_typing = search_controller.show_search_tab_for_typing
    next_page = search_controller.next_page
    previous_page = search_controller.previous_page
    clear_filters = search_controller.clear_filters
    _on_counts_ready = search_controller._on_counts_ready
    _on_search_answer = search_controller._on_search_answer
    _on_search_ready = search_controller._on_search_ready
    _unfiltered_total = search_controller._unfiltered_total
    _filter_label = search_controller._filter_label
    _on_category_changed = search_controller._on_category_changed
    _on_section_chosen = search_controller._on_section_chosen
    browse_section = search_controller.browse_section
    _on_sort_combo = search_controller._on_sort_combo
    _sync_sort_combo = search_controller._sync_sort_combo
    _on_empty_state_link = search_controller._on_empty_state_link
    _search_box_key = search_controller._search_box_key
    move_selection = search_controller.move_selection
    _select_row = search_controller._select_row
    toggle_category = search_controller.toggle_category
    _preview_typed_code = search_controller._preview_typed_code
    _on_typing_paused = search_controller._on_typing_paused
    cycle_results_order = search_controller.cycle_results_order
    open_current = search_controller.open_current
    _on_current_row_changed = search_controller._on_current_row_changed
    _on_result_activated = search_controller._on_result_activated
    focus_search = search_controller.focus_search
    _show_measure_hits = search_controller._show_measure_hits
    _on_measure_note_link = search_controller._on_measure_note_link
    _on_overview_ready = search_controller._on_overview_ready
    _on_tab_changed = search_controller._on_tab_changed
    _request_comparison = search_controller._request_comparison
    _on_comparison_ready = search_controller._on_comparison_ready

    # navigation.py
    open_code = navigation.open_code
    preview_code = navigation.preview_code
    record_dwell_now = navigation.record_dwell_now
    _push_history = navigation._push_history
    _previewing = navigation._previewing
    _on_view_recorded = navigation._on_view_recorded
    open_measure = navigation.open_measure
    _choose_locality = navigation._choose_locality
    _on_detail_ready = navigation._on_detail_ready
    history = navigation.history
    go_back = navigation.go_back
    go_forward = navigation.go_forward
    _show_history_code = navigation._show_history_code
    _sync_history_actions = navigation._sync_history_actions
    copy_code = navigation.copy_code
    copy_rows = navigation.copy_rows
    copy_code_and_title = navigation.copy_code_and_title
    show_code_compare = navigation.show_code_compare
    compare_codes = navigation.compare_codes
    selected_codes = navigation.selected_codes
    compare_selected = navigation.compare_selected
    _printable = navigation._printable
    print_current = navigation.print_current
    _record_printed_code = navigation._record_printed_code
    save_current_pdf = navigation.save_current_pdf
    export_results = navigation.export_results
    export_working_table = navigation.export_working_table
    _on_export_ready = navigation._on_export_ready

    # working_set_glue.py
    _read_working_set = working_set_glue._read_working_set
    _show_side_page = working_set_glue._show_side_page
    _open_code_name = working_set_glue._open_code_name
    toggle_favourite = working_set_glue.toggle_favourite
    add_to_list = working_set_glue.add_to_list
    edit_note = working_set_glue.edit_note
    side_panel_new_list = working_set_glue.side_panel_new_list
    _sync_favourite_star = working_set_glue._sync_favourite_star
    _sync_open_note = working_set_glue._sync_open_note
    export_working_set = working_set_glue.export_working_set
    import_working_set = working_set_glue.import_working_set
    _on_working_set_written = working_set_glue._on_working_set_written
    _on_working_set_imported = working_set_glue._on_working_set_imported

    # window_data.py
    _on_service_failed = window_data._on_service_failed
    _on_service_answered = window_data._on_service_answered
    choose_import_files = window_data.choose_import_files
    choose_import_folder = window_data.choose_import_folder
    import_paths = window_data.import_paths
    show_data_sources = window_data.show_data_sources
    _on_changed_elsewhere = window_data._on_changed_elsewhere
    on_data_changed = window_data.on_data_changed
    on_catalog_refreshed = window_data.on_catalog_refreshed

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
        # The user data goes to the worker, which alone reads and writes it from now on (and closes it).
        self.userdata_path = userdata.path if userdata is not None else None
        self.service = StoreService(store.path, self, user=userdata)
        self.jobs = JobRunner(store.path, self)
        self.overview: Overview | None = None
        self.last_result: SearchResult | None = None
        self.last_counts: dict[str, int] = {}  # hits per code set of last_result, once they came
        self._history: list[str] = []
        self._history_index = -1
        self._requested_code = ""  # the code last asked of the worker (its failure is shown in the pane)
        self._dwell_code = ""  # a code the selection passed over, recorded if it stays shown (navigation.py)
        self._previewed_query = ""  # the typed text whose one exact code was shown (search_controller.py)
        self.typed_code_timer = QTimer(self)
        self.typed_code_timer.setSingleShot(True)
        self.typed_code_timer.timeout.connect(self._on_typing_paused)
        self.view_dwell_ms = VIEW_DWELL_MS  # tests change it
        self.view_dwell_timer = QTimer(self)
        self.view_dwell_timer.setSingleShot(True)
        self.view_dwell_timer.timeout.connect(self.record_dwell_now)
        self._selecting_programmatically = False
        self._page_starts: list[str] = []  # browsing: the 'after' code of each page before the current one
        self._page_after = ""
        self._more_request: SearchRequest | None = None  # the list asked for more hits of the search shown
        # The question whose list is shown (query, category, section, page): a new one is shown from its top.
        self._shown_list: tuple[str, str | None, int | None, str] | None = None
        # The last "All" count known (query and section it was counted for): kept while a category is chosen, so
        # the number on "All" does not change with the filter (modifiers have no category button of their own).
        self._all_total: tuple[tuple[str, int | None], int] | None = None
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
        self.search_box.textEdited.connect(self.show_search_tab_for_typing)
        self.search_box.installEventFilter(self)
        self.sort_combo = QComboBox(self)
        self.sort_combo.setObjectName("sortCombo")
        self.sort_combo.setToolTip("Order of the results (Ctrl+Shift+R switches it)")
        self.sort_combo.setAccessibleName("Sort results")
        self.sort_combo.addItem("Sort by relevance", SortKey.RELEVANCE)
        self.sort_combo.addItem("Sort by code", SortKey.CODE)
        self.sort_combo.currentIndexChanged.connect(self._on_sort_combo)
        self.category_filter = CategoryFilter(code_sets, self)
        self.category_filter.changed.connect(self._on_category_changed)  # Alt+1 … Alt+4 too (window_menus)

        # --- results area
        self.results_model = ResultsModel(self)
        self.results_view = ResultsView(self.results_model, self)
        self.results_model.more_wanted.connect(self.fetch_more_results)
        self.results_view.painted.connect(self.service.answer_shown)  # then the search's counts run
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
        self.detail_pane = DetailPane(self.back_action, self.forward_action, self.service, self)
        self.detail_pane.code_link_activated.connect(self.open_code)
        self.detail_pane.section_link_activated.connect(self.browse_section)
        self.detail_pane.measure_link_activated.connect(self.open_measure)
        self.detail_pane.locality_requested.connect(self.choose_payment_locality)
        self.code_edits = CodeEditsPanel(self.service, self)  # NCCI edits of the shown code, under its detail
        self.code_edits.code_activated.connect(self.open_code)
        self.detail_pane.splitter.insertWidget(1, self.code_edits)
        self.claim_check: ClaimCheckPanel | None = None
        self.changes_view: ChangesView | None = None

        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.side_panel = WorkingSetPanel(self.section_tree, self.service, self)
        self.side_panel.code_activated.connect(self.open_code)
        self.side_panel.reload_requested.connect(self._read_working_set)
        self.service.on(WorkingSetAnswer, lambda answer: self.side_panel.set_snapshot(answer.snapshot))
        self.service.on(WorkingSetAnswer, lambda answer: self._sync_favourite_star(answer.snapshot))
        self.service.on(WorkingSetAnswer, lambda answer: self._sync_open_note(answer.snapshot))
        # The star acts on the favourite list chosen in the Favourites tab, and says so.
        self.side_panel.list_chosen.connect(self.detail_pane.favourite_button.set_context)
        self.detail_pane.favourite_button.toggled.connect(
            lambda _on: QTimer.singleShot(0, self.side_panel.reload)
        )
        self.detail_pane.favourite_button.done.connect(lambda text: self.statusBar().showMessage(text, 6000))
        # A note written (typed, changed, cleared) is read again for the Notes tab, as a star is, once the writes
        # pause: it kept the old or deleted text until another code was opened.
        self.notes_reload_timer = QTimer(self)
        self.notes_reload_timer.setSingleShot(True)
        self.notes_reload_timer.setInterval(NOTES_RELOAD_MS)
        self.notes_reload_timer.timeout.connect(self.side_panel.reload)
        self.service.on(NoteSaved, lambda answer: None if answer.problem else self.notes_reload_timer.start())
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

        self.tabs = SteadyTabWidget(self)
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
        self.service.on(Refreshed, self.on_catalog_refreshed)
        self.service.on(SearchAnswer, self._on_search_answer)
        self.service.on(CountsAnswer, self._on_counts_ready)
        self.service.on(DetailAnswer, self._on_detail_ready)
        self.service.on(MeasureAnswer, lambda answer: self.detail_pane.show_measure(answer.measure))
        self.service.on(LocalitiesAnswer, lambda answer: self._choose_locality(answer.localities))
        self.service.on(Overview, self._on_overview_ready)
        self.service.on(ComparisonAnswer, self._on_comparison_ready)
        self.service.on(CodeComparisonAnswer, lambda answer: self.code_compare_view.set_comparison(answer.comparison))
        self.service.on(ExportDone, self._on_export_ready)
        self.service.on(WorkingSetWritten, self._on_working_set_written)
        self.service.on(WorkingSetImported, self._on_working_set_imported)
        self.service.on(ViewRecorded, self._on_view_recorded)
        # A code passed over and then used (copied, starred, noted, added to a list, printed) is a code read: it is
        # recorded at once.
        self.detail_pane.copy_code_action.triggered.connect(self.record_dwell_now)
        self.detail_pane.copy_title_action.triggered.connect(self.record_dwell_now)
        self.detail_pane.favourite_button.toggled.connect(self.record_dwell_now)
        self.detail_pane.note_editor.edit.textChanged.connect(self.record_dwell_now)
        self.service.failed.connect(self._on_service_failed)
        self.service.answered.connect(self._on_service_answered)
        self._failure_said: tuple[str, str] | None = None  # the kind and text of the last failure said
        # The window's own import or removal moves the database's version too: not said as another program's.
        self.jobs.started.connect(self.service.writing_here)
        self.jobs.data_changed.connect(self.on_data_changed)
        self.jobs.finished.connect(self.service.written_here)
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

    # --- Qt's virtual methods: keys in the search box, dropped files, palette, closing ------------

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

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            # Views paint from the palette; the detail pane re-renders itself on its own PaletteChange.
            if self.last_result is not None and not self.last_result.hits:
                self._on_search_ready(self.last_result, 0.0)
            self.results_view.viewport().update()
            self.comparison_view.table.viewport().update()
            # Its style sheet keeps the filter from being told of the theme change itself: it kept the earlier
            # theme's colours until a restart.
            self.category_filter.restyle()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the worker threads (also called by tests that do not close the window, and by app.py)."""
        if self.service.running:
            # Every note not saved yet goes to the worker, which finishes its writes before it stops; a note
            # the file still refuses is kept beside it by the worker and saved at the next start.
            self.detail_pane.note_editor.save_all_before_close()
        self.jobs.shutdown()
        self.service.shutdown()
