"""core/importers/cms_qpp/measures_json.py: the measures-data JSON's measures and their performance codes."""

from __future__ import annotations

import pytest
from importer_helpers import FIXTURES, parsed

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers.cms_qpp.measures_json import load_json
from desktop_app.core.importers.textio import SourceFile
from desktop_app.core.quality import Role


def test_measures_with_titles_details_and_performance_codes() -> None:
    (ds,) = parsed(FIXTURES / "qpp" / "measures-data-2030.json")
    assert (ds.kind, ds.release) == ("cms-qpp", "2030")
    assert ds.measures["901"].title == "Invented measure: pretend follow-up documented"
    assert ds.measures["009"].details["type"] == "outcome"  # a one-digit id, written with three
    roles = {(link.role, link.modifier) for link in ds.measure_codes if link.code == "0990F"}
    assert {(Role.MET, ""), (Role.NOT_MET, "8P")} <= roles


def test_bad_json_names_the_file_and_line() -> None:
    with pytest.raises(ImportFileError) as caught:
        load_json(SourceFile("measures.json", b""), '[\n{"measureId": "001",\n}')
    assert "measures.json" in str(caught.value) and "line" in str(caught.value)
