"""What a page shows: escaped tables, neutralized CSV downloads, deterministic HTML."""

from __future__ import annotations

import urllib.parse

import pandas as pd
import pytest

from analysis import publish


def _csv(frame: pd.DataFrame) -> str:
    return urllib.parse.unquote(publish.csv_data_uri(frame).split(",", 1)[1])


def test_formula_cells_and_headers_get_an_apostrophe():
    frame = pd.DataFrame({"=cmd|' /C calc'!A0": ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "@SUM(A1)", "plain"],
                          "value": [1.5, -2.0, 3.0, 4.0]})
    assert _csv(frame) == ("'=cmd|' /C calc'!A0,value\n"
                           "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1.5\n"
                           "'+1+1,-2.0\n"
                           "'@SUM(A1),3.0\n"
                           "plain,4.0\n")


def test_numbers_are_left_alone_and_the_input_is_not_modified():
    frame = pd.DataFrame({"a": ["=1"], "b": [-3]})
    out = publish.neutralize_formulas(frame)
    assert out.loc[0, "b"] == -3 and out.loc[0, "a"] == "'=1"
    assert frame.loc[0, "a"] == "=1"


def test_table_escapes_html_and_hides_identifier_columns():
    frame = pd.DataFrame({"figure_id": ["x.1"], "Model": ["<img src=x onerror=alert(1)>"]})
    html = publish.table(frame, "demo", "A <b>caption</b>").data
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert "A &lt;b&gt;caption&lt;/b&gt;" in html
    assert "figure_id" not in html.split("<a download")[0]  # shown table: no id column
    assert "figure_id" in _csv(frame)  # the download keeps it


def test_table_name_must_be_a_safe_file_name():
    with pytest.raises(ValueError, match="table name must be lower-case letters"):
        publish.table(pd.DataFrame({"a": [1]}), "../evil")
