"""What the RVU file's indicator values mean (status code, PC/TC indicator, global days), in our own words.

The import stores each row's raw values only (``status_code``, ``pctc_indicator``, ``global_days``); the meanings
are joined when the facts are read (:func:`with_meanings`), by every reader of RVU facts (details, comparison,
export, the CLI's JSON, the release changes). Until issue 13's fourth round every ``code_facts`` row carried its
meaning texts, a third of the facts written for the RVU file (about 4 of 13.7 MB); the migration
``_migrate_fact_meanings`` takes them out of databases made before.
"""

from __future__ import annotations

from collections.abc import Mapping

from desktop_app.core.kinds import SourceKind

# Status codes (RVU file documentation, Attachment A), in our own words.
STATUS_MEANINGS = {
    "A": "Active: paid separately under the fee schedule when covered",
    "B": "Bundled: payment is always included in another service; any RVUs shown are not used",
    "C": "Carrier priced: the Medicare contractor sets the RVUs and payment case by case",
    "D": "Deleted: removed at the start of the year",
    "E": "Excluded from the fee schedule by regulation; paid, if covered, outside it",
    "F": "Deleted or discontinued, with no grace period",
    "G": "Not valid for Medicare (another code is used); had a grace period",
    "H": "Deleted modifier: the 26 or TC component of this code was removed",
    "I": "Not valid for Medicare: Medicare uses another code for this service",
    "J": "Anesthesia service: no RVUs or payment amounts here",
    "M": "Measurement code: for quality reporting only, not paid",
    "N": "Not covered by Medicare",
    "P": "Bundled or excluded: no RVUs and no separate fee-schedule payment",
    "R": "Restricted coverage: paid only as special coverage instructions allow (contractor priced without RVUs)",
    "T": "Injection: paid only when no other fee-schedule service is billed that day by the same provider",
    "X": "Statutory exclusion: not a physician service under the law, no fee-schedule payment",
}

# PC/TC indicator (Attachment A), in our own words.
PCTC_MEANINGS = {
    "0": "Physician service: cannot be split into professional and technical parts (no 26/TC)",
    "1": "Diagnostic test with professional (26) and technical (TC) components",
    "2": "Professional component only (stand-alone code)",
    "3": "Technical component only (stand-alone code)",
    "4": "Global test only (stand-alone code covering both components)",
    "5": "Incident-to service by auxiliary staff under direct supervision",
    "6": "Laboratory physician interpretation (no TC)",
    "7": "Physical therapy service not payable in some hospital settings",
    "8": "Physician interpretation of an abnormal smear for a hospital inpatient",
    "9": "Not applicable: the professional/technical split does not apply",
}

GLOBAL_MEANINGS = {
    "000": "Minor or endoscopic procedure: global period covers the day of the procedure",
    "010": "Minor procedure: day of the procedure plus 10 days after",
    "090": "Major surgery: the day before, the day of the procedure and 90 days after",
    "MMM": "Maternity code: the usual global period does not apply",
    "XXX": "The global period does not apply",
    "YYY": "The contractor sets the global period",
    "ZZZ": "Add-on code: falls within the global period of the primary service",
}

# The meaning keys joined at read time, each from its raw value's key. Never stored (since issue 13, round 4).
MEANING_KEYS = ("status", "pctc", "global_period")


def status_meaning(status_code: str) -> str:
    """What an RVU status code means; a code the documentation does not list says so."""
    return STATUS_MEANINGS.get(status_code) or f"status code {status_code} (not in the documented list)"


def meanings_of(facts: Mapping[str, object]) -> dict[str, str]:
    """The meaning facts of one RVU row's raw values (only those it has a meaning for)."""
    found: dict[str, str] = {}
    status = facts.get("status_code")
    if status:  # a blank status has no fact at all
        found["status"] = status_meaning(str(status))
    if (pctc := PCTC_MEANINGS.get(str(facts.get("pctc_indicator", "")))) is not None:
        found["pctc"] = pctc
    if (period := GLOBAL_MEANINGS.get(str(facts.get("global_days", "")))) is not None:
        found["global_period"] = period
    return found


def with_meanings(kind: str, facts: dict[str, object]) -> dict[str, object]:
    """``facts`` as stored for a source of ``kind``, with the RVU meanings joined: the same keys, in the same
    sorted order, as the facts the import stored before round 4 (so the CLI's JSON is unchanged). Facts of
    other kinds, and meanings already present (an older copy), are returned as they are."""
    if kind != SourceKind.CMS_RVU:
        return facts
    meanings = meanings_of(facts)
    if not meanings or all(key in facts for key in meanings):
        return facts
    return dict(sorted({**meanings, **facts}.items()))
