"""Units after a code: one reader (grammar.split_units) behind search, validate and the claim check.

There were three: the claim check's own pattern, pieces in parse_code_list and split_units. They disagreed:
`check "J1100 3 units"` was refused while search and validate read 3 units, and `validate "20610 x2 59"` judged
"20610X259" invalid while the claim check read 2 units and the modifier 59. Every form below goes through each
entry point."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from desktop_app.cli_commands.validate import _InputCode, validate_codes
from desktop_app.core.grammar import split_at_codes, split_units
from desktop_app.core.ncci import ClaimError, ClaimLine, parse_claim
from desktop_app.core.store import CodeStore

# typed, code, modifiers, units (None: no count written; the claim check counts 1)
FORMS: list[tuple[str, str, tuple[str, ...], int | None]] = [
    ("J1100 x 3", "J1100", (), 3),
    ("J1100 X 2", "J1100", (), 2),
    ("J1100x3", "J1100", (), 3),
    ("J1100 3 units", "J1100", (), 3),
    ("J1100 1 unit", "J1100", (), 1),
    ("99213 2u", "99213", (), 2),
    ("20610 x2", "20610", (), 2),  # after a blank: 2 units
    ("20610×2", "20610", (), 2),
    ("20611 *4", "20611", (), 4),
    ("20610-X2", "20610", ("X2",), None),  # after a dash: the modifier X2
    ("20610-X2 x3", "20610", ("X2",), 3),
    ("99213-25 x2", "99213", ("25",), 2),
    ("20610 x2 59", "20610", ("59",), 2),  # the count before a modifier
    ("27447-RT 59 x 2", "27447", ("RT", "59"), 2),
    ("99213", "99213", (), None),
]


@pytest.mark.parametrize(("typed", "code", "modifiers", "units"), FORMS, ids=[f[0] for f in FORMS])
def test_check(typed: str, code: str, modifiers: tuple[str, ...], units: int | None) -> None:
    assert parse_claim(typed) == [ClaimLine(code, modifiers, units or 1)]


@pytest.mark.parametrize(("typed", "code", "modifiers", "units"), FORMS, ids=[f[0] for f in FORMS])
def test_validate(store: CodeStore, typed: str, code: str, modifiers: tuple[str, ...], units: int | None) -> None:
    record = next(validate_codes(store, [_InputCode(1, typed)]))
    assert (record["code"], record["units"]) == (code, units)
    assert tuple(m["modifier"] for m in record["modifiers"]) == modifiers  # type: ignore[attr-defined]


@pytest.mark.parametrize(("typed", "code", "modifiers", "units"), FORMS, ids=[f[0] for f in FORMS])
def test_search(store: CodeStore, typed: str, code: str, modifiers: tuple[str, ...], units: int | None) -> None:
    hits = store.search(typed).hits
    assert (hits[0].code, tuple(c.modifier for c in hits[0].modifiers)) == (code, modifiers)
    assert all(hit.code in (code, *modifiers) for hit in hits)  # the typed modifiers are listed too, nothing else


# Forms of a whole list or claim: search and the claim check (validate reads one code a line).
LISTS: list[tuple[str, list[ClaimLine]]] = [
    ("27447-LT,RT", [ClaimLine("27447", ("LT", "RT"))]),
    ("J1100 x 3, 99213-25 2u", [ClaimLine("J1100", (), 3), ClaimLine("99213", ("25",), 2)]),
    ("J1100 3 units 99213 x2", [ClaimLine("J1100", (), 3), ClaimLine("99213", (), 2)]),
    ("20610x2 20611", [ClaimLine("20610", (), 2), ClaimLine("20611")]),
    # A count alone past a comma is the code's (the claim check reads commas as blanks), not the modifier X2.
    ("J1100, x3", [ClaimLine("J1100", (), 3)]),
    ("J1100, 3 units", [ClaimLine("J1100", (), 3)]),
    ("27447-LT, x2", [ClaimLine("27447", ("LT",), 2)]),
    ("99213; 2u", [ClaimLine("99213", (), 2)]),
]


@pytest.mark.parametrize(("typed", "lines"), LISTS, ids=[t for t, _ in LISTS])
def test_lists_in_check_and_search(store: CodeStore, typed: str, lines: list[ClaimLine]) -> None:
    assert parse_claim(typed) == lines
    hits = {hit.code: tuple(c.modifier for c in hit.modifiers) for hit in store.search(typed).hits}
    assert {line.code: line.modifiers for line in lines}.items() <= hits.items()


@pytest.mark.parametrize(("typed", "message"), [
    ("20610 x0", "'20610 X0': units must be between 1 and 99,999"),
    ("20610x100000", "'20610X100000': units must be between 1 and 99,999"),
    ("J1100 0 units", "units must be between 1 and 99,999"),
])
def test_check_refuses_a_count_out_of_range(typed: str, message: str) -> None:
    with pytest.raises(ClaimError) as refused:
        parse_claim(typed)
    assert str(refused.value) == message or message in str(refused.value)


@pytest.mark.parametrize(("text", "split"), [
    ("J1100 x 10000", ("J1100", 10000)),  # a five-digit count after its sign is a count, not a code
    ("99213 0001U", ("99213 0001U", None)),  # four digits and U after a blank: a PLA code, not 1 unit
    ("99213 25 units", ("99213", 25)),
    ("x2", ("x2", None)),  # nothing before it: no count
    ("20610- X2", ("20610- X2", None)),  # after a dash, even with a blank: the modifier X2
    ("20610 x2 x3", ("20610", 3)),  # of two counts, the last (as the claim check always took)
])
def test_split_units_edges(text: str, split: tuple[str, int | None]) -> None:
    assert split_units(text) == split


@pytest.mark.parametrize(("text", "parts"), [
    ("J1100 x 3 99213-25 2u", ["J1100 x 3", "99213-25 2u"]),
    ("J1100x3 20610", ["J1100x3", "20610"]),
    ("99202 - 99205", ["99202 - 99205"]),  # the end of a range stays with its start
    ("J1100 x 10000", ["J1100 x 10000"]),  # a count after a lone sign is not a code
    ("59 29881", ["59", "29881"]),
])
def test_split_at_codes(text: str, parts: list[str]) -> None:
    assert split_at_codes(text) == parts


@pytest.mark.parametrize(("typed", "code", "modifiers"), [
    ("20610 x2", "20610", ()), ("J1100 x 3", "J1100", ()), ("20610-X2", "20610", ("X2",)),
    ("20610 x2 59", "20610", ("59",)),
])
def test_show(store: CodeStore, typed: str, code: str, modifiers: tuple[str, ...]) -> None:
    # show reads the code and its modifiers; without the units reader "20610 x2" was the modifier X2 on 20610.
    detail = store.detail(typed)
    assert (detail.code, tuple(c.modifier for c in detail.applied)) == (code, modifiers)


def test_validate_keeps_a_first_row_with_units(store: CodeStore, tmp_path: Path) -> None:
    # A workbook's first row is skipped when it is a header; "J1100 x 3" is a code with units, not a header.
    from openpyxl import Workbook

    from desktop_app.cli_commands.validate import _input_codes

    book = Workbook()
    book.active.append(["J1100 x 3"])
    book.active.append(["99213"])
    book.save(tmp_path / "codes.xlsx")
    assert [item.text for item in _input_codes(str(tmp_path / "codes.xlsx"), io.StringIO())] == ["J1100 x 3", "99213"]


def test_a_count_of_thousands_of_digits_is_no_count() -> None:
    # Python refuses int() of over 4,300 digits: search (which never raises) and the check must not meet one.
    text = "J1100 x" + "9" * 5000
    assert split_units(text) == (text, None)
    with pytest.raises(ClaimError):
        parse_claim(text)
