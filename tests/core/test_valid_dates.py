"""A code's deletion date has one meaning, the first day it is not valid, whichever file gave it.

The HCPCS importer stored the file's TERM DT (the last valid day) while the RVU importer stored 1 January of its
year (the first day not valid): the claim check refused a HCPCS code on its last valid day and accepted an RVU
-deleted code on its first invalid day. Fixtures here are invented codes in the CMS layouts."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from desktop_app.cli_commands.validate import _InputCode, validate_codes
from desktop_app.core.database import MIGRATIONS, SCHEMA_VERSION, _migrate_deleted_as_of
from desktop_app.core.importers import import_paths
from desktop_app.core.ncci import check_claim, parse_claim
from desktop_app.core.store import CodeStore
from desktop_app.core.valid_dates import day_after, deletion_words, valid_on, valid_through
from tests.fixtures.make_fixtures import (
    HCPCS_XLSX_HEADER,
    RVU_HEADINGS,
    RVU_ROWS_JAN,
    _hcpcs_record,
    rvu_banner,
    write_invented_hcpcs_txt,
)

# code, file format, last valid day, first day not valid (what the file says, read by its own documentation)
DELETED = [
    ("A9971", "HCPCS fixed-width txt (TERM DT 20291231, action D)", "2029-12-31", "2030-01-01"),
    ("A9972", "HCPCS fixed-width txt (TERM DT 20300630, action D)", "2030-06-30", "2030-07-01"),
    ("A9973", "HCPCS xlsx (TERM DT 20300331, action D)", "2030-03-31", "2030-04-01"),
    ("G9974", "RVU csv (status D in the 2030 file)", "2029-12-31", "2030-01-01"),
    ("G9975", "RVU csv (status F in the 2030 file)", "2029-12-31", "2030-01-01"),
]


def write_hcpcs_txt(path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """code, TERM DT, ACT EFF DT, action: one first record each, in the CMS 320-character layout."""
    write_invented_hcpcs_txt(path, [
        _hcpcs_record(code, "00100", "3", f"Invented supply item {code}",
                      {"short": "Invented item", "cov": "C", "added": "20100101", "effective": effective,
                       "action": action, "term": term}, None)
        for code, term, effective, action in rows])


def write_hcpcs_xlsx(path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = path.stem
    sheet.append(HCPCS_XLSX_HEADER)
    for code, term, effective, action in rows:
        row = [""] * len(HCPCS_XLSX_HEADER)
        values = {"HCPC": code, "SEQNUM": "0010", "RECID": "3", "LONG DESCRIPTION": f"Invented supply item {code}",
                  "SHORT DESCRIPTION": "Invented item", "COV": "C", "ADD DT": "20100101", "ACT EFF DT": effective,
                  "TERM DT": term, "ACTION CD": action}
        for name, value in values.items():
            row[HCPCS_XLSX_HEADER.index(name)] = value
        sheet.append(row)
    book.save(path)


def write_rvu_csv(path: Path, statuses: dict[str, str], month: str = "January") -> None:
    template = next(r for r in RVU_ROWS_JAN if r[0] == "A9990")
    rows = [[code, "", f"Invented item {code}", status, *template[4:]] for code, status in statuses.items()]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rvu_banner(month) + RVU_HEADINGS + rows)
    path.write_bytes(buffer.getvalue().encode("ascii"))


def import_invented(store: CodeStore, folder: Path) -> None:
    write_hcpcs_txt(folder / "HCPC2030_JUL_ANWEB.txt",
                    [("A9971", "20291231", "20300101", "D"), ("A9972", "20300630", "20300701", "D")])
    write_hcpcs_xlsx(folder / "HCPC2030_APR_ANWEB.xlsx", [("A9973", "20300331", "20300401", "D")])
    write_rvu_csv(folder / "PPRRVU2030_Jan.csv", {"G9974": "D", "G9975": "F", "G9976": "A"})
    assert store.conn is not None
    import_paths(store.conn, [folder / "HCPC2030_JUL_ANWEB.txt", folder / "HCPC2030_APR_ANWEB.xlsx",
                              folder / "PPRRVU2030_Jan.csv"])
    store.refresh()


@pytest.mark.parametrize(("code", "how", "last_valid", "deleted_as_of"), DELETED, ids=[d[1] for d in DELETED])
def test_the_last_valid_day_is_accepted_and_the_next_refused(store: CodeStore, tmp_path: Path, code: str, how: str,
                                                             last_valid: str, deleted_as_of: str) -> None:
    import_invented(store, tmp_path)
    assert store.conn is not None
    assert tuple(store.conn.execute("SELECT status, deleted_date FROM codes WHERE code = ?", (code,)).fetchone()) == (
        "deleted", deleted_as_of)
    on_last = check_claim(store.conn, parse_claim(code), date.fromisoformat(last_valid))
    assert on_last.codes_invalid == [], how
    on_next = check_claim(store.conn, parse_claim(code), date.fromisoformat(deleted_as_of))
    assert [(c.code, c.reason) for c in on_next.codes_invalid] == [
        (code, f"deleted as of {deleted_as_of} (valid through {last_valid}): not valid on {deleted_as_of}")], how
    record = next(validate_codes(store, [_InputCode(1, code)]))
    assert record["deleted_date"] == deleted_as_of
    assert record["reason"] == f"deleted as of {deleted_as_of} (valid through {last_valid})"


def test_an_active_code_is_valid_on_any_day(store: CodeStore, tmp_path: Path) -> None:
    import_invented(store, tmp_path)
    assert store.conn is not None
    assert check_claim(store.conn, parse_claim("G9976"), date(2030, 1, 1)).codes_invalid == []


def test_the_hcpcs_termination_date_is_kept_as_the_last_valid_day(store: CodeStore, tmp_path: Path) -> None:
    import_invented(store, tmp_path)
    assert store.conn is not None
    facts = json.loads(store.conn.execute(
        "SELECT f.facts FROM code_facts f JOIN sources s ON s.id = f.source_id "
        "WHERE f.code = 'A9971' AND s.kind = 'cms-hcpcs'").fetchone()[0])
    assert (facts["termination_date"], facts["deleted_date"]) == ("2029-12-31", "2030-01-01")


def test_a_termination_still_to_come_is_not_a_deletion_yet(store: CodeStore, tmp_path: Path) -> None:
    # TERM DT in the future and no action D: the code is valid today (as before; the last day is its own).
    write_hcpcs_txt(tmp_path / "HCPC2030_JAN_ANWEB.txt", [("A9977", "29991231", "20300101", "C")])
    assert store.conn is not None
    import_paths(store.conn, [tmp_path / "HCPC2030_JAN_ANWEB.txt"])
    assert tuple(store.conn.execute("SELECT status, deleted_date FROM codes WHERE code = 'A9977'").fetchone()) == (
        "active", "")


@pytest.mark.parametrize(("deleted_as_of", "day", "valid"), [
    ("", "2030-01-01", True),
    ("2030-01-01", "2029-12-31", True),
    ("2030-01-01", "2030-01-01", False),
    ("2030-01-01", "2030-01-02", False),
    ("2024-03-01", "2024-02-29", True),  # a leap day is the last valid day
    ("before 1990", "1989-12-31", True),
    ("before 1990", "1990-01-01", False),
    ("some text", "1900-01-01", False),
])
def test_valid_on(deleted_as_of: str, day: str, valid: bool) -> None:
    assert valid_on(deleted_as_of, day) is valid


@pytest.mark.parametrize(("valid_from", "deleted_as_of", "day", "valid"), [
    ("2025-10-01", "", "2025-09-30", False),  # the day before an added code takes effect
    ("2025-10-01", "", "2025-10-01", True),  # its first valid day
    ("2025-10-01", "2026-01-01", "2025-12-31", True),
    ("2025-10-01", "2026-01-01", "2026-01-01", False),
    ("", "", "1900-01-01", True),
    ("not a day", "", "1900-01-01", True),  # an unreadable start refuses nothing
])
def test_valid_on_from_the_first_valid_day(valid_from: str, deleted_as_of: str, day: str, valid: bool) -> None:
    assert valid_on(deleted_as_of, day, valid_from) is valid


def test_dates_and_words() -> None:
    assert day_after("2024-12-31") == "2025-01-01" and day_after("2024-02-28") == "2024-02-29"
    assert day_after("before 1982") == "before 1982"
    assert valid_through("2025-01-01") == "2024-12-31" and valid_through("before 1982") == ""
    assert deletion_words("2025-01-01") == "deleted as of 2025-01-01 (valid through 2024-12-31)"
    assert deletion_words("before 1982") == "deleted as of before 1982"
    assert deletion_words("") == "deleted"


# --- a database imported before: migration 15 ----------------------------------------------------------------

# The schema version a database had before the migration that corrected the HCPCS deletion dates (later
# migrations run after it as well).
BEFORE_DELETED_AS_OF = MIGRATIONS.index(_migrate_deleted_as_of)


def make_old_shaped(store: CodeStore, folder: Path) -> None:
    """What a CodeDesk before migration 15 wrote for the same files: the HCPCS rows' deletion date is TERM DT
    itself (the RVU rows' were already 1 January), in the facts and in ``codes``, at schema version 14."""
    import_invented(store, folder)
    conn = store.conn
    assert conn is not None
    for rowid, code, text in conn.execute(
            "SELECT f.rowid, f.code, f.facts FROM code_facts f JOIN sources s ON s.id = f.source_id "
            "WHERE s.kind = 'cms-hcpcs'").fetchall():
        facts = json.loads(text)
        if "termination_date" in facts:
            facts["deleted_date"] = facts["termination_date"]
            conn.execute("UPDATE code_facts SET facts = ? WHERE rowid = ?",
                         (json.dumps(facts, sort_keys=True, separators=(",", ":")), rowid))
            conn.execute("UPDATE codes SET deleted_date = ? WHERE code = ?", (facts["termination_date"], code))
    conn.execute(f"PRAGMA user_version = {BEFORE_DELETED_AS_OF}")


def test_migration_corrects_a_database_imported_before(db_path: Path, tmp_path: Path) -> None:
    store = CodeStore.open(db_path)
    try:
        make_old_shaped(store, tmp_path)
        assert store.conn is not None
        old = dict(store.conn.execute("SELECT code, deleted_date FROM codes WHERE code IN ('A9971', 'A9973')"))
        assert old == {"A9971": "2029-12-31", "A9973": "2030-03-31"}  # the old shape: one day early
    finally:
        store.close()
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == BEFORE_DELETED_AS_OF
    store = CodeStore.open(db_path)  # opening migrates
    try:
        conn = store.conn
        assert conn is not None
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        got = dict(conn.execute("SELECT code, deleted_date FROM codes WHERE code IN "
                                "('A9971', 'A9972', 'A9973', 'G9974', 'G9975', 'G9976')"))
        assert got == {"A9971": "2030-01-01", "A9972": "2030-07-01", "A9973": "2030-04-01", "G9974": "2030-01-01",
                       "G9975": "2030-01-01", "G9976": ""}
        facts = json.loads(conn.execute(
            "SELECT f.facts FROM code_facts f JOIN sources s ON s.id = f.source_id "
            "WHERE f.code = 'A9973' AND s.kind = 'cms-hcpcs'").fetchone()[0])
        assert (facts["termination_date"], facts["deleted_date"]) == ("2030-03-31", "2030-04-01")
        assert check_claim(conn, parse_claim("A9973"), date(2030, 3, 31)).codes_invalid == []
        assert [c.code for c in check_claim(conn, parse_claim("A9973"), date(2030, 4, 1)).codes_invalid] == ["A9973"]
        # The rewritten facts are what a new import of the same file writes (canonical JSON): importing it again
        # changes nothing.
        from desktop_app.core.importers.loader import facts_json

        for (text,) in conn.execute("SELECT f.facts FROM code_facts f JOIN sources s ON s.id = f.source_id "
                                    "WHERE s.kind = 'cms-hcpcs'"):
            assert text == facts_json(json.loads(text))
    finally:
        store.close()


# --- the real files ------------------------------------------------------------------------------------------

def test_real_hcpcs_deletions_are_the_day_of_the_action(store_with_real_files: CodeStore) -> None:
    """In the real October 2025 HCPCS file every TERM DT is the day before the record's ACT EFF DT: stored as the
    day after TERM DT, each deletion date is the day the discontinuation took effect."""
    assert store_with_real_files.conn is not None
    rows = store_with_real_files.conn.execute(
        "SELECT json_extract(f.facts, '$.termination_date'), json_extract(f.facts, '$.action_effective_date'), "
        "json_extract(f.facts, '$.deleted_date') FROM code_facts f JOIN sources s ON s.id = f.source_id "
        "WHERE s.kind = 'cms-hcpcs' AND json_extract(f.facts, '$.termination_date') IS NOT NULL").fetchall()
    assert len(rows) > 1000
    assert all(deleted == effective == day_after(term) for term, effective, deleted in rows)
    assert store_with_real_files.conn.execute(
        "SELECT deleted_date FROM codes WHERE code = 'J2311'").fetchone()[0] == "2025-07-01"  # TERM DT 20250630


def test_a_code_deleted_in_both_real_files_gets_one_date(shared_data: Path, store: CodeStore,
                                                          tmp_path: Path) -> None:
    """The real RVU file lists no deleted codes (its status D "will not appear on the file" since 2006), so the
    codes the real HCPCS file discontinued on 2025-01-01 are added to a copy of the real RVU file with status D,
    in its own layout: both files then call them deleted for 2025, and both give the same date."""
    import openpyxl

    book = openpyxl.load_workbook(shared_data / "cms-hcpcs-2025-oct" / "HCPC2025_OCT_ANWEB.xlsx", read_only=True)
    rows = book.active.iter_rows(values_only=True)
    header = next(rows)
    code_at, term_at, kind_at = header.index("HCPC"), header.index("TERM DT"), header.index("RECID")
    ended = sorted(str(r[code_at]) for r in rows if str(r[term_at] or "") == "20241231" and str(r[kind_at]) == "3")
    book.close()
    assert len(ended) > 50
    rvu_text = (shared_data / "cms-pfs-rvu-2025d" / "PPRRVU2025_Oct.csv").read_text("ascii")
    lines = rvu_text.split("\r\n") if "\r\n" in rvu_text else rvu_text.split("\n")
    template = next(csv.reader([next(line for line in lines if line.startswith("J1100,"))]))
    listed = {line.split(",", 1)[0] for line in lines}
    ended = [code for code in ended if code not in listed]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [[code, "", "Test row", "D", *template[4:]] for code in ended])
    rvu = tmp_path / "PPRRVU2025_Oct.csv"
    rvu.write_text("\r\n".join(line for line in lines if line) + "\r\n" + buffer.getvalue(), "ascii")
    assert store.conn is not None
    import_paths(store.conn, [rvu, shared_data / "cms-hcpcs-2025-oct" / "HCPC2025_OCT_ANWEB.xlsx"])
    by_source: dict[str, dict[str, str]] = {}
    for code, kind, deleted in store.conn.execute(
            f"SELECT f.code, s.kind, json_extract(f.facts, '$.deleted_date') FROM code_facts f "
            f"JOIN sources s ON s.id = f.source_id WHERE f.modifier = '' AND f.code IN "
            f"({','.join('?' for _ in ended)})", ended):
        by_source.setdefault(kind, {})[code] = deleted
    assert by_source["cms-rvu"] == by_source["cms-hcpcs"] == dict.fromkeys(ended, "2025-01-01")
    assert {r[0] for r in store.conn.execute(
        f"SELECT deleted_date FROM codes WHERE code IN ({','.join('?' for _ in ended)})", ended)} == {"2025-01-01"}
