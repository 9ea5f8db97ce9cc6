"""core/importers/ama_cpt/modul.py: modifier names from the narrative MODUL document."""

from __future__ import annotations

from desktop_app.core.importers.ama_cpt.modul import modifier_name, read_modul
from desktop_app.core.importers.model import Monitor
from desktop_app.core.kinds import CodeKind

from .ama_files import empty_dataset, source


def test_a_name_is_the_words_before_the_colon_even_when_wrapped() -> None:
    assert modifier_name("", "Pretend Procedural Services: When the invented work", "") == "Pretend Procedural Services"
    assert modifier_name("", "Pretend Service Wrapped", "Pretend Service Wrapped Over Lines: text") == (
        "Pretend Service Wrapped Over Lines")
    assert modifier_name("HCPCS Level II modifier", "Invented left side", "Invented left side") == "Invented left side"
    assert modifier_name("", "no colon anywhere.", "no colon anywhere. Ever.") == ""


def test_the_document_becomes_modifiers() -> None:
    ds = empty_dataset()
    read_modul(*source("standard/MODUL.txt"), ds, Monitor())
    assert ds.codes and all(record.kind == CodeKind.MODIFIER for record in ds.codes.values())
