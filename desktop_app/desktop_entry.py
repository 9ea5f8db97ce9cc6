"""``codedesk --install-desktop-entry``: put CodeDesk in the current user's application menu (no Qt, no root).

Follows the XDG specifications: the desktop entry goes to ``$XDG_DATA_HOME/applications`` and the icons to the
``hicolor`` theme under ``$XDG_DATA_HOME/icons`` (``$XDG_DATA_HOME`` defaults to ``~/.local/share``).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from desktop_app.core.resources import resources_dir

DESKTOP_FILE = "codedesk.desktop"
ICON_NAME = "codedesk"


def xdg_data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "")
    # The specification says a relative path is invalid and must be ignored.
    return Path(value) if value and Path(value).is_absolute() else Path.home() / ".local" / "share"


def launcher() -> tuple[str, Path]:
    """How the menu starts this CodeDesk, as (Exec command, program for TryExec): the ``codedesk`` script this
    process was started from (a venv's ``bin/codedesk`` is rarely on the menu's PATH), else the one on PATH,
    else this Python with ``-m desktop_app``."""
    started_as = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if started_as is not None and started_as.name == "codedesk" and started_as.is_file():
        program = started_as.resolve()
        return _quote(str(program)), program
    on_path = shutil.which("codedesk")
    if on_path:
        program = Path(on_path).resolve()
        return _quote(str(program)), program
    return f"{_quote(sys.executable)} -m desktop_app", Path(sys.executable)


def _quote(argument: str) -> str:
    """Quote an Exec argument as the Desktop Entry specification requires when it has reserved characters."""
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    if not any(char in reserved for char in argument):
        return argument
    escaped = argument.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    return f'"{escaped}"'


def desktop_entry_text(command: str, program: Path) -> str:
    """The bundled entry with ``Exec`` running ``command`` and ``TryExec`` checking ``program``."""
    lines = []
    for line in (resources_dir() / DESKTOP_FILE).read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={command} %F"
        elif line.startswith("TryExec="):
            line = f"TryExec={program}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def install_desktop_entry(data_home: Path | None = None, start: tuple[str, Path] | None = None) -> list[Path]:
    """Write the desktop entry and every icon size for the current user; returns the files written.
    Installing again overwrites them (after an upgrade, or from another venv)."""
    base = data_home or xdg_data_home()
    written: list[Path] = []
    applications = base / "applications"
    applications.mkdir(parents=True, exist_ok=True)
    entry = applications / DESKTOP_FILE
    entry.write_text(desktop_entry_text(*(start or launcher())), encoding="utf-8")
    written.append(entry)
    icons = resources_dir() / "icons"
    for png in sorted(icons.glob(f"{ICON_NAME}-*.png")):
        size = png.stem.rsplit("-", 1)[1]
        target = base / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, target)
        written.append(target)
    svg = icons / f"{ICON_NAME}.svg"
    if svg.is_file():
        target = base / "icons" / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(svg, target)
        written.append(target)
    return written
