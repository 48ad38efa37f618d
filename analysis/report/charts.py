"""Altair charts (one function per chart) and the offline renderer that embeds them in the book.

The renderer writes a ``<div>`` whose id is a hash of the spec plus a call to ``vegaEmbed``; the Vega
libraries come from ``_static/vega/vega-bundle.js`` (see :mod:`analysis.commands.vendor`), so pages need no
network and re-executing a notebook yields byte-identical output.
"""

from __future__ import annotations

import hashlib
import json
import math

import altair as alt
import numpy as np
import pandas as pd

from analysis.report import formatting as fmt
from analysis.report import numerics, visual

THEME_NAME = "selfhost_report"
RENDERER_NAME = "offline"
# SI prefixes read as giga/mega; token counts are written with B for billions, money with a dollar sign.
VOLUME_TITLE = "Tokens per month (log scale)"
# d3's SI format writes thousands as "k" and billions as "G": the report writes K and B, as in its tables.
_SI = "replace(replace(format(abs(datum.value), '~s'), 'G', 'B'), 'k', 'K')"
TOKENS_LABEL = _SI
USD_LABEL = f"(datum.value < 0 ? '-$' : '$') + {_SI}"
# Horizontal bar charts write each category's name above its bars instead of in a y axis, so a
# phone-width plot keeps its whole width for the bars (a 360 px screen has no room for a label column).
NAME_ROW_PX = 16
# Plot heights, px: fixed, so labels placed in Python (end_labels) land where the static SVG draws them.
COST_HEIGHT_PX, SAVINGS_HEIGHT_PX, SPEED_HEIGHT_PX, LINE_HEIGHT_PX = 380, 340, 320, 300
# A label's line height on a chart, px: end labels closer than this are moved apart.
LABEL_GAP_PX = 13
# The sizing chart's rows (a model's name, then a bar per precision) and the gap between models, px.
SIZING_ROW_PX, SIZING_GAP_PX = 12, 2
# A generous width per character of a 12 px label, px: room for a label placed before any font is measured.
LABEL_CHAR_PX = 6.5


def decades(values: pd.Series) -> list[float]:
    """Powers of ten spanning the positive, finite values (a break-even that never comes is no tick): the only
    ticks a log axis needs."""
    shown = values[np.isfinite(values) & (values > 0)]
    if shown.empty:
        return []
    low, high = numerics.decade_floor(float(shown.min())), numerics.decade_ceil(float(shown.max()))
    return [float(10**k) for k in range(low, high + 1)]


def log_axis_scale(values: pd.Series) -> alt.Scale:
    """A log scale over exactly the data's extent (not rounded out to whole decades)."""
    positive = values[values > 0]
    return alt.Scale(type="log", domain=[float(positive.min()), float(positive.max())], nice=False)


def with_text(frame: pd.DataFrame, **formatters) -> pd.DataFrame:
    """The frame plus ``<column>_text`` per keyword, each value written by :mod:`analysis.report.formatting`,
    so a tooltip says "1.78B" and "$15.5K" exactly as the tables do (d3 would say "1.78G" and "$15,512")."""
    return frame.assign(**{f"{column}_text": frame[column].map(formatter) for column, formatter in formatters.items()})


def _scale(domain_and_colours: tuple[list[str], list[str]]) -> alt.Scale:
    """A colour scale from a ``(domain, range)`` pair of :mod:`analysis.report.visual`."""
    domain, colours = domain_and_colours
    return alt.Scale(domain=domain, range=colours)


def _ramp(order: list[str], ramp: tuple[str, ...]) -> alt.Scale:
    """A colour scale giving ``order`` the colours of one of :mod:`analysis.report.visual`'s ramps."""
    return _scale(visual.ramp_scale(order, ramp))


def names_above(data: pd.DataFrame, field: str, order: list[str]) -> alt.Chart:
    """Each category's name at the top of its band, from the plot's left edge (layer it over bars whose
    y axis is hidden and that sit ``NAME_ROW_PX`` lower)."""
    names = data[[field]].drop_duplicates()
    return alt.Chart(names).mark_text(align="left", baseline="top", dy=2, fontSize=12,
                                      color=visual.INK, limit=alt.ExprRef("width")).encode(
        x=alt.value(0), y=alt.Y(f"{field}:N", sort=order, bandPosition=0, axis=None), text=f"{field}:N")

WIDTH_PX = 640
# Savings run from losing the whole API bill again to saving all of it; beyond that the axis clamps.
SAVING_DOMAIN = (-1.0, 1.0)


@alt.theme.register(THEME_NAME, enable=False)
def _theme() -> alt.theme.ThemeConfig:
    """One look for every chart of the report."""
    return {
        "config": {
            # Little padding on the left, where the y labels already leave a margin: width goes to the plot.
            "padding": {"left": 1, "right": 2, "top": 5, "bottom": 5},
            "view": {"continuousWidth": WIDTH_PX, "stroke": None},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "grid": True},
            # The y title reads left to right above the axis: a rotated title beside it would take
            # width the plot needs on a phone.
            # The first and last x labels sit inside the plot's ends instead of hanging past the chart.
            "axisX": {"labelFlush": True},
            "axisY": {"titleAngle": 0, "titleAnchor": "end", "titleAlign": "left", "titleBaseline": "bottom",
                      "titleX": 0, "titleY": -8},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            # A mark no scale colours is ink, never Vega's own blue (which would read as buying).
            "mark": {"color": visual.INK},
            "font": "system-ui, -apple-system, 'Segoe UI', sans-serif",
        }
    }


def _json_for_script(obj: object) -> str:
    """JSON that is safe inside an HTML ``<script>``: no raw ``<``, ``>`` or ``&`` from the data."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def offline_renderer(spec: dict, **metadata: object) -> dict[str, str]:
    """Render a Vega-Lite spec as a self-contained HTML fragment with a deterministic element id.

    Every float of the spec (its inline data included) is rounded first (:mod:`analysis.report.numerics`), so
    the id, a hash of the spec, is the same on every CPU.
    """
    spec_json = _json_for_script(numerics.round_value(spec))
    div_id = "vega-" + hashlib.sha256(spec_json.encode("utf-8")).hexdigest()[:16]
    options = _json_for_script({"mode": "vega-lite", "actions": False, "renderer": "svg"})
    html = (
        f'<div id="{div_id}" class="vega-chart"></div>\n'
        '<script type="text/javascript">\n(function () {\n'
        f'  var el = document.getElementById("{div_id}");\n'
        '  if (typeof vegaEmbed === "undefined") {\n'
        '    el.textContent = "Chart unavailable: vega-embed not loaded"; return;\n  }\n'
        f"  vegaEmbed(el, {spec_json}, {options})"
        '.catch(function (err) { el.textContent = "Chart error: " + err; console.error(err); });\n'
        "})();\n</script>"
    )
    return {"text/html": html, "text/plain": "<chart: see the HTML report>"}


def themed_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec in the report's theme, whatever theme is enabled (for a spec a page
    embeds itself rather than through the renderer)."""
    with alt.theme.enable(THEME_NAME):
        return chart.to_dict()


def enable() -> None:
    """Register and enable the offline renderer and the report theme (call once per kernel)."""
    alt.renderers.register(RENDERER_NAME, offline_renderer)
    alt.renderers.enable(RENDERER_NAME)
    alt.theme.enable(THEME_NAME)


def memory_vs_gpu(need: pd.DataFrame, gpu_lines: pd.DataFrame) -> alt.LayerChart:
    """Memory each model needs per precision (log scale), against the memory of single GPUs and nodes.

    Parameters
    ----------
    need : one row per model and precision with ``model_name``, ``precision``, ``weights_gb_low``,
        ``required_gb_low`` and ``required_gb_high`` (GB).
    gpu_lines : ``label`` and ``memory_gb`` of the GPU setups drawn as vertical reference lines.
    """
    data = need.assign(precision=need["precision"].str.upper())
    precisions = list(dict.fromkeys(data["precision"]))
    models = list(dict.fromkeys(data["model_name"]))
    # Each model's band: a row for its name (see names_above), then one per precision, then a gap. Fixed px rows
    # keep a phone's chart short (Vega's default steps made it three screens tall).
    rows = len(precisions) + 1
    step_px = rows * SIZING_ROW_PX + SIZING_GAP_PX
    gap = SIZING_GAP_PX / step_px
    y = alt.Y("model_name:N", title=None, sort=models, axis=None,
              scale=alt.Scale(paddingInner=gap, paddingOuter=gap / 2))
    offset = alt.YOffset("precision:N", scale=alt.Scale(domain=["", *precisions], paddingInner=0, paddingOuter=0))
    # Explicit domain: Vega's default log domain ignores x2 and would clip the largest models.
    lowest = min(data["weights_gb_low"].min(), gpu_lines["memory_gb"].min())
    highest = max(data["required_gb_high"].max(), gpu_lines["memory_gb"].max())
    low_gb, high_gb = lowest / 1.25, highest * 1.25
    # GPU names are stacked above the plot, largest on top, each ending at its line: a line rises only to its own
    # row and the lines left of it stop lower, so no line crosses a name. The axis starts low enough for each name
    # to fit left of its line at the drawn width: a line at m GB sits log(m/low) / log(high/low) of the way
    # across, which must be at least the name's share r of the width, so log(low) <= (log m - r log high) / (1 - r).
    lines = gpu_lines.sort_values("memory_gb", ascending=False, kind="stable").reset_index(drop=True)
    lines = lines.assign(row_y=-6.0 - 14.0 * (len(lines) - 1 - np.arange(len(lines))),
                         text=lines["label"] + " (" + lines["memory_gb"].map(lambda gb: f"{gb:,.0f}") + " GB)")
    shares = [f"min({LABEL_CHAR_PX * len(text) + 6} / width, 0.9)" for text in lines["text"]]
    fits = [f"exp((log({gb}) - {r} * log({high_gb})) / (1 - {r}))"
            for gb, r in zip(lines["memory_gb"], shares, strict=True)]
    x_scale = alt.Scale(type="log", domain=[low_gb, high_gb], nice=False,
                        domainMin=alt.ExprRef(f"min({low_gb}, {', '.join(fits)})"))
    need_tip = [
        alt.Tooltip("model_name:N", title="Model"),
        alt.Tooltip("precision:N", title="Precision"),
        alt.Tooltip("weights_gb_low:Q", title="Weights, GB", format=",.1f"),
        alt.Tooltip("required_gb_low:Q", title="Weights + KV, 1 sequence, GB", format=",.1f"),
        alt.Tooltip("required_gb_high:Q", title="Weights + KV, busy, GB", format=",.1f"),
    ]
    bars = alt.Chart(data).mark_bar(height=6).encode(
        x=alt.X("required_gb_low:Q", title="Memory needed, GB (log scale)", scale=x_scale,
                axis=alt.Axis(values=[v for v in decades(pd.Series([low_gb, high_gb])) if low_gb <= v <= high_gb],
                              format=",.0f")),
        x2="required_gb_high:Q",
        y=y,
        yOffset=offset,
        color=alt.Color("precision:N", title="Weight precision", sort=precisions,
                        scale=_scale(visual.precision_scale(precisions)),
                        legend=alt.Legend(orient="bottom", direction="horizontal")),
        tooltip=need_tip,
    )
    # The busy end as a dot: a range of a few GB on a 3,000 GB model is narrower than a pixel, and the dot keeps
    # every model and precision visible where the bar alone would not be.
    ends = alt.Chart(data).mark_point(filled=True, size=40, opacity=1).encode(
        x=alt.X("required_gb_high:Q", scale=x_scale), y=y, yOffset=offset,
        color=alt.Color("precision:N", sort=precisions, scale=_scale(visual.precision_scale(precisions)), legend=None),
        tooltip=need_tip)
    ticks = alt.Chart(data).mark_tick(thickness=2, size=SIZING_ROW_PX - 2, color=visual.INK).encode(
        x=alt.X("weights_gb_low:Q", scale=x_scale), y=y, yOffset=offset)
    gpu_tip = [alt.Tooltip("label:N", title="GPUs"), alt.Tooltip("memory_gb:Q", title="Memory, GB", format=",.0f")]
    above = alt.Chart(lines).mark_rule(strokeDash=[4, 3], color=visual.GUIDE_COLOUR).encode(
        x=alt.X("memory_gb:Q", scale=x_scale), y=alt.Y("row_y:Q", scale=None), y2=alt.value(0), tooltip=gpu_tip)
    # In the plot each line breaks at the models' name rows, so it never runs through a name. A segment per line
    # and model, made in Vega (flatten): inline, the pairs would outnumber the requirements and become the
    # chart's CSV download (publish.chart_data takes the largest dataset).
    across = alt.Chart(lines.assign(model_name=[models] * len(lines))).transform_flatten(["model_name"]).mark_rule(
        strokeDash=[4, 3], color=visual.GUIDE_COLOUR).encode(
        x=alt.X("memory_gb:Q", scale=x_scale), y=alt.Y("model_name:N", sort=models, axis=None, bandPosition=1 / rows),
        y2=alt.Y2("model_name", bandPosition=1), tooltip=gpu_tip)
    labels = alt.Chart(lines).mark_text(align="right", baseline="middle", dx=-3, color=visual.MUTED).encode(
        x=alt.X("memory_gb:Q", scale=x_scale), y=alt.Y("row_y:Q", scale=None), text="text:N")
    # "container" fits the page column whatever the screen; the CSS gives .vega-chart its width.
    # Reference lines and their labels go underneath, so the bars stay on top for the pointer.
    return alt.layer(above, across, labels, bars, ends, ticks, names_above(data, "model_name", models)).properties(
        width="container", height=len(models) * step_px)


def spread_labels(y_px: np.ndarray, height_px: float, gap_px: float = LABEL_GAP_PX) -> np.ndarray:
    """Label positions (px from the plot's top) at least ``gap_px`` apart, each as near its wish as allows.

    Sorted by wish, each label goes at ``max(wish, previous + gap)``; labels pushed past the bottom are then
    moved up together, never above ``gap_px / 2``. Order is kept, so each label stays beside its own line.
    """
    wish = np.asarray(y_px, dtype=float)
    order = np.argsort(wish, kind="stable")
    placed = wish[order].copy()
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap_px)
    overflow = placed[-1] - (height_px - gap_px / 2) if len(placed) else 0.0
    if overflow > 0:
        placed = np.maximum(placed - overflow, gap_px / 2 + gap_px * np.arange(len(placed)))
    out = np.empty_like(placed)
    out[order] = placed
    return out


def end_labels(lines: pd.DataFrame, x: str, y: str, series: str, label: str, y_domain: list[float],
               height_px: float, color: alt.Color, log_y: bool = True) -> alt.LayerChart:
    """Each line's name printed just above its right end, in its colour, moved apart where ends crowd.

    ``y_domain`` is the y scale's extent, log or linear (the labels' pixel rows are worked out here, so the
    static chart needs no label placement in the browser); ``label`` is the short name
    (:func:`analysis.report.visual.end_label`).
    """
    # A stable sort: numpy picks its default sort by CPU, and ties would come out in a CPU-dependent order.
    ends = lines.sort_values(x, kind="stable").groupby(series, sort=False).tail(1).copy()
    # Python's math, not numpy's log10 and power: numpy picks those kernels by CPU and may round the last bit
    # differently, and the published spec must not depend on the CPU (analysis.report.numerics).
    to_axis, from_axis = (math.log10, lambda v: 10.0 ** v) if log_y else (float, float)
    low, high = to_axis(y_domain[0]), to_axis(y_domain[1])
    # Pixel row of each end (0 at the top), the label's baseline a little above it.
    row_px = np.array([height_px * (high - to_axis(v)) / (high - low) - 8 for v in ends[y].to_numpy(dtype=float)])
    placed = spread_labels(np.clip(row_px, LABEL_GAP_PX / 2, height_px), height_px)
    ends["label_y"] = [from_axis(high - p / height_px * (high - low)) for p in placed]
    ends["label_colour"] = legible_colours(ends[series], color)
    return halo_text(alt.Chart(ends), dict(align="right", baseline="middle", dx=-3, fontSize=11, fontWeight="bold"),
                     x=f"{x}:Q", y=alt.Y("label_y:Q"), text=f"{label}:N",
                     color=alt.Color("label_colour:N", scale=None))


def legible_colours(series: pd.Series, color: alt.Color) -> list[str]:
    """The text colour of each row's series: its line's colour from ``color``'s scale, darkened where it would be
    too faint as text (:func:`analysis.report.visual.legible`)."""
    scale = color.to_dict()["scale"]
    by_series = dict(zip(scale["domain"], scale["range"], strict=True))
    return [visual.legible(by_series[s]) for s in series]


def halo_text(chart: alt.Chart, mark: dict, **encoding) -> alt.LayerChart:
    """Text with a white outline under it, so a label stays legible where it crosses lines and bands."""
    colourless = {k: v for k, v in encoding.items() if k != "color"}
    halo = chart.mark_text(**mark, stroke=visual.PAPER, strokeWidth=3, strokeJoin="round").encode(**colourless)
    return alt.layer(halo, chart.mark_text(**mark).encode(**encoding))


def cost_curves(curves: pd.DataFrame, points: pd.DataFrame, guide: pd.DataFrame | None = None) -> alt.LayerChart:
    """Monthly cost against monthly volume (log-log) per option, base line with its likely range (P10–P90 of the
    sampled inputs) as a band; ``guide`` (``usd_per_month``, ``label``) draws the guide's own figures as dashed
    grey rules, named at the plot's left edge.

    Parameters
    ----------
    curves : ``tokens_per_month``, ``option`` (its name in words), ``kind`` (its colour, see
        :mod:`analysis.report.visual`), ``usd_low``, ``usd_base``, ``usd_high`` (USD per month).
    points : break-even points: ``label``, ``tokens_per_month``, ``usd_per_month``.
    """
    domain, colours = visual.option_scale(curves["option"], curves["kind"])
    scale = alt.Scale(domain=domain, range=colours)
    curves = with_text(curves, tokens_per_month=fmt.tokens, usd_base=fmt.usd, usd_low=fmt.usd, usd_high=fmt.usd)
    points = with_text(points, tokens_per_month=fmt.tokens, usd_per_month=fmt.usd)
    x = alt.X("tokens_per_month:Q", title=VOLUME_TITLE,
              scale=alt.Scale(type="log"), axis=alt.Axis(values=decades(curves["tokens_per_month"]),
                                                          labelExpr=TOKENS_LABEL))
    usd = pd.concat([curves["usd_low"], curves["usd_high"]])
    y_scale = log_axis_scale(usd)
    usd_axis = alt.Axis(values=[v for v in decades(usd) if y_scale.domain[0] <= v <= y_scale.domain[1]],
                        labelExpr=USD_LABEL)
    area, line, marks = _cost_layers(curves, points, x, y_scale, usd_axis, scale)
    color = alt.Color("option:N", scale=scale, legend=None)
    names = end_labels(curves, "tokens_per_month", "usd_base", "option", "end_label", y_scale.domain,
                       COST_HEIGHT_PX, color)
    # Each break-even's volume beside its diamond: the crossing is the chart's subject.
    crossing = halo_text(alt.Chart(points), dict(align="left", baseline="top", dx=6, dy=4, fontSize=11,
                                                 color=visual.INK),
                         x="tokens_per_month:Q", y="usd_per_month:Q", text="tokens_per_month_text:N")
    layers = [area, line, marks, names, crossing]
    if guide is not None and len(guide):
        rule = alt.Chart(guide).mark_rule(strokeDash=[5, 4], color=visual.GUIDE_COLOUR).encode(
            y=alt.Y("usd_per_month:Q", scale=y_scale), tooltip=[alt.Tooltip("label:N", title="The guide")])
        name = alt.Chart(guide).mark_text(align="left", baseline="bottom", dx=3, dy=-2, fontSize=11,
                                          color=visual.MUTED).encode(
            x=alt.value(0), y=alt.Y("usd_per_month:Q", scale=y_scale), text="label:N")
        layers = [rule, name, *layers]
    return alt.layer(*layers).properties(width="container", height=COST_HEIGHT_PX)


def _cost_layers(curves, points, x: alt.X, y_scale: alt.Scale, usd_axis: alt.Axis, scale: alt.Scale,
                 band_words: tuple[str, str] = ("P10", "P90")) -> tuple[alt.Chart, alt.Chart, alt.Chart]:
    """The band (its ends named by ``band_words``), the base line and the break-even diamonds of a cost chart
    (``curves`` and ``points`` as :func:`cost_curves` takes them, inline or named)."""
    # One colour encoding shared by the band and the line: a layer with legend=None would hide the legend.
    color = alt.Color("option:N", title="Option", scale=scale,
                      legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=360, symbolType="stroke",
                                        symbolStrokeWidth=3, symbolOpacity=1))
    # Both carry the axis: the calculator draws the line without the band.
    y_title = "USD per month (log scale)"
    band = alt.Chart(curves).mark_area(opacity=0.15).encode(
        x=x, y=alt.Y("usd_low:Q", title=y_title, scale=y_scale, axis=usd_axis),
        y2="usd_high:Q", color=color)
    line = alt.Chart(curves).mark_line().encode(
        x=x, y=alt.Y("usd_base:Q", title=y_title, scale=y_scale, axis=usd_axis), color=color,
        tooltip=[alt.Tooltip("option:N", title="Option"),
                 alt.Tooltip("tokens_per_month_text:N", title="Tokens per month"),
                 alt.Tooltip("usd_base_text:N", title="Per month (base)"),
                 alt.Tooltip("usd_low_text:N", title=band_words[0]),
                 alt.Tooltip("usd_high_text:N", title=band_words[1])])
    marks = alt.Chart(points).mark_point(size=90, filled=True, color=visual.INK, shape="diamond").encode(
        x="tokens_per_month:Q", y="usd_per_month:Q",
        tooltip=[alt.Tooltip("label:N", title="Break-even"),
                 alt.Tooltip("tokens_per_month_text:N", title="Tokens per month"),
                 alt.Tooltip("usd_per_month_text:N", title="Monthly cost at break-even")])
    return band, line, marks


# Labels on a log axis whose extent the data decide in the browser: powers of ten only (the 2, 3, 5 ... in
# between would crowd a phone-width axis).
_DECADE = "abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-6"
DECADE_TOKENS_LABEL = f"{_DECADE} ? {TOKENS_LABEL} : ''"
DECADE_USD_LABEL = f"{_DECADE} ? {USD_LABEL} : ''"
# The calculator's lines, in words, and the colour of each (the page fills the data in the browser).
CALCULATOR_OPTIONS = (("The API", visual.FRONTIER_API), ("Buying the GPUs", visual.BUY),
                      ("Renting the GPUs", visual.RENT))


def calculator_costs() -> alt.LayerChart:
    """The calculator's monthly cost against monthly volume (log-log): a base line per option, named at its end,
    the reader's volume as a rule, break-evens as diamonds. No band: the report's bands are the likely range
    (P10-P90), which the page gives in numbers at the reader's volume only; the stress ends are in the tooltip.

    The data are named, not inline: the page's script fills ``curves`` (``tokens_per_month``, ``option``,
    ``usd_low``, ``usd_base``, ``usd_high`` and their ``*_text``), ``volume`` (``tokens_per_month``) and
    ``points`` (``label``, ``tokens_per_month``, ``usd_per_month`` and their ``*_text``) on every change.
    """
    domain = [name for name, _ in CALCULATOR_OPTIONS]
    scale = alt.Scale(domain=domain, range=[visual.OPTION_COLOURS[kind] for _, kind in CALCULATOR_OPTIONS])
    x = alt.X("tokens_per_month:Q", title=VOLUME_TITLE, scale=alt.Scale(type="log"),
              axis=alt.Axis(labelExpr=DECADE_TOKENS_LABEL))
    _, line, marks = _cost_layers(alt.Data(name="curves"), alt.Data(name="points"), x, alt.Scale(type="log"),
                                  alt.Axis(labelExpr=DECADE_USD_LABEL), scale, ("Stress end, low", "Stress end, high"))
    volume = alt.Chart(alt.Data(name="volume")).mark_rule(strokeDash=[4, 3], color=visual.MUTED).encode(
        x="tokens_per_month:Q", tooltip=[alt.Tooltip("tokens_per_month_text:N", title="Your volume")])
    # Each line named at its right end. The data arrive in the browser, so Vega finds the ends (the largest volume
    # per option) instead of Python; with three lines far apart on a log scale they need no spreading.
    ends = alt.Chart(alt.Data(name="curves")).transform_joinaggregate(
        last="max(tokens_per_month)", groupby=["option"]).transform_filter(
        "datum.tokens_per_month === datum.last")
    shades = {name: visual.legible(visual.OPTION_COLOURS[kind]) for name, kind in CALCULATOR_OPTIONS}
    ends = ends.transform_calculate(label_colour=f"{json.dumps(shades)}[datum.option]")
    names = halo_text(ends, dict(align="right", baseline="bottom", dx=-3, dy=-4, fontSize=11, fontWeight="bold"),
                      x="tokens_per_month:Q", y="usd_base:Q", text="option:N",
                      color=alt.Color("label_colour:N", scale=None))
    return alt.layer(line, volume, marks, names).properties(width="container", height=340)


def payback_by_volume(payback: pd.DataFrame) -> alt.LayerChart:
    """Payback months against monthly volume (log x): the base case as a line, the likely range as a band.

    Parameters
    ----------
    payback : ``tokens_per_month``, ``buy_payback_months`` and ``buy_payback_after_writeoff`` (base case; a
        payback after the hardware's life is not drawn, its months run to the thousands near the break-even),
        ``payback_low`` and ``payback_high`` (P10 and P90, inf for never) and ``life_months`` (the band's top
        where P90 never pays back within the life).
    """
    band = payback[np.isfinite(payback["payback_low"])].assign(
        drawn_high=lambda f: np.minimum(f["payback_high"], f["life_months"]))
    band = with_text(band, tokens_per_month=fmt.tokens, payback_low=fmt.months, payback_high=fmt.months)
    base = payback[np.isfinite(payback["buy_payback_months"]) & (payback["buy_payback_after_writeoff"] == 0)]
    base = with_text(base, tokens_per_month=fmt.tokens, buy_payback_months=fmt.months)
    x = alt.X("tokens_per_month:Q", title=VOLUME_TITLE,
              scale=alt.Scale(type="log"), axis=alt.Axis(values=decades(payback["tokens_per_month"]),
                                                          labelExpr=TOKENS_LABEL))
    y = alt.Y("payback_low:Q", title="Payback, months (log scale)", scale=alt.Scale(type="log"))
    area = alt.Chart(band).mark_area(opacity=0.2, color=visual.OPTION_COLOURS[visual.BUY]).encode(
        x=x, y=y, y2="drawn_high:Q",
        tooltip=[alt.Tooltip("tokens_per_month_text:N", title="Tokens per month"),
                 alt.Tooltip("payback_low_text:N", title="P10"), alt.Tooltip("payback_high_text:N", title="P90")])
    line = alt.Chart(base).mark_line(point=True, color=visual.OPTION_COLOURS[visual.BUY]).encode(
        x=x, y="buy_payback_months:Q",
        tooltip=[alt.Tooltip("tokens_per_month_text:N", title="Tokens per month"),
                 alt.Tooltip("buy_payback_months_text:N", title="Payback (base)")])
    return alt.layer(area, line).properties(width="container", height=300)


def savings_by_spend(savings: pd.DataFrame, claims: pd.DataFrame) -> alt.LayerChart:
    """Self-hosting's saving share against monthly API spend, per reference, beside the guide's claims.

    The axis stops at :data:`SAVING_DOMAIN`: below it self-hosting costs more than twice the API bill. A base
    line is drawn only where it is on the axis, with a note in the top-left corner when part of one is off it,
    so no line hides along the edge; the bands are clamped to the axis.

    Parameters
    ----------
    savings : ``reference``, ``kind`` (its colour, see :mod:`analysis.report.visual`), ``end_label``,
        ``spend_usd_per_month``,
        ``saving_base``, ``saving_low`` and ``saving_high`` (P10 and P90; 1 = the whole bill saved).
    claims : ``claim``, ``spend_low``, ``spend_high``, ``saving_low``, ``saving_high`` (the guide's boxes).
    """
    floor, ceiling = SAVING_DOMAIN
    savings = with_text(savings, spend_usd_per_month=fmt.usd, saving_base=fmt.share, saving_low=fmt.share,
                        saving_high=fmt.share)
    base = savings[savings["saving_base"] >= floor]
    cut = bool((savings["saving_base"] < floor).any())
    # The axis spans the data and the guide's boxes, not the decades around them.
    spend = pd.concat([savings["spend_usd_per_month"], claims["spend_low"], claims["spend_high"]])
    x_scale = log_axis_scale(spend[np.isfinite(spend)])
    low_usd, high_usd = x_scale.domain
    x = alt.X("spend_usd_per_month:Q", title="Monthly API spend, USD (log scale)", scale=x_scale,
              axis=alt.Axis(values=[v for v in decades(spend[np.isfinite(spend)]) if low_usd <= v <= high_usd],
                            labelExpr=USD_LABEL))
    y_scale = alt.Scale(domain=[floor, ceiling], clamp=True)
    domain, colours = visual.option_scale(savings["reference"], savings["kind"])
    reference_scale = alt.Scale(domain=domain, range=colours)
    color = alt.Color("reference:N", title="Self-hosting", scale=reference_scale,
                      legend=alt.Legend(orient="bottom", labelLimit=420, columns=1))
    boxes = alt.Chart(claims).mark_rect(opacity=0.15, color=visual.GUIDE_COLOUR, stroke=visual.INK,
                                        strokeDash=[3, 2]).encode(
        x="spend_low:Q", x2="spend_high:Q", y=alt.Y("saving_low:Q", scale=y_scale), y2="saving_high:Q",
        tooltip=[alt.Tooltip("claim:N", title="The guide claims")])
    tooltip = [alt.Tooltip("reference:N", title="Self-hosting"),
               alt.Tooltip("spend_usd_per_month_text:N", title="API spend"),
               alt.Tooltip("saving_base_text:N", title="Saving (base)"),
               alt.Tooltip("saving_low_text:N", title="P10"), alt.Tooltip("saving_high_text:N", title="P90")]
    # The band lies over the guide's boxes, so it carries the tooltip where the pointer lands.
    area = alt.Chart(savings).mark_area(opacity=0.2).encode(
        x=x, y=alt.Y("saving_low:Q", title="Saving, share of the API bill", scale=y_scale,
                     axis=alt.Axis(format="%")),
        y2="saving_high:Q", color=color, tooltip=tooltip)
    line = alt.Chart(base).mark_line().encode(x=x, y="saving_base:Q", color=color, tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color=visual.INK).encode(y="y:Q")
    names = end_labels(base, "spend_usd_per_month", "saving_base", "reference", "end_label", [floor, ceiling],
                       SAVINGS_HEIGHT_PX, alt.Color("reference:N", scale=reference_scale, legend=None), log_y=False)
    layers = [boxes, area, line, zero, names]
    if cut:
        # Two short lines in the top-left corner (pixels from the top), where the savings never reach.
        note = pd.DataFrame({"text": [f"Lines stop below {fmt.share(floor)}:",
                                      "self-hosting costs over twice the bill"], "y_px": [4, 18]})
        layers.append(alt.Chart(note).mark_text(align="left", baseline="top", dx=4, fontSize=11,
                                                color=visual.MUTED).encode(
            x=alt.value(0), y=alt.Y("y_px:Q", scale=None), text="text:N"))
    return alt.layer(*layers).properties(width="container", height=SAVINGS_HEIGHT_PX)


def cost_stack(stack: pd.DataFrame, x_title: str) -> alt.LayerChart:
    """One stacked bar per source: the monthly cost categories at their base values (USD/month).

    Parameters
    ----------
    stack : ``source``, ``category``, ``usd_base`` (USD/month), plus ``usd_low`` and ``usd_high`` for the tooltip.
    x_title : axis title with its unit.
    """
    categories = list(dict.fromkeys(stack["category"]))
    sources = list(dict.fromkeys(stack["source"]))
    ordered = stack.assign(rank=stack["category"].map({c: i for i, c in enumerate(categories)}),
                           base_text=stack["usd_base"].map(fmt.usd),
                           range_text=[fmt.usd_range(lo, hi) for lo, hi in zip(stack["usd_low"], stack["usd_high"],
                                                                              strict=True)])
    y = alt.Y("source:N", title=None, sort=sources, axis=None)
    bars = alt.Chart(ordered).mark_bar(height=18, yOffset=NAME_ROW_PX / 2 + 2).encode(
        y=y,
        x=alt.X("usd_base:Q", title=x_title, stack="zero", axis=alt.Axis(labelExpr=USD_LABEL)),
        color=alt.Color("category:N", title="Cost", scale=_ramp(categories, visual.CATEGORY_COLOURS),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=300)),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("category:N", title="Cost"),
                 alt.Tooltip("base_text:N", title="Base"), alt.Tooltip("range_text:N", title="Low–high")],
    )
    return alt.layer(bars, names_above(ordered, "source", sources)).properties(
        width="container", height=alt.Step(2 * NAME_ROW_PX + 24))


def _short_verdict_expr(order: list[str]) -> str:
    """A Vega expression mapping each verdict to its short word (``physically impossible`` -> ``impossible``)."""
    cases = " : ".join(f"datum.label === {json.dumps(v)} ? {json.dumps(visual.verdict_word(v))}" for v in order)
    return f"{cases} : datum.label"


def verdicts_by_section(counts: pd.DataFrame, verdict_order: list[str]) -> alt.LayerChart:
    """Stacked bars: how many of the guide's figures in each section received each verdict.

    Parameters
    ----------
    counts : ``Section``, ``Verdict``, ``figures`` (count), sections in the guide's order.
    verdict_order : the verdicts from best to worst supported, which fixes colours and stacking.
    """
    sections = list(dict.fromkeys(counts["Section"]))
    order = counts.assign(rank=counts["Verdict"].map({v: i for i, v in enumerate(verdict_order)}))
    domain, colours = visual.verdict_scale(verdict_order)
    bars = alt.Chart(order).mark_bar(height=12, yOffset=NAME_ROW_PX / 2 + 2).encode(
        y=alt.Y("Section:N", sort=sections, title=None, axis=None),
        x=alt.X("figures:Q", title="Figures printed by the guide", stack="zero"),
        # The legend names each colour by its short word, so it fits beside the section names on a phone.
        color=alt.Color("Verdict:N", scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=200,
                                          labelExpr=_short_verdict_expr(verdict_order))),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("Section:N"), alt.Tooltip("Verdict:N"), alt.Tooltip("figures:Q", title="Figures")],
    )
    return alt.layer(bars, names_above(order, "Section", sections)).properties(
        width="container", height=alt.Step(2 * NAME_ROW_PX + 12))


def range_bars(data: pd.DataFrame, x_title: str, group_title: str, label: str = "label") -> alt.LayerChart:
    """Horizontal low-high bars per label, coloured by ``source`` (what the guide printed, what the model gives).

    Parameters
    ----------
    data : the ``label`` column, ``source``, ``usd_low``, ``usd_high`` (USD).
    x_title : axis title with its unit.
    group_title : legend title for ``source``.
    label : name of the column that labels the bars.
    """
    data = data.rename(columns={label: "label"})
    data = data.assign(range_text=[fmt.usd_range(lo, hi) for lo, hi in zip(data["usd_low"], data["usd_high"],
                                                                          strict=True)])
    labels = list(dict.fromkeys(data["label"]))
    sources = list(dict.fromkeys(data["source"]))
    y = alt.Y("label:N", title=None, sort=labels, axis=None)
    color = alt.Color("source:N", title=group_title, sort=sources,
                      scale=alt.Scale(domain=sources, range=[visual.SOURCE_COLOURS[s] for s in sources]),
                      legend=alt.Legend(orient="bottom", direction="vertical"))
    tooltip = [alt.Tooltip("label:N", title="Item"), alt.Tooltip("source:N", title=group_title),
               alt.Tooltip("range_text:N", title="Low–high")]
    x = alt.X("usd_low:Q", title=x_title, axis=alt.Axis(labelExpr=USD_LABEL))
    if data.groupby("label")["source"].nunique().max() > 1:
        # Labels shared by several sources: one slot per source under the slot that holds the name.
        place, step = {"yOffset": alt.YOffset("source:N", scale=alt.Scale(domain=["", *sources]))}, NAME_ROW_PX
        shift = {}
    else:
        place, step, shift = {}, 2 * NAME_ROW_PX + 8, {"yOffset": NAME_ROW_PX / 2 + 2}
    bars = alt.Chart(data).mark_bar(height=8, **shift).encode(x=x, x2="usd_high:Q", y=y, color=color,
                                                              tooltip=tooltip, **place)
    single = data["usd_low"] == data["usd_high"]
    ticks = alt.Chart(data[~single]).mark_tick(thickness=2, size=12, **shift).encode(
        x="usd_low:Q", y=y, color=color, tooltip=tooltip, **place)
    # A single value has no bar to speak of: a diamond the size of a bar's height marks it.
    dots = alt.Chart(data[single]).mark_point(shape="diamond", filled=True, size=90, opacity=1, **shift).encode(
        x="usd_low:Q", y=y, color=color, tooltip=tooltip, **place)
    return alt.layer(bars, ticks, dots, names_above(data, "label", labels)).properties(
        width="container", height=alt.Step(step))


def printed_vs_weights(weights: pd.DataFrame) -> alt.LayerChart:
    """The memory the guide printed for each model against its weights at FP16, FP8 and INT4 (log GB).

    Parameters
    ----------
    weights : ``model_name``, ``printed_gb`` and ``weights_gb_fp16``, ``weights_gb_fp8``, ``weights_gb_int4``.
    """
    long = weights.melt(id_vars=["model_name"], value_vars=["weights_gb_fp16", "weights_gb_fp8", "weights_gb_int4"],
                        var_name="precision", value_name="gb")
    long["precision"] = long["precision"].str.replace("weights_gb_", "", regex=False).str.upper() + " weights"
    models = list(dict.fromkeys(weights["model_name"]))
    y = alt.Y("model_name:N", title=None, sort=models, axis=None)
    x = alt.X("gb:Q", title="GB (log scale)", scale=alt.Scale(type="log"), axis=alt.Axis(format=",.0f"))
    # The y scale is a point scale (point marks): each model's name sits on its row's point and the marks a full
    # name row below it, where no name is.
    below_name = NAME_ROW_PX + 8
    dots = alt.Chart(long).mark_point(filled=True, size=70, yOffset=below_name).encode(
        x=x, y=y, color=alt.Color("precision:N", title="Computed",
                                  scale=_scale(visual.precision_scale(list(dict.fromkeys(long["precision"])))),
                                  legend=alt.Legend(orient="bottom", direction="vertical")),
        tooltip=[alt.Tooltip("model_name:N", title="Model"), alt.Tooltip("precision:N", title="Weights"),
                 alt.Tooltip("gb:Q", title="GB", format=",.1f")])
    printed = alt.Chart(weights.assign(what="The guide prints")).mark_point(
        shape="cross", size=160, yOffset=below_name).encode(
        x=alt.X("printed_gb:Q", scale=alt.Scale(type="log")), y=y,
        shape=alt.Shape("what:N", title=None, scale=alt.Scale(range=["cross"]),
                        legend=alt.Legend(orient="bottom")),
        color=alt.value(visual.INK),
        tooltip=[alt.Tooltip("model_name:N", title="Model"),
                 alt.Tooltip("printed_gb:Q", title="The guide prints, GB", format=",.0f")])
    # The guide's cross first, so a computed dot at the same memory stays visible on top of it.
    return alt.layer(printed, dots, names_above(weights, "model_name", models)).resolve_legend(
        shape="independent").properties(width="container", height=alt.Step(2 * NAME_ROW_PX + 8))


def per_sequence_bounds(bounds: pd.DataFrame, printed_low: float, printed_high: float) -> alt.LayerChart:
    """Upper bound on tokens per second per request, by precision and concurrency, against the guide's claim.

    Parameters
    ----------
    bounds : ``precision``, ``sequences``, ``per_sequence_tokens_per_s`` (a memory-bandwidth bound).
    printed_low, printed_high : the range the guide printed, tokens per second per request.
    """
    data = bounds.assign(precision=bounds["precision"].str.upper(),
                         sequences=bounds["sequences"].astype(int).astype(str) + " at once")
    order = list(dict.fromkeys(data["sequences"]))
    claim = pd.DataFrame({"low": [printed_low], "high": [printed_high],
                          "label": [f"the guide's claim, {printed_low:g}–{printed_high:g} tokens/s"]})
    band = alt.Chart(claim).mark_rect(opacity=0.15, color=visual.GUIDE_COLOUR).encode(
        y="low:Q", y2="high:Q", tooltip=[alt.Tooltip("label:N", title="Band")])
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("precision:N", title="Weight precision", sort=["FP16", "FP8", "INT4"], axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("sequences:N", sort=order),
        y=alt.Y("per_sequence_tokens_per_s:Q", title="Upper bound, tokens/s per request"),
        color=alt.Color("sequences:N", title="Requests decoded together", sort=order,
                        scale=_ramp(order, visual.CONCURRENCY_RAMP),
                        legend=alt.Legend(orient="bottom", columns=3, titleLimit=400)),
        tooltip=[alt.Tooltip("precision:N", title="Precision"), alt.Tooltip("sequences:N", title="Requests"),
                 alt.Tooltip("per_sequence_tokens_per_s:Q", title="tokens/s per request", format=",.1f")])
    return alt.layer(band, bars).properties(width="container", height=300)


def speed_curves(curves: pd.DataFrame, points: pd.DataFrame) -> alt.LayerChart:
    """Throughput per GPU against the speed promised to each user: a line per system (base case) in a band (the
    engine efficiency's ends), and the published points as dots.

    Parameters
    ----------
    curves : ``system``, ``end_label`` (its short name, printed at the line's end), ``tokens_per_s_per_user``,
        ``case`` (favourable, base, unfavourable),
        ``tokens_per_s_per_gpu`` (input + output tokens per second per GPU, 0 where no batch is that fast).
    points : ``system``, ``tokens_per_s_per_user``, ``total_tokens_per_s_per_gpu`` (published).
    """
    wide = curves.pivot_table(index=["system", "tokens_per_s_per_user"], columns="case",
                              values="tokens_per_s_per_gpu").reset_index()
    # A log axis has no place for 0 (no batch that fast): the line stops there, the band where either end does.
    wide = wide[wide["base"] > 0]
    wide = with_text(wide, base=lambda v: f"{v:,.0f}", favourable=lambda v: f"{v:,.0f}",
                     unfavourable=lambda v: f"{v:,.0f}")
    banded = wide[(wide["unfavourable"] > 0) & (wide["favourable"] > 0)]
    order = list(dict.fromkeys(curves["system"]))
    color = alt.Color("system:N", title=None, sort=order, scale=_ramp(order, visual.CATEGORY_COLOURS),
                      legend=alt.Legend(orient="bottom", columns=1, labelLimit=0))
    x = alt.X("tokens_per_s_per_user:Q", title="Tokens/s promised to each user")
    shown = pd.concat([banded["unfavourable"], banded["favourable"], wide["base"],
                       points["total_tokens_per_s_per_gpu"]])
    y_scale = alt.Scale(type="log", domain=[float(shown.min()) / 1.2, float(shown.max()) * 1.2], nice=False)
    band = alt.Chart(banded).mark_area(opacity=0.15).encode(
        x=x, y=alt.Y("unfavourable:Q", scale=y_scale), y2="favourable:Q", color=color)
    line = alt.Chart(wide).mark_line(point=alt.OverlayMarkDef(filled=True, size=14)).encode(
        x=x, y=alt.Y("base:Q", title="Input + output tokens/s per GPU (log scale)", scale=y_scale), color=color,
        tooltip=[alt.Tooltip("system:N", title="System"),
                 alt.Tooltip("tokens_per_s_per_user:Q", title="Tokens/s per user"),
                 alt.Tooltip("base_text:N", title="Tokens/s per GPU, base"),
                 alt.Tooltip("unfavourable_text:N", title="least efficient engine"),
                 alt.Tooltip("favourable_text:N", title="most efficient engine")])
    published = with_text(points[["system", "tokens_per_s_per_user", "total_tokens_per_s_per_gpu"]],
                          total_tokens_per_s_per_gpu=lambda v: f"{v:,.0f}")
    dots = alt.Chart(published).mark_point(shape="diamond", size=90, filled=True, color=visual.INK).encode(
        x=x, y=alt.Y("total_tokens_per_s_per_gpu:Q", scale=y_scale),
        tooltip=[alt.Tooltip("system:N", title="Published"),
                 alt.Tooltip("tokens_per_s_per_user:Q", title="Tokens/s per user"),
                 alt.Tooltip("total_tokens_per_s_per_gpu_text:N", title="Tokens/s per GPU")])
    names = end_labels(wide.assign(end_label=wide["system"].map(dict(zip(curves["system"], curves["end_label"],
                                                                          strict=False)))),
                       "tokens_per_s_per_user", "base", "system", "end_label", y_scale.domain, SPEED_HEIGHT_PX,
                       alt.Color("system:N", sort=order, scale=_ramp(order, visual.CATEGORY_COLOURS), legend=None))
    return alt.layer(band, line, dots, names).properties(width="container", height=SPEED_HEIGHT_PX)


def probability_cheaper(probability: pd.DataFrame) -> alt.LayerChart:
    """Share of Monte Carlo draws in which self-hosting costs less than the API, against monthly volume (log x).

    Parameters
    ----------
    probability : ``tokens_per_month``, ``option`` (how the GPUs are had), ``kind`` (its colour, see
        :mod:`analysis.report.visual`), ``probability_cheaper`` (share of
        draws, 0-1, in which the API bill exceeds the self-hosting cost at that volume) and
        ``probability_past_breakeven`` (share of draws whose break-even volume is at or below it).
    """
    domain, colours = visual.option_scale(probability["option"], probability["kind"])
    probability = with_text(probability, tokens_per_month=fmt.tokens,
                            probability_cheaper=lambda v: f"{v:.1%}", probability_past_breakeven=lambda v: f"{v:.1%}")
    x = alt.X("tokens_per_month:Q", title=VOLUME_TITLE,
              scale=alt.Scale(type="log"), axis=alt.Axis(values=decades(probability["tokens_per_month"]),
                                                          labelExpr=TOKENS_LABEL))
    color = alt.Color("option:N", title="Self-hosting by", scale=alt.Scale(domain=domain, range=colours),
                      legend=None)
    # Points on the line give the pointer something to hover: a thin line alone is hard to hit.
    lines = alt.Chart(probability).mark_line(point=alt.OverlayMarkDef(filled=True, size=16)).encode(
        x=x,
        y=alt.Y("probability_cheaper:Q", title="Draws where self-hosting is cheaper",
                scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=color,
        tooltip=[alt.Tooltip("option:N", title="Self-hosting by"),
                 alt.Tooltip("tokens_per_month_text:N", title="Tokens per month"),
                 alt.Tooltip("probability_cheaper_text:N", title="Cheaper than the API"),
                 alt.Tooltip("probability_past_breakeven_text:N", title="Past its break-even")])
    # The curves rise side by side and all end at 100%, so each is named where it first passes half the draws:
    # the leftmost curve on its left, the others on their right, clear of each other.
    halfway = probability[probability["probability_cheaper"] >= 0.5].groupby("option", sort=False).head(1)
    halfway = halfway.sort_values("tokens_per_month", kind="stable")
    layers = [lines]
    for k, (_, row) in enumerate(halfway.iterrows()):
        name = pd.DataFrame([row]).assign(label_colour=lambda f: legible_colours(f["option"], color))
        layers.append(halo_text(alt.Chart(name), dict(
            align="right" if k == 0 else "left", dx=-6 if k == 0 else 6, baseline="middle", fontSize=11,
            fontWeight="bold"), x="tokens_per_month:Q", y="probability_cheaper:Q", text="option:N",
            color=alt.Color("label_colour:N", scale=None)))
    return alt.layer(*layers).properties(width="container", height=300)


def tornado(bars: pd.DataFrame) -> alt.LayerChart:
    """One-at-a-time sensitivity of a break-even volume: a bar from the base break-even to the break-even
    with one input at its low end, and one to its high end (log x), largest swing on top.

    Parameters
    ----------
    bars : one row per input and end: ``input``, ``end`` ("low end" or "high end"), ``input_value``,
        ``base_tokens_per_month``, ``breakeven_tokens_per_month`` (tokens per month, finite),
        ``breakeven_label`` (text) and ``order`` (0 = top bar).
    """
    inputs = list(dict.fromkeys(bars.sort_values("order", kind="stable")["input"]))
    ends = ["low end", "high end"]
    lowest = min(bars["breakeven_tokens_per_month"].min(), bars["base_tokens_per_month"].min())
    highest = max(bars["breakeven_tokens_per_month"].max(), bars["base_tokens_per_month"].max())
    # Explicit domain with a margin: a log axis over a narrow span would otherwise snap to whole decades.
    low, high = lowest / 1.1, highest * 1.1
    x_scale = alt.Scale(type="log", domain=[low, high], nice=False)
    # Vega's log ticks are 1-9 times a power of ten, so a span from 5B to 19B was labelled only up to 10B: the
    # fewest mantissas that give four ticks, up to every whole one and 1.5, label the axis out to its ends (a span
    # too narrow for any of them keeps Vega's ticks).
    # A dataset whose base case never breaks even has no finite span: no ticks of its own then.
    span_is_finite = bool(np.isfinite([low, high]).all() and low > 0)
    powers = ([10.0**k for k in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)]
              if span_is_finite else [])
    ticks: list[float] = []
    for mantissas in ((1,), (1, 3), (1, 2, 5), (1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9)):
        ticks = [m * p for p in powers for m in mantissas if low <= m * p <= high]
        if len(ticks) >= 4:
            break
    y = alt.Y("input:N", title=None, sort=inputs, axis=None)
    segments = alt.Chart(bars).mark_bar(height=12, yOffset=NAME_ROW_PX / 2 + 2).encode(
        x=alt.X("base_tokens_per_month:Q", title="Break-even, tokens per month (log)", scale=x_scale,
                axis=alt.Axis(values=ticks or alt.Undefined, labelExpr=TOKENS_LABEL)),
        x2="breakeven_tokens_per_month:Q",
        y=y,
        color=alt.Color("end:N", title="Input held at its", sort=ends,
                        scale=alt.Scale(domain=ends, range=[visual.END_COLOURS[e] for e in ends]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("input:N", title="Input"), alt.Tooltip("end:N", title="Held at its"),
                 alt.Tooltip("input_value:Q", title="Input value", format=",.4~g"),
                 alt.Tooltip("breakeven_label:N", title="Break-even, tokens/month")],
    )
    # The base case as one dashed segment per input, from below its name to the band's end: a rule down the whole
    # plot would run through the names, which start at the plot's left edge.
    base = alt.Chart(with_text(bars.drop_duplicates("input"), base_tokens_per_month=fmt.tokens)).mark_rule(
        color=visual.INK, strokeDash=[4, 3], yOffset=NAME_ROW_PX + 2).encode(
        x=alt.X("base_tokens_per_month:Q", scale=x_scale),
        y=alt.Y("input:N", sort=inputs, axis=None, bandPosition=0), y2=alt.Y2("input", bandPosition=1),
        tooltip=[alt.Tooltip("base_tokens_per_month_text:N", title="Base-case break-even, tokens/month")])
    return alt.layer(segments, base, names_above(bars, "input", inputs)).properties(
        width="container", height=alt.Step(2 * NAME_ROW_PX + 12))


def load_duration(duration: pd.DataFrame, owned: pd.DataFrame) -> alt.LayerChart:
    """A week's hourly load sorted from the busiest hour to the quietest, with the owned capacity drawn across it.

    Parameters
    ----------
    duration : ``share_of_hours`` (0-1: the share of the week's hours at least this busy) and ``tokens_per_hour``.
    owned : ``label`` and ``tokens_per_hour``: each capacity drawn as a horizontal rule, named at its right end.
    """
    duration = with_text(duration, tokens_per_hour=fmt.tokens)
    x = alt.X("share_of_hours:Q", title="Share of the week's hours at least this busy",
              axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]))
    y = alt.Y("tokens_per_hour:Q", title="Tokens per hour", axis=alt.Axis(labelExpr=TOKENS_LABEL))
    tooltip = [alt.Tooltip("share_of_hours:Q", title="Share of hours", format=".0%"),
               alt.Tooltip("tokens_per_hour_text:N", title="Tokens per hour")]
    area = alt.Chart(duration).mark_area(opacity=0.3, interpolate="step-after", color=visual.MUTED).encode(x=x, y=y)
    edge = alt.Chart(duration).mark_line(interpolate="step-after", color=visual.INK).encode(x=x, y=y, tooltip=tooltip)
    domain, colours = visual.option_scale(owned["label"], owned["kind"])
    colour = alt.Color("label:N", title=None, legend=None, scale=alt.Scale(domain=domain, range=colours))
    rules = alt.Chart(owned).mark_rule(strokeWidth=2, strokeDash=[6, 3]).encode(y="tokens_per_hour:Q", color=colour)
    names = alt.Chart(owned).mark_text(align="right", baseline="bottom", dx=-4, dy=-3).encode(
        x=alt.datum(1), y="tokens_per_hour:Q", text="label:N", color=colour)
    return alt.layer(area, edge, rules, names).properties(width="container", height=300)


def u_curve(curve: pd.DataFrame, best: int) -> alt.LayerChart:
    """The month's bill against the number of owned replicas (0: everything to the overflow offer), the cheapest
    count marked.

    Parameters
    ----------
    curve : ``owned_replicas`` and ``usd_per_month``.
    best : the owned count with the lowest bill.
    """
    curve = with_text(curve, usd_per_month=fmt.usd)
    x = alt.X("owned_replicas:Q", title="Owned replicas", axis=alt.Axis(tickMinStep=1, format="d"))
    y = alt.Y("usd_per_month:Q", title="USD per month", axis=alt.Axis(labelExpr=USD_LABEL))
    tooltip = [alt.Tooltip("owned_replicas:Q", title="Owned replicas"),
               alt.Tooltip("usd_per_month_text:N", title="Monthly bill")]
    line = alt.Chart(curve).mark_line(point=True, color=visual.OPTION_COLOURS[visual.HYBRID]).encode(
        x=x, y=y, tooltip=tooltip)
    mark = curve[curve["owned_replicas"] == best].assign(label="cheapest")
    dot = alt.Chart(mark).mark_point(size=160, filled=True, shape="diamond", color=visual.INK).encode(
        x=x, y=y, tooltip=tooltip)
    text = alt.Chart(mark).mark_text(dy=-14).encode(x=x, y=y, text="label:N")
    return alt.layer(line, dot, text).properties(width="container", height=280)


def breakeven_by_decline(by_decline: pd.DataFrame, epoch: pd.DataFrame,
                         base: pd.DataFrame | None = None) -> alt.LayerChart:
    """Break-even API spend today (log) against the share of the API's price lost each year, with the interval
    Epoch AI fitted for the price of the same capability shaded.

    Parameters
    ----------
    by_decline : ``decline`` (0-1) and ``usd_per_month`` (inf where buying never breaks even: not drawn).
    epoch : one row, ``low`` and ``high`` (shares).
    base : one row, ``decline``, ``usd_per_month`` and ``label``: the base case, marked and named (optional).
    """
    finite = with_text(by_decline[np.isfinite(by_decline["usd_per_month"])], usd_per_month=fmt.usd)
    x = alt.X("decline:Q", title="Share of the API's price lost each year", axis=alt.Axis(format="%"),
              scale=alt.Scale(domain=[0, float(by_decline["decline"].max())]))
    band = alt.Chart(epoch.assign(label="Epoch AI: same capability")).mark_rect(
        opacity=0.15, color=visual.GUIDE_COLOUR).encode(
        x="low:Q", x2="high:Q", tooltip=[alt.Tooltip("label:N", title="Shaded")])
    line = alt.Chart(finite).mark_line(point=True, color=visual.OPTION_COLOURS[visual.BUY]).encode(
        x=x, y=alt.Y("usd_per_month:Q", title="Break-even today, USD a month (log)",
                     scale=alt.Scale(type="log"), axis=alt.Axis(labelExpr=USD_LABEL)),
        tooltip=[alt.Tooltip("decline:Q", title="Price lost a year", format=".0%"),
                 alt.Tooltip("usd_per_month_text:N", title="Break-even")])
    layers = [band, line]
    if base is not None and np.isfinite(base["usd_per_month"]).all():
        # Larger than the line's dots, so the marked point stands out of them.
        mark = alt.Chart(base).mark_point(shape="diamond", size=160, filled=True, color=visual.INK).encode(
            x="decline:Q", y="usd_per_month:Q", tooltip=[alt.Tooltip("label:N", title="Marked")])
        # Above and left of the point: the line rises to the right, so that corner is clear, and a phone's plot
        # is too narrow for the words to its right.
        layers += [mark, halo_text(alt.Chart(base), dict(align="right", baseline="bottom", dx=-6, dy=-6, fontSize=11,
                                                           color=visual.INK),
                                   x="decline:Q", y="usd_per_month:Q", text="label:N")]
    return alt.layer(*layers).properties(width="container", height=300)


def cumulative_cost(cumulative: pd.DataFrame) -> alt.LayerChart:
    """Cumulative discounted cost by month, one line per option named at its end (``month``, ``usd``,
    ``option``, ``kind``: its colour in :data:`analysis.report.visual.OPTION_COLOURS`)."""
    data = with_text(cumulative, usd=fmt.usd)
    domain, colours = visual.option_scale(cumulative["option"], cumulative["kind"])
    y_domain = [0.0, float(cumulative["usd"].max())]
    color = alt.Color("option:N", title=None, scale=alt.Scale(domain=domain, range=colours), legend=None)
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("month:Q", title="Month"),
        y=alt.Y("usd:Q", title="Cumulative discounted cost, USD", scale=alt.Scale(domain=y_domain, nice=False),
                axis=alt.Axis(labelExpr=USD_LABEL)),
        color=color,
        tooltip=[alt.Tooltip("option:N", title="Option"), alt.Tooltip("month:Q", title="Month"),
                 alt.Tooltip("usd_text:N", title="Cumulative")])
    names = end_labels(cumulative, "month", "usd", "option", "option", y_domain, LINE_HEIGHT_PX, color, log_y=False)
    return alt.layer(lines, names).properties(width="container", height=LINE_HEIGHT_PX)


def option_costs(curves: pd.DataFrame) -> alt.LayerChart:
    """Monthly cost against monthly volume, one line per option named at its end (log-log; base case).

    Parameters
    ----------
    curves : ``tokens_per_month``, ``usd_per_month``, ``option`` and ``kind`` (its colour,
        :data:`analysis.report.visual.OPTION_COLOURS`).
    """
    data = with_text(curves, tokens_per_month=fmt.tokens, usd_per_month=fmt.usd)
    x = alt.X("tokens_per_month:Q", title=VOLUME_TITLE, scale=alt.Scale(type="log"),
              axis=alt.Axis(values=decades(curves["tokens_per_month"]), labelExpr=TOKENS_LABEL))
    y_scale = log_axis_scale(curves["usd_per_month"])
    y = alt.Y("usd_per_month:Q", title="USD per month (log scale)", scale=y_scale,
              axis=alt.Axis(labelExpr=USD_LABEL))
    domain, colours = visual.option_scale(curves["option"], curves["kind"])
    color = alt.Color("option:N", title=None, scale=alt.Scale(domain=domain, range=colours), legend=None)
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=x, y=y, color=color,
        tooltip=[alt.Tooltip("option:N", title="Option"), alt.Tooltip("tokens_per_month_text:N", title="Tokens"),
                 alt.Tooltip("usd_per_month_text:N", title="Monthly cost")])
    names = end_labels(curves, "tokens_per_month", "usd_per_month", "option", "option", y_scale.domain,
                       LINE_HEIGHT_PX, color)
    return alt.layer(lines, names).properties(width="container", height=LINE_HEIGHT_PX)
