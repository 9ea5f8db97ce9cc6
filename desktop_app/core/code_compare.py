"""Two to four codes side by side: what a coder weighs between 45384 and 45385, 99213 and 99214. Qt-free.

Rows come in groups (the code, its descriptors by source, payment facts by source, payment amounts, quality
measures). A row *differs* when its values are not all the same. What is marked is what helps: in a text
row only the words that differ (the words shared by every code are what the codes have in common); in a
value row only the cells that stand apart from the value most codes share, and every cell when there is no
such value (two codes that differ).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from desktop_app.core.details import CodeDetail
from desktop_app.core.fee_schedule import fact_rows
from desktop_app.core.grammar import CodeSet
from desktop_app.core.reference import BUNDLED_KIND
from desktop_app.core.valid_dates import deletion_words

MIN_CODES, MAX_CODES = 2, 4
OUR_WORDS = "CodeDesk plain-language summary (our own words)"
AMA_NOTICE = (
    "CPT\u00ae is a registered trademark of the American Medical Association (AMA). CPT descriptors are "
    "\u00a9 AMA, shown here from files imported under the user's own licence."
)
ADA_NOTICE = "CDT (the D codes of HCPCS Level II) is \u00a9 the American Dental Association (ADA)."
CPT_SETS = frozenset({"I", "II", "III"})
_WORD = re.compile(r"\S+")
MIN_SHARED = 0.25  # a text sharing fewer of its words than this with the others is not marked word by word

Span = tuple[int, int]


@dataclass(frozen=True)
class CompareRow:
    group: str
    label: str
    values: tuple[str, ...]  # one per code, "" when the code has nothing for this row
    text: bool = False  # a descriptor or title: differences are marked word by word
    marked: tuple[tuple[Span, ...], ...] = ()  # per value: character spans to mark (text rows)
    standout: tuple[bool, ...] = ()  # per value: the cell stands apart (value rows)

    @property
    def differs(self) -> bool:
        return len(set(self.values)) > 1

    def to_json(self, codes: tuple[str, ...]) -> dict[str, object]:
        return {"group": self.group, "label": self.label, "differs": self.differs,
                "values": dict(zip(codes, self.values, strict=True)),
                "stands_apart": [code for code, on in zip(codes, self.standout, strict=True) if on]}


@dataclass
class CodeComparison:
    codes: tuple[str, ...]
    rows: list[CompareRow] = field(default_factory=list)
    unknown: tuple[str, ...] = ()  # codes not in the database
    notices: tuple[str, ...] = ()  # copyright notices owed for the text shown

    def groups(self) -> list[str]:
        return list(dict.fromkeys(row.group for row in self.rows))

    def to_json(self) -> dict[str, object]:
        return {"codes": list(self.codes), "unknown": list(self.unknown), "notices": list(self.notices),
                "rows": [row.to_json(self.codes) for row in self.rows]}


_CODE_SETS = {c.value: c for c in CodeSet}


def category_label(code_set: str | None) -> str:
    return _CODE_SETS[code_set].label if code_set in _CODE_SETS else (code_set or "")


def given_twice_note(given: list[str] | None) -> str:
    """' (99214 given more than once)' for the codes ``given`` (as typed) more than once, else ''."""
    twice = sorted({c for c in given if given.count(c) > 1}) if given else []
    return f" ({', '.join(twice)} given more than once)" if twice else ""


def check_code_count(codes: list[str], given: list[str] | None = None) -> None:
    """2 to 4 different codes; ``given``: the codes as typed, so a code typed twice is named as such."""
    if not MIN_CODES <= len(codes) <= MAX_CODES:
        raise ValueError(f"compare {MIN_CODES} to {MAX_CODES} different codes, not {len(codes)}"
                         f"{given_twice_note(given)}")


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def loaded_at_text(stamp: str) -> str:
    """When a source was loaded, as people read it: '2026-03-02T10:01:07.123456+00:00' → '2026-03-02 10:01 UTC'
    (to the minute; a stamp that is not an ISO date is shown as it is)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    zone = " UTC" if moment.utcoffset() is not None and not moment.utcoffset() else ""
    return moment.strftime("%Y-%m-%d %H:%M") + zone


def release_in_name(name: str, release: str) -> bool:
    """Does the source's name already say its release? "… (RVU25D)" carries RVU25D; "… 2025 October" carries
    2025-10."""
    if not release or release in name:
        return True
    match = re.fullmatch(r"(\d{4})-(\d{2})", release)
    if match and 1 <= int(match.group(2)) <= 12:
        return match.group(1) in name and MONTHS[int(match.group(2)) - 1] in name
    # Every word of the release in the name, "v32.2r0" as "version 32.2r0": the NCCI sources were labelled
    # "… practitioner, version 32.2r0 part 1 practitioner v32.2r0 part 1".
    name_words = set(re.split(r"[\s,;()]+", name.lower()))
    release_words = [re.sub(r"^v(?=\d)", "", w) for w in re.split(r"[\s,;()]+", release.lower()) if w]
    return bool(release_words) and all(w in name_words for w in release_words)


def source_label(name: str, release: str, kind: str) -> str:
    """Where a text comes from, its release once ("(RVU25D)" is not repeated when the name carries it)."""
    if kind == BUNDLED_KIND:
        return OUR_WORDS
    return name if release_in_name(name, release) else f"{name} ({release})"


def copyright_notices(details: list[CodeDetail]) -> tuple[str, ...]:
    """The notices owed when official descriptors of these codes are shown."""
    notices = []
    official = [d for d in details if any(not x.source.is_ours for x in d.descriptors)]
    if any(d.code_set in CPT_SETS for d in official):
        notices.append(AMA_NOTICE)
    if any(d.code_set == "HCPCS" and d.code.startswith("D") for d in official):
        notices.append(ADA_NOTICE)
    return tuple(notices)


def differing_words(texts: tuple[str, ...]) -> tuple[tuple[Span, ...], ...]:
    """For each text, the spans of words that no other text shares (compared word by word in order,
    case-blind). A text that shares almost nothing is left unmarked: it differs as a whole, and marking
    every word would say nothing (the row's mark says it)."""
    words = [[(m.start(), m.end(), m.group(0).lower().strip(",.;:()")) for m in _WORD.finditer(t)] for t in texts]
    if sum(1 for t in texts if t) < 2:
        return tuple(() for _ in texts)
    result: list[tuple[Span, ...]] = []
    for index, own in enumerate(words):
        shared = [False] * len(own)
        for j, other in enumerate(words):
            if j == index or not other:
                continue
            matcher = difflib.SequenceMatcher(None, [w[2] for w in own], [w[2] for w in other], autojunk=False)
            for block in matcher.get_matching_blocks():
                for k in range(block.a, block.a + block.size):
                    shared[k] = True
        if not own or sum(shared) < len(own) * MIN_SHARED:
            result.append(())
            continue
        spans: list[Span] = []
        for (start, end, _), common in zip(own, shared, strict=True):
            if common:
                continue
            if spans and texts[index][spans[-1][1]:start].isspace():
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        result.append(tuple(spans))
    return tuple(result)


def standing_apart(values: tuple[str, ...]) -> tuple[bool, ...]:
    """Cells whose value differs from the one most codes share; all differing cells when none is shared."""
    if len(set(values)) <= 1:
        return tuple(False for _ in values)
    common, count = Counter(values).most_common(1)[0]
    if count == 1:
        return tuple(True for _ in values)
    return tuple(value != common for value in values)


def _row(group: str, label: str, values: list[str], text: bool = False) -> CompareRow:
    as_tuple = tuple(values)
    if text:
        return CompareRow(group, label, as_tuple, True, differing_words(as_tuple), tuple(False for _ in values))
    return CompareRow(group, label, as_tuple, False, tuple(() for _ in values), standing_apart(as_tuple))


def _money(amount: object) -> str:
    return f"${amount:,.2f}" if amount is not None else "not paid"


def compare_codes(details: list[CodeDetail]) -> CodeComparison:
    """The comparison table of ``details`` (2 to 4 codes, in the order given)."""
    check_code_count([d.code for d in details])
    n = len(details)
    comparison = CodeComparison(tuple(d.code for d in details),
                                unknown=tuple(d.code for d in details if not d.known),
                                notices=copyright_notices(details))
    rows = comparison.rows

    def column(get: object) -> list[str]:
        return [get(d) for d in details]  # type: ignore[operator]

    rows.append(_row("Code", "Category", column(lambda d: category_label(d.code_set))))
    rows.append(_row("Code", "Section", column(lambda d: " \u203a ".join(s.name for s in d.section))))
    rows.append(_row("Code", "Status", column(
        lambda d: (deletion_words(d.deleted_date) if d.deleted_date else d.status) if d.known
        else "not in your database")))

    # Descriptors: one row per (kind, source), in the detail's order (ours first, then by kind, newest first).
    keys: dict[tuple[str, str], str] = {}
    for d in details:
        for descriptor in d.descriptors:
            source = source_label(descriptor.source.name, descriptor.source.release, descriptor.source.kind)
            # Our summary's source already says what it is: "Plain-language summary — CodeDesk (our own words)",
            # not "Plain-language summary — CodeDesk plain-language summary (our own words)".
            shown = "CodeDesk (our own words)" if source == OUR_WORDS else source
            keys.setdefault((descriptor.kind, source), f"{descriptor.label} \u2014 {shown}")
    for (kind, source), label in keys.items():
        values = []
        for d in details:
            texts = [x.text for x in d.descriptors if x.kind == kind and
                     source_label(x.source.name, x.source.release, x.source.kind) == source]
            values.append(texts[0] if texts else "")
        rows.append(_row("Descriptors", label, values, text=True))

    # Payment facts: one row per (fact, source, component), values in words ("090 — 90 days …").
    fact_keys: dict[tuple[str, str, str], None] = {}
    facts_by_code: list[dict[tuple[str, str, str], str]] = []
    for d in details:
        mine: dict[tuple[str, str, str], str] = {}
        for facts in d.facts:
            source = source_label(facts.source.name, facts.source.release, facts.source.kind)
            for label, value in fact_rows(facts.values):
                key = (label, source, facts.modifier)
                mine[key] = value
                fact_keys.setdefault(key, None)
        facts_by_code.append(mine)
    # Grouped by source (and component), so each group heading names the source and release once.
    for label, source, modifier in sorted(fact_keys, key=lambda k: (k[1], k[2])):
        component = f", modifier {modifier}" if modifier else ""
        rows.append(_row(f"Payment facts \u2014 {source}{component}", label,
                         [mine.get((label, source, modifier), "") for mine in facts_by_code]))

    # Payment amounts: per (where, setting, component, source).
    amount_keys: dict[tuple[str, str, str, str], None] = {}
    amounts: list[dict[tuple[str, str, str, str], str]] = []
    for d in details:
        mine_amounts: dict[tuple[str, str, str, str], str] = {}
        for payment in d.payments:
            for amount in payment.amounts:
                amount_key = (payment.where_label, amount.setting, payment.modifier, payment.source)
                mine_amounts[amount_key] = _money(amount.amount)
                amount_keys.setdefault(amount_key, None)
        amounts.append(mine_amounts)
    for where, setting, modifier, source in amount_keys:
        component = f", modifier {modifier}" if modifier else ""
        rows.append(_row("Payment", f"{where} {setting}{component} ({source})",
                         [mine.get((where, setting, modifier, source), "") for mine in amounts]))

    if any(d.measures for d in details):
        rows.append(_row("Quality measures", "Measures", column(
            lambda d: "; ".join(dict.fromkeys(f"{m.measure_id} ({m.role_label})" for m in d.measures)))))
    assert all(len(row.values) == n for row in rows)
    return comparison
