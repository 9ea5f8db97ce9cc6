"""A date typed as text, read the way the CLI reads ``--date``: the claim check's date of service.

Qt's ``QDateEdit`` edits a date section by section: typing ``2025-01-15`` into it gave 2025-01-01, ``03/31/2025``
gave 2025-03-12, and the check then ran on a date nobody typed. Here the text is the date: it is read whole by
:func:`desktop_app.core.ncci.parse_date` (``2025-01-15``, ``01/15/2025``, ``1/5/2025``, ``20250115``, typed or
pasted), and text that is not a date is said to be one of those, never turned into another day. Up/Down step a
day and Page Up/Down a month; Alt+Down (or the arrow button) opens a calendar.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import QCalendarWidget, QHBoxLayout, QLineEdit, QToolButton, QWidget

from desktop_app.core.ncci import ClaimError, parse_date
from desktop_app.ui.theme import warning_text

FORMS = "2025-01-15, 01/15/2025 or 20250115"
# "2025-01-1" reads as 1 January, but while it is being typed it is most likely the start of 2025-01-15: a date
# with a one-digit day after a dash is only taken when the person asks for it (Enter), never after a pause.
_SHORT_ISO_DAY = re.compile(r"\s*\d{4}-\d{1,2}-\d\s*")


def read_date(text: str) -> date | None:
    """The date ``text`` names in one of the forms the CLI reads, else None."""
    try:
        return parse_date(text)
    except ClaimError:
        return None


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class _CalendarPopup(QCalendarWidget):
    """The calendar under the field: Enter or a click picks the day, Escape closes it."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)


class DateField(QWidget):
    """A line edit for a date plus a calendar button. ``edited``: the text changed (by typing, pasting, a step
    or the calendar); ``submitted``: Enter was pressed in it."""

    edited = Signal()
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("YYYY-MM-DD")
        self.edit.setToolTip(f"Type the date as {FORMS}; Up/Down: a day earlier or later, Page Up/Down: a month, "
                             "Alt+Down: a calendar")
        self.edit.setMaxLength(32)
        self.edit.textChanged.connect(self._on_text_changed)
        self.edit.returnPressed.connect(self.submitted)
        self.edit.installEventFilter(self)
        # Wide enough for 2025-01-15 and 01/15/2025 with room to spare.
        self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance("00/00/00000") + 16)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setArrowType(Qt.ArrowType.DownArrow)
        self.calendar_button.setToolTip("Pick the date on a calendar (Alt+Down)")
        self.calendar_button.setAccessibleName("Pick the date of service on a calendar")
        # Off the Tab chain: Tab goes from the date's text to the next field; Alt+Down opens the calendar.
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.calendar_button.clicked.connect(self.open_calendar)
        self.calendar = _CalendarPopup(self)
        self.calendar.setWindowFlags(Qt.WindowType.Popup)
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._pick)
        self.calendar.activated.connect(self._pick)
        self.calendar.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.calendar_button)
        self.setFocusProxy(self.edit)

    # What the text says.

    def text(self) -> str:
        return self.edit.text()

    def typed_date(self) -> date | None:
        """The day the text names (any form the CLI reads), else None."""
        return read_date(self.edit.text())

    def complete(self) -> bool:
        """The text names a day and is not, by its look, a date still being typed (see ``_SHORT_ISO_DAY``)."""
        return self.typed_date() is not None and not _SHORT_ISO_DAY.fullmatch(self.edit.text())

    def set_date(self, value: date) -> None:
        self.edit.setText(value.isoformat())

    # Keys, calendar and how the text looks.

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if key == Qt.Key.Key_Down and mods == Qt.KeyboardModifier.AltModifier:
                self.open_calendar()
                return True
            steps = {Qt.Key.Key_Up: (1, 0), Qt.Key.Key_Down: (-1, 0), Qt.Key.Key_PageUp: (0, 1),
                     Qt.Key.Key_PageDown: (0, -1)}
            if key in steps and mods == Qt.KeyboardModifier.NoModifier:
                self.step(*steps[Qt.Key(key)])
                return True
        return super().eventFilter(watched, event)

    def step(self, days: int, months: int = 0) -> None:
        """A day or a month later (negative: earlier) than the date shown, or than today when the text is not a
        date (so the arrows also start the field)."""
        start = self.typed_date()
        moved = (_qdate(start) if start else QDate.currentDate()).addDays(days).addMonths(months)
        self.set_date(_pydate(moved))
        self.edit.selectAll()

    def open_calendar(self) -> None:
        shown = self.typed_date() or date.today()
        self.calendar.setSelectedDate(_qdate(shown))
        self.calendar.adjustSize()
        self.calendar.move(self.mapToGlobal(QPoint(0, self.height())))
        self.calendar.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def _pick(self, day: QDate) -> None:
        self.calendar.hide()
        self.set_date(_pydate(day))
        self.edit.setFocus(Qt.FocusReason.PopupFocusReason)

    def _on_text_changed(self, _text: str) -> None:
        self.mark_invalid(False)
        self.edited.emit()

    def mark_invalid(self, invalid: bool) -> None:
        """Text that is not a date is drawn in the warning colour (the panel says why in words)."""
        palette = QPalette(self.palette())  # the field's own colours follow the window's (light or dark)
        if invalid:
            palette.setColor(QPalette.ColorRole.Text, warning_text(palette))
        self.edit.setPalette(palette)
        self.edit.setProperty("invalidDate", invalid)
        self.edit.setAccessibleDescription("not a date" if invalid else "")
