"""The one loader every importer feeds: writes a :class:`Dataset` as one source, set-based.

Called inside the caller's transaction (``import_paths`` wraps a whole import in one ``BEGIN IMMEDIATE``
… ``COMMIT``). Re-importing the same (kind, release) replaces that source: the old ``sources`` row is
deleted (descriptors, facts and measure rows cascade) and the new one inserted, unless the new copy has far
fewer codes than the loaded one (a cut-off file: refused, see ``SHRINK_LIMIT``). A different release is a
separate source, so older releases stay for history; titles come from the newest (see indexing), status from
the source that decides it (see :func:`refresh_status`).
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from desktop_app.core.catalog import Catalog
from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers.model import (
    PHASE_COMPARE,
    PHASE_INDEX,
    PHASE_STATUS,
    PHASE_VALIDATE,
    PHASE_WRITE,
    CodeRecord,
    Dataset,
    Monitor,
)
from desktop_app.core.indexing import (
    descriptor_search_row,
    drop_orphan_codes,
    filter_text,
    first_title,
    insert_search_rows,
    reindex_table,
    section_filter_ids,
    section_words,
)
from desktop_app.core.kinds import LIFECYCLE_KINDS, CodeKind, SourceKind
from desktop_app.core.quality import parent_measure

# Which source decides a code's status, whatever order the files were imported in (see refresh_status):
# 1. the authority for the code set: CMS HCPCS for HCPCS Level II codes and for modifiers; AMA CPT, else the
#    CMS RVU file, for CPT Category I/II/III codes (lower number first);
# 2. within that, the newest release by effective date;
# 3. on equal dates a fixed order of kinds, then the release name (never the time of loading).
_AUTHORITY_SQL = """CASE WHEN c.kind = 'modifier' OR c.code_set = 'HCPCS'
                         THEN CASE s.kind WHEN 'cms-hcpcs' THEN 0 ELSE 2 END
                         ELSE CASE s.kind WHEN 'ama-cpt' THEN 0 WHEN 'cms-rvu' THEN 1 ELSE 2 END END"""
_KIND_ORDER_SQL = "CASE s.kind WHEN 'cms-hcpcs' THEN 0 WHEN 'ama-cpt' THEN 1 ELSE 2 END"

# Re-importing a release with fewer than this share of the loaded copy's codes is refused (a cut-off file).
SHRINK_LIMIT = 0.9
# Practice lists: the user edits them, so a shorter list of the same name is a normal update.
_USER_LIST_KINDS = frozenset({SourceKind.PRACTICE_LIST})


@dataclass
class LoadResult:
    source_id: int
    added: int
    updated: int
    unchanged: int
    replaced: bool
    warnings: list[str] = field(default_factory=list)  # the dataset's own, and any the write added


# allow_nan=False: the readers refuse NaN and infinities with the file and line; should one ever get this far,
# it fails here rather than being stored as 'NaN', which is not JSON (every later reader of it would fail).
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def facts_json(facts: dict[str, object]) -> str:
    """Canonical JSON (sorted keys, compact), so equal facts are equal strings."""
    return _ENCODER.encode(facts)


def json_member(key: str, value: object) -> str:
    """One ``"key":value`` member as :func:`facts_json` writes it inside an object (a reader that joins members
    in sorted key order between braces makes the same text as facts_json)."""
    if type(value) is float and math.isfinite(value):  # what the encoder writes for a float, without its set-up
        return f"{_ENCODER.encode(key)}:{float.__repr__(value)}"
    return f"{_ENCODER.encode(key)}:{_ENCODER.encode(value)}"


def _facts_text(rec: CodeRecord, modifier: str, facts: dict[str, object]) -> str:
    text = rec.facts_text.get(modifier)
    return text if text is not None else facts_json(facts)


def _code_signatures(conn: sqlite3.Connection, source_id: int) -> dict[str, tuple[object, ...]]:
    """code → (sorted descriptors, sorted facts) as one source stored them."""
    descriptors: dict[str, list[tuple[str, str]]] = {}
    for code, kind, text in conn.execute("SELECT code, kind, text FROM descriptors WHERE source_id = ?", (source_id,)):
        descriptors.setdefault(code, []).append((kind, text))
    facts: dict[str, list[tuple[str, str]]] = {}
    for code, modifier, text in conn.execute(
        "SELECT code, modifier, facts FROM code_facts WHERE source_id = ?", (source_id,)
    ):
        facts.setdefault(code, []).append((modifier, text))
    return {
        code: (tuple(sorted(descriptors.get(code, ()))), tuple(sorted(facts.get(code, ()))))
        for code in descriptors.keys() | facts.keys()
    }


def _measure_signatures(conn: sqlite3.Connection, source_id: int) -> dict[str, tuple[object, ...]]:
    """measure id → (title, details, sorted code links) as one source stored them."""
    titles = {
        mid: (title, details)
        for mid, title, details in conn.execute(
            "SELECT measure_id, title, details FROM measures WHERE source_id = ?", (source_id,)
        )
    }
    links: dict[str, list[tuple[str, ...]]] = {}
    for row in conn.execute(
        "SELECT measure_id, code, role, role_detail, modifier, conditions, together FROM measure_codes "
        "WHERE source_id = ?",
        (source_id,),
    ):
        # An option group (024.01) is part of its measure (024): counted and compared with it.
        links.setdefault(parent_measure(row[0]), []).append(tuple(row))
    return {
        mid: (*titles.get(mid, ("", "")), tuple(sorted(links.get(mid, ())))) for mid in titles.keys() | links.keys()
    }


# The codes one import (or removal) touched, kept in a temp table so statuses and search rows are derived in SQL.
_TOUCHED = "import_touched"


def _start_touched(conn: sqlite3.Connection) -> None:
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_TOUCHED} (code TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute(f"DELETE FROM {_TOUCHED}")


def _touch_source(conn: sqlite3.Connection, source_id: int) -> None:
    """Add every code a source has descriptors or facts for to the touched codes (one statement)."""
    conn.execute(
        f"""INSERT OR IGNORE INTO {_TOUCHED}
            SELECT code FROM descriptors WHERE source_id = ? UNION SELECT code FROM code_facts WHERE source_id = ?""",
        (source_id, source_id),
    )


def refresh_status(conn: sqlite3.Connection, codes: Iterable[str]) -> None:
    """Recompute ``codes.status`` / ``deleted_date`` of ``codes`` from the source that decides it.

    Deterministic, whatever order the sources were imported in: for a HCPCS Level II code or a modifier the
    newest CMS HCPCS release that has it decides; for a CPT code (Category I/II/III) the newest AMA CPT release,
    else the newest CMS RVU file (status D/F = deleted). Only when that kind of source has no row for the code
    does the newest other lifecycle source decide, by effective date and a fixed order of kinds on ties.
    """
    _start_touched(conn)
    conn.executemany(f"INSERT OR IGNORE INTO {_TOUCHED} VALUES (?)", ((c,) for c in codes))
    _derive_status(conn)
    conn.execute(f"DELETE FROM {_TOUCHED}")


def _derive_status(conn: sqlite3.Connection) -> None:
    """:func:`refresh_status` for the codes in the touched table, in three set-based statements."""
    # Only codes that are deleted now, or that some source calls deleted, can change: one pass over each table
    # (cheaper than a lookup per touched code when an import touches thousands) finds them.
    conn.execute(
        """CREATE TEMP TABLE IF NOT EXISTS status_candidates (code TEXT PRIMARY KEY) WITHOUT ROWID"""
    )
    conn.execute("DELETE FROM status_candidates")
    conn.execute(
        f"""INSERT OR IGNORE INTO status_candidates
            SELECT code FROM codes WHERE (status != 'active' OR deleted_date != '')
                                     AND code IN (SELECT code FROM {_TOUCHED})
            UNION
            SELECT code FROM code_facts WHERE modifier = '' AND instr(facts, '"deleted_date"') > 0
                                          AND code IN (SELECT code FROM {_TOUCHED})"""
    )
    kinds = ",".join("?" for _ in LIFECYCLE_KINDS)
    conn.execute(
        f"""
        WITH ranked AS (
            SELECT f.code, coalesce(json_extract(f.facts, '$.deleted_date'), '') AS deleted,
                   row_number() OVER (PARTITION BY f.code
                                      ORDER BY {_AUTHORITY_SQL}, s.effective_date DESC, {_KIND_ORDER_SQL},
                                               s.release DESC) AS rn
            FROM status_candidates t
            JOIN code_facts f ON f.code = t.code
            JOIN sources s ON s.id = f.source_id
            JOIN codes c ON c.code = f.code
            WHERE f.modifier = '' AND s.kind IN ({kinds})
        )
        UPDATE codes SET status = CASE WHEN ranked.deleted != '' THEN 'deleted' ELSE 'active' END,
                         deleted_date = ranked.deleted
        FROM ranked WHERE ranked.code = codes.code AND ranked.rn = 1
          AND (codes.deleted_date != ranked.deleted
               OR codes.status != CASE WHEN ranked.deleted != '' THEN 'deleted' ELSE 'active' END)
        """,
        LIFECYCLE_KINDS,
    )
    conn.execute(
        f"""UPDATE codes SET status = 'active', deleted_date = ''
            WHERE (status != 'active' OR deleted_date != '')
              AND code IN (SELECT code FROM status_candidates) AND NOT EXISTS (
                SELECT 1 FROM code_facts f JOIN sources s ON s.id = f.source_id
                WHERE f.code = codes.code AND f.modifier = '' AND s.kind IN ({kinds}))""",
        LIFECYCLE_KINDS,
    )
    conn.execute("DELETE FROM status_candidates")


def source_codes(conn: sqlite3.Connection, source_id: int) -> set[str]:
    """Every code a source has descriptors or facts for."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT code FROM descriptors WHERE source_id = ? UNION SELECT code FROM code_facts WHERE source_id = ?",
            (source_id, source_id),
        )
    }


def delete_source(conn: sqlite3.Connection, source_id: int) -> None:
    """Delete a source row (its rows cascade); codes titled from it lose that pointer first (no cascade)."""
    conn.execute("UPDATE codes SET title_source = NULL WHERE title_source = ?", (source_id,))
    conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))


def _family(kind: str, release: str) -> str:
    """Which releases of one kind are versions of the same thing (see ImportSummary): a practice list is its
    own family (its release is the file name); a partial AMA release ("2030 clinician") is compared only with
    partial releases of the same files; every other release of a kind is one family."""
    if kind in _USER_LIST_KINDS:
        return release
    if kind == SourceKind.AMA_CPT:
        return release.partition(" ")[2]
    return ""


def _previous_release(conn: sqlite3.Connection, ds: Dataset) -> int | None:
    """The newest loaded release of ``ds``'s family that is not newer than ``ds`` (None: the first)."""
    family = _family(ds.kind, ds.release)
    candidates = [
        (effective, release, source_id)
        for source_id, release, effective in conn.execute(
            "SELECT id, release, effective_date FROM sources WHERE kind = ?", (ds.kind,)
        )
        if _family(ds.kind, release) == family and effective <= ds.effective_date
    ]
    return max(candidates)[2] if candidates else None


def _refuse_shrinking(conn: sqlite3.Connection, ds: Dataset, old_id: int, old_codes: int) -> None:
    """Refuse to replace a loaded release with a copy that has far fewer codes (or measures, or measure links):
    the same release does not lose a tenth of its codes, so the new file was most likely cut off."""
    old_measures, old_links = conn.execute(
        "SELECT (SELECT count(*) FROM measures WHERE source_id = ?), "
        "(SELECT count(*) FROM measure_codes WHERE source_id = ?)",
        (old_id, old_id),
    ).fetchone()
    old_localities = conn.execute("SELECT count(*) FROM localities WHERE source_id = ?", (old_id,)).fetchone()[0]
    checks = [
        ("code", len(ds.codes), old_codes),
        ("measure code link", len(ds.measure_codes), old_links),
        ("locality", len(ds.localities), old_localities),
    ]
    # The claims file names no measures of its own (an older reader invented rows for its sub-measures).
    if ds.kind != SourceKind.CMS_QPP_CLAIMS:
        checks.append(("measure", len(ds.measures), old_measures))
    for unit, new, loaded in checks:
        if new < SHRINK_LIMIT * loaded:
            raise ImportFileError(
                ds.file_name,
                f"has {new:,} {unit}{'' if new == 1 else 's'}; the loaded copy of this release ({ds.name}, "
                f"source id {old_id}) has {loaded:,}; the file looks truncated — remove the old source first "
                "if this is intended",
            )


# A whole CMS HCPCS or RVU release lists its codes in order and ends with the V codes (vision and hearing
# services: V5364 in both the 2020 and the 2025 files). A file cut at a line boundary reads without an error, so a
# file of a release's size without one V code is said to be cut short (a warning: the rows it has are right).
FULL_RELEASE_KINDS = frozenset({SourceKind.CMS_HCPCS, SourceKind.CMS_RVU})
FULL_RELEASE_MIN_CODES = 1000
# A new release with under half the codes of the release before it is most likely cut short as well.
PREVIOUS_RELEASE_SHARE = 0.5


def _procedure_codes(ds: Dataset) -> list[str]:
    """The codes of ``ds`` that are procedure codes (not modifiers)."""
    return [code for code, rec in ds.codes.items() if rec.kind == CodeKind.CODE]


def _v_codes(codes: Iterable[str]) -> list[str]:
    """The V codes among ``codes``, in order (a modifier such as "VP" is two characters, never one)."""
    return sorted(code for code in codes if len(code) == 5 and code.startswith("V"))


def _cut_short_warnings(conn: sqlite3.Connection, ds: Dataset, previous: int | None) -> list[str]:
    """Why ``ds`` looks cut short, if it does: a whole release without its last codes, or far fewer codes than
    the release before it (``previous``, a source of another release of the same family; None: no such check)."""
    if ds.kind not in FULL_RELEASE_KINDS or not ds.codes:
        return []
    warnings: list[str] = []
    procedure_codes = _procedure_codes(ds)
    codes = len(procedure_codes)
    if codes >= FULL_RELEASE_MIN_CODES and not _v_codes(procedure_codes):
        warnings.append(
            f"the file has no V codes (vision and hearing services), with which every whole CMS release ends; "
            f"its last code is {max(procedure_codes)}: the file may be cut short"
        )
    if previous is not None:
        row = conn.execute("SELECT name, json_extract(counts, '$.codes') FROM sources WHERE id = ?",
                           (previous,)).fetchone()
        if row and isinstance(row[1], int) and codes < PREVIOUS_RELEASE_SHARE * row[1]:
            warnings.append(
                f"the file has {codes:,} codes; the release before it ({row[0]}) has {row[1]:,}: the file may be "
                "cut short"
            )
    return warnings


def _refuse_cut_copy(ds: Dataset, old_id: int, old_codes: set[str]) -> None:
    """Refuse to replace a whole loaded release with a copy of it that lacks its last codes (the V codes): a file
    cut at a line boundary reads without an error, and cut after nine tenths of its lines it passed the shrink
    check and took the last tenth's codes (Q4233 to V5364 of the RVU file) out of the database."""
    if ds.kind not in FULL_RELEASE_KINDS:
        return
    loaded_last = _v_codes(old_codes)
    procedure_codes = _procedure_codes(ds)
    if not loaded_last or _v_codes(procedure_codes):
        return
    missing = len(old_codes - ds.codes.keys())
    last = f"; its last code is {max(procedure_codes)}" if procedure_codes else ""
    raise ImportFileError(
        ds.file_name,
        f"has no V codes{last}, and the loaded copy of this release ({ds.name}, source id {old_id}) runs to "
        f"{loaded_last[-1]}: the file looks cut short ({missing:,} of the loaded copy's codes are not in it) — "
        "remove the old source first if this is intended",
    )


NewCode = tuple[int, CodeRecord, "int | None", str]  # id, record, section id, title


@dataclass
class DerivedBatch:
    """What the datasets of one import leave for the end: the codes they touched (in the touched table), the
    codes they added and whether one replaced a loaded source. :func:`finish_derived` then derives statuses and
    search rows once for them all, so a code two files of one import describe (the RVU file's and the HCPCS
    file's Level II codes) gets one search row, not one per file that a later file deletes again."""

    # Per dataset, in the order written: the codes it added, and every code it describes.
    added: list[tuple[list[NewCode], frozenset[str]]] = field(default_factory=list)
    replaced: bool = False
    search_rows_written: int = 0  # search rows deleted and inserted by finish_derived (indexing.settle_search_index)


def start_derived(conn: sqlite3.Connection) -> DerivedBatch:
    """A new batch, with the touched table emptied. Call inside the import's transaction."""
    _start_touched(conn)
    return DerivedBatch()


def write_dataset(
    conn: sqlite3.Connection, catalog: Catalog, ds: Dataset, monitor: Monitor, batch: DerivedBatch | None = None
) -> LoadResult:
    """Write ``ds`` as one source (replacing the same kind+release). Must run inside a transaction.

    With ``batch`` (:func:`start_derived`), statuses and search rows are left for :func:`finish_derived`, which
    the caller runs once after the last dataset of the import; without, they are derived before returning.
    """
    if not conn.in_transaction:
        raise RuntimeError("write_dataset must run inside a transaction")
    own_batch = batch is None
    if batch is None:
        batch = start_derived(conn)
    monitor.start(f"Writing {ds.name}", 6)
    with monitor.phase(PHASE_VALIDATE):
        old = conn.execute("SELECT id FROM sources WHERE kind = ? AND release = ?", (ds.kind, ds.release)).fetchone()
        previous = old[0] if old else _previous_release(conn, ds)
        existing = {r[0] for r in conn.execute("SELECT code FROM codes")}

        # Facts-only records (history of a code the release gives no text for) need the code to exist already.
        # They are left out of a copy: the caller's Dataset stays as parsed (the warning reaches it in the result).
        dropped = {c for c, r in ds.codes.items() if r.facts_only and not r.descriptors and c not in existing}
        if dropped:
            ds = replace(ds, codes={c: r for c, r in ds.codes.items() if c not in dropped}, warnings=[
                *ds.warnings,
                f"{len(dropped)} code(s) have history or facts but no descriptor and are not in the "
                f"database; their rows were skipped (e.g. {', '.join(sorted(dropped)[:5])})",
            ])
        old_codes = source_codes(conn, old[0]) if old else set()
        if old and ds.kind not in _USER_LIST_KINDS:
            _refuse_shrinking(conn, ds, old[0], len(old_codes))
            _refuse_cut_copy(ds, old[0], old_codes)
        cut_short = _cut_short_warnings(conn, ds, None if old else previous)
        if cut_short:
            ds = replace(ds, warnings=[*ds.warnings, *cut_short])

    with monitor.phase(PHASE_COMPARE):
        # What changed, against the same release (re-import) or else the newest release of this kind.
        # Facts are encoded as they are compared and written, never all held as JSON text at once (for a large
        # file that list was a third of the import's peak memory).
        added = updated = unchanged = 0
        if ds.codes:
            before = _code_signatures(conn, previous) if previous is not None else {}
            for code, rec in ds.codes.items():
                if code not in before:
                    added += 1
                elif before[code] == (
                    tuple(sorted(rec.descriptors)),
                    tuple(sorted((modifier, _facts_text(rec, modifier, facts))
                                 for modifier, facts in rec.facts.items())),
                ):
                    unchanged += 1
                else:
                    updated += 1
        else:
            before_m = _measure_signatures(conn, previous) if previous is not None else {}
            links: dict[str, list[tuple[str, ...]]] = {}
            for link in ds.measure_codes:
                links.setdefault(parent_measure(link.measure_id), []).append(
                    (link.measure_id, link.code, link.role, link.role_detail, link.modifier, link.conditions,
                     link.together)
                )
            for mid in ds.measures.keys() | links.keys():
                m = ds.measures.get(mid)
                sig = (m.title, facts_json(m.details)) if m else ("", "")
                if mid not in before_m:
                    added += 1
                elif before_m[mid] == (*sig, tuple(sorted(links.get(mid, ())))):
                    unchanged += 1
                else:
                    updated += 1
    monitor.report(1)
    with monitor.phase(PHASE_WRITE):
        # The codes whose status and search row may change: the replaced copy's (listed before it is deleted),
        # then this file's (listed from the rows just written), all in SQL.
        if old:
            _touch_source(conn, old[0])
            delete_source(conn, old[0])
            batch.replaced = True
        counts: dict[str, object] = {
            "added": added,
            "updated": updated,
            "unchanged": unchanged,
            "warnings": len(ds.warnings),
            "rows": ds.rows,
            "codes": sum(1 for r in ds.codes.values() if r.kind == CodeKind.CODE),
            "modifiers": ds.modifier_count,
            "measures": len(ds.measures),
            "measure_codes": len(ds.measure_codes),
            "format": ds.format,
            **ds.extra_counts,
        }
        loaded_at = datetime.now(timezone.utc).isoformat(timespec="microseconds")
        source_id = conn.execute(
            """INSERT INTO sources (kind, name, file_name, release, effective_date, sha256, loaded_at, counts)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                ds.kind,
                ds.name,
                ds.file_name,
                ds.release,
                ds.effective_date,
                ds.sha256,
                loaded_at,
                json.dumps(counts, sort_keys=True),
            ),
        ).lastrowid
        assert source_id is not None
        monitor.report(2)
        new_codes = _write_rows(conn, catalog, ds, source_id, existing)
        _touch_source(conn, source_id)
        batch.added.append((new_codes, frozenset(ds.codes)))
        monitor.report(4)

    if own_batch:
        finish_derived(conn, catalog, batch, monitor, own_progress=False)
    monitor.report(6)
    return LoadResult(source_id, added, updated, unchanged, old is not None, list(ds.warnings))


def finish_derived(conn: sqlite3.Connection, catalog: Catalog, batch: DerivedBatch, monitor: Monitor, *,
                   own_progress: bool = True) -> None:
    """Statuses and search rows of every code the batch's datasets touched, each derived once. Reports progress
    as "Updating statuses and the search index" (1 after statuses, 2 after the search rows), or, for a dataset
    written alone (``own_progress=False``), as that dataset's steps 5 and 6."""
    if own_progress:
        monitor.start("Updating statuses and the search index", 2)
    with monitor.phase(PHASE_STATUS):
        _derive_status(conn)
    monitor.report(1 if own_progress else 5)
    with monitor.phase(PHASE_INDEX):
        if batch.replaced:
            drop_orphan_codes(conn)
        # A code one dataset added gets its search row from that dataset's descriptors alone, unless a later
        # dataset of the import describes it too (then it is reindexed from everything written, like any code
        # that was there before), or is gone (a later copy of the same release left it with no source).
        fast: list[NewCode] = []
        described_later: set[str] = set()
        for new_codes, described in reversed(batch.added):
            fast.extend(new for new in reversed(new_codes) if new[1].code not in described_later)
            described_later |= described
        fast.reverse()
        if batch.replaced and fast:
            kept = {row[0] for row in conn.execute("SELECT id FROM codes WHERE id >= ?", (fast[0][0],))}
            fast = [new for new in fast if new[0] in kept]
        first_new = next((new_codes[0][0] for new_codes, _ in batch.added if new_codes), None)
        if first_new is not None and len(fast) < sum(len(new_codes) for new_codes, _ in batch.added):
            # Some added codes are not indexed from their own rows: reindex those with the others, leaving out
            # only the codes indexed here.
            conn.executemany(f"DELETE FROM {_TOUCHED} WHERE code = ?", ((new[1].code,) for new in fast))
            first_new = None
        _index_new_codes(conn, catalog, fast)
        # Codes that were there before: only those whose title or search text changed are written again.
        written = [len(fast)]
        reindex_table(conn, catalog, _TOUCHED, sections=False,
                      max_id=first_new - 1 if first_new is not None else None, written=written)
        batch.search_rows_written += sum(written)
        conn.execute(f"DELETE FROM {_TOUCHED}")
    if own_progress:
        monitor.report(2)


def _write_rows(
    conn: sqlite3.Connection, catalog: Catalog, ds: Dataset, source_id: int, existing: set[str]
) -> list[NewCode]:
    """Every row of ``ds``, one prepared statement per table, each fed by a generator (nothing is listed first).

    A code new to the database gets its section (which depends only on the code and the catalog), its title and
    its search row (no other source describes it yet) as it is inserted, so reindexing need not look at it.
    Returns the new codes (:func:`_index_new_codes` writes their search rows)."""
    # New codes get explicit ids after the highest one, so their search rows can be written without reading back.
    first_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM codes").fetchone()[0]) + 1
    new_codes: list[NewCode] = []
    for rec in ds.codes.values():
        if rec.code not in existing:
            section = catalog.section_for(rec.code)
            section_id = section.id if section else None
            new_codes.append((first_id + len(new_codes), rec, section_id, first_title(rec.descriptors)))
    conn.executemany(
        "INSERT INTO codes (id, code, code_set, kind, section_id, title, title_source) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (code_id, rec.code, rec.code_set, rec.kind, section_id, title, source_id if title else None)
            for code_id, rec, section_id, title in new_codes
        ),
    )
    conn.executemany(
        "INSERT INTO descriptors (code, kind, text, source_id) VALUES (?, ?, ?, ?)",
        ((code, kind, text, source_id) for code, rec in ds.codes.items() for kind, text in rec.descriptors),
    )
    conn.executemany(
        "INSERT INTO code_facts (code, modifier, source_id, facts) VALUES (?, ?, ?, ?)",
        (
            (code, modifier, source_id, _facts_text(rec, modifier, facts))
            for code, rec in ds.codes.items()
            for modifier, facts in rec.facts.items()
        ),
    )
    conn.executemany(
        "INSERT INTO measures (measure_id, source_id, title, details) VALUES (?, ?, ?, ?)",
        ((m.measure_id, source_id, m.title, facts_json(m.details)) for m in ds.measures.values()),
    )
    conn.executemany(
        """INSERT INTO measure_codes (measure_id, code, role, role_detail, modifier, conditions, together,
                                     source_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            (m.measure_id, m.code, m.role, m.role_detail, m.modifier, m.conditions, m.together, source_id)
            for m in ds.measure_codes
        ),
    )
    conn.executemany(
        """INSERT INTO localities (source_id, mac, state, locality, name, work_gpci, pe_gpci, mp_gpci)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        ((source_id, x.mac, x.state, x.number, x.name, x.work_gpci, x.pe_gpci, x.mp_gpci) for x in ds.localities),
    )
    return new_codes


def _index_new_codes(conn: sqlite3.Connection, catalog: Catalog, new_codes: list[NewCode]) -> None:
    """The search rows of the codes this import added, built in one statement after the bulk load, from the
    file's own descriptors (no other source describes these codes yet)."""
    words = section_words(catalog)
    path_ids = section_filter_ids(catalog)
    # A code's filters depend only on its category, kind and section: made once per combination, not per code.
    filters: dict[tuple[str, str, int | None], str] = {}

    def filters_of(code_set: str, kind: str, section_id: int | None) -> str:
        text = filters.get((code_set, kind, section_id))
        if text is None:
            text = filters[(code_set, kind, section_id)] = filter_text(code_set, kind, path_ids.get(section_id, ()))
        return text

    insert_search_rows(
        conn,
        (
            (code_id, *descriptor_search_row(rec.code, title, rec.descriptors, words.get(section_id, ""),
                                             filters_of(rec.code_set, rec.kind, section_id)))
            for code_id, rec, section_id, title in new_codes
        ),
    )
