"""cli_commands/common.py: what every command prints the same way."""

from __future__ import annotations

import io
import json

from desktop_app.cli_commands.common import category_label, clip, money, print_json


def test_print_json_writes_nan_as_null() -> None:
    out = io.StringIO()
    print_json({"rvu": float("nan"), "rows": [1.5, float("inf")]}, out)
    assert json.loads(out.getvalue()) == {"rvu": None, "rows": [1.5, None]}


def test_clip_joins_blanks_and_ends_long_text_with_an_ellipsis() -> None:
    assert clip("an   invented\ntext", 40) == "an invented text"
    assert clip("an invented text", 8) == "an inve\u2026"


def test_labels_and_money() -> None:
    assert category_label(None) == "not a code"
    assert money(1234.5) == "$1,234.50"
    assert money(None) == "not paid in this setting"
