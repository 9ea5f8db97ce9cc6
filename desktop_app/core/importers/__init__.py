"""Importers: CMS RVU, CMS HCPCS, AMA CPT data files, CMS QPP measures and plain code lists.

The public API (the CLI and the UI's import worker call exactly these):

* :data:`SUPPORTED_FORMATS` – text for people listing what can be imported;
* :func:`detect` – the format id of a file (``'zip'``/``'folder'`` for a container with an importable file);
* :func:`import_paths` – read files, folders or zips and write them, all in ONE transaction;
* :func:`remove_source` – delete an imported source again;
* :class:`ImportSummary` – what one import did.

Each file is parsed completely before anything is written, so a broken file fails with
:class:`~desktop_app.core.errors.ImportFileError` (file, line, reason) and the database is exactly as before.
"""

from __future__ import annotations

import contextlib
import gc
import sqlite3
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.catalog import Catalog
from desktop_app.core.database import WRITER_WAIT_SECONDS, transaction, waiting_transaction
from desktop_app.core.errors import DatabaseError, ImportFileError, UserError, is_environment_problem
from desktop_app.core.importers import ama_cpt, cms_ncci, cms_qpp
from desktop_app.core.importers.formats import FORMATS, Reading
from desktop_app.core.importers.limits import MAX_FILE_BYTES, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, megabytes
from desktop_app.core.importers.loader import (
    delete_source,
    finish_derived,
    refresh_status,
    source_codes,
    start_derived,
    write_dataset,
)
from desktop_app.core.importers.model import (
    PHASE_COMMIT,
    PHASE_PARSE,
    PHASE_VALIDATE,
    PHASES,
    CancelFn,
    Dataset,
    Monitor,
    ProgressFn,
)
from desktop_app.core.importers.sniff import FOLDER, FORMAT_LABELS, ZIP, plan, read_path, recognise, sniff_file
from desktop_app.core.importers.textio import SourceFile, check_line_count, require_line_end, too_large
from desktop_app.core.indexing import drop_orphan_codes, optimize_search_index, reindex, settle_search_index
from desktop_app.core.recovery import database_file, forget_kept_source, keep_import
from desktop_app.core.reference import BUNDLED_KIND

__all__ = [
    "FORMAT_LABELS",
    "PHASES",
    "SUPPORTED_EXTENSIONS",
    "SUPPORTED_FORMATS",
    "UNVERIFIED_AMA_POINTS",
    "VERIFIED_AMA_POINTS",
    "ImportSummary",
    "detect",
    "import_paths",
    "remove_source",
]

SUPPORTED_FORMATS = (
    "Supported files: "
    "CMS Physician Fee Schedule RVU file PPRRVU (.csv, fixed-width .txt, .xlsx, or the RVUyyQ .zip); "
    "CMS Alpha-Numeric HCPCS file (fixed-width ANWEB .txt, .xlsx, or the zip); "
    "AMA CPT data files (LONGULT, MEDU, SHORTU, ConsumerDescriptor, ClinicianDescriptor, the PLA XML, "
    "CPT Link Deleted_DTK/History_DTK/HistoryModifiers_DTK, ConsolidatedCodeList, Modifiers, MODUL; best as "
    "the whole release folder or zip); CMS QPP measures-data .json and the claims single-source .csv; "
    "the CMS GPCI table (.csv, PFS Addendum E) for payment amounts per locality; "
    "the CMS NCCI PTP edit files (ccipra/ccioph .txt or their zips) and MUE tables (.csv); "
    "and your own code list as .csv with the columns code, descriptor and optionally category."
)
UNVERIFIED_AMA_POINTS = ama_cpt.UNVERIFIED
VERIFIED_AMA_POINTS = ama_cpt.VERIFIED
# File name endings worth offering in an Open dialog (detection itself reads the content).
SUPPORTED_EXTENSIONS = (".csv", ".txt", ".xlsx", ".json", ".xml", ".zip")


# The note of a summary whose import took the place of an earlier import of the same release.
REPLACED_NOTE = "replaced the earlier import of this release"


@dataclass
class ImportSummary:
    """What one import wrote (one source).

    ``added``, ``updated`` and ``unchanged`` compare the file with the previous release of the same source
    family, never with the database as a whole:

    * the previous release is the same release when it is imported again (the copy it replaces), else the
      newest loaded release of the same family that is not newer than this one (by effective date); the family
      is the source kind (CMS RVU, CMS HCPCS, AMA CPT, QPP measures, QPP claims), except that a practice list
      is its own family (by file name) and a partial AMA release (clinician descriptors only, say) is compared
      only with partial releases of the same files;
    * ``added``: codes (for measure files: measures) that previous release does not have; for the first
      import of a family that is every code, even ones CodeDesk's bundled summaries or another kind of source
      already describe;
    * ``updated``: codes the previous release has, with different descriptors or facts;
    * ``unchanged``: codes the previous release has, exactly the same.

    ``notes`` is information, not a problem: skipped files in a folder or zip, diagnosis codes counted, a
    replaced release.
    """

    file_name: str
    format: str
    source_id: int
    source_name: str
    release: str
    added: int
    updated: int
    unchanged: int
    modifiers: int
    measures: int
    warnings: list[str]
    seconds: float
    notes: list[str] = field(default_factory=list)  # information, not problems (skipped files, DX counts)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a block runs (process-wide; reference counting still frees
    everything an import drops). An import makes hundreds of thousands of objects (rows, records, search rows)
    that live until it ends, so every few hundred allocations the collector walked them all again: 10-15% of an
    import's processor time (issue 13, round 4). Little an import makes is cyclic (a caught exception and its
    frames, say); that waits for the collector, which is switched back on when the block ends, however it ends
    (and left off if it was off)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _writing() -> Iterator[None]:
    """Turn SQLite's environment errors (locked, busy, disk full, read-only, damaged) into a message for people;
    any other SQLite error is a bug and propagates with its trace."""
    try:
        yield
    except sqlite3.Error as exc:
        if not is_environment_problem(exc):
            raise
        raise DatabaseError(f"could not write the database, nothing was changed: {exc}") from exc


def detect(path: Path) -> str | None:
    """The format id of ``path`` by its content; ``'zip'``/``'folder'`` when it holds an importable file.

    Returns None for anything not importable (and for unreadable, empty or binary files).
    """
    path = Path(path)
    try:
        files, container = read_path(path)
        if container:
            return (FOLDER if path.is_dir() else ZIP) if any(recognise(sf) for sf in files) else None
        return sniff_file(files[0])
    except ImportFileError:  # unreadable, too large, a damaged zip member
        return None


def _check_complete(sf: SourceFile, fmt: str) -> None:
    """The check every text format shares: a file whose last line has no line end was cut off."""
    entry = FORMATS[fmt]
    if entry.needs_line_end and not entry.workbook:
        require_line_end(sf)


def _parse(sf: SourceFile, fmt: str, monitor: Monitor) -> Dataset:
    with monitor.phase(PHASE_VALIDATE):
        _check_complete(sf, fmt)
    with monitor.phase(PHASE_PARSE):
        return _read(sf, fmt, monitor)


def _read(sf: SourceFile, fmt: str, monitor: Monitor) -> Dataset:
    parse = FORMATS[fmt].parse
    if parse is None:  # pragma: no cover - only formats read alone come here
        raise ImportFileError(sf.name, f"no reader for format {fmt}")
    return parse(sf, monitor)


def _budget(sf: SourceFile, fmt: str, lines: int) -> int:
    """The lines read so far by this import, with ``sf``'s; refused past :data:`MAX_IMPORT_ROWS` before ``sf`` is
    parsed (every dataset is held until the one transaction, so the rows of all files together are bounded)."""
    if sf.size > MAX_FILE_BYTES:
        raise ImportFileError(sf.name, too_large(sf.size))
    if FORMATS[fmt].workbook:
        # A worksheet's rows are counted as they are read: it may use what the files before it left.
        sf.row_budget = min(sf.row_budget, MAX_IMPORT_ROWS - lines)
        return lines
    check_line_count(sf.name, sf.data)  # one file over the limit is told so first
    lines += sf.data.count(b"\n") or sf.data.count(b"\r")
    if lines > MAX_IMPORT_ROWS:
        raise ImportFileError(
            sf.name,
            f"together the files of this import have over {MAX_IMPORT_ROWS:,} lines, more than CodeDesk holds in "
            "one import (a real multi-file import has far fewer): import the files one at a time",
        )
    return lines


def import_paths(
    conn: sqlite3.Connection,
    paths: Sequence[Path],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    keep: bool = False,
    lock_wait: float = WRITER_WAIT_SECONDS,
    phases: dict[str, float] | None = None,
) -> list[ImportSummary]:
    """Import files, folders and zips. Everything is read first, then written in one transaction.

    When another process holds the write lock, the import waits for it (reporting "Waiting for the other
    import" through ``progress``, cancellable) for at most ``lock_wait`` seconds. With ``keep``, a compressed
    copy of the files is kept beside the database once the import is committed, so a damaged database can be
    rebuilt without the user (:mod:`desktop_app.core.recovery`).

    Raises :class:`ImportFileError` for a file that cannot be imported and
    :class:`~desktop_app.core.errors.ImportCancelled` when ``cancel()`` turns true; in both cases nothing
    was changed. ``phases``, when given, receives the seconds spent per phase (see :data:`PHASES`).

    Python's cyclic garbage collector is paused for the import (:func:`cyclic_gc_paused`).
    """
    with cyclic_gc_paused():
        return _import_paths(conn, paths, progress=progress, cancel=cancel, keep=keep, lock_wait=lock_wait,
                             phases=phases)


def _import_paths(
    conn: sqlite3.Connection,
    paths: Sequence[Path],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    keep: bool = False,
    lock_wait: float = WRITER_WAIT_SECONDS,
    phases: dict[str, float] | None = None,
) -> list[ImportSummary]:
    monitor = Monitor(progress, cancel, phases)
    catalog = Catalog.from_db(conn)
    parsed: list[tuple[Dataset, float, list[str]]] = []
    ama_files: list[tuple[SourceFile, str]] = []
    ama_notes: list[str] = []
    ama_at: int | None = None
    ncci_files: list[tuple[SourceFile, str]] = []  # streamed into the transaction, never held (see cms_ncci)
    read = lines = 0
    for path in paths:
        monitor.check()
        planned = plan(Path(path), SUPPORTED_FORMATS)
        path_notes = list(planned.notes)
        for sf, fmt in planned.files:
            reading = FORMATS[fmt].reading
            if reading is Reading.STREAMED:
                ncci_files.append((sf, fmt))
                continue
            read += sf.size
            if read > MAX_IMPORT_BYTES and sf.size <= MAX_FILE_BYTES:
                raise ImportFileError(
                    sf.name,
                    f"together the files of this import are over {megabytes(MAX_IMPORT_BYTES)}; CodeDesk reads at "
                    "most that much in one import (real releases are far smaller): import the files one at a time",
                )
            if reading is Reading.RELEASE_MEMBER:
                if fmt not in ama_cpt.MAY_SKIP:  # members that may be skipped are counted once chosen
                    with monitor.phase(PHASE_VALIDATE):
                        lines = _budget(sf, fmt, lines)
                ama_files.append((sf, fmt))
                ama_notes.extend(path_notes)
                path_notes = []
                ama_at = len(parsed) if ama_at is None else ama_at
                continue
            with monitor.phase(PHASE_VALIDATE):
                lines = _budget(sf, fmt, lines)
            started = time.perf_counter()
            ds = _parse(sf, fmt, monitor)
            lines += ds.rows if FORMATS[fmt].workbook else 0
            sf.release()  # the dataset holds what it needs: the bytes and text need not stay in memory
            parsed.append((ds, time.perf_counter() - started, path_notes))
            path_notes = []
    if ama_files:
        started = time.perf_counter()
        # Known members CodeDesk does not read (LONGUF, LONGUT beside LONGULT …) are skipped with a note and
        # never judged: a damaged copy of a file that is not read cannot refuse the release.
        chosen, skipped = ama_cpt.select(ama_files)
        if not chosen and not parsed:
            first = next(sf for sf, fmt in ama_files)
            raise ImportFileError(
                first.name,
                f"{skipped[0].split(': ', 1)[1]}; import that file or the whole release folder or zip",
            )
        with monitor.phase(PHASE_VALIDATE):
            for sf, fmt in chosen:
                if fmt in ama_cpt.MAY_SKIP:
                    lines = _budget(sf, fmt, lines)
                _check_complete(sf, fmt)
        with monitor.phase(PHASE_PARSE):
            releases = ama_cpt.parse_release(chosen, monitor) if chosen else []
        for sf, _ in ama_files:
            sf.release()
        if releases:
            share = (time.perf_counter() - started) / len(releases)
            position = ama_at if ama_at is not None else len(parsed)
            parsed[position:position] = [
                (ds, share, [*ama_notes, *skipped] if i == 0 else []) for i, ds in enumerate(releases)
            ]
        else:  # only skipped AMA members beside other files: the notes go with the first of those
            parsed[0][2].extend([*ama_notes, *skipped])

    def waiting(seconds: float) -> None:
        if progress is not None:
            progress(f"Waiting for the other import to finish\u2026 ({seconds:.0f} s; CodeDesk waits up to "
                     f"{lock_wait:.0f} s)", 0, 0)

    summaries: list[ImportSummary] = []
    with _writing(), waiting_transaction(conn, max_wait=lock_wait, on_wait=waiting, cancelled=cancel):
        # Statuses and search rows are derived once, after the last file (finish_derived), not per file.
        batch = start_derived(conn)
        for ds, parse_seconds, notes in parsed:
            started = time.perf_counter()
            result = write_dataset(conn, catalog, ds, monitor, batch)
            linked = cms_qpp.linked_measures(ds)
            summaries.append(
                ImportSummary(
                    file_name=ds.file_name,
                    format=ds.format,
                    source_id=result.source_id,
                    source_name=ds.name,
                    release=ds.release,
                    added=result.added,
                    updated=result.updated,
                    unchanged=result.unchanged,
                    modifiers=ds.modifier_count,
                    measures=linked,
                    warnings=result.warnings,
                    seconds=round(parse_seconds + time.perf_counter() - started, 3),
                    notes=[
                        *notes,
                        *ds.notes,
                        *([REPLACED_NOTE] if result.replaced else []),
                    ],
                )
            )
        if parsed:
            started = time.perf_counter()
            finish_derived(conn, catalog, batch, monitor)
            # The last file's summary carries the time of what all of them left for the end.
            summaries[-1].seconds = round(summaries[-1].seconds + time.perf_counter() - started, 3)
        for written in cms_ncci.write_all(conn, ncci_files, monitor):
            summaries.append(
                ImportSummary(
                    file_name=written.file_name,
                    format=written.format,
                    source_id=written.source_id,
                    source_name=written.source_name,
                    release=written.release,
                    added=written.rows,
                    updated=0,
                    unchanged=0,
                    modifiers=0,
                    measures=0,
                    warnings=written.warnings,
                    seconds=written.seconds,
                    notes=[*written.notes, *([REPLACED_NOTE] if written.replaced else [])],
                )
            )
        # The whole index merged into one segment after a large import only (settle_search_index).
        settle_search_index(conn, batch.search_rows_written)
        body_done = time.perf_counter()
    monitor.phases[PHASE_COMMIT] = monitor.phases.get(PHASE_COMMIT, 0.0) + time.perf_counter() - body_done
    if keep:
        # The import itself is committed; a failure here only means no rebuild copy.
        with contextlib.suppress(OSError, ValueError, zipfile.BadZipFile):
            keep_import(conn, [Path(p) for p in paths], [s.source_id for s in summaries])
    return summaries


def remove_source(conn: sqlite3.Connection, source_id: int) -> None:
    """Remove an imported source in one transaction: its rows go, affected codes are reindexed and codes no
    source speaks of any more are dropped. The bundled reference cannot be removed (:class:`UserError`)."""
    row = conn.execute("SELECT kind, name FROM sources WHERE id = ?", (source_id,)).fetchone()
    if row is None:
        raise UserError(f"there is no source with id {source_id}")
    if row[0] == BUNDLED_KIND:
        raise UserError(f"{row[1]} is CodeDesk's own bundled reference and cannot be removed")
    catalog = Catalog.from_db(conn)
    release = conn.execute("SELECT release FROM sources WHERE id = ?", (source_id,)).fetchone()[0]
    with _writing(), transaction(conn):
        codes = source_codes(conn, source_id)
        delete_source(conn, source_id)
        drop_orphan_codes(conn)
        refresh_status(conn, codes)
        reindex(conn, catalog, codes)
        optimize_search_index(conn)  # the removal rewrote the index's rows, as an import does
    forget_kept_source(database_file(conn), row[0], release)
