"""What both CMS QPP readers share: the kinds and format ids, measure ids and years, the content test, and
how many measures a dataset links."""

from __future__ import annotations

import re
from collections import Counter

from desktop_app.core.importers.model import Dataset
from desktop_app.core.importers.textio import SourceFile
from desktop_app.core.kinds import SourceKind
from desktop_app.core.quality import (
    parent_measure,
)

KIND_JSON = SourceKind.CMS_QPP


KIND_CLAIMS = SourceKind.CMS_QPP_CLAIMS


FORMAT_JSON = "cms-qpp-json"


FORMAT_CLAIMS = "cms-qpp-claims-csv"


def normalize_measure_id(raw: str) -> str:
    text = re.sub(r"[^\x21-\x7e]", "", raw)
    m = re.fullmatch(r"(\d+)(?:\.(\d+))?", text)
    if m:
        return f"{int(m.group(1)):03d}" + (f".{m.group(2)}" if m.group(2) else "")
    return text


def _year_from(sf: SourceFile, text_sample: str = "") -> int | None:
    for hint in (sf.base_name, *sf.hints):
        m = re.search(r"(?<!\d)(20\d\d)(?!\d)", hint)
        if m:
            return int(m.group(1))
    years = Counter(re.findall(r"/(20\d\d)_Measure_", text_sample))
    return years.most_common(1)[0][0] if years else None


def sniff_text(head: str) -> str | None:
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("[", "{")) and '"measureId"' in head:
        return FORMAT_JSON
    first = stripped.split("\n", 1)[0].upper()
    if first.startswith("MEASURE ID,") and "DATA ELEMENT NAME" in first:
        return FORMAT_CLAIMS
    return None


def _conditions(**values: object) -> dict[str, object]:
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


def linked_measures(ds: Dataset) -> int:
    """Measures a file names: its measure rows, plus the measure IDs of its links whose measure (or, for an
    option group such as 024.01, whose parent) has no row of its own (the claims file has no measure rows)."""
    return len(set(ds.measures) | {m.measure_id for m in ds.measure_codes
                                   if parent_measure(m.measure_id) not in ds.measures})
