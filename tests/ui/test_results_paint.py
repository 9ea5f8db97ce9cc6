"""The results list's paint caches (issue 12, keystroke → paint): what is kept never shows stale text.

The delegates draw each row from the model's ``RowPaint`` and keep each title line as laid out (per text, marks,
width and font). Each test paints a list whose rows or width changed and compares it, pixel for pixel, with a new
list that was only ever shown the final state: a stale cache would paint the old text or the old cut.
"""

from __future__ import annotations

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desktop_app.core.results import MatchKind
from desktop_app.core.row_text import RowText
from desktop_app.core.search import Highlighter, Hit
from desktop_app.ui.results import ResultsModel, ResultsView

LONG = "Invented frambly description of a procedure that goes on well past the edge of any narrow list " * 2


def _hit(code: str, source: str = "CMS HCPCS", status: str = "active") -> Hit:
    return Hit(code, "HCPCS", "code", None, ("Drugs",), f"Title {code}", source, status, MatchKind.EXACT)


def _view(qtbot: QtBot, width: int = 700) -> tuple[ResultsModel, ResultsView]:
    model = ResultsModel()
    view = ResultsView(model)
    qtbot.addWidget(view)
    view.resize(width, 260)
    view.show()
    return model, view


def _picture(view: ResultsView) -> QImage:
    return view.viewport().grab().toImage()


def _fresh_picture(qtbot: QtBot, width: int, hits: list[Hit], texts: dict[str, RowText],
                   words: list[str]) -> QImage:
    """The list as a new view paints it, with no cache from earlier contents or widths."""
    model, view = _view(qtbot, width)
    model.set_hits(hits, texts, Highlighter(words, {}))
    return _picture(view)


def test_a_row_whose_text_changed_paints_the_new_text(qtbot: QtBot) -> None:
    model, view = _view(qtbot)
    hits = [_hit("J0001"), _hit("J0002")]
    before = {"J0001": RowText("Invented frambly first text", "Our summary one"),
              "J0002": RowText("Invented other text")}
    after = {"J0001": RowText("Invented frambly second text", "Our summary two"),
             "J0002": RowText("Invented other text")}
    model.set_hits(hits, before, Highlighter(["frambly"], {}))
    old = _picture(view)
    model.set_hits(hits, after, Highlighter(["frambly"], {}))  # same codes, new lines
    new = _picture(view)
    assert new != old
    assert new == _fresh_picture(qtbot, 700, hits, after, ["frambly"])


def test_new_marks_on_the_same_text_are_painted(qtbot: QtBot) -> None:
    model, view = _view(qtbot)
    hits = [_hit("J0001")]
    texts = {"J0001": RowText("Invented frambly snark text", "Our summary")}
    model.set_hits(hits, texts, Highlighter(["frambly"], {}))
    old = _picture(view)
    model.set_hits(hits, texts, Highlighter(["snark"], {}))
    assert _picture(view) != old
    assert _picture(view) == _fresh_picture(qtbot, 700, hits, texts, ["snark"])


def test_a_width_change_cuts_the_lines_again(qtbot: QtBot) -> None:
    model, view = _view(qtbot, 900)
    hits = [_hit("J0001"), _hit("J0002")]
    texts = {"J0001": RowText(LONG, "Our summary " + LONG), "J0002": RowText(LONG)}
    model.set_hits(hits, texts, Highlighter(["frambly"], {}))
    wide = _picture(view)
    view.resize(520, 260)
    narrow = _picture(view)
    assert narrow.size() != wide.size()
    assert narrow == _fresh_picture(qtbot, 520, hits, texts, ["frambly"])
    view.resize(900, 260)  # and back: the wide cut, not the narrow one stretched
    assert _picture(view) == wide


def test_lines_arriving_with_more_rows_are_painted(qtbot: QtBot) -> None:
    """A row first shown without its lines gets them with the longer answer (extend_hits)."""
    model, view = _view(qtbot)
    hits = [_hit("J0001"), _hit("J0002")]
    model.set_hits(hits[:1], {}, Highlighter(["frambly"], {}), more_available=True)
    _picture(view)
    texts = {"J0001": RowText("Invented frambly official text", "Our summary"), "J0002": RowText("Invented")}
    model.extend_hits(hits, texts)
    assert _picture(view) == _fresh_picture(qtbot, 700, hits, texts, ["frambly"])


def test_the_source_column_shown_and_hidden_paints_as_a_new_list(qtbot: QtBot) -> None:
    """The Source column is shown or hidden without QTableView's own repaint: the geometry still follows."""
    model, view = _view(qtbot)
    plain = [_hit("J0001"), _hit("J0002")]
    mixed = [_hit("J0001"), _hit("J0002"), _hit("J0003", source="My list"), _hit("J0004", status="deleted")]
    texts = {"J0001": RowText(LONG, "Our summary"), "J0004": RowText("Invented gone", "", "2024-12-31")}
    for hits in (plain, mixed, plain, mixed):
        model.set_hits(hits, texts, Highlighter(["frambly"], {}))
        shown = _picture(view)
        assert view.isColumnHidden(3) == (hits is plain)
        assert shown == _fresh_picture(qtbot, 700, hits, texts, ["frambly"])


def _cells_kept(view: ResultsView, kept: bool) -> None:
    for column in range(view.model().columnCount()):
        delegate = view.itemDelegateForColumn(column)
        delegate.cells.enabled = kept  # type: ignore[attr-defined]


def test_kept_cells_paint_exactly_as_cells_drawn_afresh(qtbot: QtBot) -> None:
    """The cells kept as pixmaps (a repaint copies them) look exactly as the cells drawn through the style: plain,
    alternate, selected and current rows, two-line rows with marks, a deleted row, the Source column, and again in
    a dark palette."""
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtGui import QColor, QPalette

    hits = [_hit("J0001"), _hit("J0002", source="My list"), _hit("J0003", status="deleted"), _hit("J0004")]
    texts = {"J0001": RowText(LONG, "Our summary " + LONG), "J0002": RowText("Invented frambly other"),
             "J0003": RowText("Invented gone frambly", "", "2024-12-31"), "J0004": RowText("No mark here")}
    model, view = _view(qtbot)
    model.set_hits(hits, texts, Highlighter(["frambly"], {}))
    dark = QPalette(view.palette())
    for role, color in ((QPalette.ColorRole.Base, "#1e1f22"), (QPalette.ColorRole.AlternateBase, "#2a2c30"),
                        (QPalette.ColorRole.Text, "#e6e6e6"), (QPalette.ColorRole.Highlight, "#2f65ca")):
        dark.setColor(role, QColor(color))
    pictures: dict[bool, list[QImage]] = {True: [], False: []}
    for kept in (False, True, True):  # the second kept pass is painted from the pixmaps of the first
        _cells_kept(view, kept)
        shots = [_picture(view)]
        view.selectionModel().setCurrentIndex(model.index(1, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                              | QItemSelectionModel.SelectionFlag.Rows)
        shots.append(_picture(view))
        view.setPalette(dark)
        shots.append(_picture(view))
        view.setPalette(QPalette())
        view.selectionModel().clear()
        shots.append(_picture(view))
        pictures[kept] = shots  # the last kept pass
        if not kept:
            drawn = shots
    assert pictures[True] == drawn
    assert view.itemDelegateForColumn(2).cells.copied > 0  # type: ignore[attr-defined]
    assert drawn[0] != drawn[1] != drawn[2]  # each state shows something else
