"""core/importers/generic_csv.py: a practice's own list of codes and wording."""

from __future__ import annotations

from importer_helpers import FIXTURES, parsed

from desktop_app.core.importers.generic_csv import FORMAT, KIND, sniff_text
from desktop_app.core.kinds import DescriptorKind


def test_a_practice_list_keeps_its_wording_and_category() -> None:
    (ds,) = parsed(FIXTURES / "csv" / "practice_favourites.csv")
    assert (ds.kind, ds.format) == (KIND, FORMAT)
    assert list(ds.codes) == ["99990", "0990F", "Z1", "Q9990"]  # "0990f" is written as the code it is
    visit = ds.codes["99990"]
    assert visit.descriptors == [(DescriptorKind.PRACTICE, "Our quick visit (practice wording)")]
    assert visit.facts[""] == {"category": "visits"}


def test_sniffing_wants_a_code_column() -> None:
    assert sniff_text("code,descriptor,category\n99990,visit,visits\n")
    assert not sniff_text("name,address\nA,B\n")
