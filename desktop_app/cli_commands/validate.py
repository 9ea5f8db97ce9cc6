"""codedesk-cli validate: check the codes of a file (one per line, the first CSV column, or an .xlsx column)."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO

from desktop_app.cli_commands.common import (
    EXIT_NOT_FOUND,
    EXIT_OK,
    TitleSources,
    UsageError,
    clip,
    print_json,
)
from desktop_app.core import ncci
from desktop_app.core.enums import StrEnum
from desktop_app.core.export import code_facts
from desktop_app.core.grammar import Shape, classify, code_set_for, normalize, parse_modified_code, split_units
from desktop_app.core.kinds import CodeKind, CodeStatus
from desktop_app.core.store import CodeStore
from desktop_app.core.valid_dates import deletion_words, valid_on


class LineStatus(StrEnum):
    """``validate --json`` ``status`` of a line: the code's own status when it is in the database, else why not."""

    ACTIVE = CodeStatus.ACTIVE.value
    DELETED = CodeStatus.DELETED.value
    UNKNOWN = "unknown"  # well formed, not in the database
    INVALID = "invalid"  # not shaped like a code, or a modifier that does not fit
    NOT_YET = "not yet"  # with --date: in the database, but its first valid day comes after the date of service

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


def _code_like(text: str) -> bool:
    """A code, or a code with modifiers, with or without a unit count after it (``J1100 x 3``: a header row is
    never that)."""
    body = split_units(text)[0]
    return classify(normalize(body)) is not None or parse_modified_code(body) is not None


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
        is_code_like = _code_like(first)
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
        if not value or (line_no == 1 and not _code_like(value)):
            continue
        yield _InputCode(line_no, value)
    workbook.close()


def validate_codes(store: CodeStore, items: Iterable[_InputCode],
                   on: date | None = None) -> Iterator[dict[str, object]]:
    """One record per input line. A code may carry modifiers (``99213-25``, ``27447 RT 59``): each must exist
    and fit the code, or the line is invalid and ``reason`` says why. A bare modifier must be one CodeDesk
    knows (bundled or imported), not any two characters."""
    for item in items:
        # "J1100 x 3": units after the code, as `check` and `search` read them (it was judged "invalid J1100X3").
        text, units = split_units(item.text)
        modified = parse_modified_code(text)
        code = modified.code if modified else normalize(text)
        shape = classify(code)
        record: dict[str, object] = {"line": item.line, "input": item.text, "code": code,
                                     "valid": shape is not None, "modifiers": [], "reason": None, "units": units}
        if shape is None:
            reason = ("not shaped like a procedure code or modifier (codes look like 99213, 3074F, 0042T or G0438; "
                      "a code with modifiers like 99213-25)")
            if code.isdigit() and 3 <= len(code) <= 4:
                # A spreadsheet keeps codes as numbers and drops their leading zeros: the anaesthesia code 00100
                # arrives as 100, 0001U never does (it has a letter).
                reason += f"; a spreadsheet may have dropped its leading zeros: was it {code.zfill(5)}?"
            record.update(category=None, section=[], title="", title_source=None, known=False,
                          status=LineStatus.INVALID, kind=None, deleted_date=None, reason=reason)
            yield record
            continue
        row = store.conn.execute(
            "SELECT c.status, c.title, c.code_set, c.kind, c.deleted_date, s.name AS title_source "
            "FROM codes c LEFT JOIN sources s ON s.id = c.title_source WHERE c.code = ?", (code,)).fetchone()
        section = store.catalog.section_for(code)
        is_modifier = shape is Shape.MODIFIER
        category = row["code_set"] if row else code_set_for(code).value  # type: ignore[union-attr]
        record.update(
            category=category,
            section=[s.name for s in store.catalog.section_path(section.id)] if section else [],
            title=row["title"] if row else "",
            title_source=(row["title_source"] or None) if row else None,
            known=row is not None,
            status=(row["status"] if row else LineStatus.UNKNOWN),
            kind=CodeKind.MODIFIER if is_modifier else CodeKind.CODE,
            deleted_date=(row["deleted_date"] or None) if row else None,
            reason=(None if row is None or row["status"] != CodeStatus.DELETED else deletion_words(row["deleted_date"]))
            if row else "well formed, but not in your database",
        )
        if is_modifier and (row is None or row["kind"] != CodeKind.MODIFIER):
            record.update(valid=False, known=False, status=LineStatus.INVALID,
                          reason=f"{code} is not a modifier CodeDesk knows (not bundled, not in your imported files)")
        if modified:
            checks = store.modifier_checks(code, category, modified.modifiers, on)
            record["modifiers"] = [c.to_json() for c in checks]
            bad = [c for c in checks if not c.fits]
            if bad:
                record.update(valid=False, status=LineStatus.INVALID,
                              reason="; ".join(f"-{c.modifier}: {c.reason}" for c in bad))
        yield record


def judge_on(store: CodeStore, records: list[dict[str, object]], on: date) -> None:
    """With a date of service: each known code's status is what it is on ``on`` (the claim check's one rule,
    :func:`ncci.invalid_codes`): a code deleted later is active then (its reason says when it goes), one deleted
    by then is deleted, one whose first valid day comes later is "not yet". ``valid_on_date`` says whether the
    line may be billed on that day."""
    day = on.isoformat()
    known = sorted({str(r["code"]) for r in records if r["known"] and r["kind"] == CodeKind.CODE})
    invalid = {i.code: i.reason for i in ncci.invalid_codes(store.conn, known, on)} if known else {}
    for record in records:
        record["date_of_service"] = day
        code = str(record["code"])
        if code in invalid:
            # Deleted by then (the claim check's rule, valid_on), or else not in effect yet.
            deleted_as_of = str(record["deleted_date"] or "")
            deleted = record["status"] == CodeStatus.DELETED and not (deleted_as_of and valid_on(deleted_as_of, day))
            record.update(status=LineStatus.DELETED if deleted else LineStatus.NOT_YET, reason=invalid[code])
        elif record["status"] == CodeStatus.DELETED:
            record.update(status=LineStatus.ACTIVE,
                          reason=f"valid on {day}; {deletion_words(str(record['deleted_date'] or ''))}")
        record["valid_on_date"] = record["status"] == LineStatus.ACTIVE and bool(record["valid"])


def cmd_validate(store: CodeStore, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    on = ncci.parse_date(args.date) if args.date else None
    records = list(validate_codes(store, _input_codes(args.file, stdin), on))
    if on is not None:
        judge_on(store, records, on)
    if not records:
        raise UsageError(f"{'standard input' if args.file == '-' else args.file} has no codes to check")
    tally: dict[str, int] = {}
    for record in records:
        tally[str(record["status"])] = tally.get(str(record["status"]), 0) + 1
    if args.json:
        print_json(records, out)
    else:
        # Codes whose descriptors read alike (45384 and 45385 share a CMS short descriptor) get our summary on a
        # line under them, as in the window's list.
        titles = Counter(str(r["title"]) for r in records if r["known"])
        alike = list(dict.fromkeys(str(r["code"]) for r in records if r["known"] and titles[str(r["title"])] > 1))
        ours = {code: facts.summary for code, facts in code_facts(store.conn, alike).items()} if alike else {}
        sources = TitleSources(str(r["title_source"]) for r in records if r["known"] and r["title_source"])
        for r in records:
            written = "-".join([str(r["code"]), *(str(m["modifier"]) for m in r["modifiers"])])  # type: ignore[attr-defined]
            if r["units"]:
                written += f" x{r['units']}"  # the count read after the code ("J1100 x 3"), as check reads it
            # The descriptor when known, else why not; a deleted code or an unfit modifier says so.
            said = str(r["title"]) if r["known"] else str(r["reason"])
            if r["known"] and r["reason"]:
                said = f"{r['reason']}: {said}"
            # A descriptor is clipped to the line; our own reason (why a code is invalid or unknown) is not.
            mark = sources.mark(str(r["title_source"])) if r["known"] else ""
            out.write(f"{r['line']:>6}  {written[:18]:<18} {r['status']:<8} {r['category'] or '-':<5} "
                      f"{clip(said, 90) + mark if r['known'] else ' '.join(said.split())}\n")
            if ours.get(str(r["code"])):
                out.write(f"{'':<41}{clip(ours[str(r['code'])], 90)}\n")
        on_day = f" on {on.isoformat()}" if on is not None else ""
        out.write(f"{len(records)} codes{on_day}: " + ", ".join(f"{n} {s}" for s, n in sorted(tally.items())) + "\n")
        out.write(sources.footer())
    unfit = tally.get(LineStatus.INVALID, 0) + tally.get(LineStatus.UNKNOWN, 0)
    if on is not None:  # on a date of service a code deleted by then or not yet in effect cannot be billed
        unfit += tally.get(LineStatus.DELETED, 0) + tally.get(LineStatus.NOT_YET, 0)
    return EXIT_OK if unfit == 0 else EXIT_NOT_FOUND
