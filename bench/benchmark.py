"""CodeDesk core benchmark: reference build time and search latency, against a naive LIKE baseline.

Run explicitly (not part of the tests):  python bench/benchmark.py [--skip-1m] [--runs N]

Prints one table. Every ratio compares numbers measured in this same run, on this machine.
Targets (issue 2): search p95 ≤ 5 ms at 25,000 codes and ≤ 50 ms at 1,000,000; reference build ≤ 1 s;
at least 20× faster than the LIKE baseline on word queries.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic import build_synthetic_db
from desktop_app.core.database import connect
from desktop_app.core.reference import build_reference, read_starter_codes
from desktop_app.core.resources import data_dir
from desktop_app.core.store import CodeStore

OUT = Path(__file__).resolve().parent / "out"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def make_queries(seed: int = 11) -> list[tuple[str, str]]:
    """≥ 200 queries of four kinds, drawn from the bundled codes and our summaries' words."""
    rng = random.Random(seed)
    starters = read_starter_codes(data_dir())
    codes = sorted(s.code for s in starters)
    queries: list[tuple[str, str]] = []
    for code in rng.sample(codes, 60):
        queries.append(("code", code.lower() if rng.random() < 0.3 else code))
    for code in rng.sample(codes, 40):
        stem = code[: rng.randint(2, 4)]
        queries.append(("prefix", stem + "*" if rng.random() < 0.5 else stem))
    for code in rng.sample([c for c in codes if c.isdigit()], 20):
        end = f"{min(int(code) + rng.randint(1, 40), 99999):05d}"
        queries.append(("range", f"{code}-{end}" if rng.random() < 0.5 else f"{code}\u2013{end}"))
    vocabulary = sorted({w for s in starters for w in re.findall(r"[a-z]{4,}", s.summary.lower())})
    for _ in range(100):
        words = rng.sample(vocabulary, rng.randint(1, 3))
        if rng.random() < 0.4:  # search-as-you-type: the last word is half typed
            words[-1] = words[-1][: max(2, len(words[-1]) // 2)]
        queries.append(("words", " ".join(words)))
    for text in ("office visit established low", "knee injection", "blood pressure", "chest x-ray",
                 "flu shot", "annual wellness visit", "wheelchair", "ambulance", "a1c", "tobacco"):
        queries.append(("words", text))
    return queries


def naive_like(conn: sqlite3.Connection, query: str) -> int:
    """The baseline: a LIKE '%word%' scan over every descriptor, returning the first 50 and the total."""
    words = re.findall(r"\w+", query.lower())[:12] or [query]
    where = " AND ".join("(d.text LIKE ? OR d.code LIKE ?)" for _ in words)
    params: list[str] = []
    for word in words:
        params += [f"%{word}%", f"%{word}%"]
    conn.execute(f"SELECT DISTINCT d.code FROM descriptors d WHERE {where} LIMIT 50", params).fetchall()
    return int(conn.execute(f"SELECT count(DISTINCT d.code) FROM descriptors d WHERE {where}", params).fetchone()[0])


def time_queries(queries: list[tuple[str, str]], run: Callable[[str], object], repeats: int
                 ) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    for kind, text in queries:
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            run(text)
            best = min(best, time.perf_counter() - started)
        timings.setdefault(kind, []).append(best * 1000)
        timings.setdefault("all", []).append(best * 1000)
    return timings


def measure_build(runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            conn = connect(Path(tmp) / "db.sqlite3")
            started = time.perf_counter()
            build_reference(conn)
            seconds.append(time.perf_counter() - started)
            conn.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-1m", action="store_true", help="skip the 1,000,000-code database")
    parser.add_argument("--runs", type=int, default=5, help="reference builds to time (default 5)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per query; the best is kept (default 3)")
    args = parser.parse_args()

    print(f"CodeDesk core benchmark \u2014 Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{platform.machine()}")
    build = measure_build(args.runs)
    starters = len(read_starter_codes(data_dir()))
    print(f"\nReference build ({starters:,} bundled codes): median {statistics.median(build) * 1000:.0f} ms, "
          f"max {max(build) * 1000:.0f} ms over {args.runs} runs   [target \u2264 1000 ms]")

    queries = make_queries()
    counts = {kind: sum(1 for k, _ in queries if k == kind) for kind in ("code", "prefix", "range", "words")}
    print(f"\n{len(queries)} queries: " + ", ".join(f"{n} {k}" for k, n in counts.items())
          + f"; best of {args.repeats} runs each; times in ms\n")

    OUT.mkdir(exist_ok=True)
    databases: list[tuple[str, Path]] = []
    with tempfile.TemporaryDirectory() as tmp:
        bundled = Path(tmp) / "bundled.sqlite3"
        CodeStore.open(bundled).close()
        databases.append(("bundled reference", bundled))
        databases.append(("synthetic 25k", build_synthetic_db(OUT / "synthetic-25000.sqlite3", 25_000)))
        if not args.skip_1m:
            print("(building or reusing the 1,000,000-code database in bench/out; the first build takes minutes)")
            databases.append(("synthetic 1M", build_synthetic_db(OUT / "synthetic-1000000.sqlite3", 1_000_000)))

        header = (f"{'database':<18} {'codes':>10} {'kind':<7} {'engine p50':>10} {'engine p95':>10} "
                  f"{'+counts p95':>11} {'LIKE p50':>9} {'LIKE p95':>9} {'p50 ratio':>9} {'p95 ratio':>9}")
        print(header)
        print("-" * len(header))
        for label, path in databases:
            store = CodeStore.open(path, build=False)
            total = store.conn.execute("SELECT count(*) FROM codes").fetchone()[0]
            store.search("warm up")  # first query loads the catalog pages and the vocabulary
            engine = time_queries(queries, lambda q, s=store: s.search(q, limit=50), args.repeats)
            with_counts = time_queries(queries, lambda q, s=store: s.search(q, limit=50, with_counts=True),
                                       args.repeats)
            like_repeats = 1 if total > 100_000 else args.repeats
            like = time_queries(queries, lambda q, s=store: naive_like(s.conn, q), like_repeats)
            for kind in ("all", "code", "prefix", "range", "words"):
                e, c, b = engine[kind], with_counts[kind], like[kind]
                print(f"{label if kind == 'all' else '':<18} {total if kind == 'all' else '':>10} {kind:<7} "
                      f"{percentile(e, .5):>10.2f} {percentile(e, .95):>10.2f} {percentile(c, .95):>11.2f} "
                      f"{percentile(b, .5):>9.2f} {percentile(b, .95):>9.2f} "
                      f"{percentile(b, .5) / percentile(e, .5):>8.0f}\u00d7 "
                      f"{percentile(b, .95) / percentile(e, .95):>8.0f}\u00d7")
            store.close()
    print("\nengine = CodeStore.search (50 hits, ranked); +counts = the same with per-category counts, as the "
          "window asks;\nLIKE = naive '%word%' scan of every descriptor (first 50 + total). Ratios = LIKE / engine.")
    print("Targets: engine p95 \u2264 5 ms at 25k codes, \u2264 50 ms at 1M; words \u2265 20\u00d7 faster than LIKE.")


if __name__ == "__main__":
    main()
