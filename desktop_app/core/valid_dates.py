"""What a code's deletion date means, said once: ``codes.deleted_date`` (and the ``deleted_date`` fact of every
source) is the **first day the code is not valid**, "deleted as of". A code deleted as of 2025-01-01 is valid
through 2024-12-31 and refused on a date of service of 2025-01-01 or later.

Why this meaning: three of the four files give it as it is. The CMS RVU file's status D is "deleted effective
with the beginning of the applicable year" (RVU25D.pdf, Attachment A), so its year's 1 January; the AMA's
deleted-code list and PLA file give the release's effective date. The HCPCS file's TERM DT is the other one:
the last day the code may be used (its record layout; in the 2025 and 2020 files every TERM DT is the day
before the record's ACT EFF DT, e.g. 2024-12-31 for a code discontinued on 2025-01-01), so the HCPCS importer
stores the day after it (:func:`day_after`) and keeps TERM DT itself as the ``termination_date`` fact.

Every comparison with a date of service goes through :func:`valid_on` (both ends: the first valid day, e.g. the
HCPCS ADD DT of an added code, and the deletion date), and every sentence through :func:`deletion_words` and
:func:`not_yet_valid_words`, so "deleted on 2024-12-31" (which day?) is never written again.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BEFORE_YEAR_RE = re.compile(r"before (\d{4})")  # the AMA history's "Pre-1990", as the importer keeps it


def _as_date(iso: str) -> date | None:
    if not _ISO_RE.fullmatch(iso):
        return None
    try:
        return date.fromisoformat(iso)
    except ValueError:
        return None


def day_after(iso: str) -> str:
    """``2024-12-31`` → ``2025-01-01``; text that is not an ISO date comes back unchanged."""
    day = _as_date(iso)
    return (day + timedelta(days=1)).isoformat() if day else iso


def valid_through(deleted_as_of: str) -> str:
    """The last day a code deleted as of ``deleted_as_of`` is valid (``2025-01-01`` → ``2024-12-31``); ``''``
    when the date is blank or not a day."""
    day = _as_date(deleted_as_of)
    return (day - timedelta(days=1)).isoformat() if day else ""


def valid_on(deleted_as_of: str, day: str, valid_from: str = "") -> bool:
    """Is a code deleted as of ``deleted_as_of`` (``''``: not deleted) and valid from ``valid_from`` (its first
    valid day, e.g. the HCPCS ADD DT; ``''``: no known start) valid on ``day`` (ISO)? The first and the last
    valid day are accepted, the deletion day itself is not. A deletion known only as "before 1990" is valid before
    1990; one whose date is unknown text is valid on no day (it is deleted, and we cannot say since when). A start
    that is not a day is ignored (nothing says the code was not valid yet)."""
    if valid_from and _as_date(valid_from) and day < valid_from:
        return False
    if not deleted_as_of:
        return True
    if _as_date(deleted_as_of):
        return day < deleted_as_of
    before = _BEFORE_YEAR_RE.fullmatch(deleted_as_of)
    return before is not None and day < f"{before.group(1)}-01-01"


def not_yet_valid_words(valid_from: str) -> str:
    """``takes effect on 2025-10-01`` (its first valid day; the day before, it is not valid yet)."""
    return f"takes effect on {valid_from}"


def deletion_words(deleted_as_of: str) -> str:
    """``deleted as of 2025-01-01 (valid through 2024-12-31)``; ``deleted`` when no date is known."""
    if not deleted_as_of:
        return "deleted"
    through = valid_through(deleted_as_of)
    return f"deleted as of {deleted_as_of}" + (f" (valid through {through})" if through else "")


def deleted_label(deleted_as_of: str) -> str:
    """The short form a results row leads its second line with: ``Deleted as of 2025-01-01``."""
    return f"Deleted as of {deleted_as_of}" if deleted_as_of else "Deleted"
