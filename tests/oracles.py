"""Reference formulas the model is checked against, written the plainest way and used only by tests.

The model solves break-evens in closed form with whole spares (:func:`analysis.model.breakeven.breakeven_with_spares`);
these are the textbook pieces it must agree with: the self-hosting cost curve without spares, and its break-even
found by walking that curve one replica count at a time.
"""

from __future__ import annotations

import math

import numpy as np


def step_cost_usd(tokens_per_month: float, fixed_usd_per_month: float, usd_per_unit_month: float,
                  unit_capacity_tokens_per_month: float) -> float:
    """``F + u x max(1, ceil(V / cap))``: self-hosting's monthly cost at a volume, one whole unit at least."""
    units = max(1.0, math.ceil(tokens_per_month / unit_capacity_tokens_per_month))
    return fixed_usd_per_month + usd_per_unit_month * units


def search_breakeven_tokens_per_month(api_usd_per_token: float, fixed_usd_per_month: float, usd_per_unit_month: float,
                                      unit_capacity_tokens_per_month: float, spare_usd_per_month: float = 0.0,
                                      spares_per_unit: float = 0.0, limit: int = 100_000,
                                      floor_usd_per_month: float = 0.0, floor_relief_per_unit: float = 0.0) -> float:
    """The first replica count ``n`` below ``limit`` whose API bill covers ``F + u n + p ceil(s n) + max(0, Q - w n)``
    (``Q``, ``w``: an on-call floor's excess and what a replica's own staffing takes off it), as a volume
    ``max(C(n) / a, (n - 1) cap)``; inf when none does. Every count is tried at once."""
    a, cap = api_usd_per_token, unit_capacity_tokens_per_month
    n = np.arange(1, limit, dtype=float)
    spares = np.ceil(np.round(n * spares_per_unit, 9))  # rounding drops 0.05 x 20 = 1.0000000000000002
    cost = (fixed_usd_per_month + usd_per_unit_month * n + spare_usd_per_month * spares
            + np.maximum(floor_usd_per_month - floor_relief_per_unit * n, 0.0))
    covered = np.flatnonzero(a * n * cap >= cost)
    if covered.size == 0:
        return math.inf
    first = covered[0]
    return max(cost[first] / a, (n[first] - 1) * cap)


# ---------------------------------------------------------------- a whole situation's base case, the long way


def _base(record: dict, name: str) -> float:
    row = record["assumptions"][name]
    middle = (row["low"] + row["high"]) / 2
    return float(math.ceil(middle)) if row["unit"] == "sequences" else middle


def _owned_usd_per_month(price: float, months: float, resale: float, rate: float) -> float:
    # straight-line depreciation of what is not resold, plus interest on the average money tied up
    return price * (1 - resale) / months + price * (1 + resale) / 2 * rate / 12


def base_case(record: dict, model_id: str, gpu_id: str, precision: str, api_offer_id: str,
              tokens_per_month: float, search_limit: int = 20_000) -> dict[str, float]:
    """The base case of a bought fleet, written out with loops and the dataset record's rows only (no function of
    ``analysis.model``): the API bill, each line of the bill at the cheapest replica size, the GPUs, the purchase,
    the payback, and the break-even found by walking replica counts one at a time for every replica size.

    Each input at the middle of its range (whole counts rounded up); the replica's batch is the largest that its
    memory holds, the engine's cap allows and still gives every user the promised speed, found by trying batches
    from the largest down.
    """
    model = next(m for m in record["models"] if m["id"] == model_id)
    gpu = next(g for g in record["gpus"] if g["id"] == gpu_id)
    bits_row = next(p for p in record["precisions"] if p["id"] == precision)
    api = next(a for a in record["apis"] if a["id"] == api_offer_id)
    v = {name: _base(record, name) for name in record["assumptions"]}
    bits = (bits_row["bits_per_param_low"] + bits_row["bits_per_param_high"]) / 2
    efficiency = record["efficiency"][f"{model['architecture']}/tuned"]["base"]
    price = (gpu["purchase"]["usd_low"] + gpu["purchase"]["usd_high"]) / 2
    tflops = gpu["fp8_dense_tflops"] if precision != "fp16" and gpu["fp8_dense_tflops"] is not None \
        else gpu["bf16_dense_tflops"]

    # the API: input, cached input and output tokens at their own prices
    share, cached = v["output_token_share"], v["cached_input_share"]
    p_cached = api["usd_per_m_cached_input"] if api["usd_per_m_cached_input"] is not None else api["usd_per_m_input"]
    usd_per_m_tokens = ((1 - share) * ((1 - cached) * api["usd_per_m_input"] + cached * p_cached)
                        + share * api["usd_per_m_output"])
    usd_per_token = usd_per_m_tokens / 1e6

    # memory: weights, KV cache, the smallest replica, then every size worth pricing
    kv_values = model["kv_values_per_token"] or 2 * model["n_layers"] * model["n_kv_heads"] * model["head_dim"]
    kv_bytes = kv_values * v["kv_bytes_per_value"]
    weights_gb = model["params_total_b"] * bits / 8
    usable_gb = gpu["memory_gb"] * v["gpu_memory_utilization"] - v["runtime_overhead_gb_per_gpu"]
    need_gb = weights_gb + kv_bytes * v["context_tokens"] * v["concurrent_sequences"] / 1e9
    fewest = max(1, math.ceil(need_gb / usable_gb))
    # any count inside a node (tensor and pipeline parallel), then whole nodes up to eight
    sizes = [g for g in (*range(1, 9), 16, 24, 32, 40, 48, 56, 64) if g >= fewest] or [8 * math.ceil(fewest / 8)]

    out_tokens = v["tokens_per_request"] * share
    in_tokens = v["tokens_per_request"] - out_tokens
    context = in_tokens + out_tokens / 2

    bandwidth = gpu["memory_bandwidth_tb_per_s"]

    def output_rate(g: int, batch: int) -> float:
        flops_s = 2 * model["params_active_b"] * 1e9 * (in_tokens * (1 - cached) + out_tokens) / out_tokens \
            / (tflops * g * 1e12)
        weights_read = min(model["params_total_b"], model["params_active_b"] * batch) * 1e9 * bits / 8 / batch
        bytes_s = (weights_read + context * kv_bytes) / (bandwidth * g * 1e12)
        return 1 / max(flops_s, bytes_s)

    capacity = {}
    for g in sizes:
        batch = min(int((g * usable_gb - weights_gb) * 1e9 // (kv_bytes * context)), int(v["max_batch_sequences"]))
        while batch >= 1 and efficiency * output_rate(g, batch) / batch < v["min_tokens_per_s_per_user"]:
            batch -= 1
        total_rate = output_rate(g, batch) * v["tokens_per_request"] / out_tokens * efficiency if batch >= 1 else 0
        capacity[g] = total_rate * 3600 * v["hours_per_month"] * v["target_utilization"] / v["peak_to_average"]

    # the bill: per GPU, per engineer, and the lines that do not grow with the fleet
    owning = _owned_usd_per_month(price, v["amortization_months"], v["residual_value_share"],
                                  v["cost_of_capital_per_year"])
    server = _owned_usd_per_month(v["server_usd_per_gpu"], v["amortization_months"], v["residual_value_share"],
                                  v["cost_of_capital_per_year"])
    it_kw = gpu["tdp_watts"] * v["server_power_factor"] / 1000
    power = it_kw * v["pue"] * v["hours_per_month"] * v["electricity_usd_per_kwh"]
    facility = it_kw * v["colocation_usd_per_kw_month"]
    engineer = v["ml_engineer_usd_per_year"] / 12
    downtime = v["revenue_at_risk_usd_per_month"] * max(0.0, v["api_uptime"] - v["selfhost_uptime"])
    other = v["networking_storage_usd_per_month"] + v["monitoring_usd_per_month"] + downtime

    def bill(serving: int) -> dict[str, float]:
        # whole spares, once the fleet is large enough to keep any
        spares = math.ceil(round(serving * v["spare_gpu_share"], 9)) if serving >= v["spare_min_serving_gpus"] else 0
        engineers = max(v["oncall_engineers_min"], v["engineer_allocation"] + serving / v["gpus_per_engineer"])
        return {"gpus": owning * serving, "servers": server * serving, "power": power * serving,
                "facility": facility * serving, "spares": (owning + server + power + facility) * spares,
                "engineers": engineer * engineers, "downtime": downtime,
                "networking_storage": v["networking_storage_usd_per_month"],
                "monitoring": v["monitoring_usd_per_month"], "_spares": spares, "_engineers": engineers}

    def total(lines: dict[str, float]) -> float:
        return sum(x for k, x in lines.items() if not k.startswith("_"))

    served = [g for g in sizes if capacity[g] > 0]
    choices = [(total(bill(max(1, math.ceil(tokens_per_month / capacity[g])) * g)), g) for g in served]
    cost, size = min(choices)  # ties: the smaller replica (min compares the size second)
    serving = max(1, math.ceil(tokens_per_month / capacity[size])) * size
    lines = bill(serving)
    gpus = serving + lines["_spares"]
    api_bill = tokens_per_month / 1e6 * usd_per_m_tokens
    cash_saved = api_bill - other - engineer * lines["_engineers"] - (power + facility) * gpus
    capex = gpus * (price + v["server_usd_per_gpu"])
    payback = capex / cash_saved if cash_saved > 0 else math.inf

    breakevens = []
    for g in served:
        for n in range(1, search_limit):
            c = total(bill(n * g))
            if usd_per_token * n * capacity[g] >= c:
                breakevens.append(max(c / usd_per_token, (n - 1) * capacity[g]))
                break
    breakeven = min(breakevens, default=math.inf)
    return {"api_usd_per_month": api_bill, "buy_usd_per_month": cost, "gpus": gpus, "spare_gpus": lines["_spares"],
            "gpus_per_replica": size, "engineers": lines["_engineers"], "buy_capex_usd": capex,
            "buy_payback_months": payback, "buy_payback_after_writeoff": float(v["amortization_months"] < payback
                                                                               < math.inf),
            "buy_breakeven_tokens_per_month": breakeven,
            "buy_breakeven_api_usd_per_month": breakeven * usd_per_token if math.isfinite(breakeven) else math.inf,
            **{f"buy_{k}_usd_per_month": x for k, x in lines.items() if not k.startswith("_")}}
