"""What the window writes to the person's own database (favourites in named lists, notes, history), one frozen
request class per change, each with its handler and its typed answer.

Reads come with the answers that need them (a code's favourite star and note with its :class:`DetailRequest`,
the lists with the :class:`WorkingSetRequest`); this module holds the writes. They are ``ordered``: the worker
never coalesces or drops them, runs them in the order posted and before any waiting read, and still runs the
waiting ones when the window closes (``StoreWorker.close``). A write the file refuses (locked, damaged, disk
full, a bad list name) is not an exception: its answer says why (``problem``), so the window can tell the
person and keep what they typed. A note refused while the window is closing is kept beside the user data file
(:func:`~desktop_app.core.userdata.keep_unsaved_notes`) and saved at the next start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, TypeVar

from desktop_app.core.errors import CodeDeskError, is_environment_problem
from desktop_app.core.userdata import keep_unsaved_notes
from desktop_app.core.working_set import MergeSummary, import_working_set, write_working_set
from desktop_app.ui.requests import Answer, Request, RequestKind, WorkerContext, user_data

_T = TypeVar("_T")


def refusal(write: Callable[[], _T]) -> tuple[_T | None, str]:
    """Run ``write``; what the person can act on comes back as text, a bug still raises (and is logged)."""
    try:
        return write(), ""
    except (CodeDeskError, ValueError) as exc:
        return None, str(exc)
    except OSError as exc:
        return None, str(exc.strerror or exc)
    except Exception as exc:
        if is_environment_problem(exc):  # a raw SQLite error from a core function that does not wrap its own
            return None, f"your notes and favourites file could not be used ({exc})"
        raise


class UserWrite(Request):
    """A change to the user's own database: ordered, never dropped (see the module docstring)."""

    priority: ClassVar[int] = -1  # before every waiting read, so the next read sees it
    ordered: ClassVar[bool] = True
    retry_on_interrupt: ClassVar[bool] = False


# --- notes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteSaved(Answer):
    code: str
    text: str
    problem: str = ""  # empty: the text is in the file
    kept_in: Path | None = None  # refused while the window closed: kept in this file for the next start


@dataclass(frozen=True)
class SetNoteRequest(UserWrite):
    """Save (or, when empty, delete) the note on a code."""

    kind: ClassVar[RequestKind] = RequestKind.SET_NOTE

    code: str
    text: str

    def run(self, context: WorkerContext) -> NoteSaved:
        _, problem = refusal(lambda: user_data(context).set_note(self.code, self.text))
        if not problem or not context.stopping or context.user is None:
            return NoteSaved(self.code, self.text, problem)
        kept, _ = refusal(lambda: keep_unsaved_notes(user_data(context).path, {self.code: self.text}))
        return NoteSaved(self.code, self.text, problem, kept)


# --- history -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewRecorded(Answer):
    code: str
    problem: str = ""


@dataclass(frozen=True)
class RecordViewRequest(UserWrite):
    """A code the selection passed over stayed shown long enough, or was used: it joins the history (a code
    opened outright is recorded with its :class:`~desktop_app.ui.requests.DetailRequest`)."""

    kind: ClassVar[RequestKind] = RequestKind.RECORD_VIEW

    code: str

    def run(self, context: WorkerContext) -> ViewRecorded:
        return ViewRecorded(self.code, refusal(lambda: user_data(context).record_view(self.code))[1])


# --- favourites and lists -------------------------------------------------------------------------


@dataclass(frozen=True)
class FavouriteSet(Answer):
    code: str
    on: bool
    list_name: str | None
    problem: str = ""
    by_star: bool = False  # asked by the detail pane's star (which tells its own refusals)


@dataclass(frozen=True)
class SetFavouriteRequest(UserWrite):
    """Put a code in a list (default: Favourites), or take it out of one list (or of all when None)."""

    kind: ClassVar[RequestKind] = RequestKind.SET_FAVOURITE

    code: str
    on: bool
    list_name: str | None = None
    by_star: bool = False

    def run(self, context: WorkerContext) -> FavouriteSet:
        _, problem = refusal(lambda: user_data(context).set_favourite(self.code, self.on, self.list_name))
        return FavouriteSet(self.code, self.on, self.list_name, problem, self.by_star)


@dataclass(frozen=True)
class EntriesRemoved(Answer):
    request: RemoveEntriesRequest
    problem: str = ""


@dataclass(frozen=True)
class RemoveEntriesRequest(UserWrite):
    """The working set's Delete key: codes out of a favourite list (each out of its own in ``lists``; all lists
    when neither is given), the history or the notes, in one answer."""

    kind: ClassVar[RequestKind] = RequestKind.REMOVE_ENTRIES
    PAGES: ClassVar[frozenset[str]] = frozenset({"favourites", "history", "notes"})

    page: str  # one of PAGES
    codes: tuple[str, ...]
    list_name: str | None = None
    lists: tuple[str, ...] = ()  # favourites: the list of each code (rows of the All lists view), over list_name

    def run(self, context: WorkerContext) -> EntriesRemoved:
        assert self.page in self.PAGES, self.page

        def remove() -> None:
            user = user_data(context)
            for index, code in enumerate(self.codes):
                if self.page == "favourites":
                    user.set_favourite(code, False, self.lists[index] if self.lists else self.list_name)
                elif self.page == "history":
                    user.remove_history(code)
                else:
                    user.set_note(code, "")

        return EntriesRemoved(self, refusal(remove)[1])


@dataclass(frozen=True)
class ListChanged(Answer):
    name: str | None  # the list as it is now called (None: deleted, or refused)
    problem: str = ""


@dataclass(frozen=True)
class CreateListRequest(UserWrite):
    kind: ClassVar[RequestKind] = RequestKind.CREATE_LIST

    name: str

    def run(self, context: WorkerContext) -> ListChanged:
        return ListChanged(*refusal(lambda: user_data(context).create_list(self.name)))


@dataclass(frozen=True)
class RenameListRequest(UserWrite):
    kind: ClassVar[RequestKind] = RequestKind.RENAME_LIST

    old: str
    new: str

    def run(self, context: WorkerContext) -> ListChanged:
        return ListChanged(*refusal(lambda: user_data(context).rename_list(self.old, self.new)))


@dataclass(frozen=True)
class DeleteListRequest(UserWrite):
    kind: ClassVar[RequestKind] = RequestKind.DELETE_LIST

    name: str

    def run(self, context: WorkerContext) -> ListChanged:
        _, problem = refusal(lambda: user_data(context).delete_list(self.name))
        return ListChanged(None, problem)


# --- carrying the working set as CSV --------------------------------------------------------------


@dataclass(frozen=True)
class WorkingSetImported(Answer):
    path: Path
    summary: MergeSummary | None
    problem: str = ""


@dataclass(frozen=True)
class ImportWorkingSetRequest(UserWrite):
    """Merge a working-set CSV into the user data, in one transaction (nothing is added when it is refused)."""

    kind: ClassVar[RequestKind] = RequestKind.IMPORT_WORKING_SET

    path: Path

    def run(self, context: WorkerContext) -> WorkingSetImported:
        return WorkingSetImported(self.path, *refusal(lambda: import_working_set(user_data(context), self.path)))


@dataclass(frozen=True)
class WorkingSetWritten(Answer):
    path: Path
    rows: int | None
    problem: str = ""


@dataclass(frozen=True)
class WriteWorkingSetRequest(UserWrite):
    """The working set to a CSV file (ordered like the writes, so it holds every change made before it)."""

    kind: ClassVar[RequestKind] = RequestKind.WRITE_WORKING_SET

    path: Path

    def run(self, context: WorkerContext) -> WorkingSetWritten:
        return WorkingSetWritten(self.path, *refusal(lambda: write_working_set(user_data(context), self.path)))
