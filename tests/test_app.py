"""app.py: the command line of the window (ours apart from Qt's) and the platform check before Qt starts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from desktop_app.app import UI_SWITCH_INTERVAL_S, parse_args, share_the_interpreter, split_qt_args


def test_qt_options_are_kept_apart_from_ours() -> None:
    ours, qt = split_qt_args(["-platform", "offscreen", "--theme", "dark", "file.csv", "-reverse"])
    assert ours == ["--theme", "dark", "file.csv"]
    assert qt == ["-platform", "offscreen", "-reverse"]


def test_parse_args_reads_paths_database_and_theme() -> None:
    args, qt = parse_args(["--db", "/tmp/invented.sqlite3", "--theme", "light", "a.csv", "-platform=offscreen"])
    assert args.db == Path("/tmp/invented.sqlite3") and args.theme == "light"
    assert args.paths == [Path("a.csv")] and qt == ["-platform=offscreen"]
    assert parse_args([])[0].debug is False


def test_the_window_process_lets_the_ui_thread_take_the_interpreter_within_a_millisecond() -> None:
    before = sys.getswitchinterval()
    try:
        share_the_interpreter()
        assert sys.getswitchinterval() == pytest.approx(UI_SWITCH_INTERVAL_S)
        assert before > UI_SWITCH_INTERVAL_S  # shorter than Python's default (5 ms)
    finally:
        sys.setswitchinterval(before)
