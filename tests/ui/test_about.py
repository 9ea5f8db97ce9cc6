"""ui/about.py: the About text carries the licence notices and names the loaded sources."""

from __future__ import annotations

from html import escape

from desktop_app import __version__
from desktop_app.core.store import CodeStore
from desktop_app.ui.about import NOTICES, about_html


def test_about_names_the_version_the_sources_and_every_notice(store: CodeStore) -> None:
    html = about_html(store.sources())
    assert f"CodeDesk {__version__}" in html
    assert escape(store.sources()[0].name) in html
    assert all(escape(notice) in html for notice in NOTICES)
    assert "<li>none</li>" in about_html([])
