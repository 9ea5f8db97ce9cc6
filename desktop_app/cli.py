"""``codedesk-cli``: the CodeDesk engine for scripts and terminals. Uses the core only.

Exit codes: 0 ok; 1 nothing found or unknown code; 2 bad usage, bad input or an unusable database (one line
on stderr, never a traceback); 3 an internal error, a bug in CodeDesk (one line on stderr naming the log file that
holds the trace; ``--debug`` prints the trace too).
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import math
import sqlite3
import sys
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TextIO

from desktop_app import __version__
from desktop_app.core.code_compare import check_code_count, compare_codes, loaded_at_text, release_in_name
from desktop_app.core.database import (
    SCHEMA_VERSION,
    WRITER_WAIT_SECONDS,
    database_problem,
    default_db_path,
    default_userdata_path,
)
from desktop_app.core.details import CodeDetail
from desktop_app.core.errors import CodeDeskError, UserError, is_environment_problem, printable, sqlite_error_name
from desktop_app.core.fee_schedule import fact_rows
from desktop_app.core.grammar import CodeSet, Shape, classify, code_set_for, normalize, parse_modified_code
from desktop_app.core.kinds import CodeKind, CodeStatus, NcciSetting
from desktop_app.core.logs import configure_logging
from desktop_app.core.measures import MeasureDetail, group_links, humanize
from desktop_app.core.modifiers import OUR_MODIFIER_LABEL, Modifier, ModifierCheck, bundled_modifiers
from desktop_app.core.recovery import (
    OpenedReference,
    check_passed,
    full_check,
    mark_damaged,
    open_reference,
    open_userdata,
)
from desktop_app.core.reference import BUNDLED_KIND
from desktop_app.core.search import SearchFilters
from desktop_app.core.store import CodeStore

EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
log = logging.getLogger(__name__)
# --category takes a code set's id, or a category's number.
CATEGORY_CHOICES = {**{code_set.value: code_set.value for code_set in CodeSet}, "1": "I", "2": "II", "3": "III"}


class UsageError(UserError):
    """Bad command-line usage; exits with status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage dump
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _category(value: str) -> str:
    key = value.strip().upper()
    if key not in CATEGORY_CHOICES:
        raise argparse.ArgumentTypeError(f"unknown category {value!r}; use I, II, III or HCPCS")
    return CATEGORY_CHOICES[key]


def _limit(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--limit takes a whole number, not {value!r}") from None
    if not 1 <= number <= 10_000:
        raise argparse.ArgumentTypeError("--limit must be between 1 and 10000")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="codedesk-cli", description="Look up US procedure codes (CPT I/II/III, HCPCS Level II).")
    parser.add_argument("--version", action="version", version=f"CodeDesk {__version__}")
    parser.add_argument("--db", type=Path, help="database file (default: $CODEDESK_DB or the user data folder)")
    parser.add_argument("--debug", action="store_true", help="log everything, and print the log (with the trace "
                        "of any internal error) on stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    search = commands.add_parser("search", help="search codes, prefixes (992*), ranges (99202-99205) or words")
    search.add_argument("query", nargs="+", help="what to look for")
    search.add_argument("--category", type=_category, help="I, II, III or HCPCS")
    search.add_argument("--limit", type=_limit, default=20, help="at most this many results (default 20)")
    search.add_argument("--json", action="store_true", help="print JSON")

    show = commands.add_parser("show", help="everything known about one code")
    show.add_argument("code")
    show.add_argument("--locality", help="payment amounts for a Medicare locality too (needs an imported GPCI "
                      "file; a key like 13202-01 or words like manhattan; see 'localities')")
    show.add_argument("--json", action="store_true")

    measure = commands.add_parser("measure", help="one quality measure: title, facts and its codes by role")
    measure.add_argument("measure", nargs="+", help="a measure number (236, 47, 024.01) or words of its title")
    measure.add_argument("--json", action="store_true")

    localities_cmd = commands.add_parser("localities", help="the Medicare payment localities of the imported GPCI file")
    localities_cmd.add_argument("--json", action="store_true")

    compare = commands.add_parser(
        "compare", help="2-4 codes side by side (compare 45384 45385); without codes, the code sets side by side")
    compare.add_argument("codes", nargs="*", help="2 to 4 codes; none: compare the categories")
    compare.add_argument("--json", action="store_true")

    validate = commands.add_parser("validate", help="check codes from a file (one per line, or the first CSV column)")
    validate.add_argument("file", help="a text/CSV file, or - for standard input")
    validate.add_argument("--json", action="store_true")

    commands.add_parser("info", help="database path, sources and counts")

    import_cmd = commands.add_parser("import", help="import CMS/AMA code files, folders or zips")
    import_cmd.add_argument("paths", nargs="+", type=Path)
    import_cmd.add_argument("--json", action="store_true")
    import_cmd.add_argument("--wait", type=float, default=WRITER_WAIT_SECONDS, metavar="SECONDS",
                            help="how long to wait for another import to finish (default "
                            f"{WRITER_WAIT_SECONDS:.0f})")

    sources = commands.add_parser("sources", help="list the data sources in the database")
    sources.add_argument("--json", action="store_true")

    remove = commands.add_parser("remove-source", help="remove an imported source by its id (see 'sources')")
    remove.add_argument("source_id", type=int)

    check = commands.add_parser("check", help="check the codes of one claim against the imported NCCI edits "
                                "(PTP pairs and MUE units), e.g. check 29881 29877-59 '20610 x2' --date 2026-07-15")
    check.add_argument("codes", nargs="+", help="codes with modifiers and units: 29881, 29877-59, 20610 x2")
    check.add_argument("--date", help="date of service (default today): 2026-07-15 or 07/15/2026")
    check.add_argument("--setting", choices=tuple(NcciSetting), default=NcciSetting.PRACTITIONER,
                       help="which NCCI tables: practitioner (default), outpatient hospital, or DME (MUE only)")
    check.add_argument("--json", action="store_true")

    changes = commands.add_parser("changes", help="what changed between two imported releases of one family")
    changes.add_argument("--family", help="cms-rvu, cms-hcpcs, ama-cpt, cms-qpp or cms-qpp-claims (default: the "
                         "first with two releases)")
    changes.add_argument("--from", dest="from_release", help="the older release (name or source id; default: the "
                         "one before --to)")
    changes.add_argument("--to", dest="to_release", help="the newer release (default: the newest)")
    changes.add_argument("--category", type=_category, help="only codes of I, II, III or HCPCS")
    changes.add_argument("--section", help="only codes of one section (its name, e.g. 'Musculoskeletal')")
    changes.add_argument("--json", action="store_true")
    changes.add_argument("--export", type=Path, help="also write every change to this .csv or .xlsx file")

    edits = commands.add_parser("edits", help="the NCCI PTP edits of one code (both directions) and its MUEs")
    edits.add_argument("code")
    edits.add_argument("--setting", choices=(NcciSetting.PRACTITIONER, NcciSetting.HOSPITAL),
                       default=NcciSetting.PRACTITIONER)
    edits.add_argument("--date", help="only edits in effect on this date of service")
    edits.add_argument("--page", type=int, default=1, help="page of 50 edits (default 1)")
    edits.add_argument("--json", action="store_true")
    for command in commands.choices.values():  # --debug after the command works too
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


# --- output helpers ----------------------------------------------------------------------------------


def _finite(data: object) -> object:
    """``data`` with NaN and infinities as null: a database written before imports refused them may hold one,
    and ``NaN`` is not JSON (every consumer of ``--json`` would fail on it)."""
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(value) for value in data]
    return data


def _print_json(data: object, out: TextIO) -> None:
    json.dump(_finite(data), out, ensure_ascii=False, indent=2, allow_nan=False)
    out.write("\n")


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _category_label(code_set: str | None) -> str:
    return CodeSet(code_set).label if code_set else "not a code"


# --- commands ----------------------------------------------------------------------------------------


def cmd_search(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    query = " ".join(args.query)
    result = store.search(query, SearchFilters(code_set=args.category), limit=args.limit, with_counts=True)
    measures = result.measures
    if result.parsed.error:
        raise UsageError(result.parsed.error)
    if args.json:
        _print_json({
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
        for m in measures:
            years = f" ({', '.join(m.years)})" if m.years else ""
            out.write(f"Measure {m.measure_id}{years}: {_clip(m.title, 80)}  → codedesk-cli measure {m.measure_id}\n")
        for hit in result.hits:
            section = hit.section[-1] if hit.section else ("modifier" if hit.kind == CodeKind.MODIFIER else "")
            flag = " [deleted]" if hit.status == CodeStatus.DELETED else ""
            out.write(f"{hit.code:<6} {hit.code_set:<5} {_clip(section, 28):<28}  {_clip(hit.title, 70)}{flag}\n")
            for check in hit.modifiers:
                out.write(f"  -{check.modifier}  {_check_text(check)}\n")
        for unknown in result.unknown:
            where = f"{' > '.join(unknown.section)}: " if unknown.section else ""
            out.write(f"{unknown.code:<6} {unknown.code_set or '':<5} {where}"
                      "not in your database (import your code files to see it)\n")
        if result.hits and result.total > len(result.hits):
            out.write(f"\u2026 {len(result.hits)} of {result.total}; use --limit to see more\n")
        if not result.hits and not result.unknown:
            out.write("No codes found.\n")
    return EXIT_OK if result.hits or measures else EXIT_NOT_FOUND


def _check_text(check: ModifierCheck) -> str:
    """One modifier on one code, in words: what it means, or why it does not fit."""
    if not check.fits:
        return f"does not fit: {check.reason}"
    return f"fits: {_clip(check.meaning, 90)}" + "".join(f" ({note})" for note in check.notes)


def cmd_show(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    detail = store.detail(args.code, locality=args.locality)
    if not detail.well_formed:
        raise UsageError(f"{_clip(args.code, 40)!r} is not a procedure code or modifier (codes look like 99213, "
                         "3074F, 0042T or G0438; modifiers like 25 or TC)")
    if args.locality and detail.localities == 0:
        raise UsageError("--locality needs an imported GPCI file (codedesk-cli import GPCI2026.csv)")
    if args.locality and detail.known and not any(p.where != "national" for p in detail.payments) \
            and detail.payments:
        raise UsageError(f"no single locality matches {_clip(args.locality, 40)!r}; see 'codedesk-cli localities'")
    if args.json:
        _print_json(detail.to_json(), out)
        return EXIT_OK if detail.known else EXIT_NOT_FOUND
    kind = "modifier" if detail.kind == CodeKind.MODIFIER else ""
    label = f"{_category_label(detail.code_set)} {kind}".strip() if detail.code_set else (kind or "not a code")
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
    status = detail.status + (f" on {detail.deleted_date}" if detail.deleted_date else "")
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


def _money(amount: object) -> str:
    return f"${amount:,.2f}" if amount is not None else "not paid in this setting"


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
            f"{a.setting} {_money(a.amount)}" for a in payment.amounts) + "\n")
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
        out.write(f"  {group.measure_id:<7} {_clip(group.title, 86) or '(no title: import the QPP measures file)'}\n")
        for line in group.lines:
            years = f"  [{', '.join(line.years)}]" if line.years else ""
            out.write(f"          {line.reported_as:<18} \u2192 {line.role_label}{years}\n")
    eligible = [g for g in groups if g.eligibility_only]
    if eligible:
        out.write(f"  Puts the patient in the eligible population (denominator) of {len(eligible)} "
                  f"measure{'s' if len(eligible) != 1 else ''}:\n")
        for group in eligible:
            years = f"  [{', '.join(group.years)}]" if group.years else ""
            out.write(f"  {group.measure_id:<7} {_clip(group.title, 80)}{years}\n")
    if not groups and detail.code_set == "II" and detail.kind == "code":
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
        _print_json(detail.to_json(), out)
        return EXIT_OK if detail.known else EXIT_NOT_FOUND
    if not detail.known:
        out.write(f"No measure {text!r} in your database. Import the CMS QPP measures files to see measures.\n")
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
            out.write(f"  {label}: {_clip(text, 100)}\n")
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
    if detail.eligibility:
        total = sum(len(v) for v in detail.eligibility.values())
        counts = ", ".join(f"{len(v):,} {_category_label(k) if k in ('I', 'II', 'III', 'HCPCS') else k}"
                           for k, v in detail.eligibility.items())
        out.write(f"\nEligible population (denominator): {total:,} procedure codes ({counts})\n")
        for code_set, codes in detail.eligibility.items():
            shown = ", ".join(codes[:12]) + (f", \u2026 (+{len(codes) - 12:,})" if len(codes) > 12 else "")
            out.write(f"  {code_set}: {shown}\n")
        if detail.eligibility_conditions:
            out.write(f"  Conditions: {'; '.join(detail.eligibility_conditions)}\n")


def cmd_localities(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    rows = store.localities()
    if args.json:
        _print_json([{"key": x.key, "mac": x.mac, "state": x.state, "locality": x.number, "name": x.name,
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


def cmd_compare_codes(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    codes = list(dict.fromkeys(normalize(c) for c in args.codes))
    try:
        check_code_count(codes)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    bad = [c for c in codes if classify(c) is None]
    if bad:
        raise UsageError(f"{_clip(bad[0], 40)!r} is not a procedure code or modifier")
    comparison = compare_codes([store.detail(c) for c in codes])
    if args.json:
        _print_json(comparison.to_json(), out)
        return EXIT_NOT_FOUND if comparison.unknown else EXIT_OK
    width = 34
    out.write(f"{'':<30}" + "".join(f"{code:<{width}}" for code in comparison.codes).rstrip() + "\n")
    for group in comparison.groups():
        out.write(f"\n{group}\n")
        for row in (r for r in comparison.rows if r.group == group):
            # \u2260 marks a row whose values differ; * a cell that stands apart from the others.
            cells = [textwrap.wrap(("* " if apart else "") + value, width - 2) or ["\u2014"]
                     for value, apart in zip(row.values, row.standout, strict=True)]
            labels = textwrap.wrap(("\u2260 " if row.differs else "  ") + row.label, 28)
            for line in range(max(len(labels), *(len(c) for c in cells))):
                label = labels[line] if line < len(labels) else ""
                out.write(f"{label:<30}" + "".join(
                    f"{(c[line] if line < len(c) else ''):<{width}}" for c in cells).rstrip() + "\n")
    for notice in comparison.notices:
        out.write(f"\n{notice}\n")
    if comparison.unknown:
        out.write(f"\nNot in your database: {', '.join(comparison.unknown)}\n")
        return EXIT_NOT_FOUND
    return EXIT_OK


def cmd_compare(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    if args.codes:
        return cmd_compare_codes(store, args, out)
    code_sets = [c.id for c in store.catalog.code_sets]
    rows = store.comparison(code_sets)
    if args.json:
        _print_json({
            "categories": [{"id": c.id, "name": c.name} for c in store.catalog.code_sets],
            "rows": [{"key": r.key, "label": r.label, "values": r.values, "examples": r.examples,
                      "differs": r.differs} for r in rows],
        }, out)
        return EXIT_OK
    width = 30
    out.write(f"{'':<22}" + "".join(f"{store.catalog.code_set(cs).name:<{width}}" for cs in code_sets) + "\n")
    for row in rows:
        cells = [textwrap.wrap(row.values.get(cs, ""), width - 2) or [""] for cs in code_sets]
        for line in range(max(len(c) for c in cells)):
            label = row.label if line == 0 else ""
            out.write(f"{_clip(label, 21):<22}" + "".join(
                f"{(c[line] if line < len(c) else ''):<{width}}" for c in cells).rstrip() + "\n")
    return EXIT_OK


@dataclass(frozen=True)
class _InputCode:
    line: int
    text: str


def _read_text(path: str, stdin: TextIO) -> str:
    if path == "-":
        return stdin.read()
    file_path = Path(path)
    if file_path.is_dir():
        raise UsageError(f"{path} is a folder; give a text or CSV file with one code per line")
    try:
        data = file_path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\0" in data[:4096]:
        raise UsageError(f"{path} is a binary file; give a text or CSV file with one code per line")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _first_cell(line: str) -> str:
    """The first CSV cell of one line; a stray quote or a huge line never swallows the lines after it."""
    if line.startswith('"'):
        closing = line.find('"', 1)
        return line[1:closing] if closing > 0 else line[1:].split(",", 1)[0]
    return line.split(",", 1)[0]


def _input_codes(path: str, stdin: TextIO) -> Iterator[_InputCode]:
    """One code per line, or the first column of a CSV; blank lines, ``#`` comments and banner or header
    rows before the first code are skipped. Lines may end in LF, CRLF or CR."""
    if path != "-" and path.lower().endswith(".xlsx"):
        yield from _xlsx_first_column(Path(path))
        return
    seen_code = False
    for line_no, line in enumerate(_read_text(path, stdin).splitlines(), start=1):
        first = _first_cell(line).strip()
        if not first or first.startswith("#"):
            continue
        is_code_like = classify(normalize(first)) is not None or parse_modified_code(first) is not None
        if not seen_code and not is_code_like and first.replace(" ", "").isalpha():
            continue  # banner or header rows before the first code, such as "code" or "HCPCS"
        seen_code = seen_code or is_code_like
        yield _InputCode(line_no, first[:100])


def _xlsx_first_column(path: Path) -> Iterator[_InputCode]:
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise UsageError(f"cannot read {path} as an Excel workbook: {exc}") from exc
    sheet = workbook.worksheets[0]
    for line_no, row in enumerate(sheet.iter_rows(max_col=1, values_only=True), start=1):
        value = str(row[0]).strip() if row and row[0] is not None else ""
        if not value or (line_no == 1 and classify(normalize(value)) is None and parse_modified_code(value) is None):
            continue
        yield _InputCode(line_no, value)
    workbook.close()


def validate_codes(store: CodeStore, items: Iterable[_InputCode]) -> Iterator[dict[str, object]]:
    """One record per input line. A code may carry modifiers (``99213-25``, ``27447 RT 59``): each must exist
    and fit the code, or the line is invalid and ``reason`` says why. A bare modifier must be one CodeDesk
    knows (bundled or imported), not any two characters."""
    for item in items:
        modified = parse_modified_code(item.text)
        code = modified.code if modified else normalize(item.text)
        shape = classify(code)
        record: dict[str, object] = {"line": item.line, "input": item.text, "code": code,
                                     "valid": shape is not None, "modifiers": [], "reason": None}
        if shape is None:
            record.update(category=None, section=[], title="", known=False, status="invalid", kind=None,
                          deleted_date=None,
                          reason="not shaped like a procedure code or modifier (codes look like 99213, 3074F, "
                                 "0042T or G0438; a code with modifiers like 99213-25)")
            yield record
            continue
        row = store.conn.execute("SELECT status, title, code_set, kind, deleted_date FROM codes WHERE code = ?",
                                 (code,)).fetchone()
        section = store.catalog.section_for(code)
        is_modifier = shape is Shape.MODIFIER
        category = row["code_set"] if row else code_set_for(code).value  # type: ignore[union-attr]
        record.update(
            category=category,
            section=[s.name for s in store.catalog.section_path(section.id)] if section else [],
            title=row["title"] if row else "",
            known=row is not None,
            status=(row["status"] if row else "unknown"),
            kind=CodeKind.MODIFIER if is_modifier else CodeKind.CODE,
            deleted_date=(row["deleted_date"] or None) if row else None,
            reason=(None if row is None or row["status"] != CodeStatus.DELETED else
                    f"deleted on {row['deleted_date']}" if row["deleted_date"] else "deleted")
            if row else "well formed, but not in your database",
        )
        if is_modifier and (row is None or row["kind"] != CodeKind.MODIFIER):
            record.update(valid=False, known=False, status="invalid",
                          reason=f"{code} is not a modifier CodeDesk knows (not bundled, not in your imported files)")
        if modified:
            checks = store.modifier_checks(code, category, modified.modifiers)
            record["modifiers"] = [c.to_json() for c in checks]
            bad = [c for c in checks if not c.fits]
            if bad:
                record.update(valid=False, status="invalid",
                              reason="; ".join(f"-{c.modifier}: {c.reason}" for c in bad))
        yield record


def cmd_validate(store: CodeStore, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    records = list(validate_codes(store, _input_codes(args.file, stdin)))
    if not records:
        raise UsageError(f"{'standard input' if args.file == '-' else args.file} has no codes to check")
    tally: dict[str, int] = {}
    for record in records:
        tally[str(record["status"])] = tally.get(str(record["status"]), 0) + 1
    if args.json:
        _print_json(records, out)
    else:
        for r in records:
            written = "-".join([str(r["code"]), *(str(m["modifier"]) for m in r["modifiers"])])  # type: ignore[attr-defined]
            # The descriptor when known, else why not; a deleted code or an unfit modifier says so.
            said = str(r["title"]) if r["known"] else str(r["reason"])
            if r["known"] and r["reason"]:
                said = f"{r['reason']}: {said}"
            # A descriptor is clipped to the line; our own reason (why a code is invalid or unknown) is not.
            out.write(f"{r['line']:>6}  {written[:18]:<18} {r['status']:<8} {r['category'] or '-':<5} "
                      f"{_clip(said, 90) if r['known'] else ' '.join(said.split())}\n")
        out.write(f"{len(records)} codes: " + ", ".join(f"{n} {s}" for s, n in sorted(tally.items())) + "\n")
    return EXIT_OK if tally.get("invalid", 0) == 0 and tally.get("unknown", 0) == 0 else EXIT_NOT_FOUND


def cmd_info(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    out.write(f"Database: {store.path}\nSchema: {SCHEMA_VERSION}\n\nSources:\n")
    for source in store.sources():
        release = f" {source.release}" if not release_in_name(source.name, source.release) else ""
        out.write(f"  [{source.id}] {source.name}{release} \u2014 {printable(source.file_name)}, "
                  f"loaded {loaded_at_text(source.loaded_at)}\n")
    out.write("\nCodes:\n")
    for code_set, counts in store.code_counts().items():
        out.write(f"  {_category_label(code_set):<18} {counts['codes']:>7,} codes ({counts['active']:,} active, "
                  f"{counts['deleted']:,} deleted), {counts['modifiers']:,} modifiers\n")
    return EXIT_OK


def cmd_sources(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    sources = store.sources()
    if args.json:
        _print_json([s.to_json() for s in sources], out)
    else:
        for s in sources:
            release = f" {s.release}" if not release_in_name(s.name, s.release) else ""
            out.write(f"{s.id:>3}  {s.kind:<10} {s.name}{release}  ({printable(s.file_name)})\n")
    return EXIT_OK


def cmd_import(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    from desktop_app.core.importers import import_paths

    for path in args.paths:
        if not path.exists():
            if path.is_symlink():
                target = "points back to itself (a link loop)" if _is_link_loop(path) else "points to nothing"
                raise UsageError(f"{printable(str(path))}: the symbolic link {target}")
            raise UsageError(f"{printable(str(path))}: no such file or folder")

    told_waiting = False

    def progress(message: str, done: int, total: int) -> None:
        nonlocal told_waiting
        if message.startswith("Waiting for the other import"):
            # Shown even without a terminal: a script must see why it is not finishing.
            if not told_waiting:
                told_waiting = True
                sys.stderr.write(f"codedesk-cli: another import is writing to the database; waiting for the other "
                                 f"import to finish (at most {args.wait:.0f} s; Ctrl+C cancels)\u2026\n")
                sys.stderr.flush()
            elif sys.stderr.isatty():
                sys.stderr.write(f"\r{message}   ")
            return
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{message} {done:,}/{total:,}   ")

    summaries = import_paths(store.conn, args.paths, progress=progress, keep=True, lock_wait=max(args.wait, 0.0))
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    if args.json:
        _print_json([s.__dict__ for s in summaries], out)
        return EXIT_OK
    for s in summaries:
        release = f" {s.release}" if not release_in_name(s.source_name, s.release) else ""
        out.write(f"{printable(s.file_name)}: {s.source_name}{release} \u2014 {s.added:,} added, "
                  f"{s.updated:,} updated, {s.unchanged:,} unchanged, {s.modifiers:,} modifiers, "
                  f"{s.measures:,} measures ({s.seconds:.2f} s)\n")
        for warning in s.warnings:
            out.write(f"  warning: {printable(warning)}\n")
        for note in getattr(s, "notes", []):
            out.write(f"  note: {printable(note)}\n")
    return EXIT_OK


def _is_link_loop(path: Path) -> bool:
    try:
        path.stat()
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def cmd_remove_source(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    from desktop_app.core.importers import remove_source

    if not any(s.id == args.source_id for s in store.sources()):
        raise UsageError(f"there is no source {args.source_id} (see 'codedesk-cli sources')")
    remove_source(store.conn, args.source_id)
    out.write(f"Removed source {args.source_id}.\n")
    return EXIT_OK


def cmd_check(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    from datetime import date

    from desktop_app.core import ncci

    lines = ncci.parse_claim(", ".join(args.codes))
    on = ncci.parse_date(args.date) if args.date else date.today()
    result = ncci.check_claim(store.conn, lines, on, args.setting)
    if args.json:
        _print_json(result.to_json(), out)
        return EXIT_OK
    out.write(f"Claim, date of service {result.date_of_service}, {ncci.SETTING_LABELS[args.setting]}: "
              + ", ".join(ln.label() for ln in lines) + "\n")
    if result.ptp_release is not None:
        out.write(f"PTP edits (CMS NCCI version {result.ptp_release.version}):\n")
        if not result.ptp:
            out.write("  none of these codes pairs with another in an edit in effect on that date\n")
        for p in result.ptp:
            mark = "ok  " if p.bypassed else "DENY"
            out.write(f"  {mark} {p.message}\n")
            until = f"through {p.deletion_date}" if p.deletion_date else "no deletion date"
            out.write(f"       column 1 {p.column1}, column 2 {p.column2}; modifier indicator {p.modifier_indicator} "
                      f"({p.modifier_indicator_meaning}); {p.rationale}; effective {p.effective_date}, {until}\n")
        for n in result.ptp_not_in_effect:
            out.write(f"  --   {n.column1}/{n.column2} does not apply on that date: {n.reason}\n")
    if result.mue_release is not None:
        out.write(f"MUE (table effective {result.mue_release.version}):\n")
        for m in result.mue:
            out.write(f"  {'OVER' if m.exceeded else 'ok  '} {m.message} ({m.adjudication}; {m.rationale})\n")
        listed = {m.code for m in result.mue}
        missing = sorted({ln.code for ln in lines} - listed)
        if missing:
            out.write(f"       no MUE for {', '.join(missing)}\n")
    for note in result.notes:
        out.write(f"Note: {note}\n")
    out.write(f"{ncci.NOTICE}\n")
    return EXIT_OK


def cmd_changes(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    from desktop_app.core.changes import FAMILY_LABELS, compare

    report = compare(store.conn, args.family, args.from_release, args.to_release, args.category, args.section)
    if args.export:
        from desktop_app.core.changes import export

        try:
            export(report, str(args.export))
        except OSError as exc:
            raise UsageError(f"cannot write {printable(str(args.export))}: {exc.strerror or exc}") from None
    data = report.to_json()
    if args.json:
        _print_json(data, out)
        return EXIT_OK
    counts: dict[str, int] = data["counts"]  # type: ignore[assignment]
    out.write(f"{FAMILY_LABELS[report.family]}: {report.old.release} ({report.old.effective_date or 'no date'}) "
              f"\u2192 {report.new.release} ({report.new.effective_date or 'no date'})\n")
    out.write(", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in counts.items()) + "\n")

    def listing(title: str, items: list[str]) -> None:
        if items:
            more = f" \u2026 and {len(items) - 60:,} more (--json lists all)" if len(items) > 60 else ""
            out.write(f"{title} ({len(items):,}): {', '.join(items[:60])}{more}\n")

    listing("Added", report.added)
    listing("Deleted", [d["code"] + (f" ({d['deleted_date']})" if d["deleted_date"] else "") for d in report.deleted])
    listing("Reinstated", report.reinstated)
    for d in report.descriptors[:40]:
        out.write(f"  {d.code} {d.kind}: {_clip(d.old, 70)!r} \u2192 {_clip(d.new, 70)!r}\n")
    if len(report.descriptors) > 40:
        out.write(f"  \u2026 {len(report.descriptors) - 40:,} more descriptor changes (--json lists all)\n")
    for f in report.facts[:40]:
        delta = f" ({f.delta:+g})" if f.delta is not None else ""
        out.write(f"  {f.code} {f.fact}: {f.old} \u2192 {f.new}{delta}\n")
    if len(report.facts) > 40:
        out.write(f"  \u2026 {len(report.facts) - 40:,} more fact changes (--json lists all)\n")
    for r in report.roles[:40]:
        out.write(f"  measure {r.measure_id}: {r.code}{'-' + r.modifier if r.modifier else ''} {r.role} {r.change}\n")
    wrong = [a for a in report.action_checks if not a.agrees]
    if report.action_checks:
        out.write(f"HCPCS action codes: {len(report.action_checks) - len(wrong):,} of {len(report.action_checks):,} "
                  "agree with the computed change (they describe the change from CMS's previous release, so releases "
                  "that are not consecutive disagree more)\n")
        for a in wrong[:20]:
            out.write(f"  {a.code}: action {a.action_code}, computed {', '.join(a.computed)}\n")
    return EXIT_OK


def cmd_edits(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    from desktop_app.core import ncci

    code = normalize(args.code)
    if classify(code) is None:
        raise UsageError(f"{_clip(args.code, 40)!r} is not a procedure code")
    if args.page < 1:
        raise UsageError("--page starts at 1")
    on = ncci.parse_date(args.date) if args.date else None
    page = ncci.code_edits(store.conn, code, args.setting, on=on, offset=(args.page - 1) * ncci.EDIT_PAGE)
    mues = ncci.code_mues(store.conn, code, on)
    if args.json:
        _print_json({
            "code": code, "setting": args.setting, "on": page.on, "total": page.total,
            "as_column1": page.as_column1, "as_column2": page.as_column2, "page": args.page,
            "page_size": ncci.EDIT_PAGE, "edits": [e.__dict__ for e in page.edits],
            "mue": [m.__dict__ for m in mues], "notice": ncci.NOTICE,
        }, out)
        return EXIT_OK if page.release is not None or mues else EXIT_NOT_FOUND
    if page.release is None:
        out.write(f"No {ncci.SETTING_LABELS[args.setting]} PTP edits are imported.\n")
    else:
        out.write(f"{code}: {page.total:,} PTP edits ({page.as_column1:,} as column 1, {page.as_column2:,} as "
                  f"column 2), NCCI version {page.release.version}, page {args.page}\n")
        for e in page.edits:
            until = e.deletion_date or "*"
            state = "in effect" if e.in_effect else "not in effect"
            out.write(f"  {e.column1} / {e.column2}  {e.effective_date} to {until}  modifier {e.modifier_indicator}  "
                      f"{state}  {e.rationale}\n")
    for m in mues:
        units = f"{m.units} unit{'' if m.units == 1 else 's'}"
        out.write(f"MUE ({ncci.SETTING_LABELS[m.setting]}): {units}, {m.adjudication}; {m.rationale}\n")
    out.write(f"{ncci.NOTICE}\n")
    return EXIT_OK if page.release is not None or mues else EXIT_NOT_FOUND


COMMANDS = {
    "changes": cmd_changes,
    "check": cmd_check,
    "edits": cmd_edits,
    "search": cmd_search,
    "show": cmd_show,
    "measure": cmd_measure,
    "localities": cmd_localities,
    "compare": cmd_compare,
    "info": cmd_info,
    "import": cmd_import,
    "sources": cmd_sources,
    "remove-source": cmd_remove_source,
}


def _one_line(message: str, width: int = 400) -> str:
    """Errors are one line on stderr: control characters from paths or input escaped (a file name cannot break
    the line or send terminal escape sequences), very long input clipped."""
    return _clip(printable(message), width)


def _open_checked(db_path: Path, err: TextIO) -> OpenedReference:
    """Open the reference database with its checks (a damaged one is set aside and rebuilt; after an unclean end
    the whole file is checked first) and salvage a damaged user database; each repair is told in one line."""
    def progress(message: str, done: int, total: int) -> None:
        if err.isatty():  # a rebuild reads every kept import again: a terminal sees it move
            err.write(f"\r{_clip(printable(message), 100)} {done:,}/{total:,}   " if total else f"{message}\n")

    opened = open_reference(db_path, progress=progress)
    if opened.needs_full_check:
        err.write(f"codedesk-cli: {_one_line(opened.session.unclean)}; checking the whole database first\n")
        problem = full_check(db_path)
        if problem:
            opened.close()
            mark_damaged(db_path, problem)
            opened = open_reference(db_path, progress=progress)
        else:
            check_passed(db_path)
    for notice in opened.notices:
        err.write(f"codedesk-cli: {_one_line(notice, 1000)}\n")
    user_path = default_userdata_path(db_path)
    if user_path.exists():
        try:
            user = open_userdata(user_path)
        except (CodeDeskError, OSError, sqlite3.Error) as exc:
            err.write(f"codedesk-cli: your notes and favourites file could not be opened or repaired: "
                      f"{_one_line(str(exc))}\n")
        else:
            user.userdata.close()
            for message in user.messages():
                err.write(f"codedesk-cli: {_one_line(message, 1000)}\n")
    return opened


def run(argv: Sequence[str], out: TextIO, err: TextIO, stdin: TextIO) -> int:
    db_path: Path | str = "the database"
    log_file: Path | None = None
    try:
        args = build_parser().parse_args(argv)
        log_file = configure_logging("codedesk-cli", debug=args.debug, console=err)
        log.debug("codedesk-cli %s: %s", __version__, " ".join(argv))
        if not args.command:
            raise UsageError("no command given; try 'codedesk-cli search 99213' (see 'codedesk-cli --help')")
        db_path = args.db or default_db_path()
        opened = _open_checked(Path(db_path), err)
        store = opened.store
        try:
            if args.command == "validate":
                return cmd_validate(store, args, out, stdin)
            return COMMANDS[args.command](store, args, out)
        finally:
            opened.close()
    except CodeDeskError as exc:  # UserError and its kinds, or a cancelled import
        log.info("user error: %s", exc)
        err.write(f"codedesk-cli: {_one_line(str(exc))}\n")
        return EXIT_USAGE
    except sqlite3.Error as exc:
        if not is_environment_problem(exc):  # SQL that CodeDesk got wrong: a bug, whatever the file holds
            return _internal_error(exc, err, log_file)
        # the database failed mid-command: damaged, locked, disk full, read-only
        log.warning("database problem (%s): %s", sqlite_error_name(exc), exc)
        err.write(f"codedesk-cli: {_one_line(database_problem(db_path, exc))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("codedesk-cli: interrupted\n")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: one line for the user, the trace in the log
        return _internal_error(exc, err, log_file)


def _internal_error(exc: BaseException, err: TextIO, log_file: Path | None) -> int:
    log.exception("internal error")
    where = f"; details are in {log_file}" if log_file is not None else ""
    err.write(f"codedesk-cli: internal error ({type(exc).__name__}: {_one_line(str(exc))}){printable(where)}; "
              "please report it\n")
    return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    # Query text can hold any character; make sure printing it never fails on a narrow console encoding.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    return run(list(sys.argv[1:] if argv is None else argv), sys.stdout, sys.stderr, sys.stdin)


if __name__ == "__main__":
    sys.exit(main())
