"""Paths and helpers shared by the importer tests (a module of its own: conftest is not importable)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop_app.core.importers import _parse
from desktop_app.core.importers.model import Dataset, Monitor
from desktop_app.core.importers.sniff import plan

HERE = Path(__file__).resolve()
FIXTURES = HERE.parents[2] / "fixtures"
# The real files live next to the repository: /work/main/../shared/data.
REAL_DATA = (HERE.parents[3] / ".." / "shared" / "data").resolve()


def dump(conn: sqlite3.Connection) -> list[str]:
    """Every row of every table (FTS shadow tables included), to prove a failed import changed nothing."""
    return list(conn.iterdump())


def parsed(path: Path) -> list[Dataset]:
    """The datasets the importer reads from ``path`` (a file, folder or zip), parsed and not written."""
    return [_parse(source, fmt, Monitor()) for source, fmt in plan(path, "").files]
