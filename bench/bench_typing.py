"""The engine alone while typing (not a test; issues 10 and 12): every key of the window benchmark's phrases, as the
window's worker runs it: the search (first 50 hits, row texts included) and then the per-category counts.

Run explicitly:  python bench/bench_typing.py [--runs 5] [--db PATH] [--repo OTHER_CHECKOUT]

Each run types every phrase key by key into an engine that remembers nothing (``CodeStore.refresh``), as a new
window would. Prints, per key set and per run, p50 / p95 / max of the search, of the counts and of both, in wall
time and in CPU time of the process (on a shared machine wall time includes waiting for a core; CPU time does
not), then the median of the runs, and the slowest keys. With ``--repo`` the same is measured for another
checkout's code (e.g. ``--repo ../engine-base`` for main), each run of one followed by a run of the other, in
separate processes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
STEPS = ("search", "counts", "both")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def one_run(db: Path) -> dict[str, object]:
    """Type every phrase once (in this process, with this checkout's code): per key, ms of wall and CPU time."""
    from bench.bench_ui import TYPED
    from desktop_app.core.search import SearchFilters
    from desktop_app.core.store import CodeStore

    store = CodeStore.open(db, build=False)
    store.search("warm up")  # the vocabulary and the catalog's pages, loaded once per process
    store.refresh()  # a new engine: nothing remembered
    keys: dict[str, dict[str, float]] = {}
    for text in TYPED:
        for end in range(1, len(text) + 1):
            typed = text[:end]
            wall, cpu = time.perf_counter(), time.process_time()
            result = store.search(typed, limit=50)
            wall_searched, cpu_searched = time.perf_counter(), time.process_time()
            store.engine.counts(result, SearchFilters())
            wall_end, cpu_end = time.perf_counter(), time.process_time()
            keys[typed] = {"search": (wall_searched - wall) * 1000, "counts": (wall_end - wall_searched) * 1000,
                           "both": (wall_end - wall) * 1000, "search_cpu": (cpu_searched - cpu) * 1000,
                           "counts_cpu": (cpu_end - cpu_searched) * 1000, "both_cpu": (cpu_end - cpu) * 1000}
    store.close()
    return {"keys": keys}


def summary(run: dict[str, dict[str, float]], step: str) -> tuple[float, float, float]:
    values = [key[step] for key in run.values()]
    return percentile(values, .5), percentile(values, .95), max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, default=None, help="default: the synthetic 25,000-code database")
    parser.add_argument("--repo", type=Path, default=None, help="also measure this checkout, runs alternated")
    parser.add_argument("--one-run", type=Path, default=None, help=argparse.SUPPRESS)  # a child: this code's run
    args = parser.parse_args()
    sys.path.insert(0, str(args.one_run or ROOT))
    if args.db is None:
        from bench.synthetic import build_synthetic_db

        OUT.mkdir(exist_ok=True)
        args.db = build_synthetic_db(OUT / "synthetic-25000.sqlite3", 25_000)
    if args.one_run is not None:
        print(json.dumps(one_run(args.db)))
        return
    checkouts = [("this checkout", ROOT)] + ([(f"{args.repo}", args.repo.resolve())] if args.repo else [])
    runs: dict[str, list[dict[str, dict[str, float]]]] = {label: [] for label, _ in checkouts}
    for _ in range(args.runs):
        for label, checkout in checkouts:
            # A process per run, with the checkout's desktop_app/ and bench/ first on the path.
            answer = subprocess.run([sys.executable, __file__, "--one-run", str(checkout), "--db", str(args.db)],
                                    capture_output=True, text=True, check=True, cwd=checkout)
            runs[label].append(json.loads(answer.stdout.splitlines()[-1])["keys"])
    print(f"Typing through the engine: {len(next(iter(runs.values()))[0])} keys, search (50 hits) then counts, "
          f"{args.runs} runs, fresh engine each; ms, p50 / p95 / max")
    for label, label_runs in runs.items():
        print(f"\n{label}")
        for step in (*STEPS, *(s + "_cpu" for s in STEPS)):
            each = [summary(run, step) for run in label_runs]
            p95s = " / ".join(f"{p95:.2f}" for _, p95, _ in each)
            print(f"  {step:<11} p50 {statistics.median(e[0] for e in each):6.2f}   p95 median "
                  f"{statistics.median(e[1] for e in each):6.2f} (runs {p95s})   max {max(e[2] for e in each):6.2f}")
        medians = {key: statistics.median(run[key]["both"] for run in label_runs) for key in label_runs[0]}
        slowest = sorted(medians.items(), key=lambda item: -item[1])[:6]
        print("  slowest keys (search + counts, median): "
              + ", ".join(f"{key!r} {ms:.1f}" for key, ms in slowest))


if __name__ == "__main__":
    main()
