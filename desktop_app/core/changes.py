"""What changed between two imported releases of one family (RVU quarters, HCPCS years, AMA releases, QPP years).

Computed from what each release's source stored: codes added, deleted (with the date the newer file gives, or
"not in the newer release"), reinstated, descriptors changed (old and new text, per kind), status and payment facts
changed (old, new and the delta for numbers: RVUs, global days, status code), and quality-measure roles added or
removed. For HCPCS releases the file's own action codes (A added, D discontinued, R reactivated, C/S/B descriptor
changes, N no change) are cross-checked with the computed diff, and every disagreement is listed.

Qt-free; reads only (one connection, no writes).
"""

from __future__ import annotations

import csv
import difflib
import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from desktop_app.core.catalog import Catalog, Section
from desktop_app.core.enums import StrEnum
from desktop_app.core.errors import UserError
from desktop_app.core.grammar import code_set_of
from desktop_app.core.kinds import MEASURE_KINDS, SourceKind
from desktop_app.core.rvu_meanings import with_meanings
from desktop_app.core.spreadsheet import safe_row

# The source kinds whose releases can be compared, in the order ``changes`` offers them.
FAMILIES = (SourceKind.CMS_RVU, SourceKind.CMS_HCPCS, SourceKind.AMA_CPT, SourceKind.CMS_QPP, SourceKind.CMS_QPP_CLAIMS)
FAMILY_LABELS: dict[str, str] = {family: family.label for family in FAMILIES}


class ChangeKind(StrEnum):
    """What the computed comparison says happened to a code (``action_code_checks[].computed`` in ``changes
    --json``), or to a measure role (``roles[].change``: added or removed)."""

    ADDED = "added"
    DELETED = "deleted"
    REINSTATED = "reinstated"
    DESCRIPTOR = "descriptor"
    FACTS = "facts"
    UNCHANGED = "unchanged"
    REMOVED = "removed"


# Bookkeeping and meaning-text keys: the action code changes every release by design, and the meanings follow
# their codes (status_code, pctc_indicator, coverage_code are compared instead).
_IGNORED_FACTS = frozenset({"action_code", "action", "action_effective_date", "status", "pctc", "coverage",
                            "deleted_date"})
# What each HCPCS action code claims, as the computed kinds of change that agree with it.
_ACTION_AGREES: dict[str, set[str]] = {
    "A": {ChangeKind.ADDED}, "D": {ChangeKind.DELETED}, "R": {ChangeKind.REINSTATED}, "N": {ChangeKind.UNCHANGED},
    "C": {ChangeKind.DESCRIPTOR}, "S": {ChangeKind.DESCRIPTOR}, "B": {ChangeKind.DESCRIPTOR, ChangeKind.FACTS},
    "F": {ChangeKind.FACTS}, "P": {ChangeKind.FACTS},
    "T": {ChangeKind.DESCRIPTOR, ChangeKind.FACTS, ChangeKind.UNCHANGED},
}


class ChangesError(UserError):
    """The releases asked for cannot be compared (unknown family or release, or fewer than two loaded)."""


@dataclass(frozen=True)
class Release:
    source_id: int
    kind: str
    name: str
    release: str
    effective_date: str


@dataclass
class DescriptorChange:
    code: str
    kind: str  # 'long', 'short', …
    old: str
    new: str


@dataclass
class FactChange:
    code: str
    fact: str
    old: object
    new: object
    delta: float | None  # new - old when both are numbers


@dataclass
class RoleChange:
    measure_id: str
    code: str
    role: str
    modifier: str
    change: str  # ChangeKind.ADDED or ChangeKind.REMOVED


@dataclass
class TitleChange:
    measure_id: str
    old: str
    new: str


@dataclass
class ActionCheck:
    code: str
    action_code: str
    computed: list[str]
    agrees: bool
    carried_over: bool = False  # the older release has the same action code (CMS keeps a year's codes each quarter)


@dataclass
class ChangeReport:
    family: str
    old: Release
    new: Release
    added: list[str] = field(default_factory=list)
    deleted: list[dict[str, str]] = field(default_factory=list)  # {"code", "deleted_date"}
    reinstated: list[str] = field(default_factory=list)
    # Codes the newer release lists as already deleted and the older does not have: added and deleted between the
    # two (C9803, added 2020-03 and terminated 2023-12, between the 2020 and 2025 HCPCS files). They were in no list.
    added_and_deleted: list[dict[str, str]] = field(default_factory=list)  # {"code", "deleted_date"}
    descriptors: list[DescriptorChange] = field(default_factory=list)
    facts: list[FactChange] = field(default_factory=list)
    roles: list[RoleChange] = field(default_factory=list)
    action_checks: list[ActionCheck] = field(default_factory=list)
    # Quality-measure releases: the measures each names, by id, and their titles. Code roles are compared only
    # when both releases list codes: the 2026 measures JSON has no code lists at all, and comparing it with 2025
    # reported every one of 2025's 1,638 roles "removed".
    measures_added: list[str] = field(default_factory=list)
    measures_removed: list[str] = field(default_factory=list)
    titles_changed: list[TitleChange] = field(default_factory=list)
    roles_comparable: bool = True
    roles_note: str = ""  # why code roles were not compared, when they were not

    @property
    def measure_family(self) -> bool:
        return self.family in MEASURE_KINDS

    def shown_counts(self) -> list[tuple[str, int]]:
        """The counts the CLI and the window print, as (words, n): the measure counts only for measure
        releases and the code counts only for code releases, the action-code counts only for HCPCS, and no role
        counts where roles were not compared (a "0 removed" would claim a comparison)."""
        counts = self.counts()
        # Measure releases compare measures and their code roles, never codes' own texts or facts; only the HCPCS
        # file has action codes. Their counts are always 0 elsewhere, and a row of zeros hides the ones that count.
        skipped = ({"added", "deleted", "reinstated", "descriptor_changed", "facts_changed", "added_and_deleted"}
                   if self.measure_family
                   else {"roles_added", "roles_removed", "measures_added", "measures_removed", "titles_changed"})
        if self.family != SourceKind.CMS_HCPCS:
            skipped |= {"action_codes_checked", "action_codes_disagreeing"}
        if not self.roles_comparable:
            skipped |= {"roles_added", "roles_removed"}
        return [(key.replace("_", " "), n) for key, n in counts.items() if key not in skipped]

    def counts(self) -> dict[str, int]:
        """How many of each kind of change (the JSON's ``counts``)."""
        return {"added": len(self.added), "deleted": len(self.deleted), "reinstated": len(self.reinstated),
                "descriptor_changed": len({d.code for d in self.descriptors}),
                "facts_changed": len({f.code for f in self.facts}),
                "roles_added": sum(1 for r in self.roles if r.change == ChangeKind.ADDED),
                "roles_removed": sum(1 for r in self.roles if r.change == ChangeKind.REMOVED),
                "action_codes_checked": len(self.action_checks),
                "action_codes_disagreeing": sum(1 for a in self.action_checks if not a.agrees),
                "added_and_deleted": len(self.added_and_deleted),
                "measures_added": len(self.measures_added),
                "measures_removed": len(self.measures_removed),
                "titles_changed": len(self.titles_changed)}

    def to_json(self) -> dict[str, object]:
        """The ``changes --json`` contract (README): keys are only ever added."""
        disagreements = [a for a in self.action_checks if not a.agrees]
        return {
            "family": self.family,
            "from": asdict(self.old),
            "to": asdict(self.new),
            "counts": self.counts(),
            "added": self.added,
            "deleted": self.deleted,
            "reinstated": self.reinstated,
            "added_and_deleted": self.added_and_deleted,
            "descriptor_changed": [asdict(d) for d in self.descriptors],
            "facts_changed": [asdict(f) for f in self.facts],
            "roles": [asdict(r) for r in self.roles],
            "action_code_disagreements": [asdict(a) for a in disagreements],
            "roles_comparable": self.roles_comparable,
            "roles_note": self.roles_note,
            "measures_added": self.measures_added,
            "measures_removed": self.measures_removed,
            "titles_changed": [asdict(t) for t in self.titles_changed],
        }


def releases(conn: sqlite3.Connection) -> dict[str, list[Release]]:
    """The imported releases per family, oldest first (by effective date, then release name)."""
    found: dict[str, list[Release]] = {}
    for row in conn.execute(
        f"SELECT id, kind, name, release, effective_date FROM sources WHERE kind IN ({','.join('?' * len(FAMILIES))}) "
        "ORDER BY effective_date, release", FAMILIES):
        found.setdefault(row[1], []).append(Release(row[0], row[1], row[2], row[3], row[4]))
    return found


def _pick(candidates: list[Release], wanted: str, which: str) -> Release:
    for r in candidates:
        if wanted in (str(r.source_id), r.release, r.name):
            return r
    matches = [r for r in candidates if wanted.lower() in f"{r.release} {r.name}".lower()]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(f"{r.release} (id {r.source_id})" for r in candidates)
    raise ChangesError(f"--{which} {wanted!r} names no single release of this family; loaded: {names}")


def choose(conn: sqlite3.Connection, family: str | None, old: str | None, new: str | None) -> tuple[Release, Release]:
    """The two releases to compare: as named, else the two newest of the family (the first family, in
    :data:`FAMILIES` order, that has two)."""
    loaded = releases(conn)
    if family is None:
        family = next((f for f in FAMILIES if len(loaded.get(f, [])) >= 2), None)
        if family is None:
            raise ChangesError("no family has two releases imported; import two releases of the same file (two RVU "
                               "quarters, two HCPCS years, two QPP years) to see what changed")
    if family not in FAMILIES:
        raise ChangesError(f"unknown family {family!r}; use one of {', '.join(FAMILIES)}")
    candidates = loaded.get(family, [])
    if len(candidates) < 2:
        raise ChangesError(f"{FAMILY_LABELS[family]}: {len(candidates)} release(s) imported; import another to "
                           "compare")
    to = _pick(candidates, new, "to") if new else candidates[-1]
    before = [r for r in candidates if r != to]
    start = _pick(candidates, old, "from") if old else max(
        (r for r in before if (r.effective_date, r.release) <= (to.effective_date, to.release)),
        key=lambda r: (r.effective_date, r.release), default=before[-1])
    if start == to:
        raise ChangesError("--from and --to name the same release")
    return start, to


def _descriptors(conn: sqlite3.Connection, source_id: int) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for code, kind, text in conn.execute("SELECT code, kind, text FROM descriptors WHERE source_id = ?",
                                         (source_id,)):
        found.setdefault(code, {})[kind] = text
    return found


def _facts(conn: sqlite3.Connection, source_id: int) -> dict[str, dict[str, object]]:
    """The code rows' facts of one source, with the meanings the import does not store (core.rvu_meanings)."""
    row = conn.execute("SELECT kind FROM sources WHERE id = ?", (source_id,)).fetchone()
    kind = row[0] if row else ""
    return {code: with_meanings(kind, json.loads(text)) for code, text in conn.execute(
        "SELECT code, facts FROM code_facts WHERE source_id = ? AND modifier = ''", (source_id,))}


def _roles(conn: sqlite3.Connection, source_id: int) -> set[tuple[str, str, str, str]]:
    return {tuple(r) for r in conn.execute(
        "SELECT measure_id, code, role, modifier FROM measure_codes WHERE source_id = ?", (source_id,))}


def _measure_titles(conn: sqlite3.Connection, source_id: int, with_links: bool = True) -> dict[str, str]:
    """measure id → title of one source: its measures rows and, ``with_links``, the ids its code links name (the
    claims file has no measures rows; option groups such as 024.01 are named only by links)."""
    found = {r[0]: r[1] for r in conn.execute("SELECT measure_id, title FROM measures WHERE source_id = ?",
                                               (source_id,))}
    if not with_links:
        return found
    for (measure_id,) in conn.execute("SELECT DISTINCT measure_id FROM measure_codes WHERE source_id = ?",
                                      (source_id,)):
        found.setdefault(measure_id, "")
    return found


def _compare_measures(conn: sqlite3.Connection, report: ChangeReport, wanted: Callable[[str], bool]) -> None:
    start, to = report.old, report.new
    before_roles, after_roles = _roles(conn, start.source_id), _roles(conn, to.source_id)
    without = [r for r, roles in ((start, before_roles), (to, after_roles)) if not roles]
    # A release that lists no codes for any measure cannot have removed (or added) a code, nor an option group
    # (024.01), which only code lists name: those are not compared.
    comparable = len(without) != 1
    old_titles = _measure_titles(conn, start.source_id, comparable)
    new_titles = _measure_titles(conn, to.source_id, comparable)
    report.measures_added = sorted(new_titles.keys() - old_titles.keys())
    report.measures_removed = sorted(old_titles.keys() - new_titles.keys())
    report.titles_changed = [TitleChange(m, old_titles[m], new_titles[m]) for m in sorted(
        old_titles.keys() & new_titles.keys()) if old_titles[m] and new_titles[m] and old_titles[m] != new_titles[m]]
    if not comparable:
        release = without[0]
        named = len(old_titles if release is start else new_titles)  # all of its measures: it has no code lists
        report.roles_comparable = False
        report.roles_note = (f"{release.name} lists no codes for any of its {named:,} measures (the file has no "
                             "code lists), so code roles cannot be compared; only the measures added or removed "
                             "and their titles are.")
        return
    for change, rows in ((ChangeKind.ADDED, after_roles - before_roles),
                         (ChangeKind.REMOVED, before_roles - after_roles)):
        report.roles.extend(RoleChange(m, c, r, mod, change) for m, c, r, mod in sorted(rows) if wanted(c))


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def find_section(catalog: Catalog, text: str) -> Section:
    """The section named ``text`` (case-insensitive; exactly, else the one whose name contains it)."""
    wanted = text.strip().lower()
    exact = [s for s in catalog.sections.values() if s.name.lower() == wanted]
    found = exact or [s for s in catalog.sections.values() if wanted and wanted in s.name.lower()]
    if len(found) != 1:
        names = ", ".join(sorted({s.name for s in found})[:8]) or "none"
        raise ChangesError(f"--section {text!r} names {len(found)} sections ({names}); name exactly one")
    return found[0]


def section_choices(catalog: Catalog) -> tuple[tuple[str, int], ...]:
    """(name, depth) of every section whose name picks it alone (what :func:`find_section` accepts), in the
    catalog's order: the choices of the What Changed window's section filter."""
    names = Counter(s.name.strip().lower() for s in catalog.sections.values())
    ordered = sorted(catalog.sections.values(), key=lambda s: s.sort_order)
    return tuple((s.name, s.depth) for s in ordered if names[s.name.strip().lower()] == 1)


def compare(conn: sqlite3.Connection, family: str | None = None, old: str | None = None, new: str | None = None,
            code_set: str | None = None, section: str | None = None) -> ChangeReport:
    """What changed from release ``old`` to release ``new`` of ``family`` (defaults: see :func:`choose`),
    optionally only for codes of one code set (``I``, ``II``, ``III``, ``HCPCS``) or one section (by name, with
    its subsections)."""
    start, to = choose(conn, family, old, new)
    report = ChangeReport(to.kind, start, to)
    catalog = Catalog.from_db(conn) if section else None
    chosen = find_section(catalog, section) if catalog is not None and section else None

    def wanted(code: str) -> bool:
        if code_set is not None:
            shape = code_set_of(code)
            if shape is None or shape.value != code_set:
                return False
        if catalog is not None and chosen is not None:
            found = catalog.section_for(code)
            return found is not None and any(s.id == chosen.id for s in catalog.section_path(found.id))
        return True

    old_text, new_text = _descriptors(conn, start.source_id), _descriptors(conn, to.source_id)
    old_facts, new_facts = _facts(conn, start.source_id), _facts(conn, to.source_id)
    old_codes = {c for c in old_text.keys() | old_facts.keys() if wanted(c)}
    new_codes = {c for c in new_text.keys() | new_facts.keys() if wanted(c)}

    def deleted_in(facts: dict[str, dict[str, object]], code: str) -> str:
        return str(facts.get(code, {}).get("deleted_date", "") or "")

    computed: dict[str, list[str]] = {}
    for code in sorted(new_codes - old_codes):
        gone = deleted_in(new_facts, code)
        if not gone:
            report.added.append(code)
            computed.setdefault(code, []).append(ChangeKind.ADDED)
        else:
            report.added_and_deleted.append({"code": code, "deleted_date": gone})
    for code in sorted(old_codes):
        was_deleted = deleted_in(old_facts, code)
        now_deleted = deleted_in(new_facts, code)
        if code not in new_codes:
            if not was_deleted:
                report.deleted.append({"code": code, "deleted_date": "", "note": f"not in {to.release}"})
                computed.setdefault(code, []).append(ChangeKind.DELETED)
            continue
        if not was_deleted and now_deleted:
            report.deleted.append({"code": code, "deleted_date": now_deleted, "note": ""})
            computed.setdefault(code, []).append(ChangeKind.DELETED)
        elif was_deleted and not now_deleted:
            report.reinstated.append(code)
            computed.setdefault(code, []).append(ChangeKind.REINSTATED)
        before, after = old_text.get(code, {}), new_text.get(code, {})
        for kind in sorted(before.keys() & after.keys()):
            if before[kind] != after[kind]:
                report.descriptors.append(DescriptorChange(code, kind, before[kind], after[kind]))
                if ChangeKind.DESCRIPTOR not in computed.get(code, []):
                    computed.setdefault(code, []).append(ChangeKind.DESCRIPTOR)
        fb, fa = old_facts.get(code, {}), new_facts.get(code, {})
        for key in sorted((fb.keys() | fa.keys()) - _IGNORED_FACTS):
            if fb.get(key) != fa.get(key):
                a, b = _number(fb.get(key)), _number(fa.get(key))
                report.facts.append(FactChange(code, key, fb.get(key), fa.get(key),
                                               round(b - a, 4) if a is not None and b is not None else None))
                if ChangeKind.FACTS not in computed.get(code, []):
                    computed.setdefault(code, []).append(ChangeKind.FACTS)

    if to.kind in MEASURE_KINDS:
        _compare_measures(conn, report, wanted)

    if to.kind == SourceKind.CMS_HCPCS:
        for code in sorted(new_codes):
            action = str(new_facts.get(code, {}).get("action_code", "") or "")
            if not action:
                continue
            kinds = computed.get(code, []) or [ChangeKind.UNCHANGED]
            carried = str(old_facts.get(code, {}).get("action_code", "") or "") == action
            agrees = bool(set(kinds) & _ACTION_AGREES.get(action, set())) or (
                carried and kinds == [ChangeKind.UNCHANGED]) or (action == "D" and bool(deleted_in(new_facts, code)))
            report.action_checks.append(ActionCheck(code, action, kinds, agrees, carried))
    return report


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Old and new text as word runs: ``('same', …)``, ``('removed', …)``, ``('added', …)``, for highlighting."""
    a, b = old.split(), new.split()
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("added", " ".join(b[j1:j2])))
    return runs


CSV_HEADER = ("change", "code", "what", "old", "new", "delta", "date")


def report_rows(report: ChangeReport) -> list[tuple[str, ...]]:
    """Every change as one row (see :data:`CSV_HEADER`), for export."""
    rows: list[tuple[str, ...]] = [("added", code, "", "", "", "", "") for code in report.added]
    rows += [("deleted", d["code"], d.get("note", ""), "", "", "", d["deleted_date"]) for d in report.deleted]
    rows += [("reinstated", code, "", "", "", "", "") for code in report.reinstated]
    rows += [("added and deleted", d["code"], "", "", "", "", d["deleted_date"]) for d in report.added_and_deleted]
    rows += [("descriptor changed", d.code, d.kind, d.old, d.new, "", "") for d in report.descriptors]
    rows += [("fact changed", f.code, f.fact, fact_text(f.old), fact_text(f.new),
              "" if f.delta is None else f"{f.delta:+g}", "") for f in report.facts]
    rows += [(f"measure role {r.change}", r.code, f"measure {r.measure_id}", "", f"{r.role} {r.modifier}".strip(), "",
              "") for r in report.roles]
    rows += [("measure added", "", f"measure {m}", "", "", "", "") for m in report.measures_added]
    rows += [("measure removed", "", f"measure {m}", "", "", "", "") for m in report.measures_removed]
    rows += [("measure title changed", "", f"measure {t.measure_id}", t.old, t.new, "", "")
             for t in report.titles_changed]
    if not report.roles_comparable:
        rows.append(("measure roles not compared", "", report.roles_note, "", "", "", ""))
    rows += [("action code disagrees", a.code, f"action {a.action_code}", "", ", ".join(a.computed), "", "")
             for a in report.action_checks if not a.agrees]
    return rows


def fact_text(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def export(report: ChangeReport, path: str) -> None:
    """Write every change (see :func:`report_rows`) to ``path``: an Excel workbook when it ends in ``.xlsx``,
    else CSV (UTF-8). Raises OSError when the file cannot be written."""
    rows = report_rows(report)
    if path.lower().endswith(".xlsx"):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Changes")

        def text_cells(values: tuple[str, ...] | list[str]) -> list[WriteOnlyCell]:
            # openpyxl stores a string beginning with "=" as a formula: every cell is set to text instead.
            cells = []
            for value in values:
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            return cells

        sheet.append(text_cells([f"{FAMILY_LABELS[report.family]}: {report.old.release} to {report.new.release}"]))
        sheet.append(text_cells(list(CSV_HEADER)))
        for row in rows:
            sheet.append(text_cells(row))
        workbook.save(path)
        return
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(CSV_HEADER)
        # Descriptors come from imported files: none may run as a formula (see core/spreadsheet.py).
        writer.writerows(safe_row(row) for row in rows)
