"""The small wrongs of issue 12 (item 7), one regression test each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from pytestqt.qtbot import QtBot

from desktop_app.app import missing_platform_libraries
from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore, ComparisonRow
from desktop_app.ui.comparison import has_odd_one_out, stands_apart
from desktop_app.ui.detail_html import NOT_IN_DATABASE_HINT
from desktop_app.ui.empty_state import no_results_html
from desktop_app.ui.importing import loaded_text, summary_html
from desktop_app.ui.main_window import MainWindow
from tests.test_cli import cli
from tests.ui.conftest import WAIT_MS, codes, search, settle, wait_detail

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_alt_left_to_a_code_not_in_the_list_moves_the_box_and_selection(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "3074F")
    window.open_code("3074F")
    wait_detail(qtbot, window, "3074F")
    search(qtbot, window, "J1100")
    window.open_code("J1100")
    wait_detail(qtbot, window, "J1100")
    window.back_action.trigger()
    wait_detail(qtbot, window, "3074F")
    settle(qtbot, window)
    assert window.search_box.text() == "3074F" and codes(window) == ["3074F"]
    qtbot.waitUntil(lambda: window.results_view.currentIndex().row() == 0, timeout=WAIT_MS)


def test_a_new_code_opens_at_the_top_of_the_detail(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(900, 420)
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    bar = window.detail_pane.browser.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT_MS)
    bar.setValue(bar.maximum())
    window.open_code("99214")
    wait_detail(qtbot, window, "99214")
    qtbot.waitUntil(lambda: bar.value() == 0, timeout=WAIT_MS)


def test_unknown_code_with_sources_loaded_does_not_say_import_your_files(db_path: Path) -> None:
    from desktop_app.core.query import parse_query
    from desktop_app.core.search import SearchResult, UnknownCode

    result = SearchResult("0999F", parse_query("0999F"), unknown=[UnknownCode("0999F", "II", ())])
    assert "import your code files" in no_results_html(result, None, None, 0)
    with_sources = no_results_html(result, None, None, 4)
    assert "import your code files" not in with_sources and "None of your 4 imported sources" in with_sources
    store = CodeStore.open(db_path)
    import_paths(store.conn, [FIXTURES / "cms" / "PPRRVU2030_Jan.csv"])
    store.close()
    _, out, _ = cli(db_path, "show", "0999F")
    assert "Import your code files" not in out and "None of your 1 imported source" in out


def test_release_is_said_once() -> None:
    summary = SimpleNamespace(file_name="PPRRVU2025_Oct.csv", format="CMS RVU", source_name="CMS PFS RVU 2025 "
                              "October (RVU25D)", release="RVU25D", added=1, updated=0, unchanged=0, modifiers=0,
                              measures=0, seconds=0.1, warnings=[], skipped=[])
    html = summary_html([summary])
    assert html.count("RVU25D") == 1


def test_data_sources_show_loaded_time_to_the_minute() -> None:
    shown = loaded_text("2026-03-02T10:01:07.123456+00:00")
    assert len(shown) == 16 and "." not in shown and "T" not in shown


def test_all_count_agrees_with_the_result_count(qtbot: QtBot, ui_db: Path,
                                                make_window: Callable[[], MainWindow]) -> None:
    store = CodeStore.open(ui_db)
    import_paths(store.conn, [FIXTURES / "cms" / "HCPC2030_ANWEB_fixture.txt"])  # brings modifiers
    store.close()
    window = make_window()
    search(qtbot, window, "modifier")  # matches modifiers, which the per-category counts leave out
    # Bundled modifiers (148) and the fixture's imported ones all match: more than a page's worth of kinds.
    assert window.last_result is not None and window.last_result.total > 100
    total = window.last_result.total
    # Until the search's counts arrive (their own answer) the buttons keep the overview's figures: wait for them.
    qtbot.waitUntil(lambda: window.category_filter.count("") == total, timeout=WAIT_MS)


def test_category_comparison_marks_only_the_odd_one_out() -> None:
    all_differ = ComparisonRow("x", "Format", {"I": "5 digits", "II": "4+F", "III": "4+T", "HCPCS": "letter+4"}, {})
    odd_one = ComparisonRow("y", "Paid", {"I": "yes", "II": "no", "III": "yes", "HCPCS": "yes"}, {})
    assert not has_odd_one_out(all_differ) and not any(stands_apart(all_differ, cs) for cs in all_differ.values)
    assert has_odd_one_out(odd_one) and [cs for cs in odd_one.values if stands_apart(odd_one, cs)] == ["II"]


def test_validate_prints_descriptor_deletion_and_reason(db_path: Path) -> None:
    store = CodeStore.open(db_path)
    store.conn.execute("UPDATE codes SET status = 'deleted', deleted_date = '2024-12-31' WHERE code = '99214'")
    store.close()
    _, out, _ = cli(db_path, "validate", "-", stdin="99213\n99214\n0999F\nbanana\n")
    lines = out.splitlines()
    assert "Office" in lines[0] or "visit" in lines[0]  # the descriptor
    assert "deleted as of 2024-12-31 (valid through 2024-12-30)" in lines[1]
    assert "not in your database" in lines[2] and "not shaped like" in lines[3]
    assert not lines[3].endswith("\u2026")  # our own reason is never cut (round 2: it ended "… or G043…")
    _, out, _ = cli(db_path, "validate", "-", "--json", stdin="99214\n")
    assert '"deleted_date": "2024-12-31"' in out


def test_missing_x11_library_gives_a_one_line_hint() -> None:
    hint = missing_platform_libraries([], {"QT_QPA_PLATFORM": "xcb"}, loads=lambda lib: "icccm" not in lib)
    assert hint is not None and "\n" not in hint
    assert "libxcb-icccm4" in hint and "xcb-util-wm" in hint
    assert missing_platform_libraries([], {"QT_QPA_PLATFORM": "offscreen"}, loads=lambda lib: False) is None
    assert missing_platform_libraries(["-platform", "offscreen"], {}, loads=lambda lib: False) is None


def test_indicators_are_named_for_what_they_are() -> None:
    from desktop_app.core.fee_schedule import fact_rows

    labels = [label for label, _ in fact_rows({"pricing_indicators": "51", "cim_references": "60-14",
                                               "mcm_references": "2049"})]
    assert "Coverage Issues Manual section (CIM)" in labels and "Medicare Carriers Manual section (MCM)" in labels
    assert "Pricing indicator (CMS HCPCS code)" in labels and "Cim references" not in labels


def test_category_comparison_legend_says_what_the_tint_shows(qtbot: QtBot, window: MainWindow) -> None:
    """Round 2 (hostile check): the legend said "one stands apart; the tinted cell is that one" while rows such
    as "Maintained by" tint two cells (Category II and HCPCS each share their value with no other)."""
    from desktop_app.core.store import ComparisonRow
    from desktop_app.ui.comparison import stands_apart

    row = ComparisonRow("m", "Maintained by", {"I": "AMA", "II": "AMA+PMAG", "III": "AMA", "HCPCS": "CMS"}, {})
    assert [c for c in ("I", "II", "III", "HCPCS") if stands_apart(row, c)] == ["II", "HCPCS"]
    legend = window.comparison_view.legend.text()
    assert "the tinted cell is that one" not in legend and "tinted cells are those" in legend


def test_the_detail_of_an_unknown_code_does_not_say_import_when_files_are_imported(
        qtbot: QtBot, ui_db: Path, make_window: Callable[[], MainWindow]) -> None:
    """The empty list had stopped saying "Import your code files" with sources loaded, but the detail pane still
    said it; it also follows an import made while the code is shown."""
    window = make_window()
    window.open_code("0999F")
    wait_detail(qtbot, window, "0999F")
    assert NOT_IN_DATABASE_HINT in window.detail_pane.text()
    store = CodeStore.open(ui_db)
    import_paths(store.conn, [FIXTURES / "cms" / "PPRRVU2030_Jan.csv"])
    store.close()
    qtbot.waitUntil(lambda: "none of your 1 imported source lists it" in window.detail_pane.text(), timeout=WAIT_MS)
    assert "Import your code files" not in window.detail_pane.text()
