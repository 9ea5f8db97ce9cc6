"""AMA CPT data files (licensed per user; none ships with CodeDesk), as the AMA's public code shows them.

Read: LONGULT (code TAB long text), MEDU and SHORTU (code, blank, text), ConsumerDescriptor and
ClinicianDescriptor (tab-delimited with a header row; several clinician descriptors per code), the PLA XML,
the CPT Link history files (Deleted_DTK_tab → deleted codes, History_DTK_tab / HistoryModifiers_DTK_tab →
history facts), the 2026 "Current Format" ConsolidatedCodeList and Modifiers files, and the MODUL modifier
document. All the AMA files of one release (a folder, a zip, or several files picked together) become ONE
source of kind ``ama-cpt``.

No licensed AMA file was available. The layouts follow the AMA's own public ETL code and its test fixtures
(listed in :data:`VERIFIED`, with where each point comes from); what is still assumed is in :data:`UNVERIFIED`.
Known members CodeDesk does not read (LONGUT beside LONGULT, the fixed-field LONGULF/LONGUF, the PLA side
files) are skipped with a note in the import summary, never a refusal (:func:`select`).

The package has one module per file family (descriptors, history, pla, modul), the release logic (release),
format detection (sniffing) and the shared helpers (common); this module keeps the public names.
"""

from __future__ import annotations

from desktop_app.core.importers.ama_cpt.formats import (
    CLINICIAN,
    CODE_LIST,
    CONSUMER,
    DELETED,
    FORMATS,
    HISTORY,
    HISTORY_MODIFIERS,
    KIND,
    LONG_FIXED,
    LONGULT,
    LONGUT,
    MAY_SKIP,
    MEDU,
    MODIFIERS,
    MODUL,
    NEVER_READ,
    PART_LABELS,
    PLA,
    PLA_TAB,
    SHORTU,
    SKIP_REASONS,
)
from desktop_app.core.importers.ama_cpt.history import DeletedCode, date_sort_key, history_date
from desktop_app.core.importers.ama_cpt.modul import MODUL_SECTIONS, modifier_name
from desktop_app.core.importers.ama_cpt.points import UNVERIFIED, VERIFIED
from desktop_app.core.importers.ama_cpt.release import file_year, name_year, parse_release, select
from desktop_app.core.importers.ama_cpt.sniffing import sniff

__all__ = [
    "CLINICIAN", "CODE_LIST", "CONSUMER", "DELETED", "FORMATS", "HISTORY", "HISTORY_MODIFIERS", "KIND",
    "LONGULT", "LONGUT", "LONG_FIXED", "MAY_SKIP", "MEDU", "MODIFIERS", "MODUL", "MODUL_SECTIONS", "NEVER_READ",
    "PART_LABELS", "PLA", "PLA_TAB", "SHORTU", "SKIP_REASONS", "UNVERIFIED", "VERIFIED", "DeletedCode",
    "date_sort_key", "file_year", "history_date", "modifier_name", "name_year", "parse_release", "select",
    "sniff",
]
