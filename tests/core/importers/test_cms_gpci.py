"""core/importers/cms_gpci.py: the GPCI addendum's localities, read from the invented fixture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from importer_helpers import FIXTURES, parsed

from desktop_app.core.errors import ImportFileError
from desktop_app.core.importers import import_paths
from desktop_app.core.importers.cms_gpci import FORMAT, sniff_lines
from desktop_app.core.store import CodeStore


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


def test_a_note_that_only_mentions_the_columns_is_not_the_table(tmp_path: Path) -> None:
    # A PROVENANCE.md or README beside the CSV names the columns in prose; taking it for the table refused the
    # whole folder's import ("no GPCI header row"). The folder now imports its CSV and skips the note.
    note = ["# Toyland GPCI notes", "",
            "Columns: MAC, State, Locality Number, Locality Name, PW GPCI, PE GPCI, MP GPCI (invented text).",
            "The locality amount uses the work, PE GPCI and MP GPCI of the locality."]
    assert sniff_lines(note) is None
    assert sniff_lines(["MAC\tState\tLocality Number\tLocality Name\tPW GPCI\tPE GPCI\tMP GPCI"]) == FORMAT
    folder = tmp_path / "gpci"
    folder.mkdir()
    shutil.copy(FIXTURES / "cms" / "GPCI2030.csv", folder / "GPCI2030.csv")
    (folder / "PROVENANCE.md").write_text("\n".join(note) + "\n", encoding="utf-8")
    store = CodeStore.open(tmp_path / "db.sqlite3")
    try:
        (summary,) = import_paths(store.conn, [folder])
        assert summary.format == FORMAT
        assert any("PROVENANCE.md" in note for note in summary.notes)
    finally:
        store.close()


def test_a_table_that_lost_its_header_row_is_told_so(tmp_path: Path) -> None:
    # A review: without its header row the addendum was read as a code list and refused with "'ADDENDUM E. …' is
    # not a procedure code or modifier". Its title row (the title, then empty cells) still names the table.
    lines = (FIXTURES / "cms" / "GPCI2030.csv").read_text(encoding="utf-8").splitlines()
    headerless = [line for line in lines if "Locality Name" not in line]
    assert len(headerless) == len(lines) - 1
    assert sniff_lines(headerless) == FORMAT
    path = tmp_path / "GPCI2030.csv"
    path.write_text("\n".join(headerless) + "\n", encoding="utf-8")
    store = CodeStore.open(tmp_path / "db.sqlite3")
    try:
        with pytest.raises(ImportFileError, match="no GPCI header row") as refused:
            import_paths(store.conn, [path])
        assert refused.value.line == 1 and "GPCI2030.csv" in str(refused.value)
    finally:
        store.close()
