"""UI test fixtures. Qt runs offscreen; settings and user data live under each test's tmp_path."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything imports Qt

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData
from desktop_app.ui.main_window import MainWindow

WAIT_MS = 5000


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
        settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
        window = MainWindow(store, settings, userdata)
        window.jobs.show_dialogs = False
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.overview is not None, timeout=WAIT_MS)
        opened.append((window, store, userdata))
        return window

    yield make
    for window, store, userdata in opened:
        if window.isVisible():
            window.close()
        window.shutdown()
        store.close()
        userdata.close()


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
