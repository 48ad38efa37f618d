"""Charts: specs checked as data, and the offline renderer's HTML."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.report import charts
from analysis.report import formatting as fmt
from analysis.report.chapters import hardware


def _layer(spec: dict, mark: str, nth: int = 0) -> dict:
    """The nth top-level layer of a layered spec drawn with this mark type (nested layers skipped)."""
    return [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == mark][nth]


def test_memory_chart_spec(dataset):
    chapter = hardware.build(dataset)
    spec = charts.memory_vs_gpu(chapter.chart_data["requirements"], chapter.tables["gpu_lines"]).to_dict()
    bars = _layer(spec, "bar")
    scale = bars["encoding"]["x"]["scale"]
    assert scale["type"] == "log"
    # the domain spans the lightest need (Llama 3.1 8B INT4 + 1 sequence, /1.25) to the heaviest
    # (DeepSeek V4 Pro FP16 + busy KV, x1.25), so no bar is clipped
    assert scale["domain"][0] < chapter.chart_data["requirements"]["required_gb_low"].min()
    assert scale["domain"][1] > chapter.chart_data["requirements"]["required_gb_high"].max()
    assert bars["encoding"]["x"]["title"] == "Memory needed, GB (log scale)"
    assert bars["encoding"]["tooltip"][0]["title"] == "Model"
    assert spec["layer"][0]["mark"]["type"] == "rule"
    # Model names are written above their bars, not in a y axis that would take a phone plot's width.
    assert bars["encoding"]["y"]["axis"] is None
    names = _layer(spec, "text", -1)
    assert names["encoding"]["text"]["field"] == "model_name"
    assert names["encoding"]["y"]["bandPosition"] == 0
    # Each precision's bar has its own slot below the empty slot that holds the name.
    assert bars["encoding"]["yOffset"]["scale"]["domain"] == ["", "FP16", "FP8", "INT4"]


def test_gpu_labels_are_stacked_above_the_plot_one_row_each(dataset):
    chapter = hardware.build(dataset)
    spec = charts.memory_vs_gpu(chapter.chart_data["requirements"], chapter.tables["gpu_lines"]).to_dict()
    labels = [row for layer in spec["layer"] if layer["mark"]["type"] == "text" and "data" in layer
              for row in spec["datasets"][layer["data"]["name"]] if "row_y" in row]
    rows = sorted(row["row_y"] for row in labels)
    # five setups, rows 14 px apart from -6 px (just above the plot) upwards: -62, -48, -34, -20, -6
    assert rows == [-62.0, -48.0, -34.0, -20.0, -6.0]
    # Largest setup on top, each name ending at its line: the lines left of a name stop in lower rows, so none
    # crosses it (smallest on top put the 26 GB line through every name to its right).
    by_memory = sorted(labels, key=lambda row: row["memory_gb"])
    assert [row["row_y"] for row in by_memory] == [-6.0, -20.0, -34.0, -48.0, -62.0]
    assert by_memory[0]["text"] == "1× RTX 4090 (26 GB)"
    names = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "text" and "data" in layer
                 and "row_y" in spec["datasets"][layer["data"]["name"]][0])
    assert names["mark"]["align"] == "right"


def test_every_sizing_need_is_drawn_however_narrow_its_range(dataset):
    # DeepSeek V4 Pro at FP16 needs 3,200.1-3,201.3 GB, a bar narrower than a pixel: a dot marks each busy end.
    chapter = hardware.build(dataset)
    spec = charts.memory_vs_gpu(chapter.chart_data["requirements"], chapter.tables["gpu_lines"]).to_dict()
    dots = _layer(spec, "point")
    assert dots["encoding"]["x"]["field"] == "required_gb_high"
    assert len(spec["datasets"][dots["data"]["name"]]) == len(chapter.chart_data["requirements"])
    # the tick marks the weights alone, as the notebook's caption says
    assert _layer(spec, "tick")["encoding"]["x"]["field"] == "weights_gb_low"


def test_renderer_is_deterministic_and_escapes_markup():
    spec = {"data": {"values": [{"name": "</script><script>alert(1)</script>"}]}, "mark": "point"}
    first = charts.offline_renderer(spec)["text/html"]
    assert first == charts.offline_renderer(dict(spec))["text/html"]
    assert "</script><script>" not in first
    assert "\\u003c/script\\u003e" in first
    assert first.startswith('<div id="vega-') and 'class="vega-chart"' in first


def _data(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


def test_cost_stack_adds_categories_in_a_fixed_order(dataset):
    from analysis.report.chapters import operating

    stack = operating.build(dataset).chart_data["stack"]
    spec = charts.cost_stack(stack, "USD per month").to_dict()
    bars = _layer(spec, "bar")
    enc = bars["encoding"]
    assert enc["x"]["stack"] == "zero"
    assert enc["color"]["scale"]["domain"][0] == "GPU depreciation"
    assert "Downtime" in enc["color"]["scale"]["domain"]
    rows = spec["datasets"][bars["data"]["name"]]
    # guide bar = midpoints of its printed rows: (4,700 + 8,100) / 2 = 6,400 USD/month
    assert sum(r["usd_base"] for r in rows if r["source"] == operating.GUIDE) == 6_400
    assert [r["rank"] for r in rows if r["source"] == operating.GUIDE] == list(range(6))


@pytest.mark.slow  # builds every chapter
def test_verdict_bars_cover_every_figure(dataset):
    from analysis.evaluation import verdicts
    from analysis.report.chapters import reconciliation

    chapter = reconciliation.build(dataset)
    spec = charts.verdicts_by_section(chapter.chart_data["verdicts"], verdicts.ORDER).to_dict()
    bars = _layer(spec, "bar")
    assert bars["encoding"]["color"]["scale"]["domain"] == verdicts.ORDER
    assert sum(r["figures"] for r in spec["datasets"][bars["data"]["name"]]) == len(dataset["guide_figures"])
    # sections in the guide's order, in words ("hardware_sizing" is the identifier of the first)
    assert bars["encoding"]["y"]["sort"][0] == "Hardware sizing"


@pytest.mark.parametrize(("value", "label"), [(1e4, "$10K"), (1e6, "$1M"), (1e9, "$1B"), (-5e3, "-$5K"), (500, "$500")])
def test_money_axis_labels_use_the_tables_suffixes(value, label):
    # d3 writes 1e4 as "10k" and 1e9 as "1G"; the expression rewrites both into the tables' K and B.
    import vl_convert as vlc

    spec = {"data": {"values": [{"v": value}]}, "mark": "text",
            "encoding": {"text": {"value": {"expr": charts.USD_LABEL.replace("datum.value", "data('source_0')[0].v")}}}}
    svg = vlc.vegalite_to_svg(spec)
    assert f">{label}<" in svg


def test_with_text_writes_values_as_the_tables_do():
    frame = pd.DataFrame({"tokens_per_month": [1.78e9, 2.4e12], "usd": [15_512.0, -23_400.0]})
    out = charts.with_text(frame, tokens_per_month=fmt.tokens, usd=fmt.usd)
    assert out["tokens_per_month_text"].tolist() == ["1.78B", "2.4T"]
    assert out["usd_text"].tolist() == ["$15.5K", "-$23.4K"]


def test_log_axis_scale_spans_the_data_not_the_decades():
    scale = charts.log_axis_scale(pd.Series([0.0, 1_200.0, 160_000.0]))
    assert scale.domain == [1_200.0, 160_000.0] and scale.nice is False


def _all_charts(dataset) -> dict[str, dict]:
    from analysis.report.chapters import decisions, engines, operating, rent_vs_buy, scenario, top_models

    tiers = decisions.build_spend_tiers(dataset)
    sizing = hardware.build(dataset)
    ops = operating.build(dataset)
    s1 = scenario.build(dataset, "s1", "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4",
                        "novita-llama-4-maverick", "lambda-h100-8x")
    eng = engines.build(dataset)
    return {
        "savings": charts.savings_by_spend(tiers.chart_data["savings"], tiers.chart_data["claims"]).to_dict(),
        "memory": charts.memory_vs_gpu(sizing.chart_data["requirements"], sizing.tables["gpu_lines"]).to_dict(),
        "rent": charts.range_bars(rent_vs_buy.build(dataset).chart_data["rent_vs_buy"], "USD", "Figure").to_dict(),
        "weights": charts.printed_vs_weights(top_models.build(dataset).chart_data["weights"]).to_dict(),
        "bounds": charts.per_sequence_bounds(eng.chart_data["bounds"], 40.0, 60.0).to_dict(),
        "stack": charts.cost_stack(ops.chart_data["stack"], "USD").to_dict(),
        "curves": charts.cost_curves(s1.chart_data["curves"], s1.chart_data["points"]).to_dict(),
        "payback": charts.payback_by_volume(s1.chart_data["payback"]).to_dict(),
    }


@pytest.mark.slow  # builds every chapter
def test_no_tooltip_or_axis_uses_d3_si_or_dollar_formats(dataset):
    # Such formats print "1.78G" and "$15,512" where the tables print "1.78B" and "$15.5K".
    for name, spec in _all_charts(dataset).items():
        text = json.dumps(spec)
        assert '"format": ",.3s"' not in text and '"format": "$,.0f"' not in text, name


def test_spend_axis_stops_at_the_data(dataset):
    from analysis.report.chapters import decisions

    tiers = decisions.build_spend_tiers(dataset)
    spec = charts.savings_by_spend(tiers.chart_data["savings"], tiers.chart_data["claims"]).to_dict()
    x = _layer(spec, "area")["encoding"]["x"]
    spend = tiers.chart_data["savings"]["spend_usd_per_month"]
    claims = tiers.chart_data["claims"][["spend_low", "spend_high"]].to_numpy().ravel()
    assert x["scale"]["domain"][1] == max(spend.max(), claims[np.isfinite(claims)].max())
    assert x["scale"]["domain"][1] < 1e6  # the axis used to run to $1M with the data stopping near $160K


def test_decades_span_the_finite_values_only():
    # A break-even that never comes is inf: it is no tick (a dataset at a range end made an axis of inf decades).
    assert charts.decades(pd.Series([2e8, 3.5e10, np.inf, 0.0])) == [1e8, 1e9, 1e10, 1e11]
    assert charts.decades(pd.Series([np.inf, np.nan])) == []
