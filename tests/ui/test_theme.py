"""ui/theme.py: light and dark palettes and the colours drawn from them."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from desktop_app.ui.theme import ThemeChoice, badge_colors, blend, is_dark


def _palette(window: str, text: str) -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
    palette.setColor(QPalette.ColorRole.Base, QColor(window))
    palette.setColor(QPalette.ColorRole.Text, QColor(text))
    return palette


def test_is_dark_follows_the_palette() -> None:
    assert is_dark(_palette("#202020", "#f0f0f0"))
    assert not is_dark(_palette("#fafafa", "#101010"))


def test_blend_goes_from_one_colour_to_the_other() -> None:
    black, white = QColor("#000000"), QColor("#ffffff")
    assert blend(black, white, 0.0).name() == "#000000"
    assert blend(black, white, 1.0).name() == "#ffffff"


def test_badges_differ_by_category_and_theme() -> None:
    light, dark = _palette("#fafafa", "#101010"), _palette("#202020", "#f0f0f0")
    assert badge_colors("I", light) != badge_colors("HCPCS", light)
    assert badge_colors("I", light) != badge_colors("I", dark)
    assert [choice.value for choice in ThemeChoice] == ["system", "light", "dark"]
