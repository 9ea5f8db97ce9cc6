"""The detail pane's rich text: a code (descriptors by source, payment facts, history, measures, modifiers) and a
quality measure, as Qt HTML drawn with the palette's colours. Pure functions of what the worker answered."""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QPalette

from desktop_app.core.details import CodeDetail, Descriptor, link_codes
from desktop_app.core.fee_schedule import fact_rows
from desktop_app.core.measures import (
    MeasureDetail,
    eligibility_heading,
    group_links,
    humanize,
    unknown_measure_message,
)
from desktop_app.core.modifiers import OUR_MODIFIER_LABEL, Modifier, bundled_modifiers
from desktop_app.core.quality import QUALITY_ROLES
from desktop_app.core.valid_dates import deleted_label, valid_through
from desktop_app.ui.links import LinkKind
from desktop_app.ui.theme import CODE_SET_LABELS, badge_colors, blend, differs_background, muted_text

OUR_SUMMARY_LABEL = "CodeDesk plain-language summary (our own words)"
NOT_IN_DATABASE_HINT = "Not in your database. Import your code files (File \u2192 Import\u2026) to see its descriptors."


def official_modifier_text_hint(modifier: str) -> str:
    """Where a modifier's official text is, when no imported file gave it. CPT modifiers (two digits, and the
    Category II modifiers 1P-8P) are the AMA's and in no CMS file: "Import the CMS HCPCS file" was said for 25 and
    59 with that file imported."""
    if modifier[:1].isdigit():
        return (f"The official text of CPT modifier {modifier} is in the AMA CPT data files, not in the CMS files: "
                "import your AMA files to see it beside ours.")
    return (f"The official text of HCPCS modifier {modifier} comes from the CMS HCPCS file: none imported lists it "
            "(import a current one to see it beside ours).")


def not_in_database_hint(imported_sources: int) -> str:
    """With code files imported, "import your code files" is wrong advice: say what else it may be."""
    if not imported_sources:
        return NOT_IN_DATABASE_HINT
    plural = "s" if imported_sources != 1 else ""
    return (f"Not in your database: none of your {imported_sources} imported source{plural} lists it. It may be "
            "new (import the newest release: File \u2192 Import\u2026), deleted long ago, or mistyped.")

def _measures_html(detail: CodeDetail) -> str:
    """A code's measures: the quality roles per measure ("G8752 + G8754 → performance met"), then one compact
    list of the measures whose eligible population the code opens; for a Category II code no measure uses, the
    years of the measure files imported."""
    groups = group_links(detail.measures)
    if not groups:
        if detail.code_set == "II" and detail.kind == "code":
            if detail.measure_sources:
                years = ", ".join(sorted({year for _, year in detail.measure_sources}))
                return (f"<h3>Quality measures</h3><p class='muted'>No imported measure uses {escape(detail.code)} "
                        f"(measure files imported for {escape(years)}).</p>")
            return ("<h3>Quality measures</h3><p class='muted'>No measures imported. Import the CMS QPP measures "
                    "files to see which measures use this code.</p>")
        return ""
    parts = ["<h3>Quality measures</h3>"]
    quality = [g for g in groups if not g.eligibility_only]
    if quality:
        parts.append("<table>")
        for group in quality:
            title = f" \u2014 {escape(group.title)}" if group.title else ""
            parts.append(f"<tr><td colspan='3'><a href='{LinkKind.MEASURE}:{escape(group.measure_id)}'>"
                         f"<b>{escape(group.measure_id)}</b></a>{title}</td></tr>")
            for line in group.lines:
                years = f" <span class='muted'>({escape(', '.join(line.years))})</span>" if line.years else ""
                conditions = (f"<br><span class='muted'>{escape('; '.join(line.conditions))}</span>"
                              if line.conditions else "")
                parts.append(f"<tr><td>&nbsp;&nbsp;</td><td><b>{escape(line.reported_as)}</b></td>"
                             f"<td>\u2192 {escape(line.role_label)}{years}{conditions}</td></tr>")
        parts.append("</table>")
    eligible = [g for g in groups if g.eligibility_only]
    if eligible:
        parts.append(f"<p style='margin-bottom: 2px;'>{escape(eligibility_heading(eligible))}</p><table>")
        for group in eligible:
            years = f" <span class='muted'>({escape(', '.join(group.years))})</span>" if group.years else ""
            conditions = (f"<br><span class='muted'>{escape('; '.join(group.conditions))}</span>"
                          if group.conditions else "")
            parts.append(f"<tr><td><a href='{LinkKind.MEASURE}:{escape(group.measure_id)}'>"
                         f"{escape(group.measure_id)}</a></td>"
                         f"<td>{escape(group.title)}{years}{conditions}</td></tr>")
        parts.append("</table>")
    sources = sorted({source for m in detail.measures for source in m.source.split("; ") if source})
    titles = sorted({g.title_source for g in groups if g.title_source})
    parts.append(f"<p class='muted'>From {escape('; '.join(sources))}"
                 + (f"; titles from {escape('; '.join(titles))}" if titles else "") + ".</p>")
    return "".join(parts)


def _money(amount: object) -> str:
    return f"${amount:,.2f}" if amount is not None else "\u2014"


def _payments_html(detail: CodeDetail) -> str:
    if not detail.payments and not detail.payment_notes:
        return ""
    parts = ["<table><tr><th>Medicare payment</th><th>Non-facility</th><th>Facility</th></tr>"] \
        if detail.payments else []
    for payment in detail.payments:
        component = f" (modifier {escape(payment.modifier)})" if payment.modifier else ""
        cells = "".join(
            f"<td><b>{_money(a.amount)}</b>" + (f" <span class='muted'>{escape(a.note)}</span>" if a.note else "")
            + "</td>" for a in payment.amounts)
        parts.append(f"<tr><td>{escape(payment.where_label)}"
                     f"{component}</td>{cells}</tr>")
    if detail.payments:
        parts.append("</table>")
    # One line per way of computing: a code and its modifier rows (G0105 and G0105-53) share theirs, said once.
    # Notes (the OPPS imaging cap, GPCI years) once each too, apart from the formulas they would otherwise split.
    explained = dict.fromkeys(
        f"{escape(payment.where_label)}: {escape(payment.formula)} ({escape(payment.source)})."
        for payment in detail.payments)
    explained.update(dict.fromkeys(f"{escape(n)}." for payment in detail.payments for n in payment.notes))
    parts += [f"<p class='muted'>{line}</p>" for line in explained]
    for note in detail.payment_notes:
        parts.append(f"<p class='muted'>No payment amount: {escape(note)}.</p>")
    if detail.localities and detail.payments:
        has_local = any(p.where != "national" for p in detail.payments)
        parts.append(f"<p><a href='{LinkKind.LOCALITY}:choose'>"
                     f"{'Change' if has_local else 'Choose'} the payment locality"
                     f"</a> <span class='muted'>({detail.localities} localities imported)</span></p>")
    elif detail.payments:
        parts.append("<p class='muted'>Import the CMS GPCI file to see amounts for your locality.</p>")
    return "".join(parts)


def _linked(text: str) -> str:
    """``text`` escaped, each code it names ("use 99990 instead") a link that opens that code."""
    return "".join(f"<a href='{LinkKind.CODE}:{escape(code)}'>{escape(piece)}</a>" if code else escape(piece)
                   for piece, code in link_codes(text))


def _history_html(detail: CodeDetail) -> str:
    """The code's life from the AMA's CPT Link files: added, changed, deleted (dates or "before 1982"), the
    wording before and after, and what to report instead, the codes it names as links."""
    if not detail.history and detail.deletion is None:
        return ""
    parts = ["<h3>History</h3>"]
    if detail.deletion is not None:
        deleted = escape(deleted_label(detail.deletion.date))
        parts.append(f"<p><b>{deleted}:</b> {_linked(detail.deletion.instruction)}</p>")
    if detail.history:
        parts.append("<table>")
        for entry in detail.history:
            words = []
            if entry.prior:
                words.append(f"<span class='muted'>was</span> {escape(entry.prior)}")
            if entry.current:
                words.append(f"<span class='muted'>now</span> {escape(entry.current)}")
            if entry.instruction:
                words.append(_linked(entry.instruction))
            parts.append(f"<tr><th>{escape(entry.date or 'no date')}</th><td><b>{escape(entry.change_label)}</b></td>"
                         f"<td>{'<br>'.join(words)}</td></tr>")
        parts.append("</table>")
    sources = sorted({h.source for h in detail.history} | ({detail.deletion.source} if detail.deletion else set()))
    parts.append(f"<p class='muted'>From {escape('; '.join(sources))}.</p>")
    return "".join(parts)


def _source_heading(descriptor: Descriptor) -> str:
    if descriptor.source.is_ours:
        return OUR_SUMMARY_LABEL
    release = descriptor.source.release
    # Source names often carry their release already ("CMS PFS RVU 2025 October (RVU25D)").
    suffix = f" ({release})" if release and release not in descriptor.source.name else ""
    return f"From {descriptor.source.name}{suffix}"


def _facts_html(detail: CodeDetail) -> str:
    if not detail.facts:
        if detail.code_set == "II":
            return ("<h3>Status and payment</h3><p class='muted'>Category II codes are never paid: "
                    "they carry no relative value units.</p>")
        return ("<h3>Status and payment</h3><p class='muted'>No payment facts loaded. Import the CMS "
                "physician fee schedule RVU file to see RVUs, global days and status.</p>")
    parts = ["<h3>Status and payment</h3>", _payments_html(detail)]
    for facts in detail.facts:
        component = f" \u2014 modifier {escape(facts.modifier)}" if facts.modifier else ""
        parts.append(f"<p style='margin-bottom: 2px;'><b>From {escape(facts.source.name)}</b>{component}</p>")
        parts.append(
            "<table>"
            + "".join(
                f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
                for label, value in fact_rows(facts.values, primary=True)
            )
            + "</table>"
        )
        others = fact_rows(facts.values, primary=False)
        if others:
            parts.append(
                "<p class='muted'>Other indicators: "
                + " \u00b7 ".join(f"{escape(label)} {escape(value)}" for label, value in others)
                + "</p>"
            )
    return "".join(parts)


def detail_html(detail: CodeDetail, palette: QPalette, imported_sources: int = 0) -> str:
    """The pane's content as Qt rich text. Colours come from ``palette`` so dark themes stay readable;
    ``imported_sources``: how many code files are imported (an unknown code's advice depends on it)."""
    muted = muted_text(palette).name()
    rule = blend(palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text), 0.2).name()
    notice_bg = differs_background(palette).name()
    parts: list[str] = [
        f"<style>h1 {{ margin: 0; }} h3 {{ margin-top: 14px; margin-bottom: 4px; }}"
        f" .muted {{ color: {muted}; }} td {{ padding: 2px 8px 2px 0; }}"
        f" th {{ text-align: left; padding: 2px 8px 2px 0; color: {muted}; font-weight: normal; }}"
        f" hr {{ color: {rule}; }}</style>"
    ]
    badge = ""
    if detail.code_set:
        background, foreground = badge_colors(detail.code_set, palette)
        badge = (
            f"<span style='background-color:{background.name()}; color:{foreground.name()};'>"
            f"&nbsp;{escape(CODE_SET_LABELS.get(detail.code_set, detail.code_set))}&nbsp;</span>"
        )
    status = ""
    if detail.known and detail.status and detail.status != "active":
        status = f" &nbsp;<b>{escape(detail.status.capitalize())}</b>"
        if detail.deleted_date:
            through = valid_through(detail.deleted_date)
            status += (f" <span class='muted'>(as of {escape(detail.deleted_date)}"
                       + (f"; valid through {escape(through)}" if through else "") + ")</span>")
        if detail.deletion is not None:
            status += f" \u2014 {_linked(detail.deletion.instruction)}"
    parts.append(f"<h1 style='font-size: xx-large;'>{escape(detail.text)}</h1>")
    family = f" &nbsp;{escape(detail.modifier.family_label)}" if detail.modifier else (
        " &nbsp;modifier" if detail.kind == "modifier" else "")
    parts.append(f"<p>{badge}{family}{status}</p>")
    if detail.section:
        links = " \u203a ".join(
            f"<a href='{LinkKind.SECTION}:{s.id}' title='Browse {escape(s.name)}'>{escape(s.name)}</a>"
            for s in detail.section
        )
        parts.append(f"<p>{links} <span class='muted'>({escape(detail.section[-1].ranges)})</span></p>")
    parts.append(_applied_html(detail))
    # No unlabelled headline: the title is one of the descriptors below, each shown with its source.
    if not detail.known:
        parts.append(_unknown_html(detail, notice_bg, imported_sources))
        parts.append(_measures_html(detail))  # a measure can name a code no imported file describes
        parts.append(_applied_entries_html(detail))
        return "".join(parts)

    if detail.modifier is not None:
        parts.append(_modifier_entry_html(detail.modifier, heading=True))
    by_source: dict[str, list[Descriptor]] = {}
    for descriptor in detail.descriptors:
        if detail.modifier is not None and descriptor.source.is_ours:
            continue  # our words for a modifier are its entry above
        by_source.setdefault(_source_heading(descriptor), []).append(descriptor)
    if by_source:
        parts.append("<h3>Official text</h3>" if detail.modifier is not None else "<h3>Descriptors</h3>")
    for heading, descriptors in by_source.items():
        parts.append(f"<p style='margin-bottom: 2px;'><b>{escape(heading)}</b></p><table>")
        for descriptor in descriptors:
            parts.append(f"<tr><th>{escape(descriptor.label)}</th><td>{escape(descriptor.text)}</td></tr>")
        parts.append("</table>")
    if detail.names:
        # What search finds the code by, beyond its descriptors: a coder who typed "bunionectomy" sees why this
        # code answered. Our words, labelled as such like every text shown.
        parts.append("<p style='margin-bottom: 2px;'><b>Also known as</b> <span class='muted'>(CodeDesk's own "
                     "words, searched with the descriptors)</span></p>"
                     f"<p>{escape(' · '.join(detail.names))}</p>")

    parts.append(_history_html(detail))

    if detail.kind == "modifier":
        if detail.modifier is not None and not by_source:
            parts.append(f"<p class='muted'>{escape(official_modifier_text_hint(detail.code))}</p>")
        if detail.facts:  # what an imported file says about the modifier (coverage, dates); never a payment
            parts.append(_facts_html(detail).replace("<h3>Status and payment</h3>", "<h3>Status</h3>", 1))
        return "".join(parts)
    # For Category II the measures are the point of the code; for the others, payment comes first.
    sections = [_facts_html(detail), _measures_html(detail)]
    # A quality-data G-code is reported for its measures too: they come first, as for Category II.
    if detail.code_set == "II" or any(m.role in QUALITY_ROLES for m in detail.measures):
        sections.reverse()
    parts.extend(sections)
    parts.append(_applied_entries_html(detail))

    if detail.neighbours:
        parts.append("<h3>Related codes in this range</h3><table>")
        for code, title in detail.neighbours:
            parts.append(
                f"<tr><td><a href='{LinkKind.CODE}:{escape(code)}'>{escape(code)}</a></td>"
                f"<td>{escape(title) if title else '<span class=muted>(no descriptor)</span>'}</td></tr>"
            )
        parts.append("</table>")
    return "".join(parts)


def _modifier_entry_html(entry: Modifier, heading: bool) -> str:
    """Our bundled entry for a modifier: meaning, use, misuse and where it goes, labelled as ours."""
    rows = [("Means", entry.meaning), ("Used", entry.use), ("Not for", entry.not_for),
            ("Goes on", f"{entry.applies_to_text} codes")]
    ranges = entry.to_json()
    if entry.only_on:
        rows.append(("Only on", f"{entry.range_note} ({', '.join(ranges['only_on'])})"))  # type: ignore[arg-type]
    if entry.not_on:
        rows.append(("Never on", f"{entry.range_note} ({', '.join(ranges['not_on'])})"))  # type: ignore[arg-type]
    title = (f"<h3>Modifier {escape(entry.modifier)}</h3>" if heading else
             f"<p style='margin-bottom: 2px;'><a href='{LinkKind.CODE}:{escape(entry.modifier)}'><b>Modifier "
             f"{escape(entry.modifier)}</b></a> \u2014 {escape(entry.family_label)}</p>")
    return (title + f"<p style='margin-bottom: 2px;'><b>{escape(OUR_MODIFIER_LABEL)}</b></p><table>"
            + "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows) + "</table>")


def _applied_html(detail: CodeDetail) -> str:
    """The modifiers written after the code (99213-25): whether each fits and why, each a link to its entry."""
    if not detail.applied:
        return ""
    parts = ["<h3>Modifiers as written</h3><table>"]
    for check in detail.applied:
        mark = "\u2713 fits" if check.fits else "\u2717 does not fit"
        said = check.meaning if check.fits else check.reason
        notes = "".join(f"<br><span class='muted'>{escape(n)}</span>" for n in check.notes)
        parts.append(f"<tr><td><a href='{LinkKind.CODE}:{escape(check.modifier)}'>"
                     f"<b>-{escape(check.modifier)}</b></a></td>"
                     f"<td><b>{mark}</b></td><td>{escape(said)}{notes}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


def _applied_entries_html(detail: CodeDetail) -> str:
    """Our entries for the modifiers written after the code, below the code's own facts."""
    entries = bundled_modifiers()
    found = [entries[c.modifier] for c in detail.applied if c.modifier in entries]
    if not found:
        return ""
    return "<h3>About these modifiers</h3>" + "".join(_modifier_entry_html(e, heading=False) for e in found)


def _unknown_html(detail: CodeDetail, notice_bg: str, imported_sources: int) -> str:
    if not detail.well_formed:
        return (
            f"<p>\u201c{escape(detail.code)}\u201d is not a code shape CodeDesk knows. Codes are five "
            "characters: 5 digits (Category I), 4 digits + F (Category II), 4 digits + T (Category III) "
            "or a letter + 4 digits (HCPCS Level II).</p>"
        )
    lines = [f"<p>What its shape tells: a <b>{escape(detail.shape)}</b>"]
    if detail.section:
        path = " \u203a ".join(s.name for s in detail.section)
        lines.append(f", in section <b>{escape(path)}</b>")
    lines.append(".</p>")
    lines.append(
        f"<table width='100%' cellpadding='8' style='background-color:{notice_bg};'><tr><td>"
        f"<b>{escape(not_in_database_hint(imported_sources))}</b></td></tr></table>"
    )
    return "".join(lines)


MEASURE_FACTS = (("Type", "type"), ("High priority", "high_priority"), ("Inverse (lower is better)", "inverse"),
                 ("Submission methods", "submission_methods"), ("Steward", "steward"),
                 ("Specialty sets", "specialties"), ("eCQM", "emeasure_id"), ("First year", "first_year"))


def measure_html(measure: MeasureDetail, palette: QPalette) -> str:
    """A measure as Qt rich text: title and facts with their sources, quality codes by role, denominator codes."""
    muted = muted_text(palette).name()
    parts = [
        f"<style>h1 {{ margin: 0; }} h3 {{ margin-top: 14px; margin-bottom: 4px; }} .muted {{ color: {muted}; }}"
        f" td {{ padding: 2px 8px 2px 0; }} th {{ text-align: left; padding: 2px 8px 2px 0; color: {muted};"
        " font-weight: normal; }</style>",
        f"<h1 style='font-size: xx-large;'>Measure {escape(measure.measure_id)}</h1>",
    ]
    if not measure.known:
        if measure.option_groups:  # an option group its measure does not have (236.05)
            parts.append(f"<p>{escape(unknown_measure_message(measure, measure.measure_id))}</p>")
        else:
            parts.append("<p>This measure is not in your database. Import the CMS QPP measures files "
                         "(File \u2192 Import\u2026) to see it.</p>")
        return "".join(parts)
    parts.append(f"<p><b>{escape(measure.title)}</b><br><span class='muted'>Title from "
                 f"{escape(measure.title_source)}</span></p>")
    rows = [(label, humanize(measure.facts[key])) for label, key in MEASURE_FACTS if key in measure.facts]
    if measure.years:
        rows.append(("Years in your files", ", ".join(measure.years)))
    if len(measure.option_groups) > 1:
        rows.append(("Option groups", ", ".join(measure.option_groups)))
    if rows:
        parts.append("<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
                     + "</table>")
    if measure.facts_source:
        parts.append(f"<p class='muted'>Facts from {escape(measure.facts_source)}.</p>")
    if "description" in measure.facts:
        parts.append(f"<p>{escape(str(measure.facts['description']))}</p>")
    if measure.quality:
        parts.append("<h3>Quality codes</h3><table>")
        for line in measure.quality:
            linked = escape(line.reported_as)
            for code in line.codes:
                linked = linked.replace(escape(code), f"<a href='{LinkKind.CODE}:{escape(code)}'>{escape(code)}</a>", 1)
            years = f" <span class='muted'>({escape(', '.join(line.years))})</span>" if line.years else ""
            conditions = (f"<br><span class='muted'>{escape('; '.join(line.conditions))}</span>"
                          if line.conditions else "")
            parts.append(f"<tr><td><b>{linked}</b></td><td>\u2192 {escape(line.role_label)}{years}{conditions}"
                         "</td></tr>")
        parts.append("</table>")
    elif measure.years:
        parts.append("<p class='muted'>No quality codes for this measure in your files (the measures file of "
                     "some years lists none).</p>")
    if measure.eligibility:
        total = sum(len(v) for v in measure.eligibility.values())
        counts = ", ".join(f"{len(v):,} {CODE_SET_LABELS.get(k, k)}" for k, v in measure.eligibility.items())
        groups = [g for g in measure.option_groups if "." in g]
        # As `codedesk-cli measure` says: the option groups' denominators are merged when the measure is opened.
        across = (f"; its {len(measure.option_groups)} option groups together ({groups[0]} shows one alone)"
                  if groups and "." not in measure.measure_id else "")
        parts.append(f"<h3>Eligible population (denominator)</h3><p>{total:,} procedure code"
                     f"{'s' if total != 1 else ''}: {escape(counts)}{escape(across)}</p>")
        for code_set, codes in measure.eligibility.items():
            links = ", ".join(f"<a href='{LinkKind.CODE}:{escape(c)}'>{escape(c)}</a>" for c in codes[:40])
            more = f" \u2026 and {len(codes) - 40:,} more" if len(codes) > 40 else ""
            parts.append(f"<p><span class='muted'>{escape(CODE_SET_LABELS.get(code_set, code_set))}:</span> "
                         f"{links}{more}</p>")
        if measure.eligibility_conditions:
            parts.append(f"<p class='muted'>Conditions: {escape('; '.join(measure.eligibility_conditions))}</p>")
    return "".join(parts)
