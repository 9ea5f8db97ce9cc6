"""The CMS QPP measures-data JSON: every value checked before it is read (types, ranges, nesting, numbers), then
each measure's performance options read as code roles (see :mod:`desktop_app.core.quality`)."""

from __future__ import annotations

import json
import math
from typing import Any

from desktop_app.core.errors import ImportFileError
from desktop_app.core.grammar import is_code, normalize
from desktop_app.core.importers.cms_qpp.common import (
    FORMAT_JSON,
    KIND_JSON,
    _conditions,
    _year_from,
    normalize_measure_id,
)
from desktop_app.core.importers.limits import MAX_MEASURE_CODES, MAX_MEASURES
from desktop_app.core.importers.loader import facts_json
from desktop_app.core.importers.model import Dataset, MeasureCodeRecord, MeasureRecord, Monitor
from desktop_app.core.importers.textio import SourceFile
from desktop_app.core.quality import (
    ELIGIBILITY,
    combination_text,
    json_option_role,
    measure_id_for_option_group,
)


def _key_lines(text: str, key: str) -> list[int]:
    """Line numbers of each occurrence of ``key`` (counted incrementally: one pass over the text)."""
    lines: list[int] = []
    line, last = 1, 0
    position = text.find(key)
    while position >= 0:
        line += text.count("\n", last, position)
        last = position
        lines.append(line)
        position = text.find(key, position + 1)
    return lines


def _strata(value: object) -> list[dict[str, str]]:
    """The measure's strata as the JSON names them (name and description), for the measure view."""
    if not isinstance(value, list):
        return []
    return [
        {"name": str(s.get("name") or ""), "description": str(s.get("description") or "")}
        for s in value
        if isinstance(s, dict)
    ]


# Nesting deeper than this is refused (the real files nest 6 levels); it also keeps re-encoding far from
# Python's recursion limit.
MAX_JSON_DEPTH = 40


_MAX_INT_DIGITS = 30


_STR, _INT, _BOOL, _LIST, _DICT, _NUM = "text", "whole number", "true/false", "list", "object", "number"


_TYPES: dict[str, tuple[type, ...]] = {
    _STR: (str,), _INT: (int,), _BOOL: (bool,), _LIST: (list,), _DICT: (dict,), _NUM: (int, float)
}


# field → (kinds allowed besides null, kind of each list item). Fields not named here are not read.
_MEASURE_FIELDS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "measureId": ((_STR, _INT), None),
    "title": ((_STR,), None),
    "category": ((_STR,), None),
    "measureType": ((_STR,), None),
    "metricType": ((_STR,), None),
    "isHighPriority": ((_BOOL,), None),
    "isInverse": ((_BOOL,), None),
    "measureSets": ((_LIST,), _STR),
    "submissionMethods": ((_LIST,), _STR),
    "primarySteward": ((_STR,), None),
    "description": ((_STR,), None),
    "nqfId": ((_STR, _INT), None),
    "eMeasureId": ((_STR,), None),
    "firstPerformanceYear": ((_INT,), None),
    "lastPerformanceYear": ((_INT,), None),
    "subcategoryId": ((_STR,), None),
    "measureSpecification": ((_DICT, _STR), None),
    "eligibilityOptions": ((_LIST,), _DICT),
    "performanceOptions": ((_LIST,), _DICT),
}


_ELIGIBILITY_FIELDS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "optionGroup": ((_STR, _INT), None),
    "minAge": ((_INT, _NUM), None),
    "maxAge": ((_INT, _NUM), None),
    "sexCode": ((_STR,), None),
    "diagnosisCodes": ((_LIST,), None),
    "diagnosisExclusionCodes": ((_LIST,), None),
    "procedureCodes": ((_LIST,), _DICT),
}


_PROCEDURE_FIELDS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "code": ((_STR,), None),
    "modifierExclusions": ((_LIST,), _STR),
    "placesOfServiceExclusions": ((_LIST,), _STR),
}


_PERFORMANCE_FIELDS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "optionGroup": ((_STR, _INT), None),
    "optionType": ((_STR,), None),
    "qualityCodes": ((_LIST,), _DICT),
}


_QUALITY_FIELDS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "code": ((_STR,), None),
    "modifiers": ((_LIST,), _STR),
}


_RANGES: dict[str, tuple[float, float]] = {
    "minAge": (0, 150),
    "maxAge": (0, 150),
    "firstPerformanceYear": (1990, 2200),
    "lastPerformanceYear": (1990, 2200),
}


class _BadNumber(ValueError):
    """A number JSON allows but a measures file never has (NaN, Infinity, 1e999, a 40-digit integer)."""

    def __init__(self, literal: str, reason: str) -> None:
        super().__init__(reason)
        self.literal = literal
        self.reason = reason


def _reject_constant(literal: str) -> object:
    raise _BadNumber(literal, f"{literal} is not a number JSON allows (not a finite number)")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise _BadNumber(literal, f"the number {literal[:40]} is too large (not a finite number)")
    return number


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > _MAX_INT_DIGITS:
        raise _BadNumber(literal, f"a whole number of {len(literal.lstrip('-')):,} digits is out of range")
    return int(literal)


def _line_of(text: str, needle: str) -> int | None:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def load_json(sf: SourceFile, text: str) -> object:
    """``json.loads`` that refuses NaN/Infinity, non-finite and huge numbers and too-deep nesting, each with
    the file and line, instead of letting them through (NaN would later make output that is not JSON)."""
    try:
        return json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_bounded_int
        )
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            sf.name, f"not valid JSON (the file may be cut off): {exc.msg}", line=exc.lineno
        ) from None
    except _BadNumber as exc:
        raise ImportFileError(sf.name, exc.reason, line=_line_of(text, exc.literal)) from None
    except RecursionError:
        raise ImportFileError(
            sf.name, "the JSON is nested too deeply to read (real measures files nest 6 levels)", line=1
        ) from None


def _kind_of(value: object) -> str:
    if value is None:
        return "null"
    for kind, types in _TYPES.items():
        if isinstance(value, types) and not (kind in (_INT, _NUM) and isinstance(value, bool)):
            return kind
    return type(value).__name__


def _check_fields(
    sf: SourceFile,
    where: str,
    record: dict[str, object],
    fields: dict[str, tuple[tuple[str, ...], str | None]],
    line: int | None,
) -> None:
    for key, (kinds, item_kind) in fields.items():
        value = record.get(key)
        if value is None:
            continue
        kind = _kind_of(value)
        if kind not in kinds:
            raise ImportFileError(
                sf.name, f"{where}.{key} is {_article(kind)}, expected {' or '.join(_article(k) for k in kinds)}",
                line=line,
            )
        if key in _RANGES and isinstance(value, int | float):
            low, high = _RANGES[key]
            if not low <= value <= high:
                raise ImportFileError(sf.name, f"{where}.{key} {value} is out of range ({low}-{high})", line=line)
        if item_kind is not None and isinstance(value, list):
            for index, item in enumerate(value):
                if _kind_of(item) != item_kind and not (item_kind == _STR and _kind_of(item) == _INT):
                    raise ImportFileError(
                        sf.name,
                        f"{where}.{key}[{index}] is {_article(_kind_of(item))}, expected {_article(item_kind)}",
                        line=line,
                    )


def _article(kind: str) -> str:
    if kind in ("null", _STR):
        return kind
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def _depth(value: object) -> int:
    """How deeply ``value`` nests (iteratively: a hostile file must not exhaust the stack here either)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def validate_measures(sf: SourceFile, measures: list[dict[str, object]], id_lines: list[int]) -> None:
    """Check the type (and range) of every field the reader uses, and the nesting of all the rest, so a file
    with the wrong types fails naming the measure, the field and the line instead of failing inside the reader."""
    if len(measures) > MAX_MEASURES:
        raise ImportFileError(
            sf.name, f"the file has {len(measures):,} measures; CodeDesk reads at most {MAX_MEASURES:,} "
            "(real files have a few hundred)",
        )
    entries = 0
    for index, measure in enumerate(measures):
        line = id_lines[index] if len(id_lines) == len(measures) else None
        mid = measure.get("measureId")
        where = f"measure {str(mid)[:20]!r}" if isinstance(mid, str | int) else f"measure #{index + 1}"
        if _depth(measure) > MAX_JSON_DEPTH:
            raise ImportFileError(
                sf.name, f"{where} is nested more than {MAX_JSON_DEPTH} levels deep (real files have 6)", line=line
            )
        _check_fields(sf, where, measure, _MEASURE_FIELDS, line)
        eligibility: list[dict[str, Any]] = measure.get("eligibilityOptions") or []  # type: ignore[assignment]
        performance: list[dict[str, Any]] = measure.get("performanceOptions") or []  # type: ignore[assignment]
        for o, option in enumerate(eligibility):
            _check_fields(sf, f"{where}: eligibilityOptions[{o}]", option, _ELIGIBILITY_FIELDS, line)
            for p, proc in enumerate(option.get("procedureCodes") or []):
                _check_fields(sf, f"{where}: eligibilityOptions[{o}].procedureCodes[{p}]", proc, _PROCEDURE_FIELDS,
                              line)
            entries += len(option.get("procedureCodes") or []) + len(option.get("diagnosisCodes") or [])
        for o, option in enumerate(performance):
            _check_fields(sf, f"{where}: performanceOptions[{o}]", option, _PERFORMANCE_FIELDS, line)
            for q, quality in enumerate(option.get("qualityCodes") or []):
                _check_fields(sf, f"{where}: performanceOptions[{o}].qualityCodes[{q}]", quality, _QUALITY_FIELDS,
                              line)
                entries += len(quality.get("modifiers") or [None])
        if entries > MAX_MEASURE_CODES:
            raise ImportFileError(
                sf.name, f"the file lists more than {MAX_MEASURE_CODES:,} codes; real files list tens of thousands",
                line=line,
            )


def parse_json(sf: SourceFile, monitor: Monitor) -> Dataset:
    text = sf.text()
    data = load_json(sf, text)
    if isinstance(data, dict) and isinstance(data.get("measures"), list):
        data = data["measures"]
    if not isinstance(data, list) or not all(isinstance(m, dict) and "measureId" in m for m in data):
        raise ImportFileError(sf.name, "wrong structure: expected a list of measures, each with a measureId", line=1)
    if not data:
        raise ImportFileError(sf.name, "no measures in file (the list of measures is empty)", line=1)
    id_lines = _key_lines(text, '"measureId"')
    validate_measures(sf, data, id_lines)
    year = _year_from(sf, text[:2_000_000])
    if year is None:
        ds = Dataset(
            KIND_JSON,
            FORMAT_JSON,
            f"CMS QPP measures (unknown year, {sf.base_name})",
            sf.name,
            f"unknown-{sf.sha256[:8]}",
            "",
            sf.sha256,
        )
        ds.warnings.append("could not tell the performance year; name the file like measures-data-2025.json")
    else:
        ds = Dataset(
            KIND_JSON,
            FORMAT_JSON,
            f"CMS QPP MIPS measures {year}",
            sf.name,
            str(year),
            f"{year}-01-01",
            sf.sha256,
        )
    monitor.start(f"Reading {sf.name}", len(data))
    links: set[MeasureCodeRecord] = set()
    dx = 0
    not_codes: set[str] = set()
    seen_lines: dict[str, int | None] = {}
    for index, measure in enumerate(data):
        monitor.tick(index + 1)
        line = id_lines[index] if len(id_lines) == len(data) else None
        measure_id = normalize_measure_id(str(measure.get("measureId") or ""))
        if not measure_id:
            raise ImportFileError(sf.name, "a measure has an empty measureId", line=line)
        if measure_id in seen_lines:
            where = f" (first on line {seen_lines[measure_id]})" if seen_lines[measure_id] else ""
            raise ImportFileError(sf.name, f"duplicate key: measure {measure_id} appears twice{where}", line=line)
        seen_lines[measure_id] = line
        details = _conditions(
            category=measure.get("category"),
            type=measure.get("measureType"),
            metric_type=measure.get("metricType"),
            high_priority=measure.get("isHighPriority"),
            inverse=measure.get("isInverse"),
            specialties=measure.get("measureSets"),
            submission_methods=measure.get("submissionMethods"),
            steward=measure.get("primarySteward"),
            description=measure.get("description"),
            nqf_id=measure.get("nqfId"),
            emeasure_id=measure.get("eMeasureId"),
            first_year=measure.get("firstPerformanceYear"),
            last_year=measure.get("lastPerformanceYear"),
            subcategory=measure.get("subcategoryId"),
            specification=measure.get("measureSpecification"),
            strata=_strata(measure.get("strata")),
            option_groups=sorted(
                {str(o.get("optionGroup", "")) for o in measure.get("performanceOptions") or [] if isinstance(o, dict)}
                - {""}
            ),
        )
        ds.measures[measure_id] = MeasureRecord(measure_id, str(measure.get("title") or measure_id), details)
        ds.rows += 1
        for option in measure.get("eligibilityOptions") or []:
            dx += len(option.get("diagnosisCodes") or []) + len(option.get("diagnosisExclusionCodes") or [])
            option_measure = measure_id_for_option_group(measure_id, str(option.get("optionGroup", "")))
            for proc in option.get("procedureCodes") or []:
                code = normalize(str(proc.get("code", "")))
                if not is_code(code):
                    not_codes.add(code)
                    continue
                cond = _conditions(
                    min_age=option.get("minAge"),
                    max_age=option.get("maxAge"),
                    sex=option.get("sexCode"),
                    modifier_exclusions=proc.get("modifierExclusions"),
                    place_of_service_exclusions=proc.get("placesOfServiceExclusions"),
                )
                links.add(MeasureCodeRecord(option_measure, code, ELIGIBILITY, "eligibilityOptions.procedureCodes",
                                            "", facts_json(cond)))
        for option in measure.get("performanceOptions") or []:
            option_type = str(option.get("optionType", ""))
            role = json_option_role(option_type)
            option_measure = measure_id_for_option_group(measure_id, str(option.get("optionGroup", "")))
            # One entry per code and modifier; a quality code listing several modifiers may take any one.
            items: list[tuple[str, str]] = []
            for quality in option.get("qualityCodes") or []:
                code = normalize(str(quality.get("code", "")))
                if not is_code(code):
                    not_codes.add(code)
                    continue
                items += [(code, normalize(str(modifier))) for modifier in quality.get("modifiers") or [""]]
            together = combination_text(items)
            for code, modifier in items:
                links.add(MeasureCodeRecord(option_measure, code, role, option_type, modifier, "{}", together))
    ds.measure_codes.extend(sorted(links, key=lambda r: (r.measure_id, r.code, r.role, r.modifier, r.together)))
    ds.extra_counts["diagnosis_codes"] = dx
    if dx:
        ds.notes.append(f"{dx:,} ICD-10 diagnosis code entries counted, not linked (only procedure codes are)")
    if not_codes:
        ds.warnings.append(
            f"{len(not_codes)} code(s) in the code lists are not procedure codes and were "
            f"skipped: {', '.join(sorted(not_codes)[:8])}"
        )
    return ds
