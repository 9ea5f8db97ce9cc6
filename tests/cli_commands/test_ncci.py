"""cli_commands/ncci.py: check and edits over invented NCCI files."""

from __future__ import annotations

import json
from pathlib import Path

from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore
from tests.core.ncci_fixtures import write_mue, write_ptp
from tests.test_cli import cli


def test_check_and_edits(store: CodeStore, db_path: Path, tmp_path: Path) -> None:
    import_paths(store.conn, [write_ptp(tmp_path), write_mue(tmp_path)])
    status, out, err = cli(db_path, "check", "10001", "10003", "--date", "07/01/2026")
    assert status == 1, err  # a denied line
    assert "DENY 10003 is not paid with 10001" in out
    status, out, err = cli(db_path, "edits", "10001", "--json")
    assert status == 0, err
    data = json.loads(out)
    assert data and "10002" in out
