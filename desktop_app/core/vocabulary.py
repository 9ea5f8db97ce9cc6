"""The vocabulary of the files' shorthand (``resources/data/shorthand.toml``): abbreviations in plain words,
synonyms both ways, coder symbols. Qt-free and pure: one object, loaded once, asked two questions.

* At index time, :meth:`Vocabulary.expand` gives the plain words a descriptor stands for ("optx", "dst", "fx" ->
  "open treatment", "distal", "fracture"); :func:`index_text` appends them to
  the text, so any file written in the same house style is reachable with plain words.
* At query time, :meth:`Vocabulary.query_units` groups the query's words into units (a known phrase such as
  "tummy tuck" or "w/o" is one unit) and gives each unit the words and phrases it also means.

Matching is on tokens (runs of letters and digits, lower case), so "D&C", "d & c" and "D&amp;C"-less "d&c" are
the same key; keys made of symbols only ("<", "≥") are matched on the raw text.
"""

from __future__ import annotations

import math
import re
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from desktop_app.core.resources import data_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_TOKEN_RE = re.compile(r"[^\W_]+")
MAX_KEY_TOKENS = 8
# Words whose readings are memoised (a bound, so text full of distinct junk cannot grow it without end).
_WORD_MEMO_LIMIT = 50_000
# A word's part in the vocabulary (see Vocabulary._word_info): the lengths of the phrases it starts (longest
# first), what it adds when no phrase starts with it here (its own meanings, else its unlisted readings), and
# whether those are meanings (the word is then "explained"); _NOTHING for a word that adds nothing either way.
_WordInfo = tuple[tuple[int, ...], tuple[str, ...], bool]
_NOTHING: _WordInfo = ((), (), False)
# A count written against a short form in the short descriptors ("3vws", "2sgm", "4cm"); ordinals are not.
_GLUED_COUNT_RE = re.compile(r"(\d{1,3})([a-z]{2,})")
_ORDINAL_ENDINGS = frozenset({"st", "nd", "rd", "th"})
INDEXED_WORD_PARTS = 3
# Query words that glue a phrase and mean nothing alone ("above the knee" is the phrase "above knee"), and words
# that are comparisons only before a number (round 7).
PHRASE_GLUE = frozenset({"the", "a", "an", "of", "to", "in", "on", "for", "and", "with"})
COMPARISON_WORDS = frozenset({"under", "over"})
PART_READINGS = 2  # meanings of a phrase's part used to read the phrase (round 7)
MAX_PART_READINGS = 6  # readings of an unlisted medical word added to the index (each a short phrase)
# A size range of the descriptors ("2.6-5.0 cm", "10.1-30sqcm", "80-89 mm"): the whole numbers inside it are
# indexed with the unit ("3 cm", "4 cm", "5 cm"), so a size typed ("laceration 3 cm") finds the range that holds
# it (round 5). Ranges of more whole numbers than this add nothing (a number would be noise there).
_SIZE_RANGE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*(sq\s*cm|cm|mm)\b", re.IGNORECASE)
MAX_RANGE_NUMBERS = 30


# The bundled vocabulary's files, in load order (resources/data).
BUNDLED_VOCABULARY_FILES = ("shorthand.toml", "abbreviations.toml", "shorthand_derived.toml", "drug_names.toml")


def tokens(text: str) -> list[str]:
    """Lower-case runs of letters and digits: the unit every key and every text is compared in."""
    return _TOKEN_RE.findall(text.lower())


def singular(token: str) -> str | None:
    """A plain English singular of a plural token, or None ("grafts" -> "graft", "biopsies" -> "biopsy")."""
    if len(token) <= 3 or not token.isalpha() or token.endswith("ss") or token.endswith("us"):
        return None
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("ches", "shes", "xes", "ses")):
        return token[:-2]
    if token.endswith("s"):
        return token[:-1]
    return None


# Short words the index's porter stemmer cuts to one or two letters: "aed" is indexed and searched as "a"
# (14,241 codes matched "aed"*), "scs" as "sc" (1,607), "des" as "de" (4,024). See QueryUnit.meanings_only.
STEMMED_AWAY_MAX = 4
# Words after which a last "a" is an article the user is still typing past, never a type: "of a", "with a".
LETTER_NOT_A_DESIGNATION = PHRASE_GLUE | frozenset({"or", "by", "per", "without", "w", "is", "as", "at", "from",
                                                    "into"})
# The search index's tokenizer: porter stemming so "visits" finds "visit", unicode61 with diacritics folded; '/'
# and '-' split words the way coders write them ("o/p", "w/o", "x-ray"). database.FTS_TOKENIZE is this.
INDEX_TOKENIZER = "porter unicode61 remove_diacritics 2"


@lru_cache(maxsize=1)
def _tokenizer() -> tuple[sqlite3.Connection, threading.Lock]:
    """A private in-memory FTS5 table with the index's own tokenizer (searches run on worker threads)."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.execute(f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize = '{INDEX_TOKENIZER}')")
    conn.execute("CREATE VIRTUAL TABLE terms USING fts5vocab(words, 'row')")
    return conn, threading.Lock()


@lru_cache(maxsize=4096)
def index_terms(word: str) -> tuple[str, ...]:
    """The terms the index makes of ``word`` (porter stems, sorted): "aed" -> ("a",), "visits" -> ("visit",)."""
    conn, lock = _tokenizer()
    with lock:
        conn.execute("DELETE FROM words")
        conn.execute("INSERT INTO words VALUES (?)", (word,))
        return tuple(row[0] for row in conn.execute("SELECT term FROM terms"))


def short_stem(word: str) -> str:
    """The one or two letters the index's stemmer cuts a short word to ("aed" to "a", "scs" to "sc", "eye" to
    "ey"); '' for any other word (a longer stem is the word's own: "tips" is "tip")."""
    if not (3 <= len(word) <= STEMMED_AWAY_MAX and word.isalpha() and word.isascii()):
        return ""
    terms = index_terms(word.lower())
    return terms[0] if len(terms) == 1 and len(terms[0]) <= 2 else ""


def stemmed_away(word: str) -> bool:
    """Is ``word`` a short word the index's stemmer cuts to one or two letters (see :func:`short_stem`)?"""
    return bool(short_stem(word))


@dataclass(frozen=True)
class QueryUnit:
    """One unit of a word query: the words as typed (one word, or a known phrase) and what else they mean."""

    text: str
    alternatives: tuple[str, ...] = ()
    phrase: bool = False  # several query words read as one known phrase
    # Searched by its meanings alone: a typed word the index cannot hold as itself. The stemmer cuts it to one
    # letter ("aed" to "a"), or to two and it is an acronym of ours ([query_only] "scs": the index's "sc" is
    # subcutaneous). A real word cut to two letters ("eye" to "ey") matches itself, and keeps its own words.
    meanings_only: bool = False


class Vocabulary:
    """Abbreviations and synonyms keyed by token tuples; symbol-only keys by a raw-text pattern."""

    def __init__(self, meanings: dict[tuple[str, ...], set[str]], symbols: dict[str, set[str]],
                 forms: dict[str, tuple[str, ...]] | None = None,
                 suffixes: dict[str, tuple[str, ...]] | None = None,
                 query_only: dict[str, set[str]] | None = None) -> None:
        self._forms = forms or {}
        # Round 7: what a coder's acronym means in a query where the files use the same letters for something else
        # ("pth": parathyroid hormone typed, "path" in the files): read in queries only, never indexed.
        self._query_only = {word: tuple(sorted(values)) for word, values in (query_only or {}).items()}
        self._suffixes = suffixes or {}
        self._forms_by_length = sorted(self._forms, key=lambda f: len(_root(f)), reverse=True)
        self._meanings = {key: tuple(sorted(values)) for key, values in meanings.items()}
        # For each first token, the lengths of the phrases (two tokens or more) that start with it, longest first:
        # most tokens start no phrase, so most positions cost one dictionary look-up.
        phrase_lengths: dict[str, set[int]] = {}
        for key in self._meanings:
            if len(key) > 1:
                phrase_lengths.setdefault(key[0], set()).add(len(key))
        self._phrase_lengths = {token: tuple(sorted(lengths, reverse=True))
                                for token, lengths in phrase_lengths.items()}
        self._symbols = {key: tuple(sorted(values)) for key, values in symbols.items()}
        self._word_memo: dict[str, _WordInfo] = {}
        self._phrase_tokens = {value: frozenset(tokens(value)) for values in (*meanings.values(), *symbols.values())
                               for value in values}
        # Each symbol key's last character: text holding none of them holds no symbol key (no scan needed).
        self._symbol_chars = frozenset(key[-1] for key in self._symbols)
        self._symbol_re = re.compile(
            "|".join(re.escape(key) for key in sorted(self._symbols, key=len, reverse=True))
        ) if self._symbols else None
        self._words_by_letter: dict[str, list[str]] | None = None
        self._words = frozenset(
            token for key, values in (*self._meanings.items(), *(((w,), v) for w, v in self._query_only.items()))
            for text in (*key, *values) for token in tokens(text) if token.isalpha())

    @classmethod
    def from_toml(cls, paths: Iterable[Path]) -> Vocabulary:
        meanings: dict[tuple[str, ...], set[str]] = {}
        symbols: dict[str, set[str]] = {}
        forms: dict[str, tuple[str, ...]] = {}
        suffixes: dict[str, tuple[str, ...]] = {}
        query_only: dict[str, set[str]] = {}

        def add(key: str, value: str) -> None:
            key, value = key.strip().lower(), value.strip().lower()
            key_tokens = tuple(tokens(key))
            if not key_tokens:
                symbols.setdefault(key, set()).add(value)
            elif key_tokens != tuple(tokens(value)):
                meanings.setdefault(key_tokens, set()).add(value)

        for path in paths:
            with path.open("rb") as fh:
                table = tomllib.load(fh)
            # [regions]: a part also means the region it lies in (one direction, like an abbreviation).
            for key, value in (*table.get("abbreviations", {}).items(), *table.get("regions", {}).items()):
                for alternative in [value] if isinstance(value, str) else value:
                    add(key, alternative)
            for group in table.get("synonyms", {}).get("groups", []):
                for member in group:
                    for other in group:
                        if other != member:
                            add(member, other)
            forms.update({k.lower(): tuple(v) for k, v in table.get("combining_forms", {}).items()})
            for key, value in table.get("query_only", {}).items():
                query_only.setdefault(key.strip().lower(), set()).update(
                    v.strip().lower() for v in ([value] if isinstance(value, str) else value))
            suffixes.update({k.lower(): tuple(v) for k, v in table.get("suffixes", {}).items()})
            # The older list (abbreviations.toml): a word on the left also means the words on the right.
            for key, values in table.get("synonyms", {}).items():
                if key != "groups":
                    for alternative in values:
                        add(key, alternative)
        return cls(meanings, symbols, forms, suffixes, query_only)

    # --- index time

    def expand(self, text: str) -> list[str]:
        """The plain words and phrases ``text`` also means, in order of appearance, without repeats.

        Keys are matched greedily, longest first, and a matched key's tokens are consumed, so "w/o" gives
        "without" and not also the "with" of a lone "w".
        """
        return list(self._expand(text)[0])

    def explained(self, text: str) -> frozenset[str]:
        """The tokens of ``text`` that some key of the vocabulary stands for (for the coverage test)."""
        return self._expand(text)[1]

    @lru_cache(maxsize=65536)  # noqa: B019 -- one vocabulary per process; descriptors repeat a lot
    def _expand(self, text: str) -> tuple[tuple[str, ...], frozenset[str]]:
        # Every import walks each distinct descriptor once (about 27,000 for the RVU and HCPCS files), so this
        # is written for speed (issue 13): one pass over the words with their memoised parts, a symbol scan only
        # for text that holds one of the symbol keys' characters, a phrase's tokens read once.
        found: dict[str, None] = dict.fromkeys(_range_sizes(text)) if "-" in text else {}
        if self._symbol_re is not None and not self._symbol_chars.isdisjoint(text):
            for match in self._symbol_re.finditer(text):
                found.update(dict.fromkeys(self._symbols[match.group(0)]))
        words = _TOKEN_RE.findall(text.lower())
        memo = self._word_memo
        meanings = self._meanings
        explained: set[str] = set()
        count = len(words)
        consumed = 0  # words before this one were matched as part of a longer key
        for index, word in enumerate(words):
            info = memo.get(word)
            if info is None:
                info = self._word_info(word)
            # Most words start no key and add nothing: one look-up each. The greedy match walks the others in order.
            if info is _NOTHING or index < consumed:
                continue
            lengths, alone, is_meaning = info
            # Phrases first, longest first, then the word alone (its meanings, or else its unlisted readings).
            for length in lengths:
                if index + length > count:
                    continue
                key = tuple(words[index:index + length])
                phrase_values = meanings.get(key)
                if phrase_values is not None:
                    found.update(dict.fromkeys(phrase_values))
                    explained.update(key)
                    consumed = index + length
                    break
            else:
                found.update(dict.fromkeys(alone))
                if is_meaning:
                    explained.add(word)
                consumed = index + 1
        if not found:
            return (), frozenset(explained)
        # A meaning whose every word the text already holds adds nothing.
        present = set(words)
        phrase_tokens = self._phrase_tokens
        added: list[str] = []
        for phrase in found:
            phrase_words = phrase_tokens.get(phrase)
            if phrase_words is None:
                phrase_words = frozenset(tokens(phrase))
                if len(phrase_tokens) < _WORD_MEMO_LIMIT:
                    phrase_tokens[phrase] = phrase_words
            if not phrase_words <= present:
                added.append(phrase)
        return tuple(added), frozenset(explained)

    def _word_info(self, word: str) -> _WordInfo:
        """``word``'s part in the vocabulary: the lengths of the phrases it starts (longest first); what it adds
        where none of them matches: what it means alone (its singular's meanings for a plural the vocabulary
        lacks), else its unlisted readings (:meth:`_unlisted_word`); and whether that is a meaning. _NOTHING when
        it adds nothing. Memoised, up to a bound."""
        lengths = self._phrase_lengths.get(word, ())
        values = self._meanings.get((word,))
        if values is None:
            plain = singular(word)
            values = self._meanings.get((plain,)) if plain else None
        info: _WordInfo = (lengths, values, True) if values is not None else (lengths, self._unlisted_word(word), False)
        if info == _NOTHING:
            info = _NOTHING  # the one object the walk skips by identity
        if len(self._word_memo) < _WORD_MEMO_LIMIT:
            self._word_memo[word] = info
        return info

    def _unlisted_word(self, token: str) -> tuple[str, ...]:
        """What a descriptor token no key names also means, read from its shape (round 3, index time):

        * a count glued to a short form ("3vws", "2sgm"): the count and the short form's plain words
          ("3", "views"), so "3 views" finds it;
        * a medical word made of known parts ("mastopexy", "thermoplasty"): its first reading from
          :meth:`word_parts` ("breast fixation", "breast lift"), so the lay words find the word, as they
          already did at query time for the same word typed.
        """
        glued = _GLUED_COUNT_RE.fullmatch(token)
        if glued:
            count, short = glued.groups()
            values = self._meanings.get((short,))
            return (count, *values) if values and short not in _ORDINAL_ENDINGS else ()
        return self.word_parts(token)[:INDEXED_WORD_PARTS]

    # --- query time

    def query_units(self, words: Sequence[str], indexed: Callable[[str], bool] | None = None) -> list[QueryUnit]:
        """Group query words into units (the longest known phrase first) with what each unit also means.

        Round 7: a phrase is also found with small words typed inside it ("above the knee" is "above knee"); a
        phrase of three words or more also means itself with a part of it read ("rabies immune globulin" also
        "rabies immunoglobulin", as the files write it); a comparison word ("under", "over") is one only before
        a number ("under 5 years"), and otherwise no word of the query ("manipulation under anesthesia").
        ``indexed``: whether the search index holds a word (see :meth:`alternatives`)."""
        units: list[QueryUnit] = []
        index = 0
        while index < len(words):
            for length in range(min(MAX_KEY_TOKENS, len(words) - index), 1, -1):
                span = words[index:index + length]
                key = tuple(token for word in span for token in tokens(word))
                values = self._meanings.get(key)
                if values is None and span[0] not in PHRASE_GLUE and span[-1] not in PHRASE_GLUE:
                    bare = tuple(token for token in key if token not in PHRASE_GLUE)
                    values = self._meanings.get(bare) if len(bare) >= 2 and bare != key else None
                if values is not None:
                    units.append(QueryUnit(" ".join(span), (*values, *self._part_readings(key)), phrase=True))
                    index += length
                    break
            else:
                word = words[index]
                following = words[index + 1] if index + 1 < len(words) else ""
                if word in COMPARISON_WORDS and len(words) > 1 and not following[:1].isdigit():
                    index += 1
                    continue
                alternatives = self.alternatives(word, indexed)
                stem = short_stem(word) if alternatives else ""
                units.append(QueryUnit(word, alternatives, meanings_only=bool(stem) and (
                    len(stem) == 1 or word.lower() in self._query_only)))
                index += 1
        if (len(units) >= 2 and units[-1].text == "a" and not units[-2].phrase and units[-2].text.isalpha()
                and units[-2].text not in LETTER_NOT_A_DESIGNATION):
            # A last "a" after a word names a type ("vitamin a", "strep a", "influenza a"), not an article, which
            # the search would drop: the two words as a phrase, or the word alone (still typing "remove a …").
            named = units[-2]
            units[-2:] = [QueryUnit(f"{named.text} a", (named.text, *named.alternatives), phrase=True)]
        return units

    def _part_readings(self, key: tuple[str, ...]) -> tuple[str, ...]:
        """A phrase of three words or more with one part of two words or more read by its meanings, the rest as
        typed: ("rabies", "immune", "globulin") -> "rabies immunoglobulin", "rabies ig" (a few of each)."""
        if len(key) < 3:
            return ()
        readings: list[str] = []
        for start in range(len(key) - 1):
            for end in range(len(key), start + 1, -1):
                if end - start == len(key):
                    continue
                for meaning in self._meanings.get(key[start:end], ())[:PART_READINGS]:
                    readings.append(" ".join((*key[:start], meaning, *key[end:])))
        return tuple(dict.fromkeys(readings))[:MAX_PART_READINGS]

    def alternatives(self, word: str, indexed: Callable[[str], bool] | None = None) -> tuple[str, ...]:
        """What one query word (possibly "w/o" or "d&c") also means; () for a word the vocabulary lacks.

        ``indexed``, when given, tells whether the search index holds the word: a word it does not hold that is
        one slip from a known word is a typo, not read from its parts (:meth:`misspells_a_known_word`); a word
        it holds is real ("urethrogram", one letter from another word of ours, is in the files)."""
        key = tuple(tokens(word))
        if not key:
            return self._symbols.get(word.strip(), ())
        values = self._meanings.get(key)
        if values is None and len(key) == 1:
            plain = singular(key[0])
            values = self._meanings.get((plain,)) if plain else None
        if values is None and len(key) == 1 and not (
                indexed is not None and self.misspells_a_known_word(key[0]) and not indexed(key[0])):
            values = self.word_parts(key[0])
        if len(key) == 1 and key[0] in self._query_only:
            values = (*(values or ()), *self._query_only[key[0]])
        if not values:
            return ()
        # Round 7: a meaning that is one medical word is also read from its parts ("UPPP" means
        # "uvulopalatopharyngoplasty", which the short descriptor names by its parts: palate, pharynx, uvula).
        parts = [reading for value in values if " " not in value for reading in self.word_parts(value)[:3]]
        return (*values, *dict.fromkeys(p for p in parts if p not in values)) if parts else values

    def misspells_a_known_word(self, word: str) -> bool:
        """Is ``word``, which the vocabulary does not know, one typing slip (a letter added, left out, changed, or
        two swapped) from a word it does know? Then it is not read from its parts: "colonscopy" read as "colon"
        + "scopy" found barium enemas and was never corrected to colonoscopy."""
        if len(word) < 8 or word in self._words:
            return False
        candidates = [known for known in self.words_by_letter().get(word[:1], ()) if abs(len(known) - len(word)) <= 1]
        return process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=1) is not None

    @lru_cache(maxsize=65536)  # noqa: B019 -- one vocabulary per process; index time asks per token
    def word_parts(self, word: str) -> tuple[str, ...]:
        """A medical word read from its parts: "tympanoplasty" -> "eardrum repair", "middle ear repair", …
        (each a phrase whose words the search finds close together). () when the word has no known parts."""
        if len(word) < 8 or not word.isalpha():
            return ()
        suffix = next((s for s in sorted(self._suffixes, key=len, reverse=True) if word.endswith(s)), None)
        if suffix is None:
            return ()
        stem = word[: -len(suffix)]
        actions = self._suffixes[suffix][:3]
        chain = self._form_chain(stem)
        if len(chain) >= 2:
            # A compound ("thymo" + "ectomy" is one part; "dacryo-adeno" + "ectomy" two): the parts' first
            # meanings together, close to the action, and the first part alone with the action.
            together = " ".join(self._forms[form][0] for form in chain)
            return tuple(dict.fromkeys([*(f"{together} {action}" for action in actions),
                                        *(f"{part} {action}" for part in self._forms[chain[0]][:2]
                                          for action in actions)]))
        form = chain[0] if chain else next((f for f in self._forms_by_length
                                            if stem.startswith(f) or (f.startswith(stem) and len(stem) >= 4)), None)
        if form is None:
            return ()
        return tuple(f"{part} {action}" for part in self._forms[form][:2] for action in actions)

    def _form_chain(self, stem: str) -> tuple[str, ...]:
        """``stem`` read as a chain of combining forms, each joined by its linking vowel ("hysterosalpingo" ->
        hystero, salpingo; "thym" -> thymo); () unless the whole stem is read (at most one letter left)."""
        chain: list[str] = []
        position = 0
        while position < len(stem):
            form = next((f for f in self._forms_by_length if stem.startswith(_root(f), position)), None)
            if form is None:
                break
            chain.append(form)
            position += len(_root(form))
            if position < len(stem) and stem[position] in "oi":
                position += 1
        return tuple(chain) if chain and len(stem) - position <= 1 else ()


    def knows(self, word: str) -> bool:
        """Is ``word`` a key or a plain word of the vocabulary, or a medical word read whole from its parts (so
        never a typo to correct: "urethrogram" is not "ureterogram")?"""
        key = tuple(tokens(word))
        return (key in self._meanings or (len(key) == 1 and (key[0] in self._words or key[0] in self._query_only))
                or (len(key) == 1 and self._reads_whole(key[0])))

    def _reads_whole(self, word: str) -> bool:
        """Is ``word`` combining forms and a suffix with no letter left over ("urethro" + "gram")? Stricter than
        :meth:`word_parts`, which also reads a stem with one stray letter: "colonscopy" (col-o-n + scopy) is a
        typo to correct, not a word."""
        if len(word) < 8 or not word.isalpha():
            return False
        suffix = next((s for s in sorted(self._suffixes, key=len, reverse=True) if word.endswith(s)), None)
        if suffix is None:
            return False
        stem = word[: -len(suffix)]
        position = 0
        while position < len(stem):
            form = next((f for f in self._forms_by_length if stem.startswith(_root(f), position)), None)
            if form is None:
                return False
            position += len(_root(form))
            if position < len(stem) and stem[position] in "oi":
                position += 1
        return position == len(stem) and bool(stem)

    def words_by_letter(self) -> dict[str, list[str]]:
        """:attr:`words`, sorted and bucketed by first letter (made once): the pools typos are matched in."""
        if self._words_by_letter is None:
            buckets: dict[str, list[str]] = {}
            for known in sorted(self._words):
                buckets.setdefault(known[:1], []).append(known)
            self._words_by_letter = buckets
        return self._words_by_letter

    @property
    def words(self) -> frozenset[str]:
        """Every plain word the vocabulary holds (keys and meanings): real words, for spelling correction."""
        return self._words


def _range_sizes(text: str) -> list[str]:
    """The whole sizes inside each size range of ``text``, with the unit: "2.6-5.0 cm" -> "3 cm", "4 cm", "5 cm";
    "10.1-30sqcm" -> "11 sq cm" … "30 sq cm". [] for text without a range (most text: one regex search)."""
    if "-" not in text:
        return []
    sizes: list[str] = []
    for low, high, unit in _SIZE_RANGE_RE.findall(text):
        first, last = math.ceil(float(low)), math.floor(float(high))
        if first <= last and last - first < MAX_RANGE_NUMBERS:
            unit_words = "sq cm" if unit.lower().startswith("sq") else unit.lower()
            sizes += [f"{number} {unit_words}" for number in range(first, last + 1)]
    return sizes


def _root(form: str) -> str:
    """A combining form without its linking vowel ("nephro" -> "nephr"), as it appears before a vowel."""
    return form[:-1] if len(form) > 3 and form[-1] in "oi" else form


@lru_cache(maxsize=4)
def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """The bundled vocabulary (``shorthand.toml`` plus the older ``abbreviations.toml``, the reviewed derived
    shorthand and the brand and generic drug names of ``drug_names.toml``), loaded once."""
    if path is not None:
        return Vocabulary.from_toml([path])
    return Vocabulary.from_toml([data_dir() / name for name in BUNDLED_VOCABULARY_FILES])


def index_text(text: str, vocabulary: Vocabulary | None = None) -> str:
    """What the search index holds for a descriptor: the text, then the plain words its shorthand stands for.

    The one place expansions enter the index (core.indexing calls it for every FTS column but the code).
    """
    if not text:
        return text
    extra = (vocabulary or load_vocabulary()).expand(text)
    return text + " \u2022 " + " ; ".join(extra) if extra else text
