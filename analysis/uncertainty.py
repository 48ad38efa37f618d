"""Monte Carlo over the input ranges: how sure is a break-even volume?

The deterministic model (:mod:`analysis.scenarios`) evaluates every range at three coherent cases. Here
each uncertain input is instead drawn independently and uniformly between its low and high end,

``x_i = low + (high - low) x U_i``, ``U_i ~ Uniform(0, 1)`` from ``numpy.random.default_rng(seed)``,

and the same model is evaluated once per draw, all draws at once (numpy broadcasting, no loop over draws).
Uniform is the maximum-entropy choice when only a range is known: it adds no belief about where inside the
range the truth lies. The inputs are those ``scenarios.compare`` reads: every row of ``assumptions.csv``
the model uses, the GPU's purchase price, the rental offer's hourly price, the precision's bits per
parameter and the engine efficiency (between the lower and upper quartile of the benchmark calibration,
:func:`analysis.scenarios.efficiency_cases`). API list prices are point values in the data and stay fixed.

The base values are the deterministic base case (range midpoints, median efficiency), so the tornado is
centred on ``scenarios.compare``'s base break-even, and with every range collapsed (low == high) every draw
equals it. Pure functions: numbers and numpy arrays in and out, no I/O, no plotting, no pandas arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis import scenarios
from analysis.loading import Dataset
from analysis.model import breakeven, costs, sizing, throughput

# Rows of assumptions.csv the cost model reads (scenarios.serving_system and scenarios.compare).
MODEL_ASSUMPTIONS = (
    "context_tokens", "concurrent_sequences", "kv_bytes_per_value", "gpu_memory_utilization",
    "runtime_overhead_gb_per_gpu", "max_batch_sequences", "tokens_per_request", "output_token_share",
    "cached_input_share", "peak_to_average", "target_utilization", "hours_per_month", "amortization_months",
    "residual_value_share", "cost_of_capital_per_year", "ml_engineer_usd_per_year", "engineer_allocation",
    "electricity_usd_per_kwh", "pue", "server_power_factor", "networking_storage_usd_per_month",
    "monitoring_usd_per_month", "spare_gpus", "selfhost_uptime", "api_uptime", "revenue_at_risk_usd_per_month",
)
# Inputs that come from other files than assumptions.csv.
USD_PER_GPU = "usd_per_gpu"
USD_PER_GPU_HOUR = "usd_per_gpu_hour"
BITS_PER_PARAM = "bits_per_param"
EFFICIENCY = "engine_efficiency"
OPTIONS = ("buy", "rent")
PERCENTILES = (10, 50, 90)


@dataclass(frozen=True)
class Input:
    """One uncertain input: its range, the deterministic base value, its unit and where the range comes from."""

    name: str
    low: float
    high: float
    base: float
    unit: str
    source: str


@dataclass(frozen=True)
class Situation:
    """One self-hosting situation: fixed facts about the model, GPU and offers, and the uncertain inputs.

    ``constants`` holds the model's architecture (``params_total_b``, ``params_active_b``, ``n_layers``,
    ``n_kv_heads``, ``head_dim``, ``kv_values_per_token``), the GPU (``memory_gb``,
    ``memory_bandwidth_tb_per_s``, ``tflops`` at the precision, ``tdp_watts``), the API's list prices
    (USD per million tokens), the measured efficiency of this exact system (NaN: not measured) and the
    rental offer's smallest instance (``gpus_per_instance_min``, NaN without a rental offer).
    """

    model_id: str
    gpu_id: str
    precision: str
    api_offer_id: str
    rental_offer_id: str | None
    constants: dict[str, float]
    inputs: tuple[Input, ...]

    @property
    def measured(self) -> bool:
        """True when a benchmark of exactly this system sets the rate (engine efficiency does not enter)."""
        return not math.isnan(self.constants["measured_efficiency"])

    @property
    def options(self) -> tuple[str, ...]:
        """``("buy",)``, plus ``"rent"`` when a rental offer is given."""
        return OPTIONS if self.rental_offer_id is not None else OPTIONS[:1]


def _row(frame, column: str, key: str, argument: str, file_name: str):
    """The row of ``frame`` whose ``column`` is ``key``; ValueError naming the argument when absent."""
    rows = frame[frame[column] == key]
    if rows.empty:
        valid = ", ".join(sorted(map(str, frame[column].unique())))
        raise ValueError(f"{argument} {key!r} is not in {file_name} (valid: {valid})")
    return rows.iloc[0]


def situation(ds: Dataset, model_id: str, gpu_id: str, precision: str, api_offer_id: str,
              rental_offer_id: str | None = None) -> Situation:
    """Collect the fixed facts and the range of every uncertain input for one situation.

    Raises ValueError naming the argument when an identifier is not in its file, when the GPU has no
    purchase price or when the rental offer rents another GPU type.
    """
    model = _row(ds["models"], "model_id", model_id, "model_id", "models.csv")
    gpu = _row(ds["gpus"], "gpu_id", gpu_id, "gpu_id", "gpus.csv")
    bits = _row(ds["precisions"], "precision", precision, "precision", "precisions.csv")
    api = _row(ds["api_prices"], "offer_id", api_offer_id, "api_offer_id", "api_prices.csv")
    prices = ds["gpu_prices"][ds["gpu_prices"]["gpu_id"] == gpu_id].sort_values("condition")
    if prices.empty:
        raise ValueError(f"gpu_id {gpu_id!r} has no purchase price in gpu_prices.csv")
    price = prices.iloc[0]  # the same row scenarios.compare uses
    assumptions = ds["assumptions"]
    inputs = []
    for name in MODEL_ASSUMPTIONS:
        row = _row(assumptions, "name", name, "assumption", "assumptions.csv")
        low, high = float(row["value_low"]), float(row["value_high"])
        base = float(scenarios.assumption_cases_row(low, high, name, str(row["unit"]))[1])
        inputs.append(Input(name, low, high, base, str(row["unit"]), "assumptions.csv"))
    inputs.append(Input(USD_PER_GPU, float(price["usd_low"]), float(price["usd_high"]),
                        (float(price["usd_low"]) + float(price["usd_high"])) / 2, "USD/GPU",
                        f"gpu_prices.csv ({gpu_id}, {price['condition']})"))
    bits_low, bits_high = float(bits["bits_per_param_low"]), float(bits["bits_per_param_high"])
    inputs.append(Input(BITS_PER_PARAM, bits_low, bits_high, (bits_low + bits_high) / 2, "bits",
                        f"precisions.csv ({precision})"))
    favourable, median, unfavourable = scenarios.efficiency_cases(ds)
    inputs.append(Input(EFFICIENCY, float(unfavourable), float(favourable), float(median), "measured / roofline",
                        "benchmarks.csv calibration (quartiles; base: median)"))
    block = math.nan
    if rental_offer_id is not None:
        offer = _row(ds["gpu_rentals"], "offer_id", rental_offer_id, "rental_offer_id", "gpu_rentals.csv")
        if offer["gpu_id"] != gpu_id:
            raise ValueError(f"rental_offer_id {rental_offer_id!r} rents {offer['gpu_id']}, not {gpu_id}")
        low, high = float(offer["usd_per_gpu_hour_low"]), float(offer["usd_per_gpu_hour_high"])
        inputs.append(Input(USD_PER_GPU_HOUR, low, high, (low + high) / 2, "USD/GPU-hour",
                            f"gpu_rentals.csv ({rental_offer_id})"))
        block = float(offer["gpus_per_instance_min"])
    cal = scenarios.calibration(ds)
    match = cal[(cal["gpu_id"] == gpu_id) & (cal["model_id"] == model_id) & (cal["precision"] == precision)]
    # the efficiency of this very system's median run, as scenarios.serving_system uses it (NaN: not measured)
    measured = float(np.median(match["efficiency"])) if len(match) else math.nan
    constants = {
        "params_total_b": float(model["params_total_b"]), "params_active_b": float(model["params_active_b"]),
        "n_layers": float(model["n_layers"]), "n_kv_heads": float(model["n_kv_heads"]),
        "head_dim": float(model["head_dim"]), "kv_values_per_token": float(model["kv_values_per_token"]),
        "memory_gb": float(gpu["memory_gb"]), "memory_bandwidth_tb_per_s": float(gpu["memory_bandwidth_tb_per_s"]),
        "tflops": scenarios._tflops(gpu, precision), "tdp_watts": float(gpu["tdp_watts"]),
        "usd_per_m_input": float(api["usd_per_m_input"]), "usd_per_m_output": float(api["usd_per_m_output"]),
        "usd_per_m_cached_input": float(api["usd_per_m_cached_input"]),
        "measured_efficiency": measured, "gpus_per_instance_min": block,
    }
    return Situation(model_id, gpu_id, precision, api_offer_id, rental_offer_id, constants, tuple(inputs))


def base_values(sit: Situation) -> dict[str, NDArray]:
    """Every input at its deterministic base value, as one-element arrays."""
    return {i.name: np.array([i.base]) for i in sit.inputs}


def _check_draws(draws: int) -> int:
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer):
        raise ValueError(f"draws must be a whole number, got {draws!r}")
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws!r}")
    return int(draws)


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    return int(seed)


def sample_inputs(sit: Situation, draws: int, seed: int) -> dict[str, NDArray]:
    """``draws`` independent uniform draws of every input: ``low + (high - low) x U`` with ``U ~ U(0, 1)``;
    whole-number inputs (``scenarios.WHOLE_UNITS``) take each whole value from low to high equally often.

    One ``(inputs, draws)`` block of uniforms comes from ``numpy.random.default_rng(seed)`` in the fixed
    order of ``sit.inputs``, so a seed reproduces the draws exactly (a collapsed range still consumes its
    uniforms, keeping the other inputs' draws unchanged).
    """
    n = _check_draws(draws)
    rng = np.random.default_rng(_check_seed(seed))
    uniforms = rng.random((len(sit.inputs), n))
    out = {}
    for i, u in zip(sit.inputs, uniforms, strict=True):
        if i.unit in scenarios.WHOLE_UNITS:
            # Whole counts (GPUs, sequences): each of low, low + 1, ..., high equally likely.
            out[i.name] = np.minimum(np.floor(i.low + (i.high - i.low + 1) * u), i.high)
        else:
            out[i.name] = i.low + (i.high - i.low) * u
    return out


def serving_rate(sit: Situation, values: dict[str, NDArray]) -> tuple[NDArray, NDArray]:
    """GPUs per replica and total (input + output) tokens per second of one replica, per draw.

    The steps of ``scenarios.serving_system`` with each input taken from ``values`` instead of a case:
    memory need ``weights + KV cache`` over usable memory per GPU, rounded up to a deployable count; the
    roofline rate for the request shape (``tokens_per_request`` split by ``output_token_share``); then
    the roofline times the engine efficiency: this exact system's measured efficiency when a benchmark ran
    it, else the sampled efficiency.
    """
    c = sit.constants
    bits = values[BITS_PER_PARAM]
    kv = sizing.kv_bytes_per_token(c["n_layers"], c["n_kv_heads"], c["head_dim"], values["kv_bytes_per_value"],
                                   c["kv_values_per_token"])
    weights = sizing.weights_gb(c["params_total_b"], bits)
    need = weights + sizing.kv_cache_gb(kv, values["context_tokens"], values["concurrent_sequences"])
    usable = sizing.usable_gb_per_gpu(c["memory_gb"], values["gpu_memory_utilization"],
                                      values["runtime_overhead_gb_per_gpu"])
    gpus = sizing.deployable_gpus(sizing.min_gpus(need, usable))
    out_tokens = values["tokens_per_request"] * values["output_token_share"]
    in_tokens = values["tokens_per_request"] - out_tokens
    batch = throughput.batch_size(gpus * usable - weights, kv, in_tokens + out_tokens, values["max_batch_sequences"])
    tflops = c["tflops"] * gpus
    decode = throughput.decode_tokens_per_s(batch, c["params_total_b"], c["params_active_b"], bits, kv,
                                            in_tokens + out_tokens / 2, c["memory_bandwidth_tb_per_s"] * gpus,
                                            tflops)
    prefill = throughput.prefill_tokens_per_s(c["params_active_b"], tflops)
    _, total_rate = throughput.blended_tokens_per_s(decode, prefill, in_tokens, out_tokens)
    if sit.measured:
        return gpus, total_rate * c["measured_efficiency"]
    return gpus, total_rate * values[EFFICIENCY]


def evaluate(sit: Situation, values: dict[str, NDArray], tokens_per_month: ArrayLike) -> dict[str, NDArray]:
    """The cost model for every draw at once: break-even per draw, costs and payback per draw and volume.

    ``values`` maps every input name to an array of ``N`` draws; ``tokens_per_month`` holds ``V`` volumes.
    Buying goes through ``scenarios.evaluate_buy``; renting follows ``scenarios.compare``: whole rental
    blocks of ``lcm(gpus per replica, gpus per instance)`` GPUs at ``usd_per_gpu_hour x hours``.

    Returns
    -------
    ``api_usd_per_token`` and ``{option}_breakeven_tokens_per_month`` (tokens per month, inf = never) with
    shape ``(N,)``; ``{option}_breakeven_api_usd_per_month`` (the API bill at break-even, USD per month);
    ``api_usd_per_month``, ``{option}_savings_usd_per_month`` (API minus self-hosting, USD per month) and
    ``buy_payback_months`` (purchase over the cash saved, inf = never) with shape ``(N, V)``.
    """
    missing = sorted({i.name for i in sit.inputs} - set(values))
    if missing:
        raise ValueError(f"values lacks input(s): {', '.join(missing)}")
    c = sit.constants
    v = {k: np.asarray(x, dtype=float) for k, x in values.items()}
    volumes = np.asarray(tokens_per_month, dtype=float).reshape(1, -1)  # (1, V) against draws (N, 1)
    gpus, total_rate = serving_rate(sit, v)
    col = {k: x[:, None] for k, x in v.items()}
    fixed = (costs.engineering_usd_per_month(col["ml_engineer_usd_per_year"], col["engineer_allocation"])
             + col["networking_storage_usd_per_month"] + col["monitoring_usd_per_month"]
             + costs.downtime_usd_per_month(col["revenue_at_risk_usd_per_month"], col["selfhost_uptime"],
                                            col["api_uptime"]))
    buy = scenarios.evaluate_buy(volumes, col["output_token_share"], c["usd_per_m_input"], c["usd_per_m_output"],
                                 total_rate[:, None], gpus[:, None], col[USD_PER_GPU], c["tdp_watts"],
                                 col["server_power_factor"], col["pue"], col["electricity_usd_per_kwh"],
                                 col["hours_per_month"], col["peak_to_average"], col["target_utilization"],
                                 col["amortization_months"], fixed, col["residual_value_share"],
                                 col["cost_of_capital_per_year"], col["spare_gpus"], col["cached_input_share"],
                                 c["usd_per_m_cached_input"])
    per_token = buy["api_usd_per_token"][:, 0]
    buy_volume = buy["buy_breakeven_tokens_per_month"][:, 0]
    out = {"api_usd_per_token": per_token, "api_usd_per_month": buy["api_usd_per_month"],
           "buy_breakeven_tokens_per_month": buy_volume, "buy_breakeven_api_usd_per_month": buy_volume * per_token,
           "buy_savings_usd_per_month": buy["buy_savings_usd_per_month"],
           "buy_payback_months": buy["buy_payback_months"]}
    if sit.rental_offer_id is not None:
        capacity = buy["replica_tokens_per_month"][:, 0]
        finite = np.isfinite(gpus)
        whole = np.where(finite, gpus, 1.0).astype(np.int64)
        block = np.where(finite, np.lcm(whole, int(c["gpus_per_instance_min"])).astype(float), np.inf)
        unit_capacity = capacity * block / gpus
        rented = costs.units_needed(volumes, unit_capacity[:, None]) * block[:, None]
        rent_cost = fixed + costs.rental_usd_per_month(rented, col[USD_PER_GPU_HOUR], col["hours_per_month"])
        rent_volume = breakeven.breakeven_tokens_per_month(
            per_token, fixed[:, 0], costs.rental_usd_per_month(block, v[USD_PER_GPU_HOUR], v["hours_per_month"]),
            unit_capacity)
        out.update({"rent_breakeven_tokens_per_month": rent_volume,
                    "rent_breakeven_api_usd_per_month": rent_volume * per_token,
                    "rent_savings_usd_per_month": breakeven.monthly_savings_usd(buy["api_usd_per_month"], rent_cost)})
    return out


def percentiles(values: ArrayLike, levels: tuple[float, ...] = PERCENTILES) -> NDArray:
    """Percentiles over draws (axis 0), without interpolation: the smallest draw with at least ``p``% of
    draws at or below it (``method="inverted_cdf"``), so "never" (inf) stays a valid answer.
    """
    return np.percentile(np.asarray(values, dtype=float), levels, axis=0, method="inverted_cdf")


@dataclass(frozen=True)
class MonteCarlo:
    """The draws, the model's outputs per draw, and the volumes the per-volume outputs refer to."""

    situation: Situation
    draws: int
    seed: int
    inputs: dict[str, NDArray]  # (N,) per input
    outputs: dict[str, NDArray]  # see evaluate()
    tokens_per_month: NDArray  # (V,)

    def probability_cheaper(self, option: str) -> NDArray:
        """Share of draws in which self-hosting costs less than the API at each volume: ``mean(savings > 0)``.

        Not always monotone in volume: just past a replica's capacity the next replica's cost arrives
        before the API bill has grown to cover it (the self-hosting cost is a step function).
        """
        return (self._output(option, "savings_usd_per_month") > 0).mean(axis=0)

    def probability_past_breakeven(self, option: str) -> NDArray:
        """Share of draws whose break-even volume is at or below each volume (its empirical CDF; monotone)."""
        be = self._output(option, "breakeven_tokens_per_month")
        return (be[:, None] <= self.tokens_per_month[None, :]).mean(axis=0)

    def _output(self, option: str, what: str) -> NDArray:
        if option not in self.situation.options:
            raise ValueError(f"option must be one of {', '.join(self.situation.options)}, got {option!r}")
        return self.outputs[f"{option}_{what}"]


def monte_carlo(sit: Situation, draws: int, seed: int, tokens_per_month: ArrayLike) -> MonteCarlo:
    """Sample every input ``draws`` times with ``seed`` and evaluate the model at ``tokens_per_month``."""
    volumes = np.asarray(tokens_per_month, dtype=float).ravel()
    if volumes.size == 0 or not np.isfinite(volumes).all() or (volumes <= 0).any():
        raise ValueError("tokens_per_month must be one or more positive finite volumes")
    inputs = sample_inputs(sit, draws, seed)
    return MonteCarlo(sit, int(draws), int(seed), inputs, evaluate(sit, inputs, volumes), volumes)


@dataclass(frozen=True)
class Tornado:
    """One-at-a-time sensitivity of a break-even volume, sorted by swing (largest first)."""

    option: str
    base_tokens_per_month: float  # break-even with every input at base
    names: tuple[str, ...]
    low: NDArray  # the input's low end
    high: NDArray  # the input's high end
    at_low_tokens_per_month: NDArray  # break-even with this input at its low end, the others at base
    at_high_tokens_per_month: NDArray
    swing_tokens_per_month: NDArray  # |at_high - at_low| (inf when exactly one end never breaks even)
    swing_factor: NDArray  # max(ends) / min(ends): the bar's length on a log axis (1 = no effect)


def tornado(sit: Situation, option: str) -> Tornado:
    """Swing each input from its low to its high end with every other input at base, one evaluation.

    Rows ``2k`` and ``2k + 1`` of a ``(2K,)`` batch hold input ``k`` at its low and high end. Inputs are
    sorted by ``swing_factor`` (the ratio of the two break-evens, what a log axis shows), then by the
    absolute swing, then by name.
    """
    if option not in sit.options:
        raise ValueError(f"option must be one of {', '.join(sit.options)}, got {option!r}")
    k = len(sit.inputs)
    which = np.repeat(np.arange(k), 2)
    end = np.tile([0, 1], k)
    values = {}
    for index, i in enumerate(sit.inputs):  # one array per input (K inputs), not a loop over draws
        values[i.name] = np.where(which == index, np.where(end == 0, i.low, i.high), i.base)
    column = f"{option}_breakeven_tokens_per_month"
    be = evaluate(sit, values, [1.0])[column].reshape(k, 2)
    base = float(evaluate(sit, base_values(sit), [1.0])[column][0])
    lo_end, hi_end = be[:, 0], be[:, 1]
    both_inf = np.isinf(lo_end) & np.isinf(hi_end)
    with np.errstate(invalid="ignore"):
        swing = np.where(both_inf, 0.0, np.abs(hi_end - lo_end))
        factor = np.where(both_inf, 1.0, np.maximum(lo_end, hi_end) / np.minimum(lo_end, hi_end))
    names = [i.name for i in sit.inputs]
    order = sorted(range(k), key=lambda j: (-factor[j], -swing[j], names[j]))
    return Tornado(option, base, tuple(names[j] for j in order),
                   np.array([sit.inputs[j].low for j in order]), np.array([sit.inputs[j].high for j in order]),
                   lo_end[order], hi_end[order], swing[order], factor[order])
