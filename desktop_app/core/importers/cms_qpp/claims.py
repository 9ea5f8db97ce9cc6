"""The CMS QPP claims single-source CSV: each data element's name read as a role
(see :mod:`desktop_app.core.quality`), its codes, modifiers, ages and exclusions."""

from __future__ import annotations

import re

from desktop_app.core.errors import ImportFileError
from desktop_app.core.grammar import CodeSet, code_set_of, is_code, normalize
from desktop_app.core.importers.cms_qpp.common import FORMAT_CLAIMS, KIND_CLAIMS, _year_from, normalize_measure_id
from desktop_app.core.importers.loader import facts_json
from desktop_app.core.importers.model import Dataset, MeasureCodeRecord, Monitor
from desktop_app.core.importers.textio import SourceFile, check_width, csv_rows, has_line_end, require_columns
from desktop_app.core.quality import (
    claims_element,
    combination_text,
    parent_measure,
)

CLAIMS_COLUMNS = (
    "MEASURE ID",
    "DATA ELEMENT NAME",
    "CODING SYSTEM",
    "CODE",
    "MODIFIER",
    "PLACE OF SERVICE",
    "AGE",
    "GENDER",
)


DIAGNOSIS_SYSTEMS = frozenset({"I10", "ICD10", "ICD-10", "ICD10CM", "ICD-10-CM"})
# The procedure coding systems the files name, and the code sets (by shape) their codes belong to. C4 is CPT:
# Category I and III (0075T is C4 in the 2025 file).
PROCEDURE_SYSTEMS: dict[str, frozenset[CodeSet]] = {
    "C4": frozenset({CodeSet.CAT_I, CodeSet.CAT_III}),
    "CPT": frozenset({CodeSet.CAT_I, CodeSet.CAT_III}),
    "CPT_II": frozenset({CodeSet.CAT_II}),
    "CPT_2": frozenset({CodeSet.CAT_II}),
    "HCPCS": frozenset({CodeSet.HCPCS}),
}
# An ICD-10-CM code: a letter, a digit, a letter or digit, then up to four more after an optional dot.
_ICD10_CODE = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?")
# Share of rows whose code does not fit its coding system above which a file is refused: its columns do not
# hold what its headers say (the 2025 file has 1 such row in 16,071: a dental code listed as C4).
MAX_MISFIT_SHARE = 0.05
MISFIT_EXAMPLES = 3


_NOT_EQUAL = ("\u2260", "!=", "<>")


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]


def _excluded(text: str) -> tuple[bool, list[str]]:
    text = text.strip()
    for mark in _NOT_EQUAL:
        if text.startswith(mark):
            return True, _split_list(text[len(mark) :])
    return False, _split_list(text)


def _age(text: str) -> dict[str, object]:
    text = text.strip()
    out: dict[str, object] = {"age": text} if text else {}
    if m := re.fullmatch(r"(\d+)\s*[-\u2013]\s*(\d+)", text):
        out.update(min_age=int(m.group(1)), max_age=int(m.group(2)))
    elif m := re.fullmatch(r"(?:\u2265|>=)\s*(\d+)", text):
        out["min_age"] = int(m.group(1))
    elif m := re.fullmatch(r"(?:\u2264|<=)\s*(\d+)", text):
        out["max_age"] = int(m.group(1))
    return out


def _shown(text: str, width: int = 24) -> str:
    text = text.strip()
    return repr(text if len(text) <= width else text[: width - 1] + "\u2026")


def code_fits_system(system: str, raw_code: str) -> bool:
    """Does ``raw_code`` look like a code of coding system ``system`` (both as the file writes them)? A system
    CodeDesk does not know fits any procedure code (other years may name systems differently)."""
    code = normalize(raw_code)
    if system in DIAGNOSIS_SYSTEMS:
        return bool(_ICD10_CODE.fullmatch(raw_code.strip().upper()))
    if (code_sets := PROCEDURE_SYSTEMS.get(system)) is not None:
        return code_set_of(code) in code_sets
    return is_code(code)


def parse_claims(sf: SourceFile, monitor: Monitor) -> Dataset:
    reader = csv_rows(sf, sf.text().lstrip("\ufeff"))
    header_line, first = next(((n, r) for n, r in reader if any(c.strip() for c in r)), (1, []))
    if not first:
        raise ImportFileError(sf.name, "the file is empty", line=1)
    header = [h.strip().upper() for h in first]
    require_columns(sf, header_line, [c for c in CLAIMS_COLUMNS if c not in header])
    col = {name: header.index(name) for name in CLAIMS_COLUMNS}
    year = _year_from(sf)
    version = next(
        (m.group(1) for h in (sf.base_name, *sf.hints) if (m := re.search(r"[_ ]V(\d+(?:\.\d+)*)", h, re.I))),
        "",
    )
    label = f" (V{version})" if version else ""
    if year is None:
        ds = Dataset(
            KIND_CLAIMS,
            FORMAT_CLAIMS,
            f"CMS QPP claims single source (unknown year){label}",
            sf.name,
            f"unknown-{sf.sha256[:8]}",
            "",
            sf.sha256,
        )
        ds.warnings.append("could not tell the performance year; name the file like 2025_Claims_SingleSource_V9.1.csv")
    else:
        ds = Dataset(
            KIND_CLAIMS,
            FORMAT_CLAIMS,
            f"CMS QPP claims single source {year}{label}",
            sf.name,
            str(year),
            f"{year}-01-01",
            sf.sha256,
        )
    monitor.start(f"Reading {sf.name}", sf.data.count(b"\n"))
    seen: set[tuple[str, str, str, str, str]] = set()
    # (measure, element, code, modifier, conditions) in file order; links are made once the groups are known.
    entries: list[tuple[str, str, str, str, str]] = []
    groups: dict[tuple[str, str, str, str], set[tuple[str, str]]] = {}
    dx: set[str] = set()
    dx_rows = duplicates = 0
    misfits = 0  # rows whose code does not fit their CODING SYSTEM
    misfit_examples: list[str] = []
    first_misfit_line = 0
    skipped = 0  # of those, rows whose code is no procedure code at all (not imported)
    width = len(header)
    last: tuple[int, list[str]] = (header_line, first)
    for line_no, row in reader:
        monitor.tick(line_no)
        if not any(c.strip() for c in row):
            continue
        check_width(sf, line_no, row, width, "the file may be cut off")
        last = (line_no, row)
        ds.rows += 1
        measure_id = normalize_measure_id(row[col["MEASURE ID"]])
        if not measure_id:
            raise ImportFileError(sf.name, "empty Measure ID", line=line_no)
        raw_system = row[col["CODING SYSTEM"]].strip()
        system = raw_system.upper()
        code = normalize(row[col["CODE"]])
        fits = code_fits_system(system, row[col["CODE"]])
        if not fits:
            misfits += 1
            first_misfit_line = first_misfit_line or line_no
            if len(misfit_examples) < MISFIT_EXAMPLES:
                misfit_examples.append(f"line {line_no:,}: CODING SYSTEM {_shown(raw_system)}, "
                                       f"CODE {_shown(row[col['CODE']])}")
        if system in DIAGNOSIS_SYSTEMS:
            if fits:
                dx.add(code)
                dx_rows += 1
            else:
                skipped += 1
            continue
        if not is_code(code):
            skipped += 1
            continue
        element = row[col["DATA ELEMENT NAME"]].strip()
        cond: dict[str, object] = {}
        excluded, modifiers = _excluded(row[col["MODIFIER"]])
        if excluded:
            cond["modifier_exclusions"] = modifiers
            modifiers = []
        pos_excluded, places = _excluded(row[col["PLACE OF SERVICE"]])
        if places:
            cond["place_of_service_exclusions" if pos_excluded else "place_of_service"] = places
        cond.update(_age(row[col["AGE"]]))
        if genders := _split_list(row[col["GENDER"]]):
            cond["sex"] = genders
        if "." in measure_id:
            cond["parent_measure"] = parent_measure(measure_id)
        parsed = claims_element(element)
        for modifier in modifiers or [""]:
            entry = (measure_id, element, code, normalize(modifier), facts_json(cond))
            if entry in seen:
                duplicates += 1
                continue
            seen.add(entry)
            entries.append(entry)
            if parsed.group:
                # Codes of one numbered group (G_CODE_2_PN_X) are reported together on the claim.
                groups.setdefault((measure_id, parsed.role, parsed.group, parsed.stratum), set()).add(
                    (code, normalize(modifier))
                )
    for measure_id, element, code, modifier, cond_text in entries:
        parsed = claims_element(element)
        together = combination_text(groups.get((measure_id, parsed.role, parsed.group, parsed.stratum), ()))
        ds.measure_codes.append(
            MeasureCodeRecord(measure_id, code, parsed.role, element, modifier, cond_text, together)
        )
    # Sub-measure IDs (024.01) get no invented measures row: the measure view names them by their parent.
    if ds.rows == 0:
        raise ImportFileError(sf.name, "the file has a header but no data rows", line=2)
    if misfits and (misfits == ds.rows or misfits > MAX_MISFIT_SHARE * ds.rows):
        # Nothing is written: one transaction per import (the CODE and CODING SYSTEM headers swapped imported
        # "0 measures" with a 56 KB warning before).
        raise ImportFileError(
            sf.name,
            f"{misfits:,} of {ds.rows:,} rows have a CODE that is not a code of their CODING SYSTEM, so the "
            f"columns do not hold what their headers say (are two columns swapped?): "
            f"{'; '.join(misfit_examples)}",
            line=first_misfit_line,
        )
    # The published file has no line end after its last row (so import_paths does not require one here); a
    # last row cut inside its final field is caught by the strict quoting and the column count, one cut right
    # after a comma by its empty last cell (every real row ends with the patient sex: M, F or "M, F").
    if not has_line_end(sf.data) and not last[1][width - 1].strip():
        raise ImportFileError(
            sf.name, "the last line has no line end and its last field is empty: the file looks cut off", line=last[0]
        )
    ds.extra_counts["diagnosis_codes"] = len(dx)
    ds.extra_counts["diagnosis_rows"] = dx_rows
    ds.notes.append(f"{len(dx):,} distinct ICD-10 diagnosis codes ({dx_rows:,} rows) counted, not linked")
    if duplicates:
        ds.warnings.append(f"{duplicates} repeated row(s) were skipped")
    if misfits:
        more = f" and {misfits - len(misfit_examples):,} more" if misfits > len(misfit_examples) else ""
        # Said as it happened: "0 of them were skipped, the rest …" for the one row of the real file read badly.
        they = "they were" if misfits > 1 else "it was"
        if skipped == 0:
            fate = f"{they} imported as written"
        elif skipped == misfits:
            fate = f"{they} skipped"
        else:
            fate = f"{skipped:,} were skipped and {misfits - skipped:,} (procedure codes) imported as written"
        ds.warnings.append(
            f"{misfits:,} row{'s' if misfits > 1 else ''} {'have' if misfits > 1 else 'has'} a CODE that is not a "
            f"code of {'their' if misfits > 1 else 'its'} CODING SYSTEM ({'; '.join(misfit_examples)}{more}): {fate}"
        )
    return ds
