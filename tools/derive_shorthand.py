"""Propose plain words for the CMS short-descriptor shorthand the hand-written vocabulary does not cover.

Run by hand when a new RVU file arrives:  python tools/derive_shorthand.py [--data DIR]

It writes ``resources/data/shorthand_derived.toml``: for each unexplained token of the RVU short descriptors
(three letters or more, not a plain word), the full word it abbreviates, when the evidence is clear:
the token keeps the word's first letter and the rest of its letters in order (the files drop vowels and cut
endings: "rcvng" for "receiving", "transcath" for "transcatheter"), the word is a full word the files
themselves use (RVU words that are English words, HCPCS long-descriptor words, our summaries), and that word
is at least twice as frequent there as any other such word. Only words are written, never descriptor text.
The file is reviewed like any other: delete a wrong line, or override it in shorthand.toml.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.reference import read_starter_codes
from desktop_app.core.resources import data_dir
from desktop_app.core.vocabulary import Vocabulary, singular, tokens

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "resources" / "data" / "shorthand_derived.toml"
REVIEW = REPO / "resources" / "data" / "shorthand_review.toml"  # proposals read by a person: corrected or rejected
MIN_TOKEN = 3


VOWELS = set("aeiou")


def is_abbreviation(short: str, word: str) -> bool:
    """``short`` keeps ``word``'s first letter and the rest of its letters in order, and is shorter; it keeps
    enough of the word (45%), starts like it (its second letter within the word's first three) and, at three
    letters, is the word's start or its first three consonants ("kdn" kidney, "lft" left)."""
    if len(short) >= len(word) or short[0] != word[0] or len(short) < 0.45 * len(word):
        return False
    if short[1] not in word[1:3]:
        return False
    if len(short) == 3:
        consonants = "".join(ch for ch in word if ch not in VOWELS)
        if not (word.startswith(short) or consonants.startswith(short)):
            return False
    position = 1
    for letter in short[1:]:
        position = word.find(letter, position) + 1
        if position == 0:
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=(REPO / ".." / "shared" / "data").resolve())
    args = parser.parse_args()
    import importlib.util

    from english_words import get_english_words_set  # a test dependency

    # The coverage test's own readers, so the proposal and the measure read the files the same way.
    spec = importlib.util.spec_from_file_location("coverage", REPO / "tests" / "core" / "test_vocabulary_coverage.py")
    assert spec is not None and spec.loader is not None
    coverage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(coverage)
    plain_words, short_descriptors = coverage.plain_words, coverage.short_descriptors

    english = set(get_english_words_set(["web2", "gcide"], lower=True))
    plain = plain_words(args.data)
    vocabulary = Vocabulary.from_toml([data_dir() / "shorthand.toml", data_dir() / "abbreviations.toml"])
    descriptors = short_descriptors(args.data)
    # Full words, weighted by how often the files and our summaries use them.
    frequency: Counter[str] = Counter()
    import openpyxl

    book = openpyxl.load_workbook(args.data / "cms-hcpcs-2025-oct" / "HCPC2025_OCT_ANWEB.xlsx", read_only=True)
    for row in book.active.iter_rows(values_only=True, min_row=2):
        frequency.update(t for t in tokens(str(row[3] or "")) if t.isalpha() and len(t) > MIN_TOKEN)
    book.close()
    for text in descriptors.values():
        frequency.update(t for t in tokens(text) if t.isalpha() and len(t) > MIN_TOKEN and t in english)
    for starter in read_starter_codes(data_dir()):
        frequency.update(t for t in tokens(starter.summary) if t.isalpha() and len(t) > MIN_TOKEN)
    by_letter: dict[str, list[str]] = {}
    for word in frequency:
        by_letter.setdefault(word[0], []).append(word)

    unexplained: Counter[str] = Counter()
    for text in descriptors.values():
        explained = vocabulary.explained(text)
        for token in tokens(text):
            if (token.isalpha() and len(token) >= MIN_TOKEN and token not in plain and singular(token) not in plain
                    and token not in explained):
                unexplained[token] += 1
    with REVIEW.open("rb") as fh:
        review = tomllib.load(fh)
    corrected: dict[str, str] = review.get("corrected", {})
    rejected: dict[str, str] = {**review.get("rejected", {}), **review.get("words", {})}
    lines = []
    for token, count in sorted(unexplained.items()):
        if token in rejected:
            continue
        if token in corrected:
            lines.append(f'{token} = "{corrected[token]}"  # {count}x; reviewed')
            continue
        candidates = sorted(((frequency[w], w) for w in by_letter.get(token[0], ()) if is_abbreviation(token, w)),
                            reverse=True)
        if not candidates:
            continue
        best_count, best = candidates[0]
        runner_up = candidates[1][0] if len(candidates) > 1 else 0
        if best_count >= 2 * runner_up and best_count >= 2:
            lines.append(f'{token} = "{best}"  # {count}x; next best {candidates[1][1] if runner_up else "none"}')
    header = (
        "# Machine-proposed plain words for CMS short-descriptor shorthand (tools/derive_shorthand.py), kept\n"
        "# apart from the hand-written shorthand.toml, which wins where both speak. Each line: a token of the\n"
        "# files, the full word it abbreviates, how often the token occurs and the runner-up word. Review it\n"
        "# like any other text: correct or reject a proposal in shorthand_review.toml and run the tool again\n"
        "# (or override it in shorthand.toml). Lines marked 'reviewed' carry a reviewer's correction.\n"
        "[abbreviations]\n"
    )
    OUT.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} of {len(unexplained)} unexplained tokens given a word; written to {OUT}")


if __name__ == "__main__":
    main()
