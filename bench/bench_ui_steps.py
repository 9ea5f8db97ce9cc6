"""Where keystroke → results painted goes, step by step (not a test; issue 12).

Run explicitly:  python bench/bench_ui_steps.py [--repeat 2] [--db PATH]

Types the same phrases as ``bench/bench_ui.py`` into the real window on the 25,000-code synthetic database and
times each step of each key with ``time.perf_counter`` by wrapping the functions that do it (the window's code is
not changed): the request posted from ``textChanged``, the wait for the worker, the engine's search, the rows'
two lines (``row_text.row_texts``), the answer's delivery to the UI thread, the window's slots (model reset
included), the paint of the results list (and within it the delegates of its cells), and the search's counts (when they
ran: whether they overlapped the paint). Prints p50 / p95 / max per step, in wall-clock time and in the CPU
time of the thread that ran it (on a shared, loaded machine the wall-clock times include waiting for a core;
the CPU times do not).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.bench_ui import OUT, TYPED, PaintClock, open_window, percentile, wait_until

Marks = dict[str, float]
_marks: Marks = {}
_typed = [""]  # the search box's text after the key being timed


def _first(name: str) -> None:
    _marks.setdefault(name, time.perf_counter())


def _add(name: str, ms: float) -> None:
    _marks[name] = _marks.get(name, 0.0) + ms


def _timed(owner: Any, attribute: str, name: str, start: str = "", end: str = "") -> None:
    """Wrap ``owner.attribute``: its milliseconds add up under ``name``; ``start``/``end`` mark the first call."""
    original = getattr(owner, attribute)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began, began_cpu = time.perf_counter(), time.thread_time()
        if start:
            _marks.setdefault(start, began)
        try:
            return original(*args, **kwargs)
        finally:
            finished = time.perf_counter()
            _add(name, (finished - began) * 1000)
            # CPU time of this thread: what the step costs, whatever else the machine runs meanwhile.
            _add(name + "_cpu", (time.thread_time() - began_cpu) * 1000)
            if end:
                _marks.setdefault(end, finished)
                _marks.setdefault(end + "_cpu", time.thread_time())
            if "paint_end" not in _marks:  # during the key's first paint
                _marks[name + "_last_end"] = finished

    setattr(owner, attribute, wrapper)


def instrument() -> None:
    import desktop_app.core.store as store_module
    from desktop_app.ui import requests, results, worker

    original_post = worker.StoreService.post

    def post(self: Any, request: Any) -> int:
        if isinstance(request, requests.SearchRequest):
            _first("posted")
        return original_post(self, request)

    worker.StoreService.post = post  # type: ignore[method-assign]
    _timed(requests.SearchRequest, "run", "worker_ms", start="run_start", end="run_end")
    _timed(store_module.CodeStore, "_search", "engine_ms")
    _timed(store_module, "row_texts", "row_texts_ms")
    original_counts = requests.CountsRequest.run

    def counts(self: Any, context: Any) -> Any:
        # Only this key's counts: the previous key's may still start (or be cut short) after this key was typed.
        if self.search.query != _typed[0]:
            return original_counts(self, context)
        _first("counts_start")
        began = time.thread_time()
        try:
            return original_counts(self, context)
        finally:
            _add("counts_ms_cpu", (time.thread_time() - began) * 1000)
            _add("counts_ms", (time.perf_counter() - _marks["counts_start"]) * 1000)

    requests.CountsRequest.run = counts  # type: ignore[method-assign]
    _timed(results.ResultsModel, "set_hits", "set_hits_ms")
    _timed(results.HighlightDelegate, "paint", "title_delegate_ms")
    _timed(results.BadgeDelegate, "paint", "badge_delegate_ms")
    _timed(results.RowTextDelegate, "paint", "text_delegate_ms")
    _timed(results.ResultsView, "paintEvent", "paint_ms", start="paint_start", end="paint_end")


def measure(db: Path, repeat: int) -> list[Marks]:
    from PySide6.QtTest import QTest

    from desktop_app.ui.requests import CountsAnswer, SearchAnswer

    opened, _store, close = open_window(db)
    window: Any = opened  # the MainWindow (bench_ui keeps its helpers free of the window's type)
    rows: list[Marks] = []
    try:
        box, service, stack = window.search_box, window.service, window.results_stack
        clock = PaintClock([window.results_view.viewport(), window.empty_state])
        answered = [0.0]

        def on_answer(_answer: SearchAnswer) -> None:
            answered[0] = time.perf_counter()
            stack.currentWidget().update()  # as bench_ui: every key is timed to a real paint

        subscribers: dict[type, list[Callable[[Any], object]]] = service._subscribers
        subscribers[SearchAnswer].insert(0, lambda _a: _first("delivered"))
        service.on(SearchAnswer, on_answer)
        service.on(SearchAnswer, lambda _a: _add("slots_ms", (time.perf_counter() - _marks["delivered"]) * 1000))
        service.on(CountsAnswer, lambda _a: _first("counts_delivered"))
        for _ in range(repeat):
            for text in TYPED:
                box.clear()
                wait_until(lambda: service.settled("search"), 30)
                for char in text:
                    _marks.clear()
                    _typed[0] = box.text() + char
                    _marks["key_cpu"] = time.thread_time()
                    started = _marks["key"] = time.perf_counter()
                    QTest.keyClick(box, char)  # type: ignore[call-overload]
                    def shown(started: float = started) -> bool:
                        return bool(service.settled("search")) and answered[0] > started \
                            and clock.last_paint >= answered[0]

                    wait_until(shown, 30)
                    painted = clock.last_paint
                    # Let the counts come too (or give up on them): did they run during the paint?
                    def counted(started: float = started) -> bool:
                        return "counts_delivered" in _marks or time.perf_counter() - started > 0.3

                    wait_until(counted, 1)
                    rows.append({**_marks, "painted": painted, "empty": float(stack.currentWidget()
                                                                              is window.empty_state)})
        return rows
    finally:
        close()


def between(row: Marks, a: str, b: str) -> float | None:
    return (row[b] - row[a]) * 1000 if a in row and b in row else None


def cpu(name: str) -> Callable[[Marks], float | None]:
    return lambda row: row.get(name + "_cpu")


STEPS: list[tuple[str, Callable[[Marks], float | None], Callable[[Marks], float | None] | None]] = [
    ("key → search posted (textChanged)", lambda r: between(r, "key", "posted"), None),
    ("posted → worker starts it (queue, wake)", lambda r: between(r, "posted", "run_start"), None),
    ("  worker: engine search (CodeStore._search)", lambda r: r.get("engine_ms"), cpu("engine_ms")),
    ("  worker: rows' two lines (row_texts)", lambda r: r.get("row_texts_ms"), cpu("row_texts_ms")),
    ("worker: the whole request", lambda r: r.get("worker_ms"), cpu("worker_ms")),
    ("worker done → answer in the UI thread", lambda r: between(r, "run_end", "delivered"), None),
    ("UI: the answer's slots (model reset, note, buttons)", lambda r: r.get("slots_ms"), None),
    ("  of which ResultsModel.set_hits", lambda r: r.get("set_hits_ms"), cpu("set_hits_ms")),
    ("slots done → paint starts", lambda r: (r["paint_start"] - r["delivered"]) * 1000 - r.get("slots_ms", 0)
     if "paint_start" in r and "delivered" in r else None, None),
    ("paint of the results list (all paints this key)", lambda r: r.get("paint_ms"), cpu("paint_ms")),
    ("  title delegate", lambda r: r.get("title_delegate_ms"), cpu("title_delegate_ms")),
    ("  category badge delegate", lambda r: r.get("badge_delegate_ms"), cpu("badge_delegate_ms")),
    ("  code and source cells", lambda r: r.get("text_delegate_ms"), cpu("text_delegate_ms")),
    ("this key's counts in the worker", lambda r: r.get("counts_ms"), cpu("counts_ms")),
    ("TOTAL key → results painted (CPU: UI thread + worker)", lambda r: (r["painted"] - r["key"]) * 1000,
     lambda r: (r["paint_end_cpu"] - r["key_cpu"]) * 1000 + r.get("worker_ms_cpu", 0)
     if "paint_end_cpu" in r else None),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="times each phrase is typed")
    parser.add_argument("--db", type=Path, help="database (default: the 25,000-code synthetic one)")
    args = parser.parse_args()
    from bench.synthetic import build_synthetic_db

    OUT.mkdir(exist_ok=True)
    db = args.db or build_synthetic_db(OUT / "synthetic-25000.sqlite3", 25_000)
    instrument()
    rows = measure(db, args.repeat)
    listed = [r for r in rows if not r["empty"]]
    # Counts that started before the first paint's last title cell was drawn ran during the paint.
    overlapped = sum(1 for r in listed if r.get("counts_start", float("inf"))
                     < min(r.get("title_delegate_ms_last_end", 0), r.get("paint_end", 0)))
    width = max(len(name) for name, _, _ in STEPS)
    print(f"keystroke → paint, step by step: {len(rows)} keys ({len(listed)} with a list painted), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'step':<{width}}  {'wall p50':>8}  {'p95':>7}  {'max':>7}  {'CPU p50':>8}  {'p95':>7}  (ms)")
    print("-" * (width + 52))
    for name, value, cpu_value in STEPS:
        values = [v for v in (value(r) for r in rows) if v is not None]
        cpus = [v for v in (cpu_value(r) for r in rows) if v is not None] if cpu_value else []
        if values:
            cpu_text = f"{percentile(cpus, 0.5):8.2f}  {percentile(cpus, 0.95):7.2f}" if cpus else ""
            print(f"{name:<{width}}  {percentile(values, 0.5):8.2f}  {percentile(values, 0.95):7.2f}  "
                  f"{max(values):7.2f}  {cpu_text}")
    print(f"counts ran while the list was painting: {overlapped} of {len(listed)} keys")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
