"""Resource limits of the importers: peak memory and time for hostile and large inputs.

Run explicitly (not part of the tests):  python bench/bench_limits.py [--repo DIR] [--only NAME ...] [--keep DIR]

Each case builds one input file (in a temporary folder) and imports it into a fresh database in a SUBPROCESS,
which reports its own peak RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), its wall time and how the import
ended (imported / refused with the message / internal error). The subprocess runs under an address-space cap
(``--cap-mb``, default 3,000 MB) and a time limit (``--timeout``), so a baseline that would need 8 GB shows as
"MemoryError" instead of taking the machine down.

``--repo`` imports from another checkout (for example the main branch before the limits) so before/after come
from the same run on the same machine. Target (issue 9): peak RSS <= 300 MB for any input up to 200 MB, and
non-importable zip members skipped in <= 1 ms each.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
REAL_DATA = (REPO / ".." / "shared" / "data").resolve()
MB = 1024 * 1024
TARGET_MB = 300

# The child: import one path, print a JSON line with the outcome, the peak RSS and the seconds.
CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from desktop_app.core.errors import UserError
from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore
store = CodeStore.open(Path(sys.argv[3]))
started = time.perf_counter()
try:
    summaries = import_paths(store.conn, [Path(sys.argv[2])])
    outcome = "imported " + ", ".join(f"{s.added + s.updated + s.unchanged:,} {s.format}" for s in summaries)
except UserError as exc:
    outcome = "refused: " + str(exc)
except MemoryError:
    outcome = "MemoryError (over the cap)"
except Exception as exc:
    outcome = f"INTERNAL ERROR {type(exc).__name__}: {exc}"
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"outcome": outcome[:160], "seconds": seconds, "peak_mb": peak}))
"""


def _rvu_rows() -> tuple[bytes, list[bytes]]:
    lines = (FIXTURES / "cms" / "PPRRVU2030_Jan.csv").read_bytes().splitlines(keepends=True)
    header_end = next(i for i, line in enumerate(lines) if line.startswith(b"HCPCS,MOD,")) + 1
    return b"".join(lines[:header_end]), lines[header_end:]


def rvu_csv_repeated(target: Path, size: int) -> None:
    """The fixture's rows repeated to ``size`` bytes (what the audit built: refused on a duplicate key)."""
    head, rows = _rvu_rows()
    body = b"".join(rows)
    with target.open("wb") as out:
        out.write(head)
        written = len(head)
        while written < size:
            out.write(body)
            written += len(body)


def rvu_csv_unique(target: Path, size: int) -> None:
    """Distinct codes (99990 with every modifier 00-ZZ, then more codes): a file that is valid as long as it goes."""
    head, rows = _rvu_rows()
    template = rows[3].split(b",", 2)[2]  # everything after HCPCS,MOD
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    with target.open("wb") as out:
        out.write(head)
        written = len(head)
        number = 0
        while written < size:
            code = f"{10000 + number // 1296:05d}"
            modifier = alphabet[(number // 36) % 36] + alphabet[number % 36]
            row = f"{code},{modifier},".encode() + template
            out.write(row)
            written += len(row)
            number += 1


def rvu_csv_rows(target: Path, count: int) -> None:
    """``count`` distinct rows: the largest RVU file the line limit lets through."""
    head, rows = _rvu_rows()
    template = rows[3].split(b",", 2)[2]
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    with target.open("wb") as out:
        out.write(head)
        for number in range(count):
            code = f"{10000 + number // 1296:05d}"
            out.write(f"{code},{alphabet[(number // 36) % 36]}{alphabet[number % 36]},".encode() + template)


def two_rvu_csvs(target: Path, count: int) -> None:
    one = target.with_suffix(".csv")
    rvu_csv_rows(one, count)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(one, "jan/PPRRVU2030_Jan.csv")
        zf.write(one, "apr/PPRRVU2030_Apr.csv")
    one.unlink()


def two_rvu_xlsx(target: Path, count: int) -> None:
    """Two RVU workbooks of ``count`` distinct rows each in one zip (40,000 rows make a 59 MB sheet, just under
    the 64 MB limit for a part)."""
    from openpyxl import Workbook

    head, rows = _rvu_rows()
    heading = list(csv.reader(io.StringIO(head.decode())))
    template = next(csv.reader(io.StringIO(rows[3].decode())))[2:]
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in heading:
        sheet.append(row)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for number in range(count):
        code = f"{10000 + number // 1296:05d}"
        sheet.append([code, alphabet[(number // 36) % 36] + alphabet[number % 36], *template])
    one = target.with_suffix(".xlsx")
    book.save(one)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(one, "jan/PPRRVU2030_Jan.xlsx")
        zf.write(one, "apr/PPRRVU2030_Apr.xlsx")
    one.unlink()


def practice_csv(target: Path, count: int) -> None:
    """A practice list of ``count`` distinct codes with long descriptors (about 24 MB at 119,000)."""
    letters = "ABCDEGHJKLMPQRSTUV"
    with target.open("wb") as out:
        out.write(b"code,descriptor\r\n")
        for number in range(count):
            code = f"{letters[number // 10000]}{number % 10000:04d}"
            out.write(f"{code},Invented practice description number {number} ".encode() + b"x" * 160 + b"\r\n")


def zip_bomb(target: Path, size: int) -> None:
    """A small zip holding one PPRRVU CSV of ``size`` bytes: its rows, then a long run of spaces."""
    head, rows = _rvu_rows()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("PPRRVU2030_Jan.csv", "w") as out:
        out.write(head + b"".join(rows))
        chunk = b" " * MB
        for _ in range(size // MB):
            out.write(chunk)


def xlsx_shared_strings(target: Path, size: int) -> None:
    """The RVU xlsx fixture plus a shared-strings part of ``size`` bytes (compresses to well under 1 MB)."""
    source = zipfile.ZipFile(FIXTURES / "cms" / "PPRRVU2030_Jan.xlsx")
    with source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            zf.writestr(info, data)
        item = b"<si><t>" + b"x" * 1000 + b"</t></si>"
        count = size // len(item)
        with zf.open("xl/sharedStrings.xml", "w") as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                      b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (count, count))
            for _ in range(count):
                out.write(item)
            out.write(b"</sst>")


def zip_many_members(target: Path, count: int) -> None:
    """A real-looking release zip: one small HCPCS file and ``count`` notes that are not importable."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(FIXTURES / "cms" / "HCPC2030_ANWEB_fixture.txt", "HCPC2030_ANWEB_fixture.txt")
        for n in range(count):
            zf.writestr(f"notes/note{n:05d}.txt", f"Invented note number {n}.\r\n")


def newlines(target: Path, size: int) -> None:
    with target.open("wb") as out:
        for _ in range(size // MB):
            out.write(b"\n" * MB)


REAL_FILES = {
    "real-rvu-csv": "cms-pfs-rvu-2025d/PPRRVU2025_Oct.csv",
    "real-hcpcs-xlsx": "cms-hcpcs-2025-oct/HCPC2025_OCT_ANWEB.xlsx",
}


def real(_target: Path, _size: int) -> None:
    """Placeholder: real files are copied from --data by main()."""


# name, file name, builder, size argument, what it shows
CASES: list[tuple[str, str, Callable[[Path, int], None], int, str]] = [
    ("rvu-csv-200mb-repeated", "PPRRVU2030_Jan.csv", rvu_csv_repeated, 200 * MB, "200 MB CSV, rows repeated"),
    ("rvu-csv-200mb-unique", "PPRRVU2030_Jan.csv", rvu_csv_unique, 200 * MB, "200 MB CSV, distinct rows"),
    ("rvu-csv-30mb-unique", "PPRRVU2030_Jan.csv", rvu_csv_unique, 30 * MB, "30 MB CSV, distinct rows"),
    ("rvu-csv-119k-rows", "PPRRVU2030_Jan.csv", rvu_csv_rows, 119_000, "largest RVU CSV within the row limit"),
    ("practice-csv-119k-rows", "practice.csv", practice_csv, 119_000, "practice list near both limits"),
    ("zip-two-119k-rvu-csvs", "RVU30.zip", two_rvu_csvs, 119_000, "two of the largest RVU CSVs in one zip"),
    ("zip-two-40k-rvu-xlsx", "RVU30.zip", two_rvu_xlsx, 40_000, "two RVU workbooks near the sheet limit"),
    ("zip-bomb-480mb", "RVU30A.zip", zip_bomb, 480 * MB, "zip of ~1 MB, member of 480 MB"),
    ("xlsx-shared-strings-400mb", "PPRRVU2030_Jan.xlsx", xlsx_shared_strings, 400 * MB, "400 MB of shared strings"),
    ("newlines-200mb", "practice.csv", newlines, 200 * MB, "200 MB of line ends"),
    ("zip-20000-members", "HCPC2030.zip", zip_many_members, 20_000, "1 HCPCS file + 20,000 notes"),
    ("real-rvu-csv", "PPRRVU2025_Oct.csv", real, 0, "real CMS file"),
    ("real-hcpcs-xlsx", "HCPC2025_OCT_ANWEB.xlsx", real, 0, "real CMS file"),
]


def run_case(repo: Path, path: Path, workdir: Path, cap_mb: int, timeout: float) -> dict[str, object]:
    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap_mb * MB, cap_mb * MB))

    db = workdir / f"db-{time.monotonic_ns()}.sqlite3"
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(repo), str(path), str(db)], capture_output=True,
                              text=True, timeout=timeout, preexec_fn=limits, check=False)
    except subprocess.TimeoutExpired:
        return {"outcome": f"TIMEOUT after {timeout:.0f} s", "seconds": time.perf_counter() - started,
                "peak_mb": float("nan")}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"outcome": f"CRASHED ({done.returncode}): {tail[:120]}", "seconds": time.perf_counter() - started,
                "peak_mb": float("nan")}
    return json.loads(lines[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose desktop_app is measured")
    parser.add_argument("--only", nargs="*", help="case names to run")
    parser.add_argument("--cap-mb", type=int, default=3000)
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("--runs", type=int, default=1, help="runs per case (the median is shown)")
    parser.add_argument("--keep", type=Path, help="build the inputs here (and keep them)")
    parser.add_argument("--data", type=Path, default=REAL_DATA, help="the real data folder (default ../shared/data)")
    args = parser.parse_args()
    cases = [c for c in CASES if not args.only or c[0] in args.only]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"repo: {args.repo.resolve()}   cap: {args.cap_mb:,} MB   target: peak RSS <= {TARGET_MB} MB\n")
        print(f"{'case':<27} {'input MB':>9} {'peak MB':>8} {'seconds':>8}  outcome")
        worst = 0.0
        for name, file_name, build, size, _what in cases:
            path = folder / name / file_name
            if name in REAL_FILES:
                if not (args.data / REAL_FILES[name]).is_file():
                    print(f"{name:<27} skipped: {args.data} is missing")
                    continue
                path = args.data / REAL_FILES[name]
            else:
                path.parent.mkdir(exist_ok=True)
                if not path.exists():
                    build(path, size)
            results = [run_case(args.repo, path, folder, args.cap_mb, args.timeout) for _ in range(args.runs)]
            peak = statistics.median(float(r["peak_mb"]) for r in results)  # type: ignore[arg-type]
            seconds = statistics.median(float(r["seconds"]) for r in results)  # type: ignore[arg-type]
            worst = max(worst, peak) if peak == peak else float("inf")
            extra = ""
            if name == "zip-20000-members":
                extra = f" [{seconds / size * 1000:.3f} ms a member]"
            print(f"{name:<27} {os.path.getsize(path) / MB:>9.1f} {peak:>8.0f} {seconds:>8.2f}  "
                  f"{results[0]['outcome']}{extra}")
        print(f"\nworst peak RSS: {worst:.0f} MB ({'within' if worst <= TARGET_MB else 'OVER'} {TARGET_MB} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
