"""Files as the importers see them: bytes with a name, turned into text lines.

Encodings accepted: UTF-8 with or without a BOM, and Windows-1252 (older CMS and AMA files). A file is
refused, with the line named, when it is empty, binary (NUL bytes), UTF-16, mixes UTF-8 with another
encoding, or holds bytes that are text in neither encoding. Line ends may be CRLF, LF or CR.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property

from desktop_app.core.errors import ImportFileError

# Bytes that Windows-1252 leaves undefined: a file holding them is not Windows-1252 text either.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
# A UTF-8 multi-byte sequence. Found in a file that is not valid UTF-8, it means the file mixes encodings
# ("≥" written as UTF-8 next to "’" in Windows-1252); real Windows-1252 text practically never has one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL = re.compile(rb"[\x01-\x08\x0e-\x19\x1b-\x1f]")


@dataclass(eq=False)
class SourceFile:
    """One file to import: a file on disk, a file inside a folder, or a member of a zip.

    ``name`` is what messages show (``RVU25D.zip/PPRRVU2025_Oct.csv``); ``hints`` are the names around it
    (the file name, its folders, the zip's name), used to find a release when the content does not say.
    """

    name: str
    data: bytes
    hints: tuple[str, ...] = ()
    container: str = ""  # the folder or zip it came from ('' for a file given directly)
    _cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

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
    utf8_before = _UTF8_SEQUENCE.search(data, 0, bad)
    utf8_after = _UTF8_SEQUENCE.search(data, bad)
    if utf8_before is not None or utf8_after is not None:
        raise ImportFileError(
            name,
            f"the file mixes encodings: byte 0x{data[bad]:02X} is not UTF-8, but other lines are UTF-8; "
            "save the whole file as UTF-8 and import it again",
            line=line_of_offset(data, bad),
        )
    undefined = _CP1252_UNDEFINED.search(data)
    if undefined is not None:
        raise ImportFileError(
            name,
            f"byte 0x{data[undefined.start()]:02X} is text in neither UTF-8 nor Windows-1252 (wrong encoding?)",
            line=line_of_offset(data, undefined.start()),
        )
    return data.decode("cp1252")


def split_lines(text: str) -> list[str]:
    """Split on CRLF, LF or CR only (``str.splitlines`` would also split on form feeds and U+2028)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def ends_with_newline(data: bytes) -> bool:
    return data.endswith((b"\n", b"\r"))
