"""core/importers/cms_qpp/claims.py: the claims single-source CSV's rows become measure links with conditions."""

from __future__ import annotations

import json

from importer_helpers import FIXTURES, parsed

from desktop_app.core.quality import Role


def test_claims_rows_become_links_and_diagnoses_are_not_stored() -> None:
    (ds,) = parsed(FIXTURES / "qpp" / "2030_Claims_SingleSource_V1.0.csv")
    assert (ds.kind, ds.release) == ("cms-qpp-claims", "2030")
    assert not ds.measures  # the claims file has no measure rows
    encounter = next(link for link in ds.measure_codes if link.code == "99990")
    assert (encounter.measure_id, encounter.role) == ("901", Role.ELIGIBILITY)
    conditions = json.loads(encounter.conditions)
    assert conditions["min_age"] == 18 and conditions["sex"] == ["M", "F"]
    assert "GQ" in conditions["modifier_exclusions"]
    assert not any(link.code.startswith("X99") for link in ds.measure_codes)  # ICD-10 rows are counted only
