"""RVU facts are stored without the meanings of their indicator values; readers join them (issue 13, round 4).

The CLI's JSON staying byte-identical is tests/test_output_unchanged.py's business; here: the join itself, and the
migration that takes the meanings out of a database made before, which must then hold exactly what a new import
writes and show exactly what it showed.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop_app.cli import run
from desktop_app.core.database import MIGRATIONS, _migrate_fact_meanings
from desktop_app.core.importers import import_paths
from desktop_app.core.kinds import SourceKind
from desktop_app.core.rvu_meanings import MEANING_KEYS, PCTC_MEANINGS, with_meanings
from desktop_app.core.store import CodeStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cms"
RVU_FILES = ("PPRRVU2030_Jan.csv", "PPRRVU2030_Apr.csv")


@pytest.mark.parametrize(("stored", "joined"), [
    ({"status_code": "A", "work_rvu": 1.3},
     {"status": "Active: paid separately under the fee schedule when covered", "status_code": "A", "work_rvu": 1.3}),
    ({"pctc_indicator": "1", "global_days": "090"},
     {"global_days": "090",
      "global_period": "Major surgery: the day before, the day of the procedure and 90 days after",
      "pctc": PCTC_MEANINGS["1"], "pctc_indicator": "1"}),
    ({"status_code": "Q"}, {"status": "status code Q (not in the documented list)", "status_code": "Q"}),
    ({"global_days": "123", "pctc_indicator": "X"}, {"global_days": "123", "pctc_indicator": "X"}),  # no meaning
    ({"work_rvu": 0.5}, {"work_rvu": 0.5}),
])
def test_meanings_are_joined_in_sorted_key_order(stored: dict[str, object], joined: dict[str, object]) -> None:
    shown = with_meanings(SourceKind.CMS_RVU, dict(stored))
    assert shown == joined and list(shown) == sorted(shown)


def test_other_sources_and_older_copies_are_left_as_they_are() -> None:
    hcpcs = {"status_code": "A", "coverage_code": "C"}
    assert with_meanings(SourceKind.CMS_HCPCS, hcpcs) is hcpcs
    older = {"status": "an older wording", "status_code": "A", "pctc": "x", "pctc_indicator": "0"}
    assert with_meanings(SourceKind.CMS_RVU, older) == older


def _cli(db: Path, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert run(["--db", str(db), *args], out, err, io.StringIO()) == 0, err.getvalue()
    return out.getvalue().replace(str(db.parent), "<tmp>")


def _facts_rows(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT code, modifier, source_id, facts FROM code_facts ORDER BY 1, 2, 3").fetchall()
    finally:
        conn.close()


def test_an_older_database_loses_the_stored_meanings_and_shows_the_same(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh" / "codes.sqlite3"
    fresh.parent.mkdir()
    store = CodeStore.open(fresh)
    import_paths(store.conn, [FIXTURES / name for name in RVU_FILES])
    store.close()
    # The older database: the same rows as the import wrote them before round 4 (meanings included, canonical
    # JSON), at the schema version before this migration.
    older = tmp_path / "older" / "codes.sqlite3"
    older.parent.mkdir()
    shutil.copy(fresh, older)
    conn = sqlite3.connect(older, isolation_level=None)
    encoder = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    rows = conn.execute("SELECT f.rowid, f.facts, s.kind FROM code_facts f JOIN sources s ON s.id = f.source_id"
                        ).fetchall()
    with_old_meanings = [(encoder.encode(with_meanings(kind, json.loads(text))), rowid) for rowid, text, kind in rows]
    conn.executemany("UPDATE code_facts SET facts = ? WHERE rowid = ?", with_old_meanings)
    stored_meanings = conn.execute("SELECT count(*) FROM code_facts WHERE instr(facts, '\"pctc\"')").fetchone()[0]
    assert stored_meanings > 10  # the older copy really holds them
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_migrate_fact_meanings)}")
    conn.close()

    # Opening migrates (the CLI opens it): the rows become byte for byte what a new import writes, and the older
    # database shows what the new one does (which tests/test_output_unchanged.py holds to main's output).
    shown = {code: _cli(older, "show", code, "--json") for code in ("99990", "99991", "99993")}
    assert _facts_rows(older) == _facts_rows(fresh)
    assert not any(f"\"{key}\"" in str(row[3]) for row in _facts_rows(older) for key in MEANING_KEYS)
    assert shown == {code: _cli(fresh, "show", code, "--json") for code in shown}
    assert "\"global_period\"" in shown["99990"] and "\"pctc\"" in shown["99990"]
    assert _cli(older, "changes", "--family", "cms-rvu", "--json") == _cli(fresh, "changes", "--family", "cms-rvu",
                                                                           "--json")
