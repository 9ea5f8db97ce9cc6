"""core/codedesk_files.py: the files CodeDesk writes are refused by the code-list importer, each with what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.codedesk_files import RESULT_COLUMNS, WORKING_SET_COLUMNS, WORKING_SET_HEADER
from desktop_app.core.errors import ImportFileError
from desktop_app.core.export import ExportTable, write_csv
from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore
from desktop_app.core.userdata import UserData
from desktop_app.core.working_set import write_working_set


@pytest.mark.parametrize(("columns", "said"), [
    (RESULT_COLUMNS, "this is a CodeDesk export"),
    (WORKING_SET_COLUMNS, "this is a CodeDesk export"),
])
def test_an_export_without_its_notice_is_not_taken_for_a_code_list(store: CodeStore, tmp_path: Path,
                                                                   columns: tuple[str, ...], said: str) -> None:
    # Read as "your own list", the CMS title of 27447 was shown as "Practice — Practice list: …".
    path = tmp_path / "results.csv"
    row = ["27447" if name == "code" else "Invented cell" for name in columns]
    write_csv(ExportTable(columns, [tuple(row)], (), 1), path)
    before = store.conn.execute("SELECT count(*) FROM sources").fetchone()[0]
    with pytest.raises(ImportFileError, match=said):
        import_paths(store.conn, [path])
    assert store.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == before


def test_a_working_set_file_is_sent_to_import_working_set(store: CodeStore, tmp_path: Path) -> None:
    userdata = UserData(tmp_path / "user.sqlite3")
    userdata.set_note("99213", "an invented note")
    path = tmp_path / "carry.csv"
    write_working_set(userdata, path)
    userdata.close()
    assert path.read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(WORKING_SET_HEADER)
    with pytest.raises(ImportFileError, match="Import Working Set"):
        import_paths(store.conn, [path])
