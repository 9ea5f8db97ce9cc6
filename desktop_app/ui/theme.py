"""Colours derived from the palette, so light and dark system themes both stay readable.

Nothing in the UI hard-codes a foreground or background colour: code-set badges keep a fixed *hue* each
(so Category II is the same "green" everywhere) and take their lightness from whether the palette is dark.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktop_app.core.enums import StrEnum
from desktop_app.core.grammar import CodeSet

# Hue (degrees) per code set: blue, green, orange, purple. Chosen to differ for common colour blindness
# in lightness as well as hue once the palette lightness is applied.
CODE_SET_HUES: dict[str, int] = {"I": 212, "II": 140, "III": 28, "HCPCS": 280}
# The code sets' names, by id, as the window shows them (the names themselves are the core's).
CODE_SET_SHORT: dict[str, str] = {code_set.value: code_set.short_label for code_set in CodeSet}
CODE_SET_LABELS: dict[str, str] = {code_set.value: code_set.compact_label for code_set in CodeSet}


class ThemeChoice(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def badge_colors(code_set: str, palette: QPalette | None = None) -> tuple[QColor, QColor]:
    """(background, text) for a code set's badge, readable on the current palette."""
    hue = CODE_SET_HUES.get(code_set, 0)
    saturation = 150 if code_set in CODE_SET_HUES else 0
    if is_dark(palette):
        background = QColor.fromHsl(hue, saturation, 70)
        text = QColor.fromHsl(hue, 60, 225)
    else:
        background = QColor.fromHsl(hue, saturation, 222)
        text = QColor.fromHsl(hue, 200, 60)
    return background, text


def blend(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0–1) of the way towards ``b``."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


def highlight_background(palette: QPalette) -> QColor:
    """Behind matched words: the selection colour, faint enough that the text colour still reads."""
    return blend(palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Highlight), 0.28)


def differs_background(palette: QPalette) -> QColor:
    """Comparison rows whose categories differ: a warm tint of the base colour."""
    warm = QColor.fromHsl(40, 200, 60 if is_dark(palette) else 200)
    return blend(palette.color(QPalette.ColorRole.Base), warm, 0.35 if is_dark(palette) else 0.55)


def muted_text(palette: QPalette) -> QColor:
    return blend(palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base), 0.4)


def relative_luminance(color: QColor) -> float:
    """WCAG 2 relative luminance (0 black … 1 white)."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(color.red()) + 0.7152 * channel(color.green()) + 0.0722 * channel(color.blue())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours, 1 (same) to 21 (black on white)."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


READABLE_CONTRAST = 4.5  # WCAG AA for body text
_DELETED_TARGET = 4.7  # a little above it: the blend is rounded to whole channel values


def deleted_text(palette: QPalette) -> QColor:
    """Deleted codes' text in a list: greyer than a current code's, so it reads as "not current", yet readable
    (≥ 4.5:1) on the list's base and alternate rows and on the tint behind a matched word. The palette's
    disabled text colour was used before: 1.9:1 in the light theme (#BEBEBE on white), 2.4:1 in the dark one."""
    key = palette.cacheKey()
    if key not in _deleted_colors:
        text, base = palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base)
        backgrounds = (base, palette.color(QPalette.ColorRole.AlternateBase), highlight_background(palette))
        chosen = QColor(text)
        for step in range(50, 0, -1):  # from halfway to the base colour back towards the text colour
            color = blend(text, base, step / 100)
            if min(contrast_ratio(color, background) for background in backgrounds) >= _DELETED_TARGET:
                chosen = color
                break
        _deleted_colors[key] = chosen
    return QColor(_deleted_colors[key])


_deleted_colors: dict[int, QColor] = {}  # per palette (its cache key): the model asks per painted deleted cell


def warning_text(palette: QPalette) -> QColor:
    """Text that must be noticed (a note not saved yet): a red that reads on the light and the dark base."""
    return QColor.fromHsl(4, 200, 190 if is_dark(palette) else 95)


def link_color(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.Link)


def dark_palette() -> QPalette:
    """A dark palette for Fusion, for platforms that report no colour scheme (plain X11, Xvfb)."""
    palette = QPalette()
    window, base, text = QColor(45, 45, 48), QColor(30, 30, 32), QColor(230, 230, 230)
    disabled = QColor(128, 128, 128)
    palette.setColor(QPalette.ColorRole.Window, window)
    palette.setColor(QPalette.ColorRole.WindowText, text)
    palette.setColor(QPalette.ColorRole.Base, base)
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor(40, 40, 43))
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor(60, 60, 64))
    palette.setColor(QPalette.ColorRole.ToolTipText, text)
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor(150, 150, 150))
    palette.setColor(QPalette.ColorRole.Text, text)
    palette.setColor(QPalette.ColorRole.Button, QColor(55, 55, 58))
    palette.setColor(QPalette.ColorRole.ButtonText, text)
    palette.setColor(QPalette.ColorRole.BrightText, QColor(255, 100, 100))
    palette.setColor(QPalette.ColorRole.Light, QColor(75, 75, 78))
    palette.setColor(QPalette.ColorRole.Midlight, QColor(62, 62, 65))
    palette.setColor(QPalette.ColorRole.Mid, QColor(40, 40, 42))
    palette.setColor(QPalette.ColorRole.Dark, QColor(25, 25, 27))
    palette.setColor(QPalette.ColorRole.Shadow, QColor(10, 10, 10))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(42, 110, 190))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    palette.setColor(QPalette.ColorRole.Link, QColor(110, 170, 255))
    palette.setColor(QPalette.ColorRole.LinkVisited, QColor(170, 140, 255))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


_system_palette: QPalette | None = None


def apply_theme(app: QApplication, choice: ThemeChoice) -> None:
    """Follow the system (default), or force light or dark.

    Where the platform honours a requested colour scheme (Windows, macOS, GNOME/KDE themes) Qt switches the
    palette itself; elsewhere (plain X11, Xvfb) a forced theme sets our own Fusion palette.
    """
    global _system_palette
    if _system_palette is None:
        _system_palette = QPalette(app.palette())  # what the platform gave us, to go back to
    hints = app.styleHints()
    scheme = {
        ThemeChoice.SYSTEM: Qt.ColorScheme.Unknown,
        ThemeChoice.LIGHT: Qt.ColorScheme.Light,
        ThemeChoice.DARK: Qt.ColorScheme.Dark,
    }[choice]
    if hasattr(hints, "setColorScheme"):
        hints.setColorScheme(scheme)
    if choice is ThemeChoice.SYSTEM:
        app.setPalette(_system_palette)
        return
    if is_dark(app.palette()) != (choice is ThemeChoice.DARK):
        app.setStyle("Fusion")
        app.setPalette(dark_palette() if choice is ThemeChoice.DARK else app.style().standardPalette())
