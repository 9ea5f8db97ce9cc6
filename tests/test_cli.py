"""codedesk-cli: commands, JSON contract, exit codes, and no tracebacks whatever the input."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.cli import run
from desktop_app.core.store import CodeStore

SEED = [("99213", "I", "Evaluation and Management"), ("20610", "I", "Surgery"), ("71045", "I", "Radiology"),
        ("97110", "I", "Medicine"), ("2016F", "II", "Physical Examination"),
        ("3074F", "II", "Diagnostic/Screening Processes or Results"),
        ("4011F", "II", "Therapeutic, Preventive or Other Interventions")]


def cli(db: Path, *args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(["--db", str(db), *args], out, err, io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("code", "category", "section"), SEED)
def test_show_seed_codes(db_path: Path, code: str, category: str, section: str) -> None:
    status, out, _ = cli(db_path, "show", code.lower(), "--json")
    record = json.loads(out)
    assert status == 0
    assert record["code"] == code
    assert record["category"] == category
    assert record["section"][0] == section
    assert record["known"] is True
    assert record["descriptors"][0]["source"] == "CodeDesk plain-language summary (our own words)"


def test_show_2016f_is_about_asthma(db_path: Path) -> None:
    _, out, _ = cli(db_path, "show", "2016F")
    assert "asthma" in out.lower()
    assert "Physical Examination" in out


def test_show_unknown_well_formed_code(db_path: Path) -> None:
    status, out, _ = cli(db_path, "show", "3700F")
    assert status == 1
    assert "CPT Category II" in out
    assert "Diagnostic/Screening Processes or Results" in out
    assert "Not in your database" in out


def test_show_malformed_code_is_bad_input(db_path: Path) -> None:
    status, out, err = cli(db_path, "show", "hello")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "not a procedure code" in err


def test_search_json_contract(db_path: Path) -> None:
    status, out, _ = cli(db_path, "search", "99202-99205", "--json")
    data = json.loads(out)
    assert status == 0
    assert [r["code"] for r in data["results"]] == ["99202", "99203", "99204", "99205"]
    for record in data["results"]:
        assert {"code", "category", "section", "title", "known"} <= record.keys()
        assert record["category"] == "I" and record["known"] is True


def test_search_category_filter_and_limit(db_path: Path) -> None:
    status, out, _ = cli(db_path, "search", "blood", "pressure", "--category", "II", "--limit", "2", "--json")
    data = json.loads(out)
    assert status == 0 and len(data["results"]) == 2
    assert all(r["category"] == "II" for r in data["results"])


def test_search_nothing_found_exits_1(db_path: Path) -> None:
    status, out, _ = cli(db_path, "search", "zzzqqq")
    assert status == 1 and "No codes found" in out


@pytest.mark.parametrize("args", [["search", "--limit", "0", "x"], ["search", "--category", "IV", "x"],
                                  ["frobnicate"], [], ["search", "99205-99202"], ["validate", "/no/such/file"]])
def test_bad_usage_exits_2_with_one_line(db_path: Path, args: list[str]) -> None:
    status, _, err = cli(db_path, *args)
    assert status == 2
    assert err.startswith("codedesk-cli: ") and err.count("\n") == 1


def test_compare_has_all_rows_and_live_counts(db_path: Path) -> None:
    status, out, _ = cli(db_path, "compare", "--json")
    data = json.loads(out)
    assert status == 0
    assert [c["id"] for c in data["categories"]] == ["I", "II", "III", "HCPCS"]
    keys = [r["key"] for r in data["rows"]]
    assert {"purpose", "payment", "required", "claim", "format", "release", "lifespan"} <= set(keys)
    counts = next(r for r in data["rows"] if r["key"] == "codes_in_database")["values"]
    assert int(counts["II"].replace(",", "")) > 50


def test_validate_from_stdin(db_path: Path) -> None:
    status, out, _ = cli(db_path, "validate", "-", "--json", stdin="code\n99213\n3700F\nbanana\n\n# note\n0042t\n")
    records = {r["input"]: r for r in json.loads(out)}
    assert status == 1  # something unknown or invalid
    assert records["99213"]["status"] == "active" and records["99213"]["category"] == "I"
    assert records["3700F"]["status"] == "unknown" and records["3700F"]["section"] == [
        "Diagnostic/Screening Processes or Results"]
    assert records["banana"]["valid"] is False and records["banana"]["status"] == "invalid"
    assert records["0042t"]["code"] == "0042T" and records["0042t"]["category"] == "III"


def test_validate_csv_first_column(db_path: Path, tmp_path: Path) -> None:
    listing = tmp_path / "codes.csv"
    listing.write_text("HCPCS,description\n99213,visit\n3074F,bp\n", encoding="utf-8")
    status, out, _ = cli(db_path, "validate", str(listing))
    assert status == 0
    assert "2 codes: 2 active" in out


def test_info(db_path: Path) -> None:
    status, out, _ = cli(db_path, "info")
    assert status == 0 and str(db_path) in out and "CodeDesk plain-language summary" in out
    # Loaded times to the minute, as the Data Sources dialog shows them (issue 12's small wrongs, round 2).
    loaded = re.findall(r"loaded (\S+ \S+ UTC)\n", out)
    assert loaded and all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", stamp) for stamp in loaded)


HOSTILE = ['"', "*", "NOT", "(", "AND OR", "'; DROP TABLE codes; --", "\U0001f600", "x" * 10_000, "--", "-x",
           "99213-", "NEAR(a b)", "\\", "%%", "\t", " ", "G", "1P", "99999999", "\u202eevil", "a" * 100 + "*"]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_crash(db_path: Path, query: str) -> None:
    for command in (["search", query], ["search", query, "--json"], ["show", query]):
        status, _, err = cli(db_path, *command)
        assert status in (0, 1, 2)
        assert "Traceback" not in err and "internal error" not in err


def test_console_script_runs_as_a_process(db_path: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "desktop_app.cli", "--db", str(db_path), "show", "3074f"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)  # the installed CodeDesk
    assert done.returncode == 0, done.stderr
    assert "3074F" in done.stdout and "Traceback" not in done.stderr


@pytest.mark.realdata
def test_validate_classifies_every_code_of_the_real_rvu_file(db_path: Path, shared_data: Path) -> None:
    status, out, _ = cli(db_path, "validate", str(shared_data / "cms-pfs-rvu-2025d" / "PPRRVU2025_Oct.csv"), "--json")
    records = json.loads(out)
    assert len(records) == 19_090  # every data row; banner and header rows skipped
    assert len({r["code"] for r in records}) == 16_852
    assert [r for r in records if not r["valid"] or not r["category"] or not r["section"]] == []
    assert status == 1  # most codes are not in the bundled reference, which is reported, not an error


def _add_modifier(db: Path, modifier: str, code_set: str) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    source = conn.execute("INSERT INTO sources (kind, name, file_name, release, loaded_at) "
                          "VALUES ('csv', 'm', 'm', ?, 'now')", (modifier,)).lastrowid
    conn.execute("INSERT OR IGNORE INTO codes (code, code_set, kind, title, title_source) "
                 "VALUES (?, ?, 'modifier', ?, ?)",
                 (modifier, code_set, f"Invented text for modifier {modifier}", source))
    conn.commit()
    conn.close()


def test_a_two_letter_modifier_is_found_first_and_filters_apply(db_path: Path) -> None:
    _add_modifier(db_path, "TC", "HCPCS")
    _add_modifier(db_path, "Q0", "HCPCS")
    _, out, _ = cli(db_path, "search", "tc", "--json")
    assert json.loads(out)["results"][0]["code"] == "TC"
    _, out, _ = cli(db_path, "search", "Q0", "--category", "I", "--json")
    assert all(r["category"] == "I" for r in json.loads(out)["results"])


def test_list_totals_count_each_code_once(db_path: Path) -> None:
    _, out, _ = cli(db_path, "search", "99213, 992*", "--limit", "200", "--json")
    data = json.loads(out)
    assert data["total"] == len(data["results"]) == len({r["code"] for r in data["results"]})
    _, out, _ = cli(db_path, "search", "3074F 3074F", "--json")
    assert json.loads(out)["total"] == 1


def test_a_long_pasted_list_is_cut_between_codes(db_path: Path) -> None:
    _, out, _ = cli(db_path, "search", ", ".join(["99213", "3074F", "G0438", "0042T"] * 200), "--json")
    data = json.loads(out)
    assert {r["code"] for r in data["results"]} == {"99213", "3074F", "G0438", "0042T"}
    assert "first 2,000 characters" in data["message"]


def test_validate_reads_cr_line_ends_and_stray_quotes(db_path: Path, tmp_path: Path) -> None:
    old_mac = tmp_path / "cr.txt"
    old_mac.write_bytes(b"99213\r99214\r")
    status, out, _ = cli(db_path, "validate", str(old_mac))
    assert status == 0 and "2 codes: 2 active" in out
    _, out, _ = cli(db_path, "validate", "-", "--json", stdin='99213\n"abc\n99214\n')
    assert [r["code"] for r in json.loads(out)] == ["99213", "ABC", "99214"]


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "bookmarks.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE bookmarks (url TEXT)")
    status, _, err = cli(other, "info")
    assert status == 2 and "not a CodeDesk database" in err and err.count("\n") == 1


# --- modifiers ---------------------------------------------------------------------------------------

SHOW_KEYS = {"code", "category", "section", "section_ranges", "title", "title_source", "known", "well_formed", "kind",
             "shape", "status", "deleted_date", "descriptors", "facts", "measures", "payments", "payment_notes",
             "measure_sources"}
VALIDATE_KEYS = {"line", "input", "code", "valid", "category", "section", "title", "known", "status", "kind"}
HIT_KEYS = {"code", "category", "section", "title", "source", "known", "status", "kind", "match"}


@pytest.mark.parametrize(("modifier", "family"), [("25", "CPT Level I modifier"),
                                                  ("1P", "CPT Category II performance-measure modifier"),
                                                  ("LT", "HCPCS Level II modifier")])
def test_show_a_modifier(db_path: Path, modifier: str, family: str) -> None:
    status, out, _ = cli(db_path, "show", modifier)
    assert status == 0
    assert out.startswith(f"{modifier}  {family}\n")
    assert f"Modifier {modifier} \u2014 CodeDesk modifier entry (our own words):" in out
    assert "Means" in out and "Not for" in out and "Goes on" in out
    status, out, _ = cli(db_path, "show", modifier, "--json")
    data = json.loads(out)
    assert SHOW_KEYS | {"modifier", "modifiers"} <= set(data)  # keys only added
    assert data["kind"] == "modifier" and data["modifier"]["modifier"] == modifier


def test_show_a_modified_code_prints_code_and_modifier(db_path: Path) -> None:
    status, out, _ = cli(db_path, "show", "99213-25")
    assert status == 0
    assert out.startswith("99213  CPT Category I\nAs written: 99213-25\n  -25  fits: ")
    assert "Office or outpatient visit" in out and "Modifier 25 \u2014 CodeDesk modifier entry" in out
    _, out, _ = cli(db_path, "show", "99213-8P")
    assert "-8P  does not fit: 8P (CPT Category II performance-measure modifier) goes on CPT Category II" in out
    data = json.loads(cli(db_path, "show", "3074F-8P", "--json")[1])
    assert data["code"] == "3074F" and data["modifiers"][0]["fits"] is True and data["modifiers"][0]["reason"] is None


@pytest.mark.parametrize(("query", "first"), [("8P", "8P"), ("modifier 25", "25"), ("mod 59", "59"),
                                              ("bilateral", "50"), ("distinct procedural service", "59")])
def test_search_finds_modifiers(db_path: Path, query: str, first: str) -> None:
    status, out, _ = cli(db_path, "search", query, "--json")
    results = json.loads(out)["results"]
    assert status == 0 and results[0]["code"] == first and results[0]["kind"] == "modifier"
    assert HIT_KEYS | {"modifiers"} <= set(results[0])


def test_search_a_modified_code_explains_it(db_path: Path) -> None:
    _, out, _ = cli(db_path, "search", "99213-25")
    lines = out.splitlines()
    assert lines[0].startswith("99213 ") and lines[1].startswith("  -25  fits: A significant E/M service")
    assert lines[2].startswith("25     I     modifier")


def test_validate_checks_modifiers(db_path: Path) -> None:
    text = "code\n99213-25\n99213 25\n3074F-8P\n27447-RT\n27447-RT-59\n99213-8P\n99213-LT\n25\nZZ\n99213-ZZ\n"
    status, out, _ = cli(db_path, "validate", "-", "--json", stdin=text)
    records = json.loads(out)
    assert status == 1
    assert all(VALIDATE_KEYS | {"modifiers", "reason"} <= set(r) for r in records)
    verdict = {r["input"]: (r["valid"], r["reason"]) for r in records}
    for good in ("99213-25", "99213 25", "3074F-8P", "27447-RT", "27447-RT-59", "25"):
        assert verdict[good] == (True, None), good
    assert "goes on CPT Category II codes; 99213 is a CPT Category I code" in verdict["99213-8P"][1]
    assert "LT is not used on E/M services" in verdict["99213-LT"][1]
    assert verdict["ZZ"][0] is False and "not a modifier CodeDesk knows" in verdict["ZZ"][1]
    assert verdict["99213-ZZ"][0] is False
    _, out, _ = cli(db_path, "validate", "-", stdin=text)
    assert "99213-8P" in out and "invalid" in out and "10 codes: 6 active, 4 invalid" in out


def test_validate_search_and_show_refuse_a_terminated_modifier(db_path: Path, tmp_path: Path) -> None:
    """The review found -GD (terminated 2019-12-31) valid in validate and "-GD fits" in search."""
    from tests.core.test_modifiers import HCPCS_MODIFIER_ROWS, write_invented_hcpcs

    hcpcs = tmp_path / "HCPC2031_JAN_ANWEB.txt"
    write_invented_hcpcs(hcpcs, HCPCS_MODIFIER_ROWS)
    assert cli(db_path, "import", str(hcpcs))[0] == 0
    status, out, _ = cli(db_path, "validate", "-", "--json", stdin="99213-Z5\n99213-Z6\n")
    verdict = {r["input"]: (r["valid"], r["reason"]) for r in json.loads(out)}
    assert status == 1
    assert verdict["99213-Z5"] == (
        False, "-Z5: Z5 was terminated: valid through 2019-12-31 (CMS HCPCS Level II 2031 January)")
    assert verdict["99213-Z6"][0] is True
    _, out, _ = cli(db_path, "search", "99213-Z5")
    assert "-Z5  does not fit: Z5 was terminated: valid through 2019-12-31" in out and "fits:" not in out
    _, out, _ = cli(db_path, "show", "99213-Z5")
    assert "-Z5  does not fit: Z5 was terminated: valid through 2019-12-31" in out


def test_show_says_which_rvu_indicator_decided(db_path: Path) -> None:
    store = CodeStore.open(db_path)
    source = store.conn.execute(
        "INSERT INTO sources (kind, name, file_name, release, effective_date, loaded_at) "
        "VALUES ('cms-rvu', 'Invented RVU', 'x', 'T1', '2031-01-01', 'now')").lastrowid
    store.conn.execute("INSERT INTO code_facts (code, modifier, source_id, facts) VALUES ('20610', '', ?, ?)",
                       (source, json.dumps({"asst_surg": "1", "bilat_surg": "1", "global_days": "000"})))
    store.conn.commit()
    store.close()
    _, out, _ = cli(db_path, "show", "20610-80")
    assert "-80  does not fit: assistant at surgery on 20610: not paid (ASST SURG 1, Invented RVU)" in out
    _, out, _ = cli(db_path, "search", "20610-50")
    assert "-50  fits: " in out and "(bilateral surgery: the bilateral adjustment (150%) applies (BILAT SURG 1, " \
                                      "Invented RVU))" in out
    # without an indicator for the code: the bundled range, and a note that the indicator was not checked
    _, out, _ = cli(db_path, "show", "97110-80")
    assert "does not fit: 80 goes only on surgery codes" in out and "ASST SURG indicator not checked" in out

# --- internal errors: their own exit status, the trace in the log, one line for the user ------------------


def _log_text() -> str:
    from desktop_app.core.logs import log_dir

    path = log_dir() / "codedesk-cli.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_a_bug_exits_3_with_one_line_and_the_trace_in_the_log(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import desktop_app.cli as cli_module

    def broken(store: object, args: object, out: object) -> int:
        raise KeyError("a bug planted by the test")

    monkeypatch.setitem(cli_module.COMMANDS, "info", broken)
    before = len(_log_text())
    status, out, err = cli(db_path, "info")
    assert status == 3 and out == ""
    assert err.count("\n") == 1 and "internal error (KeyError" in err and "codedesk-cli.log" in err
    assert "Traceback" not in err
    logged = _log_text()[before:]
    assert "Traceback" in logged and "a bug planted by the test" in logged


def test_wrong_sql_is_a_bug_not_a_database_problem(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import desktop_app.cli as cli_module

    def bad_sql(store: CodeStore, args: object, out: object) -> int:
        store.conn.execute("SELECT no_such_column FROM codes")
        return 0

    monkeypatch.setitem(cli_module.COMMANDS, "info", bad_sql)
    status, _, err = cli(db_path, "info")
    assert status == 3 and "internal error (OperationalError" in err


def test_debug_prints_the_trace_on_stderr(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import desktop_app.cli as cli_module

    def broken(store: object, args: object, out: object) -> int:
        raise ValueError("planted")

    monkeypatch.setitem(cli_module.COMMANDS, "info", broken)
    for argv in (("--debug", "info"), ("info", "--debug")):
        status, _, err = cli(db_path, *argv)
        assert status == 3
        assert "Traceback" in err and "ValueError: planted" in err


def test_a_locked_database_is_bad_luck_not_a_bug(db_path: Path) -> None:
    import sqlite3

    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        status, _, err = cli(db_path, "search", "99213")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert status == 2 and "internal error" not in err and err.count("\n") == 1


def test_logging_survives_a_library_that_reconfigures_it(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """dictConfig() disables the loggers that exist (import-linter calls it): configure_logging turns ours back on."""
    import logging.config

    import desktop_app.cli as cli_module

    logging.config.dictConfig({"version": 1})

    def broken(store: object, args: object, out: object) -> int:
        raise KeyError("after dictConfig")

    monkeypatch.setitem(cli_module.COMMANDS, "info", broken)
    before = len(_log_text())
    assert cli(db_path, "info")[0] == 3
    assert "after dictConfig" in _log_text()[before:]


def test_a_relative_database_path_survives_an_unclean_end(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `--db rel.sqlite3` after a kill -9 failed every later command with "internal error (ValueError: relative path
    # can't be expressed as a file URI)", and each failure left a session marker of its own, so it never healed.
    assert cli(db_path, "info")[0] == 0
    db_path.with_name(f"{db_path.name}.open-{2**22 + 4321}").touch()  # a session that died (pid above pid_max)
    monkeypatch.chdir(db_path.parent)
    relative = Path(db_path.name)
    status, out, err = cli(relative, "search", "99213")
    assert status == 0, err
    assert "checking the whole database first" in err and "99213" in out
    assert not list(db_path.parent.glob(f"{db_path.name}.open-*"))  # this run's session ended cleanly
    status, _, err = cli(relative, "search", "99213")
    assert status == 0 and "checking" not in err
