"""The words the database stores and the JSON prints for what a thing is, each defined once.

Every enum here is a :class:`~desktop_app.core.enums.StrEnum`: a member *is* its text (``CodeKind.MODIFIER ==
"modifier"``, also in ``str()``, f-strings, ``json.dumps`` and as an SQL parameter), so rows read back from SQLite
as plain text compare equal to the members, and replacing a literal by a member changes no byte of output
(``tests/test_output_unchanged.py``). SQL text keeps its literals (``WHERE kind = 'modifier'``); the values here
are the ones it uses.

The other words of the vocabulary live with their meaning: code sets and shapes in
:mod:`~desktop_app.core.grammar`, quality-measure roles in :mod:`~desktop_app.core.quality`, import formats in
:mod:`~desktop_app.core.importers.formats`, the window's request kinds in ``ui/requests.py``.
"""

from __future__ import annotations

from desktop_app.core.enums import StrEnum


class CodeKind(StrEnum):
    """``codes.kind``: a procedure code, or a two-character modifier."""

    CODE = "code"
    MODIFIER = "modifier"


class CodeStatus(StrEnum):
    """``codes.status``, decided by the source that is the authority for the code (see ``loader.refresh_status``)."""

    ACTIVE = "active"
    DELETED = "deleted"



class DescriptorKind(StrEnum):
    """``descriptors.kind`` (and ``descriptors[].kind`` in ``show --json``): which text of a code this is."""

    SUMMARY = "summary"  # CodeDesk's own plain-language summary (bundled)
    KEYWORDS = "keywords"  # CodeDesk's search words for a code (bundled; indexed, never shown as a descriptor)
    LONG = "long"
    MEDIUM = "medium"
    SHORT = "short"
    CONSUMER = "consumer"
    CLINICIAN = "clinician"
    PRACTICE = "practice"  # the person's own code list

class SourceKind(StrEnum):
    """``sources.kind``: which family of files a source was read from (one per importer, plus CodeDesk's own).

    Releases of one kind are versions of the same thing: ``changes`` compares them, and re-importing a release
    replaces the copy of the same kind and release."""

    BUNDLED = "bundled"
    CMS_RVU = "cms-rvu"
    CMS_HCPCS = "cms-hcpcs"
    AMA_CPT = "ama-cpt"
    CMS_QPP = "cms-qpp"
    CMS_QPP_CLAIMS = "cms-qpp-claims"
    CMS_GPCI = "cms-gpci"
    CMS_NCCI_PTP = "cms-ncci-ptp"
    CMS_NCCI_MUE = "cms-ncci-mue"
    PRACTICE_LIST = "csv"  # the person's own code list

    @property
    def label(self) -> str:
        """How people call the family: "CMS PFS RVU", "AMA CPT"."""
        return SOURCE_KIND_LABELS[self]


SOURCE_KIND_LABELS: dict[str, str] = {  # keyed by member; plain text read from the database finds them too
    SourceKind.BUNDLED: "CodeDesk reference",
    SourceKind.CMS_RVU: "CMS PFS RVU",
    SourceKind.CMS_HCPCS: "CMS HCPCS Level II",
    SourceKind.AMA_CPT: "AMA CPT",
    SourceKind.CMS_QPP: "CMS QPP measures",
    SourceKind.CMS_QPP_CLAIMS: "CMS QPP claims single source",
    SourceKind.CMS_GPCI: "CMS GPCI",
    SourceKind.CMS_NCCI_PTP: "CMS NCCI PTP edits",
    SourceKind.CMS_NCCI_MUE: "CMS NCCI MUEs",
    SourceKind.PRACTICE_LIST: "practice code list",
}

# The kinds whose facts say whether a code is active or deleted (``deleted_date`` in the facts = deleted).
LIFECYCLE_KINDS = (SourceKind.CMS_RVU, SourceKind.CMS_HCPCS, SourceKind.AMA_CPT)
# The kinds that link codes to quality measures.
MEASURE_KINDS = (SourceKind.CMS_QPP, SourceKind.CMS_QPP_CLAIMS)


class NcciSetting(StrEnum):
    """``ncci_files.setting``: which claims an NCCI table is for (CMS publishes one set of tables per setting)."""

    PRACTITIONER = "practitioner"
    HOSPITAL = "hospital"  # outpatient hospital
    DME = "dme"  # DME suppliers (MUE tables only)

    @property
    def label(self) -> str:
        return NCCI_SETTING_LABELS[self]


NCCI_SETTING_LABELS: dict[str, str] = {  # keyed by member; plain text read from the database finds them too
    NcciSetting.PRACTITIONER: "practitioner",
    NcciSetting.HOSPITAL: "outpatient hospital",
    NcciSetting.DME: "DME supplier",
}
