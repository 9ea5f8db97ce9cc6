"""core/importers/textio.py: bytes to lines, and the refusals that name the file and line."""

from __future__ import annotations

import pytest

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers.textio import decode, line_of_offset, looks_binary, split_lines


def test_split_lines_splits_on_line_ends_only() -> None:
    assert split_lines("a\r\nb\rc\nd\n") == ["a", "b", "c", "d"]
    assert split_lines("form\x0cfeed\u2028kept") == ["form\x0cfeed\u2028kept"]


def test_decode_reads_utf8_with_bom_and_falls_back_to_windows_1252() -> None:
    assert decode("a.csv", b"\xef\xbb\xbfcode,text\n") == "code,text\n"
    assert decode("a.csv", "caf\u00e9\n".encode("cp1252")) == "caf\u00e9\n"


def test_decode_refuses_empty_and_binary_files_naming_the_file() -> None:
    with pytest.raises(ImportFileError, match="empty"):
        decode("blank.csv", b"  \n")
    assert looks_binary(b"\x00\x01\x02" * 10)
    with pytest.raises(ImportFileError) as caught:
        decode("picture.csv", b"\x89PNG\x00\x00\x00binary")
    assert "picture.csv" in str(caught.value)


def test_line_of_offset_is_one_based() -> None:
    assert line_of_offset(b"a\nb\nc", 0) == 1
    assert line_of_offset(b"a\nb\nc", 4) == 3
