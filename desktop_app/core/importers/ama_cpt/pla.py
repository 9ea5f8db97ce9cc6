"""The PLA codes XML (CPTPLA): one <plaCode> per code, with its lab, manufacturer and test."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from desktop_app.core.errors import ImportFileError
from desktop_app.core.grammar import is_code, normalize
from desktop_app.core.importers.ama_cpt.common import set_fact
from desktop_app.core.importers.model import Dataset, Monitor, iso_date
from desktop_app.core.importers.textio import SourceFile
from desktop_app.core.kinds import DescriptorKind


def read_pla(sf: SourceFile, lines: list[str], ds: Dataset, current: set[str], monitor: Monitor) -> None:
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("<")), None)
    if start is None:
        raise ImportFileError(sf.name, "no XML found", line=1)
    try:
        root = ET.fromstring("\n".join(lines[start:]))
    except ET.ParseError as exc:
        line, _column_no = exc.position
        raise ImportFileError(
            sf.name, f"not well-formed XML (the file may be cut off): {exc}", line=start + line
        ) from None
    seen: dict[str, int] = {}
    text = sf.text()
    elements = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "plaCode"]
    monitor.start(f"Reading {sf.name}", len(elements))
    for index, element in enumerate(elements, start=1):
        monitor.tick(index)
        raw = element.get("cdCode") or _child(element, "cdCode")
        position = text.find(f'cdCode="{raw}"') if raw else -1
        line_no = text.count("\n", 0, position) + 1 if position >= 0 else None
        code = normalize(raw)
        if not is_code(code):
            raise ImportFileError(sf.name, f"plaCode {raw!r} is not a CPT code", line=line_no)
        if code in seen:
            second = text.find(f'cdCode="{raw}"', position + 1) if position >= 0 else -1
            raise ImportFileError(
                sf.name,
                f"duplicate key: {code} appears twice",
                line=text.count("\n", 0, second) + 1 if second >= 0 else None,
            )
        seen[code] = index
        rec = ds.record(code)
        # clinicalDesc / consumerDesc are in the AMA's own PLA fixtures (often empty).
        for tag, kind in (("cdDesc", DescriptorKind.LONG), ("cdMDesc", DescriptorKind.MEDIUM),
                          ("cdSDesc", DescriptorKind.SHORT), ("consumerDesc", DescriptorKind.CONSUMER),
                          ("clinicalDesc", DescriptorKind.CLINICIAN)):
            rec.add_descriptor(kind, _child(element, tag))
        set_fact(rec, "concept_id", element.get("cdId") or _child(element, "cdId"))
        for tag, fact in (
            ("cdStatus", "pla_status"),
            ("labName", "lab_name"),
            ("manufacturerName", "manufacturer_name"),
            ("testName", "test_name"),
        ):
            set_fact(rec, fact, _child(element, tag))
        for tag, fact in (("effectiveDate", "effective_date"), ("publishDate", "publish_date")):
            value = _child(element, tag)
            set_fact(rec, fact, iso_date(value) or value)
        status = _child(element, "cdStatus").lower()
        if status.startswith("delet"):
            set_fact(rec, "deleted_date", iso_date(_child(element, "effectiveDate")) or ds.effective_date)
        else:
            current.add(code)
        ds.rows += 1


def _child(element: ET.Element, tag: str) -> str:
    for child in element:
        if child.tag.rsplit("}", 1)[-1] == tag:
            return " ".join((child.text or "").split())
    return ""
