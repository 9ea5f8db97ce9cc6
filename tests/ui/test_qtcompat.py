"""ui/qtcompat.py: the refcount workaround is applied once, when the ui package is imported, and only where
this PySide needs it."""

from __future__ import annotations

import sys

import desktop_app.ui
from desktop_app.ui.qtcompat import has_refcount_bug, protect_singletons


def test_the_workaround_is_applied_once_and_only_where_needed() -> None:
    assert protect_singletons() == desktop_app.ui.REFCOUNT_WORKAROUND_APPLIED  # again: nothing changes
    if sys.version_info >= (3, 12):
        assert not has_refcount_bug() and not desktop_app.ui.REFCOUNT_WORKAROUND_APPLIED
