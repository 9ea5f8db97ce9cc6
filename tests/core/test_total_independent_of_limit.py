"""A search's total and its counts per category do not depend on how many rows were asked for (a review on the
real files: "knee injection" said 10 of 10 at --limit 10, 50 of 50 at 50 and 100 of 100 at 500; "bp" said 92
with the counts adding up to 91, and 91 at --limit 500)."""

from __future__ import annotations

import pytest

from desktop_app.core.store import CodeStore

# Every-word matches followed by the codes with all words but one ("knee injection"); a query spelled like a
# modifier that also matches words ("bp"); plain word searches of each size.
QUERIES = ("knee injection", "bp", "office visit", "colonoscopy", "blood pressure", "injection", "ultrasound")
LIMITS = (5, 10, 50, 500)


def _answers(store: CodeStore, query: str) -> list[tuple[int, dict[str, int], list[str], int]]:
    answers = []
    for limit in LIMITS:
        store.engine.forget()
        result = store.search(query, limit=limit, with_counts=True)
        answers.append((result.total, dict(result.counts), [hit.code for hit in result.hits], result.ranked_among))
    return answers


def _check(store: CodeStore, query: str) -> None:
    answers = _answers(store, query)
    totals = {answer[0] for answer in answers}
    assert len(totals) == 1, (query, [a[0] for a in answers])
    total = totals.pop()
    for (_, counts, codes, ranked_among), limit in zip(answers, LIMITS, strict=True):
        assert sum(counts.values()) == total, (query, limit, counts)
        # A query matching hundreds lists the best of those it ranked (the list says so).
        assert len(codes) == min(limit, total, ranked_among or total), (query, limit)
    # A shorter page is the start of the longer one, among pages ranked alike: a query matching hundreds ranks only
    # its title matches when they fill the page, and all its matches when they do not ("ultrasound", 210 matches:
    # the best of the first 200 at 5, 10 and 50 rows, all 210 ranked at 500).
    for ranking in {answer[3] for answer in answers}:
        pages = [answer[2] for answer in answers if answer[3] == ranking]
        for codes in pages:
            assert codes == pages[-1][: len(codes)], query


@pytest.mark.parametrize("query", QUERIES)
def test_total_and_counts_are_the_same_at_every_limit_on_the_bundled_data(store: CodeStore, query: str) -> None:
    _check(store, query)


@pytest.mark.realdata
@pytest.mark.parametrize("query", QUERIES)
def test_total_and_counts_are_the_same_at_every_limit_with_the_real_files(store_with_real_files: CodeStore,
                                                                          query: str) -> None:
    _check(store_with_real_files, query)
