"""A work-around for a reference-counting bug in PySide6 6.12.0 on Python 3.10/3.11.

That release returns ``None`` from every void method (``label.setText(...)``) and ``True`` from
``SignalInstance.emit()``/``disconnect()`` without taking a reference. From Python 3.12 on these objects are
immortal and nothing happens; before 3.12 each call drops the object's reference count by one, and after some
tens of thousands of calls the interpreter aborts ("Fatal Python error: none_dealloc" / "bool_dealloc").
PySide6 6.11 does not have the bug.

The proper fix is to avoid that release (``PySide6-Essentials<6.12`` on Python < 3.12). Until then,
:func:`protect_singletons` gives ``None``, ``True`` and ``False`` what Python 3.12 gives them: a reference
count so large that no number of missing references can bring it to zero. They are never freed anyway, so a
count that is too high costs nothing; one that is too low kills the process.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

# Added to each singleton's count: ~10^12 leaked references before trouble, i.e. never.
_HEADROOM = 1 << 40


class _Probe(QObject):
    ping = Signal()


def has_refcount_bug() -> bool:
    """True when this PySide drops references to None or True (measured, not guessed from versions)."""
    if sys.version_info >= (3, 12):
        return False
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(8):
        probe.setObjectName("probe")  # a void method: returns None
        probe.ping.emit()  # returns True
    return sys.getrefcount(None) < none_before or sys.getrefcount(True) < true_before


_protected = False


def protect_singletons() -> bool:
    """Apply the work-around if this PySide needs it. Returns True when it was applied (once per process)."""
    global _protected
    if _protected:
        return True
    if not has_refcount_bug():
        return False
    for singleton in (None, True, False):
        # CPython < 3.12: a PyObject starts with its Py_ssize_t reference count.
        ctypes.c_ssize_t.from_address(id(singleton)).value += _HEADROOM
    _protected = True
    return True
