"""``codedesk-cli``: the CodeDesk engine for scripts and terminals. Uses the core only.

Exit codes: 0 ok; 1 nothing found or unknown code; 2 bad usage, bad input or an unusable database,
always with one line on stderr and never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import sqlite3
import sys
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TextIO

from desktop_app import __version__
from desktop_app.core.code_compare import check_code_count, compare_codes, release_in_name
from desktop_app.core.database import SCHEMA_VERSION, database_problem, default_db_path
from desktop_app.core.details import CodeDetail
from desktop_app.core.errors import CodeDeskError, UserError, printable
from desktop_app.core.fee_schedule import fact_rows
from desktop_app.core.grammar import CodeSet, classify, code_set_for, normalize
from desktop_app.core.measures import MeasureDetail, group_links, humanize
from desktop_app.core.reference import BUNDLED_KIND
from desktop_app.core.search import SearchFilters
from desktop_app.core.store import CodeStore

EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE = 0, 1, 2
CATEGORY_CHOICES = {"I": "I", "1": "I", "II": "II", "2": "II", "III": "III", "3": "III", "HCPCS": "HCPCS"}


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

    sources = commands.add_parser("sources", help="list the data sources in the database")
    sources.add_argument("--json", action="store_true")

    remove = commands.add_parser("remove-source", help="remove an imported source by its id (see 'sources')")
    remove.add_argument("source_id", type=int)
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
            section = hit.section[-1] if hit.section else ""
            flag = " [deleted]" if hit.status == "deleted" else ""
            out.write(f"{hit.code:<6} {hit.code_set:<5} {_clip(section, 28):<28}  {_clip(hit.title, 70)}{flag}\n")
        for unknown in result.unknown:
            where = f"{' > '.join(unknown.section)}: " if unknown.section else ""
            out.write(f"{unknown.code:<6} {unknown.code_set or '':<5} {where}"
                      "not in your database (import your code files to see it)\n")
        if result.hits and result.total > len(result.hits):
            out.write(f"\u2026 {len(result.hits)} of {result.total}; use --limit to see more\n")
        if not result.hits and not result.unknown:
            out.write("No codes found.\n")
    return EXIT_OK if result.hits or measures else EXIT_NOT_FOUND


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
    kind = "modifier" if detail.kind == "modifier" else ""
    label = f"{_category_label(detail.code_set)} {kind}".strip() if detail.code_set else (kind or "not a code")
    out.write(f"{detail.code}  {label}\n")
    if detail.section:
        out.write("Section: " + " > ".join(f"{s.name} ({s.ranges})" for s in detail.section) + "\n")
    if not detail.known:
        imported = [x for x in store.sources() if x.kind != BUNDLED_KIND]
        hint = (f"None of your {len(imported)} imported source(s) lists it: it may be new, deleted long ago, "
                "or mistyped.\n" if imported else
                "Import your code files (codedesk-cli import …) to see its descriptors.\n")
        out.write(f"Not in your database. By its shape it is a {detail.shape}.\n" + hint)
        _write_measures(detail, out)
        return EXIT_NOT_FOUND
    status = detail.status + (f" on {detail.deleted_date}" if detail.deleted_date else "")
    out.write(f"Status: {status}\n")
    for descriptor in detail.descriptors:
        source = descriptor.source
        release = f" {source.release}" if not release_in_name(source.name, source.release) \
            and not source.is_ours else ""
        out.write(f"\n{descriptor.label} \u2014 {source.name}{release}:\n")
        out.write(textwrap.fill(descriptor.text, 96, initial_indent="  ", subsequent_indent="  ") + "\n")
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
    return EXIT_OK


def _money(amount: object) -> str:
    return f"${amount:,.2f}" if amount is not None else "not paid in this setting"


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
        is_code_like = classify(normalize(first)) is not None
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
        if not value or (line_no == 1 and classify(normalize(value)) is None):
            continue
        yield _InputCode(line_no, value)
    workbook.close()


def validate_codes(store: CodeStore, items: Iterable[_InputCode]) -> Iterator[dict[str, object]]:
    for item in items:
        code = normalize(item.text)
        shape = classify(code)
        record: dict[str, object] = {"line": item.line, "input": item.text, "code": code,
                                     "valid": shape is not None}
        if shape is None:
            record.update(category=None, section=[], title="", known=False, status="invalid", kind=None,
                          deleted_date=None, reason="not shaped like a procedure code or modifier")
            yield record
            continue
        row = store.conn.execute("SELECT status, title, code_set, deleted_date FROM codes WHERE code = ?",
                                 (code,)).fetchone()
        section = store.catalog.section_for(code)
        record.update(
            category=row["code_set"] if row else code_set_for(code).value,  # type: ignore[union-attr]
            section=[s.name for s in store.catalog.section_path(section.id)] if section else [],
            title=row["title"] if row else "",
            known=row is not None,
            status=(row["status"] if row else "unknown"),
            kind="modifier" if shape.name == "MODIFIER" else "code",
            deleted_date=(row["deleted_date"] or None) if row else None,
            reason=("" if row is None or row["status"] != "deleted" else
                    f"deleted on {row['deleted_date']}" if row["deleted_date"] else "deleted")
            if row else "well formed, but not in your database",
        )
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
            # The descriptor when known, else why not; a deleted code says when.
            said = str(r["title"]) if r["known"] else str(r["reason"])
            if r["known"] and r["reason"]:
                said = f"{r['reason']}: {said}"
            out.write(f"{r['line']:>6}  {str(r['code'])[:12]:<12} {r['status']:<8} {r['category'] or '-':<5} "
                      f"{_clip(said, 90)}\n")
        out.write(f"{len(records)} codes: " + ", ".join(f"{n} {s}" for s, n in sorted(tally.items())) + "\n")
    return EXIT_OK if tally.get("invalid", 0) == 0 and tally.get("unknown", 0) == 0 else EXIT_NOT_FOUND


def cmd_info(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    out.write(f"Database: {store.path}\nSchema: {SCHEMA_VERSION}\n\nSources:\n")
    for source in store.sources():
        release = f" {source.release}" if not release_in_name(source.name, source.release) else ""
        out.write(f"  [{source.id}] {source.name}{release} \u2014 {printable(source.file_name)}, "
                  f"loaded {source.loaded_at}\n")
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

    def progress(message: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{message} {done:,}/{total:,}   ")

    summaries = import_paths(store.conn, args.paths, progress=progress)
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


COMMANDS = {
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


def run(argv: Sequence[str], out: TextIO, err: TextIO, stdin: TextIO) -> int:
    db_path: Path | str = "the database"
    try:
        args = build_parser().parse_args(argv)
        if not args.command:
            raise UsageError("no command given; try 'codedesk-cli search 99213' (see 'codedesk-cli --help')")
        db_path = args.db or default_db_path()
        store = CodeStore.open(db_path)
        try:
            if args.command == "validate":
                return cmd_validate(store, args, out, stdin)
            return COMMANDS[args.command](store, args, out)
        finally:
            store.close()
    except CodeDeskError as exc:  # UserError and its kinds, or a cancelled import
        err.write(f"codedesk-cli: {_one_line(str(exc))}\n")
        return EXIT_USAGE
    except sqlite3.Error as exc:  # the database failed mid-command: damaged, locked, disk full
        err.write(f"codedesk-cli: {_one_line(database_problem(db_path, exc))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("codedesk-cli: interrupted\n")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: still one line, never a traceback in the user's terminal
        err.write(f"codedesk-cli: internal error ({type(exc).__name__}: {_one_line(str(exc))}); please report it\n")
        return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    # Query text can hold any character; make sure printing it never fails on a narrow console encoding.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    return run(list(sys.argv[1:] if argv is None else argv), sys.stdout, sys.stderr, sys.stdin)


if __name__ == "__main__":
    sys.exit(main())
