"""One vocabulary (issue 11): each word is defined in one place, and the code never reads a format id's spelling.

AST scans of the package, so a second copy of a name or a new prefix test fails here rather than drifting."""

from __future__ import annotations

import ast
from pathlib import Path

import desktop_app
from desktop_app.core.grammar import CodeSet
from desktop_app.core.importers.formats import FORMATS
from desktop_app.core.kinds import SourceKind

PACKAGE = Path(desktop_app.__file__).resolve().parent
LABEL_HOME = PACKAGE / "core" / "grammar.py"
# Not labels: the modifier families as resources/data/modifiers.csv names them (its "family" column).
DATA_KEYS = {("core/modifiers.py", "Category II")}


def _strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_code_set_names_are_spelled_only_in_the_grammar() -> None:
    names = {name for cs in CodeSet for name in (cs.label, cs.compact_label, cs.short_label)}
    copies = [f"{path.relative_to(PACKAGE)}:{line}: {text!r}"
              for path in sorted(PACKAGE.rglob("*.py")) if path != LABEL_HOME
              for line, text in _strings(path)
              if text in names and (str(path.relative_to(PACKAGE)), text) not in DATA_KEYS]
    assert not copies, "take code-set names from CodeSet (label, compact_label, short_label):\n" + "\n".join(copies)


def test_no_format_id_is_read_by_its_spelling() -> None:
    """``fmt.startswith("ama-")`` and friends: a format's rules are its registry entry's fields."""
    pieces = {piece for fmt in FORMATS for piece in (fmt.split("-")[0] + "-", "-" + fmt.split("-")[-1])}
    pieces |= {f"{kind}-" for kind in SourceKind} | {kind.value for kind in SourceKind}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("startswith", "endswith", "removeprefix", "removesuffix")
                    and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in pieces):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: .{node.func.attr}({node.args[0].value!r})")
    assert not found, "\n".join(found)
