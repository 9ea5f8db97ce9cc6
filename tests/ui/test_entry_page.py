"""ui/entry_page.py: how the working-set pages show a stored time."""

from __future__ import annotations

from desktop_app.ui.entry_page import stamp_text


def test_stamp_text_shows_date_and_minute() -> None:
    assert stamp_text("2026-03-02T10:01:59+00:00") == "2026-03-02 10:01"
    assert stamp_text("") == ""
