"""Charts: specs checked as data, and the offline renderer's HTML."""

from __future__ import annotations

from analysis import charts, tables


def test_memory_chart_spec(dataset):
    chapter = tables.hardware_sizing(dataset)
    spec = charts.memory_vs_gpu(chapter.chart_data, chapter.gpu_lines).to_dict()
    bars = spec["layer"][2]
    assert bars["mark"]["type"] == "bar"
    scale = bars["encoding"]["x"]["scale"]
    assert scale["type"] == "log"
    # the domain spans the lightest need (Llama 3.1 8B INT4 + 1 sequence, /1.25) to the heaviest
    # (DeepSeek V4 Pro FP16 + busy KV, x1.25), so no bar is clipped
    assert scale["domain"][0] < chapter.chart_data["required_gb_low"].min()
    assert scale["domain"][1] > chapter.chart_data["required_gb_high"].max()
    assert bars["encoding"]["x"]["title"] == "Memory needed, GB (log scale)"
    assert bars["encoding"]["tooltip"][0]["title"] == "Model"
    assert spec["layer"][0]["mark"]["type"] == "rule"


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
    from analysis.chapters import operating

    stack = operating.build(dataset).chart_data["stack"]
    spec = charts.cost_stack(stack, "USD per month").to_dict()
    enc = spec["encoding"]
    assert spec["mark"]["type"] == "bar" and enc["x"]["stack"] == "zero"
    assert enc["color"]["scale"]["domain"][0] == "GPU depreciation"
    assert "Downtime" in enc["color"]["scale"]["domain"]
    rows = _data(spec)
    # guide bar = midpoints of its printed rows: (4,700 + 8,100) / 2 = 6,400 USD/month
    assert sum(r["usd_base"] for r in rows if r["source"] == operating.GUIDE) == 6_400
    assert [r["rank"] for r in rows if r["source"] == operating.GUIDE] == list(range(6))


def test_verdict_bars_cover_every_figure(dataset):
    from analysis import verdicts
    from analysis.chapters import reconciliation

    chapter = reconciliation.build(dataset)
    spec = charts.verdicts_by_section(chapter.chart_data["verdicts"], verdicts.ORDER).to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == verdicts.ORDER
    assert sum(r["figures"] for r in _data(spec)) == len(dataset["guide_figures"])
    assert spec["encoding"]["y"]["sort"][0] == dataset["guide_figures"]["section"].iloc[0]
