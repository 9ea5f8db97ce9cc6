"""The detail pane shows a code's AMA history and its deletion instruction, the code it names a working link."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore
from desktop_app.ui.detail import DetailPane

RELEASE = Path(__file__).resolve().parents[1] / "fixtures" / "ama" / "CPT 2030 data files"


def test_history_and_deletion_instruction_in_the_pane(qtbot: QtBot, ui_db: Path) -> None:
    store = CodeStore.open(ui_db)
    try:
        import_paths(store.conn, [RELEASE])
        pane = DetailPane(QAction("Back"), QAction("Forward"), None)
        qtbot.addWidget(pane)

        pane.show_detail(store.detail("99980"))
        text = pane.text()
        assert "Deleted (as of 2028-01-01; valid through 2027-12-31) \u2014 use 99990 instead" in text
        assert "History" in text and "2028-01-01\nDeleted\nwas Old invented procedure" in text
        assert "href='code:99990'" in pane.browser.toHtml().replace('"', "'")
        with qtbot.waitSignal(pane.code_link_activated) as opened:
            pane.browser.anchorClicked.emit(QUrl("code:99990"))
        assert opened.args == ["99990"]

        pane.show_detail(store.detail("99990"))
        text = pane.text()
        assert "before 1982\nAdded\nnow Imaginary visit, first wording" in text
        assert "2029-01-01\nChanged\nwas Imaginary visit, first wording" in text
        assert "Deleted" not in text
        # The history list is shown in its section, not repeated as a raw fact.
        assert "{'date'" not in text and "History:" not in text
    finally:
        store.close()
