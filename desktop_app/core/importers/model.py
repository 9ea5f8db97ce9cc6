"""What every importer produces (a :class:`Dataset`) and what watches it run (a :class:`Monitor`).

Readers only parse: they turn files into a Dataset in memory and never touch the database. The loader
(:mod:`.loader`) writes a Dataset in one transaction. So a broken file fails before anything is written.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from desktop_app.core.errors import ImportCancelled
from desktop_app.core.grammar import classify, code_set_of, is_code, modifier_code_set
from desktop_app.core.kinds import CodeKind, DescriptorKind, SourceKind

ProgressFn = Callable[[str, int, int], None]
CancelFn = Callable[[], bool]

POLL_EVERY = 1000

# The phases of an import, in order, as Monitor.phases names them (bench/bench_import.py --profile).
PHASE_PARSE = "read/parse"
PHASE_VALIDATE = "validate"
PHASE_COMPARE = "compare"
PHASE_WRITE = "write rows"
PHASE_STATUS = "statuses"
PHASE_INDEX = "search index"
PHASE_COMMIT = "commit"
PHASES = (PHASE_PARSE, PHASE_VALIDATE, PHASE_COMPARE, PHASE_WRITE, PHASE_STATUS, PHASE_INDEX, PHASE_COMMIT)


class Monitor:
    """Reports progress and polls for cancellation about every :data:`POLL_EVERY` rows."""

    def __init__(
        self,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        phases: dict[str, float] | None = None,
    ) -> None:
        self._progress = progress
        self._cancel = cancel
        self.message = ""
        self.total = 0
        # Seconds spent per phase of the import (read/parse, validate, write rows, ...), summed over files:
        # what ``bench/bench_import.py --profile`` prints. Two clock reads per phase, so always on.
        self.phases: dict[str, float] = phases if phases is not None else {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Add the time the block takes to ``phases[name]``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - started

    def start(self, message: str, total: int) -> None:
        self.message = message
        self.total = total
        self.report(0)

    def tick(self, done: int) -> None:
        """Call once per row; every 1000th call reports and polls."""
        if done % POLL_EVERY == 0:
            self.report(done)

    def report(self, done: int) -> None:
        self.check()
        if self._progress is not None:
            self._progress(self.message, done, self.total)

    def check(self) -> None:
        if self._cancel is not None and self._cancel():
            raise ImportCancelled("import cancelled; nothing was changed")


@dataclass
class CodeRecord:
    """One code or modifier as a file describes it."""

    code: str
    kind: CodeKind
    code_set: str
    descriptors: list[tuple[str, str]] = field(default_factory=list)  # (kind, text), in file order
    facts: dict[str, dict[str, object]] = field(default_factory=dict)  # modifier ('' = the code) -> facts
    # modifier -> the facts as canonical JSON (exactly loader.facts_json(facts[modifier])), for readers that
    # can make it cheaper than encoding each dict (the RVU reader joins memoised pieces); the loader encodes the
    # facts of any modifier missing here. A reader that fills it must not change those facts afterwards.
    facts_text: dict[str, str] = field(default_factory=dict)
    # Facts about a code the file gives no descriptor for (history rows, say) are kept only when the code is
    # already in the database; otherwise they would create a code with no text.
    facts_only: bool = False

    def add_descriptor(self, kind: DescriptorKind, text: str) -> None:
        text = " ".join(text.split())
        if text and (kind, text) not in self.descriptors:
            self.descriptors.append((kind, text))

    def has_descriptor(self, kind: DescriptorKind) -> bool:
        return any(k == kind for k, _ in self.descriptors)


@dataclass
class MeasureRecord:
    measure_id: str
    title: str
    details: dict[str, object]


@dataclass(frozen=True)
class MeasureCodeRecord:
    measure_id: str
    code: str
    role: str
    role_detail: str
    modifier: str
    conditions: str  # JSON text (sorted keys), so rows can be compared and de-duplicated
    together: str = ""  # the codes reported together in this option ("G8752 + G8754"); '' when alone


@dataclass(frozen=True)
class LocalityRecord:
    """One Medicare payment locality of a GPCI file."""

    mac: str
    state: str
    number: str
    name: str
    work_gpci: float
    pe_gpci: float
    mp_gpci: float


@dataclass
class Dataset:
    """Everything one import writes: one ``sources`` row and the rows that hang off it."""

    kind: SourceKind  # sources.kind
    format: str  # the detected format id, e.g. 'cms-rvu-csv'
    name: str  # shown to people: "CMS PFS RVU 2025 October (RVU25D)"
    file_name: str
    release: str
    effective_date: str  # ISO date
    sha256: str
    codes: dict[str, CodeRecord] = field(default_factory=dict)
    measures: dict[str, MeasureRecord] = field(default_factory=dict)
    measure_codes: list[MeasureCodeRecord] = field(default_factory=list)
    localities: list[LocalityRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra_counts: dict[str, int] = field(default_factory=dict)
    rows: int = 0  # data rows read

    def record(self, code: str, kind: CodeKind = CodeKind.CODE) -> CodeRecord:
        """The record for ``code`` (a normalised code or modifier), created on first use."""
        rec = self.codes.get(code)
        if rec is None:
            code_set = modifier_code_set(code).value if kind == CodeKind.MODIFIER else _code_set(code)
            rec = self.codes[code] = CodeRecord(code, kind, code_set)
        return rec

    @property
    def modifier_count(self) -> int:
        return sum(1 for r in self.codes.values() if r.kind == CodeKind.MODIFIER)


@lru_cache(maxsize=65536)
def _code_set(code: str) -> str:
    code_set = code_set_of(code)
    if code_set is None:  # callers check is_code first
        raise ValueError(f"{code!r} is not a procedure code")
    return code_set.value


def is_modifier(text: str) -> bool:
    return len(text) == 2 and classify(text) is not None and not is_code(text)


_DATE_PATTERNS = (
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), (1, 2, 3)),
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), (1, 2, 3)),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), (3, 1, 2)),
)


def iso_date(text: str) -> str | None:
    """``20250101``, ``2025-01-01`` or ``01/01/2025`` (with an optional time after it) → ``2025-01-01``.

    Returns ``''`` for blank input and ``None`` for text that is not a valid date.
    """
    text = text.strip()
    if not text:
        return ""
    head = text.split()[0].split("T")[0]
    for pattern, (y, m, d) in _DATE_PATTERNS:
        match = pattern.fullmatch(head)
        if match:
            try:
                return date(int(match.group(y)), int(match.group(m)), int(match.group(d))).isoformat()
            except ValueError:
                return None
    return None


def today_iso() -> str:
    return date.today().isoformat()
