"""Help → Keyboard Shortcuts: every window action that has a key, read from the actions themselves, so the
list can never disagree with what the keys do."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.window_layout import VIEW_DWELL_MS

# Keys handled by widgets rather than window actions.
WIDGET_KEYS = (
    ("\u2193 / \u2191 in the search box", "Move through the results; a code passed over joins Recent and Back "
     f"only once shown {VIEW_DWELL_MS / 1000:g} s, or when copied, starred, noted, listed or printed"),
    ("Enter, double-click, a link", "Open the code (it joins Recent and Back at once)"),
    ("Esc", "Clear the search box; in an empty box, clear the category and section filter"),
    ("Shift+\u2193 / Ctrl+click in a list", "Select several rows (Ctrl+C then copies them as TSV)"),
    ("Delete (in Favourites, Recent, Notes)", "Remove the selected entries"),
    ("Ctrl+Shift+S (in Favourites, Recent, Notes)", "Change the sort order"),
    ("compare 45384 45385 (typed in the search box)", "Compare codes side by side"),
    ("Esc or Ctrl+W (in What changed, Check codes together)", "Close that window"),
)


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    rows = []
    for action in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        if keys:
            rows.append((" or ".join(dict.fromkeys(keys)), action.text().replace("&", "").rstrip("\u2026")))
    return rows + list(WIDGET_KEYS)


class ShortcutsDialog(QDialog):
    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(actions)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Keys", "Does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, (keys, text) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Every command is also in the menus, with its keys shown beside it.", self))
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(640, 560)
