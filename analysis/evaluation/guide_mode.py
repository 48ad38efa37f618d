"""Guide mode: recompute the guide's figures from the guide's own inputs with the model's functions.

Each check takes figures from ``guide_figures.csv`` by id, applies the same cost functions the first-
principles model uses, and compares with what the guide printed. Where a printed figure cannot follow
from the guide's inputs, the check says so (and names the input it would need) instead of bending.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import lookups, verdicts
from analysis.evaluation.lookups import assumption
from analysis.model import costs

COLUMNS = ["figure_id", "claim", "printed", "recomputed_low", "recomputed_high", "verdict", "why"]


class Figures:
    """The guide's figures by id (:func:`analysis.evaluation.lookups.figure`): ``(low, high)``, as printed, and
    the claim they make (table, row and column)."""

    def __init__(self, ds: Dataset):
        self.ds = ds

    def __call__(self, figure_id: str) -> tuple[float, float]:
        return lookups.figure(self.ds, figure_id)

    def printed(self, figure_id: str) -> str:
        return str(lookups.guide_figure(self.ds, figure_id)["printed"])

    def claim(self, figure_id: str) -> str:
        row = lookups.guide_figure(self.ds, figure_id)
        return f"{row['table_name']}: {row['row_label']} / {row['column_label']}"


def _row(fig: Figures, figure_id: str, low: float, high: float, verdict: str, why: str) -> dict:
    return {"figure_id": figure_id, "claim": fig.claim(figure_id), "printed": fig.printed(figure_id),
            "recomputed_low": low, "recomputed_high": high, "verdict": verdict, "why": why}


def _compare(fig: Figures, figure_id: str, low: float, high: float, tol: float, how: str) -> dict:
    printed_low, printed_high = fig(figure_id)
    if verdicts.within(printed_low, low, tol) and verdicts.within(printed_high, high, tol):
        return _row(fig, figure_id, low, high, verdicts.REPRODUCED, how)
    return _row(fig, figure_id, low, high, verdicts.INCONSISTENT,
                f"{how} gives ${low:,.0f}–${high:,.0f}, not the printed ${printed_low:,.0f}–${printed_high:,.0f}")


def sums(ds: Dataset) -> pd.DataFrame:
    """Totals that should be the sum of their printed components."""
    fig = Figures(ds)
    tol = assumption(ds, "printed_vs_recomputed_tolerance")[0]
    groups = {
        "ops.total_overhead": ["ops.gpu_depreciation", "ops.electricity", "ops.networking_storage",
                               "ops.monitoring_logging", "ops.redundancy", "ops.ml_engineer_allocation"],
        "ft.100m.purchased.total": ["ft.100m.purchased.compute", "ft.100m.purchased.engineering",
                                    "ft.100m.purchased.infrastructure", "ft.100m.purchased.electricity"],
        "ft.100m.cloud.total": ["ft.100m.cloud.compute", "ft.100m.cloud.engineering", "ft.100m.cloud.infrastructure"],
    }
    rows = []
    for total, parts in groups.items():
        low = sum(fig(p)[0] for p in parts)
        high = sum(fig(p)[1] for p in parts)
        rows.append(_compare(fig, total, low, high, tol, f"the sum of its {len(parts)} printed rows"))
    return pd.DataFrame(rows, columns=COLUMNS)


def api_costs(ds: Dataset) -> pd.DataFrame:
    """API columns: volume x (input price + output price), the guide's convention.

    GPT-5.4's prices are OpenAI's list prices (the guide never states them; their sum is the $17.50 per
    million its tables imply); DeepSeek V4's are the guide's own $0.30 / $0.50.
    """
    fig = Figures(ds)
    tol = assumption(ds, "printed_vs_recomputed_tolerance")[0]
    gpt = lookups.api_offer(ds, "openai-gpt-5.4")
    prices = {"gpt54": (gpt["usd_per_m_input"], gpt["usd_per_m_output"]),
              "deepseek": (fig("ft.summary.deepseek_v4.price_input")[0], fig("ft.summary.deepseek_v4.price_output")[0])}
    figures = ds["guide_figures"]
    api_ids = figures[figures["figure_id"].str.contains(r"(?:gpt54_api\.total|deepseek_api\.total|\.api_cost)$")
                      & figures["tokens_per_month"].notna()]
    rows = []
    for row in api_ids.itertuples():
        which = "gpt54" if ("gpt54" in row.figure_id or row.figure_id.startswith("s1.")) else "deepseek"
        cost = float(costs.api_monthly_cost_guide_usd(row.tokens_per_month, *prices[which]))
        how = f"{row.tokens_per_month / 1e6:,.0f}M tokens x (${prices[which][0]:g} + ${prices[which][1]:g}) per M"
        rows.append(_compare(fig, row.figure_id, cost, cost, tol, how))
    return pd.DataFrame(rows, columns=COLUMNS)


def bill_at_shares(ds: Dataset, tokens_per_month: float, usd_per_m_input: float,
                   usd_per_m_output: float) -> tuple[float, float]:
    """What a price pair bills when input and output tokens are counted apart, over the output share's range
    in ``assumptions.csv`` (no cached input): ``(lowest, highest)`` USD a month.

    The guide's API columns charge every token both prices; this is the bill the same prices give a volume
    that counts input and output together (:func:`analysis.model.costs.api_monthly_cost_usd`).
    """
    share_low, share_high = assumption(ds, "output_token_share")
    bills = costs.api_monthly_cost_usd(tokens_per_month, np.array([share_high, share_low]), usd_per_m_input,
                                       usd_per_m_output)
    return float(bills.min()), float(bills.max())


def savings(ds: Dataset) -> pd.DataFrame:
    """Scenario savings columns: API cost minus self-host cost, both as printed."""
    fig = Figures(ds)
    tol = assumption(ds, "printed_vs_recomputed_tolerance")[0]
    figures = ds["guide_figures"]
    rows = []
    for figure_id in figures.loc[figures["figure_id"].str.match(r"^s[12]\.\d+[mb]\.savings$"), "figure_id"]:
        stem = figure_id.rsplit(".", 1)[0]
        value = fig(f"{stem}.api_cost")[0] - fig(f"{stem}.selfhost_cost")[0]
        how = "the printed API cost minus the printed self-host cost"
        rows.append(_compare(fig, figure_id, value, value, tol, how))
    return pd.DataFrame(rows, columns=COLUMNS)


def hardware_months(ds: Dataset) -> pd.DataFrame:
    """Amortized GPU costs and the 4 x A100 depreciation: what unit price they imply, inside the guide's range?"""
    fig = Figures(ds)
    prices = lookups.purchase_prices(ds, guide_only=True).set_index("gpu_id")
    rows = []
    for figure_id, months_id, gpu_id, count in (("rent.buy_h100.monthly", "rent.buy_h100.amortization", "h100-sxm", 1),
                                                 ("rent.buy_a100_used.monthly", "rent.buy_a100_used.amortization",
                                                  "a100-80gb-sxm", 1),
                                                 ("ops.gpu_depreciation", "ops.gpu_depreciation.months",
                                                  "a100-80gb-sxm", 4)):
        monthly, months = fig(figure_id)[0], fig(months_id)[0]
        unit = monthly * months / count
        low, high = prices.loc[gpu_id, "usd_low"], prices.loc[gpu_id, "usd_high"]
        recomputed = costs.amortized_usd_per_month(np.array([low, high]) * count, months)
        ok = low <= unit <= high
        why = (f"implies ${unit:,.0f} per GPU over {months:.0f} months, "
               f"{'inside' if ok else 'outside'} the guide's ${low:,.0f}–${high:,.0f}")
        rows.append(_row(fig, figure_id, float(recomputed[0]), float(recomputed[1]),
                         verdicts.IMPLIED if ok else verdicts.INCONSISTENT, why))
    return pd.DataFrame(rows, columns=COLUMNS)


def operating_items(ds: Dataset) -> pd.DataFrame:
    """The engineer allocation and the electricity row, from the guide's stated inputs."""
    fig = Figures(ds)
    tol = assumption(ds, "printed_vs_recomputed_tolerance")[0]
    salary_low, salary_high = fig("ops.engineering.ml_engineer_annual")
    share = fig("ops.ml_engineer_allocation.share")[0]
    eng = costs.engineering_usd_per_month(np.array([salary_low, salary_high]), share)
    rows = [_compare(fig, "ops.ml_engineer_allocation", float(eng[0]), float(eng[1]), tol,
                     f"{share:.0%} of ${salary_low:,.0f}–${salary_high:,.0f} a year")]
    gpus = fig("ops.electricity.gpus")[0]
    usd_per_kwh = fig("ops.electricity.price")[0]
    tdp = ds["gpus"].set_index("gpu_id").loc["a100-80gb-sxm", "tdp_watts"]
    hours = assumption(ds, "hours_per_month")[0]
    boards = float(costs.power_usd_per_month(gpus, tdp, 1.0, 1.0, usd_per_kwh, hours))
    factor_high = assumption(ds, "server_power_factor")[1]
    pue_high = assumption(ds, "pue")[1]
    whole = float(costs.power_usd_per_month(gpus, tdp, factor_high, pue_high, usd_per_kwh, hours))
    printed_low, printed_high = fig("ops.electricity")
    needed_kw = np.array([printed_low, printed_high]) / usd_per_kwh / hours
    why = (f"{gpus:.0f} x {tdp:.0f} W boards use ${boards:,.0f} a month at ${usd_per_kwh:g}/kWh, and ${whole:,.0f} "
           f"with a whole server (x{factor_high:g}) and cooling (PUE {pue_high:g}); the printed figure needs "
           f"{needed_kw[0]:.1f}–{needed_kw[1]:.1f} kW running all month")
    verdict = verdicts.INCONSISTENT if printed_low > whole else verdicts.IMPLIED
    rows.append(_row(fig, "ops.electricity", boards, whole, verdict, why))
    return pd.DataFrame(rows, columns=COLUMNS)


def rental_months(ds: Dataset) -> pd.DataFrame:
    """Monthly rental figures against the guide's own hourly range for H100s (times the hours in a month)."""
    fig = Figures(ds)
    hourly_low, hourly_high = fig("why.gpu.h100_rental")
    hours = assumption(ds, "hours_per_month")[0]
    low = float(costs.rental_usd_per_month(1, hourly_low, hours))
    high = float(costs.rental_usd_per_month(1, hourly_high, hours))
    rows = []
    for figure_id in ("rent.lambda.monthly", "rent.coreweave.monthly", "rent.runpod.monthly", "rent.aws_p5.monthly"):
        monthly = fig(figure_id)[0]
        per_hour = monthly / hours
        ok = low <= monthly <= high
        why = f"${monthly:,.0f} a month is ${per_hour:.2f} per GPU-hour over {hours:.0f} hours"
        band = f"${hourly_low:.2f}–{hourly_high:.2f} per GPU-hour"
        why += f", inside the guide's {band}" if ok else f", outside the guide's own {band}"
        rows.append(_row(fig, figure_id, low, high, verdicts.REPRODUCED if ok else verdicts.IMPLIED, why))
    return pd.DataFrame(rows, columns=COLUMNS)


def all_checks(ds: Dataset) -> pd.DataFrame:
    """Every guide-mode check, in report order."""
    return pd.concat([sums(ds), api_costs(ds), savings(ds), hardware_months(ds), operating_items(ds),
                      rental_months(ds)], ignore_index=True)
