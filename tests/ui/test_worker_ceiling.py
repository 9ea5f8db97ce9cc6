"""A search cut by the engine's ceiling reaches the window as an answer, once (issue 9)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.search import SearchResult
from desktop_app.core.store import CodeStore
from desktop_app.ui.empty_state import no_results_html
from desktop_app.ui.worker import SearchRequest, StoreWorker, Timed
from tests.conftest import INVENTED_COMMON_WORD, add_invented_codes


def test_a_search_stopped_by_the_ceiling_is_answered_not_retried(ui_db: Path) -> None:
    add_invented_codes(ui_db)
    opened: list[CodeStore] = []

    def open_with_no_time(path: Path) -> CodeStore:
        store = CodeStore.open(path, build=False)
        store.engine.time_limit = 0.0  # every search that does any real work hits the ceiling
        opened.append(store)
        return store

    worker = StoreWorker(ui_db, opener=open_with_no_time)  # lives in this thread: post() runs it at once
    answers: list[tuple[str, int, Timed]] = []
    failures: list[tuple[str, int, str]] = []
    worker.finished.connect(lambda kind, seq, timed: answers.append((kind, seq, timed)))
    worker.failed.connect(lambda kind, seq, message: failures.append((kind, seq, message)))
    try:
        worker.post("search", 1, SearchRequest(INVENTED_COMMON_WORD, code_set="I"))
        assert not failures
        searches = [timed.value for kind, _seq, timed in answers if kind == "search"]
        assert len(searches) == 1  # not put back in the queue as if a newer search had interrupted it
        result = searches[0]
        assert isinstance(result, SearchResult) and result.stopped
        assert result.message is not None and result.message.startswith("Search stopped after")
        counts = [timed.value for kind, _seq, timed in answers if kind == "counts"]
        assert counts == [{}] and result.counts_stopped  # unknown, and the window hides the numbers
        # With no hits the window says the search was stopped, not that nothing matches.
        assert "Search stopped after" in no_results_html(result, "I", None)
        assert "No code" not in no_results_html(result, "I", None)
    finally:
        worker.close()
