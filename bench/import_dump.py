"""Dump the database the real files make, to prove a faster importer writes the same content.

Run explicitly (not part of the tests):  python bench/import_dump.py OUT.txt [--data DIR]

Imports every real file of ``../shared/data`` one import after the other into a fresh database (the RVU CSV,
then the same release again from the TXT, which replaces it; HCPCS 2020 then Oct 2025; the QPP files; the GPCI
file; the NCCI excerpts), then writes every table (FTS5 shadow tables included) as sorted text lines. The only
column left out is ``sources.loaded_at`` (the time of the import). Run it on two checkouts and ``cmp`` the two
outputs: equal files mean equal databases.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (REPO / ".." / "shared" / "data").resolve()

# One import per entry, in this order (later releases and re-imports exercise replacing and reindexing).
IMPORTS = [
    ["cms-pfs-rvu-2025d/PPRRVU2025_Oct.csv"],
    ["cms-pfs-rvu-2025d/PPRRVU2025_Oct.txt"],
    ["cms-hcpcs-2020/HCPC2020_ANWEB_w_disclaimer.txt"],
    ["cms-hcpcs-2025-oct/HCPC2025_OCT_ANWEB.xlsx"],
    ["cms-qpp-measures/measures-data-2025.json", "cms-qpp-measures/2025_Claims_SingleSource_V9.1.csv"],
    ["cms-gpci-2026/GPCI2026.csv"],
    ["cms-ncci/ccipra-v322r0-f1.excerpt.txt"],
    ["cms-ncci/MCR_MUE_PractitionerServices_Eff_07-01-2026.excerpt.csv"],
    ["cms-pfs-rvu-2025d/PPRRVU2025_Oct.csv"],
]


def dump(db: Path) -> list[str]:
    store = CodeStore.open(db)
    try:
        conn = store.conn
        out: list[str] = []
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for sql, in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"):
            out.append(f"schema {sql}")
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            if table == "sources":
                columns = [c for c in columns if c != "loaded_at"]
            if not columns:
                continue
            select = ", ".join(f'"{c}"' for c in columns)
            rows = sorted(repr(tuple(row)) for row in conn.execute(f'SELECT {select} FROM "{table}"'))
            out.append(f"table {table} ({len(rows)} rows) {select}")
            out.extend(f"{table} {row}" for row in rows)
        return out
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="codedesk-dump-") as tmp:
        db = Path(tmp) / "dump.sqlite3"
        store = CodeStore.open(db)
        try:
            for group in IMPORTS:
                paths = [args.data / p for p in group]
                if all(p.exists() for p in paths):
                    import_paths(store.conn, paths)
                else:
                    print(f"skipped (not found): {group}", file=sys.stderr)
        finally:
            store.close()
        lines = dump(db)
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(f"{len(lines):,} lines, sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
