"""Table-driven tests of the code grammar."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.grammar import (
    CodeRange,
    CodeSet,
    CodeTerm,
    GrammarError,
    PrefixTerm,
    RangeTerm,
    Shape,
    classify,
    code_set_of,
    modifier_code_set,
    normalize,
    parse_code_list,
    parse_prefix,
    parse_range,
    split_units,
)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("3074f", "3074F"),
        (" 99213 ", "99213"),
        ("0042t", "0042T"),
        ("g 0438", "G0438"),
        ("\u200b99213\ufeff", "99213"),
        ("\t0001u\n", "0001U"),
        ("", ""),
    ],
)
def test_normalize(typed: str, normal: str) -> None:
    assert normalize(typed) == normal


@pytest.mark.parametrize(
    ("code", "shape", "code_set"),
    [
        ("99213", Shape.CPT, CodeSet.CAT_I),
        ("00100", Shape.CPT, CodeSet.CAT_I),
        ("0001U", Shape.PLA, CodeSet.CAT_I),
        ("0002M", Shape.MAAA, CodeSet.CAT_I),
        ("0001A", Shape.VACCINE, CodeSet.CAT_I),
        ("3074F", Shape.CAT_II, CodeSet.CAT_II),
        ("0042T", Shape.CAT_III, CodeSet.CAT_III),
        ("G0438", Shape.HCPCS, CodeSet.HCPCS),
        ("A0021", Shape.HCPCS, CodeSet.HCPCS),
        ("D0120", Shape.HCPCS, CodeSet.HCPCS),
        ("25", Shape.MODIFIER, None),
        ("TC", Shape.MODIFIER, None),
        ("1P", Shape.MODIFIER, None),
    ],
)
def test_classify(code: str, shape: Shape, code_set: CodeSet | None) -> None:
    assert classify(code) is shape
    assert code_set_of(code) is code_set


@pytest.mark.parametrize("text", ["9921", "992133", "X1234", "F1234", "3074X", "ABCDE", "3074f", "", "G04381", "2"])
def test_not_a_code(text: str) -> None:
    assert classify(text) is None or (classify(text) is Shape.MODIFIER and len(text) == 2)


@pytest.mark.parametrize(("modifier", "code_set"), [("1P", CodeSet.CAT_II), ("8P", CodeSet.CAT_II),
                                                    ("25", CodeSet.CAT_I), ("TC", CodeSet.HCPCS),
                                                    ("GT", CodeSet.HCPCS)])
def test_modifier_code_set(modifier: str, code_set: CodeSet) -> None:
    assert modifier_code_set(modifier) is code_set


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("99202-99205", "99202", "99205"),
        ("3074F\u20133080F", "3074F", "3080F"),  # en dash
        ("3074f \u2014 3080f", "3074F", "3080F"),  # em dash, lower case, blanks
        ("G0438 to G0439", "G0438", "G0439"),
        ("0042T..0100T", "0042T", "0100T"),
        ("99213-99213", "99213", "99213"),
    ],
)
def test_parse_range(text: str, start: str, end: str) -> None:
    assert parse_range(text) == CodeRange(start, end)


@pytest.mark.parametrize("text", ["99205-99202", "99213-3074F", "G0438-0042T"])
def test_parse_range_rejects_wrong_ranges(text: str) -> None:
    with pytest.raises(GrammarError):
        parse_range(text)


@pytest.mark.parametrize("text", ["99213", "office visit", "992-99205", "hello-world"])
def test_parse_range_not_a_range(text: str) -> None:
    assert parse_range(text) is None


def test_range_contains_only_same_shape() -> None:
    anesthesia = CodeRange("00100", "01999")
    assert "00400" in anesthesia
    assert "0042T" not in anesthesia  # lies between them as a string, but is another shape


@pytest.mark.parametrize(
    ("text", "prefix"),
    [("992*", "992"), ("9921", "9921"), ("99213*", "99213"), ("g04", "G04"), ("3074*", "3074"),
     ("3074F*", "3074F"), ("9", "9"), ("99213", None), ("office", None), ("*", None), ("99*9", None)],
)
def test_parse_prefix(text: str, prefix: str | None) -> None:
    assert parse_prefix(text) == prefix


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("99213, 3074F", [CodeTerm("99213"), CodeTerm("3074F")]),
        ("99213 3074F", [CodeTerm("99213"), CodeTerm("3074F")]),
        ("99202 - 99205; G0438", [RangeTerm(CodeRange("99202", "99205")), CodeTerm("G0438")]),
        ("992*, 0042t", [PrefixTerm("992"), CodeTerm("0042T")]),
        ("3074f", [CodeTerm("3074F")]),
        ("office visit", None),
        ("99213, office", None),
        ("", None),
        # Units written after a code leave the code listed (they were read as words, or as the modifier X2).
        ("J1100 x 3", [CodeTerm("J1100")]),
        ("J1100 X 2", [CodeTerm("J1100")]),
        ("J1100x3, 20610 x2", [CodeTerm("J1100"), CodeTerm("20610")]),
        ("J1100 3 units", [CodeTerm("J1100")]),
        ("99213 2u", [CodeTerm("99213")]),
        ("20610-X2", [CodeTerm("20610", ("X2",))]),  # joined by a dash: the modifier X2
        # A letters-only modifier after a comma still belongs to the code; a digit pair stays a prefix.
        ("27447-LT,RT", [CodeTerm("27447", ("LT", "RT"))]),
        ("99213, 25", [CodeTerm("99213"), PrefixTerm("25")]),
        ("x2", None),
    ],
)
def test_parse_code_list(text: str, items: list[object] | None) -> None:
    assert parse_code_list(text) == items


@given(st.text(max_size=200))
def test_grammar_never_raises_unexpectedly(text: str) -> None:
    normalize(text)
    classify(normalize(text))
    parse_prefix(text)
    with contextlib.suppress(GrammarError):
        parse_code_list(text)


def test_the_code_set_names_in_the_bundle_are_the_grammars() -> None:
    """code_sets.toml (read into the database, shown by the CLI) and CodeSet (everything else) agree."""
    from desktop_app.core.catalog import Catalog
    from desktop_app.core.resources import data_dir

    catalog = Catalog.from_files(data_dir())
    assert [(c.id, c.name, c.short_name) for c in catalog.code_sets] == [
        (c.value, c.label, c.short_label) for c in CodeSet]
    assert [c.compact_label for c in CodeSet] == ["Category I", "Category II", "Category III", "HCPCS Level II"]


@pytest.mark.parametrize(("text", "split"), [
    ("J1100 x 3", ("J1100", 3)), ("J1100x3", ("J1100", 3)), ("99213 2u", ("99213", 2)),
    ("J1100 3 units", ("J1100", 3)), ("99213-25 x2", ("99213-25", 2)),
    ("20610-X2", ("20610-X2", None)),  # after a dash: the modifier X2
    ("99213", ("99213", None)), ("27447-RT", ("27447-RT", None)),
])
def test_split_units(text: str, split: tuple[str, int | None]) -> None:
    assert split_units(text) == split
