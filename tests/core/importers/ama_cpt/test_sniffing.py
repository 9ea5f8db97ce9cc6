"""core/importers/ama_cpt/sniffing.py: each AMA member is known by its content (and its name where needed)."""

from __future__ import annotations

import pytest

from desktop_app.core.importers.ama_cpt import formats
from desktop_app.core.importers.ama_cpt.sniffing import sniff

from .ama_files import source


@pytest.mark.parametrize(("member", "fmt"), [
    ("standard/LONGULT.txt", formats.LONGULT),
    ("standard/MEDU.txt", formats.MEDU),
    ("standard/SHORTU.txt", formats.SHORTU),
    ("standard/Consumer Friendly Descriptors/ConsumerDescriptor.txt", formats.CONSUMER),
    ("standard/Clinician Descriptors/ClinicianDescriptor.txt", formats.CLINICIAN),
    ("standard/Proprietary Laboratory Analyses (PLA) Codes/CPTPLA", formats.PLA),
])
def test_members_are_recognised(member: str, fmt: str) -> None:
    assert sniff(*source(member)) == fmt
