"""The shared words (core/kinds.py, the other StrEnums) are their text everywhere: using them changes no output."""

from __future__ import annotations

import json
import re
import sqlite3
from enum import Enum

import pytest

from desktop_app.cli_commands.validate import LineStatus
from desktop_app.core import indexing, kinds
from desktop_app.core.changes import ChangeKind
from desktop_app.core.details import DESCRIPTOR_KIND_LABELS
from desktop_app.core.enums import StrEnum
from desktop_app.core.grammar import CodeSet, Shape
from desktop_app.core.importers import loader
from desktop_app.core.quality import Role

ENUMS: list[type[StrEnum]] = [kinds.CodeKind, kinds.CodeStatus, kinds.DescriptorKind, kinds.SourceKind,
                              kinds.NcciSetting, CodeSet, Shape, Role, ChangeKind, LineStatus]
MEMBERS = [member for enum in ENUMS for member in enum]


@pytest.mark.parametrize("member", MEMBERS, ids=lambda m: f"{type(m).__name__}.{m.name}")
def test_a_member_is_its_text_in_every_output(member: Enum) -> None:
    value = member.value
    assert isinstance(member, str) and member == value
    assert str(member) == value and f"{member}" == value and f"{member:>3}" == f"{value:>3}"
    assert json.dumps(member) == json.dumps(value) and json.dumps({member: 1}) == json.dumps({value: 1})
    assert hash(member) == hash(value)
    conn = sqlite3.connect(":memory:")
    stored = conn.execute("SELECT ?, typeof(?)", (member, member)).fetchone()
    assert stored == (value, "text") and type(stored[0]) is str


def test_labels_cover_every_member() -> None:
    assert set(kinds.SOURCE_KIND_LABELS) == set(kinds.SourceKind)
    assert set(kinds.NCCI_SETTING_LABELS) == set(kinds.NcciSetting)
    assert all(kind.label for kind in kinds.SourceKind)


def test_the_loaders_sql_names_only_known_kinds() -> None:
    """The status rules are SQL text; the kinds they name must be real source kinds (a typo would match nothing)."""
    named = set(re.findall(r"'([a-z-]+)'", loader._AUTHORITY_SQL + loader._KIND_ORDER_SQL))
    assert named - {"modifier", "HCPCS"} <= set(kinds.SourceKind)
    assert {"modifier"} <= named and "modifier" in set(kinds.CodeKind)


def test_descriptor_kinds_are_the_ones_titles_and_labels_use() -> None:
    assert set(indexing.TITLE_KIND_ORDER) <= set(kinds.DescriptorKind)
    assert set(DESCRIPTOR_KIND_LABELS) <= set(kinds.DescriptorKind)
