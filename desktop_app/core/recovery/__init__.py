"""Damage detected and survived: checks when a database opens, kept copies of imported files, rebuilding a
damaged reference database from them, and salvaging what is readable from a damaged user database.

* **Sessions.** Each process that opens a database leaves a marker beside it (``<db>.open-<pid>``) and removes
  it when it closes cleanly. A marker whose process is gone means a session ended uncleanly (killed, crashed,
  power lost): a full ``integrity_check`` is then due (in the background in the window), and stays due until
  it has passed. A ``-wal`` with no ``-shm`` is stale and set aside before SQLite can replay it.
* **Cheap checks.** At every open the file header is read and ``PRAGMA quick_check`` runs on a small time
  budget; a damage the budget did not reach is found by the full check.
* **Kept imports.** Every successful import leaves a compressed copy of its files (``<db stem>-imports/NNNN.zip``
  with a ``NNNN.json`` naming the sources it made) so a rebuild needs nothing from the user; removing a
  source drops it from its copy, and a copy with no sources left is deleted.
* **Rebuild.** A damaged reference database is renamed with a timestamp, built again from the bundle, and every
  kept import is read again.
* **Salvage.** A damaged user database is renamed with a timestamp and everything still readable (favourites,
  notes, history row by row, skipping unreadable pages) is copied into a new one.
"""

from __future__ import annotations

from desktop_app.core.recovery.kept import (
    KEPT_SUFFIX,
    KeptImport,
    database_file,
    forget_kept_source,
    keep_import,
    kept_imports,
    kept_imports_dir,
)
from desktop_app.core.recovery.rebuild import (
    OpenedReference,
    RebuildReport,
    missing_kept_sources,
    open_reference,
    rebuild_reference,
    restore_kept,
    stale_wal_notice,
)
from desktop_app.core.recovery.salvage import (
    OpenedUserData,
    SalvageReport,
    open_userdata,
    salvage_userdata,
    userdata_problem,
)
from desktop_app.core.recovery.sessions import (
    QUICK_CHECK_SECONDS,
    SQLITE_HEADER,
    FullCheck,
    ProgressFn,
    Session,
    check_connection,
    check_passed,
    check_pending_flag,
    damage_flag,
    flagged_damage,
    full_check,
    header_problem,
    is_damage,
    mark_damaged,
    set_aside,
    set_aside_stale_wal,
)

__all__ = [
    "KEPT_SUFFIX",
    "QUICK_CHECK_SECONDS",
    "SQLITE_HEADER",
    "FullCheck",
    "KeptImport",
    "OpenedReference",
    "OpenedUserData",
    "ProgressFn",
    "RebuildReport",
    "SalvageReport",
    "Session",
    "check_connection",
    "check_passed",
    "check_pending_flag",
    "damage_flag",
    "database_file",
    "flagged_damage",
    "forget_kept_source",
    "full_check",
    "header_problem",
    "is_damage",
    "keep_import",
    "kept_imports",
    "kept_imports_dir",
    "mark_damaged",
    "missing_kept_sources",
    "open_reference",
    "open_userdata",
    "rebuild_reference",
    "restore_kept",
    "salvage_userdata",
    "set_aside",
    "set_aside_stale_wal",
    "stale_wal_notice",
    "userdata_problem",
]
