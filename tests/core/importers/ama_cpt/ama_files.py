"""The invented AMA fixture files, as the AMA readers receive them (a SourceFile and its lines)."""

from __future__ import annotations

from importer_helpers import FIXTURES

from desktop_app.core.importers.model import Dataset
from desktop_app.core.importers.textio import SourceFile, decode, split_lines
from desktop_app.core.kinds import SourceKind

RELEASE = FIXTURES / "ama" / "CPT 2030 data files"


def source(relative: str) -> tuple[SourceFile, list[str]]:
    path = RELEASE / relative
    data = path.read_bytes()
    return SourceFile(path.name, data, hints=(path.name,)), split_lines(decode(path.name, data))


def empty_dataset() -> Dataset:
    return Dataset(SourceKind.AMA_CPT, "ama-cpt-release", "invented", "invented", "2030", "", "")
