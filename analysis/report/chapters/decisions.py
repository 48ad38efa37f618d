"""Chapters about money thresholds: the quick comparison, the "$20K rule" spend tiers, the decision table.

All three rest on one computation: at a given monthly API bill, how much does self-hosting save? It
is evaluated against a frontier-priced API (GPT-5.4, replaced by Llama 4 Maverick) and a cheap one
(DeepSeek V4 Flash, replaced by itself), because the guide's thresholds silently depend on which.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import lookups, scenarios, verdicts
from analysis.evaluation.lookups import assumption, figure
from analysis.model import sizing, spine, throughput
from analysis.report import chapter_cache, numerics, visual
from analysis.report import exhibits as ex
from analysis.report import formatting as fmt
from analysis.report.chapters.common import (
    Chapter,
    check_row,
    checks_frame,
    interpolate_crossing,
    likely_outputs,
    likely_range,
    likely_spend_text,
    printed_table,
    quoted,
)


@dataclass(frozen=True)
class Reference:
    """A replacement scenario: an open model on bought GPUs in place of an API."""

    label: str
    model: str
    gpu: str
    precision: str
    api_offer: str
    rent_offer: str = "lambda-h100-8x"
    hosted_offer: str | None = None  # the same open model from a hosted provider, when it is not the API


FRONTIER = Reference("GPT-5.4 → bought Llama 4 Maverick", "llama-4-maverick", "h100-sxm",
                     "fp8", "openai-gpt-5.4", hosted_offer="novita-llama-4-maverick")
CHEAP = Reference("DeepSeek V4 Flash → bought itself", "deepseek-v4-flash", "h100-sxm", "fp8",
                  "deepseek-v4-flash")


def savings_at_spend(ds: Dataset, ref: Reference, spend_usd_per_month: np.ndarray) -> pd.DataFrame:
    """Self-hosting's saving as a share of the API bill, per case, at each monthly API spend.

    The volume is the spend divided by the base-case price per token; each case then prices that volume:
    ``share = 1 - buy_cost / api_cost`` (negative: self-hosting costs more).
    """
    spend = np.asarray(spend_usd_per_month, dtype=float)
    volumes = spend / scenarios.api_usd_per_token(ds, ref.model, ref.gpu, ref.precision, ref.api_offer)
    table = scenarios.compare(ds, ref.model, ref.gpu, ref.precision, ref.api_offer, volumes).table
    table = table.assign(spend_usd_per_month=np.tile(spend, len(spine.CASES)),
                         saving_share=1 - table["buy_usd_per_month"] / table["api_usd_per_month"])
    return table[["case", "spend_usd_per_month", "tokens_per_month", "saving_share"]]


def likely_savings_at_spend(ds: Dataset, ref: Reference, spend_usd_per_month: np.ndarray) -> pd.DataFrame:
    """Self-hosting's saving share at each monthly API spend: the base case (``saving_base``) and the likely
    range (``saving_low``, ``saving_high``: P10 and P90 over the sampled inputs of ``1 - buy_cost / api_cost``,
    each draw pricing the volume the base case's spend buys)."""
    spend = np.asarray(spend_usd_per_month, dtype=float)
    volumes = spend / scenarios.api_usd_per_token(ds, ref.model, ref.gpu, ref.precision, ref.api_offer)
    result = scenarios.compare(ds, ref.model, ref.gpu, ref.precision, ref.api_offer, volumes)
    sampled = likely_outputs(result, volumes)
    low, high = likely_range(1 - sampled["buy_usd_per_month"] / sampled["api_usd_per_month"])
    base = result.table[result.table["case"] == "base"]
    return pd.DataFrame({"spend_usd_per_month": spend, "tokens_per_month": volumes,
                         "saving_base": (1 - base["buy_usd_per_month"] / base["api_usd_per_month"]).to_numpy(),
                         "saving_low": low, "saving_high": high})


def option_costs(ds: Dataset, ref: Reference, spend_usd_per_month: float) -> dict[str, float]:
    """Monthly cost (base case) of each way to serve the traffic behind an API bill.

    The volume is the spend over the API's base-case price per token; the options are keeping the API,
    buying the GPUs, renting them and, where the API is not itself the open model, a hosted open model.
    """
    volume = spend_usd_per_month / scenarios.api_usd_per_token(ds, ref.model, ref.gpu, ref.precision, ref.api_offer)
    table = scenarios.compare(ds, ref.model, ref.gpu, ref.precision, ref.api_offer, np.array([volume]),
                              ref.rent_offer).table.set_index("case").loc["base"]
    options = {"keep the API": float(table["api_usd_per_month"]), "buy GPUs": float(table["buy_usd_per_month"]),
               "rent GPUs": float(table["rent_usd_per_month"])}
    if ref.hosted_offer is not None:
        hosted = scenarios.compare(ds, ref.model, ref.gpu, ref.precision, ref.hosted_offer, np.array([volume]))
        options["use a hosted open model"] = float(hosted.table.set_index("case").at["base", "api_usd_per_month"])
    return options


# What the model can say about the guide's rows that are not about money.
UNPRICED = {
    "Regulatory data privacy required": "not priced: privacy rules out third-party APIs and hosted models, "
                                        "leaving buying or renting; compare those two in the spend rows",
    "Need latency under 100ms": "not priced: latency is checked in the spend-tier chapter (time to first token)",
    "No GPU expertise on team": "not priced: the model charges engineering time either way; without it, "
                                "keep the API or use a hosted open model",
    "Using GPT-5.4/Claude (no open equivalent)": "not priced: the model only prices open models against APIs",
    "Need rapid model switching": "not priced: switching cost is not in the data; APIs and hosted models switch "
                                  "without new hardware",
}


def _decide(ds: Dataset, ref: Reference, spends: tuple[float, ...]) -> str:
    """The cheapest option over a tier's spends, with the figures behind it (base case)."""
    per_spend = [option_costs(ds, ref, spend) for spend in spends]
    best = [min(options, key=options.get) for options in per_spend]
    bills = fmt.usd_range(min(spends), max(spends))
    if len(set(best)) > 1:
        return "; ".join(f"at {fmt.usd(spend)}: {word} ({fmt.usd(options[word])} a month)"
                         for spend, word, options in zip(spends, best, per_spend, strict=True))
    word = best[0]
    if word == "keep the API":
        runner_up = min((w for w in per_spend[0] if w != word), key=per_spend[0].get)
        cost = fmt.usd_range(min(o[runner_up] for o in per_spend), max(o[runner_up] for o in per_spend))
        return f"Keep the API: the cheapest alternative, {runner_up}, costs {cost} a month against {bills}"
    cost = fmt.usd_range(min(o[word] for o in per_spend), max(o[word] for o in per_spend))
    return f"{word[0].upper()}{word[1:]}: {cost} a month against {bills} of API spend"


def likely_breakeven_spend(ds: Dataset, ref: Reference) -> str:
    """The likely range of the API spend at which buying breaks even: P10-P90 over the report's draws, in words
    (``$14.7K–$25.9K``; ``$32.7K or never`` when more than a tenth of the draws never break even)."""
    result = scenarios.compare(ds, ref.model, ref.gpu, ref.precision, ref.api_offer, np.array([1e9]))
    low, high = likely_range(likely_outputs(result, np.array([1e9]))["buy_breakeven_api_usd_per_month"])
    return likely_spend_text(float(np.ravel(low)[0]), float(np.ravel(high)[0]))


def breakeven_spend(ds: Dataset, ref: Reference) -> pd.Series:
    """API spend per month at which buying breaks even, per case (inf: never)."""
    result = scenarios.compare(ds, ref.model, ref.gpu, ref.precision, ref.api_offer, np.array([1e9]))
    return result.breakeven.set_index("case")["buy_breakeven_api_usd_per_month"]


def guide_s1_crossing_spend(ds: Dataset) -> float:
    """API spend where the guide's own Scenario 1 savings column crosses zero (linear between rows)."""
    figures = ds["guide_figures"]
    saved = figures[figures["figure_id"].str.match(r"^s1\.\d+[mb]\.savings$")].sort_values("tokens_per_month")
    volume = interpolate_crossing(saved["tokens_per_month"].to_numpy(), saved["value_low"].to_numpy())
    api = figures[figures["figure_id"].str.match(r"^s1\.\d+[mb]\.api_cost$")].sort_values("tokens_per_month")
    per_token = api["value_low"].iloc[0] / api["tokens_per_month"].iloc[0]
    return float(volume * per_token)


def _threshold_check(ds: Dataset, figure_id: str, frontier_be: pd.Series, guide_crossing: float) -> dict:
    printed = figure(ds, figure_id)[0]
    tol = assumption(ds, "printed_vs_recomputed_tolerance")[0]
    verdict = verdicts.REPRODUCED if verdicts.within(printed, guide_crossing, tol) else verdicts.INCONSISTENT
    why = (f"the guide's own Scenario 1 breaks even at {fmt.usd(guide_crossing)} of API spend; against a "
           f"cheap API self-hosting never breaks even in its tables' range")
    return check_row(ds, figure_id, fmt.usd(guide_crossing),
                     f"{fmt.usd(frontier_be['base'])} (stress ends "
                     f"{fmt.usd_range(frontier_be.min(), frontier_be.max())}) against GPT-5.4",
                     fmt.relative(verdicts.relative_difference(printed, guide_crossing)), verdict, why)


def _savings_check(ds: Dataset, figure_id: str, spend_ids: tuple[str, str], tables: dict[str, pd.DataFrame]) -> dict:
    """A claimed saving share over a spend range, against both reference scenarios."""
    low, high = figure(ds, figure_id)
    spend_low = figure(ds, spend_ids[0])[0]
    spend_high = figure(ds, spend_ids[1])[1]
    # An open tier ("$50K+") has one end: it runs over every larger spend the grid holds.
    if spend_high <= spend_low:
        spend_high = np.inf
    spans = {}
    for name, table in tables.items():
        # The base case only: the union of every case's savings would make any claimed band "fit".
        inside = table[(table["case"] == "base") & (table["spend_usd_per_month"] >= spend_low)
                       & (table["spend_usd_per_month"] <= spend_high)]
        spans[name] = (inside["saving_share"].min(), inside["saving_share"].max())
    # The claim holds for a traffic type when the base case's savings over the tier reach into the band.
    in_frontier = spans["frontier"][0] <= high and low <= spans["frontier"][1]
    in_cheap = spans["cheap"][0] <= high and low <= spans["cheap"][1]
    verdict = (verdicts.REPRODUCED if in_frontier and in_cheap else
               verdicts.IMPLIED if in_frontier or in_cheap else verdicts.INCONSISTENT)
    text = {k: f"{fmt.share(v[0])} to {fmt.share(v[1])}" for k, v in spans.items()}
    tier = fmt.usd_range(spend_low, spend_high) if np.isfinite(spend_high) else f"{fmt.usd(spend_low)} and above"
    why = (f"at {tier} a month the base case saves {text['frontier']} against "
           f"GPT-5.4 and {text['cheap']} against DeepSeek V4 Flash; the claim holds only "
           + ("for both" if in_frontier and in_cheap else "for GPT-5.4-priced traffic" if in_frontier
              else "for cheap-API traffic" if in_cheap else "for neither"))
    return check_row(ds, figure_id, "", f"{text['frontier']} (GPT-5.4); {text['cheap']} (DeepSeek)", "", verdict, why)


def _spend_grid(ds: Dataset) -> np.ndarray:
    """Every spend level the guide names, plus a log grid between them."""
    figures = ds["guide_figures"]
    named = figures.loc[(figures["unit"] == "USD/month") & figures["section"].isin(["spend_tiers", "decision_table",
                                                                                      "headline"]), "value_low"]
    named = named[named > 0]
    # Half a decade beyond the named levels on each side.
    grid = numerics.log_grid(float(named.min()) / math.sqrt(10), float(named.max()) * math.sqrt(10), 25)
    return np.unique(np.concatenate([grid, named.to_numpy(), figures.loc[figures["section"] == "spend_tiers",
                                                                         "value_high"][lambda v: v > 1000]]))


def _ttft_check(ds: Dataset) -> dict:
    """Time to first token: one read of the weights, and the prompt's prefill at peak compute."""
    low, high = figure(ds, "tiers.exceptions.ttft")
    a = scenarios.assumption_cases(ds)
    prompt = a["tokens_per_request"][1] * (1 - a["output_token_share"][1])
    rows = []
    setups = (("llama-3.3-70b", "a100-80gb-sxm", "fp16"), ("llama-3.1-8b", "h100-sxm", "fp8"))
    for model_id, gpu_id, precision in setups:
        model = lookups.model(ds, model_id)
        gpu = lookups.gpu(ds, gpu_id)
        bits = ds["precisions"].set_index("precision").loc[precision, "bits_per_param_low"]
        need = sizing.weights_gb(model["params_total_b"], bits)
        count = sizing.deployable_gpus(sizing.min_gpus(need, sizing.usable_gb_per_gpu(
            gpu["memory_gb"], a["gpu_memory_utilization"][0], a["runtime_overhead_gb_per_gpu"][0])))
        read_ms = need / (gpu["memory_bandwidth_tb_per_s"] * count * 1e3) * 1e3
        tflops = gpu["fp8_dense_tflops"] if precision != "fp16" and not pd.isna(gpu["fp8_dense_tflops"]) else gpu[
            "bf16_dense_tflops"]
        prefill_ms = prompt / float(throughput.prefill_tokens_per_s(model["params_active_b"], tflops * count)) * 1e3
        rows.append((model["model_name"], f"{count:.0f}x {gpu['gpu_name']}", max(read_ms, prefill_ms)))
    big, small = rows
    # The claim is about self-hosted models in general: a small model meeting it while a 70B one cannot
    # makes it true only for a model size the guide does not state.
    verdict = (verdicts.REPRODUCED if big[2] <= high else verdicts.IMPLIED if small[2] <= high
               else verdicts.IMPOSSIBLE)
    why = (f"a {prompt:.0f}-token prompt takes at least {big[2]:.0f} ms on {big[1]} for {big[0]} (peak compute, "
           f"no queueing); only small models such as {small[0]} ({small[2]:.0f} ms) fit {low:.0f}–{high:.0f} ms")
    return check_row(ds, "tiers.exceptions.ttft", "", f"≥ {big[2]:.0f} ms (70B); ≥ {small[2]:.0f} ms (8B)", "",
                     verdict, why)


@chapter_cache.cached
def build_spend_tiers(ds: Dataset) -> Chapter:
    """The "$20K rule": each tier's claim against the savings the model computes at that spend."""
    grid = _spend_grid(ds)
    tables = {"frontier": savings_at_spend(ds, FRONTIER, grid), "cheap": savings_at_spend(ds, CHEAP, grid)}
    frontier_be, cheap_be = breakeven_spend(ds, FRONTIER), breakeven_spend(ds, CHEAP)
    crossing = guide_s1_crossing_spend(ds)
    salary = np.array(figure(ds, "ops.engineering.ml_engineer_annual"))
    monthly = spine.engineers_usd_per_month({"ml_engineer_usd_per_year": salary}, 1.0)
    tol = assumption(ds, "printed_vs_recomputed_tolerance")[0]
    eng_printed = figure(ds, "tiers.lt10k.engineer_cost")
    rows = [
        _threshold_check(ds, "tiers.intro.threshold", frontier_be, crossing),
        _threshold_check(ds, "head.summary.break_even", frontier_be, crossing),
        _savings_check(ds, "tiers.20k_50k.savings", ("tiers.20k_50k.range", "tiers.20k_50k.range"), tables),
        _savings_check(ds, "tiers.50k_plus.savings", ("tiers.50k_plus.threshold", "tiers.50k_plus.threshold"), tables),
        check_row(ds, "tiers.lt10k.engineer_cost", fmt.usd_range(*monthly), fmt.usd_range(*monthly), "",
                  verdicts.REPRODUCED if all(verdicts.within(eng_printed, monthly, max(tol, 0.05)))
                  else verdicts.INCONSISTENT, f"{fmt.usd_range(*salary)} a year / 12"),
        _cluster_check(ds),
        _ttft_check(ds),
    ]
    for figure_id in ("tiers.10k_20k.engineer_share", "tiers.exceptions.latency_requirement"):
        rows.append(check_row(ds, figure_id, "", "", "", verdicts.UNVERIFIABLE, "a stated input, with no source"))
    checks = checks_frame(rows)
    chart = pd.concat([likely_savings_at_spend(ds, ref, grid).assign(
        reference=ref.label, kind=kind, end_label=f"vs {visual.end_label(ds, kind, ref.api_offer)}")
        for ref, kind in ((FRONTIER, visual.FRONTIER_API), (CHEAP, visual.CHEAP_API))])
    facts = {"tiers_guide_crossing_usd": fmt.usd(crossing),
             "tiers_frontier_breakeven_usd": fmt.usd(frontier_be["base"]),
             "tiers_frontier_breakeven_range": fmt.usd_range(frontier_be.min(), frontier_be.max()),
             "tiers_frontier_breakeven_likely": likely_breakeven_spend(ds, FRONTIER),
             "tiers_cheap_breakeven_usd": fmt.usd(cheap_be["base"]),
             "tiers_cheap_breakeven_sentence": (f"breaks even only at {fmt.usd(cheap_be['base'])} in the base case"
                                                if np.isfinite(cheap_be["base"])
                                                else "never breaks even in the base case"),
             "tiers_checked_cells": len(checks),
             "tiers_inconsistent_cells": int((checks["Verdict"] == verdicts.INCONSISTENT).sum()),
             **quoted(ds, {"tiers_guide_threshold_usd": "tiers.intro.threshold",
                           "tiers_guide_savings_mid": "tiers.20k_50k.savings",
                           "tiers_guide_savings_high": "tiers.50k_plus.savings"})}
    claims = _tier_claims(ds)
    threshold = figure(ds, "tiers.intro.threshold")[0]
    base = tables["frontier"][tables["frontier"]["case"] == "base"]
    # Savings between grid points are read off the straight line on a log spend axis.
    at_threshold = float(np.interp(np.log(threshold), np.log(base["spend_usd_per_month"]), base["saving_share"]))
    files = ("api_prices.csv", "gpus.csv", "models.csv", "benchmarks.csv", "assumptions.csv")
    model_files = ex.model_source(*files)
    exhibits = (
        ex.printed("spend-tiers-printed", "The $20K/Month Rule: When Self-Hosting Makes Sense",
                   "Every figure of the spend-tier section, as printed."),
        ex.checks("spend-tiers-checks", checks, "Each claim with its recomputation and verdict."),
        ex.Exhibit("spend-tiers-savings-chart",
                   f"Buying the GPUs beats GPT-5.4 above {fmt.usd(frontier_be['base'])} a month of spend; "
                   f"against DeepSeek V4 Flash it {facts['tiers_cheap_breakeven_sentence']}",
                   "Source: " + ex.model_source(*files, case=ex.LIKELY_NOTE)),
        ex.Exhibit("spend-tiers-savings",
                   f"At the guide's {fmt.usd(threshold)} a month, buying saves {fmt.share(at_threshold)} of a "
                   "GPT-5.4 bill in the base case",
                   "Source: " + model_files,
                   "Saving at each spend level: base case (the stress ends, every input at one end)."),
    )
    return Chapter(printed=claims, checks=checks, tables={"savings": _savings_table(tables, grid)},
                   chart_data={"savings": chart, "claims": _claim_bands(ds, float(grid.max()))}, facts=facts,
                   key="spend-tiers", exhibits=exhibits)


def _cluster_check(ds: Dataset) -> dict:
    """The "4-8 GPU cluster" for Llama 4 or DeepSeek V4: GPUs each needs at FP8 and INT4 on H100."""
    low, high = figure(ds, "tiers.20k_50k.cluster_gpus")
    counts = {}
    for model_id in (FRONTIER.model, CHEAP.model, "deepseek-v4-pro"):
        for precision in ("fp8", "int4"):
            counts[(model_id, precision)] = float(scenarios.serving_system(ds, "h100-sxm", model_id, precision).gpus[1])
    text = "; ".join(f"{lookups.model(ds, m)['model_name']} {p.upper()}: {n:.0f}" for (m, p), n in counts.items())
    fits = all(low <= n <= high for (m, p), n in counts.items() if m != "deepseek-v4-pro" and p == "fp8")
    verdict = verdicts.REPRODUCED if fits else verdicts.IMPLIED
    return check_row(ds, "tiers.20k_50k.cluster_gpus", "", text, "", verdict,
                     "H100s per replica at a busy batch; the guide names no precision, and DeepSeek V4 Pro needs more")


def _tier_claims(ds: Dataset) -> pd.DataFrame:
    """The tier claims as printed, one row per figure of the section."""
    figures = ds["guide_figures"]
    rows = figures[figures["section"] == "spend_tiers"]
    return pd.DataFrame({"Where": rows["table_name"], "Claim": rows["column_label"], "Printed": rows["printed"]})


def _claim_bands(ds: Dataset, spend_max: float) -> pd.DataFrame:
    """The guide's claimed saving ranges per spend tier, for the chart (an open tier runs to ``spend_max``)."""
    out = []
    for saving_id, range_id in (("tiers.20k_50k.savings", "tiers.20k_50k.range"),
                                ("tiers.50k_plus.savings", "tiers.50k_plus.threshold")):
        s_low, s_high = figure(ds, saving_id)
        r_low, r_high = figure(ds, range_id)
        out.append({"claim": lookups.guide_figure(ds, saving_id)["printed"],
                    "spend_low": r_low, "spend_high": r_high if r_high > r_low else spend_max,
                    "saving_low": s_low, "saving_high": s_high})
    return pd.DataFrame(out)


def _savings_table(tables: dict[str, pd.DataFrame], grid: np.ndarray) -> pd.DataFrame:
    rows = []
    for spend in grid:
        row = {"Monthly API spend": fmt.usd(spend)}
        for name, label in (("frontier", "Saving vs GPT-5.4"), ("cheap", "Saving vs DeepSeek V4 Flash")):
            t = tables[name][tables[name]["spend_usd_per_month"] == spend]
            base = t.loc[t["case"] == "base", "saving_share"].iloc[0]
            spread = f"{fmt.share(t['saving_share'].min())} to {fmt.share(t['saving_share'].max())}"
            row[label] = f"{fmt.share(base)} ({spread})"
        rows.append(row)
    return pd.DataFrame(rows)


@chapter_cache.cached
def build_quick_comparison(ds: Dataset) -> Chapter:
    """The quick comparison table: its money cells against the model."""
    frontier_be = breakeven_spend(ds, FRONTIER)
    crossing = guide_s1_crossing_spend(ds)
    rows = [_threshold_check(ds, "qc.break_even.selfhost", frontier_be, crossing)]
    a100 = lookups.purchase_price(ds, "a100-80gb-sxm")
    a100_low, a100_high = float(a100["usd_low"]), float(a100["usd_high"])
    cluster = figure(ds, "rent.cluster_4xa100.gpus")[0]
    upfront_low = figure(ds, "qc.upfront.selfhost")[0]
    setups = []
    for model_id in ("llama-3.1-8b", "llama-3.3-70b", "llama-4-maverick", "deepseek-v4-pro"):
        system = scenarios.serving_system(ds, "h100-sxm", model_id, "fp8")
        price = lookups.purchase_price(ds, "h100-sxm")
        setups.append((model_id, system.gpus[1] * price["usd_low"], system.gpus[1] * price["usd_high"]))
    fp = "; ".join(f"{lookups.model(ds, m)['model_name']}: {fmt.usd_range(lo, hi)}" for m, lo, hi in setups)
    rows.append(check_row(ds, "qc.upfront.selfhost", fmt.usd_range(cluster * a100_low, cluster * a100_high), fp, "",
                          verdicts.INCONSISTENT if cluster * a100_high < upfront_low else verdicts.REPRODUCED,
                          f"the guide's own minimum serious cluster, {cluster:.0f} used A100s, costs "
                          f"{fmt.usd_range(cluster * a100_low, cluster * a100_high)}, below the printed floor; "
                          "whole H100 nodes for the largest models cost more than the printed ceiling"))
    ops_ids = ("ops.electricity", "ops.networking_storage", "ops.monitoring_logging", "ops.redundancy",
               "ops.ml_engineer_allocation")
    ops_low = sum(figure(ds, i)[0] for i in ops_ids)
    ops_high = sum(figure(ds, i)[1] for i in ops_ids)
    printed_ops = figure(ds, "qc.monthly_ops.selfhost")
    a = scenarios.assumption_cases(ds)
    lines = spine.operating_usd_per_month(a, a["engineer_allocation"])
    fixed = lines["engineers"] + lines["networking_storage"] + lines["monitoring"]
    rows.append(check_row(ds, "qc.monthly_ops.selfhost", fmt.usd_range(ops_low, ops_high),
                          f"{fmt.usd_range(fixed.min(), fixed.max())} before power and hardware", "",
                          verdicts.REPRODUCED if printed_ops == (ops_low, ops_high) else verdicts.INCONSISTENT,
                          f"the guide's operating-cost table without depreciation adds up to "
                          f"{fmt.usd_range(ops_low, ops_high)}"))
    rows.append(check_row(ds, "qc.upfront.api", "$0", "$0", "", verdicts.REPRODUCED, "APIs bill per token"))
    checks = checks_frame(rows)
    printed = printed_table(ds, "Quick Comparison: Self-Hosted LLM vs API", "Dimension",
                            ["Self-Hosted LLM", "API (Cloud Providers)"])
    facts = {"qc_frontier_breakeven_usd": fmt.usd(frontier_be["base"]), "qc_guide_crossing_usd": fmt.usd(crossing),
             "qc_checked_cells": len(checks), **quoted(ds, {"qc_guide_breakeven_usd": "qc.summary.break_even"})}
    exhibits = (ex.printed("quick-comparison-printed", "Quick Comparison: Self-Hosted LLM vs API"),
                ex.checks("quick-comparison-checks", checks, "The money cells with their recomputation and verdict."))
    return Chapter(printed=printed, checks=checks, facts=facts, key="quick-comparison", exhibits=exhibits)


@chapter_cache.cached
def build_decision_table(ds: Dataset) -> Chapter:
    """The decision table with its money thresholds recomputed from the model's break-even."""
    frontier_be = breakeven_spend(ds, FRONTIER)
    printed = printed_table(ds, "Your Situation / Recommendation", "Your Situation", ["Recommendation", "Why"])
    lo, hi = frontier_be.min(), frontier_be.max()

    spans = {"API spend under $10K/month": ("dec.lt10k.threshold", "low"),
             "API spend $10K-20K/month": ("dec.10k_20k.range", "range"),
             "API spend $20K-50K/month": ("dec.20k_50k.range", "range"),
             "API spend $50K+/month": ("dec.50k_plus.threshold", "high")}
    computed = []
    for row_label, (figure_id, kind) in spans.items():
        f_low, f_high = figure(ds, figure_id)
        # The tier's ends: the top of the lowest tier, the bottom of the highest.
        spends = (f_low,) if kind in ("low", "high") else (f_low, f_high)
        computed.append({"Your Situation": row_label,
                         "Frontier-priced API (GPT-5.4)": _decide(ds, FRONTIER, spends),
                         "Cheap API (DeepSeek V4 Flash)": _decide(ds, CHEAP, spends)})
    hosted_vs_buy = scenarios.compare(ds, FRONTIER.model, FRONTIER.gpu, FRONTIER.precision, FRONTIER.hosted_offer,
                                      np.array([1e9])).breakeven.set_index("case")
    be = hosted_vs_buy.at["base", "buy_breakeven_api_usd_per_month"]
    open_via_api = (f"Buy GPUs above {fmt.usd(be)} a month of hosted spend (base case)" if np.isfinite(be) else
                    "Stay hosted: buying the GPUs never beats a hosted open model's price (base case); "
                    "look for a cheaper host instead")
    computed.append({"Your Situation": "Using open models via expensive API",
                     "Frontier-priced API (GPT-5.4)": open_via_api, "Cheap API (DeepSeek V4 Flash)": open_via_api})
    for row_label, text in UNPRICED.items():
        computed.append({"Your Situation": row_label, "Frontier-priced API (GPT-5.4)": text,
                         "Cheap API (DeepSeek V4 Flash)": text})
    table = printed.merge(pd.DataFrame(computed), on="Your Situation", how="left")
    # A guide row the model has no words for says so, never blank.
    table = table.fillna("not priced: the model has no input for this situation")
    crossing = guide_s1_crossing_spend(ds)
    rows = [_threshold_check(ds, i, frontier_be, crossing) for i in ("dec.summary.spend_threshold",
                                                                       "dec.bottom.threshold")]
    # The hybrid's saving (dec.bottom.hybrid_reduction) is checked by the hybrid chapter, which prices it.
    for figure_id in ("dec.model_switching.models", "dec.latency.threshold"):
        rows.append(check_row(ds, figure_id, "", "", "", verdicts.UNVERIFIABLE, "no source is given"))
    facts = {"dec_breakeven_low_usd": fmt.usd(lo), "dec_breakeven_high_usd": fmt.usd(hi),
             "dec_breakeven_likely_usd": likely_breakeven_spend(ds, FRONTIER),
             "dec_breakeven_base_usd": fmt.usd(frontier_be["base"]),
             **quoted(ds, {"dec_guide_low_usd": "dec.lt10k.threshold",
                           "dec_guide_mid_usd": "dec.summary.spend_threshold",
                           "dec_guide_high_usd": "dec.50k_plus.threshold"})}
    checks = checks_frame(rows)
    cheap_be = breakeven_spend(ds, CHEAP)["base"]
    cheap = (f"buying pays only above {fmt.usd(cheap_be)}" if np.isfinite(cheap_be)
             else "keep the API at every spend")
    exhibits = (
        ex.Exhibit("decision-computed",
                   f"Against GPT-5.4, buy the GPUs above {fmt.usd(frontier_be['base'])} a month "
                   f"({fmt.usd_range(lo, hi)} between the stress ends); against DeepSeek V4 Flash, {cheap}",
                   "Source: the guide's rows (data/guide_claims.csv); recommendations from the model's break-even "
                   "(" + ex.model_source("api_prices.csv", "gpus.csv", "models.csv", "benchmarks.csv",
                                         "assumptions.csv") + ")",
                   "The guide's rows with the recommendation the model computes for each spend tier."),
        ex.checks("decision-checks", checks, "The decision section's numbers with their recomputation and verdict."),
    )
    return Chapter(printed=printed, checks=checks, tables={"computed": table}, facts=facts, key="decision",
                   exhibits=exhibits)
