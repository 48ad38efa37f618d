"""Single-line mutations of the model, the situation, the verdicts, loading, quote and two chapters.

Each is a plausible slip (a wrong operator, a term left out, a swapped end) as ``(file, before, after, what)``:
``before`` occurs exactly once in ``file``. None is equivalent: each changes some output the model can produce
(the break-even's ``max(C(n) / a, (n - 1) cap)`` was dropped from the list for that reason: ``C`` never falls
with ``n``, so its second term never binds). ``python tests/mutation/run.py`` applies each in a copy of the checkout and
runs the fast test set; a mutant the tests do not catch survives. The score is caught / all.
"""

from __future__ import annotations

SPINE = "analysis/model/spine.py"
COSTS = "analysis/model/costs.py"
BREAKEVEN = "analysis/model/breakeven.py"
THROUGHPUT = "analysis/model/throughput.py"
SIZING = "analysis/model/sizing.py"
RESOLVE = "analysis/evaluation/resolve.py"
VERDICTS = "analysis/evaluation/verdicts.py"
QUOTING = "analysis/evaluation/quoting.py"
QUOTE = "analysis/commands/quote.py"
LOADING = "analysis/data/loading.py"
RENT_VS_BUY = "analysis/report/chapters/rent_vs_buy.py"
OPERATING = "analysis/report/chapters/operating.py"

MUTANTS: list[tuple[str, str, str, str]] = [
    # ---- costs
    (COSTS, "per_m = (1 - s_out) * ((1 - c) * p_in + c * p_cached) + s_out * p_out",
     "per_m = (1 - s_out) * ((1 - c) * p_in + c * p_in) + s_out * p_out", "cached input billed at the input price"),
    (COSTS, "per_m = (1 - s_out) * ((1 - c) * p_in + c * p_cached) + s_out * p_out",
     "per_m = s_out * ((1 - c) * p_in + c * p_cached) + (1 - s_out) * p_out", "input and output shares swapped"),
    (COSTS, "    return tokens / TOKENS_PER_MILLION * per_m", "    return tokens / 1e3 * per_m",
     "prices per thousand, not per million"),
    (COSTS, '"output": tokens * (s_out * as_array("usd_per_m_output", usd_per_m_output))',
     '"output": tokens * (s_out * as_array("usd_per_m_input", usd_per_m_input))', "output line at the input price"),
    (COSTS, "return rate * SECONDS_PER_HOUR * hours * util / peak", "return rate * SECONDS_PER_HOUR * hours * util * peak",
     "capacity multiplied by the peak instead of divided"),
    (COSTS, "return rate * SECONDS_PER_HOUR * hours * util / peak", "return rate * 60 * hours * util / peak",
     "minutes for hours"),
    (COSTS, "return capex * (1 - r) / months + capex * (1 + r) / 2 * rate / MONTHS_PER_YEAR",
     "return capex * (1 - r) / months + capex * (1 + r) / 2 * rate", "yearly interest charged monthly"),
    (COSTS, "return capex * (1 - r) / months + capex * (1 + r) / 2 * rate / MONTHS_PER_YEAR",
     "return capex / months + capex * (1 + r) / 2 * rate / MONTHS_PER_YEAR", "resale value left out"),
    (COSTS, "             * as_array(\"pue\", pue, positive=True))", "             * 1.0)", "PUE left out"),
    (COSTS, "    return kw * as_array(\"usd_per_kw_month\", usd_per_kw_month)",
     "    return kw * as_array(\"usd_per_kw_month\", usd_per_kw_month) / 12", "colocation priced per kW-year"),
    (COSTS, "    return revenue * np.maximum(gap, 0.0)", "    return revenue * np.abs(gap)",
     "downtime charged when self-hosting is more reliable"),
    (COSTS, "    return (as_array(\"engineer_usd_per_year\", engineer_usd_per_year) / MONTHS_PER_YEAR",
     "    return (as_array(\"engineer_usd_per_year\", engineer_usd_per_year) / 52", "salary by the week"),
    # ---- the spine
    (SPINE, "    capex = gpus * (v[USD_PER_GPU] + v[\"server_usd_per_gpu\"])", "    capex = gpus * v[USD_PER_GPU]",
     "servers left out of the purchase"),
    (SPINE, "    cash_saved = api - u.other_fixed - engineer_month * engineers - u.running_per_gpu * gpus",
     "    cash_saved = api - u.other_fixed - engineer_month * engineers - u.running_per_gpu * (gpus - spares)",
     "spares' power left out of payback"),
    (SPINE, "    cash_saved = api - u.other_fixed - engineer_month * engineers - u.running_per_gpu * gpus",
     "    cash_saved = api - u.other_fixed - u.running_per_gpu * gpus", "engineers left out of payback"),
    (SPINE, '"buy_payback_after_writeoff": np.where(np.isfinite(payback) & (payback > v["amortization_months"]), 1.0,',
     '"buy_payback_after_writeoff": np.where(np.isfinite(payback) & (payback > 2 * v["amortization_months"]), 1.0,',
     "a payback past the write-off not flagged"),
    (SPINE, "    unit_cost = (per_gpu + engineer_per_gpu) * candidates", "    unit_cost = per_gpu * candidates",
     "engineers left out of the break-even"),
    (SPINE, "    spend[finite] = best[finite] * api_per_token[finite]",
     "    spend[finite] = best[finite] * api_per_token[finite] * 1e6", "break-even API spend times a million"),
    (SPINE, "    in_tokens = v[\"tokens_per_request\"] - out_tokens", "    in_tokens = v[\"tokens_per_request\"]",
     "the prompt counted as the whole request"),
    (SPINE, "        replicas3 = np.where(cap3 > 0, np.maximum(1.0, np.ceil(volumes[..., None] / cap3)), np.inf)",
     "        replicas3 = np.where(cap3 > 0, np.maximum(1.0, np.round(volumes[..., None] / cap3)), np.inf)",
     "replicas rounded, not rounded up"),
    (SPINE, '"spares": u.per_gpu * spares,', '"spares": (u.per_gpu + u.engineer_per_gpu) * spares,',
     "engineering charged on spares"),
    (SPINE, '"spares": u.per_gpu * spares,', '"spares": u.owning_per_gpu * spares,',
     "spares neither housed nor powered"),
    (SPINE, '    return {"gpus": u.owning_per_gpu * serving, "servers": u.server_per_gpu * serving,',
     '    return {"gpus": u.owning_per_gpu * serving, "servers": u.server_per_gpu * 0,',
     "server line dropped from the bill"),
    (SPINE, "        return self.owning_per_gpu + self.server_per_gpu + self.running_per_gpu",
     "        return self.owning_per_gpu + self.running_per_gpu", "servers left out of the per-GPU cost"),
    (SPINE, "        return self.power_per_gpu + self.facility_per_gpu", "        return self.power_per_gpu",
     "colocation left out of the running cost"),
    (SPINE, "    return np.maximum(np.asarray(values[\"oncall_engineers_min\"], dtype=float), grows)",
     "    return grows", "no on-call floor"),
    (SPINE, "        floor=engineer_month * (v[\"oncall_engineers_min\"] - v[\"engineer_allocation\"]))",
     "        floor=engineer_month * 0)", "on-call floor left out of the break-even"),
    (SPINE, "    spares = np.ceil(np.round(serving * np.asarray(spare_gpu_share, dtype=float), 9))",
     "    spares = np.floor(serving * np.asarray(spare_gpu_share, dtype=float))", "spares rounded down"),
    (SPINE, "    return np.where(serving >= np.asarray(spare_min_serving_gpus, dtype=float), spares, 0.0)",
     "    return spares", "a small fleet given a whole spare by rounding"),
    (BREAKEVEN, "        spares = np.where(units >= k, np.ceil(np.round(units * s, 9)), 0.0)",
     "        spares = np.ceil(np.round(units * s, 9))", "break-even spares from the first replica"),
    (SPINE, "        total_rate = out_rate * (in_tokens + out_tokens) / out_tokens * v[EFFICIENCY]",
     "        total_rate = out_rate * v[EFFICIENCY]", "output rate taken for the total rate"),
    (SPINE, "            np.minimum(v[\"max_batch_sequences\"], fast_enough), v[\"cached_input_share\"])",
     "            v[\"max_batch_sequences\"], v[\"cached_input_share\"])", "speed target ignored"),
    (SPINE, "        rent3 = (u.other_fixed[..., None] + engineer_month[..., None] * engineers_needed(v3, rented3)",
     "        rent3 = (u.other_fixed[..., None] + engineer_month[..., None] * engineers_needed(v3, rented3 * 0)",
     "rented GPUs need no engineers"),
    # ---- throughput and sizing
    (THROUGHPUT, "flops=as_array(\"tflops\", tflops, positive=True) * 1e12, context=inp + out / 2,",
     "flops=as_array(\"tflops\", tflops, positive=True) * 1e12, context=inp + out,", "whole answer held as context"),
    (THROUGHPUT, "        weight_bytes_per_token = np.minimum(t.total, t.active * batch) * t.bytes_per_param / batch",
     "        weight_bytes_per_token = t.total * t.bytes_per_param / batch", "a mixture of experts reads every expert"),
    (THROUGHPUT, "        step_s = np.where(target > 0, eff / np.where(target > 0, target, 1.0), np.inf)",
     "        step_s = np.where(target > 0, 1.0 / np.where(target > 0, target, 1.0), np.inf)",
     "speed target ignores the efficiency"),
    (THROUGHPUT, "    computed = inp * (1 - as_array(\"cached_input_share\", cached_input_share))",
     "    computed = inp", "cached prompts computed again"),
    (SIZING, "    return params * bits / BITS_PER_BYTE", "    return params * bits / 4", "weights at twice their size"),
    (SIZING, "    values = np.where(np.isnan(given), 2 * layers * heads * dim, given)",
     "    values = np.where(np.isnan(given), layers * heads * dim, given)", "keys without values"),
    (SIZING, "    return memory * share - overhead", "    return memory * share", "runtime overhead left out"),
    (SIZING, "    across_nodes = GPUS_PER_NODE * np.ceil(safe / GPUS_PER_NODE)",
     "    across_nodes = GPUS_PER_NODE * np.floor(safe / GPUS_PER_NODE)", "too few nodes"),
    # ---- break-even
    (BREAKEVEN, "    n_hi = np.maximum(1.0, np.ceil((fixed + p + np.maximum(q, 0.0)) / m))",
     "    n_hi = np.maximum(1.0, np.ceil((fixed + p) / m))", "search window without the floor"),
    (BREAKEVEN, "        margin = np.where(candidate & (cap > 0), slope / (u + p * s), -np.inf)",
     "        margin = np.where(candidate & (cap > 0), slope / u, -np.inf)", "a replica's margin over its GPUs alone"),
    (BREAKEVEN, "    return np.where(savings > 0, capex / np.where(savings > 0, savings, 1.0), np.inf)",
     "    return np.where(savings >= 0, capex / np.where(savings > 0, savings, 1.0), np.inf)",
     "no savings pays back"),
    (BREAKEVEN, "    solvable = candidate & (cap > 0) & (a > 0) & (slope > 0)",
     "    solvable = candidate & (cap > 0) & (a > 0) & (alpha > 0)", "spares left out of never"),
    # ---- the situation
    (RESOLVE, '    "output_token_share": +1, "cached_input_share": -1, "peak_to_average": -1, "target_utilization": +1,',
     '    "output_token_share": +1, "cached_input_share": +1, "peak_to_average": -1, "target_utilization": +1,',
     "cached input share oriented the wrong way"),
    (RESOLVE, '    "server_usd_per_gpu": -1, "colocation_usd_per_kw_month": -1, "oncall_engineers_min": -1,',
     '    "server_usd_per_gpu": +1, "colocation_usd_per_kw_month": -1, "oncall_engineers_min": -1,',
     "server price oriented the wrong way"),
    (RESOLVE, "    direction = -1 if at_low < at_high else +1 if at_high < at_low else share.direction",
     "    direction = +1 if at_low < at_high else -1 if at_high < at_low else share.direction",
     "output share oriented backwards"),
    (RESOLVE, "    return fp8 if precision != \"fp16\" and not math.isnan(fp8) else float(gpu[\"bf16_dense_tflops\"])",
     "    return float(gpu[\"bf16_dense_tflops\"])", "FP8 units never used"),
    (RESOLVE, "    values[\"cached_input_share\"] = np.array([0.0])  # nor does it find its prompts in a cache",
     "", "benchmarks calibrated with cached prompts"),
    (RESOLVE, "    elif finite.max() > max_spread * finite.min():", "    elif finite.max() > max_spread * finite.max():",
     "case spread never fragile"),
    (RESOLVE, "    if np.isfinite(base) and base < min_margin:", "    if np.isfinite(base) and base > min_margin:",
     "thin margin test inverted"),
    # ---- verdicts
    (VERDICTS, "    return TIGHT if need_gb <= usable_gb * (1 + margin) else IMPOSSIBLE",
     "    return TIGHT if need_gb <= usable_gb * (1 + 2 * margin) else IMPOSSIBLE", "memory margin doubled"),
    (VERDICTS, "        return np.abs(printed - recomputed) <= rel_tol * np.abs(recomputed)",
     "        return np.abs(printed - recomputed) <= rel_tol * np.abs(printed)", "tolerance relative to the printed figure"),
    (VERDICTS, "        return np.where(recomputed != 0, printed / recomputed - 1.0, np.nan)",
     "        return np.where(recomputed != 0, recomputed / printed - 1.0, np.nan)", "difference inverted"),
    # ---- quote
    (QUOTING, '    stand_in = STAND_IN_USD_PER_GPU if request.rental_offer_id is not None else None',
     '    stand_in = STAND_IN_USD_PER_GPU', "a GPU without a price bought at the stand-in"),
    (QUOTING, "                **{name: ranges.get(name) for name in CUSTOM_RANGES},",
     "                **{name: None for name in CUSTOM_RANGES},", "the reader's ranges dropped from the JSON"),
    (QUOTE, "        if name in {given for given, _, _ in ranges}:", "        if False:",
     "a setting given twice accepted"),
    (QUOTE, "    cases = {case: {k: (v if math.isfinite(v) else None) for k, v in values.items()}",
     "    cases = {case: {k: (v if math.isfinite(v) else 0) for k, v in values.items()}", "never written as 0"),
    # ---- loading
    (LOADING, "KNOWN_FOLDERS = (\"sources\",)", "KNOWN_FOLDERS = (\"sources\", \"backup\")",
     "a backup folder passed over in silence"),
    (LOADING, "        if col in seen and col in expected:", "        if col in seen and col not in expected:",
     "duplicate CSV headers accepted"),
    (LOADING, "            problems.append(Problem(name, 1, col, None, \"column is missing from the header\"))",
     "            pass", "a missing column accepted"),
    # ---- two chapters
    (RENT_VS_BUY, "    out[\"payback_months_low\"] = breakeven.payback_months(buy[\"capex_usd\"][FAVOURABLE], rent_high - running[FAVOURABLE])",
     "    out[\"payback_months_low\"] = breakeven.payback_months(buy[\"capex_usd\"][FAVOURABLE], rent_low - running[FAVOURABLE])",
     "wrong low/high rent pairing"),
    (RENT_VS_BUY, "    return {\"price_usd\": price, \"capex_usd\": price + a[\"server_usd_per_gpu\"], \"owning_usd_per_month\": owning,",
     "    return {\"price_usd\": price, \"capex_usd\": price, \"owning_usd_per_month\": owning,",
     "server share left out of the rent-vs-buy payback"),
    (OPERATING, "        \"Colocation\": (lines[\"facility\"],", "        \"Colocation\": (lines[\"power\"],",
     "colocation row shows the power line"),
]
