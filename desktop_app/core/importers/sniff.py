"""Format detection from content, and walking folders and zips into the files to import.

Every file is sniffed by what is in it (header rows, record shapes, XML/JSON keys); the name only breaks
ties the content cannot (SHORTU vs MEDU when all texts are short, a headerless tab list). A folder or zip is
walked and each member sniffed; members that are not importable (README, PDF, GPCI …) are skipped with a note.
"""

from __future__ import annotations

import errno
import functools
import io
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from desktop_app.core.errors import ImportFileError, printable
from desktop_app.core.importers import ama_cpt, cms_gpci, cms_hcpcs, cms_ncci, cms_qpp, cms_rvu, generic_csv
from desktop_app.core.importers.formats import FORMATS, Reading
from desktop_app.core.importers.limits import (
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_ZIP_MEMBERS,
    RATIO_CHECKED_FROM,
    megabytes,
)
from desktop_app.core.importers.textio import (
    SourceFile,
    check_text,
    looks_binary,
    split_lines,
    too_large,
    utf16_head,
)
from desktop_app.core.importers.xlsx import is_xlsx, read_rows

ZIP = "zip"
FOLDER = "folder"
MAX_ZIP_DEPTH = 2
SNIFF_BYTES = 65536

# Human labels of the format ids (the registry's), and of the two containers, for messages and the UI.
FORMAT_LABELS = {**{fmt.id: fmt.label for fmt in FORMATS.values()}, ZIP: "zip archive", FOLDER: "folder"}

# Within one folder or zip, the same file in several forms (PPRRVU2025_Oct.csv/.txt/.xlsx) is read once.
_FORM_PREFERENCE = {"csv": 0, "txt": 1, "xlsx": 2}


def _head_text(data: bytes) -> str:
    head = data[:SNIFF_BYTES]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut by the sample's end
            return head[: exc.start].decode("utf-8")
        return head.decode("cp1252", errors="replace")


def sniff_file(sf: SourceFile) -> str | None:
    """The format id of one readable file (never a container), or None. Reads only the head of a text file."""
    data = sf.head(2 * SNIFF_BYTES)
    if data.startswith(b"PK") and is_xlsx(sf.data):
        try:
            rows = [r for _, r in read_rows(sf, limit=40)]
        except ImportFileError:
            return None
        if cms_hcpcs.sniff_rows(rows[:1]):
            return cms_hcpcs.FORMAT_XLSX
        if cms_rvu.sniff_rows(rows):
            return cms_rvu.FORMAT_XLSX
        return None
    if not data.strip() or looks_binary(data):
        return None
    return _sniff_text(sf, _head_text(data), sf.size > SNIFF_BYTES)


def _sniff_text(sf: SourceFile, head: str, cut: bool) -> str | None:
    lines = split_lines(head)
    if cut and len(lines) > 1:
        lines = lines[:-1]
    return (
        cms_qpp.sniff_text(head)
        or cms_ncci.sniff_lines(lines)
        or cms_rvu.sniff_lines(lines)
        or cms_hcpcs.sniff_lines(lines)
        or cms_gpci.sniff_lines(lines)
        or ama_cpt.sniff(sf, lines)
        or (generic_csv.FORMAT if generic_csv.sniff_text(head) else None)
    )


def guess_from_name(sf: SourceFile) -> str | None:
    """The format a file's name suggests (the registry's :class:`~desktop_app.core.importers.formats.NameRule`s,
    in its order), or None. Used only when the content matched nothing (a damaged file): reading it with the
    reader its name suggests gives a precise message ("line 7: wrong number of columns") instead of "not
    supported"."""
    stem = sf.stem.upper()
    workbook = sf.head(2).startswith(b"PK") and is_xlsx(sf.data)
    for fmt in FORMATS.values():
        if fmt.workbook == workbook and any(rule.matches(stem, sf.suffix) for rule in fmt.names):
            return fmt.id
    return None


# In a folder or zip only these may be taken for code files by their name (a PDF or README never is).
_DATA_SUFFIXES = frozenset({"csv", "txt", "xlsx", "json", "xml", ""})


def recognise(sf: SourceFile) -> str | None:
    """The format of a member of a folder or zip: by its content, else (a damaged or UTF-16 file) by what its
    content would be as UTF-16 or by a name that only a code file has (PPRRVU…, …ANWEB…, LONGULT …).

    A member recognised this way is read, so a broken one stops the import with its own reason; only members
    that are none of these (README, PDF, GPCI table, proc notes) are skipped.
    """
    fmt = sniff_file(sf)
    if fmt is not None:
        return fmt
    text = utf16_head(sf.head(2 * SNIFF_BYTES), 2 * SNIFF_BYTES)
    if text is not None and (fmt := _sniff_text(sf, text.lstrip("\ufeff"), sf.size > 2 * SNIFF_BYTES)):
        return fmt
    if sf.suffix not in _DATA_SUFFIXES or re.search(r"READ_?ME", sf.stem, re.I):
        return None
    fmt = guess_from_name(sf)
    return fmt if fmt != generic_csv.FORMAT else None


@dataclass
class Plan:
    """What one path turned into: files with their formats, and notes about what was skipped."""

    files: list[tuple[SourceFile, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _is_zip(sf: SourceFile) -> bool:
    return sf.head(4).startswith(b"PK") and not is_xlsx(sf.data)


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member must not be decompressed (checked on the sizes the zip declares, before reading)."""
    if info.file_size > MAX_FILE_BYTES:
        return too_large(info.file_size)
    if info.file_size > RATIO_CHECKED_FROM:
        ratio = info.file_size / info.compress_size if info.compress_size else float("inf")
        if ratio > MAX_COMPRESSION_RATIO:
            return (
                f"it would expand {ratio:,.0f} times (from {megabytes(info.compress_size)} to "
                f"{megabytes(info.file_size)}); CodeDesk does not unpack zip members that expand more than "
                f"{MAX_COMPRESSION_RATIO} times (real files expand at most about 15 times): a zip bomb or a damaged zip"
            )
    return None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, size: int | None = None) -> bytes:
    """The member's bytes (or its first ``size``), with every way a damaged zip fails named as such."""
    try:
        with archive.open(info) as stream:
            return stream.read(-1 if size is None else size)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise ImportFileError(name, f"cannot be read from the zip (damaged, incomplete or encrypted?): {exc}") from None
    except zlib.error as exc:
        raise ImportFileError(name, f"cannot be read from the zip (damaged data): {exc}") from None


def _refuse(name: str, problem: str) -> bytes:
    raise ImportFileError(name, problem)


@dataclass
class _Walk:
    """What walking a folder or zip found: the files, and the zips nested too deep to open."""

    files: list[SourceFile] = field(default_factory=list)
    too_deep: list[str] = field(default_factory=list)


def _open_zip(name: str, source: str | Path | bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFileError(name, f"the zip (or xlsx) file is damaged or incomplete: {exc}") from None


def _add(walk: _Walk, sf: SourceFile, hints: tuple[str, ...], depth: int, source: Path | None = None) -> None:
    """Add ``sf`` to the walk, or the members of the zip it is (nested zips at most MAX_ZIP_DEPTH deep)."""
    if not _is_zip(sf):
        walk.files.append(sf)
    elif depth > MAX_ZIP_DEPTH:
        walk.too_deep.append(sf.name)
    else:
        archive = _open_zip(sf.name, source if source is not None else sf.data)
        _zip_members(walk, sf.name, archive, hints, depth)


def _zip_members(walk: _Walk, name: str, archive: zipfile.ZipFile, hints: tuple[str, ...], depth: int) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ImportFileError(
            name, f"the zip has {len(infos):,} members; CodeDesk opens zips of up to {MAX_ZIP_MEMBERS:,} files"
        )
    for info in sorted(infos, key=lambda i: i.filename):
        parts = [p for p in info.filename.replace("\\", "/").split("/") if p]
        if info.is_dir() or not parts or parts[0] == "__MACOSX" or parts[-1].startswith("."):
            continue
        member_name = f"{name}/{'/'.join(parts)}"
        member_hints = (parts[-1], *reversed(parts[:-1]), *hints)
        problem = _member_problem(info)
        load = (
            functools.partial(_refuse, printable(member_name), problem)
            if problem
            else functools.partial(_read_member, archive, info, printable(member_name))
        )
        head = _read_member(archive, info, printable(member_name), 2 * SNIFF_BYTES)
        opener = functools.partial(_open_member, archive, info, printable(member_name))
        sf = SourceFile(member_name, None, member_hints, container=name, size=info.file_size, load=load, head=head,
                        opener=opener)
        _add(walk, sf, member_hints, depth + 1)


def _open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> IO[bytes]:
    """A zip member as a stream (for readers that stream rows; see SourceFile.open_stream)."""
    try:
        return archive.open(info)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise ImportFileError(name, f"cannot be read from the zip (damaged, incomplete or encrypted?): {exc}") from None


def _open_disk_file(path: Path, name: str) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        raise ImportFileError(name, f"cannot be read: {exc.strerror or exc}") from None


def _read_head(path: Path, name: str) -> bytes:
    try:
        with path.open("rb") as stream:
            return stream.read(2 * SNIFF_BYTES)
    except OSError as exc:
        raise ImportFileError(name, f"cannot be read: {exc.strerror or exc}") from None


def _read_file(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImportFileError(name, f"cannot be read: {exc.strerror or exc}") from None


def _disk_file(path: Path, name: str, hints: tuple[str, ...], container: str) -> SourceFile:
    """A file on disk, read lazily: only its head until its content is needed."""
    try:
        info = path.stat()
    except OSError as exc:
        raise ImportFileError(name, f"cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):  # reading a FIFO or a device would block or never end
        raise ImportFileError(
            name, "this is not a regular file (a pipe, socket or device); import a file, a folder or a zip"
        )
    head = _read_head(path, name)
    load = functools.partial(_read_file, path, name)
    opener = functools.partial(_open_disk_file, path, name)
    return SourceFile(name, None, hints, container=container, size=info.st_size, load=load, head=head, opener=opener)


def _folder_members(path: Path) -> _Walk:
    walk = _Walk()
    label = printable(path.name)
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = file.relative_to(path)
        if any(part.startswith(".") or part == "__MACOSX" for part in rel.parts):
            continue
        name = f"{path.name}/{rel.as_posix()}"
        hints = (file.name, *reversed(rel.parts[:-1]), path.name)
        sf = _disk_file(file, name, hints, label)
        _add(walk, sf, hints, 1, source=file)
    return walk


def read_path(path: Path) -> tuple[list[SourceFile], bool]:
    """The files behind ``path`` and whether it was a container (folder or zip)."""
    files, container, _ = _read_path(path)
    return files, container


def _read_path(path: Path) -> tuple[list[SourceFile], bool, list[str]]:
    label = printable(path.name)
    try:
        is_dir = path.is_dir()
        path.stat()
    except FileNotFoundError:
        reason = "the link points to nothing (a broken symbolic link)" if path.is_symlink() else "file not found"
        raise ImportFileError(label, reason) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ImportFileError(label, "a symbolic link loop (the link points back to itself)") from None
        raise ImportFileError(label, f"cannot be read: {exc.strerror or exc}") from None
    if is_dir:
        walk = _folder_members(path)
        return walk.files, True, walk.too_deep
    # The folders around a file may name its release ("CPT 2030 data files/standard/MEDU.txt").
    folders = tuple(p.name for p in list(path.resolve().parents)[:3] if p.name)
    sf = _disk_file(path, path.name, (path.name, *folders), "")
    if sf.head(4).startswith(b"PK") and not _path_is_xlsx(path, sf):
        walk = _Walk()
        _zip_members(walk, sf.name, _open_zip(sf.name, path), (path.name,), 1)
        return walk.files, True, walk.too_deep
    return [sf], False, []


def _path_is_xlsx(path: Path, sf: SourceFile) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def plan(path: Path, supported: str) -> Plan:
    """Sniff ``path`` (a file, folder or zip). Raises :class:`ImportFileError` when nothing is importable."""
    files, container, too_deep = _read_path(path)
    result = Plan()
    if not container:
        sf = files[0]
        if sf.head(4).startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportFileError(
                sf.name,
                "this is an old Excel (.xls) workbook; save it as .xlsx or CSV in "
                "Excel and import that (CMS publishes the same data as .txt, .csv or .xlsx)",
            )
        streamed = sniff_file(sf)
        if streamed is not None and FORMATS[streamed].reading is Reading.STREAMED:  # far larger: never loaded whole
            result.files.append((sf, streamed))
            return result
        if not is_xlsx(sf.data):
            check_text(sf.name, sf.data)  # empty, UTF-16 and binary files get their own message
        fmt = sniff_file(sf) or guess_from_name(sf)
        if fmt is None:
            raise ImportFileError(sf.name, f"this is not a file CodeDesk can import. {supported}")
        result.files.append((sf, fmt))
        return result
    found = [(sf, recognise(sf)) for sf in files]
    skipped = [sf.name for sf, fmt in found if fmt is None]
    chosen: dict[tuple[str, str, str], tuple[SourceFile, str]] = {}
    for sf, fmt in found:
        if fmt is None:
            continue
        entry = FORMATS[fmt]
        key = (entry.family, sf.container, sf.stem.lower()) if entry.one_form_per_release else (fmt, sf.container,
                                                                                                   sf.name)
        if key in chosen:
            other = chosen[key][0]
            if _FORM_PREFERENCE.get(sf.suffix, 9) < _FORM_PREFERENCE.get(other.suffix, 9):
                chosen[key] = (sf, fmt)
                skipped.append(f"{other.name} (same data as {sf.base_name})")
            else:
                skipped.append(f"{sf.name} (same data as {other.base_name})")
            continue
        chosen[key] = (sf, fmt)
    deep = (
        f"; {len(too_deep)} zip(s) nested more than {MAX_ZIP_DEPTH} deep were not opened (unzip them first): "
        + ", ".join(too_deep[:3])
        if too_deep
        else ""
    )
    if not chosen:
        raise ImportFileError(
            path.name, f"no importable file found in it ({len(files)} file(s) looked at{deep}). {supported}"
        )
    if too_deep:
        result.notes.append(deep[2:])
    result.files.extend(chosen.values())
    if skipped:
        result.notes.append(
            f"skipped {len(skipped)} file(s) that are not importable or repeat another: "
            + ", ".join(skipped[:10])
            + (" …" if len(skipped) > 10 else "")
        )
    return result
