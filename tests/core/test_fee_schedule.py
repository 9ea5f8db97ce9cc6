"""Payment amounts and fee-schedule labels (core.fee_schedule): pure functions."""

from __future__ import annotations

from decimal import Decimal

from desktop_app.core.fee_schedule import (
    Locality,
    fact_rows,
    fact_text,
    locality_payment,
    national_payment,
    payment_unavailable,
)

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
    assert fact_text("bilat_surg", "7") == "7 (see the RVU file's documentation)"
    assert fact_text("work_rvu", float("nan")) == "not a number in the file"
