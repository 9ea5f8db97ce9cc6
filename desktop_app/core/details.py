"""Everything known about one code, for ``codedesk-cli show`` and the detail pane."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal

from desktop_app.core.catalog import Catalog
from desktop_app.core.fee_schedule import Locality, Payment, locality_payment, national_payment, payment_unavailable
from desktop_app.core.grammar import (
    Shape,
    classify,
    code_set_for,
    is_code,
    normalize,
    parse_modified_code,
    split_units,
)
from desktop_app.core.indexing import code_terms
from desktop_app.core.kinds import CodeKind, DescriptorKind, SourceKind
from desktop_app.core.measures import MeasureLink, imported_measure_sources, measure_links
from desktop_app.core.modifiers import Modifier, ModifierCheck, bundled_modifiers, check_modifiers
from desktop_app.core.reference import BUNDLED_KIND
from desktop_app.core.rvu_meanings import with_meanings

# How descriptor kinds are labelled for people, in display order.
DESCRIPTOR_KIND_LABELS: dict[str, str] = {
    DescriptorKind.SUMMARY: "Plain-language summary",
    DescriptorKind.LONG: "Long descriptor",
    DescriptorKind.MEDIUM: "Medium descriptor",
    DescriptorKind.SHORT: "Short descriptor",
    DescriptorKind.CONSUMER: "Consumer-friendly descriptor",
    DescriptorKind.CLINICIAN: "Clinician descriptor",
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


# A code named in running text ("use 99990 instead", "see 0001U-0003U"): five characters, not inside a word.
_CODE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{4}[0-9A-Z]|[A-Z]\d{4})(?![0-9A-Za-z])")


def link_codes(text: str) -> list[tuple[str, str | None]]:
    """``text`` cut into pieces, each with the code it names (None for plain text), for showing as links."""
    parts: list[tuple[str, str | None]] = []
    at = 0
    for m in _CODE_IN_TEXT.finditer(text):
        if not is_code(m.group(1)):
            continue
        if m.start() > at:
            parts.append((text[at:m.start()], None))
        parts.append((m.group(1), m.group(1)))
        at = m.end()
    if at < len(text):
        parts.append((text[at:], None))
    return parts


def codes_named(text: str) -> list[str]:
    """The codes ``text`` names, in order, once each."""
    return list(dict.fromkeys(code for _, code in link_codes(text) if code))


@dataclass(frozen=True)
class HistoryEntry:
    """One change in a code's life, as the AMA's CPT Link history files record it."""

    date: str  # ISO date, "before 1982", or "" when the file gives none
    change: str  # as the file words it: ADDED, DELETED, CHANGED …
    prior: str
    current: str
    instruction: str  # e.g. "use 99990 instead"
    source: str

    @property
    def change_label(self) -> str:
        return self.change.replace("_", " ").capitalize()

    def to_json(self) -> dict[str, object]:
        return {"date": self.date or None, "change": self.change, "prior": self.prior or None,
                "current": self.current or None, "instruction": self.instruction or None,
                "see": codes_named(self.instruction), "source": self.source}


@dataclass(frozen=True)
class DeletionNote:
    """What the deleted-codes file says to report instead of a deleted code."""

    date: str
    instruction: str
    source: str

    def to_json(self) -> dict[str, object]:
        return {"date": self.date or None, "instruction": self.instruction, "see": codes_named(self.instruction),
                "source": self.source}


def _date_order(text: str) -> str:
    """``before 1982`` sorts ahead of every date of 1982; ISO dates as themselves; no date last."""
    if text.startswith("before "):
        return f"{text[7:11]}-00-00"
    return text or "9999"


def history_of(facts: list[Facts]) -> tuple[list[HistoryEntry], DeletionNote | None]:
    """A code's history entries from every source's facts (``facts`` newest source first; an entry several
    releases repeat is shown once, from the newest), oldest first; and the newest deletion instruction."""
    entries: dict[tuple[str, str, str, str, str], HistoryEntry] = {}
    deletion: DeletionNote | None = None
    for f in facts:
        history = f.values.get("history")
        if f.modifier == "" and isinstance(history, list):
            for item in history:
                if not isinstance(item, dict):
                    continue
                date, change, prior, current, instruction = (
                    str(item.get(k, "")) for k in ("date", "change", "prior", "current", "instruction"))
                entry = HistoryEntry(date, change, prior, current, instruction, f.source.name)
                entries.setdefault((entry.date, entry.change, entry.prior, entry.current, entry.instruction), entry)
        instead = f.values.get("deletion_instruction")
        if f.modifier == "" and deletion is None and isinstance(instead, str) and instead:
            deletion = DeletionNote(str(f.values.get("deleted_date", "")), instead, f.source.name)
    ordered = sorted(entries.values(), key=lambda e: (_date_order(e.date), e.change))
    return ordered, deletion


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
    # Our own names for the code (the code_terms*.toml files): what search found it by, shown so a coder sees why
    names: tuple[str, ...] = ()
    facts: list[Facts] = field(default_factory=list)
    measures: list[MeasureLink] = field(default_factory=list)
    measure_sources: list[tuple[str, str]] = field(default_factory=list)  # (name, year) imported
    payments: list[Payment] = field(default_factory=list)  # national, then the chosen locality
    payment_notes: list[str] = field(default_factory=list)  # why no amount, per RVU source
    localities: int = 0  # how many localities the newest GPCI file has (0: none imported)
    neighbours: list[tuple[str, str]] = field(default_factory=list)  # (code, title) around it in its range
    history: list[HistoryEntry] = field(default_factory=list)  # added / changed / deleted, oldest first
    deletion: DeletionNote | None = None  # what to report instead, when the code is deleted
    modifier: Modifier | None = None  # our bundled entry, when this is a modifier
    applied: list[ModifierCheck] = field(default_factory=list)  # modifiers written after the code (99213-25)

    @property
    def text(self) -> str:
        """The code as asked for, modifiers included (``99213-25``)."""
        return "-".join((self.code, *(c.modifier for c in self.applied)))

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
            "names": list(self.names),
            "facts": [{"modifier": f.modifier, "source": f.source.name, **f.values} for f in self.facts],
            "measures": [m.to_json() for m in self.measures],
            "payments": [p.to_json() for p in self.payments],
            "payment_notes": self.payment_notes,
            "measure_sources": [{"name": name, "year": year} for name, year in self.measure_sources],
            "history": [h.to_json() for h in self.history],
            "deletion_instruction": self.deletion.to_json() if self.deletion else None,
            "modifier": self.modifier.to_json() if self.modifier else None,
            "modifiers": [c.to_json() for c in self.applied],
        }


def _sources(conn: sqlite3.Connection) -> dict[int, SourceRef]:
    return {
        r["id"]: SourceRef(r["id"], r["kind"], r["name"], r["release"], r["effective_date"])
        for r in conn.execute("SELECT id, kind, name, release, effective_date FROM sources")
    }


def localities(conn: sqlite3.Connection) -> list[Locality]:
    """The localities of the newest imported GPCI file, by state and name."""
    newest = conn.execute(
        "SELECT id, name, release FROM sources WHERE kind = 'cms-gpci' ORDER BY effective_date DESC, id DESC LIMIT 1"
    ).fetchone()
    if newest is None:
        return []
    return [
        Locality(r["mac"], r["state"], r["locality"], r["name"], Decimal(str(r["work_gpci"])),
                 Decimal(str(r["pe_gpci"])), Decimal(str(r["mp_gpci"])), newest["name"], newest["release"])
        for r in conn.execute("SELECT * FROM localities WHERE source_id = ? ORDER BY state, name, mac, locality",
                              (newest["id"],))
    ]


def find_locality(conn: sqlite3.Connection, wanted: str) -> Locality | None:
    """A locality by its key (``10112-00``), or by words of its state and name (``AL``, ``manhattan``)."""
    text = wanted.strip().lower()
    if not text:
        return None
    candidates = localities(conn)
    for loc in candidates:
        if loc.key == text or f"{loc.mac}{loc.number}" == text:
            return loc
    words = text.replace(",", " ").split()
    matches = [loc for loc in candidates
               if all(w in f"{loc.state} {loc.name}".lower().replace(",", " ").split() or w in loc.name.lower()
                      for w in words)]
    return matches[0] if len(matches) == 1 else None


def _add_payments(detail: CodeDetail, conn: sqlite3.Connection, locality: str | None,
                  sources: dict[int, SourceRef]) -> None:
    """National amounts for every RVU release's facts, newest first; the chosen locality's beside them."""
    chosen = find_locality(conn, locality) if locality else None
    if detail.known and detail.kind == CodeKind.CODE and not any(
            facts.source.kind == SourceKind.CMS_RVU for facts in detail.facts):
        rvu = [s for s in sources.values() if s.kind == SourceKind.CMS_RVU]
        if rvu:
            newest = max(rvu, key=lambda s: (s.effective_date or "", s.id))
            # A code the fee-schedule file does not list (E0601, most DME, drugs and supplies) showed nothing at all
            # about payment, as if the file had not been imported.
            detail.payment_notes.append(
                f"{newest.name} does not list this code. Codes outside the physician fee schedule (DME, supplies, "
                "drugs, lab tests, ambulance) are paid under fee schedules of their own, which CodeDesk does not "
                "import")
    for facts in detail.facts:
        if facts.source.kind != SourceKind.CMS_RVU:
            continue
        reason = payment_unavailable(facts.values)
        if reason is not None:
            label = f" (modifier {facts.modifier})" if facts.modifier else ""
            note = f"{facts.source.name}{label}: {reason}"
            if note not in detail.payment_notes:
                detail.payment_notes.append(note)
            continue
        national = national_payment(facts.values, facts.modifier, facts.source.name)
        if national is not None:
            detail.payments.append(national)
        if chosen is not None and (local := locality_payment(facts.values, facts.modifier, facts.source.name,
                                                              chosen)) is not None:
            detail.payments.append(local)


def code_detail(conn: sqlite3.Connection, catalog: Catalog, text: str, neighbours: int = 4,
                locality: str | None = None) -> CodeDetail:
    """All that is known about ``text`` (normalised first). Unknown but well-formed codes still get their
    category and section from the grammar; ``known`` tells them apart. A code written with modifiers
    (``99213-25``, ``27447 RT 59``) is the code, with each modifier checked against it (``applied``)."""
    text = split_units(text)[0]  # "J1100 x 3" is J1100 (the count is the claim check's), never the modifier X3
    modified = parse_modified_code(text)
    code = modified.code if modified else normalize(text)
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
        kind=row["kind"] if row else (CodeKind.MODIFIER if shape is Shape.MODIFIER else CodeKind.CODE),
        shape=shape.description if shape else "not a code shape CodeDesk knows",
        section=[SectionRef(s.id, s.name, s.range_text) for s in catalog.section_path(section_id)]
        if section_id in catalog.sections else [],
    )
    if detail.kind == CodeKind.MODIFIER:
        detail.modifier = bundled_modifiers().get(code)
    elif detail.known:
        detail.names = code_terms().get(code, ())
    if modified:
        detail.applied = check_modifiers(conn, code, code_set, modified.modifiers)
    sources = _sources(conn)
    # Measure links come first: a measure can name a code that no imported file describes yet.
    detail.measures = measure_links(conn, code)
    detail.measure_sources = imported_measure_sources(conn)
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
    # Ours first (the bundle always has it), then official text by kind, the newest source first: newest by the
    # release's effective date, then by import order (an older release imported later came first).
    descriptors.sort(key=lambda d: -d.source.id)
    descriptors.sort(key=lambda d: d.source.effective_date or "", reverse=True)
    descriptors.sort(key=lambda d: order.get(d.kind, 99))
    detail.descriptors = descriptors
    detail.facts = [
        Facts(r["modifier"], sources[r["source_id"]],
              with_meanings(sources[r["source_id"]].kind, json.loads(r["facts"])))
        for r in conn.execute(
            "SELECT f.* FROM code_facts f JOIN sources s ON s.id = f.source_id WHERE f.code = ? "
            "ORDER BY s.effective_date DESC, s.id DESC, f.modifier", (code,))
    ]
    detail.history, detail.deletion = history_of(detail.facts)
    detail.localities = len(localities(conn))
    _add_payments(detail, conn, locality, sources)
    if row["kind"] == CodeKind.CODE:
        detail.neighbours = neighbour_codes(conn, code, row["section_id"], neighbours)
    return detail


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
