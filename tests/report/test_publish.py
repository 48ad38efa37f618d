"""What a page shows: escaped tables, verdict-first check tables, CSV downloads as data, deterministic HTML."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from analysis.evaluation import verdicts
from analysis.report import csv_export, html_tables, publish


def test_formula_cells_and_headers_get_an_apostrophe():
    frame = pd.DataFrame({"=cmd|' /C calc'!A0": ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "@SUM(A1)", "plain"],
                          "value": [1.5, -2.0, 3.0, 4.0]})
    assert publish.csv_text(frame) == ("'=cmd|' /C calc'!A0,value\n"
                                       "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1.5\n"
                                       "'+1+1,-2\n"
                                       "'@SUM(A1),3\n"
                                       "plain,4\n")


def test_numbers_are_left_alone_and_the_input_is_not_modified():
    frame = pd.DataFrame({"a": ["=1"], "b": [-3]})
    out = publish.neutralize_formulas(frame)
    assert out.loc[0, "b"] == -3 and out.loc[0, "a"] == "'=1"
    assert frame.loc[0, "a"] == "=1"


def test_table_escapes_html_and_hides_identifier_columns():
    frame = pd.DataFrame({"figure_id": ["x.1"], "Model": ["<img src=x onerror=alert(1)>"]})
    shown = publish.table(frame, "demo", "A <b>caption</b>")
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown.html and "<img" not in shown.html
    assert "A &lt;b&gt;caption&lt;/b&gt;" in shown.html
    assert "figure_id" not in shown.html and "x.1" not in shown.html  # shown table: no id column
    assert shown.csv.startswith("figure_id,Model\n")  # the download keeps it
    # The link points at the file the book writes beside the page, not at an inline data: URI.
    assert 'href="../_static/tables/demo.csv"' in shown.html and "data:text/csv" not in shown.html


def test_table_name_must_be_a_safe_file_name():
    with pytest.raises(ValueError, match="table name must be lower-case letters"):
        publish.table(pd.DataFrame({"a": [1]}), "../evil")


def test_a_table_carries_its_csv_in_the_output_metadata():
    data, metadata = publish.table(pd.DataFrame({"a": [1]}), "demo")._repr_mimebundle_()
    assert set(data) == {"text/html", "text/plain"}
    assert metadata == {"selfhost_table": {"filename": "demo.csv", "csv": "a\n1\n"}}


CHECKS = pd.DataFrame({
    "figure_id": ["s1.a", "s1.b"], "Row": ["100M tokens", "1B tokens"], "Column": ["API cost", "API cost"],
    "Printed": ["$1,750", "$17,500"], "From the guide's inputs": ["$1.8K", ""], "First principles": ["$562–$1.2K", ""],
    "Difference": ["+47%", ""], "Verdict": [verdicts.INCONSISTENT, verdicts.UNVERIFIABLE], "Why": ["<why>", "none"]})


def test_a_check_table_reads_verdict_first():
    html = html_tables.render(CHECKS, anchor_prefix="check-")
    header = html.split("<tbody>")[0]
    assert [h.split("</th>")[0] for h in header.split('<th scope="col">')[1:]] == [
        "Figure", "Printed", "Recomputed", "Verdict", "Why"]
    first = html.split('<tr id="check-s1-a"')[1].split("</tr>")[0]
    assert 'data-verdict="inconsistent"' in first
    # the verdict as a dot in its severity colour with its short word, the difference beneath it
    assert '<span class="verdict verdict-inconsistent">inconsistent</span>' in first
    assert ".verdict-inconsistent::before{background:#ef8f00}" in html.split("<table")[0]
    assert "+47%" in first and "&lt;why&gt;" in first
    assert '<a class="figure-link" href="12_reconciliation.html#ledger-s1-a">in the ledger</a>' in first
    # every cell names its column, for the card layout on a phone
    assert first.count('data-label="') == 5


def test_ledger_rows_link_to_the_chapter_row_that_checks_them():
    ledger = CHECKS.assign(check_page=["09_scenario_1", ""], Section=["Scenario 1", "Scenario 1"],
                           Table=["Costs", "Costs"], **{"Checked in": ["Scenario 1: replacing GPT-5.4", "—"]})
    html = html_tables.render(ledger, anchor_prefix="ledger-", ledger=True)
    # the section and the guide's table head their rows once; a row carries neither, nor its verdict twice
    assert html.count('<tr class="ledger-group" data-section="Scenario 1">') == 1
    assert html.count('<tr class="ledger-table-name">') == 1
    assert '<tr id="ledger-s1-a"><td><strong>' in html and "data-label" not in html
    assert 'href="09_scenario_1.html#check-s1-a">checked in Scenario 1: replacing GPT-5.4</a>' in html
    assert html.count("checked in") == 1  # no chapter row for the unchecked figure: no link


@pytest.mark.parametrize(("text", "parsed"), [
    ("$15.5K", (15_500.0, 15_500.0, "USD")), ("-$5.3K", (-5_300.0, -5_300.0, "USD")),
    ("$562–$1.2K", (562.0, 1_200.0, "USD")), ("-$23.4K to -$5.3K", (-23_400.0, -5_300.0, "USD")),
    ("1.78B", (1.78e9, 1.78e9, "count")), ("769M–6.97B", (769e6, 6.97e9, "count")),
    ("+47%", (0.47, 0.47, "share")), ("25%–75%", (0.25, 0.75, "share")), ("800 GB", (800.0, 800.0, "GB")),
    ("3.3 months–10 months", (3.3, 10.0, "months")), ("2.5x", (2.5, 2.5, "ratio")), ("1.2–1.5x", (1.2, 1.5, "ratio")),
    ("never", None), ("fits at FP8", None), ("$1.8K (GPT-5.4)", None),
])
def test_report_text_reads_back_as_numbers(text, parsed):
    result = csv_export.parse_cell(text)
    if parsed is None:
        assert result is None
    else:
        assert result[:2] == pytest.approx(parsed[:2]) and result[2] == parsed[2]


def test_csv_columns_are_numbers_with_units_and_ranges_split():
    frame = pd.DataFrame({"Option": ["Buy", "Rent"], "Per GPU-month": ["$2.9K–$3.1K", "$4.0K"],
                          "Payback": ["5.1 months–16 months", "never"], "Note": ["$1.8K (GPT-5.4)", "x"]})
    out = pd.read_csv(io.StringIO(publish.csv_text(frame)))
    assert list(out.columns) == ["Option", "Per GPU-month low (USD)", "Per GPU-month high (USD)",
                                 "Payback low (months)", "Payback high (months)", "Note"]
    assert out["Per GPU-month low (USD)"].tolist() == [2_900.0, 4_000.0]
    assert out["Per GPU-month high (USD)"].tolist() == [3_100.0, 4_000.0]
    assert out["Payback low (months)"].isna().tolist() == [False, True]  # "never" is an empty cell
    assert out["Note"].tolist() == ["$1.8K (GPT-5.4)", "x"]  # mixed text stays text


def test_a_computed_column_of_words_and_figures_downloads_its_leading_figure_as_numbers():
    # "$15.5K ($9.1K–$39.2K) against GPT-5.4" stays as text and gains its figure as a number beside it; a range
    # gains low and high; a reason column is prose and gains nothing
    frame = pd.DataFrame({"First principles": ["$15.5K ($9.1K–$39.2K) against GPT-5.4", "$1.8K–$2.6K", "never"],
                          "Why": ["$3K more than printed", "$2K", "none"]})
    out = csv_export.numeric_columns(frame)
    assert list(out.columns) == ["First principles", "First principles, low (USD)", "First principles, high (USD)",
                                 "Why"]
    assert out["First principles, low (USD)"].tolist()[:2] == [15_500.0, 1_800.0]
    assert out["First principles, high (USD)"].tolist()[:2] == [15_500.0, 2_600.0]
    assert np.isnan(out["First principles, low (USD)"].iloc[2])


def test_a_column_whose_unit_changes_by_row_gets_its_figures_and_units():
    # uq-breakeven: one P10 column holds a volume ("3.04B") and a spend ("$14.7K"), one row each.
    from analysis.report import csv_export

    frame = pd.DataFrame({"Measure": ["volume", "spend"], "P10": ["3.04B", "$14.7K"],
                          "Stress ends": ["1.02B–27.8B", "$6.9K–$39.3K"]})
    out = csv_export.numeric_columns(frame)
    assert out["P10, figure"].tolist() == [3.04e9, 14700.0]
    assert out["P10, unit"].tolist() == ["count", "USD"]
    assert out["Stress ends, low"].tolist() == [1.02e9, 6900.0]
    assert out["Stress ends, high"].tolist() == [2.78e10, 39300.0]
    assert out["Stress ends, unit"].tolist() == ["count", "USD"]


def test_cells_saying_there_is_no_figure_are_empty_not_text():
    # lifetime-table: "47 months" beside "not within the life"; uq-volumes: "no purchase" where renting buys nothing.
    from analysis.report import csv_export

    frame = pd.DataFrame({"Payback over the life": ["47 months", "not within the life", "Not within the life"],
                          "Payback P10": ["15 months", "no purchase", "never"]})
    out = csv_export.numeric_columns(frame)
    assert out["Payback over the life (months)"].tolist()[0] == 47.0
    assert np.isnan(out["Payback over the life (months)"].tolist()[1:]).all()
    assert out["Payback P10 (months)"].tolist()[0] == 15.0


def test_a_check_column_of_mixed_figures_gets_each_rows_unit():
    # A check table's "From the guide's inputs": a spend, a memory need, a payback and a sentence.
    from analysis.report import csv_export

    frame = pd.DataFrame({"From the guide's inputs": ["$1.8K", "140 GB (FP16)", "0.0 months", "one spare GPU"]})
    out = csv_export.numeric_columns(frame)
    assert out["From the guide's inputs, figure"].tolist()[:3] == [1800.0, 140.0, 0.0]
    assert np.isnan(out["From the guide's inputs, figure"].tolist()[3])
    assert out["From the guide's inputs, unit"].tolist() == ["USD", "GB", "months", ""]
