"""core/resources.py: the bundled reference is found, and its hash follows its content."""

from __future__ import annotations

import shutil
from pathlib import Path

from desktop_app.core.resources import bundle_files, bundle_hash, data_dir


def test_the_bundle_is_text_files_in_the_data_folder() -> None:
    files = bundle_files()
    assert files and all(p.is_relative_to(data_dir()) and p.suffix in {".csv", ".toml", ".json"} for p in files)
    assert (data_dir() / "abbreviations.toml") in files


def test_the_hash_changes_with_a_byte_of_the_bundle(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    before = bundle_hash(copy)
    assert before == bundle_hash(data_dir())
    target = bundle_files(copy)[0]
    target.write_bytes(target.read_bytes() + b"\n")
    assert bundle_hash(copy) != before
