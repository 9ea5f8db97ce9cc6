"""Imports point one way: app → ui/cli → core. The core and the CLI never import Qt or the UI; the UI does no SQL.

Two guards: the import-linter contracts in pyproject.toml (the whole import graph, indirect imports too), and a
plain AST scan of every core and CLI file that needs nothing installed and also sees function-local imports.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import desktop_app

PACKAGE = Path(desktop_app.__file__).resolve().parent
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
QT_PACKAGES = {"PySide6", "shiboken6", "PyQt5", "PyQt6"}


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module ``path`` imports, by full name: ``from desktop_app import ui`` counts as
    ``desktop_app.ui`` (it may be a module), and relative imports are resolved against ``package``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def package_of(path: Path) -> str:
    """The package a file's relative imports start from (for ``__init__.py``, the package itself)."""
    return ".".join(path.relative_to(PACKAGE.parent).parts[:-1])


def forbidden_in_core(names: set[str]) -> set[str]:
    return {name for name in names
            if name.split(".")[0] in QT_PACKAGES
            or name == "desktop_app.ui" or name.startswith("desktop_app.ui.")
            or name in ("desktop_app.app", "desktop_app.cli")
            or name == "desktop_app.cli_commands" or name.startswith("desktop_app.cli_commands.")}


CORE_FILES = [*sorted((PACKAGE / "core").rglob("*.py")), PACKAGE / "cli.py",
              *sorted((PACKAGE / "cli_commands").glob("*.py"))]


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_and_cli_do_not_import_qt_or_ui(path: Path) -> None:
    forbidden = forbidden_in_core(imported_modules(path, package_of(path)))
    if path.name == "cli.py" or path.parent.name == "cli_commands":  # the CLI may use its own commands
        forbidden = {name for name in forbidden if not name.startswith("desktop_app.cli")}
    assert forbidden == set()


@pytest.mark.parametrize("source", [
    "from desktop_app import ui",
    "from desktop_app import app",
    "import desktop_app.ui.main_window",
    "from desktop_app.ui.theme import CODE_SET_LABELS",
    "from ... import ui",
    "from PySide6 import QtCore",
    "def later():\n    import PySide6.QtWidgets",
])
def test_the_scan_catches_every_spelling(tmp_path: Path, source: str) -> None:
    """The old scan read only ``node.module``, so ``from desktop_app import ui`` inside core passed."""
    path = tmp_path / "planted.py"
    path.write_text(source + "\n", encoding="utf-8")
    assert forbidden_in_core(imported_modules(path, "desktop_app.core.importers")) != set()


def test_there_is_a_core_to_check() -> None:
    assert len(CORE_FILES) >= 8


def test_import_linter_is_installed() -> None:
    assert importlib.util.find_spec("importlinter") is not None, "import-linter is in the test extra"


def test_import_linter_contracts_are_kept() -> None:
    """The contracts in pyproject.toml: layers, Qt-free core and CLI, no sqlite3 in the UI, independent importers."""
    # In a child process: lint_imports() reconfigures logging for the whole process (dictConfig), which would
    # switch off every logger the other tests rely on.
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
         f"sys.exit(lint_imports(config_filename={str(PYPROJECT)!r}, no_cache=True, no_logo=True))"],
        cwd=PYPROJECT.parent, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout and "KEPT" in done.stdout
