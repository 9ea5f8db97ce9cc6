"""codedesk-cli compare CODE CODE… [--json]; plain compare still sets the categories side by side."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import cli


def test_compare_codes_json(db_path: Path) -> None:
    code, out, _ = cli(db_path, "compare", "99213", "99214", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["codes"] == ["99213", "99214"] and data["unknown"] == []
    rows = {row["label"]: row for row in data["rows"]}
    assert rows["Category"]["differs"] is False
    summary = next(row for label, row in rows.items() if label.startswith("Plain-language summary"))
    assert summary["differs"] is True and set(summary["values"]) == {"99213", "99214"}


def test_compare_codes_text_marks_rows_that_differ(db_path: Path) -> None:
    code, out, _ = cli(db_path, "compare", "99213", "3074f")
    assert code == 0
    assert out.splitlines()[0].split() == ["99213", "3074F"]
    category = next(line for line in out.splitlines() if "Category" in line and "CPT" in line)
    assert category.startswith("\u2260")  # I vs II


def test_compare_needs_two_to_four_codes(db_path: Path) -> None:
    code, _, err = cli(db_path, "compare", "99213")
    assert code == 2 and "2 to 4 different codes, not 1" in err
    code, _, err = cli(db_path, "compare", "99213", " 99213")  # the same code twice: said so, not "not 1"
    assert code == 2 and "99213 given more than once" in err
    code, _, err = cli(db_path, "compare", "99213", "hello")
    assert code == 2 and "not a procedure code" in err


def test_unknown_code_exits_1_and_is_named(db_path: Path) -> None:
    code, out, _ = cli(db_path, "compare", "99213", "0999F")
    assert code == 1 and "Not in your database: 0999F" in out


def test_plain_compare_still_compares_categories(db_path: Path) -> None:
    code, out, _ = cli(db_path, "compare", "--json")
    assert code == 0 and "categories" in json.loads(out)
