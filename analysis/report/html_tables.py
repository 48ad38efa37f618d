"""Report tables as HTML: verdict first, a card per row on a phone, links between checks and the ledger.

A check table (one with ``Printed`` and ``Verdict`` columns) is shown as Figure | Printed | Recomputed |
Verdict | Why: the label columns folded into one cell, the recomputations into another, the verdict as a
coloured dot with its word (colours from :mod:`analysis.report.visual`) and the difference beneath it. Every
cell carries its column name (``data-label``) so the stylesheet can lay a row out as a card on a phone.
Identifiers (``figure_id``) never show; they become row anchors and links instead.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from analysis.evaluation import verdicts
from analysis.report import registry, visual

# Columns that identify a row for links and downloads but would only widen the page.
HIDDEN_COLUMNS = ("figure_id", "claim_id", "check_page", "input_id", "offer_id", "benchmark_id")
# Columns of a check table that hold a recomputation of the printed figure.
RECOMPUTED_COLUMNS = ("From the guide's inputs", "First principles", "Recomputed")
DIFFERENCE = "Difference"
LEDGER_PAGE = registry.page_of("reconciliation")
# Columns that name things in the data files (a file, a column, an assumption's key) or a price table's entry:
# shown as code.
CODE_COLUMNS = ("Name", "File", "Entry")
MISSING = "—"
# The ledger's column naming the chapters that check a figure: the text of its link to the check.
LEDGER_CHECKED_IN = "Checked in"
# The ledger's columns its group rows show once for the rows under them.
LEDGER_GROUPS = ("Section", "Table")


def anchor(figure_id: str) -> str:
    """A figure id as an HTML id that is also a valid CSS selector: ``tiers-20k_50k-savings``, not
    ``tiers.20k_50k.savings`` (the theme looks a page's fragment up with ``querySelector``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", figure_id)


def _text(value: object) -> str:
    """A cell as text: ``—`` for a missing value, integers without a decimal point, floats to 6 digits."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):,.6g}"
    return str(value)


def verdict_badge(verdict: str) -> str:
    """The verdict's short word after a dot in its colour (the stylesheet's ``.verdict::before``, coloured by
    :func:`verdict_style`)."""
    if verdict not in verdicts.KEYS:
        return html.escape(verdict)
    key = verdicts.KEYS[verdict]
    return f'<span class="verdict verdict-{key}">{html.escape(key)}</span>'


def verdict_style() -> str:
    """One ``<style>`` with each verdict's colour from :mod:`analysis.report.visual`, written once per table
    rather than on every row."""
    rules = "".join(f".verdict-{verdicts.KEYS[v]}::before{{background:{c}}}"
                    for v, c in visual.VERDICT_COLOURS.items())
    return f"<style>{rules}</style>"


def is_check_table(frame: pd.DataFrame) -> bool:
    return {"Printed", "Verdict"} <= set(frame.columns)


# A cell that is a figure: an amount, a count, a share or a range of them ("$1.3K", "2.48", "12%", "4.87B",
# "$14.8K–$26.0K", "-$6,329"), read by its right edge in tabular digits (the stylesheet's td.num).
NUMERIC = re.compile(r"^-?\$?[\d.,]+(?:[KMBT%x]| months)?(?:\s?[–-]\s?-?\$?[\d.,]+(?:[KMBT%x]| months)?)?$")


# A date as the dataset writes it: kept on one line.
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _cell(label: str | None, content: str, numeric: bool = False, date: bool = False) -> str:
    """A cell with its column name for the phone's card layout (none in the ledger: its stylesheet names the
    columns by position, which saves 280 rows the repetition)."""
    cls = ' class="num"' if numeric else ' class="date"' if date else ""
    named = "" if label is None else f' data-label="{html.escape(label)}"'
    return f"<td{named}{cls}>{content}</td>"


def _row_open(row: pd.Series, anchor_prefix: str, seen: set[str], grouped: bool = False) -> str:
    """``<tr>`` with an anchor for the figure (first row of a figure only) and the filter attributes (none in a
    grouped table: the ledger's script takes them from the badge and the group rows)."""
    attrs = []
    figure_id = row.get("figure_id")
    if anchor_prefix and isinstance(figure_id, str) and figure_id and figure_id not in seen:
        seen.add(figure_id)
        attrs.append(f'id="{anchor_prefix}{anchor(figure_id)}"')
    # grouped (the ledger): its script reads the verdict from the badge and the section from the group row
    if "Verdict" in row.index and row["Verdict"] in verdicts.KEYS and not grouped:
        attrs.append(f'data-verdict="{verdicts.KEYS[row["Verdict"]]}"')
    if "Section" in row.index and not grouped:
        attrs.append(f'data-section="{html.escape(str(row["Section"]))}"')
    return "<tr" + "".join(" " + a for a in attrs) + ">"


def _check_rows(frame: pd.DataFrame, anchor_prefix: str, ledger: bool) -> tuple[list[str], list[str]]:
    """Header and body rows of a check table in the verdict-first layout."""
    columns = [c for c in frame.columns if c not in HIDDEN_COLUMNS]
    printed_at = columns.index("Printed")
    labels = columns[:printed_at]
    recomputed = [c for c in columns if c in RECOMPUTED_COLUMNS]
    after = [c for c in columns[printed_at + 1:] if c not in recomputed and c not in ("Verdict", DIFFERENCE)]
    if ledger:
        # The ledger groups its rows under their section and the guide's table, and names the chapter in the
        # link to the check: none of the three is repeated on each row.
        labels = [c for c in labels if c not in LEDGER_GROUPS]
        after = [c for c in after if c != LEDGER_CHECKED_IN and c not in LEDGER_GROUPS]
    header = ["Figure", "Printed", *(["Recomputed"] if recomputed else []), "Verdict", *after]
    body, seen, group = [], set(), (None, None)
    name = (lambda label: None) if ledger else (lambda label: label)
    for _, row in frame.iterrows():
        if ledger and (row.get("Section"), row.get("Table")) != group:
            if row.get("Section") != group[0]:
                body.append(f'<tr class="ledger-group" data-section="{html.escape(str(row.get("Section")))}">'
                            f'<th colspan="{len(header)}" scope="rowgroup">'
                            f'{html.escape(str(row.get("Section")), False)}</th></tr>')
            if isinstance(row.get("Table"), str):
                body.append(f'<tr class="ledger-table-name"><th colspan="{len(header)}" scope="rowgroup">'
                            f"{html.escape(row['Table'], False)}</th></tr>")
            group = (row.get("Section"), row.get("Table"))
        parts = [html.escape(_text(row[c]), False) for c in labels if _text(row[c]) not in (MISSING, "")]
        figure = (f"<strong>{parts[0]}</strong>" + "".join(f"<br>{p}" for p in parts[1:])) if parts else MISSING
        figure_id = row.get("figure_id")
        if isinstance(figure_id, str) and figure_id:
            if ledger and isinstance(row.get("check_page"), str) and row["check_page"]:
                figure += (f'<br><a href="{html.escape(row["check_page"])}.html#check-{anchor(figure_id)}">'
                           f"checked in {html.escape(_text(row[LEDGER_CHECKED_IN]))}</a>")
            elif not ledger:
                figure += (f'<br><a class="figure-link" href="{LEDGER_PAGE}#ledger-{anchor(figure_id)}">'
                           "in the ledger</a>")
        cells = [_cell(name("Figure"), figure), _cell(name("Printed"), html.escape(_text(row["Printed"])))]
        if recomputed:
            lines = [f'<span class="recomputed-label">{html.escape(c)}:</span> {html.escape(_text(row[c]))}'
                     for c in recomputed if _text(row[c]) not in (MISSING, "")]
            cells.append(_cell(name("Recomputed"), "<br>".join(lines) or MISSING))
        verdict = verdict_badge(str(row["Verdict"]))
        difference = _text(row[DIFFERENCE]) if DIFFERENCE in frame.columns else MISSING
        if difference not in (MISSING, ""):
            verdict += (f'<br><span class="difference" title="printed against recomputed">'
                        f"{html.escape(difference)}</span>")
        cells.append(_cell(name("Verdict"), verdict))
        cells.extend(_cell(name(c), html.escape(_text(row[c]), quote=not ledger)) for c in after)
        body.append(_row_open(row, anchor_prefix, seen, grouped=ledger) + "".join(cells) + "</tr>")
    return header, body


def _plain_rows(frame: pd.DataFrame, link_columns: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Header and body rows of any other table; a verdict column gets its badge, URL columns a link."""
    columns = [c for c in frame.columns if c not in HIDDEN_COLUMNS]
    body = []
    for _, row in frame.iterrows():
        cells = []
        for c in columns:
            text = _text(row[c])
            if c == "Verdict":
                content = verdict_badge(text)
            elif c in link_columns and text.startswith("https://"):
                content = f'<a href="{html.escape(text)}">{html.escape(text)}</a>'
            elif c in link_columns and text.startswith("package: "):
                # "package: genai-prices 0.2.3 (openai/gpt-5.4)": the entry's key is code
                name, _, entry = text.removeprefix("package: ").partition(" (")
                content = html.escape(name) + (f" (<code>{html.escape(entry.rstrip(')'))}</code>)" if entry else "")
            elif c in CODE_COLUMNS and text != MISSING:
                content = f"<code>{html.escape(text)}</code>"
            else:
                content = html.escape(text)
            cells.append(_cell(str(c), content, numeric=bool(NUMERIC.match(text)), date=bool(DATE.match(text))))
        body.append(_row_open(row, "", set()) + "".join(cells) + "</tr>")
    return [str(c) for c in columns], body


def render(frame: pd.DataFrame, anchor_prefix: str = "", ledger: bool = False,
           link_columns: tuple[str, ...] = ("Source", "source")) -> str:
    """The table's ``<table>`` element (cell text escaped).

    ``anchor_prefix`` gives each figure's first row the id ``<prefix><figure_id>``; ``ledger`` links each
    figure to the chapter row that checks it (``check_page``) instead of to the ledger.
    """
    check = is_check_table(frame)
    header, body = _check_rows(frame, anchor_prefix, ledger) if check else _plain_rows(frame, link_columns)
    classes = ("report-table check-table" + (" ledger-table" if ledger else "")) if check else "report-table"
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in header)
    style = verdict_style() + "\n" if "Verdict" in frame.columns else ""
    return (f'{style}<table class="{classes}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n' + "\n".join(body)
            + "\n</tbody>\n</table>")
