"""Quality measures as things to open: a code's measures, one measure's codes by role, and measure search.

Titles come from the newest imported measures file; without one, from our own short names bundled in
``resources/data/quality_measures.csv`` (labelled as ours). A claims option group such as ``226.01`` is named by
its parent measure and its group number, never given an invented title.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from desktop_app.core.grammar import code_set_for
from desktop_app.core.kinds import MEASURE_KINDS
from desktop_app.core.quality import (
    ELIGIBILITY,
    QUALITY_ROLES,
    REPORTING,
    ROLE_LABELS,
    UNRECOGNISED,
    coded,
    option_group_label,
    parent_measure,
    role_sort_key,
)
from desktop_app.core.reference import BUNDLED_KIND

OUR_MEASURE_NAME_LABEL = "CodeDesk short name (our own words)"


@dataclass(frozen=True)
class MeasureTitle:
    title: str
    source: str  # the source's name; OUR_MEASURE_NAME_LABEL for our bundled short names
    ours: bool


@dataclass(frozen=True)
class MeasureLink:
    """One role a code plays in one measure (or option group), merged across the files that say so."""

    measure_id: str
    title: str
    role: str
    role_detail: str
    modifier: str
    conditions: dict[str, object]
    source: str
    together: str = ""  # "G8752 + G8754" when the code is reported with others
    years: tuple[str, ...] = ()  # performance years of the files that give this link
    title_source: str = ""
    code: str = ""

    @property
    def role_label(self) -> str:
        if self.role == UNRECOGNISED:
            return f"{ROLE_LABELS[UNRECOGNISED]}: \u201c{self.role_detail}\u201d (as the file names it)"
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def reported_as(self) -> str:
        """What goes on the claim: ``1123F-8P`` or ``G8752 + G8754``."""
        return self.together or coded(self.code, self.modifier)

    def to_json(self) -> dict[str, object]:
        return {"measure": self.measure_id, "title": self.title, "role": self.role,
                "role_detail": self.role_detail, "modifier": self.modifier, "conditions": self.conditions,
                "source": self.source, "together": self.together, "years": list(self.years),
                "role_label": self.role_label, "title_source": self.title_source,
                "conditions_text": condition_words(self.conditions)}


def _source_years(conn: sqlite3.Connection) -> dict[int, tuple[str, str]]:
    """source id → (name, performance year) for the measure sources."""
    marks = ",".join("?" * len(MEASURE_KINDS))
    return {
        r[0]: (r[1], r[2])
        for r in conn.execute(f"SELECT id, name, release FROM sources WHERE kind IN ({marks})", MEASURE_KINDS)
    }


def measure_title(conn: sqlite3.Connection, measure_id: str) -> MeasureTitle:
    """The newest imported title, else our bundled short name; an option group is named by its parent."""
    parent = parent_measure(measure_id)
    row = conn.execute(
        """SELECT m.title, s.name, s.kind FROM measures m JOIN sources s ON s.id = m.source_id
           WHERE m.measure_id = ? AND m.title != ''
           ORDER BY s.kind = ?, s.effective_date DESC, s.id DESC LIMIT 1""",
        (parent, BUNDLED_KIND),
    ).fetchone()
    if row is None:
        return MeasureTitle("", "", False)
    ours = row[2] == BUNDLED_KIND
    title = row[0]
    if parent != measure_id:
        title = f"{title} \u2014 option group {option_group_label(measure_id)}"
    return MeasureTitle(title, OUR_MEASURE_NAME_LABEL if ours else row[1], ours)


def _merged_conditions(first: dict[str, object], other: dict[str, object]) -> dict[str, object]:
    """Two files' conditions for one link: the first file's values, with lists joined (the JSON's exclusion
    list may be shorter than the claims file's: either file's exclusion holds)."""
    merged = {**other, **first}
    for key, value in other.items():
        kept = first.get(key)
        if isinstance(value, list) and isinstance(kept, list):
            merged[key] = list(dict.fromkeys([*kept, *value]))
    return merged


def measure_links(conn: sqlite3.Connection, code: str) -> list[MeasureLink]:
    """The quality measures that name ``code``, one row per (measure, role, modifier, codes reported together).

    The QPP measures JSON and the claims single-source CSV often say the same thing; a coder wants it once, with
    both sources and their years named.
    """
    sources = _source_years(conn)
    titles: dict[str, MeasureTitle] = {}
    merged: dict[tuple[str, str, str, str], MeasureLink] = {}
    for r in conn.execute(
        """SELECT measure_id, role, role_detail, modifier, conditions, together, source_id FROM measure_codes
           WHERE code = ? ORDER BY measure_id, role, modifier, source_id""", (code,)):
        measure_id, role, role_detail, modifier, conditions, together, source_id = tuple(r)
        name, year = sources.get(source_id, ("", ""))
        key = (measure_id, role, modifier, together)
        earlier = merged.get(key)
        if earlier is None:
            title = titles.get(measure_id) or titles.setdefault(measure_id, measure_title(conn, measure_id))
            merged[key] = MeasureLink(
                measure_id, title.title, role, role_detail, modifier,
                json.loads(conditions), name, together, (year,) if year else (), title.source, code)
            continue
        details = earlier.role_detail.split(", ")
        names = earlier.source.split("; ")
        merged[key] = MeasureLink(
            measure_id, earlier.title, role,
            earlier.role_detail if role_detail in details else f"{earlier.role_detail}, {role_detail}",
            modifier, _merged_conditions(earlier.conditions, json.loads(conditions)),
            earlier.source if name in names else f"{earlier.source}; {name}", together,
            tuple(sorted(set(earlier.years) | ({year} if year else set()))), earlier.title_source, code)
    links = list(merged.values())
    links.sort(key=lambda m: (m.measure_id, role_sort_key(m.role), m.modifier, m.together))
    return links


@dataclass(frozen=True)
class MeasureLine:
    """One line of a code's measures as shown to a coder: ``G8752 + G8754 → performance met``."""

    reported_as: str
    role: str
    role_label: str
    years: tuple[str, ...]
    source: str
    conditions: tuple[str, ...] = ()  # in plain words: "not at place of service 02 or 10"


@dataclass(frozen=True)
class MeasureGroup:
    measure_id: str
    title: str
    title_source: str
    lines: tuple[MeasureLine, ...]

    @property
    def eligibility_only(self) -> bool:
        """The code only puts patients in this measure's eligible population (a visit, a procedure)."""
        return all(line.role == ELIGIBILITY for line in self.lines)

    @property
    def years(self) -> tuple[str, ...]:
        return tuple(sorted({y for line in self.lines for y in line.years}))

    @property
    def conditions(self) -> tuple[str, ...]:
        """The conditions of the group's lines, each once, in their order."""
        return tuple(dict.fromkeys(c for line in self.lines for c in line.conditions))


def group_links(links: list[MeasureLink]) -> list[MeasureGroup]:
    """A code's links grouped per measure, quality roles first. A quality-data ("reporting") line is left
    out when the same code and modifier already has its met/not-met/exclusion/exception line: it says nothing
    more to a coder."""
    covered = {(m.measure_id, m.reported_as) for m in links if m.role in QUALITY_ROLES}
    groups: dict[str, tuple[str, str, list[MeasureLine]]] = {}
    for m in links:
        if m.role == REPORTING and (m.measure_id, m.reported_as) in covered:
            continue
        _title, _source, lines = groups.setdefault(m.measure_id, (m.title, m.title_source, []))
        line = MeasureLine(m.reported_as, m.role, m.role_label, m.years, m.source,
                           tuple(condition_words(m.conditions)))
        if line not in lines:
            lines.append(line)
    return [MeasureGroup(mid, title, source, tuple(lines)) for mid, (title, source, lines) in groups.items()]


def eligibility_heading(groups: Iterable[MeasureGroup]) -> str:
    """The line over a code's eligibility-only measures. It counts measures as the measures file does: an
    option group (``226.01``) is part of its measure, not one more (``show 99213`` said "16 measures" for the
    JSON's 14)."""
    ids = [g.measure_id for g in groups if g.eligibility_only]
    measures = len({parent_measure(mid) for mid in ids})
    groups_of: dict[str, list[str]] = {}
    for mid in ids:
        if "." in mid:
            groups_of.setdefault(parent_measure(mid), []).append(mid)
    text = (f"Puts the patient in the eligible population (denominator) of {measures} "
            f"measure{'s' if measures != 1 else ''}")
    if groups_of:
        named = "; ".join(f"{' and '.join(subs)} of {parent}" for parent, subs in groups_of.items())
        text += f" (listed with option group{'s' if len(ids) - measures != 1 else ''} {named})"
    return text + ":"


def imported_measure_sources(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(name, year) of every imported measures file, oldest year first: named when no measure uses a code."""
    marks = ",".join("?" * len(MEASURE_KINDS))
    return [(r[0], r[1]) for r in conn.execute(
        f"SELECT name, release FROM sources WHERE kind IN ({marks}) ORDER BY release, id", MEASURE_KINDS)]


# --- one measure -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QualityCodeLine:
    reported_as: str  # "1123F-8P", "G8752 + G8754"
    codes: tuple[str, ...]  # the codes in it, to link to
    role: str
    role_label: str
    years: tuple[str, ...]
    conditions: tuple[str, ...] = ()  # those not common to the whole measure: "patients aged 66–80"


@dataclass
class MeasureDetail:
    measure_id: str
    known: bool
    title: str = ""
    title_source: str = ""
    facts: dict[str, object] = field(default_factory=dict)  # type, high priority, methods, steward, ...
    facts_source: str = ""
    years: tuple[str, ...] = ()  # performance years of the imported files that name it
    option_groups: tuple[str, ...] = ()  # '024', '024.01', ...
    quality: list[QualityCodeLine] = field(default_factory=list)
    eligibility: dict[str, list[str]] = field(default_factory=dict)  # code set → codes (denominator)
    eligibility_conditions: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "measure": self.measure_id, "known": self.known, "title": self.title,
            "title_source": self.title_source, "facts": self.facts, "facts_source": self.facts_source,
            "years": list(self.years), "option_groups": list(self.option_groups),
            "quality_codes": [{"reported_as": q.reported_as, "codes": list(q.codes), "role": q.role,
                               "role_label": q.role_label, "years": list(q.years),
                               "conditions": list(q.conditions)} for q in self.quality],
            "eligibility_codes": {k: v for k, v in self.eligibility.items()},
            "eligibility_counts": {k: len(v) for k, v in self.eligibility.items()},
            "eligibility_conditions": list(self.eligibility_conditions),
        }


def humanize(value: object) -> str:
    """A measures-file value as words: ``intermediateOutcome`` → ``intermediate outcome``, lists joined,
    booleans as yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(humanize(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(humanize(k) for k in value)
    text = str(value)
    if re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)+", text):
        return re.sub(r"(?<!^)(?=[A-Z])", " ", text).lower()
    return text


_SEXES = {"M": "male", "F": "female"}


def condition_text(key: str, value: object) -> str:
    """An eligibility condition's value for people: ``['M', 'F']`` → ``male or female`` (it printed the list)."""
    values = value if isinstance(value, list) else [value]
    words = [_SEXES.get(str(v).upper(), str(v)) if key == "sex" else str(v) for v in values]
    return " or ".join(words)


def _or_list(values: Iterable[object]) -> str:
    items = [str(v) for v in values]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _as_list(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [] if value is None else [value]


def condition_words(conditions: Mapping[str, object]) -> list[str]:
    """A measure link's conditions as a coder reads them, in our own words: ``patients aged 66\u201380``,
    ``female patients only``, ``not with modifier GQ, GT, FQ or 93``, ``not at place of service 02 or 10``.
    Both files' keys are read (the claims file's ``age`` text only when it gave no numbers); a limit that limits
    nothing (aged 0 or older, either sex) is left out."""
    words: list[str] = []
    low, high = conditions.get("min_age"), conditions.get("max_age")
    low = low if isinstance(low, int) and not isinstance(low, bool) else None
    high = high if isinstance(high, int) and not isinstance(high, bool) else None
    if low is not None and high is not None:
        words.append(f"patients aged {low}\u2013{high}")
    elif low is not None and low > 0:
        words.append(f"patients aged {low} or older")
    elif high is not None:
        words.append(f"patients aged {high} or younger")
    elif low is None and (age := str(conditions.get("age") or "").strip()):
        words.append(f"patients aged {age}")
    sexes = {_SEXES.get(str(v).strip().upper(), str(v)) for v in _as_list(conditions.get("sex"))}
    if len(sexes) == 1:
        words.append(f"{sexes.pop()} patients only")
    if modifiers := _as_list(conditions.get("modifier_exclusions")):
        words.append(f"not with modifier {_or_list(modifiers)}")
    if places := _as_list(conditions.get("place_of_service_exclusions")):
        words.append(f"not at place of service {_or_list(places)}")
    if places := _as_list(conditions.get("place_of_service")):
        words.append(f"only at place of service {_or_list(places)}")
    return words


def normalize_measure_query(text: str) -> str | None:
    """``measure 236``, ``MIPS 47``, ``quality measure #001``, ``236``, ``24.01`` → ``236``/``047``/``024.01``."""
    m = re.fullmatch(r"\s*(?:(?:mips|qpp|quality)\s+)?(?:measure|msr|qm)?\s*#?\s*(\d{1,3})(?:\.(\d{1,2}))?\s*",
                     text, re.I)
    if not m:
        return None
    # Option group 00 is the measure itself (the JSON's optionGroup "00"; the claims file writes it "236").
    group = int(m.group(2)) if m.group(2) else 0
    return f"{int(m.group(1)):03d}" + (f".{group:02d}" if group else "")


def _option_group_clause() -> str:
    """SQL for "``measure_id`` is an option group of the measure given as parameter": a string range rather than
    LIKE, so ``%`` and ``_`` typed as a measure id match themselves (``measure 2_6`` answered with 226.01's codes).
    '/' follows '.' in every collation SQLite uses here, so the range holds exactly the ids starting ``<id>.``."""
    return "(measure_id > ? || '.' AND measure_id < ? || '/')"


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's wildcards in ``text`` escaped (use with ``ESCAPE '\\'``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def unknown_measure_message(detail: MeasureDetail, asked: str) -> str:
    """Why ``asked`` opened no measure, in one sentence (the CLI and the window say the same)."""
    parent = parent_measure(detail.measure_id)
    if parent != detail.measure_id and detail.option_groups:
        return (f"Measure {parent} has no option group {option_group_label(detail.measure_id)} in your files "
                f"(option groups: {', '.join(detail.option_groups)}).")
    return f"No measure {asked!r} in your database. Import the CMS QPP measures files to see measures."


def measure_detail(conn: sqlite3.Connection, text: str) -> MeasureDetail:
    measure_id = normalize_measure_query(text) or text.strip().upper()
    parent = parent_measure(measure_id)
    sources = _source_years(conn)
    title = measure_title(conn, measure_id)
    detail = MeasureDetail(measure_id, known=False, title=title.title, title_source=title.source)
    row = conn.execute(
        """SELECT m.details, s.name FROM measures m JOIN sources s ON s.id = m.source_id
           WHERE m.measure_id = ? AND s.kind != ? ORDER BY s.effective_date DESC, s.id DESC LIMIT 1""",
        (parent, BUNDLED_KIND)).fetchone()
    if row is not None:
        detail.facts = json.loads(row[0])
        detail.facts_source = row[1]
    detail.option_groups = tuple(r[0] for r in conn.execute(
        f"SELECT DISTINCT measure_id FROM measure_codes WHERE measure_id = ? OR {_option_group_clause()} "
        "ORDER BY 1", (parent, parent, parent)))
    if measure_id != parent:
        # An option group is known only when a file names it: 236 has no 236.05, whatever its parent's title.
        detail.known = measure_id in detail.option_groups
    else:
        detail.known = bool(row or detail.option_groups or title.title)
    if not detail.known:
        detail.title = detail.title_source = ""
        detail.facts, detail.facts_source = {}, ""
        return detail
    years = {sources[r[0]][1] for r in conn.execute(
        "SELECT source_id FROM measures WHERE measure_id = ? UNION "
        f"SELECT source_id FROM measure_codes WHERE measure_id = ? OR {_option_group_clause()}",
        (parent, parent, parent, parent)) if r[0] in sources}
    detail.years = tuple(sorted(years))
    wanted = (measure_id,) if measure_id != parent else detail.option_groups or (parent,)
    marks = ",".join("?" * len(wanted))
    quality: dict[tuple[str, str, str], set[str]] = {}
    codes_of: dict[tuple[str, str, str], set[str]] = {}
    eligibility: dict[str, set[str]] = {}
    # Conditions as the files give them, merged per eligibility code and per quality line (as a code's links are).
    code_conditions: dict[str, dict[str, object]] = {}
    quality_conditions: dict[tuple[str, str, str], dict[str, object]] = {}
    for r in conn.execute(
        f"""SELECT measure_id, code, role, role_detail, modifier, together, conditions, source_id FROM measure_codes
            WHERE measure_id IN ({marks})""", wanted):
        mid, code, role, role_detail, modifier, together, cond, source_id = tuple(r)
        year = sources.get(source_id, ("", ""))[1]
        if role == ELIGIBILITY:
            code_set = code_set_for(code)
            eligibility.setdefault(code_set.value if code_set else "?", set()).add(code)
            code_conditions[code] = _merged_conditions(code_conditions.get(code, {}), json.loads(cond))
            continue
        reported = together or coded(code, modifier)
        prefix = f"{mid}: " if len(wanted) > 1 else ""
        key = (prefix + reported, role, role_detail if role == UNRECOGNISED else "")
        quality.setdefault(key, set()).add(year)
        codes_of.setdefault(key, set()).add(code)
        quality_conditions[key] = _merged_conditions(quality_conditions.get(key, {}), json.loads(cond))
    # A condition every denominator code has is the measure's ("patients aged 18\u201385"): said once, under the
    # denominator; one only some codes or quality codes have is said where it applies, with how many codes.
    counted = Counter(word for found in code_conditions.values() for word in condition_words(found))
    everywhere = {word for word, n in counted.items() if n == len(code_conditions)}
    covered = {k[0] for k in quality if k[1] in QUALITY_ROLES}
    for (reported, role, raw), yrs in sorted(quality.items(), key=lambda kv: (role_sort_key(kv[0][1]), kv[0][0])):
        if role == REPORTING and reported in covered:
            continue
        label = ROLE_LABELS.get(role, role)
        if role == UNRECOGNISED:
            label = f"{label}: \u201c{raw}\u201d"
        detail.quality.append(QualityCodeLine(
            reported, tuple(sorted(codes_of[(reported, role, raw)])), role, label,
            tuple(sorted(y for y in yrs if y)),
            tuple(w for w in condition_words(quality_conditions.get((reported, role, raw), {}))
                  if w not in everywhere)))
    detail.eligibility = {k: sorted(v) for k, v in sorted(eligibility.items())}
    detail.eligibility_conditions = [
        word if n == len(code_conditions) else f"{word} (for {n:,} of {len(code_conditions):,} codes)"
        for word, n in counted.most_common()]
    return detail


@dataclass(frozen=True)
class MeasureHit:
    measure_id: str
    title: str
    years: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"measure": self.measure_id, "title": self.title, "years": list(self.years)}


_WORD = re.compile(r"[a-z0-9]+")
_QUERY_STOPWORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with", "measure",
                              "measures", "mips", "qpp", "quality"})


def find_measures(conn: sqlite3.Connection, query: str, limit: int = 5) -> list[MeasureHit]:
    """Measures by number (``measure 236``) or by the words of their titles (every word must appear)."""
    measure_id = normalize_measure_query(query)
    rows: list[tuple[str, str]] = []
    if measure_id is not None:
        if not re.search(r"[a-z]", query, re.I) and len(query.strip()) < 3:
            return []  # a bare "2" is a code prefix, not a measure
        named = measure_title(conn, measure_id)
        listed = conn.execute("SELECT 1 FROM measure_codes WHERE measure_id = ? LIMIT 1", (measure_id,)).fetchone()
        # An option group exists only where a file lists it (236.05 borrowed 236's title before).
        exists = listed is not None or (named.title and parent_measure(measure_id) == measure_id)
        if exists:
            rows.append((measure_id, named.title))
    else:
        words = [w for w in _WORD.findall(query.lower()) if w not in _QUERY_STOPWORDS]
        if not words or len(" ".join(words)) < 4:
            return []
        clauses = " AND ".join("lower(m.title) LIKE ? ESCAPE '\\'" for _ in words)
        seen: set[str] = set()
        for r in conn.execute(
            f"""SELECT m.measure_id, m.title FROM measures m JOIN sources s ON s.id = m.source_id
                WHERE {clauses} AND (s.kind = 'cms-qpp' OR s.kind = ?)
                  AND m.measure_id GLOB '[0-9][0-9][0-9]'
                ORDER BY s.kind = ?, s.effective_date DESC, m.measure_id LIMIT 200""",
                [*(like_pattern(w) for w in words), BUNDLED_KIND, BUNDLED_KIND]):
            # Each word must start a word of the title: "tips" is inside "antipsychotic", not a word of it.
            if r[0] not in seen and all(re.search(rf"\b{re.escape(word)}", r[1].lower()) for word in words):
                seen.add(r[0])
                rows.append((r[0], measure_title(conn, r[0]).title))
    sources = _source_years(conn)
    hits = []
    for mid, title in rows[:limit]:
        years = {sources[r[0]][1] for r in conn.execute(
            "SELECT source_id FROM measures WHERE measure_id = ? UNION SELECT source_id FROM measure_codes "
            "WHERE measure_id = ?", (mid, mid)) if r[0] in sources}
        hits.append(MeasureHit(mid, title, tuple(sorted(years))))
    return hits
