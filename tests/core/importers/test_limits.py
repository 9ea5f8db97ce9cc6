"""core/importers/limits.py: the bounds hold together (a single file never exceeds what one import allows)."""

from __future__ import annotations

from desktop_app.core.importers import limits


def test_one_file_fits_in_one_import() -> None:
    assert 0 < limits.MAX_FILE_BYTES <= limits.MAX_IMPORT_BYTES
    assert 0 < limits.MAX_ROWS <= limits.MAX_IMPORT_ROWS
    assert limits.RATIO_CHECKED_FROM < limits.MAX_FILE_BYTES
    assert limits.MAX_SHARED_STRINGS_BYTES <= limits.MAX_SHEET_BYTES


def test_sizes_are_written_for_people() -> None:
    assert limits.megabytes(limits.MAX_FILE_BYTES) == "32.0 MB"
