"""Damage detected and survived: kept imports, rebuilding a damaged reference database, salvaging a damaged user
database, unclean ends, and imports that wait (bounded, cancellable) for another writer."""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from desktop_app.cli import run
from desktop_app.core.database import default_userdata_path
from desktop_app.core.errors import DatabaseError, ImportCancelled
from desktop_app.core.importers import import_paths, remove_source
from desktop_app.core.recovery import (
    Session,
    check_passed,
    full_check,
    kept_imports,
    kept_imports_dir,
    mark_damaged,
    open_reference,
    open_userdata,
    salvage_userdata,
)
from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData, keep_unsaved_notes, unsaved_notes_path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
RVU = FIXTURES / "cms" / "PPRRVU2030_Jan.csv"
RVU_APRIL = FIXTURES / "cms" / "PPRRVU2030_Apr.csv"
QPP = FIXTURES / "qpp" / "measures-data-2030.json"


def imported(db_path: Path, *paths: Path) -> None:
    store = CodeStore.open(db_path)
    try:
        import_paths(store.conn, list(paths), keep=True)
    finally:
        store.close()


def sources(db_path: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(db_path)
    try:
        return {(r[0], r[1]) for r in conn.execute("SELECT kind, release FROM sources WHERE kind != 'bundled'")}
    finally:
        conn.close()


def write_garbage(path: Path, page: int, size: int = 4096) -> None:
    """``size`` bytes of garbage over page ``page`` (1-based), as a failing disk or a stray write leaves it."""
    page_size = int.from_bytes(path.read_bytes()[16:18], "big")
    with path.open("r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(bytes((i * 151 + 7) % 256 for i in range(size)))


def table_page_near(path: Path, page: int) -> int:
    """The page of the ``descriptors`` table's b-tree nearest ``page`` (its structure is what checks read)."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT pageno FROM dbstat WHERE name = 'descriptors' ORDER BY abs(pageno - ?) "
                                "LIMIT 1", (page,)).fetchone()[0])


def page_count(path: Path) -> int:
    data = path.read_bytes()
    return len(data) // int.from_bytes(data[16:18], "big")


# --- kept imports ------------------------------------------------------------------------------------------


def test_an_import_keeps_a_compressed_copy_and_removing_the_source_drops_it(db_path: Path) -> None:
    imported(db_path, RVU, QPP)
    kept = kept_imports(db_path)
    assert len(kept) == 1
    assert {(s["kind"], s["release"]) for s in kept[0].sources} == {("cms-rvu", "RVU30A"), ("cms-qpp", "2030")}
    assert kept[0].archive.stat().st_size < RVU.stat().st_size + QPP.stat().st_size  # compressed
    store = CodeStore.open(db_path)
    try:
        qpp_id = store.conn.execute("SELECT id FROM sources WHERE kind = 'cms-qpp'").fetchone()[0]
        remove_source(store.conn, qpp_id)
        assert [(s["kind"]) for s in kept_imports(db_path)[0].sources] == ["cms-rvu"]
        rvu_id = store.conn.execute("SELECT id FROM sources WHERE kind = 'cms-rvu'").fetchone()[0]
        remove_source(store.conn, rvu_id)
    finally:
        store.close()
    assert kept_imports(db_path) == []
    assert list(kept_imports_dir(db_path).iterdir()) == []


def test_importing_a_release_again_replaces_its_kept_copy(db_path: Path) -> None:
    imported(db_path, RVU)
    imported(db_path, RVU)
    kept = kept_imports(db_path)
    assert len(kept) == 1 and kept[0].archive.name == "0002.zip"


def test_an_import_without_keep_keeps_nothing(db_path: Path) -> None:
    store = CodeStore.open(db_path)
    import_paths(store.conn, [RVU])
    store.close()
    assert not kept_imports_dir(db_path).exists()


# --- a damaged reference database --------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["garbage page 2", "garbage mid-file", "garbage header", "truncated"])
def test_a_damaged_reference_is_set_aside_and_rebuilt_with_its_kept_imports(db_path: Path, damage: str) -> None:
    imported(db_path, RVU, QPP)
    imported(db_path, RVU_APRIL)
    store = CodeStore.open(db_path)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    expected = sources(db_path)
    rvu_detail = store.detail("99213")
    store.close()
    if damage == "garbage page 2":
        write_garbage(db_path, 2)
    elif damage == "garbage mid-file":
        # The b-tree pages of a table nearest the middle of the file: garbage inside a full-text index blob (what
        # lies in the middle once the bundle's names fill the index) is caught by no quick structural check.
        write_garbage(db_path, table_page_near(db_path, page_count(db_path) // 2), 16384)
    elif damage == "garbage header":
        write_garbage(db_path, 1, 100)
    else:
        with db_path.open("r+b") as handle:
            handle.truncate(db_path.stat().st_size // 3)

    opened = open_reference(db_path)
    try:
        assert opened.rebuilt is not None, damage
        assert opened.rebuilt.set_aside_as is not None and opened.rebuilt.set_aside_as.exists()
        assert opened.rebuilt.set_aside_as.name.startswith("codedesk.sqlite3.damaged-")
        assert len(opened.rebuilt.restored) == 3 and not opened.rebuilt.failed
        assert "was damaged" in opened.notices[0] and str(opened.rebuilt.set_aside_as) in opened.notices[0]
        assert full_check(db_path) == ""
        assert sources(db_path) == expected
        again = opened.store.detail("99213")
        assert [d.text for d in again.descriptors] == [d.text for d in rvu_detail.descriptors]
    finally:
        opened.close()


def test_a_file_that_is_not_ours_is_never_set_aside(tmp_path: Path) -> None:
    other = tmp_path / "someone-elses.sqlite3"
    other.write_bytes(b"not a database at all" * 300)
    with pytest.raises(DatabaseError, match="not an SQLite file"):
        open_reference(other)
    assert other.exists() and len(list(tmp_path.iterdir())) == 1


def test_damage_found_by_the_full_check_is_repaired_at_the_next_open(db_path: Path) -> None:
    imported(db_path, RVU)
    mark_damaged(db_path, "found by the background check")
    opened = open_reference(db_path)
    try:
        assert opened.rebuilt is not None and opened.rebuilt.reason == "found by the background check"
        assert ("cms-rvu", "RVU30A") in sources(db_path)
    finally:
        opened.close()
    assert not db_path.with_name(db_path.name + ".damaged").exists()


def test_an_import_lost_with_a_deleted_wal_is_read_again_from_its_kept_copy(db_path: Path, tmp_path: Path) -> None:
    store = CodeStore.open(db_path)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.conn.execute("PRAGMA wal_autocheckpoint = 0")  # the import stays in the -wal
    import_paths(store.conn, [RVU], keep=True)
    # The -wal is deleted: what the main file says is what a later open finds.
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    (moved / db_path.name).write_bytes(db_path.read_bytes())
    kept_imports_dir(db_path).rename(kept_imports_dir(moved / db_path.name))
    store.close()
    lost = moved / db_path.name
    assert sources(lost) == set()

    opened = open_reference(lost)
    try:
        assert sources(lost) == {("cms-rvu", "RVU30A")}
        assert any("read again from their kept copies" in n for n in opened.notices)
        assert full_check(lost) == ""
    finally:
        opened.close()


# --- unclean ends ----------------------------------------------------------------------------------------


def test_a_dead_session_marker_asks_for_the_full_check_until_it_passes(db_path: Path) -> None:
    dead = db_path.with_name(f"{db_path.name}.open-{2**22 + 12345}")  # above Linux's default pid_max
    dead.touch()
    first = Session.begin(db_path)
    assert first.unclean and not dead.exists()
    first.end()
    second = Session.begin(db_path)
    assert second.unclean  # the check never ran: still due
    second.end()
    check_passed(db_path)
    third = Session.begin(db_path)
    assert third.unclean == ""
    assert third.marker is not None and third.marker.name.endswith(str(os.getpid()))
    third.end()
    assert not list(db_path.parent.glob("*.open-*"))


def test_a_wal_of_a_connection_open_now_is_not_an_unclean_end(db_path: Path) -> None:
    store = CodeStore.open(db_path)  # another program's connection: no marker, a -wal and -shm beside the file
    import_paths(store.conn, [RVU])
    try:
        assert db_path.with_name(db_path.name + "-wal").exists()
        session = Session.begin(db_path)
        assert session.unclean == ""
        session.end()
    finally:
        store.close()


# --- a damaged user database ---------------------------------------------------------------------------------


def filled_userdata(path: Path, notes: int = 40, favourites: int = 6, history: int = 120) -> None:
    user = UserData(path)
    for i in range(notes):
        user.set_note(f"{99000 + i}", f"invented note {i} " + "x" * 900)  # about one note per page
    for i in range(favourites):
        user.set_favourite(f"{99200 + i}", True)
    for i in range(history):
        user.record_view(f"{99300 + i % 30}")
    user.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    user.close()


def test_a_damaged_user_database_is_salvaged_row_by_row(tmp_path: Path) -> None:
    path = tmp_path / "codedesk-user.sqlite3"
    filled_userdata(path)
    conn = sqlite3.connect(path)
    leaves = conn.execute(
        "SELECT pageno, ncell FROM dbstat WHERE name = 'notes' AND pagetype = 'leaf' ORDER BY pageno").fetchall()
    conn.close()
    assert len(leaves) >= 5
    damaged_page, notes_on_it = leaves[len(leaves) // 2]
    write_garbage(path, damaged_page)  # a page in the middle of the notes

    opened = open_userdata(path)
    try:
        report = opened.salvage
        assert report is not None
        assert report.set_aside_as.exists() and report.set_aside_as.name.startswith("codedesk-user.sqlite3.damaged-")
        notes = opened.userdata.conn.execute("SELECT count(*) FROM notes").fetchone()[0]
        assert report.recovered["notes"] == notes
        assert notes == 40 - notes_on_it  # only the notes on the damaged page are lost
        assert report.recovered["favourites"] == 6 and len(opened.userdata.favourites()) == 6
        assert report.recovered["history"] == 120
        assert f"recovered {notes} notes" in report.message() and str(report.set_aside_as) in report.message()
        assert opened.userdata.note("99039").startswith("invented note 39")  # past the damage, still read
        assert opened.userdata.note("99000").startswith("invented note 0")
        assert report.skipped["notes"] >= 1
    finally:
        opened.userdata.close()


def test_salvage_of_a_whole_file_recovers_every_row(tmp_path: Path) -> None:
    path = tmp_path / "codedesk-user.sqlite3"
    filled_userdata(path, notes=12, favourites=3, history=50)
    report = salvage_userdata(path, "flagged by a test")
    assert report.recovered == {"favourites": 3, "notes": 12, "history": 50}
    assert sum(report.skipped.values()) == 0


def test_a_user_database_with_a_garbage_header_is_salvaged_to_an_empty_one(tmp_path: Path) -> None:
    path = tmp_path / "codedesk-user.sqlite3"
    filled_userdata(path, notes=3)
    write_garbage(path, 1)
    opened = open_userdata(path)
    assert opened.salvage is not None and opened.salvage.recovered["notes"] == 0
    assert "recovered 0 notes" in opened.salvage.message()
    opened.userdata.set_note("99213", "works again")
    opened.userdata.close()


def test_user_data_errors_are_database_errors_not_sqlite_tracebacks(tmp_path: Path) -> None:
    path = tmp_path / "codedesk-user.sqlite3"
    user = UserData(path)
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN IMMEDIATE")
    user.conn.execute("PRAGMA busy_timeout = 20")
    try:
        with pytest.raises(DatabaseError, match="could not be used"):
            user.set_note("99213", "a note")
    finally:
        blocker.rollback()
        blocker.close()
        user.close()


def test_notes_kept_at_close_are_saved_at_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "codedesk-user.sqlite3"
    UserData(path).close()
    keep_unsaved_notes(path, {"99213": "typed while the file was locked"})
    keep_unsaved_notes(path, {"G0438": "and another"})
    opened = open_userdata(path)
    assert opened.notes_restored == 2 and not unsaved_notes_path(path).exists()
    assert opened.userdata.note("99213") == "typed while the file was locked"
    assert any("could not save" in m for m in opened.messages())
    opened.userdata.close()


# --- the CLI tells each repair in one line -------------------------------------------------------------------


def test_cli_tells_a_rebuild_and_a_salvage_in_one_line_each(db_path: Path) -> None:
    imported(db_path, RVU)
    user_path = default_userdata_path(db_path)
    filled_userdata(user_path, notes=12)
    write_garbage(db_path, 2)
    write_garbage(user_path, page_count(user_path) // 2)
    out, err = io.StringIO(), io.StringIO()
    assert run(["--db", str(db_path), "sources"], out, err, io.StringIO()) == 0
    lines = err.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert "was damaged" in lines[0] and "1 imported source(s) restored" in lines[0]
    assert "notes and favourites file was damaged" in lines[1] and "damaged-" in lines[1]
    assert "RVU30A" in out.getvalue()
    assert "Traceback" not in err.getvalue()


# --- a second writer ---------------------------------------------------------------------------------------


def test_an_import_waits_for_another_writer_and_then_goes_ahead(db_path: Path) -> None:
    store = CodeStore.open(db_path)
    other = sqlite3.connect(db_path, timeout=0.05, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.8, lambda: (other.rollback(), other.close()))
    said: list[str] = []
    release.start()
    try:
        summaries = import_paths(store.conn, [RVU], lock_wait=10,
                                 progress=lambda text, _d, _t: said.append(text))
    finally:
        release.cancel()
        release.join()
        store.close()
    assert summaries and ("cms-rvu", "RVU30A") in sources(db_path)
    assert any(text.startswith("Waiting for the other import to finish") for text in said)


def test_waiting_for_another_writer_can_be_cancelled(db_path: Path) -> None:
    store = CodeStore.open(db_path)
    other = sqlite3.connect(db_path, timeout=0.05)
    other.execute("BEGIN IMMEDIATE")
    said: list[str] = []
    try:
        with pytest.raises(ImportCancelled, match="nothing was changed"):
            import_paths(store.conn, [RVU], lock_wait=30, progress=lambda text, _d, _t: said.append(text),
                         cancel=lambda: any(text.startswith("Waiting") for text in said))
    finally:
        other.rollback()
        other.close()
    assert not store.conn.in_transaction
    store.close()
    assert sources(db_path) == set()


# --- a stale write-ahead log -------------------------------------------------------------------------------


def test_a_stale_wal_is_set_aside_instead_of_bringing_back_a_removed_source(db_path: Path) -> None:
    store = CodeStore.open(db_path)
    import_paths(store.conn, [RVU], keep=True)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.conn.execute("PRAGMA wal_autocheckpoint = 0")
    import_paths(store.conn, [QPP], keep=True)
    stale = db_path.with_name("backup-wal")
    stale.write_bytes(db_path.with_name(db_path.name + "-wal").read_bytes())  # a backup of the log
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    remove_source(store.conn, store.conn.execute("SELECT id FROM sources WHERE kind = 'cms-qpp'").fetchone()[0])
    store.close()
    stale.rename(db_path.with_name(db_path.name + "-wal"))  # the old log put back beside the newer file

    out, err = io.StringIO(), io.StringIO()
    assert run(["--db", str(db_path), "sources"], out, err, io.StringIO()) == 0
    assert "cms-qpp" not in out.getvalue() and "cms-rvu" in out.getvalue()
    assert "did not belong to it" in err.getvalue() and len(err.getvalue().splitlines()) == 1
    assert list(db_path.parent.glob(db_path.name + "-wal.stale-*"))
    assert full_check(db_path) == ""


def test_a_stale_wal_of_the_user_database_does_not_roll_notes_back(tmp_path: Path) -> None:
    path = tmp_path / "codedesk-user.sqlite3"
    user = UserData(path)
    user.conn.execute("PRAGMA wal_autocheckpoint = 0")
    for i in range(3):
        user.set_note(f"9900{i}", "first version")
    stale = path.with_name("backup-wal")
    stale.write_bytes(path.with_name(path.name + "-wal").read_bytes())
    user.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for i in range(12):
        user.set_note(f"9900{i}", f"newer note {i}")
    user.set_favourite("99213", True)
    user.close()
    stale.rename(path.with_name(path.name + "-wal"))

    opened = open_userdata(path)
    try:
        assert opened.userdata.note("99000") == "newer note 0" and opened.userdata.note("99002") == "newer note 2"
        assert opened.userdata.favourites() == ["99213"]
        assert any("did not belong to it" in m for m in opened.messages())
    finally:
        opened.userdata.close()


def test_a_wal_left_by_a_crash_is_replayed_not_set_aside(db_path: Path) -> None:
    """A crash leaves the -wal with its -shm: the committed import in it is kept."""
    store = CodeStore.open(db_path)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.conn.execute("PRAGMA wal_autocheckpoint = 0")
    import_paths(store.conn, [RVU])
    wal = db_path.with_name(db_path.name + "-wal").read_bytes()
    shm = db_path.with_name(db_path.name + "-shm").read_bytes()
    crashed = db_path.parent / "crashed"
    crashed.mkdir()
    copy = crashed / db_path.name
    copy.write_bytes(db_path.read_bytes())
    copy.with_name(copy.name + "-wal").write_bytes(wal)
    copy.with_name(copy.name + "-shm").write_bytes(shm)
    copy.with_name(f"{copy.name}.open-{2**22 + 54321}").touch()  # the crashed session's marker
    store.close()
    opened = open_reference(copy)
    try:
        assert ("cms-rvu", "RVU30A") in {(s.kind, s.release) for s in opened.store.sources()}
        assert opened.needs_full_check and not opened.notices
    finally:
        opened.close()


def test_a_kept_folder_holds_only_what_an_import_can_read(db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "PPRRVU2030_Jan.csv").write_bytes(RVU.read_bytes())
    (folder / "RVU30A.pdf").write_bytes(b"%PDF-1.4 not needed for a rebuild")
    imported(db_path, folder)
    import zipfile

    with zipfile.ZipFile(kept_imports(db_path)[0].archive) as archive:
        assert archive.namelist() == ["0/release/PPRRVU2030_Jan.csv"]
    write_garbage(db_path, 2)
    opened = open_reference(db_path)
    try:
        assert opened.rebuilt is not None and ("cms-rvu", "RVU30A") in sources(db_path)
    finally:
        opened.close()


def test_the_cli_says_it_waits_for_the_other_import_and_gives_up_when_told(db_path: Path) -> None:
    import subprocess
    import sys

    script = Path(sys.executable).with_name("codedesk-cli")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "desktop_app.cli"]
    CodeStore.open(db_path).close()  # in WAL mode, as every database CodeDesk has opened once
    other = sqlite3.connect(db_path, timeout=0.05)
    other.execute("BEGIN IMMEDIATE")
    try:
        done = subprocess.run([*command, "--db", str(db_path), "import", "--wait", "1", str(RVU)],
                              capture_output=True, text=True, timeout=60)
    finally:
        other.rollback()
        other.close()
    lines = done.stderr.splitlines()
    assert done.returncode == 2 and len(lines) == 2, done.stderr
    assert "waiting for the other import to finish (at most 1 s; Ctrl+C cancels)" in lines[0]
    assert "another import kept the database busy" in lines[1] and "nothing was changed" in lines[1]
    assert sources(db_path) == set()


def test_salvage_keeps_named_favourite_lists(tmp_path: Path) -> None:
    path = tmp_path / "codedesk-user.sqlite3"
    user = UserData(path)
    user.create_list("Cardiology")
    user.set_favourite("93000", True, "Cardiology")
    user.set_favourite("99213", True)
    user.close()
    report = salvage_userdata(path, "flagged by a test")
    assert report.recovered["favourites"] == 2
    fresh = UserData(path)
    try:
        assert {(e.list_name, e.code) for e in fresh.favourite_entries()} == {("Cardiology", "93000"),
                                                                         ("Favourites", "99213")}
        assert "Cardiology" in fresh.lists()
    finally:
        fresh.close()
