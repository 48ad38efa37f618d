"""Sphinx extension: every chart is drawn at build time, so a page shows its charts before any script runs.

A notebook's chart output is a ``<div class="vega-chart">`` and an inline script that calls ``vegaEmbed``
(``analysis.report.charts.offline_renderer``). Left as it is, a page must fetch the Vega runtime (about 900 KB)
before it can draw, and that script sits in ``<head>``. Here each chart is rendered to SVG with vl-convert, at a
laptop's column width and a phone's, into ``_static/charts/<id>-<width>.svg``, and the page gets a ``<picture>``
that loads only the width its screen needs, lazily, with the chart's finding (the spec's ``description``) as its
text alternative. The spec stays in the page as JSON; ``_static/charts.js`` loads the runtime and swaps in the
interactive chart (tooltips) when a reader first points at or touches a chart.

Files are named by the hash of the spec the renderer already put in the ``id`` and written only when missing, so
an unchanged build rewrites nothing.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from sphinx.application import Sphinx

# The column a chart fills on a 1400 px laptop and on a 390 px phone (the CSS swaps at PHONE_MAX_PX).
WIDE_PX, NARROW_PX = 680, 340
PHONE_MAX_PX = 600
CHARTS_DIR = "_static/charts"
_CHART = re.compile(
    r'<div id="(?P<id>vega-[0-9a-f]{16})" class="vega-chart"></div>\n<script type="text/javascript">\n'
    r"\(function \(\) \{\n.*?vegaEmbed\(el, (?P<rest>.*?)\n\}\)\(\);\n</script>", re.DOTALL)
_DECODER = json.JSONDecoder()
_SIZE = re.compile(r'<svg[^>]*?\swidth="(?P<w>[0-9.]+)"[^>]*?\sheight="(?P<h>[0-9.]+)"')


def render_svg(spec: dict, width_px: int) -> str:
    """The chart as SVG at ``width_px`` when its width follows its container (vl-convert has none)."""
    import vl_convert

    sized = {**spec, "width": width_px} if spec.get("width") == "container" else spec
    return vl_convert.vegalite_to_svg(sized)


def static_chart(chart_id: str, spec: dict, spec_json: str, outdir: Path, pathto) -> str:
    """The page's markup for one chart: the picture, the spec for the interactive upgrade."""
    folder = outdir / CHARTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for width in (WIDE_PX, NARROW_PX):
        path = folder / f"{chart_id}-{width}.svg"
        if not path.exists():  # named by the spec's hash: a file that exists is this spec's
            path.write_text(render_svg(spec, width), encoding="utf-8")
        match = _SIZE.search(path.read_text(encoding="utf-8")[:2000])
        sizes[width] = (round(float(match["w"])), round(float(match["h"]))) if match else (width, width // 2)
    wide, narrow = (pathto(f"{CHARTS_DIR}/{chart_id}-{w}.svg", 1) for w in (WIDE_PX, NARROW_PX))
    alt = html.escape(str(spec.get("description") or "Chart"), quote=True)
    w, h = sizes[WIDE_PX]
    return (f'<div id="{chart_id}" class="vega-chart vega-static" data-spec="{chart_id}-spec">'
            f'<picture><source media="(max-width: {PHONE_MAX_PX}px)" srcset="{narrow}" '
            f'width="{sizes[NARROW_PX][0]}" height="{sizes[NARROW_PX][1]}">'
            f'<img src="{wide}" alt="{alt}" width="{w}" height="{h}" loading="lazy" decoding="async"></picture></div>\n'
            f'<script type="application/json" id="{chart_id}-spec">{spec_json}</script>')


def _static_charts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body", "")
    if 'class="vega-chart"' not in body:
        return
    outdir, pathto = Path(app.outdir), context["pathto"]

    def replace(match: re.Match) -> str:
        spec, end = _DECODER.raw_decode(match["rest"])
        return static_chart(match["id"], spec, match["rest"][:end], outdir, pathto)

    context["body"] = _CHART.sub(replace, body)


def setup(app: Sphinx) -> dict:
    # Before page_assets (priority 500), which adds the loader to pages that now hold static charts.
    app.connect("html-page-context", _static_charts, priority=400)
    # env_version: a page built by an older version of this extension is rebuilt.
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 2}
