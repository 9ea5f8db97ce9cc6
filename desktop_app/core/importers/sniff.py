"""Format detection from content, and walking folders and zips into the files to import.

Every file is sniffed by what is in it (header rows, record shapes, XML/JSON keys); the name only breaks
ties the content cannot (SHORTU vs MEDU when all texts are short, a headerless tab list). A folder or zip is
walked and each member sniffed; members that are not importable (README, PDF, GPCI …) are skipped with a note.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers import ama_cpt, cms_gpci, cms_hcpcs, cms_qpp, cms_rvu, generic_csv
from desktop_app.core.importers.textio import SourceFile, check_text, looks_binary, split_lines, utf16_head
from desktop_app.core.importers.xlsx import is_xlsx, read_rows

ZIP = "zip"
FOLDER = "folder"
MAX_MEMBER_BYTES = 512 * 1024 * 1024
MAX_ZIP_DEPTH = 2
SNIFF_BYTES = 65536

# Human labels of the format ids, for messages and the UI.
FORMAT_LABELS = {
    cms_rvu.FORMAT_CSV: "CMS PFS RVU file (PPRRVU, CSV)",
    cms_rvu.FORMAT_TXT: "CMS PFS RVU file (PPRRVU, fixed-width text)",
    cms_rvu.FORMAT_XLSX: "CMS PFS RVU file (PPRRVU, Excel)",
    cms_hcpcs.FORMAT_TXT: "CMS HCPCS Level II file (ANWEB, fixed-width text)",
    cms_hcpcs.FORMAT_XLSX: "CMS HCPCS Level II file (ANWEB, Excel)",
    ama_cpt.LONGULT: "AMA CPT long descriptors (LONGULT)",
    ama_cpt.MEDU: "AMA CPT medium descriptors (MEDU)",
    ama_cpt.SHORTU: "AMA CPT short descriptors (SHORTU)",
    ama_cpt.CONSUMER: "AMA CPT consumer-friendly descriptors",
    ama_cpt.CLINICIAN: "AMA CPT clinician descriptors",
    ama_cpt.PLA: "AMA CPT PLA codes (XML)",
    ama_cpt.DELETED: "AMA CPT Link deleted codes (Deleted_DTK)",
    ama_cpt.HISTORY: "AMA CPT Link code history (History_DTK)",
    ama_cpt.HISTORY_MODIFIERS: "AMA CPT Link modifier history (HistoryModifiers_DTK)",
    ama_cpt.CODE_LIST: "AMA CPT consolidated code list",
    ama_cpt.MODIFIERS: "AMA CPT modifiers list (Modifiers.txt)",
    ama_cpt.MODUL: "AMA CPT modifiers document (MODUL)",
    cms_qpp.FORMAT_JSON: "CMS QPP measures data (JSON)",
    cms_qpp.FORMAT_CLAIMS: "CMS QPP claims single-source code list (CSV)",
    cms_gpci.FORMAT: "CMS geographic practice cost indices (GPCI, CSV)",
    generic_csv.FORMAT: "code list (CSV: code, descriptor[, category])",
    ZIP: "zip archive",
    FOLDER: "folder",
}

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
    """The format id of one readable file (never a container), or None."""
    data = sf.data
    if is_xlsx(data):
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
    return _sniff_text(sf, _head_text(data), len(data) > SNIFF_BYTES)


def _sniff_text(sf: SourceFile, head: str, cut: bool) -> str | None:
    lines = split_lines(head)
    if cut and len(lines) > 1:
        lines = lines[:-1]
    return (
        cms_qpp.sniff_text(head)
        or cms_rvu.sniff_lines(lines)
        or cms_hcpcs.sniff_lines(lines)
        or cms_gpci.sniff_lines(lines)
        or ama_cpt.sniff(sf, lines)
        or (generic_csv.FORMAT if generic_csv.sniff_text(head) else None)
    )


# Name patterns, used only when the content matched nothing (a damaged file): reading it with the reader its
# name suggests gives a precise message ("line 7: wrong number of columns") instead of "not supported".
_NAME_GUESSES: tuple[tuple[str, str, str], ...] = (
    (r"PPRRVU", "csv", cms_rvu.FORMAT_CSV),
    (r"PPRRVU", "txt", cms_rvu.FORMAT_TXT),
    (r"PPRRVU", "xlsx", cms_rvu.FORMAT_XLSX),
    (r"ANWEB", "txt", cms_hcpcs.FORMAT_TXT),
    (r"ANWEB", "xlsx", cms_hcpcs.FORMAT_XLSX),
    (r"^LONGU", "", ama_cpt.LONGULT),
    (r"^MEDU", "", ama_cpt.MEDU),
    (r"^SHORTU", "", ama_cpt.SHORTU),
    (r"CONSUMERDESCRIPTOR", "", ama_cpt.CONSUMER),
    (r"CLINICIANDESCRIPTOR", "", ama_cpt.CLINICIAN),
    (r"(?<![A-Z])(?:CPT)?PLA(?![A-Z])", "xml", ama_cpt.PLA),
    (r"DELETED_DTK", "", ama_cpt.DELETED),
    (r"HISTORYMODIFIERS_DTK", "", ama_cpt.HISTORY_MODIFIERS),
    (r"HISTORY_DTK", "", ama_cpt.HISTORY),
    (r"CONSOLIDATEDCODELIST", "", ama_cpt.CODE_LIST),
    (r"^MODIFIERS$", "txt", ama_cpt.MODIFIERS),
    (r"^MODUL", "", ama_cpt.MODUL),
    (r"MEASURES[-_ ]?DATA", "json", cms_qpp.FORMAT_JSON),
    (r"SINGLESOURCE", "csv", cms_qpp.FORMAT_CLAIMS),
    (r"", "csv", generic_csv.FORMAT),
)


def guess_from_name(sf: SourceFile) -> str | None:
    """The format a file's name suggests (see :data:`_NAME_GUESSES`), or None."""
    stem = sf.stem.upper()
    for pattern, suffix, fmt in _NAME_GUESSES:
        if re.search(pattern, stem) and (not suffix or sf.suffix == suffix):
            if fmt.endswith("-xlsx") != is_xlsx(sf.data):
                continue
            return fmt
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
    text = utf16_head(sf.data, 2 * SNIFF_BYTES)
    if text is not None and (fmt := _sniff_text(sf, text.lstrip("\ufeff"), len(sf.data) > 2 * SNIFF_BYTES)):
        return fmt
    if sf.suffix not in _DATA_SUFFIXES or re.search(r"READ_?ME", sf.stem, re.I):
        return None
    fmt = guess_from_name(sf)
    return fmt if fmt != generic_csv.FORMAT else None


def family(fmt: str) -> str:
    for prefix in ("cms-rvu", "cms-hcpcs", "cms-qpp-claims", "cms-qpp", "cms-gpci", "ama"):
        if fmt.startswith(prefix):
            return prefix
    return fmt


@dataclass
class Plan:
    """What one path turned into: files with their formats, and notes about what was skipped."""

    files: list[tuple[SourceFile, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _is_zip(data: bytes) -> bool:
    return data.startswith(b"PK") and not is_xlsx(data)


def _zip_members(name: str, data: bytes, hints: tuple[str, ...], depth: int) -> list[SourceFile]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(name, f"the zip (or xlsx) file is damaged or incomplete: {exc}") from None
    members: list[SourceFile] = []
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            parts = [p for p in info.filename.replace("\\", "/").split("/") if p]
            if info.is_dir() or not parts or parts[0] == "__MACOSX" or parts[-1].startswith("."):
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                raise ImportFileError(name, f"{info.filename} is too large to import ({info.file_size:,} bytes)")
            try:
                member = archive.read(info)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise ImportFileError(
                    f"{name}/{info.filename}", f"cannot be read from the zip (damaged or incomplete?): {exc}"
                ) from None
            member_name = f"{name}/{'/'.join(parts)}"
            member_hints = (parts[-1], *reversed(parts[:-1]), *hints)
            if _is_zip(member) and depth < MAX_ZIP_DEPTH:
                members.extend(_zip_members(member_name, member, member_hints, depth + 1))
            else:
                members.append(SourceFile(member_name, member, member_hints, container=name))
    return members


def _folder_members(path: Path) -> list[SourceFile]:
    members: list[SourceFile] = []
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = file.relative_to(path)
        if any(part.startswith(".") or part == "__MACOSX" for part in rel.parts):
            continue
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise ImportFileError(f"{path.name}/{rel.as_posix()}", f"cannot be read: {exc.strerror or exc}") from None
        name = f"{path.name}/{rel.as_posix()}"
        hints = (file.name, *reversed(rel.parts[:-1]), path.name)
        if _is_zip(data):
            members.extend(_zip_members(name, data, hints, 1))
        else:
            members.append(SourceFile(name, data, hints, container=path.name))
    return members


def read_path(path: Path) -> tuple[list[SourceFile], bool]:
    """The files behind ``path`` and whether it was a container (folder or zip)."""
    if path.is_dir():
        return _folder_members(path), True
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):  # reading a FIFO or a device would block or never end
            raise ImportFileError(
                path.name,
                "this is not a regular file (a pipe, socket or device); import a file, a folder or a zip",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(path.name, "file not found") from None
    except OSError as exc:
        raise ImportFileError(path.name, f"cannot be read: {exc.strerror or exc}") from None
    if _is_zip(data):
        return _zip_members(path.name, data, (path.name,), 1), True
    # The folders around a file may name its release ("CPT 2030 data files/standard/MEDU.txt").
    folders = tuple(p.name for p in list(path.resolve().parents)[:3] if p.name)
    return [SourceFile(path.name, data, (path.name, *folders))], False


def plan(path: Path, supported: str) -> Plan:
    """Sniff ``path`` (a file, folder or zip). Raises :class:`ImportFileError` when nothing is importable."""
    files, container = read_path(path)
    result = Plan()
    if not container:
        sf = files[0]
        if sf.data.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportFileError(
                sf.name,
                "this is an old Excel (.xls) workbook; save it as .xlsx or CSV in "
                "Excel and import that (CMS publishes the same data as .txt, .csv or .xlsx)",
            )
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
        key = (family(fmt), sf.container, sf.stem.lower())
        if family(fmt) not in ("cms-rvu", "cms-hcpcs"):
            key = (fmt, sf.container, sf.name)
        if key in chosen:
            other = chosen[key][0]
            if _FORM_PREFERENCE.get(sf.suffix, 9) < _FORM_PREFERENCE.get(other.suffix, 9):
                chosen[key] = (sf, fmt)
                skipped.append(f"{other.name} (same data as {sf.base_name})")
            else:
                skipped.append(f"{sf.name} (same data as {other.base_name})")
            continue
        chosen[key] = (sf, fmt)
    if not chosen:
        raise ImportFileError(
            path.name, f"no importable file found in it ({len(files)} file(s) looked at). {supported}"
        )
    result.files.extend(chosen.values())
    if skipped:
        result.notes.append(
            f"skipped {len(skipped)} file(s) that are not importable or repeat another: "
            + ", ".join(skipped[:10])
            + (" …" if len(skipped) > 10 else "")
        )
    return result
