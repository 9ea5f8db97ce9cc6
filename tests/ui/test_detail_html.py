"""ui/detail_html.py: a code's detail as HTML: its summary labelled as ours, and links the pane acts on."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QPalette
from pytestqt.qtbot import QtBot

from desktop_app.core.store import CodeStore
from desktop_app.ui.detail_html import NOT_IN_DATABASE_HINT, OUR_SUMMARY_LABEL, detail_html, measure_html
from desktop_app.ui.links import LinkKind, parse_link


def test_a_known_code_links_its_sections_and_labels_our_summary(qtbot: QtBot, store: CodeStore) -> None:
    html = detail_html(store.detail("3074F"), QPalette())
    assert OUR_SUMMARY_LABEL in html
    links = [parse_link(target) for target in re.findall(r"href='([^']*)'", html)]
    assert links and all(kind is not None for kind, _ in links)
    sections = [value for kind, value in links if kind is LinkKind.SECTION]
    assert sections and all(value.isdigit() for value in sections)


def test_an_unknown_code_says_to_import(qtbot: QtBot, store: CodeStore) -> None:
    html = detail_html(store.detail("99999"), QPalette())
    assert NOT_IN_DATABASE_HINT.split("(")[0].strip() in html.replace("&rarr;", "\u2192")


def test_a_measure_page_has_its_id_and_title(qtbot: QtBot, store: CodeStore) -> None:
    detail = store.measure("1")
    assert detail.title and detail.title.split(":")[0] in measure_html(detail, QPalette())


def test_a_code_and_its_modifier_rows_say_how_they_are_paid_once(qtbot: QtBot, store: CodeStore) -> None:
    """G0105 and G0105-53 printed "National: total RVUs × conversion factor …" twice, word for word."""
    from desktop_app.core.importers import import_paths

    import_paths(store.conn, [Path(__file__).resolve().parents[1] / "fixtures" / "cms" / "PPRRVU2030_Jan.csv"])
    store.refresh()
    detail = store.detail("99991")  # invented: the code, its 26 and its TC rows
    assert len(detail.payments) == 3
    html = detail_html(detail, QPalette())
    assert html.count("total RVUs \u00d7 conversion factor") == 1
    assert "National (modifier 26)" in html and "National (modifier TC)" in html  # still one row each
