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


def test_the_hostile_reviews_acronyms_and_spellings_find_their_codes(imported: CodeStore) -> None:
    # Each found nothing, or only the files' other reading of the letters, before round 10.
    assert "33208" in found_codes(imported, "ppm", 3)  # 0 results
    assert found_codes(imported, "dccv", 1) == ["92960"]  # 0 results
    assert "63650" in found_codes(imported, "scs", 3)  # 1,607 matches, "sc" (subcutaneous) vaccines first
    assert found_codes(imported, "des", 1) == ["C9600"]  # 4,024 matches, bone density first
    assert "96372" in found_codes(imported, "sq injection", 5)  # "sq" is the files' square
    assert "87591" in found_codes(imported, "std test", 5)  # "std" is the files' study
    assert found_codes(imported, "type and cross", 1) == ["86920"]  # corneal cross-linking first
    assert found_codes(imported, "hepatitis a antibody", 2) == ["86708", "86709"]  # the "a" was dropped
    assert found_codes(imported, "ogd", 1) == ["43235"]
    oesophagus = imported.search("oesophagus", limit=10).hits  # 0 results
    assert len(oesophagus) == 10 and all("esoph" in hit.title.lower() for hit in oesophagus)
    assert not any(code.startswith("44") for code in found_codes(imported, "colour doppler", 10))  # colon codes


def test_the_new_readings_are_typed_words_only() -> None:
    vocabulary = load_vocabulary()
    # The files' own readings are kept: "sq" square, "std" study.
    assert "study" in vocabulary.query_units(["std"])[0].alternatives
    assert "sexually transmitted" in vocabulary.query_units(["std"])[0].alternatives
    assert "sexually" not in vocabulary.expand("Invented sleep std")
    assert "subcutaneous" not in vocabulary.expand("Invented skin sub 25 sq cm")


def test_a_brand_the_files_name_finds_its_own_code_before_its_generic_siblings(imported: CodeStore) -> None:
    # As synonym groups every levonorgestrel IUD read as every brand, and "sublocade" as any buprenorphine.
    assert found_codes(imported, "sublocade", 2) == ["Q9991", "Q9992"]  # J0570 (an implant) first before
    assert "J7298" in found_codes(imported, "mirena", 3)  # fifth before; its family (J7296-J7298) ties it
    assert "Q9991" not in found_codes(imported, "buprenorphine implant", 3)


def test_a_typo_rule_does_not_turn_an_acronym_into_a_plain_word(imported: CodeStore) -> None:
    # With two swapped letters as one edit, "dsek" (not indexed then) was one edit from "desk" as from "dmek";
    # DSEK is one of 65756's own names now.
    assert found_codes(imported, "DSEK corneal transplant", 1) == ["65756"]


def test_a_last_a_names_a_type_rather_than_being_dropped() -> None:
    vocabulary = load_vocabulary()
    units = vocabulary.query_units(["vitamin", "a"])
    assert [(u.text, u.phrase) for u in units] == [("vitamin a", True)] and "vitamin" in units[0].alternatives
    # After a small word it is the article a user is typing past.
    assert [u.text for u in vocabulary.query_units(["excision", "of", "a"])] == ["excision", "of", "a"]


def test_vitamin_a_finds_its_assay_first(imported: CodeStore) -> None:
    # The "a" was dropped as a stopword: "vitamin a" listed vitamin D first and 84590 fifth.
    assert found_codes(imported, "vitamin a", 1) == ["84590"]
