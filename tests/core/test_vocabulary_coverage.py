"""How much of the real files' shorthand the vocabulary explains, measured on the 2025 RVU file.

Skipped without ../shared/data. Every token of the short descriptors (one per code) must be a plain word (an
English word list from the ``english-words`` package, or a word of the HCPCS long descriptors or of our own
summaries), a number or a measure, or be explained by resources/data/shorthand.toml. Fails below 97% of the
token occurrences or 85% of the distinct tokens, and prints the rest, most frequent first.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from desktop_app.core.reference import read_starter_codes
from desktop_app.core.resources import data_dir
from desktop_app.core.vocabulary import load_vocabulary, singular, tokens

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

OCCURRENCE_TARGET = 0.97
DISTINCT_TARGET = 0.85
# A number, an ordinal or a number with a unit: "2", "1st", "2.5cm" (read as "2", "5cm"), "30d", "15min".
_MEASURE_RE = re.compile(r"\d+(st|nd|rd|th|cm|mm|ml|mg|mcg|g|kg|d|hr|hrs|h|min|mins|m|mo|yr|yrs|y|wk|wks|sqcm|x|u)?")


def short_descriptors(shared_data: Path) -> dict[str, str]:
    descriptors: dict[str, str] = {}
    with (shared_data / "cms-pfs-rvu-2025d" / "PPRRVU2025_Oct.csv").open(newline="", encoding="latin-1") as fh:
        for row in csv.reader(fh):
            if len(row) > 2 and re.fullmatch(r"[0-9A-Z]{5}", row[0]) and not row[1]:
                descriptors.setdefault(row[0], row[2])
    return descriptors


def plain_words(shared_data: Path) -> set[str]:
    english_words = pytest.importorskip("english_words")
    words = set(english_words.get_english_words_set(["web2", "gcide"], lower=True))
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(shared_data / "cms-hcpcs-2025-oct" / "HCPC2025_OCT_ANWEB.xlsx", read_only=True)
    for row in book.active.iter_rows(values_only=True, min_row=2):
        words.update(tokens(str(row[3] or "")))
    book.close()
    for starter in read_starter_codes(data_dir()):
        words.update(tokens(starter.summary))
    # Tokens the review of the derived shorthand found to be real words themselves ("emboli", "intron").
    with (data_dir() / "shorthand_review.toml").open("rb") as fh:
        words.update(tomllib.load(fh).get("words", {}))
    return words


# Medical words are built from parts: "proctosigmoidoscopy", "vulvectomy", "midfoot", "genotyping" are plain
# words to a coder though no general word list has them. A token counts as a plain word when it is a combining
# form (or a plain word) followed by a plain word or a suffix, or two plain words run together.
COMBINING_FORMS = tuple(sorted("""
    abdomino acro adeno adreno angio arterio arthro aorto auto bi bio blepharo broncho cardio cerebro cervico
    cholangio chole cholecysto chondro colo colono colpo costo cranio cysto cyto dacryo dermato duodeno electro
    encephalo endo entero epi esophago extra fibro fluoro gastro geno glosso gyneco hemato hemi hemo hepato
    histo homo hydro hyper hypo hystero ileo immuno infra inter intra irido kerato lamino laparo laryngo lipo
    litho lobo lumbo lympho macro mammo masto medio meningo meta micro mid mono multi myelo myo myringo naso neo
    nephro neuro non oculo onco oophoro ophthalmo orchio oro ortho osteo oto pan para patho peri pharmaco
    pharyngo phlebo physio pneumo poly post pre procto prostato pseudo psycho pyelo radio re recto retro rhino
    sacro salpingo valvulo rhytid semi sialo sigmoido sono spleno spondylo sub super supra teno thoraco thrombo
    thyro tracheo trans tri tympano un ureo uretero urethro uro utero vagino vaso veno vertebro vesico vulvo
""".split(), key=len, reverse=True))  # noqa: SIM905 -- a word list is easier to read this way
SUFFIXES = tuple(sorted("""
    ectomy otomy ostomy plasty pexy rrhaphy scopy scope graphy gram lysis centesis tripsy desis
    itis osis oma emia uria algia pathy ing ed er al ic ly ation ment ness ity ive ize s es
""".split(), key=len, reverse=True))  # noqa: SIM905 -- a word list is easier to read this way


def is_medical_word(token: str, plain: set[str]) -> bool:
    if not token.isalpha() or len(token) < 6:
        return False
    if token in SUFFIXES:
        return True  # "plasty" written on its own
    for form in COMBINING_FORMS:
        rest = token[len(form):]
        if token.startswith(form) and (rest in plain or rest in COMBINING_FORMS or is_suffixed(rest, plain)):
            return True
    if is_suffixed(token, plain):
        return True
    return any(token[:at] in plain and token[at:] in plain for at in range(3, len(token) - 2))


def is_suffixed(token: str, plain: set[str]) -> bool:
    for suffix in SUFFIXES:
        stem = token[: -len(suffix)]
        if token.endswith(suffix) and len(stem) >= 3 and (
                stem in plain or stem + "e" in plain or stem + "o" in plain or stem in COMBINING_FORMS
                or stem + "o" in COMBINING_FORMS):
            return True
    return False


def test_the_vocabulary_covers_the_rvu_shorthand(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vocabulary = load_vocabulary()
    plain = plain_words(shared_data)
    occurrences: Counter[str] = Counter()
    unexplained: Counter[str] = Counter()
    for text in short_descriptors(shared_data).values():
        explained = vocabulary.explained(text)
        for token in tokens(text):
            occurrences[token] += 1
            is_plain = (token in plain or singular(token) in plain or _MEASURE_RE.fullmatch(token)
                        or is_medical_word(token, plain))
            if not is_plain and token not in explained:
                unexplained[token] += 1
    total = sum(occurrences.values())
    by_occurrence = 1 - sum(unexplained.values()) / total
    by_distinct = 1 - len(unexplained) / len(occurrences)
    with capsys.disabled():
        print(f"\nRVU short descriptors: {total:,} tokens, {len(occurrences):,} distinct; explained "
              f"{by_occurrence:.1%} of occurrences, {by_distinct:.1%} of distinct tokens")
        print("unexplained, most frequent first: " + ", ".join(f"{t} {n}" for t, n in unexplained.most_common(150)))
    assert by_occurrence >= OCCURRENCE_TARGET
    assert by_distinct >= DISTINCT_TARGET
