"""What the package carries: the bundled data through one lookup, the licence and the notices."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from desktop_app.core.resources import bundle_files, data_dir, resources_dir
from desktop_app.ui.about import NOTICES

REPO = Path(__file__).resolve().parents[1]


def test_the_bundle_is_found_as_the_resources_package() -> None:
    assert resources_dir().name == "resources"
    assert (resources_dir() / "codedesk.desktop").is_file()
    names = {path.relative_to(data_dir()).as_posix() for path in bundle_files()}
    assert {"code_sets.toml", "sections.csv", "abbreviations.toml", "quality_measures.csv",
            "starter_codes/category_i.csv", "starter_codes/category_ii_iii_hcpcs.csv"} <= names
    assert {f"codedesk-{size}.png" for size in (16, 32, 256)} <= {p.name for p in (resources_dir() / "icons").iterdir()}


def test_the_installed_metadata_names_the_licence() -> None:
    meta = metadata.metadata("codedesk")
    assert meta["License-Expression"] == "MIT" or meta["License"] == "MIT"
    files = {Path(str(f)).name for f in metadata.files("codedesk") or []}
    assert {"LICENSE", "NOTICE"} <= files


def test_every_notice_of_the_about_box_is_in_notice() -> None:
    """The About box and the NOTICE file state the same AMA/ADA/CMS notices."""
    notice = " ".join((REPO / "NOTICE").read_text(encoding="utf-8").split())
    for text in NOTICES:
        assert " ".join(text.split()) in notice, text
