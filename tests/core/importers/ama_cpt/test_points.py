"""core/importers/ama_cpt/points.py: each verified point names where it was checked; none is also unverified."""

from __future__ import annotations

from desktop_app.core.importers.ama_cpt.points import UNVERIFIED, VERIFIED


def test_points_are_stated_once_and_not_both_ways() -> None:
    assert VERIFIED and UNVERIFIED
    assert len(set(VERIFIED)) == len(VERIFIED)
    assert not set(VERIFIED) & set(UNVERIFIED)
