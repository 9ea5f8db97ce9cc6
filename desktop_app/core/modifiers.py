"""Modifiers as things to open and to check: our bundled entries (``resources/data/modifiers.csv``, in our own
words) and the rules that say whether a modifier fits a code.

The official text of a modifier (CMS HCPCS file, AMA files) reaches the database only by import and is shown
beside ours as a descriptor of the modifier's ``codes`` row. This module holds what the bundle adds: what the
modifier means, when it is used, what it must not be used for, which code sets it goes on and, for some, the
code ranges it is limited to or kept off. The rules are pure functions; :func:`check_modifiers` asks the
database only whether a modifier exists, when the newest HCPCS file that lists it says it was added and terminated,
and what the newest RVU file says about the code (its PC/TC split and its surgery indicators: MULT PROC,
BILAT SURG, ASST SURG, CO SURG, TEAM SURG).

Where the RVU file has an indicator for the code, the indicator decides the modifiers it governs (50, 51, 62, 66,
80, 81, 82, AS) in place of our bundled code sets and ranges, which are only the fallback for a database without
the file (or a code the file does not list); the check's notes say which was used.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import combinations
from pathlib import Path

from desktop_app.core.catalog import top_section_ranges
from desktop_app.core.enums import StrEnum
from desktop_app.core.grammar import CodeRange, CodeSet, GrammarError, is_code, normalize, parse_range
from desktop_app.core.resources import data_dir
from desktop_app.core.valid_dates import day_after, valid_on

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
# What each anesthesiologist's payment modifier says about the case, in our words (for the conflicts below).
_ANESTHESIOLOGIST_ROLES = {"AA": "performed personally", "QY": "directing one nurse anesthetist",
                           "QK": "directing two to four cases", "AD": "supervising more than four cases"}
# Modifiers that contradict each other on one line.
CONFLICTS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"LT", "RT"}), "LT and RT together on one line; a procedure on both sides is reported with 50 "
                              "(or on two lines), as the payer asks"),
    (frozenset({"26", "TC"}), "26 and TC together are the whole (global) service: report the code without either"),
    *((frozenset({"59", x}), f"59 and {x} on one line; {x} is the more specific choice, use one of them")
      for x in ("XE", "XS", "XP", "XU")),
    # Anesthesia payment modifiers: each line says one thing about who gave the anesthesia and how. The
    # anesthesiologist's line says personally performed (AA), directing one CRNA (QY), directing two to four cases
    # (QK) or supervising more than four (AD); the nurse anesthetist's line says directed (QX) or not (QZ).
    *((frozenset({a, b}), f"{a} and {b} on one line: each says differently how the anesthesiologist took part "
                          f"({_ANESTHESIOLOGIST_ROLES[a]} against {_ANESTHESIOLOGIST_ROLES[b]}); a line carries one")
      for a, b in combinations(_ANESTHESIOLOGIST_ROLES, 2)),
    (frozenset({"QX", "QZ"}), "QX and QZ on one line: the nurse anesthetist was either medically directed (QX) or "
                              "not (QZ), not both"),
    *((frozenset({a, b}), f"{a} and {b} on one line: {a} is the anesthesiologist's modifier and {b} the nurse "
                          f"anesthetist's; each reports the case on a line of their own")
      for a in _ANESTHESIOLOGIST_ROLES for b in ("QX", "QZ")),
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


@dataclass(frozen=True)
class SurgeryIndicators:
    """A code's surgery indicators from one RVU file: ``values`` maps the fact keys the import stores
    (``mult_proc``, ``bilat_surg``, ``asst_surg``, ``co_surg``, ``team_surg``) to their raw values;
    ``global_days`` is the code's global period (``ZZZ`` for an add-on code)."""

    values: Mapping[str, str]
    source: str
    global_days: str = ""


@dataclass(frozen=True)
class ModifierDates:
    """When a modifier was added and terminated, from the newest imported HCPCS file that lists it (ISO dates,
    '' when the file gives none). A termination date is the last day the modifier may be used."""

    added: str
    terminated: str
    source: str


class IndicatorVerdict(StrEnum):
    FITS = "fits"
    DOCUMENTATION = "fits, with documentation"  # allowed when the record shows why it was needed
    NOTE = "fits, with a note"  # allowed, and how it is paid differs from the usual
    REFUSED = "does not fit"


# Which RVU indicator governs which modifier, with its column name in the file (RVU documentation, record layout).
INDICATOR_OF = {"50": "bilat_surg", "51": "mult_proc", "62": "co_surg", "66": "team_surg",
                "80": "asst_surg", "81": "asst_surg", "82": "asst_surg", "AS": "asst_surg"}
INDICATOR_COLUMNS = {"mult_proc": "MULT PROC", "bilat_surg": "BILAT SURG", "asst_surg": "ASST SURG",
                     "co_surg": "CO SURG", "team_surg": "TEAM SURG"}
INDICATOR_TOPICS = {"mult_proc": "multiple procedures", "bilat_surg": "bilateral surgery",
                    "asst_surg": "assistant at surgery", "co_surg": "co-surgeons", "team_surg": "team surgery"}
# What each indicator value means for its modifiers, in our own words, and the verdict. The choices, for what a
# coder expects:
# * a value that means "paid only with documentation of medical necessity" (ASST SURG 0, CO SURG 1, TEAM SURG 1)
#   fits, with a note saying so: the modifier is the right way to report the service, and Medicare pays it when
#   the record supports it;
# * a value that means "not paid", "not permitted" or "the concept does not apply" (ASST SURG 1 and 9, CO/TEAM
#   SURG 0 and 9, MULT PROC 0 and 9, BILAT SURG 9) is refused: the modifier on that code is a claim error a
#   coder wants to hear about before the payer denies it, not a warning to read past;
# * BILAT SURG 0 (the code is one-sided by anatomy or has a separate code for both sides) and 2 (the code is
#   already valued as bilateral) are refused too: 50 on them asks for an adjustment the code cannot have;
#   BILAT SURG 3 fits with a note (each side is paid in full, as for radiology and diagnostic tests);
# * MULT PROC 4 to 7 fit with a note: the reduction is applied by the payer from the code's family, so 51 adds
#   nothing for Medicare, though some payers still ask for it.
_FITS, _DOCUMENTATION, _NOTE, _REFUSED = (IndicatorVerdict.FITS, IndicatorVerdict.DOCUMENTATION, IndicatorVerdict.NOTE,
                                          IndicatorVerdict.REFUSED)
INDICATOR_MEANINGS: dict[str, dict[str, tuple[IndicatorVerdict, str]]] = {
    "asst_surg": {
        "0": (_DOCUMENTATION, "paid only with documentation of medical necessity"),
        "1": (_REFUSED, "not paid"),
        "2": (_FITS, "may be paid"),
        "9": (_REFUSED, "does not apply to this code"),
    },
    "co_surg": {
        "0": (_REFUSED, "not permitted"),
        "1": (_DOCUMENTATION, "paid only with documentation that two surgeons were needed"),
        "2": (_FITS, "permitted (two surgeons of different specialties)"),
        "9": (_REFUSED, "does not apply to this code"),
    },
    "team_surg": {
        "0": (_REFUSED, "not permitted"),
        "1": (_DOCUMENTATION, "paid by report, only with documentation that a team was needed"),
        "2": (_FITS, "permitted, paid by report"),
        "9": (_REFUSED, "does not apply to this code"),
    },
    "mult_proc": {
        "0": (_REFUSED, "no reduction applies to this code, so 51 has no use on it"),
        "1": (_FITS, "the standard reduction applies"),
        "2": (_FITS, "the standard reduction applies"),
        "3": (_FITS, "the multiple endoscopy rules apply within the endoscopy's family"),
        "4": (_NOTE, "the payer reduces the imaging technical component by family itself; 51 is not needed "
                     "for Medicare"),
        "5": (_NOTE, "the payer reduces the practice expense of therapy services itself; 51 is not needed for "
                     "Medicare"),
        "6": (_NOTE, "the payer reduces the technical component of diagnostic cardiovascular services itself; 51 "
                     "is not needed for Medicare"),
        "7": (_NOTE, "the payer reduces the technical component of diagnostic eye services itself; 51 is not "
                     "needed for Medicare"),
        "9": (_REFUSED, "does not apply to this code"),
    },
    "bilat_surg": {
        "0": (_REFUSED, "no bilateral adjustment (one side only by anatomy, or another code covers both sides)"),
        "1": (_FITS, "the bilateral adjustment (150%) applies"),
        "2": (_REFUSED, "the code is already valued as bilateral"),
        "3": (_NOTE, "each side is paid at 100%, without the 150% adjustment"),
        "9": (_REFUSED, "does not apply to this code"),
    },
}
ADD_ON_GLOBAL = "ZZZ"  # the global period of an add-on code
EM_SECTION = "Evaluation and Management"


@lru_cache(maxsize=1)
def evaluation_and_management_ranges() -> tuple[CodeRange, ...]:
    """The E/M codes, as our section list (``sections.csv``) has them."""
    return top_section_ranges(data_dir(), CodeSet.CAT_I.value, EM_SECTION)


def fit(code: str, code_set: str | None, modifier: str, entry: Modifier | None, imported_title: str = "",
        imported_source: str = "", pctc: PcTc | None = None, others: Sequence[str] = (),
        surgery: SurgeryIndicators | None = None, dates: ModifierDates | None = None, on: str = "") -> ModifierCheck:
    """The rules, as a pure function: ``entry`` is the bundled entry (None if not bundled), ``imported_title``
    the modifier's title from an imported file ('' if none), ``others`` the other modifiers on the line,
    ``surgery`` the code's RVU surgery indicators (None without an RVU row), ``dates`` the modifier's HCPCS
    dates (None if no imported HCPCS file lists it) and ``on`` the date of service (ISO; '' leaves the dates
    unchecked)."""
    if entry is None and not imported_title:
        return ModifierCheck(modifier, False, False,
                             f"{modifier} is not a modifier CodeDesk knows (not bundled, not in your imported files)",
                             "", "")
    meaning = entry.meaning if entry else imported_title
    source = OUR_MODIFIER_LABEL if entry else imported_source
    notes: list[str] = []

    def refuse(reason: str) -> ModifierCheck:
        return ModifierCheck(modifier, True, False, reason, meaning, source, tuple(notes))

    if others.count(modifier) > 1:
        return refuse(f"{modifier} appears twice on one line")
    for pair, why in CONFLICTS:
        # Said once, on the second of the two.
        if modifier in pair and pair <= set(others) and others.index(modifier) > min(others.index(p) for p in pair):
            return refuse(why)
    if dates is not None and on:
        # One rule for every date check (core.valid_dates): TERM DT is the last valid day, ADD DT the first.
        if not valid_on(day_after(dates.terminated) if dates.terminated else "", on):
            return refuse(f"{modifier} was terminated: valid through {dates.terminated} ({dates.source})")
        if not valid_on("", on, dates.added):
            return refuse(f"{modifier} takes effect on {dates.added} ({dates.source}); the date of service is {on}")
    if entry is None:
        return ModifierCheck(modifier, True, True, "", meaning, source,
                             (f"CodeDesk has no rules for {modifier}; check the payer's policy",))
    label = CodeSet(code_set).label if code_set in {c.value for c in CodeSet} else "unknown"
    key = INDICATOR_OF.get(modifier)
    value = surgery.values.get(key, "") if surgery is not None and key is not None else ""
    if not value:
        if key is not None and surgery is None:
            notes.append(f"{INDICATOR_COLUMNS[key]} indicator not checked: import the CMS RVU file to see whether "
                         f"Medicare allows {modifier} on this code (checked by code range instead)")
        elif key is not None and surgery is not None:
            notes.append(f"{INDICATOR_COLUMNS[key]} indicator not checked: {surgery.source} gives none for {code} "
                         "(checked by code range instead)")
        # The bundled code sets and ranges, which the RVU indicator replaces where the file has one.
        if code_set is None or CodeSet(code_set) not in entry.applies_to:
            return refuse(f"{modifier} ({entry.family_label}) goes on {entry.applies_to_text} codes; "
                          f"{code} is a {label} code")
        if entry.only_on and not any(code in r for r in entry.only_on):
            ranges = ", ".join(_range_text(r) for r in entry.only_on)
            return refuse(f"{modifier} goes only on {entry.range_note} ({ranges}); {code} is not one")
    # Ranges a modifier is kept off hold whatever the RVU file says: the file's "documentation required" values
    # cover E/M visits too (ASST SURG 0 on 99213), where an assistant surgeon has no meaning.
    for code_range in entry.not_on:
        if code in code_range:
            return refuse(f"{modifier} is not used on {entry.range_note} ({_range_text(code_range)}); "
                          f"{code} is one")
    if value and key is not None and surgery is not None:
        # The file gives E/M visits ASST SURG 0 ("paid with documentation"), like most codes that are not surgery;
        # an assistant, a co-surgeon or a surgical team has no meaning on a visit, so E/M codes stay refused.
        for code_range in evaluation_and_management_ranges():
            if code in code_range:
                return refuse(f"{modifier} is not used on E/M services ({_range_text(code_range)}); {code} is one")
        checked = f"{INDICATOR_COLUMNS[key]} {value}, {surgery.source}"
        if modifier == "51" and surgery.global_days == ADD_ON_GLOBAL:
            return refuse(f"{code} is an add-on code (global period {ADD_ON_GLOBAL}, {surgery.source}): add-on "
                          "codes are never reduced as multiple procedures, so 51 is not used on them")
        verdict, said = INDICATOR_MEANINGS[key].get(
            value, (IndicatorVerdict.NOTE, f"indicator value {value} is not in the RVU documentation"))
        if verdict is IndicatorVerdict.REFUSED:
            return refuse(f"{INDICATOR_TOPICS[key]} on {code}: {said} ({checked})")
        notes.append(f"{INDICATOR_TOPICS[key]}: {said} ({checked})")
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


def _newest_rvu_rows(conn: sqlite3.Connection, code: str) -> list[tuple[str, dict[str, object], str]]:
    """The rows (modifier, facts, source name) of ``code`` in the newest RVU file that lists it."""
    # The code's rows of every RVU file (a few), read by the primary key, and the newest file's kept here: asking
    # SQLite for "the newest source's rows" made it walk that source's 19,000 rows (6-8 ms a check).
    rows = conn.execute(
        """SELECT f.modifier, f.facts, s.name, s.effective_date, s.id FROM code_facts f
           JOIN sources s ON s.id = f.source_id WHERE f.code = ? AND s.kind = 'cms-rvu'""", (code,)).fetchall()
    if not rows:
        return []
    newest = max((r[3] or "", r[4]) for r in rows)
    return [(r[0], json.loads(r[1]), r[2]) for r in rows if (r[3] or "", r[4]) == newest]


def _pctc(rows: list[tuple[str, dict[str, object], str]]) -> PcTc | None:
    """The PC/TC indicator of the code's base row and its component rows (26, TC)."""
    indicator, source = None, ""
    for modifier, facts, name in rows:
        value = facts.get("pctc_indicator")
        if modifier == "" and value not in (None, ""):
            indicator, source = str(value), name
    if indicator is None:
        return None
    return PcTc(indicator, source, frozenset(r[0] for r in rows if r[0]))


def _surgery(conn: sqlite3.Connection, rows: list[tuple[str, dict[str, object], str]]) -> SurgeryIndicators | None:
    """The surgery indicators of the code's base row (the 26/TC rows repeat them); none (an empty ``values``)
    when an RVU file is imported but does not give them for the code; None when no RVU file is imported."""
    for modifier, facts, name in rows:
        if modifier == "":
            values = {key: str(facts[key]).strip() for key in INDICATOR_COLUMNS if facts.get(key) not in (None, "")}
            return SurgeryIndicators(values, name, str(facts.get("global_days") or ""))
    newest = conn.execute("SELECT name FROM sources WHERE kind = 'cms-rvu' "
                          "ORDER BY effective_date DESC, id DESC LIMIT 1").fetchone()
    return SurgeryIndicators({}, newest[0]) if newest is not None else None


def _modifier_dates(conn: sqlite3.Connection, modifier: str) -> ModifierDates | None:
    """The added and termination dates of ``modifier`` in the newest imported HCPCS file that lists it."""
    row = conn.execute(
        """SELECT f.facts, s.name FROM code_facts f JOIN sources s ON s.id = f.source_id
           WHERE f.code = ? AND f.modifier = '' AND s.kind = 'cms-hcpcs'
           ORDER BY s.effective_date DESC, s.id DESC LIMIT 1""", (modifier,)).fetchone()
    if row is None:
        return None
    facts = json.loads(row[0])
    return ModifierDates(str(facts.get("added_date") or ""), str(facts.get("termination_date") or ""), row[1])


def check_modifiers(conn: sqlite3.Connection, code: str, code_set: str | None, modifiers: Iterable[str],
                    on: date | None = None) -> list[ModifierCheck]:
    """Each of ``modifiers`` on ``code``, checked against the bundle and the database, for a date of service
    ``on`` (today when not given: a modifier terminated before then is refused)."""
    wanted = list(modifiers)
    entries = bundled_modifiers()
    rvu_rows = (_newest_rvu_rows(conn, code)
                if any(m in PCTC_ALLOWS or m in INDICATOR_OF for m in wanted) else [])
    pctc = _pctc(rvu_rows)
    surgery = _surgery(conn, rvu_rows) if any(m in INDICATOR_OF for m in wanted) else None
    day = (on or date.today()).isoformat()
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
                          (row[1] or "") if row is not None else "", pctc, wanted, surgery,
                          _modifier_dates(conn, modifier) if row is not None else None, day))
    return checks
