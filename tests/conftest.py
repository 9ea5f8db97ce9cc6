"""Shared fixtures: a reference database built once per session and copied per test, and the real data."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop_app.core.store import CodeStore

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real CMS files in ../shared/data; tests that need them skip when they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not available: {SHARED_DATA} is missing (it is never committed, for licensing)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def reference_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled reference, built once; tests get copies so each starts from the same state."""
    path = tmp_path_factory.mktemp("template") / "reference.sqlite3"
    store = CodeStore.open(path)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.conn.execute("PRAGMA journal_mode = DELETE")
    store.close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, reference_template: Path) -> Path:
    path = tmp_path / "codedesk.sqlite3"
    shutil.copyfile(reference_template, path)
    return path


@pytest.fixture
def store(db_path: Path) -> Iterator[CodeStore]:
    opened = CodeStore.open(db_path)
    yield opened
    opened.close()
