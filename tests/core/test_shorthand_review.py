"""The review of the machine-proposed shorthand (resources/data/shorthand_review.toml) holds in the vocabulary."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from desktop_app.core.resources import data_dir
from desktop_app.core.vocabulary import load_vocabulary

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _table(name: str) -> dict[str, Any]:
    with (data_dir() / name).open("rb") as fh:
        table: dict[str, Any] = tomllib.load(fh)
    return table


REVIEW = _table("shorthand_review.toml")
DERIVED = _table("shorthand_derived.toml")["abbreviations"]


@pytest.mark.parametrize("token", sorted(REVIEW["corrected"]))
def test_a_corrected_proposal_is_written_as_corrected(token: str) -> None:
    assert DERIVED.get(token, REVIEW["corrected"][token]) == REVIEW["corrected"][token]


def test_no_rejected_proposal_is_left_in_the_derived_list() -> None:
    rejected = {*REVIEW["rejected"], *REVIEW["words"]}
    assert not rejected & set(DERIVED)


@pytest.mark.parametrize(("token", "wrong"), [("hepc", "hepatic"), ("mtral", "material"), ("endoc", "endoscopy")])
def test_a_corrected_token_no_longer_expands_to_the_wrong_word(token: str, wrong: str) -> None:
    assert wrong not in load_vocabulary().expand(f"Invented {token} text")
