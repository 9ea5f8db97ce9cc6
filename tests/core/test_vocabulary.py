"""The shorthand vocabulary: index-time expansion, query units, coder tokens (table-driven)."""

from __future__ import annotations

import pytest

from desktop_app.core.query import parse_query
from desktop_app.core.vocabulary import index_text, load_vocabulary, singular, tokens


@pytest.mark.parametrize(("text", "expected"), [
    # invented descriptors in the files' house style (not the files' own text)
    ("Optx dst rd fx", {"open treatment", "distal", "radius", "fracture"}),
    ("Cltx sho dslc w/mnpj", {"closed treatment", "shoulder", "dislocation", "with", "manipulation"}),
    ("Cor hlx vlgs prx osteot invented", {"correction", "hallux valgus bunion", "proximal", "osteotomy"}),
    ("Splt agrft t/a/l invented", {"split thickness skin graft autograft", "trunk arms legs"}),
    ("Scan neck spine w/dye invented", {"cervical spine", "with", "contrast"}),
    ("Study spine w/o dye invented", {"without", "contrast"}),
    ("Leg artery rechanneling invented", {"endarterectomy"}),
    ("Perq vertebral augmentation invented", {"percutaneous", "kyphoplasty"}),
    ("Njx strd tfrm epi", {"injection", "steroid", "transforaminal"}),
    ("Rpr 2.5cm/<", {"repair", "or less"}),
    ("Insj picc", {"insertion", "peripherally inserted central catheter"}),
])
def test_expansion_adds_plain_words(text: str, expected: set[str]) -> None:
    assert expected <= set(load_vocabulary().expand(text))


@pytest.mark.parametrize(("text", "unexpected"), [
    ("Study spine w/o dye invented", "with"),  # "w/o" is consumed whole: its "w" is not also "with"
    ("Office visit", "office visit"),  # nothing repeats words already there
    ("Hemorrhoid", "hemorrhoid"),
])
def test_expansion_does_not_add_noise(text: str, unexpected: str) -> None:
    assert unexpected not in load_vocabulary().expand(text)


def test_index_text_keeps_the_text_and_appends_expansions() -> None:
    indexed = index_text("Optx dst rd fx")
    assert indexed.startswith("Optx dst rd fx") and "fracture" in indexed
    assert index_text("Hello there") == "Hello there"  # nothing to add: unchanged
    assert index_text("") == ""


@pytest.mark.parametrize(("query", "words"), [
    ("D&C", ("d&c",)),
    ("D & C", ("d&c",)),
    ("I&D abscess", ("i&d", "abscess")),
    ("i & d abscess", ("i&d", "abscess")),
    ("MRI w/o contrast", ("mri", "w/o", "contrast")),
    ("CT w/ contrast", ("ct", "w/", "contrast")),
    ("s/p knee replacement", ("s/p", "knee", "replacement")),
    ("x-ray chest", ("x-ray", "chest")),
    ("systolic < 130", ("systolic", "<", "130")),
    ("bp \u2265 140", ("bp", "\u2265", "140")),
])
def test_coder_tokens_are_kept_whole(query: str, words: tuple[str, ...]) -> None:
    assert parse_query(query).words == words


@pytest.mark.parametrize(("words", "unit", "meaning"), [
    (("d&c",), "d&c", "dilation and curettage"),
    (("i&d",), "i&d", "incision and drainage"),
    (("w/o",), "w/o", "without"),
    (("w/",), "w/", "with"),
    (("s/p",), "s/p", "status post"),
    (("<",), "<", "less than"),
    (("tummy", "tuck"), "tummy tuck", "abdominoplasty"),
    (("less", "than"), "less than", "under"),
    (("kyphoplasty",), "kyphoplasty", "vertebral augmentation"),
    (("dye",), "dye", "contrast"),
    (("neck", "spine"), "neck spine", "cervical spine"),
    (("humira",), "humira", "adalimumab"),
    (("mammograms",), "mammograms", "mammography"),  # plural read as its singular
])
def test_query_units_and_meanings(words: tuple[str, ...], unit: str, meaning: str) -> None:
    units = load_vocabulary().query_units(words)
    assert units[0].text == unit
    assert meaning in units[0].alternatives


@pytest.mark.parametrize(("token", "expected"), [
    ("grafts", "graft"), ("biopsies", "biopsy"), ("stitches", "stitch"), ("views", "view"),
    ("abscess", None), ("status", None), ("bus", None), ("fx", None),
])
def test_singular(token: str, expected: str | None) -> None:
    assert singular(token) == expected


def test_tokens_ignore_symbols_and_case() -> None:
    assert tokens("D & C, w/O") == ["d", "c", "w", "o"]


@pytest.mark.parametrize(("word", "meaning"), [
    ("tympanoplasty", "eardrum repair"),
    ("stapedectomy", "stapes removal"),
    ("dacryocystorhinostomy", "tear drain"),
    ("gastrotomy", "stomach incision"),
])
def test_a_medical_word_is_read_from_its_parts(word: str, meaning: str) -> None:
    assert meaning in load_vocabulary().alternatives(word)


@pytest.mark.parametrize("word", ["colonoscopy", "screening", "fracture", "bunionectomy", "a1c"])
def test_word_parts_are_only_for_words_with_known_parts(word: str) -> None:
    parts = load_vocabulary().word_parts(word)
    assert parts == () or word == "colonoscopy"  # colon + scopy does have parts


@pytest.mark.parametrize(("word", "meaning"), [
    ("thymectomy", "thymus removal"),  # thym(o) + ectomy: the linking vowel dropped before a vowel
    ("labyrinthectomy", "inner ear removal"),
    ("hysterosalpingogram", "uterus tube x-ray"),  # a chain of two forms, then the suffix
    ("ileostomy", "ileum opening"),
])
def test_a_medical_word_is_read_as_a_chain_of_combining_forms(word: str, meaning: str) -> None:
    assert meaning in load_vocabulary().alternatives(word)


@pytest.mark.parametrize(("text", "region"), [
    ("Excision olecranon bursa invented", "elbow"),
    ("Optx calcaneal fx invented", "heel"),
    ("Cltx acetabulum fx invented", "hip"),
])
def test_a_part_is_also_found_by_its_region(text: str, region: str) -> None:
    assert region in load_vocabulary().expand(text)


def test_a_region_does_not_stand_for_its_parts() -> None:
    # one direction only: "elbow" is wider than the olecranon, so an elbow query does not become "olecranon"
    assert "olecranon" not in load_vocabulary().alternatives("elbow")
