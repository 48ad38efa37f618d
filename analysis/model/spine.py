"""The one evaluation spine: a resolved situation, any number of value sets, any number of volumes.

Every caller goes through :func:`evaluate`: the three cases (three value sets), the Monte Carlo draws
(``N`` value sets), a tornado (two value sets per input), ``quote`` and every chapter. A value set gives
every uncertain input (:class:`Input`) one value; the situation's constants (the model's architecture,
the GPU, the API's list prices, the rental instance size) are shared by all of them.

For each value set and volume the spine

1. sizes a replica: every deployable GPU count that holds the weights plus ``concurrent_sequences``
   sequences of KV cache (any count inside a node, tensor and pipeline parallel; whole nodes up to eight of
   them, whether or not the model fits in one; past that, the smallest whole-node count);
2. rates each candidate: the throughput bound (:func:`analysis.model.throughput.bound_output_tokens_per_s`)
   at the largest batch its usable memory holds, capped by ``max_batch_sequences`` (a larger batch never
   lowers tokens per second) and by the speed each user is promised (``min_tokens_per_s_per_user``,
   :func:`analysis.model.throughput.speed_batch_limit`), times the engine efficiency calibrated against
   the same bound;
3. prices the fleet for each candidate and keeps the cheapest: replicas ``ceil(V / capacity)``, spare
   GPUs ``ceil(serving GPUs x spare_gpu_share)`` once the fleet serves on ``spare_min_serving_gpus``, each
   bought GPU with its share of a host server and the facility its power draws, engineering
   ``max(oncall_engineers_min, engineer_allocation + serving GPUs / gpus_per_engineer)`` engineers, so cost per
   token cannot fall forever;
4. solves the break-even volume per candidate in closed form (:mod:`analysis.model.breakeven`) and keeps
   the lowest, with the margin an extra replica earns over its cost (small: a fragile break-even).

Each bill comes with its lines (:data:`LINES`): the API's input, cached-input and output tokens; a bought
fleet's GPUs, host servers, power, facility, spares, engineers, downtime, networking and monitoring; a
rented fleet's GPUs and the same operating lines. Chapters that cost a fleet the guide chose (its 4 x A100
cluster) or one GPU (rent against buy) call :func:`fleet_usd_per_month` and the per-unit functions
(:func:`owning_usd_per_gpu_month`, :func:`server_usd_per_gpu_month`, :func:`power_usd_per_gpu_month`,
:func:`facility_usd_per_gpu_month`, :func:`rent_usd_per_gpu_month`, :func:`engineers_usd_per_month`,
:func:`downtime_usd_per_month`) that :func:`evaluate` itself uses, so every cost on a page has one formula;
no report module imports :mod:`analysis.model.costs` (an import-linter contract). Memory and speed tables
(the sizing and engine chapters) call :mod:`analysis.model.sizing` and :mod:`analysis.model.throughput`
directly: they size a grid of models and GPUs, not a priced situation.

Pure numpy: no pandas, no I/O. Arrays have shape ``(N,)`` per value set or ``(N, V)`` per value set and
volume.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.model import breakeven, costs, sizing, throughput

CASES = ("favourable", "base", "unfavourable")
# Inputs that only come in whole numbers: their base (a midpoint) is rounded up, draws are whole.
WHOLE_UNITS = ("sequences",)
# Names of inputs that do not come from assumptions.csv.
USD_PER_GPU = "usd_per_gpu"
USD_PER_GPU_HOUR = "usd_per_gpu_hour"
BITS_PER_PARAM = "bits_per_param"
EFFICIENCY = "engine_efficiency"
OUTPUT_SHARE = "output_token_share"
SPEED_TARGET = "min_tokens_per_s_per_user"
# An optional value: a multiplier of the API's prices (1 when absent).
API_PRICE_FACTOR = "api_price_factor"
# The lines a monthly bill is broken down into, by option: output ``{option}_{line}_usd_per_month``
# (:func:`line_key`). They add up to ``{option}_usd_per_month`` (to the last few bits: the total is summed
# in another order). Buying: the serving GPUs' ownership (depreciation and capital), their share of host
# servers (owned the same way), their power, the facility that houses that power, the spare GPUs (each with
# all four), the engineers, the extra downtime, networking and storage, monitoring. Renting: the rented GPUs,
# then the same operating lines (no servers, power, facility or spares: the provider's). The API: input,
# cached input and output tokens.
LINES = {
    "buy": ("gpus", "servers", "power", "facility", "spares", "engineers", "downtime", "networking_storage",
            "monitoring"),
    "rent": ("gpus", "engineers", "downtime", "networking_storage", "monitoring"),
    "api": ("input", "cached_input", "output"),
}


def line_key(option: str, line: str) -> str:
    """The output name of one line of a bill: ``buy_power_usd_per_month``, ``api_output_usd_per_month``."""
    if line not in LINES[option]:
        raise KeyError(f"{option} bills have no line {line!r} (lines: {', '.join(LINES[option])})")
    return f"{option}_{line}_usd_per_month"


def ordered_cases(low: float, base: float, high: float, direction: int) -> NDArray:
    """``[favourable, base, unfavourable]`` of a range: the high end is favourable for direction +1, the low
    end for -1; direction 0 takes no side (the base in every case)."""
    if direction > 0:
        return np.array([high, base, low])
    if direction < 0:
        return np.array([low, base, high])
    return np.array([base, base, base])


def midpoint_cases(low: float, high: float, direction: int) -> NDArray:
    """:func:`ordered_cases` of a range whose base is its midpoint ``(low + high) / 2``."""
    return ordered_cases(low, (low + high) / 2, high, direction)


@dataclass(frozen=True)
class Input:
    """One uncertain input: its range, its base value, its unit, where the range comes from, and its direction.

    ``direction`` is +1 when a higher value makes self-hosting cheaper relative to the API, -1 when
    dearer, 0 when it does not take sides (then every case uses the base).
    """

    name: str
    low: float
    high: float
    base: float
    unit: str
    source: str
    direction: int

    def case_values(self) -> NDArray:
        """``[favourable, base, unfavourable]``."""
        return ordered_cases(self.low, self.base, self.high, self.direction)


@dataclass(frozen=True)
class Situation:
    """One self-hosting situation with every identifier resolved.

    ``constants``: ``params_total_b``, ``params_active_b``, ``n_layers``, ``n_kv_heads``, ``head_dim``,
    ``kv_values_per_token`` (NaN: grouped-query formula), ``memory_gb`` (device memory in 10^9 bytes,
    converted from the vendor's unit), ``memory_bandwidth_tb_per_s``, ``tflops`` (dense, at the
    precision), ``tdp_watts``, ``usd_per_m_input``, ``usd_per_m_output``, ``usd_per_m_cached_input`` and
    ``gpus_per_instance_min`` (NaN without a rental offer).
    """

    model_id: str
    gpu_id: str
    precision: str
    api_offer_id: str
    rental_offer_id: str | None
    constants: dict[str, float]
    inputs: tuple[Input, ...]
    efficiency_class: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def options(self) -> tuple[str, ...]:
        """``("buy",)``, plus ``"rent"`` when a rental offer is given."""
        return ("buy", "rent") if self.rental_offer_id is not None else ("buy",)

    def input(self, name: str) -> Input:
        for item in self.inputs:
            if item.name == name:
                return item
        raise KeyError(f"the situation has no input {name!r}")


def case_values(sit: Situation) -> dict[str, NDArray]:
    """Every input's ``[favourable, base, unfavourable]`` values: three value sets for :func:`evaluate`."""
    return {i.name: i.case_values() for i in sit.inputs}


def base_values(sit: Situation) -> dict[str, NDArray]:
    """Every input at its base value, as one-element arrays."""
    return {i.name: np.array([i.base]) for i in sit.inputs}


def base_of(low: float, high: float, unit: str) -> float:
    """The base value of a range: its midpoint, rounded up for whole units."""
    mid = (low + high) / 2
    return float(math.ceil(mid)) if unit in WHOLE_UNITS else mid


def spares_needed(serving_gpus: ArrayLike, spare_gpu_share: ArrayLike,
                  spare_min_serving_gpus: ArrayLike = 1.0) -> NDArray:
    """Whole spare GPUs kept for a fleet: ``ceil(serving x share)`` once it serves on at least
    ``spare_min_serving_gpus`` GPUs, none before (a smaller fleet is not given a whole spare by rounding).

    The product is rounded to 9 decimals first, so a share such as 0.05 of 20 GPUs is one spare, not two
    from the last bit of ``0.05``.
    """
    serving = np.asarray(serving_gpus, dtype=float)
    spares = np.ceil(np.round(serving * np.asarray(spare_gpu_share, dtype=float), 9))
    return np.where(serving >= np.asarray(spare_min_serving_gpus, dtype=float), spares, 0.0)


def _rate(c: dict[str, float], v: dict[str, NDArray], gpus: NDArray, usable_gb: NDArray, weights_gb: NDArray,
          kv_bytes: NDArray, in_tokens: NDArray, out_tokens: NDArray) -> NDArray:
    """Total (input + output) tokens per second of replicas of ``gpus`` GPUs: the bound times the efficiency.

    ``gpus`` is ``(N, S)`` (NaN: not a candidate); everything else is ``(N, 1)``.
    """
    valid = np.isfinite(gpus)
    g = np.where(valid, gpus, 1.0)
    # Lanes that are no candidate (a model that fits no replica shape) are computed on one GPU and thrown away:
    # their memory budget is negative, so their NaN is expected and not worth a warning.
    with np.errstate(invalid="ignore"):
        fast_enough = throughput.speed_batch_limit(
            v[SPEED_TARGET], v[EFFICIENCY], c["params_total_b"], c["params_active_b"], v[BITS_PER_PARAM], kv_bytes,
            in_tokens, out_tokens, c["memory_bandwidth_tb_per_s"] * g, c["tflops"] * g, v["cached_input_share"])
        out_rate = throughput.bound_output_tokens_per_s(
            g * usable_gb - weights_gb, c["params_total_b"], c["params_active_b"], v[BITS_PER_PARAM], kv_bytes,
            in_tokens, out_tokens, c["memory_bandwidth_tb_per_s"] * g, c["tflops"] * g,
            np.minimum(v["max_batch_sequences"], fast_enough), v["cached_input_share"])
        total_rate = out_rate * (in_tokens + out_tokens) / out_tokens * v[EFFICIENCY]
    return np.where(valid, total_rate, 0.0)


def _memory(c: dict[str, float], v: dict[str, NDArray]) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """KV bytes per token, weights (GB), usable GB per GPU and the smallest deployable replica that fits."""
    kv_bytes = sizing.kv_bytes_per_token(c["n_layers"], c["n_kv_heads"], c["head_dim"], v["kv_bytes_per_value"],
                                         c["kv_values_per_token"])
    weights = sizing.weights_gb(c["params_total_b"], v[BITS_PER_PARAM])
    usable = sizing.usable_gb_per_gpu(c["memory_gb"], v["gpu_memory_utilization"], v["runtime_overhead_gb_per_gpu"])
    need = weights + sizing.kv_cache_gb(kv_bytes, v["context_tokens"], v["concurrent_sequences"])
    return kv_bytes, weights, usable, sizing.deployable_gpus(sizing.min_gpus(need, usable), sizing.PIPELINE_SHAPES)


def _columns(values: dict[str, ArrayLike]) -> dict[str, NDArray]:
    flat = {k: np.asarray(x, dtype=float).reshape(-1) for k, x in values.items()}
    n = max(len(x) for x in flat.values())
    return {k: np.broadcast_to(x, (n,))[:, None] for k, x in flat.items()}  # (N, 1)


def smallest_replica(sit: Situation, values: dict[str, ArrayLike]) -> NDArray:
    """The fewest deployable GPUs that hold the weights and ``concurrent_sequences`` sequences, per value set."""
    return _memory(sit.constants, _columns(values))[3][:, 0]


def replica_rate(sit: Situation, values: dict[str, ArrayLike], gpus: ArrayLike) -> NDArray:
    """Total (input + output) tokens per second of one replica of ``gpus`` GPUs, per value set (0: does not fit)."""
    c, v = sit.constants, _columns(values)
    kv_bytes, weights, usable, _ = _memory(c, v)
    out_tokens = v["tokens_per_request"] * v[OUTPUT_SHARE]
    g = np.broadcast_to(np.asarray(gpus, dtype=float).reshape(-1), (len(usable),))[:, None]
    return _rate(c, v, g, usable, weights, kv_bytes, v["tokens_per_request"] - out_tokens, out_tokens)[:, 0]


def _candidates(smallest: NDArray) -> NDArray:
    """Replica sizes worth pricing, ``(N, S)`` (NaN: too small to hold the model): the in-node shapes and the
    whole-node counts of :mod:`analysis.model.sizing` at least ``smallest``, and ``smallest`` itself when it is a
    whole-node count beyond them."""
    shapes = np.concatenate([sizing.PIPELINE_SHAPES, sizing.ACROSS_NODE_SHAPES])[None, :]
    listed = np.where(shapes >= smallest, shapes, np.nan)
    beyond = np.where(np.isfinite(smallest) & (smallest > sizing.ACROSS_NODE_SHAPES[-1]), smallest, np.nan)
    return np.concatenate([listed, beyond], axis=1)


def _cheapest(cost: NDArray, *others: NDArray) -> tuple[NDArray, ...]:
    """Pick, along the last axis, the candidate with the lowest cost (ties: the smaller replica)."""
    safe = np.where(np.isnan(cost), np.inf, cost)
    index = np.argmin(safe, axis=-1)[..., None]
    return tuple(np.take_along_axis(a, index, axis=-1)[..., 0] for a in (safe, *others))


def owning_usd_per_gpu_month(values: dict[str, ArrayLike]) -> NDArray:
    """Depreciation and capital of one bought GPU a month (USD): :func:`analysis.model.costs.amortized_usd_per_month`
    of ``usd_per_gpu`` over ``amortization_months``, with ``residual_value_share`` and ``cost_of_capital_per_year``."""
    return costs.amortized_usd_per_month(values[USD_PER_GPU], values["amortization_months"],
                                         values["residual_value_share"], values["cost_of_capital_per_year"])


def server_usd_per_gpu_month(values: dict[str, ArrayLike]) -> NDArray:
    """One bought GPU's share of its host server (CPUs, memory, NICs, chassis) a month (USD), owned like the GPU:
    :func:`analysis.model.costs.amortized_usd_per_month` of ``server_usd_per_gpu`` over the same life, with the
    same resale share and cost of capital."""
    return costs.amortized_usd_per_month(values["server_usd_per_gpu"], values["amortization_months"],
                                         values["residual_value_share"], values["cost_of_capital_per_year"])


def power_usd_per_gpu_month(values: dict[str, ArrayLike], tdp_watts: ArrayLike) -> NDArray:
    """Electricity of one bought GPU's share of its server at full load a month (USD):
    ``tdp_watts x server_power_factor x pue x hours_per_month / 1000 x electricity_usd_per_kwh``."""
    return costs.power_usd_per_month(1.0, tdp_watts, values["server_power_factor"], values["pue"],
                                     values["electricity_usd_per_kwh"], values["hours_per_month"])


def facility_usd_per_gpu_month(values: dict[str, ArrayLike], tdp_watts: ArrayLike) -> NDArray:
    """The space, cooling plant and power delivery that house one bought GPU's server share a month (USD):
    colocation priced per kW of IT load, ``tdp_watts x server_power_factor / 1000 x colocation_usd_per_kw_month``
    (the electricity itself is :func:`power_usd_per_gpu_month`)."""
    return costs.facility_usd_per_month(1.0, tdp_watts, values["server_power_factor"],
                                        values["colocation_usd_per_kw_month"])


def rent_usd_per_gpu_month(values: dict[str, ArrayLike]) -> NDArray:
    """One rented GPU around the clock a month (USD): ``usd_per_gpu_hour x hours_per_month``."""
    return costs.rental_usd_per_month(1.0, values[USD_PER_GPU_HOUR], values["hours_per_month"])


def downtime_usd_per_month(values: dict[str, ArrayLike]) -> NDArray:
    """Revenue lost to self-hosting's extra downtime a month (USD):
    ``revenue_at_risk_usd_per_month x max(0, api_uptime - selfhost_uptime)``."""
    return costs.downtime_usd_per_month(values["revenue_at_risk_usd_per_month"], values["selfhost_uptime"],
                                        values["api_uptime"])


def engineers_usd_per_month(values: dict[str, ArrayLike], engineers: ArrayLike) -> NDArray:
    """``engineers`` engineers a month (USD): ``ml_engineer_usd_per_year / 12 x engineers``."""
    return costs.engineering_usd_per_month(values["ml_engineer_usd_per_year"], 1.0) * np.asarray(engineers, dtype=float)


def engineers_needed(values: dict[str, ArrayLike], serving_gpus: ArrayLike) -> NDArray:
    """Engineers a self-hosted fleet of ``serving_gpus`` takes:
    ``max(oncall_engineers_min, engineer_allocation + serving_gpus / gpus_per_engineer)``: a share of an engineer
    plus one more per ``gpus_per_engineer`` GPUs, never less than the share of an on-call rotation a service
    needs however small it is."""
    grows = (np.asarray(values["engineer_allocation"], dtype=float)
             + np.asarray(serving_gpus, dtype=float) / np.asarray(values["gpus_per_engineer"], dtype=float))
    return np.maximum(np.asarray(values["oncall_engineers_min"], dtype=float), grows)


def operating_usd_per_month(values: dict[str, ArrayLike], engineers: ArrayLike) -> dict[str, NDArray]:
    """The lines any self-hosted fleet pays besides its GPUs, USD a month: ``engineers``
    (:func:`engineers_usd_per_month`), ``downtime`` (:func:`downtime_usd_per_month`), ``networking_storage`` and
    ``monitoring`` (the inputs of those names), broadcast together."""
    lines = {"engineers": engineers_usd_per_month(values, engineers), "downtime": downtime_usd_per_month(values),
             "networking_storage": np.asarray(values["networking_storage_usd_per_month"], dtype=float),
             "monitoring": np.asarray(values["monitoring_usd_per_month"], dtype=float)}
    shape = np.broadcast_shapes(*(x.shape for x in lines.values()))
    return {name: np.broadcast_to(x, shape).copy() for name, x in lines.items()}


@dataclass(frozen=True)
class _UnitCosts:
    """What a month costs per unit of a fleet, per value set (each ``(N, 1)``, USD per month): one bought GPU's
    ownership, host server share, power and facility, one engineer, and the lines that do not grow with the fleet."""

    owning_per_gpu: NDArray
    server_per_gpu: NDArray
    power_per_gpu: NDArray
    facility_per_gpu: NDArray
    engineer_month: NDArray  # salary / 12
    engineer_per_gpu: NDArray  # engineer_month / gpus_per_engineer
    downtime: NDArray
    networking_storage: NDArray
    monitoring: NDArray
    other_fixed: NDArray  # networking_storage + monitoring + downtime
    fixed: NDArray  # other_fixed + engineer_month x engineer_allocation
    floor: NDArray  # engineer_month x (oncall_engineers_min - engineer_allocation): the on-call floor's excess

    @property
    def running_per_gpu(self) -> NDArray:
        """What one bought GPU costs in cash each month: its power and its facility."""
        return self.power_per_gpu + self.facility_per_gpu

    @property
    def per_gpu(self) -> NDArray:
        """Owning, housing and powering one bought GPU with its server share."""
        return self.owning_per_gpu + self.server_per_gpu + self.running_per_gpu


def _unit_costs(tdp_watts: float, v: dict[str, NDArray]) -> _UnitCosts:
    downtime = downtime_usd_per_month(v)
    other_fixed = v["networking_storage_usd_per_month"] + v["monitoring_usd_per_month"] + downtime
    engineer_month = costs.engineering_usd_per_month(v["ml_engineer_usd_per_year"], 1.0)
    return _UnitCosts(
        owning_per_gpu=owning_usd_per_gpu_month(v), server_per_gpu=server_usd_per_gpu_month(v),
        power_per_gpu=power_usd_per_gpu_month(v, tdp_watts), facility_per_gpu=facility_usd_per_gpu_month(v, tdp_watts),
        engineer_month=engineer_month, engineer_per_gpu=engineer_month / v["gpus_per_engineer"],
        downtime=downtime, networking_storage=v["networking_storage_usd_per_month"],
        monitoring=v["monitoring_usd_per_month"], other_fixed=other_fixed,
        fixed=other_fixed + engineer_month * v["engineer_allocation"],
        floor=engineer_month * (v["oncall_engineers_min"] - v["engineer_allocation"]))


def _operating_lines(u: _UnitCosts, engineers: NDArray) -> dict[str, NDArray]:
    shape = np.broadcast(engineers, u.downtime).shape
    return {"engineers": u.engineer_month * engineers, "downtime": np.broadcast_to(u.downtime, shape).copy(),
            "networking_storage": np.broadcast_to(u.networking_storage, shape).copy(),
            "monitoring": np.broadcast_to(u.monitoring, shape).copy()}


def _bought_lines(u: _UnitCosts, v: dict[str, NDArray], serving: NDArray, spares: NDArray) -> dict[str, NDArray]:
    """The lines of a bought fleet: ``serving`` GPUs and ``spares``, run by :func:`engineers_needed` engineers."""
    return {"gpus": u.owning_per_gpu * serving, "servers": u.server_per_gpu * serving,
            "power": u.power_per_gpu * serving, "facility": u.facility_per_gpu * serving, "spares": u.per_gpu * spares,
            **_operating_lines(u, engineers_needed(v, serving))}


def fleet_usd_per_month(values: dict[str, ArrayLike], tdp_watts: float, serving_gpus: ArrayLike,
                        spare_gpus: ArrayLike) -> dict[str, NDArray]:
    """A bought fleet of a given size, per value set, by line (:data:`LINES` ``["buy"]``), USD per month.

    The lines :func:`evaluate` gives for the fleet it chooses, for a fleet the caller chooses (the guide's
    cluster): ``gpus = serving x`` :func:`owning_usd_per_gpu_month`, ``servers = serving x``
    :func:`server_usd_per_gpu_month`, ``power = serving x`` :func:`power_usd_per_gpu_month`, ``facility = serving
    x`` :func:`facility_usd_per_gpu_month`, ``spares = spares x`` (the four together), ``engineers = salary / 12 x``
    :func:`engineers_needed`, ``downtime = revenue_at_risk x max(0, api_uptime - selfhost_uptime)``,
    ``networking_storage`` and ``monitoring`` as given. ``values`` holds those inputs (and may hold others); each
    line has shape ``(N,)``.
    """
    v = _columns(values)
    n = len(next(iter(v.values())))
    serving = np.broadcast_to(np.asarray(serving_gpus, dtype=float).reshape(-1), (n,))[:, None]
    spares = np.broadcast_to(np.asarray(spare_gpus, dtype=float).reshape(-1), (n,))[:, None]
    lines = _bought_lines(_unit_costs(tdp_watts, v), v, serving, spares)
    return {name: lines[name][:, 0] for name in LINES["buy"]}


def rented_fleet_usd_per_month(values: dict[str, ArrayLike], rented_gpus: ArrayLike) -> dict[str, NDArray]:
    """A rented fleet of a given size, per value set, by line (:data:`LINES` ``["rent"]``), USD per month.

    The lines :func:`evaluate` gives for the fleet it rents: ``gpus = rented x`` :func:`rent_usd_per_gpu_month`
    (no spares: the provider replaces a failed GPU), then the operating lines of :func:`operating_usd_per_month`
    for :func:`engineers_needed` ``(rented)`` engineers. Each line has shape ``(N,)``.
    """
    v = _columns(values)
    n = len(next(iter(v.values())))
    rented = np.broadcast_to(np.asarray(rented_gpus, dtype=float).reshape(-1), (n,))[:, None]
    # A rented GPU's power and housing are in its hourly price; the team that runs it is not.
    lines = {"gpus": rent_usd_per_gpu_month(v) * rented, **operating_usd_per_month(v, engineers_needed(v, rented))}
    return {name: np.broadcast_to(lines[name], rented.shape)[:, 0] for name in LINES["rent"]}


# Value-set x volume x candidate cells evaluated in one pass. Each (N, V, S) work array of a pass then stays
# near 8 MB: allocating larger ones cost more than their arithmetic (10,000 draws at 101 volumes took 2.0-2.5 s
# in one pass and 0.5 s in passes of 2,000 draws). Every cell is computed alone, so passes change no bit.
CELLS_PER_PASS = 1_000_000


def evaluate(sit: Situation, values: dict[str, ArrayLike], tokens_per_month: ArrayLike) -> dict[str, NDArray]:
    """The cost model for ``N`` value sets at ``V`` volumes, all at once (in passes of value sets when
    ``N x V`` is large, see :data:`CELLS_PER_PASS`).

    Returns
    -------
    Per value set ``(N,)``: ``api_usd_per_token``; ``buy_breakeven_tokens_per_month`` (inf: never),
    ``buy_breakeven_api_usd_per_month``, ``buy_breakeven_gpus_per_replica`` and ``buy_margin_ratio``
    (what an extra replica saves beyond its own monthly cost, over that cost; negative: never),
    ``buy_breakeven_replica_tokens_per_month``, and the
    same with ``rent_`` when the situation has a rental offer.
    Per value set and volume ``(N, V)``: ``tokens_per_month``, ``api_usd_per_month``; ``gpus`` (serving +
    spares), ``spare_gpus``, ``replicas``, ``gpus_per_replica``, ``replica_tokens_per_month``,
    ``engineers``, ``buy_usd_per_month``, ``buy_capex_usd`` (the GPUs with their servers' share),
    ``buy_savings_usd_per_month``,
    ``buy_payback_months`` (purchase over the cash saved; inf when no cash is saved) and
    ``buy_payback_after_writeoff`` (1 when that is longer than the amortization period, else 0);
    with a rental offer ``rent_gpus``, ``rent_gpus_per_replica``, ``rent_usd_per_month``,
    ``rent_savings_usd_per_month``. Each bill by line, ``(N, V)``: ``api_{line}_usd_per_month``,
    ``buy_{line}_usd_per_month`` and ``rent_{line}_usd_per_month`` for the lines of :data:`LINES`.
    """
    missing = sorted({i.name for i in sit.inputs} - set(values))
    if missing:
        raise ValueError(f"values lacks input(s): {', '.join(missing)}")
    v = _columns(values)
    volumes = np.asarray(tokens_per_month, dtype=float).reshape(1, -1)  # (1, V)
    n = len(next(iter(v.values())))
    per_pass = max(1, CELLS_PER_PASS // (volumes.size * (len(sizing.PIPELINE_SHAPES) + len(sizing.ACROSS_NODE_SHAPES)
                                                          + 1)))
    if n <= per_pass:
        return _evaluate(sit, v, volumes)
    parts = [_evaluate(sit, {k: x[start:start + per_pass] for k, x in v.items()}, volumes)
             for start in range(0, n, per_pass)]
    return {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}


def _evaluate(sit: Situation, v: dict[str, NDArray], volumes: NDArray) -> dict[str, NDArray]:
    """:func:`evaluate` of ``(N, 1)`` value columns (:func:`_columns`) at ``(1, V)`` volumes, in one pass."""
    c = sit.constants

    # 1. Memory: which deployable counts hold the weights and the resident sequences.
    kv_bytes, weights, usable, smallest = _memory(c, v)
    candidates = _candidates(smallest)  # (N, S)

    # 2. Throughput of each candidate for the request shape.
    out_tokens = v["tokens_per_request"] * v[OUTPUT_SHARE]
    in_tokens = v["tokens_per_request"] - out_tokens
    rate = _rate(c, v, candidates, usable, weights, kv_bytes, in_tokens, out_tokens)
    capacity = costs.capacity_tokens_per_month(rate, v["hours_per_month"], v["peak_to_average"],
                                               v["target_utilization"])  # (N, S)

    # 3. Costs that do not depend on the fleet, per GPU, per engineer.
    # An optional multiplier of the API's prices per value set (analysis.evaluation.lifetime: the discounted
    # average of a falling price); absent, the prices as listed (x 1.0 changes no bit).
    factor = v[API_PRICE_FACTOR] if API_PRICE_FACTOR in v else 1.0
    api_per_token = costs.api_monthly_cost_usd(1.0, v[OUTPUT_SHARE], c["usd_per_m_input"], c["usd_per_m_output"],
                                               v["cached_input_share"], c["usd_per_m_cached_input"]) * factor
    # The bill is V / 1e6 x price per million, not V x price per token: a round volume at a round price then
    # bills a round sum (1T tokens at $11.875 per million is $11,875,000, not a hair less).
    api = costs.api_monthly_cost_usd(volumes, v[OUTPUT_SHARE], c["usd_per_m_input"], c["usd_per_m_output"],
                                     v["cached_input_share"], c["usd_per_m_cached_input"]) * factor
    api_lines = {name: line * factor for name, line in costs.api_lines_usd_per_month(
        volumes, v[OUTPUT_SHARE], c["usd_per_m_input"], c["usd_per_m_output"], v["cached_input_share"],
        c["usd_per_m_cached_input"]).items()}
    u = _unit_costs(c["tdp_watts"], v)
    engineer_month, engineer_per_gpu, fixed, per_gpu = u.engineer_month, u.engineer_per_gpu, u.fixed, u.per_gpu
    # The on-call floor, per replica (units of the break-even): max(floor, allocation + gpus / per_engineer)
    # engineers is the growing line plus max(0, (floor - allocation) - gpus / per_engineer).
    floor = u.floor

    # 4. Buying: each candidate at each volume (N, V, S), keep the cheapest.
    cap3 = capacity[:, None, :]
    g3 = candidates[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        replicas3 = np.where(cap3 > 0, np.maximum(1.0, np.ceil(volumes[..., None] / cap3)), np.inf)
    serving3 = replicas3 * g3
    spares3 = spares_needed(np.where(np.isfinite(serving3), serving3, 0.0), v["spare_gpu_share"][..., None],
                            v["spare_min_serving_gpus"][..., None])
    spares3 = np.where(np.isfinite(serving3), spares3, np.inf)
    gpus3 = serving3 + spares3
    v3 = {name: v[name][..., None] for name in ("oncall_engineers_min", "engineer_allocation", "gpus_per_engineer")}
    # A candidate with no capacity needs inf GPUs: with a salary of 0 its engineers cost 0 x inf = NaN, which
    # _cheapest counts as inf like any other unserved candidate.
    with np.errstate(invalid="ignore"):
        cost3 = (u.other_fixed[..., None] + engineer_month[..., None] * engineers_needed(v3, serving3)
                 + per_gpu[..., None] * gpus3)
    cost, gpus, spares, replicas, per_replica, replica_capacity, serving = _cheapest(
        cost3, gpus3, spares3, replicas3, g3 * np.ones_like(cost3), cap3 * np.ones_like(cost3), serving3)
    engineers = engineers_needed(v, serving)
    capex = gpus * (v[USD_PER_GPU] + v["server_usd_per_gpu"])
    cash_saved = api - u.other_fixed - engineer_month * engineers - u.running_per_gpu * gpus
    payback = breakeven.payback_months(np.where(np.isfinite(capex), capex, 0.0), np.where(np.isfinite(cash_saved),
                                                                                         cash_saved, -1.0))
    out = {
        "tokens_per_month": np.broadcast_to(volumes, api.shape).copy(), "api_usd_per_month": api,
        "api_usd_per_token": api_per_token[:, 0], "gpus": gpus, "spare_gpus": spares, "replicas": replicas,
        "gpus_per_replica": per_replica, "replica_tokens_per_month": replica_capacity, "engineers": engineers,
        "buy_usd_per_month": cost, "buy_capex_usd": capex,
        "buy_savings_usd_per_month": api - cost,
        # A payback is given in months however long (37 and 370 months are different answers), with a flag when
        # the hardware is written off before the saved cash repays it.
        "buy_payback_months": payback,
        "buy_payback_after_writeoff": np.where(np.isfinite(payback) & (payback > v["amortization_months"]), 1.0,
                                               0.0),
        **{line_key("api", name): line for name, line in api_lines.items()},
        **{line_key("buy", name): line for name, line in _bought_lines(u, v, serving, spares).items()},
    }
    unit_cost = (per_gpu + engineer_per_gpu) * candidates
    volume, margin = breakeven.breakeven_with_spares(api_per_token, fixed, unit_cost,
                                                     np.where(capacity > 0, capacity, np.nan), per_gpu,
                                                     candidates * v["spare_gpu_share"], floor,
                                                     engineer_per_gpu * candidates,
                                                     np.ceil(np.round(v["spare_min_serving_gpus"] / candidates, 9)))
    _add_breakeven(out, "buy", volume, margin, candidates, capacity, api_per_token[:, 0])

    # 5. Renting: whole instances, no spares (the provider replaces failed GPUs).
    if sit.rental_offer_id is not None:
        whole = np.where(np.isfinite(candidates), candidates, 1.0).astype(np.int64)
        block = np.where(np.isfinite(candidates),
                         np.lcm(whole, int(c["gpus_per_instance_min"])).astype(float), np.nan)  # (N, S)
        unit_capacity = np.where(np.isfinite(block), capacity * block / np.where(np.isfinite(candidates),
                                                                                 candidates, 1.0), 0.0)
        hourly_month = rent_usd_per_gpu_month(v)
        ucap3 = unit_capacity[:, None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            blocks3 = np.where(ucap3 > 0, np.maximum(1.0, np.ceil(volumes[..., None] / ucap3)), np.inf)
        rented3 = blocks3 * block[:, None, :]
        with np.errstate(invalid="ignore"):  # 0 x inf, as for buying
            rent3 = (u.other_fixed[..., None] + engineer_month[..., None] * engineers_needed(v3, rented3)
                     + hourly_month[..., None] * rented3)
        rent_cost, rented, rent_block, rent_capacity = _cheapest(
            rent3, rented3, block[:, None, :] * np.ones_like(rent3), ucap3 * np.ones_like(rent3))
        out.update({"rent_gpus": rented, "rent_gpus_per_replica": rent_block, "rent_usd_per_month": rent_cost,
                    "rent_replica_tokens_per_month": rent_capacity,
                    "rent_savings_usd_per_month": api - rent_cost,
                    line_key("rent", "gpus"): hourly_month * rented,
                    **{line_key("rent", name): line for name, line in
                       _operating_lines(u, engineers_needed(v, rented)).items()}})
        rent_volume, rent_margin = breakeven.breakeven_with_spares(
            api_per_token, fixed, (hourly_month + engineer_per_gpu) * block,
            np.where(unit_capacity > 0, unit_capacity, np.nan), 0.0, 0.0, floor, engineer_per_gpu * block)
        _add_breakeven(out, "rent", rent_volume, rent_margin, block, unit_capacity, api_per_token[:, 0])
    return out


def _add_breakeven(out: dict[str, NDArray], option: str, volume: NDArray, margin: NDArray, replica_gpus: NDArray,
                   capacity: NDArray, api_per_token: NDArray) -> None:
    """The lowest break-even over the candidates (N, S), with its replica size and margin."""
    safe = np.where(np.isnan(volume), np.inf, volume)
    index = np.argmin(safe, axis=1)[:, None]
    best = np.take_along_axis(safe, index, axis=1)[:, 0]
    best_margin = np.take_along_axis(np.where(np.isnan(margin), -np.inf, margin), index, axis=1)[:, 0]
    out[f"{option}_breakeven_tokens_per_month"] = best
    # Never breaking even is an infinite API spend, also for an API that costs nothing (inf x 0 would be NaN).
    spend = np.full_like(best, np.inf)
    finite = np.isfinite(best)
    spend[finite] = best[finite] * api_per_token[finite]
    out[f"{option}_breakeven_api_usd_per_month"] = spend
    out[f"{option}_breakeven_gpus_per_replica"] = np.where(
        np.isfinite(best), np.take_along_axis(replica_gpus, index, axis=1)[:, 0], np.nan)
    out[f"{option}_margin_ratio"] = np.where(np.isfinite(best), best_margin, np.nan)
    out[f"{option}_breakeven_replica_tokens_per_month"] = np.where(
        np.isfinite(best), np.take_along_axis(capacity, index, axis=1)[:, 0], np.nan)
