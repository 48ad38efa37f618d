"""One quote: a request (volume, names, the reader's own values) checked against the dataset and priced by the
model in its three cases, as ``quote`` prints it and the calculator mirrors it.

The figures come from :func:`analysis.evaluation.scenarios.compare` for the one volume; ``commands/quote.py``
reads the command line and writes the answer, ``report/calculator.py`` embeds what the page needs to answer the
same way (the figures shown, the stand-in price).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from analysis.data import loading
from analysis.data.inputs import CUSTOM, CUSTOM_PRICES, CUSTOM_RANGES
from analysis.data.messages import say
from analysis.evaluation import scenarios
from analysis.evaluation.situation import NO_CUSTOM, Custom
from analysis.model import spine

_OUTPUT_SHARE_ROW = "output_token_share"
_CACHED_SHARE_ROW = "cached_input_share"
# compare() prices a purchase on every call. A GPU that can only be rented gets this stand-in price so
# the call succeeds; no rent_* figure depends on it (tests/commands/test_quote.py checks that) and no buy_*
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


# ---------------------------------------------------------------- the request and the model


@dataclasses.dataclass(frozen=True)
class QuoteRequest:
    """What is being quoted: a volume, an API offer, an open model at a precision on a GPU, buying or renting,
    and the reader's own prices and ranges (names checked against the dataset by :func:`check_request`)."""

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


def _require(option: str, value: str, valid: pd.Series, noun: str) -> None:
    names = sorted(set(valid))
    if value not in names:
        raise QuoteUsageError(say("unknown_name", option=option, value=repr(value), noun=noun, names=", ".join(names)))


def check_request(ds: loading.Dataset, request: QuoteRequest) -> None:
    """Raise :class:`QuoteUsageError` naming the valid choices when the dataset has no such offer or part,
    or when the reader's own prices do not fit the request."""
    custom = request.custom
    if request.api_offer_id == CUSTOM:
        if custom.usd_per_m_input is None or custom.usd_per_m_output is None:
            raise QuoteUsageError(say("custom_api_needs_prices"))
    else:
        _require("--api", request.api_offer_id, ds["api_prices"]["offer_id"], "API offers")
    if request.rental_offer_id is None and custom.usd_per_gpu_hour is not None:
        raise QuoteUsageError(say("gpu_hour_needs_rent"))
    if request.rental_offer_id is not None and custom.usd_per_gpu is not None:
        raise QuoteUsageError(say("gpu_price_needs_buy"))
    _require("--model", request.model_id, ds["models"]["model_id"], "models")
    _require("--gpu", request.gpu_id, ds["gpus"]["gpu_id"], "GPUs")
    _require("--precision", request.precision, ds["precisions"]["precision"], "precisions")
    rentals = ds["gpu_rentals"]
    offers = sorted(rentals.loc[rentals["gpu_id"] == request.gpu_id, "offer_id"])
    offers_text = (say("offers_for_gpu", gpu=request.gpu_id, offers=", ".join(offers)) if offers
                   else say("no_offers_for_gpu", gpu=request.gpu_id))
    if request.rental_offer_id == CUSTOM:
        if custom.usd_per_gpu_hour is None:
            raise QuoteUsageError(say("custom_rent_needs_price"))
    elif request.rental_offer_id is not None:
        rented = rentals.set_index("offer_id")["gpu_id"].get(request.rental_offer_id)
        if rented is None:
            raise QuoteUsageError(say("unknown_rent", offer=repr(request.rental_offer_id), offers=offers_text))
        if rented != request.gpu_id:
            raise QuoteUsageError(say("rent_other_gpu", offer=repr(request.rental_offer_id), rented=rented,
                                      gpu=repr(request.gpu_id), offers=offers_text))
    elif custom.usd_per_gpu is None and request.gpu_id not in set(ds["gpu_prices"]["gpu_id"]):
        priced = ", ".join(sorted(set(ds["gpu_prices"]["gpu_id"])))
        raise QuoteUsageError(say("no_purchase_price", gpu=repr(request.gpu_id), priced=priced, offers=offers_text))


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
    """The model's answer for one request."""

    request: QuoteRequest
    # {case: {"output_token_share": ..., "cached_input_share": ..., "api_usd_per_month": ..., ...}}, the
    # figures under compare()'s own column names; inf where a payback or break-even never comes.
    figures: dict[str, dict[str, float]]
    efficiency_class: str  # the class of benchmarks whose efficiency scales the throughput bound
    fragile: str  # why the break-even is fragile ("" when it is not)


def make_quote(ds: loading.Dataset, request: QuoteRequest) -> Quote:
    """Run :func:`scenarios.compare` for the one volume of the request (names already checked).

    Parameters
    ----------
    ds : a validated dataset.
    request : volume ``V`` in tokens per month, offer and system names, buy or rent, output share.

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
    if request.rental_offer_id is not None:
        ds = _with_stand_in_price(ds, request.gpu_id)
    result = scenarios.compare(ds, request.model_id, request.gpu_id, request.precision,
                               request.api_offer_id, tokens_per_month=np.array([request.tokens_per_month]),
                               rental_offer_id=request.rental_offer_id, output_share=request.output_share,
                               custom=request.custom)
    table = result.table.set_index("case")
    breakeven = result.breakeven.set_index("case")
    # The shares each case was evaluated at, after the output share's direction was decided.
    shares = spine.case_values(result.situation)
    figures = {}
    for i, case in enumerate(scenarios.CASES):
        values = {_OUTPUT_SHARE_ROW: float(shares[_OUTPUT_SHARE_ROW][i]),
                  _CACHED_SHARE_ROW: float(shares[_CACHED_SHARE_ROW][i])}
        for column, _, _ in FIGURES[request.acquisition]:
            source = table if column in table.columns else breakeven
            values[column] = float(source.loc[case, column])
        figures[case] = values
    return Quote(request, figures, result.system.efficiency_class,
                 str(result.breakeven[f"{request.acquisition}_fragile"].iloc[0]))


def unserved_cases(quote: Quote) -> list[str]:
    """The cases in which no replica holds the model and one request (their GPU count is not a number)."""
    column = "gpus" if quote.request.acquisition == "buy" else "rent_gpus"
    return [case for case, figures in quote.figures.items() if not math.isfinite(figures[column])]
