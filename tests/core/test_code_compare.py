"""Codes side by side (issue 12, item 3): rows by group, word differences, cells that stand apart, notices."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.code_compare import (
    AMA_NOTICE,
    compare_codes,
    differing_words,
    release_in_name,
    source_label,
    standing_apart,
)
from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _marked(text: str, spans: tuple[tuple[int, int], ...]) -> list[str]:
    return [text[a:b] for a, b in spans]


def test_only_the_words_that_differ_are_marked() -> None:
    texts = ("Colonoscopy with removal of lesion by hot biopsy forceps",
             "Colonoscopy with removal of lesion by snare technique")
    first, second = differing_words(texts)
    assert _marked(texts[0], first) == ["hot biopsy forceps"]
    assert _marked(texts[1], second) == ["snare technique"]
    assert differing_words(("same words", "Same words.")) == ((), ())
    assert differing_words(("only one", "")) == ((), ())


def test_a_short_text_sharing_one_word_of_three_is_marked() -> None:
    # A review: comparing a diagnostic scope with the same scope "and biopsy", only "Diagnostic" was marked; the
    # three-word text shared one word (a third), under the old 40% bar, and its "and biopsy" went unmarked.
    texts = ("Diagnostic frambloscopy", "Frambloscopy and biopsy")
    first, second = differing_words(texts)
    assert _marked(texts[0], first) == ["Diagnostic"]
    assert _marked(texts[1], second) == ["and biopsy"]


def test_three_codes_mark_the_words_no_other_code_has() -> None:
    texts = ("office visit 20 minutes", "office visit 30 minutes", "office visit 20 minutes",
             "Latest systolic blood pressure under 130")
    marks = differing_words(texts)
    # 30 stands apart; the fourth text shares nothing and is not marked word by word.
    assert [_marked(t, m) for t, m in zip(texts, marks, strict=True)] == [[], ["30"], [], []]


@pytest.mark.parametrize(("values", "expected"), [
    (("090", "090"), (False, False)),
    (("090", "000"), (True, True)),  # two codes that differ: both cells
    (("090", "090", "000"), (False, False, True)),  # the one that stands apart
    (("1", "2", "3"), (True, True, True)),
    (("010", "090", "090", "090"), (True, False, False, False)),
])
def test_cells_that_stand_apart(values: tuple[str, ...], expected: tuple[bool, ...]) -> None:
    assert standing_apart(values) == expected


def test_release_is_never_doubled() -> None:
    assert source_label("CMS PFS RVU 2025 October (RVU25D)", "RVU25D", "cms-rvu") == \
        "CMS PFS RVU 2025 October (RVU25D)"
    assert source_label("CMS HCPCS", "2025", "cms-hcpcs") == "CMS HCPCS (2025)"
    assert source_label("CodeDesk", "1", "bundled") != "CodeDesk (1)"
    # "2025 2025": a month release is said by a name that has its year and month.
    assert source_label("CMS HCPCS Level II 2025 October", "2025-10", "cms-hcpcs") == "CMS HCPCS Level II 2025 October"
    assert source_label("CMS HCPCS Level II 2025 October", "2025-04", "cms-hcpcs").endswith("(2025-04)")


def test_bundled_codes_compare_with_our_summaries(store: CodeStore) -> None:
    comparison = compare_codes([store.detail("99213"), store.detail("99214")])
    assert comparison.codes == ("99213", "99214") and comparison.notices == ()
    by_label = {row.label: row for row in comparison.rows}
    assert not by_label["Category"].differs and not by_label["Section"].differs
    summary = by_label["Plain-language summary \u2014 CodeDesk (our own words)"]  # the source said once
    assert summary.differs and summary.text
    marked = _marked(summary.values[0], summary.marked[0])
    assert "20" in " ".join(marked) and "established" not in " ".join(marked)


def test_two_to_four_codes(store: CodeStore) -> None:
    with pytest.raises(ValueError):
        compare_codes([store.detail("99213")])
    with pytest.raises(ValueError):
        compare_codes([store.detail(c) for c in ("99211", "99212", "99213", "99214", "99215")])


def test_imported_facts_and_official_text_bring_rows_and_the_ama_notice(store: CodeStore) -> None:
    import_paths(store.conn, [FIXTURES / "cms" / "PPRRVU2030_Jan.csv"])
    store.refresh()
    comparison = compare_codes([store.detail("99990"), store.detail("99991")])
    groups = comparison.groups()
    fact_groups = [g for g in groups if g.startswith("Payment facts \u2014 ")]
    assert fact_groups and all("(" in g or "2030" in g for g in fact_groups)  # each names its source
    assert AMA_NOTICE in comparison.notices  # CPT text from the RVU file is AMA's
    facts = [row for row in comparison.rows if row.group in fact_groups]
    assert any(row.differs for row in facts)
    as_json = comparison.to_json()
    assert as_json["codes"] == ["99990", "99991"] and as_json["rows"]


def test_unknown_code_is_named(store: CodeStore) -> None:
    comparison = compare_codes([store.detail("99213"), store.detail("0999F")])
    assert comparison.unknown == ("0999F",)
    status = next(row for row in comparison.rows if row.label == "Status")
    assert status.values[1] == "not in your database"


@pytest.mark.parametrize(("name", "release", "carried"), [
    ("CMS PFS RVU 2025 October (RVU25D)", "RVU25D", True),
    ("CMS HCPCS Level II 2025 October", "2025-10", True),
    # The NCCI names say their release in other words; they were shown twice.
    ("CMS NCCI PTP edits, practitioner, version 32.2r0 part 1", "practitioner v32.2r0 part 1", True),
    ("CMS NCCI MUE, practitioner services, effective 2026-07-01", "practitioner 2026-07-01", True),
    ("CMS NCCI MUE, practitioner services, effective 2026-07-01", "hospital 2026-07-01", False),
    ("CMS NCCI PTP edits, practitioner, version 32.2r0 part 1", "practitioner v32.3r0 part 1", False),
    ("AMA CPT 2026", "2026-01", False),
])
def test_a_release_the_name_already_says_is_not_repeated(name: str, release: str, carried: bool) -> None:
    assert release_in_name(name, release) is carried
    assert source_label(name, release, "cms-ncci-ptp") == (name if carried else f"{name} ({release})")
