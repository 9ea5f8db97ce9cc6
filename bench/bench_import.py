"""CodeDesk importer benchmark: each real file imported into fresh databases, beside three baselines.

Run explicitly (not part of the tests):  python bench/bench_import.py [--runs 3] [--profile] [--data DIR] [--repo DIR]

For every file, all measured in the same run (medians of ``--runs``):

* ``import s``: the real import (``import_paths``) into a new database with the bundled reference already built
  (the build is not timed): read, check, write, statuses, search index, commit;
* ``parse s``: the "raw" baseline: the importers' own readers only, file to parsed rows, no database;
* ``bare s``: parse, then ``executemany`` of the same rows into bare tables (no indexes, no search index, no
  statuses) in one transaction: the floor for "parse + write";
* ``floor s``: the write floor: what the real import writes (every row it adds, changes or removes, search rows
  included, harvested from a database it imported into), replayed into a copy of the same fresh database by SQLite
  alone (``executemany`` with the ids already known, no Python logic), after the cheapest read of the file
  (``csv.reader``, the text's lines, calamine's cells, ``json.load``), with the same final FTS5 ``optimize`` and
  one COMMIT. No importer written in Python can beat it: it is what SQLite and FTS5 take to store the result in
  this schema;
* ``row s``: the naive baseline: the same parsed rows written one INSERT + COMMIT at a time (once, not a median);
* ``cpu s``: the processor seconds of the real import (``time.process_time``, median): on a machine shared with
  other jobs the wall seconds swing 2x from one run to the next, the processor seconds much less.

"RVU CSV + HCPCS + QPP" sums the four files' own imports; "the same, one import" imports the four in one
``import_paths`` call (one transaction), as a folder or several files chosen at once are imported.

``--repo DIR`` measures another checkout's ``desktop_app`` with this script (for example main before a change), so
two checkouts are compared with the same benchmark, one run after the other.

``--profile`` also prints where the import's time goes, per phase (see ``desktop_app.core.importers.PHASES``).
Targets (issue 13): RVU CSV <= 0.4 s, HCPCS XLSX <= 0.8 s, RVU CSV + HCPCS + QPP <= 1.0 s together, >= 5x the
row-by-row baseline and within 2x of parse + bare insert.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# The checkout whose desktop_app is measured: ``--repo DIR`` (read here, before the imports below), else this one.
sys.path.insert(0, str(Path(next((sys.argv[i + 1] for i, arg in enumerate(sys.argv[:-1]) if arg == "--repo"),
                                 Path(__file__).resolve().parents[1])).resolve()))

from desktop_app.core.importers import PHASES, import_paths
from desktop_app.core.importers.loader import facts_json
from desktop_app.core.importers.model import Dataset, Monitor
from desktop_app.core.importers.sniff import plan
from desktop_app.core.indexing import OPTIMIZE_SHARE
from desktop_app.core.store import CodeStore

REPO = Path(__file__).resolve().parents[1]
MEASURED = Path(sys.modules["desktop_app"].__file__ or "").resolve().parents[1]  # the code really imported
DEFAULT_DATA = (REPO / ".." / "shared" / "data").resolve()
TARGET_SECONDS = 1.0
FILE_TARGETS = {"PFS RVU 2025D (CSV)": 0.4, "HCPCS Oct 2025 (XLSX)": 0.8}
MIN_SPEEDUP = 5.0
MAX_OVER_BARE = 2.0

# (label, path under the data folder, counts towards the 1-second target)
FILES = [
    ("PFS RVU 2025D (CSV)", "cms-pfs-rvu-2025d/PPRRVU2025_Oct.csv", True),
    ("HCPCS 2020 (TXT)", "cms-hcpcs-2020/HCPC2020_ANWEB_w_disclaimer.txt", True),
    ("QPP measures 2025 (JSON)", "cms-qpp-measures/measures-data-2025.json", True),
    ("QPP claims 2025 (CSV)", "cms-qpp-measures/2025_Claims_SingleSource_V9.1.csv", True),
    ("PFS RVU 2025D (TXT)", "cms-pfs-rvu-2025d/PPRRVU2025_Oct.txt", False),
    ("HCPCS Oct 2025 (XLSX)", "cms-hcpcs-2025-oct/HCPC2025_OCT_ANWEB.xlsx", False),
]

BARE_SCHEMA = """
CREATE TABLE codes (code TEXT, code_set TEXT, kind TEXT);
CREATE TABLE descriptors (code TEXT, kind TEXT, text TEXT, source_id INTEGER);
CREATE TABLE code_facts (code TEXT, modifier TEXT, source_id INTEGER, facts TEXT);
CREATE TABLE measures (measure_id TEXT, source_id INTEGER, title TEXT, details TEXT);
CREATE TABLE measure_codes (measure_id TEXT, code TEXT, role TEXT, role_detail TEXT, modifier TEXT,
                            conditions TEXT, together TEXT, source_id INTEGER);
"""


@dataclass
class Row:
    label: str
    rows: int
    written: int
    seconds: float
    cpu: float
    parse: float
    bare: float
    naive: float
    in_target: bool
    floor: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)


def parse(path: Path) -> list[Dataset]:
    """The datasets a file yields, read with the importers' own readers (no database involved)."""
    from desktop_app.core.importers import _parse

    return [_parse(sf, fmt, Monitor()) for sf, fmt in plan(path, "").files]


def rows_written(ds: Dataset) -> int:
    return (len(ds.codes) + sum(len(r.descriptors) + len(r.facts) for r in ds.codes.values())
            + len(ds.measures) + len(ds.measure_codes))


def timed_import(path: Path, workdir: Path, run: int, phases: list[dict[str, float]],
                 cpu: list[float]) -> float:
    store = CodeStore.open(workdir / f"import-{path.name}-{run}.sqlite3")
    try:
        seen: dict[str, float] = {}
        started, cpu_started = time.perf_counter(), time.process_time()
        import_paths(store.conn, [path], phases=seen)
        seconds = time.perf_counter() - started
        cpu.append(time.process_time() - cpu_started)
        phases.append(seen)
        return seconds
    finally:
        store.close()


def timed_import_together(paths: list[Path], workdir: Path, run: int, cpu: list[float]) -> float:
    """One import of several files (one ``import_paths`` call, one transaction), as a folder or a multi-file
    selection is imported; wall seconds returned, processor seconds appended to ``cpu``."""
    store = CodeStore.open(workdir / f"together-{run}.sqlite3")
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        import_paths(store.conn, paths)
        seconds = time.perf_counter() - started
        cpu.append(time.process_time() - cpu_started)
        return seconds
    finally:
        store.close()


def timed_parse(path: Path) -> float:
    started = time.perf_counter()
    parse(path)
    return time.perf_counter() - started


def bare_import(path: Path, workdir: Path, run: int) -> float:
    """Parse, then executemany the same rows into tables without indexes or search index, in one transaction."""
    conn = sqlite3.connect(workdir / f"bare-{path.name}-{run}.sqlite3", isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        for statement in BARE_SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        started = time.perf_counter()
        conn.execute("BEGIN")
        for source_id, ds in enumerate(parse(path), start=1):
            conn.executemany("INSERT INTO codes VALUES (?, ?, ?)",
                             ((r.code, r.code_set, r.kind) for r in ds.codes.values()))
            conn.executemany("INSERT INTO descriptors VALUES (?, ?, ?, ?)",
                             ((c, k, t, source_id) for c, r in ds.codes.items() for k, t in r.descriptors))
            conn.executemany("INSERT INTO code_facts VALUES (?, ?, ?, ?)",
                             ((c, m, source_id, r.facts_text.get(m) or facts_json(f))
                              for c, r in ds.codes.items() for m, f in r.facts.items()))
            conn.executemany("INSERT INTO measures VALUES (?, ?, ?, ?)",
                             ((m.measure_id, source_id, m.title, facts_json(m.details)) for m in ds.measures.values()))
            conn.executemany("INSERT INTO measure_codes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             ((x.measure_id, x.code, x.role, x.role_detail, x.modifier, x.conditions, x.together,
                               source_id) for x in ds.measure_codes))
        conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        conn.close()


def naive_import(path: Path, workdir: Path) -> float:
    """Parse the same way, then write every row with its own INSERT and COMMIT (autocommit mode)."""
    store = CodeStore.open(workdir / f"naive-{path.name}.sqlite3")
    conn: sqlite3.Connection = store.conn
    try:
        started = time.perf_counter()
        for ds in parse(path):
            source_id = conn.execute(
                "INSERT INTO sources (kind, name, file_name, release, effective_date, sha256, loaded_at, counts) "
                "VALUES (?, ?, ?, ?, ?, ?, datetime('now'), '{}')",
                (ds.kind, ds.name, ds.file_name, ds.release, ds.effective_date, ds.sha256)).lastrowid
            for rec in ds.codes.values():
                conn.execute("INSERT OR IGNORE INTO codes (code, code_set, kind) VALUES (?, ?, ?)",
                             (rec.code, rec.code_set, rec.kind))
                for kind, text in rec.descriptors:
                    conn.execute("INSERT INTO descriptors (code, kind, text, source_id) VALUES (?, ?, ?, ?)",
                                 (rec.code, kind, text, source_id))
                for modifier, facts in rec.facts.items():
                    conn.execute("INSERT INTO code_facts (code, modifier, source_id, facts) VALUES (?, ?, ?, ?)",
                                 (rec.code, modifier, source_id, rec.facts_text.get(modifier) or facts_json(facts)))
            for m in ds.measures.values():
                conn.execute("INSERT INTO measures (measure_id, source_id, title, details) VALUES (?, ?, ?, ?)",
                             (m.measure_id, source_id, m.title, json.dumps(m.details)))
            for link in ds.measure_codes:
                conn.execute(
                    "INSERT INTO measure_codes (measure_id, code, role, role_detail, modifier, conditions, source_id)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (link.measure_id, link.code, link.role, link.role_detail, link.modifier, link.conditions,
                     source_id))
        return time.perf_counter() - started
    finally:
        store.close()


def cheapest_read(path: Path) -> object:
    """The least a reader must do: the file's cells or lines in Python objects, nothing checked."""
    if path.suffix.lower() == ".csv":
        import csv

        with path.open(newline="", encoding="latin-1") as handle:
            return list(csv.reader(handle))
    if path.suffix.lower() == ".json":
        return json.loads(path.read_bytes())
    if path.suffix.lower() == ".xlsx":
        from python_calamine import load_workbook

        workbook = load_workbook(str(path))
        return [workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names]
    return path.read_bytes().decode("latin-1").splitlines()


def _ordinary_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables an import writes, the FTS5 table by its columns (its shadow tables follow from those)."""
    return [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'code_fts_%' ORDER BY name")]


def _rows(conn: sqlite3.Connection, table: str) -> dict[int, tuple[object, ...]]:
    return {row[0]: tuple(row[1:]) for row in conn.execute(f"SELECT rowid, * FROM {table}")}


@dataclass
class Writes:
    """What an import changed, table by table: rowids removed, and rows (rowid first) written."""
    removed: dict[str, list[int]]
    written: dict[str, list[tuple[object, ...]]]
    columns: dict[str, list[str]]
    optimized: bool
    name: str


def harvest_writes(template: Path, paths: list[Path], workdir: Path, name: str) -> Writes:
    """Import ``paths`` into a copy of ``template`` and compare the two databases row by row."""
    import shutil

    copy = workdir / f"harvest-{name}.sqlite3"
    shutil.copyfile(template, copy)
    before = sqlite3.connect(template)
    store = CodeStore.open(copy, build=False)
    try:
        import_paths(store.conn, paths)
        after: sqlite3.Connection = store.conn
        removed: dict[str, list[int]] = {}
        written: dict[str, list[tuple[object, ...]]] = {}
        columns: dict[str, list[str]] = {}
        for table in _ordinary_tables(after):
            old, new = _rows(before, table), _rows(after, table)
            columns[table] = [row[1] for row in after.execute(f"PRAGMA table_info({table})")]
            removed[table] = [rowid for rowid, row in old.items() if new.get(rowid) != row]
            written[table] = [(rowid, *row) for rowid, row in new.items() if old.get(rowid) != row]
        # The import merges the index when it wrote a good share of the search rows (indexing.settle_search_index).
        codes = after.execute("SELECT count(*) FROM codes").fetchone()[0]
        search_rows = len(written.get("code_fts", []))
        return Writes(removed, written, columns, optimized=search_rows > 0 and search_rows >= OPTIMIZE_SHARE * codes,
                      name=name)
    finally:
        store.close()
        before.close()


def floor_write(template: Path, paths: list[Path], writes: Writes, workdir: Path, run: int) -> float:
    """The cheapest read of ``paths``, then ``writes`` replayed by SQLite alone, in one transaction."""
    import shutil

    copy = workdir / f"floor-{run}-{paths[0].name}.sqlite3"
    shutil.copyfile(template, copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = OFF")  # the rows are known good; ids come with them
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for path in paths:
            cheapest_read(path)
        for table, rowids in writes.removed.items():
            if rowids:
                conn.executemany(f"DELETE FROM {table} WHERE rowid = ?", ((r,) for r in rowids))
        for table, rows in writes.written.items():
            if rows:
                names = ", ".join(("rowid", *writes.columns[table]))
                marks = ", ".join("?" * (len(writes.columns[table]) + 1))
                conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        if writes.optimized:
            conn.execute("INSERT INTO code_fts (code_fts) VALUES ('optimize')")
        conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        if run == 0:  # the replay must hold what the import wrote, or it is no floor (checked untimed, once)
            harvested = sqlite3.connect(workdir / f"harvest-{writes.name}.sqlite3")
            differ = [table for table in _ordinary_tables(conn) if _rows(conn, table) != _rows(harvested, table)]
            harvested.close()
            if differ:
                raise SystemExit(f"the write floor of {paths[0].name} differs from the import in: {differ}")
        return seconds
    finally:
        conn.close()


def print_profile(results: list[Row]) -> None:
    print("\nWhere the import's time goes (median seconds per phase; 'other': finding, loading, hashing and "
          "sniffing the files, and the summaries)")
    header = f"{'file':<26} " + " ".join(f"{p:>12}" for p in (*PHASES, "other")) + f" {'total':>8}"
    print(header)
    print("-" * len(header))
    for r in results:
        other = r.seconds - sum(r.phases.values())
        print(f"{r.label:<26} " + " ".join(f"{r.phases.get(p, 0.0):>12.3f}" for p in PHASES)
              + f" {max(other, 0.0):>12.3f} {r.seconds:>8.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--runs", type=int, default=3, help="imports per file (the median is shown)")
    parser.add_argument("--profile", action="store_true", help="also print the seconds per import phase")
    parser.add_argument("--only", help="only the files whose label contains this text")
    parser.add_argument("--repo", type=Path, help="measure this checkout's desktop_app (default: this one)")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no data folder at {args.data}; pass --data", file=sys.stderr)
        return 2
    results: list[Row] = []
    together: tuple[float, float] | None = None
    together_floor = 0.0
    with tempfile.TemporaryDirectory(prefix="codedesk-bench-") as tmp:
        workdir = Path(tmp)
        template = workdir / "template.sqlite3"
        CodeStore.open(template).close()  # the fresh database every floor starts from (not timed)
        for label, relative, in_target in FILES:
            if args.only and args.only.lower() not in label.lower():
                continue
            path = args.data / relative
            if not path.exists():
                print(f"skipped {label}: {path} is missing", file=sys.stderr)
                continue
            datasets = parse(path)
            phase_runs: list[dict[str, float]] = []
            cpu_runs: list[float] = []
            seconds = statistics.median(timed_import(path, workdir, run, phase_runs, cpu_runs)
                                        for run in range(args.runs))
            phases = {p: statistics.median(run.get(p, 0.0) for run in phase_runs) for p in PHASES}
            parse_s = statistics.median(timed_parse(path) for _ in range(args.runs))
            bare_s = statistics.median(bare_import(path, workdir, run) for run in range(args.runs))
            naive = naive_import(path, workdir)
            writes = harvest_writes(template, [path], workdir, path.name)
            floor_s = statistics.median(floor_write(template, [path], writes, workdir, run) for run in range(args.runs))
            results.append(Row(label, sum(d.rows for d in datasets), sum(rows_written(d) for d in datasets),
                               seconds, statistics.median(cpu_runs), parse_s, bare_s, naive, in_target,
                               phases=phases, floor=floor_s))
        target_paths = [args.data / relative for label, relative, in_target in FILES
                        if in_target and (args.data / relative).exists()]
        if not args.only and len(target_paths) == sum(1 for f in FILES if f[2]):
            together_cpu: list[float] = []
            together = (statistics.median(timed_import_together(target_paths, workdir, run, together_cpu)
                                          for run in range(args.runs)), statistics.median(together_cpu))
            writes = harvest_writes(template, target_paths, workdir, "together")
            together_floor = statistics.median(floor_write(template, target_paths, writes, workdir, run)
                                               for run in range(args.runs))

    print(f"CodeDesk import benchmark - Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{platform.machine()}; median of {args.runs} runs, each into a fresh database; code measured: "
          f"{MEASURED}")
    header = (f"{'file':<26} {'rows':>7} {'db rows':>8} {'import s':>8} {'rows/s':>9} {'parse s':>8} "
              f"{'bare s':>8} {'x bare':>6} {'row s':>8} {'speed-up':>8} {'cpu s':>7} {'floor s':>8} {'x floor':>7}")
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r.label:<26} {r.rows:>7,} {r.written:>8,} {r.seconds:>8.3f} {r.rows / r.seconds:>9,.0f} "
              f"{r.parse:>8.3f} {r.bare:>8.3f} {r.seconds / r.bare:>5.1f}x {r.naive:>8.3f} "
              f"{r.naive / r.seconds:>7.1f}x {r.cpu:>7.3f} {r.floor:>8.3f} {r.seconds / r.floor:>6.1f}x")
    target = [r for r in results if r.in_target]
    failures: list[str] = []
    if target:
        total = sum(r.seconds for r in target)
        bare_total = sum(r.bare for r in target)
        naive_total = sum(r.naive for r in target)
        print("-" * len(header))
        print(f"{'RVU CSV + HCPCS + QPP':<26} {sum(r.rows for r in target):>7,} {sum(r.written for r in target):>8,} "
              f"{total:>8.3f} {'':>9} {sum(r.parse for r in target):>8.3f} {bare_total:>8.3f} "
              f"{total / bare_total:>5.1f}x {naive_total:>8.3f} {naive_total / total:>7.1f}x "
              f"{sum(r.cpu for r in target):>7.3f} {sum(r.floor for r in target):>8.3f} "
              f"{total / sum(r.floor for r in target):>6.1f}x")
        if together is not None:
            print(f"{'  the same, one import':<26} {sum(r.rows for r in target):>7,} "
                  f"{sum(r.written for r in target):>8,} {together[0]:>8.3f} {'':>9} {'':>8} {'':>8} "
                  f"{together[0] / bare_total:>5.1f}x {'':>8} {naive_total / together[0]:>7.1f}x {together[1]:>7.3f} "
                  f"{together_floor:>8.3f} {together[0] / together_floor:>6.1f}x")
        if len(target) == sum(1 for f in FILES if f[2]):
            if total > TARGET_SECONDS:
                floors = sum(r.floor for r in target)
                failures.append(f"RVU CSV + HCPCS + QPP {total:.2f} s > {TARGET_SECONDS} s"
                                + (f" (their write floors alone: {floors:.2f} s)" if floors > TARGET_SECONDS else ""))
            if naive_total / total < MIN_SPEEDUP:
                failures.append(f"only {naive_total / total:.1f}x the row-by-row baseline (< {MIN_SPEEDUP:.0f}x)")
            if total / bare_total > MAX_OVER_BARE:
                failures.append(f"{total / bare_total:.1f}x parse + bare insert (> {MAX_OVER_BARE:.0f}x)")
    for r in results:
        limit = FILE_TARGETS.get(r.label)
        if limit is not None and r.seconds > limit:
            failures.append(f"{r.label} {r.seconds:.2f} s > {limit} s"
                            + (f" (its write floor alone: {r.floor:.2f} s)" if r.floor > limit else ""))
    if args.profile:
        print_profile(results)
    print("\n" + ("MISSES: " + "; ".join(failures) if failures else "meets every target that was measured")
          + ". The import also builds the search index and statuses; the baselines write the rows only.")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
