"""The detail pane: everything the store knows about one code, each descriptor labelled by its source, with the
person's favourite star and note (``detail_user.py``). The rich text is drawn by ``detail_html.py``."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QUrl, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMenu,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.details import CodeDetail
from desktop_app.core.errors import printable
from desktop_app.core.measures import MeasureDetail
from desktop_app.ui.detail_html import NOT_IN_DATABASE_HINT as NOT_IN_DATABASE_HINT
from desktop_app.ui.detail_html import OUR_SUMMARY_LABEL as OUR_SUMMARY_LABEL
from desktop_app.ui.detail_html import detail_html, measure_html
from desktop_app.ui.detail_user import NOTE_RETRY_FIRST_MS as NOTE_RETRY_FIRST_MS
from desktop_app.ui.detail_user import NOTE_RETRY_MAX_MS as NOTE_RETRY_MAX_MS
from desktop_app.ui.detail_user import FavouriteButton, NoteEditor
from desktop_app.ui.links import LinkKind, parse_link
from desktop_app.ui.requests import UserState
from desktop_app.ui.theme import muted_text, warning_text
from desktop_app.ui.worker import StoreService


class DetailPane(QWidget):
    """Toolbar (back, forward, copy, favourite), the rich-text detail, and a note field."""

    code_link_activated = Signal(str)
    section_link_activated = Signal(int)
    measure_link_activated = Signal(str)
    locality_requested = Signal()

    def __init__(
        self, back: QAction, forward: QAction, service: StoreService | None, parent: QWidget | None = None
    ) -> None:
        """``service``: the worker that reads and writes the person's favourites and notes (None, or a service
        without user data: they are off)."""
        super().__init__(parent)
        self.setObjectName("detailPane")
        self.setAccessibleName("Code detail")
        self._detail: CodeDetail | None = None
        self._measure: MeasureDetail | None = None
        # Imported (not bundled) sources, told by the window's overview: an unknown code's advice depends on it.
        self.imported_sources = 0
        user_service = service if service is not None and service.user_data_on else None
        self._user_data_on = user_service is not None

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for action, name in ((back, "Back"), (forward, "Forward")):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAccessibleName(name)
            bar.addWidget(button)
        bar.addStretch(1)
        self.copy_code_action = QAction("Copy code", self)
        self.copy_code_action.triggered.connect(self.copy_code)
        self.copy_title_action = QAction("Copy code and title", self)
        self.copy_title_action.triggered.connect(self.copy_code_and_title)
        self.copy_button = QToolButton(self)
        self.copy_button.setObjectName("copyButton")
        self.copy_button.setDefaultAction(self.copy_code_action)
        self.copy_button.setText("Copy")
        self.copy_button.setAccessibleName("Copy code")
        self.copy_button.setToolTip("Copy the code (Ctrl+C); the arrow offers code and title")
        menu = QMenu(self.copy_button)
        menu.addAction(self.copy_code_action)
        menu.addAction(self.copy_title_action)
        self.copy_button.setMenu(menu)
        self.copy_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        bar.addWidget(self.copy_button)
        self.favourite_button = FavouriteButton(user_service, self)
        bar.addWidget(self.favourite_button)

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("detailBrowser")
        self.browser.setAccessibleName("Code detail text")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_anchor)

        self.note_editor = NoteEditor(user_service, self)
        self.note = self.note_editor.edit
        self.note_status = self.note_editor.status
        self.favourite_button.problem.connect(self.note_editor.show_problem)

        self.splitter = QSplitter(self)
        self.splitter.setObjectName("detailSplitter")
        self.splitter.setOrientation(self.splitter.orientation().Vertical)
        self.splitter.addWidget(self.browser)
        self.splitter.addWidget(self.note_editor)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.splitter)
        self.show_placeholder()

    # --- contents

    @property
    def detail(self) -> CodeDetail | None:
        return self._detail

    @property
    def measure(self) -> MeasureDetail | None:
        return self._measure

    def show_placeholder(self) -> None:
        self.save_note()
        self._detail = None
        self._measure = None
        muted = muted_text(self.palette()).name()
        self.browser.setHtml(
            f"<p style='color:{muted};'>Choose a code in the results (or press Enter in the search box) "
            "to see everything CodeDesk knows about it: descriptors by source, payment facts, quality "
            "measures and related codes.</p>"
        )
        self._set_code_actions_enabled(False)

    def show_detail(self, detail: CodeDetail, user: UserState | None = None) -> None:
        """``user``: the favourite and note read with the detail (None when user data is off)."""
        # Also when the same code is shown again (opened from Recent, refreshed after an import): text typed in
        # the last moments before the save delay is written first, not replaced by the stored note.
        self.save_note()
        self._detail = detail
        self._measure = None
        self.rerender()
        self._set_code_actions_enabled(True)
        self.favourite_button.show_state(detail.code, user.lists if user is not None else ())
        self.note_editor.show_note(detail.code, user)

    def show_problem(self, code: str, message: str) -> None:
        """The code asked for could not be read: say so in the pane rather than keep showing the previous one."""
        self.save_note()
        self._detail = None
        self._measure = None
        warning = warning_text(self.palette()).name()
        self.browser.setHtml(
            f"<h2>{escape(code)}</h2><p style='color:{warning};'>Could not open {escape(code)}: "
            f"{escape(printable(message))}</p>")
        self._set_code_actions_enabled(False)
        self.favourite_button.show_state(None, ())
        self.note_editor.show_note(None, None)

    def show_measure(self, measure: MeasureDetail) -> None:
        """A quality measure in the pane: its facts and its codes by role, each code a link back."""
        self.save_note()
        self._detail = None
        self._measure = measure
        self.browser.setHtml(measure_html(measure, self.palette()))
        self.browser.verticalScrollBar().setValue(0)
        self._set_code_actions_enabled(False)
        self.favourite_button.show_state(None, ())
        self.note_editor.show_note(None, None)

    def rerender(self) -> None:
        """Re-render (also after a palette change, since colours are baked into the HTML)."""
        if self._measure is not None:
            self.browser.setHtml(measure_html(self._measure, self.palette()))
            return
        if self._detail is None:
            return
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml(detail_html(self._detail, self.palette(), self.imported_sources))
        self.browser.verticalScrollBar().setValue(scroll)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            # Colours are baked into the rich text: draw it again with the new palette.
            if self._detail is None and self._measure is None:
                self.show_placeholder()
            else:
                self.rerender()
        super().changeEvent(event)

    def text(self) -> str:
        return self.browser.toPlainText()

    def _set_code_actions_enabled(self, enabled: bool) -> None:
        self.copy_code_action.setEnabled(enabled)
        self.copy_title_action.setEnabled(enabled)
        self.copy_button.setEnabled(enabled)
        self.favourite_button.setEnabled(enabled and self._user_data_on)
        self.note.setEnabled(enabled and self._user_data_on)

    # --- actions

    def copy_code(self) -> None:
        if self._detail is not None:
            QGuiApplication.clipboard().setText(self._detail.code)

    def copy_code_and_title(self) -> None:
        if self._detail is not None:
            title = self._detail.title
            QGuiApplication.clipboard().setText(f"{self._detail.code} {title}".strip())

    # --- the person's note (``detail_user.NoteEditor``)

    @property
    def unsaved_notes(self) -> dict[str, str]:
        """Notes not confirmed written yet (in the worker's queue, or refused and to be tried again)."""
        return self.note_editor.unsaved

    @property
    def retry_interval_ms(self) -> int:
        return self.note_editor.retry_interval_ms

    @retry_interval_ms.setter
    def retry_interval_ms(self, milliseconds: int) -> None:
        self.note_editor.retry_interval_ms = milliseconds

    def save_note(self) -> None:
        self.note_editor.save()

    def retry_unsaved_notes(self) -> None:
        self.note_editor.retry_unsaved()

    def _on_anchor(self, url: QUrl) -> None:
        kind, value = parse_link(url.toString())
        if kind is LinkKind.CODE and value:
            self.code_link_activated.emit(value)
        elif kind is LinkKind.SECTION and value.isdigit():
            self.section_link_activated.emit(int(value))
        elif kind is LinkKind.MEASURE and value:
            self.measure_link_activated.emit(value)
        elif kind is LinkKind.LOCALITY:
            self.locality_requested.emit()
