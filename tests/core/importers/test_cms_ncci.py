"""The NCCI importers: PTP edit files (practitioner and outpatient hospital, the four parts, in their zips) and MUE
tables, with invented fixtures in the real layouts, broken files refused whole, and the real excerpts."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from desktop_app.core.errors import ImportCancelled, ImportFileError
from desktop_app.core.importers import cms_ncci, detect, import_paths, remove_source
from desktop_app.core.store import CodeStore
from tests.core.ncci_fixtures import MUE_ROWS, PTP_ROWS, mue_text, ptp_text, write_mue, write_ptp


def one(conn: sqlite3.Connection, sql: str, args: tuple[object, ...] = ()) -> tuple[object, ...]:
    return tuple(conn.execute(sql, args).fetchone())


def every(conn: sqlite3.Connection, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(sql, args)]


def snapshot(conn: sqlite3.Connection) -> tuple[object, ...]:
    """Everything an NCCI import may change, plus the indexes it drops and rebuilds."""
    return (
        conn.execute("SELECT id, kind, release, counts FROM sources ORDER BY id").fetchall(),
        conn.execute("SELECT * FROM ptp_edits ORDER BY rowid").fetchall(),
        conn.execute("SELECT * FROM mue_values ORDER BY code, source_id").fetchall(),
        conn.execute("SELECT * FROM ncci_files ORDER BY source_id").fetchall(),
        conn.execute("SELECT * FROM ncci_rationales ORDER BY id").fetchall(),
        conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ptp_edits' "
                     "ORDER BY name").fetchall(),
    )


def test_ptp_zip_is_detected_by_content_and_imported(store: CodeStore, tmp_path: Path) -> None:
    path = write_ptp(tmp_path)
    assert detect(path) == "zip"
    bare = write_ptp(tmp_path / "bare", zipped=False)
    assert detect(bare) == cms_ncci.FORMAT_PTP
    (summary,) = import_paths(store.conn, [path])
    assert summary.format == cms_ncci.FORMAT_PTP and summary.added == len(PTP_ROWS)
    assert summary.release == "practitioner v32.2r0 part 1"
    rows = [tuple(r) for r in store.conn.execute(
        "SELECT column1, column2, before_1996, effective, deletion, modifier, t.text FROM ptp_edits e "
        "JOIN ncci_rationales t ON t.id = e.rationale_id ORDER BY e.rowid")]
    assert rows[0] == ("10001", "10002", 0, 20200101, cms_ncci.NO_DELETION, 1, "Mutually exclusive procedures")
    assert rows[1][2] == 1 and rows[2][4] == 20221231 and rows[3][5] == 9
    assert one(store.conn, "SELECT edit_kind, setting, version, part, rows FROM ncci_files") == (
        "ptp", "practitioner", "32.2r0", 1, len(PTP_ROWS))
    names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'ptp_edits'")}
    assert {"ptp_edits_pair", "ptp_edits_column2"} <= names
    plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT * FROM ptp_edits WHERE column2 = '10003'").fetchall()
    assert "ptp_edits_column2" in str([tuple(r) for r in plan])
    # No codes, descriptors or facts come from an NCCI file.
    assert store.conn.execute("SELECT count(*) FROM descriptors WHERE source_id = ?",
                              (summary.source_id,)).fetchone()[0] == 0


def test_four_parts_of_both_settings_in_one_import(store: CodeStore, tmp_path: Path) -> None:
    paths = []
    for prefix in ("ccipra", "ccioph"):
        for part in range(1, 5):
            rows = [(f"1{part}00{i}", f"2{part}00{i}", "", "20200101", "*", "1", "Mutually exclusive procedures")
                    for i in range(part + 1)]
            paths.append(write_ptp(tmp_path, f"{prefix}-v321r0-f{part}", rows))
    summaries = import_paths(store.conn, paths)
    assert [s.release for s in summaries][:2] == ["practitioner v32.1r0 part 1", "practitioner v32.1r0 part 2"]
    assert summaries[-1].release == "hospital v32.1r0 part 4"
    counts = dict(store.conn.execute("SELECT setting, sum(rows) FROM ncci_files GROUP BY setting").fetchall())
    assert counts == {"practitioner": 2 + 3 + 4 + 5, "hospital": 2 + 3 + 4 + 5}
    assert store.conn.execute("SELECT count(*) FROM ptp_edits").fetchone()[0] == 28


def test_crlf_line_ends_are_read(store: CodeStore, tmp_path: Path) -> None:
    (summary,) = import_paths(store.conn, [write_ptp(tmp_path, newline="\r\n")])
    assert summary.added == len(PTP_ROWS)
    assert store.conn.execute("SELECT count(*) FROM ptp_edits WHERE column2 LIKE '%\r%' "
                              "OR column1 LIKE '%\r%'").fetchone()[0] == 0


BROKEN_PTP = [
    ("modifier indicator", 2, ("10001", "10002", "", "20200101", "*", "5", "x"), "modifier indicator '5'"),
    ("effective date", 3, ("10001", "10002", "", "20201301", "*", "1", "x"), "effective date '20201301'"),
    ("deletion date", 1, ("10001", "10002", "", "20200101", "never", "1", "x"), "deletion date 'never'"),
    ("code", 4, ("10001", "ABCDE", "", "20200101", "*", "1", "x"), "column 2 code 'ABCDE'"),
    ("fields", 2, ("10001", "10002", "", "20200101"), "expected 7 tab-separated fields"),
    ("before 1996", 0, ("10001", "10002", "Y", "20200101", "*", "1", "x"), "prior-to-1996"),
]


@pytest.mark.parametrize(("what", "at", "bad", "reason"), BROKEN_PTP, ids=[b[0] for b in BROKEN_PTP])
def test_broken_ptp_row_names_file_and_line_and_changes_nothing(
        store: CodeStore, tmp_path: Path, what: str, at: int, bad: tuple[str, ...], reason: str) -> None:
    # A release already loaded: its edits and indexes must survive the failed import untouched.
    import_paths(store.conn, [write_ptp(tmp_path / "good", "ccipra-v321r0-f1")])
    before = snapshot(store.conn)
    rows = list(PTP_ROWS)
    rows.insert(at, bad)
    path = write_ptp(tmp_path / "bad", "ccipra-v322r0-f1", rows)
    with pytest.raises(ImportFileError) as caught:
        import_paths(store.conn, [path])
    assert caught.value.file_name.endswith("ccipra-v322r0-f1.zip/ccipra-v322r0-f1.TXT")
    assert caught.value.line == 6 + at + 1 and reason in caught.value.reason
    assert snapshot(store.conn) == before


def test_cut_off_ptp_file_is_refused(store: CodeStore, tmp_path: Path) -> None:
    text = ptp_text().rstrip("\n")
    with pytest.raises(ImportFileError, match="no line end") as caught:
        import_paths(store.conn, [write_ptp(tmp_path, text=text)])
    assert caught.value.line == 6 + len(PTP_ROWS)
    with pytest.raises(ImportFileError, match="no edits"):
        import_paths(store.conn, [write_ptp(tmp_path / "h", text=ptp_text(rows=[]))])
    assert store.conn.execute("SELECT count(*) FROM ptp_edits").fetchone()[0] == 0


def test_ptp_file_without_a_cms_name_is_refused_not_guessed(store: CodeStore, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="practitioner or outpatient"):
        import_paths(store.conn, [write_ptp(tmp_path, "edits-from-a-colleague")])


def test_reimport_replaces_and_a_much_shorter_copy_is_refused(store: CodeStore, tmp_path: Path) -> None:
    path = write_ptp(tmp_path)
    import_paths(store.conn, [path])
    (again,) = import_paths(store.conn, [path])
    assert any("replaced" in n for n in again.notes)
    assert store.conn.execute("SELECT count(*) FROM ptp_edits").fetchone()[0] == len(PTP_ROWS)
    before = snapshot(store.conn)
    with pytest.raises(ImportFileError, match="looks truncated"):
        import_paths(store.conn, [write_ptp(tmp_path / "short", rows=PTP_ROWS[:3])])
    assert snapshot(store.conn) == before


def test_cancel_leaves_the_database_unchanged(store: CodeStore, tmp_path: Path) -> None:
    rows = [(f"{10000 + i // 50:05d}", f"{20000 + i % 50:05d}", "", "20200101", "*", "1", "Mutually exclusive")
            for i in range(5000)]
    path = write_ptp(tmp_path, rows=rows)
    before = snapshot(store.conn)
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 3  # after a few thousand rows were written

    with pytest.raises(ImportCancelled):
        import_paths(store.conn, [path], cancel=cancel)
    assert snapshot(store.conn) == before


def test_remove_source_removes_its_edits(store: CodeStore, tmp_path: Path) -> None:
    (summary,) = import_paths(store.conn, [write_ptp(tmp_path)])
    remove_source(store.conn, summary.source_id)
    assert store.conn.execute("SELECT count(*) FROM ptp_edits").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM ncci_files").fetchone()[0] == 0


@pytest.mark.parametrize(("title", "setting"), [("Practitioner Services", "practitioner"),
                                                ("Outpatient Hospital Services", "hospital"),
                                                ("DME Supplier Services", "dme")])
def test_mue_tables_of_each_setting(store: CodeStore, tmp_path: Path, title: str, setting: str) -> None:
    path = write_mue(tmp_path, f"MCR_MUE_{title.replace(' ', '')}_Eff_04-01-2026.csv", title)
    assert detect(path) == cms_ncci.FORMAT_MUE
    (summary,) = import_paths(store.conn, [path])
    assert summary.added == len(MUE_ROWS) and summary.release == f"{setting} 2026-04-01"
    assert every(store.conn, "SELECT code, units, adjudication FROM mue_values ORDER BY code") == [
        ("10001", 1, 2), ("10002", 2, 3), ("10003", 1, 1), ("G0001", 4, 3)]
    assert store.conn.execute("SELECT effective_date FROM sources WHERE id = ?",
                              (summary.source_id,)).fetchone()[0] == "2026-04-01"


BROKEN_MUE = [
    ("units", ("10009", "one", "1 Line Edit", "x"), "MUE value 'one'"),
    ("indicator", ("10009", "1", "Line Edit", "x"), "adjudication indicator 'Line Edit'"),
    ("code", ("1000", "1", "1 Line Edit", "x"), "'1000' is not a CPT or HCPCS code"),
    ("duplicate", ("10002", "1", "1 Line Edit", "x"), "appears twice"),
]


@pytest.mark.parametrize(("what", "bad", "reason"), BROKEN_MUE, ids=[b[0] for b in BROKEN_MUE])
def test_broken_mue_row_names_the_line(store: CodeStore, tmp_path: Path, what: str, bad: tuple[str, ...],
                                       reason: str) -> None:
    before = snapshot(store.conn)
    rows = [*MUE_ROWS, bad]
    with pytest.raises(ImportFileError) as caught:
        import_paths(store.conn, [write_mue(tmp_path, rows=rows)])
    # notice record: 5 lines; header record: 2 lines; then the rows.
    assert caught.value.line == 7 + len(rows) and reason in caught.value.reason
    assert snapshot(store.conn) == before


def test_mue_without_setting_in_header_is_refused(store: CodeStore, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="does not say practitioner"):
        import_paths(store.conn, [write_mue(tmp_path, text=mue_text("Some"))])


@pytest.mark.realdata
def test_real_excerpts_import(shared_data: Path, store: CodeStore, tmp_path: Path) -> None:
    folder = shared_data / "cms-ncci"
    # The excerpt keeps the CMS name with '.excerpt'; in the zip it is the TXT CMS ships.
    zipped = tmp_path / "ccipra-v322r0-f1.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(folder / "ccipra-v322r0-f1.excerpt.txt", "ccipra-v322r0-f1.TXT")
    mue = tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
    shutil.copyfile(folder / "MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv", mue)
    ptp_summary, mue_summary = import_paths(store.conn, [zipped, mue])
    assert ptp_summary.added == 15 and mue_summary.added == 7
    assert one(
        store.conn, "SELECT effective, deletion, modifier FROM ptp_edits WHERE column1 = '0001U' AND column2 = '0030U'"
    ) == (20180701, cms_ncci.NO_DELETION, 1)
    assert store.conn.execute("SELECT count(*) FROM ptp_edits WHERE modifier = 9").fetchone()[0] == 2
    assert one(store.conn, "SELECT units, adjudication FROM mue_values WHERE code = '0009U'") == (2, 3)
    assert mue_summary.release == "practitioner 2026-07-01"


def test_ptp_files_larger_than_other_imports_are_streamed(store: CodeStore, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A real PTP part is larger than the bound on every other file: it is read as a stream, never loaded whole."""
    import desktop_app.core.importers as importers
    from desktop_app.core.importers import sniff, textio

    for module in (importers, sniff, textio):
        monkeypatch.setattr(module, "MAX_FILE_BYTES", 200)
    rows = [(f"{10000 + i:05d}", "20000", "", "20200101", "*", "1", "Mutually exclusive") for i in range(50)]
    summaries = import_paths(store.conn, [write_ptp(tmp_path / "zip", rows=rows),
                                          write_ptp(tmp_path / "bare", "ccioph-v322r0-f2", rows=rows, zipped=False)])
    assert [s.added for s in summaries] == [50, 50]
    monkeypatch.setattr(cms_ncci, "MAX_NCCI_BYTES", 1000)
    with pytest.raises(ImportFileError, match="CodeDesk reads NCCI files up to"):
        import_paths(store.conn, [write_ptp(tmp_path / "big", "ccipra-v323r0-f1", rows=rows)])
