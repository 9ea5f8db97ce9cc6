"""Choosing where an export goes, and the rows a copy takes (the writing itself runs in the worker)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop_app.core.export import tsv
from desktop_app.core.search import Hit
from desktop_app.ui.theme import CODE_SET_LABELS

XLSX_FILTER = "Excel workbook (*.xlsx)"
CSV_FILTER = "CSV, comma-separated (*.csv)"
RESULT_TSV_COLUMNS = ("code", "category", "title", "title_source", "status", "section")


def safe_file_stem(text: str, fallback: str) -> str:
    """A file name from a query ('99202-99205' → 'codedesk-99202-99205')."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip())[:60].strip("-.")
    return f"codedesk-{stem}" if stem else fallback


def choose_export_path(parent: QWidget, settings: QSettings, title: str, stem: str) -> Path | None:
    """A save dialog offering XLSX and CSV; the suffix follows the chosen type. None when cancelled."""
    folder = Path(str(settings.value("export/last_dir", str(Path.home()))))
    kind = str(settings.value("export/kind", "xlsx"))
    start = folder / f"{stem}.{kind}"
    filters = f"{XLSX_FILTER};;{CSV_FILTER}" if kind == "xlsx" else f"{CSV_FILTER};;{XLSX_FILTER}"
    name, chosen = QFileDialog.getSaveFileName(parent, title, str(start), filters)
    if not name:
        return None
    path = Path(name)
    suffix = ".xlsx" if chosen == XLSX_FILTER else ".csv"
    if path.suffix.lower() not in (".xlsx", ".csv"):
        path = path.with_name(path.name + suffix)
    settings.setValue("export/last_dir", str(path.parent))
    settings.setValue("export/kind", path.suffix.lower().lstrip("."))
    return path


def hits_tsv(hits: list[Hit]) -> str:
    return tsv(RESULT_TSV_COLUMNS, [
        (h.code, CODE_SET_LABELS.get(h.code_set, h.code_set), h.title, h.source, h.status, " > ".join(h.section))
        for h in hits])
