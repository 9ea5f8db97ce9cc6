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


RVU_FILE = Path("cms-pfs-rvu-2025d") / "PPRRVU2025_Oct.txt"
HCPCS_2020 = Path("cms-hcpcs-2020") / "HCPC2020_ANWEB_w_disclaimer.txt"


@pytest.fixture(scope="module")
def full_store(shared_data: Path, reference_template: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[CodeStore]:
    """The bundled reference with the RVU 2025D file and both HCPCS files imported."""
    path = tmp_path_factory.mktemp("modifiers-rules-real") / "db.sqlite3"
    shutil.copyfile(reference_template, path)
    store = CodeStore.open(path)
    import_paths(store.conn, [shared_data / RVU_FILE, shared_data / HCPCS_FILE, shared_data / HCPCS_2020])
    store.refresh()
    yield store
    store.close()


@pytest.mark.parametrize(("written", "fits", "said"), [
    # allowed by the file's ASST SURG / CO SURG / TEAM SURG, outside 10004-69990
    ("93590-80", True, "assistant at surgery: may be paid (ASST SURG 2, CMS PFS RVU 2025 October (RVU25D))"),
    ("93591-66", True, "team surgery: paid by report, only with documentation"),
    ("96547-80", True, "ASST SURG 2"),
    ("0483T-62", True, "co-surgeons: permitted"),
    ("0483T-80", True, "ASST SURG 2"),
    # forbidden by the file, inside 10004-69990
    ("11042-80", False, "assistant at surgery on 11042: not paid (ASST SURG 1, CMS PFS RVU 2025 October (RVU25D))"),
    ("10060-62", False, "co-surgeons on 10060: not permitted (CO SURG 0"),
    ("27130-66", False, "team surgery on 27130: not permitted (TEAM SURG 0"),
    ("22614-51", False, "22614 is an add-on code (global period ZZZ"),
    ("11300-50", False, "bilateral surgery on 11300: does not apply to this code (BILAT SURG 9"),
    ("27447-50", True, "the bilateral adjustment (150%) applies (BILAT SURG 1"),
    ("27130-62", True, "co-surgeons: paid only with documentation"),
    ("99213-80", False, "80 is not used on E/M services"),
    # E/M telemedicine visits
    ("98005-25", True, ""),
    ("98005-59", False, "59 is not used on E/M services (98000\u201398016)"),
    # terminated in the HCPCS file
    ("99213-JG", False, "JG was terminated: valid through 2024-12-31 (CMS HCPCS Level II 2025 October)"),
    ("27447-QQ", False, "QQ was terminated: valid through 2024-12-31"),
    ("99213-MA", False, "MA was terminated: valid through 2024-12-31"),
    ("99213-GD", False, "GD was terminated: valid through 2019-12-31 (CMS HCPCS Level II 2025 October)"),
    # contradictory anesthesia modifiers
    ("00100-AA-QK", False, "AA and QK on one line"),
    ("00100-QX-QZ", False, "QX and QZ on one line"),
])
def test_the_reviews_cases_against_the_real_files(full_store: CodeStore, written: str, fits: bool, said: str
                                                  ) -> None:
    checks = full_store.detail(written).applied
    assert all(c.fits for c in checks) is fits, [(c.modifier, c.reason, c.notes) for c in checks]
    assert said in " ".join(c.reason or " ".join(c.notes) for c in checks)


def test_every_modifier_the_hcpcs_files_terminated_is_refused_today(full_store: CodeStore) -> None:
    terminated = full_store.conn.execute(
        """SELECT DISTINCT f.code FROM code_facts f JOIN sources s ON s.id = f.source_id
           WHERE s.kind = 'cms-hcpcs' AND f.modifier = '' AND json_extract(f.facts, '$.termination_date') < date('now')
             AND f.code IN (SELECT code FROM codes WHERE kind = 'modifier')""").fetchall()
    codes = sorted(r[0] for r in terminated)
    print(f"modifiers terminated in an imported HCPCS file ({len(codes)}): {' '.join(codes)}")
    assert len(codes) >= 20 and {"JG", "GD", "QQ", "MA", "MH"} <= set(codes)
    for modifier in codes:
        (check,) = full_store.modifier_checks("27447", "I", [modifier])
        # A modifier the 2025 file lists again without an end date is not refused (the newest file decides).
        newest = full_store.conn.execute(
            """SELECT json_extract(f.facts, '$.termination_date') FROM code_facts f JOIN sources s ON s.id = f.source_id
               WHERE f.code = ? AND f.modifier = '' AND s.kind = 'cms-hcpcs'
               ORDER BY s.effective_date DESC LIMIT 1""", (modifier,)).fetchone()[0]
        if newest:
            assert not check.fits and f"{modifier} was terminated: valid through {newest}" in check.reason, modifier
