"""Table-driven tests of the query parser and the FTS5 expression builder (escaping)."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.database import FTS_TOKENIZE
from desktop_app.core.query import fts_expression, load_synonyms, parse_query


@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [
        ("3074F", "codes", ()),
        ("99202-99205", "codes", ()),
        ("992*", "codes", ()),
        ("99213, 3074F", "codes", ()),
        ("office visit established low", "words", ("office", "visit", "established", "low")),
        ("New o/p est", "words", ("new", "o/p", "est")),
        ("x-ray chest", "words", ("x-ray", "chest")),
        ('"knee" NOT (shoulder)', "words", ("knee", "not", "shoulder")),
        ("   ", "empty", ()),
        ("\U0001f600", "empty", ()),
        ('"*()', "empty", ()),
        ("99205-99202", "empty", ()),
    ],
)
def test_parse_query(text: str, kind: str, words: tuple[str, ...]) -> None:
    parsed = parse_query(text)
    assert parsed.kind == kind
    assert parsed.words == words


def test_backwards_range_is_an_error_not_an_exception() -> None:
    assert parse_query("99205-99202").error == "99205 comes after 99202; write the lower code first"


def test_long_queries_are_bounded() -> None:
    parsed = parse_query("knee " * 5000)
    assert len(parsed.words) <= 12


@pytest.mark.parametrize(
    ("words", "expression"),
    [
        (("knee",), '"knee"*'),
        (("knee", "pain"), '"knee" AND "pain"*'),
        (("not", "near"), '"not" AND "near"*'),  # operators are only ever quoted text
        (("the", "knee"), '"knee"*'),  # stop words dropped when other words remain
        (("bp",), '("bp"* OR "blood pressure")'),
        (("o/p",), '("o p"* OR "office" OR "outpatient")'),
    ],
)
def test_fts_expression(words: tuple[str, ...], expression: str) -> None:
    assert fts_expression(words, load_synonyms()) == expression


@given(st.text(max_size=300))
def test_any_text_gives_a_valid_fts5_expression(text: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(a, tokenize='{FTS_TOKENIZE}')")
    conn.execute("INSERT INTO t VALUES ('knee injection office visit')")
    parsed = parse_query(text)
    if parsed.kind == "words":
        for any_word in (False, True):
            expression = fts_expression(parsed.words, load_synonyms(), any_word=any_word)
            if expression:
                conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()
