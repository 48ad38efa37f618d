"""``python -m analysis quote``: price one situation in about a second, straight from the model.

A situation is a monthly volume, an API offer, an open model at a precision on a GPU type, and buying
or renting those GPUs. Every figure printed comes from :func:`analysis.scenarios.compare` for that one
volume, in the model's three cases: ``favourable`` (every ranged input at the end that makes
self-hosting cheaper), ``base`` (midpoints) and ``unfavourable``.

The dataset is validated exactly as ``python -m analysis validate`` does; no notebook kernel and no
chart library is imported.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import gate, loading, paths, scenarios
from analysis.model import spine
from analysis.quote_cli import CUSTOM, CUSTOM_PRICES, CUSTOM_RANGES, TOKEN_SUFFIXES
from analysis.situation import NO_CUSTOM, Custom

_OUTPUT_SHARE_ROW = "output_token_share"
_CACHED_SHARE_ROW = "cached_input_share"
# compare() prices a purchase on every call. A GPU that can only be rented gets this stand-in price so
# the call succeeds; no rent_* figure depends on it (tests/test_quote.py checks that) and no buy_*
# figure is shown when renting.
STAND_IN_USD_PER_GPU = 1.0

# Figures quoted per case: (column of compare().table or .breakeven, label, kind) by acquisition.
FIGURES = {
    "buy": [("api_usd_per_month", "API cost (USD/month)", "usd"),
            ("buy_usd_per_month", "Self-host cost, buying (USD/month)", "usd"),
            ("buy_savings_usd_per_month", "Savings (USD/month)", "usd"),
            ("buy_payback_months", "Payback (months)", "months"),
            ("gpus", "GPUs needed", "gpus"),
            ("buy_capex_usd", "Purchase (capex, USD)", "usd"),
            ("buy_breakeven_tokens_per_month", "Break-even volume (tokens/month)", "tokens"),
            ("buy_breakeven_api_usd_per_month", "Break-even API spend (USD/month)", "usd")],
    "rent": [("api_usd_per_month", "API cost (USD/month)", "usd"),
             ("rent_usd_per_month", "Self-host cost, renting (USD/month)", "usd"),
             ("rent_savings_usd_per_month", "Savings (USD/month)", "usd"),
             ("rent_gpus", "GPUs needed", "gpus"),
             ("rent_breakeven_tokens_per_month", "Break-even volume (tokens/month)", "tokens"),
             ("rent_breakeven_api_usd_per_month", "Break-even API spend (USD/month)", "usd")],
}


class QuoteUsageError(ValueError):
    """A name or combination the dataset does not offer; reported like an argparse error (exit 2)."""


# ---------------------------------------------------------------- the situation and the model


@dataclasses.dataclass(frozen=True)
class Situation:
    """What is being quoted, with names checked against the dataset."""

    tokens_per_month: float
    api_offer_id: str
    model_id: str
    gpu_id: str
    precision: str
    rental_offer_id: str | None  # None: buy
    output_share: float | None  # None: the range in assumptions.csv
    custom: Custom = NO_CUSTOM  # the reader's own prices and ranges

    @property
    def acquisition(self) -> str:
        return "buy" if self.rental_offer_id is None else "rent"

    def custom_record(self) -> dict[str, object]:
        """Every custom option by name: a price, ``[low, high]`` for a range, None when not given."""
        ranges = {name: [low, high] for name, low, high in self.custom.ranges}
        return {**{name: getattr(self.custom, name) for name in CUSTOM_PRICES},
                **{name: ranges.get(name) for name in CUSTOM_RANGES}}


def situation_from_args(args: argparse.Namespace) -> Situation:
    """The situation the parsed ``quote`` options describe (names not yet checked: :func:`check_situation`)."""
    return Situation(args.tokens_per_month, args.api, args.model, args.gpu, args.precision, args.rent,
                     args.output_share, custom_from_args(args))


def custom_from_args(args: argparse.Namespace) -> Custom:
    """The reader's own prices and ranges from the parsed options (None where not given)."""
    ranges = tuple((name, *getattr(args, name)) for name in CUSTOM_RANGES if getattr(args, name, None) is not None)
    return Custom(**{name: getattr(args, name, None) for name in CUSTOM_PRICES}, ranges=ranges)


def _require(option: str, value: str, valid: pd.Series, noun: str) -> None:
    names = sorted(set(valid))
    if value not in names:
        raise QuoteUsageError(f"unknown {option} {value!r}: valid {noun} are {', '.join(names)}")


def check_situation(ds: loading.Dataset, situation: Situation) -> None:
    """Raise :class:`QuoteUsageError` naming the valid choices when the dataset has no such offer or part,
    or when the reader's own prices do not fit the situation."""
    custom = situation.custom
    if situation.api_offer_id == CUSTOM:
        if custom.usd_per_m_input is None or custom.usd_per_m_output is None:
            raise QuoteUsageError("--api custom needs --usd-per-m-input and --usd-per-m-output")
    else:
        _require("--api", situation.api_offer_id, ds["api_prices"]["offer_id"], "API offers")
    if situation.rental_offer_id is None and custom.usd_per_gpu_hour is not None:
        raise QuoteUsageError("--usd-per-gpu-hour prices a rental: add --rent OFFER_ID, or --rent custom")
    if situation.rental_offer_id is not None and custom.usd_per_gpu is not None:
        raise QuoteUsageError("--usd-per-gpu prices a purchase: leave out --rent to buy the GPUs")
    _require("--model", situation.model_id, ds["models"]["model_id"], "models")
    _require("--gpu", situation.gpu_id, ds["gpus"]["gpu_id"], "GPUs")
    _require("--precision", situation.precision, ds["precisions"]["precision"], "precisions")
    rentals = ds["gpu_rentals"]
    offers = sorted(rentals.loc[rentals["gpu_id"] == situation.gpu_id, "offer_id"])
    offers_text = (f"valid rental offers for {situation.gpu_id} are {', '.join(offers)}" if offers
                   else f"gpu_rentals.csv has no offer for {situation.gpu_id}")
    if situation.rental_offer_id == CUSTOM:
        if custom.usd_per_gpu_hour is None:
            raise QuoteUsageError("--rent custom needs --usd-per-gpu-hour")
    elif situation.rental_offer_id is not None:
        rented = rentals.set_index("offer_id")["gpu_id"].get(situation.rental_offer_id)
        if rented is None:
            raise QuoteUsageError(f"unknown --rent {situation.rental_offer_id!r}: {offers_text}")
        if rented != situation.gpu_id:
            raise QuoteUsageError(f"--rent {situation.rental_offer_id!r} rents {rented}, not --gpu "
                                  f"{situation.gpu_id!r}: {offers_text}")
    elif custom.usd_per_gpu is None and situation.gpu_id not in set(ds["gpu_prices"]["gpu_id"]):
        priced = ", ".join(sorted(set(ds["gpu_prices"]["gpu_id"])))
        raise QuoteUsageError(f"gpu_prices.csv has no purchase price for --gpu {situation.gpu_id!r} (GPUs with a "
                              f"price: {priced}); give one with --usd-per-gpu, or rent it with --rent instead: "
                              f"{offers_text}")


def _with_stand_in_price(ds: loading.Dataset, gpu_id: str) -> loading.Dataset:
    """Add a purchase price row for a GPU that has none, so :func:`scenarios.compare` can run for renting.
    One such dataset per GPU, kept with ``ds``, so what it derives (the calibration) is computed once."""
    prices = ds["gpu_prices"]
    if (prices["gpu_id"] == gpu_id).any():
        return ds

    def with_row(ds: loading.Dataset) -> loading.Dataset:
        row = pd.DataFrame([{"gpu_id": gpu_id, "condition": "stand-in", "usd_low": STAND_IN_USD_PER_GPU,
                             "usd_high": STAND_IN_USD_PER_GPU}], columns=prices.columns)
        tables = {**ds.tables, "gpu_prices": pd.concat([prices, row], ignore_index=True)}
        return dataclasses.replace(ds, tables=tables)

    return ds.derived(f"stand-in price for {gpu_id}", with_row)


@dataclasses.dataclass(frozen=True)
class Quote:
    """The model's answer for one situation."""

    situation: Situation
    # {case: {"output_token_share": ..., "cached_input_share": ..., "api_usd_per_month": ..., ...}}, the
    # figures under compare()'s own column names; inf where a payback or break-even never comes.
    figures: dict[str, dict[str, float]]
    efficiency_class: str  # the class of benchmarks whose efficiency scales the throughput bound
    fragile: str  # why the break-even is fragile ("" when it is not)


def make_quote(ds: loading.Dataset, situation: Situation) -> Quote:
    """Run :func:`scenarios.compare` for the one volume of the situation (names already checked).

    Parameters
    ----------
    ds : a validated dataset.
    situation : volume ``V`` in tokens per month, offer and system names, buy or rent, output share.

    Returns
    -------
    Quote
        Per case, the figures ``compare`` computes (USD per month unless named otherwise):

        - ``api_usd_per_month = V / 1e6 x ((1 - s) x ((1 - c) x p_in + c x p_cached) + s x p_out)``, with
          ``s`` the output share, ``c`` the cached input share and ``p_*`` the offer's USD per million tokens;
        - ``buy_usd_per_month`` (fixed costs + power + amortised purchase of ``gpus``) or
          ``rent_usd_per_month`` (fixed costs + ``rent_gpus x USD per GPU-hour x hours_per_month``);
        - ``*_savings_usd_per_month = api - self-host``;
        - ``buy_payback_months = buy_capex_usd / (api - fixed - power)``, inf when that is not positive;
        - ``*_breakeven_tokens_per_month``: the smallest volume at which the API costs at least as much
          as self-hosting (inf if never), and ``*_breakeven_api_usd_per_month``, the API bill there.
    """
    if situation.rental_offer_id is not None:
        ds = _with_stand_in_price(ds, situation.gpu_id)
    result = scenarios.compare(ds, situation.model_id, situation.gpu_id, situation.precision,
                               situation.api_offer_id, tokens_per_month=np.array([situation.tokens_per_month]),
                               rental_offer_id=situation.rental_offer_id, output_share=situation.output_share,
                               custom=situation.custom)
    table = result.table.set_index("case")
    breakeven = result.breakeven.set_index("case")
    # The shares each case was evaluated at, after the output share's direction was decided.
    shares = spine.case_values(result.situation)
    figures = {}
    for i, case in enumerate(scenarios.CASES):
        values = {_OUTPUT_SHARE_ROW: float(shares[_OUTPUT_SHARE_ROW][i]),
                  _CACHED_SHARE_ROW: float(shares[_CACHED_SHARE_ROW][i])}
        for column, _, _ in FIGURES[situation.acquisition]:
            source = table if column in table.columns else breakeven
            values[column] = float(source.loc[case, column])
        figures[case] = values
    return Quote(situation, figures, result.system.efficiency_class,
                 str(result.breakeven[f"{situation.acquisition}_fragile"].iloc[0]))


def unserved_cases(quote: Quote) -> list[str]:
    """The cases in which no replica holds the model and one request (their GPU count is not a number)."""
    column = "gpus" if quote.situation.acquisition == "buy" else "rent_gpus"
    return [case for case, figures in quote.figures.items() if not math.isfinite(figures[column])]


# ---------------------------------------------------------------- output


def _usd_text(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "never"
    return f"{'-' if value < 0 else ''}${abs(value):,.0f}"


def tokens_text(tokens: float) -> str:
    """``500M``, ``2B``, ``1.23T``: three significant digits with the largest suffix that fits."""
    if math.isnan(tokens):
        return "n/a"
    if math.isinf(tokens):
        return "never"
    for suffix, multiplier in sorted(TOKEN_SUFFIXES.items(), key=lambda item: -item[1]):
        if abs(tokens) >= multiplier:
            return f"{tokens / multiplier:.3g}{suffix}"
    return f"{tokens:.3g}"


def _cell_text(value: float, kind: str) -> str:
    if kind == "usd":
        return _usd_text(value)
    if kind == "tokens":
        return tokens_text(value)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "never" if kind == "months" else "does not fit"
    return f"{value:,.1f}" if kind == "months" else f"{value:g}"


def _share_text(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.0%}" if low == high else f"{low:.0%}–{high:.0%}"


def render_table(quote: Quote) -> str:
    """Readable plain text: one row per figure, one column per case."""
    situation, figures = quote.situation, quote.figures
    how = "bought" if situation.rental_offer_id is None else f"rented ({situation.rental_offer_id})"
    out_shares = [figures[c][_OUTPUT_SHARE_ROW] for c in scenarios.CASES]
    cached = [figures[c][_CACHED_SHARE_ROW] for c in scenarios.CASES]
    origin = "--output-share" if situation.output_share is not None else "assumptions.csv"
    lines = [f"{situation.model_id} ({situation.precision}) on {situation.gpu_id}, {how}, "
             f"vs the {situation.api_offer_id} API",
             f"{tokens_text(situation.tokens_per_month)} tokens/month (input + output); output share "
             f"{_share_text(out_shares)} ({origin}); cached input share {_share_text(cached)}",
             f"throughput: bound x the engine efficiency of the {quote.efficiency_class} benchmarks"]
    given = {k: v for k, v in situation.custom_record().items() if v is not None}
    if given:
        lines.append("your own values: " + ", ".join(
            f"{k} = {v[0]:g}" if isinstance(v, list) and v[0] == v[1] else
            f"{k} = {v[0]:g} to {v[1]:g}" if isinstance(v, list) else f"{k} = {v:g}" for k, v in given.items()))
    lines.append("")
    rows = [("", *scenarios.CASES)]
    rows += [(label, *(_cell_text(figures[c][column], kind) for c in scenarios.CASES))
             for column, label, kind in FIGURES[situation.acquisition]]
    label_width = max(len(r[0]) for r in rows)
    case_width = max(len(cell) for r in rows for cell in r[1:])
    lines += [f"{r[0]:<{label_width}}  " + "  ".join(f"{cell:>{case_width}}" for cell in r[1:]) for r in rows]
    lines += ["", "favourable / unfavourable: every ranged input at the end that makes self-hosting "
              "cheaper / dearer; base: midpoints."]
    if situation.rental_offer_id is None:
        lines.append("GPUs needed include whole spare GPUs (spare_gpu_share of the serving GPUs, rounded up).")
    if quote.fragile:
        lines.append(f"Fragile break-even, read it as a range: {quote.fragile}.")
    return "\n".join(lines) + "\n"


def _situation_record(situation: Situation, data_dir: Path) -> dict[str, object]:
    return {"tokens_per_month": situation.tokens_per_month, "api_offer_id": situation.api_offer_id,
            "model_id": situation.model_id, "gpu_id": situation.gpu_id, "precision": situation.precision,
            "acquisition": situation.acquisition, "rental_offer_id": situation.rental_offer_id,
            "output_share_override": situation.output_share, "data_dir": str(data_dir)}


def render_json(quote: Quote, data_dir: Path) -> str:
    """``{"situation": {...}, "cases": {case: {figure: value}}}``; a payback or break-even that never comes is null."""
    cases = {case: {k: (v if math.isfinite(v) else None) for k, v in values.items()}
             for case, values in quote.figures.items()}
    record = {"situation": {**_situation_record(quote.situation, data_dir),
                            "custom": quote.situation.custom_record()},
              "cases": cases, "fragile": quote.fragile or None}
    return json.dumps(record, indent=2, allow_nan=False) + "\n"


def render_csv(quote: Quote, data_dir: Path) -> str:
    """One row per case: the situation, then every figure; ``never`` where a payback or break-even never comes."""
    record = _situation_record(quote.situation, data_dir)
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


def _stale_warnings(ds: loading.Dataset, situation: Situation) -> list[loading.Problem]:
    """Staleness warnings about the price rows this quote uses."""
    used = {"api_prices.csv": ("offer_id", situation.api_offer_id)}
    if situation.rental_offer_id is None:
        used["gpu_prices.csv"] = ("gpu_id", situation.gpu_id)
    else:
        used["gpu_rentals.csv"] = ("offer_id", situation.rental_offer_id)
    lines = {}
    for file_name, (column, value) in used.items():
        frame = ds[file_name.removesuffix(".csv")]
        lines[file_name] = set(frame.index[frame[column] == value])
    return [p for p in ds.stale if p.line in lines.get(Path(p.file).name, set())]


def _usage_error(args: argparse.Namespace, message: str) -> int:
    parser = getattr(args, "quote_parser", None)
    if parser is not None:
        parser.error(message)  # prints usage and the message, exits 2
    print(f"error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Validate the dataset, check the names, run the model and print the quote."""
    data_dir = paths.resolve_data_dir(args.data)
    try:
        ds = loading.load(data_dir)
        problems = gate.model_problems(ds)
    except loading.DataValidationError as err:
        problems = err.problems
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"{data_dir}: {len(problems)} {noun} found; nothing was quoted", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    situation = situation_from_args(args)
    try:
        check_situation(ds, situation)
    except QuoteUsageError as err:
        return _usage_error(args, str(err))
    try:
        quote = make_quote(ds, situation)
    except (KeyError, IndexError, ValueError) as err:
        # A what-if dataset can be valid yet outside what the model handles (say, an output share of 0).
        print(f"error: the model cannot price this situation with {data_dir}: {err}", file=sys.stderr)
        return 1
    unserved = unserved_cases(quote)
    if unserved:
        # A figure is a number or "never": a situation no replica can serve has neither, so it is refused in words.
        print(f"error: the model cannot price this situation with {data_dir}: no replica of {situation.gpu_id} "
              f"serves {situation.model_id} at {situation.precision} in the {', '.join(unserved)} case(s)",
              file=sys.stderr)
        return 1
    for warning in _stale_warnings(ds, situation):
        print(f"warning: {warning}", file=sys.stderr)
    if args.format == "json":
        sys.stdout.write(render_json(quote, data_dir))
    elif args.format == "csv":
        sys.stdout.write(render_csv(quote, data_dir))
    else:
        sys.stdout.write(render_table(quote))
    return 0
