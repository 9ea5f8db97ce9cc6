"""kill -9 in the middle of an import leaves the previous data intact: a real subprocess imports several files
and is killed (SIGKILL) at several points, from reading to the moment before COMMIT; the database, opened
again, holds exactly what it held before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from importer_helpers import FIXTURES, dump

from desktop_app.core.importers import import_paths
from desktop_app.core.store import CodeStore

# The child imports these in one transaction; its progress callback prints each report and, at the chosen one,
# waits to be killed. A point is (message prefix, done): "Writing ..." reports 2 after the source row, 4 and 6
# after every row of that file; once every file is written, "Updating statuses and the search index" reports 1
# after statuses and 2 after the search rows, just before the index is settled and COMMIT.
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from desktop_app.core.store import CodeStore
    from desktop_app.core.importers import import_paths

    prefix, done_at = sys.argv[2], int(sys.argv[3])

    def progress(message, done, total):
        print(message, done, flush=True)
        if message.startswith(prefix) and done == done_at:
            print("KILL ME", flush=True)
            time.sleep(60)

    store = CodeStore.open(Path(sys.argv[1]))
    import_paths(store.conn, [Path(p) for p in sys.argv[4:]], progress=progress)
    print("COMMITTED", flush=True)
    """
)
FILES = ["cms/HCPC2030_ANWEB_fixture.txt", "cms/PPRRVU2030_Apr.csv", "ama"]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize(
    ("prefix", "done"),
    [
        ("Reading", 0),
        ("Writing", 0),
        ("Writing", 2),
        ("Writing", 4),
        # the second file, after the first was written in full: still one transaction
        ("Writing CMS PFS RVU", 4),
        ("Writing CMS PFS RVU", 6),
        # every file written; statuses, then search rows, derived once for all of them
        ("Updating statuses", 1),
        ("Updating statuses", 2),
    ],
)
def test_kill_9_mid_import_keeps_the_previous_data(tmp_path: Path, prefix: str, done: int) -> None:
    path = tmp_path / "db.sqlite3"
    store = CodeStore.open(path)
    import_paths(store.conn, [FIXTURES / "cms/PPRRVU2030_Jan.csv"])
    before = dump(store.conn)
    store.close()

    script = tmp_path / "child.py"
    script.write_text(CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script), str(path), prefix, str(done), *(str(FIXTURES / f) for f in FILES)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,  # the installed CodeDesk (the wheel, in CI), not the checkout's files
    )
    assert child.stdout is not None
    seen = []
    for line in child.stdout:
        seen.append(line.strip())
        if line.strip() == "KILL ME":
            os.kill(child.pid, signal.SIGKILL)
            break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, f"the child was not killed at {prefix} {done}: {seen}"
    assert "COMMITTED" not in seen

    store = CodeStore.open(path)
    try:
        assert dump(store.conn) == before
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()
