"""Table-driven tests of the query parser and the FTS5 expression builder (escaping)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.database import FTS_TOKENIZE
from desktop_app.core.query import fts_expression, load_synonyms, parse_query
from desktop_app.core.store import CodeStore


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


def _porter_terms(words: list[str]) -> dict[str, list[str]]:
    """What an index built like CodeDesk's (FTS_TOKENIZE) makes of each word, read from a table of its own."""
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(a, tokenize='{FTS_TOKENIZE}')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    terms = {}
    for word in words:
        conn.execute("DELETE FROM t")
        conn.execute("INSERT INTO t VALUES (?)", (word,))
        terms[word] = [row[0] for row in conn.execute("SELECT term FROM v")]
    return terms


def test_short_words_the_stemmer_cuts_to_one_or_two_letters_are_known() -> None:
    import string

    from desktop_app.core.vocabulary import index_terms, stemmed_away

    words = [letter + end for letter in string.ascii_lowercase for end in ("ed", "ing", "s", "es", "cs", "e")]
    real = _porter_terms(words)
    assert {word: list(index_terms(word)) for word in words} == real
    assert sorted(w for w in words if stemmed_away(w)) == sorted(
        w for w in words if 3 <= len(w) <= 4 and len(real[w][0]) <= 2)
    assert [w for w in ("aed", "scs", "nos", "des", "AED") if not stemmed_away(w)] == []
    # A stem of three letters or more is the word's own: "tips" is "tip", and partly typed words keep theirs.
    assert [w for w in ("tips", "knee", "inje", "ches", "ppm", "pets", "ab", "x") if stemmed_away(w)] == []


def test_aed_is_searched_by_its_meanings_not_as_the_letter_a(store: CodeStore, tmp_path: Path) -> None:
    from desktop_app.core.importers import import_paths
    from desktop_app.core.query import units_expression
    from desktop_app.core.vocabulary import QueryUnit, load_vocabulary

    assert units_expression([QueryUnit("aed", ("external defibrillator",), meanings_only=True)]) == (
        'NEAR("external" "defibrillator", 10)')
    assert units_expression([QueryUnit("aed", ("external defibrillator",))]).startswith('("aed"*')
    vocabulary = load_vocabulary()
    assert [u.meanings_only for u in vocabulary.query_units(["aed", "scs", "des", "eye", "oed", "tips"])] == [
        True, True, True, False, False, False]  # eye is indexed "ey" and matches itself; oed has no meanings
    # "aed" matched 14,241 codes with the real files, led by "Strep a assay" (indexed "a"): invented codes alike.
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "cms" / "PPRRVU2030_Jan.csv"
    text = fixture.read_text(encoding="utf-8")
    header_end = text.index("\n", text.index("HCPCS,")) + 1
    first_row = text[header_end:text.index("\n", header_end) + 1]
    code, title = first_row.split(",")[0], first_row.split(",")[2]
    rows = [("87001", "Invented strep a assay"), ("87002", "Invented hep a antibody"),
            ("93001", "Invented automated external defibrillator check")]
    path = tmp_path / "PPRRVU2030_Jan.csv"
    path.write_text(text[:header_end] + "".join(first_row.replace(code, new_code, 1).replace(title, new_title, 1)
                                                for new_code, new_title in rows), encoding="utf-8")
    import_paths(store.conn, [path])
    result = store.search("aed", limit=50)
    assert [hit.code for hit in result.hits] == ["93001"] and result.total == 1
