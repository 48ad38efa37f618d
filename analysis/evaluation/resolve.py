"""From the dataset record and a few names to a :class:`analysis.model.spine.Situation`: the one place a
situation is made.

The **dataset record** is every row the model reads, as plain JSON-able data (built once per dataset by
:func:`analysis.evaluation.lookups.record`): ``models``, ``gpus`` (each with the purchase price it is priced
at, or None), ``precisions``, ``apis``, ``rentals``, ``assumptions`` (``name -> {low, high, unit, label}``)
and ``efficiency`` (``class -> {low, base, high, benchmarks}``). A missing number is None. The chapters, ``quote``
and the calculator page all price from it: the page embeds it, ``quote`` reads it from its cache without
pandas, and its JavaScript twin resolves from the same fields in the same order.

Nothing here imports pandas or reads a file.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.data.inputs import CUSTOM
from analysis.data.messages import say
from analysis.model import spine

# +1: a higher value makes self-hosting cheaper relative to the API; -1: dearer; 0: takes no side.
DIRECTION = {
    "hours_per_month": 0, "work_hours_per_year": 0, "amortization_months": +1, "residual_value_share": +1,
    "cost_of_capital_per_year": -1, "ml_engineer_usd_per_year": -1, "engineer_allocation": -1,
    "gpus_per_engineer": +1, "electricity_usd_per_kwh": -1, "pue": -1, "server_power_factor": -1,
    "networking_storage_usd_per_month": -1, "monitoring_usd_per_month": -1, "spare_gpus": -1,
    "spare_gpu_share": -1, "selfhost_uptime": +1, "api_uptime": -1, "revenue_at_risk_usd_per_month": -1,
    "output_token_share": +1, "cached_input_share": -1, "peak_to_average": -1, "target_utilization": +1,
    "context_tokens": -1, "concurrent_sequences": -1, "kv_bytes_per_value": -1, "gpu_memory_utilization": +1,
    "runtime_overhead_gb_per_gpu": -1, "tokens_per_request": 0, "max_batch_sequences": +1,
    "server_usd_per_gpu": -1, "colocation_usd_per_kw_month": -1, "oncall_engineers_min": -1,
    "min_tokens_per_s_per_user": -1, "spare_min_serving_gpus": +1,
}
# Rows of assumptions.csv the spine reads.
MODEL_ASSUMPTIONS = (
    "context_tokens", "concurrent_sequences", "kv_bytes_per_value", "gpu_memory_utilization",
    "runtime_overhead_gb_per_gpu", "max_batch_sequences", "tokens_per_request", "output_token_share",
    "cached_input_share", "peak_to_average", "target_utilization", "hours_per_month", "amortization_months",
    "residual_value_share", "cost_of_capital_per_year", "ml_engineer_usd_per_year", "engineer_allocation",
    "gpus_per_engineer", "electricity_usd_per_kwh", "pue", "server_power_factor",
    "networking_storage_usd_per_month", "monitoring_usd_per_month", "spare_gpu_share", "selfhost_uptime",
    "api_uptime", "revenue_at_risk_usd_per_month", "server_usd_per_gpu", "colocation_usd_per_kw_month",
    "oncall_engineers_min", "min_tokens_per_s_per_user", "spare_min_serving_gpus",
)
# Rows of assumptions.csv that say when a break-even is fragile (their low end; :func:`fragility`).
FRAGILITY_ROWS = ("fragile_margin_ratio", "fragile_case_spread")
# The engine class every situation is priced with: the tuned engines' benchmarks calibrate the bound.
DEFAULT_ENGINE_CLASS = "tuned"
# GPUs billed at a time by a custom rental: one, by the hour.
CUSTOM_GPUS_PER_INSTANCE = 1.0


class UnknownName(ValueError):
    """An identifier that is not in its file (the message lists the valid ones)."""


@dataclass(frozen=True)
class Custom:
    """A reader's own prices and input ranges, laid over the dataset's (None: the dataset's value).

    API prices in USD per million tokens override the offer's (with the offer id ``custom``, input and
    output are required and there is no offer underneath); ``usd_per_gpu`` pins the purchase price and
    ``usd_per_gpu_hour`` the rental rate (required with the rental offer id ``custom``, single GPUs by
    the hour). ``ranges`` gives ``(name, low, high)`` for rows of ``assumptions.csv`` the model reads.
    """

    usd_per_m_input: float | None = None
    usd_per_m_output: float | None = None
    usd_per_m_cached_input: float | None = None
    usd_per_gpu: float | None = None
    usd_per_gpu_hour: float | None = None
    ranges: tuple[tuple[str, float, float], ...] = ()

    def range_of(self, name: str) -> tuple[float, float] | None:
        for item, low, high in self.ranges:
            if item == name:
                return low, high
        return None


NO_CUSTOM = Custom()


def number(value: float | None) -> float:
    """A record's number as a float: None (a missing cell) is NaN."""
    return math.nan if value is None else float(value)


def entry(record: dict, table: str, key: str, argument: str) -> dict:
    """The row of ``record[table]`` whose ``id`` is ``key`` (the first, if repeated).

    Raises :class:`UnknownName` naming the argument, the file and the valid ids when there is none.
    """
    rows = record[table]
    for item in rows:
        if item["id"] == key:
            return item
    valid = ", ".join(sorted({str(item["id"]) for item in rows}))
    raise UnknownName(f"{argument} {key!r} is not in {_FILES[table]} (valid: {valid})")


_FILES = {"models": "models.csv", "gpus": "gpus.csv", "precisions": "precisions.csv", "apis": "api_prices.csv",
          "rentals": "gpu_rentals.csv"}


def assumption_range(record: dict, name: str) -> tuple[float, float, str]:
    """``(low, high, unit)`` of one row of ``assumptions.csv``."""
    rows = record["assumptions"]
    if name not in rows:
        raise UnknownName(f"assumption {name!r} is not in assumptions.csv (valid: {', '.join(sorted(rows))})")
    item = rows[name]
    return float(item["low"]), float(item["high"]), str(item["unit"])


def tensor_tflops(gpu: dict, precision: str) -> float:
    """Dense tensor rate a precision runs at: FP8 units where the GPU has them (8-bit and 4-bit), else BF16.

    ``gpu`` is a row of the record's ``gpus`` (or of ``gpus.csv``: anything indexed by column name).
    """
    fp8 = number(gpu["fp8_dense_tflops"])
    return fp8 if precision != "fp16" and not math.isnan(fp8) else float(gpu["bf16_dense_tflops"])


def _input(name: str, low: float, high: float, unit: str, source: str, direction: int | None = None,
           base: float | None = None) -> spine.Input:
    return spine.Input(name, low, high, spine.base_of(low, high, unit) if base is None else base, unit, source,
                       DIRECTION.get(name, 0) if direction is None else direction)


def _api_prices(record: dict, api_offer_id: str | None, custom: Custom) -> dict[str, float]:
    """USD per million input, output and cached-input tokens: the offer's, then the reader's over them."""
    names = ("usd_per_m_input", "usd_per_m_output", "usd_per_m_cached_input")
    if api_offer_id is None or api_offer_id == CUSTOM:
        prices = dict.fromkeys(names, math.nan)
    else:
        offer = entry(record, "apis", api_offer_id, "api_offer_id")
        prices = {name: number(offer[name]) for name in names}
    for name in names:
        given = getattr(custom, name)
        if given is not None:
            prices[name] = float(given)
    if api_offer_id == CUSTOM and (math.isnan(prices["usd_per_m_input"]) or math.isnan(prices["usd_per_m_output"])):
        raise ValueError("a custom API needs its input and output prices (usd_per_m_input, usd_per_m_output)")
    return prices


def situation(record: dict, model_id: str, gpu_id: str, precision: str, api_offer_id: str | None,
              rental_offer_id: str | None = None, output_share: float | None = None, orient: bool = True,
              custom: Custom = NO_CUSTOM, stand_in_usd_per_gpu: float | None = None,
              orient_on: str = "buy") -> spine.Situation:
    """Check the names against the dataset record and collect every constant and input range of one situation.

    ``api_offer_id`` None resolves the GPUs alone (sizing and throughput; API prices are NaN).
    ``output_share`` pins the output share (every case); otherwise its range comes from
    ``assumptions.csv`` and, with ``orient``, its direction is decided here: the end at which ``orient_on``
    (``buy``, or ``rent`` for a quote of a rental) breaks even at the lower volume (base case) is the favourable
    one, because more output raises the bill of an API that charges more for output and also slows the GPUs.
    ``custom`` lays the reader's prices and ranges over the dataset's (:class:`Custom`).
    ``stand_in_usd_per_gpu`` prices a GPU that has no purchase price (``quote`` renting one: no rent figure
    depends on it); without it such a GPU is refused.
    Raises :class:`UnknownName` for an identifier not in its file, ValueError for a GPU without a
    purchase price or a rental offer for another GPU.
    """
    model = entry(record, "models", model_id, "model_id")
    gpu = entry(record, "gpus", gpu_id, "gpu_id")
    bits = entry(record, "precisions", precision, "precision")
    api = _api_prices(record, api_offer_id, custom)
    unknown = sorted({name for name, _, _ in custom.ranges} - set(MODEL_ASSUMPTIONS))
    if unknown:
        raise ValueError(f"custom ranges for inputs the model does not read: {', '.join(unknown)}")
    purchase = gpu["purchase"]
    if custom.usd_per_gpu is not None:
        price_low = price_high = float(custom.usd_per_gpu)
        price_source = f"custom ({gpu['gpu_name']})"
    elif purchase is not None:
        price_low, price_high = float(purchase["usd_low"]), float(purchase["usd_high"])
        price_source = f"gpu_prices.csv ({gpu['gpu_name']}, {purchase['condition']})"
    elif stand_in_usd_per_gpu is not None:
        price_low = price_high = float(stand_in_usd_per_gpu)
        price_source = f"stand-in ({gpu['gpu_name']} has no purchase price)"
    else:
        raise ValueError(f"gpu_id {gpu_id!r} has no purchase price in gpu_prices.csv")
    inputs = []
    for name in MODEL_ASSUMPTIONS:
        low, high, unit = assumption_range(record, name)
        source = "assumptions.csv"
        own = custom.range_of(name)
        if name == spine.OUTPUT_SHARE and output_share is not None:
            low = high = float(output_share)
        elif own is not None:
            (low, high), source = own, "custom"
        inputs.append(_input(name, low, high, unit, source))
    inputs.append(_input(spine.USD_PER_GPU, price_low, price_high, "USD/GPU", price_source, direction=-1))
    inputs.append(_input(spine.BITS_PER_PARAM, float(bits["bits_per_param_low"]), float(bits["bits_per_param_high"]),
                         "bits", f"precisions.csv ({precision.upper()})", direction=-1))
    efficiency_class = f"{model['architecture']}/{DEFAULT_ENGINE_CLASS}"
    efficiency = record["efficiency"][efficiency_class]
    inputs.append(_input(spine.EFFICIENCY, float(efficiency["low"]), float(efficiency["high"]), "measured / modelled",
                         f"benchmarks.csv: {efficiency['benchmarks']} {efficiency_class} benchmark(s), spread; "
                         "base: median", direction=+1, base=float(efficiency["base"])))
    block = math.nan
    if rental_offer_id == CUSTOM:
        if custom.usd_per_gpu_hour is None:
            raise ValueError("a custom rental needs its price per GPU-hour (usd_per_gpu_hour)")
        inputs.append(_input(spine.USD_PER_GPU_HOUR, float(custom.usd_per_gpu_hour), float(custom.usd_per_gpu_hour),
                             "USD/GPU-hour", "custom (single GPUs by the hour)", direction=-1))
        block = CUSTOM_GPUS_PER_INSTANCE
    elif rental_offer_id is not None:
        offer = entry(record, "rentals", rental_offer_id, "rental_offer_id")
        if offer["gpu_id"] != gpu_id:
            raise ValueError(f"rental_offer_id {rental_offer_id!r} rents {offer['gpu_id']}, not {gpu_id}")
        hourly = ((float(offer["usd_per_gpu_hour_low"]), float(offer["usd_per_gpu_hour_high"]))
                  if custom.usd_per_gpu_hour is None else (float(custom.usd_per_gpu_hour),) * 2)
        inputs.append(_input(spine.USD_PER_GPU_HOUR, *hourly, "USD/GPU-hour", f"gpu_rentals.csv ({offer['name']})",
                             direction=-1))
        block = float(offer["gpus_per_instance_min"])
    constants = {
        "params_total_b": float(model["params_total_b"]), "params_active_b": float(model["params_active_b"]),
        "n_layers": float(model["n_layers"]), "n_kv_heads": float(model["n_kv_heads"]),
        "head_dim": float(model["head_dim"]), "kv_values_per_token": number(model["kv_values_per_token"]),
        "memory_gb": float(gpu["memory_gb"]), "memory_bandwidth_tb_per_s": float(gpu["memory_bandwidth_tb_per_s"]),
        "tflops": tensor_tflops(gpu, precision), "tdp_watts": float(gpu["tdp_watts"]),
        **api, "gpus_per_instance_min": block,
    }
    sit = spine.Situation(model_id, gpu_id, precision, api_offer_id, rental_offer_id, constants, tuple(inputs),
                          efficiency_class)
    return _oriented(sit, orient_on) if orient and not math.isnan(api["usd_per_m_input"]) else sit


def _oriented(sit: spine.Situation, option: str = "buy") -> spine.Situation:
    """The situation with the output share's direction chosen by where ``option`` (buying or renting) breaks even
    sooner."""
    share = sit.input(spine.OUTPUT_SHARE)
    if share.low == share.high:
        return sit
    values = spine.base_values(sit)
    values[spine.OUTPUT_SHARE] = np.array([share.low, share.high])
    values = {k: np.broadcast_to(v, (2,)) for k, v in values.items()}
    at_low, at_high = spine.evaluate(sit, values, [1.0])[f"{option}_breakeven_tokens_per_month"]
    direction = -1 if at_low < at_high else +1 if at_high < at_low else share.direction
    if direction == share.direction:
        return sit
    inputs = tuple(dataclasses.replace(i, direction=direction) if i.name == spine.OUTPUT_SHARE else i
                   for i in sit.inputs)
    return dataclasses.replace(sit, inputs=inputs)


# A rate never reads a purchase price, but a situation carries one: what a GPU without a price gets here.
RATE_ONLY_USD_PER_GPU = 1.0


def deployed_output_tokens_per_s(record: dict, model_id: str, gpu_id: str, precision: str, gpu_count: float,
                                 input_tokens: float, output_tokens: float, efficiency: float = 1.0) -> float:
    """Output tokens per second the spine deploys one replica of ``gpu_count`` GPUs at, for requests of
    ``input_tokens`` + ``output_tokens``: :func:`analysis.model.spine.replica_rate` at the base value of every
    input (usable memory, KV bytes per value, the batch cap, bits per weight), times ``efficiency``.

    With ``efficiency`` 1 it is what a benchmark's measured rate is divided by to calibrate the engine
    (the rules the cost model deploys with, so nothing is counted twice); with a calibrated efficiency it
    is the rate the model prices that system at. ``record`` needs no efficiency of its own.
    """
    architecture = entry(record, "models", model_id, "model_id")["architecture"]
    fixed = {"low": efficiency, "base": efficiency, "high": efficiency, "benchmarks": 0}
    probe = {**record, "efficiency": {f"{architecture}/{DEFAULT_ENGINE_CLASS}": fixed}}
    sit = situation(probe, model_id, gpu_id, precision, None, stand_in_usd_per_gpu=RATE_ONLY_USD_PER_GPU)
    values = spine.base_values(sit)
    total_tokens = float(input_tokens) + float(output_tokens)
    values["tokens_per_request"] = np.array([total_tokens])
    values[spine.OUTPUT_SHARE] = np.array([float(output_tokens) / total_tokens])
    # A benchmark runs its system flat out: no speed promised to each user caps its batch ...
    values[spine.SPEED_TARGET] = np.array([0.0])
    values["cached_input_share"] = np.array([0.0])  # nor does it find its prompts in a cache
    total = float(spine.replica_rate(sit, values, [float(gpu_count)])[0])
    return total * float(output_tokens) / total_tokens


def speed_curve_tokens_per_s_per_gpu(record: dict, model_id: str, gpu_id: str, precision: str, gpu_count: float,
                                     input_tokens: float, output_tokens: float, tokens_per_s_per_user: ArrayLike,
                                     efficiency: float) -> np.ndarray:
    """Total (input + output) tokens per second per GPU one replica of ``gpu_count`` GPUs serves while every user
    gets ``tokens_per_s_per_user`` output tokens a second (one value per speed):
    :func:`analysis.model.spine.replica_rate` at the base value of every input, the request shape given, nothing
    cached, the engine at ``efficiency``, over ``gpu_count``. 0 where no batch is that fast. What published
    throughput-against-interactivity curves plot.
    """
    architecture = entry(record, "models", model_id, "model_id")["architecture"]
    fixed = {"low": efficiency, "base": efficiency, "high": efficiency, "benchmarks": 0}
    probe = {**record, "efficiency": {f"{architecture}/{DEFAULT_ENGINE_CLASS}": fixed}}
    sit = situation(probe, model_id, gpu_id, precision, None, stand_in_usd_per_gpu=RATE_ONLY_USD_PER_GPU)
    speeds = np.asarray(tokens_per_s_per_user, dtype=float).reshape(-1)
    values = {k: np.repeat(v, speeds.size) for k, v in spine.base_values(sit).items()}
    total_tokens = float(input_tokens) + float(output_tokens)
    values["tokens_per_request"] = np.full(speeds.size, total_tokens)
    values[spine.OUTPUT_SHARE] = np.full(speeds.size, float(output_tokens) / total_tokens)
    values["cached_input_share"] = np.zeros(speeds.size)
    values[spine.SPEED_TARGET] = speeds
    return spine.replica_rate(sit, values, np.full(speeds.size, float(gpu_count))) / float(gpu_count)


@dataclass(frozen=True)
class Cases:
    """A situation evaluated in its three cases at some volumes."""

    situation: spine.Situation
    values: dict[str, np.ndarray]  # input name -> [favourable, base, unfavourable]
    outputs: dict[str, np.ndarray]  # spine.evaluate's outputs, N = 3
    tokens_per_month: np.ndarray

    def fragile(self, record: dict, option: str) -> str:
        """Why this option's break-even is fragile across the cases ("" when it is not; :func:`fragility`)."""
        return fragility(self.outputs[f"{option}_breakeven_tokens_per_month"],
                         self.outputs[f"{option}_margin_ratio"], *fragility_limits(record))


def cases(sit: spine.Situation, tokens_per_month) -> Cases:
    """:func:`analysis.model.spine.evaluate` at the favourable, base and unfavourable values."""
    values = spine.case_values(sit)
    volumes = np.asarray(tokens_per_month, dtype=float).ravel()
    return Cases(sit, values, spine.evaluate(sit, values, volumes), volumes)


def fragility_limits(record: dict) -> tuple[float, float]:
    """``(min_margin, max_spread)``: the low ends of the :data:`FRAGILITY_ROWS`."""
    return tuple(assumption_range(record, name)[0] for name in FRAGILITY_ROWS)  # type: ignore[return-value]


def fragility(volumes: np.ndarray, margins: np.ndarray, min_margin: float, max_spread: float) -> str:
    """Why a set of case break-evens is fragile ("" when it is not).

    Fragile: the base case's extra replica saves less than ``min_margin`` of its own cost beyond paying
    for itself, the cases span more than ``max_spread`` times, or some (not all) never break even.
    """
    reasons = []
    base = margins[1]
    if np.isfinite(base) and base < min_margin:
        reasons.append(say("fragile_margin", percent=f"{base * 100:.0f}"))
    finite = volumes[np.isfinite(volumes)]
    if finite.size == 0:  # never in every case: a firm answer, not a fragile one
        return ""
    if finite.size < volumes.size:
        reasons.append(say("fragile_never"))
    elif finite.max() > max_spread * finite.min():
        reasons.append(say("fragile_spread", ratio=f"{finite.max() / finite.min():.1f}"))
    return "; ".join(reasons)
