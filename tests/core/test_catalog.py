"""core/catalog.py: code order within a shape, and the section tree of the bundled reference."""

from __future__ import annotations

import pytest

from desktop_app.core.catalog import code_ordinal
from desktop_app.core.store import CodeStore


@pytest.mark.parametrize(("code", "ordinal"), [("99213", 99213), ("3074F", 3074), ("G0438", 60438), ("0042T", 42)])
def test_code_ordinal(code: str, ordinal: int) -> None:
    assert code_ordinal(code) == ordinal


def test_a_code_belongs_to_the_narrowest_section_on_a_path_from_the_top(store: CodeStore) -> None:
    section = store.catalog.section_for("99213")
    assert section is not None
    path = store.catalog.section_path(section.id)
    assert path[-1] == section and path[0].name == "Evaluation and Management"
    assert store.catalog.section_for("ZZZZZ") is None
