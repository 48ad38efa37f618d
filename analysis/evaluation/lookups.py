"""A dataset's rows as the model reads them: typed lookups, the roofline calibration, and the dataset record.

This is the only place that reads dataset tables for the model. Every rule lives here once: which purchase
price a GPU has, each input's words, the engine efficiency of a class of systems. :func:`record` gathers
what the model reads into the plain dataset record that :func:`analysis.evaluation.resolve.situation` makes
situations from (and that the calculator page embeds).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import resolve
from analysis.evaluation.resolve import (
    DEFAULT_ENGINE_CLASS,
    FRAGILITY_ROWS,
    MODEL_ASSUMPTIONS,
    UnknownName,
    number,
    tensor_tflops,
)
from analysis.model import lifetime, sizing, spine, throughput

# The bound assumes the most any engine could get from the hardware: all of its memory, KV cache at one
# byte per value (FP8, the smallest any benchmarked engine stores), no cap on the batch.
BOUND_KV_BYTES_PER_VALUE = 1.0


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
    """A row of ``guide_figures.csv``; KeyError naming the id when there is none (hundreds of ids: not listed).

    The one lookup of the guide's figures: :func:`figure`, the chapters' check rows and guide mode read it.
    """
    rows = ds.derived("rows:guide_figures:figure_id", lambda d: _rows_by_key(d["guide_figures"], "figure_id"))
    if figure_id not in rows:
        raise KeyError(f"guide_figures.csv has no figure {figure_id!r}")
    return rows[figure_id]


def figure(ds: Dataset, figure_id: str) -> tuple[float, float]:
    """``(value_low, value_high)`` of one of the guide's figures."""
    fig = guide_figure(ds, figure_id)
    return float(fig["value_low"]), float(fig["value_high"])


def assumption(ds: Dataset, name: str) -> tuple[float, float]:
    """``(value_low, value_high)`` of one row of ``assumptions.csv`` (the first row of a name);
    :class:`UnknownName` listing the valid names when there is none."""
    ranges = ds.derived("assumption_ranges", _assumption_ranges)
    if name not in ranges:
        row(ds, "assumptions", "name", name, "assumption")  # raises UnknownName, listing the valid names
    low, high, _ = ranges[name]
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


def bound_tokens_per_s(model_row: pd.Series, gpu_row: pd.Series, precision: str, gpu_count: float,
                       bits_per_param: float, input_tokens: float, output_tokens: float) -> float:
    """Output tokens per second no engine can beat on ``gpu_count`` GPUs: the roofline at its most generous.

    All device memory, KV cache at :data:`BOUND_KV_BYTES_PER_VALUE` byte per value, the largest batch that
    memory holds at the mean context (``input + output / 2``), and prompt processing fully overlapped
    with decoding (:func:`analysis.model.throughput.bound_output_tokens_per_s`).
    """
    kv = float(sizing.kv_bytes_per_token(model_row["n_layers"], model_row["n_kv_heads"], model_row["head_dim"],
                                         BOUND_KV_BYTES_PER_VALUE, number(model_row["kv_values_per_token"])))
    weights = float(sizing.weights_gb(model_row["params_total_b"], bits_per_param))
    memory = gpu_count * float(gpu_row["memory_gb"])
    return float(throughput.bound_output_tokens_per_s(memory - weights, model_row["params_total_b"],
                                                      model_row["params_active_b"], bits_per_param, kv, input_tokens,
                                                      output_tokens, float(gpu_row["memory_bandwidth_tb_per_s"])
                                                      * gpu_count, tensor_tflops(gpu_row, precision) * gpu_count))


def calibration(ds: Dataset) -> pd.DataFrame:
    """Each benchmark beside the rate the cost model deploys its system at: the engine efficiency it calibrates.

    ``deployed_output_tokens_per_s`` is :func:`analysis.evaluation.resolve.deployed_output_tokens_per_s` with
    efficiency 1: the spine's own rules (usable memory, KV bytes per value, the batch cap, at their base
    values) at the benchmark's own input and output lengths. ``efficiency`` = measured / deployed, so the
    model prices the benchmark's own system at exactly its measured rate (``backtest_ratio``, deployed at that
    efficiency over measured: 1) and other systems of its class at the class's median (``predicted_ratio``:
    how far the median misses this one). It can exceed 1: an engine may batch past the model's cap.
    ``bound_output_tokens_per_s`` is the roofline at its most generous (all memory, 1-byte KV, no batch cap),
    which no measurement may beat. The class is the model's architecture and the engine's (tuned or
    default). Computed once per dataset; each call gets its own copy.
    """
    return ds.derived("calibration", _calibration).copy()


def _calibration(ds: Dataset) -> pd.DataFrame:
    rows_record = ds.derived("record rows", _rows_record)
    rows = []
    for bench in ds["benchmarks"].itertuples():
        model_row, gpu_row = model(ds, bench.model_id), gpu(ds, bench.gpu_id)
        bits = float(precision_row(ds, bench.precision)["bits_per_param_low"])
        inp, out = float(bench.input_tokens), float(bench.output_tokens)
        bound = bound_tokens_per_s(model_row, gpu_row, bench.precision, float(bench.gpu_count), bits, inp, out)
        deployed = resolve.deployed_output_tokens_per_s(rows_record, bench.model_id, bench.gpu_id, bench.precision,
                                                        float(bench.gpu_count), inp, out)
        rows.append({"benchmark_id": bench.benchmark_id, "gpu_id": bench.gpu_id, "gpu_count": int(bench.gpu_count),
                     "model_id": bench.model_id, "precision": bench.precision, "engine": bench.engine,
                     "input_tokens": inp, "output_tokens": out,
                     "efficiency_class": f"{model_row['architecture']}/{bench.engine_class}",
                     "measured_output_tokens_per_s": float(bench.output_tokens_per_s),
                     "bound_output_tokens_per_s": bound, "deployed_output_tokens_per_s": deployed})
    frame = pd.DataFrame(rows)
    frame["efficiency"] = frame["measured_output_tokens_per_s"] / frame["deployed_output_tokens_per_s"]
    # The spine's rate on each benchmark's own system at its own efficiency, and at its class's median.
    medians = frame.groupby("efficiency_class")["efficiency"].median()
    for column, efficiencies in (("backtest_ratio", frame["efficiency"]),
                                 ("predicted_ratio", frame["efficiency_class"].map(medians))):
        frame[column] = [resolve.deployed_output_tokens_per_s(rows_record, r.model_id, r.gpu_id, r.precision,
                                                              r.gpu_count, r.input_tokens, r.output_tokens, e)
                         / r.measured_output_tokens_per_s for r, e in zip(frame.itertuples(), efficiencies,
                                                                          strict=True)]
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
               spine.EFFICIENCY: "Engine efficiency (measured / modelled rate)"}


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




# ---------------------------------------------------------------- the dataset record


def _retirement(offer) -> dict[str, str | None]:
    """An offer's retirement date (ISO) and what replaced it; None for both while it is sold."""
    retired = getattr(offer, "retired_on", None)
    if retired is None or pd.isna(retired):
        return {"retired_on": None, "replaced_by": None}
    return {"retired_on": retired.isoformat(), "replaced_by": str(offer.replaced_by)}


def record(ds: Dataset) -> dict[str, object]:
    """The dataset record (:mod:`analysis.evaluation.resolve`): every row the model reads, as plain data.

    Numbers are the cells' floats exactly; a missing cell is None. Built once per dataset; read only.
    """
    return ds.derived("record", _record)


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if np.isnan(number) else number


def _record(ds: Dataset) -> dict[str, object]:
    efficiency = {}
    cal = ds.derived("calibration", _calibration)  # read only: no copy
    for name in sorted({f"{a}/{DEFAULT_ENGINE_CLASS}" for a in ds["models"]["architecture"]}):
        low, base, high, count = efficiency_range(ds, name)
        # The GPUs the class was measured on: a throughput on any other is extrapolated (quote says so).
        measured_on = sorted(set(cal.loc[cal["efficiency_class"] == name, "gpu_id"]))
        efficiency[name] = {"low": low, "base": base, "high": high, "benchmarks": count, "gpus": measured_on}
    return {**ds.derived("record rows", _rows_record), "efficiency": efficiency}


def _rows_record(ds: Dataset) -> dict[str, object]:
    """The record without the engine efficiencies (which the calibration derives from it)."""
    models = [{"id": r.model_id, "name": r.model_name, "architecture": r.architecture,
               "params_total_b": float(r.params_total_b), "params_active_b": float(r.params_active_b),
               "n_layers": float(r.n_layers), "n_kv_heads": float(r.n_kv_heads), "head_dim": float(r.head_dim),
               "kv_values_per_token": _number(r.kv_values_per_token)} for r in ds["models"].itertuples()]
    gpus = []
    for r in ds["gpus"].itertuples():
        price = purchase_price(ds, r.gpu_id)
        purchase = None if price is None else {"usd_low": float(price["usd_low"]), "usd_high": float(price["usd_high"]),
                                               "condition": str(price["condition"])}
        gpus.append({"id": r.gpu_id, "gpu_name": r.gpu_name, "memory_gb": float(r.memory_gb),
                     "memory_bandwidth_tb_per_s": float(r.memory_bandwidth_tb_per_s),
                     "bf16_dense_tflops": float(r.bf16_dense_tflops), "fp8_dense_tflops": _number(r.fp8_dense_tflops),
                     "tdp_watts": float(r.tdp_watts), "purchase": purchase})
    precisions = [{"id": r.precision, "bits_per_param_low": float(r.bits_per_param_low),
                   "bits_per_param_high": float(r.bits_per_param_high)} for r in ds["precisions"].itertuples()]
    apis = [{"id": r.offer_id, "model_id": None if pd.isna(r.model_id) else str(r.model_id),
             "usd_per_m_input": float(r.usd_per_m_input),
             "usd_per_m_output": float(r.usd_per_m_output), "usd_per_m_cached_input": _number(r.usd_per_m_cached_input),
             **_retirement(r)}
            for r in ds["api_prices"].itertuples()]
    rentals = [{"id": r.offer_id, "gpu_id": r.gpu_id,
                "name": f"{r.provider}, {r.gpus_per_instance_min:.0f}-GPU instance, {r.pricing.replace('_', '-')}",
                "usd_per_gpu_hour_low": float(r.usd_per_gpu_hour_low),
                "usd_per_gpu_hour_high": float(r.usd_per_gpu_hour_high),
                "gpus_per_instance_min": float(r.gpus_per_instance_min), "pricing": str(r.pricing)}
               for r in ds["gpu_rentals"].itertuples()]
    ranges = ds.derived("assumption_ranges", _assumption_ranges)
    assumptions = {name: {"low": ranges[name][0], "high": ranges[name][1], "unit": ranges[name][2],
                          "label": input_words(ds, name)}
                   for name in (*MODEL_ASSUMPTIONS, *FRAGILITY_ROWS, *lifetime.INPUTS) if name in ranges}
    profiles: dict[str, dict[str, dict[str, float]]] = {}
    if "traffic_profiles" in ds.tables:
        for r in ds["traffic_profiles"].itertuples():
            profiles.setdefault(r.profile, {})[r.parameter] = {"low": float(r.value_low), "high": float(r.value_high)}
    return {"models": models, "gpus": gpus, "precisions": precisions, "apis": apis, "rentals": rentals,
            "assumptions": assumptions, "traffic_profiles": profiles}
