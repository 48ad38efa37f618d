"""Exhibits: numbered per chapter in the order shown, titled by their finding, with a source line."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import altair as alt
import pandas as pd
import pytest

from analysis import paths
from analysis.evaluation import verdicts
from analysis.report import exhibits, publish


@dataclass(frozen=True)
class _Chapter:
    key: str
    exhibits: tuple[exhibits.Exhibit, ...]


CHAPTER = _Chapter("s1", (exhibits.Exhibit("s1-a", "First <finding>", "Source: data/a.csv", "How to read it."),
                          exhibits.Exhibit("s1-b", "Second finding", "Source: data/b.csv")))


def test_verdict_summary_counts_worst_first():
    column = pd.Series([verdicts.REPRODUCED, verdicts.INCONSISTENT, verdicts.UNVERIFIABLE, verdicts.INCONSISTENT,
                        verdicts.IMPOSSIBLE])
    assert exhibits.verdict_summary(column) == ("5 figures checked: 1 impossible, 2 inconsistent, 1 reproduced, "
                                                "1 unverifiable")
    assert exhibits.verdict_summary(pd.Series([verdicts.REPRODUCED])) == "1 figure checked: 1 reproduced"


def test_numbers_follow_the_chapter_and_the_order_of_its_exhibits():
    assert exhibits.number("s1", CHAPTER.exhibits, "s1-b") == "9.2"
    assert exhibits.number("data", (exhibits.Exhibit("d", "t", "s"),), "d") == "A.1"
    with pytest.raises(KeyError, match="chapter 's1' has no exhibit 's1-c'; it has s1-a, s1-b"):
        exhibits.number("s1", CHAPTER.exhibits, "s1-c")


def test_a_table_exhibit_has_an_anchor_title_table_download_and_source():
    html = publish.exhibit(CHAPTER, "s1-a", pd.DataFrame({"x": [1.5]})).html
    assert html.startswith('<figure class="exhibit" id="exhibit-9-1">')
    assert '<a class="exhibit-number" href="#exhibit-9-1">Exhibit 9.1</a> First &lt;finding&gt;</figcaption>' in html
    assert '<p class="table-caption">How to read it.</p>' in html
    assert 'data-table="s1-a"' in html and 'download="s1-a.csv" href="../_static/tables/s1-a.csv"' in html
    assert html.endswith('<p class="exhibit-source">Source: data/a.csv</p>\n</figure>')


def test_a_chart_exhibit_embeds_the_chart():
    chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q")
    html = publish.exhibit(CHAPTER, "s1-b", chart).html
    assert 'id="exhibit-9-2"' in html and 'class="vega-chart"' in html and "vegaEmbed" in html


def _exhibit_ids(notebook: str) -> list[str]:
    nb = json.loads((paths.REPO_ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb["cells"] for o in c.get("outputs", []))
    return re.findall(r'<figure class="exhibit" id="exhibit-([0-9A-Z]+)-(\d+)">', html)


# The calculator shows no exhibit: its table and chart are the reader's own situation, drawn in the browser.
EXHIBIT_NOTEBOOKS = sorted(p.name for p in (paths.REPO_ROOT / "notebooks").glob("*.ipynb")
                           if p.name != "00_calculator.ipynb")


@pytest.mark.parametrize("notebook", EXHIBIT_NOTEBOOKS)
def test_every_notebook_numbers_its_exhibits_in_the_order_shown(notebook):
    ids = _exhibit_ids(notebook)
    assert ids, f"{notebook} shows no exhibit"
    chapter = {ch for ch, _ in ids}
    assert len(chapter) == 1, f"{notebook} mixes chapters {chapter}"
    assert [int(n) for _, n in ids] == list(range(1, len(ids) + 1))


def test_chapter_numbers_follow_the_notebook_names():
    for notebook in EXHIBIT_NOTEBOOKS:
        chapter = _exhibit_ids(notebook)[0][0]
        prefix = notebook.split("_")[0].lstrip("0")
        assert chapter == ("A" if prefix == "90" else prefix), notebook
