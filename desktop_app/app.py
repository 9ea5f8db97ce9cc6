"""Composition root: parse arguments, create the QApplication, open the database, build the window.

``codedesk [--db PATH] [--theme system|light|dark] [--debug] [FILE ...]`` — files given on the command line (as a
desktop file manager's "Open with" does) are imported after the window opens. ``codedesk --install-desktop-entry``
adds CodeDesk to the current user's application menu and exits.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from desktop_app import __version__
from desktop_app.core.database import default_db_path, default_userdata_path
from desktop_app.core.enums import StrEnum
from desktop_app.core.errors import DatabaseError, is_environment_problem
from desktop_app.core.logs import configure_logging
from desktop_app.core.recovery import OpenedReference, OpenedUserData, open_reference, open_userdata, set_aside
from desktop_app.core.userdata import UserData

if TYPE_CHECKING:  # the window module loads Qt widgets; main() imports it only once arguments are parsed
    from desktop_app.ui.main_window import MainWindow

# Set by the benchmark: print a line when the window has painted ("report"), and quit too ("exit").
READY_PROBE_ENV = "CODEDESK_READY_PROBE"
_PROCESS_START = time.perf_counter()
log = logging.getLogger(__name__)


class DatabaseChoice(StrEnum):
    OTHER_FILE = "other"
    REBUILD = "rebuild"
    QUIT = "quit"


# Qt's own command-line options that take a value (QGuiApplication/QApplication documentation).
_QT_VALUE_OPTIONS = frozenset({
    "-platform", "-platformpluginpath", "-platformtheme", "-plugin", "-qwindowgeometry", "-qwindowicon",
    "-qwindowtitle", "-display", "-geometry", "-style", "-stylesheet", "-session", "-qmljsdebugger",
})
_QT_FLAG_OPTIONS = frozenset({"-reverse", "-nograb", "-dograb", "-sync", "-widgetcount"})


def split_qt_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Separate Qt's options (``-platform xcb``) from ours, so argparse never mistakes a value for a path."""
    ours: list[str] = []
    qt: list[str] = []
    tokens = list(argv)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        name = token.split("=", 1)[0]
        if name in _QT_VALUE_OPTIONS:
            qt.append(token)
            if "=" not in token and index + 1 < len(tokens):
                qt.append(tokens[index + 1])
                index += 1
        elif token in _QT_FLAG_OPTIONS:
            qt.append(token)
        else:
            ours.append(token)
        index += 1
    return ours, qt


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog="codedesk", description="CodeDesk: offline procedure code reference"
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="database file (default: $CODEDESK_DB or the user data directory)",
    )
    parser.add_argument(
        "--theme",
        choices=["system", "light", "dark"],
        default=None,
        help="colour theme (default: the last one chosen, else follow the system)",
    )
    parser.add_argument("--debug", action="store_true", help="log everything, also on stderr")
    parser.add_argument("--install-desktop-entry", action="store_true",
                        help="add CodeDesk and its icon to your application menu (XDG, current user) and exit")
    parser.add_argument("--version", action="version", version=f"CodeDesk {__version__}")
    parser.add_argument("paths", nargs="*", type=Path, help="code files or folders to import on start")
    ours, qt = split_qt_args(argv)
    args, unknown = parser.parse_known_args(ours)
    return args, qt + unknown


def ask_about_database(error: str, parent: QWidget | None = None) -> DatabaseChoice:
    box = QMessageBox(
        QMessageBox.Icon.Critical, "CodeDesk", "CodeDesk cannot open its database.", parent=parent
    )
    box.setInformativeText(
        f"{error}\n\nChoose another database file, rebuild a fresh one (the old file is "
        "kept beside it with a .damaged-<date> suffix), or quit."
    )
    other = box.addButton("Choose Another File\u2026", QMessageBox.ButtonRole.ActionRole)
    rebuild = box.addButton("Rebuild", QMessageBox.ButtonRole.DestructiveRole)
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(other)
    box.setEscapeButton(quit_button)
    box.exec()
    clicked = box.clickedButton()
    if clicked is other:
        return DatabaseChoice.OTHER_FILE
    if clicked is rebuild:
        return DatabaseChoice.REBUILD
    return DatabaseChoice.QUIT


def choose_database_file(start: Path, parent: QWidget | None = None) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent,
        "Choose or create a CodeDesk database",
        str(start),
        "CodeDesk database (*.sqlite3);;All files (*)",
        options=QFileDialog.Option.DontConfirmOverwrite,
    )
    return Path(name) if name else None


def open_store_interactively(
    path: Path,
    ask: Callable[[str], DatabaseChoice] = ask_about_database,
    choose: Callable[[Path], Path | None] = choose_database_file,
    progress: Callable[[str, int, int], None] | None = None,
) -> OpenedReference | None:
    """Open (building if needed) the database with its checks (a damaged CodeDesk database is set aside and
    rebuilt without asking); on any other failure let the person choose what to do. None = quit."""
    while True:
        try:
            return open_reference(path, progress=progress)
        except (DatabaseError, sqlite3.Error, OSError) as exc:
            if isinstance(exc, sqlite3.Error) and not is_environment_problem(exc):
                log.exception("opening %s failed", path)  # a bug, but rebuilding may still get the person going
            else:
                log.warning("cannot open %s: %s", path, exc)
            error = str(exc)
        choice = ask(error)
        if choice is DatabaseChoice.QUIT:
            return None
        if choice is DatabaseChoice.OTHER_FILE:
            chosen = choose(path)
            if chosen is not None:
                path = chosen
            continue
        try:
            if path.is_dir():
                ask(f"{path} is a folder, not a database file; choose another file.")
                chosen = choose(path)
                if chosen is None:
                    return None
                path = chosen
            elif path.exists():
                set_aside(path)
        except OSError as exc:
            ask(f"cannot move the old database aside: {exc.strerror or exc}")


# How long a Python thread may hold the interpreter before another that waits gets it. Python's default, 5 ms,
# lets the search worker's Python work (ranking, row texts) keep the UI thread from painting for up to a third of
# a frame; at 1 ms, keystroke -> paint p95 at 25,000 codes was 14.5 ms against 18.2 ms (median of 8 alternated
# runs of bench/bench_ui.py each), with no slower search in the worker.
UI_SWITCH_INTERVAL_S = 0.001


def share_the_interpreter() -> None:
    """Let the UI thread take the interpreter from the worker thread within a millisecond (see above)."""
    sys.setswitchinterval(UI_SWITCH_INTERVAL_S)


class _ReadyProbe(QObject):
    """For the benchmark and the end-to-end test, which watch the real process from outside: prints
    ``CODEDESK_READY <seconds>`` when the window has painted once and the event loop is idle again, and
    ``CODEDESK_DETAIL <code>`` each time the detail pane shows a code (its text naming that code)."""

    def __init__(self, window: MainWindow, exit_after: bool) -> None:
        super().__init__(window)
        self._window = window
        self._exit_after = exit_after
        self._done = False
        self._last_detail = ""
        window.installEventFilter(self)
        window.detail_pane.browser.textChanged.connect(lambda: QTimer.singleShot(0, self._report_detail))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._done:
            self._done = True
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        print(f"CODEDESK_READY {time.perf_counter() - _PROCESS_START:.4f}", flush=True)
        if self._exit_after:
            QTimer.singleShot(0, QApplication.quit)

    def _report_detail(self) -> None:
        pane = self._window.detail_pane
        code = pane.detail.code if pane.detail is not None else ""
        if code and code != self._last_detail and code in pane.browser.toPlainText():
            self._last_detail = code
            print(f"CODEDESK_DETAIL {code}", flush=True)


def install_entry() -> int:
    from desktop_app.desktop_entry import install_desktop_entry

    try:
        written = install_desktop_entry()
    except OSError as exc:
        print(f"codedesk: cannot install the desktop entry: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


# The libraries Qt's X11 (xcb) platform plugin loads, and the Debian/Ubuntu and Fedora packages that have
# them. Without one, Qt prints a plugin error and aborts; we name the package instead.
XCB_LIBRARIES = (
    ("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
    ("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms"),
    ("libxcb-image.so.0", "libxcb-image0", "xcb-util-image"),
    ("libxcb-render-util.so.0", "libxcb-render-util0", "xcb-util-renderutil"),
    ("libxcb-randr.so.0", "libxcb-randr0", "libxcb"),
    ("libxcb-shape.so.0", "libxcb-shape0", "libxcb"),
    ("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11"),
)


def missing_platform_libraries(qt_args: Sequence[str], environ: Mapping[str, str] | None = None,
                               loads: Callable[[str], bool] | None = None) -> str | None:
    """On Linux with the X11 plugin: a one-line hint naming the packages to install, or None if all load."""
    environ = os.environ if environ is None else environ
    platform = environ.get("QT_QPA_PLATFORM", "")
    args = list(qt_args)
    if "-platform" in args and args.index("-platform") + 1 < len(args):
        platform = args[args.index("-platform") + 1]
    if not sys.platform.startswith("linux") or platform.split(":")[0] not in ("", "xcb"):
        return None
    if not platform and environ.get("WAYLAND_DISPLAY"):
        return None  # Qt will use Wayland

    def can_load(name: str) -> bool:
        try:
            ctypes.CDLL(name)
        except OSError:
            return False
        return True

    loads = loads or can_load
    missing = [(lib, deb, rpm) for lib, deb, rpm in XCB_LIBRARIES if not loads(lib)]
    if not missing:
        return None
    debs = " ".join(dict.fromkeys(deb for _, deb, _ in missing))
    rpms = " ".join(dict.fromkeys(rpm for _, _, rpm in missing))
    return (f"CodeDesk cannot open its window: {', '.join(lib for lib, _, _ in missing)} missing. "
            f"Install: sudo apt-get install {debs}  (Fedora: sudo dnf install {rpms})")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    args, qt_args = parse_args(argv[1:])
    log_file = configure_logging("codedesk", debug=args.debug)
    if args.install_desktop_entry:
        return install_entry()
    log.info("CodeDesk %s starting", __version__)

    from desktop_app.ui import REFCOUNT_WORKAROUND_APPLIED
    from desktop_app.ui.error_dialog import install_error_handlers
    from desktop_app.ui.icon import app_icon
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.repair import BackgroundCheck, RepairDialog, RepairProgress
    from desktop_app.ui.theme import ThemeChoice, apply_theme

    hint = missing_platform_libraries(qt_args)
    if hint:
        print(hint, file=sys.stderr)
        return 1
    if REFCOUNT_WORKAROUND_APPLIED:
        print("CodeDesk: this PySide6 drops references to None/True on Python < 3.12; a work-around is on. "
              "Install PySide6-Essentials<6.12 to avoid it.", file=sys.stderr)
    app = QApplication([argv[0] if argv else "codedesk", *qt_args])
    share_the_interpreter()
    install_error_handlers(log_file)  # a bug from here on is logged and shown, and the window stays
    app.setOrganizationName("CodeDesk")
    app.setApplicationName("CodeDesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("codedesk")
    app.setWindowIcon(app_icon())
    settings = QSettings()
    theme = args.theme or str(settings.value("view/theme", ThemeChoice.SYSTEM.value))
    if theme in {t.value for t in ThemeChoice}:
        apply_theme(app, ThemeChoice(theme))
        if args.theme:
            settings.setValue("view/theme", theme)

    repairing = RepairProgress()
    opened = open_store_interactively(args.db or default_db_path(), progress=repairing.report)
    repairing.close()
    if opened is None:
        return 1
    store = opened.store
    user: OpenedUserData | None = None
    userdata: UserData | None = None
    try:
        user = open_userdata(default_userdata_path(store.path))
        userdata = user.userdata
    except (DatabaseError, OSError, sqlite3.Error) as exc:
        QMessageBox.warning(None, "CodeDesk", f"Favourites and notes are off for this session: {exc}")

    window = MainWindow(store, settings, userdata)
    probe = os.environ.get(READY_PROBE_ENV, "")
    if probe:
        _ReadyProbe(window, exit_after=probe == "exit")
    window.show()
    window.raise_()
    window.activateWindow()  # keyboard shortcuts need an active window, even without a window manager
    notices = [n for n in opened.notices if opened.rebuilt is None or n != opened.rebuilt.message()]
    if user is not None and user.notes_restored:
        notices.append(f"{user.notes_restored} note(s) the last session could not save are saved now.")
    salvage = user.salvage if user is not None else None
    if opened.rebuilt is not None or salvage is not None or notices:
        QTimer.singleShot(0, lambda: RepairDialog(opened.rebuilt, salvage, notices, window).exec())
    check: BackgroundCheck | None = None
    if opened.needs_full_check:
        check = BackgroundCheck(store.path, window)
        check.start(opened.session.unclean)
    if args.paths:
        paths = [p.expanduser().resolve() for p in args.paths]
        QTimer.singleShot(0, lambda: window.import_paths(paths))
    try:
        return app.exec()
    finally:
        if check is not None:
            check.stop()
        window.shutdown()  # the window's worker closes the user data it was handed
        opened.close()


if __name__ == "__main__":
    raise SystemExit(main())
