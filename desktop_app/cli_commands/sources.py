"""codedesk-cli info, sources, import, remove-source and changes: the data in the database."""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path
from typing import TextIO

from desktop_app.cli_commands.common import (
    EXIT_OK,
    UsageError,
    category_label,
    clip_changed,
    print_json,
)
from desktop_app.core.code_compare import loaded_at_text, release_in_name
from desktop_app.core.database import (
    SCHEMA_VERSION,
)
from desktop_app.core.errors import printable
from desktop_app.core.store import CodeStore


def cmd_info(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    if args.json:
        per_category = store.code_counts()
        print_json({
            "database": str(store.path),
            "schema": SCHEMA_VERSION,
            "sources": [s.to_json() for s in store.sources()],
            "counts": per_category,
            "total": {key: sum(c[key] for c in per_category.values()) for key in ("codes", "active", "deleted",
                                                                          "modifiers")},
        }, out)
        return EXIT_OK
    out.write(f"Database: {store.path}\nSchema: {SCHEMA_VERSION}\n\nSources:\n")
    for source in store.sources():
        release = f" {source.release}" if not release_in_name(source.name, source.release) else ""
        out.write(f"  [{source.id}] {source.name}{release} \u2014 {printable(source.file_name)}, "
                  f"loaded {loaded_at_text(source.loaded_at)}\n")
    out.write("\nCodes:\n")
    for code_set, counts in store.code_counts().items():
        out.write(f"  {category_label(code_set):<18} {counts['codes']:>7,} codes ({counts['active']:,} active, "
                  f"{counts['deleted']:,} deleted), {counts['modifiers']:,} modifiers\n")
    return EXIT_OK


def cmd_sources(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    sources = store.sources()
    if args.json:
        print_json([s.to_json() for s in sources], out)
    else:
        kind_width = max((len(s.kind) for s in sources), default=0)  # "cms-qpp-claims" ran into the name
        for s in sources:
            release = f" {s.release}" if not release_in_name(s.name, s.release) else ""
            out.write(f"{s.id:>3}  {s.kind:<{kind_width}}  {s.name}{release}  ({printable(s.file_name)})\n")
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
        print_json([s.__dict__ for s in summaries], out)
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
    removed = next(s for s in store.sources() if s.id == args.source_id)
    remove_source(store.conn, args.source_id)
    if args.json:
        print_json({"removed": removed.to_json()}, out)
    else:
        out.write(f"Removed source {args.source_id}.\n")
    return EXIT_OK


def cmd_changes(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    from desktop_app.core.changes import FAMILY_LABELS, compare, fact_text

    report = compare(store.conn, args.family, args.from_release, args.to_release, args.category, args.section)
    if args.export:
        from desktop_app.core.changes import export

        try:
            export(report, str(args.export))
        except OSError as exc:
            raise UsageError(f"cannot write {printable(str(args.export))}: {exc.strerror or exc}") from None
    data = report.to_json()
    if args.json:
        print_json(data, out)
        return EXIT_OK
    out.write(f"{FAMILY_LABELS[report.family]}: {report.old.release} ({report.old.effective_date or 'no date'}) "
              f"\u2192 {report.new.release} ({report.new.effective_date or 'no date'})\n")
    out.write(", ".join(f"{n:,} {words}" for words, n in report.shown_counts()) + "\n")
    if not report.roles_comparable:
        out.write(f"Measure roles not compared: {report.roles_note}\n")

    def listing(title: str, items: list[str]) -> None:
        if items:
            more = f" \u2026 and {len(items) - 60:,} more (--json lists all)" if len(items) > 60 else ""
            out.write(f"{title} ({len(items):,}): {', '.join(items[:60])}{more}\n")

    listing("Added", report.added)
    listing("Deleted", [d["code"] + (f" (as of {d['deleted_date']})" if d["deleted_date"] else "")
                        for d in report.deleted])
    listing("Reinstated", report.reinstated)
    listing("Added and deleted between the two",
            [d["code"] + f" (deleted as of {d['deleted_date']})" for d in report.added_and_deleted])
    for d in report.descriptors[:40]:
        old, new = clip_changed(d.old, d.new, 70)
        out.write(f"  {d.code} {d.kind}: {old!r} \u2192 {new!r}\n")
    if len(report.descriptors) > 40:
        out.write(f"  \u2026 {len(report.descriptors) - 40:,} more descriptor changes (--json lists all)\n")
    for f in report.facts[:40]:
        delta = f" ({f.delta:+g})" if f.delta is not None else ""
        out.write(f"  {f.code} {f.fact.replace('_', ' ')}: {fact_text(f.old)} \u2192 {fact_text(f.new)}{delta}\n")
    if len(report.facts) > 40:
        out.write(f"  \u2026 {len(report.facts) - 40:,} more fact changes (--json lists all)\n")
    for r in report.roles[:40]:
        out.write(f"  measure {r.measure_id}: {r.code}{'-' + r.modifier if r.modifier else ''} {r.role} {r.change}\n")
    if len(report.roles) > 40:
        out.write(f"  \u2026 {len(report.roles) - 40:,} more role changes (--json lists all)\n")
    listing("Measures added", report.measures_added)
    listing("Measures removed", report.measures_removed)
    for t in report.titles_changed[:40]:
        old, new = clip_changed(t.old, t.new, 70)
        out.write(f"  measure {t.measure_id} title: {old!r} \u2192 {new!r}\n")
    if len(report.titles_changed) > 40:
        out.write(f"  \u2026 {len(report.titles_changed) - 40:,} more title changes (--json lists all)\n")
    wrong = [a for a in report.action_checks if not a.agrees]
    if report.action_checks:
        out.write(f"HCPCS action codes: {len(report.action_checks) - len(wrong):,} of {len(report.action_checks):,} "
                  "agree with the computed change (they describe the change from CMS's previous release, so releases "
                  "that are not consecutive disagree more)\n")
        for a in wrong[:20]:
            out.write(f"  {a.code}: action {a.action_code}, computed {', '.join(a.computed)}\n")
    return EXIT_OK
