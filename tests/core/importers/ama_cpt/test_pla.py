"""core/importers/ama_cpt/pla.py: the PLA XML's codes and their three descriptors."""

from __future__ import annotations

from desktop_app.core.importers.ama_cpt.pla import read_pla
from desktop_app.core.importers.model import Monitor
from desktop_app.core.kinds import DescriptorKind

from .ama_files import empty_dataset, source


def test_pla_codes_with_long_medium_and_short_text() -> None:
    ds, current = empty_dataset(), set[str]()
    read_pla(*source("standard/Proprietary Laboratory Analyses (PLA) Codes/CPTPLA"), ds, current, Monitor())
    assay = dict(ds.codes["0999U"].descriptors)
    assert assay[DescriptorKind.LONG].startswith("Made-up assay of sample proteins")
    assert assay[DescriptorKind.SHORT] == "MADE-UP PROTEIN ASSAY"
    assert "0999U" in current
