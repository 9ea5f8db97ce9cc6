"""Database work off the UI thread.

:class:`StoreWorker` lives in its own ``QThread`` and owns its own :class:`CodeStore` (one SQLite connection
per thread). It runs :class:`~desktop_app.ui.requests.Request` objects: each carries its handler and returns its
typed answer. Requests are *coalesced* per kind: posting a search while another search is still waiting
replaces it, so a burst of keystrokes runs only the newest query. A search that is already running when a
newer one arrives is interrupted (``sqlite3.Connection.interrupt`` is the one call SQLite allows from another
thread), so a slow query at a million codes never delays the next one.

:class:`StoreService` is the UI-thread side: it numbers every request, drops any answer that is not the newest
of its kind (so a late result can never overwrite a newer one), and hands each answer to the slots subscribed
to its type with :meth:`StoreService.on`.

The person's own database (favourites, notes, history) is worked on here too: the window hands its
:class:`UserData` to the worker, and from then on only the worker thread uses it. Its writes are ``ordered``
requests (``ui/user_requests.py``): kept in a first-in-first-out queue of their own, never coalesced or
dropped, run before any waiting read, and finished when the window closes.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from desktop_app.core.errors import CodeDeskError, is_environment_problem, is_interrupt
from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData
from desktop_app.ui.requests import (
    Answer,
    CodeComparisonRequest,
    DataVersion,
    DataVersionRequest,
    DetailRequest,
    Overview,
    OverviewRequest,
    Refreshed,
    RefreshRequest,
    Request,
)

log = logging.getLogger(__name__)

AnswerT = TypeVar("AnswerT", bound=Answer)
HELD_FOLLOW_UP_MS = 100
# A write to the user data waits this long for another program's lock, then is refused, told and retried:
# the worker is shared with the searches, which must not stall behind a locked file.
USERDATA_BUSY_TIMEOUT_MS = 250


class StoreWorker(QObject):
    """Runs requests in its thread; it is their :class:`WorkerContext` (its own connections)."""

    finished = Signal(int, object, object)  # sequence number, Request, its Answer
    failed = Signal(int, object, str)  # sequence number, Request, message for the user
    _wake = Signal()

    def __init__(self, db_path: Path, opener: Callable[[Path], CodeStore] | None = None,
                 user: UserData | None = None) -> None:
        super().__init__()
        self._db_path = db_path
        self._opener = opener or (lambda path: CodeStore.open(path, build=False))
        self._store: CodeStore | None = None
        self._user = user  # handed over by the window: used only in this worker's thread from now on
        self._user_ready = False
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[int, Request]] = {}
        # Follow-ups that wait until the window has shown their request's answer (a search's counts must not
        # compete with the list's paint for the interpreter): released by release_held().
        self._held: dict[str, tuple[int, Request]] = {}
        self._writes: deque[tuple[int, Request]] = deque()  # ordered requests, first in first out
        self._running: str | None = None
        self._stopped = False
        self._wake.connect(self._drain)

    # --- called from the UI thread -----------------------------------------------------------------

    def post(self, seq: int, request: Request) -> None:
        with self._lock:
            idle = not self._pending and not self._writes
            if request.ordered:
                self._writes.append((seq, request))
                if idle:
                    self._wake.emit()
                return
            self._pending[request.kind] = (seq, request)
            for kind in request.supersedes:
                self._pending.pop(kind, None)
                self._held.pop(kind, None)
            if self._running in request.interrupts and self._store is not None:
                self._store.conn.interrupt()
        if idle:
            self._wake.emit()  # queued: the receiver lives in the worker thread

    def release_held(self) -> None:
        """The window has shown the answer: let the follow-ups that waited for that run."""
        with self._lock:
            if not self._held:
                return
            idle = not self._pending and not self._writes
            self._pending.update(self._held)
            self._held.clear()
        if idle:
            self._wake.emit()

    # --- in the worker thread ----------------------------------------------------------------------

    @property
    def store(self) -> CodeStore:
        if self._store is None:
            self._store = self._opener(self._db_path)
        return self._store

    @property
    def user(self) -> UserData | None:
        """The window's user data (None when it could not be opened)."""
        if self._user is not None and not self._user_ready:
            self._user_ready = True
            try:
                self._user.set_busy_timeout(USERDATA_BUSY_TIMEOUT_MS)
            except CodeDeskError as exc:  # a damaged file: each request tells it in its answer
                log.warning("user data: %s", exc)
        return self._user

    @property
    def stopping(self) -> bool:
        return self._stopped

    @Slot()
    def _drain(self) -> None:
        while True:
            with self._lock:
                if self._writes:  # in the order posted, before any read, and still while stopping
                    seq, request = self._writes.popleft()
                elif not self._pending or self._stopped:
                    return
                else:
                    seq, request = min(self._pending.values(), key=lambda waiting: waiting[1].priority)
                    del self._pending[request.kind]
                self._running = request.kind
            kind = request.kind
            try:
                answer = request.run(self)
                # Queued before the answer is sent: the window may show it (and release it) at once.
                follow_up = request.follow_up(answer)
                if follow_up is not None:
                    with self._lock:  # e.g. counts only for a search nobody has typed past yet
                        if kind not in self._pending and not self._stopped:
                            queue = self._held if follow_up.waits_until_shown else self._pending
                            queue[follow_up.kind] = (seq, follow_up)
                self.finished.emit(seq, request, answer)
            except CodeDeskError as exc:
                self.failed.emit(seq, request, str(exc))
            except Exception as exc:
                if is_interrupt(exc):
                    # Interrupted for a newer search. If the interrupt hit another kind by a race, retry it.
                    with self._lock:
                        if kind not in self._pending and request.retry_on_interrupt and not self._stopped:
                            self._pending[kind] = (seq, request)
                    continue
                if is_environment_problem(exc):  # locked, read-only, damaged: the person can act on it
                    log.warning("%s: database problem: %s", kind, exc)
                    self.failed.emit(seq, request, f"database error: {exc}")
                else:  # a bug must not leave the window waiting for an answer forever; its trace goes to the log
                    log.exception("%s request failed", kind)
                    self.failed.emit(seq, request, f"internal error ({type(exc).__name__}: {exc})")
            finally:
                with self._lock:
                    self._running = None

    def stop(self) -> None:
        """Forget waiting reads and interrupt a running one (called from the UI thread); waiting writes stay, for
        :meth:`close` to finish."""
        with self._lock:
            self._stopped = True
            self._pending.clear()
            self._held.clear()
            if self._running is not None and self._store is not None:
                self._store.conn.interrupt()

    @Slot()
    def close(self) -> None:
        """Finish the waiting writes (a refused note is kept for the next start), then close the connections."""
        self._drain()
        if self._user is not None:
            with contextlib.suppress(CodeDeskError):
                self._user.close()
            self._user = None
        if self._store is not None:
            self._store.close()
            self._store = None


class StoreService(QObject):
    """The UI's handle on the worker: numbered requests in, only the newest answers out, by type."""

    refreshed = Signal()  # the worker re-read its catalog after an import
    changed_elsewhere = Signal()  # the database changed under us (another process imported or removed)
    failed = Signal(str, str)  # kind, message
    answered = Signal(str)  # kind: the newest request of this kind was answered (after its subscribers ran)

    def __init__(self, db_path: Path, parent: QObject | None = None, user: UserData | None = None) -> None:
        super().__init__(parent)
        self._seq = 0
        self.locality: str | None = None  # the payment locality chosen in the window (a GPCI key)
        self._latest: dict[str, int] = {}
        self._delivered: dict[str, int] = {}
        self._subscribers: dict[type[Answer], list[Callable[[Any], object]]] = defaultdict(list)
        self.dropped = 0  # stale answers thrown away (the tests and the benchmark read it)
        # The worker runs Python too (building hits, correcting typos): make the interpreter switch threads
        # often enough that a busy worker never holds the UI thread back for more than a couple of ms.
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.002))
        self.data_version: int | None = None  # the database's version when the window last read it
        # The window's own import or removal writes on a connection of its own, which moves the version as
        # another program would: from its start until the catalog is read again after it (or it changed
        # nothing), a new version is the window's own doing, not "changed by another program".
        self._writing_here = False
        self._written_here = False  # it ended with a change: the next Refreshed closes it
        self.on(Overview, self._on_overview)
        self.on(Refreshed, self._on_refreshed)
        self.on(DataVersion, self._on_data_version)
        self._thread = QThread()
        self._thread.setObjectName("codedesk-store-worker")
        self.user_data_on = user is not None  # favourites and notes can be shown and changed
        self._worker = StoreWorker(db_path, user=user)
        self._worker.moveToThread(self._thread)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        # Held follow-ups run once the window says it showed the answer (answer_shown), or after this long
        # when nothing shows it (the list hidden behind another tab, no window at all).
        self._release_timer = QTimer(self)
        self._release_timer.setSingleShot(True)
        self._release_timer.setInterval(HELD_FOLLOW_UP_MS)
        self._release_timer.timeout.connect(self._worker.release_held)
        self._thread.start()

    def on(self, answer_type: type[AnswerT], slot: Callable[[AnswerT], object]) -> None:
        """Call ``slot`` (in the UI thread) with every fresh answer of this type."""
        self._subscribers[answer_type].append(slot)

    def off(self, answer_type: type[AnswerT], slot: Callable[[AnswerT], object]) -> None:
        """Stop calling ``slot`` (a window that closes before the service does, such as a dialog)."""
        with contextlib.suppress(ValueError):
            self._subscribers[answer_type].remove(slot)

    def post(self, request: Request) -> int:
        """Send a request to the worker; its answer reaches the subscribers of its type unless a newer request
        of the same kind was posted in the meantime. Returns the request's number."""
        self._seq += 1
        self._latest[request.kind] = self._seq
        self._worker.post(self._seq, request)
        return self._seq

    # Posters that add what the window knows (the payment locality) to the request.

    def detail(self, code: str, *, record_view: bool = False) -> int:
        """A code's detail with the person's favourite star and note; ``record_view``: it joins the history."""
        return self.post(DetailRequest(code, self.locality, record_view))

    def code_comparison(self, codes: list[str]) -> int:
        return self.post(CodeComparisonRequest(tuple(codes), self.locality))

    def overview(self) -> int:
        return self.post(OverviewRequest())

    def poll_data_version(self) -> int:
        """Ask whether the database changed underneath (polled every second by the window)."""
        return self.post(DataVersionRequest())

    def writing_here(self) -> None:
        """The window's own job (an import, a removal) starts writing on its own connection."""
        self._writing_here, self._written_here = True, False

    def written_here(self, changed: bool) -> None:
        """That job ended; ``changed``: it committed, and the refresh that reads its change is posted."""
        if changed:
            self._written_here = True
        else:  # rolled back: the version is as before, and a change seen from now on is another program's
            self._writing_here = False

    def refresh(self) -> int:
        """After an import: the worker re-reads its catalog before any later request runs."""
        return self.post(RefreshRequest())

    def answer_shown(self) -> None:
        """The window painted the newest answer: follow-ups held until then (a search's counts) may run."""
        self._release_timer.stop()
        self._worker.release_held()

    def is_latest(self, kind: str, seq: int) -> bool:
        return self._latest.get(kind) == seq

    def settled(self, kind: str) -> bool:
        """True when the newest request of ``kind`` has been answered (or failed)."""
        return kind in self._latest and self._delivered.get(kind) == self._latest[kind]

    @Slot(int, object, object)
    def _on_finished(self, seq: int, request: Request, answer: Answer) -> None:
        numbered_as = request.numbered_as or request.kind
        if request.ordered:  # a write's answer is never stale: each tells whether that change was made
            if self.is_latest(request.kind, seq):
                self._delivered[request.kind] = seq
        elif not self.is_latest(numbered_as, seq):
            self.dropped += 1
            return
        if numbered_as == request.kind:
            self._delivered[request.kind] = seq
        for slot in list(self._subscribers.get(type(answer), ())):
            slot(answer)
        self.answered.emit(request.kind)
        self._release_timer.start()

    @Slot(int, object, str)
    def _on_failed(self, seq: int, request: Request, message: str) -> None:
        latest = self.is_latest(request.kind, seq)
        if latest:
            self._delivered[request.kind] = seq
        if latest or request.ordered:
            self.failed.emit(request.kind, message)

    def _on_overview(self, overview: Overview) -> None:
        if self.data_version is None:  # the baseline: what the window first showed was read at this version
            self.data_version = overview.data_version

    def _on_refreshed(self, answer: Refreshed) -> None:
        self.data_version = answer.data_version
        if self._written_here:
            self._writing_here = self._written_here = False
        self.refreshed.emit()

    def _on_data_version(self, answer: DataVersion) -> None:
        if self.data_version is None or self._writing_here:
            # (While the window's own job writes, everything is read again once it ends.)
            self.data_version = answer.version
        elif answer.version != self.data_version:
            self.data_version = answer.version
            self.changed_elsewhere.emit()

    @property
    def running(self) -> bool:
        """The worker still takes requests (False once :meth:`shutdown` ran)."""
        return self._thread.isRunning()

    def shutdown(self) -> None:
        """Stop the reads, finish the waiting writes and close the worker's connections, in its own thread; then
        stop the thread."""
        if not self._thread.isRunning():
            return
        self._worker.stop()
        QMetaObject.invokeMethod(self._worker, "close", Qt.ConnectionType.BlockingQueuedConnection)
        self._thread.quit()
        self._thread.wait(5000)

