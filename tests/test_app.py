"""app.py: the command line of the window (ours apart from Qt's) and the platform check before Qt starts."""

from __future__ import annotations

from pathlib import Path

from desktop_app.app import parse_args, split_qt_args


def test_qt_options_are_kept_apart_from_ours() -> None:
    ours, qt = split_qt_args(["-platform", "offscreen", "--theme", "dark", "file.csv", "-reverse"])
    assert ours == ["--theme", "dark", "file.csv"]
    assert qt == ["-platform", "offscreen", "-reverse"]


def test_parse_args_reads_paths_database_and_theme() -> None:
    args, qt = parse_args(["--db", "/tmp/invented.sqlite3", "--theme", "light", "a.csv", "-platform=offscreen"])
    assert args.db == Path("/tmp/invented.sqlite3") and args.theme == "light"
    assert args.paths == [Path("a.csv")] and qt == ["-platform=offscreen"]
    assert parse_args([])[0].debug is False
