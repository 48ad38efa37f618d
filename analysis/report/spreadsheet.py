"""Files a reader opens in a spreadsheet: no cell may run as a formula (CSV or formula injection).

Spreadsheet programs evaluate a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return.
Such a text cell gets a leading apostrophe, which spreadsheets show as plain text; a cell that is a plain
number (``-5``, ``+1e9``) is left alone, so numbers stay numbers. Used by every table download
(:mod:`analysis.report.publish`) and by the dataset copy in ``report-data.zip`` (``_ext/table_files.py``).
"""

from __future__ import annotations

import csv
import io
import re

FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def safe_cell(value: str) -> str:
    """``value``, with an apostrophe in front when a spreadsheet would run it (plain numbers excepted)."""
    if FORMULA_START.match(value) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_csv(text: str) -> str:
    """A CSV file's text with every cell made safe by :func:`safe_cell` (LF line ends, minimal quoting)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
