"""End to end: the real app process on the xcb platform under Xvfb, driven with xdotool, photographed."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
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


class AppProcess:
    """The real app with its output read by threads, so a wait for a line ends the moment the line comes or the
    process dies, and a failure shows what the app wrote on stderr."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        # Started outside the checkout, so ``-m desktop_app`` runs the installed CodeDesk (the wheel, in CI).
        self.process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        cwd=cwd)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        threading.Thread(target=self._pump, args=(self.process.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.process.stderr, self.stderr.append), daemon=True).start()

    @staticmethod
    def _pump(stream: IO[str], sink: Callable[[str], None]) -> None:
        for line in stream:
            sink(line.rstrip("\n"))
        if sink.__name__ == "put":
            sink(None)  # type: ignore[arg-type]  # end of stdout: the process has gone

    def describe(self) -> str:
        status = self.process.poll()
        state = "still running" if status is None else f"exited with status {status}"
        return f"the app {state}; its stderr:\n" + "\n".join(self.stderr[-40:])

    def wait_for(self, prefix: str, timeout: float) -> str:
        """The first stdout line starting with ``prefix``; fails at once if the app exits first."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"no {prefix!r} within {timeout:.0f} s; {self.describe()}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.process.wait(5)
                pytest.fail(f"the app ended before {prefix!r}; {self.describe()}")
            if line.startswith(prefix):
                return line

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


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
               XDG_DATA_HOME=str(tmp_path / "data"), CODEDESK_READY_PROBE="report")
    app = AppProcess([sys.executable, "-m", "desktop_app", "--db", str(tmp_path / "db.sqlite3")], env, tmp_path)
    try:
        app.wait_for("CODEDESK_READY", timeout=90)  # painted once, event loop idle: it takes keys now
        found = _run(["xdotool", "search", "--sync", "--name", "CodeDesk"], env, timeout=30)
        assert found.returncode == 0 and found.stdout.strip(), f"no CodeDesk window; {app.describe()}"
        typed = _run(["xdotool", "type", "--delay", "30", "3074F"], env)
        assert typed.returncode == 0, typed.stderr
        _run(["xdotool", "key", "Return"], env)
        # The window's own state, from inside: the detail pane shows the code that was typed.
        assert app.wait_for("CODEDESK_DETAIL", timeout=60) == "CODEDESK_DETAIL 3074F"
        # ... and the title names the open code.
        assert _wait_for_title("3074F", env).startswith("CodeDesk \u2014 3074F")
        shot = tmp_path / "window.png"
        taken = _run(["import", "-window", "root", str(shot)], env)
        assert taken.returncode == 0, taken.stderr
        assert distinct_colours(shot) >= 8, "the screenshot is blank or nearly so"
        assert app.process.poll() is None, f"the app exited on its own; {app.describe()}"
        _run(["xdotool", "key", "ctrl+q"], env)
        assert app.process.wait(30) == 0, app.describe()
    finally:
        app.stop()
