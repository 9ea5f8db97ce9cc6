"""core/importers/textio.py: bytes to lines, and the refusals that name the file and line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers.textio import (
    _CP1252_UNDEFINED,
    _UTF8_SEQUENCE,
    _first_cp1252_undefined,
    _has_utf8_sequence,
    decode,
    line_of_offset,
    looks_binary,
    split_lines,
)


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


# Bytes around every edge the encoding checks look at: ASCII, Windows-1252 punctuation and letters, UTF-8 lead and
# continuation bytes, the bytes Windows-1252 leaves undefined, and bytes that never start a sequence.
_EDGE_BYTES = st.sampled_from([0x41, 0x0A, 0x80, 0x81, 0x8D, 0x8F, 0x90, 0x92, 0x9D, 0xA9, 0xBF, 0xC0, 0xC1, 0xC2,
                               0xC3, 0xDF, 0xE0, 0xE2, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF])


@given(st.lists(_EDGE_BYTES, max_size=16).map(bytes), st.integers(0, 16))
def test_the_encoding_checks_find_what_their_regular_expressions_find(data: bytes, split: int) -> None:
    """The fast checks decode() uses answer exactly what the regular expressions they replace answer."""
    split = min(split, len(data))
    assert _has_utf8_sequence(data, 0, split) == (_UTF8_SEQUENCE.search(data, 0, split) is not None)
    assert _has_utf8_sequence(data, split) == (_UTF8_SEQUENCE.search(data, split) is not None)
    undefined = _CP1252_UNDEFINED.search(data)
    assert _first_cp1252_undefined(data) == (undefined.start() if undefined else -1)


def test_a_long_windows_1252_file_with_one_utf8_character_far_on_mixes_encodings() -> None:
    text = "caf\u00e9 \u2019quoted\u2019\n".encode("cp1252") * 20_000 + "\u2265 5 cm\n".encode()
    with pytest.raises(ImportFileError, match="mixes encodings") as caught:
        decode("mixed.txt", text)
    assert caught.value.line == 1
    assert decode("plain.txt", text[:-12]).startswith("caf\u00e9 \u2019")
