"""codedesk-cli compare: codes side by side, or the code categories side by side."""

from __future__ import annotations

import argparse
import textwrap
from typing import TextIO

from desktop_app.cli_commands.common import (
    EXIT_NOT_FOUND,
    EXIT_OK,
    UsageError,
    clip,
    print_json,
)
from desktop_app.core.code_compare import check_code_count, compare_codes
from desktop_app.core.grammar import classify, normalize
from desktop_app.core.store import CodeStore


def cmd_compare_codes(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    given = [normalize(c) for c in args.codes]
    codes = list(dict.fromkeys(given))
    try:
        check_code_count(codes, given)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    bad = [c for c in codes if classify(c) is None]
    if bad:
        raise UsageError(f"{clip(bad[0], 40)!r} is not a procedure code or modifier")
    comparison = compare_codes([store.detail(c) for c in codes])
    if args.json:
        print_json(comparison.to_json(), out)
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
        print_json({
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
            out.write(f"{clip(label, 21):<22}" + "".join(
                f"{(c[line] if line < len(c) else ''):<{width}}" for c in cells).rstrip() + "\n")
    return EXIT_OK
