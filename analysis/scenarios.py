"""Assemble model inputs from a dataset and evaluate self-hosting against an API over many volumes.

Every input with a low/high range is evaluated in three coherent cases: ``favourable`` (each input at
the end that makes self-hosting cheaper), ``base`` (midpoints) and ``unfavourable``. An output's low
and high are the smallest and largest value over the three cases, so ranges propagate without
pairing, say, cheap GPUs with a pessimistic API price by accident.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.loading import Dataset
from analysis.model import breakeven, costs, sizing, throughput

CASES = ("favourable", "base", "unfavourable")

# +1: a higher value makes self-hosting cheaper relative to the API; -1: dearer.
DIRECTION = {
    "hours_per_month": 0, "work_hours_per_year": 0, "amortization_months": +1, "residual_value_share": +1,
    "cost_of_capital_per_year": -1, "ml_engineer_usd_per_year": -1, "engineer_allocation": -1,
    "electricity_usd_per_kwh": -1, "pue": -1, "server_power_factor": -1,
    "networking_storage_usd_per_month": -1, "monitoring_usd_per_month": -1, "spare_gpus": -1,
    "selfhost_uptime": +1, "api_uptime": -1, "revenue_at_risk_usd_per_month": -1,
    "output_token_share": +1, "cached_input_share": -1, "peak_to_average": -1, "target_utilization": +1,
    "context_tokens": -1, "concurrent_sequences": -1, "kv_bytes_per_value": -1, "gpu_memory_utilization": +1,
    "runtime_overhead_gb_per_gpu": -1, "tokens_per_request": 0, "max_batch_sequences": +1,
}


def case_values(low: float, high: float, direction: int) -> np.ndarray:
    """``[favourable, base, unfavourable]`` values of a range for an input of the given direction."""
    mid = (low + high) / 2
    if direction > 0:
        return np.array([high, mid, low])
    if direction < 0:
        return np.array([low, mid, high])
    return np.array([mid, mid, mid])


# Units of inputs that only come in whole numbers: a midpoint of 0 and 1 spare GPUs is rounded up to one.
WHOLE_UNITS = ("GPUs", "sequences")


def assumption_cases_row(low: float, high: float, name: str, unit: str) -> np.ndarray:
    """One assumption's ``[favourable, base, unfavourable]`` values, counts rounded up to whole units."""
    values = case_values(low, high, DIRECTION.get(name, 0))
    return np.ceil(values) if unit in WHOLE_UNITS else values


def assumption_cases(ds: Dataset) -> dict[str, np.ndarray]:
    """Every row of ``assumptions.csv`` as its three case values (counts rounded up to whole units)."""
    return {row.name: assumption_cases_row(row.value_low, row.value_high, row.name, row.unit)
            for row in ds["assumptions"].itertuples()}


def _bits(ds: Dataset, precision: str) -> np.ndarray:
    row = ds["precisions"].set_index("precision").loc[precision]
    return case_values(row["bits_per_param_low"], row["bits_per_param_high"], -1)


def _tflops(gpu: pd.Series, precision: str) -> float:
    """Dense tensor rate a precision runs at: FP8 where the GPU has FP8 units, else BF16 (weight-only)."""
    if precision != "fp16" and not pd.isna(gpu["fp8_dense_tflops"]):
        return float(gpu["fp8_dense_tflops"])
    return float(gpu["bf16_dense_tflops"])


def _kv_bytes_per_token(model: pd.Series, kv_bytes_per_value: float) -> float:
    return float(sizing.kv_bytes_per_token(model["n_layers"], model["n_kv_heads"], model["head_dim"],
                                           kv_bytes_per_value, float(model["kv_values_per_token"])
                                           if not pd.isna(model["kv_values_per_token"]) else np.nan))


@dataclass(frozen=True)
class System:
    """One serving replica: a model at a precision on whole GPUs of one type."""

    gpu_id: str
    model_id: str
    precision: str
    gpus: np.ndarray  # GPUs per replica, per case
    output_tokens_per_s: np.ndarray  # per replica, per case
    total_tokens_per_s: np.ndarray  # input + output, per replica, per case
    measured: bool  # True when a benchmark of exactly this system sets the rate


def roofline_tokens_per_s(ds: Dataset, gpu_id: str, model_id: str, precision: str, gpu_count: np.ndarray,
                          input_tokens: np.ndarray, output_tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Uncalibrated (output, total) tokens per second of ``gpu_count`` GPUs serving the model."""
    gpu = ds["gpus"].set_index("gpu_id").loc[gpu_id]
    model = ds["models"].set_index("model_id").loc[model_id]
    a = assumption_cases(ds)
    bits = _bits(ds, precision)
    kv = _kv_bytes_per_token(model, a["kv_bytes_per_value"][1])
    usable = gpu_count * sizing.usable_gb_per_gpu(gpu["memory_gb"], a["gpu_memory_utilization"],
                                                  a["runtime_overhead_gb_per_gpu"])
    weights = sizing.weights_gb(model["params_total_b"], bits)
    batch = throughput.batch_size(usable - weights, kv, input_tokens + output_tokens, a["max_batch_sequences"])
    tflops = _tflops(gpu, precision) * gpu_count
    decode = throughput.decode_tokens_per_s(batch, model["params_total_b"], model["params_active_b"], bits, kv,
                                            input_tokens + output_tokens / 2,
                                            gpu["memory_bandwidth_tb_per_s"] * gpu_count, tflops)
    prefill = throughput.prefill_tokens_per_s(model["params_active_b"], tflops)
    return throughput.blended_tokens_per_s(decode, prefill, input_tokens, output_tokens)


def calibration(ds: Dataset) -> pd.DataFrame:
    """Each measured benchmark beside the uncalibrated base-case model, and their ratio (the engine efficiency).

    Benchmarks that do not state their request shape are modelled with the base workload's shape.
    """
    a = assumption_cases(ds)
    rows = []
    for bench in ds["benchmarks"].itertuples():
        per_request = a["tokens_per_request"][1]
        default_out = per_request * a["output_token_share"][1]
        inp = float(bench.input_tokens) if not pd.isna(bench.input_tokens) else per_request - default_out
        out = float(bench.output_tokens) if not pd.isna(bench.output_tokens) else default_out
        modelled, _ = roofline_tokens_per_s(ds, bench.gpu_id, bench.model_id, bench.precision,
                                            np.array([float(bench.gpu_count)]), np.array([inp]), np.array([out]))
        rows.append({"benchmark_id": bench.benchmark_id, "gpu_id": bench.gpu_id, "gpu_count": bench.gpu_count,
                     "model_id": bench.model_id, "precision": bench.precision, "engine": bench.engine,
                     "measured_output_tokens_per_s": bench.output_tokens_per_s,
                     # the base case's roofline: the efficiencies are then applied to each case's own
                     "modelled_output_tokens_per_s": float(modelled[1])})
    frame = pd.DataFrame(rows)
    frame["efficiency"] = throughput.calibrate(frame["measured_output_tokens_per_s"],
                                               frame["modelled_output_tokens_per_s"])
    return frame


def efficiency_cases(ds: Dataset) -> np.ndarray:
    """Engine efficiency per case: upper quartile, median and lower quartile of the benchmark ratios."""
    ratios = calibration(ds)["efficiency"].to_numpy()
    return np.array([np.quantile(ratios, 0.75), np.median(ratios), np.quantile(ratios, 0.25)])


def serving_system(ds: Dataset, gpu_id: str, model_id: str, precision: str) -> System:
    """Size one replica (deployable GPU count at a busy batch) and rate it, per case.

    The rate is the roofline times an engine efficiency: the efficiency measured on this very model,
    precision and GPU type when a benchmark ran it (median run), else the quartiles over all benchmarks.
    """
    a = assumption_cases(ds)
    gpu = ds["gpus"].set_index("gpu_id").loc[gpu_id]
    model = ds["models"].set_index("model_id").loc[model_id]
    bits = _bits(ds, precision)
    kv = _kv_bytes_per_token(model, a["kv_bytes_per_value"][1])
    need = (sizing.weights_gb(model["params_total_b"], bits)
            + sizing.kv_cache_gb(kv, a["context_tokens"], a["concurrent_sequences"]))
    usable = sizing.usable_gb_per_gpu(gpu["memory_gb"], a["gpu_memory_utilization"], a["runtime_overhead_gb_per_gpu"])
    gpus = sizing.deployable_gpus(sizing.min_gpus(need, usable))
    out_tokens = a["tokens_per_request"] * a["output_token_share"]
    in_tokens = a["tokens_per_request"] - out_tokens
    out_rate, total_rate = roofline_tokens_per_s(ds, gpu_id, model_id, precision, gpus, in_tokens, out_tokens)
    cal = calibration(ds)
    match = cal[(cal["gpu_id"] == gpu_id) & (cal["model_id"] == model_id) & (cal["precision"] == precision)]
    if len(match):
        # This system was measured: its own efficiency (median run) carries the measurement to the
        # replica's GPU count, memory and request shape through the roofline, rather than assuming the
        # throughput per GPU of a benchmark run on another number of GPUs.
        eff = float(np.median(match["efficiency"]))
        return System(gpu_id, model_id, precision, gpus, out_rate * eff, total_rate * eff, True)
    eff = efficiency_cases(ds)
    return System(gpu_id, model_id, precision, gpus, out_rate * eff, total_rate * eff, False)


def evaluate_buy(tokens_per_month, output_share, usd_per_m_input, usd_per_m_output, replica_tokens_per_s,
                 gpus_per_replica, usd_per_gpu, tdp_watts, server_power_factor, pue, usd_per_kwh, hours_per_month,
                 peak_to_average, target_utilization, amortization_months, fixed_usd_per_month,
                 residual_value_share=0.0, cost_of_capital_per_year=0.0, spare_gpus=0.0, cached_input_share=0.0,
                 usd_per_m_cached_input=np.nan) -> dict[str, np.ndarray]:
    """Buying GPUs against an API for any number of scenarios at once (all arguments broadcast).

    Returns the API bill, the self-hosting cost (fixed costs + power + owning), GPUs, capex, savings,
    payback (capex over the cash saved, owning costs excluded; "never", inf, when longer than the amortization
    period) and the break-even volume, per scenario.
    """
    api = costs.api_monthly_cost_usd(tokens_per_month, output_share, usd_per_m_input, usd_per_m_output,
                                     cached_input_share, usd_per_m_cached_input)
    capacity = costs.capacity_tokens_per_month(replica_tokens_per_s, hours_per_month, peak_to_average,
                                               target_utilization)
    gpus = costs.units_needed(tokens_per_month, capacity) * gpus_per_replica + spare_gpus

    def power(n):
        return costs.power_usd_per_month(n, tdp_watts, server_power_factor, pue, usd_per_kwh, hours_per_month)

    def owning(n):
        return costs.amortized_usd_per_month(n * np.asarray(usd_per_gpu, dtype=float), amortization_months,
                                             residual_value_share, cost_of_capital_per_year)

    cost = fixed_usd_per_month + power(gpus) + owning(gpus)
    capex = gpus * np.asarray(usd_per_gpu, dtype=float)
    per_token = costs.api_monthly_cost_usd(1.0, output_share, usd_per_m_input, usd_per_m_output, cached_input_share,
                                           usd_per_m_cached_input)
    spare = np.asarray(spare_gpus, dtype=float)
    volume = breakeven.breakeven_tokens_per_month(per_token, fixed_usd_per_month + power(spare) + owning(spare),
                                                  power(gpus_per_replica) + owning(gpus_per_replica), capacity)
    payback = breakeven.payback_months(capex, api - fixed_usd_per_month - power(gpus))
    return {"api_usd_per_month": api, "buy_usd_per_month": cost, "gpus": gpus, "buy_capex_usd": capex,
            "replica_tokens_per_month": capacity,
            "buy_savings_usd_per_month": breakeven.monthly_savings_usd(api, cost),
            # Hardware written off before the saved cash repays it never pays back.
            "buy_payback_months": np.where(payback <= amortization_months, payback, np.inf),
            "buy_breakeven_tokens_per_month": volume, "api_usd_per_token": per_token}


@dataclass(frozen=True)
class Comparison:
    """Self-hosting (buy or rent) against one API offer over a set of monthly volumes."""

    table: pd.DataFrame  # one row per volume and case
    breakeven: pd.DataFrame  # one row per case
    system: System


OUTPUT_SHARE = "output_token_share"


def _with_output_share(ds: Dataset, low: float, high: float) -> Dataset:
    """The dataset with the output share's range replaced (an in-memory variant; ``data/`` is untouched)."""
    frame = ds["assumptions"].copy()
    frame.loc[frame["name"] == OUTPUT_SHARE, ["value_low", "value_high"]] = [low, high]
    return dataclasses.replace(ds, tables={**ds.tables, "assumptions": frame})


def oriented_for(ds: Dataset, model_id: str, gpu_id: str, precision: str, api_offer_id: str) -> Dataset:
    """The dataset with the output share's range ordered so that its favourable end favours self-hosting.

    More output tokens raise the bill of an API that charges more for output, and slow the GPUs (a token
    decoded costs more than a token of prompt read). Which effect wins depends on the API's prices, so
    the share's direction is decided per comparison: the end whose base-case purchase breaks even at the
    lower volume becomes the favourable one (the range is reversed in memory when it is the low end).
    """
    row = ds["assumptions"].set_index("name").loc[OUTPUT_SHARE]
    low, high = float(row["value_low"]), float(row["value_high"])
    if low == high:
        return ds
    ends = [float(compare(_with_output_share(ds, end, end), model_id, gpu_id, precision, api_offer_id,
                          np.array([1.0]), orient=False).breakeven.set_index("case")
                  .at["base", "buy_breakeven_tokens_per_month"]) for end in (low, high)]
    favours_high = DIRECTION[OUTPUT_SHARE] > 0
    if ends[0] < ends[1]:
        favours_high = False
    elif ends[1] < ends[0]:
        favours_high = True
    if favours_high == (DIRECTION[OUTPUT_SHARE] > 0):
        return ds
    return _with_output_share(ds, high, low)  # case_values then puts the low share in the favourable case


def compare(ds: Dataset, model_id: str, gpu_id: str, precision: str, api_offer_id: str,
            tokens_per_month: np.ndarray, rental_offer_id: str | None = None, orient: bool = True) -> Comparison:
    """Monthly cost of the API and of self-hosting by buying (and renting, if an offer is given).

    ``orient`` decides the output share's direction for this API first (:func:`oriented_for`).
    """
    if orient:
        ds = oriented_for(ds, model_id, gpu_id, precision, api_offer_id)
    a = assumption_cases(ds)
    system = serving_system(ds, gpu_id, model_id, precision)
    gpu = ds["gpus"].set_index("gpu_id").loc[gpu_id]
    price = ds["gpu_prices"].query("gpu_id == @gpu_id").sort_values("condition").iloc[0]
    usd_per_gpu = case_values(price["usd_low"], price["usd_high"], -1)
    api = ds["api_prices"].set_index("offer_id").loc[api_offer_id]
    volumes = np.asarray(tokens_per_month, dtype=float)[None, :]  # shape (1, V) against cases (3, 1)
    col = {k: v[:, None] for k, v in a.items()}
    fixed = (costs.engineering_usd_per_month(col["ml_engineer_usd_per_year"], col["engineer_allocation"])
             + col["networking_storage_usd_per_month"] + col["monitoring_usd_per_month"]
             + costs.downtime_usd_per_month(col["revenue_at_risk_usd_per_month"], col["selfhost_uptime"],
                                            col["api_uptime"]))
    buy = evaluate_buy(volumes, col["output_token_share"], api["usd_per_m_input"], api["usd_per_m_output"],
                       system.total_tokens_per_s[:, None], system.gpus[:, None], usd_per_gpu[:, None],
                       gpu["tdp_watts"], col["server_power_factor"], col["pue"], col["electricity_usd_per_kwh"],
                       col["hours_per_month"], col["peak_to_average"], col["target_utilization"],
                       col["amortization_months"], fixed, col["residual_value_share"],
                       col["cost_of_capital_per_year"], col["spare_gpus"], col["cached_input_share"],
                       api["usd_per_m_cached_input"])
    api_cost = buy["api_usd_per_month"]
    capacity = buy["replica_tokens_per_month"]
    frames = {"case": np.repeat(np.array(CASES)[:, None], volumes.shape[1], axis=1),
              "tokens_per_month": np.broadcast_to(volumes, api_cost.shape), "api_usd_per_month": api_cost,
              "gpus": buy["gpus"], "replicas": costs.units_needed(volumes, capacity),
              **{k: buy[k] for k in ("buy_usd_per_month", "buy_capex_usd", "buy_savings_usd_per_month",
                                     "buy_payback_months")}}
    per_token = buy["api_usd_per_token"][:, 0]
    buy_breakeven = buy["buy_breakeven_tokens_per_month"][:, 0]
    be = {"case": list(CASES), "gpus_per_replica": system.gpus, "replica_tokens_per_month": capacity[:, 0],
          "api_usd_per_m_tokens": per_token * 1e6, "buy_breakeven_tokens_per_month": buy_breakeven,
          "buy_breakeven_api_usd_per_month": buy_breakeven * per_token}
    if rental_offer_id is not None:
        offer = ds["gpu_rentals"].set_index("offer_id").loc[rental_offer_id]
        if offer["gpu_id"] != gpu_id:
            raise ValueError(f"rental_offer_id {rental_offer_id!r} rents {offer['gpu_id']}, not {gpu_id}")
        hourly = case_values(offer["usd_per_gpu_hour_low"], offer["usd_per_gpu_hour_high"], -1)
        block = np.array([math.lcm(int(g), int(offer["gpus_per_instance_min"])) for g in system.gpus], dtype=float)
        unit_capacity = capacity[:, 0] * block / system.gpus
        blocks = costs.units_needed(volumes, unit_capacity[:, None])
        rented = blocks * block[:, None]
        rent_cost = fixed + costs.rental_usd_per_month(rented, hourly[:, None], col["hours_per_month"])
        frames.update({"rent_gpus": rented, "rent_usd_per_month": rent_cost,
                       "rent_savings_usd_per_month": breakeven.monthly_savings_usd(api_cost, rent_cost)})
        rent_breakeven = breakeven.breakeven_tokens_per_month(
            per_token, fixed[:, 0], costs.rental_usd_per_month(block, hourly, a["hours_per_month"]), unit_capacity)
        be.update({"rent_breakeven_tokens_per_month": rent_breakeven,
                   "rent_breakeven_api_usd_per_month": rent_breakeven * per_token})
    table = pd.DataFrame({k: np.asarray(v).ravel() for k, v in frames.items()})
    return Comparison(table=table, breakeven=pd.DataFrame(be), system=system)
