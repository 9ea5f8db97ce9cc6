"""core/enums.py: a member is its text wherever text is made of it."""

from __future__ import annotations

import json

from desktop_app.core.enums import StrEnum


class Invented(StrEnum):
    ONE = "one value"


def test_a_member_is_its_text() -> None:
    assert Invented.ONE == "one value"
    assert str(Invented.ONE) == f"{Invented.ONE}" == "one value"
    assert f"{Invented.ONE:>10}" == " one value"
    assert json.dumps({"k": Invented.ONE}) == '{"k": "one value"}'
    assert Invented("one value") is Invented.ONE
