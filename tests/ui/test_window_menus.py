"""ui/window_menus.py: the theme menu changes the palette and is remembered."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.theme import ThemeChoice, is_dark


def test_choosing_a_theme_applies_and_remembers_it(qtbot: QtBot, window: MainWindow) -> None:
    window.set_theme(ThemeChoice.DARK)
    assert is_dark() and window.theme_actions[ThemeChoice.DARK].isChecked()
    assert window.settings.value("view/theme") == "dark"
    window.set_theme(ThemeChoice.LIGHT)
    assert not is_dark() and window.settings.value("view/theme") == "light"
