"""The Medicare physician fee schedule as a biller reads it: labelled facts and payment amounts.

The RVU importer stores the file's values under short keys (``work_rvu``, ``bilat_surg``); this module is the
one place that names them for people and says what each indicator value means, in our own words, so the
window and ``codedesk-cli show`` agree. It also works out the payment amounts:

* national: total RVUs × conversion factor, to the cent (the national GPCIs are 1.000);
* per locality, when a GPCI file is imported: (work RVU × work GPCI + PE RVU × PE GPCI + MP RVU × MP GPCI)
  × conversion factor, non-facility with the non-facility PE RVU and facility with the facility PE RVU.

Amounts are only worked out for status codes that the fee schedule pays (A, T; R and C are contractor priced)
and are labelled with the formula and the source releases; a GPCI release of another year than the RVU file
is named, never hidden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Fact keys the importers write, in the order and words a coder expects. Unknown keys follow, humanised.
FACT_LABELS: dict[str, str] = {
    # CMS physician fee schedule (RVU) file
    "status": "Status",
    "status_code": "Status code",
    "not_used_for_medicare_payment": "Not used for Medicare payment",
    "work_rvu": "Work RVU",
    "nonfacility_pe_rvu": "Practice expense RVU, non-facility",
    "facility_pe_rvu": "Practice expense RVU, facility",
    "mp_rvu": "Malpractice RVU",
    "nonfacility_total": "Total RVUs, non-facility",
    "facility_total": "Total RVUs, facility",
    "nonfacility_na": "Non-facility NA indicator",
    "facility_na": "Facility NA indicator",
    "conversion_factor": "Conversion factor",
    "global_days": "Global days",
    "global_period": "Global period",
    "preop_share": "Pre-operative share",
    "intraop_share": "Intra-operative share",
    "postop_share": "Post-operative share",
    "pctc_indicator": "PC/TC indicator",
    "pctc": "PC/TC (professional and technical parts)",
    "mult_proc": "Multiple procedures (modifier 51)",
    "bilat_surg": "Bilateral surgery (modifier 50)",
    "asst_surg": "Assistant at surgery (modifiers 80, 81, 82, AS)",
    "co_surg": "Co-surgeons (modifier 62)",
    "team_surg": "Team surgery (modifier 66)",
    "endo_base": "Endoscopic base code",
    "physician_supervision": "Physician supervision of diagnostic procedures",
    "imaging_family": "Diagnostic imaging family",
    "calculation_flag": "Calculation flag",
    "opps_nonfacility_pe": "OPPS cap: non-facility PE",
    "opps_facility_pe": "OPPS cap: facility PE",
    "opps_mp": "OPPS cap: malpractice",
    # CMS HCPCS file
    "coverage": "Medicare coverage",
    "coverage_code": "Coverage code",
    "action": "Latest action",
    "action_code": "Action code",
    "added_date": "Added",
    "action_effective_date": "Action effective",
    "termination_date": "Last valid day (termination date)",
    "deleted_date": "Deleted as of (first day not valid)",
    "betos": "BETOS",
    "multiple_pricing_indicator": "Multiple pricing indicator",
    "lab_certifications": "Lab certification",
    # Raw codes of the HCPCS file, named for what they are (their value lists are in CMS's record layout).
    "pricing_indicators": "Pricing indicator (CMS HCPCS code)",
    "cim_references": "Coverage Issues Manual section (CIM)",
    "mcm_references": "Medicare Carriers Manual section (MCM)",
    "anesthesia_base_units": "Anesthesia base units",
    "statute": "Statute",
    "asc_group": "ASC payment group",
    "asc_group_date": "ASC group date",
    "opps_group": "OPPS group",
    "opps_indicator": "OPPS payment indicator",
    "opps_date": "OPPS date",
    "processing_note": "Processing note",
    "category": "Category",
    # AMA CPT data files
    "lab_name": "Laboratory",
    "manufacturer_name": "Manufacturer",
    "test_name": "Test name",
    "pla_status": "PLA status",
    "effective_date": "Effective",
    "publish_date": "Published",
    "concept_id": "AMA concept id",
    "previously_deleted": "Deleted earlier",
}
# Facts the detail pane and `show` present in a section of their own (the code's history), not as a fact row.
SHOWN_APART = frozenset({"history", "deletion_instruction"})

# The facts a coder looks for first; every other indicator goes on one compact line below them.
PRIMARY_FACTS = frozenset({
    "status", "status_code", "not_used_for_medicare_payment", "work_rvu", "nonfacility_pe_rvu",
    "facility_pe_rvu", "mp_rvu", "nonfacility_total", "facility_total", "conversion_factor", "global_days",
    "global_period", "pctc", "coverage", "action", "added_date", "action_effective_date", "termination_date",
    "deleted_date", "category", "betos", "mult_proc", "bilat_surg", "asst_surg", "co_surg", "team_surg",
    "test_name", "lab_name", "manufacturer_name", "pla_status", "effective_date",
})
# Raw codes whose meaning is a fact of its own (status_code → status …: stored by the HCPCS import, joined when
# read for the RVU file's, see core.rvu_meanings). Shown once, as
# "A — Active: …" on the meaning's row, rather than as a bare letter in a row of its own ("Coverage code D").
EXPLAINED_BY: dict[str, str] = {"status_code": "status", "pctc_indicator": "pctc", "coverage_code": "coverage",
                                "action_code": "action"}

# What the indicator values mean, in our own words; the source of each is named above it (RVU file: RVU25D.pdf).
INDICATOR_MEANINGS: dict[str, dict[str, str]] = {
    "mult_proc": {
        "0": "no multiple-procedure reduction",
        "1": "older standard reduction rules",
        "2": "standard reduction: 100% for the highest-valued procedure, 50% for each other",
        "3": "endoscopy family rules: paid relative to the endoscopic base code",
        "4": "diagnostic imaging reduction on the technical (and professional) part",
        "5": "therapy services reduction on practice expense",
        "6": "diagnostic cardiovascular reduction on the technical part",
        "7": "diagnostic ophthalmology reduction on the technical part",
        "9": "does not apply",
    },
    "bilat_surg": {
        "0": "no bilateral adjustment: modifier 50 does not raise payment",
        "1": "bilateral adjustment: 150% when done on both sides (modifier 50)",
        "2": "no adjustment: the code already describes both sides",
        "3": "each side paid in full (100% each), no 150% rule",
        "9": "does not apply",
    },
    "asst_surg": {
        "0": "assistant paid only with documentation of medical necessity",
        "1": "assistant at surgery not paid",
        "2": "assistant at surgery may be paid",
        "9": "does not apply",
    },
    "co_surg": {
        "0": "co-surgeons not permitted",
        "1": "co-surgeons paid with supporting documentation",
        "2": "co-surgeons permitted, no documentation needed",
        "9": "does not apply",
    },
    "team_surg": {
        "0": "team surgeons not permitted",
        "1": "team surgeons paid with supporting documentation",
        "2": "team surgeons permitted",
        "9": "does not apply",
    },
    # RVU25D.pdf (the RVU file's own documentation, field "Physician Supervision of Diagnostic Procedures").
    "physician_supervision": {
        "01": "general supervision",
        "02": "direct supervision",
        "03": "personal supervision",
        "04": "general supervision, unless done by an independent or clinical psychologist (then none needed)",
        "05": "general supervision, unless done by a qualified audiologist (then none needed)",
        "06": "a physician, or a physical therapist certified by ABPTS as an electrophysiology specialist",
        "21": "general supervision of a certified technician; otherwise direct supervision",
        "22": "a technician in real-time contact with a physician",
        "66": "a physician, or a physical therapist with ABPTS and procedure-specific certification",
        "6A": "as 66; the certified therapist may also supervise another therapist but only they may bill",
        "77": "a certified therapist, an uncertified one under direct supervision, or a certified technician "
              "under general supervision",
        "7A": "as 77; the certified therapist may also supervise another therapist but only they may bill",
        "09": "does not apply",
    },
    # RVU25D.pdf, "Diagnostic Imaging Family Indicator": families 01-11 are no longer filled in since 2011.
    "imaging_family": {
        "88": "subject to the diagnostic imaging payment reduction",
        "99": "does not apply",
    },
    # RVU25D.pdf: since July 2014 the flag is 0 for every code.
    "calculation_flag": {"0": "no special calculation (every code has 0 since July 2014)"},
    # The HCPCS indicators below come from CMS's record layout of the Alpha-Numeric HCPCS file (the layout
    # text shipped with each release; fields PRICE1-4, MULT_PI, LABCERT1-8, ASC_GRP), read in two independent
    # public transcriptions of it, and checked against the October 2025 file: 40 is only on compression
    # wraps and garments, 54 on vaccine administration, 55 on casts and splints, 56 on intraocular lenses,
    # 33 on oxygen systems; MULT_PI is 9 exactly where the pricing indicator is 00 or 99 (all but one of
    # 3,331 codes), and C on the two cervical cytology codes priced both by RVUs (11) and as a lab (21).
    "pricing_indicators": {
        "00": "not priced separately under Part B (not covered, bundled, Part A only …)",
        "11": "physician fee schedule: priced from national RVUs",
        "12": "physician fee schedule: priced from national anesthesia base units",
        "13": "physician fee schedule: priced by the Medicare contractor",
        "21": "clinical lab fee schedule: subject to the national limitation amount",
        "22": "clinical lab fee schedule: priced by the Medicare contractor (gap-fill, panels)",
        "31": "DMEPOS: frequently serviced equipment (floor and ceiling limits)",
        "32": "DMEPOS: inexpensive or routinely purchased equipment (floor and ceiling limits)",
        "33": "DMEPOS: oxygen and oxygen equipment (floor and ceiling limits)",
        "34": "DMEPOS: equipment supplies (floor and ceiling limits)",
        "35": "DMEPOS: surgical dressings (floor and ceiling limits)",
        "36": "DMEPOS: capped rental equipment (floor and ceiling limits)",
        "37": "DMEPOS: ostomy, tracheostomy and urological supplies (floor and ceiling limits)",
        "38": "DMEPOS: orthotics, prosthetics and vision items (floor and ceiling limits)",
        "39": "DMEPOS: parenteral and enteral nutrition",
        "40": "DMEPOS: lymphedema compression treatment items (since 2024)",
        "45": "DMEPOS: customized equipment",
        "46": "DMEPOS: priced by the Medicare contractor (not otherwise classified, gap-fill …)",
        "51": "drugs",
        "52": "reasonable charge",
        "53": "set by statute",
        "54": "vaccinations",
        "55": "splints and casts",
        "56": "intraocular lenses inserted in a physician's office",
        "57": "other: priced by the Medicare contractor",
        "99": "no value established",
    },
    "multiple_pricing_indicator": {
        "9": "does not apply: not priced separately under Part B, or no value established",
        "A": "does not apply: priced one way only",
        "B": "professional part priced from RVUs; technical part and global service by the contractor",
        "C": "physician interpretation priced from RVUs; the lab service on the clinical lab fee schedule",
        "D": "physician on the fee schedule, clinical psychologist on their own schedule (not used since 1998)",
        "E": "physician, clinical psychologist and clinical social worker each on their own schedule "
             "(not used since 1998)",
        "F": "as E, with the physician's price set by the contractor (not used since 1998)",
        "G": "a lab service at reasonable charge when billed with blood products, else on the lab fee schedule",
    },
    "lab_certifications": {
        "010": "histocompatibility testing",
        "100": "microbiology", "110": "bacteriology", "115": "mycobacteriology", "120": "mycology",
        "130": "parasitology", "140": "virology", "150": "other microbiology",
        "200": "diagnostic immunology", "210": "syphilis serology", "220": "general immunology",
        "300": "chemistry", "310": "routine chemistry", "320": "urinalysis", "330": "endocrinology",
        "340": "toxicology", "350": "other chemistry",
        "400": "hematology",
        "500": "immunohematology", "510": "ABO group and Rh type", "520": "antibody detection (transfusion)",
        "530": "antibody detection (non-transfusion)", "540": "antibody identification",
        "550": "compatibility testing", "560": "other immunohematology",
        "600": "pathology", "610": "histopathology", "620": "oral pathology", "630": "cytology",
        "800": "radiobioassay", "900": "clinical cytogenetics",
    },
    "asc_group": {"YY": "approved to be done in an ambulatory surgical center"},
    # BETOS (Berenson-Eggers type of service), the HCPCS file's BETOS field: CMS's BETOS code list, read in two
    # public transcriptions that agree (where their wording differs, the broader is used here), and checked
    # against the October 2025 file (O1L only on lymphedema compression items, P8D on a colonoscope sheath,
    # D1G on drugs given through equipment).
    "betos": {
        "M1A": "office visit, new patient", "M1B": "office visit, established patient",
        "M2A": "hospital visit, initial", "M2B": "hospital visit, subsequent", "M2C": "hospital visit, critical care",
        "M3": "emergency room visit", "M4A": "home visit", "M4B": "nursing home visit",
        "M5A": "specialist: pathology", "M5B": "specialist: psychiatry", "M5C": "specialist: ophthalmology",
        "M5D": "specialist: other", "M6": "consultation",
        "P0": "anesthesia",
        "P1A": "major procedure: breast", "P1B": "major procedure: colectomy",
        "P1C": "major procedure: cholecystectomy", "P1D": "major procedure: TURP",
        "P1E": "major procedure: hysterectomy", "P1F": "major procedure: exploration, decompression, disc excision",
        "P1G": "major procedure: other",
        "P2A": "major cardiovascular procedure: CABG", "P2B": "major cardiovascular procedure: aneurysm repair",
        "P2C": "major cardiovascular procedure: thromboendarterectomy",
        "P2D": "major cardiovascular procedure: coronary angioplasty (PTCA)",
        "P2E": "major cardiovascular procedure: pacemaker insertion", "P2F": "major cardiovascular procedure: other",
        "P3A": "major orthopaedic procedure: hip fracture repair",
        "P3B": "major orthopaedic procedure: hip replacement",
        "P3C": "major orthopaedic procedure: knee replacement", "P3D": "major orthopaedic procedure: other",
        "P4A": "eye procedure: corneal transplant", "P4B": "eye procedure: cataract removal or lens insertion",
        "P4C": "eye procedure: retinal detachment", "P4D": "eye procedure: treatment of retinal lesions",
        "P4E": "eye procedure: other",
        "P5A": "ambulatory procedure: skin", "P5B": "ambulatory procedure: musculoskeletal",
        "P5C": "ambulatory procedure: inguinal hernia repair", "P5D": "ambulatory procedure: lithotripsy",
        "P5E": "ambulatory procedure: other",
        "P6A": "minor procedure: skin", "P6B": "minor procedure: musculoskeletal",
        "P6C": "minor procedure: other (Medicare fee schedule)",
        "P6D": "minor procedure: other (not on the Medicare fee schedule)",
        "P7A": "oncology: radiation therapy", "P7B": "oncology: other",
        "P8A": "endoscopy: arthroscopy", "P8B": "endoscopy: upper GI", "P8C": "endoscopy: sigmoidoscopy",
        "P8D": "endoscopy: colonoscopy", "P8E": "endoscopy: cystoscopy", "P8F": "endoscopy: bronchoscopy",
        "P8G": "endoscopy: laparoscopic cholecystectomy", "P8H": "endoscopy: laryngoscopy", "P8I": "endoscopy: other",
        "P9A": "dialysis (Medicare fee schedule)", "P9B": "dialysis (not on the Medicare fee schedule)",
        "I1A": "standard imaging: chest", "I1B": "standard imaging: musculoskeletal", "I1C": "standard imaging: breast",
        "I1D": "standard imaging: contrast GI", "I1E": "standard imaging: nuclear medicine",
        "I1F": "standard imaging: other",
        "I2A": "advanced imaging: CT of head", "I2B": "advanced imaging: CT, other",
        "I2C": "advanced imaging: MRI of brain", "I2D": "advanced imaging: MRI, other",
        "I3A": "ultrasound: eye", "I3B": "ultrasound: abdomen and pelvis", "I3C": "ultrasound: heart",
        "I3D": "ultrasound: carotid arteries", "I3E": "ultrasound: prostate, transrectal", "I3F": "ultrasound: other",
        "I4A": "imaging procedure: heart, cardiac catheterisation included", "I4B": "imaging procedure: other",
        "T1A": "lab test: routine venipuncture (not on the Medicare fee schedule)",
        "T1B": "lab test: automated general profiles", "T1C": "lab test: urinalysis", "T1D": "lab test: blood counts",
        "T1E": "lab test: glucose", "T1F": "lab test: bacterial cultures",
        "T1G": "lab test: other (Medicare fee schedule)", "T1H": "lab test: other (not on the Medicare fee schedule)",
        "T2A": "other test: electrocardiogram", "T2B": "other test: cardiovascular stress test",
        "T2C": "other test: EKG monitoring", "T2D": "other test: other",
        "D1A": "medical and surgical supplies", "D1B": "hospital beds", "D1C": "oxygen and supplies",
        "D1D": "wheelchairs", "D1E": "other durable medical equipment", "D1F": "prosthetic and orthotic devices",
        "D1G": "drugs given through durable medical equipment",
        "O1A": "ambulance", "O1B": "chiropractic", "O1C": "enteral and parenteral nutrition", "O1D": "chemotherapy",
        "O1E": "other drugs", "O1F": "hearing and speech services", "O1G": "immunizations",
        "O1L": "lymphedema compression treatment items",
        "Y1": "other (Medicare fee schedule)", "Y2": "other (not on the Medicare fee schedule)",
        "Z1": "local codes", "Z2": "undefined codes",
    },
    "nonfacility_na": {"NA": "not paid in a non-facility setting (rarely or never done there)"},
    "facility_na": {"NA": "not paid in a facility setting (rarely or never done there)"},
}

# Status codes the fee schedule pays an amount for (others: bundled, carrier priced, excluded, not covered …).
# The RVU file's documentation (RVU25D.pdf, "Status Code"): "Only RVUs associated with status codes of 'A', 'R', or
# 'T', are used for Medicare payment". Status R (restricted coverage) is paid only where its special coverage
# instructions allow: the amount is shown with that condition. An R code without RVUs (the 796 dental D codes)
# has nothing to multiply: it is contractor priced when covered, and says so instead of "$0.00".
PAID_STATUSES = frozenset({"A", "R", "T"})
RESTRICTED_NOTE = ("status R, restricted coverage: paid only when the special coverage instructions for this "
                   "service are met")
RESTRICTED_WITHOUT_RVUS = ("status R, restricted coverage: the file gives no RVUs, so there is no national "
                           "amount; when covered, the Medicare contractor prices it")


def fact_label(key: str) -> str:
    return FACT_LABELS.get(key, key.replace("_", " ").strip().capitalize())


def fact_text(key: str, value: object) -> str:
    """A fact's value as a coder reads it: ``1.30`` for RVUs, ``1 — bilateral adjustment: 150% …``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and not math.isfinite(value):
        return "not a number in the file"
    if isinstance(value, float) and (key.endswith("_rvu") or key.endswith("_total")):
        return f"{value:.2f}"  # RVUs are published with two decimals: 1.30, not 1.3
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        if key in INDICATOR_MEANINGS:  # several indicators (the HCPCS file's PRICE1-4, LABCERT1-8): each explained
            return "; ".join(fact_text(key, item) for item in value)
        return ", ".join(map(str, value))
    text = str(value)
    meaning = INDICATOR_MEANINGS.get(key, {}).get(text)
    if meaning:
        return f"{text} \u2014 {meaning}"
    if key in INDICATOR_MEANINGS and text:
        return f"{text} (a value the file's documentation does not list)"
    return text


def fact_rows(values: dict[str, object], primary: bool | None = None) -> list[tuple[str, str]]:
    """(label, value) rows in a coder's order; ``primary`` True/False keeps only main/other facts."""
    order = {key: i for i, key in enumerate(FACT_LABELS)}
    keys = sorted(values, key=lambda k: (order.get(k, len(order)), k))
    if primary is not None:
        keys = [k for k in keys if (k in PRIMARY_FACTS) == primary]
    empty: tuple[object, ...] = (None, "", [], {})
    # A raw code beside its meaning: one row, "code — meaning", under the meaning's label.
    code_of = {meaning: str(values[raw]) for raw, meaning in EXPLAINED_BY.items()
               if values.get(raw) not in empty and values.get(meaning) not in empty}
    merged = {raw for raw, meaning in EXPLAINED_BY.items() if meaning in code_of}
    rows: list[tuple[str, str]] = []
    for k in keys:
        if values[k] in empty or k in SHOWN_APART or k in merged:
            continue
        text = fact_text(k, values[k])
        rows.append((fact_label(k), f"{code_of[k]} \u2014 {text}" if k in code_of else text))
    return rows


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


@dataclass(frozen=True)
class Locality:
    """One Medicare payment locality of an imported GPCI file."""

    mac: str
    state: str
    number: str
    name: str
    work: Decimal
    pe: Decimal
    mp: Decimal
    source: str  # the GPCI source's name
    year: str

    @property
    def key(self) -> str:
        return f"{self.mac}-{self.number}"

    @property
    def label(self) -> str:
        return f"{self.state} \u2014 {self.name} (MAC {self.mac}, locality {self.number})"


@dataclass(frozen=True)
class PaymentAmount:
    setting: str  # 'non-facility' or 'facility'
    amount: Decimal | None  # None: not paid in that setting
    note: str = ""


@dataclass(frozen=True)
class Payment:
    """Medicare payment amounts for one code (or one component: 26, TC) from one RVU release."""

    modifier: str
    where: str  # 'national' or a locality label
    amounts: tuple[PaymentAmount, ...]
    formula: str
    source: str
    notes: tuple[str, ...] = ()

    @property
    def where_label(self) -> str:
        """Where, as a row heading: "National", or the locality's label as it is ("FL — MIAMI (MAC 09102, …)";
        ``str.capitalize`` made it "Fl — miami (mac 09102, …)")."""
        return self.where[:1].upper() + self.where[1:]

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"modifier": self.modifier, "where": self.where, "formula": self.formula,
                                  "source": self.source, "notes": list(self.notes)}
        for amount in self.amounts:
            key = amount.setting.replace("-", "_")
            out[key] = float(amount.amount) if amount.amount is not None else None
        return out


def _na(values: dict[str, object], setting: str) -> bool:
    return str(values.get(f"{setting}_na", "")).strip().upper() == "NA"


def payment_unavailable(values: dict[str, object]) -> str | None:
    """Why no amount is worked out for these facts, or ``None`` when one is."""
    status = str(values.get("status_code", "")).strip().upper()
    if status == "R" and not any(_decimal(values.get(key)) for key in ("nonfacility_total", "facility_total")):
        return RESTRICTED_WITHOUT_RVUS
    if status and status not in PAID_STATUSES:
        return f"status {status}: no fee-schedule amount ({values.get('status') or 'see the status'})"
    if _decimal(values.get("conversion_factor")) in (None, Decimal(0)):
        return "the file gives no conversion factor"
    return None


# Section 5102(b) of the Deficit Reduction Act of 2005 (RVU file documentation): the technical component of
# certain imaging services, alone or in the global service, is paid at most what the OPPS would pay. The file
# gives the PE and MP RVUs "used for OPPS payment amount" (0.00 where the cap does not apply); the lower of the
# two amounts is paid. Ignoring it showed 70496 at $272.36 where Medicare pays $257.80.
OPPS_CAP_NOTE = "OPPS cap"  # beside the amount; the payment's note says it in full


def _opps_capped_rvus(values: dict[str, object], prefix: str, fee_rvus: Decimal, work_gpci: Decimal,
                      pe_gpci: Decimal, mp_gpci: Decimal) -> Decimal | None:
    """The GPCI-weighted RVUs of the OPPS amount when the cap applies and is lower than ``fee_rvus``, else
    ``None``. ``prefix`` is 'nonfacility' or 'facility'."""
    opps_pe, opps_mp = _decimal(values.get(f"opps_{prefix}_pe")), _decimal(values.get("opps_mp"))
    work = _decimal(values.get("work_rvu"))
    if opps_pe is None or opps_mp is None or work is None or (opps_pe == 0 and opps_mp == 0):
        return None
    opps = work * work_gpci + opps_pe * pe_gpci + opps_mp * mp_gpci
    return opps if opps < fee_rvus else None


def _cap_notes(amounts: list[PaymentAmount]) -> list[str]:
    capped = [a.setting for a in amounts if a.note == OPPS_CAP_NOTE]
    return [f"{' and '.join(capped)}: capped at the OPPS amount, lower than the fee-schedule amount (imaging cap, "
            "Deficit Reduction Act section 5102(b))"] if capped else []


def _status_notes(values: dict[str, object]) -> list[str]:
    """The condition a paid status puts on its amount (nationally and in every locality alike)."""
    status = str(values.get("status_code", "")).strip().upper()
    if status == "T":
        return ["status T: paid only when no other fee-schedule service is billed that day"]
    if status == "R":
        return [RESTRICTED_NOTE]
    return []


def national_payment(values: dict[str, object], modifier: str, source: str) -> Payment | None:
    """Total RVUs × conversion factor, per setting; ``None`` when the facts do not allow an amount."""
    if payment_unavailable(values) is not None:
        return None
    factor = _decimal(values.get("conversion_factor"))
    assert factor is not None
    amounts = []
    one = Decimal(1)
    for setting, key in (("non-facility", "nonfacility_total"), ("facility", "facility_total")):
        total = _decimal(values.get(key))
        prefix = key.split("_")[0]
        if _na(values, prefix):
            amounts.append(PaymentAmount(setting, None, "NA: not paid in this setting"))
        elif total is None:
            amounts.append(PaymentAmount(setting, None, "no total RVUs in the file"))
        else:
            capped = _opps_capped_rvus(values, prefix, total, one, one, one)
            amounts.append(PaymentAmount(setting, cents((capped or total) * factor),
                                         OPPS_CAP_NOTE if capped is not None else ""))
    notes = _cap_notes(amounts) + _status_notes(values)
    return Payment(modifier, "national", tuple(amounts),
                   f"total RVUs \u00d7 conversion factor {factor}", source, tuple(notes))


def locality_payment(values: dict[str, object], modifier: str, source: str, locality: Locality
                     ) -> Payment | None:
    """(work × work GPCI + PE × PE GPCI + MP × MP GPCI) × conversion factor, per setting."""
    if payment_unavailable(values) is not None:
        return None
    factor = _decimal(values.get("conversion_factor"))
    work, mp = _decimal(values.get("work_rvu")), _decimal(values.get("mp_rvu"))
    if factor is None or work is None or mp is None:
        return None
    amounts = []
    for setting, prefix in (("non-facility", "nonfacility"), ("facility", "facility")):
        pe = _decimal(values.get(f"{prefix}_pe_rvu"))
        if _na(values, prefix):
            amounts.append(PaymentAmount(setting, None, "NA: not paid in this setting"))
        elif pe is None:
            amounts.append(PaymentAmount(setting, None, "no PE RVU in the file"))
        else:
            raw = work * locality.work + pe * locality.pe + mp * locality.mp
            capped = _opps_capped_rvus(values, prefix, raw, locality.work, locality.pe, locality.mp)
            amounts.append(PaymentAmount(setting, cents((capped or raw) * factor),
                                         OPPS_CAP_NOTE if capped is not None else ""))
    notes = _cap_notes(amounts) + _status_notes(values)
    rvu_year = next((part for part in source.split() if part.isdigit() and len(part) == 4), "")
    if locality.year and rvu_year and locality.year != rvu_year:
        notes.append(f"GPCIs of {locality.year} applied to RVUs of {rvu_year}: the years differ")
    return Payment(
        modifier, locality.label, tuple(amounts),
        f"(work RVU \u00d7 {locality.work} + PE RVU \u00d7 {locality.pe} + MP RVU \u00d7 {locality.mp}) "
        f"\u00d7 conversion factor {factor}",
        f"{source}; {locality.source}", tuple(notes))
