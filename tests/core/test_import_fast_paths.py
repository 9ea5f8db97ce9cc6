"""Issue 13 (round 3): the import's fast paths give exactly what the plain code they replace gave.

Each test keeps the plain version here, as the reference, and compares on invented edge cases and, where the
real files are there (``../shared/data``), on every descriptor or row of them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.core.grammar import is_code, normalize
from desktop_app.core.importers import _parse
from desktop_app.core.importers.cms_rvu import _clean_code
from desktop_app.core.importers.model import Monitor
from desktop_app.core.importers.sniff import plan
from desktop_app.core.vocabulary import Vocabulary, _range_sizes, load_vocabulary, singular, tokens

REAL_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"  # ../shared/data beside the checkout
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cms"


Expansion = tuple[tuple[str, ...], frozenset[str]]


def _reference_expander(vocabulary: Vocabulary) -> Callable[[str], Expansion]:
    """The index-time expansion as it was written before the per-word memo: every position walked, keys
    tried longest first, a single word by itself or its singular, else the word's unlisted readings."""
    meanings = vocabulary._meanings
    longest_from: dict[str, int] = {}
    for key in meanings:
        longest_from[key[0]] = max(longest_from.get(key[0], 1), len(key))
    return lambda text: _reference_expand(vocabulary, longest_from, text)


def _reference_expand(vocabulary: Vocabulary, longest_from: dict[str, int], text: str) -> Expansion:
    meanings = vocabulary._meanings
    found: dict[str, None] = dict.fromkeys(_range_sizes(text))  # round 5: sizes inside a range, a step of its own
    if vocabulary._symbol_re is not None:
        for match in vocabulary._symbol_re.finditer(text):
            found.update(dict.fromkeys(vocabulary._symbols[match.group(0)]))
    words = tokens(text)
    explained: set[str] = set()
    index = 0
    while index < len(words):
        matched = 0
        for length in range(min(longest_from.get(words[index], 1), len(words) - index), 0, -1):
            key = tuple(words[index:index + length])
            values = meanings.get(key)
            if values is None and length == 1:
                plain = singular(words[index])
                values = meanings.get((plain,)) if plain else None
            if values is not None:
                found.update(dict.fromkeys(values))
                explained.update(key)
                matched = length
                break
        if not matched:
            found.update(dict.fromkeys(vocabulary._unlisted_word(words[index])))
        index += matched or 1
    present = set(words)
    return (tuple(p for p in found if not vocabulary._phrase_tokens.get(p, frozenset(tokens(p))) <= present),
            frozenset(explained))


def _vocabulary_texts(vocabulary: Vocabulary) -> list[str]:
    """Texts that exercise every key: each key alone, keys run together, overlapping phrases, plurals."""
    keys = [" ".join(key) for key in vocabulary._meanings]
    texts = [*keys, *(f"{k}s invented" for k in keys[:500])]
    texts += [" ".join(keys[i:i + 4]) for i in range(0, len(keys), 3)]
    texts += ["w/o dye w/ contrast", "Rpr 2.5cm/<", "Optx dst rd fx", "", "   ", "x", "biopsies grafts",
              "open treatment open treatment of", "Xray chest 3vws invented", "2sgm 1st 22nd",
              "mastopexy thermoplasty invented", "tympanoplasty w/o mastoidectomy"]
    return texts


def test_expansion_matches_the_plain_walk_on_every_key() -> None:
    vocabulary = load_vocabulary()
    reference = _reference_expander(vocabulary)
    for text in _vocabulary_texts(vocabulary):
        assert vocabulary._expand(text) == reference(text), text


@pytest.mark.parametrize("relative", [
    "cms-pfs-rvu-2025d/PPRRVU2025_Oct.csv",
    "cms-hcpcs-2025-oct/HCPC2025_OCT_ANWEB.xlsx",
    "cms-hcpcs-2020/HCPC2020_ANWEB_w_disclaimer.txt",
])
def test_expansion_matches_the_plain_walk_on_real_descriptors(relative: str) -> None:
    path = REAL_DATA / relative
    if not path.exists():
        pytest.skip(f"real data not present: {relative}")
    vocabulary = load_vocabulary()
    texts = {text for sf, fmt in plan(path, "").files for rec in _parse(sf, fmt, Monitor()).codes.values()
             for _, text in rec.descriptors}
    assert len(texts) > 1000
    reference = _reference_expander(vocabulary)
    for text in texts:
        assert vocabulary._expand(text) == reference(text), text


@pytest.mark.parametrize("raw", [
    "99213", "0001F", "0075T", "0001U", "0002M", "0003A", "G0438", "J1100", "A0021", "V2799",
    # not codes, or codes only after normalising: the slow path decides
    "F1234", "I1234", "N1234", "O1234", "W1234", "X1234", "Y1234", "Z1234", "9921", "992133", "g0438",
    " 99213", "99 213", "\u0669\u0669\u0662\u0661\u0663", "\uff19\uff19\uff12\uff11\uff13", "99213\u200b", "",
    "TC", "26", "0001f", "1234F ", "ABCDE", "1234B",
])
def test_rvu_code_fast_path_agrees_with_normalize(raw: str) -> None:
    code = normalize(raw)
    assert _clean_code(raw) == (code if is_code(code) else "")
