"""Everything known about one code, for ``codedesk-cli show`` and the detail pane."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from desktop_app.core.catalog import Catalog
from desktop_app.core.grammar import classify, code_set_for, normalize
from desktop_app.core.reference import BUNDLED_KIND

# How descriptor kinds are labelled for people, in display order.
DESCRIPTOR_KIND_LABELS = {
    "summary": "Plain-language summary",
    "long": "Long descriptor",
    "medium": "Medium descriptor",
    "short": "Short descriptor",
    "consumer": "Consumer-friendly descriptor",
    "clinician": "Clinician descriptor",
}


@dataclass(frozen=True)
class SourceRef:
    id: int
    kind: str
    name: str
    release: str
    effective_date: str

    @property
    def is_ours(self) -> bool:
        return self.kind == BUNDLED_KIND


@dataclass(frozen=True)
class Descriptor:
    kind: str
    text: str
    source: SourceRef

    @property
    def label(self) -> str:
        return DESCRIPTOR_KIND_LABELS.get(self.kind, self.kind.title())

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "source": self.source.name,
                "release": self.source.release, "ours": self.source.is_ours}


@dataclass(frozen=True)
class Facts:
    """Payment and status facts one source gives for a code (or one of its components: 26, TC, 53)."""

    modifier: str
    source: SourceRef
    values: dict[str, object]


@dataclass(frozen=True)
class MeasureLink:
    measure_id: str
    title: str
    role: str
    role_detail: str
    modifier: str
    conditions: dict[str, object]
    source: str

    def to_json(self) -> dict[str, object]:
        return {"measure": self.measure_id, "title": self.title, "role": self.role,
                "role_detail": self.role_detail, "modifier": self.modifier, "conditions": self.conditions,
                "source": self.source}


@dataclass(frozen=True)
class SectionRef:
    id: int
    name: str
    ranges: str


@dataclass
class CodeDetail:
    code: str
    known: bool
    well_formed: bool
    code_set: str | None
    kind: str
    shape: str
    section: list[SectionRef] = field(default_factory=list)
    status: str = ""
    deleted_date: str = ""
    title: str = ""
    title_source: str = ""
    descriptors: list[Descriptor] = field(default_factory=list)
    facts: list[Facts] = field(default_factory=list)
    measures: list[MeasureLink] = field(default_factory=list)
    neighbours: list[tuple[str, str]] = field(default_factory=list)  # (code, title) around it in its range

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "category": self.code_set,
            "section": [s.name for s in self.section],
            "section_ranges": [s.ranges for s in self.section],
            "title": self.title,
            "title_source": self.title_source,
            "known": self.known,
            "well_formed": self.well_formed,
            "kind": self.kind,
            "shape": self.shape,
            "status": self.status or None,
            "deleted_date": self.deleted_date or None,
            "descriptors": [d.to_json() for d in self.descriptors],
            "facts": [{"modifier": f.modifier, "source": f.source.name, **f.values} for f in self.facts],
            "measures": [m.to_json() for m in self.measures],
        }


def _sources(conn: sqlite3.Connection) -> dict[int, SourceRef]:
    return {
        r["id"]: SourceRef(r["id"], r["kind"], r["name"], r["release"], r["effective_date"])
        for r in conn.execute("SELECT id, kind, name, release, effective_date FROM sources")
    }


def code_detail(conn: sqlite3.Connection, catalog: Catalog, text: str, neighbours: int = 4) -> CodeDetail:
    """All that is known about ``text`` (normalised first). Unknown but well-formed codes still get their
    category and section from the grammar; ``known`` tells them apart."""
    code = normalize(text)
    shape = classify(code)
    row = conn.execute("SELECT * FROM codes WHERE code = ?", (code,)).fetchone()
    grammar_set = code_set_for(code)
    code_set = row["code_set"] if row else (grammar_set.value if grammar_set else None)
    section_id = row["section_id"] if row else (s.id if (s := catalog.section_for(code)) else None)
    detail = CodeDetail(
        code=code,
        known=row is not None,
        well_formed=shape is not None,
        code_set=code_set,
        kind=row["kind"] if row else ("modifier" if shape and shape.name == "MODIFIER" else "code"),
        shape=shape.description if shape else "not a code shape CodeDesk knows",
        section=[SectionRef(s.id, s.name, s.range_text) for s in catalog.section_path(section_id)]
        if section_id in catalog.sections else [],
    )
    sources = _sources(conn)
    # Measure links come first: a measure can name a code that no imported file describes yet.
    detail.measures = measure_links(conn, code, sources)
    if row is None:
        return detail
    detail.status = row["status"]
    detail.deleted_date = row["deleted_date"]
    detail.title = row["title"]
    detail.title_source = sources[row["title_source"]].name if row["title_source"] in sources else ""
    order = {kind: i for i, kind in enumerate(DESCRIPTOR_KIND_LABELS)}
    descriptors = [
        Descriptor(r["kind"], r["text"], sources[r["source_id"]])
        for r in conn.execute("SELECT * FROM descriptors WHERE code = ? AND kind != 'keywords'", (code,))
    ]
    # Ours first (the bundle always has it), then official text by kind, the newest source first.
    descriptors.sort(key=lambda d: (order.get(d.kind, 99), -d.source.id))
    detail.descriptors = descriptors
    detail.facts = [
        Facts(r["modifier"], sources[r["source_id"]], json.loads(r["facts"]))
        for r in conn.execute(
            "SELECT f.* FROM code_facts f JOIN sources s ON s.id = f.source_id WHERE f.code = ? "
            "ORDER BY s.effective_date DESC, s.id DESC, f.modifier", (code,))
    ]
    if row["kind"] == "code":
        detail.neighbours = neighbour_codes(conn, code, row["section_id"], neighbours)
    return detail


def measure_links(conn: sqlite3.Connection, code: str, sources: dict[int, SourceRef]) -> list[MeasureLink]:
    """The quality measures that name ``code``, one row per (measure, role, modifier).

    The QPP measures JSON and the claims single-source CSV often say the same thing; a coder wants it
    once, with both sources named.
    """
    merged: dict[tuple[str, str, str], MeasureLink] = {}
    for r in conn.execute(
        """SELECT mc.*, (SELECT m.title FROM measures m WHERE m.measure_id = mc.measure_id
                         ORDER BY m.source_id DESC LIMIT 1) AS title
           FROM measure_codes mc WHERE mc.code = ?
           ORDER BY mc.measure_id, mc.role, mc.modifier, mc.source_id""", (code,)):
        key = (r["measure_id"], r["role"], r["modifier"])
        source = sources[r["source_id"]].name if r["source_id"] in sources else ""
        if key in merged:
            earlier = merged[key]
            names = earlier.source.split("; ")
            merged[key] = MeasureLink(
                earlier.measure_id, earlier.title, earlier.role,
                earlier.role_detail if r["role_detail"] in earlier.role_detail.split(", ")
                else f"{earlier.role_detail}, {r['role_detail']}",
                earlier.modifier, {**json.loads(r["conditions"]), **earlier.conditions},
                earlier.source if source in names else f"{earlier.source}; {source}")
        else:
            merged[key] = MeasureLink(r["measure_id"], r["title"] or "", r["role"], r["role_detail"],
                                      r["modifier"], json.loads(r["conditions"]), source)
    return list(merged.values())


def neighbour_codes(conn: sqlite3.Connection, code: str, section_id: int | None, count: int
                    ) -> list[tuple[str, str]]:
    """Up to ``count`` codes before and after ``code`` in the same section, in code order."""
    if section_id is None or count <= 0:
        return []
    before = conn.execute(
        "SELECT code, title FROM codes WHERE section_id = ? AND code < ? AND kind = 'code' "
        "ORDER BY code DESC LIMIT ?", (section_id, code, count)).fetchall()
    after = conn.execute(
        "SELECT code, title FROM codes WHERE section_id = ? AND code > ? AND kind = 'code' "
        "ORDER BY code LIMIT ?", (section_id, code, count)).fetchall()
    return [(r["code"], r["title"]) for r in reversed(before)] + [(r["code"], r["title"]) for r in after]
