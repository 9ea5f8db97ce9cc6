"""The grammar of procedure codes: normalise what people type, classify codes by shape, parse ranges,
prefixes and lists.

Everything here is a pure function of its input. Sections (which range a code falls in) are the catalog's
business; this module only knows shapes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from desktop_app.core.enums import StrEnum


class CodeSet(StrEnum):
    """The four code sets CodeDesk compares. The value is what the CLI and the JSON contract use.

    Their names live here and nowhere else in code (the window takes them from here too);
    ``resources/data/code_sets.toml`` repeats them for the database, and a test proves the two agree."""

    CAT_I = "I"
    CAT_II = "II"
    CAT_III = "III"
    HCPCS = "HCPCS"

    @property
    def label(self) -> str:
        """The full name: "CPT Category I", "HCPCS Level II"."""
        return CODE_SET_LABELS[self]

    @property
    def compact_label(self) -> str:
        """Without "CPT", where the window has little room (filter buttons, column headers): "Category I"."""
        return CODE_SET_LABELS[self].removeprefix("CPT ")

    @property
    def short_label(self) -> str:
        """For badges: "Cat I", "HCPCS II"."""
        return CODE_SET_SHORT_LABELS[self]


CODE_SET_LABELS = {
    CodeSet.CAT_I: "CPT Category I",
    CodeSet.CAT_II: "CPT Category II",
    CodeSet.CAT_III: "CPT Category III",
    CodeSet.HCPCS: "HCPCS Level II",
}
CODE_SET_SHORT_LABELS = {
    CodeSet.CAT_I: "Cat I",
    CodeSet.CAT_II: "Cat II",
    CodeSet.CAT_III: "Cat III",
    CodeSet.HCPCS: "HCPCS II",
}


class Shape(StrEnum):
    """What a well-formed code or modifier looks like. Several shapes belong to Category I."""

    CPT = "NNNNN"
    PLA = "NNNNU"
    MAAA = "NNNNM"
    VACCINE = "NNNNA"
    CAT_II = "NNNNF"
    CAT_III = "NNNNT"
    HCPCS = "ANNNN"
    MODIFIER = "XX"

    @property
    def code_set(self) -> CodeSet | None:
        return _SHAPE_CODE_SET.get(self)

    @property
    def description(self) -> str:
        return _SHAPE_DESCRIPTIONS[self]


_SHAPE_CODE_SET = {
    Shape.CPT: CodeSet.CAT_I,
    Shape.PLA: CodeSet.CAT_I,
    Shape.MAAA: CodeSet.CAT_I,
    Shape.VACCINE: CodeSet.CAT_I,
    Shape.CAT_II: CodeSet.CAT_II,
    Shape.CAT_III: CodeSet.CAT_III,
    Shape.HCPCS: CodeSet.HCPCS,
}

_SHAPE_DESCRIPTIONS = {
    Shape.CPT: "CPT Category I code (5 digits)",
    Shape.PLA: "CPT Category I proprietary laboratory analysis (4 digits + U)",
    Shape.MAAA: "CPT Category I multianalyte assay, administrative (4 digits + M)",
    Shape.VACCINE: "CPT Category I vaccine code released early (4 digits + A)",
    Shape.CAT_II: "CPT Category II performance-measurement code (4 digits + F)",
    Shape.CAT_III: "CPT Category III emerging-technology code (4 digits + T)",
    Shape.HCPCS: "HCPCS Level II code (letter + 4 digits)",
    Shape.MODIFIER: "modifier (2 characters)",
}

# Letters that begin HCPCS Level II codes. No code set uses F, I, N, O, W, X, Y or Z as a first letter.
HCPCS_LETTERS = "ABCDEGHJKLMPQRSTUV"

_CODE_PATTERNS: tuple[tuple[Shape, re.Pattern[str]], ...] = (
    (Shape.CPT, re.compile(r"\d{5}")),
    (Shape.CAT_II, re.compile(r"\d{4}F")),
    (Shape.CAT_III, re.compile(r"\d{4}T")),
    (Shape.PLA, re.compile(r"\d{4}U")),
    (Shape.MAAA, re.compile(r"\d{4}M")),
    (Shape.VACCINE, re.compile(r"\d{4}A")),
    (Shape.HCPCS, re.compile(rf"[{HCPCS_LETTERS}]\d{{4}}")),
    (Shape.MODIFIER, re.compile(r"[0-9A-Z]{2}")),
)

# Dashes people paste between the ends of a range: hyphen, en dash, em dash, minus sign, figure dash.
_DASHES = "-\u2013\u2014\u2212\u2012"
_RANGE_RE = re.compile(rf"^\s*([0-9A-Za-z]{{5}})\s*(?:[{_DASHES}]|\bTO\b|\.\.)\s*([0-9A-Za-z]{{5}})\s*$", re.I)
# A prefix is the start of a code: 1-4 digits, a letter with 0-3 digits, or any of those followed by '*'.
_PREFIX_RE = re.compile(rf"^(\d{{1,5}}|[{HCPCS_LETTERS}]\d{{0,3}}|\d{{4}}[FTUMA]?|[{HCPCS_LETTERS}]\d{{4}})$")
_LIST_SPLIT_RE = re.compile(r"[,;\s]+")
# Zero-width and other invisible characters that arrive with copy and paste from PDFs and web pages.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


# Lone surrogates: what undecodable bytes in a command line or a file name become (``99213\\xff`` arrives as
# ``'99213\\udcff'``). They cannot be encoded as UTF-8 (SQLite, the terminal), so they become U+FFFD.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def clean_input(text: str) -> str:
    """The one normalisation of text that comes from outside (typed, pasted, passed on a command line, read
    from a file): Unicode NFKC, so full-width ``９９２１３`` is ``99213`` and ligatures are letters, and lone
    surrogates replaced by U+FFFD. Digits of other scripts (``٩٩٢١٣``) stay what they are: only ASCII digits
    and letters form a code (see :func:`classify`)."""
    if text.isascii():
        return text
    return _SURROGATE_RE.sub("\ufffd", unicodedata.normalize("NFKC", text))


def normalize(text: str) -> str:
    """Return what someone typed as a canonical code: NFKC (:func:`clean_input`), trimmed, upper case, inner
    blanks removed.

    ``' 99213 '`` → ``'99213'``, ``'3074f'`` → ``'3074F'``, ``'g 0438'`` → ``'G0438'``, ``'９９２１３'`` →
    ``'99213'``. Anything that is not a code comes back cleaned the same way; use :func:`classify` to know
    whether it is one.
    """
    cleaned = _INVISIBLE_RE.sub("", clean_input(text)).strip().upper()
    return re.sub(r"\s+", "", cleaned)


def classify(code: str) -> Shape | None:
    """The shape of an already-normalised code or modifier, or ``None`` if it has no known shape."""
    if not code.isascii():  # '\d' also matches Arabic-Indic and other digits: only ASCII forms a code
        return None
    for shape, pattern in _CODE_PATTERNS:
        if pattern.fullmatch(code):
            return shape
    return None


def code_set_of(code: str) -> CodeSet | None:
    """Which of the four code sets a (normalised) code belongs to by its shape; ``None`` for modifiers."""
    shape = classify(code)
    return shape.code_set if shape else None


def is_code(text: str) -> bool:
    """True if ``text`` (normalised) is a well-formed procedure code (not a modifier)."""
    shape = classify(text)
    return shape is not None and shape is not Shape.MODIFIER


def modifier_code_set(modifier: str) -> CodeSet:
    """The code set a modifier belongs to: ``1P``-style are Category II, two digits are CPT, the rest HCPCS."""
    if re.fullmatch(r"\d[A-Z]", modifier):
        return CodeSet.CAT_II
    if modifier.isdigit():
        return CodeSet.CAT_I
    return CodeSet.HCPCS


def code_set_for(code: str) -> CodeSet | None:
    """The code set of a normalised code *or modifier* (``25`` → I, ``1P`` → II, ``TC`` → HCPCS)."""
    shape = classify(code)
    if shape is Shape.MODIFIER:
        return modifier_code_set(code)
    return shape.code_set if shape else None


def same_shape(a: str, b: str) -> bool:
    """Ranges compare as strings only between codes of the same shape (``0500F`` ≤ ``0521F``)."""
    shape_a = classify(a)
    return shape_a is not None and shape_a is classify(b)


@dataclass(frozen=True)
class CodeRange:
    """An inclusive range of codes of one shape, such as 99202–99205."""

    start: str
    end: str

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and same_shape(code, self.start) and self.start <= code <= self.end

    def __str__(self) -> str:
        return f"{self.start}\u2013{self.end}"


class GrammarError(ValueError):
    """Text that looks like a code, range or list but is not a valid one (the message says why)."""


def parse_range(text: str) -> CodeRange | None:
    """Parse ``99202-99205`` (hyphen, en or em dash, ``to`` or ``..``) into a range.

    Returns ``None`` when the text is not range-shaped at all; raises :class:`GrammarError` when it is
    range-shaped but wrong (ends of different shapes, or start after end).
    """
    match = _RANGE_RE.match(text)
    if not match:
        return None
    start, end = normalize(match.group(1)), normalize(match.group(2))
    if not is_code(start) or not is_code(end):
        return None
    if not same_shape(start, end):
        raise GrammarError(f"the ends of {start}\u2013{end} are different kinds of code")
    if start > end:
        raise GrammarError(f"{start} comes after {end}; write the lower code first")
    return CodeRange(start, end)


def parse_prefix(text: str) -> str | None:
    """``992*`` or ``9921`` → ``'9921'``: the start of a code, for a prefix search. ``None`` otherwise.

    A full code followed by ``*`` is still a prefix (of itself). A bare full code is not a prefix.
    """
    cleaned = normalize(text)
    if not cleaned.isascii():
        return None
    starred = cleaned.endswith("*")
    stem = cleaned.rstrip("*")
    if not stem or not _PREFIX_RE.fullmatch(stem):
        return None
    if is_code(stem) and not starred:
        return None
    return stem


@dataclass(frozen=True)
class CodeTerm:
    code: str
    modifiers: tuple[str, ...] = ()  # ``99213-25`` is the code 99213 with modifier 25

    @property
    def text(self) -> str:
        return "-".join((self.code, *self.modifiers))


@dataclass(frozen=True)
class PrefixTerm:
    prefix: str


@dataclass(frozen=True)
class RangeTerm:
    range: CodeRange


ListItem = CodeTerm | PrefixTerm | RangeTerm


# A code followed by one or more two-character modifiers, joined by dashes or blanks: 99213-25, 99213 25,
# 27447-RT-59, 3074F–8P. Dashes are the ones a range accepts (people paste en dashes from documents).
# A unit count ("20610 x2") is not a modifier: every reader takes it off first with split_units.
_MODIFIED_RE = re.compile(
    rf"^\s*([0-9A-Za-z]{{5}})((?:\s*[{_DASHES}]\s*[0-9A-Za-z]{{2}}|\s+[0-9A-Za-z]{{2}})+)\s*$")
_MODIFIER_PIECE_RE = re.compile(r"[0-9A-Za-z]{2}")
# "modifier 25", "mod 59", "modifier -59", "-59", "25 modifier": one modifier asked for by name.
_MODIFIER_QUERY_RE = re.compile(
    rf"^\s*(?:(?:modifiers?|mods?)\s*[{_DASHES}:#]?\s*|[{_DASHES}]\s*)([0-9A-Za-z]{{2}})\s*$"
    rf"|^\s*[{_DASHES}]?([0-9A-Za-z]{{2}})\s+(?:modifiers?|mods?)\s*$", re.I)


_DASH_TABLE = str.maketrans({dash: "-" for dash in _DASHES})


def _ascii_dashes(text: str) -> str:
    return text.translate(_DASH_TABLE)


@dataclass(frozen=True)
class ModifiedCode:
    """A code and the modifiers written after it, in order (``27447-RT-59`` → 27447, (RT, 59))."""

    code: str
    modifiers: tuple[str, ...]


def parse_modified_code(text: str) -> ModifiedCode | None:
    """``99213-25``, ``99213 25``, ``3074F-8P``, ``27447-RT-59`` → the code and its modifiers (text through
    :func:`clean_input` first). ``None`` when the text is not a code followed by modifier-shaped pieces; whether
    each modifier exists and fits the code is :mod:`desktop_app.core.modifiers`' business."""
    cleaned = _ascii_dashes(_INVISIBLE_RE.sub("", clean_input(text)))
    if not cleaned.isascii():
        return None
    match = _MODIFIED_RE.match(cleaned)
    if not match:
        return None
    code = match.group(1).upper()
    if not is_code(code):
        return None
    modifiers = tuple(m.upper() for m in _MODIFIER_PIECE_RE.findall(match.group(2)))
    return ModifiedCode(code, modifiers)


def parse_modifier_query(text: str) -> str | None:
    """``modifier 25``, ``mod 59``, ``-59``, ``TC modifier`` → the modifier (``'25'``); ``None`` otherwise."""
    cleaned = _ascii_dashes(_INVISIBLE_RE.sub("", clean_input(text)))
    if not cleaned.isascii():
        return None
    match = _MODIFIER_QUERY_RE.match(cleaned)
    if not match:
        return None
    return (match.group(1) or match.group(2)).upper()


def parse_code_item(text: str) -> ListItem | None:
    """One item of a code list: a code (with or without modifiers), a range or a prefix. ``None`` if it is
    none of them."""
    cleaned = normalize(text)
    if is_code(cleaned):
        return CodeTerm(cleaned)
    code_range = parse_range(text)
    if code_range is not None:
        return RangeTerm(code_range)
    modified = parse_modified_code(text)
    if modified is not None:
        return CodeTerm(modified.code, modified.modifiers)
    prefix = parse_prefix(text)
    if prefix is not None:
        return PrefixTerm(prefix)
    return None


# A unit count written after a code: a sign and a number ("x2", "X 3", "×2", "*4"; the sign right after the code
# or after a blank) or a number and "u"/"unit(s)" after a blank ("2u", "3 units"). The one reader of units: the
# claim check, search, validate and show all take the count off with split_units.
_UNIT_COUNT_RE = re.compile(
    r"(?:(?<=[0-9A-Za-z])|(?<=\s))(?:[x×*]\s*(?P<after_sign>\d{1,9})|(?<=\s)(?P<count>\d{1,9})\s*(?P<word>u(?:nits?)?))(?=\s|$)",
    re.I)
_UNIT_SIGNS = frozenset("xX×*")


def split_units(text: str) -> tuple[str, int | None]:
    """``J1100 x 3``, ``J1100x3``, ``99213 2u``, ``J1100 3 units``, ``20610 x2 59`` → the item without its unit
    count (``'20610 59'``) and the count; the text and ``None`` when it holds no count. A count needs something
    before it and never follows a dash: ``20610-X2`` is the modifier X2 and ``x2`` alone is no count. ``0001U``
    after a blank is a code (a PLA code), not one unit. Of two counts the last is taken. The number is not
    bounded here: the claim check refuses one out of its range with its own message."""
    count: int | None = None
    kept: list[str] = []
    taken_to = 0
    for match in _UNIT_COUNT_RE.finditer(text):
        # What stands before the count, past blanks (walked back, not sliced: linear in a long pasted text).
        end = match.start()
        while end > 0 and text[end - 1].isspace():
            end -= 1
        if end == 0 or text[end - 1] in _DASHES:
            continue
        if match["count"] and len(match["count"]) == 4 and match["word"].lower() == "u":
            continue  # "0001U": a code of four digits and U
        kept.append(text[taken_to:match.start()])
        taken_to = match.end()
        count = int(match["after_sign"] or match["count"])
    if count is None:
        return text, None
    kept.append(text[taken_to:])
    return " ".join("".join(kept).split()), count


def split_at_codes(text: str) -> list[str]:
    """``J1100 x 3 99213-25 2u`` → ``['J1100 x 3', '99213-25 2u']``: cut before every blank-separated piece that
    starts with a code (``J1100``, ``J1100x3``, ``99213-25``), so each part is one code with its modifiers and unit
    count for :func:`split_units`. Text before the first code is a part of its own. Not cut after a dash (the end
    of a range, ``99202 - 99205``) nor after a lone sign (``x 10000`` is a count)."""
    parts: list[str] = []
    start = 0
    previous = ""
    for match in re.finditer(r"\S+", text):
        piece = match.group()
        head = piece[:5].upper()
        starts_code = len(piece) == 5 or (len(piece) > 5 and (piece[5] in _DASHES or piece[5] in _UNIT_SIGNS))
        if (match.start() > start and starts_code and is_code(head) and previous not in _UNIT_SIGNS
                and previous[-1:] not in _DASHES):
            parts.append(text[start:match.start()])
            start = match.start()
        previous = piece
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def parse_code_list(text: str) -> list[ListItem] | None:
    """``'99213, 3074F'`` or ``'99202-99205; G0438'`` → items; ``None`` unless every piece is code-like.

    Ranges may contain blanks around the dash, so the text is split on commas and semicolons first and
    only then on blanks. A unit count after a code (``J1100 x 3``) leaves the code listed: the count is the
    claim check's business, read by the same :func:`split_units`.
    """
    items: list[ListItem] = []
    for chunk in re.split(r"[,;\n]+", text):
        if not chunk.strip():
            continue
        chunk_start = len(items)
        for part in split_at_codes(chunk):
            previous = items[-1] if items else None
            if isinstance(previous, CodeTerm) and split_units(f"{previous.code} {part}")[0] == previous.code:
                continue  # "J1100, x3", "27447-LT, x2": a count alone past a comma is the code's, as in the check
            if not _read_list_part(split_units(part)[0], items, chunk_start):
                return None
    return items or None


def _read_list_part(part: str, items: list[ListItem], chunk_start: int) -> bool:
    """One code's part of a list chunk (its unit count taken off) into ``items``; False when a piece is not
    code-like (then the list is not codes)."""
    item = parse_code_item(part)
    if item is not None:
        items.append(item)
        return True
    for piece in _LIST_SPLIT_RE.split(part):
        if not piece:
            continue
        previous = items[-1] if items else None
        # "27447-LT,RT": after a code written with modifiers, a piece that can only be a modifier (never a
        # code or a prefix) still belongs to it past the comma; "99213, 25" stays an item (a prefix) and
        # "0990F, TC" a list that is not codes.
        if (isinstance(previous, CodeTerm) and previous.modifiers and len(items) == chunk_start
                and _MODIFIER_PIECE_RE.fullmatch(piece) and parse_code_item(piece) is None):
            items[-1] = CodeTerm(previous.code, (*previous.modifiers, piece.upper()))
            continue
        # "99213 25 99214 59": a modifier-shaped piece right after a code of the same chunk is its modifier
        # (after a comma, "99213, 25", it is an item of its own).
        previous = items[-1] if len(items) > chunk_start else None
        if isinstance(previous, CodeTerm) and _MODIFIER_PIECE_RE.fullmatch(piece):
            items[-1] = CodeTerm(previous.code, (*previous.modifiers, piece.upper()))
            continue
        sub = parse_code_item(piece)
        if sub is None:
            return False
        items.append(sub)
    return True
