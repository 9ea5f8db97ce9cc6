"""Our bundled modifiers against the real CMS HCPCS 2025 file (skipped when ../shared/data is absent): every
modifier the file has shows its official text beside ours, and our HCPCS ids all exist in the file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.importers import import_paths
from desktop_app.core.modifiers import OUR_MODIFIER_LABEL, bundled_modifiers
from desktop_app.core.store import CodeStore

pytestmark = pytest.mark.realdata
HCPCS_FILE = Path("cms-hcpcs-2025-oct") / "HCPC2025_OCT_ANWEB.xlsx"


def file_modifiers(path: Path) -> dict[str, str]:
    """The modifier rows (record id 7) of the HCPCS workbook: modifier → long description."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = next(rows)
    code_col, ric_col, long_col = header.index("HCPC"), header.index("RECID"), header.index("LONG DESCRIPTION")
    found: dict[str, str] = {}
    for row in rows:
        if str(row[ric_col]).strip() == "7":
            found[str(row[code_col]).strip()] = " ".join(str(row[long_col] or "").split())
    book.close()
    return found


@pytest.fixture(scope="module")
def official(shared_data: Path) -> dict[str, str]:
    return file_modifiers(shared_data / HCPCS_FILE)


@pytest.fixture(scope="module")
def hcpcs_store(shared_data: Path, reference_template: Path, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[CodeStore]:
    path = tmp_path_factory.mktemp("modifiers-real") / "db.sqlite3"
    shutil.copyfile(reference_template, path)
    store = CodeStore.open(path)
    import_paths(store.conn, [shared_data / HCPCS_FILE])
    store.refresh()
    yield store
    store.close()


def test_the_file_has_modifiers(official: dict[str, str]) -> None:
    assert len(official) > 300 and {"LT", "RT", "TC", "GT", "XE", "JZ", "P1"} <= set(official)


def test_our_hcpcs_modifiers_all_exist_in_the_file(official: dict[str, str]) -> None:
    ours = bundled_modifiers()
    missing = sorted(m for m in ours if m not in official)
    # The HCPCS file holds HCPCS Level II modifiers (and the anesthesia physical status ones); CPT's two-digit
    # modifiers and the Category II P-modifiers are AMA's and are not in it.
    print(f"bundled modifiers not in the CMS HCPCS 2025 file ({len(missing)}): {' '.join(missing)}")
    hcpcs_families = {"HCPCS", "Anesthesia physical status"}
    assert [m for m in missing if ours[m].family in hcpcs_families] == []
    assert all(ours[m].family in {"CPT", "Category II"} for m in missing)


def test_every_bundled_modifier_in_the_file_shows_its_official_text_beside_ours(
        hcpcs_store: CodeStore, official: dict[str, str]) -> None:
    shared = sorted(set(bundled_modifiers()) & set(official))
    assert len(shared) >= 100
    for modifier in shared:
        detail = hcpcs_store.detail(modifier)
        assert detail.modifier is not None and detail.to_json()["modifier"]["source"] == OUR_MODIFIER_LABEL  # type: ignore[index]
        imported = [d for d in detail.descriptors if not d.source.is_ours and d.kind == "long"]
        assert imported, modifier
        assert " ".join(imported[0].text.split()) == official[modifier], modifier
        assert "HCPCS" in imported[0].source.name


def test_our_words_are_not_the_official_text(official: dict[str, str]) -> None:
    """Ours is written, not copied: no sentence of an entry is (nearly) the CMS text of the same modifier."""
    import difflib
    import re

    def words(text: str) -> str:
        return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()

    close = []
    for modifier, entry in bundled_modifiers().items():
        if modifier not in official:
            continue
        for text in (entry.meaning, entry.use, entry.not_for):
            ratio = difflib.SequenceMatcher(None, words(text), words(official[modifier])).ratio()
            if ratio > 0.85:
                close.append(f"{modifier}: {text!r} ~ {official[modifier]!r} ({ratio:.2f})")
    assert close == []
