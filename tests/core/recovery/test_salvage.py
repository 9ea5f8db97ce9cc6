"""core/recovery/salvage.py: a damaged user database is found out, and its favourites and notes salvaged."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.recovery.salvage import open_userdata, userdata_problem
from desktop_app.core.userdata import UserData


def test_a_whole_user_database_has_no_problem_and_a_foreign_file_has_one(tmp_path: Path) -> None:
    path = tmp_path / "codedesk-user.sqlite3"
    assert userdata_problem(path) == ""  # absent: a new one is made
    UserData(path).close()
    assert userdata_problem(path) == ""
    path.write_text("an invented text file where the database was" * 10)
    assert userdata_problem(path) != ""


def test_a_damaged_user_database_is_set_aside_and_its_notes_kept(tmp_path: Path) -> None:
    path = tmp_path / "codedesk-user.sqlite3"
    user = UserData(path)
    user.set_note("99990", "an invented note")
    user.close()
    data = bytearray(path.read_bytes())
    data[16:18] = (1000).to_bytes(2, "big")  # an impossible page size: the header is damaged
    path.write_bytes(bytes(data))
    opened = open_userdata(path)
    try:
        assert opened.salvage is not None and opened.messages()
        opened.userdata.set_note("99991", "written after the salvage")  # the new file is whole
        assert opened.userdata.note("99991") == "written after the salvage"
    finally:
        opened.userdata.close()
