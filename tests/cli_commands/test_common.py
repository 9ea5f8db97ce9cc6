"""cli_commands/common.py: what every command prints the same way."""

from __future__ import annotations

import io
import json

from desktop_app.cli_commands.common import category_label, clip, clip_changed, money, print_json


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


def test_two_long_texts_that_differ_past_the_clip_are_shown_from_their_difference() -> None:
    head = "Invented measure title that runs on for a long while about patients with "
    old, new = clip_changed(head + "several invented conditions", head + "several invented conditions (SIC)", 40)
    assert old != new and old.startswith("\u2026") and new.endswith("(SIC)")
    assert len(old) <= 40 and len(new) <= 40
    # Short texts, or a difference inside the width: clipped as before.
    assert clip_changed("Invented old", "Invented new", 40) == ("Invented old", "Invented new")
    assert clip_changed("A" + head, "B" + head, 40) == (clip("A" + head, 40), clip("B" + head, 40))
