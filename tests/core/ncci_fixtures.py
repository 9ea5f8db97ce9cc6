"""NCCI files in the real CMS layouts (see ../shared/data/cms-ncci/PROVENANCE.md) with invented edits and an
invented notice line: the PTP header wrapped over four lines, the MUE notice record and wrapped header."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

PTP_HEADER = (
    "CPT only copyright 2099 Invented Notice Holder.  All rights reserved.\t\t\t\t\t\t\n"
    "Column1/Column2 Edits\t\t\t\t\t\t\n"
    "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\n"
    "\t\tprior to 1996\tDate\tDate\t0=not allowed\t\n"
    "\t\t\t\t*=no data\t1=allowed\t\n"
    "\t\t\t\t\t9=not applicable\t\n"
)

# (column 1, column 2, before 1996, effective, deletion, modifier indicator, rationale); invented pairs.
PTP_ROWS: tuple[tuple[str, ...], ...] = (
    ("10001", "10002", "", "20200101", "*", "1", "Mutually exclusive procedures"),
    ("10001", "10003", "*", "19960101", "*", "0", "Standards of medical/surgical practice"),
    ("10001", "10004", "", "20200101", "20221231", "1", "Misuse of Column Two code with Column One code"),
    ("10001", "10005", "", "20210101", "20210101", "9", "Mutually exclusive procedures"),
    ("10001", "10006", "", "20300101", "*", "1", "Mutually exclusive procedures"),
    ("10002", "10003", "", "20200101", "*", "1", "CPT Manual or CMS manual coding instruction"),
    ("G0001", "10001", "", "20200101", "*", "0", "Mutually exclusive procedures"),
)


def ptp_text(rows: Sequence[Sequence[str]] = PTP_ROWS, newline: str = "\n") -> str:
    body = "".join("\t".join(r) + "\n" for r in rows)
    return (PTP_HEADER + body).replace("\n", newline)


def write_ptp(folder: Path, name: str = "ccipra-v322r0-f1", rows: Sequence[Sequence[str]] = PTP_ROWS, *,
              zipped: bool = True, newline: str = "\n", text: str | None = None) -> Path:
    """The PTP file as CMS ships it: ``<name>.zip`` holding ``<name>.TXT`` (or the bare TXT)."""
    folder.mkdir(parents=True, exist_ok=True)
    content = (ptp_text(rows, newline) if text is None else text).encode("latin-1")
    if not zipped:
        path = folder / f"{name}.TXT"
        path.write_bytes(content)
        return path
    path = folder / f"{name}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{name}.TXT", content)
    return path


MUE_NOTICE = ('"Invented notice: codes and other data only are copyright 2099 Invented Notice Holder. '
              'All rights reserved. \n\nCPT\xae is a registered trademark.\n\nNo liability is assumed.",,,\n')

MUE_ROWS: tuple[tuple[str, ...], ...] = (
    ("10001", "1", "2 Date of Service Edit: Policy", "Code Descriptor / CPT Instruction"),
    ("10002", "2", "3 Date of Service Edit: Clinical", "Nature of Service/Procedure"),
    ("10003", "1", "1 Line Edit", "Anatomic Consideration"),
    ("G0001", "4", "3 Date of Service Edit: Clinical", "Clinical: CMS Workgroup"),
)


def mue_text(setting_title: str = "Practitioner Services", rows: Sequence[Sequence[str]] = MUE_ROWS) -> str:
    header = f'"HCPCS/\nCPT Code",{setting_title} MUE Values,MUE Adjudication Indicator,MUE Rationale\n'
    return MUE_NOTICE + header + "".join(",".join(r) + "\n" for r in rows)


def write_mue(folder: Path, name: str = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv",
              setting_title: str = "Practitioner Services", rows: Sequence[Sequence[str]] = MUE_ROWS,
              text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes((mue_text(setting_title, rows) if text is None else text).encode("latin-1"))
    return path
