"""What a notebook cell shows: tables with a CSV download, glued facts, the provenance line.

Everything here returns deterministic HTML (no random ids, no timestamps) so that re-executing a
notebook on unchanged inputs reproduces its stored outputs byte for byte.
"""

from __future__ import annotations

import html
import io
import re
import urllib.parse
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from analysis import charts, exhibits, numerics, paths
from analysis.loading import Dataset

# Spreadsheet programs execute cells that start with these characters (CSV/formula injection).
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells and column headers that a spreadsheet would run as a formula with an apostrophe.

    Headers matter too: some tables take their columns from data (one column per GPU name).
    """
    out = frame.copy()
    out.columns = [("'" + c) if isinstance(c, str) and _FORMULA_START.match(c) else c for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and _FORMULA_START.match(v) else v)
    return out


def csv_data_uri(frame: pd.DataFrame) -> str:
    """The table as an inline ``data:`` URI, so the download works offline and from any host."""
    buffer = io.StringIO()
    neutralize_formulas(frame).to_csv(buffer, index=False, lineterminator="\n")
    return "data:text/csv;charset=utf-8," + urllib.parse.quote(buffer.getvalue())


# Identifier columns go into the CSV download but would only widen the page.
HIDDEN_COLUMNS = ("figure_id", "claim_id")


def table(frame: pd.DataFrame, name: str, caption: str = "") -> HTML:
    """An HTML table (cell text escaped) with a link that downloads the same rows as ``<name>.csv``.

    Floats are rounded (:mod:`analysis.numerics`) so the page and the download are the same on every CPU.
    """
    return HTML(_table_html(frame, name, caption))


def _table_html(frame: pd.DataFrame, name: str, caption: str = "") -> str:
    if not re.fullmatch(r"[a-z0-9_\-]+", name):
        raise ValueError(f"table name must be lower-case letters, digits, '-' or '_', got {name!r}")
    frame = numerics.round_frame(frame)
    shown = frame.drop(columns=[c for c in HIDDEN_COLUMNS if c in frame.columns])
    body = shown.to_html(index=False, escape=True, border=0, classes=["report-table"], na_rep="—")
    cap = f'<p class="table-caption">{html.escape(caption)}</p>\n' if caption else ""
    link = (f'<p class="table-download"><a download="{name}.csv" href="{csv_data_uri(frame)}">'
            f"Download this table as CSV ({name}.csv)</a></p>")
    return f'<div class="report-table-wrap" data-table="{name}">\n{cap}{body}\n{link}\n</div>'


def exhibit(chapter, name: str, content: pd.DataFrame | object) -> HTML:
    """One exhibit of a chapter: its number (a link to itself), its title, the table (with its CSV
    download) or chart, and its source line.

    ``chapter`` is any chapter record with ``key`` and ``exhibits`` (:mod:`analysis.exhibits`); ``content``
    is a DataFrame or an Altair chart.
    """
    spec = next((e for e in chapter.exhibits if e.name == name), None)
    label = exhibits.number(chapter.key, chapter.exhibits, name)
    anchor = "exhibit-" + label.replace(".", "-")
    if isinstance(content, pd.DataFrame):
        body = _table_html(content, name, spec.note)
    else:
        note = f'<p class="table-caption">{html.escape(spec.note)}</p>\n' if spec.note else ""
        body = note + charts.offline_renderer(content.to_dict())["text/html"]
    return HTML(
        f'<figure class="exhibit" id="{anchor}">\n'
        f'<figcaption class="exhibit-title"><a class="exhibit-number" href="#{anchor}">Exhibit {label}</a> '
        f"{html.escape(spec.title)}</figcaption>\n{body}\n"
        f'<p class="exhibit-source">{html.escape(spec.source)}</p>\n</figure>')


def glue_facts(facts: dict[str, object]) -> None:
    """Glue every fact under its own name so prose can cite it with ``{glue:text}`` (floats rounded)."""
    from myst_nb import glue

    for key in sorted(facts):
        glue(key, numerics.round_value(facts[key]), display=False)


def glue_chart(name: str, chart) -> None:
    """Glue a chart (rendered offline, deterministic HTML) for another page to paste with ``{glue}``."""
    from myst_nb import glue

    glue(name, HTML(charts.offline_renderer(chart.to_dict())["text/html"]), display=False)


def dataset_label(data_dir: Path) -> str:
    """``data/`` for the repository's dataset, else the folder's path."""
    try:
        return str(data_dir.relative_to(paths.REPO_ROOT)) + "/"
    except ValueError:
        return str(data_dir)


def provenance(ds: Dataset, parameters: dict[str, object] | None = None) -> HTML:
    """One line naming the dataset, its snapshot date and the parameters that were set (None = unset)."""
    given = {k: v for k, v in (parameters or {}).items() if v is not None}
    text = f"Built from the dataset in {dataset_label(ds.data_dir)} (newest row retrieved {ds.snapshot_date})"
    if given:
        text += "; parameters: " + ", ".join(f"{k} = {v}" for k, v in sorted(given.items()))
    else:
        text += "; no parameter overrides"
    return HTML(f'<p class="provenance">{html.escape(text)}.</p>')
