"""desktop_app/ui/date_field.py: the date-of-service box reads the whole typed text, in the forms the CLI reads,
and never turns it into another date (a review: Qt's section-by-section date editor made 2025-01-15 2025-01-01
and 03/31/2025 2025-03-12). The window's use of it is tested in test_claim_check.py."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop_app.ui.date_field import DateField, read_date


@pytest.mark.parametrize(("typed", "day"), [
    ("2025-01-15", date(2025, 1, 15)),
    ("03/31/2025", date(2025, 3, 31)),
    ("3/5/2025", date(2025, 3, 5)),
    ("20250115", date(2025, 1, 15)),
    ("2025-02-30", None),
    ("31/03/2025", None),
    ("03/31/25", None),
    ("hello", None),
    ("", None),
])
def test_the_forms_the_cli_reads_and_nothing_else(typed: str, day: date | None) -> None:
    assert read_date(typed) == day


@pytest.fixture
def field(qtbot: QtBot) -> DateField:
    widget = DateField()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_typed_text_stays_as_typed_and_names_its_day(qtbot: QtBot, field: DateField) -> None:
    field.edit.clear()
    QTest.keyClicks(field.edit, "03/31/2025")
    assert field.text() == "03/31/2025"
    assert field.typed_date() == date(2025, 3, 31) and field.complete()


def test_a_half_typed_date_is_not_complete(qtbot: QtBot, field: DateField) -> None:
    field.edit.clear()
    QTest.keyClicks(field.edit, "2025-01-1")  # most likely 2025-01-15 on its way
    assert not field.complete()
    QTest.keyClicks(field.edit, "5")
    assert field.complete() and field.typed_date() == date(2025, 1, 15)


def test_arrow_keys_step_a_day_and_page_keys_a_month(qtbot: QtBot, field: DateField) -> None:
    field.set_date(date(2025, 1, 31))
    field.edit.setFocus()
    QTest.keyClick(field.edit, Qt.Key.Key_Up)
    assert field.typed_date() == date(2025, 2, 1)
    QTest.keyClick(field.edit, Qt.Key.Key_Down)
    QTest.keyClick(field.edit, Qt.Key.Key_PageUp)
    assert field.typed_date() == date(2025, 2, 28)  # a month on from 31 January: the month's last day
