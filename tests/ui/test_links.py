"""ui/links.py: every link kind reads back as what was written, and nothing else is taken for a link."""

from __future__ import annotations

import pytest

from desktop_app.ui.links import LinkKind, parse_link


@pytest.mark.parametrize(("target", "kind", "value"), [
    ("code:99213", LinkKind.CODE, "99213"),
    ("section:42", LinkKind.SECTION, "42"),
    ("section:all", LinkKind.SECTION, "all"),
    ("measure:001", LinkKind.MEASURE, "001"),
    ("locality:choose", LinkKind.LOCALITY, "choose"),
    ("category:HCPCS", LinkKind.CATEGORY, "HCPCS"),
    ("category:", LinkKind.CATEGORY, ""),
    ("import:", LinkKind.IMPORT, ""),
    ("code:A:B", LinkKind.CODE, "A:B"),  # only the first colon separates
])
def test_a_link_reads_back_as_its_kind_and_value(target: str, kind: LinkKind, value: str) -> None:
    assert parse_link(target) == (kind, value)
    assert f"{kind}:{value}" == target  # written with the member, the link text is unchanged


@pytest.mark.parametrize("target", ["https://example.org/", "mailto:x@example.org", "code", "", "Code:99213"])
def test_anything_else_is_no_link_of_ours(target: str) -> None:
    assert parse_link(target) == (None, "")
