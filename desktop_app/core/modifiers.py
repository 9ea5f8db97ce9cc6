"""Modifiers as things to open and to check: our bundled entries (``resources/data/modifiers.csv``, in our own
words) and the rules that say whether a modifier fits a code.

The official text of a modifier (CMS HCPCS file, AMA files) reaches the database only by import and is shown
beside ours as a descriptor of the modifier's ``codes`` row. This module holds what the bundle adds: what the
modifier means, when it is used, what it must not be used for, which code sets it goes on and, for some, the
code ranges it is limited to or kept off. The rules are pure functions; :func:`check_modifiers` asks the
database only whether a modifier exists and what the newest RVU file says about a code's PC/TC split.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from desktop_app.core.grammar import CodeRange, CodeSet, GrammarError, is_code, normalize, parse_range
from desktop_app.core.resources import data_dir

MODIFIERS_FILE = "modifiers.csv"
OUR_MODIFIER_LABEL = "CodeDesk modifier entry (our own words)"
# The families our file groups modifiers into, as people call them.
FAMILY_LABELS = {
    "CPT": "CPT Level I modifier",
    "Category II": "CPT Category II performance-measure modifier",
    "Anesthesia physical status": "Anesthesia physical status modifier",
    "HCPCS": "HCPCS Level II modifier",
}
# Which PC/TC indicator values (CMS RVU file) allow which component modifier: 1 splits into 26 and TC;
# 6 (laboratory physician interpretation) has a professional part only.
PCTC_ALLOWS = {"26": frozenset({"1", "6"}), "TC": frozenset({"1"})}
# Modifiers that contradict each other on one line.
CONFLICTS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"LT", "RT"}), "LT and RT together on one line; a procedure on both sides is reported with 50 "
                              "(or on two lines), as the payer asks"),
    (frozenset({"26", "TC"}), "26 and TC together are the whole (global) service: report the code without either"),
    *((frozenset({"59", x}), f"59 and {x} on one line; {x} is the more specific choice, use one of them")
      for x in ("XE", "XS", "XP", "XU")),
)
# The most modifiers a claim line carries (CMS-1500 and 837P have four slots).
MAX_MODIFIERS = 4
_COLUMNS = ("modifier", "family", "applies_to", "only_on", "not_on", "range_note", "meaning", "use", "not_for",
            "keywords")


@dataclass(frozen=True)
class Modifier:
    """One bundled modifier entry."""

    modifier: str
    family: str
    applies_to: tuple[CodeSet, ...]
    only_on: tuple[CodeRange, ...]  # when set, the code must be in one of these
    not_on: tuple[CodeRange, ...]  # the code must be in none of these
    range_note: str  # what the ranges are, in words ("E/M services")
    meaning: str
    use: str
    not_for: str
    keywords: tuple[str, ...]

    @property
    def family_label(self) -> str:
        return FAMILY_LABELS.get(self.family, self.family)

    @property
    def applies_to_text(self) -> str:
        labels = [code_set.label for code_set in self.applies_to]
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]

    def to_json(self) -> dict[str, object]:
        return {
            "modifier": self.modifier,
            "family": self.family_label,
            "meaning": self.meaning,
            "use": self.use,
            "not_for": self.not_for,
            "applies_to": [code_set.value for code_set in self.applies_to],
            "only_on": [_range_text(r) for r in self.only_on],
            "not_on": [_range_text(r) for r in self.not_on],
            "range_note": self.range_note,
            "source": OUR_MODIFIER_LABEL,
        }


def _range_text(code_range: CodeRange) -> str:
    return code_range.start if code_range.start == code_range.end else str(code_range)


def _ranges(text: str, where: str) -> tuple[CodeRange, ...]:
    ranges = []
    for piece in filter(None, (p.strip() for p in text.split(";"))):
        code = normalize(piece)
        try:
            parsed = CodeRange(code, code) if is_code(code) else parse_range(piece)
        except GrammarError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if parsed is None:
            raise ValueError(f"{where}: {piece!r} is not a code or a range of codes")
        ranges.append(parsed)
    return tuple(ranges)


def read_modifiers(root: Path | None = None) -> dict[str, Modifier]:
    """Every row of ``modifiers.csv``. Raises ``ValueError`` naming the line of anything malformed."""
    path = (root or data_dir()) / MODIFIERS_FILE
    if not path.exists():
        return {}
    entries: dict[str, Modifier] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), start=2):
            where = f"{path.name}, line {line_no}"
            if None in row or None in row.values():
                raise ValueError(f"{where}: expected {len(_COLUMNS)} columns (quote text that holds a comma)")
            modifier = normalize(row.get("modifier") or "")
            if not re.fullmatch(r"[0-9A-Z]{2}", modifier):
                raise ValueError(f"{where}: {row.get('modifier')!r} is not a two-character modifier")
            if modifier in entries:
                raise ValueError(f"{where}: modifier {modifier} appears twice")
            try:
                applies_to = tuple(CodeSet(x.strip()) for x in (row.get("applies_to") or "").split(";") if x.strip())
            except ValueError:
                raise ValueError(f"{where}: applies_to must list I, II, III or HCPCS") from None
            texts = {key: " ".join((row.get(key) or "").split()) for key in ("meaning", "use", "not_for")}
            if not applies_to or not all(texts.values()):
                raise ValueError(f"{where}: {modifier} needs applies_to, meaning, use and not_for")
            family = (row.get("family") or "").strip()
            if family not in FAMILY_LABELS:
                raise ValueError(f"{where}: unknown family {family!r}")
            entries[modifier] = Modifier(
                modifier, family, applies_to,
                _ranges(row.get("only_on") or "", where), _ranges(row.get("not_on") or "", where),
                (row.get("range_note") or "").strip(), texts["meaning"], texts["use"], texts["not_for"],
                tuple(k.strip().lower() for k in (row.get("keywords") or "").split(";") if k.strip()),
            )
    return entries


@lru_cache(maxsize=1)
def bundled_modifiers() -> dict[str, Modifier]:
    """The bundled entries, read once per process."""
    return read_modifiers()


def search_keywords(entry: Modifier) -> str:
    """What the search index holds for a modifier beyond its text: how coders name it ("modifier 25",
    "mod 25", "-25") and our keywords."""
    m = entry.modifier
    # The family without "Level I" / "Level II": those words made every modifier an answer to any query with
    # "level" in it ("keppra level", "drug level" listed 165 modifiers). "CPT modifier" / "HCPCS modifier" stay.
    family = entry.family_label.replace(" Level II ", " ").replace(" Level I ", " ")
    return " ".join((f"modifier {m}", f"mod {m}", f"modifier{m}", family, *entry.keywords))


# --- a modifier words query ---------------------------------------------------------------------------

_MODIFIER_WORDS = frozenset({"modifier", "modifiers", "mod", "mods"})


def mentions_modifier(words: Sequence[str]) -> bool:
    return any(w in _MODIFIER_WORDS for w in words)


def without_modifier_words(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(w for w in words if w not in _MODIFIER_WORDS)


def modifiers_named_by(words: Sequence[str], entries: dict[str, Modifier] | None = None) -> list[str]:
    """Modifiers one of whose keyword phrases is exactly the query ("bilateral", "distinct procedural
    service"): these are lifted to the top of a word search. Matching the whole phrase, not any word, keeps
    everyday searches ("screening colonoscopy") free of modifiers."""
    entries = bundled_modifiers() if entries is None else entries
    phrase = " ".join(without_modifier_words(words))
    if not phrase:
        return []
    return [m for m, entry in entries.items() if phrase in entry.keywords]


# --- fitting a modifier to a code ---------------------------------------------------------------------


@dataclass(frozen=True)
class ModifierCheck:
    """Whether one modifier fits one code, and why (not)."""

    modifier: str
    known: bool  # bundled, or a modifier in an imported file
    fits: bool
    reason: str  # why it does not fit ('' when it fits)
    meaning: str  # our one-sentence meaning, or the imported title
    source: str  # where the meaning comes from
    notes: tuple[str, ...] = ()  # what could not be checked, or what was checked against which file

    def to_json(self) -> dict[str, object]:
        return {"modifier": self.modifier, "known": self.known, "fits": self.fits, "reason": self.reason or None,
                "meaning": self.meaning, "source": self.source, "notes": list(self.notes)}


@dataclass(frozen=True)
class PcTc:
    """A code's PC/TC indicator from an RVU file, and which component rows that file has."""

    indicator: str
    source: str
    components: frozenset[str] = field(default_factory=frozenset)


def fit(code: str, code_set: str | None, modifier: str, entry: Modifier | None, imported_title: str = "",
        imported_source: str = "", pctc: PcTc | None = None, others: Sequence[str] = ()) -> ModifierCheck:
    """The rules, as a pure function: ``entry`` is the bundled entry (None if not bundled), ``imported_title``
    the modifier's title from an imported file ('' if none), ``others`` the other modifiers on the line."""
    if entry is None and not imported_title:
        return ModifierCheck(modifier, False, False,
                             f"{modifier} is not a modifier CodeDesk knows (not bundled, not in your imported files)",
                             "", "")
    meaning = entry.meaning if entry else imported_title
    source = OUR_MODIFIER_LABEL if entry else imported_source

    def refuse(reason: str) -> ModifierCheck:
        return ModifierCheck(modifier, True, False, reason, meaning, source)

    if others.count(modifier) > 1:
        return refuse(f"{modifier} appears twice on one line")
    for pair, why in CONFLICTS:
        # Said once, on the second of the two.
        if modifier in pair and pair <= set(others) and others.index(modifier) > min(others.index(p) for p in pair):
            return refuse(why)
    if entry is None:
        return ModifierCheck(modifier, True, True, "", meaning, source,
                             (f"CodeDesk has no rules for {modifier}; check the payer's policy",))
    label = CodeSet(code_set).label if code_set in {c.value for c in CodeSet} else "unknown"
    if code_set is None or CodeSet(code_set) not in entry.applies_to:
        return refuse(f"{modifier} ({entry.family_label}) goes on {entry.applies_to_text} codes; "
                      f"{code} is a {label} code")
    if entry.only_on and not any(code in r for r in entry.only_on):
        ranges = ", ".join(_range_text(r) for r in entry.only_on)
        return refuse(f"{modifier} goes only on {entry.range_note} ({ranges}); {code} is not one")
    for code_range in entry.not_on:
        if code in code_range:
            return refuse(f"{modifier} is not used on {entry.range_note} ({_range_text(code_range)}); "
                          f"{code} is one")
    notes: list[str] = []
    if modifier in PCTC_ALLOWS:
        if pctc is None:
            notes.append("PC/TC split not checked: import the CMS RVU file to see whether this code has "
                         "professional and technical components")
        elif pctc.indicator not in PCTC_ALLOWS[modifier] and modifier not in pctc.components:
            return refuse(f"{code} has PC/TC indicator {pctc.indicator} in {pctc.source}, which allows no "
                          f"{modifier} component")
        else:
            notes.append(f"PC/TC indicator {pctc.indicator} in {pctc.source} allows {modifier}")
    return ModifierCheck(modifier, True, True, "", meaning, source, tuple(notes))


def _pctc(conn: sqlite3.Connection, code: str) -> PcTc | None:
    """The newest RVU file's PC/TC indicator for ``code`` and its component rows (26, TC)."""
    rows = conn.execute(
        """SELECT f.modifier, f.facts, s.name FROM code_facts f JOIN sources s ON s.id = f.source_id
           WHERE f.code = ? AND s.kind = 'cms-rvu'
             AND s.id = (SELECT s2.id FROM code_facts f2 JOIN sources s2 ON s2.id = f2.source_id
                         WHERE f2.code = ? AND s2.kind = 'cms-rvu'
                         ORDER BY s2.effective_date DESC, s2.id DESC LIMIT 1)""", (code, code)).fetchall()
    indicator, source = None, ""
    for modifier, facts, name in rows:
        value = json.loads(facts).get("pctc_indicator")
        if modifier == "" and value not in (None, ""):
            indicator, source = str(value), name
    if indicator is None:
        return None
    return PcTc(indicator, source, frozenset(r[0] for r in rows if r[0]))


def check_modifiers(conn: sqlite3.Connection, code: str, code_set: str | None, modifiers: Iterable[str]
                    ) -> list[ModifierCheck]:
    """Each of ``modifiers`` on ``code``, checked against the bundle and the database."""
    wanted = list(modifiers)
    entries = bundled_modifiers()
    pctc = _pctc(conn, code) if any(m in PCTC_ALLOWS for m in wanted) else None
    checks = []
    for index, modifier in enumerate(wanted):
        if index >= MAX_MODIFIERS:
            checks.append(ModifierCheck(modifier, modifier in entries, False,
                                        f"a claim line holds at most {MAX_MODIFIERS} modifiers (use 99 and list "
                                        "the rest where the payer says)", "", ""))
            continue
        row = conn.execute("SELECT c.title, s.name FROM codes c LEFT JOIN sources s ON s.id = c.title_source "
                           "WHERE c.code = ? AND c.kind = 'modifier'", (modifier,)).fetchone()
        imported_title = (row[0] or f"modifier {modifier}") if row is not None else ""
        checks.append(fit(code, code_set, modifier, entries.get(modifier), imported_title,
                          (row[1] or "") if row is not None else "", pctc, wanted))
    return checks
