"""core/catalog.py: code order within a shape, and the section tree of the bundled reference."""

from __future__ import annotations

import pytest

from desktop_app.core.catalog import code_ordinal
from desktop_app.core.store import CodeStore


@pytest.mark.parametrize(("code", "ordinal"), [("99213", 99213), ("3074F", 3074), ("G0438", 60438), ("0042T", 42)])
def test_code_ordinal(code: str, ordinal: int) -> None:
    assert code_ordinal(code) == ordinal


def test_a_code_belongs_to_the_narrowest_section_on_a_path_from_the_top(store: CodeStore) -> None:
    section = store.catalog.section_for("99213")
    assert section is not None
    path = store.catalog.section_path(section.id)
    assert path[-1] == section and path[0].name == "Evaluation and Management"
    assert store.catalog.section_for("ZZZZZ") is None


@pytest.mark.parametrize(("code", "section"), [
    # The range 99453-99458 (remote monitoring) swallowed the work and disability examinations 99455/99456, and
    # 99466-99486 (neonatal and pediatric critical care) the self-measured blood pressure, cognitive assessment
    # and behavioral health codes between them.
    ("99454", "Remote Physiologic Monitoring"),
    ("99455", "Special Evaluation and Management Services"),
    ("99456", "Special Evaluation and Management Services"),
    ("99457", "Remote Physiologic Monitoring"),
    ("99450", "Special Evaluation and Management Services"),
    ("99451", "Interprofessional Telephone/Internet/EHR Consultations"),
    ("99472", "Inpatient Neonatal and Pediatric Critical Care"),
    ("99473", "Self-Measured Blood Pressure Monitoring"),
    ("99474", "Self-Measured Blood Pressure Monitoring"),
    ("99480", "Inpatient Neonatal and Pediatric Critical Care"),
    ("99483", "Cognitive Assessment and Care Planning"),
    ("99484", "Behavioral Health Integration Care Management"),
    ("99486", "Inpatient Neonatal and Pediatric Critical Care"),
    ("99459", "Evaluation and Management"),  # the pelvic examination: E/M, in no subsection of ours
])
def test_e_m_codes_between_subsection_ranges_get_their_own_section(store: CodeStore, code: str, section: str) -> None:
    found = store.catalog.section_for(code)
    assert found is not None and found.name == section


@pytest.mark.parametrize(("code", "path"), [
    # The review: 0001A (a vaccine administration code) was filed under the vaccine products; J9035's section
    # range lay outside its parent's; J8610 (oral methotrexate) was "other than oral"; V5362 (speech screening)
    # was a hearing service.
    ("0001A", ["Medicine", "Immunization Administration for Vaccines/Toxoids"]),
    ("J9035", ["J: Drugs Administered Other Than Oral Method", "Chemotherapy Drugs"]),
    ("J8610", ["J: Drugs Administered Other Than Oral Method", "Oral and Rectal Drugs"]),
    ("J1100", ["J: Drugs Administered Other Than Oral Method"]),
    ("V5362", ["V: Vision and Hearing Services", "Speech-Language Pathology Services"]),
    ("V5010", ["V: Vision and Hearing Services", "Hearing Services"]),
])
def test_sections_the_review_found_misfiled(store: CodeStore, code: str, path: list[str]) -> None:
    section = store.catalog.section_for(code)
    assert section is not None
    found = store.catalog.section_path(section.id)
    assert [s.name for s in found] == path
    # the code lies in its section's range and, where the parent has ranges of the same shape, in the parent's
    assert all(any(code in r for r in s.ranges) for s in found if any(r.start[-1:].isalpha() == code[-1:].isalpha()
                                                                       and r.start[:1].isalpha() == code[:1].isalpha()
                                                                       for r in s.ranges))
