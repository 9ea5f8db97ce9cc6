"""codedesk-cli check and edits: a claim against the imported NCCI edits, and one code's edits."""

from __future__ import annotations

import argparse
from typing import TextIO

from desktop_app.cli_commands.common import (
    EXIT_NOT_FOUND,
    EXIT_OK,
    UsageError,
    clip,
    print_json,
)
from desktop_app.core.grammar import classify, normalize
from desktop_app.core.store import CodeStore


def cmd_check(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    from datetime import date

    from desktop_app.core import ncci

    lines = ncci.parse_claim(", ".join(args.codes))
    on = ncci.parse_date(args.date) if args.date else date.today()
    result = ncci.check_claim(store.conn, lines, on, args.setting)
    status = EXIT_NOT_FOUND if result.has_denials else EXIT_OK
    if args.json:
        print_json(result.to_json(), out)
        return status
    out.write(f"Claim, date of service {result.date_of_service}, {ncci.SETTING_LABELS[args.setting]}: "
              + ", ".join(ln.label() for ln in lines) + "\n")
    release = result.ptp_release
    if release is not None:
        out.write(f"PTP edits (CMS NCCI version {release.version}; used: {release.parts_text}):\n")
        if not result.ptp:
            where = "in an edit in effect on that date"
            out.write(f"  none of these codes pairs with another {where}" + (
                "" if not result.pairs_partly_unchecked else
                f" in the imported parts; parts {', '.join(map(str, release.missing_parts))} were not checked")
                + "\n")
        for p in result.ptp:
            mark = "ok  " if p.bypassed else "DENY"
            out.write(f"  {mark} {p.message}\n")
            until = f"through {p.deletion_date}" if p.deletion_date else "no deletion date"
            out.write(f"       column 1 {p.column1}, column 2 {p.column2}; modifier indicator {p.modifier_indicator} "
                      f"({p.modifier_indicator_meaning}); {p.rationale}; effective {p.effective_date}, {until}\n")
        for n in result.ptp_not_in_effect:
            out.write(f"  --   {n.column1}/{n.column2} does not apply on that date: {n.reason}\n")
    mues = result.mue_release
    if mues is not None:
        out.write(f"MUE (table effective {mues.version}):\n")
        if not result.mue_in_effect:
            out.write(f"       not in effect on {result.date_of_service} (in effect from {mues.effective_date}): "
                      "units not checked\n")
        for m in result.mue:
            out.write(f"  {'OVER' if m.exceeded else 'ok  '} {m.message} ({m.adjudication}; {m.rationale})\n")
        if result.codes_without_mue:
            out.write(f"       no MUE for {', '.join(result.codes_without_mue)}\n")
    if result.codes_invalid:
        out.write("Codes:\n")
        for invalid in result.codes_invalid:
            # A code CodeDesk does not know is not denied by anything: it is unchecked.
            out.write(f"  {'DENY' if invalid.known else '??  '} {invalid.message}\n")
    if result.modifiers_unfit:
        out.write("Modifiers:\n")
        for unfit in result.modifiers_unfit:
            out.write(f"  DENY {unfit.message}\n")
    for note in result.notes:
        out.write(f"Note: {note}\n")
    out.write(f"{ncci.NOTICE}\n")
    return status


def cmd_edits(store: CodeStore, args: argparse.Namespace, out: TextIO) -> int:
    from datetime import date

    from desktop_app.core import ncci

    code = normalize(args.code)
    if classify(code) is None:
        raise UsageError(f"{clip(args.code, 40)!r} is not a procedure code")
    if args.page < 1:
        raise UsageError("--page starts at 1")
    on = ncci.parse_date(args.date) if args.date else None
    page = ncci.code_edits(store.conn, code, args.setting, on=on, offset=(args.page - 1) * ncci.EDIT_PAGE)
    mues = ncci.code_mues(store.conn, code, on)
    if args.json:
        print_json({
            # "in_effect_on": the day each edit's in_effect is judged against (today without --date; "on" stays
            # null then, as every edit is listed).
            "code": code, "setting": args.setting, "on": page.on, "in_effect_on": (on or date.today()).isoformat(),
            "total": page.total,
            "as_column1": page.as_column1, "as_column2": page.as_column2, "page": args.page,
            "page_size": ncci.EDIT_PAGE, "edits": [e.__dict__ for e in page.edits],
            "ptp_release": page.release.to_json() if page.release is not None else None,
            "mue": [m.__dict__ for m in mues], "notice": ncci.NOTICE,
        }, out)
        return EXIT_OK if page.release is not None or mues else EXIT_NOT_FOUND
    if page.release is None:
        out.write(f"No {ncci.SETTING_LABELS[args.setting]} PTP edits are imported.\n")
    else:
        out.write(f"{code}: {page.total:,} PTP edits ({page.as_column1:,} as column 1, {page.as_column2:,} as "
                  f"column 2), NCCI version {page.release.version}, page {args.page}\n")
        out.write(f"  used: {page.release.parts_text}\n")
        if page.release.missing_parts:
            out.write(f"  Note: {page.release.missing_text}\n")
        for e in page.edits:
            until = e.deletion_date or "*"
            state = ("in effect" if e.in_effect else ncci.MODIFIER_MEANINGS[9] if e.modifier_indicator == 9
                     else "not in effect")
            out.write(f"  {e.column1} / {e.column2}  {e.effective_date} to {until}  modifier {e.modifier_indicator}  "
                      f"{state}  {e.rationale}\n")
    for m in mues:
        units = f"{m.units} unit{'' if m.units == 1 else 's'}"
        when = "" if m.in_effect else (f"; not in effect on {(on or date.today()).isoformat()}: the table takes "
                                       f"effect on {m.effective_date}")
        out.write(f"MUE ({ncci.SETTING_LABELS[m.setting]}): {units}, {m.adjudication}; {m.rationale}{when}\n")
    out.write(f"{ncci.NOTICE}\n")
    return EXIT_OK if page.release is not None or mues else EXIT_NOT_FOUND
