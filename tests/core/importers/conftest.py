"""Fixtures for the importer tests: a fresh database per test, the fixture files, and the real data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from importer_helpers import FIXTURES, REAL_DATA

from desktop_app.core.store import CodeStore


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def db(tmp_path: Path) -> Iterator[CodeStore]:
    """A new database in tmp_path with the bundled reference built, as the app makes it."""
    store = CodeStore.open(tmp_path / "db.sqlite3")
    yield store
    store.close()


@pytest.fixture
def new_db(tmp_path: Path) -> Iterator[Callable[[str], CodeStore]]:
    """Factory for more databases in one test (to compare two imports)."""
    opened: list[CodeStore] = []

    def make(name: str) -> CodeStore:
        store = CodeStore.open(tmp_path / f"{name}.sqlite3")
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture(scope="session")
def real_data() -> Path:
    if not REAL_DATA.is_dir():
        pytest.skip(f"real CMS data not available: {REAL_DATA} is missing (it is never committed, for licensing)")
    return REAL_DATA
