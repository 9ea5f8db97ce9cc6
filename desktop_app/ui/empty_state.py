"""What the results area says when there is nothing to list: why, and what to try next.

Links in the returned rich text: ``category:ID`` (switch the category filter), ``section:all`` (drop the
section filter), ``code:CODE`` (open a code) and ``import:`` (File → Import…).
"""

from __future__ import annotations

from html import escape

from desktop_app.core.grammar import CodeSet, CodeTerm, PrefixTerm, RangeTerm
from desktop_app.core.search import SearchResult
from desktop_app.ui.links import LinkKind
from desktop_app.ui.theme import CODE_SET_LABELS

IMPORT_HINT = (
    f"Your database has only what you loaded: <a href='{LinkKind.IMPORT}:'>import your code files</a> "
    "(File \u2192 Import\u2026) to search every code."
)

WELCOME = (
    "<h3>Search by code, range or words</h3>"
    "<p>Type a code (<b>99213</b>, <b>3074F</b>), a list (<b>99213, 3074F</b>), a prefix (<b>992*</b>), "
    "a range (<b>99202-99205</b>) or words (<b>office visit established</b>, <b>asthma</b>).</p>"
    "<p>Or choose a section on the left to list its codes.</p>"
    "<p>Keys: Ctrl+L search \u00b7 \u2193/\u2191 move through results \u00b7 Enter open \u00b7 "
    "Alt+\u2190/\u2192 back/forward \u00b7 Esc clear \u00b7 F1 every key</p>"
)


def _category_label(code_set: str | None) -> str:
    return CODE_SET_LABELS.get(code_set or "", code_set or "")


def unknown_code_sentence(code: str, code_set: str | None, section: tuple[str, ...]) -> str:
    label = CodeSet(code_set).label if code_set in {c.value for c in CodeSet} else "procedure"
    article = "an" if label[:1].upper() in "AEIOU" else "a"
    path = " \u203a ".join(section)
    where = f" in section <b>{escape(path)}</b>" if section else ""
    return (
        f"<p><a href='{LinkKind.CODE}:{escape(code)}'><b>{escape(code)}</b></a> looks like {article} "
        f"<b>{escape(label)}</b> code{where}; it is <b>not in your database</b>.</p>"
    )


def _sources_text(imported_sources: int) -> str:
    return f"{imported_sources} imported source{'s' if imported_sources != 1 else ''}"


def import_hint(imported_sources: int) -> str:
    """What to do about a code that is missing: import files, or (files already imported) why it may be."""
    if imported_sources <= 0:
        return IMPORT_HINT
    return (f"None of your {_sources_text(imported_sources)} lists it: "
            f"it may be new (import the newest release: <a href='{LinkKind.IMPORT}:'>File \u2192 Import\u2026</a>), "
            "deleted long ago, or mistyped.")


def no_results_html(result: SearchResult, code_set: str | None, section_name: str | None,
                    imported_sources: int = 0, counts: dict[str, int] | None = None) -> str:
    """Explain an empty result for ``result`` searched with the given filters (``counts``: hits per code set,
    when they came as their own answer; else the result's own)."""
    query = result.query.strip()
    if result.parsed.error:
        return f"<h3>That range cannot be searched</h3><p>{escape(result.parsed.error)}.</p>"
    if not query and section_name is None:
        return WELCOME
    if result.stopped and result.message:  # cut by the search ceiling: not "no match", just not finished
        return f"<h3>The search took too long</h3><p>{escape(result.message)}</p>"
    parts: list[str] = []
    other_hits = {cs: n for cs, n in (result.counts if counts is None else counts).items() if n and cs != code_set}
    if result.unknown:
        parts.append("<h3>Not in your database</h3>")
        parts += [unknown_code_sentence(u.code, u.code_set, u.section) for u in result.unknown]
        parts.append(f"<p>{import_hint(imported_sources)}</p>")
        return "".join(parts)
    if code_set and other_hits:
        parts.append(f"<h3>No {escape(_category_label(code_set))} codes match</h3>")
        links = ", ".join(
            f"<a href='{LinkKind.CATEGORY}:{escape(cs)}'>{escape(_category_label(cs))} ({n:,})</a>"
            for cs, n in sorted(other_hits.items())
        )
        parts.append(f"<p>Other categories have hits: {links}. "
                     f"<a href='{LinkKind.CATEGORY}:'>Show all categories</a>.</p>")
        return "".join(parts)
    where = f" in <b>{escape(section_name)}</b>" if section_name else ""
    if not query:
        if imported_sources <= 0:
            parts.append(f"<h3>No codes{where} yet</h3><p>{IMPORT_HINT}</p>")
        else:
            parts.append(f"<h3>No codes{where}</h3><p>None of your {_sources_text(imported_sources)} lists a "
                         f"code here; a newer release may (<a href='{LinkKind.IMPORT}:'>File \u2192 "
                         "Import\u2026</a>).</p>")
        return "".join(parts)
    if result.parsed.kind == "codes":
        described = ", ".join(_describe_item(item) for item in result.parsed.items)
        parts.append(f"<h3>No codes{where} for {escape(described)}</h3>")
    else:
        parts.append(f"<h3>No code{where} matches \u201c{escape(query)}\u201d</h3>")
        parts.append(
            "<p>Check the spelling, try fewer or other words, or search by code (<b>99213</b>), "
            "prefix (<b>992*</b>) or range (<b>99202-99205</b>).</p>"
        )
    if section_name:
        parts.append(f"<p><a href='{LinkKind.SECTION}:all'>Search all sections</a>.</p>")
    if code_set:
        parts.append(f"<p><a href='{LinkKind.CATEGORY}:'>Search all categories</a>.</p>")
    if imported_sources <= 0:  # with files imported, "only what you loaded" misleads: the spelling is the lead
        parts.append(f"<p>{IMPORT_HINT}</p>")
    return "".join(parts)


def _describe_item(item: object) -> str:
    if isinstance(item, CodeTerm):
        return item.code
    if isinstance(item, PrefixTerm):
        return f"codes starting {item.prefix}"
    if isinstance(item, RangeTerm):
        return f"{item.range.start}\u2013{item.range.end}"
    return str(item)


def result_note(result: SearchResult, shown: int, filter_label: str = "", pages_before: int = 0,
                more_available: bool = False) -> str:
    """One line above a non-empty list: codes shown outside the filter, corrections, partial matches,
    and how many are shown (a page of a browsed category or section: which codes of how many)."""
    notes: list[str] = []
    if result.filter_ignored and result.outside_filter and filter_label:
        outside = result.outside_filter
        named = ", ".join(outside[:5]) + (f" and {len(outside) - 5:,} more" if len(outside) > 5 else "")
        verb = "is" if len(outside) == 1 else "are"
        notes.append(f"{named} {verb} outside the {filter_label} filter, shown because you typed "
                     "it exactly (Ctrl+0 clears the filter).")
    if result.message:
        notes.append(result.message)
    if result.parsed.kind == "empty" and result.hits and (result.next_after or pages_before):
        more = " Alt+PgDown: next page." if result.next_after else ""
        back = " Alt+PgUp: previous page." if pages_before else ""
        notes.append(f"Page {pages_before + 1}: {result.hits[0].code} to {result.hits[-1].code} "
                     f"of {result.total:,} codes.{more}{back}")
    elif result.total > shown and result.ranked_subset:
        # The search's own message gave the count and the advice to narrow: only say where the list stands.
        if more_available:
            notes.append(f"Showing {shown:,} so far; scroll down for more.")
        else:  # the list holds all it will: say where the rest are
            notes.append(f"Showing {shown:,}; Export (Ctrl+E) saves all {result.total:,}.")
    elif result.total > shown:
        scroll = "; scroll down for more" if more_available else f"; Export (Ctrl+E) saves all {result.total:,}"
        notes.append(f"Showing the first {shown:,} of {result.total:,}{scroll}; type more to narrow.")
    return " ".join(notes)
