"""The main window's actions, menus, status bar, theme and saved settings (a part of ``MainWindow``).

Each function is a method of :class:`MainWindow` (assigned in its class body): ``self`` is the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
)

from desktop_app.ui.about import AboutDialog
from desktop_app.ui.changes_view import ChangesView
from desktop_app.ui.claim_check import ClaimCheckPanel
from desktop_app.ui.importing import (
    supported_formats_text,
)
from desktop_app.ui.requests import LocalitiesRequest
from desktop_app.ui.results import SortKey
from desktop_app.ui.shortcuts import ShortcutsDialog
from desktop_app.ui.theme import CODE_SET_LABELS, ThemeChoice, apply_theme
from desktop_app.ui.window_layout import COMPARE_TAB, SEARCH_TAB

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


def _action(
    self: MainWindow, text: str, slot: object, shortcuts: list[QKeySequence] | None = None, name: str = ""
) -> QAction:
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


def _build_actions(self: MainWindow) -> None:
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
        "F&ind", self.focus_search, [keys("Ctrl+L"), keys("Ctrl+F")], "focusSearchAction"
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
    # Each opens a window of its own, with no Close button: the keys that close it are said where it is opened.
    self.claim_check_action.setToolTip("Every NCCI edit between the codes of one claim (Esc or Ctrl+W closes it)")
    self.changes_action.setToolTip("What changed between two imported releases (Esc or Ctrl+W closes it)")
    for action in (self.claim_check_action, self.changes_action):
        action.setStatusTip(action.toolTip())
    # Also reached from the detail pane's "Choose the payment locality" link; here it has its key.
    self.locality_action = self._action(
        "Payment &Locality\u2026", self.choose_payment_locality, [keys("Ctrl+Shift+M")], "localityAction"
    )
    self.locality_action.setToolTip("Which Medicare locality's payment amounts the detail shows (GPCI file)")
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
        "Toggle &Favourite in the Chosen List", self.toggle_favourite, [keys("Ctrl+D")], "toggleFavouriteAction"
    )
    self.toggle_favourite_action.setToolTip(
        "Star or unstar the open code in the list chosen in the Favourites tab (with \u201cAll lists\u201d chosen: "
        "in the Favourites list); other lists are left as they are; the star's label says which list")
    self.edit_note_action = self._action(
        "Edit N&ote on the Open Code", self.edit_note, [keys("F2")], "editNoteAction"
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
    # One key per category (the buttons are otherwise reachable only with Tab): Alt+1 … Alt+4; the same key
    # again goes back to all categories.
    self.category_actions = {}
    for number, code_set in enumerate((c.id for c in self.store.catalog.code_sets), start=1):
        label = CODE_SET_LABELS.get(code_set, code_set)
        self.category_actions[code_set] = self._action(
            f"Only {label}", lambda _checked=False, code_set=code_set: self.toggle_category(code_set),
            [keys(f"Alt+{number}")], f"categoryAction_{code_set}")
        self.category_actions[code_set].setToolTip(f"Show only {label} (Alt+{number}; again: all categories)")
    self.results_order_action = self._action(
        "Sort &Results by Relevance or Code", self.cycle_results_order, [keys("Ctrl+Shift+R")], "resultsOrderAction"
    )
    self.results_order_action.setToolTip("Switch the results between relevance and code order (Ctrl+Shift+R)")
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
        "Compare S&elected Codes", self.compare_selected, [keys("Ctrl+K")], "compareSelectedAction"
    )
    self.compare_selected_action.setToolTip(
        "Compare the 2-4 codes selected in the results or the working set (Ctrl+K)"
    )
    self.print_action = self._action(
        "&Print\u2026", self.print_current, [keys(keys.StandardKey.Print), keys("Ctrl+P")], "printAction"
    )
    self.print_action.setToolTip("Print the open code's detail, or the comparison on the Compare codes tab")
    self.pdf_action = self._action(
        "&Save as PDF\u2026", self.save_current_pdf, [keys("Ctrl+Shift+P")], "pdfAction"
    )
    self.theme_group = QActionGroup(self)
    self.theme_actions = {}
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
        self.locality_action,
        self.export_results_action,
        self.export_working_table_action,
        self.copy_rows_action,
        self.clear_filter_action,
        *self.category_actions.values(),
        self.favourites_action,
        self.recent_action,
        self.notes_action,
        self.sections_action,
        self.toggle_favourite_action,
        self.add_to_list_action,
        self.edit_note_action,
        self.shortcuts_action,
        self.results_order_action,
        self.next_page_action,
        self.previous_page_action,
        self.import_action,
        self.quit_action,
    ]


def _build_menus(self: MainWindow) -> None:
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
    edit_menu.addAction(self.edit_note_action)
    edit_menu.addSeparator()
    edit_menu.addAction(self.focus_search_action)
    go_menu = bar.addMenu("&Go")
    go_menu.addActions([self.back_action, self.forward_action])
    go_menu.addSeparator()
    go_menu.addActions([self.sections_action, self.favourites_action, self.recent_action, self.notes_action])
    view_menu = bar.addMenu("&View")
    view_menu.addActions([self.search_tab_action, self.compare_tab_action, self.compare_codes_tab_action])
    view_menu.addAction(self.compare_selected_action)
    view_menu.addActions([self.claim_check_action, self.changes_action, self.locality_action])
    view_menu.addSeparator()
    view_menu.addAction(self.clear_filter_action)
    view_menu.addActions(list(self.category_actions.values()))
    for code_set, action in self.category_actions.items():
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.category_filter.button(code_set).setToolTip(action.toolTip())
        self.category_filter.button(code_set).setAccessibleDescription(f"Shortcut {keys}")
    view_menu.addSeparator()
    view_menu.addActions([self.results_order_action, self.next_page_action, self.previous_page_action])
    theme_menu = view_menu.addMenu("T&heme")
    theme_menu.addActions(list(self.theme_actions.values()))
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(self.shortcuts_action)
    help_menu.addAction(self.about_action)


def show_changes(self: MainWindow) -> None:
    if self.changes_view is None:
        self.changes_view = ChangesView(self.service, self)
        self.changes_view.code_activated.connect(self.open_code)
    self.changes_view.reload()
    self.changes_view.show()
    self.changes_view.raise_()
    self.changes_view.activateWindow()


def show_claim_check(self: MainWindow) -> None:
    if self.claim_check is None:
        self.claim_check = ClaimCheckPanel(self.service, self)
        self.claim_check.code_activated.connect(self.open_code)
    self.claim_check.show()
    self.claim_check.raise_()
    self.claim_check.activateWindow()
    self.claim_check.claim.setFocus()


def _build_status_bar(self: MainWindow) -> None:
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


def choose_payment_locality(self: MainWindow) -> None:
    """Ask the worker for the imported localities; the chooser opens with its answer (``_choose_locality``)."""
    self.service.post(LocalitiesRequest())


def show_shortcuts(self: MainWindow) -> None:
    ShortcutsDialog(self.actions(), self).exec()


def show_about(self: MainWindow) -> None:
    # The sources come with the overview (read in the worker); before it arrives, none are listed yet.
    AboutDialog(self.overview.sources if self.overview else [], self).exec()


def set_theme(self: MainWindow, choice: ThemeChoice) -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        apply_theme(app, choice)
    self.theme_actions[choice].setChecked(True)
    self.settings.setValue("view/theme", choice.value)


def _restore_settings(self: MainWindow) -> None:
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


def save_settings(self: MainWindow) -> None:
    s = self.settings
    s.setValue("window/geometry", self.saveGeometry())
    s.setValue("window/state", self.saveState())
    s.setValue("splitter/main", self.main_splitter.saveState())
    s.setValue("splitter/detail", self.detail_pane.splitter.saveState())
    s.setValue("filter/category", self.category_filter.current())
    s.setValue("window/tab", self.tabs.currentIndex())
    s.sync()
