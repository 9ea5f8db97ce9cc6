"""The bundled reference: catalog text files, starter codes, build and rebuild."""

from __future__ import annotations

import csv
import shutil
import time
from pathlib import Path

import pytest

from desktop_app.core.catalog import Catalog
from desktop_app.core.database import connect
from desktop_app.core.grammar import CodeSet, code_set_of
from desktop_app.core.reference import BUNDLED_SOURCE_NAME, ensure_reference, read_starter_codes
from desktop_app.core.resources import data_dir
from desktop_app.core.store import CodeStore

SEED_CODES = ["99213", "20610", "71045", "97110", "2016F", "3074F", "4011F"]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_files(data_dir())


def test_four_code_sets_with_at_least_12_features_each(catalog: Catalog) -> None:
    assert [c.id for c in catalog.code_sets] == ["I", "II", "III", "HCPCS"]
    for code_set in catalog.code_sets:
        rows = [f for f in catalog.features if f.code_set == code_set.id]
        assert len(rows) >= 12
        assert all(f.value.strip() for f in rows)


@pytest.mark.parametrize(
    ("code", "path"),
    [
        ("99213", ["Evaluation and Management", "Office or Other Outpatient Services"]),
        ("99116", ["Anesthesia", "Qualifying Circumstances for Anesthesia"]),  # inside Medicine's numbers
        ("00400", ["Anesthesia", "Thorax (Chest Wall and Shoulder Girdle)"]),
        ("20610", ["Surgery", "Musculoskeletal System"]),
        ("69990", ["Surgery", "Operating Microscope"]),
        ("0001U", ["Pathology and Laboratory", "Proprietary Laboratory Analyses (PLA)"]),
        ("0001A", ["Medicine", "Immunization Administration for Vaccines/Toxoids"]),  # an administration code
        ("99600", ["Medicine", "Home Health Procedures/Services"]),
        ("2016F", ["Physical Examination"]),
        ("0521F", ["Patient Management"]),
        ("0042T", ["Category III Codes"]),
        ("G0438", ["G: Procedures/Professional Services (Temporary)"]),
        ("J9035", ["J: Drugs Administered Other Than Oral Method", "Chemotherapy Drugs"]),
    ],
)
def test_narrowest_section(catalog: Catalog, code: str, path: list[str]) -> None:
    section = catalog.section_for(code)
    assert section is not None
    assert [s.name for s in catalog.section_path(section.id)] == path


def test_starter_codes_cover_the_brief() -> None:
    starters = read_starter_codes(data_dir())
    by_set: dict[CodeSet | None, int] = {}
    for starter in starters:
        by_set[code_set_of(starter.code)] = by_set.get(code_set_of(starter.code), 0) + 1
    codes = {s.code for s in starters}
    assert len(starters) >= 400
    assert set(SEED_CODES) <= codes
    assert by_set[CodeSet.CAT_III] >= 30
    assert by_set[CodeSet.HCPCS] >= 60
    office_ed_critical = {f"992{n:02d}" for n in (2, 3, 4, 5, 11, 12, 13, 14, 15)} | {
        "99281", "99282", "99283", "99284", "99285", "99291", "99292"}
    preventive = {f"993{n}" for n in (81, 82, 83, 84, 85, 86, 87, 91, 92, 93, 94, 95, 96, 97)}
    assert office_ed_critical | preventive <= codes
    claims_cat_ii = {"1036F", "1123F", "1124F", "3017F", "3095F", "3126F", "3267F", "5015F"}
    assert claims_cat_ii <= codes
    assert all(20 <= len(s.summary) <= 300 for s in starters)


def test_seed_article_errors_are_not_repeated(store: CodeStore) -> None:
    assert "asthma" in store.detail("2016F").title.lower()
    assert "smoking cessation" not in store.detail("2016F").title.lower()
    assert store.detail("99213").section[0].name == "Evaluation and Management"
    assert "130" in store.detail("3074F").title
    assert "antiplatelet" in store.detail("4011F").title.lower()


def test_every_bundled_descriptor_is_labelled_ours(store: CodeStore) -> None:
    detail = store.detail("3074F")
    assert [d.source.name for d in detail.descriptors] == [BUNDLED_SOURCE_NAME]
    assert all(d.source.is_ours for d in detail.descriptors)


def test_build_is_fast(tmp_path: Path) -> None:
    conn = connect(tmp_path / "db.sqlite3")
    started = time.perf_counter()
    assert ensure_reference(conn) is True
    assert time.perf_counter() - started < 5  # the 1 s target lives in the benchmark; this only guards
    assert ensure_reference(conn) is False  # nothing changed: no rebuild


def test_rebuild_when_bundle_changes_keeps_imported_sources(tmp_path: Path) -> None:
    bundle = tmp_path / "data"
    shutil.copytree(data_dir(), bundle)
    conn = connect(tmp_path / "db.sqlite3")
    ensure_reference(conn, bundle)
    conn.execute("INSERT INTO sources (kind, name, file_name, release, loaded_at) "
                 "VALUES ('csv', 'practice list', 'mine.csv', '1', 'now')")
    source_id = conn.execute("SELECT id FROM sources WHERE kind = 'csv'").fetchone()[0]
    conn.execute("INSERT INTO codes (code, code_set) VALUES ('99499', 'I')")
    conn.execute("INSERT INTO descriptors (code, kind, text, source_id) VALUES ('99499', 'long', 'our clinic', ?)",
                 (source_id,))
    with (bundle / "starter_codes" / "extra.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows([["code", "summary", "keywords"], ["0043T", "A test summary we wrote.", ""]])
    assert ensure_reference(conn, bundle) is True
    assert conn.execute("SELECT count(*) FROM codes WHERE code IN ('0043T', '99499')").fetchone()[0] == 2
    assert conn.execute("SELECT title FROM codes WHERE code = '99499'").fetchone()[0] == "our clinic"


def test_bad_starter_row_names_file_and_line(tmp_path: Path) -> None:
    bundle = tmp_path / "data"
    shutil.copytree(data_dir(), bundle)
    (bundle / "starter_codes" / "zz.csv").write_text("code,summary,keywords\n99213X,bad,\n")
    with pytest.raises(ValueError, match=r"zz.csv, line 2"):
        read_starter_codes(bundle)


def test_section_ranges_nest_or_stay_apart(catalog: Catalog) -> None:
    """A range that only partly overlaps another makes "narrowest wins" pick the wrong section."""
    from desktop_app.core.catalog import code_ordinal
    from desktop_app.core.grammar import classify

    ranges = [(s.name, r) for s in catalog.sections.values() for r in s.ranges]
    overlaps = []
    for i, (name_a, a) in enumerate(ranges):
        for name_b, b in ranges[i + 1:]:
            if classify(a.start) is not classify(b.start):
                continue
            a0, a1, b0, b1 = (code_ordinal(x) for x in (a.start, a.end, b.start, b.end))
            disjoint = a1 < b0 or b1 < a0
            nested = (a0 <= b0 and b1 <= a1) or (b0 <= a0 and a1 <= b1)
            if not disjoint and not nested:
                overlaps.append(f"{name_a} {a} / {name_b} {b}")
    assert overlaps == []


@pytest.mark.parametrize(("code", "section"), [("99417", "Prolonged Services"), ("99422", "Digital Evaluation and "
                                               "Management Services"), ("90476", "Vaccines and Toxoids"),
                                               ("99395", "Preventive Medicine Services"),
                                               ("90471", "Immunization Administration for Vaccines/Toxoids")])
def test_codes_between_neighbouring_subsections(catalog: Catalog, code: str, section: str) -> None:
    found = catalog.section_for(code)
    assert found is not None and found.name == section


def _neighbours(code: str) -> list[str]:
    """Codes of the same shape next to ``code``: the digits or letters around each character."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    found = {code}
    for i, ch in enumerate(code):
        at = alphabet.find(ch)
        for step in (-1, 1):
            if 0 <= at + step < len(alphabet):
                found.add(code[:i] + alphabet[at + step] + code[i + 1 :])
    return sorted(found)


def test_section_lookup_agrees_with_a_scan_of_every_range(catalog: Catalog) -> None:
    """section_for bisects precomputed runs; every code at and beside a range's ends gets the section the full
    scan of the ranges (narrowest, then deepest) gives, and so do a spread of codes of each shape."""
    from desktop_app.core.grammar import classify

    probes: set[str] = set()
    for section in catalog.sections.values():
        for code_range in section.ranges:
            probes.update(_neighbours(code_range.start))
            probes.update(_neighbours(code_range.end))
    probes.update(f"{n:05d}" for n in range(0, 100_000, 7))
    probes.update(f"{n:04d}F" for n in range(0, 10_000, 3))
    probes.update(f"{n:04d}T" for n in range(0, 10_000, 3))
    probes.update(f"{letter}{n:04d}" for letter in "ABCDEGHJKLMPQRSTUV" for n in range(0, 10_000, 11))
    checked = 0
    for code in sorted(probes):
        shape = classify(code)
        index = catalog._by_shape.get(shape) if shape else None
        expected = index.scan(code) if index else None
        found = catalog.section_for(code)
        assert (found.id if found else None) == expected, code
        checked += expected is not None
    assert checked > 10_000  # the probes land in sections, not only outside every range


def test_a_rebuild_that_rewrites_most_search_rows_leaves_the_index_merged(tmp_path: Path) -> None:
    # A new CodeDesk whose bundle differs rewrote most rows of a database with the real files imported and left
    # the index in many segments: every search about 65% slower until the next large import merged it.
    bundle = tmp_path / "data"
    shutil.copytree(data_dir(), bundle)
    conn = connect(tmp_path / "db.sqlite3")
    ensure_reference(conn, bundle)
    conn.execute("DELETE FROM code_fts")  # every row must be written again by the next rebuild
    with (bundle / "starter_codes" / "extra.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows([["code", "summary", "keywords"], ["0043T", "A test summary we wrote.", ""]])
    assert ensure_reference(conn, bundle) is True

    def structure() -> bytes:
        return bytes(conn.execute("SELECT block FROM code_fts_data WHERE id = 10").fetchone()[0])

    merged = structure()
    conn.execute("INSERT INTO code_fts (code_fts) VALUES ('optimize')")
    assert structure()[4:] == merged[4:]  # one segment already: optimize leaves the structure as it was
