"""The importers on the real CMS files in ../shared/data (skipped when they are absent), with exact counts."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers import ImportSummary, import_paths
from desktop_app.core.store import CodeStore

pytestmark = pytest.mark.realdata

RVU = "cms-pfs-rvu-2025d"
CATEGORY_II_IN_CLAIMS = {"1036F", "1123F", "1124F", "3017F", "3095F", "3126F", "3267F", "5015F"}


@pytest.fixture(scope="module")
def loaded(
    real_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[CodeStore, list[ImportSummary]]]:
    """One database with the RVU CSV, HCPCS 2020 and both QPP files (read-only for the tests below)."""
    store = CodeStore.open(tmp_path_factory.mktemp("real") / "db.sqlite3")
    paths = [real_data / RVU / "PPRRVU2025_Oct.csv",
             real_data / "cms-hcpcs-2020" / "HCPC2020_ANWEB_w_disclaimer.txt",
             real_data / "cms-qpp-measures" / "measures-data-2025.json",
             real_data / "cms-qpp-measures" / "2025_Claims_SingleSource_V9.1.csv"]
    summaries = import_paths(store.conn, paths)
    yield store, summaries
    store.close()


def source_codes(store: CodeStore, source_id: int, kind: str = "code") -> set[str]:
    return {r[0] for r in store.conn.execute(
        "SELECT DISTINCT f.code FROM code_facts f JOIN codes c USING (code) WHERE f.source_id = ? AND c.kind = ?",
        (source_id, kind))}


def facts(store: CodeStore, code: str, source_id: int, modifier: str = "") -> dict[str, object]:
    row = store.conn.execute("SELECT facts FROM code_facts WHERE code = ? AND source_id = ? AND modifier = ?",
                             (code, source_id, modifier)).fetchone()
    return dict(json.loads(row[0]))


def test_rvu_csv(loaded: tuple[CodeStore, list[ImportSummary]], real_data: Path) -> None:
    store, summaries = loaded
    rvu = summaries[0]
    assert (rvu.format, rvu.release, rvu.source_name) == ("cms-rvu-csv", "RVU25D", "CMS PFS RVU 2025 October (RVU25D)")
    codes = source_codes(store, rvu.source_id)
    assert len(codes) == 16_852
    assert sum(c.endswith("F") for c in codes) == 565 and sum(c.endswith("T") for c in codes) == 590
    office = facts(store, "99213", rvu.source_id)
    assert office["status_code"] == "A" and office["work_rvu"] == 1.30 and office["global_days"] == "XXX"
    assert office["conversion_factor"] == 32.3465
    short = store.conn.execute("SELECT text FROM descriptors WHERE code = '99213' AND source_id = ? AND kind = 'short'",
                               (rvu.source_id,)).fetchone()[0]
    # The file's own short descriptor, read here with the csv module (its text is not copied into this test).
    with (real_data / RVU / "PPRRVU2025_Oct.csv").open(newline="", encoding="latin-1") as fh:
        in_file = next(row[2] for row in csv.reader(fh) if row and row[0] == "99213" and not row[1].strip())
    assert short == in_file.strip() and "est" in short.lower()
    assert facts(store, "3044F", rvu.source_id)["status_code"] == "I"
    assert facts(store, "0042T", rvu.source_id)["status_code"] == "C"
    assert facts(store, "0986T", rvu.source_id)["global_days"] == "ZZZ"
    # Modifier rows are components, never codes of their own.
    assert store.conn.execute("SELECT count(*) FROM code_facts WHERE source_id = ? AND modifier != ''",
                              (rvu.source_id,)).fetchone()[0] == 1_127 + 1_108 + 4
    assert store.conn.execute("SELECT count(*) FROM codes WHERE length(code) > 5").fetchone()[0] == 0


def test_rvu_csv_and_txt_agree(real_data: Path, loaded: tuple[CodeStore, list[ImportSummary]],
                               tmp_path: Path) -> None:
    store, summaries = loaded
    other = CodeStore.open(tmp_path / "db.sqlite3")
    try:
        txt = import_paths(other.conn, [real_data / RVU / "PPRRVU2025_Oct.txt"])[0]
        assert (txt.format, txt.release) == ("cms-rvu-txt", "RVU25D")
        sql = "SELECT code, modifier, facts FROM code_facts WHERE source_id = ?"
        assert set(other.conn.execute(sql, (txt.source_id,)).fetchall()) == set(
            store.conn.execute(sql, (summaries[0].source_id,)).fetchall())
        sql = "SELECT code, kind, text FROM descriptors WHERE source_id = ?"
        assert set(other.conn.execute(sql, (txt.source_id,)).fetchall()) == set(
            store.conn.execute(sql, (summaries[0].source_id,)).fetchall())
    finally:
        other.close()


def test_hcpcs_2020(loaded: tuple[CodeStore, list[ImportSummary]]) -> None:
    store, summaries = loaded
    hcpcs = summaries[1]
    assert (hcpcs.format, hcpcs.release, hcpcs.modifiers) == ("cms-hcpcs-txt", "2020-01", 369)
    assert len(source_codes(store, hcpcs.source_id)) == 6_710
    assert len(source_codes(store, hcpcs.source_id, "modifier")) == 369
    # Continuation records (cut at 91 characters in 2020) are joined with one space.
    long = store.conn.execute("SELECT text FROM descriptors WHERE code = 'A0080' AND source_id = ? AND kind = 'long'",
                              (hcpcs.source_id,)).fetchone()[0]
    assert long.endswith("volunteer (individual or organization), with no vested interest")
    a1 = store.conn.execute("SELECT kind, code_set FROM codes WHERE code = 'A1'").fetchone()
    assert tuple(a1) == ("modifier", "HCPCS")
    first = facts(store, "A0021", hcpcs.source_id)
    assert (first["coverage_code"], first["betos"], first["added_date"]) == ("I", "O1A", "1985-01-01")
    terminated = store.conn.execute(
        "SELECT count(*) FROM code_facts WHERE source_id = ? AND json_extract(facts, '$.deleted_date') IS NOT NULL",
        (hcpcs.source_id,)).fetchone()[0]
    assert terminated == 615


def test_hcpcs_oct_2025_xlsx(real_data: Path, tmp_path: Path) -> None:
    store = CodeStore.open(tmp_path / "db.sqlite3")
    try:
        s = import_paths(store.conn, [real_data / "cms-hcpcs-2025-oct" / "HCPC2025_OCT_ANWEB.xlsx"])[0]
        assert (s.format, s.release, s.source_name) == ("cms-hcpcs-xlsx", "2025-10", "CMS HCPCS Level II 2025 October")
        assert len(source_codes(store, s.source_id)) == 8_463
        assert s.modifiers == len(source_codes(store, s.source_id, "modifier")) == 383
    finally:
        store.close()


def test_qpp(loaded: tuple[CodeStore, list[ImportSummary]]) -> None:
    store, summaries = loaded
    measures, claims = summaries[2], summaries[3]
    assert (measures.release, measures.measures) == ("2025", 612)
    met = {r[0] for r in store.conn.execute(
        "SELECT code FROM measure_codes WHERE measure_id = '024' AND role = 'performance met' AND source_id = ?",
        (measures.source_id,))}
    assert met == {"5015F"}
    claims_codes = {r[0] for r in store.conn.execute(
        "SELECT code FROM measure_codes WHERE source_id = ? AND code GLOB '[0-9][0-9][0-9][0-9]F'",
        (claims.source_id,))}
    assert claims_codes == CATEGORY_II_IN_CLAIMS
    assert claims.measures == 29
    claims_met = {r[0] for r in store.conn.execute(
        "SELECT code FROM measure_codes WHERE source_id = ? AND measure_id = '024' AND role = 'performance met'",
        (claims.source_id,))}
    assert claims_met == {"5015F"}
    claims_not_met = {r[0] for r in store.conn.execute(
        "SELECT code || '-' || modifier FROM measure_codes WHERE source_id = ? AND measure_id = '024' "
        "AND role = 'performance not met'", (claims.source_id,))}
    assert claims_not_met == {"5015F-8P"}
    detail = store.detail("5015F")
    assert {"024", "024.01"} <= {m.measure_id for m in detail.measures}
    assert any(m.title.startswith("Communication with the Physician") for m in detail.measures)
    row = store.conn.execute("SELECT counts FROM sources WHERE id = ?", (claims.source_id,)).fetchone()
    counts = json.loads(row[0])
    assert counts["diagnosis_codes"] == 4_189


# --- regressions on the real files (the importer review's defects) --------------------------------------------

def snapshot(store: CodeStore) -> list[object]:
    """Cheap proof that a refused import changed nothing: every source row and every table's row count."""
    tables = ("sources", "codes", "descriptors", "code_facts", "measures", "measure_codes", "code_fts")
    return [store.conn.execute("SELECT * FROM sources ORDER BY id").fetchall(),
            *(store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables),
            store.conn.execute("SELECT count(*), group_concat(code) FROM codes WHERE status != 'active'").fetchone()]


def test_first_rvu_import_counts_every_code_as_added(loaded: tuple[CodeStore, list[ImportSummary]]) -> None:
    """The bundled summaries' codes were counted as '1,442 updated' (defect 5a)."""
    rvu = loaded[1][0]
    assert (rvu.added, rvu.updated, rvu.unchanged) == (16_852, 0, 0)


@pytest.mark.parametrize(("relative", "size", "line"), [
    (f"{RVU}/PPRRVU2025_Oct.csv", 674_852, 5_001),
    (f"{RVU}/PPRRVU2025_Oct.txt", 518_303, 3_001),
    ("cms-hcpcs-2020/HCPC2020_ANWEB_w_disclaimer.txt", 1_385_701, 6_509),
])
def test_truncated_real_file_is_refused(real_data: Path, loaded: tuple[CodeStore, list[ImportSummary]],
                                        tmp_path: Path, relative: str, size: int, line: int) -> None:
    """`head -c` of a loaded release was accepted and replaced it (Category I 9,726 → 4,642) (defect 1a)."""
    store = loaded[0]
    before = snapshot(store)
    source = real_data / relative
    cut = tmp_path / source.name
    cut.write_bytes(source.read_bytes()[:size])
    with pytest.raises(ImportFileError, match=rf"^{source.name}, line {line}: the last line has no line end"):
        import_paths(store.conn, [cut])
    # Cut at a line end instead: well-formed to the end, but far shorter than the loaded copy (defect 1c).
    data = source.read_bytes()[:size]
    cut.write_bytes(data[: data.rfind(b"\n") + 1])
    with pytest.raises(ImportFileError, match=r"has [\d,]+ codes; the loaded copy of this release .* has [\d,]+; "
                                              r"the file looks truncated"):
        import_paths(store.conn, [cut])
    assert snapshot(store) == before


def test_real_claims_csv_has_no_final_line_end(real_data: Path) -> None:
    """The published claims CSV ends without a line end; it is complete and must keep importing."""
    assert not (real_data / "cms-qpp-measures" / "2025_Claims_SingleSource_V9.1.csv").read_bytes().endswith(b"\n")


def test_rvu_csv_without_work_rvu_is_refused(real_data: Path, tmp_path: Path) -> None:
    """A PPRRVU CSV missing the WORK RVU column imported and wiped the RVUs (defect 3)."""
    import csv
    import io

    text = (real_data / RVU / "PPRRVU2025_Oct.csv").read_text(encoding="ascii")
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(r[:5] + r[6:] for r in csv.reader(io.StringIO(text, newline="")))
    path = tmp_path / "PPRRVU2025_Oct.csv"
    path.write_text(out.getvalue(), encoding="ascii", newline="")
    store = CodeStore.open(tmp_path / "db.sqlite3")
    try:
        with pytest.raises(ImportFileError, match=r"^PPRRVU2025_Oct\.csv, line 10: wrong columns: missing WORK RVU"):
            import_paths(store.conn, [path])
    finally:
        store.close()


def test_zip_with_a_utf16_member_fails(real_data: Path, tmp_path: Path) -> None:
    """A good HCPCS file and a UTF-16 PPRRVU CSV in one zip imported with only a note (defect 4)."""
    import zipfile

    archive = tmp_path / "mixed.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(real_data / "cms-hcpcs-2020" / "HCPC2020_ANWEB_w_disclaimer.txt", "HCPC2020_ANWEB_w_disclaimer.txt")
        zf.write(real_data / "cms-hcpcs-2020" / "HCPC2020_README.txt", "HCPC2020_README.txt")
        zf.write(real_data / "cms-hcpcs-2020" / "proc_notes_2020.txt", "proc_notes_2020.txt")
        zf.writestr("PPRRVU2025_Oct.csv", (real_data / RVU / "PPRRVU2025_Oct.csv").read_text("ascii").encode("utf-16"))
    store = CodeStore.open(tmp_path / "db.sqlite3")
    try:
        with pytest.raises(ImportFileError, match=r"^mixed\.zip/PPRRVU2025_Oct\.csv, line 1: the file is UTF-16"):
            import_paths(store.conn, [archive])
    finally:
        store.close()


def test_status_is_the_same_in_both_import_orders(real_data: Path, tmp_path: Path) -> None:
    """J2311 was active or deleted depending on which file came last (50 codes affected) (defect 2)."""
    hcpcs = real_data / "cms-hcpcs-2025-oct" / "HCPC2025_OCT_ANWEB.xlsx"
    rvu = real_data / RVU / "PPRRVU2025_Oct.csv"
    results = []
    for name, order in (("a", [hcpcs, rvu]), ("b", [rvu, hcpcs])):
        store = CodeStore.open(tmp_path / f"{name}.sqlite3")
        try:
            import_paths(store.conn, order)
            results.append(dict(store.conn.execute("SELECT code, status || ' ' || deleted_date FROM codes")))
        finally:
            store.close()
    assert results[0] == results[1]
    assert results[0]["J2311"] == "deleted 2025-07-01"  # the HCPCS file decides (TERM DT 2025-06-30, + 1 day)
    assert results[0]["99213"] == "active "
