"""core/measures.py: how a measure is asked for, how its file's values read, and the bundled measure titles."""

from __future__ import annotations

import pytest

from desktop_app.core.measures import OUR_MEASURE_NAME_LABEL, condition_text, humanize, normalize_measure_query
from desktop_app.core.store import CodeStore


@pytest.mark.parametrize(("text", "measure"), [
    ("measure 236", "236"), ("MIPS 47", "047"), ("quality measure #001", "001"), ("24.01", "024.01"),
    ("236", "236"), ("99213", None), ("office visit", None),
])
def test_normalize_measure_query(text: str, measure: str | None) -> None:
    assert normalize_measure_query(text) == measure


@pytest.mark.parametrize(("value", "words"), [
    ("intermediateOutcome", "intermediate outcome"), (True, "yes"), (["claims", "registry"], "claims, registry"),
    ("process", "process"),
])
def test_humanize(value: object, words: str) -> None:
    assert humanize(value) == words


def test_a_bundled_measure_has_our_own_title(store: CodeStore) -> None:
    detail = store.measure("1")
    assert detail.measure_id == "001" and detail.title_source == OUR_MEASURE_NAME_LABEL


@pytest.mark.parametrize(("key", "value", "text"), [
    ("sex", ["M", "F"], "male or female"),  # printed as "['M', 'F']"
    ("sex", "F", "female"),
    ("min_age", 18, "18"),
    ("age", "18 - 85", "18 - 85"),
])
def test_an_eligibility_condition_reads_as_words(key: str, value: object, text: str) -> None:
    assert condition_text(key, value) == text


def test_a_measure_is_found_by_the_starts_of_its_title_words_not_by_letters_inside_them(store: CodeStore) -> None:
    # "tips" listed measure 383, "Adherence to Antipsychotic Medications…", above every code for TIPS.
    from pathlib import Path

    from desktop_app.core.importers import import_paths

    import_paths(store.conn, [Path(__file__).resolve().parents[1] / "fixtures" / "qpp" / "measures-data-2030.json"])
    assert [hit.measure_id for hit in store.find_measures("pretend follow")] == ["901"]
    assert [hit.measure_id for hit in store.find_measures("pret docum")] == ["901"]
    assert store.find_measures("tend follow") == []  # "tend" is inside "pretend"
    assert store.find_measures("ollow") == []
