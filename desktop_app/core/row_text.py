"""What a results row says so that codes can be told apart (issue 12, item 5). Qt-free.

The first line is the best official descriptor (long before medium before short, the newest source
first), or the code's title when no file describes it; the second is our plain-language summary when it
says something the first line does not. Rows whose text would still read the same get the section (and
the code) as their second line. Deleted codes say so, with the date.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.core.kinds import CodeStatus, DescriptorKind, SourceKind
from desktop_app.core.reference import BUNDLED_KIND
from desktop_app.core.search import Highlighter, Hit
from desktop_app.core.valid_dates import deleted_label

OFFICIAL_ORDER: dict[str, int] = {DescriptorKind.LONG: 0, DescriptorKind.MEDIUM: 1, DescriptorKind.SHORT: 2,
                                  DescriptorKind.CLINICIAN: 3, DescriptorKind.CONSUMER: 4}


Spans = tuple[tuple[int, int], ...]
# (end of the first words kept, start of the part kept after " … "), as character offsets into the line.
Cut = tuple[int, int]
ELISION = " \u2026 "


@dataclass(frozen=True)
class RowText:
    primary: str
    secondary: str = ""
    deleted_date: str = ""
    primary_spans: Spans = ()  # matched query words, to highlight
    secondary_spans: Spans = ()
    # How each line is shortened (see :func:`cut_line`): rows whose lines begin alike (99202-99205, "Office or
    # outpatient visit for an established patient with …") keep their first words, then " … ", then from
    # shortly before the words that tell them apart; the tooltip has it all. (0, 0): the whole line.
    primary_cut: Cut = (0, 0)
    secondary_cut: Cut = (0, 0)


def row_texts(conn: sqlite3.Connection, hits: Sequence[Hit], highlighter: Highlighter | None = None
              ) -> dict[str, RowText]:
    """Per hit code, the two lines of its row; with ``highlighter``, the query's words marked in them (the
    window marks them itself, only in the rows it paints). One query for descriptors, one for deletion dates."""
    codes = list(dict.fromkeys(hit.code for hit in hits))
    if not codes:
        return {}
    marks = ",".join("?" for _ in codes)
    official: dict[str, tuple[tuple[int, int], str]] = {}
    summary: dict[str, str] = {}
    for code, kind, text, source_kind, source_id in conn.execute(
            f"SELECT d.code, d.kind, d.text, s.kind, s.id FROM descriptors d JOIN sources s ON s.id = d.source_id "
            f"WHERE d.code IN ({marks}) AND d.kind != 'keywords'", codes):
        if source_kind == BUNDLED_KIND:
            if kind == DescriptorKind.SUMMARY:
                summary[code] = text
            continue
        rank = (OFFICIAL_ORDER.get(kind, 9), -source_id)
        if code not in official or rank < official[code][0]:
            official[code] = (rank, text)
    # The hits know their status: the dates are read only when one of them is deleted.
    gone = [hit.code for hit in hits if hit.status == CodeStatus.DELETED]
    deleted = {code: date for code, date in conn.execute(
        f"SELECT code, deleted_date FROM codes WHERE code IN ({','.join('?' for _ in gone)})", gone)} if gone else {}
    texts: dict[str, RowText] = {}
    for hit in hits:
        primary = official[hit.code][1] if hit.code in official else hit.title
        ours = summary.get(hit.code, "")
        secondary = ours if ours and ours.strip().lower() != primary.strip().lower() else ""
        deleted_on = deleted.get(hit.code) or "" if hit.status == CodeStatus.DELETED else ""
        texts[hit.code] = RowText(primary, secondary, deleted_on)
    # Second lines are shortened as written: what the twins below get added is what tells them apart, never cut.
    secondary_cut = telling_cuts([t.secondary for t in texts.values()])
    # Rows that still read alike (same first and second line) are told apart by their work RVU or section.
    alike = Counter((t.primary.lower(), t.secondary.lower()) for t in texts.values())
    by_code = {hit.code: hit for hit in hits}
    twins = [code for code, text in texts.items() if alike[(text.primary.lower(), text.secondary.lower())] > 1]
    work = _work_rvus(conn, twins) if twins else {}
    # Twins with one work RVU (70010 and 70015 both 1.19) are not told apart by it: those keep their code too.
    same_work = Counter((texts[code].primary.lower(), texts[code].secondary.lower(), work[code])
                        for code in twins if code in work)
    for code, text in list(texts.items()):
        if alike[(text.primary.lower(), text.secondary.lower())] > 1:
            where = by_code[code].section[-1] if by_code[code].section else by_code[code].code_set
            # The RVU file's work RVUs say which of two codes with one short descriptor is the bigger service
            # (27486 one component 21.12, 27487 both 27.11), first, where a narrow column still shows it; the
            # code says nothing the row does not, but keeps two rows from reading the same.
            extra = f"{where} \u00b7 {code}"
            if code in work:
                extra = f"work RVU {work[code]} \u00b7 {where}"
                if same_work[(text.primary.lower(), text.secondary.lower(), work[code])] > 1:
                    extra = f"work RVU {work[code]} \u00b7 {code} \u00b7 {where}"
            texts[code] = RowText(text.primary, f"{text.secondary} ({extra})" if text.secondary else extra,
                                  text.deleted_date)
    primary_cut = telling_cuts([t.primary for t in texts.values()])
    texts = {code: RowText(t.primary, t.secondary, t.deleted_date,
                           highlighter.spans(t.primary) if highlighter else (),
                           highlighter.spans(t.secondary) if highlighter else (),
                           primary_cut[i], secondary_cut[i])
             for i, (code, t) in enumerate(texts.items())}
    return texts


def _work_rvus(conn: sqlite3.Connection, codes: list[str]) -> dict[str, str]:
    """The newest RVU file's work RVU of each of ``codes`` that has a non-zero one, as printed ("21.12")."""
    marks = ",".join("?" for _ in codes)
    newest: dict[str, tuple[tuple[str, int], object]] = {}
    for code, value, effective, source_id in conn.execute(
            f"""SELECT f.code, json_extract(f.facts, '$.work_rvu'), s.effective_date, s.id
                FROM code_facts f JOIN sources s ON s.id = f.source_id
                WHERE f.code IN ({marks}) AND f.modifier = '' AND s.kind = ?""", [*codes, SourceKind.CMS_RVU]):
        rank = (str(effective or ""), int(source_id))
        if code not in newest or rank > newest[code][0]:
            newest[code] = (rank, value)
    return {code: f"{value:.2f}" for code, (_, value) in newest.items()
            if isinstance(value, (int, float)) and value > 0}


SHARED_WORDS = 4  # lines sharing at least this many first words are shortened to where they differ
HEAD_WORDS = 3  # first words always kept: what the line is about ("Fna bx w/o", "Colonoscopy through stoma;")
CONTEXT_WORDS = 2  # words kept before the first difference
MIN_LEFT_OUT = 2  # fewer words than this between the head and the context: the whole line is shown


def telling_cuts(lines: list[str]) -> list[Cut]:
    """Per line, how to shorten it so that the words telling it apart from the lines that begin alike come
    early: its first words, " … ", then from shortly before the first difference ((0, 0): not shortened).

    A line equal to another (or a beginning of it) has no telling words and stays whole, as does a line whose
    difference comes within its first words. The head is never left out: it says what the service is (the
    procedure of a biopsy's nine imaging variants), the rest which variant.
    """
    words = [line.lower().split() for line in lines]
    cuts: list[Cut] = [(0, 0)] * len(lines)
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, line_words in enumerate(words):
        if len(line_words) > SHARED_WORDS:
            groups.setdefault(tuple(line_words[:SHARED_WORDS]), []).append(index)
    for members in groups.values():
        if len(members) < 2:
            continue
        # The longest prefix a line shares with another line of its group is the longer of those it shares with
        # its two neighbours in word order: one sort, not every pair (50 rows of "Office or other outpatient …").
        ordered = sorted(members, key=lambda i: words[i])
        with_next = [_common_prefix(words[a], words[b]) for a, b in itertools.pairwise(ordered)]
        for position, index in enumerate(ordered):
            shared = max(with_next[position - 1] if position else 0,
                         with_next[position] if position < len(with_next) else 0)
            if shared >= len(words[index]):
                continue  # nothing in this line differs from another: shortening it would show only the same
            resume = shared - CONTEXT_WORDS
            if resume - HEAD_WORDS >= MIN_LEFT_OUT:
                line = lines[index]
                head_end = _word_offset(line, HEAD_WORDS - 1)
                head_end = head_end + len(line[head_end:].split(maxsplit=1)[0])
                cuts[index] = (head_end, _word_offset(line, resume))
    # A line's cut follows the neighbour it shares most with; against a third line it can leave out the very
    # words that differ ("CT scan of … without contrast." for the abdomen and for the abdomen and pelvis). Lines
    # that would read the same shortened stay whole.
    shown = Counter(cut_line(line, cut)[0].lower() for line, cut in zip(lines, cuts, strict=True) if cut[1])
    return [cut if cut[1] and shown[cut_line(line, cut)[0].lower()] < 2 else (0, 0)
            for line, cut in zip(lines, cuts, strict=True)]


def _common_prefix(a: list[str], b: list[str]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _word_offset(line: str, word_index: int) -> int:
    """Where the ``word_index``-th word (from 0) of ``line`` starts."""
    position = len(line) - len(line.lstrip())
    for _ in range(word_index):
        position = line.index(" ", position) + 1
        while line[position] == " ":
            position += 1
    return position


def cut_line(text: str, cut: Cut, spans: Spans = ()) -> tuple[str, Spans]:
    """``text`` shortened by ``cut`` (its head, " … ", the part that tells it apart), with ``spans`` (highlights)
    moved along: those in the part left out are dropped, one across a cut is clipped to it."""
    head_end, resume = cut
    if resume <= head_end:
        return text, spans
    shift = resume - head_end - len(ELISION)
    moved: list[tuple[int, int]] = []
    for start, end in spans:
        if start < head_end:
            moved.append((start, min(end, head_end)))
        if end > resume:
            moved.append((max(start, resume) - shift, end - shift))
    return text[:head_end] + ELISION + text[resume:], tuple(moved)


def shown_lines(text: RowText) -> tuple[str, str]:
    """The two lines as a list shows them (without highlights): each shortened to what tells rows apart
    (:func:`cut_line`), the second led by "Deleted as of <date>" for a deleted code. The results list does the
    same with marks."""
    primary = cut_line(text.primary, text.primary_cut)[0]
    secondary = cut_line(text.secondary, text.secondary_cut)[0]
    if text.deleted_date:
        secondary = deleted_label(text.deleted_date) + (f" \u00b7 {secondary}" if secondary else "")
    return primary, secondary


def common_source(hits: Sequence[Hit]) -> str:
    """The source most rows' titles come from: the Source column is left blank for those."""
    counts = Counter(hit.source for hit in hits if hit.source)
    return counts.most_common(1)[0][0] if counts else ""
