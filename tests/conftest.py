"""Shared fixtures: a reference database built once per session and copied per test, and the real data."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The CLI and the app write a log file; the tests' logs go to a temporary folder, not the user's.
os.environ.setdefault("CODEDESK_LOG_DIR", tempfile.mkdtemp(prefix="codedesk-test-logs-"))

import desktop_app
from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore

REPO = Path(__file__).resolve().parents[1]
# Test modules import helpers as ``tests.conftest``. The checkout goes at the END of the path, so an installed
# CodeDesk (CI installs the wheel and runs ``pytest``) still wins over the checkout's desktop_app/.
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))
if os.environ.get("CODEDESK_EXPECT_INSTALLED") and Path(desktop_app.__file__).resolve().is_relative_to(REPO):
    raise RuntimeError(f"CODEDESK_EXPECT_INSTALLED is set but desktop_app comes from the checkout {REPO}")
SHARED_DATA = (REPO.parent / "shared" / "data").resolve()


def pytest_report_header() -> str:
    """Which CodeDesk is under test: CI runs the suite against the installed wheel, not this checkout."""
    return f"desktop_app: {Path(desktop_app.__file__).parent}"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real CMS files in ../shared/data; tests that need them skip when they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not available: {SHARED_DATA} is missing (it is never committed, for licensing)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def reference_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled reference, built once; tests get copies so each starts from the same state."""
    path = tmp_path_factory.mktemp("template") / "reference.sqlite3"
    store = CodeStore.open(path)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.conn.execute("PRAGMA journal_mode = DELETE")
    store.close()
    return path


@pytest.fixture(scope="session")
def store_with_real_files(shared_data: Path, reference_template: Path, tmp_path_factory: pytest.TempPathFactory
                          ) -> Iterator[CodeStore]:
    """The bundled reference with the real 2025 RVU CSV and HCPCS workbook imported, built once for every module
    that only searches it (the search-reach and vocabulary rounds): do not change it in a test."""
    path = tmp_path_factory.mktemp("real-files") / "imported.sqlite3"
    shutil.copyfile(reference_template, path)
    store = CodeStore.open(path)
    import_paths(store.conn, [shared_data / "cms-pfs-rvu-2025d" / "PPRRVU2025_Oct.csv",
                              shared_data / "cms-hcpcs-2025-oct" / "HCPC2025_OCT_ANWEB.xlsx"])
    store.refresh()
    yield store
    store.close()


@pytest.fixture
def db_path(tmp_path: Path, reference_template: Path) -> Path:
    path = tmp_path / "codedesk.sqlite3"
    shutil.copyfile(reference_template, path)
    return path


@pytest.fixture
def store(db_path: Path) -> Iterator[CodeStore]:
    opened = CodeStore.open(db_path)
    yield opened
    opened.close()


# Invented words for an invented code set: no real descriptor text, and nothing the bundled summaries use.
INVENTED_COMMON_WORD = "frambly"  # in every invented code
INVENTED_RARE_WORD = "quixotal"  # in INVENTED_RARE_CODES only
INVENTED_RARE_CODES = ("10021", "11500", "12900")
INVENTED_CODE_COUNT = 3000


def add_invented_codes(path: Path, count: int = INVENTED_CODE_COUNT) -> None:
    """Add ``count`` invented Category I codes (numbers 10000 up, under Surgery) with invented titles, written
    the way the indexer writes them (a codes row and its FTS row), in one transaction.

    Big enough that a plan walking a category's codes instead of the FTS matches shows up plainly.
    """
    import random

    from desktop_app.core.catalog import Catalog
    from desktop_app.core.database import connect, transaction
    from desktop_app.core.indexing import filter_text

    rng = random.Random(9)
    fillers = ["plimsy", "carrowed", "dastle", "wimbering", "oblate", "strennet", "gollup", "varnish", "tessil"]
    conn = connect(path)
    try:
        catalog = Catalog.from_db(conn)
        taken = {row[0] for row in conn.execute("SELECT code FROM codes")}
        next_id = int(conn.execute("SELECT max(id) FROM codes").fetchone()[0]) + 1
        with transaction(conn):
            number = 10000
            added = 0
            while added < count:
                code = f"{number:05d}"
                number += 1
                if code in taken:
                    continue
                words = [INVENTED_COMMON_WORD, *rng.sample(fillers, 3)]
                if code in INVENTED_RARE_CODES:
                    words.append(INVENTED_RARE_WORD)
                title = " ".join(words).capitalize()
                section = catalog.section_for(code)
                conn.execute("INSERT INTO codes (id, code, code_set, section_id, title) VALUES (?, ?, 'I', ?, ?)",
                             (next_id, code, section.id if section else None, title))
                path = catalog.section_path(section.id if section else None)
                filters = filter_text("I", "code", [s.id for s in path])
                conn.execute("INSERT INTO code_fts (rowid, code, title, body, keywords, filters) "
                             "VALUES (?, ?, ?, '', '', ?)", (next_id, code, title, filters))
                next_id += 1
                added += 1
        conn.execute("PRAGMA optimize")
    finally:
        conn.close()


@pytest.fixture
def invented_db(db_path: Path) -> Path:
    """The bundled reference plus :data:`INVENTED_CODE_COUNT` invented Category I codes."""
    add_invented_codes(db_path)
    return db_path


def rvu_with_one_title(tmp_path: Path, codes: tuple[str, ...] = ("45384", "45385"),
                       title: str = "Invented same title") -> Path:
    """An RVU file in the CMS layout (from the invented fixture) giving ``codes`` one short descriptor, as the real
    file does for 45384 and 45385."""
    text = (Path(__file__).resolve().parent / "fixtures" / "cms" / "PPRRVU2030_Jan.csv").read_text(encoding="utf-8")
    header_end = text.index("\n", text.index("HCPCS,")) + 1
    first_row = text[header_end:text.index("\n", header_end) + 1]
    code, old_title = first_row.split(",")[0], first_row.split(",")[2]
    rows = "".join(first_row.replace(code, twin, 1).replace(old_title, title, 1) for twin in codes)
    path = tmp_path / "PPRRVU2030_Jan.csv"
    path.write_text(text[:header_end] + rows, encoding="utf-8")
    return path


@pytest.fixture
def imported(store_with_real_files: CodeStore) -> CodeStore:
    """The bundled reference with the real RVU and HCPCS files imported (shared, built once; searched only)."""
    return store_with_real_files


def found_codes(store: CodeStore, query: str, limit: int = 10) -> list[str]:
    """The codes a search lists, best first."""
    return [hit.code for hit in store.search(query, limit=limit).hits]
