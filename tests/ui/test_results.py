"""The results list tells codes apart: two lines when there is a second, deleted codes dated, the Source
column only where it differs (issue 12, item 5)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

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
    assert model.index(3, Column.TITLE).data(SECONDARY_ROLE)[0] == "Deleted as of 2024-12-31"
    assert view.verticalHeader().defaultSectionSize() > one_line * 1.5
    model.set_hits([replace(h, status="active") for h in hits[:3]], {h.code: RowText(h.title) for h in hits[:3]})
    assert view.verticalHeader().defaultSectionSize() == one_line
    view.deleteLater()


def test_source_column_hidden_while_blank_in_every_row(qtbot: object) -> None:
    model = ResultsModel()
    view = ResultsView(model)
    model.set_hits([_hit("J0001"), _hit("J0002")], {})
    assert view.isColumnHidden(Column.SOURCE)  # it would be blank in every row: the room goes to the titles
    model.set_hits([_hit("J0001"), _hit("J0002"), _hit("J0003", source="My list")], {})
    assert not view.isColumnHidden(Column.SOURCE)
    view.deleteLater()


def _ink_rows(image: object, left: int, right: int, top: int, bottom: int) -> list[int]:
    """The pixel rows in a box that hold text (darker than the cell's background in the light palette)."""
    from PySide6.QtGui import QImage

    assert isinstance(image, QImage)
    background = image.pixelColor(right - 2, top + 1).lightness()
    return [y for y in range(top, bottom)
            if any(abs(image.pixelColor(x, y).lightness() - background) > 80 for x in range(left, right))]


def test_a_row_without_a_second_line_is_level_with_its_code(qtbot: object) -> None:
    """In a two-line list, a row with one line (and a marked word) is centred like its code, not drawn on
    the top half (screenshot review, issue 12 round 2)."""
    from desktop_app.core.search import Highlighter

    model = ResultsModel()
    view = ResultsView(model)
    view.resize(700, 300)
    hits = [_hit("J0001"), _hit("J0002")]
    model.set_hits(hits, {"J0001": RowText("Invented frambly text", "Our summary"),
                          "J0002": RowText("Invented frambly other")}, Highlighter(["frambly"], {}))
    view.show()
    image = view.viewport().grab().toImage()
    row = view.visualRect(model.index(1, Column.TITLE))
    code = view.visualRect(model.index(1, Column.CODE))
    title_ink = _ink_rows(image, row.left() + 4, row.left() + 200, row.top(), row.bottom())
    code_ink = _ink_rows(image, code.left() + 2, code.right() - 2, code.top(), code.bottom())
    assert title_ink and code_ink
    middle = (min(title_ink) + max(title_ink)) / 2
    assert abs(middle - (min(code_ink) + max(code_ink)) / 2) <= 3
    # The marked word's tint is one line high, not the whole two-line row.
    from desktop_app.ui.theme import highlight_background

    tint = highlight_background(view.palette())
    tinted = [y for y in range(row.top(), row.bottom())
              if any(image.pixelColor(x, y) == tint for x in range(row.left(), row.left() + 200))]
    assert tinted and len(tinted) <= view.fontMetrics().height() + 4 < row.height()
    view.deleteLater()


def test_marked_words_in_the_second_line_are_drawn_in_the_text_colour(qtbot: object) -> None:
    """Muted grey on the highlight tint was hard to read (dark theme screenshot): marked words of the second
    line take the first line's colour; the rest of the line stays muted."""
    from desktop_app.core.search import Highlighter
    from desktop_app.ui.theme import muted_text

    model = ResultsModel()
    view = ResultsView(model)
    view.resize(700, 200)
    model.set_hits([_hit("J0001")], {"J0001": RowText("Invented first line", "frambly second line")},
                   Highlighter(["frambly"], {}))
    view.show()
    image = view.viewport().grab().toImage()
    cell = view.visualRect(model.index(0, Column.TITLE))
    bottom = range(cell.top() + cell.height() // 2, cell.bottom())
    text = view.palette().color(view.palette().ColorRole.Text).lightness()
    muted = muted_text(view.palette()).lightness()
    marked = [image.pixelColor(x, y).lightness() for y in bottom for x in range(cell.left() + 4, cell.left() + 40)]
    plain = [image.pixelColor(x, y).lightness() for y in bottom for x in range(cell.left() + 80, cell.left() + 180)]
    assert abs(min(marked) - text) < abs(min(marked) - muted)  # the marked word: text colour
    assert abs(min(plain) - muted) <= abs(min(plain) - text)  # the rest: muted
    view.deleteLater()


def test_home_and_end_go_to_the_first_and_last_result(qtbot: QtBot) -> None:
    """With whole rows selected, a table's own End (last column of the row) would move nothing."""
    model = ResultsModel()
    view = ResultsView(model)
    qtbot.addWidget(view)
    model.set_hits([_hit(f"J{n:04d}") for n in range(1, 31)], {})
    view.show()
    view.setCurrentIndex(model.index(3, 0))
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.currentIndex().row() == 29
    assert [index.row() for index in view.selectionModel().selectedRows()] == [29]
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.currentIndex().row() == 0


def test_a_shortened_line_keeps_its_head_and_telling_words_in_a_narrow_column(qtbot: QtBot) -> None:
    """A word search's summaries that begin alike are shortened to "head … telling words"; a match far to the
    right ("visit date") then cut the line again at its start, and 99212-99215 all read "…minutes of total time
    on the visit date.", their level of decision making hidden."""
    from desktop_app.core.row_text import telling_cuts
    from desktop_app.core.search import Highlighter

    summaries = [f"Invented or outpatient visit for an established patient with {level} decision making, or at "
                 f"least {minutes} minutes of total time spent on the frambly date."
                 for level, minutes in (("straightforward", 10), ("low-level", 20), ("moderate", 30))]
    cuts = telling_cuts(summaries)
    hits = [_hit(f"J000{n}") for n in range(1, 4)]
    texts = {hit.code: RowText(f"Invented visit {n}", summary, secondary_cut=cut)
             for n, (hit, summary, cut) in enumerate(zip(hits, summaries, cuts, strict=True))}
    model = ResultsModel()
    view = ResultsView(model)
    qtbot.addWidget(view)
    view.resize(520, 300)
    model.set_hits(hits, texts, Highlighter(["frambly"], {}))
    view.show()
    view.viewport().grab()
    delegate = view.itemDelegateForColumn(Column.TITLE)
    laid_out = {"".join(piece for _, piece, _, _ in pieces) for pieces in delegate._lines.values()}  # type: ignore[attr-defined]
    seconds = [line for line in laid_out if line.startswith("Invented or outpatient \u2026")]
    assert len(seconds) == 3, laid_out
    assert {line.split("with ")[1].split(" ")[0] for line in seconds} == {"straightforward", "low-level", "moderate"}
    assert model.index(1, Column.TITLE).data(SECONDARY_ROLE)[0].startswith(
        "Invented or outpatient \u2026 patient with low-level")


def test_deleted_codes_read_at_4_5_to_1_in_both_themes(qtbot: QtBot) -> None:
    """Deleted rows were drawn in the palette's disabled text colour: 1.9:1 on white (#BEBEBE) and a matched word
    on the tint nearly vanished. Their colour is now greyer than current text but ≥ 4.5:1 on every background
    of the list, in the light (Fusion) and the dark palette."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication, QStyleFactory

    from desktop_app.ui.theme import READABLE_CONTRAST, contrast_ratio, dark_palette, deleted_text, highlight_background

    fusion = QStyleFactory.create("Fusion")
    assert fusion is not None
    for palette in (fusion.standardPalette(), dark_palette()):
        color = deleted_text(palette)
        backgrounds = [palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.AlternateBase),
                       highlight_background(palette)]
        assert min(contrast_ratio(color, background) for background in backgrounds) >= READABLE_CONTRAST
        text = palette.color(QPalette.ColorRole.Text)
        assert contrast_ratio(color, backgrounds[0]) < contrast_ratio(text, backgrounds[0]) * 0.6  # still greyer
    model = ResultsModel()
    view = ResultsView(model)
    qtbot.addWidget(view)
    model.set_hits([_hit("J0004", status="deleted")], {"J0004": RowText("Title J0004", "", "2024-12-31")})
    shown = model.index(0, Column.TITLE).data(Qt.ItemDataRole.ForegroundRole)
    assert shown == deleted_text(QApplication.palette())
    view.resize(500, 120)
    view.show()
    image = view.viewport().grab().toImage()
    cell = view.visualRect(model.index(0, Column.TITLE))
    half = cell.top() + cell.height() // 2
    for top, bottom in ((cell.top(), half), (half, cell.bottom())):  # the title, then "Deleted as of …"
        darkest = min(image.pixelColor(x, y).lightness() for y in range(top, bottom)
                      for x in range(cell.left(), cell.right()))
        assert abs(darkest - deleted_text(view.palette()).lightness()) <= 12  # the painted text, not #BEBEBE


def test_a_shortened_line_is_drawn_whole_where_it_fits(qtbot: QtBot) -> None:
    """Leaving words out is for a column too narrow for the line: a wide one shows all of it."""
    from desktop_app.core.row_text import telling_cuts

    lines = ["Invented scan of the abdomen and pelvis without contrast material",
             "Invented scan of the abdomen and pelvis with contrast material"]
    hits = [_hit("J0001"), _hit("J0002")]
    texts = {hit.code: RowText(line, primary_cut=cut)
             for hit, line, cut in zip(hits, lines, telling_cuts(lines), strict=True)}
    model = ResultsModel()
    view = ResultsView(model)
    qtbot.addWidget(view)
    model.set_hits(hits, texts)
    assert model.index(0, Column.TITLE).data() == "Invented scan of \u2026 and pelvis without contrast material"
    view.show()
    delegate = view.itemDelegateForColumn(Column.TITLE)
    for width, whole in ((1400, True), (330, False)):
        view.resize(width, 200)
        delegate._lines.clear()  # type: ignore[attr-defined]
        view.viewport().grab()
        drawn = {"".join(piece for _, piece, _, _ in pieces) for pieces in delegate._lines.values()}  # type: ignore[attr-defined]
        if whole:
            assert drawn == set(lines)
        else:
            assert drawn and all(line.startswith("Invented scan of \u2026 and") for line in drawn), drawn


def test_on_a_narrow_list_the_source_column_gives_way_to_the_titles(qtbot: QtBot) -> None:
    # At 1024 x 700 the titles had 80 pixels ("Knee art…") beside 145 of Source that was blank in most rows.
    model = ResultsModel()
    view = ResultsView(model)
    qtbot.addWidget(view)
    model.set_hits([_hit("J0001"), _hit("J0003", source="My list")], {})
    header = view.horizontalHeader()
    view.resize(1200, 400)
    view.show()
    qtbot.waitExposed(view)
    wide = header.sectionSize(Column.SOURCE)
    view.resize(520, 400)
    qtbot.wait(10)
    narrow = header.sectionSize(Column.SOURCE)
    assert narrow < wide
    assert narrow <= view.viewport().width() // 5 + 1 or narrow == view._source_min_width
    # A wide list gets the Source column's full width back.
    view.resize(1200, 400)
    qtbot.wait(10)
    assert header.sectionSize(Column.SOURCE) == wide
