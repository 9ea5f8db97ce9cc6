"""Format detection by content: every fixture, containers, and files that are not importable."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from importer_helpers import FIXTURES

from desktop_app.core.importers import FORMAT_LABELS, SUPPORTED_FORMATS, detect, import_paths
from desktop_app.core.store import CodeStore

AMA = "ama/CPT 2030 data files"
CURRENT = "ama/2031 CPT Standard Annual Update/Current Format/Primary Data Files"


@pytest.mark.parametrize(("relative", "fmt"), [
    ("cms/PPRRVU2030_Jan.csv", "cms-rvu-csv"),
    ("cms/PPRRVU2030_Jan.txt", "cms-rvu-txt"),
    ("cms/PPRRVU2030_Jan.xlsx", "cms-rvu-xlsx"),
    ("cms/HCPC2030_ANWEB_fixture.txt", "cms-hcpcs-txt"),
    ("cms/HCPC2030_APR_ANWEB.xlsx", "cms-hcpcs-xlsx"),
    ("qpp/measures-data-2030.json", "cms-qpp-json"),
    ("qpp/2030_Claims_SingleSource_V1.0.csv", "cms-qpp-claims-csv"),
    ("csv/practice_favourites.csv", "csv"),
    ("csv/semicolon_list_cp1252.csv", "csv"),
    (f"{AMA}/standard/LONGULT.txt", "ama-longult"),
    (f"{AMA}/standard/MEDU.txt", "ama-medu"),
    (f"{AMA}/standard/SHORTU.txt", "ama-shortu"),
    (f"{AMA}/standard/MODUL.txt", "ama-modul"),
    (f"{AMA}/standard/Consumer Friendly Descriptors/ConsumerDescriptor.txt", "ama-consumer"),
    (f"{AMA}/standard/Clinician Descriptors/ClinicianDescriptor.txt", "ama-clinician"),
    (f"{AMA}/standard/Proprietary Laboratory Analyses (PLA) Codes/CPTPLA", "ama-pla"),
    (f"{AMA}/standard/Proprietary Laboratory Analyses (PLA) Codes/CPTPLATab.txt", "ama-pla-tab"),
    (f"{AMA}/standard/LONGUT.txt", "ama-longut"),
    (f"{AMA}/standard/LONGULF.txt", "ama-long-fixed"),
    (f"{AMA}/standard/LONGUF.txt", "ama-long-fixed"),
    (f"{AMA}/CPT Link/history/Deleted_DTK_tab.txt", "ama-deleted"),
    (f"{AMA}/CPT Link/history/History_DTK_tab.txt", "ama-history"),
    (f"{AMA}/CPT Link/history/HistoryModifiers_DTK_tab.txt", "ama-history-modifiers"),
    (f"{CURRENT}/ConsolidatedCodeList.txt", "ama-code-list"),
    (f"{CURRENT}/Modifiers.txt", "ama-modifiers"),
    (AMA, "folder"),
    ("broken/notes_unknown_format.txt", None),
    ("broken/empty.csv", None),
    ("broken/practice_binary.csv", None),
    ("broken/practice_utf16.csv", None),
])
def test_detect(relative: str, fmt: str | None) -> None:
    assert detect(FIXTURES / relative) == fmt
    if fmt is not None:
        assert fmt in FORMAT_LABELS


def test_detect_reads_content_not_names(tmp_path: Path) -> None:
    """Renamed files are still recognised; the name is only a tie-breaker."""
    for relative, fmt in (("cms/PPRRVU2030_Jan.csv", "cms-rvu-csv"), ("cms/HCPC2030_ANWEB_fixture.txt",
                                                                     "cms-hcpcs-txt"),
                          ("qpp/measures-data-2030.json", "cms-qpp-json"), (f"{AMA}/standard/LONGULT.txt",
                                                                             "ama-longult"),
                          ("cms/HCPC2030_APR_ANWEB.xlsx", "cms-hcpcs-xlsx")):
        renamed = tmp_path / f"download ({fmt}).dat"
        shutil.copyfile(FIXTURES / relative, renamed)
        assert detect(renamed) == fmt


def test_detect_containers(tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURES / "qpp" / "measures-data-2030.json", "nested/measures-data-2030.json")
    assert detect(archive) == "zip"
    useless = tmp_path / "useless.zip"
    with zipfile.ZipFile(useless, "w") as zf:
        zf.writestr("README.txt", "nothing\n")
    assert detect(useless) is None
    assert detect(tmp_path / "missing.csv") is None
    assert detect(tmp_path) == "folder"


def test_nested_zip_in_a_folder(db: CodeStore, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    with zipfile.ZipFile(folder / "qpp2030.zip", "w") as zf:
        zf.write(FIXTURES / "qpp" / "measures-data-2030.json", "measures-data-2030.json")
    (folder / ".hidden.csv").write_text("code,descriptor\n99990,hidden\n", encoding="utf-8")
    (folder / "readme.md").write_text("# not data\n", encoding="utf-8")
    summaries = import_paths(db.conn, [folder])
    assert [s.format for s in summaries] == ["cms-qpp-json"]
    assert summaries[0].file_name == "downloads/qpp2030.zip/measures-data-2030.json"
    assert any("readme.md" in note for note in summaries[0].notes)


def test_supported_formats_text() -> None:
    for word in ("PPRRVU", "HCPCS", "LONGULT", "ClinicianDescriptor", "PLA", "Deleted_DTK", "ConsolidatedCodeList",
                 "MODUL", "measures-data", "single-source", "code, descriptor"):
        assert word in SUPPORTED_FORMATS
