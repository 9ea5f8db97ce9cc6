"""End to end: the real app process on the xcb platform under Xvfb, driven with xdotool, photographed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from PySide6.QtGui import QImage

pytestmark = pytest.mark.xvfb
TOOLS = ("Xvfb", "xdotool", "import")


def _missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


@pytest.fixture
def display() -> Iterator[str]:
    """A private Xvfb on a free display number (Xvfb picks it and tells us through -displayfd)."""
    missing = _missing_tools()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt-get install xvfb xdotool imagemagick)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            pytest.fail("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def _run(args: list[str], env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def distinct_colours(path: Path, step: int = 4) -> int:
    image = QImage(str(path))
    assert not image.isNull(), f"cannot read {path}"
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})


def _wait_for_line(stream: IO[str], prefix: str, timeout: float) -> str:
    """The first line of ``stream`` starting with ``prefix`` (read in a thread, so the wait is bounded)."""
    found: list[str] = []

    def read() -> None:
        for line in stream:
            if line.startswith(prefix):
                found.append(line.strip())
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    assert found, f"the app never printed {prefix} within {timeout:.0f} s"
    return found[0]


def _wait_for_title(text: str, env: dict[str, str], timeout: float = 15) -> str:
    """Poll until a window's title (CodeDesk's names the open code) holds ``text``; return that title."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _run(["xdotool", "search", "--name", text], env).stdout.split()
        if found:
            return _run(["xdotool", "getwindowname", found[0]], env).stdout.strip()
        time.sleep(0.1)
    raise AssertionError(f"no window title showed {text} within {timeout:.0f} s")


def test_real_app_window_under_xvfb(display: str, tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("CODEDESK_DB", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), CODEDESK_READY_PROBE="1")
    app = subprocess.Popen([sys.executable, "-m", "desktop_app", "--db", str(tmp_path / "db.sqlite3")], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert app.stdout is not None
        _wait_for_line(app.stdout, "CODEDESK_READY", 60)  # painted, and the event loop is taking input
        found = _run(["xdotool", "search", "--sync", "--name", "CodeDesk"], env, timeout=30)
        assert found.returncode == 0 and found.stdout.strip(), "the CodeDesk window never appeared"
        _run(["xdotool", "type", "--delay", "30", "3074F"], env)
        _run(["xdotool", "key", "Return"], env)
        # What the window shows: the detail pane opened 3074F (the title names the open code).
        assert _wait_for_title("3074F", env).startswith("CodeDesk \u2014 3074F")
        shot = tmp_path / "window.png"
        taken = _run(["import", "-window", "root", str(shot)], env)
        assert taken.returncode == 0, taken.stderr
        assert distinct_colours(shot) >= 8, "the screenshot is blank or nearly so"
        assert app.poll() is None, "the app exited on its own"
        _run(["xdotool", "key", "ctrl+q"], env)
        assert app.wait(15) == 0
    finally:
        if app.poll() is None:
            app.terminate()
            app.wait(10)
        if app.stdout:
            app.stdout.close()
        if app.stderr:
            app.stderr.close()
