"""The CLI's JSON and the database's contents, byte for byte, against a snapshot taken before a refactoring.

Issue 11's "one vocabulary" turned kinds, statuses, roles and format ids from string literals into StrEnums and a
format registry; nothing a person or another tool reads may change by it. This test imports every fixture
family, runs the CLI's ``--json`` commands that carry those words (kinds, statuses, roles, categories, formats,
families, change kinds) and dumps every reference table, then compares the whole text with
``tests/fixtures/golden/output_snapshot.json``, which was written by the code before the refactoring.

Volatile values (times, paths, the database file, the bundled reference's release hash) are blanked first.
Word searches are left out on purpose: their ranking is tuned often and has its own quality tests; code, prefix,
range and list searches are exact.

A deliberate change of output (a new JSON key, a new fixture) is recorded by running this file as a script:
``python -m tests.test_output_unchanged`` rewrites the snapshot, and the diff is reviewed with the change.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from desktop_app.cli import run
from desktop_app.core.resources import bundle_hash
from desktop_app.core.store import CodeStore
from tests.core.ncci_fixtures import write_mue, write_ptp

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = FIXTURES / "golden" / "output_snapshot.json"

IMPORTS = (
    "cms/PPRRVU2030_Jan.txt",
    "cms/PPRRVU2030_Jan.xlsx",
    "cms/PPRRVU2030_Jan.csv",
    "cms/PPRRVU2030_Apr.csv",
    "cms/HCPC2030_ANWEB_fixture.txt",
    "cms/HCPC2030_APR_ANWEB.xlsx",
    "cms/GPCI2030.csv",
    "ama/CPT 2030 data files",
    "ama/2031 CPT Standard Annual Update",
    "qpp/measures-data-2030.json",
    "qpp/2030_Claims_SingleSource_V1.0.csv",
    "csv/practice_favourites.csv",
)
SHOW = ("99990", "99991", "99992", "99993", "99994", "99995", "0990F", "0991F", "0990T", "0999U", "G9990",
        "A9990", "D9990", "TC", "25", "1P", "99991-26", "banana", "12345")
SEARCHES = (("99990-99999",), ("G999*",), ("0990F, TC, 25, 99993",), ("tc",), ("99993",),
            ("9999*", "--category", "I"), ("G99*", "--category", "HCPCS"))
OTHERS = (
    ("compare", "--json"),
    ("compare", "99990", "0990F", "G9990", "--json"),
    ("measure", "901", "--json"),
    ("measure", "9", "--json"),
    ("localities", "--json"),
    ("sources", "--json"),
    ("changes", "--json"),
    ("changes", "--family", "cms-rvu", "--json"),
    ("changes", "--family", "ama-cpt", "--json"),
    ("changes", "--family", "cms-hcpcs", "--json"),
    ("check", "10001", "10006", "10002-59", "G0001", "--date", "2031-01-15", "--json"),
    ("check", "10001", "10003 x3", "--setting", "dme", "--date", "2031-01-15", "--json"),
    ("edits", "10001", "--json"),
)
VALIDATE = "code\n99990\n99993\n0990F-8P\nTC\nbanana\nG9990\n99999\n"

# Values that differ from run to run; blanked wherever they occur in the JSON or the tables.
_VOLATILE_KEYS = frozenset({"seconds", "loaded_at", "path", "database", "db", "size_bytes", "log_file",
                            "in_effect_on"})  # in_effect_on: today, without --date
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)?")


def _blank(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("<volatile>" if k in _VOLATILE_KEYS else _blank(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank(v) for v in value]
    if isinstance(value, str):
        return _TIMESTAMP.sub("<time>", value)
    return value


def _cli(db: Path, *args: str, stdin: str = "") -> dict[str, Any]:
    out, err = io.StringIO(), io.StringIO()
    status = run(["--db", str(db), *args], out, err, io.StringIO(stdin))
    text = out.getvalue().replace(str(db.parent), "<tmp>")
    try:
        parsed: Any = _blank(json.loads(text)) if text.strip() else None
    except json.JSONDecodeError:
        parsed = text
    return {"args": list(args), "status": status, "out": parsed, "err": err.getvalue().replace(str(db.parent), "<tmp>")}


# The bundled reference's own tables (sections, features, summaries) and the search index's text are other
# modules' business and change with them; the rows the imports wrote, and the code-set names, are compared.
_TABLES = ("code_sets", "codes", "descriptors", "code_facts", "sources", "measures", "measure_codes", "localities",
           "ncci_files", "ncci_rationales", "ptp_edits", "mue_values")
_IMPORTED_ONLY = {
    "codes": "code IN (SELECT code FROM descriptors d JOIN sources s ON s.id = d.source_id WHERE s.kind != 'bundled'"
             " UNION SELECT code FROM code_facts f JOIN sources s ON s.id = f.source_id WHERE s.kind != 'bundled')",
    "descriptors": "source_id IN (SELECT id FROM sources WHERE kind != 'bundled')",
    "code_facts": "source_id IN (SELECT id FROM sources WHERE kind != 'bundled')",
    "sources": "kind != 'bundled'",
}


def _tables(db: Path) -> dict[str, list[list[Any]]]:
    """The rows the imports wrote (see :data:`_TABLES`), each table's rows sorted, volatile columns blanked."""
    conn = sqlite3.connect(db)
    try:
        dump: dict[str, list[list[Any]]] = {}
        for name in _TABLES:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info('{name}')")]
            where = _IMPORTED_ONLY.get(name, "1")
            rows = [
                ["<volatile>" if c in _VOLATILE_KEYS else _TIMESTAMP.sub("<time>", v) if isinstance(v, str) else v
                 for c, v in zip(columns, row, strict=True)]
                for row in conn.execute(f"SELECT * FROM {name} WHERE {where}")  # names from _TABLES
            ]
            dump[name] = [columns, *sorted(rows, key=repr)]
        return dump
    finally:
        conn.close()


def snapshot(workdir: Path) -> str:
    """The whole snapshot as text: CLI answers in order, then the tables."""
    db = workdir / "codedesk.sqlite3"
    CodeStore.open(db).close()
    ncci = workdir / "ncci"
    ncci.mkdir()
    ptp = write_ptp(ncci)
    mue = write_mue(ncci)
    answers = [_cli(db, "import", str(FIXTURES / p), "--json") for p in IMPORTS]
    answers.append(_cli(db, "import", str(ptp), str(mue), "--json"))
    answers += [_cli(db, "show", code, "--json") for code in SHOW]
    answers += [_cli(db, "search", *query, "--json") for query in SEARCHES]
    answers += [_cli(db, *args) for args in OTHERS]
    answers.append(_cli(db, "validate", "-", "--json", stdin=VALIDATE))
    text = json.dumps({"cli": answers, "tables": _tables(db)}, ensure_ascii=False, indent=1, sort_keys=True)
    # The bundled reference's release is a hash of its files, which change with every vocabulary edit.
    bundle = bundle_hash()
    text = text.replace(bundle, "<bundle hash>").replace(bundle[:12], "<bundle>")
    return text.replace(str(workdir), "<tmp>").replace(str(FIXTURES), "<fixtures>") + "\n"


def test_cli_json_and_database_are_as_before(tmp_path: Path) -> None:
    expected = GOLDEN.read_text(encoding="utf-8")
    actual = snapshot(tmp_path)
    if actual != expected:  # show where, not a wall of text
        for number, (a, e) in enumerate(zip(actual.splitlines(), expected.splitlines(), strict=False), 1):
            assert a == e, f"{GOLDEN.name} line {number} differs"
    assert actual == expected


def test_the_snapshot_holds_the_words_it_guards() -> None:
    """The snapshot is only worth comparing if it covers the vocabulary: every kind of value is in it."""
    text = GOLDEN.read_text(encoding="utf-8")
    for word in ('"modifier"', '"deleted"', '"active"', '"performance met"', '"performance not met"',
                 '"exclusion"', '"eligibility"', '"cms-rvu-csv"', '"cms-hcpcs-txt"', '"cms-hcpcs-xlsx"',
                 '"cms-rvu-txt"', '"cms-rvu-xlsx"', '"ama-cpt-release"',
                 '"cms-qpp-json"', '"cms-qpp-claims-csv"', '"cms-gpci-csv"', '"cms-ncci-ptp-txt"',
                 '"cms-ncci-mue-csv"', '"csv"', '"cms-rvu"', '"ama-cpt"', '"HCPCS"', '"III"'):
        assert word in text, word


if __name__ == "__main__":  # rewrite the snapshot (review the diff!)
    with tempfile.TemporaryDirectory() as folder:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(snapshot(Path(folder)), encoding="utf-8")
    sys.stdout.write(f"wrote {GOLDEN}\n")
