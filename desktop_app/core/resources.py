"""Where the bundled data lives: the ``desktop_app.resources`` package (pyproject maps ``resources/`` onto it)."""

from __future__ import annotations

import hashlib
from importlib import resources as importlib_resources
from pathlib import Path


def resources_dir() -> Path:
    """The bundled ``resources/`` folder, always as the ``desktop_app.resources`` package: installed from the
    wheel, or mapped onto the checkout's top-level ``resources/`` by an editable install (``pip install -e``)."""
    return Path(str(importlib_resources.files("desktop_app.resources")))


def data_dir() -> Path:
    return resources_dir() / "data"


def bundle_files(root: Path | None = None) -> list[Path]:
    """Every file that makes up the bundled reference, in a stable order."""
    base = root or data_dir()
    return sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in {".csv", ".toml", ".json"})


def bundle_hash(root: Path | None = None) -> str:
    """sha256 over the bundle's file names and bytes: when it changes, the reference is rebuilt."""
    base = root or data_dir()
    digest = hashlib.sha256()
    for path in bundle_files(base):
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
