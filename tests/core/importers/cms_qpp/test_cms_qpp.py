"""core/importers/cms_qpp/__init__.py: the two files line up as one set of measures once imported."""

from __future__ import annotations

from importer_helpers import FIXTURES

from desktop_app.core.importers import cms_qpp, import_paths
from desktop_app.core.store import CodeStore


def test_the_package_exports_what_it_lists() -> None:
    assert all(hasattr(cms_qpp, name) for name in cms_qpp.__all__)


def test_json_and_claims_name_the_same_measure(db: CodeStore) -> None:
    import_paths(db.conn, [FIXTURES / "qpp" / "measures-data-2030.json",
                           FIXTURES / "qpp" / "2030_Claims_SingleSource_V1.0.csv"])
    kinds = {kind for (kind,) in db.conn.execute(
        "SELECT DISTINCT s.kind FROM measure_codes m JOIN sources s ON s.id = m.source_id WHERE m.measure_id = '901'")}
    assert kinds == {"cms-qpp", "cms-qpp-claims"}
