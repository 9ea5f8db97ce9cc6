"""``StrEnum`` on every supported Python: members are their text everywhere (``str()``, f-strings, JSON, SQL
parameters), so an enum can replace a string constant without changing a byte of output."""

from __future__ import annotations

import sys
from enum import Enum

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10 only

    class StrEnum(str, Enum):
        """The 3.11 ``enum.StrEnum``, as far as CodeDesk uses it."""

        def __str__(self) -> str:
            return str(self.value)

        def __format__(self, spec: str) -> str:
            return format(str(self.value), spec)


__all__ = ["StrEnum"]
