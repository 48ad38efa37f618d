"""Table downloads as data: the report's text cells ("$15.5K", "769M–6.97B", "+38%") turned back into numbers.

A shown table holds formatted text. Its CSV gives every column whose cells all read as numbers of one unit
as numbers, the unit in the column name, and a range as a low and a high column; a column with any other
text stays as text, followed by the figure its cells start with as numbers when most of them start with one
(``"$15.5K ($9.1K–$39.2K) against GPT-5.4"`` gives 15500). ``never`` and ``—`` become empty cells. Pure
functions, no I/O.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

_SCALE = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
# One figure as the report writes it (analysis.report.formatting): money, volume, share, memory, months, ratios.
_FIGURE = re.compile(
    r"^(?P<sign>[-+\u2212]?)(?P<usd>\$)?(?P<num>\d[\d,]*(?:\.\d+)?)(?P<scale>[KMBT]?)"
    r"(?P<unit>%| GB| months?|x)?$")
_RANGE = re.compile(r"^(?P<low>.+?)(?:–| to )(?P<high>.+)$")
# Cells that say there is no figure (compared in lower case): an empty cell in the CSV.
EMPTY = {"", "—", "never", "nan", "none", "no purchase", "not within the life", "does not fit"}


def _is_empty(text: str) -> bool:
    return text.lower() in EMPTY


def parse_figure(text: str) -> tuple[float, str] | None:
    """``("$15.5K")`` -> ``(15500.0, "USD")``; ``"42%"`` -> ``(0.42, "share")``; None if it is not one figure."""
    m = _FIGURE.match(text.strip())
    if not m:
        return None
    value = float(m["num"].replace(",", "")) * _SCALE[m["scale"]]
    if m["sign"] in ("-", "\u2212"):  # hyphen-minus or the minus sign
        value = -value
    unit = m["unit"] or ""
    if m["usd"]:
        return value, "USD"
    if unit == "%":
        return value / 100, "share"
    if unit == " GB":
        return value, "GB"
    if unit.startswith(" month"):
        return value, "months"
    if unit == "x":
        return value, "ratio"
    return value, "count" if m["scale"] else "number"


def parse_cell(text: str) -> tuple[float, float, str] | None:
    """A figure or a range of two figures of the same unit: ``(low, high, unit)``; None otherwise."""
    single = parse_figure(text)
    if single:
        return single[0], single[0], single[1]
    m = _RANGE.match(text.strip())
    if not m:
        return None
    low, high = parse_figure(m["low"]), parse_figure(m["high"])
    if not low or not high:
        return None
    # "1.2–1.5x" writes its unit once, after the second figure.
    unit = high[1] if low[1] == "number" else low[1]
    if low[1] not in (unit, "number") or high[1] != unit:
        return None
    scale = 1 / 100 if unit == "share" and low[1] == "number" else 1.0
    return low[0] * scale, high[0], unit


def leading_cell(text: str) -> tuple[float, float, str] | None:
    """The figure or range a cell starts with, before its words: ``"$15.5K ($9.1K–$39.2K) against GPT-5.4"``
    -> ``(15500.0, 15500.0, "USD")``, ``"5.0 months–never"`` -> None (not one unit)."""
    text = text.strip()
    words = text.split(" ")
    candidates = [text, text.split(" (")[0], text.split(", ")[0], text.split("–")[0],
                  *(" ".join(words[:n]) for n in (3, 2, 1))]
    for candidate in candidates:
        parsed = parse_cell(candidate)
        if parsed:
            return parsed
    return None


# Columns of words (a reason, a note, a source): a figure they start with is part of a sentence, not a value.
PROSE_COLUMNS = ("Why", "Note", "Notes", "notes", "Source", "source", "Reason")


def _companions(column: str, values: pd.Series) -> dict[str, list[float]]:
    """Numbers beside a text column most of whose cells start with a figure: its low and high (one column when no
    cell is a range), and each row's unit when the units differ; empty where a cell does not start with one."""
    if column in PROSE_COLUMNS:
        return {}
    texts = values.fillna("").astype(str).str.strip()
    parsed = [None if _is_empty(t) else leading_cell(t) for t in texts]
    present = [p for t, p in zip(texts, parsed, strict=True) if not _is_empty(t)]
    units = {p[2] for p in present if p}
    if not present or not units or sum(p is not None for p in present) * 2 < len(present):
        return {}
    if len(units) > 1:  # a check table's column mixes spends, memory and months: each row's unit beside it
        return _by_row_unit(column, parsed)
    unit = units.pop()
    low = [np.nan if p is None else p[0] for p in parsed]
    high = [np.nan if p is None else p[1] for p in parsed]
    suffix = "" if unit == "number" else f" ({unit})"
    if all(lo == hi or np.isnan(lo) for lo, hi in zip(low, high, strict=True)):
        return {f"{column}, figure{suffix}": low}
    return {f"{column}, low{suffix}": low, f"{column}, high{suffix}": high}


def _by_row_unit(column: str, parsed: list[tuple[float, float, str] | None]) -> dict[str, list]:
    """``<column>, figure`` (or ``, low`` and ``, high`` when a cell is a range) and ``<column>, unit`` for a column
    whose rows are figures of different units."""
    low = [np.nan if p is None else p[0] for p in parsed]
    high = [np.nan if p is None else p[1] for p in parsed]
    units = ["" if p is None else p[2] for p in parsed]
    if all(lo == hi or np.isnan(lo) for lo, hi in zip(low, high, strict=True)):
        return {f"{column}, figure": low, f"{column}, unit": units}
    return {f"{column}, low": low, f"{column}, high": high, f"{column}, unit": units}


def numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every all-figure text column turned into numbers (see the module docstring), and beside
    each text column whose cells mostly start with a figure, that figure as numbers (:func:`_companions`)."""
    out = {}
    for column in frame.columns:
        values = frame[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            out[column] = values
            continue
        texts = values.fillna("").astype(str).str.strip()
        parsed = [None if _is_empty(t) else parse_cell(t) for t in texts]
        present = [p for t, p in zip(texts, parsed, strict=True) if not _is_empty(t)]
        units = {p[2] for p in present if p}
        if present and all(p is not None for p in present) and len(units) > 1:
            # Every cell a figure, but the unit changes by row (a P10 column holding volumes and spends): the text,
            # then the figures with each row's unit beside them.
            out[column] = values
            out.update(_by_row_unit(str(column), parsed))
            continue
        if not present or any(p is None for p in present) or len(units) != 1:
            out[column] = values
            out.update(_companions(str(column), values))
            continue
        unit = units.pop()
        low = [np.nan if p is None else p[0] for p in parsed]
        high = [np.nan if p is None else p[1] for p in parsed]
        name = f"{column} ({unit})" if unit not in ("number",) else str(column)
        if all(lo == hi or np.isnan(lo) for lo, hi in zip(low, high, strict=True)):
            out[name] = low
        else:
            out[f"{column} low ({unit})" if unit != "number" else f"{column} low"] = low
            out[f"{column} high ({unit})" if unit != "number" else f"{column} high"] = high
    return pd.DataFrame(out, index=frame.index)


def csv_text(frame: pd.DataFrame) -> str:
    """The CSV of a table: numbers as numbers (:func:`numeric_columns`), up to 10 significant digits."""
    buffer = io.StringIO()
    numeric_columns(frame).to_csv(buffer, index=False, lineterminator="\n", float_format="%.10g")
    return buffer.getvalue()
