"""The AMA format ids CodeDesk recognises, and the members of a release it knows but does not read."""

from __future__ import annotations

from desktop_app.core.kinds import SourceKind

KIND = SourceKind.AMA_CPT
LONGULT = "ama-longult"
LONGUT = "ama-longut"  # the same long descriptors in upper case (read only when LONGULT is not there)
LONG_FIXED = "ama-long-fixed"  # LONGULF / LONGUF: the long descriptors as fixed-field records (never read)
PLA_TAB = "ama-pla-tab"  # CPTPLATab.txt / CPTPLAChanges.txt beside the PLA XML (layout unpublished; never read)
MEDU = "ama-medu"
SHORTU = "ama-shortu"
CONSUMER = "ama-consumer"
CLINICIAN = "ama-clinician"
PLA = "ama-pla"
DELETED = "ama-deleted"
HISTORY = "ama-history"
HISTORY_MODIFIERS = "ama-history-modifiers"
CODE_LIST = "ama-code-list"
MODIFIERS = "ama-modifiers"
MODUL = "ama-modul"
FORMATS = (
    LONGULT,
    LONGUT,
    MEDU,
    SHORTU,
    CONSUMER,
    CLINICIAN,
    PLA,
    DELETED,
    HISTORY,
    HISTORY_MODIFIERS,
    CODE_LIST,
    MODIFIERS,
    MODUL,
)
# Known members of a release that CodeDesk chooses not to read: skipped with a note, never a refusal.
NEVER_READ = frozenset({LONG_FIXED, PLA_TAB})
MAY_SKIP = NEVER_READ | {LONGUT}
SKIP_REASONS = {
    LONG_FIXED: "the long descriptors as fixed-field records; CodeDesk reads the same text from LONGULT.txt",
    LONGUT: "the long descriptors in upper case; CodeDesk reads the same text in mixed case from LONGULT.txt",
    PLA_TAB: "a PLA side file whose layout is not published; CodeDesk reads the PLA codes from the CPTPLA XML",
}

# What the readers assume, checked against the AMA's own public ETL code and its test fixtures
# (github.com/AMADataLabs/Core, Source/Python/datalabs/curate/cpt/ and etl/cpt/, their tests under
# Test/Python/test/datalabs/curate/cpt/) and the HL7 FHIR CPT converter (hapifhir/org.hl7.fhir.core,
# org.hl7.fhir.convertors/.../misc/CPTImporter.java). Shown in the README; the sources are credited there.


PART_LABELS = {
    LONGULT: "long",
    LONGUT: "long (upper case)",
    MEDU: "medium",
    SHORTU: "short",
    CONSUMER: "consumer",
    CLINICIAN: "clinician",
    PLA: "PLA",
    DELETED: "deleted",
    HISTORY: "history",
    HISTORY_MODIFIERS: "modifier history",
    CODE_LIST: "code list",
    MODIFIERS: "modifiers",
    MODUL: "MODUL",
}
