"""Re-imports replace, newer releases keep history, sources can be removed; progress and cancellation."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from importer_helpers import FIXTURES, dump

from desktop_app.core.errors import ImportCancelled, UserError
from desktop_app.core.importers import import_paths, remove_source
from desktop_app.core.store import CodeStore

JAN = FIXTURES / "cms" / "PPRRVU2030_Jan.csv"
APR = FIXTURES / "cms" / "PPRRVU2030_Apr.csv"


def count(store: CodeStore, sql: str, *args: object) -> int:
    return int(store.conn.execute(sql, args).fetchone()[0])


def title(store: CodeStore, code: str) -> str:
    return str(store.conn.execute("SELECT title FROM codes WHERE code = ?", (code,)).fetchone()[0])


def table_counts(store: CodeStore) -> dict[str, int]:
    return {t: count(store, f"SELECT count(*) FROM {t}")
            for t in ("sources", "codes", "descriptors", "code_facts", "measures", "measure_codes", "code_fts")}


def test_reimport_replaces_and_never_duplicates(db: CodeStore) -> None:
    first = import_paths(db.conn, [JAN])[0]
    after_first = table_counts(db)
    again = import_paths(db.conn, [JAN])[0]
    assert table_counts(db) == after_first
    assert (first.added, again.added, again.updated, again.unchanged) == (11, 0, 0, 11)
    assert any("replaced" in note for note in again.notes)
    assert count(db, "SELECT count(*) FROM sources WHERE kind = 'cms-rvu'") == 1
    assert count(db, "SELECT count(*) FROM codes WHERE title_source = ?", again.source_id) == 11
    # The same release as fixed-width text is the same source: it replaces the CSV, and nothing differs.
    txt = import_paths(db.conn, [FIXTURES / "cms" / "PPRRVU2030_Jan.txt"])[0]
    assert (txt.release, txt.added, txt.updated, txt.unchanged) == ("RVU30A", 0, 0, 11)
    assert table_counts(db) == after_first


def test_reimport_of_every_format_is_stable(db: CodeStore) -> None:
    paths = [FIXTURES / "cms" / "HCPC2030_ANWEB_fixture.txt", FIXTURES / "qpp" / "measures-data-2030.json",
             FIXTURES / "qpp" / "2030_Claims_SingleSource_V1.0.csv", FIXTURES / "csv" / "practice_favourites.csv",
             FIXTURES / "ama" / "CPT 2030 data files"]
    import_paths(db.conn, paths)
    before = table_counts(db)
    summaries = import_paths(db.conn, paths)
    assert table_counts(db) == before
    assert all(s.added == 0 and s.updated == 0 and s.unchanged > 0 for s in summaries), summaries


def test_newer_release_keeps_history_and_takes_the_title(db: CodeStore) -> None:
    jan = import_paths(db.conn, [JAN])[0]
    apr = import_paths(db.conn, [APR])[0]
    assert (apr.release, apr.source_name) == ("RVU30B", "CMS PFS RVU 2030 April (RVU30B)")
    assert (apr.added, apr.updated, apr.unchanged) == (1, 1, 9)  # 99996 new; 99990 changed
    assert count(db, "SELECT count(*) FROM sources WHERE kind = 'cms-rvu'") == 2
    assert title(db, "99990") == "Imaginary visit, brief, revised"
    texts = {r[0] for r in db.conn.execute("SELECT text FROM descriptors WHERE code = '99990'")}
    assert texts == {"Imaginary visit, brief", "Imaginary visit, brief, revised"}
    assert count(db, "SELECT count(*) FROM code_facts WHERE code = '99990' AND modifier = ''") == 2
    # A code only the older release has stays, with its older data.
    assert title(db, "99993") == "Retired demo procedure"
    # Re-importing the older release later does not take the title back: the newest effective date wins.
    import_paths(db.conn, [JAN])
    assert title(db, "99990") == "Imaginary visit, brief, revised"
    assert count(db, "SELECT count(*) FROM sources WHERE kind = 'cms-rvu'") == 2
    assert jan.source_name == "CMS PFS RVU 2030 January (RVU30A)"


def test_remove_source(db: CodeStore) -> None:
    import_paths(db.conn, [JAN])
    apr = import_paths(db.conn, [APR])[0]
    remove_source(db.conn, apr.source_id)
    assert count(db, "SELECT count(*) FROM codes WHERE code = '99996'") == 0  # no source speaks of it
    assert title(db, "99990") == "Imaginary visit, brief"
    assert count(db, "SELECT count(*) FROM code_fts WHERE code = '99996'") == 0
    assert count(db, "SELECT count(*) FROM code_fts WHERE code = '99990' AND title = 'Imaginary visit, brief'") == 1


def test_remove_source_recomputes_status(db: CodeStore) -> None:
    hcpcs = import_paths(db.conn, [FIXTURES / "cms" / "HCPC2030_ANWEB_fixture.txt"])[0]
    practice = FIXTURES / "csv" / "practice_favourites.csv"
    import_paths(db.conn, [practice])
    assert db.conn.execute("SELECT status FROM codes WHERE code = 'A9991'").fetchone()[0] == "deleted"
    remove_source(db.conn, hcpcs.source_id)
    assert count(db, "SELECT count(*) FROM codes WHERE code = 'A9991'") == 0
    # Z1 is still described by the practice list, which says nothing about status: back to active.
    assert db.conn.execute("SELECT status, kind FROM codes WHERE code = 'Z1'").fetchone()[:] == ("active", "modifier")


def test_remove_source_refuses_the_bundled_reference_and_unknown_ids(db: CodeStore) -> None:
    bundled = db.conn.execute("SELECT id FROM sources WHERE kind = 'bundled'").fetchone()[0]
    before = dump(db.conn)
    with pytest.raises(UserError, match="bundled"):
        remove_source(db.conn, bundled)
    with pytest.raises(UserError, match="no source"):
        remove_source(db.conn, 9999)
    assert dump(db.conn) == before


def test_sources_row(db: CodeStore) -> None:
    s = import_paths(db.conn, [FIXTURES / "qpp" / "2030_Claims_SingleSource_V1.0.csv"])[0]
    row = db.conn.execute("SELECT * FROM sources WHERE id = ?", (s.source_id,)).fetchone()
    assert row["kind"] == "cms-qpp-claims" and row["release"] == "2030" and row["effective_date"] == "2030-01-01"
    assert row["loaded_at"].startswith("20") and len(row["sha256"]) == 64
    counts = json.loads(row["counts"])
    assert {"added", "updated", "unchanged", "warnings", "measure_codes"} <= set(counts)


# --- progress and cancellation -------------------------------------------------------------------------------

def big_list(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "big_practice_list.csv"
    path.write_text("code,descriptor\n" + "".join(f"{10000 + i},Invented practice text number {i}\n"
                                                  for i in range(rows)), encoding="utf-8")
    return path


def test_progress_is_reported(db: CodeStore, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    import_paths(db.conn, [big_list(tmp_path, 5000)], progress=lambda m, d, t: calls.append((m, d, t)))
    assert all(isinstance(m, str) and isinstance(d, int) and isinstance(t, int) for m, d, t in calls)
    reading = [c for c in calls if c[0].startswith("Reading")]
    assert len(reading) >= 5 and reading[-1][1] >= 5000 - 1000 and reading[-1][2] == 5000
    assert any(c[0].startswith("Writing") for c in calls)


def test_cancel_is_polled_about_every_1000_rows(db: CodeStore, tmp_path: Path) -> None:
    polls = 0

    def cancel() -> bool:
        nonlocal polls
        polls += 1
        return False

    import_paths(db.conn, [big_list(tmp_path, 5000)], cancel=cancel)
    assert 5 <= polls <= 30


def test_cancel_at_any_point_rolls_back(db: CodeStore, tmp_path: Path) -> None:
    import_paths(db.conn, [JAN])
    before = dump(db.conn)
    paths = [APR, FIXTURES / "ama" / "CPT 2030 data files", big_list(tmp_path, 3000)]
    stop_at = 1
    while True:
        polls = 0

        def cancel() -> bool:
            nonlocal polls
            polls += 1
            return polls >= stop_at  # noqa: B023 - read at call time on purpose

        try:
            import_paths(db.conn, paths, cancel=cancel)
        except ImportCancelled:
            assert not db.conn.in_transaction
            assert dump(db.conn) == before, f"cancelled at poll {stop_at}"
            stop_at += 1
            continue
        break
    assert stop_at > 10  # cancelled while reading and while writing, and every time nothing changed
    assert count(db, "SELECT count(*) FROM sources WHERE kind = 'cms-rvu'") == 2


# --- status: decided by the authoritative source, whatever the import order (defect 2) -----------------------

HCPCS = FIXTURES / "cms" / "HCPC2030_ANWEB_fixture.txt"
AMA_2030 = FIXTURES / "ama" / "CPT 2030 data files"


def rvu_with_status_conflicts(tmp_path: Path) -> Path:
    """The January RVU CSV plus invented rows that contradict the HCPCS and AMA fixtures (same effective date,
    2030-01-01, so only the rules can decide, never the order of loading)."""
    lines = JAN.read_bytes().split(b"\r\n")
    template = next(line for line in lines if line.startswith(b"99991,,Pretend scan of sample limb,"))
    extra = [
        (b"A9991", b"Invented dressing still paid", b"A"),  # HCPCS: discontinued in 2015 → HCPCS decides
        (b"99995", b"Invented procedure gone", b"D"),  # AMA 2030 lists it → AMA decides (active)
        (b"99980", b"Old invented procedure", b"A"),  # AMA Deleted_DTK: deleted 2028 → AMA decides
        (b"G9991", b"Invented flag retired", b"D"),  # no HCPCS row → the RVU file decides (deleted)
        (b"99997", b"Invented code gone", b"D"),  # no AMA row → the RVU file decides (deleted)
    ]
    for code, text, status in extra:
        cells = template.split(b",")
        cells[0], cells[2], cells[3] = code, text, status
        lines.insert(len(lines) - 1, b",".join(cells))
    path = tmp_path / "rvu" / JAN.name
    path.parent.mkdir()
    path.write_bytes(b"\r\n".join(lines))
    return path


def statuses(store: CodeStore) -> dict[str, tuple[str, str]]:
    return {r[0]: (r[1], r[2]) for r in store.conn.execute("SELECT code, status, deleted_date FROM codes")}


def test_status_does_not_depend_on_import_order(new_db: Callable[[str], CodeStore], tmp_path: Path) -> None:
    rvu = rvu_with_status_conflicts(tmp_path)
    results = []
    for n, order in enumerate(itertools.permutations([HCPCS, rvu, AMA_2030])):
        store = new_db(f"order{n}")
        for path in order:  # one import each, as a user would do it over time
            import_paths(store.conn, [path])
        results.append(statuses(store))
        # ... and all at once, in that order.
        together = new_db(f"together{n}")
        import_paths(together.conn, list(order))
        results.append(statuses(together))
    assert all(r == results[0] for r in results)
    status = results[0]
    # HCPCS Level II: the HCPCS file decides (TERM DT 2015-12-31: deleted as of the day after)
    assert status["A9991"] == ("deleted", "2016-01-01")
    assert status["A9990"] == ("active", "")
    assert status["99995"] == ("active", "")  # CPT: the AMA release decides over the RVU file's D
    assert status["99980"] == ("deleted", "2028-01-01")  # CPT: AMA's deletion decides over the RVU file's A
    assert status["99993"] == ("deleted", "2030-01-01")  # CPT without an AMA row: the RVU file's D
    assert status["99997"] == ("deleted", "2030-01-01")
    assert status["G9991"] == ("deleted", "2030-01-01")  # HCPCS code the HCPCS file lacks: the RVU file
    assert status["99990"] == ("active", "")


def test_status_after_removing_the_authority(db: CodeStore, tmp_path: Path) -> None:
    rvu = rvu_with_status_conflicts(tmp_path)
    hcpcs = import_paths(db.conn, [HCPCS])[0]
    import_paths(db.conn, [rvu])
    assert statuses(db)["A9991"] == ("deleted", "2016-01-01")
    remove_source(db.conn, hcpcs.source_id)
    assert statuses(db)["A9991"] == ("active", "")  # now only the RVU file speaks of it


# --- added / updated / unchanged are relative to the family's previous release (defect 5a) -----------------

def test_first_import_of_a_family_counts_everything_as_added(db: CodeStore, tmp_path: Path) -> None:
    """Codes another kind of source (or the bundled summaries) already described are still new to this family."""
    practice = tmp_path / "favourites.csv"
    practice.write_text("code,descriptor\n99990,Our quick visit\n0990F,Our measure note\n", encoding="utf-8")
    import_paths(db.conn, [practice])
    first = import_paths(db.conn, [JAN])[0]
    assert (first.added, first.updated, first.unchanged) == (11, 0, 0)
    # The next release is compared with this one; an older one loaded later with nothing older than it.
    apr = import_paths(db.conn, [APR])[0]
    assert (apr.added, apr.updated, apr.unchanged) == (1, 1, 9)


def test_older_release_loaded_later_is_compared_with_what_precedes_it(db: CodeStore) -> None:
    import_paths(db.conn, [APR])
    jan = import_paths(db.conn, [JAN])[0]
    assert (jan.added, jan.updated, jan.unchanged) == (11, 0, 0)  # nothing older than January is loaded
    again = import_paths(db.conn, [APR])[0]  # a re-import is compared with the copy it replaces
    assert (again.added, again.updated, again.unchanged) == (0, 0, 11)
