"""Checking the codes of one claim against the imported NCCI edits (CMS National Correct Coding Initiative).

* :func:`parse_claim` reads what a coder types: ``29881, 29877-59, 20610 x2`` (codes, modifiers, units).
* :func:`check_claim` returns every procedure-to-procedure (PTP) edit that applies to a pair of the claim's codes on
  the date of service, whether a modifier may bypass it and whether one is present, and every medically unlikely
  edit (MUE) the units exceed, each with a sentence in plain words.
* :func:`code_edits` and :func:`code_mues` are what the detail pane of one code shows.

The rules, from the CMS files' own legend: an edit is in effect from its effective date through its deletion date
(``*``: not deleted); modifier indicator 0 means no modifier bypasses it, 1 that an NCCI-associated modifier may
(when clinically right), 9 that the edit does not apply (it was deleted on its effective date), so it never fires.
The column 2 code is the one denied. The newest imported PTP version of the setting is used (each version carries
the full history with dates); for MUEs the newest table effective on the date of service.

Codes only: no descriptor comes from these files. Qt-free; every function takes an open connection.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from desktop_app.core.errors import UserError
from desktop_app.core.grammar import (
    Shape,
    classify,
    clean_input,
    code_set_for,
    is_code,
    normalize,
    split_at_codes,
    split_units,
)
from desktop_app.core.kinds import NCCI_SETTING_LABELS, CodeStatus, NcciSetting, SourceKind
from desktop_app.core.modifiers import check_modifiers
from desktop_app.core.valid_dates import deletion_words, not_yet_valid_words, valid_on

NO_DELETION = 99991231
SETTINGS = tuple(NcciSetting)
SETTING_LABELS = NCCI_SETTING_LABELS
NOTICE = (
    "CPT codes are copyright the American Medical Association (AMA); CPT is a registered trademark of the AMA. "
    "The NCCI edits are published by CMS; the edit files carry codes only, no descriptors."
)
# Modifiers NCCI accepts to bypass an edit whose indicator is 1 (NCCI Policy Manual, chapter I): anatomic
# (E1-E4, FA, F1-F9, LC, LD, LM, RC, RI, LT, RT, TA, T1-T9), global surgery (24, 25, 57, 58, 78, 79), 27, 59, 91,
# and the X{EPSU} subset of 59.
NCCI_MODIFIERS = frozenset(
    {"E1", "E2", "E3", "E4", "FA", *(f"F{i}" for i in range(1, 10)), "LC", "LD", "LM", "RC", "RI", "LT", "RT",
     "TA", *(f"T{i}" for i in range(1, 10)), "24", "25", "27", "57", "58", "59", "78", "79", "91",
     "XE", "XP", "XS", "XU"}
)
MODIFIER_MEANINGS = {
    0: "no modifier bypasses this edit",
    1: "an NCCI-associated modifier (59, XE, XS, XP, XU, anatomic ones …) may bypass it when clinically right",
    9: "not applicable (the edit was deleted on its effective date)",
}
ADJUDICATION_MEANINGS = {
    1: "per claim line",
    2: "per day (date of service edit: policy)",
    3: "per day (date of service edit: clinical)",
}
MAX_CLAIM_LINES = 100
MAX_UNITS = 99_999
EDIT_PAGE = 50


class ClaimError(UserError):
    """What the coder typed is not a claim line list; the message names the part that is wrong."""


@dataclass(frozen=True)
class ClaimLine:
    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1

    def label(self) -> str:
        text = "-".join((self.code, *self.modifiers))
        return text + (f" x{self.units}" if self.units != 1 else "")


def parse_claim(text: str) -> list[ClaimLine]:
    """``29881, 29877-59, 20610 x2`` → three lines. Items are separated by commas, semicolons, new lines or blanks;
    a modifier follows its code after ``-`` or a blank (``29877-59-RT``); the unit count is read by
    :func:`grammar.split_units`, as search and validate read it (``x2``, ``x 2``, ``×2``, ``*2``, ``2u``,
    ``2 units``; after a dash, ``X2`` is the modifier X2). Raises :class:`ClaimError` naming what is not a code,
    modifier or unit count."""
    cleaned = re.sub(r"[,;]", " ", clean_input(text).upper())
    lines: list[ClaimLine] = []
    for part in split_at_codes(cleaned):
        body, units = split_units(part)
        for piece in map(normalize, re.findall(r"[^\s\-\u2013\u2014\u2212\u2012]+", body)):
            if is_code(piece):
                if len(lines) >= MAX_CLAIM_LINES:
                    raise ClaimError(f"a claim here has at most {MAX_CLAIM_LINES} lines")
                lines.append(ClaimLine(piece))
            elif not lines:
                raise ClaimError(f"{piece!r} is not a code; start with a code such as 29881")
            elif classify(piece) is Shape.MODIFIER:
                last = lines[-1]
                if piece not in last.modifiers:
                    lines[-1] = ClaimLine(last.code, (*last.modifiers, piece), last.units)
            else:
                raise ClaimError(f"{piece!r} (after {lines[-1].code}) is not a code, a modifier (59, XS, LT …) or "
                                 "units (x2)")
        if units is not None and lines:
            if not 1 <= units <= MAX_UNITS:
                raise ClaimError(f"{part!r}: units must be between 1 and {MAX_UNITS:,}")
            lines[-1] = ClaimLine(lines[-1].code, lines[-1].modifiers, units)
    if not lines:
        raise ClaimError("no codes given; type the claim's codes, e.g. 29881, 29877-59, 20610 x2")
    return lines


def parse_date(text: str) -> date:
    """``2026-07-15``, ``20260715`` or ``07/15/2026``."""
    value = text.strip()
    for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", (1, 2, 3)), (r"(\d{4})(\d{2})(\d{2})", (1, 2, 3)),
                           (r"(\d{1,2})/(\d{1,2})/(\d{4})", (3, 1, 2))):
        if m := re.fullmatch(pattern, value):
            try:
                return date(int(m.group(order[0])), int(m.group(order[1])), int(m.group(order[2])))
            except ValueError:
                break
    raise ClaimError(f"{text!r} is not a date; write it as 2026-07-15 or 07/15/2026")


def _day(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def _iso(value: int) -> str | None:
    if value >= NO_DELETION:
        return None
    text = f"{value:08d}"
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)) or (-1,)


@dataclass(frozen=True)
class PtpPart:
    """One imported PTP file an answer used: its part number (0: a release not split in parts) and version."""

    part: int
    version: str
    file: str
    source_id: int


@dataclass(frozen=True)
class NcciRelease:
    """The imported NCCI data one answer used. For PTP edits, ``parts`` says which file gave each part and
    ``missing_parts`` which parts of the release no imported file gives: pairs in them were not checked. For an
    MUE table, ``effective_date`` is the day it took effect."""

    setting: str
    version: str
    source_ids: tuple[int, ...]
    files: tuple[str, ...]
    parts: tuple[PtpPart, ...] = ()
    missing_parts: tuple[int, ...] = ()
    effective_date: str = ""

    @property
    def complete(self) -> bool:
        return not self.missing_parts

    @property
    def parts_text(self) -> str:
        """``part 1 (ccipra-v322r0-f1.txt), part 2 from version 32.1r0 (ccipra-v321r0-f2.txt)``."""
        return ", ".join(
            ("the whole release" if p.part == 0 else f"part {p.part}")
            + (f" from version {p.version}" if p.version != self.version else "") + f" ({p.file})"
            for p in self.parts)

    @property
    def missing_text(self) -> str:
        """The caveat when parts are missing (``''`` when none are): which, and what it means."""
        if not self.missing_parts:
            return ""
        listed = ", ".join(str(p) for p in self.missing_parts)
        return (f"part{'s' if len(self.missing_parts) > 1 else ''} {listed} of the {SETTING_LABELS[self.setting]} "
                f"PTP edits (version {self.version}) {'are' if len(self.missing_parts) > 1 else 'is'} not imported, "
                "so pairs whose edits are in "
                f"{'them' if len(self.missing_parts) > 1 else 'it'} were not checked: import all "
                f"{PTP_PARTS} parts (…-f1 to …-f{PTP_PARTS})")

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"setting": self.setting, "version": self.version, "files": list(self.files)}
        if self.parts:
            data.update(parts=[{"part": p.part, "version": p.version, "file": p.file} for p in self.parts],
                        missing_parts=list(self.missing_parts), complete=self.complete)
        if self.effective_date:
            data["effective_date"] = self.effective_date
        return data


# CMS publishes each PTP release in four numbered parts, -f1 to -f4, split by column 1 code (cms-ncci/PROVENANCE.md);
# a release imported with a higher part number than this is expected to have that many.
PTP_PARTS = 4


def ptp_release(conn: sqlite3.Connection, setting: str) -> NcciRelease | None:
    """The PTP edits of ``setting`` an answer uses, or None when none are imported: the newest imported version,
    part by part. A part of that version that is not imported is taken from the newest older version that has it
    (an older release carries that part's edits with their dates, up to its own quarter: better than checking no
    pair of it); a part no version has is listed in ``missing_parts``. A release imported whole (no part number)
    needs no parts."""
    rows = conn.execute(
        "SELECT n.version, n.source_id, s.file_name, n.part FROM ncci_files n JOIN sources s ON s.id = n.source_id "
        "WHERE n.edit_kind = 'ptp' AND n.setting = ? ORDER BY n.part, n.source_id", (setting,)).fetchall()
    if not rows:
        return None
    newest = max((r[0] for r in rows), key=_version_key)
    whole = [r for r in rows if r[0] == newest and r[3] == 0]
    if whole:
        chosen = [PtpPart(0, newest, whole[-1][2], whole[-1][1])]
        missing: list[int] = []
    else:
        by_part: dict[int, tuple[str, int, str, int]] = {}
        for row in sorted((r for r in rows if r[3] > 0), key=lambda r: _version_key(r[0])):
            by_part[row[3]] = row  # the newest version of each part wins
        chosen = [PtpPart(part, r[0], r[2], r[1]) for part, r in sorted(by_part.items())]
        expected = max(PTP_PARTS, *by_part) if by_part else PTP_PARTS
        missing = [part for part in range(1, expected + 1) if part not in by_part]
        older_whole = sorted((r for r in rows if r[3] == 0), key=lambda r: _version_key(r[0]))
        if missing and older_whole:  # an older release imported whole has every part's edits
            chosen.append(PtpPart(0, older_whole[-1][0], older_whole[-1][2], older_whole[-1][1]))
            missing = []
    return NcciRelease(setting, newest, tuple(p.source_id for p in chosen), tuple(p.file for p in chosen),
                       tuple(chosen), tuple(missing))


def mue_release(conn: sqlite3.Connection, setting: str, on: date | None = None) -> NcciRelease | None:
    """The newest imported MUE table of ``setting`` effective on ``on`` (else the oldest loaded), or None."""
    rows = conn.execute(
        "SELECT n.version, n.source_id, s.file_name, s.effective_date FROM ncci_files n "
        "JOIN sources s ON s.id = n.source_id WHERE n.edit_kind = 'mue' AND n.setting = ? "
        "ORDER BY s.effective_date", (setting,)).fetchall()
    if not rows:
        return None
    chosen = rows[0]
    for row in rows:
        if on is None or not row[3] or row[3] <= on.isoformat():
            chosen = row
    return NcciRelease(setting, chosen[0], (chosen[1],), (chosen[2],), effective_date=chosen[3] or "")


def in_effect_on(release: NcciRelease, on: date) -> bool:
    """Was the MUE table ``release`` in effect on ``on``? (One whose file name gives no date is taken as in
    effect.) :func:`mue_release` falls back to the oldest table when none was, and that table says nothing about
    the day: its units are not checked and no "no MUE" is said."""
    return not release.effective_date or release.effective_date <= on.isoformat()


@dataclass
class PtpFinding:
    """One PTP edit between two codes of the claim that is in effect on the date of service."""

    column1: str
    column2: str
    effective_date: str
    deletion_date: str | None  # None: not deleted ('*')
    modifier_indicator: int
    modifier_indicator_meaning: str
    bypass_allowed: bool
    modifiers_present: list[str]  # NCCI-associated modifiers on the lines of either code
    bypassed: bool
    denied_code: str  # the column 2 code, which the edit denies unless it is bypassed
    rationale: str
    before_1996: bool
    message: str


@dataclass
class PtpNotInEffect:
    """A PTP edit between two codes of the claim that does not fire on the date (said so the coder knows)."""

    column1: str
    column2: str
    effective_date: str
    deletion_date: str | None
    modifier_indicator: int
    reason: str


@dataclass
class MueFinding:
    code: str
    units: int  # the units the check counted (one line's, or all lines' for a per-day edit)
    mue: int
    adjudication_indicator: int
    adjudication: str
    rationale: str
    exceeded: bool
    message: str


@dataclass(frozen=True)
class UnfitModifier:
    line: str  # the claim line as written (29877-59)
    modifier: str
    reason: str

    @property
    def message(self) -> str:
        return f"{self.line}: -{self.modifier} does not fit: {self.reason}"


@dataclass(frozen=True)
class InvalidCode:
    """A claim line's code that is not a valid code on the date of service: not in the imported files
    (``known`` False: nothing says it is invalid, only that CodeDesk cannot say), not yet in effect, or deleted
    before it."""

    code: str
    reason: str
    known: bool = True

    @property
    def message(self) -> str:
        return f"{self.code}: {self.reason}"


@dataclass
class CheckResult:
    date_of_service: str
    setting: str
    lines: list[ClaimLine]
    ptp: list[PtpFinding] = field(default_factory=list)
    ptp_not_in_effect: list[PtpNotInEffect] = field(default_factory=list)
    mue: list[MueFinding] = field(default_factory=list)
    ptp_release: NcciRelease | None = None
    mue_release: NcciRelease | None = None
    notes: list[str] = field(default_factory=list)
    # The modifiers that do not fit their code on the date of service (terminated, wrong code set, refused by the
    # RVU file's indicators …): the same check as show/search/validate, dated by the claim.
    modifiers_unfit: list[UnfitModifier] = field(default_factory=list)
    # Codes not valid on the date of service (not in the database, or deleted before it): the edits of a code
    # that cannot be billed say nothing useful, and the check said nothing of S0020 terminated in 2023.
    codes_invalid: list[InvalidCode] = field(default_factory=list)

    @property
    def mue_exceeded(self) -> list[MueFinding]:
        return [m for m in self.mue if m.exceeded]

    @property
    def mue_in_effect(self) -> bool:
        """Did the MUE table used judge the units? False when none is imported or it took effect later."""
        return self.mue_release is not None and in_effect_on(self.mue_release, date.fromisoformat(
            self.date_of_service))

    @property
    def codes_without_mue(self) -> list[str]:
        """The claim's codes the MUE table in effect gives no limit (empty when no table judged the units)."""
        if not self.mue_in_effect:
            return []
        return sorted({ln.code for ln in self.lines} - {m.code for m in self.mue})

    @property
    def pairs_partly_unchecked(self) -> bool:
        """Were there pairs to check while parts of the PTP release are missing (pairs in them went unchecked)?"""
        return (self.ptp_release is not None and not self.ptp_release.complete
                and len({ln.code for ln in self.lines}) > 1)

    @property
    def has_denials(self) -> bool:
        """Does anything deny a line or leave a code invalid? (``check`` exits 1 then.)"""
        return bool(any(not p.bypassed for p in self.ptp) or self.mue_exceeded or self.codes_invalid
                    or self.modifiers_unfit)

    def to_json(self) -> dict[str, object]:
        """The ``check --json`` contract (README): keys are only ever added."""
        def release(r: NcciRelease | None) -> dict[str, object] | None:
            return None if r is None else r.to_json()

        return {
            "date_of_service": self.date_of_service,
            "setting": self.setting,
            "lines": [{"code": ln.code, "modifiers": list(ln.modifiers), "units": ln.units} for ln in self.lines],
            "ptp": [asdict(p) for p in self.ptp],
            "ptp_not_in_effect": [asdict(p) for p in self.ptp_not_in_effect],
            "mue": [asdict(m) for m in self.mue],
            "mue_exceeded": [asdict(m) for m in self.mue_exceeded],
            "ptp_release": release(self.ptp_release),
            "mue_release": release(self.mue_release),
            "notes": list(self.notes),
            "modifiers_unfit": [asdict(m) for m in self.modifiers_unfit],
            "codes_invalid": [asdict(c) for c in self.codes_invalid],
            "mue_in_effect": self.mue_in_effect,
            "notice": NOTICE,
        }


def _ptp_message(column1: str, column2: str, indicator: int, present: list[str]) -> tuple[bool, str]:
    if indicator == 0:
        return False, (f"{column2} is not paid with {column1} (column 1 {column1}, column 2 {column2}); "
                       "no modifier bypasses this edit" + (f", so {', '.join(present)} does not" if present else ""))
    if present:
        return True, (f"{column2} with {column1}: the edit is bypassed by modifier {', '.join(present)}, "
                      "if the services really were distinct (separate site, session, or encounter)")
    return False, (f"{column2} is not paid with {column1} unless an NCCI-associated modifier (59, XE, XS, XP, XU, "
                   "or an anatomic one) applies and is appended")


def _placeholders(values: Sequence[object]) -> str:
    return ",".join("?" for _ in values)


NOT_IMPORTED = ("not in the imported files (nor in CodeDesk's bundled reference), so CodeDesk cannot say whether "
                "it is valid: check the code, or import the file that lists it")


def _first_valid_days(conn: sqlite3.Connection, codes: list[str]) -> dict[str, tuple[str, str]]:
    """code → (its first valid day, the file that says so), from the imported files that give one: the HCPCS
    file's ADD DT (for action A, "added", its ACT EFF DT when later: they are one day in the 2025 files) and the
    AMA PLA file's effective date of a code it does not list as deleted. The RVU file gives no such date. When
    several files give one, the earliest counts: a code one file knew earlier was valid then."""
    starts: dict[str, tuple[str, str]] = {}
    # The five facts read in SQLite (json_extract) rather than each row's whole JSON parsed here.
    for code, kind, name, added, action, action_effective, effective, pla_status in conn.execute(
            "SELECT f.code, s.kind, s.name, json_extract(f.facts, '$.added_date'), "
            "json_extract(f.facts, '$.action_code'), json_extract(f.facts, '$.action_effective_date'), "
            "json_extract(f.facts, '$.effective_date'), json_extract(f.facts, '$.pla_status') "
            "FROM code_facts f JOIN sources s ON s.id = f.source_id "
            f"WHERE f.code IN ({_placeholders(codes)}) AND f.modifier = '' AND s.kind IN (?, ?)",
            (*codes, SourceKind.CMS_HCPCS, SourceKind.AMA_CPT)):
        if kind == SourceKind.CMS_HCPCS:
            start = str(added or "")
            if action == "A":
                start = max(start, str(action_effective or ""))
        elif str(pla_status or "").lower().startswith("delet"):
            continue  # a deleted PLA code's effectiveDate is its deletion's (importers.ama_cpt.pla)
        else:
            start = str(effective or "")
        if start and (code not in starts or start < starts[code][0]):
            starts[code] = (start, name)
    return starts


def invalid_codes(conn: sqlite3.Connection, codes: list[str], on: date) -> list[InvalidCode]:
    """The codes that are not in the database, not valid yet on ``on`` (their first valid day comes later), or
    deleted as of ``on`` or earlier (``deleted_date`` is the first day a code is not valid); one rule,
    :func:`valid_dates.valid_on`, for both ends."""
    known = {row[0]: (row[1], row[2]) for row in conn.execute(
        f"SELECT code, status, deleted_date FROM codes WHERE kind = 'code' AND code IN ({_placeholders(codes)})",
        codes)}
    starts = _first_valid_days(conn, [c for c in codes if c in known]) if known else {}
    day = on.isoformat()
    invalid = []
    for code in codes:
        if code not in known:
            invalid.append(InvalidCode(code, NOT_IMPORTED, known=False))
            continue
        status, deleted = known[code]
        deleted_as_of = deleted if status == CodeStatus.DELETED else ""
        start, start_source = starts.get(code, ("", ""))
        if status == CodeStatus.DELETED and not deleted:
            invalid.append(InvalidCode(code, f"deleted: not valid on {day}"))
        elif not valid_on("", day, start):
            invalid.append(InvalidCode(code, f"{not_yet_valid_words(start)} ({start_source}): not valid on {day}"))
        elif not valid_on(deleted_as_of, day):
            invalid.append(InvalidCode(code, f"{deletion_words(deleted_as_of)}: not valid on {day}"))
    return invalid


def check_claim(conn: sqlite3.Connection, lines: list[ClaimLine], on: date,
                setting: str = NcciSetting.PRACTITIONER) -> CheckResult:
    """Every PTP edit in effect on ``on`` between codes of ``lines``, and every MUE (exceeded or not)."""
    if setting not in SETTINGS:
        raise ClaimError(f"unknown setting {setting!r}; use practitioner, hospital or dme")
    result = CheckResult(on.isoformat(), setting, list(lines))
    codes = sorted({ln.code for ln in lines})
    result.codes_invalid = invalid_codes(conn, codes, on)
    # The modifiers first: one that does not fit its code (59 on an E/M, LT on 99213, a terminated one) cannot
    # bypass a pair edit either; counting it said "bypassed" above a report that denies the modifier.
    for ln in lines:
        if ln.modifiers:
            code_set = code_set_for(ln.code)
            for check in check_modifiers(conn, ln.code, code_set.value if code_set else None, ln.modifiers, on=on):
                if not check.fits:
                    result.modifiers_unfit.append(UnfitModifier(ln.label(), check.modifier, check.reason))
    unfit = {(u.line, u.modifier) for u in result.modifiers_unfit}
    modifiers: dict[str, set[str]] = {}
    for ln in lines:
        modifiers.setdefault(ln.code, set()).update(
            m for m in ln.modifiers if m in NCCI_MODIFIERS and (ln.label(), m) not in unfit)
    day = _day(on)

    release = result.ptp_release = ptp_release(conn, setting) if setting != NcciSetting.DME else None
    if release is None:
        if setting != NcciSetting.DME:
            result.notes.append(f"no {SETTING_LABELS[setting]} PTP edits are imported (import the CMS ccipra/ccioph "
                                "files), so pairs were not checked")
    elif len(codes) > 1:
        if release.missing_parts:
            # Said before anything else about pairs: "no edit" from a quarter of a release is no answer.
            result.notes.append(release.missing_text)
        # A pair in a part taken from an older version and in one of the newest (CMS may move the split between
        # parts) is judged by the newest version that has it: its rows carry the later deletions (_shadowed).
        shadow_filter, shadow_args = _shadowed(release)
        sql = (
            "SELECT e.column1, e.column2, e.before_1996, e.effective, e.deletion, e.modifier, r.text "
            "FROM ptp_edits e JOIN ncci_rationales r ON r.id = e.rationale_id "
            f"WHERE e.column1 IN ({_placeholders(codes)}) AND e.column2 IN ({_placeholders(codes)}) "
            f"AND e.source_id IN ({_placeholders(release.source_ids)}){shadow_filter} "
            "ORDER BY e.column1, e.column2, e.effective"
        )
        edit_rows = conn.execute(sql, (*codes, *codes, *release.source_ids, *shadow_args)).fetchall()
        for col1, col2, before, effective, deletion, indicator, rationale in edit_rows:
            if col1 == col2:
                continue
            if indicator == 9 or not effective <= day <= deletion:
                reason = (MODIFIER_MEANINGS[9] if indicator == 9 else
                          f"not yet in effect (from {_iso(effective)})" if day < effective else
                          f"deleted: in effect through {_iso(deletion)}")
                result.ptp_not_in_effect.append(
                    PtpNotInEffect(col1, col2, _iso(effective) or "", _iso(deletion), indicator, reason))
                continue
            present = sorted(modifiers.get(col1, set()) | modifiers.get(col2, set()))
            bypassed, message = _ptp_message(col1, col2, indicator, present)
            result.ptp.append(PtpFinding(
                col1, col2, _iso(effective) or "", _iso(deletion), indicator, MODIFIER_MEANINGS.get(indicator, ""),
                indicator == 1, present, bypassed, col2, rationale, bool(before), message))

    mues = result.mue_release = mue_release(conn, setting, on)
    if mues is None:
        result.notes.append(f"no {SETTING_LABELS[setting]} MUE table is imported, so units were not checked")
    else:
        too_new = not in_effect_on(mues, on)
        if too_new:
            # A table that took effect after the date of service says nothing about it: judging the units by it
            # gave "denied" verdicts for claims no such limit applied to.
            result.notes.append(f"no imported {SETTING_LABELS[setting]} MUE table was in effect on "
                                f"{on.isoformat()} (the oldest imported one is effective {mues.effective_date}), so "
                                "units were not checked")
        rows = [] if too_new else conn.execute(
            "SELECT m.code, m.units, m.adjudication, r.text FROM mue_values m JOIN ncci_rationales r "
            f"ON r.id = m.rationale_id WHERE m.source_id = ? AND m.code IN ({_placeholders(codes)}) ORDER BY m.code",
            (mues.source_ids[0], *codes)).fetchall()
        for code, limit, mai, rationale in rows:
            code_lines = [ln for ln in lines if ln.code == code]
            per_line = mai == 1
            units = max(ln.units for ln in code_lines) if per_line else sum(ln.units for ln in code_lines)
            exceeded = units > limit
            where = "on one claim line" if per_line else "for one patient on one day"
            if exceeded:
                # An MUE denies the whole claim line (MAI 1) or every line of the code that day (MAI 2 and 3),
                # never only the units over the limit; MAI 3 may be paid on appeal with the record.
                message = (f"{code}: {units} units billed, more than the MUE of {limit} {where}"
                           + ("; that claim line is denied" if per_line else
                              "; every line of this code that day is denied, and an appeal with documentation of "
                              "medical necessity may succeed (clinical limit)" if mai == 3 else
                              "; every line of this code that day is denied (policy limit: not paid on appeal)"))
            else:
                message = f"{code}: {units} unit{'s' if units != 1 else ''}, within the MUE of {limit} {where}"
            result.mue.append(MueFinding(code, units, limit, mai, ADJUDICATION_MEANINGS.get(mai, ""), rationale,
                                         exceeded, message))
    return result


@dataclass
class CodeEdit:
    """One PTP edit of a code, seen from that code: ``role`` is 'column 1' or 'column 2'."""

    other_code: str
    role: str
    column1: str
    column2: str
    effective_date: str
    deletion_date: str | None
    modifier_indicator: int
    rationale: str
    in_effect: bool


@dataclass
class CodeEditPage:
    code: str
    setting: str
    on: str | None  # only edits in effect on this date, if given
    total: int  # edits of the code (both directions) matching the filter
    as_column1: int
    as_column2: int
    edits: list[CodeEdit]
    release: NcciRelease | None


def _shadowed(release: NcciRelease) -> tuple[str, tuple[object, ...]]:
    """A filter (on ``ptp_edits e``) leaving out the rows of a part taken from an older version whose pair a newer
    version's part also has: such a pair is judged by the newer rows (the claim check and a code's edits alike);
    ``''`` when every part is of one version (the usual case, whose queries stay as they were)."""
    sql, args = "", []
    for part in release.parts:
        newer = [p.source_id for p in release.parts if _version_key(p.version) > _version_key(part.version)]
        if newer:
            sql += (" AND NOT (e.source_id = ? AND EXISTS (SELECT 1 FROM ptp_edits n WHERE n.column1 = e.column1 "
                    f"AND n.column2 = e.column2 AND n.source_id IN ({_placeholders(newer)})))")
            args += [part.source_id, *newer]
    return sql, tuple(args)


def code_edits(conn: sqlite3.Connection, code: str, setting: str = NcciSetting.PRACTITIONER, *, on: date | None = None,
               offset: int = 0, limit: int = EDIT_PAGE) -> CodeEditPage:
    """The PTP edits of ``code`` in both directions (as column 1, then as column 2, each by the other code), one
    page at a time, with the counts. With ``on``, only edits in effect that day (indicator 9 never is)."""
    release = ptp_release(conn, setting)
    if release is None:
        return CodeEditPage(code, setting, on.isoformat() if on else None, 0, 0, 0, [], None)
    ids = release.source_ids
    holder = _placeholders(ids)
    day_filter = " AND e.modifier != 9 AND e.effective <= ? AND e.deletion >= ?" if on else ""
    day_args: tuple[object, ...] = (_day(on), _day(on)) if on else ()
    shadow_filter, shadow_args = _shadowed(release)
    day_filter += shadow_filter
    day_args += shadow_args
    as1 = conn.execute(f"SELECT count(*) FROM ptp_edits e WHERE e.column1 = ? AND e.source_id IN ({holder})"
                       + day_filter, (code, *ids, *day_args)).fetchone()[0]
    as2 = conn.execute(f"SELECT count(*) FROM ptp_edits e WHERE e.column2 = ? AND e.source_id IN ({holder})"
                       + day_filter, (code, *ids, *day_args)).fetchone()[0]
    # Two index range scans in index order, each only as far as the page needs (a UNION ALL with one ORDER BY
    # would sort every edit of a code that has thousands before returning the first fifty).
    rows = conn.execute(
        f"SELECT 0, e.column2, e.column1, e.column2, e.effective, e.deletion, e.modifier, e.rationale_id "
        f"FROM ptp_edits e WHERE e.column1 = ? AND e.source_id IN ({holder}){day_filter} "
        "ORDER BY e.column2 LIMIT ? OFFSET ?", (code, *ids, *day_args, limit, offset)).fetchall()
    if len(rows) < limit:
        rows += conn.execute(
            f"SELECT 1, e.column1, e.column1, e.column2, e.effective, e.deletion, e.modifier, e.rationale_id "
            f"FROM ptp_edits e WHERE e.column2 = ? AND e.source_id IN ({holder}){day_filter} "
            "ORDER BY e.column1 LIMIT ? OFFSET ?",
            (code, *ids, *day_args, limit - len(rows), max(0, offset - as1))).fetchall()
    texts = dict(conn.execute(
        f"SELECT id, text FROM ncci_rationales WHERE id IN ({_placeholders([r[7] for r in rows])})",
        [r[7] for r in rows]).fetchall()) if rows else {}
    today = _day(on or date.today())
    edits = [
        CodeEdit(other, "column 1" if direction == 0 else "column 2", col1, col2, _iso(eff) or "", _iso(dele), mod,
                 texts.get(rid, ""), mod != 9 and eff <= today <= dele)
        for direction, other, col1, col2, eff, dele, mod, rid in rows
    ]
    return CodeEditPage(code, setting, on.isoformat() if on else None, as1 + as2, as1, as2, edits, release)


@dataclass
class CodeMue:
    setting: str
    units: int
    adjudication_indicator: int
    adjudication: str
    rationale: str
    effective_date: str
    file_name: str
    in_effect: bool = True  # was the table in effect on the day asked about (False: it took effect later)


def code_mues(conn: sqlite3.Connection, code: str, on: date | None = None) -> list[CodeMue]:
    """The MUE of ``code`` in each setting whose table is imported (the table effective on ``on``, or the newest)."""
    found = []
    day = on or date.today()
    for setting in SETTINGS:
        release = mue_release(conn, setting, day)
        if release is None:
            continue
        row = conn.execute(
            "SELECT m.units, m.adjudication, r.text, s.effective_date FROM mue_values m "
            "JOIN ncci_rationales r ON r.id = m.rationale_id JOIN sources s ON s.id = m.source_id "
            "WHERE m.source_id = ? AND m.code = ?", (release.source_ids[0], code)).fetchone()
        if row is not None:
            found.append(CodeMue(setting, row[0], row[1], ADJUDICATION_MEANINGS.get(row[1], ""), row[2], row[3],
                                 release.files[0], in_effect_on(release, day)))
    return found


def has_ncci_data(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM ncci_files LIMIT 1").fetchone() is not None
