"""How both QPP files' role vocabularies are read (core.quality): table-driven, no database."""

from __future__ import annotations

import pytest

from desktop_app.core.quality import (
    ELIGIBILITY,
    EXCEPTION,
    EXCLUSION,
    MET,
    NOT_MET,
    REPORTING,
    UNRECOGNISED,
    ClaimsElement,
    claims_element,
    combination_text,
    json_option_role,
    measure_id_for_option_group,
    option_group_label,
)


@pytest.mark.parametrize(("name", "expected"), [
    ("CPT_II_PN", ClaimsElement(MET)),
    ("CPT_II_PN_X", ClaimsElement(NOT_MET)),
    ("CPT_II_PD", ClaimsElement(REPORTING)),
    ("CPT_II_PD_Exl", ClaimsElement(EXCLUSION)),
    ("CPT_II_PD_Exe", ClaimsElement(EXCEPTION)),
    ("G_CODE_PN", ClaimsElement(MET)),
    ("G_CODE_2_PN_X", ClaimsElement(NOT_MET, group="2")),
    ("G_CODE_1_PD", ClaimsElement(REPORTING, group="1")),
    ("CPT_II_PN_X_1", ClaimsElement(NOT_MET, stratum="1")),
    ("G_CODE_3_PN_X_2", ClaimsElement(NOT_MET, group="3", stratum="2")),
    ("G_CODE_1_PD_Exl_2", ClaimsElement(EXCLUSION, group="1", stratum="2")),
    ("g_code_pd_exe", ClaimsElement(EXCEPTION)),
    ("ENCOUNTER_CODE", ClaimsElement(ELIGIBILITY)),
    ("ENCOUNTER_CODE_3", ClaimsElement(ELIGIBILITY, stratum="3")),
    ("PROC_CODE_2", ClaimsElement(ELIGIBILITY, stratum="2")),
    # Names this reader does not know are kept as data, never guessed from a fragment ("PN" inside them).
    ("SOME_NEW_ROLE", ClaimsElement(UNRECOGNISED)),
    ("G_CODE_DENOM_PN_Y", ClaimsElement(UNRECOGNISED)),
    ("PN", ClaimsElement(UNRECOGNISED)),
    ("", ClaimsElement(UNRECOGNISED)),
])
def test_claims_element_names(name: str, expected: ClaimsElement) -> None:
    assert claims_element(name) == expected


@pytest.mark.parametrize(("option_type", "role"), [
    ("performanceMet", MET), ("performanceNotMet", NOT_MET), ("eligiblePopulationExclusion", EXCLUSION),
    ("eligiblePopulationException", EXCEPTION), ("denominatorSomethingNew", UNRECOGNISED), ("", UNRECOGNISED),
])
def test_json_option_types(option_type: str, role: str) -> None:
    assert json_option_role(option_type) == role


@pytest.mark.parametrize(("measure", "group", "expected"), [
    ("024", "00", "024"), ("024", "01", "024.01"), ("226", "02", "226.02"), ("024", "", "024"),
    ("024", "x", "024"), ("024.01", "01", "024.01"),
])
def test_option_group_ids_line_up_with_the_claims_file(measure: str, group: str, expected: str) -> None:
    assert measure_id_for_option_group(measure, group) == expected


def test_option_group_numbers_and_combinations() -> None:
    assert option_group_label("226") == "00" and option_group_label("226.02") == "02"
    assert combination_text([("G8754", ""), ("G8752", "")]) == "G8752 + G8754"
    assert combination_text([("1123F", "8P")]) == ""  # alone: no combination
    assert combination_text([("G8752", ""), ("G8752", "")]) == ""


def test_roles_are_their_text_everywhere() -> None:
    """Role replaced plain strings: str(), f-strings, JSON, SQLite and dict lookups see the same text."""
    import json
    import sqlite3

    from desktop_app.core.quality import ROLE_LABELS, Role

    assert str(Role.MET) == f"{Role.MET}" == "performance met" == Role.MET
    assert json.dumps({"role": Role.NOT_MET}) == '{"role": "performance not met"}'
    assert sqlite3.connect(":memory:").execute("SELECT ?", (Role.EXCLUSION,)).fetchone()[0] == "exclusion"
    assert ROLE_LABELS["exception"] == ROLE_LABELS[Role.EXCEPTION] == "denominator exception"
