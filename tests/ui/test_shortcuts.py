"""ui/shortcuts.py: the shortcuts list shows each action's keys and its name without the mnemonic."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from pytestqt.qtbot import QtBot

from desktop_app.ui.shortcuts import WIDGET_KEYS, shortcut_rows


def test_rows_from_actions_then_the_widget_keys(qtbot: QtBot) -> None:
    find = QAction("&Find\u2026")
    find.setShortcuts([QKeySequence("Ctrl+F"), QKeySequence("Ctrl+F")])
    silent = QAction("No keys")
    rows = shortcut_rows([find, silent])
    assert rows[0][1] == "Find" and rows[0][0].count("F") == 1
    assert rows[1:] == list(WIDGET_KEYS)
