"""Direct labels at line ends, the likely-range bands and the crossing labels, read from the chart specs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.evaluation import uncertainty
from analysis.report import charts, visual
from analysis.report.chapters import common, decisions, full_cost, scenario


def test_labels_far_apart_stay_where_they_wish():
    # 10 and 100 are more than 13 px apart; 15 is pushed to 10 + 13 = 23.
    assert charts.spread_labels(np.array([10.0, 15.0, 100.0]), 300).tolist() == [10.0, 23.0, 100.0]


def test_labels_keep_their_order_whatever_the_input_order():
    assert charts.spread_labels(np.array([100.0, 10.0, 15.0]), 300).tolist() == [100.0, 10.0, 23.0]


def test_labels_pushed_past_the_bottom_move_up_together():
    # 290 and 295 become 290 and 303; the bottom limit is 300 - 13 / 2 = 293.5, so both move up 9.5.
    assert charts.spread_labels(np.array([290.0, 295.0]), 300).tolist() == [280.5, 293.5]


@given(st.lists(st.floats(0, 400), min_size=1, max_size=6))
def test_labels_never_closer_than_a_line(wishes):
    placed = np.sort(charts.spread_labels(np.array(wishes), 400))
    assert (np.diff(placed) >= charts.LABEL_GAP_PX - 1e-9).all()
    # Six labels fit in 400 px, so none is pushed below the plot.
    assert placed[-1] <= 400 - charts.LABEL_GAP_PX / 2 + 1e-9


def test_end_labels_are_short_and_tell_lines_apart(dataset):
    assert visual.end_label(dataset, visual.FRONTIER_API, "openai-gpt-5.4") == "GPT-5.4"
    assert visual.end_label(dataset, visual.CHEAP_API, "deepseek-v4-flash") == "DeepSeek V4 Flash"
    assert visual.end_label(dataset, visual.HOSTED, "novita-llama-4-maverick") == "Hosted Llama 4 Maverick"
    assert visual.end_label(dataset, visual.BUY) == "Buy"
    assert visual.end_label(dataset, visual.RENT) == "Rent"
    # Two bought lines on one chart: "Llama 4 Maverick 17B-128E" cut to its first three words.
    assert visual.end_label(dataset, visual.BUY, model_id="llama-4-maverick") == "Buy: Llama 4 Maverick"
    assert visual.end_label(dataset, visual.BUY_OTHER, model_id="llama-3.3-70b") == "Buy: Llama 3.3 70B"


def _texts(spec: dict, data: dict | None = None) -> list[dict]:
    """Every text layer of a layered spec, nested layers included, each with the data it draws."""
    out = []
    for layer in spec.get("layer", []):
        own = layer.get("data", data)
        if "layer" in layer:
            out += _texts(layer, own)
        elif layer["mark"]["type"] == "text":
            out.append({**layer, "data": own})
    return out


@pytest.fixture(scope="module")
def full(dataset):
    return full_cost.build(dataset)


def test_full_cost_chart_names_every_line_at_its_end(full):
    curves = full.chart_data["curves"]
    spec = charts.cost_curves(curves, full.chart_data["points"]).to_dict()
    named = [t for t in _texts(spec) if t["encoding"]["text"]["field"] == "end_label"]
    # One labelled layer and its white halo beneath it.
    assert len(named) == 2
    assert named[0]["mark"]["stroke"] == visual.PAPER
    labels = pd.DataFrame(spec["datasets"][named[1]["data"]["name"]])
    assert sorted(labels["end_label"]) == ["Buy", "DeepSeek V4 Flash", "GPT-5.4", "Hosted Llama 3.3 70B", "Rent"]
    # Each at the right end of the chart, and no two closer than a line of text (px on the 380 px plot).
    assert (labels["tokens_per_month"] == curves["tokens_per_month"].max()).all()
    area = next(layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "area")
    low, high = np.log10(area["encoding"]["y"]["scale"]["domain"])
    rows_px = np.sort(charts.COST_HEIGHT_PX * (high - np.log10(labels["label_y"])) / (high - low))
    assert np.diff(rows_px).min() == pytest.approx(charts.LABEL_GAP_PX, rel=1e-9) or (
        np.diff(rows_px).min() > charts.LABEL_GAP_PX)


def test_cost_bands_are_the_likely_range_not_the_cases(dataset, full):
    curves = full.chart_data["curves"]
    assert (curves["usd_low"] <= curves["usd_high"]).all()
    # The API's band at one volume, recomputed: P10 and P90 of the bill over the report's draws.
    result = scenario.scenarios.compare(dataset, "llama-3.3-70b", "a100-80gb-sxm", "fp16", "openai-gpt-5.4",
                                        np.array([1e9]))
    draws = uncertainty.monte_carlo(result.situation, uncertainty.DRAWS, uncertainty.SEED, [1e9])
    low, high = uncertainty.percentiles(draws.outputs["api_usd_per_month"], uncertainty.LIKELY)
    # 1B tokens a month is on the chart's grid (10M to 1T, four points a decade).
    row = curves[(curves["option"] == "API: GPT-5.4 (OpenAI)") & np.isclose(curves["tokens_per_month"], 1e9)]
    assert len(row) == 1
    assert row["usd_low"].iloc[0] == pytest.approx(low[0], rel=1e-12)
    assert row["usd_high"].iloc[0] == pytest.approx(high[0], rel=1e-12)
    # The stress ends are wider than the likely range: every input at one end at once.
    cases = common.at_volumes(result.table, np.array([1e9]))["api_usd_per_month"]
    assert cases.min() <= low[0] <= high[0] <= cases.max()


def test_cost_chart_tooltips_name_the_band_p10_and_p90(full):
    spec = charts.cost_curves(full.chart_data["curves"], full.chart_data["points"]).to_dict()
    titles = [t["title"] for layer in spec["layer"] if layer.get("mark", {}).get("type") == "line"
              for t in layer["encoding"]["tooltip"]]
    assert "P10" in titles and "P90" in titles and "Lowest case" not in titles


def test_crossings_print_their_volume_beside_the_diamond(full):
    spec = charts.cost_curves(full.chart_data["curves"], full.chart_data["points"]).to_dict()
    crossing = [t for t in _texts(spec) if t["encoding"]["text"]["field"] == "tokens_per_month_text"]
    assert len(crossing) == 2  # the label and its halo


def test_saving_lines_stop_at_the_axis_floor_and_say_so(dataset):
    chapter = decisions.build_spend_tiers(dataset)
    savings = chapter.chart_data["savings"]
    assert set(savings["end_label"]) == {"vs GPT-5.4", "vs DeepSeek V4 Flash"}
    assert (savings["saving_low"] <= savings["saving_high"]).all()
    spec = charts.savings_by_spend(savings, chapter.chart_data["claims"]).to_dict()
    line = next(layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "line")
    drawn = pd.DataFrame(spec["datasets"][line["data"]["name"]])
    floor = charts.SAVING_DOMAIN[0]
    assert (drawn["saving_base"] >= floor).all()
    # At the smallest spends self-hosting costs over twice the bill, so part of a line is cut and the chart says so.
    assert (savings["saving_base"] < floor).any()
    notes = [t for t in _texts(spec) if t["encoding"]["text"]["field"] == "text"]
    values = spec["datasets"][notes[0]["data"]["name"]]
    assert values[0]["text"] == "Lines stop below -100%:"


def test_payback_band_runs_to_the_longest_life_when_p90_never_pays(dataset):
    chapter = scenario.build(dataset, "s1", "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4",
                             "novita-llama-4-maverick", "lambda-h100-8x")
    payback = chapter.chart_data["payback"]
    assert (payback["payback_low"] <= payback["payback_high"]).all()
    spec = charts.payback_by_volume(payback).to_dict()
    area = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "area")
    band = pd.DataFrame(spec["datasets"][area["data"]["name"]])
    assert (band["drawn_high"] <= band["life_months"]).all()
    # Near the break-even P10 pays back while P90 never does: there the band reaches the longest life.
    never = band["payback_high_text"] == "never"
    assert never.any()
    assert (band.loc[never, "drawn_high"] == band["life_months"].max()).all()


def test_probability_curves_are_named_where_they_pass_half_the_draws(dataset):
    from analysis.report.chapters import uncertainty as chapter

    probability = chapter.build(dataset).chart_data["probability"]
    spec = charts.probability_cheaper(probability).to_dict()
    names = [t for t in _texts(spec) if t["encoding"]["text"]["field"] == "option" and "stroke" not in t["mark"]]
    placed = [spec["datasets"][t["data"]["name"]][0] for t in names]
    # Buying passes half the draws at a lower volume than renting, so it is named on its left, renting on its right.
    assert [p["option"] for p in placed] == ["Buy", "Rent"]
    assert [t["mark"]["align"] for t in names] == ["right", "left"]
    for p in placed:
        curve = probability[probability["option"] == p["option"]]
        first = curve[curve["probability_cheaper"] >= 0.5]["tokens_per_month"].min()
        assert p["tokens_per_month"] == first


def test_the_calculator_names_its_lines_at_their_ends_in_the_browser():
    spec = charts.calculator_costs().to_dict()
    names = [t for t in _texts(spec) if t["encoding"]["text"]["field"] == "option"]
    assert len(names) == 2  # the name and its halo
    # The data arrive in the browser: Vega keeps each option's largest volume.
    for name in names:
        assert name["transform"][0]["joinaggregate"][0] == {"op": "max", "field": "tokens_per_month", "as": "last"}
        assert name["transform"][1]["filter"] == "datum.tokens_per_month === datum.last"


def test_contrast_by_hand():
    # Black on white: (1 + 0.05) / (0 + 0.05) = 21; a colour against itself: 1.
    assert visual.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert visual.contrast("#1f5fa8", "#1f5fa8") == pytest.approx(1.0)


@given(st.sampled_from(sorted(visual.palette())))
def test_every_label_shade_reads_on_the_chart_and_keeps_dark_colours(colour):
    shade = visual.legible(colour)
    assert visual.contrast(shade, visual.PAPER) >= visual.TEXT_CONTRAST or shade == "#000000"
    if visual.contrast(colour, visual.PAPER) >= visual.TEXT_CONTRAST:
        assert shade == colour


def test_line_names_are_printed_in_a_shade_that_reads(full):
    # Rent's orange (#e08a00) is 2.69:1 on white: its name is printed in a darker orange of at least 4.5:1.
    spec = charts.cost_curves(full.chart_data["curves"], full.chart_data["points"]).to_dict()
    named = [t for t in _texts(spec) if t["encoding"]["text"]["field"] == "end_label"][1]
    labels = pd.DataFrame(spec["datasets"][named["data"]["name"]])
    assert named["encoding"]["color"] == {"field": "label_colour", "scale": None, "type": "nominal"}
    assert all(visual.contrast(c, visual.PAPER) >= visual.TEXT_CONTRAST for c in labels["label_colour"])
    rent = labels.loc[labels["end_label"] == "Rent", "label_colour"].iloc[0]
    assert rent == visual.legible(visual.OPTION_COLOURS[visual.RENT]) != visual.OPTION_COLOURS[visual.RENT]


def test_the_decline_chart_marks_the_base_case_the_text_quotes(dataset):
    from analysis.report.chapters import lifetime

    chapter = lifetime.build(dataset)
    base = chapter.chart_data["base"]
    # The base decline is the midpoint of the assumption's range, and its label quotes the chapter's facts.
    assert base["label"].iloc[0] == (f"base case: {chapter.facts['life_decline_base']} a year, "
                                     f"{chapter.facts['life_be']}")
    spec = charts.breakeven_by_decline(chapter.chart_data["by_decline"], chapter.chart_data["epoch"], base).to_dict()
    marks = [layer for layer in spec["layer"] if layer.get("mark", {}).get("shape") == "diamond"]
    assert len(marks) == 1
    assert [t["encoding"]["text"]["field"] for t in _texts(spec)] == ["label", "label"]  # halo, then the text


def test_the_calculator_chart_draws_no_band_of_its_own():
    # The report's bands are the likely range; the page gives it at the reader's volume in numbers, so its chart
    # draws the base lines only, and its line carries the log axis the band used to.
    spec = charts.calculator_costs().to_dict()
    marks = [layer.get("mark", {}).get("type") for layer in spec["layer"]]
    assert "area" not in marks
    line = next(layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "line")
    assert line["encoding"]["y"]["scale"] == {"type": "log"}
    assert line["encoding"]["y"]["title"] == "USD per month (log scale)"


def test_model_names_sit_clear_of_their_marks_and_dots_lie_over_the_guides_cross(dataset):
    # On the point scale a name's row is its marks' row: the marks sit a whole name row (16 px) plus 8 px below,
    # so a 12 px name (drawn from 2 px below the row) never touches them; the guide's cross is drawn first.
    from analysis.report.chapters import top_models

    spec = charts.printed_vs_weights(top_models.build(dataset).chart_data["weights"]).to_dict()
    points = [layer for layer in spec["layer"] if layer["mark"]["type"] == "point"]
    assert [p["mark"].get("shape") for p in points] == ["cross", None]
    assert {p["mark"]["yOffset"] for p in points} == {charts.NAME_ROW_PX + 8}
