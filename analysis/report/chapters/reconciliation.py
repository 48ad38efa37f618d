"""Reconciliation: every figure the guide printed, with the verdict its chapter computed, and the
guide's claims that move the break-even most.

Verdicts come from the chapters' own checks (each chapter builder run with its default inputs) and
from the guide-mode recomputations. A figure checked in more than one place keeps its most serious
verdict; a figure no chapter recomputes is counted as unverifiable, so the counts cover the whole
guide rather than only what was checked.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import guide_mode, scenarios, verdicts
from analysis.evaluation.lookups import assumption, figure
from analysis.model import spine
from analysis.report import exhibits as ex
from analysis.report import formatting as fmt
from analysis.report import numerics, registry
from analysis.report.chapters import hardware
from analysis.report.chapters.common import Chapter

GUIDE_MODE = "Guide mode"
# The guide's sections in words, for readers (``guide_figures.csv`` keys them by identifier).
SECTION_WORDS = {"headline": "Headline and summary", "quick_comparison": "Quick comparison", "why_now": "Why now",
                 "spend_tiers": "The $20K rule (spend tiers)", "hardware_sizing": "Hardware sizing",
                 "rent_vs_buy": "Rent vs buy", "inference_engines": "Inference engines", "top_models": "Top models",
                 "operating_costs": "Operating costs", "full_cost_comparison": "Full cost comparison",
                 "scenario_1": "Scenario 1", "scenario_2": "Scenario 2", "decision_table": "Decision table",
                 "faq": "FAQ"}


def section_words(section: str) -> str:
    """``Scenario 1`` for ``scenario_1``; an unknown section is written from its identifier."""
    return SECTION_WORDS.get(section, section.replace("_", " ").capitalize())

def chapter_checks(ds: Dataset) -> pd.DataFrame:
    """Every check of every chapter and of guide mode: ``figure_id``, ``Chapter``, ``Verdict``, ``Why``."""
    frames = []
    for spec in registry.ledger_chapters():  # each built with its notebook's defaults
        checks = spec.build_chapter(ds).checks
        frames.append(checks[["figure_id", "Verdict", "Why"]].assign(Chapter=spec.title, page=spec.notebook))
    gm = guide_mode.all_checks(ds)
    frames.append(pd.DataFrame({"figure_id": gm["figure_id"], "Verdict": gm["verdict"], "Why": gm["why"],
                                "Chapter": GUIDE_MODE, "page": registry.chapter("full-cost").notebook}))
    out = pd.concat(frames, ignore_index=True)
    return out[out["figure_id"].notna() & (out["figure_id"] != "")]


def ledger(ds: Dataset, checks: pd.DataFrame) -> pd.DataFrame:
    """One row per figure of ``guide_figures.csv`` with its verdict.

    A figure checked more than once keeps the most serious verdict (``verdicts.SEVERITY``) and lists every
    chapter that checked it; an unchecked figure is ``unverifiable``.
    """
    rank = {v: i for i, v in enumerate(verdicts.SEVERITY)}
    checked = checks.assign(rank=checks["Verdict"].map(rank)).sort_values(["figure_id", "rank"], kind="stable")
    worst = checked.groupby("figure_id", sort=False).first()
    where = checked.groupby("figure_id", sort=False)["Chapter"].agg(lambda s: ", ".join(dict.fromkeys(s)))
    # The chapter page whose check table holds the figure (guide mode has no table of its own): the kept
    # verdict's chapter when it is one, else the first chapter that checks it.
    in_tables = checked[checked["Chapter"] != GUIDE_MODE]
    page = in_tables.groupby("figure_id", sort=False)["page"].first()
    figures = ds["guide_figures"]
    verdict = figures["figure_id"].map(worst["Verdict"]).fillna(verdicts.UNVERIFIABLE)
    why = figures["figure_id"].map(worst["Why"]).fillna("no chapter recomputes this figure")
    return pd.DataFrame({"figure_id": figures["figure_id"], "Section": figures["section"].map(section_words),
                         "Table": figures["table_name"], "Row": figures["row_label"],
                         "Column": figures["column_label"], "Printed": figures["printed"],
                         "Verdict": verdict, "Checked in": figures["figure_id"].map(where).fillna("—"), "Why": why,
                         "check_page": figures["figure_id"].map(page).fillna("")})


def counts_by_section(led: pd.DataFrame) -> pd.DataFrame:
    """Figures per guide section and verdict (guide order of sections), with a total row and column."""
    order = list(dict.fromkeys(led["Section"]))
    table = pd.crosstab(led["Section"], led["Verdict"]).reindex(index=order, columns=verdicts.ORDER, fill_value=0)
    table["all figures"] = table.sum(axis=1)
    table.loc["all sections"] = table.sum(axis=0)
    return table.rename_axis(index="Section", columns=None).reset_index()


@dataclass(frozen=True)
class Swap:
    """One of the guide's claims put in place of the first-principles input it contradicts."""

    claim: str
    figure_ids: tuple[str, ...]
    apply: Callable[[Dataset, dict[str, str]], Dataset]


def _with_table(ds: Dataset, name: str, frame: pd.DataFrame) -> Dataset:
    return dataclasses.replace(ds, tables={**ds.tables, name: frame})


def _set_assumption(ds: Dataset, name: str, low: float, high: float) -> Dataset:
    frame = ds["assumptions"].copy()
    frame.loc[frame["name"] == name, ["value_low", "value_high"]] = [low, high]
    return _with_table(ds, "assumptions", frame)


def _swap_api_convention(ds: Dataset, situation: dict[str, str]) -> Dataset:
    """Every token billed at input price + output price (the guide's $/M is their sum)."""
    frame = ds["api_prices"].copy()
    row = frame["offer_id"] == situation["api_offer"]
    total = frame.loc[row, "usd_per_m_input"] + frame.loc[row, "usd_per_m_output"]
    frame.loc[row, "usd_per_m_input"] = total
    frame.loc[row, "usd_per_m_output"] = total
    frame.loc[row, "usd_per_m_cached_input"] = total
    return _with_table(ds, "api_prices", frame)


def _swap_moe_memory(ds: Dataset, situation: dict[str, str]) -> Dataset:
    """Total parameters as implied by the guide's printed FP16 minimum memory (GB / 2 bytes per parameter)."""
    models = ds["models"].copy()
    row = models["model_id"] == situation["model"]
    label = models.loc[row, "guide_model"].iloc[0]
    figs = ds["guide_figures"]
    printed = figs[(figs["table_name"] == hardware.SIZING_TABLE) & (figs["row_label"] == label)
                   & (figs["column_label"] == "Minimum VRAM") & (figs["precision"] == "fp16")]
    if printed.empty:
        return ds
    bytes_fp16 = ds["precisions"].set_index("precision").at["fp16", "bits_nominal"] / 8
    models.loc[row, "params_total_b"] = float(printed["value_low"].iloc[0]) / bytes_fp16
    return _with_table(ds, "models", models)


def _swap_no_headroom(ds: Dataset, situation: dict[str, str]) -> Dataset:
    """Capacity for the average hour at full use: the guide states no peak load and no utilization target."""
    return _set_assumption(_set_assumption(ds, "peak_to_average", 1.0, 1.0), "target_utilization", 1.0, 1.0)


def _swap_electricity(ds: Dataset, situation: dict[str, str]) -> Dataset:
    """Power as the guide prices it: its monthly electricity for 4 x A100 at its $/kWh, as a multiple of
    the GPUs' rated draw, replaces server power factor x PUE."""
    usd_low, usd_high = figure(ds, "ops.electricity")
    gpu_count = figure(ds, "ops.electricity.gpus")[0]
    usd_per_kwh = figure(ds, "ops.electricity.price")[0]
    tdp_w = ds["gpus"].set_index("gpu_id").at["a100-80gb-sxm", "tdp_watts"]
    hours = scenarios.assumption_cases(ds)["hours_per_month"][1]
    # The GPUs' rated draw alone (no server, no cooling) at the guide's tariff.
    rated_usd = float(spine.power_usd_per_gpu_month({"server_power_factor": 1.0, "pue": 1.0,
                                                     "electricity_usd_per_kwh": usd_per_kwh, "hours_per_month": hours},
                                                    tdp_w)) * gpu_count
    ds = _set_assumption(ds, "pue", 1.0, 1.0)
    return _set_assumption(ds, "server_power_factor", usd_low / rated_usd, usd_high / rated_usd)


def _swap_downtime(ds: Dataset, situation: dict[str, str]) -> Dataset:
    """Downtime priced at the guide's example revenue at risk."""
    revenue = figure(ds, "ops.summary.revenue")[0]
    return _set_assumption(ds, "revenue_at_risk_usd_per_month", revenue, revenue)


SWAPS = [
    Swap("API bill: every token charged input + output price", ("s1.100m.api_cost",), _swap_api_convention),
    Swap("Memory: the guide's printed FP16 minimum for the model", ("hw.maverick.vram_fp16",), _swap_moe_memory),
    Swap("Capacity: no peak load, GPUs run flat out", (), _swap_no_headroom),
    Swap("Power: the guide's electricity for 4 x A100", ("ops.electricity",), _swap_electricity),
    Swap("Downtime: the guide's $100K/month revenue at risk", ("ops.summary.revenue",), _swap_downtime),
]


def _breakeven(ds: Dataset, situation: dict[str, str]) -> tuple[float, float, float]:
    """Base-case buy break-even: (tokens per month, API USD per month, GPUs per replica)."""
    result = scenarios.compare(ds, situation["model"], situation["gpu"], situation["precision"],
                               situation["api_offer"], np.array([1e9]))
    base = result.breakeven.set_index("case").loc["base"]
    return (float(base["buy_breakeven_tokens_per_month"]), float(base["buy_breakeven_api_usd_per_month"]),
            float(base["gpus_per_replica"]))


def _move(factor: float) -> float:
    """``|log10(factor)|``, rounded so that halving and doubling tie on every CPU (``inf`` for never)."""
    if not (np.isfinite(factor) and factor > 0):
        return np.inf
    return numerics.round_significant(abs(math.log10(factor)))


def swap_effects(ds: Dataset, situation: dict[str, str]) -> pd.DataFrame:
    """Each guide claim swapped in alone; the base-case break-even before and after, largest move first.

    ``factor = after / before`` for the break-even volume; the move is ``|log10(factor)|`` so that halving
    and doubling rank alike. ``inf`` (never breaks even) ranks first.
    """
    volume, spend, gpus = _breakeven(ds, situation)
    rows = []
    for swap in SWAPS:
        v, s, g = _breakeven(swap.apply(ds, situation), situation)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = v / volume
        rows.append({"claim": swap.claim, "figure_ids": " ".join(swap.figure_ids),
                     "breakeven_tokens_per_month": v, "breakeven_api_usd_per_month": s, "gpus_per_replica": g,
                     "factor": factor, "move": _move(factor)})
    out = pd.DataFrame(rows).sort_values("move", ascending=False, kind="stable").reset_index(drop=True)
    return out.assign(base_tokens_per_month=volume, base_api_usd_per_month=spend, base_gpus_per_replica=gpus)


def _swap_table(effects: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "figure_id": effects["figure_ids"],
        "The guide's claim, swapped in alone": effects["claim"],
        "GPUs per replica": [f"{b:.0f} → {a:.0f}" for b, a in
                             zip(effects["base_gpus_per_replica"], effects["gpus_per_replica"], strict=True)],
        "Break-even volume": [f"{fmt.tokens(b)} → {fmt.tokens(a)}" for b, a in
                              zip(effects["base_tokens_per_month"], effects["breakeven_tokens_per_month"],
                                  strict=True)],
        "Break-even API spend": [f"{fmt.usd(b)} → {fmt.usd(a)}" for b, a in
                                 zip(effects["base_api_usd_per_month"], effects["breakeven_api_usd_per_month"],
                                     strict=True)],
        "Change": [fmt.relative(f - 1) if np.isfinite(f) else "never breaks even" for f in effects["factor"]],
    })


def build(ds: Dataset, model: str = "llama-4-maverick", gpu: str = "h100-sxm", precision: str = "fp8",
          api_offer: str = "openai-gpt-5.4") -> Chapter:
    """The reconciliation chapter: the ledger of every figure, counts, and the claims that move the break-even."""
    situation = {"model": model, "gpu": gpu, "precision": precision, "api_offer": api_offer}
    checks = chapter_checks(ds)
    led = ledger(ds, checks)
    counts = counts_by_section(led)
    effects = swap_effects(ds, situation)
    total = counts.iloc[-1]
    top = effects.iloc[0]
    facts = {"rec_figures": len(led), "rec_checked": int((led["Checked in"] != "—").sum()),
             "rec_checks": len(checks), "rec_sections": len(counts) - 1,
             "rec_checked_unverifiable": int(((led["Checked in"] != "—")
                                              & (led["Verdict"] == verdicts.UNVERIFIABLE)).sum()),
             "rec_unchecked": int((led["Checked in"] == "—").sum()),
             **{f"rec_{key}": int(total[v]) for v, key in verdicts.KEYS.items()},
             "rec_wrong": int(total[verdicts.INCONSISTENT] + total[verdicts.IMPOSSIBLE]),
             "rec_top_claim": top["claim"], "rec_top_change": _swap_table(effects.iloc[:1])["Change"].iloc[0],
             "rec_base_breakeven_tokens": fmt.tokens(top["base_tokens_per_month"]),
             "rec_base_breakeven_usd": fmt.usd(top["base_api_usd_per_month"]),
             # The verdict bands the method page defines the difference column with.
             "rec_tolerance": "±" + fmt.share(assumption(ds, "printed_vs_recomputed_tolerance")[0]),
             "rec_headroom_band": fmt.band(*assumption(ds, "min_vram_headroom")),
             "rec_memory_margin": fmt.share(assumption(ds, "memory_verdict_margin")[0])}
    chart = led.groupby(["Section", "Verdict"], sort=False).size().rename("figures").reset_index()
    wrong = chart[chart["Verdict"].isin([verdicts.INCONSISTENT, verdicts.IMPOSSIBLE])]
    worst = wrong.groupby("Section", sort=False)["figures"].sum()
    worst_text = (f"{worst.idxmax()} holds the most contradicted figures ({worst.max()})" if len(worst)
                  else "No section has a contradicted figure")
    checks_source = "Source: " + ex.CHECKS
    exhibits = (
        ex.Exhibit("reconciliation-counts", f"Of the guide's {facts['rec_figures']} figures, {facts['rec_reproduced']} "
                   f"reproduce and {facts['rec_wrong']} contradict its own numbers or physics", checks_source,
                   "Figures per section and verdict."),
        ex.Exhibit("reconciliation-chart", worst_text, checks_source),
        ex.Exhibit("reconciliation-swaps", f"Swapping in one claim moves the break-even most: {facts['rec_top_claim']} "
                   f"({facts['rec_top_change']})", "Source: " + ex.model_source(
                       "guide_figures.csv", "api_prices.csv", "gpus.csv", "gpu_prices.csv", "models.csv",
                       "benchmarks.csv", "assumptions.csv", case="base case, one claim at a time"),
                   "Base-case break-even for buying, before and after each claim is swapped in."),
        ex.checks("reconciliation-ledger", led, "Every numeric figure of the guide with its verdict."),
    )
    return Chapter(printed=led[["figure_id", "Section", "Row", "Column", "Printed"]], checks=led,
                   tables={"counts": counts, "swaps": _swap_table(effects)},
                   chart_data={"verdicts": chart, "swaps": effects}, facts=facts, key="reconciliation",
                   exhibits=exhibits)
