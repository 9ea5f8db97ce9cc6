"""What the window asks of the database, one frozen class per kind, each with its own handler and answer.

A request's :meth:`Request.run` executes in the worker thread (``ui/worker.py``) against that thread's own
connections (:class:`WorkerContext`) and returns the request's typed answer. The window subscribes to an answer
type with ``StoreService.on(AnswerType, slot)``. Adding a kind of request is one request class here (its
``kind``, ``priority``, handler and answer) and one ``on(...)`` connection where the answer is shown.

Class attributes say how the worker schedules a kind:

* ``priority``: when several kinds wait at once, lower runs first (what the person looks at goes first;
  ``refresh`` precedes everything so nothing runs against a stale catalog after an import).
* ``interrupts``: kinds whose running request this one interrupts (a newer search stops an older one).
* ``supersedes``: waiting kinds this one removes (the counts of an older search are of no use any more).
* ``numbered_as``: the kind whose sequence number this request shares; its answer is dropped unless that kind's
  newest request is the one it belongs to (the counts belong to their search).
* ``retry_on_interrupt``: put back in the queue when a newer search's interrupt hit it by a race.
* ``waits_until_shown``: a follow-up that runs only once the window has painted its request's answer
  (``StoreService.answer_shown``), so it never competes with that paint for the interpreter.
* ``ordered``: a write to the user's own database (``ui/user_requests.py``): never coalesced, never dropped as
  stale, run in the order posted and before any waiting read (so what is read next sees it), and still run when
  the window closes.

Over 500 lines on purpose: one small class per kind, with its handler beside it, is the point of this module; a
reader adding a kind sees every other kind's scheduling in one place.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar, Protocol

from desktop_app.core import changes, ncci
from desktop_app.core.catalog import Catalog
from desktop_app.core.code_compare import CodeComparison, compare_codes
from desktop_app.core.details import CodeDetail
from desktop_app.core.enums import StrEnum
from desktop_app.core.errors import CodeDeskError, UserError
from desktop_app.core.export import code_facts, results_table, working_set_table, write_table
from desktop_app.core.fee_schedule import Locality
from desktop_app.core.kinds import NcciSetting
from desktop_app.core.measures import MeasureDetail
from desktop_app.core.search import SearchFilters, SearchResult
from desktop_app.core.store import CodeStore, ComparisonRow, SourceInfo
from desktop_app.core.userdata import UserData
from desktop_app.core.working_set import WorkingSetSnapshot, read_snapshot


class RequestKind(StrEnum):
    """What a request asks for; the worker keeps one waiting request, and one latest number, per kind."""

    REFRESH = "refresh"
    DATA_VERSION = "data_version"
    SEARCH = "search"
    COUNTS = "counts"
    DETAIL = "detail"
    MEASURE = "measure"
    LOCALITIES = "localities"
    OVERVIEW = "overview"
    SOURCES = "sources"
    COMPARISON = "comparison"
    NCCI_CHECK = "ncci_check"
    NCCI_EDITS = "ncci_edits"
    RELEASES = "releases"
    CHANGES = "changes"
    WORKING_SET = "working_set"
    CODE_COMPARISON = "code_comparison"
    EXPORT = "export"
    # writes to the user's own data (ui/user_requests.py): queued in order, never dropped as stale
    SET_NOTE = "set_note"
    RECORD_VIEW = "record_view"
    SET_FAVOURITE = "set_favourite"
    REMOVE_ENTRIES = "remove_entries"
    CREATE_LIST = "create_list"
    RENAME_LIST = "rename_list"
    DELETE_LIST = "delete_list"
    IMPORT_WORKING_SET = "import_working_set"
    WRITE_WORKING_SET = "write_working_set"

    @property
    def words(self) -> str:
        """What the request does, as the status bar says it: "Could not check the codes together: …"."""
        return _REQUEST_WORDS[self]


_REQUEST_WORDS = {
    RequestKind.REFRESH: "re-read the database",
    RequestKind.DATA_VERSION: "see whether the database changed",
    RequestKind.SEARCH: "search",
    RequestKind.COUNTS: "count the results",
    RequestKind.DETAIL: "open the code",
    RequestKind.MEASURE: "open the measure",
    RequestKind.LOCALITIES: "read the payment localities",
    RequestKind.OVERVIEW: "read what the database holds",
    RequestKind.SOURCES: "list the imported files",
    RequestKind.COMPARISON: "compare the categories",
    RequestKind.NCCI_CHECK: "check the codes together",
    RequestKind.NCCI_EDITS: "read the code's NCCI edits",
    RequestKind.RELEASES: "list the releases",
    RequestKind.CHANGES: "list the changes between releases",
    RequestKind.WORKING_SET: "read your working set",
    RequestKind.CODE_COMPARISON: "compare the codes",
    RequestKind.EXPORT: "export",
    RequestKind.SET_NOTE: "save your note",
    RequestKind.RECORD_VIEW: "record the code in your history",
    RequestKind.SET_FAVOURITE: "change the favourite",
    RequestKind.REMOVE_ENTRIES: "remove the entries",
    RequestKind.CREATE_LIST: "create the list",
    RequestKind.RENAME_LIST: "rename the list",
    RequestKind.DELETE_LIST: "delete the list",
    RequestKind.IMPORT_WORKING_SET: "import the working set",
    RequestKind.WRITE_WORKING_SET: "write the working set",
}


class WorkerContext(Protocol):
    """The worker thread's connections: the reference database (its own, opened on first use) and the user's
    own database (handed over by the window, used only in the worker thread from then on)."""

    @property
    def store(self) -> CodeStore: ...

    @property
    def user(self) -> UserData | None: ...  # None: favourites and notes are off for this session

    @property
    def stopping(self) -> bool: ...  # the window is closing: writes still run, nothing else does


class Answer:
    """Base of every typed answer (the service routes answers to their subscribers by type)."""


class Request(ABC):
    kind: ClassVar[RequestKind]
    priority: ClassVar[int]
    interrupts: ClassVar[frozenset[str]] = frozenset()
    supersedes: ClassVar[frozenset[str]] = frozenset()
    numbered_as: ClassVar[str | None] = None
    retry_on_interrupt: ClassVar[bool] = True
    waits_until_shown: ClassVar[bool] = False
    ordered: ClassVar[bool] = False

    @abstractmethod
    def run(self, context: WorkerContext) -> Answer:
        """Do the work, in the worker thread."""

    def follow_up(self, answer: Answer) -> Request | None:
        """A request to queue after this one's answer (with the same number), if nothing newer is waiting."""
        return None


def data_version(store: CodeStore) -> int:
    """Changes whenever another connection (another process: codedesk-cli import) commits."""
    return int(store.conn.execute("PRAGMA data_version").fetchone()[0])


# --- refresh, data version -------------------------------------------------------------------------


@dataclass(frozen=True)
class Refreshed(Answer):
    data_version: int
    catalog: Catalog  # re-read in the worker: the window takes it instead of reading the database itself


@dataclass(frozen=True)
class RefreshRequest(Request):
    """After an import: the worker re-reads its catalog before any later request runs."""

    kind: ClassVar[RequestKind] = RequestKind.REFRESH
    priority: ClassVar[int] = 0

    def run(self, context: WorkerContext) -> Refreshed:
        context.store.refresh()
        return Refreshed(data_version(context.store), context.store.catalog)


@dataclass(frozen=True)
class DataVersion(Answer):
    version: int


@dataclass(frozen=True)
class DataVersionRequest(Request):
    """Has the database changed underneath (polled every second by the window)?"""

    kind: ClassVar[RequestKind] = RequestKind.DATA_VERSION
    priority: ClassVar[int] = 15

    def run(self, context: WorkerContext) -> DataVersion:
        return DataVersion(data_version(context.store))


# --- search and its counts -------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchAnswer(Answer):
    """The hits, without the per-category counts (a :class:`CountsAnswer` follows)."""

    request: SearchRequest
    result: SearchResult
    seconds: float  # time in the database, for the status bar and the benchmark


@dataclass(frozen=True)
class CountsAnswer(Answer):
    """Hits per code set for a search: the second half of its answer, for the category buttons."""

    request: SearchRequest
    result: SearchResult  # the search they belong to (its ``counts_stopped`` says they were cut)
    counts: dict[str, int]


@dataclass(frozen=True)
class SearchRequest(Request):
    kind: ClassVar[RequestKind] = RequestKind.SEARCH
    priority: ClassVar[int] = 1
    interrupts: ClassVar[frozenset[str]] = frozenset({RequestKind.SEARCH, RequestKind.COUNTS})
    supersedes: ClassVar[frozenset[str]] = frozenset({RequestKind.COUNTS})

    query: str
    code_set: str | None = None
    section_id: int | None = None
    limit: int = 200
    after: str = ""  # browsing a category or section: the last code of the previous page

    @property
    def filters(self) -> SearchFilters:
        return SearchFilters(self.code_set, self.section_id)

    def run(self, context: WorkerContext) -> SearchAnswer:
        started = time.perf_counter()
        result = context.store.search(self.query, self.filters, self.limit, after=self.after)
        return SearchAnswer(self, result, time.perf_counter() - started)

    def follow_up(self, answer: Answer) -> Request | None:
        assert isinstance(answer, SearchAnswer)
        return CountsRequest(self, answer.result)


@dataclass(frozen=True)
class CountsRequest(Request):
    kind: ClassVar[RequestKind] = RequestKind.COUNTS
    priority: ClassVar[int] = 4
    numbered_as: ClassVar[str | None] = RequestKind.SEARCH
    retry_on_interrupt: ClassVar[bool] = False  # only ever interrupted by a newer search
    waits_until_shown: ClassVar[bool] = True  # the buttons' numbers can wait for the list to be painted

    search: SearchRequest
    result: SearchResult = field(compare=False)

    def run(self, context: WorkerContext) -> CountsAnswer:
        return CountsAnswer(self.search, self.result, context.store.engine.counts(self.result, self.search.filters))


# --- a code, a measure, localities -----------------------------------------------------------------


@dataclass(frozen=True)
class UserState:
    """The user's own data on one code, read with its detail so showing a code is one round trip."""

    favourite: bool = False
    note: str = ""
    lists: tuple[str, ...] = ()  # the favourite lists the code is in (the star says which)
    problem: str = ""  # the user database could not be read (favourite and note unknown)
    history_problem: str = ""  # the view could not be recorded in the history (the code still shows)


def read_user_state(user: UserData, code: str, record_view: bool) -> UserState:
    """Favourite and note of ``code`` (and the view recorded): a refusal is told, never raised, so the detail
    itself is still shown."""
    try:
        lists, note = tuple(user.lists_of(code)), user.note(code)
    except CodeDeskError as exc:
        return UserState(problem=str(exc))
    history_problem = ""
    if record_view:
        try:
            user.record_view(code)
        except CodeDeskError as exc:  # history is a convenience: the code still shows
            history_problem = str(exc)
    return UserState(bool(lists), note, lists, history_problem=history_problem)


@dataclass(frozen=True)
class DetailAnswer(Answer):
    detail: CodeDetail
    user: UserState | None = None  # None: favourites and notes are off for this session


@dataclass(frozen=True)
class DetailRequest(Request):
    kind: ClassVar[RequestKind] = RequestKind.DETAIL
    priority: ClassVar[int] = 2

    code: str
    locality: str | None = None  # a GPCI locality key ('13202-01'): payment amounts for it too
    record_view: bool = False  # the person opened it: it joins the history (not on a refresh or a new locality)

    def run(self, context: WorkerContext) -> DetailAnswer:
        detail = context.store.detail(self.code, locality=self.locality)
        user = context.user
        if user is None:
            return DetailAnswer(detail)
        return DetailAnswer(detail, read_user_state(user, self.code, self.record_view))


@dataclass(frozen=True)
class MeasureAnswer(Answer):
    measure: MeasureDetail


@dataclass(frozen=True)
class MeasureRequest(Request):
    kind: ClassVar[RequestKind] = RequestKind.MEASURE
    priority: ClassVar[int] = 3

    measure_id: str

    def run(self, context: WorkerContext) -> MeasureAnswer:
        return MeasureAnswer(context.store.measure(self.measure_id))


@dataclass(frozen=True)
class LocalitiesAnswer(Answer):
    localities: list[Locality]


@dataclass(frozen=True)
class LocalitiesRequest(Request):
    kind: ClassVar[RequestKind] = RequestKind.LOCALITIES
    priority: ClassVar[int] = 7

    def run(self, context: WorkerContext) -> LocalitiesAnswer:
        return LocalitiesAnswer(context.store.localities())


# --- overview, comparison of categories ------------------------------------------------------------


@dataclass(frozen=True)
class Overview(Answer):
    """Figures for the status bar, the section tree and the category filter when nothing is typed."""

    code_counts: dict[str, dict[str, int]]
    section_counts: dict[int, int]
    sources: list[SourceInfo]
    data_version: int | None = None  # PRAGMA data_version when these figures were read

    @property
    def total_codes(self) -> int:
        return sum(c["codes"] for c in self.code_counts.values())


@dataclass(frozen=True)
class OverviewRequest(Request):
    kind: ClassVar[RequestKind] = RequestKind.OVERVIEW
    priority: ClassVar[int] = 5

    def run(self, context: WorkerContext) -> Overview:
        store = context.store
        overview = Overview(store.code_counts(), store.section_counts(), store.sources(), data_version(store))
        # Load the typo-correction vocabulary now, while the person is still reading the window, rather
        # than on the first misspelt keystroke.
        store.engine.correct_words(["warmup"])
        return overview


@dataclass(frozen=True)
class SourcesAnswer(Answer):
    sources: list[SourceInfo]


@dataclass(frozen=True)
class SourcesRequest(Request):
    """What the database holds, one source a row (the Data Sources dialog)."""

    kind: ClassVar[RequestKind] = RequestKind.SOURCES
    priority: ClassVar[int] = 5

    def run(self, context: WorkerContext) -> SourcesAnswer:
        return SourcesAnswer(context.store.sources())


@dataclass(frozen=True)
class ComparisonAnswer(Answer):
    code_sets: tuple[str, ...]
    rows: list[ComparisonRow]


@dataclass(frozen=True)
class ComparisonRequest(Request):
    kind: ClassVar[RequestKind] = RequestKind.COMPARISON
    priority: ClassVar[int] = 6

    code_sets: tuple[str, ...]

    def run(self, context: WorkerContext) -> ComparisonAnswer:
        return ComparisonAnswer(self.code_sets, context.store.comparison(list(self.code_sets)))


# --- NCCI ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimCheckAnswer(Answer):
    result: ncci.CheckResult


@dataclass(frozen=True)
class ClaimCheckRequest(Request):
    """The claim check panel: the typed claim lines, the date of service and the NCCI setting."""

    kind: ClassVar[RequestKind] = RequestKind.NCCI_CHECK
    priority: ClassVar[int] = 8

    text: str
    on: date
    setting: str = NcciSetting.PRACTITIONER

    def run(self, context: WorkerContext) -> ClaimCheckAnswer:
        conn = context.store.conn
        return ClaimCheckAnswer(ncci.check_claim(conn, ncci.parse_claim(self.text), self.on, self.setting))


@dataclass(frozen=True)
class CodeEdits(Answer):
    page: ncci.CodeEditPage
    mues: list[ncci.CodeMue]
    has_ncci: bool


@dataclass(frozen=True)
class CodeEditsRequest(Request):
    """One page of a code's NCCI edits (both directions) and its MUEs, for the detail pane."""

    kind: ClassVar[RequestKind] = RequestKind.NCCI_EDITS
    priority: ClassVar[int] = 9

    code: str
    setting: str = NcciSetting.PRACTITIONER
    offset: int = 0
    on: date | None = None

    def run(self, context: WorkerContext) -> CodeEdits:
        conn = context.store.conn
        page = ncci.code_edits(conn, self.code, self.setting, on=self.on, offset=self.offset)
        return CodeEdits(page, ncci.code_mues(conn, self.code, self.on), ncci.has_ncci_data(conn))


# --- what changed ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleasesAnswer(Answer):
    releases: dict[str, list[changes.Release]]
    sections: tuple[tuple[str, int], ...] = ()  # (name, depth) of sections a name picks alone, in catalog order


@dataclass(frozen=True)
class ReleasesRequest(Request):
    kind: ClassVar[RequestKind] = RequestKind.RELEASES
    priority: ClassVar[int] = 10

    def run(self, context: WorkerContext) -> ReleasesAnswer:
        return ReleasesAnswer(changes.releases(context.store.conn), changes.section_choices(context.store.catalog))


@dataclass(frozen=True)
class ChangesAnswer(Answer):
    report: changes.ChangeReport


@dataclass(frozen=True)
class ChangesRequest(Request):
    """What changed between two releases of a family (None: the defaults of core.changes.choose)."""

    kind: ClassVar[RequestKind] = RequestKind.CHANGES
    priority: ClassVar[int] = 11

    family: str | None = None
    old: str | None = None
    new: str | None = None
    code_set: str | None = None
    section: str | None = None  # a section's name (with its subsections), as core.changes.compare takes it

    def run(self, context: WorkerContext) -> ChangesAnswer:
        return ChangesAnswer(changes.compare(context.store.conn, self.family, self.old, self.new, self.code_set,
                                             self.section))


# --- working set, compare codes, export ------------------------------------------------------------


@dataclass(frozen=True)
class WorkingSetAnswer(Answer):
    snapshot: WorkingSetSnapshot  # what the working-set panel lists


@dataclass(frozen=True)
class WorkingSetRequest(Request):
    kind: ClassVar[RequestKind] = RequestKind.WORKING_SET
    priority: ClassVar[int] = 12

    def run(self, context: WorkerContext) -> WorkingSetAnswer:
        return WorkingSetAnswer(read_snapshot(user_data(context), context.store.summaries))


def user_data(context: WorkerContext) -> UserData:
    """The user database, or the reason there is none (shown to the person)."""
    if context.user is None:
        raise UserError("favourites and notes are off for this session (the user data file could not be opened)")
    return context.user


@dataclass(frozen=True)
class CodeComparisonAnswer(Answer):
    comparison: CodeComparison


@dataclass(frozen=True)
class CodeComparisonRequest(Request):
    kind: ClassVar[RequestKind] = RequestKind.CODE_COMPARISON
    priority: ClassVar[int] = 13

    codes: tuple[str, ...]
    locality: str | None = None

    def run(self, context: WorkerContext) -> CodeComparisonAnswer:
        store = context.store
        return CodeComparisonAnswer(compare_codes([store.detail(code, locality=self.locality) for code in self.codes]))


@dataclass(frozen=True)
class ExportDone(Answer):
    path: Path
    rows: int
    total: int


@dataclass(frozen=True)
class ExportRequest(Request):
    """Write a table to ``path`` (.xlsx or .csv): the search's matches, or the working set."""

    kind: ClassVar[RequestKind] = RequestKind.EXPORT
    priority: ClassVar[int] = 14

    what: str  # 'results' or 'working_set'
    path: Path
    query: str = ""
    code_set: str | None = None
    section_id: int | None = None

    def run(self, context: WorkerContext) -> ExportDone:
        store = context.store
        if self.what == "results":
            table = results_table(store, self.query, SearchFilters(self.code_set, self.section_id))
        else:
            userdata = user_data(context)
            codes = [f.code for f in userdata.favourite_entries()]
            codes += [n.code for n in userdata.note_entries()] + [h.code for h in userdata.history_entries()]
            ours = {code: facts.summary for code, facts in code_facts(store.conn, list(dict.fromkeys(codes))).items()}
            table = working_set_table(userdata, store.summaries(codes), ours)
        try:
            write_table(table, self.path)
        except OSError as exc:
            raise UserError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        return ExportDone(self.path, len(table.rows), table.total)
