"""The catalog: code sets, their comparison features, and the section tree with its ranges.

It is read from the reviewable text files in ``resources/data`` (to build the database) or from the
database (at run time), and answers one question fast: which section does a code belong to? A code
belongs to the *narrowest* range that contains it, among ranges of its own shape.
"""

from __future__ import annotations

import bisect
import csv
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.grammar import CodeRange, CodeSet, Shape, classify, code_set_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


@dataclass(frozen=True)
class CodeSetInfo:
    id: str
    name: str
    short_name: str
    sort_order: int


@dataclass(frozen=True)
class Feature:
    code_set: str
    key: str
    label: str
    value: str
    examples: tuple[str, ...]
    sort_order: int


@dataclass
class Section:
    id: int
    code_set: str
    name: str
    parent_id: int | None
    depth: int
    sort_order: int
    ranges: list[CodeRange] = field(default_factory=list)
    note: str = ""

    @property
    def range_text(self) -> str:
        return ", ".join(str(r) for r in self.ranges)


def code_ordinal(code: str) -> int:
    """A number that orders codes of one shape, so a range's width can be measured.

    ``99213`` → 99213, ``3074F`` → 3074, ``G0438`` → 60438 (the letter's place × 10,000 + digits).
    """
    if code[:1].isalpha():
        return (ord(code[0]) - ord("A")) * 10_000 + int(code[1:])
    return int(code[:4]) if code[-1:].isalpha() else int(code)


@dataclass
class _ShapeIndex:
    """Ranges of one shape, sorted by start, for the narrowest-range lookup."""

    starts: list[str] = field(default_factory=list)
    entries: list[tuple[str, str, int, int, int]] = field(default_factory=list)  # start, end, width, depth, sid
    # The ranges cut the codes into runs that lie in the same set of ranges: run i starts at bounds[i] and its
    # codes belong to section narrowest[i] (None: no range). A lookup is then one bisect, not a scan.
    bounds: list[str] = field(default_factory=list)
    narrowest: list[int | None] = field(default_factory=list)

    def scan(self, code: str) -> int | None:
        """The id of the narrowest range's section that contains ``code``, by looking at every candidate range."""
        best: tuple[int, int, int] | None = None  # width, -depth, section id
        for start, end, width, depth, section_id in self.entries[: bisect.bisect_right(self.starts, code)]:
            if start <= code <= end:
                candidate = (width, -depth, section_id)
                if best is None or candidate < best:
                    best = candidate
        return best[2] if best else None

    def build_runs(self) -> None:
        # A code x lies in [start, end] exactly when start <= x < end + "\0" (the least string after end), so
        # membership only changes at these bounds; the first code of each run stands for the whole run.
        self.bounds = sorted({start for start, *_ in self.entries} | {end + "\0" for _, end, *_ in self.entries})
        self.narrowest = [self.scan(bound) for bound in self.bounds]


class Catalog:
    """Code sets, features and sections, with a fast code → section lookup."""

    def __init__(self, code_sets: list[CodeSetInfo], features: list[Feature], sections: list[Section]) -> None:
        self.code_sets = sorted(code_sets, key=lambda c: c.sort_order)
        self.features = sorted(features, key=lambda f: (f.sort_order, f.code_set))
        self.sections = {s.id: s for s in sections}
        self._by_shape: dict[Shape, _ShapeIndex] = {}
        for section in sections:
            for code_range in section.ranges:
                shape = classify(code_range.start)
                if shape is None:
                    raise ValueError(f"section {section.name!r} has a malformed range start {code_range.start}")
                index = self._by_shape.setdefault(shape, _ShapeIndex())
                width = code_ordinal(code_range.end) - code_ordinal(code_range.start)
                index.entries.append((code_range.start, code_range.end, width, section.depth, section.id))
        for index in self._by_shape.values():
            index.entries.sort()
            index.starts = [entry[0] for entry in index.entries]
            index.build_runs()
        self._children: dict[int | None, list[Section]] = {}
        for section in sorted(sections, key=lambda s: s.sort_order):
            self._children.setdefault(section.parent_id, []).append(section)

    # --- lookups -------------------------------------------------------------------------------------

    def section_for(self, code: str) -> Section | None:
        """The narrowest section whose range contains ``code`` (a normalised code), or ``None``."""
        shape = classify(code)
        index = self._by_shape.get(shape) if shape else None
        if index is None:
            return None
        run = bisect.bisect_right(index.bounds, code) - 1
        section_id = index.narrowest[run] if run >= 0 else None
        return self.sections[section_id] if section_id is not None else None

    def section_path(self, section_id: int | None) -> list[Section]:
        """Broad to narrow: ``[Surgery, Musculoskeletal System]``."""
        path: list[Section] = []
        while section_id is not None:
            section = self.sections[section_id]
            path.append(section)
            section_id = section.parent_id
        return list(reversed(path))

    def children(self, parent_id: int | None, code_set: str | None = None) -> list[Section]:
        kids = self._children.get(parent_id, [])
        return [s for s in kids if code_set is None or s.code_set == code_set]

    def descendants(self, section_id: int) -> list[int]:
        """The section and everything below it."""
        found = [section_id]
        for child in self._children.get(section_id, []):
            found.extend(self.descendants(child.id))
        return found

    def code_set(self, code_set_id: str) -> CodeSetInfo:
        return next(c for c in self.code_sets if c.id == code_set_id)

    def features_by_key(self) -> dict[str, dict[str, Feature]]:
        rows: dict[str, dict[str, Feature]] = {}
        for feature in self.features:
            rows.setdefault(feature.key, {})[feature.code_set] = feature
        return rows

    # --- construction --------------------------------------------------------------------------------

    @classmethod
    def from_files(cls, data_dir: Path) -> Catalog:
        """Read ``code_sets.toml`` and ``sections.csv``. Raises ``ValueError`` naming the bad line."""
        with (data_dir / "code_sets.toml").open("rb") as fh:
            doc = tomllib.load(fh)
        code_sets = [
            CodeSetInfo(entry["id"], entry["name"], entry["short_name"], order)
            for order, entry in enumerate(doc["code_set"])
        ]
        features: list[Feature] = []
        for order, entry in enumerate(doc["feature"]):
            for code_set in code_sets:
                examples = tuple(entry.get(f"examples_{code_set.id}", "").split())
                features.append(
                    Feature(code_set.id, entry["key"], entry["label"], entry[code_set.id], examples, order)
                )
        return cls(code_sets, features, _read_sections_csv(data_dir / "sections.csv"))

    @classmethod
    def from_db(cls, conn: sqlite3.Connection) -> Catalog:
        code_sets = [
            CodeSetInfo(r["id"], r["name"], r["short_name"], r["sort_order"])
            for r in conn.execute("SELECT * FROM code_sets")
        ]
        features = [
            Feature(r["code_set"], r["feature"], r["label"], r["value"], tuple(r["examples"].split()),
                    r["sort_order"])
            for r in conn.execute("SELECT * FROM features")
        ]
        sections = {
            r["id"]: Section(r["id"], r["code_set"], r["name"], r["parent_id"], r["depth"], r["sort_order"],
                             note=r["note"])
            for r in conn.execute("SELECT * FROM sections")
        }
        for r in conn.execute("SELECT * FROM section_ranges ORDER BY rowid"):
            sections[r["section_id"]].ranges.append(CodeRange(r["range_start"], r["range_end"]))
        return cls(code_sets, features, list(sections.values()))

    def write_to_db(self, conn: sqlite3.Connection) -> None:
        """Replace the catalog tables with this catalog (inside the caller's transaction)."""
        conn.execute("UPDATE codes SET section_id = NULL")
        for table in ("section_ranges", "sections", "features", "code_sets"):
            conn.execute(f"DELETE FROM {table}")
        conn.executemany(
            "INSERT INTO code_sets (id, name, short_name, sort_order) VALUES (?, ?, ?, ?)",
            [(c.id, c.name, c.short_name, c.sort_order) for c in self.code_sets],
        )
        conn.executemany(
            "INSERT INTO features (code_set, feature, label, value, examples, sort_order) VALUES (?,?,?,?,?,?)",
            [(f.code_set, f.key, f.label, f.value, " ".join(f.examples), f.sort_order) for f in self.features],
        )
        ordered = sorted(self.sections.values(), key=lambda s: s.depth)
        conn.executemany(
            "INSERT INTO sections (id, code_set, parent_id, name, depth, sort_order, note) VALUES (?,?,?,?,?,?,?)",
            [(s.id, s.code_set, s.parent_id, s.name, s.depth, s.sort_order, s.note) for s in ordered],
        )
        conn.executemany(
            "INSERT INTO section_ranges (section_id, range_start, range_end) VALUES (?, ?, ?)",
            [(s.id, r.start, r.end) for s in self.sections.values() for r in s.ranges],
        )


def top_section_ranges(data_dir: Path, code_set: str, name: str) -> tuple[CodeRange, ...]:
    """Every range of the top-level section ``name`` of ``code_set`` in ``sections.csv`` and of its subsections
    (for E/M: 99202-99499 and the telemedicine visits 98000-98016 numbered in Medicine's range)."""
    found: list[CodeRange] = []
    by_id = {s.id: s for s in _read_sections_csv(data_dir / "sections.csv")}
    for section in by_id.values():
        top = section
        while top.parent_id is not None:
            top = by_id[top.parent_id]
        if top.code_set == code_set and top.name == name:
            found.extend(section.ranges)
    return tuple(found)


def _read_sections_csv(path: Path) -> list[Section]:
    """Rows ``code_set,path,start,end,note``; ``path`` is ``Parent > Child``. A path may repeat (more ranges)."""
    sections: dict[tuple[str, str], Section] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), start=2):
            code_set = row["code_set"].strip()
            names = [part.strip() for part in row["path"].split(">")]
            start, end = row["start"].strip(), row["end"].strip()
            if code_set_of(start) is None or classify(start) is not classify(end) or start > end:
                raise ValueError(f"{path.name}, line {line_no}: bad range {start}-{end}")
            if code_set_of(start) != CodeSet(code_set):
                raise ValueError(f"{path.name}, line {line_no}: {start} is not a {code_set} code")
            parent_id: int | None = None
            for depth in range(len(names)):
                key = (code_set, " > ".join(names[: depth + 1]))
                if key not in sections:
                    sections[key] = Section(len(sections) + 1, code_set, names[depth], parent_id, depth,
                                            len(sections))
                parent_id = sections[key].id
            leaf = sections[(code_set, " > ".join(names))]
            leaf.ranges.append(CodeRange(start, end))
            if row.get("note"):
                leaf.note = row["note"].strip()
    return list(sections.values())
