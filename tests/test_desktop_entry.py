"""``codedesk --install-desktop-entry`` puts a valid desktop entry and the icons in the user's XDG folders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.resources import resources_dir
from desktop_app.desktop_entry import _quote, desktop_entry_text, install_desktop_entry

VALIDATOR = shutil.which("desktop-file-validate")
needs_validator = pytest.mark.skipif(VALIDATOR is None, reason="needs desktop-file-validate "
                                     "(apt-get install desktop-file-utils)")


def _validate(path: Path) -> None:
    assert VALIDATOR is not None
    done = subprocess.run([VALIDATOR, str(path)], capture_output=True, text=True, check=False)
    problems = [line for line in (done.stdout + done.stderr).splitlines() if "error" in line or "warning" in line]
    assert done.returncode == 0 and problems == [], done.stdout + done.stderr


@needs_validator
def test_the_bundled_entry_is_valid() -> None:
    _validate(resources_dir() / "codedesk.desktop")


@needs_validator
def test_install_writes_a_valid_entry_and_every_icon(tmp_path: Path) -> None:
    program = tmp_path / "my venv" / "bin" / "codedesk"
    written = install_desktop_entry(tmp_path / "share", (_quote(str(program)), program))
    entry = tmp_path / "share" / "applications" / "codedesk.desktop"
    assert entry in written
    text = entry.read_text(encoding="utf-8")
    assert f'Exec="{program}" %F' in text and f"TryExec={program}" in text
    _validate(entry)
    icons = tmp_path / "share" / "icons" / "hicolor"
    for size in (16, 32, 48, 64, 128, 256):
        assert (icons / f"{size}x{size}" / "apps" / "codedesk.png").is_file()
    assert (icons / "scalable" / "apps" / "codedesk.svg").is_file()


def test_the_entry_starts_this_python_when_no_launcher_is_found() -> None:
    text = desktop_entry_text(f"{_quote(sys.executable)} -m desktop_app", Path(sys.executable))
    assert "Icon=codedesk" in text and "-m desktop_app %F" in text


def test_the_command_line_option_installs_for_the_current_user(tmp_path: Path) -> None:
    """Runs the real entry point: no window opens, the files land under $XDG_DATA_HOME."""
    env = {"XDG_DATA_HOME": str(tmp_path), "PATH": "", "CODEDESK_LOG_DIR": str(tmp_path / "log"),
           "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "desktop_app", "--install-desktop-entry"], env=env,
                          capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert str(tmp_path / "applications" / "codedesk.desktop") in done.stdout.splitlines()
    assert (tmp_path / "icons" / "hicolor" / "48x48" / "apps" / "codedesk.png").is_file()
