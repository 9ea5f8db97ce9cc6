"""ui/requests.py: each request runs its core call in the worker's context and answers with its own type."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData
from desktop_app.ui.requests import (
    CountsRequest,
    DetailAnswer,
    DetailRequest,
    RequestKind,
    SearchAnswer,
    SearchRequest,
)


@dataclass
class _Context:
    store: CodeStore
    user: UserData | None = None


def test_a_search_answers_with_its_result_and_follows_up_with_counts(store: CodeStore) -> None:
    request = SearchRequest("99213")
    answer = request.run(_Context(store))
    assert isinstance(answer, SearchAnswer) and answer.result.hits[0].code == "99213"
    assert isinstance(request.follow_up(answer), CountsRequest)
    assert RequestKind.COUNTS in SearchRequest.supersedes and RequestKind.SEARCH in SearchRequest.interrupts


def test_a_detail_answers_without_user_data_when_there_is_none(store: CodeStore) -> None:
    answer = DetailRequest("3074F").run(_Context(store))
    assert isinstance(answer, DetailAnswer) and answer.detail.code == "3074F"
    assert DetailRequest.kind == "detail"
