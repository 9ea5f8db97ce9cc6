"""Tests mirror the package: ``desktop_app/<path>/<module>.py`` has its tests in ``tests/<path>/test_<module>.py``
(a package's own ``__init__.py`` in ``tests/<path>/<package>/test_<package>.py``), so the tests of a module are
found without searching. Feature-wide tests (a whole window behaviour, real data, the output contract) live
beside them under their own names; this checks only that every module also has its own file."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "desktop_app"

# Modules with no test file of their own, each with the reason. Keep this short: a module with behaviour gets tests.
NO_OWN_TESTS = {
    "__init__.py": "the package's docstring, version and logging's NullHandler",
    "__main__.py": "one line, ``python -m desktop_app`` runs app.main (tests/test_app.py)",
    "core/__init__.py": "a docstring",
    "cli_commands/__init__.py": "a docstring",
    "ui/__init__.py": "applies qtcompat's workaround on import (tests/ui/test_qtcompat.py)",
    "ui/window_layout.py": "three figures (tab indexes, page size, poll interval), no behaviour",
}


def mirrored_test(module: Path) -> Path:
    """Where the tests of ``module`` (a path relative to desktop_app/) live."""
    if module.name == "__init__.py":
        return REPO / "tests" / module.parent / f"test_{module.parent.name}.py"
    return REPO / "tests" / module.parent / f"test_{module.name}"


def package_modules() -> list[Path]:
    return sorted(p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py") if "resources" not in p.parts)


def test_every_module_has_its_mirrored_test_file() -> None:
    missing = [f"desktop_app/{m} -> {mirrored_test(m).relative_to(REPO)}" for m in package_modules()
               if m.as_posix() not in NO_OWN_TESTS and not mirrored_test(m).is_file()]
    assert not missing, "modules without their mirrored test file:\n" + "\n".join(missing)


def test_the_exceptions_are_modules_that_exist_and_have_no_test_file() -> None:
    """An exception outlives its reason when its module is gone or has gained its own test file."""
    modules = {m.as_posix() for m in package_modules()}
    stale = [name for name in NO_OWN_TESTS if name not in modules or mirrored_test(Path(name)).is_file()]
    assert not stale, f"remove from NO_OWN_TESTS: {stale}"


def test_the_mirror_rule_maps_modules_and_packages() -> None:
    assert mirrored_test(Path("ui/detail.py")) == REPO / "tests/ui/test_detail.py"
    assert mirrored_test(Path("core/importers/cms_rvu.py")) == REPO / "tests/core/importers/test_cms_rvu.py"
    assert mirrored_test(Path("core/importers/__init__.py")) == REPO / "tests/core/importers/test_importers.py"
    assert Path("core/search.py") in package_modules()


def test_test_packages_do_not_collide() -> None:
    """pytest imports test files by their base name unless their folder is a package: two test files of one
    name (``test_common.py`` of ama_cpt, cms_qpp and cli_commands) need ``__init__.py`` in all but one folder."""
    seen: dict[str, Path] = {}
    clashes = []
    for path in sorted((REPO / "tests").rglob("test_*.py")):
        if (path.parent / "__init__.py").is_file():
            continue
        if path.name in seen:
            clashes.append(f"{seen[path.name].relative_to(REPO)} and {path.relative_to(REPO)}")
        seen[path.name] = path
    assert not clashes, clashes
