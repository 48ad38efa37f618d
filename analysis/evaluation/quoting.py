"""One quote: a request (volume, names, the reader's own values) checked against the dataset record and priced
by the model in its three cases (the stress ends and the base case), with the likely range of its main figures
(P10-P90 over the report's draws of every input), as ``quote`` prints it and the calculator mirrors it.

The figures are the spine's outputs for the one volume (:func:`analysis.evaluation.resolve.cases`), read by
name; ``commands/quote.py`` reads the command line and writes the answer, ``report/calculator.py`` embeds what
the page needs to answer the same way (the figures shown, the stand-in price). Nothing here imports pandas: a
quote on a dataset whose record is cached never loads it.
"""

from __future__ import annotations

import dataclasses
import math

from analysis.data.inputs import CUSTOM, CUSTOM_PRICES, CUSTOM_RANGES
from analysis.data.messages import NOUNS, say
from analysis.evaluation import resolve, uncertainty
from analysis.evaluation.resolve import NO_CUSTOM, Custom
from analysis.model import sizing, spine

_OUTPUT_SHARE_ROW = "output_token_share"
_CACHED_SHARE_ROW = "cached_input_share"
# The spine prices a purchase on every call. A GPU that can only be rented gets this stand-in price so the
# call succeeds; no rent_* figure depends on it (tests/commands/test_quote.py checks that) and no buy_*
# figure is shown when renting.
STAND_IN_USD_PER_GPU = 1.0

# What each line of a bill is called in a quote (spine.LINES), by option.
LINE_WORDS = {
    "api": {"input": "input tokens", "cached_input": "cached input tokens", "output": "output tokens"},
    "buy": {"gpus": "GPUs (depreciation and capital)", "servers": "host servers (depreciation and capital)",
            "power": "power", "facility": "colocation", "spares": "spare GPUs with their servers",
            "engineers": "engineers", "downtime": "extra downtime", "networking_storage": "networking and storage",
            "monitoring": "monitoring"},
    "rent": {"gpus": "GPU rental", "engineers": "engineers", "downtime": "extra downtime",
             "networking_storage": "networking and storage", "monitoring": "monitoring"},
}


@dataclasses.dataclass(frozen=True)
class Figure:
    """One row of a quote: the spine's output it shows, its label, how it is written (``usd``, ``months``,
    ``gpus``, ``tokens``) and, for a line of a bill, the bill it is part of."""

    key: str
    label: str
    kind: str
    line_of: str | None = None

    def record(self) -> dict[str, object]:
        return {"key": self.key, "label": self.label, "kind": self.kind, "line_of": self.line_of}


def _lines(option: str, total: str) -> list[Figure]:
    return [Figure(spine.line_key(option, line), LINE_WORDS[option][line], "usd", total)
            for line in spine.LINES[option]]


# The rows of a quote per case, by acquisition: each bill, then its lines.
FIGURES = {
    "buy": [Figure("api_usd_per_month", "API cost (USD/month)", "usd"), *_lines("api", "api_usd_per_month"),
            Figure("buy_usd_per_month", "Self-host cost, buying (USD/month)", "usd"),
            *_lines("buy", "buy_usd_per_month"),
            Figure("buy_savings_usd_per_month", "Savings (USD/month)", "usd"),
            Figure("buy_payback_months", "Payback (months)", "months"),
            Figure("buy_payback_after_writeoff", "Paid back only after the write-off", "flag"),
            Figure("gpus", "GPUs needed", "gpus"),
            Figure("buy_capex_usd", "Purchase (capex, USD)", "usd"),
            Figure("buy_breakeven_tokens_per_month", "Break-even volume (tokens/month)", "tokens"),
            Figure("buy_breakeven_api_usd_per_month", "Break-even API spend (USD/month)", "usd")],
    "rent": [Figure("api_usd_per_month", "API cost (USD/month)", "usd"), *_lines("api", "api_usd_per_month"),
             Figure("rent_usd_per_month", "Self-host cost, renting (USD/month)", "usd"),
             *_lines("rent", "rent_usd_per_month"),
             Figure("rent_savings_usd_per_month", "Savings (USD/month)", "usd"),
             Figure("rent_gpus", "GPUs needed", "gpus"),
             Figure("rent_breakeven_tokens_per_month", "Break-even volume (tokens/month)", "tokens"),
             Figure("rent_breakeven_api_usd_per_month", "Break-even API spend (USD/month)", "usd")],
}


# The figures a quote gives a likely range for, by acquisition: the option's monthly cost and the API's at the
# reader's volume, the savings, the break-even volume and the API spend there.
LIKELY_FIGURES = {option: (f"{option}_usd_per_month", "api_usd_per_month", f"{option}_savings_usd_per_month",
                           f"{option}_breakeven_tokens_per_month", f"{option}_breakeven_api_usd_per_month")
                  for option in ("buy", "rent")}


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
        """Every custom option by name: a price, ``[low, high]`` for a range, None when not given; then every other
        row set by name (``--set``), only when given."""
        ranges = {name: [low, high] for name, low, high in self.custom.ranges}
        return {**{name: getattr(self.custom, name) for name in CUSTOM_PRICES},
                **{name: ranges.get(name) for name in CUSTOM_RANGES},
                **{name: value for name, value in ranges.items() if name not in CUSTOM_RANGES}}


def _require(option: str, value: str, valid: list[str], noun: str) -> None:
    names = sorted(set(valid))
    if value not in names:
        raise QuoteUsageError(say("unknown_name", option=option, value=repr(value), noun=noun, names=", ".join(names)))


def _ids(record: dict, table: str) -> list[str]:
    return [item["id"] for item in record[table]]


def check_request(record: dict, request: QuoteRequest) -> None:
    """Raise :class:`QuoteUsageError` naming the valid choices when the dataset record has no such offer or
    part, or when the reader's own prices do not fit the request."""
    custom = request.custom
    if request.api_offer_id == CUSTOM:
        if custom.usd_per_m_input is None or custom.usd_per_m_output is None:
            raise QuoteUsageError(say("custom_api_needs_prices"))
    else:
        _require("--api", request.api_offer_id, _ids(record, "apis"), NOUNS["api"])
    if request.rental_offer_id is None and custom.usd_per_gpu_hour is not None:
        raise QuoteUsageError(say("gpu_hour_needs_rent"))
    if request.rental_offer_id is not None and custom.usd_per_gpu is not None:
        raise QuoteUsageError(say("gpu_price_needs_buy"))
    _require("--model", request.model_id, _ids(record, "models"), NOUNS["model"])
    _require("--gpu", request.gpu_id, _ids(record, "gpus"), NOUNS["gpu"])
    _require("--precision", request.precision, _ids(record, "precisions"), NOUNS["precision"])
    rentals = record["rentals"]
    offers = sorted(r["id"] for r in rentals if r["gpu_id"] == request.gpu_id)
    offers_text = (say("offers_for_gpu", gpu=request.gpu_id, offers=", ".join(offers)) if offers
                   else say("no_offers_for_gpu", gpu=request.gpu_id))
    if request.rental_offer_id == CUSTOM:
        if custom.usd_per_gpu_hour is None:
            raise QuoteUsageError(say("custom_rent_needs_price"))
    elif request.rental_offer_id is not None:
        rented = next((r["gpu_id"] for r in rentals if r["id"] == request.rental_offer_id), None)
        if rented is None:
            raise QuoteUsageError(say("unknown_rent", offer=repr(request.rental_offer_id), offers=offers_text))
        if rented != request.gpu_id:
            raise QuoteUsageError(say("rent_other_gpu", offer=repr(request.rental_offer_id), rented=rented,
                                      gpu=repr(request.gpu_id), offers=offers_text))
    elif custom.usd_per_gpu is None:
        priced = sorted({g["id"] for g in record["gpus"] if g["purchase"] is not None})
        if request.gpu_id not in priced:
            raise QuoteUsageError(say("no_purchase_price", gpu=repr(request.gpu_id), priced=", ".join(priced),
                                      offers=offers_text))


@dataclasses.dataclass(frozen=True)
class Likely:
    """The likely range of a quote's main figures: P10 and P90 over ``draws`` draws of every input from ``seed``."""

    draws: int
    seed: int
    percentiles: tuple[float, float]  # the levels, percent (uncertainty.LIKELY)
    ranges: dict[str, tuple[float, float]]  # {figure key: (P10, P90)}, keys of LIKELY_FIGURES; inf: never


@dataclasses.dataclass(frozen=True)
class Quote:
    """The model's answer for one request."""

    request: QuoteRequest
    # {case: {"output_token_share": ..., "cached_input_share": ..., "api_usd_per_month": ..., ...}}, the
    # figures under compare()'s own column names; inf where a payback or break-even never comes.
    figures: dict[str, dict[str, float]]
    efficiency_class: str  # the class of benchmarks whose efficiency scales the throughput bound
    fragile: str  # why the break-even is fragile ("" when it is not)
    cautions: tuple[str, ...] = ()  # what the reader should know about the figures (quote prints them as warnings)
    likely: Likely | None = None  # the likely range (P10-P90 of the sampled inputs) of the main figures


def request_situation(record: dict, request: QuoteRequest, api_offer_id: str | None = None) -> spine.Situation:
    """The situation a quote prices: the request's model, GPU and precision, bought or rented as it says (a GPU
    with no purchase price takes :data:`STAND_IN_USD_PER_GPU` when rented: no rent figure reads it), the output
    share's direction chosen for that acquisition. ``api_offer_id`` replaces the request's API (an overflow
    offer priced at the same situation)."""
    stand_in = STAND_IN_USD_PER_GPU if request.rental_offer_id is not None else None
    return resolve.situation(record, request.model_id, request.gpu_id, request.precision,
                             api_offer_id or request.api_offer_id, request.rental_offer_id,
                             output_share=request.output_share, custom=request.custom,
                             stand_in_usd_per_gpu=stand_in, orient_on=request.acquisition)


def make_quote(record: dict, request: QuoteRequest, draws: int = uncertainty.DRAWS) -> Quote:
    """Price the one volume of the request in the three cases (names already checked), and give the likely range
    of its main figures.

    Parameters
    ----------
    record : the dataset record (:func:`analysis.evaluation.lookups.record`).
    request : volume ``V`` in tokens per month, offer and system names, buy or rent, output share.
    draws : how many draws of every input the likely range takes (the report's :data:`uncertainty.DRAWS` unless a
        test asks for fewer), from the report's seed :data:`uncertainty.SEED`.

    Returns
    -------
    Quote
        Per case, the spine's figures (USD per month unless named otherwise):

        - ``api_usd_per_month = V / 1e6 x ((1 - s) x ((1 - c) x p_in + c x p_cached) + s x p_out)``, with
          ``s`` the output share, ``c`` the cached input share and ``p_*`` the offer's USD per million tokens;
        - ``buy_usd_per_month`` (fixed costs + power + amortised purchase of ``gpus``) or
          ``rent_usd_per_month`` (fixed costs + ``rent_gpus x USD per GPU-hour x hours_per_month``);
        - ``*_savings_usd_per_month = api - self-host``;
        - ``buy_payback_months = buy_capex_usd / (api - fixed - power - colocation)``, inf when that is not
          positive, and ``buy_payback_after_writeoff`` (1 when it is longer than the hardware's life, else 0);
        - ``*_breakeven_tokens_per_month``: the smallest volume at which the API costs at least as much
          as self-hosting (inf if never), and ``*_breakeven_api_usd_per_month``, the API bill there;
        - each bill by line (``api_input_usd_per_month``, ``buy_power_usd_per_month``, ...: the spine's
          :data:`analysis.model.spine.LINES`), which add up to the bill.

        and ``likely``: P10 and P90 of each of :data:`LIKELY_FIGURES` over the draws
        (:func:`analysis.evaluation.uncertainty.likely_figures`). The three cases are stress ends (every input at
        once at one end of its range, and the midpoints), the likely range is where 80% of the draws fall.
    """
    sit = request_situation(record, request)
    result = resolve.cases(sit, [request.tokens_per_month])
    outputs = result.outputs
    figures = {}
    for i, case in enumerate(spine.CASES):
        # The shares each case was evaluated at, after the output share's direction was decided.
        values = {_OUTPUT_SHARE_ROW: float(result.values[_OUTPUT_SHARE_ROW][i]),
                  _CACHED_SHARE_ROW: float(result.values[_CACHED_SHARE_ROW][i])}
        for figure in FIGURES[request.acquisition]:
            found = outputs[figure.key]
            values[figure.key] = float(found[i] if found.ndim == 1 else found[i, 0])
        figures[case] = values
    likely = Likely(draws, uncertainty.SEED, uncertainty.LIKELY, uncertainty.likely_figures(
        sit, LIKELY_FIGURES[request.acquisition], request.tokens_per_month, draws, uncertainty.SEED))
    return Quote(request, figures, sit.efficiency_class, result.fragile(record, request.acquisition),
                 cautions(record, sit), likely)


# A replica whose weights take more than this share of the memory its engine may use leaves little for KV cache.
NEARLY_FULL_SHARE = 0.9


def cautions(record: dict, sit: spine.Situation) -> tuple[str, ...]:
    """What the figures rest on that the reader should know: an API offer its provider has retired, a throughput
    extrapolated to a GPU its class's benchmarks never ran on, and weights that nearly fill the smallest
    replica's usable memory (base case)."""
    found = []
    offer = next((a for a in record["apis"] if a["id"] == sit.api_offer_id), None)
    if offer is not None and offer.get("retired_on"):
        found.append(f"{sit.api_offer_id} was retired on {offer['retired_on']}: its price is history "
                     f"({offer['replaced_by']})")
    measured_on = record["efficiency"][sit.efficiency_class].get("gpus", [])
    if sit.gpu_id not in measured_on:
        found.append(f"the {sit.efficiency_class} engine efficiency was measured on {', '.join(measured_on)}, not "
                     f"{sit.gpu_id}: its throughput there is extrapolated")
    values = spine.base_values(sit)
    weights_gb = float(sizing.weights_gb(sit.constants["params_total_b"], values[spine.BITS_PER_PARAM])[0])
    usable_gb = float(sizing.usable_gb_per_gpu(sit.constants["memory_gb"], values["gpu_memory_utilization"],
                                               values["runtime_overhead_gb_per_gpu"])[0])
    replica = float(spine.smallest_replica(sit, values)[0])
    if math.isfinite(replica) and weights_gb > NEARLY_FULL_SHARE * replica * usable_gb:
        found.append(f"the weights ({weights_gb:,.0f} GB) fill {weights_gb / (replica * usable_gb):.0%} of the memory "
                     f"a {replica:.0f}-GPU replica's engine may use (base case): little is left for the KV cache, "
                     "so its batch is small")
    return tuple(found)


def unserved_cases(quote: Quote) -> list[str]:
    """The cases in which no replica holds the model and one request (their GPU count is not a number)."""
    column = "gpus" if quote.request.acquisition == "buy" else "rent_gpus"
    return [case for case, figures in quote.figures.items() if not math.isfinite(figures[column])]
