"""cli_commands/sources.py: import, sources, info, remove-source and changes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_import_then_list_then_remove(db_path: Path) -> None:
    status, out, err = cli(db_path, "import", str(FIXTURES / "cms" / "GPCI2030.csv"))
    assert status == 0, err
    status, out, _ = cli(db_path, "sources", "--json")
    sources = json.loads(out)
    gpci = [s for s in sources if s["kind"] == "cms-gpci"]
    assert len(gpci) == 1
    status, out, _ = cli(db_path, "info")
    assert status == 0 and str(db_path.name) in out
    status, _, err = cli(db_path, "remove-source", str(gpci[0]["id"]))
    assert status == 0, err
    _, out, _ = cli(db_path, "sources", "--json")
    assert not [s for s in json.loads(out) if s["kind"] == "cms-gpci"]


def test_changes_between_two_rvu_releases(db_path: Path) -> None:
    for name in ("PPRRVU2030_Jan.csv", "PPRRVU2030_Apr.csv"):
        assert cli(db_path, "import", str(FIXTURES / "cms" / name))[0] == 0
    status, out, err = cli(db_path, "changes", "--family", "cms-rvu", "--json")
    assert status == 0, err
    assert json.loads(out)
