"""Imports point one way: ui → core. The core and the CLI never import Qt or the UI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "desktop_app"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


CORE_FILES = [*sorted((PACKAGE / "core").rglob("*.py")), PACKAGE / "cli.py"]


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_and_cli_do_not_import_qt_or_ui(path: Path) -> None:
    forbidden = {name for name in imported_modules(path)
                 if name.split(".")[0] in {"PySide6", "shiboken6", "PyQt5", "PyQt6"}
                 or name.startswith("desktop_app.ui") or name == "desktop_app.app"}
    assert forbidden == set()


def test_there_is_a_core_to_check() -> None:
    assert len(CORE_FILES) >= 8
