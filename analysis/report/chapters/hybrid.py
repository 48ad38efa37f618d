"""Chapter: own the baseline, buy the peaks (the guide's hybrid, priced from first principles).

The guide recommends self-hosting an open model for 80% of the traffic, sending the 20% that needs a frontier
model to an API, and promises 50-70% less than API-only. Here traffic has a shape over the week
(``traffic_profiles.csv``), all-self-host is sized for its busiest hour, and the hybrid owns the number of
replicas that minimises the month's bill, the load above them going to a per-token offer
(:mod:`analysis.evaluation.hybrid`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import hybrid, lookups, verdicts
from analysis.evaluation.lookups import figure
from analysis.model import spine
from analysis.report import chapter_cache, numerics, registry, visual
from analysis.report import exhibits as ex
from analysis.report import formatting as fmt
from analysis.report.chapters.common import Chapter, check_row, checks_in_guide_order, quoted

# The guide's hybrid figures: the split it recommends and the saving it promises.
SPLIT_IDS = ("models.summary.hybrid.selfhost_share", "models.summary.hybrid.api_share",
             "models.tradeoff.hybrid.selfhost_share", "models.tradeoff.hybrid.api_share")
REDUCTION_IDS = ("dec.summary.hybrid_reduction", "dec.bottom.hybrid_reduction")
# The spend at which the guide says the hybrid wins: its "$50K+" tier.
SPEND_ID = "tiers.summary.50k_plus.threshold"
HARD_SHARE_ID = "models.tradeoff.hybrid.api_share"
# Volumes of the optimum table: a decade apart across the scenarios' range.
TABLE_VOLUMES = (1e9, 1e10, 1e11)
# Spends searched for the one at which the hybrid's saving reaches the guide's low end (USD a month).
SPEND_GRID = np.geomspace(5e3, 2e6, 121)


def _scenario(ds: Dataset, key: str) -> dict[str, str]:
    return registry.chapter(key).parameters


def _evaluate(ds: Dataset, s: dict[str, str], overflow: str, profile: str, volume: float,
              hard_share: float = 0.0) -> dict[str, np.ndarray]:
    record = lookups.record(ds)
    sit, over = hybrid.situations(record, s["model"], s["gpu"], s["precision"], s["api_offer"], overflow)
    return hybrid.evaluate(sit, over, hybrid.named_profile(record, profile), volume, hard_share)


def _api_usd_per_token(ds: Dataset, s: dict[str, str]) -> float:
    sit, _ = hybrid.situations(lookups.record(ds), s["model"], s["gpu"], s["precision"], s["api_offer"], None)
    return float(spine.evaluate(sit, spine.case_values(sit), [1e9])["api_usd_per_token"][1])


def optimum_table(ds: Dataset) -> pd.DataFrame:
    """Scenarios 1 and 2, every named profile, :data:`TABLE_VOLUMES`: all API, all self-host, and the hybrid
    with its overflow sent to the same open model from a host and to the API being replaced (base case)."""
    rows = []
    for key in ("s1", "s2"):
        s = _scenario(ds, key)
        for profile in sorted(lookups.record(ds)["traffic_profiles"]):
            for volume in TABLE_VOLUMES:
                hosted = _evaluate(ds, s, s["hosted_offer"], profile, volume)
                api = _evaluate(ds, s, s["api_offer"], profile, volume)
                rows.append({
                    "Scenario": registry.chapter(key).title, "Profile": profile,
                    "Tokens per month": fmt.tokens(volume),
                    "Peak to average": f"{hosted['peak_to_average'][1]:.2f}",
                    "All API": fmt.usd(hosted["all_api_usd_per_month"][1]),
                    "All self-host": fmt.usd(hosted["all_selfhost_usd_per_month"][1]),
                    "Hybrid, overflow to the hosted model": _hybrid_cell(hosted),
                    "Hybrid, overflow to the API": _hybrid_cell(api)})
    return pd.DataFrame(rows)


def _hybrid_cell(result: dict[str, np.ndarray]) -> str:
    """``$7.4K: own 0 of 1 replicas, 0% in house`` (base case)."""
    owned, of = int(result["owned_replicas"][1]), int(result["all_selfhost_replicas"][1])
    return (f"{fmt.usd(result['hybrid_usd_per_month'][1])}: own {owned} of {of} "
            f"{'replica' if of == 1 else 'replicas'}, {fmt.share(result['in_house_share'][1])} in house")


def _replicas(count: float) -> str:
    """``1 replica``, ``3 replicas``."""
    return f"{int(count)} {'replica' if int(count) == 1 else 'replicas'}"


def _spend_reaching(ds: Dataset, s: dict[str, str], profile: str, hard_share: float, target: float) -> float:
    """The lowest API spend (USD a month) at which the hybrid with overflow to the API being replaced saves at
    least ``target`` of the API-only bill (base case); inf when no spend of :data:`SPEND_GRID` does."""
    price = _api_usd_per_token(ds, s)
    for spend in SPEND_GRID:
        result = _evaluate(ds, s, s["api_offer"], profile, spend / price, hard_share)
        if result["saving_vs_api"][1] >= target:
            return float(spend)
    return float("inf")


def _checks(ds: Dataset, profile: str) -> tuple[pd.DataFrame, dict[str, str]]:
    s1 = _scenario(ds, "s1")
    hard = figure(ds, HARD_SHARE_ID)[0]
    spend = figure(ds, SPEND_ID)[0]
    volume = spend / _api_usd_per_token(ds, s1)
    free = _evaluate(ds, s1, s1["api_offer"], profile, volume)  # no share forced to the API
    routed = _evaluate(ds, s1, s1["api_offer"], profile, volume, hard)
    hosted = _evaluate(ds, s1, s1["hosted_offer"], profile, volume, hard)
    api = visual.api_words(ds, s1["api_offer"])
    rows = []
    for figure_id in SPLIT_IDS:
        low, _ = figure(ds, figure_id)
        in_house = "selfhost" in figure_id
        rows.append(check_row(
            ds, figure_id, "", f"{fmt.share(free['in_house_share'][1])} in house at the cheapest split" if in_house
            else f"{fmt.share(1 - free['in_house_share'][1])} to the API at the cheapest split", "",
            verdicts.IMPLIED,
            f"at {fmt.usd(spend)} a month of {api} spend the cheapest split serves "
            f"{fmt.share(free['in_house_share'][1])} of tokens in house (base); the guide's "
            f"{fmt.share(low if in_house else 1 - low)} / {fmt.share(1 - low if in_house else low)} is the share of "
            "requests an open model cannot serve, an input of quality, not of cost"))
    reach = _spend_reaching(ds, s1, profile, hard, figure(ds, REDUCTION_IDS[0])[0])
    for figure_id in REDUCTION_IDS:
        low, high = figure(ds, figure_id)
        saving = routed["saving_vs_api"]
        base = saving[1]
        inside = low - 1e-9 <= base <= high + 1e-9
        rows.append(check_row(
            ds, figure_id, "", f"{fmt.share(base)} ({fmt.share(saving.min())}–{fmt.share(saving.max())})",
            f"{(base - low) * 100:+.0f} pts" if base < low else (f"{(base - high) * 100:+.0f} pts" if base > high
                                                                  else "0 pts"),
            verdicts.REPRODUCED if inside else verdicts.INCONSISTENT,
            f"at {fmt.usd(spend)} a month of {api} spend, {fmt.share(hard)} of tokens kept on {api} and the rest "
            f"split at the cheapest owned fleet ({_replicas(routed['owned_replicas'][1])} of "
            f"{int(routed['gpus_per_replica'][1])} GPUs, {profile} traffic), the bill is {fmt.share(base)} below "
            f"API-only (base case); the guide's low end is reached from "
            f"{fmt.usd(reach) if np.isfinite(reach) else 'no spend tried'}; with the rest sent to a host of the "
            f"open model instead of owning GPUs the saving is {fmt.share(hosted['saving_vs_api'][1])}"))
    facts = {"hy_spend": fmt.usd(spend), "hy_hard_share": fmt.share(hard),
             "hy_saving_at_spend": fmt.share(routed["saving_vs_api"][1]),
             "hy_saving_hosted": fmt.share(hosted["saving_vs_api"][1]),
             "hy_reach_spend": fmt.usd(reach) if np.isfinite(reach) else "no spend tried",
             "hy_free_in_house": fmt.share(free["in_house_share"][1]),
             **quoted(ds, {"hy_guide_reduction": REDUCTION_IDS[1], "hy_guide_split": SPLIT_IDS[2]})}
    return checks_in_guide_order(ds, rows), facts


# Volumes of the cost-by-volume chart (tokens a month).
CURVE_VOLUMES = numerics.log_grid(1e9, 1e12, 19)


def cost_by_volume(sit, over, load: hybrid.Profile) -> pd.DataFrame:
    """All API, all self-host and the hybrid across :data:`CURVE_VOLUMES` (base case)."""
    rows = []
    for volume in CURVE_VOLUMES:
        r = hybrid.evaluate(sit, over, load, volume)
        for option, key, kind in (("All API", "all_api_usd_per_month", visual.FRONTIER_API),
                                  ("All self-host", "all_selfhost_usd_per_month", visual.BUY),
                                  ("Hybrid", "hybrid_usd_per_month", visual.HYBRID)):
            rows.append({"tokens_per_month": float(volume), "usd_per_month": float(r[key][1]), "option": option,
                         "kind": kind, "owned_replicas": float(r["owned_replicas"][1])})
    return pd.DataFrame(rows)


@chapter_cache.cached
def build(ds: Dataset, model: str, gpu: str, precision: str, api_offer: str, hosted_offer: str, profile: str,
          tokens_per_month: float) -> Chapter:
    """The hybrid chapter: the guide's hybrid claims checked (``checks``), the optimum for scenarios 1 and 2 under
    every named profile (``optimum``), and for the chosen situation, profile and volume the load-duration curve
    with the owned capacity (``load_duration``) and the bill against the number of owned replicas (``u_curve``)."""
    record = lookups.record(ds)
    checks, facts = _checks(ds, profile)
    sit, over = hybrid.situations(record, model, gpu, precision, api_offer, hosted_offer)
    load = hybrid.named_profile(record, profile)
    result = hybrid.evaluate(sit, over, load, tokens_per_month)
    hours = float(spine.case_values(sit)["hours_per_month"][1])
    tokens = np.sort(load.load[1])[::-1] * tokens_per_month / hours
    per_replica = float(result["replica_tokens_per_hour"][1])
    duration = pd.DataFrame({"share_of_hours": np.arange(1, len(tokens) + 1) / len(tokens),
                             "tokens_per_hour": tokens})
    owned = int(result["owned_replicas"][1])
    lines = pd.DataFrame({"label": [f"owned: {owned} {'replica' if owned == 1 else 'replicas'}",
                                    f"all self-host: {int(result['all_selfhost_replicas'][1])}"],
                          "tokens_per_hour": [owned * per_replica,
                                              result["all_selfhost_replicas"][1] * per_replica],
                          "kind": [visual.HYBRID, visual.BUY]})
    curve = result["curve_usd_per_month"][1]
    u_curve = pd.DataFrame({"owned_replicas": np.arange(len(curve)), "usd_per_month": curve})
    u_curve = u_curve[np.isfinite(u_curve["usd_per_month"])]
    by_volume = cost_by_volume(sit, over, load)
    hybrid_rows = by_volume[by_volume["option"] == "Hybrid"]
    owned_from = hybrid_rows.loc[hybrid_rows["owned_replicas"] >= 1, "tokens_per_month"]
    model_name = lookups.model(ds, model)["model_name"]
    hosted_words = visual.hosted_words(ds, hosted_offer)
    facts.update({
        "hy_profile": profile, "hy_volume": fmt.tokens(tokens_per_month), "hy_model": model_name,
        "hy_owned": owned, "hy_all_selfhost_replicas": int(result["all_selfhost_replicas"][1]),
        "hy_in_house": fmt.share(result["in_house_share"][1]),
        "hy_cost": fmt.usd(result["hybrid_usd_per_month"][1]),
        "hy_all_api": fmt.usd(result["all_api_usd_per_month"][1]),
        "hy_all_selfhost": fmt.usd(result["all_selfhost_usd_per_month"][1]),
        "hy_peak_to_average": f"{result['peak_to_average'][1]:.2f}", "hy_hosted": hosted_words,
        "hy_checked_cells": len(checks),
        "hy_inconsistent_cells": int((checks["Verdict"] == verdicts.INCONSISTENT).sum())})
    table = optimum_table(ds)
    owning = int((~table["Hybrid, overflow to the hosted model"].str.contains(": own 0 of ")).sum())
    source = "Source: " + ex.model_source("api_prices.csv", "gpus.csv", "gpu_prices.csv", "models.csv",
                                          "benchmarks.csv", "assumptions.csv", "traffic_profiles.csv")
    exhibits = (
        ex.checks("hybrid-checks", checks, "The guide's hybrid figures with their recomputation and verdict."),
        ex.Exhibit("hybrid-optimum",
                   f"With a host of the open model taking the overflow, the cheapest split owns GPUs in {owning} "
                   f"of {len(table)} situations; in the others the host takes all the traffic",
                   source, "The cheapest number of owned replicas per scenario, traffic profile and volume."),
        ex.Exhibit("hybrid-load-duration",
                   f"At {fmt.tokens(tokens_per_month)} tokens a month of {profile} traffic the cheapest fleet owns "
                   f"{owned} of the {int(result['all_selfhost_replicas'][1])} replicas that serve the busiest hour",
                   source, "Hourly load over a week, busiest first, with the owned capacity."),
        ex.Exhibit("hybrid-u-curve",
                   f"The month's bill is lowest at {owned} owned {'replica' if owned == 1 else 'replicas'} "
                   f"({fmt.usd(result['hybrid_usd_per_month'][1])})",
                   source, "Monthly cost against the number of owned replicas, overflow to the hosted model."),
        ex.Exhibit("hybrid-by-volume",
                   (f"The cheapest split owns GPUs from {fmt.tokens(owned_from.min())} tokens a month; below, a host "
                    "of the open model takes all the traffic" if len(owned_from) else
                    f"Up to {fmt.tokens(CURVE_VOLUMES[-1])} tokens a month the cheapest split owns no GPUs: a host "
                    "of the open model takes all the traffic"),
                   source, f"Monthly cost of all API, all self-host and the hybrid ({profile} traffic, peaks to "
                           "the hosted model), base case."),
    )
    return Chapter(checks=checks, tables={"optimum": table},
                   # Rounded to the significant digits a chart shows: its spec is then the same on any CPU.
                   chart_data={name: numerics.round_frame(frame) for name, frame in (
                       ("load_duration", duration), ("owned", lines), ("u_curve", u_curve),
                       ("by_volume", by_volume))},
                   facts=facts, key="hybrid", exhibits=exhibits)
