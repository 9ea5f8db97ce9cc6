"""Database work off the UI thread.

:class:`StoreWorker` lives in its own ``QThread`` and owns its own :class:`CodeStore` (one SQLite connection
per thread). Requests are *coalesced* per kind: posting a search while another search is still waiting
replaces it, so a burst of keystrokes runs only the newest query. A search that is already running when a
newer one arrives is interrupted (``sqlite3.Connection.interrupt`` is the one call SQLite allows from another
thread), so a slow query at a million codes never delays the next one.

:class:`StoreService` is the UI-thread side: it numbers every request and drops any answer that is not the
newest of its kind, so a late result can never overwrite a newer one.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot

from desktop_app.core import changes, ncci
from desktop_app.core.code_compare import compare_codes
from desktop_app.core.details import CodeDetail
from desktop_app.core.errors import CodeDeskError, UserError, is_environment_problem, is_interrupt
from desktop_app.core.export import results_table, working_set_table, write_table
from desktop_app.core.search import SearchFilters, SearchResult
from desktop_app.core.store import CodeStore, ComparisonRow, SourceInfo
from desktop_app.core.userdata import UserData
from desktop_app.core.working_set import read_snapshot

log = logging.getLogger(__name__)

# When several kinds wait at once, the one the user is looking at goes first; "refresh" must precede
# everything so no request runs against a stale catalog after an import.

# "counts" is the second half of a search: the hits are painted first, the per-category counts follow.
KIND_ORDER = ("refresh", "search", "detail", "measure", "counts", "overview", "comparison", "localities", "ncci_check",
              "ncci_edits", "releases", "changes", "working_set", "code_comparison", "export", "data_version")


@dataclass(frozen=True)
class DetailRequest:
    code: str
    locality: str | None = None  # a GPCI locality key ('13202-01'): payment amounts for it too


@dataclass(frozen=True)
class ClaimCheckRequest:
    """The claim check panel: the typed claim lines, the date of service and the NCCI setting."""

    text: str
    on: date
    setting: str = "practitioner"


@dataclass(frozen=True)
class CodeEditsRequest:
    """One page of a code's NCCI edits (both directions) and its MUEs, for the detail pane."""

    code: str
    setting: str = "practitioner"
    offset: int = 0
    on: date | None = None


@dataclass(frozen=True)
class CodeEdits:
    page: ncci.CodeEditPage
    mues: list[ncci.CodeMue]
    has_ncci: bool


@dataclass(frozen=True)
class ChangesRequest:
    """What changed between two releases of a family (None: the defaults of core.changes.choose)."""

    family: str | None = None
    old: str | None = None
    new: str | None = None
    code_set: str | None = None


@dataclass(frozen=True)
class DetailsRequest:
    codes: tuple[str, ...]
    locality: str | None = None


@dataclass(frozen=True)
class ExportRequest:
    """Write a table to ``path`` (.xlsx or .csv): the search's matches, or the working set."""

    what: str  # 'results' or 'working_set'
    path: Path
    query: str = ""
    code_set: str | None = None
    section_id: int | None = None
    userdata_path: Path | None = None


@dataclass(frozen=True)
class ExportDone:
    path: Path
    rows: int
    total: int


@dataclass(frozen=True)
class SearchRequest:
    query: str
    code_set: str | None = None
    section_id: int | None = None
    limit: int = 200
    after: str = ""  # browsing a category or section: the last code of the previous page

    @property
    def filters(self) -> SearchFilters:
        return SearchFilters(self.code_set, self.section_id)


@dataclass(frozen=True)
class Overview:
    """Figures for the status bar, the section tree and the category filter when nothing is typed."""

    code_counts: dict[str, dict[str, int]]
    section_counts: dict[int, int]
    sources: list[SourceInfo]
    data_version: int | None = None  # PRAGMA data_version when these figures were read

    @property
    def total_codes(self) -> int:
        return sum(c["codes"] for c in self.code_counts.values())


@dataclass
class Timed:
    """A worker answer with how long the database took, for the status bar and the benchmark."""

    value: object
    seconds: float = 0.0
    request: object = None


class StoreWorker(QObject):
    finished = Signal(str, int, object)  # kind, sequence number, Timed
    failed = Signal(str, int, str)  # kind, sequence number, message for the user
    _wake = Signal()

    def __init__(self, db_path: Path, opener: Callable[[Path], CodeStore] | None = None) -> None:
        super().__init__()
        self._db_path = db_path
        self._opener = opener or (lambda path: CodeStore.open(path, build=False))
        self._store: CodeStore | None = None
        self._userdata_conn: UserData | None = None
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[int, object]] = {}
        self._running: str | None = None
        self._stopped = False
        self._wake.connect(self._drain)

    # --- called from the UI thread -----------------------------------------------------------------

    def post(self, kind: str, seq: int, payload: object = None) -> None:
        with self._lock:
            idle = not self._pending
            self._pending[kind] = (seq, payload)
            if kind == "search":
                self._pending.pop("counts", None)  # counts of an older search are of no use any more
            if kind == "search" and self._running in ("search", "counts") and self._store is not None:
                self._store.conn.interrupt()
        if idle:
            self._wake.emit()  # queued: the receiver lives in the worker thread

    # --- in the worker thread ----------------------------------------------------------------------

    @Slot()
    def _drain(self) -> None:
        while True:
            with self._lock:
                kind = next((k for k in KIND_ORDER if k in self._pending), None)
                if kind is None or self._stopped:
                    return
                seq, payload = self._pending.pop(kind)
                self._running = kind
            try:
                started = time.perf_counter()
                value = self._run(kind, payload)
                self.finished.emit(kind, seq, Timed(value, time.perf_counter() - started, payload))
                if kind == "search":
                    with self._lock:  # counts only for a search nobody has typed past yet
                        if "search" not in self._pending and not self._stopped:
                            self._pending["counts"] = (seq, (value, payload))
            except CodeDeskError as exc:
                self.failed.emit(kind, seq, str(exc))
            except Exception as exc:
                if is_interrupt(exc):
                    # Interrupted for a newer search. If the interrupt hit another kind by a race, retry it.
                    with self._lock:
                        if kind not in self._pending and kind != "counts" and not self._stopped:
                            self._pending[kind] = (seq, payload)
                    continue
                if is_environment_problem(exc):  # locked, read-only, damaged: the person can act on it
                    log.warning("%s: database problem: %s", kind, exc)
                    self.failed.emit(kind, seq, f"database error: {exc}")
                else:  # a bug must not leave the window waiting for an answer forever; its trace goes to the log
                    log.exception("%s request failed", kind)
                    self.failed.emit(kind, seq, f"internal error ({type(exc).__name__}: {exc})")
            finally:
                with self._lock:
                    self._running = None

    def _open(self) -> CodeStore:
        if self._store is None:
            self._store = self._opener(self._db_path)
        return self._store

    def _run(self, kind: str, payload: object) -> object:
        store = self._open()
        if kind == "search":
            assert isinstance(payload, SearchRequest)
            return store.search(payload.query, payload.filters, payload.limit, after=payload.after)
        if kind == "counts":
            result, request = cast("tuple[SearchResult, SearchRequest]", payload)
            return store.engine.counts(result, request.filters)
        if kind == "detail":
            assert isinstance(payload, DetailRequest)
            return store.detail(payload.code, locality=payload.locality)
        if kind == "measure":
            assert isinstance(payload, str)
            return store.measure(payload)
        if kind == "localities":
            return store.localities()
        if kind == "overview":
            overview = Overview(store.code_counts(), store.section_counts(), store.sources(),
                                self._data_version(store))
            # Load the typo-correction vocabulary now, while the person is still reading the window, rather
            # than on the first misspelt keystroke.
            store.engine.correct_words(["warmup"])
            return overview
        if kind == "comparison":
            assert isinstance(payload, list)
            return store.comparison(payload)
        if kind == "refresh":
            store.refresh()
            return self._data_version(store)
        if kind == "data_version":
            return self._data_version(store)
        if kind == "working_set":
            assert isinstance(payload, Path)
            return read_snapshot(self._userdata(payload), store.summaries)
        if kind == "export":
            assert isinstance(payload, ExportRequest)
            return self._export(store, payload)
        if kind == "code_comparison":
            assert isinstance(payload, DetailsRequest)
            return compare_codes([store.detail(code, locality=payload.locality) for code in payload.codes])
        if kind == "ncci_check":
            assert isinstance(payload, ClaimCheckRequest)
            return ncci.check_claim(store.conn, ncci.parse_claim(payload.text), payload.on, payload.setting)
        if kind == "ncci_edits":
            assert isinstance(payload, CodeEditsRequest)
            page = ncci.code_edits(store.conn, payload.code, payload.setting, on=payload.on, offset=payload.offset)
            return CodeEdits(page, ncci.code_mues(store.conn, payload.code, payload.on), ncci.has_ncci_data(store.conn))
        if kind == "releases":
            return changes.releases(store.conn)
        if kind == "changes":
            assert isinstance(payload, ChangesRequest)
            return changes.compare(store.conn, payload.family, payload.old, payload.new, payload.code_set)
        raise ValueError(f"unknown request kind {kind!r}")

    def _userdata(self, path: Path) -> UserData:
        """The user data, through this thread's own connection (the UI thread keeps its own for writes)."""
        if self._userdata_conn is None or self._userdata_conn.path != path:
            if self._userdata_conn is not None:
                self._userdata_conn.close()
            self._userdata_conn = UserData(path)
        return self._userdata_conn

    @staticmethod
    def _data_version(store: CodeStore) -> int:
        """Changes whenever another connection (another process: codedesk-cli import) commits."""
        return int(store.conn.execute("PRAGMA data_version").fetchone()[0])

    def _export(self, store: CodeStore, request: ExportRequest) -> ExportDone:
        if request.what == "results":
            table = results_table(store, request.query, SearchFilters(request.code_set, request.section_id))
        else:
            assert request.userdata_path is not None
            userdata = UserData(request.userdata_path)  # its own connection, in this thread
            try:
                codes = [f.code for f in userdata.favourite_entries()]
                codes += [n.code for n in userdata.note_entries()] + [h.code for h in userdata.history_entries()]
                table = working_set_table(userdata, store.summaries(codes))
            finally:
                userdata.close()
        try:
            write_table(table, request.path)
        except OSError as exc:
            raise UserError(f"cannot write {request.path}: {exc.strerror or exc}") from exc
        return ExportDone(request.path, len(table.rows), table.total)

    def stop(self) -> None:
        """Forget waiting requests and interrupt the running one (called from the UI thread)."""
        with self._lock:
            self._stopped = True
            self._pending.clear()
            if self._running is not None and self._store is not None:
                self._store.conn.interrupt()

    @Slot()
    def close(self) -> None:
        if self._userdata_conn is not None:
            self._userdata_conn.close()
            self._userdata_conn = None
        if self._store is not None:
            self._store.close()
            self._store = None


class StoreService(QObject):
    """The UI's handle on the worker: numbered requests in, only the newest answers out."""

    search_ready = Signal(object, float)  # SearchResult (hits, no counts yet), seconds in the database
    counts_ready = Signal(object, object)  # the same SearchResult, dict[str, int] hits per code set
    detail_ready = Signal(object)  # CodeDetail
    measure_ready = Signal(object)  # MeasureDetail
    localities_ready = Signal(object)  # list[Locality]
    overview_ready = Signal(object)  # Overview
    comparison_ready = Signal(object)  # list[ComparisonRow]
    ncci_check_ready = Signal(object)  # ncci.CheckResult
    ncci_edits_ready = Signal(object)  # CodeEdits
    releases_ready = Signal(object)  # dict[str, list[changes.Release]]
    changes_ready = Signal(object)  # changes.ChangeReport
    working_set_ready = Signal(object)  # WorkingSetSnapshot: what the working-set panel lists
    code_comparison_ready = Signal(object)  # CodeComparison
    export_ready = Signal(object)  # ExportDone
    refreshed = Signal()
    changed_elsewhere = Signal()  # the database changed under us (another process imported or removed)
    failed = Signal(str, str)  # kind, message

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._seq = 0
        self.locality: str | None = None  # the payment locality chosen in the window (a GPCI key)
        self._latest: dict[str, int] = {}
        self._delivered: dict[str, int] = {}
        self.dropped = 0  # stale answers thrown away (the tests and the benchmark read it)
        # The worker runs Python too (building hits, correcting typos): make the interpreter switch threads
        # often enough that a busy worker never holds the UI thread back for more than a couple of ms.
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.002))
        self.data_version: int | None = None  # the database's version when the window last read it
        self._thread = QThread()
        self._thread.setObjectName("codedesk-store-worker")
        self._worker = StoreWorker(db_path)
        self._worker.moveToThread(self._thread)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._thread.start()

    def _post(self, kind: str, payload: object = None) -> int:
        self._seq += 1
        self._latest[kind] = self._seq
        self._worker.post(kind, self._seq, payload)
        return self._seq

    def search(self, request: SearchRequest) -> int:
        return self._post("search", request)

    def detail(self, code: str) -> int:
        return self._post("detail", DetailRequest(code, self.locality))

    def measure(self, measure_id: str) -> int:
        return self._post("measure", measure_id)

    def localities(self) -> int:
        return self._post("localities")

    def overview(self) -> int:
        return self._post("overview")

    def comparison(self, code_sets: list[str]) -> int:
        return self._post("comparison", list(code_sets))

    def check_claim(self, request: ClaimCheckRequest) -> int:
        return self._post("ncci_check", request)

    def code_edits(self, request: CodeEditsRequest) -> int:
        return self._post("ncci_edits", request)

    def releases(self) -> int:
        return self._post("releases")

    def changes(self, request: ChangesRequest) -> int:
        return self._post("changes", request)
    def working_set(self, userdata_path: Path) -> int:
        return self._post("working_set", userdata_path)

    def export(self, request: ExportRequest) -> int:
        return self._post("export", request)

    def code_comparison(self, codes: list[str]) -> int:
        return self._post("code_comparison", DetailsRequest(tuple(codes), self.locality))

    def poll_data_version(self) -> int:
        """Ask whether the database changed underneath (polled every second by the window)."""
        return self._post("data_version")

    def refresh(self) -> int:
        """After an import: the worker re-reads its catalog before any later request runs."""
        return self._post("refresh")

    def is_latest(self, kind: str, seq: int) -> bool:
        return self._latest.get(kind) == seq

    def settled(self, kind: str) -> bool:
        """True when the newest request of ``kind`` has been answered (or failed)."""
        return kind in self._latest and self._delivered.get(kind) == self._latest[kind]

    @Slot(str, int, object)
    def _on_finished(self, kind: str, seq: int, answer: Timed) -> None:
        if kind == "counts":  # belongs to the search with the same number
            if self.is_latest("search", seq):
                result, _request = cast("tuple[SearchResult, SearchRequest]", answer.request)
                self.counts_ready.emit(result, answer.value)
            else:
                self.dropped += 1
            return
        if not self.is_latest(kind, seq):
            self.dropped += 1
            return
        self._delivered[kind] = seq
        if kind == "search":
            assert isinstance(answer.value, SearchResult)
            self.search_ready.emit(answer.value, answer.seconds)
        elif kind == "detail":
            assert isinstance(answer.value, CodeDetail)
            self.detail_ready.emit(answer.value)
        elif kind == "measure":
            self.measure_ready.emit(answer.value)
        elif kind == "localities":
            self.localities_ready.emit(answer.value)
        elif kind == "overview":
            if self.data_version is None:  # the baseline: what the window first showed was read at this version
                self.data_version = cast(Overview, answer.value).data_version
            self.overview_ready.emit(answer.value)
        elif kind == "comparison":
            rows: list[ComparisonRow] = answer.value  # type: ignore[assignment]
            self.comparison_ready.emit(rows)
        elif kind == "ncci_check":
            self.ncci_check_ready.emit(answer.value)
        elif kind == "ncci_edits":
            self.ncci_edits_ready.emit(answer.value)
        elif kind == "releases":
            self.releases_ready.emit(answer.value)
        elif kind == "changes":
            self.changes_ready.emit(answer.value)
        elif kind == "working_set":
            self.working_set_ready.emit(answer.value)
        elif kind == "code_comparison":
            self.code_comparison_ready.emit(answer.value)
        elif kind == "export":
            self.export_ready.emit(answer.value)
        elif kind == "refresh":
            self.data_version = cast(int, answer.value)
            self.refreshed.emit()
        elif kind == "data_version":
            version = cast(int, answer.value)
            if self.data_version is None:
                self.data_version = version
            elif version != self.data_version:
                self.data_version = version
                self.changed_elsewhere.emit()

    @Slot(str, int, str)
    def _on_failed(self, kind: str, seq: int, message: str) -> None:
        if self.is_latest(kind, seq):
            self._delivered[kind] = seq
            self.failed.emit(kind, message)

    def shutdown(self) -> None:
        """Close the worker's connection in its own thread, then stop the thread."""
        if not self._thread.isRunning():
            return
        self._worker.stop()
        QMetaObject.invokeMethod(self._worker, "close", Qt.ConnectionType.BlockingQueuedConnection)
        self._thread.quit()
        self._thread.wait(5000)
