"""The query parser: typed text in, a typed query out, and the FTS5 expressions built from its words.

``parse_query`` decides whether a query is codes (codes, prefixes, ranges, lists, "modifier 25") or words; the
expression builders turn words (or the vocabulary's query units) into FTS5 MATCH expressions in which every
word is a quoted phrase, so ``"``, ``*``, ``NOT``, ``(`` and emoji typed by the user are just text. No SQL runs
here; :mod:`desktop_app.core.search` runs the expressions.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from desktop_app.core.enums import StrEnum
from desktop_app.core.grammar import (
    CodeTerm,
    GrammarError,
    ListItem,
    clean_input,
    parse_code_list,
    parse_modifier_query,
)
from desktop_app.core.resources import data_dir
from desktop_app.core.vocabulary import QueryUnit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_QUERY_CHARS = 2000
MAX_WORDS = 12
STOPWORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "by", "per"})

# A query word: letters and digits, joined by '/', '-' or '&' ("w/o", "x-ray", "d&c", "i & d"), or a comparison
# sign ("<", ">=", "≥"), which the vocabulary reads as "less than" and so on; a lone "w/" keeps its slash.
_WORD_RE = re.compile(r"[^\W_]+(?:(?:[/\-]|\s*&\s*)[^\W_]+)*/?|[<>]=?|[\u2264\u2265]")
TOKEN_RE = re.compile(r"[^\W_]+")
_POSSESSIVE_RE = re.compile(r"(?<=[^\W\d_])['\u2019]s\b", re.IGNORECASE)


class QueryKind(StrEnum):
    """What a query is (``ParsedQuery.kind``, ``parsed.kind`` in ``search --json``)."""

    EMPTY = "empty"  # nothing to search (or a range-shaped query that cannot be a range: see ``error``)
    CODES = "codes"  # codes, prefixes, ranges, lists, "modifier 25"
    WORDS = "words"


@dataclass(frozen=True)
class ParsedQuery:
    """What a query string means."""

    kind: QueryKind
    items: tuple[ListItem, ...] = ()
    words: tuple[str, ...] = ()
    error: str | None = None  # a range-shaped query that cannot be a range
    truncated: bool = False  # the text was longer than MAX_QUERY_CHARS; only its start was read


def parse_query(text: str) -> ParsedQuery:
    """Decide whether ``text`` is codes (codes, prefixes, ranges, lists) or words. Never raises."""
    text = clean_input(text)  # NFKC and no lone surrogates, once, at the edge
    truncated = len(text) > MAX_QUERY_CHARS
    if truncated:
        # Cut at the last separator, so a long pasted list never ends in half a code ("004" of "0042T").
        head = text[:MAX_QUERY_CHARS]
        cut = max(head.rfind(sep) for sep in (" ", ",", ";", "\n", "\t"))
        text = head[:cut] if cut > 0 else head
    if not text.strip():
        return ParsedQuery(QueryKind.EMPTY)
    modifier = parse_modifier_query(text)  # "modifier 25", "mod 59", "-59": that modifier, not a prefix
    if modifier is not None:
        return ParsedQuery(QueryKind.CODES, items=(CodeTerm(modifier),), truncated=truncated)
    try:
        items = parse_code_list(text)
    except GrammarError as exc:
        return ParsedQuery(QueryKind.EMPTY, error=str(exc))
    if items:
        return ParsedQuery(QueryKind.CODES, items=tuple(dict.fromkeys(items)), truncated=truncated)
    # A possessive is the name itself ("Morton's neuroma", "Baker's cyst"): the "s" would be a word of its own.
    text = _POSSESSIVE_RE.sub("", text)
    words = tuple(re.sub(r"\s+", "", w.lower()) for w in _WORD_RE.findall(text))[:MAX_WORDS]
    words = tuple(w[:64] for w in words)
    if not words:
        return ParsedQuery(QueryKind.EMPTY)
    return ParsedQuery(QueryKind.WORDS, words=words, truncated=truncated)


@lru_cache(maxsize=4)
def load_synonyms(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """``abbreviations.toml`` as a symmetric map: word → the words and phrases it also means."""
    with (path or data_dir() / "abbreviations.toml").open("rb") as fh:
        table = tomllib.load(fh)["synonyms"]
    synonyms: dict[str, set[str]] = {}
    for word, alternatives in table.items():
        for alternative in alternatives:
            synonyms.setdefault(word.lower(), set()).add(alternative.lower())
            # The reverse direction only for plain words: "office" must not also search the phrase
            # "o p", which is how the index sees "O&P" (ova and parasites) as well as "o/p".
            if " " not in alternative and word.isalnum():
                synonyms.setdefault(alternative.lower(), set()).add(word.lower())
    return {word: tuple(sorted(alts)) for word, alts in synonyms.items()}


def fts_phrase(text: str) -> str:
    """Quote ``text`` as an FTS5 phrase: split into words, double any quote. Empty if nothing is left."""
    inner = " ".join(TOKEN_RE.findall(text))
    return '"' + inner.replace('"', '""') + '"' if inner.strip() else ""


def fts_expression(words: Sequence[str], synonyms: dict[str, tuple[str, ...]], *, any_word: bool = False,
                   prefix_last: bool = True) -> str:
    """Build a safe FTS5 MATCH expression: each word (with its synonyms) is a group; groups are ANDed.

    The last word is matched as a prefix so results follow the typing. With ``any_word`` the groups
    are ORed (the fallback when no code has every word).
    """
    content = [w for w in words if w not in STOPWORDS] or list(words)
    groups = []
    for index, word in enumerate(content):
        literal = fts_phrase(word)
        if not literal:
            continue
        is_last = index == len(content) - 1
        # In OR mode a 2-3 letter prefix ("fa*") would pull in thousands of words and rank noise; match it whole.
        min_prefix = 4 if any_word else 2
        alternatives = [literal + "*" if is_last and prefix_last and len(word) >= min_prefix else literal]
        alternatives += [p for p in (fts_phrase(alt) for alt in synonyms.get(word, ())) if p]
        groups.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    return (" OR " if any_word else " AND ").join(groups)


NEAR_TOKENS = 10  # a multi-word meaning matches when its words are this close, in any order


def _fts_near(text: str) -> str:
    """A multi-word meaning as an FTS5 NEAR group of its content words ("removal of gallbladder" also finds
    "Gallbladder removal" and "remove … hem", indexed with "hemorrhoid"); one word stays a plain phrase."""
    words = [w for w in TOKEN_RE.findall(text) if w.lower() not in STOPWORDS] or TOKEN_RE.findall(text)
    if len(words) <= 1:
        return fts_phrase(text)
    return "NEAR(" + " ".join(fts_phrase(w) for w in words) + f", {NEAR_TOKENS})"


def units_expression(units: Sequence[QueryUnit], *, any_word: bool = False, prefix_last: bool = True,
                     most_words: bool = False, stem_prefix: bool = False) -> str:
    """A safe FTS5 MATCH expression from query units: each unit (its words as typed, or any of the words and
    phrases the vocabulary says it also means) is a group; groups are ANDed (ORed with ``any_word``; with
    ``most_words``, every group but one). The last unit, when a single word, is also matched as a prefix so
    results follow the typing."""
    content = [u for u in units if u.text not in STOPWORDS] or list(units)
    groups = []
    for index, unit in enumerate(content):
        literal = fts_phrase(unit.text)
        is_last = index == len(content) - 1
        min_prefix = 4 if any_word else 2
        alternatives = []
        if literal and unit.meanings_only:
            literal = ""  # "aed", "scs": searched by their meanings alone (external defibrillator, spinal stimulator)
        if literal:
            # A prefix whose last token is one letter ("o/p" -> "o p"*) is no typing to follow: FTS5's prefix
            # index starts at two letters, so "p"* would walk every indexed word that starts with p.
            last_token = TOKEN_RE.findall(unit.text)[-1]
            prefixed = (is_last and prefix_last and not unit.phrase and len(unit.text) >= min_prefix
                        and len(last_token) >= 2)
            alternatives.append(literal + "*" if prefixed else literal)
            if unit.phrase and len(TOKEN_RE.findall(unit.text)) >= 3:
                # A known phrase of three words or more typed is also found with its words close together, as
                # its meanings are: the short descriptors break phrases up ("chronic care management" is
                # abbreviated word by word, read "chronic … management"). Not two-word phrases: "office visit" is in
                # most E/M queries, and a NEAR group in each all-words-but-one group cost them time.
                near = _fts_near(unit.text)
                if near.startswith("NEAR("):
                    alternatives.append(near)
            if stem_prefix and prefixed and len(unit.text) >= 7 and unit.text.isalpha():
                alternatives.append(fts_phrase(unit.text[:-3]) + "*")
        alternatives += [p for p in dict.fromkeys(_fts_near(alt) for alt in unit.alternatives) if p]
        if alternatives:
            groups.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    if most_words and len(groups) >= 3:
        return " OR ".join("(" + " AND ".join(g for j, g in enumerate(groups) if j != i) + ")"
                           for i in range(len(groups)))
    return (" OR " if any_word else " AND ").join(groups)
