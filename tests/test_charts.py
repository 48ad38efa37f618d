"""Charts: specs checked as data, and the offline renderer's HTML."""

from __future__ import annotations

from analysis import charts, tables


def test_memory_chart_spec(dataset):
    chapter = tables.hardware_sizing(dataset)
    spec = charts.memory_vs_gpu(chapter.chart_data, chapter.gpu_lines).to_dict()
    bars = spec["layer"][0]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"]["scale"] == {"type": "log"}
    assert bars["encoding"]["x"]["title"] == "Memory needed, GB (log scale)"
    assert [t["title"] for t in bars["encoding"]["tooltip"]][0] == "Model"
    assert spec["layer"][2]["mark"]["type"] == "rule"


def test_renderer_is_deterministic_and_escapes_markup():
    spec = {"data": {"values": [{"name": "</script><script>alert(1)</script>"}]}, "mark": "point"}
    first = charts.offline_renderer(spec)["text/html"]
    assert first == charts.offline_renderer(dict(spec))["text/html"]
    assert "</script><script>" not in first
    assert "\\u003c/script\\u003e" in first
    assert first.startswith('<div id="vega-') and 'class="vega-chart"' in first
