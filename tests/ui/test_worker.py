"""The results model, the search worker's sequencing, the database-error path and the import plumbing."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.app import DatabaseChoice, open_store_interactively, parse_args
from desktop_app.core.errors import ImportCancelled
from desktop_app.core.store import CodeStore
from desktop_app.ui import qtcompat
from desktop_app.ui.about import about_html
from desktop_app.ui.importing import DataSourcesDialog, summary_html
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.requests import (
    Answer,
    CountsAnswer,
    CountsRequest,
    Request,
    SearchAnswer,
    SearchRequest,
    SourcesRequest,
    WorkerContext,
)
from desktop_app.ui.results import ResultsModel, SortKey
from desktop_app.ui.worker import StoreService

from .conftest import WAIT_MS, wait_detail


def test_results_model_passes_qtmodeltester(qtmodeltester: object, ui_db: Path) -> None:
    store = CodeStore.open(ui_db)
    try:
        model = ResultsModel()
        model.set_hits(store.search("office visit", limit=50).hits)
        assert model.rowCount() > 3
        qtmodeltester.check(model)  # type: ignore[attr-defined]
        model.set_sort_key(SortKey.CODE)
        qtmodeltester.check(model)  # type: ignore[attr-defined]
        model.set_hits([])
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    finally:
        store.close()


def test_comparison_model_passes_qtmodeltester(qtmodeltester: object, ui_db: Path) -> None:
    from desktop_app.ui.comparison import ComparisonModel

    store = CodeStore.open(ui_db)
    try:
        model = ComparisonModel()
        model.set_rows(store.comparison(["I", "II"]), ["I", "II"])
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    finally:
        store.close()


def test_stale_results_are_dropped(qtbot: QtBot, ui_db: Path) -> None:
    service = StoreService(ui_db)
    landed: list[str] = []
    service.on(SearchAnswer, lambda answer: landed.append(answer.result.query))
    try:
        service.post(SearchRequest("asthma"))
        last = service.post(SearchRequest("knee"))
        qtbot.waitUntil(lambda: service.settled("search"), timeout=WAIT_MS)
        qtbot.wait(100)  # give a stale answer time to arrive, if one were coming
        assert landed == ["knee"]
        # An answer that arrives after a newer request was made is thrown away, whatever its content.
        dropped = service.dropped
        stale = SearchRequest("asthma")
        service._on_finished(last - 1, stale, SearchAnswer(stale, SimpleNamespace(query="asthma"), 0.0))  # type: ignore[arg-type]
        assert service.dropped == dropped + 1 and landed == ["knee"]
    finally:
        service.shutdown()


def test_counts_of_an_older_search_are_dropped(qtbot: QtBot, ui_db: Path) -> None:
    """The counts are their own answer, numbered as their search: counts of a search typed past never land."""
    service = StoreService(ui_db)
    counted: list[str] = []
    service.on(CountsAnswer, lambda answer: counted.append(answer.request.query))
    try:
        service.post(SearchRequest("asthma"))
        last = service.post(SearchRequest("knee"))
        qtbot.waitUntil(lambda: counted == ["knee"], timeout=WAIT_MS)
        old = SearchRequest("asthma")
        dropped = service.dropped
        service._on_finished(last - 1, CountsRequest(old, SimpleNamespace()),  # type: ignore[arg-type]
                             CountsAnswer(old, SimpleNamespace(), {"I": 1}))  # type: ignore[arg-type]
        assert service.dropped == dropped + 1 and counted == ["knee"]
    finally:
        service.shutdown()


@dataclass(frozen=True)
class SectionCountRequest(Request):
    """A kind of request the worker has never heard of: one class here, one ``on`` below, nothing else."""

    kind: ClassVar[str] = "test_section_count"
    priority: ClassVar[int] = 20

    code_set: str

    def run(self, context: WorkerContext) -> SectionCount:
        sections = context.store.catalog.sections.values()
        return SectionCount(self.code_set, sum(1 for s in sections if s.code_set == self.code_set),
                            threading.current_thread() is threading.main_thread())


@dataclass(frozen=True)
class SectionCount(Answer):
    code_set: str
    sections: int
    ran_on_ui_thread: bool


def test_a_new_kind_is_one_class_and_one_connection(qtbot: QtBot, ui_db: Path) -> None:
    service = StoreService(ui_db)
    answers: list[SectionCount] = []
    failures: list[tuple[str, str]] = []
    service.on(SectionCount, answers.append)
    service.failed.connect(lambda kind, message: failures.append((kind, message)))
    try:
        service.post(SectionCountRequest("II"))
        qtbot.waitUntil(lambda: service.settled("test_section_count"), timeout=WAIT_MS)
        assert not failures and len(answers) == 1
        assert answers[0].code_set == "II" and answers[0].sections > 0 and not answers[0].ran_on_ui_thread
        service.post(SectionCountRequest("no such set"))
        qtbot.waitUntil(lambda: len(answers) == 2, timeout=WAIT_MS)
        assert answers[1].sections == 0
    finally:
        service.shutdown()

def test_a_burst_of_keystrokes_runs_few_queries(qtbot: QtBot, ui_db: Path) -> None:
    service = StoreService(ui_db)
    landed: list[str] = []
    service.on(SearchAnswer, lambda answer: landed.append(answer.result.query))
    try:
        text = "office visit established patient"
        for end in range(1, len(text) + 1):
            service.post(SearchRequest(text[:end]))
        qtbot.waitUntil(lambda: service.settled("search"), timeout=WAIT_MS)
        assert landed == [text]
    finally:
        service.shutdown()


def test_database_errors_offer_a_way_out(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    asked: list[str] = []

    def ask_then(choice: DatabaseChoice) -> Callable[[str], DatabaseChoice]:
        def ask(message: str) -> DatabaseChoice:
            asked.append(message)
            return choice

        return ask

    assert open_store_interactively(broken, ask=ask_then(DatabaseChoice.QUIT)) is None
    assert asked and str(broken) in asked[0]

    other = tmp_path / "other.sqlite3"
    opened = open_store_interactively(broken, ask=ask_then(DatabaseChoice.OTHER_FILE), choose=lambda _p: other)
    assert opened is not None and opened.store.path == other
    opened.close()

    opened = open_store_interactively(broken, ask=ask_then(DatabaseChoice.REBUILD))
    assert opened is not None and opened.store.detail("99213").known
    opened.close()
    assert any(p.name.startswith("broken.sqlite3.damaged-") for p in tmp_path.iterdir())


def test_command_line() -> None:
    args, qt_args = parse_args(["--db", "/tmp/x.sqlite3", "-platform", "offscreen", "a.csv"])
    assert args.db == Path("/tmp/x.sqlite3") and args.paths == [Path("a.csv")]
    assert qt_args == ["-platform", "offscreen"]


def test_about_names_the_notices(ui_db: Path) -> None:
    store = CodeStore.open(ui_db)
    try:
        html = about_html(store.sources())
    finally:
        store.close()
    for needle in (
        "registered trademark of the American Medical Association",
        "ADA",
        "public domain",
        "CodeDesk plain-language summary",
    ):
        assert needle in html


def test_refcount_workaround_keeps_python_alive() -> None:
    # PySide6 6.12.0 on Python < 3.12 drops a reference to None on every void call; without the work-around
    # this loop ends the interpreter. With it (or with a fixed PySide) nothing happens.
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(200_000 if before < 1 << 30 and qtcompat.has_refcount_bug() else 1000):
        probe.setObjectName("x")
    assert sys.getrefcount(None) > 0


# --- import plumbing, with a stand-in for the importers (the real ones are tested in tests/core) -----------


def _fake_importers(added_facts: bool = True, hold: bool = False) -> SimpleNamespace:
    """An importers module that adds an official-looking descriptor, RVU facts and a measure link."""

    def import_paths(
        conn: sqlite3.Connection,
        paths: Sequence[Path],
        *,
        progress: Callable[[str, int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        keep: bool = False,
        lock_wait: float = 0.0,
    ) -> list[SimpleNamespace]:
        from desktop_app.core.catalog import Catalog
        from desktop_app.core.database import transaction
        from desktop_app.core.indexing import reindex

        with transaction(conn):
            source = conn.execute(
                "INSERT INTO sources (kind, name, file_name, release, loaded_at) "
                "VALUES ('cms-rvu', 'Test RVU file', ?, '2025T', '2025-01-01')",
                (paths[0].name,),
            ).lastrowid
            conn.execute(
                "INSERT INTO descriptors (code, kind, text, source_id) VALUES "
                "('99213', 'short', 'Invented short text for a test', ?)",
                (source,),
            )
            if added_facts:
                conn.execute(
                    "INSERT INTO code_facts (code, modifier, source_id, facts) VALUES ('99213', '', ?, ?)",
                    (source, json.dumps({"work_rvu": 1.3, "global_days": "XXX", "status": "Active code"})),
                )
                conn.execute(
                    "INSERT INTO measure_codes (measure_id, code, role, modifier, source_id) "
                    "VALUES ('236', '3074F', 'performance met', '', ?)",
                    (source,),
                )
            for step in range(50 if hold else 1):
                if progress:
                    progress("Reading test file", step, 50)
                if cancel and cancel():
                    raise ImportCancelled("cancelled")
                if hold:
                    time.sleep(0.02)
            reindex(conn, Catalog.from_db(conn), ["99213"])
        return [
            SimpleNamespace(
                file_name=paths[0].name,
                format="test",
                source_id=source,
                source_name="Test RVU file",
                release="2025T",
                added=0,
                updated=1,
                unchanged=0,
                modifiers=0,
                measures=1,
                warnings=["line 3: a warning"],
                seconds=0.1,
            )
        ]

    def remove_source(conn: sqlite3.Connection, source_id: int) -> None:
        from desktop_app.core.database import transaction

        with transaction(conn):
            conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))

    return SimpleNamespace(
        import_paths=import_paths, remove_source=remove_source, SUPPORTED_FORMATS=(".csv",)
    )


def test_import_refreshes_results_and_detail(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("desktop_app.ui.importing.importers_module", lambda: _fake_importers())
    window.open_code("99213")
    wait_detail(qtbot, window, "99213")
    assert "Test RVU file" not in window.detail_pane.text()
    with qtbot.waitSignal(window.jobs.finished, timeout=WAIT_MS) as blocker:
        assert window.import_paths([tmp_path / "rvu.csv"])
    assert blocker.args == [True]
    assert window.jobs.last_summaries and "a warning" in summary_html(window.jobs.last_summaries)
    qtbot.waitUntil(lambda: "Work RVU" in window.detail_pane.text(), timeout=WAIT_MS)
    text = window.detail_pane.text()
    assert "From Test RVU file" in text and "Invented short text for a test" in text and "1.30" in text
    window.open_code("3074F")
    qtbot.waitUntil(lambda: "performance met" in window.detail_pane.text(), timeout=WAIT_MS)
    text = window.detail_pane.text()
    # For a Category II code the measures it reports come before payment (it has none).
    assert text.index("Quality measures") < text.index("Status and payment")

    # Data sources: the bundled one cannot be removed, the imported one can.
    dialog = DataSourcesDialog(window.service, window.jobs, window)
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 1, timeout=WAIT_MS)  # the list comes from the worker
    kinds = [dialog.table.item(row, 1).text() for row in range(dialog.table.rowCount())]
    assert kinds[0] == "bundled" and "cms-rvu" in kinds
    dialog.table.selectRow(0)
    assert not dialog.remove_button.isEnabled()
    dialog.table.selectRow(kinds.index("cms-rvu"))
    assert dialog.remove_button.isEnabled()
    source = dialog.selected_source()
    assert source is not None
    with qtbot.waitSignal(window.jobs.finished, timeout=WAIT_MS):
        window.jobs.remove_source(source)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT_MS)
    dialog.done(0)  # closed: the dialog no longer listens to the service
    window.service.post(SourcesRequest())
    window.service.post(SearchRequest("knee"))  # answered after the sources: both have arrived by then
    qtbot.waitUntil(lambda: window.service.settled("search") and window.service.settled("sources"),
                    timeout=WAIT_MS)


def test_import_cancel_rolls_back(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("desktop_app.ui.importing.importers_module", lambda: _fake_importers(hold=True))
    before = [s.name for s in window.store.sources()]
    with qtbot.waitSignal(window.jobs.finished, timeout=WAIT_MS) as blocker:
        window.import_paths([tmp_path / "rvu.csv"])
        qtbot.waitUntil(
            lambda: window.jobs._progress is not None and window.jobs._progress.maximum() == 50,
            timeout=WAIT_MS,
        )
        progress = window.jobs._progress
        assert progress is not None
        progress.findChild(QPushButton).click()  # the dialog's Cancel button
    assert blocker.args == [False] and window.jobs.last_error == "cancelled"
    assert [s.name for s in window.store.sources()] == before


def test_drop_files_starts_an_import(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    monkeypatch.setattr("desktop_app.ui.importing.importers_module", lambda: _fake_importers())
    window.import_action.setEnabled(True)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(tmp_path / "rvu.csv"))])
    enter = QDragEnterEvent(
        window.rect().center(),  # QDragEnterEvent takes a QPoint, QDropEvent a QPointF
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(window.rect().center()),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.jobs.finished, timeout=WAIT_MS) as blocker:
        window.dropEvent(drop)
    assert blocker.args == [True]


def test_counts_wait_until_the_list_is_painted(qtbot: QtBot, window: MainWindow) -> None:
    """A search's counts run after the results list has painted its hits, so the worker's counting never
    competes with that paint for the interpreter (issue 12: keystroke → paint)."""
    events: list[str] = []
    window.service.on(SearchAnswer, lambda answer: events.append(f"hits {answer.request.query}"))
    window.service.on(CountsAnswer, lambda answer: events.append(f"counts {answer.request.query}"))
    window.results_view.painted.connect(lambda: events.append("painted"))
    window.search_box.setText("office visit")
    qtbot.waitUntil(lambda: "counts office visit" in events, timeout=WAIT_MS)
    after = events[events.index("hits office visit"):]
    assert "painted" in after[:after.index("counts office visit")]
    assert window.category_filter.button("I").text().startswith("Category I  ")  # the numbers are shown


def test_held_counts_are_released_without_a_window(qtbot: QtBot, ui_db: Path) -> None:
    """Nothing paints (no window): the counts still come, a moment after their search's answer."""
    service = StoreService(ui_db)
    try:
        counts: list[dict[str, int]] = []
        service.on(CountsAnswer, lambda answer: counts.append(answer.counts))
        service.post(SearchRequest("office visit"))
        qtbot.waitUntil(lambda: bool(counts), timeout=WAIT_MS)
        assert counts[0].get("I", 0) > 0
    finally:
        service.shutdown()


def test_a_long_answer_comes_a_page_first_and_grows_on_scrolling(qtbot: QtBot, ui_db: Path,
                                                                 make_window: Callable[[], MainWindow]) -> None:
    """Typed text first lists FIRST_PAGE hits (painted sooner); scrolling to the last row appends the rest of
    the search's RESULT_LIMIT below them, without a reset: the selected row and the scroll position stay."""
    from desktop_app.ui.window_layout import FIRST_PAGE, RESULT_LIMIT
    from tests.conftest import INVENTED_COMMON_WORD, add_invented_codes

    add_invented_codes(ui_db)
    window = make_window()
    window.search_box.setText(INVENTED_COMMON_WORD)
    qtbot.waitUntil(lambda: window.results_model.rowCount() == FIRST_PAGE, timeout=WAIT_MS)
    first = [hit.code for hit in window.results_model.hits()]
    assert "scroll down for more" in window.result_note.text()
    window._select_row(10)
    wait_detail(qtbot, window, first[10])
    resets: list[int] = []
    window.results_model.modelReset.connect(lambda: resets.append(1))
    view = window.results_view
    view.scrollToBottom()  # the view asks the model to fetch more (canFetchMore/fetchMore)
    at_bottom = view.verticalScrollBar().value()
    assert at_bottom > 10
    qtbot.waitUntil(lambda: window.results_model.rowCount() == RESULT_LIMIT, timeout=WAIT_MS)
    codes_now = [hit.code for hit in window.results_model.hits()]
    # The rows shown stay where they were; below them, the 200-hit search's other hits in its order.
    whole = [hit.code for hit in window.store.search(INVENTED_COMMON_WORD, limit=RESULT_LIMIT).hits]
    assert codes_now == first + [code for code in whole if code not in first][:RESULT_LIMIT - FIRST_PAGE]
    assert resets == [] and view.currentIndex().row() == 10
    assert view.verticalScrollBar().value() >= at_bottom  # not scrolled back up to the open code
    assert not window.results_model.canFetchMore()  # the whole limit is shown: nothing more to ask
    assert "scroll down for more" not in window.result_note.text()
