"""One chart system: every chart of the published report takes its colours from :mod:`analysis.report.visual`.

The specs are read from the committed notebooks (what readers see), so a chart added with Vega's own colours, or
a colour typed into a chart, fails here by name.
"""

from __future__ import annotations

import json
import re

import pytest

from analysis import paths
from analysis.report import visual

_DECODER = json.JSONDecoder()
NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))


def chart_specs(notebook) -> list[dict]:
    """Every Vega-Lite spec the notebook's outputs embed (the offline renderer's ``vegaEmbed(el, <spec>, ...)``)."""
    specs = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            html = "".join(html) if isinstance(html, list) else (html or "")
            for call in re.finditer(r"vegaEmbed\(el, ", html):
                specs.append(_DECODER.raw_decode(html[call.end():])[0])
    return specs


def colour_uses(node, path: str = ""):
    """``(path, value)`` of every ``color``, ``fill`` and ``stroke`` in a spec, outside its config."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "config":
                continue
            if key in ("color", "fill", "stroke"):
                yield f"{path}/{key}", value
            yield from colour_uses(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from colour_uses(value, f"{path}[{i}]")


def problems(spec: dict) -> list[str]:
    """Each colour the palette does not hold, and each coloured field without its own range."""
    allowed = visual.palette()
    out = []
    if spec.get("config", {}).get("mark", {}).get("color") not in allowed:
        out.append("config.mark.color is not the palette's: an uncoloured mark would take Vega's blue")
    for path, value in colour_uses(spec):
        if isinstance(value, str):
            if value not in allowed:
                out.append(f"{path}: {value!r} is not a palette colour")
        elif isinstance(value, dict) and "field" in value and "scale" in value and value["scale"] is None:
            # An identity scale: the data hold the colours themselves (a line's name in its legible shade).
            shades = {row[value["field"]] for rows in spec.get("datasets", {}).values() for row in rows
                      if value["field"] in row}
            if not shades:
                out.append(f"{path}: field {value['field']!r} holds no colour in the chart's data")
            out += [f"{path}: {c!r} is not a palette colour" for c in sorted(shades) if c not in allowed]
        elif isinstance(value, dict) and "field" in value:
            scale_range = (value.get("scale") or {}).get("range")
            if not scale_range:
                out.append(f"{path}: field {value['field']!r} is coloured by Vega's default scheme")
            else:
                out += [f"{path}: {c!r} is not a palette colour" for c in scale_range if c not in allowed]
        elif isinstance(value, dict) and "value" in value and value["value"] not in allowed:
            out.append(f"{path}: {value['value']!r} is not a palette colour")
    return out


def test_the_notebooks_hold_charts():
    assert sum(len(chart_specs(nb)) for nb in NOTEBOOKS) >= 20


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_chart_takes_its_colours_from_the_palette(notebook):
    found = {f"chart {i}": problems(spec) for i, spec in enumerate(chart_specs(notebook))}
    assert {k: v for k, v in found.items() if v} == {}


def test_a_colour_means_one_thing():
    # Within the options, and between the options and the scales of their own (precision, requests decoded
    # together, stress ends, the guide's marks): no colour is shared.
    own = [*visual.PRECISION_COLOURS.values(), *visual.CONCURRENCY_RAMP, *visual.END_COLOURS.values(),
           visual.GUIDE_COLOUR, visual.INK]
    options = list(visual.OPTION_COLOURS.values())
    assert len(set(options)) == len(options) and len(set(own)) == len(own)
    assert not set(options) & set(own)


def test_the_checker_catches_a_default_colour_and_a_typed_one():
    spec = {"config": {"mark": {"color": visual.INK}},
            "layer": [{"mark": {"type": "line", "color": "steelblue"}},
                      {"encoding": {"color": {"field": "option", "type": "nominal"}}}]}
    assert problems(spec) == ["/layer[0]/mark/color: 'steelblue' is not a palette colour",
                              "/layer[1]/encoding/color: field 'option' is coloured by Vega's default scheme"]
