"""core/importers/cms_qpp/common.py: measure ids written alike by both files, and which file a text is."""

from __future__ import annotations

import pytest

from desktop_app.core.importers.cms_qpp.common import FORMAT_CLAIMS, FORMAT_JSON, normalize_measure_id, sniff_text


@pytest.mark.parametrize(("raw", "expected"), [
    ("1", "001"), ("24.01", "024.01"), ("901", "901"), (" IA_AHE_1\u00a0", "IA_AHE_1"), ("009", "009"),
])
def test_normalize_measure_id(raw: str, expected: str) -> None:
    assert normalize_measure_id(raw) == expected


def test_sniff_text() -> None:
    assert sniff_text('\ufeff[{"measureId": "001"}]') == FORMAT_JSON
    assert sniff_text("Measure ID,DATA ELEMENT NAME,CODING SYSTEM\n") == FORMAT_CLAIMS
    assert sniff_text("code,descriptor\n") is None
