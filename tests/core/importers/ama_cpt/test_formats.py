"""core/importers/ama_cpt/formats.py: every AMA member format is a registry entry of the AMA family, and every
member skipped says why."""

from __future__ import annotations

from desktop_app.core.importers.ama_cpt import formats
from desktop_app.core.importers.formats import FORMATS
from desktop_app.core.kinds import SourceKind


def test_member_formats_are_distinct_registry_entries_of_the_ama_family() -> None:
    assert len(formats.FORMATS) == len(set(formats.FORMATS))
    for fmt in formats.FORMATS:
        assert FORMATS[fmt].family == SourceKind.AMA_CPT, fmt


def test_every_member_that_may_be_skipped_has_its_reason() -> None:
    assert formats.SKIP_REASONS.keys() >= formats.MAY_SKIP
    assert formats.NEVER_READ.isdisjoint(formats.FORMATS)
