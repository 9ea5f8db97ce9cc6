"""ui/window_menus.py: the theme menu changes the palette and is remembered; Alt keys do not collide."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QTabWidget
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.theme import ThemeChoice, is_dark


def test_choosing_a_theme_applies_and_remembers_it(qtbot: QtBot, window: MainWindow) -> None:
    window.set_theme(ThemeChoice.DARK)
    assert is_dark() and window.theme_actions[ThemeChoice.DARK].isChecked()
    assert window.settings.value("view/theme") == "dark"
    window.set_theme(ThemeChoice.LIGHT)
    assert not is_dark() and window.settings.value("view/theme") == "light"


def _mnemonic(text: str) -> str:
    return QKeySequence.mnemonic(text).toString()


def test_no_two_alt_keys_collide(qtbot: QtBot, window: MainWindow) -> None:
    """Alt+V opened the Favourites tab instead of the View menu, Alt+O chose between the Compare codes tab and
    Notes, and in the File menu D went to Data Sources or Save as PDF in turn. Every Alt key the main window
    answers (menu titles, tabs, labels) is one thing, and so is each letter inside a menu."""
    window_keys: dict[str, list[str]] = {}
    for action in window.menuBar().actions():
        window_keys.setdefault(_mnemonic(action.text()), []).append(f"menu {action.text()}")
    for tabs in window.findChildren(QTabWidget):
        for index in range(tabs.count()):
            window_keys.setdefault(_mnemonic(tabs.tabText(index)), []).append(f"tab {tabs.tabText(index)}")
    for label in window.findChildren(QLabel):
        if label.buddy() is not None:
            window_keys.setdefault(_mnemonic(label.text()), []).append(f"label {label.text()}")
    window_keys.pop("", None)
    assert {key: names for key, names in window_keys.items() if len(names) > 1} == {}
    assert len(window_keys) >= 12  # menus, both tab bars and the Codes label were all seen

    def menus(actions: list[QAction]) -> list[QMenu]:
        found = []
        for action in actions:
            if action.menu() is not None:
                found.append(action.menu())
                found += menus(action.menu().actions())
        return found

    for menu in menus(window.menuBar().actions()):
        letters: dict[str, list[str]] = {}
        for action in menu.actions():
            if not action.isSeparator() and _mnemonic(action.text()):
                letters.setdefault(_mnemonic(action.text()), []).append(action.text())
        assert {key: names for key, names in letters.items() if len(names) > 1} == {}, menu.title()
