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


def test_info_json_agrees_with_sources_and_the_database(db_path: Path) -> None:
    """`info --json` (it was refused as an unknown argument): the sources as `sources --json` lists them and the
    counts per category, which add up to the totals and move with an import."""
    status, out, err = cli(db_path, "info", "--json")
    assert status == 0, err
    before = json.loads(out)
    assert before["database"] == str(db_path) and isinstance(before["schema"], int)
    assert set(before["counts"]) == {"I", "II", "III", "HCPCS"}
    for key in ("codes", "active", "deleted", "modifiers"):
        assert before["total"][key] == sum(c[key] for c in before["counts"].values())
    assert before["total"]["codes"] == before["total"]["active"] + before["total"]["deleted"] > 0
    assert before["sources"] == json.loads(cli(db_path, "sources", "--json")[1])
    assert cli(db_path, "import", str(FIXTURES / "cms" / "GPCI2030.csv"))[0] == 0
    after = json.loads(cli(db_path, "info", "--json")[1])
    assert len(after["sources"]) == len(before["sources"]) + 1
    added = next(s for s in after["sources"] if s["kind"] == "cms-gpci")
    status, out, err = cli(db_path, "remove-source", str(added["id"]), "--json")
    assert status == 0, err
    assert json.loads(out) == {"removed": added}
    assert json.loads(cli(db_path, "info", "--json")[1])["sources"] == before["sources"]


def test_sources_text_keeps_its_columns_whatever_the_kind(db_path: Path) -> None:
    assert cli(db_path, "import", str(FIXTURES / "qpp" / "2030_Claims_SingleSource_V1.0.csv"))[0] == 0
    lines = cli(db_path, "sources")[1].splitlines()
    starts = {line.index(name) for line, name in zip(lines, ("CodeDesk", "CMS QPP"), strict=True)}
    assert len(starts) == 1  # the names start in one column: "cms-qpp-claims" no longer runs into its name
