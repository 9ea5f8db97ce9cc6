"""CodeDesk importer benchmark: each real file imported into fresh databases, against a naive baseline.

Run explicitly (not part of the tests):  python bench/bench_import.py [--runs 3] [--all] [--data DIR]

For every file: rows read, the median of ``--runs`` imports (each into a new database with the bundled
reference already built; the build is not timed), rows per second, and a naive baseline measured in the same
run: the same parsed rows written one INSERT + COMMIT at a time (no executemany, no set-based SQL, and not even
the search index the real import also maintains). Target (issue): RVU CSV + HCPCS + QPP files ≤ 3 s together.
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
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.importers import import_paths
from desktop_app.core.importers.loader import facts_json
from desktop_app.core.importers.model import Dataset, Monitor
from desktop_app.core.importers.sniff import plan
from desktop_app.core.store import CodeStore

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (REPO / ".." / "shared" / "data").resolve()
TARGET_SECONDS = 3.0

# (label, path under the data folder, counts towards the 3-second target)
FILES = [
    ("PFS RVU 2025D (CSV)", "cms-pfs-rvu-2025d/PPRRVU2025_Oct.csv", True),
    ("HCPCS 2020 (TXT)", "cms-hcpcs-2020/HCPC2020_ANWEB_w_disclaimer.txt", True),
    ("QPP measures 2025 (JSON)", "cms-qpp-measures/measures-data-2025.json", True),
    ("QPP claims 2025 (CSV)", "cms-qpp-measures/2025_Claims_SingleSource_V9.1.csv", True),
]
MORE_FILES = [
    ("PFS RVU 2025D (TXT)", "cms-pfs-rvu-2025d/PPRRVU2025_Oct.txt", False),
    ("HCPCS Oct 2025 (XLSX)", "cms-hcpcs-2025-oct/HCPC2025_OCT_ANWEB.xlsx", False),
]


@dataclass
class Row:
    label: str
    rows: int
    written: int
    seconds: float
    naive: float
    in_target: bool


def parse(path: Path) -> list[Dataset]:
    """The datasets a file yields, read with the importers' own readers (no database involved)."""
    from desktop_app.core.importers import _parse

    return [_parse(sf, fmt, Monitor()) for sf, fmt in plan(path, "").files]


def rows_written(ds: Dataset) -> int:
    return (len(ds.codes) + sum(len(r.descriptors) + len(r.facts) for r in ds.codes.values())
            + len(ds.measures) + len(ds.measure_codes))


def timed_import(path: Path, workdir: Path, run: int) -> float:
    store = CodeStore.open(workdir / f"import-{path.name}-{run}.sqlite3")
    try:
        started = time.perf_counter()
        import_paths(store.conn, [path])
        return time.perf_counter() - started
    finally:
        store.close()


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
                                 (rec.code, modifier, source_id, facts_json(facts)))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--runs", type=int, default=3, help="imports per file (the median is shown)")
    parser.add_argument("--all", action="store_true", help="also the RVU TXT and the HCPCS XLSX")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no data folder at {args.data}; pass --data", file=sys.stderr)
        return 2
    files = FILES + (MORE_FILES if args.all else [])
    results: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="codedesk-bench-") as tmp:
        workdir = Path(tmp)
        for label, relative, in_target in files:
            path = args.data / relative
            if not path.exists():
                print(f"skipped {label}: {path} is missing", file=sys.stderr)
                continue
            datasets = parse(path)
            seconds = statistics.median(timed_import(path, workdir, run) for run in range(args.runs))
            naive = naive_import(path, workdir)
            results.append(Row(label, sum(d.rows for d in datasets), sum(rows_written(d) for d in datasets),
                               seconds, naive, in_target))

    print(f"CodeDesk import benchmark - Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{platform.machine()}; median of {args.runs} runs, each into a fresh database")
    header = (f"{'file':<26} {'rows':>7} {'db rows':>8} {'seconds':>8} {'rows/s':>9} "
              f"{'naive s':>8} {'naive rows/s':>12} {'speed-up':>8}")
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r.label:<26} {r.rows:>7,} {r.written:>8,} {r.seconds:>8.3f} {r.rows / r.seconds:>9,.0f} "
              f"{r.naive:>8.3f} {r.rows / r.naive:>12,.0f} {r.naive / r.seconds:>7.1f}x")
    target = [r for r in results if r.in_target]
    total = sum(r.seconds for r in target)
    naive_total = sum(r.naive for r in target)
    print("-" * len(header))
    print(f"{'RVU CSV + HCPCS + QPP':<26} {sum(r.rows for r in target):>7,} {sum(r.written for r in target):>8,} "
          f"{total:>8.3f} {'':>9} {naive_total:>8.3f} {'':>12} {naive_total / total:>7.1f}x")
    verdict = "meets" if total <= TARGET_SECONDS else "MISSES"
    print(f"\n{verdict} the target: {total:.2f} s for RVU CSV + HCPCS + QPP (target <= {TARGET_SECONDS:.0f} s). "
          "The import also builds the search index and statuses; the naive baseline writes the rows only.")
    return 0 if total <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
