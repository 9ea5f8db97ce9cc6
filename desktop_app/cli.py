"""``codedesk-cli``: the CodeDesk engine for scripts and terminals. Uses the core only.

Exit codes: 0 ok; 1 nothing found or unknown code; 2 bad usage, bad input or an unusable database (one line
on stderr, never a traceback); 3 an internal error, a bug in CodeDesk (one line on stderr naming the log file that
holds the trace; ``--debug`` prints the trace too).
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from desktop_app import __version__
from desktop_app.cli_commands.common import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    clip,
)
from desktop_app.cli_commands.compare import cmd_compare
from desktop_app.cli_commands.lookup import cmd_localities, cmd_measure, cmd_search, cmd_show
from desktop_app.cli_commands.ncci import cmd_check, cmd_edits
from desktop_app.cli_commands.sources import cmd_changes, cmd_import, cmd_info, cmd_remove_source, cmd_sources
from desktop_app.cli_commands.validate import cmd_validate
from desktop_app.core.database import (
    WRITER_WAIT_SECONDS,
    database_problem,
    default_db_path,
    default_userdata_path,
)
from desktop_app.core.errors import CodeDeskError, is_environment_problem, printable, sqlite_error_name
from desktop_app.core.grammar import CodeSet
from desktop_app.core.kinds import NcciSetting
from desktop_app.core.logs import configure_logging
from desktop_app.core.recovery import (
    OpenedReference,
    check_passed,
    full_check,
    mark_damaged,
    open_reference,
    open_userdata,
)

log = logging.getLogger(__name__)


# --category takes a code set's id, or a category's number.
CATEGORY_CHOICES = {**{code_set.value: code_set.value for code_set in CodeSet}, "1": "I", "2": "II", "3": "III"}


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
    validate.add_argument("--date", help="judge each code on this date of service (2025-09-30 or 09/30/2025): "
                          "deleted by then or not yet in effect is not valid")
    validate.add_argument("--json", action="store_true")

    info = commands.add_parser("info", help="database path, sources and counts")
    info.add_argument("--json", action="store_true")

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
    remove.add_argument("--json", action="store_true")

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
    return clip(printable(message), width)


def _open_checked(db_path: Path, err: TextIO) -> OpenedReference:
    """Open the reference database with its checks (a damaged one is set aside and rebuilt; after an unclean end
    the whole file is checked first) and salvage a damaged user database; each repair is told in one line."""
    def progress(message: str, done: int, total: int) -> None:
        if err.isatty():  # a rebuild reads every kept import again: a terminal sees it move
            err.write(f"\r{clip(printable(message), 100)} {done:,}/{total:,}   " if total else f"{message}\n")

    opened = open_reference(db_path, progress=progress)
    try:
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
    except BaseException:
        # A failure after the open (a bug in the checks, an interrupt) still ends this session cleanly: left open,
        # its marker made every later run believe in an unclean end and check again (and fail again).
        opened.close()
        raise
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
