"""Payment amounts and fee-schedule labels (core.fee_schedule): pure functions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from desktop_app.core.fee_schedule import (
    OPPS_CAP_NOTE,
    Locality,
    fact_rows,
    fact_text,
    locality_payment,
    national_payment,
    payment_unavailable,
)
from desktop_app.core.store import CodeStore

VISIT = {"status_code": "A", "work_rvu": 1.3, "nonfacility_pe_rvu": 1.35, "facility_pe_rvu": 0.57, "mp_rvu": 0.1,
         "nonfacility_total": 2.75, "facility_total": 1.97, "conversion_factor": 35.1234}


def amounts(payment: object) -> dict[str, Decimal | None]:
    return {a.setting: a.amount for a in payment.amounts}  # type: ignore[attr-defined]


def test_national_amount_is_total_rvus_times_the_conversion_factor_to_the_cent() -> None:
    payment = national_payment(VISIT, "", "Test RVU 2030")
    assert payment is not None and payment.where == "national"
    # 2.75 × 35.1234 = 96.58935 → 96.59; 1.97 × 35.1234 = 69.193098 → 69.19
    assert amounts(payment) == {"non-facility": Decimal("96.59"), "facility": Decimal("69.19")}
    assert "conversion factor 35.1234" in payment.formula and payment.source == "Test RVU 2030"
    json = payment.to_json()
    assert json["non_facility"] == 96.59 and json["facility"] == 69.19


def test_na_setting_and_unpaid_statuses_get_no_amount_and_a_reason() -> None:
    surgery = {**VISIT, "nonfacility_na": "NA"}
    assert amounts(national_payment(surgery, "", "x")) == {"non-facility": None, "facility": Decimal("69.19")}
    for status in ("B", "C", "I", "M", "N", "X"):
        facts = {**VISIT, "status_code": status, "status": "meaning"}
        assert national_payment(facts, "", "x") is None
        assert f"status {status}" in (payment_unavailable(facts) or "")
    assert payment_unavailable({**VISIT, "conversion_factor": float("nan")}) is not None
    assert national_payment({**VISIT, "nonfacility_total": float("inf")}, "", "x") is not None  # total: no amount
    assert amounts(national_payment({**VISIT, "nonfacility_total": float("inf")}, "", "x"))["non-facility"] is None


def test_restricted_status_r_is_paid_from_its_rvus_with_its_condition() -> None:
    # RVU25D.pdf, "Status Code": only RVUs of status A, R or T are used for Medicare payment (DOMAIN.md: A/R/T are
    # paid). A restricted code with RVUs (as the foot-care codes 11055-11057) gets its amount and the condition.
    restricted = {**VISIT, "status_code": "R"}
    payment = national_payment(restricted, "", "x")
    assert payment is not None and payment_unavailable(restricted) is None
    assert amounts(payment) == {"non-facility": Decimal("96.59"), "facility": Decimal("69.19")}
    assert any("restricted coverage" in note for note in payment.notes)
    gpci = Locality("1", "ZZ", "00", "TOYLAND", Decimal(1), Decimal(1), Decimal(1), "GPCI 2030", "2030")
    local = locality_payment(restricted, "", "x", gpci)
    assert local is not None and any("restricted coverage" in note for note in local.notes)


@pytest.mark.parametrize(("facts", "said"), [
    ({**VISIT, "status_code": "R", "nonfacility_total": 0.0, "facility_total": 0.0}, "contractor prices"),  # dental
    ({**VISIT, "status_code": "R", "nonfacility_total": None, "facility_total": ""}, "contractor prices"),
    ({**VISIT, "status_code": "C", "status": "Carrier priced"}, "Carrier priced"),
])
def test_contractor_priced_codes_get_no_amount_and_say_why(facts: dict[str, object], said: str) -> None:
    # The 796 dental D codes (status R, zero RVUs) showed "national $0.00".
    assert national_payment(facts, "", "x") is None
    gpci = Locality("1", "ZZ", "00", "TOYLAND", Decimal(1), Decimal(1), Decimal(1), "GPCI 2030", "2030")
    assert locality_payment(facts, "", "x", gpci) is None
    assert said in (payment_unavailable(facts) or "")


def test_locality_amount_applies_each_gpci_to_its_rvu_and_names_differing_years() -> None:
    city = Locality("99102", "ZZ", "01", "PRETEND CITY", Decimal("1.1"), Decimal("1.2"), Decimal("1.5"),
                    "CMS GPCI 2031", "2031")
    payment = locality_payment(VISIT, "", "Test RVU 2030", city)
    assert payment is not None
    # non-facility: (1.3×1.1 + 1.35×1.2 + 0.1×1.5) × 35.1234 = 3.2 × 35.1234 = 112.39488
    # facility:     (1.3×1.1 + 0.57×1.2 + 0.1×1.5) × 35.1234 = 2.264 × 35.1234 = 79.5193776
    assert amounts(payment) == {"non-facility": Decimal("112.39"), "facility": Decimal("79.52")}
    assert payment.where.startswith("ZZ") and payment.source == "Test RVU 2030; CMS GPCI 2031"
    assert any("2031" in note and "2030" in note for note in payment.notes)


def test_every_indicator_is_labelled_and_explained() -> None:
    facts = {"bilat_surg": "1", "asst_surg": "2", "mult_proc": "2", "co_surg": "0", "team_surg": "9",
             "work_rvu": 1.3, "pctc_indicator": "0", "imaging_family": "99", "calculation_flag": "0"}
    rows = dict(fact_rows(facts))
    assert rows["Bilateral surgery (modifier 50)"].startswith("1 \u2014 bilateral adjustment: 150%")
    assert rows["Assistant at surgery (modifiers 80, 81, 82, AS)"] == "2 \u2014 assistant at surgery may be paid"
    assert rows["Work RVU"] == "1.30"
    assert not any("_" in label for label in rows)  # no raw keys such as asst_surg
    assert fact_text("bilat_surg", "7") == "7 (a value the file's documentation does not list)"
    assert fact_text("work_rvu", float("nan")) == "not a number in the file"


def test_hcpcs_and_rvu_indicator_values_have_meanings() -> None:
    """Round 2 of issue 12: "Pricing indicators 36" said nothing. Each value of a list is explained."""
    assert fact_text("pricing_indicators", ["36"]) == \
        "36 \u2014 DMEPOS: capped rental equipment (floor and ceiling limits)"
    both = fact_text("pricing_indicators", ["11", "21"])
    assert both.startswith("11 \u2014 physician fee schedule") and "; 21 \u2014 clinical lab fee schedule" in both
    assert fact_text("multiple_pricing_indicator", "C").startswith("C \u2014 physician interpretation")
    assert fact_text("lab_certifications", ["630", "340"]) == "630 \u2014 cytology; 340 \u2014 toxicology"
    assert fact_text("physician_supervision", "6A").startswith("6A \u2014 as 66")
    assert fact_text("pricing_indicators", ["98"]) == "98 (a value the file's documentation does not list)"
    assert fact_text("cross_references", ["A0030", "A0040"]) == "A0030, A0040"  # not an indicator: as it is
    assert fact_text("betos", "P8D") == "P8D \u2014 endoscopy: colonoscopy"


@pytest.mark.realdata
def test_every_indicator_value_in_the_real_files_has_a_meaning(shared_data: Path, store: CodeStore) -> None:
    """Every value of an explained indicator in the October 2025 HCPCS and RVU files has its meaning."""
    import json

    from desktop_app.core.fee_schedule import INDICATOR_MEANINGS
    from desktop_app.core.importers import import_paths

    import_paths(store.conn, [shared_data / "cms-pfs-rvu-2025d" / "PPRRVU2025_Oct.csv",
                              shared_data / "cms-hcpcs-2025-oct" / "HCPC2025_OCT_ANWEB.xlsx"])
    unexplained: set[tuple[str, str]] = set()
    for (facts,) in store.conn.execute("SELECT facts FROM code_facts"):
        for key, value in json.loads(facts).items():
            if key in INDICATOR_MEANINGS:
                for item in value if isinstance(value, list) else [value]:
                    if str(item) not in INDICATOR_MEANINGS[key]:
                        unexplained.add((key, str(item)))
    assert not unexplained


def test_a_raw_code_is_shown_once_beside_its_meaning() -> None:
    """Issue 12 round 2 (hostile check on the real files): "Coverage code D", "Action code N" and "PC/TC
    indicator 0" stood bare among the other indicators while their meanings had rows of their own."""
    facts = {"coverage_code": "D", "coverage": "Special coverage instructions apply", "action_code": "N",
             "action": "No change", "pctc_indicator": "0", "pctc": "Physician service", "status_code": "A",
             "status": "Active", "statute": "1861"}
    rows = dict(fact_rows(facts))
    assert rows["Medicare coverage"] == "D \u2014 Special coverage instructions apply"
    assert rows["Latest action"] == "N \u2014 No change" and rows["Status"] == "A \u2014 Active"
    assert rows["PC/TC (professional and technical parts)"] == "0 \u2014 Physician service"
    assert not {"Coverage code", "Action code", "PC/TC indicator", "Status code"} & rows.keys()
    others = dict(fact_rows(facts, primary=False))
    assert "PC/TC indicator" not in others and others["Statute"] == "1861"
    alone = dict(fact_rows({"pctc_indicator": "1"}))  # no meaning stored: the code keeps its row
    assert alone == {"PC/TC indicator": "1"}


# An invented imaging code: fee schedule 1.0 + 6.0 + 0.1 = 7.1 RVUs, OPPS PE 5.0 (non-facility) and 6.5 (facility,
# above the fee-schedule PE: no cap there).
IMAGING = {"status_code": "A", "work_rvu": 1.0, "nonfacility_pe_rvu": 6.0, "facility_pe_rvu": 6.0, "mp_rvu": 0.1,
           "nonfacility_total": 7.1, "facility_total": 7.1, "conversion_factor": 30.0,
           "opps_nonfacility_pe": 5.0, "opps_facility_pe": 6.5, "opps_mp": 0.1}


def test_the_opps_imaging_cap_pays_the_lower_amount_nationally_and_per_locality() -> None:
    # The RVU file's documentation (DRA section 5102(b)): the fee-schedule amount is compared with the OPPS amount
    # and the lower is paid. 70496 showed $272.36 where the file's OPPS values give $257.80.
    payment = national_payment(IMAGING, "", "x")
    assert payment is not None
    assert amounts(payment) == {"non-facility": Decimal("183.00"), "facility": Decimal("213.00")}  # 6.1 x 30; 7.1 x 30
    assert [a.note for a in payment.amounts] == [OPPS_CAP_NOTE, ""]
    assert payment.notes and payment.notes[0].startswith("non-facility: capped")
    gpci = Locality("1", "ZZ", "00", "TOYLAND", Decimal("1.1"), Decimal("0.9"), Decimal("1.0"), "GPCI 2030", "2030")
    local = locality_payment(IMAGING, "", "x", gpci)
    assert local is not None  # (1.0*1.1 + 5.0*0.9 + 0.1*1.0) * 30 = 171.00 against (1.1 + 5.4 + 0.1) * 30 = 198.00
    assert amounts(local)["non-facility"] == Decimal("171.00")
    # No OPPS values (0.00 in the file): no cap.
    plain = {**IMAGING, "opps_nonfacility_pe": 0.0, "opps_facility_pe": 0.0, "opps_mp": 0.0}
    assert amounts(national_payment(plain, "", "x")) == {"non-facility": Decimal("213.00"),
                                                         "facility": Decimal("213.00")}
