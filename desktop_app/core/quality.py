"""Quality measures (CMS QPP/MIPS): what role a code plays in a measure, read the same way from both files.

The two CMS files describe the same facts in two vocabularies, and this module is the one place that
translates them, so the importers, the detail view and the tests that prove the files agree all read roles
alike:

* the measures JSON states roles directly, ``performanceOptions[].optionType``: ``performanceMet``,
  ``performanceNotMet``, ``eligiblePopulationExclusion``, ``eligiblePopulationException``; the codes of one
  option (``qualityCodes``) are reported together, each with its modifiers. ``optionGroup`` ``00``, ``01``…
  are the measure's option groups (``01`` is the claims file's ``024.01``).
* the claims single-source CSV names roles in ``DATA ELEMENT NAME``: ``<base>[_<n>]_<role>[_<stratum>]`` where
  role ``PN`` is **performance met**, ``PN_X`` **performance not met**, ``PD_Exl`` an exclusion, ``PD_Exe`` an
  exception and plain ``PD`` a quality-data code that counts toward reporting (the denominator side: every
  met/not-met code is listed as ``PD`` too). A numbered group ``G_CODE_2_PN_X`` holds codes reported together;
  codes in an unnumbered element are alternatives. ``ENCOUNTER_CODE``/``PROC_CODE`` put a visit or procedure in
  the eligible population.

A name this module does not recognise is kept as data with the role :data:`UNRECOGNISED` and shown with the
file's own words; it is never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from desktop_app.core.enums import StrEnum


class Role(StrEnum):
    """What reporting a code does for a measure. The value is what the database and the JSON contract hold."""

    MET = "performance met"
    NOT_MET = "performance not met"
    EXCLUSION = "exclusion"
    EXCEPTION = "exception"
    REPORTING = "reporting"
    ELIGIBILITY = "eligibility"
    UNRECOGNISED = "unrecognised"


MET, NOT_MET, EXCLUSION, EXCEPTION = Role.MET, Role.NOT_MET, Role.EXCLUSION, Role.EXCEPTION
REPORTING, ELIGIBILITY, UNRECOGNISED = Role.REPORTING, Role.ELIGIBILITY, Role.UNRECOGNISED

# The order a coder reads a measure in, and what each role means in plain words (ours).
ROLE_ORDER = (MET, NOT_MET, EXCLUSION, EXCEPTION, REPORTING, ELIGIBILITY, UNRECOGNISED)
ROLE_LABELS: dict[str, str] = {  # keyed by Role; the database hands roles back as plain text
    MET: "performance met",
    NOT_MET: "performance not met",
    EXCLUSION: "denominator exclusion",
    EXCEPTION: "denominator exception",
    REPORTING: "quality-data code (counts toward reporting)",
    ELIGIBILITY: "puts the patient in the eligible population",
    UNRECOGNISED: "role not recognised by CodeDesk",
}
QUALITY_ROLES = frozenset({MET, NOT_MET, EXCLUSION, EXCEPTION})

JSON_OPTION_ROLES = {
    "performanceMet": MET,
    "performanceNotMet": NOT_MET,
    "eligiblePopulationExclusion": EXCLUSION,
    "eligiblePopulationException": EXCEPTION,
}

_CLAIMS_SUFFIX_ROLES = {"PN": MET, "PN_X": NOT_MET, "PD_EXL": EXCLUSION, "PD_EXE": EXCEPTION, "PD": REPORTING}
# Quality-data elements: a known base, an optional group number, the role, an optional stratum number.
_CLAIMS_QUALITY_RE = re.compile(
    r"(?P<base>G_CODE|CPT_II|CPT_2|HCPCS|C4|CPT)(?:_(?P<group>\d+))?_(?P<role>PD_EXL|PD_EXE|PN_X|PN|PD)"
    r"(?:_(?P<stratum>\d+))?"
)
_CLAIMS_ELIGIBILITY_RE = re.compile(r"(?:ENCOUNTER|PROC|PROCEDURE)_CODE(?:_(?P<stratum>\d+))?")


@dataclass(frozen=True)
class ClaimsElement:
    """One ``DATA ELEMENT NAME`` of the claims CSV, read."""

    role: str
    group: str = ""  # '' = the codes of this element are alternatives; '2' = they are reported together
    stratum: str = ""  # the trailing number: the measure's option group in the file (024 → 1, 024.01 → 2)


def claims_element(name: str) -> ClaimsElement:
    """``G_CODE_2_PN_X`` → not met, group 2; ``CPT_II_PD_Exl`` → exclusion; unknown names → unrecognised."""
    text = name.strip().upper()
    if m := _CLAIMS_QUALITY_RE.fullmatch(text):
        return ClaimsElement(_CLAIMS_SUFFIX_ROLES[m.group("role")], m.group("group") or "", m.group("stratum") or "")
    if m := _CLAIMS_ELIGIBILITY_RE.fullmatch(text):
        return ClaimsElement(ELIGIBILITY, "", m.group("stratum") or "")
    return ClaimsElement(UNRECOGNISED)


def json_option_role(option_type: str) -> str:
    return JSON_OPTION_ROLES.get(option_type, UNRECOGNISED)


def measure_id_for_option_group(measure_id: str, option_group: str) -> str:
    """The JSON's option group ``01`` of measure ``024`` is the claims file's ``024.01``; ``00`` is ``024``."""
    group = option_group.strip()
    if not group.isdigit() or int(group) == 0 or "." in measure_id:
        return measure_id
    return f"{measure_id}.{int(group):02d}"


def parent_measure(measure_id: str) -> str:
    return measure_id.split(".", 1)[0]


def option_group_label(measure_id: str) -> str:
    """``024`` → ``00``, ``024.01`` → ``01``: the option group as both files write it (the JSON's
    ``optionGroup``; the claims file's ``024.01``). It was counted from 1 before (``024.01`` "option group 2"),
    which matched neither file."""
    _, _, suffix = measure_id.partition(".")
    return f"{int(suffix):02d}" if suffix.isdigit() else "00"


def coded(code: str, modifier: str) -> str:
    """``1123F`` + ``8P`` → ``1123F-8P``: a code as it is written on a claim line."""
    return f"{code}-{modifier}" if modifier else code


def combination_text(items: Iterable[tuple[str, str]]) -> str:
    """The codes of one option reported together, in code order: ``G8752 + G8754``; one code alone → ''."""
    unique = sorted(set(items))
    return " + ".join(coded(code, modifier) for code, modifier in unique) if len(unique) > 1 else ""


def role_sort_key(role: str) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)
