"""The detail of one code: descriptors by source, measures merged across sources, grammar for unknowns."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore
from tests.fixtures.make_fixtures import RVU_ROWS_JAN, write_rvu_csv


def _add_source(store: CodeStore, kind: str, name: str) -> int:
    return int(store.conn.execute(
        "INSERT INTO sources (kind, name, file_name, release, loaded_at) VALUES (?, ?, 'f', '2025', 'now')",
        (kind, name)).lastrowid)


def test_the_same_measure_link_from_two_sources_is_shown_once(store: CodeStore) -> None:
    json_source = _add_source(store, "cms-qpp", "QPP measures")
    claims_source = _add_source(store, "cms-qpp-claims", "QPP claims")
    store.conn.execute("INSERT INTO measures (measure_id, source_id, title) VALUES ('024', ?, 'Talk to the doctor')",
                       (json_source,))
    rows = [("024", "5015F", "performance met", "performanceMet", json_source),
            ("024", "5015F", "performance met", "CPT_II_PD_1", claims_source),
            ("024", "5015F", "performance not met", "CPT_II_PN_1", claims_source)]
    store.conn.executemany("INSERT INTO measure_codes (measure_id, code, role, role_detail, source_id) "
                           "VALUES (?, ?, ?, ?, ?)", rows)
    measures = store.detail("5015F").measures
    assert [(m.measure_id, m.role) for m in measures] == [("024", "performance met"), ("024", "performance not met")]
    assert measures[0].source == "QPP measures; QPP claims"
    assert measures[0].role_detail == "performanceMet, CPT_II_PD_1"
    assert measures[0].title == "Talk to the doctor"


def test_a_code_no_file_describes_still_shows_its_measures(store: CodeStore) -> None:
    source = _add_source(store, "cms-qpp", "QPP measures")
    store.conn.execute("INSERT INTO measure_codes (measure_id, code, role, source_id) VALUES ('001', 'G9999', "
                       "'exclusion', ?)", (source,))
    detail = store.detail("G9999")
    assert not detail.known
    assert detail.code_set == "HCPCS"
    assert [(m.measure_id, m.role) for m in detail.measures] == [("001", "exclusion")]


def test_the_newest_release_describes_first_whatever_the_import_order(store: CodeStore) -> None:
    # The 2020 HCPCS file imported after the 2025 one put its obsolete long descriptor first.
    for name, effective, text in (("HCPCS 2025", "2025-10-01", "Current invented words"),
                                  ("HCPCS 2020", "2020-01-01", "Obsolete invented words")):
        source = int(store.conn.execute(
            "INSERT INTO sources (kind, name, file_name, release, loaded_at, effective_date) "
            "VALUES ('cms-hcpcs', ?, 'f', ?, 'now', ?)", (name, effective[:4], effective)).lastrowid)
        store.conn.execute("INSERT INTO descriptors (code, kind, text, source_id) VALUES ('99213', 'long', ?, ?)",
                           (text, source))
    longs = [d.text for d in store.detail("99213").descriptors if d.kind == "long"]
    assert longs == ["Current invented words", "Obsolete invented words"]


def test_a_code_the_imported_fee_schedule_does_not_list_says_so(store: CodeStore, tmp_path: Path) -> None:
    # E0601 (DME) showed nothing at all about payment, as if no RVU file were imported.
    template = next(r for r in RVU_ROWS_JAN if r[0] == "A9990")
    write_rvu_csv(tmp_path / "PPRRVU2030_Jan.csv", [["G9990", "", "Invented item", *template[3:]]], "January")
    import_paths(store.conn, [tmp_path / "PPRRVU2030_Jan.csv"])
    store.refresh()
    listed, unlisted, unknown = (store.detail(code) for code in ("G9990", "99213", "0009A"))
    assert not any("does not list this code" in n for n in listed.payment_notes)
    assert unlisted.payment_notes == [
        "CMS PFS RVU 2030 January (RVU30A) does not list this code. Codes outside the physician fee schedule (DME, "
        "supplies, drugs, lab tests, ambulance) are paid under fee schedules of their own, which CodeDesk does not "
        "import"]
    assert not unknown.known and unknown.payment_notes == []  # a code in no file: nothing to say about its payment


def test_without_a_fee_schedule_file_nothing_is_said_about_one(store: CodeStore) -> None:
    assert store.detail("99213").payment_notes == []
