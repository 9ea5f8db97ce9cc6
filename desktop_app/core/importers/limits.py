"""How much an import may read: the bounds that keep a hostile or broken file from exhausting memory or time.

Every bound is far above the real files (the largest real CMS or AMA file is about 3.5 MB and 20,000 rows; the
largest part of a real workbook 15 MB of XML), and each refusal says which bound and why, so a person can tell a
wrong file from a real one. ``bench/bench_limits.py`` measures what the bounds buy: peak memory of an import
stays under 300 MB for any input up to 200 MB.
"""

from __future__ import annotations

MB = 1024 * 1024

# One file, or one member of a zip, after decompression. Checked against the size on disk or the size the zip
# declares before anything is read (zipfile stops at the declared size, so a member cannot be larger).
MAX_FILE_BYTES = 32 * MB
# Everything one import reads in full (the files chosen from a folder or zip, together).
MAX_IMPORT_BYTES = 96 * MB
# Lines of a text file or rows of a worksheet: real files have at most about 25,000.
MAX_ROWS = 120_000
# Lines of all the files of one import together (datasets are held until the one transaction writes them):
# a real multi-file import (RVU + HCPCS + QPP, or a whole AMA release) has well under 150,000.
MAX_IMPORT_ROWS = 160_000
# A zip member is refused when it decompresses to more than this many times its compressed size (real text
# and workbook parts compress 2-15 times; a zip bomb thousands of times). Small members are not checked.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 1 * MB
# Members of one zip (a real release zip has a few dozen).
MAX_ZIP_MEMBERS = 100_000

# Workbooks: openpyxl holds every shared string in memory and streams the sheet, so the shared strings are
# bounded tightly and the sheet loosely; columns past this are never read (real files use about 50).
MAX_SHARED_STRINGS_BYTES = 16 * MB
MAX_SHEET_BYTES = 64 * MB
MAX_COLUMNS = 256

# Measures in a QPP measures file (the real ones have a few hundred) and code entries in it (tens of thousands).
MAX_MEASURES = 20_000
MAX_MEASURE_CODES = 500_000


def megabytes(size: int) -> str:
    return f"{size / MB:,.1f} MB"
