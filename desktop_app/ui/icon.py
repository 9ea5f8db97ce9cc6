"""The application icon: one SVG, with PNG sizes rendered by Qt for desktops that want bitmaps.

Regenerate the PNGs after editing the SVG: ``python -m desktop_app.ui.icon``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from desktop_app.core.resources import resources_dir

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)


def icons_dir() -> Path:
    return resources_dir() / "icons"


def app_icon() -> QIcon:
    """The SVG when Qt's SVG plugin is there, plus every PNG size as a fallback."""
    icon = QIcon()
    svg = icons_dir() / "codedesk.svg"
    if svg.exists():
        icon.addFile(str(svg))
    for size in PNG_SIZES:
        png = icons_dir() / f"codedesk-{size}.png"
        if png.exists():
            icon.addFile(str(png), QSize(size, size))
    return icon


def render_pngs(svg: Path, out_dir: Path, sizes: tuple[int, ...] = PNG_SIZES) -> list[Path]:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = out_dir / f"codedesk-{size}.png"
        if not image.save(str(path)):
            raise OSError(f"cannot write {path}")
        written.append(path)
    return written


def main() -> int:
    # Rendering needs a QGuiApplication; offscreen so it works without a display.
    app = QGuiApplication.instance() or QGuiApplication([*sys.argv[:1], "-platform", "offscreen"])
    source = Path(__file__).resolve().parents[2] / "resources" / "icons"
    for path in render_pngs(source / "codedesk.svg", source):
        print(path)
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
