"""Altair charts (one function per chart) and the offline renderer that embeds them in the book.

The renderer writes a ``<div>`` whose id is a hash of the spec plus a call to ``vegaEmbed``; the Vega
libraries come from ``_static/vega/vega-bundle.js`` (see :mod:`analysis.vendor`), so pages need no
network and re-executing a notebook yields byte-identical output.
"""

from __future__ import annotations

import hashlib
import json

import altair as alt
import numpy as np
import pandas as pd

from analysis import numerics, visual

THEME_NAME = "selfhost_report"
RENDERER_NAME = "offline"
# SI prefixes read as giga/mega; token counts are written with B for billions, money with a dollar sign.
VOLUME_TITLE = "Tokens per month (log scale)"
TOKENS_LABEL = "replace(format(datum.value, '~s'), 'G', 'B')"
USD_LABEL = "'$' + replace(format(datum.value, '~s'), 'G', 'B')"


def decades(values: pd.Series) -> list[float]:
    """Powers of ten spanning the values: the only ticks a log axis needs."""
    low, high = numerics.decade_floor(float(values[values > 0].min())), numerics.decade_ceil(float(values.max()))
    return [float(10**k) for k in range(low, high + 1)]

WIDTH_PX = 640
# Savings run from losing the whole API bill again to saving all of it; beyond that the axis clamps.
SAVING_DOMAIN = (-1.0, 1.0)


@alt.theme.register(THEME_NAME, enable=False)
def _theme() -> alt.theme.ThemeConfig:
    """One look for every chart of the report."""
    return {
        "config": {
            "view": {"continuousWidth": WIDTH_PX, "stroke": None},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "grid": True},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "font": "system-ui, -apple-system, 'Segoe UI', sans-serif",
        }
    }


def _json_for_script(obj: object) -> str:
    """JSON that is safe inside an HTML ``<script>``: no raw ``<``, ``>`` or ``&`` from the data."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def offline_renderer(spec: dict, **metadata: object) -> dict[str, str]:
    """Render a Vega-Lite spec as a self-contained HTML fragment with a deterministic element id.

    Every float of the spec (its inline data included) is rounded first (:mod:`analysis.numerics`), so
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


def enable() -> None:
    """Register and enable the offline renderer and the report theme (call once per kernel)."""
    alt.renderers.register(RENDERER_NAME, offline_renderer)
    alt.renderers.enable(RENDERER_NAME)
    alt.theme.enable(THEME_NAME)


def memory_vs_gpu(need: pd.DataFrame, gpu_lines: pd.DataFrame) -> alt.LayerChart:
    """Memory each model needs per precision (log scale), against the memory of single GPUs.

    Parameters
    ----------
    need : one row per model and precision with ``model_name``, ``precision``, ``weights_gb_low``,
        ``required_gb_low`` and ``required_gb_high`` (GB).
    gpu_lines : ``label`` and ``memory_gb`` of the GPU setups drawn as vertical reference lines.
    """
    data = need.assign(precision=need["precision"].str.upper())
    precisions = list(dict.fromkeys(data["precision"]))
    models = list(dict.fromkeys(data["model_name"]))
    y = alt.Y("model_name:N", title=None, sort=models)
    # Explicit domain: Vega's default log domain ignores x2 and would clip the largest models.
    lowest = min(data["required_gb_low"].min(), gpu_lines["memory_gb"].min())
    highest = max(data["required_gb_high"].max(), gpu_lines["memory_gb"].max())
    x_scale = alt.Scale(type="log", domain=[lowest / 1.25, highest * 1.25], nice=False)
    bars = alt.Chart(data).mark_bar(height=6).encode(
        x=alt.X("required_gb_low:Q", title="Memory needed, GB (log scale)", scale=x_scale),
        x2="required_gb_high:Q",
        y=y,
        yOffset=alt.YOffset("precision:N", sort=precisions),
        color=alt.Color("precision:N", title="Weight precision", sort=precisions),
        tooltip=[
            alt.Tooltip("model_name:N", title="Model"),
            alt.Tooltip("precision:N", title="Precision"),
            alt.Tooltip("weights_gb_low:Q", title="Weights, GB", format=",.1f"),
            alt.Tooltip("required_gb_low:Q", title="Weights + KV, 1 sequence, GB", format=",.1f"),
            alt.Tooltip("required_gb_high:Q", title="Weights + KV, busy, GB", format=",.1f"),
        ],
    )
    ticks = alt.Chart(data).mark_tick(thickness=2, size=10, color="black").encode(
        x=alt.X("required_gb_low:Q", scale=x_scale), y=y,
        yOffset=alt.YOffset("precision:N", sort=precisions),
    )
    rules = alt.Chart(gpu_lines).mark_rule(strokeDash=[4, 3], color="gray").encode(
        x=alt.X("memory_gb:Q", scale=x_scale),
        tooltip=[alt.Tooltip("label:N", title="GPUs"), alt.Tooltip("memory_gb:Q", title="Memory, GB")],
    )
    labels = alt.Chart(gpu_lines).mark_text(angle=270, align="right", dx=-4, dy=-4, color="gray").encode(
        x=alt.X("memory_gb:Q", scale=x_scale), text="label:N", y=alt.value(4),
    )
    # "container" fits the page column whatever the screen; the CSS gives .vega-chart its width.
    # Reference lines and their labels go underneath, so the bars stay on top for the pointer.
    return alt.layer(rules, labels, bars, ticks).properties(width="container", height=alt.Step(22))


def cost_curves(curves: pd.DataFrame, points: pd.DataFrame) -> alt.LayerChart:
    """Monthly cost against monthly volume (log-log) per option, base line with a low-high band.

    Parameters
    ----------
    curves : ``tokens_per_month``, ``option`` (its name in words), ``kind`` (its colour, see
        :mod:`analysis.visual`), ``usd_low``, ``usd_base``, ``usd_high`` (USD per month).
    points : break-even points: ``label``, ``tokens_per_month``, ``usd_per_month``.
    """
    domain, colours = visual.option_scale(curves["option"], curves["kind"])
    scale = alt.Scale(domain=domain, range=colours)
    x = alt.X("tokens_per_month:Q", title=VOLUME_TITLE,
              scale=alt.Scale(type="log"), axis=alt.Axis(values=decades(curves["tokens_per_month"]),
                                                          labelExpr=TOKENS_LABEL))
    usd_axis = alt.Axis(values=decades(pd.concat([curves["usd_low"], curves["usd_high"]])), labelExpr=USD_LABEL)
    # One colour encoding shared by the band and the line: a layer with legend=None would hide the legend.
    color = alt.Color("option:N", title="Option", scale=scale,
                      legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=360, symbolType="stroke",
                                        symbolStrokeWidth=3, symbolOpacity=1))
    band = alt.Chart(curves).mark_area(opacity=0.15).encode(
        x=x, y=alt.Y("usd_low:Q", title="USD per month (log scale)", scale=alt.Scale(type="log"), axis=usd_axis),
        y2="usd_high:Q", color=color)
    line = alt.Chart(curves).mark_line().encode(
        x=x, y="usd_base:Q", color=color,
        tooltip=[alt.Tooltip("option:N", title="Option"),
                 alt.Tooltip("tokens_per_month:Q", title="Tokens per month", format=",.3s"),
                 alt.Tooltip("usd_base:Q", title="USD per month (base)", format="$,.0f"),
                 alt.Tooltip("usd_low:Q", title="low", format="$,.0f"),
                 alt.Tooltip("usd_high:Q", title="high", format="$,.0f")])
    marks = alt.Chart(points).mark_point(size=90, filled=True, color="black", shape="diamond").encode(
        x="tokens_per_month:Q", y="usd_per_month:Q",
        tooltip=[alt.Tooltip("label:N", title="Break-even"),
                 alt.Tooltip("tokens_per_month:Q", title="Tokens per month", format=",.3s"),
                 alt.Tooltip("usd_per_month:Q", title="Monthly cost at break-even", format="$,.0f")])
    return alt.layer(band, line, marks).properties(width="container", height=380)


def payback_by_volume(payback: pd.DataFrame) -> alt.LayerChart:
    """Payback months against monthly volume (log x): base line and the band over the three cases.

    Parameters
    ----------
    payback : ``case``, ``tokens_per_month``, ``buy_payback_months`` (inf where it never pays back).
    """
    finite = payback[np.isfinite(payback["buy_payback_months"])]
    band = finite.groupby("tokens_per_month")["buy_payback_months"].agg(["min", "max"]).reset_index()
    base = finite[finite["case"] == "base"]
    x = alt.X("tokens_per_month:Q", title=VOLUME_TITLE,
              scale=alt.Scale(type="log"), axis=alt.Axis(values=decades(payback["tokens_per_month"]),
                                                          labelExpr=TOKENS_LABEL))
    area = alt.Chart(band).mark_area(opacity=0.2).encode(
        x=x, y=alt.Y("min:Q", title="Payback, months (log scale)", scale=alt.Scale(type="log")), y2="max:Q")
    line = alt.Chart(base).mark_line(point=True).encode(
        x=x, y="buy_payback_months:Q",
        tooltip=[alt.Tooltip("tokens_per_month:Q", title="Tokens per month", format=",.3s"),
                 alt.Tooltip("buy_payback_months:Q", title="Payback, months (base)", format=",.1f")])
    return alt.layer(area, line).properties(width="container", height=300)


def savings_by_spend(savings: pd.DataFrame, claims: pd.DataFrame) -> alt.LayerChart:
    """Self-hosting's saving share against monthly API spend, per reference, beside the guide's claims.

    Parameters
    ----------
    savings : ``reference``, ``kind`` (its colour, see :mod:`analysis.visual`), ``case``,
        ``spend_usd_per_month``, ``saving_share`` (1 = the whole bill saved).
    claims : ``claim``, ``spend_low``, ``spend_high``, ``saving_low``, ``saving_high`` (the guide's boxes).
    """
    band = savings.groupby(["reference", "spend_usd_per_month"])["saving_share"].agg(["min", "max"]).reset_index()
    base = savings[savings["case"] == "base"]
    x = alt.X("spend_usd_per_month:Q", title="Monthly API spend, USD (log scale)", scale=alt.Scale(type="log"),
              axis=alt.Axis(values=decades(savings["spend_usd_per_month"]), labelExpr=USD_LABEL))
    y_scale = alt.Scale(domain=list(SAVING_DOMAIN), clamp=True)
    domain, colours = visual.option_scale(savings["reference"], savings["kind"])
    color = alt.Color("reference:N", title="Self-hosting", scale=alt.Scale(domain=domain, range=colours),
                      legend=alt.Legend(orient="bottom", labelLimit=420, columns=1))
    boxes = alt.Chart(claims).mark_rect(opacity=0.15, color="gray", stroke="black", strokeDash=[3, 2]).encode(
        x="spend_low:Q", x2="spend_high:Q", y=alt.Y("saving_low:Q", scale=y_scale), y2="saving_high:Q",
        tooltip=[alt.Tooltip("claim:N", title="The guide claims")])
    # The band lies over the guide's boxes, so it carries the tooltip where the pointer lands.
    area = alt.Chart(band).mark_area(opacity=0.2).encode(
        x=x, y=alt.Y("min:Q", title="Saving, share of the API bill", scale=y_scale, axis=alt.Axis(format="%")),
        y2="max:Q", color=color,
        tooltip=[alt.Tooltip("reference:N", title="Self-hosting"),
                 alt.Tooltip("spend_usd_per_month:Q", title="API spend", format="$,.0f"),
                 alt.Tooltip("min:Q", title="Saving, lowest case", format=".0%"),
                 alt.Tooltip("max:Q", title="Saving, highest case", format=".0%")])
    line = alt.Chart(base).mark_line().encode(
        x=x, y="saving_share:Q", color=color,
        tooltip=[alt.Tooltip("reference:N", title="Self-hosting"),
                 alt.Tooltip("spend_usd_per_month:Q", title="API spend", format="$,.0f"),
                 alt.Tooltip("saving_share:Q", title="Saving (base)", format=".0%")])
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    return alt.layer(boxes, area, line, zero).properties(width="container", height=340)


def cost_stack(stack: pd.DataFrame, x_title: str) -> alt.Chart:
    """One stacked bar per source: the monthly cost categories at their base values (USD/month).

    Parameters
    ----------
    stack : ``source``, ``category``, ``usd_base`` (USD/month), plus ``usd_low`` and ``usd_high`` for the tooltip.
    x_title : axis title with its unit.
    """
    categories = list(dict.fromkeys(stack["category"]))
    ordered = stack.assign(rank=stack["category"].map({c: i for i, c in enumerate(categories)}))
    return alt.Chart(ordered).mark_bar().encode(
        y=alt.Y("source:N", title=None, sort=list(dict.fromkeys(stack["source"])), axis=alt.Axis(labelLimit=240)),
        x=alt.X("usd_base:Q", title=x_title, stack="zero", axis=alt.Axis(format="$,.0f")),
        color=alt.Color("category:N", title="Cost", scale=alt.Scale(domain=categories),
                        legend=alt.Legend(columns=3, labelLimit=240)),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("category:N", title="Cost"),
                 alt.Tooltip("usd_base:Q", title="base", format="$,.0f"),
                 alt.Tooltip("usd_low:Q", title="low", format="$,.0f"),
                 alt.Tooltip("usd_high:Q", title="high", format="$,.0f")],
    ).properties(width="container", height=alt.Step(40))


def _short_verdict_expr(order: list[str]) -> str:
    """A Vega expression mapping each verdict to its short word (``physically impossible`` -> ``impossible``)."""
    cases = " : ".join(f"datum.label === {json.dumps(v)} ? {json.dumps(visual.verdict_word(v))}" for v in order)
    return f"{cases} : datum.label"


def verdicts_by_section(counts: pd.DataFrame, verdict_order: list[str]) -> alt.Chart:
    """Stacked bars: how many of the guide's figures in each section received each verdict.

    Parameters
    ----------
    counts : ``Section``, ``Verdict``, ``figures`` (count), sections in the guide's order.
    verdict_order : the verdicts from best to worst supported, which fixes colours and stacking.
    """
    sections = list(dict.fromkeys(counts["Section"]))
    order = counts.assign(rank=counts["Verdict"].map({v: i for i, v in enumerate(verdict_order)}))
    domain, colours = visual.verdict_scale(verdict_order)
    return alt.Chart(order).mark_bar().encode(
        y=alt.Y("Section:N", sort=sections, title=None, axis=alt.Axis(labelLimit=240)),
        x=alt.X("figures:Q", title="Figures printed by the guide", stack="zero"),
        # The legend names each colour by its short word, so it fits beside the section names on a phone.
        color=alt.Color("Verdict:N", scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=200,
                                          labelExpr=_short_verdict_expr(verdict_order))),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("Section:N"), alt.Tooltip("Verdict:N"), alt.Tooltip("figures:Q", title="Figures")],
    ).properties(width="container", height=alt.Step(22))


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
    labels = list(dict.fromkeys(data["label"]))
    y = alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=320))
    color = alt.Color("source:N", title=group_title)
    tooltip = [alt.Tooltip("label:N", title="Item"), alt.Tooltip("source:N", title=group_title),
               alt.Tooltip("usd_low:Q", title="low", format="$,.0f"),
               alt.Tooltip("usd_high:Q", title="high", format="$,.0f")]
    bars = alt.Chart(data).mark_bar(height=8).encode(
        x=alt.X("usd_low:Q", title=x_title, axis=alt.Axis(format="$,.0f")), x2="usd_high:Q", y=y,
        yOffset="source:N", color=color, tooltip=tooltip)
    ticks = alt.Chart(data).mark_tick(thickness=2, size=12).encode(
        x="usd_low:Q", y=y, yOffset="source:N", color=color, tooltip=tooltip)
    return alt.layer(bars, ticks).properties(width="container", height=alt.Step(24))


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
    y = alt.Y("model_name:N", title=None, sort=models, axis=alt.Axis(labelLimit=320))
    x = alt.X("gb:Q", title="GB (log scale)", scale=alt.Scale(type="log"))
    dots = alt.Chart(long).mark_point(filled=True, size=70).encode(
        x=x, y=y, color=alt.Color("precision:N", title="Computed"),
        tooltip=[alt.Tooltip("model_name:N", title="Model"), alt.Tooltip("precision:N", title="Weights"),
                 alt.Tooltip("gb:Q", title="GB", format=",.1f")])
    printed = alt.Chart(weights).mark_point(shape="cross", size=160, color="black").encode(
        x=alt.X("printed_gb:Q", scale=alt.Scale(type="log")), y=y,
        tooltip=[alt.Tooltip("model_name:N", title="Model"),
                 alt.Tooltip("printed_gb:Q", title="The guide prints, GB", format=",.0f")])
    return alt.layer(dots, printed).properties(width="container", height=alt.Step(26))


def per_sequence_bounds(bounds: pd.DataFrame, printed_low: float, printed_high: float) -> alt.LayerChart:
    """Upper bound on tokens per second per request, by precision and concurrency, against the guide's claim.

    Parameters
    ----------
    bounds : ``precision``, ``sequences``, ``per_sequence_tokens_per_s`` (a memory-bandwidth bound).
    printed_low, printed_high : the range the guide printed, tokens per second per request.
    """
    data = bounds.assign(precision=bounds["precision"].str.upper(),
                         sequences=bounds["sequences"].astype(int).astype(str) + " concurrent")
    claim = pd.DataFrame({"low": [printed_low], "high": [printed_high], "label": ["the guide's claim"]})
    band = alt.Chart(claim).mark_rect(opacity=0.15, color="gray").encode(
        y="low:Q", y2="high:Q", tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("low:Q"), alt.Tooltip("high:Q")])
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("precision:N", title="Weight precision", sort=["FP16", "FP8", "INT4"]),
        xOffset=alt.XOffset("sequences:N"),
        y=alt.Y("per_sequence_tokens_per_s:Q", title="Upper bound, tokens/s per request"),
        color=alt.Color("sequences:N", title="Requests decoded together"),
        tooltip=[alt.Tooltip("precision:N"), alt.Tooltip("sequences:N"),
                 alt.Tooltip("per_sequence_tokens_per_s:Q", title="tokens/s per request", format=",.1f")])
    return alt.layer(band, bars).properties(width="container", height=300)


def probability_cheaper(probability: pd.DataFrame) -> alt.Chart:
    """Share of Monte Carlo draws in which self-hosting costs less than the API, against monthly volume (log x).

    Parameters
    ----------
    probability : ``tokens_per_month``, ``option`` (how the GPUs are had), ``kind`` (its colour, see
        :mod:`analysis.visual`), ``probability_cheaper`` (share of
        draws, 0-1, in which the API bill exceeds the self-hosting cost at that volume) and
        ``probability_past_breakeven`` (share of draws whose break-even volume is at or below it).
    """
    domain, colours = visual.option_scale(probability["option"], probability["kind"])
    x = alt.X("tokens_per_month:Q", title=VOLUME_TITLE,
              scale=alt.Scale(type="log"), axis=alt.Axis(values=decades(probability["tokens_per_month"]),
                                                          labelExpr=TOKENS_LABEL))
    # Points on the line give the pointer something to hover: a thin line alone is hard to hit.
    return alt.Chart(probability).mark_line(point=alt.OverlayMarkDef(filled=True, size=16)).encode(
        x=x,
        y=alt.Y("probability_cheaper:Q", title="Share of draws where self-hosting is cheaper",
                scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("option:N", title="Self-hosting by", scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("option:N", title="Self-hosting by"),
                 alt.Tooltip("tokens_per_month:Q", title="Tokens per month", format=",.3s"),
                 alt.Tooltip("probability_cheaper:Q", title="Cheaper than the API", format=".1%"),
                 alt.Tooltip("probability_past_breakeven:Q", title="Past its break-even", format=".1%")],
    ).properties(width="container", height=300)


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
    x_scale = alt.Scale(type="log", domain=[lowest / 1.1, highest * 1.1], nice=False)
    # A label limit that leaves a phone-width plot room for its bars and its legend (full name in the tooltip).
    y = alt.Y("input:N", title=None, sort=inputs, axis=alt.Axis(labelLimit=150))
    segments = alt.Chart(bars).mark_bar(height=14).encode(
        x=alt.X("base_tokens_per_month:Q", title="Break-even, tokens per month (log)", scale=x_scale,
                axis=alt.Axis(labelExpr=TOKENS_LABEL)),
        x2="breakeven_tokens_per_month:Q",
        y=y,
        color=alt.Color("end:N", title="Input held at its", sort=ends, scale=alt.Scale(domain=ends)),
        tooltip=[alt.Tooltip("input:N", title="Input"), alt.Tooltip("end:N", title="Held at its"),
                 alt.Tooltip("input_value:Q", title="Input value", format=",.4~g"),
                 alt.Tooltip("breakeven_label:N", title="Break-even, tokens/month")],
    )
    base = alt.Chart(bars.head(1)).mark_rule(color="black", strokeDash=[4, 3]).encode(
        x=alt.X("base_tokens_per_month:Q", scale=x_scale),
        tooltip=[alt.Tooltip("base_tokens_per_month:Q", title="Base-case break-even, tokens/month",
                             format=",.3s")])
    return alt.layer(segments, base).properties(width="container", height=alt.Step(24))
