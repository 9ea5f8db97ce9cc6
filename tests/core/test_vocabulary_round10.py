"""Issue 10, round 10: acronyms that are also everyday words or the files' own shorthand, read both ways.

"aed" (see tests/core/test_query.py), "tips" (a cane's tips, and the transjugular intrahepatic portosystemic
shunt) and "rpr" (the files' repair, and the rapid plasma reagin syphilis test)."""

from __future__ import annotations

from desktop_app.core.store import CodeStore
from desktop_app.core.vocabulary import load_vocabulary
from tests.conftest import found_codes


def test_the_acronyms_keep_their_plain_reading_and_gain_the_other() -> None:
    vocabulary = load_vocabulary()
    tips = vocabulary.query_units(["tips"])[0]
    assert tips.text == "tips" and "transjugular intrahepatic portosystemic shunt" in tips.alternatives
    rpr = vocabulary.query_units(["rpr"])[0]
    assert {"repair", "rapid plasma reagin"} <= set(rpr.alternatives)
    # Only the typed word: a descriptor's "rpr" is still read as repair alone when indexed.
    assert "reagin" not in vocabulary.expand("Invented rpr trunk")


def test_tips_and_rpr_find_the_procedure_and_the_test_first(imported: CodeStore) -> None:
    # "tips" listed four canes and crutches (bundled everyday codes, "with tip") before 37182.
    assert found_codes(imported, "tips", 2) == ["37182", "37183"]
    assert found_codes(imported, "TIPS procedure", 1) == ["37182"]
    # "rpr" matched 918 repairs and listed none of the syphilis tests; a repair is still found by it.
    assert found_codes(imported, "rpr", 1) == ["86592"]
    assert found_codes(imported, "rpr test", 2) == ["86592", "86593"]
    assert "29827" in found_codes(imported, "rotator cuff rpr", 3)
    assert "E0100" in found_codes(imported, "cane tips", 3)
