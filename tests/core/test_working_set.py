"""User data: named favourite lists, entries listed, old files upgraded, the working set through CSV and back
(issue 12, item 1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.errors import ImportFileError
from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import DEFAULT_LIST, UserData
from desktop_app.core.working_set import HEADER, import_working_set, read_working_set, write_working_set


def test_version_1_file_is_upgraded_and_keeps_its_favourites(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE favourites (code TEXT PRIMARY KEY, added_at TEXT NOT NULL);"
        "CREATE TABLE notes (code TEXT PRIMARY KEY, text TEXT NOT NULL, updated_at TEXT NOT NULL);"
        "CREATE TABLE history (id INTEGER PRIMARY KEY, code TEXT NOT NULL, viewed_at TEXT NOT NULL);"
        "INSERT INTO favourites VALUES ('99213', '2025-01-01T00:00:00+00:00'), ('3074F', '2025-01-02T00:00:00+00:00');"
        "INSERT INTO notes VALUES ('99213', 'time rule', '2025-01-03T00:00:00+00:00');"
        "PRAGMA user_version = 1;")
    conn.close()
    data = UserData(path)
    try:
        assert data.favourites() == ["99213", "3074F"]
        assert [(e.list_name, e.code) for e in data.favourite_entries()] == [(DEFAULT_LIST, "99213"),
                                                                            (DEFAULT_LIST, "3074F")]
        assert data.note("99213") == "time rule" and data.is_favourite("3074F")
    finally:
        data.close()
    again = UserData(path)  # opening twice changes nothing
    assert again.favourites() == ["99213", "3074F"]
    again.close()


def test_named_lists(tmp_path: Path) -> None:
    data = UserData(tmp_path / "u.sqlite3")
    data.set_favourite("93000", True, "Cardiology")
    data.set_favourite("27447", True, "  Orthopaedics  ")
    data.set_favourite("27447", True)
    assert data.lists() == [DEFAULT_LIST, "Cardiology", "Orthopaedics"]
    assert [e.code for e in data.favourite_entries("Orthopaedics")] == ["27447"]
    data.set_favourite("27447", False, "Orthopaedics")
    assert data.is_favourite("27447")  # still in Favourites
    data.rename_list("Cardiology", "Heart")
    assert [e.list_name for e in data.favourite_entries() if e.code == "93000"] == ["Heart"]
    with pytest.raises(ValueError):
        data.rename_list(DEFAULT_LIST, "Other")
    with pytest.raises(ValueError):
        data.create_list("   ")
    data.delete_list("Heart")
    assert "Heart" not in data.lists() and not data.is_favourite("93000")
    data.set_favourite("27447", False)
    assert not data.is_favourite("27447")
    data.close()


def test_history_entries_count_views(tmp_path: Path) -> None:
    data = UserData(tmp_path / "u.sqlite3")
    for code in ("99213", "99214", "99213"):
        data.record_view(code)
    entries = data.history_entries()
    assert [(e.code, e.views) for e in entries] == [("99213", 2), ("99214", 1)]
    data.remove_history("99213")
    assert [e.code for e in data.history_entries()] == ["99214"]
    data.close()


def test_working_set_round_trip(tmp_path: Path) -> None:
    source = UserData(tmp_path / "a.sqlite3")
    source.set_favourite("93000", True, "Cardiology")
    source.set_favourite("99213", True)
    source.create_list("Empty one")
    source.set_note("99213", 'time rule, "total" minutes\nsecond line')
    source.record_view("99213")
    source.record_view("J1100")
    csv_path = tmp_path / "set.csv"
    write_working_set(source, csv_path)
    target = UserData(tmp_path / "b.sqlite3")
    summary = import_working_set(target, csv_path)
    assert (summary.favourites, summary.notes, summary.history) == (2, 1, 2)
    assert target.lists() == source.lists()
    assert target.note("99213") == source.note("99213")
    assert [e.code for e in target.history_entries()] == ["J1100", "99213"]
    again = import_working_set(target, csv_path)  # nothing is duplicated
    assert (again.favourites, again.notes, again.history, again.lists) == (0, 0, 0, 0)
    source.close()
    target.close()


@pytest.mark.parametrize(("body", "line", "cause"), [
    ("kind,code\n", 1, "first line"),
    (",".join(HEADER) + "\nfavourite,Cardio,93000,,\nbookmark,,99213,,\n", 3, "kind must be"),
    (",".join(HEADER) + "\nnote,,99213,,\n", 2, "needs its text"),
    (",".join(HEADER) + "\nhistory,,not a code!,,\n", 2, "is not a code"),
    (",".join(HEADER) + "\nhistory,,99213,,yesterday\n", 2, "date and time"),
    (",".join(HEADER) + "\nhistory,,99213\n", 2, "expected 5 columns"),
])
def test_a_bad_row_is_named_and_nothing_is_written(tmp_path: Path, body: str, line: int, cause: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_working_set(body, "set.csv")
    assert caught.value.line == line and cause in caught.value.reason
    data = UserData(tmp_path / "u.sqlite3")
    path = tmp_path / "set.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ImportFileError):
        import_working_set(data, path)
    assert data.favourites() == [] and data.history_entries() == []
    data.close()


def test_snapshot_reads_everything_with_titles(tmp_path: Path) -> None:
    from desktop_app.core.working_set import read_snapshot

    data = UserData(tmp_path / "u.sqlite3")
    data.set_favourite("99213", True, "Office")
    data.set_note("J1100", "per 1 mg")
    data.record_view("3074F")
    asked: list[list[str]] = []
    snapshot = read_snapshot(data, lambda codes: asked.append(codes) or {})
    assert snapshot.lists == [DEFAULT_LIST, "Office"]
    assert [f.code for f in snapshot.favourites] == ["99213"] and [n.code for n in snapshot.notes] == ["J1100"]
    assert [h.code for h in snapshot.history] == ["3074F"] and asked == [["99213", "J1100", "3074F"]]
    data.close()


def test_working_set_csv_cannot_carry_formulas_and_reads_back_exactly(tmp_path: Path) -> None:
    source = UserData(tmp_path / "a.sqlite3")
    notes = {"99213": "=HYPERLINK(\"http://x\")", "93000": "-2 units when bilateral", "J1100": "'=quoted by me",
             "45384": "-0.25", "27447": "@risk"}
    for code, text in notes.items():
        source.set_note(code, text)
    csv_path = tmp_path / "set.csv"
    write_working_set(source, csv_path)
    raw = csv_path.read_text(encoding="utf-8-sig")
    import csv as csv_module
    import io
    cells = [cell for row in csv_module.reader(io.StringIO(raw)) for cell in row]
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert [c for c in cells if c.startswith("-")] == ["-0.25"]  # a plain number stays a number
    target = UserData(tmp_path / "b.sqlite3")
    import_working_set(target, csv_path)
    assert {code: target.note(code) for code in notes} == notes
    source.close()
    target.close()


def _same_short_descriptor(store: CodeStore, codes: tuple[str, ...]) -> None:
    """An imported source that gives ``codes`` one invented short descriptor (as CMS does for 45384/45385)."""
    conn = store.conn
    source_id = conn.execute(
        "INSERT INTO sources (kind, name, file_name, release, loaded_at) VALUES "
        "('cms-hcpcs', 'Invented HCPCS', 'invented.txt', 'INV1', '2026-01-01T00:00:00+00:00')").lastrowid
    for code in codes:
        conn.execute("INSERT INTO descriptors (code, kind, text, source_id) VALUES (?, 'short', ?, ?)",
                     (code, "Invented scope w/removal", source_id))
        conn.execute("UPDATE codes SET title = 'Invented scope w/removal' WHERE code = ?", (code,))
    conn.commit()


def test_snapshot_rows_tell_codes_apart_like_the_results_list(tmp_path: Path, store: CodeStore) -> None:
    """Round 2 of issue 12: the working set shows the results list's row text, not the stored title."""
    from desktop_app.core.row_text import row_texts
    from desktop_app.core.working_set import read_snapshot

    _same_short_descriptor(store, ("45384", "45385"))
    data = UserData(tmp_path / "u.sqlite3")
    data.set_favourite("45384", True)
    data.set_favourite("45385", True)
    data.record_view("99213")
    snapshot = read_snapshot(data, store.summaries)  # as the worker calls it
    assert set(snapshot.texts) == {"45384", "45385", "99213"}
    lines = {code: (t.primary, t.secondary) for code, t in snapshot.texts.items()}
    assert snapshot.titles["45384"].title == snapshot.titles["45385"].title  # the stored titles read alike
    assert lines["45384"] != lines["45385"]  # the rows do not
    hits = [snapshot.titles[c] for c in ("45384", "45385", "99213")]
    assert snapshot.texts == row_texts(store.conn, hits)  # the same text the results list shows
    plain = read_snapshot(data, lambda codes: store.summaries(codes), texts=None)  # no connection to read
    assert plain.texts == {}
    data.close()
