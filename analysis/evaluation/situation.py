"""From a dataset to the model: typed lookups, the roofline calibration, and resolved situations.

This is the only place that turns dataset rows into model inputs. Every rule lives here once: which
purchase price a GPU has, the tensor rate a precision runs at, each input's range and direction, the
engine efficiency of a class of systems, and which end of the output share favours self-hosting.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.model import sizing, spine, throughput

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
}
# Rows of assumptions.csv the spine reads.
MODEL_ASSUMPTIONS = (
    "context_tokens", "concurrent_sequences", "kv_bytes_per_value", "gpu_memory_utilization",
    "runtime_overhead_gb_per_gpu", "max_batch_sequences", "tokens_per_request", "output_token_share",
    "cached_input_share", "peak_to_average", "target_utilization", "hours_per_month", "amortization_months",
    "residual_value_share", "cost_of_capital_per_year", "ml_engineer_usd_per_year", "engineer_allocation",
    "gpus_per_engineer", "electricity_usd_per_kwh", "pue", "server_power_factor",
    "networking_storage_usd_per_month", "monitoring_usd_per_month", "spare_gpu_share", "selfhost_uptime",
    "api_uptime", "revenue_at_risk_usd_per_month",
)
# The bound assumes the most any engine could get from the hardware: all of its memory, KV cache at one
# byte per value (FP8, the smallest any benchmarked engine stores), no cap on the batch.
BOUND_KV_BYTES_PER_VALUE = 1.0
DEFAULT_ENGINE_CLASS = "tuned"


class UnknownName(ValueError):
    """An identifier that is not in its file (the message lists the valid ones)."""


def row(ds: Dataset, table: str, key_column: str, key: str, argument: str) -> pd.Series:
    """The row of ``table`` whose ``key_column`` is ``key``; :class:`UnknownName` naming the argument if absent."""
    # Every row of the table by key, made once per dataset: a quote looks up a dozen rows, and the calculator's
    # parity check makes hundreds of quotes. The rows are shared: read only.
    rows = ds.derived(f"rows:{table}:{key_column}", lambda d: _rows_by_key(d[table], key_column))
    if key not in rows:
        valid = ", ".join(sorted(map(str, rows)))
        raise UnknownName(f"{argument} {key!r} is not in {table}.csv (valid: {valid})")
    return rows[key]


def _rows_by_key(frame: pd.DataFrame, key_column: str) -> dict[object, pd.Series]:
    """``key -> row`` of a table; the first row of a repeated key wins."""
    first: dict[object, int] = {}
    for position, key in enumerate(frame[key_column].to_numpy()):
        first.setdefault(key, position)
    return {key: frame.iloc[position] for key, position in first.items()}


def model(ds: Dataset, model_id: str) -> pd.Series:
    """A row of ``models.csv``."""
    return row(ds, "models", "model_id", model_id, "model_id")


def gpu(ds: Dataset, gpu_id: str) -> pd.Series:
    """A row of ``gpus.csv`` (``memory_gb`` already in 10^9 bytes)."""
    return row(ds, "gpus", "gpu_id", gpu_id, "gpu_id")


def precision_row(ds: Dataset, precision: str) -> pd.Series:
    """A row of ``precisions.csv``."""
    return row(ds, "precisions", "precision", precision, "precision")


def api_offer(ds: Dataset, offer_id: str) -> pd.Series:
    """A row of ``api_prices.csv``."""
    return row(ds, "api_prices", "offer_id", offer_id, "api_offer_id")


def rental_offer(ds: Dataset, offer_id: str) -> pd.Series:
    """A row of ``gpu_rentals.csv``."""
    return row(ds, "gpu_rentals", "offer_id", offer_id, "rental_offer_id")


def guide_figure(ds: Dataset, figure_id: str) -> pd.Series:
    """A row of ``guide_figures.csv``."""
    return row(ds, "guide_figures", "figure_id", figure_id, "figure_id")


def assumption_range(ds: Dataset, name: str) -> tuple[float, float, str]:
    """``(low, high, unit)`` of one row of ``assumptions.csv``."""
    ranges = ds.derived("assumption_ranges", _assumption_ranges)
    if name not in ranges:
        row(ds, "assumptions", "name", name, "assumption")  # raises UnknownName, listing the valid names
    return ranges[name]


def assumption(ds: Dataset, name: str) -> tuple[float, float]:
    """``(value_low, value_high)`` of one row of ``assumptions.csv``."""
    low, high, _ = assumption_range(ds, name)
    return low, high


def _assumption_ranges(ds: Dataset) -> dict[str, tuple[float, float, str]]:
    """Every row of ``assumptions.csv`` as ``name -> (low, high, unit)``; the first row of a name wins."""
    out: dict[str, tuple[float, float, str]] = {}
    for r in ds["assumptions"].itertuples(index=False):
        out.setdefault(r.name, (float(r.value_low), float(r.value_high), str(r.unit)))
    return out


def purchase_prices(ds: Dataset, guide_only: bool = False) -> pd.DataFrame:
    """One purchase-price row per GPU, the one it is priced at: ``new`` before ``used`` (conditions in
    alphabetical order). ``guide_only`` keeps the rows whose source is the guide.

    The one rule for which price a GPU has; every chapter and the model go through it.
    """
    return _purchase_prices(ds, guide_only).copy()


def _purchase_prices(ds: Dataset, guide_only: bool) -> pd.DataFrame:
    """:func:`purchase_prices`, computed once per dataset; read only."""
    def compute(ds: Dataset) -> pd.DataFrame:
        prices = ds["gpu_prices"].reset_index(drop=True)
        if guide_only:
            prices = prices[prices["source"].str.startswith("guide:")]
        ordered = prices.sort_values(["gpu_id", "condition"], kind="stable")
        return ordered.drop_duplicates("gpu_id").reset_index(drop=True)

    return ds.derived(f"purchase prices, guide only: {guide_only}", compute)


def purchase_price(ds: Dataset, gpu_id: str, guide_only: bool = False) -> pd.Series | None:
    """The purchase-price row a GPU is priced at (:func:`purchase_prices`); None if it has none."""
    prices = _purchase_prices(ds, guide_only)
    hits = np.flatnonzero(prices["gpu_id"].to_numpy() == gpu_id)
    return None if hits.size == 0 else prices.iloc[hits[0]]


def tensor_tflops(gpu: pd.Series, precision: str) -> float:
    """Dense tensor rate a precision runs at: FP8 units where the GPU has them (8-bit and 4-bit), else BF16."""
    if precision != "fp16" and not pd.isna(gpu["fp8_dense_tflops"]):
        return float(gpu["fp8_dense_tflops"])
    return float(gpu["bf16_dense_tflops"])


def kv_values_per_token(model: pd.Series) -> float:
    """Stored KV values per token when the architecture states it (compressed caches), else NaN (GQA formula)."""
    return float(model["kv_values_per_token"]) if not pd.isna(model["kv_values_per_token"]) else np.nan


def bound_tokens_per_s(model_row: pd.Series, gpu_row: pd.Series, precision: str, gpu_count: float,
                       bits_per_param: float, input_tokens: float, output_tokens: float) -> float:
    """Output tokens per second no engine can beat on ``gpu_count`` GPUs: the roofline at its most generous.

    All device memory, KV cache at :data:`BOUND_KV_BYTES_PER_VALUE` byte per value, the largest batch that
    memory holds at the mean context (``input + output / 2``), and prompt processing fully overlapped
    with decoding (:func:`analysis.model.throughput.bound_output_tokens_per_s`).
    """
    kv = float(sizing.kv_bytes_per_token(model_row["n_layers"], model_row["n_kv_heads"], model_row["head_dim"],
                                         BOUND_KV_BYTES_PER_VALUE, kv_values_per_token(model_row)))
    weights = float(sizing.weights_gb(model_row["params_total_b"], bits_per_param))
    memory = gpu_count * float(gpu_row["memory_gb"])
    return float(throughput.bound_output_tokens_per_s(memory - weights, model_row["params_total_b"],
                                                      model_row["params_active_b"], bits_per_param, kv, input_tokens,
                                                      output_tokens, float(gpu_row["memory_bandwidth_tb_per_s"])
                                                      * gpu_count, tensor_tflops(gpu_row, precision) * gpu_count))


def calibration(ds: Dataset) -> pd.DataFrame:
    """Each benchmark beside its bound: measured / bound (at most 1) and the class it calibrates.

    The class is the model's architecture (dense or mixture-of-experts) and the engine's (tuned or
    default). A benchmark that does not state its prompt length is bounded with none: any prompt only
    adds work, so the bound stays a bound. Computed once per dataset; each call gets its own copy.
    """
    return ds.derived("calibration", _calibration).copy()


def _calibration(ds: Dataset) -> pd.DataFrame:
    rows = []
    for bench in ds["benchmarks"].itertuples():
        model_row, gpu_row = model(ds, bench.model_id), gpu(ds, bench.gpu_id)
        bits = float(precision_row(ds, bench.precision)["bits_per_param_low"])
        inp = 0.0 if pd.isna(bench.input_tokens) else float(bench.input_tokens)
        out = float(bench.output_tokens)
        bound = bound_tokens_per_s(model_row, gpu_row, bench.precision, float(bench.gpu_count), bits, inp, out)
        rows.append({"benchmark_id": bench.benchmark_id, "gpu_id": bench.gpu_id, "gpu_count": int(bench.gpu_count),
                     "model_id": bench.model_id, "precision": bench.precision, "engine": bench.engine,
                     "input_tokens": inp, "output_tokens": out,
                     "efficiency_class": f"{model_row['architecture']}/{bench.engine_class}",
                     "measured_output_tokens_per_s": float(bench.output_tokens_per_s),
                     "bound_output_tokens_per_s": bound})
    frame = pd.DataFrame(rows)
    frame["efficiency"] = frame["measured_output_tokens_per_s"] / frame["bound_output_tokens_per_s"]
    return frame


def efficiency_range(ds: Dataset, efficiency_class: str) -> tuple[float, float, float, int]:
    """``(low, base, high, benchmarks)`` of a class: the spread of its ratios, the median as base.

    A class without benchmarks borrows every benchmark of its engine class (the architecture pooled).
    """
    return ds.derived(f"efficiency_range:{efficiency_class}", lambda d: _efficiency_range(d, efficiency_class))


def _efficiency_range(ds: Dataset, efficiency_class: str) -> tuple[float, float, float, int]:
    cal = ds.derived("calibration", _calibration)  # read only: no copy
    ratios = cal.loc[cal["efficiency_class"] == efficiency_class, "efficiency"].to_numpy()
    if ratios.size == 0:
        engine = efficiency_class.split("/")[-1]
        ratios = cal.loc[cal["efficiency_class"].str.endswith("/" + engine), "efficiency"].to_numpy()
    return float(ratios.min()), float(np.median(ratios)), float(ratios.max()), int(ratios.size)


# The sampled inputs that are not rows of assumptions.csv (those carry their own ``label``), in words.
INPUT_WORDS = {spine.USD_PER_GPU: "GPU purchase price", spine.USD_PER_GPU_HOUR: "Rental price per GPU-hour",
               spine.BITS_PER_PARAM: "Bits stored per weight",
               spine.EFFICIENCY: "Engine efficiency (share of the bound)"}


def input_words(ds: Dataset, name: str) -> str:
    """An input as readers see it: its ``label`` in assumptions.csv, else :data:`INPUT_WORDS`."""
    rows = ds["assumptions"]
    match = rows.loc[rows["name"] == name, "label"] if "label" in rows else pd.Series(dtype=str)
    if len(match):
        return str(match.iloc[0])
    return INPUT_WORDS.get(name, name.replace("_", " "))


def in_sentence(words: str) -> str:
    """``share of tokens`` for ``Share of tokens`` inside a sentence; ``ML engineer`` stays as it is."""
    return words[0].lower() + words[1:] if len(words) > 1 and words[1].islower() else words


def _input(name: str, low: float, high: float, unit: str, source: str, direction: int | None = None,
           base: float | None = None) -> spine.Input:
    return spine.Input(name, low, high, spine.base_of(low, high, unit) if base is None else base, unit, source,
                       DIRECTION.get(name, 0) if direction is None else direction)


# The offer id of an API or a rental the reader prices themselves (:class:`Custom`).
CUSTOM = "custom"
# GPUs billed at a time by a custom rental: one, by the hour.
CUSTOM_GPUS_PER_INSTANCE = 1.0


@dataclass(frozen=True)
class Custom:
    """A reader's own prices and input ranges, laid over the dataset's (None: the dataset's value).

    API prices in USD per million tokens override the offer's (with the offer id :data:`CUSTOM`, input and
    output are required and there is no offer underneath); ``usd_per_gpu`` pins the purchase price and
    ``usd_per_gpu_hour`` the rental rate (required with the rental offer id :data:`CUSTOM`, single GPUs by
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


def _api_prices(ds: Dataset, api_offer_id: str | None, custom: Custom) -> dict[str, float]:
    """USD per million input, output and cached-input tokens: the offer's, then the reader's over them."""
    names = ("usd_per_m_input", "usd_per_m_output", "usd_per_m_cached_input")
    if api_offer_id is None or api_offer_id == CUSTOM:
        prices = dict.fromkeys(names, np.nan)
    else:
        offer = api_offer(ds, api_offer_id)
        prices = {name: float(offer[name]) for name in names}
    for name in names:
        given = getattr(custom, name)
        if given is not None:
            prices[name] = float(given)
    if api_offer_id == CUSTOM and (np.isnan(prices["usd_per_m_input"]) or np.isnan(prices["usd_per_m_output"])):
        raise ValueError("a custom API needs its input and output prices (usd_per_m_input, usd_per_m_output)")
    return prices


def resolve(ds: Dataset, model_id: str, gpu_id: str, precision: str, api_offer_id: str | None,
            rental_offer_id: str | None = None, output_share: float | None = None,
            engine_class: str = DEFAULT_ENGINE_CLASS, orient: bool = True,
            custom: Custom = NO_CUSTOM) -> spine.Situation:
    """Validate the identifiers and collect every constant and input range of one situation.

    ``api_offer_id`` None resolves the GPUs alone (sizing and throughput; API prices are NaN).
    ``output_share`` pins the output share (every case); otherwise its range comes from
    ``assumptions.csv`` and, with ``orient``, its direction is decided here: the end at which buying
    breaks even at the lower volume (base case) is the favourable one, because more output raises the
    bill of an API that charges more for output and also slows the GPUs.
    ``custom`` lays the reader's prices and ranges over the dataset's (:class:`Custom`).
    Raises :class:`UnknownName` for an identifier not in its file, ValueError for a GPU without a
    purchase price or a rental offer for another GPU.
    """
    model_row = model(ds, model_id)
    gpu_row = gpu(ds, gpu_id)
    bits = precision_row(ds, precision)
    api = _api_prices(ds, api_offer_id, custom)
    unknown = sorted({name for name, _, _ in custom.ranges} - set(MODEL_ASSUMPTIONS))
    if unknown:
        raise ValueError(f"custom ranges for inputs the model does not read: {', '.join(unknown)}")
    if custom.usd_per_gpu is not None:
        price_low = price_high = float(custom.usd_per_gpu)
        price_source = f"custom ({gpu_row['gpu_name']})"
    else:
        price = purchase_price(ds, gpu_id)
        if price is None:
            raise ValueError(f"gpu_id {gpu_id!r} has no purchase price in gpu_prices.csv")
        price_low, price_high = float(price["usd_low"]), float(price["usd_high"])
        price_source = f"gpu_prices.csv ({gpu_row['gpu_name']}, {price['condition']})"
    inputs = []
    for name in MODEL_ASSUMPTIONS:
        low, high, unit = assumption_range(ds, name)
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
    efficiency_class = f"{model_row['architecture']}/{engine_class}"
    eff_low, eff_base, eff_high, count = efficiency_range(ds, efficiency_class)
    inputs.append(_input(spine.EFFICIENCY, eff_low, eff_high, "measured / bound",
                         f"benchmarks.csv: {count} {efficiency_class} benchmark(s), spread; base: median",
                         direction=+1, base=eff_base))
    block = np.nan
    if rental_offer_id == CUSTOM:
        if custom.usd_per_gpu_hour is None:
            raise ValueError("a custom rental needs its price per GPU-hour (usd_per_gpu_hour)")
        inputs.append(_input(spine.USD_PER_GPU_HOUR, float(custom.usd_per_gpu_hour), float(custom.usd_per_gpu_hour),
                             "USD/GPU-hour", "custom (single GPUs by the hour)", direction=-1))
        block = CUSTOM_GPUS_PER_INSTANCE
    elif rental_offer_id is not None:
        offer = rental_offer(ds, rental_offer_id)
        if offer["gpu_id"] != gpu_id:
            raise ValueError(f"rental_offer_id {rental_offer_id!r} rents {offer['gpu_id']}, not {gpu_id}")
        hourly = ((float(offer["usd_per_gpu_hour_low"]), float(offer["usd_per_gpu_hour_high"]))
                  if custom.usd_per_gpu_hour is None else (float(custom.usd_per_gpu_hour),) * 2)
        inputs.append(_input(spine.USD_PER_GPU_HOUR, *hourly, "USD/GPU-hour",
                             f"gpu_rentals.csv ({offer['provider']}, {offer['gpus_per_instance_min']:.0f}-GPU "
                             f"instance, {offer['pricing'].replace('_', '-')})", direction=-1))
        block = float(offer["gpus_per_instance_min"])
    constants = {
        "params_total_b": float(model_row["params_total_b"]), "params_active_b": float(model_row["params_active_b"]),
        "n_layers": float(model_row["n_layers"]), "n_kv_heads": float(model_row["n_kv_heads"]),
        "head_dim": float(model_row["head_dim"]), "kv_values_per_token": kv_values_per_token(model_row),
        "memory_gb": float(gpu_row["memory_gb"]),
        "memory_bandwidth_tb_per_s": float(gpu_row["memory_bandwidth_tb_per_s"]),
        "tflops": tensor_tflops(gpu_row, precision), "tdp_watts": float(gpu_row["tdp_watts"]),
        **api, "gpus_per_instance_min": block,
    }
    sit = spine.Situation(model_id, gpu_id, precision, api_offer_id, rental_offer_id, constants, tuple(inputs),
                          efficiency_class)
    return _oriented(sit) if orient and not np.isnan(api["usd_per_m_input"]) else sit


def _oriented(sit: spine.Situation) -> spine.Situation:
    """The situation with the output share's direction chosen by where buying breaks even sooner."""
    share = sit.input(spine.OUTPUT_SHARE)
    if share.low == share.high:
        return sit
    values = spine.base_values(sit)
    values[spine.OUTPUT_SHARE] = np.array([share.low, share.high])
    values = {k: np.broadcast_to(v, (2,)) for k, v in values.items()}
    at_low, at_high = spine.evaluate(sit, values, [1.0])["buy_breakeven_tokens_per_month"]
    direction = -1 if at_low < at_high else +1 if at_high < at_low else share.direction
    if direction == share.direction:
        return sit
    inputs = tuple(dataclasses.replace(i, direction=direction) if i.name == spine.OUTPUT_SHARE else i
                   for i in sit.inputs)
    return dataclasses.replace(sit, inputs=inputs)


@dataclass(frozen=True)
class Cases:
    """A situation evaluated in its three cases at some volumes."""

    situation: spine.Situation
    values: dict[str, np.ndarray]  # input name -> [favourable, base, unfavourable]
    outputs: dict[str, np.ndarray]  # spine.evaluate's outputs, N = 3
    tokens_per_month: np.ndarray


def cases(sit: spine.Situation, tokens_per_month) -> Cases:
    """:func:`analysis.model.spine.evaluate` at the favourable, base and unfavourable values."""
    values = spine.case_values(sit)
    volumes = np.asarray(tokens_per_month, dtype=float).ravel()
    return Cases(sit, values, spine.evaluate(sit, values, volumes), volumes)
