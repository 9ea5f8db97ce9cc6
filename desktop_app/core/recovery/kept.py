"""Kept imports: a compressed copy of every committed import's files beside the database, so a damaged
reference database can be rebuilt without the user."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desktop_app.core.errors import printable

KEPT_SUFFIX = "-imports"


def kept_imports_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + KEPT_SUFFIX)


def database_file(conn: sqlite3.Connection) -> Path | None:
    """The file behind ``conn`` (None for an in-memory database)."""
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return Path(row[2]) if row[2] else None
    return None


@dataclass(frozen=True)
class KeptImport:
    archive: Path
    manifest: Path
    sources: list[dict[str, str]]  # kind, release, name, file_name, sha256
    files: list[str]
    kept_at: str


def kept_imports(db_path: Path) -> list[KeptImport]:
    folder = kept_imports_dir(db_path)
    found = []
    for manifest in sorted(folder.glob("*.json")):
        archive = manifest.with_suffix(".zip")
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if archive.exists() and isinstance(data, dict):
            found.append(KeptImport(archive, manifest, list(data.get("sources", [])), list(data.get("files", [])),
                                    str(data.get("kept_at", ""))))
    return found


def _source_key(source: dict[str, str]) -> tuple[str, str]:
    return (str(source.get("kind", "")), str(source.get("release", "")))


def keep_import(conn: sqlite3.Connection, paths: Sequence[Path], source_ids: Sequence[int]) -> Path | None:
    """Keep a compressed copy of the files of a committed import, with the sources it made, beside the
    database. An earlier copy's claim to a source this import replaced is dropped. Returns the archive."""
    from desktop_app.core.importers import SUPPORTED_EXTENSIONS
    from desktop_app.core.importers.limits import MAX_FILE_BYTES

    db_path = database_file(conn)
    if db_path is None or not source_ids:
        return None
    rows = conn.execute(
        f"SELECT kind, release, name, file_name, sha256 FROM sources WHERE id IN ({','.join('?' * len(source_ids))})",
        list(source_ids)).fetchall()
    sources = [{"kind": r[0], "release": r[1], "name": r[2], "file_name": r[3], "sha256": r[4]} for r in rows]
    if not sources:
        return None
    folder = kept_imports_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.stem) for p in folder.glob("*.zip") if p.stem.isdigit()]
    stem = f"{max(numbers, default=0) + 1:04d}"
    archive = folder / f"{stem}.zip"
    partial = folder / f"{stem}.zip.partial"
    names: list[str] = []
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for index, path in enumerate(paths):
            path = Path(path)
            top = f"{index}/{path.name}"
            names.append(top)
            if path.is_dir():
                # Only what an import can read (a release folder also holds PDFs; a big folder holds anything).
                for child in sorted(path.rglob("*")):
                    if (child.is_file() and child.suffix.lower() in SUPPORTED_EXTENSIONS
                            and child.stat().st_size <= MAX_FILE_BYTES):
                        out.write(child, f"{top}/{child.relative_to(path).as_posix()}")
            else:
                out.write(path, top)
    os.replace(partial, archive)
    manifest = {"kept_at": datetime.now().isoformat(timespec="seconds"), "files": names, "sources": sources,
                "original_paths": [printable(str(p)) for p in paths]}
    (folder / f"{stem}.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    replaced = {_source_key(s) for s in sources}
    for kept in kept_imports(db_path):
        if kept.archive != archive:
            _drop_sources(kept, replaced)
    return archive


def _drop_sources(kept: KeptImport, keys: set[tuple[str, str]]) -> None:
    remaining = [s for s in kept.sources if _source_key(s) not in keys]
    if len(remaining) == len(kept.sources):
        return
    if not remaining:
        for path in (kept.manifest, kept.archive):
            with contextlib.suppress(OSError):
                path.unlink()
        return
    data = json.loads(kept.manifest.read_text(encoding="utf-8"))
    data["sources"] = remaining
    kept.manifest.write_text(json.dumps(data, indent=1), encoding="utf-8")


def forget_kept_source(db_path: Path | None, kind: str, release: str) -> None:
    """A source was removed: its kept copy no longer brings it back."""
    if db_path is None:
        return
    for kept in kept_imports(db_path):
        with contextlib.suppress(OSError, ValueError):
            _drop_sources(kept, {(kind, release)})
