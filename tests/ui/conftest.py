"""UI test fixtures. Qt runs offscreen; settings and user data live under each test's tmp_path.

Every window made here is watched: a statement on its user data connection run from the UI thread fails the
test at teardown (the worker alone reads and writes the person's favourites, notes and history). A test that
sets up user data itself does so through its own connection (:func:`own_user_connection`)."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything imports Qt

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData
from desktop_app.ui.main_window import MainWindow

# A ceiling, not a pause: every wait returns as soon as its condition holds. 5 s was once too little on a busy
# CI machine (a list's second page, usually 0.3 s, timed out once in four full runs).
WAIT_MS = 15000
# The user data handed to each window made by make_window, and the statements run on it from the UI thread.
_HANDED_OVER: dict[int, tuple[UserData, list[str]]] = {}


def record_ui_thread_statements(conn: sqlite3.Connection) -> list[str]:
    """Every statement ``conn`` runs from the Qt main thread, from now on (SQLite calls the trace callback in
    the thread that runs the statement)."""
    seen: list[str] = []

    def trace(statement: str) -> None:
        if threading.current_thread() is threading.main_thread():
            seen.append(statement)

    conn.set_trace_callback(trace)
    return seen


def handed_over_userdata(window: MainWindow) -> UserData:
    """The UserData the window handed to its worker (to damage it in a test; never to query it here)."""
    return _HANDED_OVER[id(window)][0]


def ui_thread_user_statements(window: MainWindow) -> list[str]:
    return _HANDED_OVER[id(window)][1]


@contextlib.contextmanager
def own_user_connection(window: MainWindow) -> Iterator[UserData]:
    """A second connection to the window's user data file, for a test's own set-up and checks (as another
    program would open it): not the window's, so it does not count as the window's UI thread work."""
    assert window.userdata_path is not None
    user = UserData(window.userdata_path)
    try:
        yield user
    finally:
        user.close()


@pytest.fixture
def ui_db(tmp_path: Path) -> Path:
    """A fresh database with the bundled reference, built in tmp_path."""
    path = tmp_path / "db.sqlite3"
    CodeStore.open(path).close()
    return path


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings" / "CodeDesk.ini"


@pytest.fixture
def make_window(
    qtbot: QtBot, ui_db: Path, settings_path: Path, tmp_path: Path
) -> Iterator[Callable[[], MainWindow]]:
    """Build a window on ``ui_db``; every window made is closed (threads stopped) at the end of the test."""
    opened: list[tuple[MainWindow, CodeStore, UserData]] = []

    def make() -> MainWindow:
        store = CodeStore.open(ui_db)
        userdata = UserData(tmp_path / "user.sqlite3")
        seen = record_ui_thread_statements(userdata.conn)
        settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
        window = MainWindow(store, settings, userdata)
        _HANDED_OVER[id(window)] = (userdata, seen)
        window.jobs.show_dialogs = False
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.overview is not None, timeout=WAIT_MS)
        opened.append((window, store, userdata))
        return window

    yield make
    on_ui_thread: list[str] = []
    for window, store, userdata in opened:
        if window.isVisible():
            window.close()
        window.shutdown()
        store.close()
        userdata.close()  # the worker closed it already; closing twice is harmless
        on_ui_thread += _HANDED_OVER.pop(id(window))[1]
    assert on_ui_thread == [], "the window ran statements on the user data on the UI thread"


@pytest.fixture
def window(make_window: Callable[[], MainWindow]) -> MainWindow:
    return make_window()


def search(qtbot: QtBot, window: MainWindow, text: str, *, typed: bool = True) -> None:
    """Put ``text`` in the search box (typing it key by key) and wait until its results are shown."""
    window.search_box.clear()
    if typed:
        qtbot.keyClicks(window.search_box, text)
    else:
        window.search_box.setText(text)
    settle(qtbot, window)
    assert window.last_result is not None and window.last_result.query == text


def settle(qtbot: QtBot, window: MainWindow, kind: str = "search") -> None:
    qtbot.waitUntil(lambda: window.service.settled(kind), timeout=WAIT_MS)


def codes(window: MainWindow) -> list[str]:
    return [hit.code for hit in window.results_model.hits()]


def wait_detail(qtbot: QtBot, window: MainWindow, code: str) -> None:
    qtbot.waitUntil(
        lambda: window.detail_pane.detail is not None and window.detail_pane.detail.code == code,
        timeout=WAIT_MS,
    )
