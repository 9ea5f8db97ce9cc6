"""Exports: every match (not the page shown), source columns, CSV and XLSX that read back the same, TSV
(issue 12, item 2)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop_app.core.code_compare import AMA_NOTICE
from desktop_app.core.export import RESULT_COLUMNS, results_table, tsv, working_set_table, write_csv, write_xlsx
from desktop_app.core.importers import import_paths
from desktop_app.core.search import RANK_LIMIT, SearchFilters
from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData
from tests.conftest import INVENTED_COMMON_WORD, add_invented_codes, rvu_with_one_title

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_results_export_has_every_match_and_its_sources(store: CodeStore) -> None:
    table = results_table(store, "992*")
    window = store.search("992*", limit=20)
    assert len(table.rows) == window.total > 20 and table.total == window.total
    assert table.columns == RESULT_COLUMNS
    row = dict(zip(table.columns, table.rows[0], strict=True))
    assert row["title_source"] and row["descriptor_sources"] and row["category"] == "CPT Category I"
    assert table.notices == ()  # only our own words


def test_word_search_export_goes_past_the_ranking_limit(db_path: Path) -> None:
    add_invented_codes(db_path)
    store = CodeStore.open(db_path, build=False)
    try:
        table = results_table(store, INVENTED_COMMON_WORD)
        assert len(table.rows) > RANK_LIMIT
        assert len({row[0] for row in table.rows}) == len(table.rows)  # each code once
        assert len(table.rows) == store.search(INVENTED_COMMON_WORD).total
        filtered = results_table(store, "", SearchFilters("HCPCS"))  # a browsed category: all its codes
        assert len(filtered.rows) == store.code_counts()["HCPCS"]["codes"]
    finally:
        store.close()


def test_official_text_brings_the_notice_and_files_read_back(store: CodeStore, tmp_path: Path) -> None:
    import_paths(store.conn, [FIXTURES / "cms" / "PPRRVU2030_Jan.csv"])
    store.refresh()
    table = results_table(store, "9999*")
    assert AMA_NOTICE in table.notices
    assert any("RVU30A" in row[RESULT_COLUMNS.index("descriptor_sources")] for row in table.rows)
    csv_path, xlsx_path = tmp_path / "r.csv", tmp_path / "r.xlsx"
    write_csv(table, csv_path)
    write_xlsx(table, xlsx_path)
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        read = list(csv.reader(fh))
    assert tuple(read[0]) == RESULT_COLUMNS and [tuple(r) for r in read[1:1 + len(table.rows)]] == table.rows
    assert read[-1] == [AMA_NOTICE]
    sheet = load_workbook(xlsx_path, read_only=True).active
    cells = [tuple("" if c is None else str(c) for c in row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == RESULT_COLUMNS and cells[1:1 + len(table.rows)] == table.rows


def test_xlsx_never_turns_text_into_a_formula(tmp_path: Path) -> None:
    from desktop_app.core.export import ExportTable

    table = ExportTable(("code", "title"), [("X0001", "=HYPERLINK(\"http://x\")"), ("X0002", "-5 units")])
    write_xlsx(table, tmp_path / "f.xlsx")
    sheet = load_workbook(tmp_path / "f.xlsx").active
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == '=HYPERLINK("http://x")'
    assert sheet["B3"].data_type == "s" and sheet["B3"].value == "-5 units"


def test_working_set_table(store: CodeStore, tmp_path: Path) -> None:
    data = UserData(tmp_path / "u.sqlite3")
    data.set_favourite("99213", True, "Office")
    data.set_note("J1100", "per 1 mg")
    data.record_view("3074F")
    data.record_view("0999F")
    codes = ["99213", "J1100", "3074F", "0999F"]
    table = working_set_table(data, store.summaries(codes))
    kinds = [(row[0], row[2]) for row in table.rows]
    assert kinds == [("favourite", "99213"), ("note", "J1100"), ("recent", "0999F"), ("recent", "3074F")]
    by_code = {row[2]: row for row in table.rows}
    assert by_code["99213"][1] == "Office" and by_code["99213"][5]  # list, title source
    assert by_code["0999F"][6] == "not in the database"
    data.close()


def test_tsv_keeps_one_row_per_line() -> None:
    text = tsv(("code", "title"), [("99213", "visit\twith tab\nand line")])
    assert text == "code\ttitle\n99213\tvisit with tab and line\n"


@pytest.mark.parametrize(("cell", "written"), [
    ("=HYPERLINK(\"http://x\",\"click\")", "'=HYPERLINK(\"http://x\",\"click\")"),
    ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1,1)", "'@SUM(1,1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("'=already quoted", "''=already quoted"),
    ("-", "'-"),
    # Plain numbers stay numbers (negative RVU deltas must still add up in a spreadsheet), codes stay codes.
    ("-0.25", "-0.25"), ("-1,234.50", "-1,234.50"), ("+3", "+3"), ("-.5", "-.5"),
    ("45384", "45384"), ("0001F", "0001F"), ("J1100", "J1100"), ("1.25", "1.25"),
    ("Colonoscopy - flexible", "Colonoscopy - flexible"), ("", ""),
])
def test_csv_cells_cannot_become_formulas(tmp_path: Path, cell: str, written: str) -> None:
    from desktop_app.core.export import ExportTable
    from desktop_app.core.spreadsheet import spreadsheet_unsafe

    write_csv(ExportTable(("code", "value"), [("X0001", cell)]), tmp_path / "f.csv")
    with (tmp_path / "f.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1] == ["X0001", written]
    assert spreadsheet_unsafe(written) == cell  # our own files read back exactly


def test_csv_export_of_results_neutralises_imported_text(store: CodeStore, tmp_path: Path) -> None:
    """A title from an imported file that starts like a formula is exported as text."""
    store.conn.execute("UPDATE codes SET title = '=1+2 invented title' WHERE code = '99213'")
    table = results_table(store, "99213")
    write_csv(table, tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {row[0]: row for row in csv.reader(fh) if row}
    assert rows["99213"][RESULT_COLUMNS.index("title")] == "'=1+2 invented title"


def test_codes_with_the_same_official_title_are_told_apart_by_our_summary(store: CodeStore, tmp_path: Path) -> None:
    """The CMS files give 45384 and 45385 one short descriptor; exported, the two rows read alike unless our own
    summary (the list's second line) goes with them."""
    rvu = rvu_with_one_title(tmp_path)
    import_paths(store.conn, [rvu])
    store.refresh()
    table = results_table(store, "45384, 45385")
    by_code = {row[0]: dict(zip(table.columns, row, strict=True)) for row in table.rows}
    assert by_code["45384"]["title"] == by_code["45385"]["title"] == "Invented same title"
    summaries = {by_code[c]["summary"] for c in ("45384", "45385")}
    assert len(summaries) == 2 and all(summaries)
    assert by_code["45384"]["summary"] == store.detail("45384").descriptors[0].text  # ours, as the detail shows it
