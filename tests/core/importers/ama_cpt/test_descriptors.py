"""core/importers/ama_cpt/descriptors.py: long, medium, consumer and clinician text of the invented release."""

from __future__ import annotations

from desktop_app.core.importers.ama_cpt.descriptors import read_clinician, read_consumer, read_simple
from desktop_app.core.importers.ama_cpt.formats import LONGULT, MEDU
from desktop_app.core.importers.model import Monitor
from desktop_app.core.kinds import DescriptorKind

from .ama_files import empty_dataset, source


def test_long_and_medium_descriptors_skip_the_notice_at_the_top() -> None:
    ds, current = empty_dataset(), set[str]()
    read_simple(*source("standard/LONGULT.txt"), LONGULT, ds, current, Monitor())
    read_simple(*source("standard/MEDU.txt"), MEDU, ds, current, Monitor())
    assert ds.codes and not any("fixture" in code for code in ds.codes)
    visit = ds.codes["99990"]
    assert visit.has_descriptor(DescriptorKind.LONG) and visit.has_descriptor(DescriptorKind.MEDIUM)


def test_consumer_and_clinician_descriptors_by_code() -> None:
    ds, current = empty_dataset(), set[str]()
    read_consumer(*source("standard/Consumer Friendly Descriptors/ConsumerDescriptor.txt"), ds, current, Monitor())
    read_clinician(*source("standard/Clinician Descriptors/ClinicianDescriptor.txt"), ds, current, Monitor())
    texts = ds.codes["99990"].descriptors
    assert (DescriptorKind.CONSUMER, "Short pretend doctor visit") in texts
    clinician = [text for kind, text in texts if kind == DescriptorKind.CLINICIAN]
    assert clinician[:2] == ["Brief imaginary visit for a returning example patient",
                             "Brief imaginary visit for a new example patient by video"]
