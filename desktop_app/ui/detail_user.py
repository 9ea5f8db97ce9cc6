"""The person's own part of the detail pane: the favourite star and the note on the shown code.

Neither reads the user database: the favourite state and the note come with the code's detail (the worker's
:class:`~desktop_app.ui.requests.DetailAnswer`). Both write through the worker (``ui/user_requests.py``) and
follow its answers: a star the file refused goes back and says why; a note the file refused stays in
:attr:`NoteEditor.unsaved`, is shown as not saved yet, and is tried again after 2 s, then twice as long each
time (at most 30 s), so a typed note is never dropped. At close the window posts every unsaved note once more;
what the file still refuses then is kept beside it by the worker and saved at the next start.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QToolButton, QVBoxLayout, QWidget

from desktop_app.core.userdata import DEFAULT_LIST, lists_in_order
from desktop_app.ui.requests import UserState
from desktop_app.ui.theme import muted_text, warning_text
from desktop_app.ui.user_requests import FavouriteSet, NoteSaved, SetFavouriteRequest, SetNoteRequest
from desktop_app.ui.worker import StoreService

NOTE_RETRY_FIRST_MS = 2000
NOTE_RETRY_MAX_MS = 30_000
NOTE_SAVE_DELAY_MS = 400  # after the last keystroke


class FavouriteButton(QToolButton):
    """The star. It acts on one list, and says which: the list chosen in the working set's Favourites tab
    ("Cardiology"), or the Favourites list when "All lists" is chosen (the start). It is filled when the code is
    in that list; Ctrl+D adds the code to that list or takes it out of that list only ("\u2605 In Cardiology",
    "\u2606 Add to Cardiology", "\u2606 Favourite" for a code in no list). A code is never taken out of a list
    the star does not name: un-starring from "All lists" once dropped it from every list, "Cardiology" included.

    Toggling posts the change to the worker; a change the file refuses goes back and says why, a change made
    is said (:attr:`done`), naming the list and any list the code stays in."""

    problem = Signal(str)  # a change the user data refused (the star went back)
    done = Signal(str)  # a change the user data made, in words (for the status bar)

    def __init__(self, service: StoreService | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._code: str | None = None
        self._lists: tuple[str, ...] = ()  # the lists the shown code is in
        self._before: tuple[str, ...] = ()  # ... before the last toggle (shown again if the file refuses it)
        self._context: str | None = None  # the list chosen in the Favourites tab (None: all lists)
        self.setObjectName("favouriteButton")
        self.setCheckable(True)
        self.setAccessibleName("Favourite")
        self.toggled.connect(self._on_toggled)
        if service is not None:
            service.on(FavouriteSet, self._on_answer)
        self.show_state(None, ())

    @property
    def context(self) -> str | None:
        return self._context

    @property
    def target(self) -> str:
        """The list the star adds to and takes out of."""
        return star_list(self._context)

    @property
    def lists(self) -> tuple[str, ...]:
        return self._lists

    def set_context(self, list_name: str | None) -> None:
        """The list chosen in the Favourites tab (None: "All lists")."""
        self._context = list_name
        self._sync()

    def show_state(self, code: str | None, lists: tuple[str, ...] | list[str]) -> None:
        """What the user data says for ``code``: the lists it is in (no write)."""
        self._code = code
        self._lists = tuple(lists)
        self._sync()

    def _on_toggled(self, on: bool) -> None:
        if self._code is None or self._service is None:
            return
        self._before = self._lists
        target = self.target
        if on:
            self._lists = tuple(lists_in_order((*self._lists, target)))
        else:
            self._lists = tuple(n for n in self._lists if n != target)
        self._service.post(SetFavouriteRequest(self._code, on, target, by_star=True))
        self._sync()

    def _on_answer(self, answer: FavouriteSet) -> None:
        if not answer.by_star:
            return
        if not answer.problem:
            if answer.code == self._code and answer.list_name is not None:
                self.done.emit(star_done_text(answer.code, answer.on, answer.list_name, self._lists))
            return
        if answer.code == self._code:
            self.show_state(self._code, self._before)  # refused: shown as it is, not as it was wished
        self.problem.emit(f"Could not change the favourite of {answer.code}: {answer.problem}")

    def _fit(self, name: str) -> str:
        width = self.fontMetrics().horizontalAdvance("Orthopaedics")  # the longest name shown in full
        return self.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, width)

    def _sync(self) -> None:
        self.blockSignals(True)
        self.setChecked(self.target in self._lists)
        self.blockSignals(False)
        self.setText(star_text(self._lists, self._context, self._fit))
        self.setToolTip(star_tooltip(self._code, self._lists, self._context))


def star_list(context: str | None) -> str:
    """The list the star acts on: the one chosen in the Favourites tab, or the Favourites list for "All lists"."""
    return context or DEFAULT_LIST


def star_text(lists: tuple[str, ...], context: str | None, fits: Callable[[str], str] = str) -> str:
    """The star's label: what it shows now, and so what Ctrl+D will undo or do. ``fits`` shortens a list name
    (the tooltip has it in full), so a long name does not widen the window."""
    target = star_list(context)
    if target in lists:
        return f"\u2605 In {fits(target)}"
    if context is None and not lists:
        return "\u2606 Favourite"
    return f"\u2606 Add to {fits(target)}"


def star_tooltip(code: str | None, lists: tuple[str, ...], context: str | None) -> str:
    """What Ctrl+D (or a click) will do, in full, and which other lists the code is in (the star leaves them);
    one line each, so the tip stays narrow."""
    if code is None:
        return "Keep the open code in your favourites (Ctrl+D)"
    target = star_list(context)
    others = [n for n in lists if n != target]
    lines = [f"Ctrl+D takes {code} out of the {target} list only." if target in lists
             else f"Ctrl+D adds {code} to the {target} list."]
    if others:
        lines.append(f"It is also in: {', '.join(others)} (the star leaves {'it' if len(others) == 1 else 'them'}).")
    lines.append("The star acts on the list chosen in the Favourites tab (with \u201cAll lists\u201d chosen: the "
                 f"{DEFAULT_LIST} list); Ctrl+Shift+D asks which list.")
    return "\n".join(lines)


def star_done_text(code: str, on: bool, list_name: str, lists: tuple[str, ...]) -> str:
    """The status line after the star changed a list: which list, and where the code still is."""
    if on:
        return f"{code} added to {list_name}."
    others = [n for n in lists if n != list_name]
    still = f"still in {', '.join(others)}" if others else "in no list now"
    return f"{code} taken out of {list_name} ({still})."


class NoteEditor(QWidget):
    """The note field with its status line. Saved as the person types (after a pause) and when another code is
    shown; what is not confirmed written yet stays in :attr:`unsaved`."""

    def __init__(self, service: StoreService | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._code: str | None = None
        self._stored: str | None = None  # the shown code's note as the file holds it (None: unknown)
        self._edited = False  # typed into since it was shown
        self._note_problem = ""  # why the notes in ``unsaved`` are not in yet (kept under any other message)
        # Notes not confirmed written (waiting for the worker, or refused and waiting to be tried again).
        self.unsaved: dict[str, str] = {}
        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.timeout.connect(self.retry_unsaved)
        self.retry_interval_ms = NOTE_RETRY_FIRST_MS

        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("noteEdit")
        self.edit.setAccessibleName("Your note on this code")
        self.edit.setPlaceholderText("Your note on this code (saved as you type, kept in your user data)")
        # Tab moves on, as everywhere else in the window: taken as a character, it trapped keyboard users in the
        # note and wrote tabs into their saved note as they tabbed through the window (a review: 12 of them).
        self.edit.setTabChangesFocus(True)
        # Two lines at least; below that the field gives way, so a status line under it is read in full.
        self.edit.setMinimumHeight(self.edit.fontMetrics().lineSpacing() * 2 + 12)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(NOTE_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save)
        self.edit.textChanged.connect(self._on_typed)
        label = QLabel("Note", self)
        label.setBuddy(self.edit)
        self.status = QLabel(self)
        self.status.setObjectName("noteStatus")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Note status")
        self.status.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.edit)
        layout.addWidget(self.status)
        if service is not None:
            service.on(NoteSaved, self._on_saved)

    def show_note(self, code: str | None, user: UserState | None) -> None:
        """The note of ``code`` (a note not saved yet wins over the stored one); None: no code shown."""
        self._code = code
        self._stored = user.note if user is not None and not user.problem else None
        self._edited = False
        text = self.unsaved.get(code, self._stored or "") if code is not None else ""
        self.edit.blockSignals(True)
        self.edit.setPlainText(text)
        self.edit.blockSignals(False)
        if user is None:
            return
        if user.problem:
            self.show_problem(f"Could not read your note and favourite for {code}: {user.problem}")
        elif not self.unsaved:
            self.status.hide()  # an earlier problem is over

    def follow_stored(self, code: str, text: str) -> None:
        """The file's note on ``code`` as read for the working set: shown when it changed outside this field (a
        working-set import, a note deleted in the Notes list), so that typing on does not overwrite it; text not
        written yet is kept instead."""
        if code != self._code or code in self.unsaved or self._save_timer.isActive():
            return
        self._stored = text
        self._edited = False
        if self.edit.toPlainText() != text:
            self.edit.blockSignals(True)
            self.edit.setPlainText(text)
            self.edit.blockSignals(False)

    def _on_typed(self) -> None:
        self._edited = True
        self._save_timer.start()

    def save(self) -> None:
        """Write the shown note if it changed (asynchronously: :attr:`unsaved` holds it until confirmed)."""
        self._save_timer.stop()
        if self._code is None or self._service is None or not self._edited:
            return
        code, text = self._code, self.edit.toPlainText()
        if code not in self.unsaved and text == self._stored:
            return
        self.unsaved[code] = text
        self._service.post(SetNoteRequest(code, text))

    def retry_unsaved(self) -> None:
        """Ask again for every note still waiting (the answers say which are in)."""
        self._retry_timer.stop()
        if self._service is None:
            return
        for code, text in list(self.unsaved.items()):
            self._service.post(SetNoteRequest(code, text))

    def save_all_before_close(self) -> None:
        """The window closes: the shown note and every note still waiting go to the worker, which finishes
        them before it stops (and keeps what the file refuses for the next start)."""
        self.save()
        self.retry_unsaved()

    def _on_saved(self, answer: NoteSaved) -> None:
        if answer.code == self._code and not answer.problem:
            self._stored = answer.text
        if not answer.problem:
            if self.unsaved.get(answer.code) == answer.text:  # not typed on since: it is in
                del self.unsaved[answer.code]
            if not self.unsaved:
                self.retry_interval_ms = NOTE_RETRY_FIRST_MS
                self._retry_timer.stop()
                if self.status.isVisible():
                    self.show_status("Your notes are saved.", problem=False)
                    QTimer.singleShot(4000, self._hide_saved_status)
            return
        if answer.code not in self.unsaved:
            return  # a newer text of this note was saved since
        codes = ", ".join(sorted(self.unsaved))
        self._note_problem = (
            f"Not saved yet: your note on {codes} \u2014 {answer.problem}. CodeDesk keeps the note and tries again "
            f"in {max(self.retry_interval_ms // 1000, 1)} s.")
        self.show_problem(self._note_problem)
        if not self._retry_timer.isActive():
            self._retry_timer.start(self.retry_interval_ms)
            self.retry_interval_ms = min(self.retry_interval_ms * 2, NOTE_RETRY_MAX_MS)

    def _hide_saved_status(self) -> None:
        if not self.unsaved:
            self.status.hide()

    def show_problem(self, text: str) -> None:
        """Say what went wrong; a note still not saved stays said too (another problem must not hide it)."""
        if self.unsaved and self._note_problem and text != self._note_problem:
            text = f"{text}\n{self._note_problem}"
        self.show_status(text, problem=True)

    def show_status(self, text: str, *, problem: bool) -> None:
        colour = warning_text(self.palette()).name() if problem else muted_text(self.palette()).name()
        self.status.setStyleSheet(f"color: {colour};")
        self.status.setText(text)
        # The splitter does not ask a word-wrapped label for its height: give it what its lines need, so the
        # note field gives way rather than the message being cut.
        self.status.setMinimumHeight(self.status.heightForWidth(max(self.width(), 200)))
        self.status.show()
