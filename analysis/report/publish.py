"""What a notebook cell shows: tables with a CSV download, glued facts, the provenance line.

Everything here returns deterministic HTML (no random ids, no timestamps) so that re-executing a
notebook on unchanged inputs reproduces its stored outputs byte for byte.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from analysis import paths
from analysis.data.loading import Dataset
from analysis.report import charts, csv_export, exhibits, html_tables, numerics, spreadsheet


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells and column headers that a spreadsheet would run as a formula with an apostrophe.

    Headers matter too: some tables take their columns from data (one column per GPU name).
    """
    out = frame.copy()
    out.columns = [("'" + c) if isinstance(c, str) and spreadsheet.FORMULA_START.match(c) else c
                   for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and spreadsheet.FORMULA_START.match(v)
                                    else v)
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """The table's download: numbers as numbers (:mod:`analysis.report.csv_export`), formula-like text neutralized."""
    buffer = io.StringIO()
    neutralize_formulas(csv_export.numeric_columns(numerics.round_frame(frame))).to_csv(
        buffer, index=False, lineterminator="\n", float_format="%.10g")
    return buffer.getvalue()


# Where the book puts each table's CSV (written by _ext/table_files.py from the notebook's outputs),
# relative to a chapter page in notebooks/.
TABLES_URL = "../_static/tables"
# The output metadata key that carries a table's CSV: metadata, because the book renders every mime type
# of an output's data (and warns on one it does not know), while it leaves metadata alone.
TABLE_METADATA_KEY = "selfhost_table"


class Shown:
    """What a cell shows: HTML for the page and, for a table, its CSV and file name in the output's
    metadata (``selfhost_table``). The book renders the HTML; _ext/table_files.py writes the CSV as a file."""

    def __init__(self, html_text: str, csv: str | None = None, filename: str | None = None) -> None:
        self.html, self.csv, self.filename = html_text, csv, filename

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self.html, "text/plain": f"<{self.filename or 'chart'}: see the HTML report>"}
        if self.csv is None:
            return data
        return data, {TABLE_METADATA_KEY: {"filename": self.filename, "csv": self.csv}}


def _check_name(name: str) -> None:
    if not re.fullmatch(r"[a-z0-9_\-]+", name):
        raise ValueError(f"table name must be lower-case letters, digits, '-' or '_', got {name!r}")


def _table_block(frame: pd.DataFrame, name: str, caption: str = "") -> str:
    """The table (verdict first for a check table) and a link to its CSV file."""
    _check_name(name)
    frame = numerics.round_frame(frame)
    prefix = "ledger-" if name == LEDGER_TABLE else "check-"
    body = html_tables.render(frame, anchor_prefix=prefix, ledger=name == LEDGER_TABLE)
    cap = f'<p class="table-caption">{html.escape(caption)}</p>\n' if caption else ""
    link = (f'<p class="table-download"><a download="{name}.csv" href="{TABLES_URL}/{name}.csv">'
            f"Download this table as CSV ({name}.csv)</a></p>")
    ledger = " data-ledger" if name == LEDGER_TABLE else ""
    # A long table scrolls inside its own box, its header row kept in view (the stylesheet's data-long).
    long = " data-long" if len(frame) > LONG_TABLE_ROWS and not ledger else ""
    return f'<div class="report-table-wrap" data-table="{name}"{ledger}{long}>\n{cap}{body}\n{link}\n</div>'


LEDGER_TABLE = "reconciliation-ledger"
# Rows past which a table keeps its header in view (about two screens of rows at 1400x900).
LONG_TABLE_ROWS = 25


def table(frame: pd.DataFrame, name: str, caption: str = "") -> Shown:
    """A table with a link to its CSV file ``<name>.csv`` (floats rounded, :mod:`analysis.report.numerics`)."""
    return Shown(_table_block(frame, name, caption), csv_text(frame), f"{name}.csv")


def exhibit(chapter, name: str, content: pd.DataFrame | object) -> Shown:
    """One exhibit of a chapter: its number (a link to itself), its title, the table (with its CSV
    download) or chart, and its source line.

    ``chapter`` is any chapter record with ``key`` and ``exhibits`` (:mod:`analysis.report.exhibits`); ``content``
    is a DataFrame or an Altair chart.
    """
    spec = next((e for e in chapter.exhibits if e.name == name), None)
    label = exhibits.number(chapter.key, chapter.exhibits, name)
    anchor = "exhibit-" + label.replace(".", "-")
    csv = None
    if isinstance(content, pd.DataFrame):
        shown = table(content, name, spec.note)
        body, csv = shown.html, shown.csv
    else:
        note = f'<p class="table-caption">{html.escape(spec.note)}</p>\n' if spec.note else ""
        chart_spec = {**content.to_dict(), "description": f"Exhibit {label}: {spec.title}"}
        csv = csv_text(chart_data(chart_spec))
        body = (note + charts.offline_renderer(chart_spec)["text/html"] + "\n"
                f'<p class="table-download"><a download="{name}.csv" href="{TABLES_URL}/{name}.csv">'
                f"Download the chart's data as CSV ({name}.csv)</a></p>")
    page = (f'<figure class="exhibit" id="{anchor}">\n'
            f'<figcaption class="exhibit-title"><a class="exhibit-number" href="#{anchor}">Exhibit {label}</a> '
            f"{html.escape(spec.title)}</figcaption>\n{body}\n"
            f'<p class="exhibit-source">{html.escape(spec.source)}</p>\n</figure>')
    return Shown(page, csv, f"{name}.csv" if csv is not None else None)


def chart_data(spec: dict) -> pd.DataFrame:
    """The data a chart draws, as a table: its largest inline dataset (the lines, bars or points; the smaller ones
    are its labels and marks), without the ``*_text`` columns that only format tooltips."""
    datasets = spec.get("datasets") or {}
    if not datasets:
        return pd.DataFrame()
    rows = max(datasets.values(), key=len)
    frame = pd.DataFrame(rows)
    return frame[[c for c in frame.columns if not str(c).endswith("_text")]]


def glue_facts(facts: dict[str, object]) -> None:
    """Glue every fact under its own name so prose can cite it with ``{glue:text}`` (floats rounded)."""
    from myst_nb import glue

    for key in sorted(facts):
        glue(key, numerics.round_value(facts[key]), display=False)


def glue_chart(name: str, chart, description: str) -> None:
    """Glue a chart (rendered offline, deterministic HTML) for another page to paste with ``{glue}``;
    ``description`` states its finding (the chart's accessible name)."""
    from myst_nb import glue

    glue(name, HTML(charts.offline_renderer({**chart.to_dict(), "description": description})["text/html"]),
         display=False)


def dataset_label(data_dir: Path) -> str:
    """``data/`` for the repository's dataset, else the folder's path."""
    try:
        return str(data_dir.relative_to(paths.REPO_ROOT)) + "/"
    except ValueError:
        return str(data_dir)


def provenance(ds: Dataset, parameters: dict[str, object] | None = None) -> HTML:
    """One line naming the dataset, its snapshot date and the parameters that were set (None = unset)."""
    given = {k: v for k, v in (parameters or {}).items() if v is not None}
    text = html.escape(f"Built from the dataset in {dataset_label(ds.data_dir)} "
                       f"(newest row retrieved {ds.snapshot_date})")
    if given:
        # The parameters as a rerun would set them: code, so they keep their identifiers.
        text += "; parameters: " + ", ".join(f"<code>{html.escape(f'{k} = {v}')}</code>"
                                             for k, v in sorted(given.items()))
    else:
        text += "; no parameter overrides"
    return HTML(f'<p class="provenance">{text}.</p>')
