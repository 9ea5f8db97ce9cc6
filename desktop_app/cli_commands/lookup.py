"""codedesk-cli search, show, measure and localities: looking codes and measures up."""

from __future__ import annotations

import argparse
import textwrap
from collections import Counter
from typing import TextIO

from desktop_app.cli_commands.common import (
    EXIT_NOT_FOUND,
    EXIT_OK,
    TitleSources,
    UsageError,
    category_label,
    clip,
    money,
    print_json,
)
from desktop_app.core.code_compare import release_in_name
from desktop_app.core.details import CodeDetail
from desktop_app.core.fee_schedule import fact_rows
from desktop_app.core.kinds import CodeKind, CodeStatus
from desktop_app.core.measures import MeasureDetail, eligibility_heading, group_links, humanize, unknown_measure_message
from desktop_app.core.modifiers import OUR_MODIFIER_LABEL, Modifier, ModifierCheck, bundled_modifiers
from desktop_app.core.reference import BUNDLED_KIND
from desktop_app.core.search import SearchFilters
from desktop_app.core.store import CodeStore
from desktop_app.core.valid_dates import deletion_words


def cmd_search(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    query = " ".join(args.query)
    result = store.search(query, SearchFilters(code_set=args.category), limit=args.limit, with_counts=True)
    measures = result.measures
    if result.parsed.error:
        raise UsageError(result.parsed.error)
    if args.json:
        print_json({
            "query": query,
            "total": result.total,
            "counts": result.counts,
            "message": result.message,
            "results": [hit.to_json() for hit in result.hits],
            "unknown": [u.to_json() for u in result.unknown],
            "measures": [m.to_json() for m in measures],
        }, out)
    else:
        if result.message:
            out.write(result.message + "\n")
        if result.filter_ignored and result.outside_filter and args.category:
            # As the window says it: a code typed exactly is shown whatever the filter, and named as outside it.
            outside = ", ".join(result.outside_filter[:5]) + (
                f" and {len(result.outside_filter) - 5:,} more" if len(result.outside_filter) > 5 else "")
            verb = "is" if len(result.outside_filter) == 1 else "are"
            out.write(f"{outside} {verb} outside the {category_label(args.category)} filter, shown because you "
                      "typed it exactly.\n")
        for m in measures:
            years = f" ({', '.join(m.years)})" if m.years else ""
            out.write(f"Measure {m.measure_id}{years}: {clip(m.title, 80)}  → codedesk-cli measure {m.measure_id}\n")
        # Codes whose titles read alike (45384 and 45385 share a CMS short descriptor) get the list's second
        # line under them: our summary, which tells them apart.
        titles = Counter(hit.title for hit in result.hits)
        sources = TitleSources(hit.source for hit in result.hits)
        for hit in result.hits:
            section = hit.section[-1] if hit.section else ("modifier" if hit.kind == CodeKind.MODIFIER else "")
            flag = " [deleted]" if hit.status == CodeStatus.DELETED else ""
            out.write(f"{hit.code:<6} {hit.code_set:<5} {clip(section, 28):<28}  {clip(hit.title, 70)}"
                      f"{sources.mark(hit.source)}{flag}\n")
            second = result.row_texts.get(hit.code)
            if titles[hit.title] > 1 and second is not None and second.secondary:
                out.write(f"{'':<42}{clip(second.secondary, 70)}\n")
            for check in hit.modifiers:
                out.write(f"  -{check.modifier}  {_check_text(check)}\n")
        for unknown in result.unknown:
            where = f"{' > '.join(unknown.section)}: " if unknown.section else ""
            out.write(f"{unknown.code:<6} {unknown.code_set or '':<5} {where}"
                      "not in your database (import your code files to see it)\n")
        if result.hits and result.total > len(result.hits):
            out.write(f"\u2026 {len(result.hits)} of {result.total}; use --limit to see more\n")
        out.write(sources.footer())
        if not result.hits and not result.unknown:
            out.write("No codes found.\n")
    return EXIT_OK if result.hits or measures else EXIT_NOT_FOUND


def _check_text(check: ModifierCheck) -> str:
    """One modifier on one code, in words: what it means, or why it does not fit."""
    # The notes say what was checked against which file, or what could not be checked: said either way.
    notes = "".join(f" ({note})" for note in check.notes)
    if not check.fits:
        return f"does not fit: {check.reason}{notes}"
    return f"fits: {clip(check.meaning, 90)}{notes}"


def cmd_show(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    detail = store.detail(args.code, locality=args.locality)
    if not detail.well_formed:
        raise UsageError(f"{clip(args.code, 40)!r} is not a procedure code or modifier (codes look like 99213, "
                         "3074F, 0042T or G0438; modifiers like 25 or TC)")
    if args.locality and detail.localities == 0:
        raise UsageError("--locality needs an imported GPCI file (codedesk-cli import GPCI2026.csv)")
    if args.locality and detail.known and not any(p.where != "national" for p in detail.payments) \
            and detail.payments:
        raise UsageError(f"no single locality matches {clip(args.locality, 40)!r}; see 'codedesk-cli localities'")
    if args.json:
        print_json(detail.to_json(), out)
        return EXIT_OK if detail.known else EXIT_NOT_FOUND
    kind = "modifier" if detail.kind == CodeKind.MODIFIER else ""
    label = f"{category_label(detail.code_set)} {kind}".strip() if detail.code_set else (kind or "not a code")
    if detail.modifier is not None:
        label = detail.modifier.family_label
    out.write(f"{detail.code}  {label}\n")
    _write_applied(detail, out)
    if detail.section:
        out.write("Section: " + " > ".join(f"{s.name} ({s.ranges})" for s in detail.section) + "\n")
    if not detail.known:
        imported = [x for x in store.sources() if x.kind != BUNDLED_KIND]
        hint = (f"None of your {len(imported)} imported source(s) lists it: it may be new, deleted long ago, "
                "or mistyped.\n" if imported else
                "Import your code files (codedesk-cli import …) to see its descriptors.\n")
        out.write(f"Not in your database. By its shape it is a {detail.shape}.\n" + hint)
        _write_measures(detail, out)
        _write_applied_entries(detail, out)
        return EXIT_NOT_FOUND
    status = deletion_words(detail.deleted_date) if detail.deleted_date else detail.status
    out.write(f"Status: {status}\n")
    if detail.deletion is not None:
        out.write(f"Deletion instruction: {detail.deletion.instruction}\n")
    if detail.modifier is not None:
        _write_modifier(detail.modifier, out)
    for descriptor in detail.descriptors:
        if detail.modifier is not None and descriptor.source.is_ours:
            continue  # our words for a modifier are the entry above
        source = descriptor.source
        release = f" {source.release}" if not release_in_name(source.name, source.release) \
            and not source.is_ours else ""
        out.write(f"\n{descriptor.label} \u2014 {source.name}{release}:\n")
        out.write(textwrap.fill(descriptor.text, 96, initial_indent="  ", subsequent_indent="  ") + "\n")
    if detail.names:  # what search finds it by beyond its descriptors
        out.write("\nAlso known as \u2014 CodeDesk's own words, searched with the descriptors:\n")
        out.write(textwrap.fill(" \u00b7 ".join(detail.names), 96, initial_indent="  ", subsequent_indent="  ") + "\n")
    _write_history(detail, out)
    if detail.code_set == "II":
        _write_measures(detail, out)
    _write_payments(detail, out)
    for facts in detail.facts:
        label = f" (modifier {facts.modifier})" if facts.modifier else ""
        out.write(f"\nFacts{label} \u2014 {facts.source.name}:\n")
        width = max((len(k) for k, _ in fact_rows(facts.values)), default=0)
        for key, value in fact_rows(facts.values):
            out.write(textwrap.fill(value, 96, initial_indent=f"  {key:<{width}}  ",
                                    subsequent_indent=" " * (width + 4)) + "\n")
    if detail.code_set != "II":
        _write_measures(detail, out)
    _write_applied_entries(detail, out)
    return EXIT_OK


def _write_modifier(entry: Modifier, out: TextIO, indent: str = "") -> None:
    """Our bundled entry for a modifier: meaning, use, misuse, and where it goes."""
    out.write(f"\n{indent}Modifier {entry.modifier} \u2014 {OUR_MODIFIER_LABEL}:\n")
    rows = [("Means", entry.meaning), ("Used", entry.use), ("Not for", entry.not_for),
            ("Goes on", f"{entry.applies_to_text} codes")]
    if entry.only_on:
        rows.append(("Only on", f"{entry.range_note} ({', '.join(entry.to_json()['only_on'])})"))  # type: ignore[arg-type]
    if entry.not_on:
        rows.append(("Never on", f"{entry.range_note} ({', '.join(entry.to_json()['not_on'])})"))  # type: ignore[arg-type]
    for key, value in rows:
        out.write(textwrap.fill(value, 96, initial_indent=f"{indent}  {key:<8} ",
                                subsequent_indent=indent + " " * 11) + "\n")


def _write_applied(detail: CodeDetail, out: TextIO) -> None:
    """The modifiers written after the code (``show 99213-25``): whether each fits, and what it is."""
    if not detail.applied:
        return
    out.write(f"As written: {detail.text}\n")
    for check in detail.applied:
        out.write(f"  -{check.modifier}  {_check_text(check)}\n")


def _write_applied_entries(detail: CodeDetail, out: TextIO) -> None:
    for check in detail.applied:
        entry = bundled_modifiers().get(check.modifier)
        if entry is not None:
            _write_modifier(entry, out)
        elif check.known:
            out.write(f"\nModifier {check.modifier} \u2014 {check.source}:\n  {check.meaning}\n")


def _write_history(detail: CodeDetail, out: TextIO) -> None:
    """Added / changed / deleted, oldest first, with the AMA's wording before and after each change."""
    if not detail.history:
        return
    sources = sorted({h.source for h in detail.history})
    out.write(f"\nHistory \u2014 {'; '.join(sources)}:\n")
    for entry in detail.history:
        words = [w for w in (f"was: {entry.prior}" if entry.prior else "",
                             f"now: {entry.current}" if entry.current else "", entry.instruction) if w]
        out.write(textwrap.fill(f"{entry.date or '(no date)':<12} {entry.change_label:<9} " + " \u00b7 ".join(words),
                                96, initial_indent="  ", subsequent_indent=" " * 25) + "\n")


def _write_payments(detail: CodeDetail, out: TextIO) -> None:
    if detail.payments:
        out.write("\nMedicare payment amounts:\n")
    for payment in detail.payments:
        component = f" (modifier {payment.modifier})" if payment.modifier else ""
        out.write(f"  {payment.where}{component}: " + ", ".join(
            f"{a.setting} {money(a.amount)}" for a in payment.amounts) + "\n")
        out.write(f"    = {payment.formula}; {payment.source}\n")
        for note in payment.notes:
            out.write(f"    note: {note}\n")
    for note in detail.payment_notes:
        out.write(f"\nNo payment amount: {note}\n")


def _write_measures(detail: CodeDetail, out: TextIO) -> None:
    groups = group_links(detail.measures)
    if groups:
        out.write("\nQuality measures:\n")
    for group in groups:
        if group.eligibility_only:
            continue
        out.write(f"  {group.measure_id:<7} {clip(group.title, 86) or '(no title: import the QPP measures file)'}\n")
        for line in group.lines:
            years = f"  [{', '.join(line.years)}]" if line.years else ""
            out.write(f"          {line.reported_as:<18} \u2192 {line.role_label}{years}\n")
            if line.conditions:
                out.write(f"{'':<31}{'; '.join(line.conditions)}\n")
    eligible = [g for g in groups if g.eligibility_only]
    if eligible:
        out.write(f"  {eligibility_heading(eligible)}\n")
        for group in eligible:
            years = f"  [{', '.join(group.years)}]" if group.years else ""
            out.write(f"  {group.measure_id:<7} {clip(group.title, 80)}{years}\n")
            if group.conditions:
                out.write(f"          {'; '.join(group.conditions)}\n")
    if not groups and detail.code_set == "II" and detail.kind == CodeKind.CODE:
        if detail.measure_sources:
            imported = sorted({year for _, year in detail.measure_sources})
            out.write(f"\nQuality measures: no imported measure uses {detail.code} "
                      f"(measure files imported for {', '.join(imported)}).\n")
        else:
            out.write("\nQuality measures: none imported. Import the CMS QPP measures file to see which measures "
                      f"use {detail.code}.\n")


def cmd_measure(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    text = " ".join(args.measure)
    detail = store.measure(text)
    if not detail.known:
        hits = store.find_measures(text)
        if len(hits) >= 1:
            detail = store.measure(hits[0].measure_id)
    if args.json:
        print_json(detail.to_json(), out)
        return EXIT_OK if detail.known else EXIT_NOT_FOUND
    if not detail.known:
        out.write(unknown_measure_message(detail, text) + "\n")
        return EXIT_NOT_FOUND
    _write_measure(detail, out)
    return EXIT_OK


def _write_measure(detail: MeasureDetail, out: TextIO) -> None:
    out.write(f"Measure {detail.measure_id}: {detail.title}\n")
    out.write(f"  Title from: {detail.title_source}\n")
    facts = detail.facts
    for label, key in (("Type", "type"), ("High priority", "high_priority"), ("Inverse", "inverse"),
                       ("Submission methods", "submission_methods"), ("Steward", "steward"),
                       ("Specialty sets", "specialties")):
        if key in facts:
            text = humanize(facts[key])
            out.write(f"  {label}: {clip(text, 100)}\n")
    if detail.facts_source:
        out.write(f"  Facts from: {detail.facts_source}\n")
    if detail.years:
        out.write(f"  Years in your files: {', '.join(detail.years)}\n")
    if "description" in facts:
        out.write("\n" + textwrap.fill(str(facts["description"]), 96, initial_indent="  ",
                                       subsequent_indent="  ") + "\n")
    if len(detail.option_groups) > 1:
        out.write(f"\nOption groups: {', '.join(detail.option_groups)}\n")
    if detail.quality:
        out.write("\nQuality codes:\n")
    for line in detail.quality:
        years = f"  [{', '.join(line.years)}]" if line.years else ""
        out.write(f"  {line.reported_as:<26} \u2192 {line.role_label}{years}\n")
        if line.conditions:
            out.write(f"{'':<31}{'; '.join(line.conditions)}\n")
    if detail.eligibility:
        total = sum(len(v) for v in detail.eligibility.values())
        counts = ", ".join(f"{len(v):,} {category_label(k) if k in ('I', 'II', 'III', 'HCPCS') else k}"
                           for k, v in detail.eligibility.items())
        groups = [g for g in detail.option_groups if "." in g]
        # The option groups have denominators of their own, merged when the measure itself is asked for: said,
        # with the command that shows a group alone.
        across = (f"; its {len(detail.option_groups)} option groups together (`measure {groups[0]}` shows one "
                  "alone)" if groups and "." not in detail.measure_id else "")
        out.write(f"\nEligible population (denominator): {total:,} procedure code{'s' if total != 1 else ''} "
                  f"({counts}){across}\n")
        for code_set, codes in detail.eligibility.items():
            shown = ", ".join(codes[:12]) + (f", \u2026 (+{len(codes) - 12:,})" if len(codes) > 12 else "")
            out.write(f"  {code_set}: {shown}\n")
        if detail.eligibility_conditions:
            out.write(f"  Conditions: {'; '.join(detail.eligibility_conditions)}\n")


def cmd_localities(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    rows = store.localities()
    if args.json:
        print_json([{"key": x.key, "mac": x.mac, "state": x.state, "locality": x.number, "name": x.name,
                      "work_gpci": float(x.work), "pe_gpci": float(x.pe), "mp_gpci": float(x.mp),
                      "source": x.source} for x in rows], out)
        return EXIT_OK if rows else EXIT_NOT_FOUND
    if not rows:
        out.write("No GPCI file imported (codedesk-cli import GPCI2026.csv).\n")
        return EXIT_NOT_FOUND
    out.write(f"{'key':<10} {'state':<5} {'work':>6} {'PE':>6} {'MP':>6}  name  ({rows[0].source})\n")
    for x in rows:
        out.write(f"{x.key:<10} {x.state:<5} {x.work:>6} {x.pe:>6} {x.mp:>6}  {x.name}\n")
    return EXIT_OK
