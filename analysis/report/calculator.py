"""The calculator page: the dataset and the model's rules, embedded as JSON beside the page's form.

``_static/calculator.js`` prices a situation in the browser with the same model as ``quote``: it mirrors
:func:`analysis.evaluation.resolve.situation`, :func:`analysis.model.spine.evaluate`, the break-even solvers of
:mod:`analysis.model.breakeven`, :func:`analysis.evaluation.resolve.fragility`, the likely range's sampling and
percentiles (:mod:`analysis.evaluation.uncertainty`) and :func:`analysis.commands.quote.render_json`,
function by function. What depends only on the dataset is resolved here, once, by the Python rules
(the purchase price each GPU is priced at, the engine efficiency of each class of benchmarks, the words
for each name), so the page carries no rule of its own about the data.

Numbers are embedded exactly (``repr`` of each float, not rounded): the page must reproduce ``quote`` to
the last digit, and every value here comes from the CSV files or from divisions and medians of them,
which IEEE arithmetic gives identically on every CPU.
"""

from __future__ import annotations

import html
import json

from analysis.data import inputs, limits, messages
from analysis.data.loading import Dataset
from analysis.evaluation import hybrid as evaluation_hybrid
from analysis.evaluation import lifetime as evaluation_lifetime
from analysis.evaluation import lookups, quoting, resolve, uncertainty
from analysis.model import breakeven, sizing, spine
from analysis.model import hybrid as model_hybrid
from analysis.model import lifetime as model_lifetime
from analysis.report import charts, publish, visual
from analysis.report import formatting as fmt

DATA_ELEMENT_ID = "calculator-data"
# Bumped when the embedded record changes shape, so the script can refuse a record it does not know.
FORMAT_VERSION = 1


# The page's own words for a refusal, keyed like the model's messages (analysis.data.messages) where they
# replace one, and the page's other notices. The page's JavaScript holds no message text.
PAGE_MESSAGES = {
    "custom_api_needs_prices": "Your own API prices need an input price and an output price (USD per million tokens).",
    "custom_rent_needs_price": "Your own rental needs a rental price per GPU-hour.",
    "no_purchase_price": 'The dataset has no purchase price for the {gpu}: type one under "Purchase price per GPU", '
                         "or choose Rent them.",
    "rent_other_gpu": "That rental offer rents the {rented}, not the {gpu}: choose an offer for the {gpu}, or your "
                      "own rental price.",
    "link_unknown_option": "the link's {name} is not an option of this calculator",
    "link_not_in_dataset": "the link's {name} {value} is not in the dataset; showing {shown} instead",
    "link_value_not_used": "the link's value was not used: {reason}",
    "link_values_not_together": "the link's values were not used together: {reason}",
    "not_updated": 'Not updated: "{label}" is not used (the reason is beside it), so the answer below is still the '
                   "one for your last usable input.",
    "stale_answer": 'Not your answer: "{label}" cannot be priced as typed (the reason is beside it). What follows, '
                    "greyed, is the answer for your last usable input, and the link still holds it.",
    "computed": "Computed in your browser from the dataset in {label} (newest row {date}) in {ms} ms.",
    # The answer's words: the summary, the line kept in view, the table's first rows, the chart.
    "no_price": "no price in the dataset",
    "your_api": "your API",
    "verb_buy": "Buying",
    "verb_rent": "Renting",
    "gpus_do_not_fit": "{gpu} GPUs (the model does not fit)",
    "gpus_count": "{count}× {gpu}",
    "gpus_with_spares": "{serving} serving + {spares} spare {gpu}",
    "hybrid_needs_traffic": "Choose a traffic profile to price the hybrid.",
    "lifetime_summary": "Over the hardware's life ({horizon}, the API's price falling {decline} a year, every month "
                        "discounted), buying breaks even at {breakeven} a month of API spend today (one month: "
                        "{static}); at your volume {payback} (base case).",
    "hybrid_keeps_buy": "owns",
    "hybrid_keeps_rent": "rents around the clock",
    "lifetime_summary_rent": "Over the hardware's life ({horizon}, the API's price falling {decline} a year and the "
                             "rental price multiplied by {rental} a year, every month discounted), renting breaks "
                             "even at {breakeven} a month of API spend today (one month: {static}; base case).",
    "lifetime_payback_in": "it pays back in {months}",
    "lifetime_payback_never": "it does not pay back within its life",
    "lifetime_never": "never",
    "options_title": "Your options at {tokens} tokens a month (base case)",
    "situation": "Priced: {tokens} tokens a month against {api}; {model} at {precision} on {gpu}, {how}.",
    "situation_buy": "bought",
    "situation_rent": "rented from {offer}",
    "breakdown_title": "Where the {total} a month of {verb} goes (base case)",
    "breakdown_label": "{verb} costs {total} a month: {lines}",
    "copied": "Copied.",
    "copy_failed": "Copy it from the address bar: this browser did not allow the page to copy.",
    "options_head_option": "Option",
    "options_head_setup": "Set-up",
    "options_head_cost": "USD a month",
    "side_api": "Keep paying {api}",
    "side_buy": "Buy the GPUs",
    "side_rent": "Rent them: {offer}",
    "side_hosted": "Buy the open model as a service: {host}",
    "side_setup_none": "none",
    "side_cheapest": "cheapest",
    "hybrid_summary": "With {profile} traffic the GPUs must serve {peak} times the average load. The cheapest split "
                      "{keeps} {owned} of the {all} replicas that serve the busiest hour and sends the rest to "
                      "{overflow}: {usd} a month, {in_house} of tokens served in house (all API {api_usd}, all "
                      "self-host {self_usd}; base case).",
    "summary_cost": "At {tokens} tokens a month, {verb} {gpus} for {model} costs {selfhost} a month against "
                    "{api_cost} for {api} (base case): {saving} a month. ",
    "summary_saves": "it saves {usd}",
    "summary_costs_more": "{usd} more",
    "summary_breakeven": "{verb} breaks even at {tokens} tokens a month ({spend} of API spend) in the base case; "
                         "{range} between the stress ends (every input at one end of its range).",
    "summary_never": "{verb} never breaks even in the base case ({range} between the stress ends).",
    "glance": "Base case: {verb} {saving}; {breakeven}",
    "glance_saves": "saves {usd} a month",
    "glance_costs_more": "costs {usd} a month more",
    "glance_breakeven": "breaks even at {tokens} tokens a month.",
    "glance_never": "never breaks even.",
    # The likely range (P10-P90 of the sampled inputs, quote's "likely"), computed after the base case.
    "likely_computing": "Likely range (P10–P90 of {draws} sampled inputs): computing… ",
    "likely_summary": "Likely range (P10–P90 of {draws} sampled inputs): {verb} {selfhost} a month against {api} for "
                      "the API, savings {savings} a month; {breakeven}. ",
    "likely_breakeven": "break-even at {range} tokens a month ({spend} of API spend)",
    "likely_breakeven_open": "break-even at {tokens} tokens a month ({spend} of API spend) or more, and never in more "
                             "than {share}% of the draws",
    "likely_breakeven_never": "no break-even in more than {share}% of the draws",
    "glance_likely_computing": "Likely range: computing…",
    # The provenance line's lead once it lists the reader's situation instead of the page's defaults.
    "parameters_yours": "parameters of the situation priced below",
    "glance_likely": "Likely (P10–P90): savings {savings} a month; {short}.",
    "glance_likely_breakeven": "break-even at {range} tokens a month",
    "glance_likely_open": "break-even at {tokens} tokens a month or more",
    "table_caption": "Favourable and unfavourable are the stress ends: every input at once at the end of its range "
                     "that makes self-hosting cheaper, or dearer. Base: the midpoints.",
    "row_output_share": "Share of tokens that are output",
    "row_cached_share": "Cached input share",
    "cell_does_not_fit": "does not fit",
    "cell_never": "never",
    "cell_yes": "yes",
    "cell_no": "no",
    "fragile": "Fragile break-even, read it as a range: {reasons}.",
    "chart_title": "Monthly cost by volume: {api} against {verb} GPUs for {model}",
    "chart_point": "base case",
    # The chart's options, named as its colour scale names them (analysis.report.charts.CALCULATOR_OPTIONS).
    "option_api": charts.CALCULATOR_OPTIONS[0][0],
    "option_buy": charts.CALCULATOR_OPTIONS[1][0],
    "option_rent": charts.CALCULATOR_OPTIONS[2][0],
}


def _rules() -> dict[str, object]:
    """The model's constants, by the names the Python code gives them."""
    # Every number the page reads, with the range quote enforces (one rule per input: analysis.data.limits).
    ranges = {name: limits.limit(name).record()
              for name in ("tokens_per_month", "output_share", *inputs.CUSTOM_PRICES, *inputs.CUSTOM_RANGES,
                           *resolve.MODEL_ASSUMPTIONS, *model_lifetime.INPUTS)}
    return {
        "cases": list(spine.CASES), "direction": resolve.DIRECTION, "whole_units": list(spine.WHOLE_UNITS),
        "model_assumptions": list(resolve.MODEL_ASSUMPTIONS),
        # quote --set: every row the model reads may be given by name (those of custom_ranges as their own option).
        "settable": list(resolve.MODEL_ASSUMPTIONS),
        # The replica sizes inside a node the spine deploys (spine._memory, spine._candidates).
        "node_shapes": [float(x) for x in sizing.PIPELINE_SHAPES], "gpus_per_node": float(sizing.GPUS_PER_NODE),
        "across_node_shapes": [float(x) for x in sizing.ACROSS_NODE_SHAPES],
        "max_search_units": float(breakeven.MAX_SEARCH_UNITS), "engine_class": resolve.DEFAULT_ENGINE_CLASS,
        "custom": inputs.CUSTOM, "custom_gpus_per_instance": resolve.CUSTOM_GPUS_PER_INSTANCE,
        "custom_prices": list(inputs.CUSTOM_PRICES), "custom_ranges": inputs.CUSTOM_RANGES, "limits": ranges,
        "range_not_number": inputs.RANGE_NOT_NUMBER,
        "number_pattern": inputs.NUMBER_PATTERN, "number_forms": inputs.NUMBER_FORMS,
        "messages": messages.MESSAGES, "nouns": messages.NOUNS, "token_suffixes": inputs.TOKEN_SUFFIXES,
        "token_words": inputs.TOKEN_WORDS, "token_tails": list(inputs.TOKEN_TAILS),
        "stand_in_usd_per_gpu": quoting.STAND_IN_USD_PER_GPU,
        # The lifetime inputs and which end favours self-hosting (analysis.evaluation.lifetime).
        "lifetime": {"inputs": list(model_lifetime.INPUTS), "favours": evaluation_lifetime.FAVOURS},
        # The hybrid's rules (analysis.model.hybrid, analysis.evaluation.hybrid).
        "hybrid": {"hours_per_day": model_hybrid.HOURS_PER_DAY, "peak_hour": model_hybrid.PEAK_HOUR,
                   "weekend_days": list(model_hybrid.WEEKEND_DAYS), "parameters": list(evaluation_hybrid.PARAMETERS),
                   "favours": evaluation_hybrid.FAVOURS, "max_owned_replicas": evaluation_hybrid.MAX_OWNED_REPLICAS},
        "figures": {option: [figure.record() for figure in figures] for option, figures in quoting.FIGURES.items()},
        # The likely range: the report's sampling (mulberry32 from the seed, analysis.evaluation.uncertainty), its
        # levels (percent) and the figures it is given for, by acquisition (quoting.LIKELY_FIGURES).
        "likely": {"draws": uncertainty.DRAWS, "seed": uncertainty.SEED, "percentiles": list(uncertainty.LIKELY),
                   "figures": {option: list(keys) for option, keys in quoting.LIKELY_FIGURES.items()}},
        # The self-hosting bill's lines, drawn as one stacked bar in the report's colours for categories.
        "line_colours": list(visual.CATEGORY_COLOURS),
    }


def _priced_rows(ds: Dataset) -> dict[str, object]:
    """The dataset record (:func:`analysis.evaluation.lookups.record`) with the words the page shows for
    each GPU and API offer."""
    rows = dict(lookups.record(ds))
    rows["gpus"] = [{**g, "name": visual.gpu_words(ds, g["id"])} for g in rows["gpus"]]
    rows["apis"] = [{**a, "name": visual.api_words(ds, a["id"])} for a in rows["apis"]]
    return rows


def embedded_data(ds: Dataset, defaults: dict[str, object], data_label: str) -> dict[str, object]:
    """Everything the page computes from: the dataset's rows it prices with, the model's rules, the
    situation shown first (``defaults``: quote's option names), the chart and the colours."""
    return {
        "format": FORMAT_VERSION, "dataset": {"label": data_label, "snapshot_date": str(ds.snapshot_date)},
        **_priced_rows(ds),
        "rules": _rules(), "page_messages": PAGE_MESSAGES, "defaults": defaults,
        "colours": {"api": visual.OPTION_COLOURS[visual.FRONTIER_API], "buy": visual.OPTION_COLOURS[visual.BUY],
                    "rent": visual.OPTION_COLOURS[visual.RENT]},
        "chart": charts.themed_spec(charts.calculator_costs()),
    }


def _script_json(record: dict[str, object]) -> str:
    """JSON safe inside ``<script>``: floats exactly (no NaN), no raw ``<``, ``>`` or ``&``."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ---------------------------------------------------------------- the page


def _options(items: list[tuple[str, str]], selected: object) -> str:
    return "".join(f'<option value="{html.escape(value)}"{" selected" if value == selected else ""}>'
                   f"{html.escape(text)}</option>" for value, text in items)


def _field(name: str, label: str, control: str, hint: str = "") -> str:
    """A labelled control with the line its error message goes to (``aria-describedby``)."""
    hint_html = f'<span class="calc-hint">{html.escape(hint)}</span>' if hint else ""
    return (f'<div class="calc-field" data-field="{name}"><label for="calc-{name}">{html.escape(label)}</label>'
            f"{control}{hint_html}"
            f'<span class="calc-error" id="calc-{name}-error" role="alert" aria-live="polite"></span></div>')


def _text(name: str, value: str = "", placeholder: str = "") -> str:
    return (f'<input type="text" inputmode="decimal" autocomplete="off" id="calc-{name}" name="{name}" '
            f'value="{html.escape(value)}" placeholder="{html.escape(placeholder)}" '
            f'aria-describedby="calc-{name}-error">')


def _select(name: str, items: list[tuple[str, str]], selected: object) -> str:
    return (f'<select id="calc-{name}" name="{name}" aria-describedby="calc-{name}-error">'
            f"{_options(items, selected)}</select>")


def page(ds: Dataset, defaults: dict[str, object], data_label: str) -> str:
    """The calculator: its form (every control named as ``quote``'s option), the places its answer goes,
    and the embedded record (:func:`embedded_data`) the script computes from."""
    record = embedded_data(ds, defaults, data_label)
    models = [(m["id"], m["name"]) for m in record["models"]]
    gpus = [(g["id"], g["name"]) for g in record["gpus"]]
    precisions = [(p["id"], p["id"].upper()) for p in record["precisions"]]
    # A retired offer can no longer be bought: it stays in the record (an old link still reads) but not in the menu.
    apis = ([(a["id"], a["name"]) for a in record["apis"] if a["retired_on"] is None]
            + [(inputs.CUSTOM, "Your own API prices")])
    # The menu lists the chosen GPU's offers only (the script hides the others), so an offer needs no GPU name.
    rentals = [(r["id"], r["name"]) for r in record["rentals"]] + [(inputs.CUSTOM, "Your own price per GPU-hour")]
    how = defaults.get("rent") or ""
    traffic = (_field("tokens_per_month", "Tokens per month (input + output)",
                      _text("tokens_per_month", fmt.tokens(float(defaults["tokens_per_month"])), "2B"),
                      "2B, 500M, 300 million, 3B/month or 2e9")
               + _field("output_share", "Share of tokens that are output", _text("output_share"),
                        "0.3 or 30%; empty: the dataset's range"))
    api = (_field("api", "The API you pay today", _select("api", apis, defaults["api"]))
           + "".join(_field(name, label, _text(name), "USD per million tokens; empty: the offer's price")
                     for name, label in (("usd_per_m_input", "Input price"), ("usd_per_m_output", "Output price"),
                                         ("usd_per_m_cached_input", "Cached input price"))))
    mode = "".join(
        f'<label class="calc-radio"><input type="radio" name="acquisition" value="{value}"'
        f'{" checked" if (value == "rent") == bool(how) else ""}> {text}</label>'
        for value, text in (("buy", "Buy the GPUs"), ("rent", "Rent them")))
    hosting = (_field("model", "Open model you would run", _select("model", models, defaults["model"]))
               + _field("gpu", "GPU", _select("gpu", gpus, defaults["gpu"]))
               + _field("precision", "Weights stored at", _select("precision", precisions, defaults["precision"]))
               + f'<div class="calc-field" role="radiogroup" aria-label="Buy or rent">{mode}</div>'
               + _field("usd_per_gpu", "Purchase price per GPU (USD)", _text("usd_per_gpu"),
                        "empty: the dataset's range")
               + _field("rent", "Rental offer", _select("rent", rentals, how))
               + _field("usd_per_gpu_hour", "Rental price per GPU-hour (USD)", _text("usd_per_gpu_hour"),
                        "empty: the offer's price"))
    profiles = [("", "Not priced (one peak-to-average ratio)")] + [
        (name, f"{name.capitalize()}") for name in sorted(record["traffic_profiles"])]
    overflows = [("", "The API you pay")] + [(a["id"], a["name"]) for a in record["apis"] if a["retired_on"] is None]
    hybrid = (_field("traffic", "Traffic over the week", _select("traffic", profiles, ""),
                     "prices the hybrid: owned replicas for the baseline, the peaks bought per token")
              + _field("overflow", "Where the peaks go", _select("overflow", overflows, ""),
                       "a host of the same open model is usually cheaper")
              + _field("hard_share", "Share kept on the API whatever the price", _text("hard_share"),
                       "0.2 or 20%: requests an open model cannot serve; empty: none")
              + "".join(_field(name, f"{record['assumptions'][name]['label']} (share a year)",
                               f'<span class="calc-range">{_text(name)}</span>',
                               "one value, or low:high; empty: the dataset's")
                        for name in model_lifetime.INPUTS))
    # Each main assumption with its unit from assumptions.csv, as under "Every other input".
    ranges = "".join(
        _field(name, f"{record['assumptions'][name]['label']} ({record['assumptions'][name]['unit']})",
               f'<span class="calc-range">{_text(name)}</span>', "one value, or low:high; empty: the dataset's")
        for name in inputs.CUSTOM_RANGES)
    # Every other row the model reads (quote --set), folded away: a study's assumptions can be matched in full.
    others = "".join(
        _field(name, f"{record['assumptions'][name]['label']} ({record['assumptions'][name]['unit']})",
               f'<span class="calc-range">{_text(name)}</span>', "")
        for name in resolve.MODEL_ASSUMPTIONS if name not in inputs.CUSTOM_RANGES)
    return (
        '<div class="calculator" data-calculator>\n'
        '<noscript><p class="calc-noscript">This calculator runs in your browser and needs JavaScript. Without '
        "it, <code>python -m analysis quote</code> gives the same figures (see Rerunning with your own "
        "numbers).</p></noscript>\n"
        '<form class="calc-form" id="calc-form" novalidate>\n'
        f'<fieldset><legend>Your traffic</legend>{traffic}</fieldset>\n'
        f'<fieldset><legend>The API</legend>{api}</fieldset>\n'
        f'<fieldset><legend>Self-hosting</legend>{hosting}</fieldset>\n'
        f'<fieldset><legend>Main assumptions</legend>{ranges}</fieldset>\n'
        f'<details class="calc-more"><summary>Every other input (one value, or low:high; empty: the dataset\'s)'
        f'</summary><fieldset><legend>Every other input</legend>{others}</fieldset></details>\n'
        '<details class="calc-more"><summary>Traffic over the week and prices over the hardware\'s life</summary>'
        f'<fieldset><legend>Traffic, the hybrid and time</legend>{hybrid}</fieldset></details>\n'
        "</form>\n"
        # The base case in one line, kept in view at the bottom of the screen while the form scrolls by.
        '<p class="calc-glance" id="calc-glance" aria-hidden="true"></p>\n'
        '<section class="calc-answer" id="calc-answer" aria-live="polite">\n'
        # Said first, above an answer that no longer matches the form (issue 29: never a stale answer unannounced).
        '<p class="calc-stale" id="calc-stale" role="alert" hidden></p>\n'
        '<p class="calc-summary" id="calc-summary"></p>\n'
        '<p class="calc-situation" id="calc-situation"></p>\n'
        '<div class="calc-breakdown-wrap"><p class="calc-breakdown-title" id="calc-breakdown-title"></p>'
        '<div class="calc-breakdown" id="calc-breakdown" role="img"></div>'
        '<ul class="calc-breakdown-legend" id="calc-breakdown-legend"></ul></div>\n'
        '<div class="calc-table-wrap"><table class="calc-options" id="calc-options"></table></div>\n'
        '<div class="calc-table-wrap"><table class="calc-table" id="calc-table"></table></div>\n'
        '<p class="calc-fragile" id="calc-fragile"></p>\n'
        '<p class="calc-hybrid" id="calc-hybrid"></p>\n'
        '<p class="calc-lifetime" id="calc-lifetime"></p>\n'
        '<p class="calc-chart-title" id="calc-chart-title"></p>\n'
        '<div class="calc-chart vega-chart" id="calc-chart"></div>\n'
        '<p class="calc-status" id="calc-status"></p>\n'
        '<p class="calc-share"><button type="button" class="calc-copy" id="calc-copy">Copy the link to this answer'
        '</button> <span class="calc-copied" id="calc-copied" role="status"></span></p>\n'
        "</section>\n"
        f'<script type="application/json" id="{DATA_ELEMENT_ID}">{_script_json(record)}</script>\n'
        "</div>"
    )


def show(ds: Dataset, defaults: dict[str, object]) -> publish.Shown:
    """The calculator as a notebook cell shows it (``defaults``: the situation shown first, quote's names)."""
    return publish.Shown(page(ds, defaults, publish.dataset_label(ds.data_dir)))
