"""ui/icon.py: the app icon is found and renders to PNGs of every size."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desktop_app.ui.icon import app_icon, icons_dir, render_pngs


def test_the_icon_renders_at_each_size(qtbot: QtBot, tmp_path: Path) -> None:
    assert not app_icon().isNull()
    svg = next(icons_dir().glob("*.svg"))
    pngs = render_pngs(svg, tmp_path, (16, 48))
    assert [QImage(str(p)).width() for p in pngs] == [16, 48]
