"""What every codedesk-cli command shares: exit codes, the usage error, and how answers are printed."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import TextIO

from desktop_app.core.errors import UserError
from desktop_app.core.grammar import CodeSet

EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(UserError):
    """Bad command-line usage; exits with status 2."""


def _finite(data: object) -> object:
    """``data`` with NaN and infinities as null: a database written before imports refused them may hold one,
    and ``NaN`` is not JSON (every consumer of ``--json`` would fail on it)."""
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(value) for value in data]
    return data


def print_json(data: object, out: TextIO) -> None:
    json.dump(_finite(data), out, ensure_ascii=False, indent=2, allow_nan=False)
    out.write("\n")


def clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def clip_changed(old: str, new: str, width: int) -> tuple[str, str]:
    """``old`` and ``new`` clipped to ``width`` so that the change shows: two long texts that differ only past
    the clip (a measure title's last words) are both shown from a little before their first difference, with
    "…" where text was left out, instead of as two identical clipped lines."""
    old, new = " ".join(old.split()), " ".join(new.split())
    same = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    if same < width - 10 or (len(old) <= width and len(new) <= width):
        return clip(old, width), clip(new, width)
    start = old.rfind(" ", 0, same - width // 3) + 1  # from a word's start, a third of the width before the change
    return "\u2026" + clip(old[start:], width - 1), "\u2026" + clip(new[start:], width - 1)


class TitleSources:
    """Where each listed title comes from, said once under the list: with one source a footer line names it;
    with several, each title ends in a mark ([1], [2]) that the footer explains. A descriptor shown without
    its source was the review's licensing finding: every descriptor shown says where it came from."""

    def __init__(self, sources: Iterable[str]) -> None:
        self.order = list(dict.fromkeys(s for s in sources if s))

    def mark(self, source: str) -> str:
        return f" [{self.order.index(source) + 1}]" if len(self.order) > 1 and source in self.order else ""

    def footer(self) -> str:
        if not self.order:
            return ""
        if len(self.order) == 1:
            return f"Titles: {self.order[0]}\n"
        return "Titles: " + "; ".join(f"[{i}] {name}" for i, name in enumerate(self.order, 1)) + "\n"


def category_label(code_set: str | None) -> str:
    return CodeSet(code_set).label if code_set else "not a code"


def money(amount: object) -> str:
    return f"${amount:,.2f}" if amount is not None else "not paid in this setting"
