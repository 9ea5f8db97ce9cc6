"""core/importers/cms_gpci.py: the GPCI addendum's localities, read from the invented fixture."""

from __future__ import annotations

from importer_helpers import FIXTURES, parsed

from desktop_app.core.importers.cms_gpci import FORMAT, sniff_lines


def test_the_addendum_becomes_localities_with_their_three_gpcis() -> None:
    (ds,) = parsed(FIXTURES / "cms" / "GPCI2030.csv")
    assert (ds.kind, ds.format, ds.release) == ("cms-gpci", FORMAT, "2030")
    toyland = next(loc for loc in ds.localities if loc.name == "TOYLAND")
    assert (toyland.mac, toyland.state, toyland.number) == ("99101", "ZZ", "00")
    assert (toyland.work_gpci, toyland.pe_gpci, toyland.mp_gpci) == (1.0, 0.9, 0.5)
    assert not ds.codes


def test_sniffing_knows_the_gpci_header_and_nothing_else() -> None:
    lines = (FIXTURES / "cms" / "GPCI2030.csv").read_text(encoding="utf-8").splitlines()
    assert sniff_lines(lines) == FORMAT
    assert sniff_lines(["code,descriptor,category", "99990,visit,visits"]) is None
