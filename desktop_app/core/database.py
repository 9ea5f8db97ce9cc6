"""The SQLite database: schema, migrations (``PRAGMA user_version``), connections and transactions.

One file holds the reference data (the bundled catalog plus whatever the user imported). User data
(favourites, notes, history) lives in a separate file, see :mod:`desktop_app.core.userdata`.

Over 500 lines on purpose: the schema and its migrations are one history, read top to bottom (each migration
is appended to ``MIGRATIONS`` at the end, so parallel branches merge by order); connections and transactions
are the few functions around them.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop_app.core.errors import (
    SQLITE_BUSY,
    SQLITE_CORRUPT,
    SQLITE_FULL,
    SQLITE_LOCKED,
    SQLITE_NOTADB,
    SQLITE_READONLY,
    DatabaseError,
    ImportCancelled,
    is_environment_problem,
    sqlite_error_code,
)
from desktop_app.core.quality import claims_element, combination_text
from desktop_app.core.vocabulary import INDEX_TOKENIZER

# The search index's tokenizer (defined beside the vocabulary, which reads words the way the index does).
FTS_TOKENIZE = INDEX_TOKENIZER

_SCHEMA_V1 = f"""
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE code_sets (
    id          TEXT PRIMARY KEY,          -- 'I', 'II', 'III', 'HCPCS'
    name        TEXT NOT NULL,
    short_name  TEXT NOT NULL,
    sort_order  INTEGER NOT NULL
);
CREATE TABLE features (
    code_set    TEXT NOT NULL REFERENCES code_sets(id),
    feature     TEXT NOT NULL,             -- key of the row in the comparison view
    label       TEXT NOT NULL,
    value       TEXT NOT NULL,
    examples    TEXT NOT NULL DEFAULT '',  -- space-separated example codes, shown as links
    sort_order  INTEGER NOT NULL,
    PRIMARY KEY (code_set, feature)
);
CREATE TABLE sections (
    id          INTEGER PRIMARY KEY,
    code_set    TEXT NOT NULL REFERENCES code_sets(id),
    parent_id   INTEGER REFERENCES sections(id),
    name        TEXT NOT NULL,
    depth       INTEGER NOT NULL,
    sort_order  INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
-- A section can own several ranges (Anesthesia also owns 99100-99140, inside Medicine's numbers).
CREATE TABLE section_ranges (
    section_id  INTEGER NOT NULL REFERENCES sections(id),
    range_start TEXT NOT NULL,
    range_end   TEXT NOT NULL
);
CREATE TABLE sources (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,          -- 'bundled', 'cms-rvu', 'cms-hcpcs', 'ama-cpt', 'cms-qpp', 'csv'
    name           TEXT NOT NULL,          -- what the user sees: "CMS PFS RVU 2025 (RVU25D)"
    file_name      TEXT NOT NULL,
    release        TEXT NOT NULL DEFAULT '',
    effective_date TEXT NOT NULL DEFAULT '',
    sha256         TEXT NOT NULL DEFAULT '',
    loaded_at      TEXT NOT NULL,
    counts         TEXT NOT NULL DEFAULT '{{}}',  -- JSON: what the import added/updated
    UNIQUE (kind, release)
);
CREATE TABLE codes (
    id             INTEGER PRIMARY KEY,    -- also the rowid of code_fts
    code           TEXT NOT NULL UNIQUE,
    code_set       TEXT NOT NULL,
    kind           TEXT NOT NULL DEFAULT 'code',  -- 'code' or 'modifier'
    section_id     INTEGER REFERENCES sections(id),
    status         TEXT NOT NULL DEFAULT 'active',  -- 'active' or 'deleted'
    deleted_date   TEXT NOT NULL DEFAULT '',        -- first day NOT valid ("deleted as of"), see core.valid_dates
    title          TEXT NOT NULL DEFAULT '',       -- best descriptor, denormalised for fast result lists
    title_source   INTEGER  -- sources.id; no foreign key: reindex() recomputes it when a source goes
);
CREATE INDEX codes_set_code ON codes (code_set, code);
CREATE INDEX codes_section ON codes (section_id);
CREATE TABLE descriptors (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    kind        TEXT NOT NULL,  -- 'summary', 'long', 'medium', 'short', 'consumer', 'clinician', 'keywords'
    text        TEXT NOT NULL,
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE
);
CREATE INDEX descriptors_code ON descriptors (code);
CREATE INDEX descriptors_source ON descriptors (source_id);
CREATE TABLE code_facts (
    code        TEXT NOT NULL,
    modifier    TEXT NOT NULL DEFAULT '',   -- '' for the code itself; '26', 'TC', '53' for RVU components
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    facts       TEXT NOT NULL,              -- JSON object: status, RVUs, global days, dates, ...
    PRIMARY KEY (code, modifier, source_id)
);
CREATE INDEX code_facts_source ON code_facts (source_id);
CREATE TABLE measures (
    measure_id  TEXT NOT NULL,              -- '001', '024', 'IA_AHE_1'
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    details     TEXT NOT NULL DEFAULT '{{}}', -- JSON: type, high priority, specialties, methods, ...
    PRIMARY KEY (measure_id, source_id)
);
CREATE TABLE measure_codes (
    measure_id  TEXT NOT NULL,
    code        TEXT NOT NULL,
    role        TEXT NOT NULL,  -- 'performance met', 'performance not met', 'exclusion', 'exception', 'eligibility'
    role_detail TEXT NOT NULL DEFAULT '',  -- the file's own name for the role (e.g. CPT_II_PD)
    modifier    TEXT NOT NULL DEFAULT '',
    conditions  TEXT NOT NULL DEFAULT '{{}}', -- JSON: place of service, age, gender, exclusions
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE
);
CREATE INDEX measure_codes_code ON measure_codes (code);
CREATE INDEX measure_codes_measure ON measure_codes (measure_id);
CREATE INDEX measure_codes_source ON measure_codes (source_id);
CREATE VIRTUAL TABLE code_fts USING fts5(
    code, title, body, keywords,
    tokenize = '{FTS_TOKENIZE}',
    prefix = '2 3'
);
"""



def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit and break the migration's transaction."""
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement)


# Each entry upgrades the schema by one version. Never edit a released entry; append a new one.
# v2: codes.common is 1 for the bundled starter codes (a ranking prior). Forgetting the bundle hash makes the
# next start rebuild the bundled reference, which fills it.
_SCHEMA_V2 = """
ALTER TABLE codes ADD COLUMN common INTEGER NOT NULL DEFAULT 0;
DELETE FROM meta WHERE key = 'bundle_hash';
"""

# v3: measure_codes.together (the codes of one QPP option reported together). The claims CSV was read with
# _PD as "met" and _PN as "not met"; its rows keep the file's own element name (role_detail), so the roles
# and groups are read again here with the one reading both QPP files share (core.quality), and the invented
# "sub-measure" titles go.
# Also v3: Medicare payment localities from a CMS GPCI file, for payment amounts per locality.
_SCHEMA_V3 = """
ALTER TABLE measure_codes ADD COLUMN together TEXT NOT NULL DEFAULT '';
CREATE TABLE localities (
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    mac         TEXT NOT NULL,   -- Medicare administrative contractor number, '10112'
    state       TEXT NOT NULL,
    locality    TEXT NOT NULL,   -- locality number within the MAC, '00'
    name        TEXT NOT NULL,
    work_gpci   REAL NOT NULL,
    pe_gpci     REAL NOT NULL,
    mp_gpci     REAL NOT NULL,
    PRIMARY KEY (source_id, mac, locality)
)
"""


def _reread_claims_roles(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        """SELECT mc.rowid, mc.measure_id, mc.code, mc.role_detail, mc.modifier, mc.source_id FROM measure_codes mc
           JOIN sources s ON s.id = mc.source_id WHERE s.kind = 'cms-qpp-claims'"""
    ).fetchall()
    groups: dict[tuple[object, ...], set[tuple[str, str]]] = {}
    for _rowid, measure_id, code, element, modifier, source_id in rows:
        parsed = claims_element(element)
        if parsed.group:
            groups.setdefault((source_id, measure_id, parsed.role, parsed.group, parsed.stratum), set()).add(
                (code, modifier))
    updates = []
    for rowid, measure_id, _code, element, _modifier, source_id in rows:
        parsed = claims_element(element)
        key = (source_id, measure_id, parsed.role, parsed.group, parsed.stratum)
        together = combination_text(groups.get(key, ()))
        updates.append((parsed.role, together, rowid))
    conn.executemany("UPDATE measure_codes SET role = ?, together = ? WHERE rowid = ?", updates)
    conn.execute("DELETE FROM measures WHERE source_id IN (SELECT id FROM sources WHERE kind = 'cms-qpp-claims')")


def _migrate_v3(conn: sqlite3.Connection) -> None:
    _run_script(conn, _SCHEMA_V3)
    _reread_claims_roles(conn)


# NCCI edits (CMS procedure-to-procedure pairs and medically unlikely edits). Codes only: the files carry no
# descriptors. They live in their own tables, not in code_facts: a PTP release has millions of pairs, looked up by
# pair and by either code. Dates are integers YYYYMMDD so a date-of-service test is two integer comparisons; a
# deletion date of '*' (no deletion) is stored as 99991231. Rationales repeat a few dozen texts, so they are kept
# once in ncci_rationales. Every row hangs off its sources row, so removing the source removes its edits (no index
# on source_id: removing a release is rare and one table scan, while every import would pay to maintain it).
_SCHEMA_NCCI = """
CREATE TABLE IF NOT EXISTS ncci_files (
    source_id   INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    edit_kind   TEXT NOT NULL,             -- 'ptp' or 'mue'
    setting     TEXT NOT NULL,             -- 'practitioner', 'hospital' or 'dme'
    version     TEXT NOT NULL,             -- PTP '32.2r0'; MUE the effective date '2026-07-01'
    part        INTEGER NOT NULL DEFAULT 0,  -- PTP file part 1-4 (0: not split)
    rows        INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ncci_rationales (
    id          INTEGER PRIMARY KEY,
    text        TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS ptp_edits (
    source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    column1      TEXT NOT NULL,
    column2      TEXT NOT NULL,
    before_1996  INTEGER NOT NULL,         -- 1: the file marks the edit '*' (in existence prior to 1996)
    effective    INTEGER NOT NULL,         -- YYYYMMDD
    deletion     INTEGER NOT NULL,         -- YYYYMMDD, last day in effect; 99991231 = '*' (not deleted)
    modifier     INTEGER NOT NULL,         -- 0 never bypassed, 1 an NCCI-associated modifier may bypass, 9 n/a
    rationale_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ptp_edits_pair ON ptp_edits (column1, column2);
CREATE INDEX IF NOT EXISTS ptp_edits_column2 ON ptp_edits (column2, column1);
CREATE TABLE IF NOT EXISTS mue_values (
    source_id     INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    code          TEXT NOT NULL,
    units         INTEGER NOT NULL,         -- most units of service per beneficiary per day
    adjudication  INTEGER NOT NULL,         -- 1 per claim line, 2 per date of service (policy), 3 (clinical)
    rationale_id  INTEGER NOT NULL,
    PRIMARY KEY (source_id, code)
);
CREATE INDEX IF NOT EXISTS mue_values_code ON mue_values (code)
"""


def _migrate_ncci(conn: sqlite3.Connection) -> None:
    _run_script(conn, _SCHEMA_NCCI)


def _migrate_search_vocabulary(conn: sqlite3.Connection) -> None:
    """Issue 10: the search index holds each descriptor with the plain words of its shorthand
    (core.vocabulary.index_text), so every code already in the database is indexed again."""
    _rebuild_search_index(conn)


# The search table since issue 9's filtered search: a fifth column, ``filters``, holds each code's filter tokens
# (core.indexing.filter_text), so a filtered word search is intersected inside FTS5.
_SEARCH_TABLE = f"""
CREATE VIRTUAL TABLE code_fts USING fts5(
    code, title, body, keywords, filters,
    tokenize = '{FTS_TOKENIZE}',
    prefix = '2 3'
)
"""


def _rebuild_search_index(conn: sqlite3.Connection) -> None:
    """Every code indexed again by the current ``indexing.search_row``, the search table first made anew when it
    lacks a column that function writes. Any migration that changes what is indexed calls this (not ``reindex``
    alone), so it works whatever the search table's shape when it runs."""
    columns = [row[1] for row in conn.execute("PRAGMA table_info(code_fts)")]
    if "filters" not in columns:
        conn.execute("DROP TABLE IF EXISTS code_fts")
        conn.execute(_SEARCH_TABLE)
    if conn.execute("SELECT count(*) FROM codes").fetchone()[0] == 0:
        return
    from desktop_app.core.catalog import Catalog  # here: catalog and indexing import this module's users
    from desktop_app.core.indexing import optimize_search_index, reindex

    reindex(conn, Catalog.from_db(conn))
    optimize_search_index(conn)


# Issue 9: counting a section's codes by category (the browse total, the filter buttons' counts) reads this index
# alone; it also serves every lookup the single-column section index served.
_SECTION_COUNTS_INDEX = """
CREATE INDEX IF NOT EXISTS codes_section_kind_set ON codes (section_id, kind, code_set);
DROP INDEX IF EXISTS codes_section
"""


def _migrate_search_filters(conn: sqlite3.Connection) -> None:
    """Issue 9: filter tokens in the search rows (category, kind, section path) and a covering index for section
    counts, so filtered searches cost what unfiltered ones do."""
    _run_script(conn, _SECTION_COUNTS_INDEX)
    _rebuild_search_index(conn)


def _migrate_shorthand_review(conn: sqlite3.Connection) -> None:
    """Issue 10, second round: the reviewed shorthand (292 wrong machine proposals corrected or dropped, body
    regions, word parts) changes what descriptors are indexed with, so the codes are indexed again; without it
    an upgraded database would keep the wrong words ("hepatic" for "hepc") until the next import."""
    _migrate_search_vocabulary(conn)


def _migrate_search_reach_3(conn: sqlite3.Connection) -> None:
    """Issue 10, third round: descriptors are indexed with more (body-part names, a count glued to a short form
    read apart, medical words read from their parts), so the codes are indexed again; an upgraded database
    would otherwise reach these only after its next import."""
    _rebuild_search_index(conn)


def _migrate_search_reach_4(conn: sqlite3.Connection) -> None:
    """Issue 10, fourth round: descriptors are indexed with more (brand names beside the generic drug names of
    resources/data/drug_names.toml, the words of clinical acronyms and eponyms), so the codes are indexed again;
    an upgraded database would otherwise reach these only after its next import."""
    _rebuild_search_index(conn)


def _migrate_search_reach_5(conn: sqlite3.Connection) -> None:
    """Issue 10, fifth round: descriptors are indexed with more and some words otherwise (short forms no key read,
    "pg" as a pulse generator, "cst" as a cyst, "ccm" of the Category III codes as cardiac contractility
    modulation, the heart's valves as the heart), so the codes are indexed again; an upgraded database would
    otherwise keep the old words until its next import."""
    _rebuild_search_index(conn)


def _migrate_fact_meanings(conn: sqlite3.Connection) -> None:
    """Issue 13, fourth round: the RVU facts no longer store the meanings of their status code, PC/TC indicator
    and global days (every row repeated them: about 4 of the RVU file's 13.7 MB of facts); readers join them
    from core.rvu_meanings. Older RVU rows lose those keys here, rewritten in the import's canonical JSON (sorted
    keys, compact), so an upgraded database holds what a new import of the same file writes."""
    from desktop_app.core.rvu_meanings import MEANING_KEYS

    encoder = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    rows = conn.execute(
        """SELECT f.rowid, f.facts FROM code_facts f JOIN sources s ON s.id = f.source_id
           WHERE s.kind = 'cms-rvu'"""
    ).fetchall()
    updates: list[tuple[str, int]] = []
    for rowid, text in rows:
        facts = json.loads(text)
        if isinstance(facts, dict) and any(key in facts for key in MEANING_KEYS):
            updates.append((encoder.encode({k: v for k, v in facts.items() if k not in MEANING_KEYS}), rowid))
    conn.executemany("UPDATE code_facts SET facts = ? WHERE rowid = ?", updates)


def _migrate_search_reach_6(conn: sqlite3.Connection) -> None:
    """Issue 10, sixth round: descriptors are indexed with more words (the coverage walk's short forms, the files'
    head nouns with the everyday names coders type: "assay" also "level", "spectacles" also "glasses"), so the
    codes are indexed again; an upgraded database would otherwise keep the old words until its next import."""
    _rebuild_search_index(conn)



def _migrate_search_section_words(conn: sqlite3.Connection) -> None:
    """Section names no longer give a code the words they exclude ("Upper Leg (Except Knee)" made the hip
    anaesthesia code 01214 match "knee"; "Other Than Oral Method" made every J code match "oral"), so the codes
    are indexed again."""
    _rebuild_search_index(conn)


def _migrate_search_reach_7(conn: sqlite3.Connection) -> None:
    """Issue 10, seventh round: some short forms are read otherwise ("pnxr" is a puncture, not a pneumothorax;
    "drg" a drainage, not a drug; "immntx" immunotherapy; "aa" of the nerve blocks an anesthetic agent) and
    descriptors are indexed with more words (telehealth visits, conditions and the part they lie in, names of one
    thing), so the codes are indexed again; an upgraded database would otherwise keep the old words until its
    next import."""
    _rebuild_search_index(conn)


def _migrate_deleted_as_of(conn: sqlite3.Connection) -> None:
    """A code's deletion date has one meaning now, the first day the code is not valid (core.valid_dates). HCPCS
    imports stored the file's TERM DT, the last valid day, as it was: one day early against the RVU and AMA
    files' dates, so a claim on the last valid day was refused and one on the first invalid day passed. Each
    HCPCS row's deletion date is worked out again from its stored facts as a new import writes it, and the
    codes' status and deletion date are derived again from the sources that decide them."""
    from desktop_app.core.importers.cms_hcpcs import deletion_date
    from desktop_app.core.importers.loader import facts_json, refresh_status
    from desktop_app.core.importers.model import today_iso

    today = today_iso()
    updates: list[tuple[str, int]] = []
    touched: set[str] = set()
    for rowid, code, text in conn.execute(
        """SELECT f.rowid, f.code, f.facts FROM code_facts f JOIN sources s ON s.id = f.source_id
           WHERE s.kind = 'cms-hcpcs'"""
    ).fetchall():
        facts = json.loads(text)
        if not isinstance(facts, dict):
            continue
        deleted_as_of = deletion_date(facts, today)
        if deleted_as_of == facts.get("deleted_date", ""):
            continue
        if deleted_as_of:
            facts["deleted_date"] = deleted_as_of
        else:
            facts.pop("deleted_date", None)
        updates.append((facts_json(facts), rowid))
        touched.add(code)
    conn.executemany("UPDATE code_facts SET facts = ? WHERE rowid = ?", updates)
    refresh_status(conn, touched)


def _migrate_search_reach_8(conn: sqlite3.Connection) -> None:
    """Issue 10, eighth round: short forms read otherwise where coders' acronyms collide with the files' ("cmp" is
    complete, "rem" remote in the monitoring codes, "comp" compounded in the inhaled drugs), nouns and adjectives
    of body parts linked, and a few codes indexed with the name coders know them by (code_terms.toml: the Whipple
    codes, trabeculectomy), so the codes are indexed again; an upgraded database would otherwise keep the old
    words until its next import."""
    _rebuild_search_index(conn)


def _migrate_search_reach_9(conn: sqlite3.Connection) -> None:
    """Issue 10, ninth round: our own names for several thousand codes (the code_terms*.toml files: the names a
    coder knows an operation, test or service by, which the files' short descriptors do not carry), indexed as
    written; the codes are indexed again so an upgraded database finds them by those names before its next
    import."""
    _rebuild_search_index(conn)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    lambda conn: _run_script(conn, _SCHEMA_V1),
    lambda conn: _run_script(conn, _SCHEMA_V2),
    _migrate_v3,
    _migrate_ncci,
    _migrate_search_vocabulary,
    _migrate_shorthand_review,
    _migrate_search_filters,
    _migrate_search_reach_3,
    _migrate_search_reach_4,
    _migrate_search_reach_5,
    _migrate_fact_meanings,
    _migrate_search_reach_6,
    _migrate_search_section_words,
    _migrate_search_reach_7,
    _migrate_deleted_as_of,
    _migrate_search_reach_8,
    _migrate_search_reach_9,
)
SCHEMA_VERSION = len(MIGRATIONS)


_TABLE_RE = re.compile(r"CREATE (?:VIRTUAL )?TABLE (?:IF NOT EXISTS )?(\w+)")
# Every table a database at SCHEMA_VERSION holds, read from the schema scripts themselves (a migration that
# rebuilds a table keeps its name).
EXPECTED_TABLES = frozenset(_TABLE_RE.findall(_SCHEMA_V1 + _SCHEMA_V2 + _SCHEMA_V3 + _SCHEMA_NCCI))


def missing_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables a database of this schema version should hold and does not (a file damaged by hand or by
    another program: SQLite's own checks find nothing wrong with a dropped table). Older schemas are left to
    their migrations."""
    if schema_version(conn) != SCHEMA_VERSION:
        return []
    present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return sorted(EXPECTED_TABLES - present)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path | str = "this database") -> None:
    """Bring the schema up to :data:`SCHEMA_VERSION`, one transaction per step."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise DatabaseError(
            f"{path} was written by a newer CodeDesk (schema {current}, this version reads {SCHEMA_VERSION})"
        )
    for version in range(current, SCHEMA_VERSION):
        with transaction(conn):
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")


def is_writable(path: Path) -> bool:
    """Can CodeDesk write here? False on read-only media or folders (then the database opens read-only)."""
    folder = path.parent if path.parent.exists() else None
    return (not path.exists() or os.access(path, os.W_OK)) and (folder is None or os.access(folder, os.W_OK))


def connect(path: Path | str, *, readonly: bool = False, create: bool = True) -> sqlite3.Connection:
    """Open (and if needed create and migrate) the database at ``path``.

    Raises :class:`DatabaseError` with a message a person can act on when the file is missing (and
    ``create`` is false), unreadable, locked, not a database, someone else's database, or damaged.
    """
    path = Path(path)
    if (readonly or not create) and not path.exists():
        raise DatabaseError(f"no database at {path}")
    if path.exists() and not path.is_file():
        raise DatabaseError(f"{path} is not a database file")
    conn: sqlite3.Connection | None = None
    try:
        if readonly:
            conn = _connect_readonly(path)
        else:
            if path.parent.exists() and not path.parent.is_dir():
                raise DatabaseError(f"cannot create the database {path}: {path.parent} is a file, not a folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        _refuse_foreign_database(conn, path)
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn, path)
        else:
            version = schema_version(conn)
            if version != SCHEMA_VERSION:
                raise DatabaseError(f"{path} has schema {version}, this CodeDesk needs {SCHEMA_VERSION}, and it "
                                    "cannot be upgraded because it is read-only")
        # A quick look at the schema pages: a damaged file usually fails here rather than mid-search.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except DatabaseError:
        if conn is not None:
            conn.close()
        raise
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        if not is_environment_problem(exc):
            raise  # not the file's fault but ours: a bug, for the caller to log with its trace
        raise DatabaseError(database_problem(path, exc)) from exc
    except OSError as exc:
        if conn is not None:
            conn.close()
        raise DatabaseError(f"cannot open the database {path}: {exc.strerror or exc}") from exc
    return conn


def file_uri(path: Path, options: str) -> str:
    """The SQLite URI of ``path`` with ``options`` ("mode=ro"). The path is made absolute first: ``as_uri`` refuses
    a relative one (``--db rel.sqlite3`` after an unclean end failed every later command with an internal error)."""
    return f"{path.absolute().as_uri()}?{options}"


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Read-only, without creating -wal/-shm files; on read-only media SQLite needs ``immutable``."""
    options = "mode=ro" if os.access(path.parent, os.W_OK) else "mode=ro&immutable=1"
    return sqlite3.connect(file_uri(path, options), uri=True, isolation_level=None, check_same_thread=False)


def _refuse_foreign_database(conn: sqlite3.Connection, path: Path) -> None:
    """Never write CodeDesk's tables into somebody else's SQLite file (a typo in --db, say)."""
    if schema_version(conn) != 0:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'codes'").fetchone() is None:
            raise DatabaseError(f"{path} is not a CodeDesk database (it is another program's SQLite file)")
        return
    if conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None:
        raise DatabaseError(f"{path} is not a CodeDesk database (it is another program's SQLite file)")


def database_problem(path: Path | str, exc: sqlite3.Error) -> str:
    """A message a person can act on for an SQLite error on the database file, chosen by the error's code."""
    text = str(exc)
    code = sqlite_error_code(exc)
    if code == SQLITE_NOTADB:
        return f"{path} is not a CodeDesk database (it is not an SQLite file at all)"
    if code == SQLITE_CORRUPT:
        return (f"the database {path} is damaged ({text}); delete it to rebuild the bundled reference "
                "and import your files again, or choose another with --db")
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return f"the database {path} is in use by another program ({text}); try again in a moment"
    if code == SQLITE_READONLY:
        return f"the database {path} is read-only ({text})"
    if code == SQLITE_FULL:
        return f"the disk holding the database {path} is full ({text}); free some space and try again"
    return f"cannot use the database {path}: {text}"


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; any exception rolls everything back and propagates.

    The connection runs in autocommit mode (``isolation_level=None``), so this is the only place
    transactions begin, and nested use is an error rather than a silent partial commit.
    """
    if conn.in_transaction:
        raise RuntimeError("transaction() does not nest")
    conn.execute("BEGIN IMMEDIATE")
    with _commit_or_roll_back(conn):
        yield conn


@contextmanager
def _commit_or_roll_back(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """The end of a transaction already begun: COMMIT, or ROLLBACK on any exception (which propagates)."""
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


# How long an import waits for another one holding the write lock before it gives up (bounded, so nothing can
# wait forever), and how often it looks again, reports the wait and polls for cancellation while it waits.
WRITER_WAIT_SECONDS = 600.0
WRITER_POLL_SECONDS = 0.2


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


@contextmanager
def waiting_transaction(
    conn: sqlite3.Connection,
    *,
    max_wait: float = WRITER_WAIT_SECONDS,
    on_wait: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[sqlite3.Connection]:
    """Like :func:`transaction`, but when another process holds the write lock, wait for it: ``on_wait(seconds)``
    is called about every :data:`WRITER_POLL_SECONDS` (to show "waiting for the other import"), ``cancelled()``
    ends the wait with :class:`ImportCancelled`, and after ``max_wait`` seconds a :class:`DatabaseError` says so.
    Nothing was written in either case."""
    if conn.in_transaction:
        raise RuntimeError("transaction() does not nest")
    timeout = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    started = time.monotonic()
    conn.execute(f"PRAGMA busy_timeout = {int(WRITER_POLL_SECONDS * 1000)}")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
            waited = time.monotonic() - started
            if cancelled is not None and cancelled():
                raise ImportCancelled("import cancelled while waiting for the other import; nothing was changed")
            if waited >= max_wait:
                raise DatabaseError(
                    f"another import kept the database busy for {waited:.0f} s, the longest CodeDesk waits; nothing "
                    "was changed: try again when it has finished")
            if on_wait is not None:
                on_wait(waited)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {timeout}")
    with _commit_or_roll_back(conn):
        yield conn


def default_db_path() -> Path:
    """``$CODEDESK_DB`` if set, else ``codedesk.sqlite3`` in the user data directory."""
    env = os.environ.get("CODEDESK_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("CodeDesk", appauthor=False) / "codedesk.sqlite3"


def default_userdata_path(db_path: Path) -> Path:
    """User data lives next to the reference database, in its own file, so re-imports never touch it."""
    return db_path.with_name(db_path.stem + "-user.sqlite3")
