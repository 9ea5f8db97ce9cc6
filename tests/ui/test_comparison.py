"""ui/comparison.py: which cells of the comparison stand apart, and the model over the store's rows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.store import CodeStore, ComparisonRow
from desktop_app.ui.comparison import ComparisonModel, has_odd_one_out, stands_apart


def _row(**values: str) -> ComparisonRow:
    return ComparisonRow("invented", "Invented row", dict(values), {})


def test_only_the_odd_one_out_stands_apart() -> None:
    row = _row(I="paid", II="never paid", III="paid")
    assert has_odd_one_out(row)
    assert stands_apart(row, "II") and not stands_apart(row, "I")
    every_value_differs = _row(I="a", II="b", III="c")
    assert not has_odd_one_out(every_value_differs) and not stands_apart(every_value_differs, "I")
    assert not stands_apart(_row(I="same", II="same"), "I")


def test_the_model_shows_one_column_per_category(qtbot: QtBot, store: CodeStore) -> None:
    model = ComparisonModel()
    rows = store.comparison(["I", "II"])
    model.set_rows(rows, ["I", "II"])
    assert model.rowCount() == len(rows) > 0
    assert model.columnCount() == 2  # one per category; the row's label is the vertical header
    assert model.headerData(0, Qt.Orientation.Vertical) == rows[0].label
    assert model.row_keys() == [row.key for row in rows]
