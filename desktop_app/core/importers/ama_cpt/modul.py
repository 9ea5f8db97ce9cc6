"""MODUL.txt: the modifiers as a narrative document, walked section by section."""

from __future__ import annotations

import re

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers.model import Dataset, Monitor, is_modifier
from desktop_app.core.importers.textio import SourceFile
from desktop_app.core.kinds import CodeKind, DescriptorKind

# (heading, label stored as the modifier type, entry pattern, whether every matching line starts an entry).
# In the paragraph sections an entry starts only after a blank line, so "90 days" wrapped to the start of a
# line is not taken for modifier 90.
MODUL_SECTIONS: tuple[tuple[str, str, re.Pattern[str], bool], ...] = (
    ("appendix a", "CPT modifier", re.compile(r"^(\d\d)\s+(\S.*)$"), False),
    (
        "anesthesia physical status",
        "Anesthesia physical status modifier",
        re.compile(r"^(?:.*?\s)?(P\d)\s*:\s*(\S.*)$"),
        True,
    ),
    (
        "cpt level i modifiers",
        "CPT Level I modifier (hospital outpatient/ASC)",
        re.compile(r"^(\d\d)\s+(\S.*)$"),
        False,
    ),
    (
        "category ii modifiers",
        "Category II performance measure modifier",
        re.compile(r"^(\d[A-Z])\s+(\S.*)$"),
        False,
    ),
    (
        "level ii (hcpcs/national) modifiers",
        "HCPCS Level II modifier",
        re.compile(r"^([0-9A-Z]{2})\s+(\S.*)$"),
        True,
    ),
)


def read_modul(sf: SourceFile, lines: list[str], ds: Dataset, monitor: Monitor) -> None:
    section: tuple[str, str, re.Pattern[str], bool] | None = None
    entries: list[tuple[str, str, str, int, str]] = []  # code, section label, text, line, name
    current: list[str] | None = None
    monitor.start(f"Reading {sf.name}", len(lines))

    def close() -> None:
        nonlocal current
        if current is not None and section is not None:
            code, text = current[0], " ".join(current[1:])
            entries.append((code, section[1], text, start_line, modifier_name(section[1], current[1], text)))
        current = None

    start_line = 0
    for index, line in enumerate(lines):
        monitor.tick(index + 1)
        stripped = line.strip()
        heading = next((s for s in MODUL_SECTIONS if stripped.lower().startswith(s[0]) and len(stripped) < 80), None)
        if heading is not None:
            close()
            section = heading
            continue
        if section is None:
            continue
        if not stripped:
            close()
            continue
        m = section[2].match(stripped)
        if m and (current is None or section[3]):
            close()
            current = [m.group(1), m.group(2).strip()]
            start_line = index + 1
        elif current is not None:
            current.append(stripped)
    close()
    if section is None:
        raise ImportFileError(sf.name, "no 'Appendix A' heading: not a MODUL modifier file", line=None)
    for code, label, text, line_no, name in entries:
        if not is_modifier(code):
            raise ImportFileError(sf.name, f"{code!r} is not a modifier", line=line_no)
        rec = ds.record(code, CodeKind.MODIFIER)
        if name and name != text:
            rec.add_descriptor(DescriptorKind.SHORT, name)
        rec.add_descriptor(DescriptorKind.LONG, text)
        sections = rec.facts.setdefault("", {}).setdefault("modifier_types", [])
        assert isinstance(sections, list)
        if label not in sections:
            sections.append(label)
        ds.rows += 1


# Sections whose entries are a name on the first line and the explanation below it, with no colon.
_NAME_ON_FIRST_LINE = ("Category II performance measure modifier", "HCPCS Level II modifier")
_LONGEST_NAME = 250  # characters; 25's name wraps over three lines before its colon


def modifier_name(label: str, first_line: str, text: str) -> str:
    """A MODUL entry's name: the words before the colon ("Increased Procedural Services: When …"), where the
    colon may come after the name has wrapped to further lines; in the Category II and HCPCS sections, whose
    entries have no colon ("Performance Measure Exclusion Modifier due to Medical Reasons" then "Reasons
    include:" below), the first line."""
    first = first_line.strip()
    head, colon, _ = first.partition(":")
    if colon:
        return head.strip()
    if label in _NAME_ON_FIRST_LINE:
        return first
    head, colon, _ = text.partition(":")
    if colon and len(head) <= _LONGEST_NAME and "." not in head:
        return head.strip()
    return ""
