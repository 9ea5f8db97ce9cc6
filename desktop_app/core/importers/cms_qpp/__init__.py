"""CMS Quality Payment Program (MIPS) measures: the measures-data JSON and the claims single-source CSV.

Measure IDs: numeric IDs get three digits (``1`` → ``001``, as the JSON writes them). The claims file's
``24.01`` (``024.01``) is the measure's option group 01 (group 00 is the measure itself), which the JSON writes as
``optionGroup`` ``01`` of ``024``; both become measure ``024.01`` in ``measure_codes``, so the two files line up.
No measures row is invented for it: the measure view names it by its parent. Other IDs (``IA_AHE_1``) stay as
they are, minus stray blanks and non-ASCII marks.

Roles are read by :mod:`desktop_app.core.quality` (the one translation of both files' vocabularies); codes
reported together are stored with their combination (``together``: ``G8752 + G8754``).

Only procedure codes (CPT I/II/III, HCPCS) become ``measure_codes`` rows; ICD-10 diagnosis codes are counted,
not stored. No ``codes`` rows are created: a measure code with no imported descriptor simply has no code row,
and the detail view still finds its measures by code.
"""

from __future__ import annotations

from desktop_app.core.importers.cms_qpp.claims import CLAIMS_COLUMNS, DIAGNOSIS_SYSTEMS, parse_claims
from desktop_app.core.importers.cms_qpp.common import (
    FORMAT_CLAIMS,
    FORMAT_JSON,
    KIND_CLAIMS,
    KIND_JSON,
    linked_measures,
    normalize_measure_id,
    sniff_text,
)
from desktop_app.core.importers.cms_qpp.measures_json import MAX_JSON_DEPTH, load_json, parse_json, validate_measures

__all__ = [
    "CLAIMS_COLUMNS",
    "DIAGNOSIS_SYSTEMS",
    "FORMAT_CLAIMS",
    "FORMAT_JSON",
    "KIND_CLAIMS",
    "KIND_JSON",
    "MAX_JSON_DEPTH",
    "linked_measures",
    "load_json",
    "normalize_measure_id",
    "parse_claims",
    "parse_json",
    "sniff_text",
    "validate_measures",
]
