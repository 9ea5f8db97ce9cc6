"""CodeDesk user-data benchmark (not a test): how long the UI thread is held by favourites, notes and history.

Run explicitly:  python bench/bench_userdata.py [--rounds 5]

Prints one table: for saving a note, starring a code and opening a code, the time the UI thread spends in the
call (median / max), with the user data file free and with another program holding its write lock; and, with
the file free, the round trip until the worker's answer is shown (note saved, detail with star and note
painted). Target: the UI thread is never held longer than a frame (16 ms), locked or not.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _wait(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    from PySide6.QtCore import QCoreApplication

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QCoreApplication.processEvents()
        if condition():
            return
        time.sleep(0.001)
    raise RuntimeError("no answer")


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} / {max(values) * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.store import CodeStore
    from desktop_app.core.userdata import UserData
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.user_requests import NoteSaved

    app = QApplication.instance() or QApplication(sys.argv)
    work = Path(tempfile.mkdtemp(prefix="codedesk-bench-user-"))
    CodeStore.open(work / "db.sqlite3").close()
    store = CodeStore.open(work / "db.sqlite3")
    window = MainWindow(store, QSettings(str(work / "s.ini"), QSettings.Format.IniFormat),
                        UserData(work / "user.sqlite3"))
    window.show()
    _wait(lambda: window.overview is not None)
    pane = window.detail_pane
    saved: list[NoteSaved] = []
    window.service.on(NoteSaved, saved.append)

    def shown(code: str) -> bool:
        return pane.detail is not None and pane.detail.code == code

    rows: list[tuple[str, str]] = []
    for locked in (False, True):
        other = None
        if locked:
            other = sqlite3.connect(work / "user.sqlite3")
            other.execute("BEGIN IMMEDIATE")
        note: list[float] = []
        star: list[float] = []
        opening: list[float] = []
        note_trip: list[float] = []
        open_trip: list[float] = []
        for i in range(args.rounds):
            code = ("99213", "99214")[i % 2]
            started = time.perf_counter()
            window.open_code(code)
            opening.append(time.perf_counter() - started)
            _wait(lambda: shown(code))  # noqa: B023 (waited for at once, in this iteration)
            open_trip.append(time.perf_counter() - started)
            pane.note.setPlainText(f"note {i} {locked}")
            answers = len(saved)
            started = time.perf_counter()
            pane.save_note()
            note.append(time.perf_counter() - started)
            _wait(lambda: len(saved) > answers)  # noqa: B023 (waited for at once, in this iteration)
            note_trip.append(time.perf_counter() - started)
            started = time.perf_counter()
            pane.favourite_button.click()
            star.append(time.perf_counter() - started)
        when = "file locked by another program" if locked else "file free"
        rows += [(f"UI thread in save note ({when}) median / max", _ms(note)),
                 (f"UI thread in star a code ({when}) median / max", _ms(star)),
                 (f"UI thread in open a code ({when}) median / max", _ms(opening))]
        if not locked:
            rows += [("note saved: post → answer (file free) median / max", _ms(note_trip)),
                     ("open a code → detail with star and note shown (file free) median / max", _ms(open_trip))]
        if other is not None:
            other.rollback()
            other.close()
    window.close()
    store.close()
    del app
    print(f"CodeDesk user-data benchmark — Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"{args.rounds} rounds")
    width = max(len(name) for name, _ in rows) + 2
    print(f"{'measure':<{width}}result")
    print("-" * (width + 24))
    for name, value in rows:
        print(f"{name:<{width}}{value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
