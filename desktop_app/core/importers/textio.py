"""Files as the importers see them: bytes with a name, turned into text lines.

Encodings accepted: UTF-8 with or without a BOM, and Windows-1252 (older CMS and AMA files). A file is
refused, with the line named, when it is empty, binary (NUL bytes), UTF-16, mixes UTF-8 with another
encoding, or holds bytes that are text in neither encoding. Line ends may be CRLF, LF or CR.

The checks every reader shares live here too, so each reader does not repeat them: a text file must end with
a line end (:func:`require_line_end`: a missing one means the file was cut off), CSV is read with strict quoting
(:func:`csv_rows`: a quote never closed names the line it opens on), every row has the header's number of
columns (:func:`check_width`) and a header has every column the reader uses (:func:`require_columns`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from typing import IO

from desktop_app.core.errors import ImportFileError, printable
from desktop_app.core.importers.limits import MAX_FILE_BYTES, MAX_ROWS, megabytes

# Bytes that Windows-1252 leaves undefined: a file holding them is not Windows-1252 text either.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
# A UTF-8 multi-byte sequence. Found in a file that is not valid UTF-8, it means the file mixes encodings
# ("≥" written as UTF-8 next to "’" in Windows-1252); real Windows-1252 text practically never has one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL = re.compile(rb"[\x01-\x08\x0e-\x19\x1b-\x1f]")
# Every byte that cannot start a UTF-8 multi-byte sequence (ASCII, continuation bytes, C0 and C1).
_NOT_UTF8_LEAD = bytes(range(0xC2))


def _has_utf8_sequence(data: bytes, start: int = 0, end: int | None = None) -> bool:
    """Whether ``data[start:end]`` holds a UTF-8 multi-byte sequence (:data:`_UTF8_SEQUENCE`). A Windows-1252
    file's accented letters and quotes (0x80-0xC1: ’ “ ” –) cannot start one, so a range without any byte from
    0xC2 up is answered by one C pass; the regular expression, which has no literal to skip ahead by, took 50 ms
    over a 2.7 MB HCPCS file (issue 13)."""
    part = data[start:end]
    if not part.translate(None, _NOT_UTF8_LEAD):
        return False
    return _UTF8_SEQUENCE.search(part) is not None


def _first_cp1252_undefined(data: bytes) -> int:
    """The offset of the first byte Windows-1252 leaves undefined (:data:`_CP1252_UNDEFINED`), or -1: five
    ``find`` calls (memchr) instead of a scan of the regular expression (10 ms over 2.7 MB)."""
    found = [at for at in (data.find(byte) for byte in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")) if at >= 0]
    return min(found, default=-1)


class SourceFile:
    """One file to import: a file on disk, a file inside a folder, or a member of a zip.

    ``name`` is what messages show (``RVU25D.zip/PPRRVU2025_Oct.csv``), with control characters escaped (see
    :func:`~desktop_app.core.errors.printable`); ``hints`` are the names around it (the file name, its folders,
    the zip's name), used to find a release when the content does not say.

    The content is read only when needed: sniffing looks at :meth:`head`, and ``data`` reads the whole file
    (through ``load``) the first time it is used, after checking ``size`` against :data:`MAX_FILE_BYTES`. So a
    folder or zip full of notes, or with one huge member, is looked at without being held in memory.
    """

    def __init__(
        self,
        name: str,
        data: bytes | None = None,
        hints: tuple[str, ...] = (),
        container: str = "",
        *,
        size: int | None = None,
        load: Callable[[], bytes] | None = None,
        head: bytes | None = None,
        opener: Callable[[], IO[bytes]] | None = None,
    ) -> None:
        self.name = printable(name)
        self.hints = hints
        self.container = printable(container)  # the folder or zip it came from ('' for a file given directly)
        self._data = data
        self._load = load
        self._head = head
        self._opener = opener
        self.size = len(data) if data is not None else (size or 0)
        self.row_budget = MAX_ROWS  # rows a worksheet may have (less when earlier files of the import used some)
        self._cache: dict[str, object] = {}

    def __repr__(self) -> str:
        return f"SourceFile({self.name!r}, {self.size:,} bytes)"

    @property
    def data(self) -> bytes:
        if self._data is None:
            if self.size > MAX_FILE_BYTES:
                raise ImportFileError(self.name, too_large(self.size))
            data = self._load() if self._load is not None else b""
            if len(data) > MAX_FILE_BYTES:
                raise ImportFileError(self.name, too_large(len(data)))
            self._data, self.size = data, len(data)
        return self._data

    def open_stream(self) -> IO[bytes]:
        """The content as a binary stream, read as it is used: for readers of files far larger than
        :data:`MAX_FILE_BYTES` (the NCCI edit tables), which stream their rows and bound what they read
        themselves. Without an opener (bytes given directly) this is the bytes in memory."""
        if self._opener is not None and self._data is None:
            return self._opener()
        return io.BytesIO(self.data)

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes (at most what was read ahead for sniffing, unless the file is loaded)."""
        if self._data is None and self._head is not None and (size <= len(self._head) or self.size <= len(self._head)):
            return self._head[:size]
        return self.data[:size]

    @property
    def loaded(self) -> bool:
        return self._data is not None

    def release(self) -> None:
        """Forget the content and what was derived from it (after parsing: the dataset holds what it needs)."""
        self._cache.clear()
        if self._load is not None:
            self._data = None  # read again from disk or the zip if it is ever needed

    @property
    def base_name(self) -> str:
        return self.name.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def stem(self) -> str:
        base = self.base_name
        return base.rsplit(".", 1)[0] if "." in base else base

    @property
    def suffix(self) -> str:
        base = self.base_name
        return base.rsplit(".", 1)[1].lower() if "." in base else ""

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def text(self) -> str:
        """The decoded text (cached). Raises :class:`ImportFileError` as :func:`decode` does."""
        if "text" not in self._cache:
            self._cache["text"] = decode(self.name, self.data)
        return self._cache["text"]  # type: ignore[return-value]

    def lines(self) -> list[str]:
        if "lines" not in self._cache:
            self._cache["lines"] = split_lines(self.text())
        return self._cache["lines"]  # type: ignore[return-value]


def too_large(size: int) -> str:
    return (
        f"the file is {megabytes(size)}; CodeDesk reads files up to {megabytes(MAX_FILE_BYTES)} (the largest real "
        "CMS or AMA code file is under 4 MB), so this is not a code file or it is damaged"
    )


def line_of_offset(data: bytes, offset: int) -> int:
    """1-based line number of the byte at ``offset``."""
    return data.count(b"\n", 0, offset) + 1


def looks_binary(data: bytes) -> bool:
    head = data[:65536]
    if b"\x00" in head or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return len(_CONTROL.findall(head)) > max(8, len(head) // 100)


def check_text(name: str, data: bytes) -> None:
    """Refuse empty, UTF-16 and binary data with a message naming the file and the line."""
    if not data.strip():
        raise ImportFileError(name, "the file is empty", line=1)
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) or _looks_utf32(data[:4096]):
        raise ImportFileError(
            name,
            "the file is UTF-32 text; save it as UTF-8 or Windows-1252 (ANSI) and import it again",
            line=1,
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data[:4096]):
        raise ImportFileError(
            name,
            "the file is UTF-16 text; save it as UTF-8 or Windows-1252 (ANSI) and import it again",
            line=1,
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportFileError(name, "the file holds binary data (a NUL byte), not text", line=line_of_offset(data, nul))
    if looks_binary(data):
        control = _CONTROL.search(data)
        line = line_of_offset(data, control.start()) if control else 1
        raise ImportFileError(name, "the file holds binary data (control bytes), not text", line=line)


def utf16_head(data: bytes, size: int) -> str | None:
    """The first ``size`` bytes decoded, if ``data`` is UTF-16 text (with or without a BOM); else None.

    Only for recognising what a UTF-16 file is (so the import can say "this PPRRVU file is UTF-16"): UTF-16
    files are never imported.
    """
    head = data[:size]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif _looks_utf16(head[:4096]):
        encoding = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    else:
        return None
    return head[: len(head) - len(head) % 2].decode(encoding, errors="replace")


def _looks_utf32(head: bytes) -> bool:
    """Text as UTF-32 without a BOM: three of every four bytes are NUL (ASCII-range text)."""
    if len(head) < 16:
        return False
    quarter = len(head) // 4
    little = head[1::4].count(0) + head[2::4].count(0) + head[3::4].count(0)
    big = head[0::4].count(0) + head[1::4].count(0) + head[2::4].count(0)
    return max(little, big) > 3 * quarter * 0.9


def _looks_utf16(head: bytes) -> bool:
    if len(head) < 8:
        return False
    odd_nuls = head[1::2].count(0)
    even_nuls = head[0::2].count(0)
    half = len(head) // 2
    return odd_nuls > half * 0.6 or even_nuls > half * 0.6


def decode(name: str, data: bytes) -> str:
    """Decode ``data`` (UTF-8 with or without BOM, else Windows-1252). Raises :class:`ImportFileError`."""
    check_text(name, data)
    check_line_count(name, data)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                name,
                f"the file starts with a UTF-8 BOM but byte 0x{data[exc.start]:02X} is not UTF-8 (wrong encoding?)",
                line=line_of_offset(data, exc.start),
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
        if exc.reason == "unexpected end of data" and _has_utf8_sequence(data, 0, bad):
            # A UTF-8 file whose last character is incomplete: the file was cut in the middle of it.
            raise ImportFileError(
                name,
                "the file ends in the middle of a character, so it looks cut off (truncated); "
                "import the complete file",
                line=line_of_offset(data, bad),
            ) from None
    if _has_utf8_sequence(data, 0, bad) or _has_utf8_sequence(data, bad):
        raise ImportFileError(
            name,
            f"the file mixes encodings: byte 0x{data[bad]:02X} is not UTF-8, but other lines are UTF-8; "
            "save the whole file as UTF-8 and import it again",
            line=line_of_offset(data, bad),
        )
    undefined = _first_cp1252_undefined(data)
    if undefined >= 0:
        raise ImportFileError(
            name,
            f"byte 0x{data[undefined]:02X} is text in neither UTF-8 nor Windows-1252 (wrong encoding?)",
            line=line_of_offset(data, undefined),
        )
    return data.decode("cp1252")


def check_line_count(name: str, data: bytes) -> None:
    """Refuse a file with more lines than any real code file could have (before any line is split off)."""
    lines = data.count(b"\n") or data.count(b"\r")
    if lines > MAX_ROWS:
        raise ImportFileError(
            name,
            f"the file has {lines:,} lines; CodeDesk reads at most {MAX_ROWS:,} lines per file (real code files "
            "have about 20,000), so this is not a code file or it is damaged",
        )


def split_lines(text: str) -> list[str]:
    """Split on CRLF, LF or CR only (``str.splitlines`` would also split on form feeds and U+2028)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def has_line_end(data: bytes) -> bool:
    """True if ``data`` ends with a line end (blanks or a DOS end-of-file mark after it do not count)."""
    tail = data.rstrip(b" \t\x1a")
    return not tail or tail.endswith((b"\n", b"\r"))


def line_count(data: bytes) -> int:
    """The number of the last line (as :func:`split_lines` numbers them) of text that has no final line end."""
    ends = data.count(b"\n") or data.count(b"\r")
    return ends + 1


def require_line_end(sf: SourceFile) -> None:
    """Refuse a text file whose last line has no line end: the published CMS and AMA files end with CRLF or LF,
    so a file without one was cut off (a download or copy that stopped part-way) and its last record may be too.
    The encoding is checked first (a UTF-16 or binary file gets that reason, not this one)."""
    sf.text()
    if not has_line_end(sf.data):
        raise ImportFileError(
            sf.name,
            "the last line has no line end, so the file looks cut off (truncated); import the complete file "
            "(if this file is complete, end it with a line break and import it again)",
            line=line_count(sf.data),
        )


Row = tuple[int, list[str]]


def csv_rows(sf: SourceFile, text: str, delimiter: str = ",") -> Iterator[Row]:
    """(first line of the row, cells) for each CSV row of ``text``; blank lines come as empty rows.

    Quoting is strict: a quote that is never closed (or text right after a closing quote) raises
    :class:`ImportFileError` naming the line where the broken row starts.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    # One loop inside one try, not a next() call in a try per row: a csv.Error here can only come from the
    # reader (closing the generator raises GeneratorExit at the yield, which passes through).
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        if "end of data" in str(exc):
            reason = "a quoted field starts in this row and its closing quote is missing (unterminated quote)"
        elif "field limit" in str(exc):
            reason = (
                f"a field is longer than {csv.field_size_limit():,} characters (real fields are a few hundred), "
                "so this is not a code file, or a quote opened here is never closed"
            )
        else:
            reason = f"bad CSV quoting ({exc})"
        raise ImportFileError(sf.name, reason, line=start) from None


def check_width(sf: SourceFile, line_no: int, row: Sequence[str], width: int, hint: str = "") -> None:
    """Every row has the header's ``width`` columns (extra empty cells at the end, as spreadsheets write them,
    are allowed). Raises :class:`ImportFileError` "expected 31 columns, found 17"."""
    if len(row) == width or (len(row) > width and not any(c.strip() for c in row[width:])):
        return
    raise ImportFileError(
        sf.name, f"expected {width} columns, found {len(row)}" + (f" ({hint})" if hint else ""), line=line_no
    )


def require_record_length(sf: SourceFile, line_no: int, record: str, minimum: int, last_field: str) -> None:
    """A fixed-width record must reach the last field the reader uses; a shorter one was cut short."""
    length = len(record.rstrip())
    if length < minimum:
        raise ImportFileError(
            sf.name,
            f"the record is {length} characters long; a record carries fields up to position {minimum} "
            f"({last_field}), so it is cut short",
            line=line_no,
        )


def require_columns(sf: SourceFile, line_no: int | None, missing: Sequence[str], found: str = "") -> None:
    """Refuse a header that lacks columns the reader uses: "wrong columns: missing WORK RVU"."""
    if missing:
        raise ImportFileError(
            sf.name,
            f"wrong columns: missing {', '.join(missing)}" + (f" (the header has: {found})" if found else ""),
            line=line_no,
        )
