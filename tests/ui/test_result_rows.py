"""The results list tells codes apart: two lines when there is a second, deleted codes dated, the Source
column only where it differs (issue 12, item 5)."""

from __future__ import annotations

from dataclasses import replace

from desktop_app.core.row_text import RowText
from desktop_app.core.search import Hit
from desktop_app.ui.results import SECONDARY_ROLE, Column, ResultsModel, ResultsView


def _hit(code: str, source: str = "CMS HCPCS", status: str = "active") -> Hit:
    return Hit(code, "HCPCS", "code", None, ("Drugs",), f"Title {code}", source, status, "exact")


def test_rows_show_two_lines_and_the_source_only_where_it_differs(qtbot: object) -> None:
    model = ResultsModel()
    view = ResultsView(model)
    one_line = view.verticalHeader().defaultSectionSize()
    hits = [_hit("J0001"), _hit("J0002"), _hit("J0003", source="My list"), _hit("J0004", status="deleted")]
    texts = {
        "J0001": RowText("Official long text", "Our summary"),
        "J0002": RowText("Title J0002"),
        "J0003": RowText("Title J0003"),
        "J0004": RowText("Title J0004", "", "2024-12-31"),
    }
    model.set_hits(hits, texts)
    source = [model.index(row, Column.SOURCE).data() for row in range(4)]
    assert source == ["", "", "My list", ""]
    title = model.index(0, Column.TITLE)
    assert title.data() == "Official long text" and title.data(SECONDARY_ROLE)[0] == "Our summary"
    assert model.index(3, Column.TITLE).data(SECONDARY_ROLE)[0] == "Deleted 2024-12-31"
    assert view.verticalHeader().defaultSectionSize() > one_line * 1.5
    model.set_hits([replace(h, status="active") for h in hits[:3]], {h.code: RowText(h.title) for h in hits[:3]})
    assert view.verticalHeader().defaultSectionSize() == one_line
    view.deleteLater()
