"""The filter in the window: exact answers shown whatever it is, one key clears it, a category lists its
codes page by page, and the tree's names can be read (issue 12, item 4)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from desktop_app.ui.filters import ALL
from desktop_app.ui.main_window import MainWindow
from tests.ui.conftest import WAIT_MS, codes, search, settle


def test_exact_code_outside_the_filter_is_shown_with_a_note(qtbot: QtBot, window: MainWindow) -> None:
    window.category_filter.set_current("II")
    search(qtbot, window, "J1100")
    assert codes(window) == ["J1100"]
    assert window.result_note.isVisible()
    assert "J1100 is outside the Category II filter" in window.result_note.text()


def test_escape_in_an_empty_box_and_ctrl_0_clear_the_filter(qtbot: QtBot, window: MainWindow) -> None:
    window.category_filter.set_current("III")
    settle(qtbot, window)
    window.search_box.setFocus()
    qtbot.keyClick(window.search_box, Qt.Key.Key_Escape)
    assert window.category_filter.current() == ALL
    window.category_filter.set_current("II")
    window.clear_filter_action.trigger()
    assert window.category_filter.current() == ALL
    assert window.clear_filter_action.shortcut().toString() == "Ctrl+0"


def test_filter_is_not_restored_at_restart(qtbot: QtBot, make_window: Callable[[], MainWindow]) -> None:
    first = make_window()
    first.category_filter.set_current("II")
    first.close()
    second = make_window()
    assert second.category_filter.current() == ALL


def test_choosing_a_category_lists_its_codes_and_pages(qtbot: QtBot, window: MainWindow) -> None:
    window.category_filter.set_current("I")
    settle(qtbot, window)
    first_page = codes(window)
    assert len(first_page) == 200 and first_page == sorted(first_page)
    assert "Alt+PgDown" in window.result_note.text()
    window.next_page_action.trigger()
    qtbot.waitUntil(lambda: codes(window) and codes(window)[0] > first_page[-1], timeout=5000)
    window.previous_page_action.trigger()
    qtbot.waitUntil(lambda: codes(window) == first_page, timeout=5000)


def test_choosing_a_code_set_in_the_tree_lists_its_codes(qtbot: QtBot, window: MainWindow) -> None:
    tree = window.section_tree
    model = tree.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "HCPCS Level II"
               or "HCPCS" in str(model.index(r, 0).data()))
    tree.setCurrentIndex(model.index(row, 0))
    qtbot.waitUntil(lambda: window.category_filter.current() == "HCPCS", timeout=5000)
    settle(qtbot, window)
    assert codes(window) and all(hit.code_set == "HCPCS" for hit in window.results_model.hits())


def test_the_chosen_filter_stands_out_in_both_themes(qtbot: QtBot, window: MainWindow) -> None:
    from desktop_app.ui.theme import ThemeChoice

    for theme in (ThemeChoice.LIGHT, ThemeChoice.DARK):
        window.set_theme(theme)
        qtbot.wait(20)
        window.category_filter.set_current("II")
        chosen = window.category_filter.button("II").grab().toImage()
        other = window.category_filter.button("I").grab().toImage()
        a = QColor(chosen.pixel(chosen.width() // 2, 3))
        b = QColor(other.pixel(other.width() // 2, 3))
        assert abs(a.lightness() - b.lightness()) + abs(a.hue() - b.hue()) > 40, (theme, a.name(), b.name())
        assert a == window.category_filter.palette().color(QPalette.ColorRole.Highlight)
    window.set_theme(ThemeChoice.LIGHT)


def test_the_all_count_stays_when_a_category_is_chosen(qtbot: QtBot, window: MainWindow) -> None:
    """A search that finds codes and modifiers: the buttons count what choosing them lists (modifiers too), so
    "All" is their sum and the status bar's count, before and after a category is chosen."""
    search(qtbot, window, "modifier")
    qtbot.waitUntil(lambda: window.last_counts != {}, timeout=WAIT_MS)
    everything = window.last_result.total if window.last_result is not None else 0
    by_category = sum(window.category_filter.count(key) or 0 for key in ("I", "II", "III", "HCPCS"))
    assert any(hit.kind == "modifier" for hit in window.last_result.hits)  # type: ignore[union-attr]
    assert everything == by_category
    assert window.category_filter.count(ALL) == everything
    chosen = window.category_filter.count("I")
    window.category_filter.set_current("I")
    settle(qtbot, window)
    qtbot.waitUntil(lambda: window.last_counts != {}, timeout=WAIT_MS)
    assert window.last_result is not None and window.last_result.total == chosen < everything  # what "I" said
    assert window.category_filter.count(ALL) == everything


def test_the_trees_counts_and_ranges_are_never_cut_at_the_panels_edge(qtbot: QtBot, window: MainWindow) -> None:
    """At the window's first width the Codes column ran past the panel's edge: "9,7" for 9,726 codes. Counts and
    ranges are shown whole; the names take the rest and elide, with the full name as tooltip."""
    tree = window.section_tree
    model = tree.model()
    qtbot.waitUntil(lambda: bool(model.index(1, 2).data()), timeout=WAIT_MS)
    tree.expandAll()
    header, visible = tree.header(), tree.viewport().width()
    assert header.sectionViewportPosition(2) + header.sectionSize(2) <= visible
    metrics = tree.fontMetrics()
    shown = 0
    index = model.index(0, 0)
    while index.isValid():
        count = str(index.siblingAtColumn(2).data() or "")
        assert metrics.horizontalAdvance(count) <= header.sectionSize(2), count
        for column in (0, 1):  # a name or a list of ranges too long for its column: elided, whole in its tooltip
            cell = index.siblingAtColumn(column)
            text = str(cell.data() or "")
            if metrics.horizontalAdvance(text) > header.sectionSize(column):
                assert text in str(cell.data(Qt.ItemDataRole.ToolTipRole) or ""), text
        shown += 1
        index = tree.indexBelow(index)
    assert shown > 20
    before = header.sectionSize(0)
    window.resize(1500, window.height())
    qtbot.waitUntil(lambda: sum(window.main_splitter.sizes()) > 1200, timeout=WAIT_MS)
    window.main_splitter.setSizes([600, 450, 450])  # a wider panel gives the names the room
    qtbot.waitUntil(lambda: header.sectionSize(0) > before, timeout=WAIT_MS)
    assert not tree.isColumnHidden(1)  # wide enough: the ranges are shown too
    window.main_splitter.setSizes([280, 610, 610])
    qtbot.waitUntil(lambda: tree.isColumnHidden(1), timeout=WAIT_MS)  # narrow: the names keep the room


def test_each_category_has_a_key_shown_in_its_menu_and_help(qtbot: QtBot, window: MainWindow) -> None:
    """The category buttons were reachable only with Tab: Alt+1 … Alt+4 choose one from anywhere (the search
    box keeps its text and focus), the same key again shows all categories."""
    from desktop_app.ui.shortcuts import shortcut_rows

    search(qtbot, window, "knee")
    qtbot.keyClick(window.search_box, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert window.category_filter.current() == "II" and window.search_box.hasFocus()
    settle(qtbot, window)
    qtbot.keyClick(window.search_box, Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)
    assert window.category_filter.current() == "HCPCS"
    qtbot.keyClick(window.search_box, Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)
    assert window.category_filter.current() == ALL
    rows = dict(shortcut_rows(window.actions()))
    assert rows["Alt+1"] == "Only Category I" and rows["Alt+4"] == "Only HCPCS Level II"
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert window.category_actions["III"] in view_menu.actions()
    assert "Alt+3" in window.category_filter.button("III").toolTip()


def test_the_chosen_button_shows_its_whole_label(qtbot: QtBot) -> None:
    """A review: the chosen button cut its label on both sides ("ategory III 5"): its padding took more room than
    the button's width left. Every button, chosen, holds its label, in both themes."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QStyle, QStyleOptionButton

    from desktop_app.ui.filters import CategoryFilter

    categories = CategoryFilter(["I", "II", "III", "HCPCS"])
    qtbot.addWidget(categories)
    categories.resize(1000, 30)
    categories.show()
    qtbot.waitExposed(categories)
    categories.set_counts({"I": 9726, "II": 565, "III": 59, "HCPCS": 9286})
    dark = QPalette(categories.palette())
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#2f65ca"))
    for palette in (categories.palette(), dark):
        categories.setPalette(palette)
        for key in (ALL, "I", "II", "III", "HCPCS"):
            categories.set_current(key)
            button = categories._buttons[key]
            qtbot.waitUntil(lambda b=button: b.isChecked() and b.width() >= b.sizeHint().width())
            option = QStyleOptionButton()
            button.initStyleOption(option)
            room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
            assert QFontMetrics(button.font()).horizontalAdvance(button.text()) <= room.width(), button.text()


def test_the_chosen_filter_takes_the_new_themes_colours_at_once(qtbot: QtBot, window: MainWindow) -> None:
    """After View → Theme the chosen button kept the previous theme's highlight until a restart (its style sheet
    was built from the widget's own palette, which a style-sheeted widget is not told has changed)."""
    from PySide6.QtGui import QGuiApplication

    from desktop_app.ui.theme import ThemeChoice

    window.category_filter.set_current("II")
    try:
        for theme in (ThemeChoice.DARK, ThemeChoice.LIGHT, ThemeChoice.DARK):
            window.set_theme(theme)
            qtbot.wait(20)
            highlight = QGuiApplication.palette().color(QPalette.ColorRole.Highlight)
            chosen = window.category_filter.button("II").grab().toImage()
            assert QColor(chosen.pixel(chosen.width() // 2, 3)) == highlight, theme
            assert f"background-color: {highlight.name()}" in window.category_filter.styleSheet(), theme
    finally:
        window.set_theme(ThemeChoice.LIGHT)
