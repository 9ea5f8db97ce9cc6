"""core/importers/cms_hcpcs.py: the fixed-width HCPCS file, read from the invented fixture."""

from __future__ import annotations

from importer_helpers import FIXTURES, parsed

from desktop_app.core.importers.cms_hcpcs import FORMAT_TXT
from desktop_app.core.kinds import CodeKind, DescriptorKind


def test_records_become_codes_with_long_and_short_text_and_their_facts() -> None:
    (ds,) = parsed(FIXTURES / "cms" / "HCPC2030_ANWEB_fixture.txt")
    assert (ds.kind, ds.format, ds.release) == ("cms-hcpcs", FORMAT_TXT, "2030-01")
    record = ds.codes["A9990"]
    assert record.code_set == "HCPCS" and record.kind == CodeKind.CODE
    assert dict(record.descriptors)[DescriptorKind.SHORT] == "Toy supply item"
    # The continuation record (sequence 004) is joined onto the long text of its first record.
    assert dict(record.descriptors)[DescriptorKind.LONG].endswith("for use with a fictional kit")
    facts = record.facts[""]
    assert (facts["action_code"], facts["action"], facts["added_date"]) == ("A", "Added", "2030-01-01")
    assert facts["coverage"].startswith("Carrier judgment")


def test_two_character_records_are_modifiers() -> None:
    (ds,) = parsed(FIXTURES / "cms" / "HCPC2030_ANWEB_fixture.txt")
    assert ds.codes["Z1"].kind == CodeKind.MODIFIER
    assert ds.modifier_count >= 2
