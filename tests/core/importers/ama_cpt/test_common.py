"""core/importers/ama_cpt/common.py: the tab-delimited tables' header and columns."""

from __future__ import annotations

import pytest

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers.ama_cpt.common import cells_key, column, find_header, header_of
from desktop_app.core.importers.textio import SourceFile

LINES = ["An invented notice line", "", "Concept Id\tCPT Code\tConsumer Friendly Descriptor", "9000001\t99990\tx"]


def test_the_header_is_the_first_tabbed_line_with_every_needed_cell() -> None:
    assert cells_key(LINES[2]) == ["conceptid", "cptcode", "consumerfriendlydescriptor"]
    assert find_header(LINES, ("cptcode", "descriptor")) == 2
    assert find_header(LINES, ("cptcode", "clinician")) is None


def test_a_column_is_found_exactly_first_then_by_part() -> None:
    keys = cells_key(LINES[2])
    assert column(keys, "cptcode") == 1
    assert column(keys, "descriptor") == 2
    assert column(keys, "modifier", default=-1) == -1


def test_a_missing_header_names_the_file() -> None:
    with pytest.raises(ImportFileError, match="no header row with cptcode, clinician"):
        header_of(SourceFile("ClinicianDescriptor.txt", b"x"), LINES, ("cptcode", "clinician"))
