"""``python -m analysis quote``: price one situation in a fraction of a second, straight from the model.

A situation is a monthly volume, an API offer, an open model at a precision on a GPU type, and buying
or renting those GPUs. This module reads it from the command line (:mod:`analysis.commands.quote_options`),
has :mod:`analysis.evaluation.quoting` check and price it, and writes the answer as a table, JSON or CSV. Every
figure is the spine's for that one volume, in the model's three cases: ``favourable`` (every ranged input at
the end that makes self-hosting cheaper), ``base`` (midpoints) and ``unfavourable``, the first and last being stress
ends; the main figures also get their likely range, P10-P90 over the report's 10,000 draws of every input
(:data:`analysis.evaluation.quoting.LIKELY_FIGURES`, :mod:`analysis.evaluation.uncertainty`).

The dataset is validated exactly as ``python -m analysis validate`` does, the first time it is quoted; its
record is then remembered (:mod:`analysis.commands.quote_cache`), and later quotes of the same bytes import
neither pandas nor Frictionless. No notebook kernel and no chart library is ever imported.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path

from analysis import paths
from analysis.commands import quote_cache
from analysis.data import inputs
from analysis.data.inputs import CUSTOM_PRICES, CUSTOM_RANGES
from analysis.data.messages import NOUNS, say
from analysis.evaluation import hybrid, lifetime, quoting
from analysis.evaluation.quoting import (
    FIGURES,
    Quote,
    QuoteRequest,
    QuoteUsageError,
    check_request,
    make_quote,
    unserved_cases,
)
from analysis.evaluation.resolve import MODEL_ASSUMPTIONS, Custom
from analysis.model import lifetime as lifetime_model
from analysis.model.spine import CASES
from analysis.report import formatting as fmt

_OUTPUT_SHARE_ROW = "output_token_share"
_CACHED_SHARE_ROW = "cached_input_share"


def request_from_args(args: argparse.Namespace) -> QuoteRequest:
    """The request the parsed ``quote`` options describe (names not yet checked: :func:`check_request`)."""
    return QuoteRequest(args.tokens_per_month, args.api, args.model, args.gpu, args.precision, args.rent,
                        args.output_share, custom_from_args(args))


def custom_from_args(args: argparse.Namespace) -> Custom:
    """The reader's own prices and ranges from the parsed options (None where not given).

    ``--set NAME=LOW[:HIGH]`` gives any row the model reads (:data:`analysis.evaluation.resolve.MODEL_ASSUMPTIONS`);
    a name it does not read, a name given twice (also as its own option) or the output share both pinned and
    ranged is a :class:`~analysis.evaluation.quoting.QuoteUsageError`, a bad value too, each in one line.
    """
    ranges = [(name, *getattr(args, name)) for name in CUSTOM_RANGES if getattr(args, name, None) is not None]
    for name, value in getattr(args, "set", None) or []:
        if name not in MODEL_ASSUMPTIONS:
            raise QuoteUsageError("argument --set: " + say("setting_unknown", name=repr(name),
                                                           names=", ".join(sorted(MODEL_ASSUMPTIONS))))
        if name in {given for given, _, _ in ranges}:
            raise QuoteUsageError("argument --set: " + say("setting_twice", name=repr(name)))
        if name == _OUTPUT_SHARE_ROW and getattr(args, "output_share", None) is not None:
            raise QuoteUsageError("argument --set: " + say("setting_output_share_twice"))
        try:
            ranges.append((name, *inputs.parse_range(name, value)))
        except inputs.InputError as exc:
            raise QuoteUsageError(f"argument --set {name}: {exc}") from None
    return Custom(**{name: getattr(args, name, None) for name in CUSTOM_PRICES}, ranges=tuple(ranges))


# ---------------------------------------------------------------- output


def _share_text(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.0%}" if low == high else f"{low:.0%}–{high:.0%}"


def render_table(quote: Quote) -> str:
    """Readable plain text: one row per figure, one column per case."""
    request, figures = quote.request, quote.figures
    how = "bought" if request.rental_offer_id is None else f"rented ({request.rental_offer_id})"
    out_shares = [figures[c][_OUTPUT_SHARE_ROW] for c in CASES]
    cached = [figures[c][_CACHED_SHARE_ROW] for c in CASES]
    origin = "--output-share" if request.output_share is not None else "assumptions.csv"
    lines = [f"{request.model_id} ({request.precision}) on {request.gpu_id}, {how}, "
             f"vs the {request.api_offer_id} API",
             f"{fmt.tokens(request.tokens_per_month)} tokens/month (input + output); output share "
             f"{_share_text(out_shares)} ({origin}); cached input share {_share_text(cached)}",
             f"throughput: bound x the engine efficiency of the {quote.efficiency_class} benchmarks"]
    given = {k: v for k, v in request.custom_record().items() if v is not None}
    if given:
        lines.append("your own values: " + ", ".join(
            f"{k} = {v[0]:g}" if isinstance(v, list) and v[0] == v[1] else
            f"{k} = {v[0]:g} to {v[1]:g}" if isinstance(v, list) else f"{k} = {v:g}" for k, v in given.items()))
    lines.append("")
    rows = [("", *CASES)]
    rows += [(f"  {f.label}" if f.line_of else f.label, *(fmt.figure_text(figures[c][f.key], f.kind) for c in CASES))
             for f in FIGURES[request.acquisition]]
    label_width = max(len(r[0]) for r in rows)
    case_width = max(len(cell) for r in rows for cell in r[1:])
    lines += [f"{r[0]:<{label_width}}  " + "  ".join(f"{cell:>{case_width}}" for cell in r[1:]) for r in rows]
    lines += _likely_lines(quote)
    lines += ["", "favourable / unfavourable are stress ends: every ranged input at once at the end that makes "
              "self-hosting cheaper / dearer; base: midpoints."]
    if quote.likely is not None:
        low, high = quote.likely.percentiles
        lines.append(f"The likely range holds {high - low:g}% of the draws, each input drawn uniformly within its "
                     "range, independently of the others.")
    if request.rental_offer_id is None:
        lines.append("GPUs needed include whole spare GPUs (spare_gpu_share of the serving GPUs, rounded up, once "
                     "they are spare_min_serving_gpus or more).")
    if quote.fragile:
        lines.append(f"Fragile break-even, read it as a range: {quote.fragile}.")
    return "\n".join(lines) + "\n"


def _likely_text(value: float, kind: str, key: str) -> str:
    # inf in a bill or a saving: in that share of the draws no replica serves the model
    return "does not fit" if math.isinf(value) and "breakeven" not in key else fmt.figure_text(value, kind)


def _likely_lines(quote: Quote) -> list[str]:
    """The likely range block of the table: one line per figure of ``quoting.LIKELY_FIGURES``, ``P10 to P90``."""
    likely = quote.likely
    if likely is None:
        return []
    figures = {f.key: f for f in FIGURES[quote.request.acquisition]}
    rows = [(figures[key].label, " to ".join(_likely_text(v, figures[key].kind, key) for v in ends))
            for key, ends in likely.ranges.items()]
    width = max(len(label) for label, _ in rows)
    low, high = (f"{p:g}" for p in likely.percentiles)
    return ["", f"likely range (P{low}–P{high} of {likely.draws:,} sampled inputs, seed {likely.seed}):",
            *(f"  {label:<{width}}  {text}" for label, text in rows)]


def _likely_record(likely: quoting.Likely) -> dict[str, object]:
    """The likely block of quote's JSON: the sampling, then ``[P10, P90]`` per figure (null: never, or no replica
    serves in that share of the draws)."""
    return {"draws": likely.draws, "seed": likely.seed, "percentiles": list(likely.percentiles),
            **{key: [v if math.isfinite(v) else None for v in ends] for key, ends in likely.ranges.items()}}


def _request_record(request: QuoteRequest, data_dir: Path) -> dict[str, object]:
    return {"tokens_per_month": request.tokens_per_month, "api_offer_id": request.api_offer_id,
            "model_id": request.model_id, "gpu_id": request.gpu_id, "precision": request.precision,
            "acquisition": request.acquisition, "rental_offer_id": request.rental_offer_id,
            "output_share_override": request.output_share, "data_dir": str(data_dir)}


def render_json(quote: Quote, data_dir: Path) -> str:
    """``{"situation": {...}, "cases": {case: {figure: value}}, "fragile": ..., "likely": {...}}``; a payback or
    break-even that never comes is null. ``likely``: ``draws``, ``seed``, ``percentiles`` ([10, 90]) and
    ``[P10, P90]`` of each of ``quoting.LIKELY_FIGURES``."""
    cases = {case: {k: (v if math.isfinite(v) else None) for k, v in values.items()}
             for case, values in quote.figures.items()}
    record = {"situation": {**_request_record(quote.request, data_dir),
                            "custom": quote.request.custom_record()},
              "cases": cases, "fragile": quote.fragile or None}
    if quote.likely is not None:
        record["likely"] = _likely_record(quote.likely)
    return json.dumps(record, indent=2, allow_nan=False) + "\n"


def render_csv(quote: Quote, data_dir: Path) -> str:
    """One row per case: the situation, then every figure; ``never`` where a payback or break-even never comes."""
    record = _request_record(quote.request, data_dir)
    figures = quote.figures
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = list(next(iter(figures.values())))
    writer.writerow(["case", *record, *columns])
    for case, values in figures.items():
        cells = ["never" if math.isinf(values[c]) else repr(values[c]) for c in columns]
        writer.writerow([case, *("" if v is None else v for v in record.values()), *cells])
    return out.getvalue()


# ---------------------------------------------------------------- the command


# The price rows a quote uses, by file: the column that names them.
_PRICE_KEYS = {"api_prices.csv": "offer_id", "gpu_prices.csv": "gpu_id", "gpu_rentals.csv": "offer_id"}


def stale_by_row(ds) -> list[dict[str, str]]:
    """The dataset's stale-price warnings as ``{"file", "key", "text"}``: the file's name, the offer or GPU
    its row prices and the warning, in the loader's order (``ds``: an :class:`analysis.data.loading.Dataset`)."""
    out = []
    for problem in ds.stale:
        name = Path(problem.file).name
        column = _PRICE_KEYS.get(name)
        if column is not None:
            frame = ds[name.removesuffix(".csv")]
            out.append({"file": name, "key": str(frame.loc[problem.line, column]), "text": str(problem)})
    return out


def _stale_warnings(stale: list[dict[str, str]], request: QuoteRequest) -> list[str]:
    """The warnings about the price rows this quote uses."""
    used = {("api_prices.csv", request.api_offer_id)}
    used.add(("gpu_prices.csv", request.gpu_id) if request.rental_offer_id is None
             else ("gpu_rentals.csv", request.rental_offer_id))
    return [w["text"] for w in stale if (w["file"], w["key"]) in used]


def _validated(data_dir: Path) -> dict | list:
    """``{"record", "stale"}`` of a valid dataset (from the cache when its bytes were validated before), or
    the list of its problems."""
    cache_key = quote_cache.key(data_dir)
    cached = quote_cache.read(cache_key)
    if cached is not None:
        return cached
    from analysis.commands import gate  # pandas and Frictionless: only for a dataset not validated yet
    from analysis.data import loading
    from analysis.evaluation import lookups

    try:
        ds = loading.load(data_dir)
        problems = gate.model_problems(ds)
    except loading.DataValidationError as err:
        problems = err.problems
    if problems:
        return problems
    validated = {"record": lookups.record(ds), "stale": stale_by_row(ds)}
    quote_cache.write(cache_key, validated["record"], validated["stale"])
    return validated


def _usage_error(args: argparse.Namespace, message: str) -> int:
    parser = getattr(args, "quote_parser", None)
    if parser is not None:
        parser.error(message)  # prints usage and the message, exits 2
    print(f"error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Validate the dataset, check the names, run the model and print the quote."""
    data_dir = paths.resolve_data_dir(args.data)
    validated = _validated(data_dir)
    if isinstance(validated, list):
        problems = validated
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"{data_dir}: {len(problems)} {noun} found; nothing was quoted", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    record = validated["record"]
    try:
        request = request_from_args(args)
        check_request(record, request)
    except QuoteUsageError as err:
        return _usage_error(args, str(err))
    try:
        quote = make_quote(record, request)
    except (KeyError, IndexError, ValueError) as err:
        # A what-if dataset can be valid yet outside what the model handles (say, an output share of 0).
        print(f"error: the model cannot price this situation with {data_dir}: {err}", file=sys.stderr)
        return 1
    unserved = unserved_cases(quote)
    if unserved:
        # A figure is a number or "never": a request no replica can serve has neither, so it is refused in words.
        print(f"error: the model cannot price this situation with {data_dir}: no replica of {request.gpu_id} "
              f"serves {request.model_id} at {request.precision} in the {', '.join(unserved)} case(s): none holds "
              "the model and one request while giving each user the speed promised (min_tokens_per_s_per_user)",
              file=sys.stderr)
        return 1
    mix = None
    if getattr(args, "traffic", None) is not None:
        try:
            mix = hybrid_figures(record, request, args.traffic, args.overflow, args.hard_share or 0.0)
        except hybrid.TrafficError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        except QuoteUsageError as err:
            return _usage_error(args, str(err))
    elif getattr(args, "overflow", None) is not None or getattr(args, "hard_share", None) is not None:
        return _usage_error(args, say("hybrid_needs_traffic"))
    life = None
    overrides = {name: getattr(args, name, None) for name in lifetime_model.INPUTS}
    if getattr(args, "lifetime", False) or any(v is not None for v in overrides.values()):
        life = lifetime_figures(record, request, overrides)
    for warning in (*_stale_warnings(validated["stale"], request), *quote.cautions):
        print(f"warning: {warning}", file=sys.stderr)
    if args.format == "json":
        text = render_json(quote, data_dir)
        if mix is not None or life is not None:
            record_out = json.loads(text)
            if mix is not None:
                record_out["hybrid"] = mix
            if life is not None:
                record_out["lifetime"] = life
            text = json.dumps(record_out, indent=2, allow_nan=False) + "\n"
        sys.stdout.write(text)
    elif args.format == "csv":
        sys.stdout.write(render_csv(quote, data_dir))
    else:
        sys.stdout.write(render_table(quote) + ("" if mix is None else render_hybrid(mix))
                         + ("" if life is None else render_lifetime(life)))
    return 0


LIFETIME_FIGURES = (("static_breakeven_api_usd_per_month", "Break-even API spend, one month (USD/month)", "usd"),
                    ("life_breakeven_api_usd_per_month", "Break-even API spend today, over the life (USD/month)",
                     "usd"),
                    ("life_breakeven_tokens_per_month", "Break-even volume today, over the life", "tokens"),
                    ("static_payback_months", "Payback, one month (months)", "months"),
                    ("life_payback_months", "Payback over the life, discounted (months)", "months"),
                    ("api_npv_usd", "API, net present cost over the life (USD)", "usd"),
                    ("selfhost_npv_usd", "Self-hosting, net present cost over the life (USD)", "usd"),
                    ("horizon_months", "Hardware life (months)", "months"))


def lifetime_figures(record: dict, request: QuoteRequest, overrides: dict[str, object]) -> dict[str, object]:
    """The lifetime figures of :mod:`analysis.evaluation.lifetime` for a quote's situation, per case."""
    sit = quoting.request_situation(record, request)
    values = lifetime.case_values(record, overrides)
    result = lifetime.evaluate(sit, values, request.tokens_per_month)
    cases = {case: {key: (float(result[key][i]) if math.isfinite(float(result[key][i])) else None)
                    for key, _, _ in LIFETIME_FIGURES} for i, case in enumerate(CASES)}
    for i, case in enumerate(CASES):
        cases[case].update({name: float(values[name][i]) for name in lifetime_model.INPUTS})
    return {"fleet": "bought" if request.rental_offer_id is None else "rented",
            "rental_offer_id": request.rental_offer_id, "cases": cases}


def render_lifetime(life: dict[str, object]) -> str:
    """The lifetime block of a table quote."""
    cases = life["cases"]
    rented = life["rental_offer_id"] is not None
    inputs = (("api_price_decline_per_year", "API price lost a year"),
              ("gpu_throughput_gain_per_year", "Throughput gained a year"),
              ("volume_growth_per_year", "Volume growth a year"),
              ("rental_price_ratio_per_year", "Rental price a year on / today"))
    rows = [(label, *(f"{cases[c][name]:.2f}" if name == "rental_price_ratio_per_year" else f"{cases[c][name]:.0%}"
                      for c in CASES)) for name, label in inputs
            if rented or name != "rental_price_ratio_per_year"]
    # A rented fleet buys nothing: it has no payback to show.
    rows += [(label, *("never" if cases[c][key] is None else fmt.figure_text(cases[c][key], kind) for c in CASES))
             for key, label, kind in LIFETIME_FIGURES if not (rented and key.endswith("payback_months"))]
    fleet = "bought GPUs" if not rented else f"GPUs rented for the life ({life['rental_offer_id']})"
    return _case_block(f"Over the hardware's life, {fleet} (every month discounted at cost_of_capital_per_year)",
                       rows)


# The hybrid's figures a quote shows, with their words and kinds (formatting.figure_text).
HYBRID_FIGURES = (("all_api_usd_per_month", "All API (USD/month)", "usd"),
                  ("all_selfhost_usd_per_month", "All self-host, sized for the busiest hour (USD/month)", "usd"),
                  ("hybrid_usd_per_month", "Hybrid (USD/month)", "usd"),
                  ("owned_replicas", "Replicas kept (owned or rented)", "gpus"),
                  ("all_selfhost_replicas", "All self-host replicas", "gpus"),
                  ("gpus_per_replica", "GPUs per replica", "gpus"), ("in_house_share", "Tokens served in house",
                                                                     "share"),
                  ("utilization", "Kept replicas' utilisation", "share"),
                  ("peak_to_average", "Peak to average (busiest hour x burst)", "ratio"),
                  ("saving_vs_api", "Hybrid saving vs all API", "share"),
                  ("saving_vs_selfhost", "Hybrid saving vs all self-host", "share"))


def hybrid_figures(record: dict, request: QuoteRequest, traffic: str, overflow: str | None,
                   hard_share: float) -> dict[str, object]:
    """The hybrid of :mod:`analysis.evaluation.hybrid` for a quote's situation, as JSON-ready figures per case."""
    if overflow is not None and overflow not in {a["id"] for a in record["apis"]}:
        raise QuoteUsageError(say("unknown_name", option="--overflow", value=repr(overflow), noun=NOUNS["api"],
                                  names=", ".join(sorted(a["id"] for a in record["apis"]))))
    if hard_share >= 1:
        raise QuoteUsageError(say("hard_share_too_high"))
    load = hybrid.profile(record, traffic)
    sit = quoting.request_situation(record, request)
    over = sit if overflow is None or overflow == request.api_offer_id else quoting.request_situation(
        record, request, overflow)
    result = hybrid.evaluate(sit, over, load, request.tokens_per_month, hard_share)
    cases = {case: {key: (float(result[key][i]) if math.isfinite(float(result[key][i])) else None)
                    for key, _, _ in HYBRID_FIGURES} for i, case in enumerate(CASES)}
    return {"traffic": load.name, "source": load.source, "overflow_offer_id": overflow or request.api_offer_id,
            "hard_share": hard_share, "fleet": "bought" if request.rental_offer_id is None else "rented",
            "rental_offer_id": request.rental_offer_id, "cases": cases}


def _case_block(title: str, rows: list[tuple[str, ...]]) -> str:
    """A titled block of a table quote: a label column, then one right-aligned column per case."""
    rows = [("", *CASES), *rows]
    width = max(len(r[0]) for r in rows)
    cell = max(len(c) for r in rows for c in r[1:])
    lines = ["", title, *(f"{r[0]:<{width}}  " + "  ".join(f"{c:>{cell}}" for c in r[1:]) for r in rows)]
    return "\n".join(lines) + "\n"


def render_hybrid(mix: dict[str, object]) -> str:
    """The hybrid block of a table quote."""
    cases = mix["cases"]

    def text(value: float | None, kind: str) -> str:
        return ("-" if value is None else f"{value:.2f}" if kind == "ratio" else
                f"{value:.1%}" if kind == "share" else fmt.figure_text(value, kind))

    rows = [(label, *(text(cases[c][key], kind) for c in CASES)) for key, label, kind in HYBRID_FIGURES]
    fleet = ("bought GPUs" if mix["rental_offer_id"] is None
             else f"GPUs rented around the clock ({mix['rental_offer_id']})")
    title = (f"Traffic {mix['traffic']} ({mix['source']}), {fleet}; overflow to {mix['overflow_offer_id']}"
             + (f"; {mix['hard_share']:.0%} of tokens kept on the API" if mix["hard_share"] else ""))
    return _case_block(title, rows)
