"""Modifier search: quality (hit@1, hit@5) on a query set whose answers come from the modifiers' definitions,
beside a naive baseline, and the cost of modified codes (99213-25) next to the plain code, in the same run.

    python -m bench.bench_modifiers [--db PATH] [--repeats N]

The answers are facts about the modifiers (50 is the bilateral modifier, 59 the distinct procedural service),
checked against DOMAIN.md and the CMS HCPCS file's modifier text; they are not read from our own CSV, so a
keyword we forgot shows up here as a miss.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from desktop_app.core.store import CodeStore

# (query, modifiers any of which is a right answer)
QUERIES: tuple[tuple[str, frozenset[str]], ...] = tuple((q, frozenset(a.split())) for q, a in (
    # G0 (telehealth for acute stroke) is a telehealth modifier too, named only in the imported HCPCS text.
    ("modifier 25", "25"), ("mod 59", "59"), ("-59", "59"), ("25", "25"), ("8P", "8P"), ("1P", "1P"),
    ("TC", "TC"), ("LT", "LT"), ("modifier TC", "TC"),
    ("bilateral", "50"), ("distinct procedural service", "59"), ("telehealth modifier", "95 GT FQ 93 GQ G0"),
    ("left side modifier", "LT"), ("right side modifier", "RT"), ("professional component", "26"),
    ("technical component", "TC"), ("separate encounter", "XE"), ("separate structure", "XS"),
    ("reduced services", "52"), ("discontinued procedure", "53"), ("repeat procedure modifier", "76 77"),
    ("assistant surgeon", "80 81 82 AS"), ("abn modifier", "GA"), ("waiver of liability", "GA"),
    ("drug wasted", "JW"), ("zero drug wasted", "JZ"), ("clia waived test", "QW"),
    ("performance not met", "8P"), ("multiple procedures", "51"), ("decision for surgery", "57"),
    ("audio only modifier", "93 FQ"), ("left thumb", "FA"), ("great toe modifier", "TA T5"),
    ("physical therapy plan of care", "GP"), ("resident teaching physician modifier", "GC GE"),
    ("two surgeons", "62"), ("staged procedure", "58"), ("monitored anesthesia care", "QS G8 G9"),
))
TIMED = ("99213", "99213-25", "99213 25", "27447-RT-59", "3074F-8P", "27447-50", "11042-80-51", "71046-26",
         "modifier 25", "bilateral", "office visit")


def naive(conn: sqlite3.Connection, query: str) -> list[str]:
    """Baseline: modifiers and codes whose descriptors contain every word (LIKE), in code order."""
    words = re.findall(r"\w+", query.lower()) or [query]
    where = " AND ".join("(d.text LIKE ? OR d.code = ?)" for _ in words)
    params: list[str] = []
    for word in words:
        params += [f"%{word}%", word.upper()]
    return [r[0] for r in conn.execute(
        f"SELECT DISTINCT d.code FROM descriptors d WHERE d.kind != 'keywords' AND {where} ORDER BY d.code LIMIT 5",
        params)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, action="append", default=[], help="also measure this database")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bundled = Path(tmp) / "bundled.sqlite3"
        CodeStore.open(bundled).close()
        for label, path in [("bundled reference", bundled), *((p.name, p) for p in args.db)]:
            store = CodeStore.open(path, build=False)
            engine = [[h.code for h in store.search(q, limit=5).hits] for q, _ in QUERIES]
            baseline = [naive(store.conn, q) for q, _ in QUERIES]

            def hit(found: list[list[str]], k: int) -> float:
                pairs = zip(found, QUERIES, strict=True)
                return sum(bool(set(f[:k]) & answer) for f, (_, answer) in pairs) / len(QUERIES)

            print(f"\n{label}: {len(QUERIES)} modifier queries")
            print(f"  {'':<10} {'hit@1':>6} {'hit@5':>6}")
            print(f"  {'engine':<10} {hit(engine, 1):>6.0%} {hit(engine, 5):>6.0%}")
            print(f"  {'LIKE':<10} {hit(baseline, 1):>6.0%} {hit(baseline, 5):>6.0%}")
            for k in (1, 5):
                misses = [f"{q} \u2192 {f[:k]}" for (q, answer), f in zip(QUERIES, engine, strict=True)
                          if not set(f[:k]) & answer]
                print(f"  engine misses at {k}: {'; '.join(misses) or 'none'}")
            print(f"  {'query':<16} {'median ms':>9}  (median of {args.repeats} runs, limit 50)")
            for query in TIMED:
                times = []
                for _ in range(args.repeats):
                    started = time.perf_counter()
                    store.search(query, limit=50)
                    times.append((time.perf_counter() - started) * 1000)
                print(f"  {query:<16} {statistics.median(times):>9.2f}")
            store.close()


if __name__ == "__main__":
    main()
