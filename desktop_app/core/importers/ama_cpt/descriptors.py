"""LONGULT/LONGUT, MEDU, SHORTU, ConsumerDescriptor, ClinicianDescriptor, and the 2026 ConsolidatedCodeList and
Modifiers files: the descriptor files of a release."""

from __future__ import annotations

from desktop_app.core.errors import ImportFileError
from desktop_app.core.grammar import is_code
from desktop_app.core.importers.ama_cpt.common import (
    FIXED_LINE,
    LONG_LINE,
    add_descriptor_row,
    code_cell,
    column,
    header_of,
    set_fact,
    table_rows,
)
from desktop_app.core.importers.ama_cpt.formats import LONGULT, LONGUT, MEDU, SHORTU
from desktop_app.core.importers.model import Dataset, Monitor, iso_date
from desktop_app.core.importers.textio import SourceFile
from desktop_app.core.kinds import CodeKind, DescriptorKind


def read_simple(sf: SourceFile, lines: list[str], fmt: str, ds: Dataset, current: set[str], monitor: Monitor) -> None:
    tabbed = fmt in (LONGULT, LONGUT)
    pattern = LONG_LINE if tabbed else FIXED_LINE
    kind = {LONGULT: DescriptorKind.LONG, LONGUT: DescriptorKind.LONG, MEDU: DescriptorKind.MEDIUM,
            SHORTU: DescriptorKind.SHORT}[fmt]
    start = next((i for i, line in enumerate(lines) if pattern.match(line)), None)
    if start is None:
        raise ImportFileError(
            sf.name,
            "no data lines found (expected 'code" + ("<TAB>" if tabbed else " ") + "descriptor')",
            line=None,
        )
    # The notice ends with a blank line (as the AMA's own reader assumes): data starts after the last blank
    # line before the first data line, so a damaged first record is reported, not taken for notice text.
    start = next((i + 1 for i in range(start - 1, -1, -1) if not lines[i].strip()), start)
    seen: dict[str, int] = {}
    monitor.start(f"Reading {sf.name}", len(lines))
    for index in range(start, len(lines)):
        line_no = index + 1
        monitor.tick(line_no)
        line = lines[index]
        if not line.strip():
            continue
        m = pattern.match(line)
        if not m:
            what = "code<TAB>descriptor" if tabbed else "code, a blank, the descriptor"
            raise ImportFileError(
                sf.name,
                f"not a {fmt[4:].upper()} line ({what})",
                line=line_no,
            )
        code = m.group(1)
        if not is_code(code):
            raise ImportFileError(sf.name, f"{code!r} is not a CPT code", line=line_no)
        if code in seen:
            raise ImportFileError(sf.name, f"duplicate key: {code} is already on line {seen[code]}", line=line_no)
        seen[code] = line_no
        text = m.group(2).strip()
        if not text:
            raise ImportFileError(sf.name, f"{code} has no descriptor", line=line_no)
        ds.record(code).add_descriptor(kind, text)
        current.add(code)
        ds.rows += 1


def read_consumer(sf: SourceFile, lines: list[str], ds: Dataset, current: set[str], monitor: Monitor) -> None:
    header, keys = header_of(sf, lines, ("cptcode",))
    code_col = column(keys, "cptcode", default=1)
    concept_col = column(keys, "conceptid", default=0)
    text_col = column(keys, "consumerfriendlydescriptor", "consumerdescriptor", "descriptor", default=2)
    assert code_col is not None and text_col is not None
    seen: dict[str, int] = {}
    for line_no, cells in table_rows(sf, lines, header, len(keys), monitor):
        code = code_cell(sf, cells[code_col], line_no)
        if code in seen:
            raise ImportFileError(sf.name, f"duplicate key: {code} is already on line {seen[code]}", line=line_no)
        seen[code] = line_no
        add_descriptor_row(ds, current, code, DescriptorKind.CONSUMER, cells[text_col],
                            cells[concept_col] if concept_col is not None else "")


def read_clinician(sf: SourceFile, lines: list[str], ds: Dataset, current: set[str], monitor: Monitor) -> None:
    header, keys = header_of(sf, lines, ("cptcode", "cliniciandescriptor"))
    code_col = column(keys, "cptcode", default=1)
    concept_col = column(keys, "conceptid", default=0)
    id_col = column(keys, "cliniciandescriptorid", default=2)
    text_col = next((i for i, k in enumerate(keys) if "cliniciandescriptor" in k and not k.endswith("id")), 3)
    assert code_col is not None
    seen: dict[str, int] = {}
    for line_no, cells in table_rows(sf, lines, header, len(keys), monitor):
        code = code_cell(sf, cells[code_col], line_no)
        descriptor_id = cells[id_col] if id_col is not None else ""
        if descriptor_id:
            if descriptor_id in seen:
                raise ImportFileError(
                    sf.name,
                    f"duplicate key: clinician descriptor id {descriptor_id} is already on line {seen[descriptor_id]}",
                    line=line_no,
                )
            seen[descriptor_id] = line_no
        add_descriptor_row(ds, current, code, DescriptorKind.CLINICIAN, cells[text_col],
                            cells[concept_col] if concept_col is not None else "")


def read_code_list(sf: SourceFile, lines: list[str], ds: Dataset, current: set[str], monitor: Monitor) -> None:
    header, keys = header_of(sf, lines, ("cptcode", "long"))
    col = {
        "concept": column(keys, "conceptid"),
        "code": column(keys, "cptcode"),
        "long": column(keys, "long", "longdescriptor"),
        "medium": column(keys, "medium", "mediumdescriptor"),
        "short": column(keys, "short", "shortdescriptor"),
        "consumer": column(keys, "consumer"),
        "spanish": column(keys, "spanishconsumer"),
        "effective": column(keys, "currentdescriptoreffectivedate"),
        "test": column(keys, "testname"),
        "lab": column(keys, "labname"),
        "manufacturer": column(keys, "manufacturername"),
    }
    code_col = col["code"]
    assert code_col is not None
    seen: dict[str, int] = {}
    for line_no, cells in table_rows(sf, lines, header, len(keys), monitor):
        code = code_cell(sf, cells[code_col], line_no)
        if code in seen:
            raise ImportFileError(sf.name, f"duplicate key: {code} is already on line {seen[code]}", line=line_no)
        seen[code] = line_no
        rec = ds.record(code)
        for kind in (DescriptorKind.LONG, DescriptorKind.MEDIUM, DescriptorKind.SHORT, DescriptorKind.CONSUMER):
            index = col[kind]
            if index is not None and index != col["spanish"]:
                rec.add_descriptor(kind, cells[index])
        for key, fact in (
            ("concept", "concept_id"),
            ("spanish", "spanish_consumer"),
            ("test", "test_name"),
            ("lab", "lab_name"),
            ("manufacturer", "manufacturer_name"),
        ):
            index = col[key]
            if index is not None:
                set_fact(rec, fact, cells[index])
        if col["effective"] is not None and cells[col["effective"]]:
            set_fact(rec, "descriptor_effective_date", iso_date(cells[col["effective"]]) or cells[col["effective"]])
        current.add(code)
        ds.rows += 1


def read_modifiers(sf: SourceFile, lines: list[str], ds: Dataset, monitor: Monitor) -> None:
    header, keys = header_of(sf, lines, ("modifiercode",))
    code_col = column(keys, "modifiercode")
    assert code_col is not None
    name_col = column(keys, "modifiername")
    text_col = column(keys, "modifierdescription")
    level_col = column(keys, "leveliii", "level")
    effective_col = column(keys, "modifierdescriptoreffective", "effective")
    section_col = column(keys, "sectionmainsection", "section")
    concept_col = column(keys, "conceptid")
    seen: dict[str, int] = {}
    for line_no, cells in table_rows(sf, lines, header, len(keys), monitor):
        code = code_cell(sf, cells[code_col], line_no, modifier=True)
        if code in seen:
            raise ImportFileError(
                sf.name, f"duplicate key: modifier {code} is already on line {seen[code]}", line=line_no
            )
        seen[code] = line_no
        rec = ds.record(code, CodeKind.MODIFIER)
        if name_col is not None:
            rec.add_descriptor(DescriptorKind.SHORT, cells[name_col])
        if text_col is not None:
            rec.add_descriptor(DescriptorKind.LONG, cells[text_col])
        for index, fact in ((concept_col, "concept_id"), (level_col, "level"), (section_col, "section")):
            if index is not None:
                set_fact(rec, fact, cells[index])
        if effective_col is not None and cells[effective_col]:
            set_fact(rec, "descriptor_effective_date", iso_date(cells[effective_col]) or cells[effective_col])
        ds.rows += 1
