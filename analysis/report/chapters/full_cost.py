"""Chapter: the full cost comparison at 100M, 1B and 10B tokens a month."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import guide_mode, lookups, scenarios, verdicts
from analysis.evaluation.lookups import assumption, figure
from analysis.report import chapter_cache, visual
from analysis.report import exhibits as ex
from analysis.report import formatting as fmt
from analysis.report.chapters.common import (
    Chapter,
    api_bill_span,
    at_volumes,
    breakeven_points,
    check_row,
    checks_frame,
    cost_curves,
    curve_volumes,
    guide_volumes,
    printed_table,
)

TABLE = "Full Cost Comparison Table"
COLUMNS = ["Self-Hosted (Purchased)", "Self-Hosted (Cloud GPU)", "API (DeepSeek V4)", "API (GPT-5.4)"]


def _api_checks(ds: Dataset, gm: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> list[dict]:
    """API cells: reproduced only under the sum-of-prices convention, which contradicts the guide's volumes.

    ``tables``: a comparison table per API offer, holding the guide's volumes (the real bills).
    """
    rows = []
    share_low, share_high = assumption(ds, "output_token_share")
    for figure_id, offer in (("ft.100m.deepseek_api.total", "deepseek-v4-flash"), ("ft.1b.deepseek_api.total",
                             "deepseek-v4-flash"), ("ft.10b.deepseek_api.total", "deepseek-v4-flash"),
                             ("ft.100m.gpt54_api.total", "openai-gpt-5.4"), ("ft.1b.gpt54_api.total", "openai-gpt-5.4"),
                             ("ft.10b.gpt54_api.total", "openai-gpt-5.4")):
        fig = lookups.guide_figure(ds, figure_id)
        volume = fig["tokens_per_month"]
        guide = gm.set_index("figure_id").loc[figure_id]
        if "deepseek" in figure_id:
            p_in, p_out = figure(ds, "ft.summary.deepseek_v4.price_input")[0], figure(
                ds, "ft.summary.deepseek_v4.price_output")[0]
        else:
            api = lookups.api_offer(ds, "openai-gpt-5.4")
            p_in, p_out = api["usd_per_m_input"], api["usd_per_m_output"]
        blend_low, blend_high = guide_mode.bill_at_shares(ds, volume, p_in, p_out)
        real_low, real_high = api_bill_span(at_volumes(tables[offer], np.array([volume])))
        printed = fig["value_low"]
        why = (f"only reproduced by charging every token ${p_in:g} + ${p_out:g}; the table's volume counts input "
               f"and output tokens together, so at {share_low:.0%}–{share_high:.0%} output the same prices bill "
               f"{fmt.usd_range(blend_low, blend_high)}")
        rows.append(check_row(ds, figure_id, fmt.usd(guide["recomputed_low"]),
                              f"{fmt.usd_range(real_low[0], real_high[0])} ({visual.api_words(ds, offer)})",
                              fmt.relative(verdicts.relative_difference(printed, blend_high)), verdicts.INCONSISTENT,
                              why))
    return rows


def _fleet_at_breakeven(ds: Dataset, model: str, gpu: str, precision: str, api_offer: str, volume: float) -> str:
    """The fleet bought at a base-case break-even volume, as every page writes it (:func:`fmt.fleet`); the
    replica alone when buying never breaks even."""
    at = volume if np.isfinite(volume) else 1.0
    fleet = scenarios.compare(ds, model, gpu, precision, api_offer, np.array([at])).table.set_index("case").loc["base"]
    return fmt.fleet(fleet["gpus"], fleet["spare_gpus"], visual.gpu_words(ds, gpu).split()[0])


@chapter_cache.cached
def build(ds: Dataset, buy_gpu: str = "a100-80gb-sxm", buy_precision: str = "fp16",
          rent_offer: str = "runpod-h100-1x", rent_precision: str = "fp8", model: str = "llama-3.3-70b",
          hosted_offer: str = "deepinfra-llama-3.3-70b", cheap_api: str = "deepseek-v4-flash",
          frontier_api: str = "openai-gpt-5.4") -> Chapter:
    """The full cost comparison: printed, recomputed from the guide's inputs, and from first principles."""
    volumes = guide_volumes(ds, TABLE)
    gm = guide_mode.all_checks(ds)
    rent_gpu = ds["gpu_rentals"].set_index("offer_id").loc[rent_offer, "gpu_id"]
    grid = curve_volumes(ds)
    # Every figure of the page, the APIs' bills included, from one evaluation per option over the table's
    # volumes and the chart's grid together.
    both = np.union1d(volumes, grid)
    buy = scenarios.compare(ds, model, buy_gpu, buy_precision, frontier_api, both)
    rent = scenarios.compare(ds, model, rent_gpu, rent_precision, frontier_api, both, rent_offer)
    cheap = scenarios.compare(ds, model, buy_gpu, buy_precision, cheap_api, both)
    hosted = scenarios.compare(ds, model, buy_gpu, buy_precision, hosted_offer, both)
    by_api = {frontier_api: buy.table, cheap_api: cheap.table, hosted_offer: hosted.table}
    apis = {name: api_bill_span(at_volumes(by_api[offer], volumes)) for name, offer in
            (("cheap", cheap_api), ("frontier", frontier_api), ("hosted", hosted_offer))}

    def span(frame: pd.DataFrame, column: str) -> list[str]:
        grouped = at_volumes(frame, volumes).groupby("tokens_per_month")[column]
        return [fmt.usd_range(lo, hi) for lo, hi in zip(grouped.min(), grouped.max(), strict=True)]

    first = pd.DataFrame({
        "Tokens per month": [fmt.tokens(v) for v in volumes],
        f"Buy: {buy.system.gpus[1]:.0f}× {visual.gpu_words(ds, buy_gpu)} ({buy_precision.upper()})":
            span(buy.table, "buy_usd_per_month"),
        f"Rent: {visual.rental_words(ds, rent_offer)} ({rent_precision.upper()})":
            span(rent.table, "rent_usd_per_month"),
        f"API: {visual.api_words(ds, cheap_api)}": [fmt.usd_range(lo, hi)
                                                     for lo, hi in zip(*apis["cheap"], strict=True)],
        f"API: {visual.api_words(ds, frontier_api)}": [fmt.usd_range(lo, hi)
                                                        for lo, hi in zip(*apis["frontier"], strict=True)],
        f"Hosted: {visual.hosted_words(ds, hosted_offer)}": [fmt.usd_range(lo, hi)
                                                             for lo, hi in zip(*apis["hosted"], strict=True)],
    })
    rows = []
    for figure_id in ("ft.100m.purchased.total", "ft.100m.cloud.total"):
        g = gm.set_index("figure_id").loc[figure_id]
        rows.append(check_row(ds, figure_id, fmt.usd_range(g["recomputed_low"], g["recomputed_high"]),
                              first.iloc[0, 1 if "purchased" in figure_id else 2], "", g["verdict"], g["why"]))
    rows += _api_checks(ds, gm, by_api)
    ops = gm.set_index("figure_id")
    eng_low, eng_high = ops.loc["ops.ml_engineer_allocation", ["recomputed_low", "recomputed_high"]]
    printed_eng = figure(ds, "ft.100m.purchased.engineering")
    ops_eng = figure(ds, "ops.ml_engineer_allocation")
    rows.append(check_row(ds, "ft.100m.purchased.engineering", fmt.usd_range(eng_low, eng_high),
                          fmt.usd_range(eng_low, eng_high), "",
                          verdicts.REPRODUCED if printed_eng == ops_eng else verdicts.INCONSISTENT,
                          f"the operating-cost table prints the same 20% engineer at {fmt.usd_range(*ops_eng)}; "
                          f"its own salary range gives {fmt.usd_range(eng_low, eng_high)}"))
    infra = [figure(ds, i) for i in ("ops.networking_storage", "ops.monitoring_logging", "ops.redundancy")]
    infra_low, infra_high = sum(i[0] for i in infra), sum(i[1] for i in infra)
    printed_infra = figure(ds, "ft.100m.purchased.infrastructure")
    rows.append(check_row(ds, "ft.100m.purchased.infrastructure", fmt.usd_range(infra_low, infra_high), "", "",
                          verdicts.REPRODUCED if printed_infra == (infra_low, infra_high) else verdicts.INCONSISTENT,
                          f"networking, monitoring and the spare GPU of the operating-cost table add up to "
                          f"{fmt.usd_range(infra_low, infra_high)}"))
    elec = ops.loc["ops.electricity"]
    rows.append(check_row(ds, "ft.100m.purchased.electricity", fmt.usd_range(elec["recomputed_low"],
                          elec["recomputed_high"]), "", "", elec["verdict"], elec["why"]))
    cloud_low, cloud_high = figure(ds, "ft.100m.cloud.compute")
    hours = assumption(ds, "hours_per_month")[0]
    gpus = figure(ds, "rent.cluster_4xa100.gpus")[0]
    rows.append(check_row(ds, "ft.100m.cloud.compute", "", first.iloc[0, 2], "", verdicts.IMPLIED,
                          f"{gpus:.0f} rented GPUs at ${cloud_low / gpus / hours:.2f}–{cloud_high / gpus / hours:.2f} "
                          f"per GPU-hour, a rate the guide never states (its H100 rates are "
                          f"${figure(ds, 'why.gpu.h100_rental')[0]:.2f}–{figure(ds, 'why.gpu.h100_rental')[1]:.2f})"))
    for figure_id in ("ft.100m.cloud.engineering", "ft.100m.cloud.infrastructure"):
        rows.append(check_row(ds, figure_id, "", "", "", verdicts.UNVERIFIABLE,
                              "the guide gives no input for the cloud column's operating costs"))
    for i, volume_id in enumerate(("1b", "10b"), start=1):
        for column, index in (("purchased", 1), ("cloud", 2)):
            figure_id = f"ft.{volume_id}.{column}.total"
            rows.append(check_row(ds, figure_id, "", first.iloc[i, index], "", verdicts.IMPLIED,
                                  "no breakdown is printed: the growth from 100M follows an unstated scaling rule"))
    checks = checks_frame(rows)
    end = functools.partial(visual.end_label, ds)
    curves = cost_curves(grid, [
        (f"Buy {visual.gpu_words(ds, buy_gpu)}", buy, "buy_usd_per_month", visual.BUY, end(visual.BUY)),
        (f"Rent {visual.rental_words(ds, rent_offer)}", rent, "rent_usd_per_month", visual.RENT, end(visual.RENT)),
        (f"API: {visual.api_words(ds, cheap_api)}", cheap, "api_usd_per_month", visual.CHEAP_API,
         end(visual.CHEAP_API, cheap_api)),
        (f"API: {visual.api_words(ds, frontier_api)}", buy, "api_usd_per_month", visual.FRONTIER_API,
         end(visual.FRONTIER_API, frontier_api)),
        (f"Hosted {visual.hosted_words(ds, hosted_offer)}", hosted, "api_usd_per_month", visual.HOSTED,
         end(visual.HOSTED, hosted_offer))])
    be = pd.concat([buy.breakeven.assign(option="buy"), rent.breakeven.assign(option="rent")])
    base_buy = buy.breakeven.set_index("case").loc["base"]
    cheap_be = float(cheap.breakeven.set_index("case").at["base", "buy_breakeven_tokens_per_month"])
    facts = {"ft_buy_breakeven_tokens": fmt.tokens(base_buy["buy_breakeven_tokens_per_month"]),
             "ft_buy_breakeven_usd": fmt.usd(base_buy["buy_breakeven_api_usd_per_month"]),
             "ft_buy_gpus": int(buy.system.gpus[1]),
             "ft_buy_fleet": _fleet_at_breakeven(ds, model, buy_gpu, buy_precision, frontier_api,
                                                 base_buy["buy_breakeven_tokens_per_month"]),
             "ft_api_overstatement": fmt.share(figure(ds, "ft.100m.gpt54_api.total")[0]
                                               / apis["frontier"][1][0] - 1),
             "ft_inconsistent_cells": int((checks["Verdict"] == verdicts.INCONSISTENT).sum()),
             "ft_checked_cells": len(checks),
             "ft_volumes": ", ".join(fmt.tokens(v) for v in volumes),
             "ft_cheap_breakeven": (f"breaks even at {fmt.tokens(cheap_be)} tokens a month" if np.isfinite(cheap_be)
                                    else "never breaks even")}
    points = breakeven_points(be, f"vs {visual.api_words(ds, frontier_api)}")
    model_name = lookups.model(ds, model)["model_name"]
    files = ("api_prices.csv", "gpus.csv", "gpu_prices.csv", "gpu_rentals.csv", "models.csv", "benchmarks.csv",
             "assumptions.csv")
    source = "Source: " + ex.model_source(*files)
    buying = (f"Buying {facts['ft_buy_fleet']} for {model_name} breaks even with "
              f"GPT-5.4 at {facts['ft_buy_breakeven_tokens']} tokens a month ({facts['ft_buy_breakeven_usd']})")
    exhibits = (
        ex.printed("full-cost-printed", TABLE),
        ex.checks("full-cost-checks", checks, "Each numeric cell with its recomputation and verdict."),
        ex.Exhibit("full-cost-first-principles",
                   f"The guide prints GPT-5.4's bill at {fmt.tokens(volumes[0])} tokens "
                   f"{facts['ft_api_overstatement']} above what OpenAI's prices give", source,
                   "Monthly cost, low–high, per option and volume."),
        ex.Exhibit("full-cost-breakeven", buying, source,
                   f"Where self-hosting {model_name} starts to beat GPT-5.4."),
        ex.Exhibit("full-cost-chart",
                   f"Buying GPUs for {model_name}: against GPT-5.4 it crosses at {facts['ft_buy_breakeven_tokens']} "
                   f"tokens a month; against DeepSeek V4 Flash it {facts['ft_cheap_breakeven']}",
                   "Source: " + ex.model_source(*files, case=ex.LIKELY_NOTE)),
    )
    return Chapter(printed=printed_table(ds, TABLE, "Cost Component", COLUMNS), checks=checks,
                   tables={"first_principles": first, "breakeven": _breakeven_table(be)},
                   chart_data={"curves": curves, "points": points}, facts=facts, key="full-cost", exhibits=exhibits)


def _breakeven_table(be: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for option, frame in be.groupby("option", sort=False):
        col = f"{option}_breakeven_tokens_per_month"
        spend = f"{option}_breakeven_api_usd_per_month"
        if col not in frame:
            continue
        f = frame.set_index("case")
        rows.append({"Option": option, "Break-even volume (base)": fmt.tokens(f.loc["base", col]),
                     "Range": fmt.tokens_range(f[col].min(), f[col].max()),
                     "API spend at break-even (base)": fmt.usd(f.loc["base", spend]),
                     "GPUs per replica (base)": f"{f.loc['base', 'gpus_per_replica']:.0f}"})
    return pd.DataFrame(rows)
