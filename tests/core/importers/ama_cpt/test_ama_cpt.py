"""core/importers/ama_cpt/__init__.py: one release folder becomes one AMA source (the package's entry points)."""

from __future__ import annotations

from desktop_app.core.importers import ama_cpt, import_paths
from desktop_app.core.store import CodeStore

from .ama_files import RELEASE


def test_the_package_exports_what_it_lists() -> None:
    assert all(hasattr(ama_cpt, name) for name in ama_cpt.__all__)
    assert ama_cpt.KIND == "ama-cpt"


def test_a_release_folder_is_one_source_with_its_skipped_members_noted(db: CodeStore) -> None:
    (summary,) = import_paths(db.conn, [RELEASE])
    assert (summary.format, summary.release) == ("ama-cpt-release", "2030")
    assert summary.added > 0 and summary.modifiers > 0
    assert any("LONGUT.txt" in note for note in summary.notes)
    kinds = [row[0] for row in db.conn.execute("SELECT kind FROM sources WHERE id = ?", (summary.source_id,))]
    assert kinds == ["ama-cpt"]
