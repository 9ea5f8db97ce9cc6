"""A search cut by the engine's ceiling reaches the window as an answer, once (issue 9)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.search import SearchResult
from desktop_app.core.store import CodeStore
from desktop_app.ui.empty_state import no_results_html
from desktop_app.ui.requests import Answer, CountsAnswer, Request, SearchAnswer, SearchRequest
from desktop_app.ui.worker import StoreWorker
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
    answers: list[Answer] = []
    failures: list[tuple[int, Request, str]] = []
    worker.finished.connect(lambda _seq, _request, answer: answers.append(answer))
    worker.failed.connect(lambda seq, request, message: failures.append((seq, request, message)))
    try:
        worker.post(1, SearchRequest(INVENTED_COMMON_WORD, code_set="I"))
        assert not failures
        searches = [answer.result for answer in answers if isinstance(answer, SearchAnswer)]
        assert len(searches) == 1  # not put back in the queue as if a newer search had interrupted it
        result = searches[0]
        assert isinstance(result, SearchResult) and result.stopped
        assert result.message is not None and result.message.startswith("Search stopped after")
        # The counts wait until the window has shown the hits (so they never slow that paint down).
        assert not [answer for answer in answers if isinstance(answer, CountsAnswer)]
        worker.release_held()
        counts = [answer.counts for answer in answers if isinstance(answer, CountsAnswer)]
        assert counts == [{}] and result.counts_stopped  # unknown, and the window hides the numbers
        # With no hits the window says the search was stopped, not that nothing matches.
        assert "Search stopped after" in no_results_html(result, "I", None)
        assert "No code" not in no_results_html(result, "I", None)
    finally:
        worker.close()
