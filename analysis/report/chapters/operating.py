"""Chapter: the operating costs of a self-hosted cluster (the guide's "Infrastructure Overhead").

The guide prices a 4 x A100 cluster: depreciation, electricity, networking, monitoring, a spare GPU and a
share of an engineer, and sets downtime beside the table without adding it. Each figure is checked
against the guide's own inputs, and the same categories are costed again from first principles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import guide_mode, lookups, scenarios, verdicts
from analysis.evaluation.lookups import assumption, figure
from analysis.model import spine
from analysis.report import chapter_cache
from analysis.report import exhibits as ex
from analysis.report import formatting as fmt
from analysis.report.chapters.common import Chapter, check_row, checks_in_guide_order, printed_table, quoted
from analysis.report.chapters.rent_vs_buy import difference, purchase_price_usd

TABLE = "Infrastructure Overhead"
COLUMNS = ["Monthly Estimate"]
PREFIX = "ops."
GUIDE = "guide printed"
FIRST = "first principles"
# The cost categories shared by the guide's table and the first-principles costing, with the guide's row.
CATEGORIES = {"GPU depreciation": "ops.gpu_depreciation", "Electricity": "ops.electricity",
              "Networking and storage": "ops.networking_storage", "Monitoring and logging": "ops.monitoring_logging",
              "Spare GPU": "ops.redundancy", "ML engineer": "ops.ml_engineer_allocation", "Downtime": None}
TOTAL = "Total"
# Inputs the guide states and nothing in it derives: checked only for agreement with its other mentions.
STATED_INPUTS = ("ops.gpu_depreciation.gpus", "ops.gpu_depreciation.months", "ops.electricity.gpus",
                 "ops.electricity.price", "ops.ml_engineer_allocation.share", "ops.engineering.ml_engineer_annual",
                 "ops.summary.uptime_selfhost", "ops.summary.uptime_api_sla", "ops.summary.revenue",
                 "ops.downtime.selfhost_uptime", "ops.downtime.api_sla", "ops.downtime.revenue")
MONTHS_PER_YEAR = 12


def hours_range(low: float, high: float) -> str:
    """``7.3–36.5 h`` (one decimal), or one figure when both ends print alike."""
    return f"{low:.1f} h" if f"{low:.1f}" == f"{high:.1f}" else f"{low:.1f}–{high:.1f} h"


def cluster_costs(ds: Dataset) -> pd.DataFrame:
    """The guide's cluster costed from first principles, per category and case (USD/month).

    The spine's lines for a bought fleet (:func:`analysis.model.spine.fleet_usd_per_month`, the lines every
    quote and chapter shows), for the guide's cluster: ``n`` serving GPUs of its depreciation row (4 x A100)
    and ``spare_gpus`` spares, in the three coherent cases of
    :func:`analysis.evaluation.scenarios.assumption_cases` (favourable, base, unfavourable to self-hosting):

    * GPU depreciation: ``n x (P (1 - r) / N + P (1 + r) / 2 x i / 12)`` with ``P`` the purchase price (USD),
      ``N`` months, ``r`` the residual value share and ``i`` the annual cost of capital;
    * host servers: the GPUs' share of their servers, ``n x S``, owned the same way;
    * electricity: ``n x tdp_W x f_server x PUE x h / 1000 x USD/kWh``;
    * colocation: ``n x tdp_W x f_server / 1000 x USD per kW-month``;
    * networking and storage, monitoring and logging: the assumptions (USD/month);
    * spare GPU: ``spare_gpus`` GPUs owned, housed and powered like the others;
    * ML engineer: ``salary_usd_per_year / 12 x max(floor, allocation + n / gpus_per_engineer)``, the model's
      staffing rule (a share of an engineer, plus a share for every GPU run, never below the on-call floor);
    * downtime: ``revenue_at_risk x max(0, api_uptime - selfhost_uptime)``.

    Parameters
    ----------
    ds : Dataset
        The loaded dataset (the cluster's size and GPU come from the guide's depreciation row).

    Returns
    -------
    pandas.DataFrame
        One row per category and a ``Total`` row (the categories added case by case): ``category``,
        ``how`` (the formula with its inputs, as text), ``usd_favourable``, ``usd_base``,
        ``usd_unfavourable``, ``usd_low`` and ``usd_high`` (USD/month).
    """
    a = scenarios.assumption_cases(ds)
    gpus = figure(ds, "ops.gpu_depreciation.gpus")[0]
    gpu_id = lookups.guide_figure(ds, "ops.gpu_depreciation")["gpu_id"]
    price_low, price_high, condition = purchase_price_usd(ds, gpu_id)
    tdp = float(ds["gpus"].set_index("gpu_id").loc[gpu_id, "tdp_watts"])
    lines = spine.fleet_usd_per_month({**a, spine.USD_PER_GPU: spine.midpoint_cases(price_low, price_high, -1)}, tdp,
                                      gpus, a["spare_gpus"])

    def span(name: str, scale: float = 1.0, unit: str = "") -> str:
        low, high = assumption(ds, name)
        return f"{low * scale:g}" + unit if low == high else f"{low * scale:g}–{high * scale:g}" + unit

    life = f"{span('amortization_months')} months"
    capital = (f"resale {span('residual_value_share', 100, '%')}, capital at "
               f"{span('cost_of_capital_per_year', 100, '%')} a year")
    parts = {
        "GPU depreciation": (lines["gpus"], f"{gpus:.0f} x {fmt.usd_range(price_low, price_high)} ({condition}) over "
                                            f"{life}, {capital}"),
        "Host servers": (lines["servers"], f"{gpus:.0f} x {fmt.usd_range(*assumption(ds, 'server_usd_per_gpu'))} "
                                           "server share, owned like the GPUs"),
        "Electricity": (lines["power"], f"{gpus:.0f} x {tdp:.0f} W x server {span('server_power_factor')} x PUE "
                                        f"{span('pue')} x {span('hours_per_month')} h x "
                                        f"${span('electricity_usd_per_kwh')}/kWh"),
        "Colocation": (lines["facility"], f"{gpus:.0f} x {tdp:.0f} W x server {span('server_power_factor')} x "
                                          f"${span('colocation_usd_per_kw_month')} per kW-month"),
        "Networking and storage": (lines["networking_storage"], "the guide's range (assumptions)"),
        "Monitoring and logging": (lines["monitoring"], "the guide's range (assumptions)"),
        # A spare is racked and powered (hot), like the model's spares, so it draws power too.
        "Spare GPU": (lines["spares"], f"{span('spare_gpus')} spare GPU, owned, housed and powered like the others"),
        "ML engineer": (lines["engineers"], f"{fmt.usd_range(*assumption(ds, 'ml_engineer_usd_per_year'))} a year x "
                                            f"max({span('oncall_engineers_min')} on call, "
                                            f"{span('engineer_allocation', 100, '%')} + {gpus:.0f} GPUs / "
                                            f"{span('gpus_per_engineer')} GPUs per engineer)"),
        "Downtime": (lines["downtime"], f"{fmt.usd_range(*assumption(ds, 'revenue_at_risk_usd_per_month'))} revenue "
                                        f"at risk x ({span('api_uptime', 100, '%')} - "
                                        f"{span('selfhost_uptime', 100, '%')} uptime)"),
    }
    rows = [{"category": name, "how": how, "cases": np.asarray(values, dtype=float)}
            for name, (values, how) in parts.items()]
    rows.append({"category": TOTAL, "how": "sum of the rows, case by case",
                 "cases": np.sum([r["cases"] for r in rows], axis=0)})
    frame = pd.DataFrame({"category": [r["category"] for r in rows], "how": [r["how"] for r in rows]})
    for i, case in enumerate(spine.CASES):
        frame[f"usd_{case}"] = [float(r["cases"][i]) for r in rows]
    frame["usd_low"] = [float(r["cases"].min()) for r in rows]
    frame["usd_high"] = [float(r["cases"].max()) for r in rows]
    return frame


def guide_rows(ds: Dataset) -> pd.DataFrame:
    """The guide's table as numbers (USD/month), in the shared categories, with its printed total."""
    rows = [{"category": name, "usd_low": figure(ds, fid)[0], "usd_high": figure(ds, fid)[1],
             "printed": lookups.guide_figure(ds, fid)["printed"]}
            for name, fid in CATEGORIES.items() if fid is not None]
    low, high = figure(ds, "ops.total_overhead")
    rows.append({"category": TOTAL, "usd_low": low, "usd_high": high,
                 "printed": lookups.guide_figure(ds, "ops.total_overhead")["printed"]})
    return pd.DataFrame(rows)


def first_principles_table(ds: Dataset) -> pd.DataFrame:
    """Report text: each category as the guide prints it and from first principles (USD/month)."""
    fp = cluster_costs(ds)
    printed = guide_rows(ds).set_index("category")["printed"]
    return pd.DataFrame({
        "Cost category": fp["category"],
        "Guide (printed)": [printed.get(c, "not in the table") for c in fp["category"]],
        "First principles": [fmt.usd_range(lo, hi) for lo, hi in zip(fp["usd_low"], fp["usd_high"], strict=True)],
        "Base case": [fmt.usd(v) for v in fp["usd_base"]],
        "How": fp["how"],
    })


def stack_frame(ds: Dataset) -> pd.DataFrame:
    """Long data for a stacked bar per source: ``source``, ``category``, ``usd_low``, ``usd_high`` and
    ``usd_base`` (USD/month; the guide's base is the midpoint of its printed range).

    Totals are left out (the stack adds them up); the guide has no downtime row.
    """
    guide = guide_rows(ds)
    guide = guide.assign(usd_base=(guide["usd_low"] + guide["usd_high"]) / 2)
    fp = cluster_costs(ds)
    frames = [guide[guide["category"] != TOTAL].assign(source=GUIDE),
              fp[fp["category"] != TOTAL].assign(source=FIRST)]
    columns = ["source", "category", "usd_low", "usd_high", "usd_base"]
    return pd.concat([f[columns] for f in frames], ignore_index=True)


class _Context:
    """What the checks share: guide-mode results, the tolerance and the first-principles costs."""

    def __init__(self, ds: Dataset):
        self.ds = ds
        self.tol = assumption(ds, "printed_vs_recomputed_tolerance")[0]
        self.gm = pd.concat([guide_mode.hardware_months(ds), guide_mode.operating_items(ds),
                             guide_mode.sums(ds)]).set_index("figure_id")
        self.fp = cluster_costs(ds).set_index("category")

    def fp_span(self, category: str) -> str:
        return fmt.usd_range(self.fp.loc[category, "usd_low"], self.fp.loc[category, "usd_high"])

    def guide_mode_row(self, figure_id: str, category: str) -> dict:
        g = self.gm.loc[figure_id]
        return check_row(self.ds, figure_id, fmt.usd_range(g["recomputed_low"], g["recomputed_high"]),
                         self.fp_span(category), "", g["verdict"], g["why"])


def maintenance_usd_per_month(ds: Dataset, hours_per_month: np.ndarray) -> np.ndarray:
    """What maintenance hours cost at the guide's salary: ``salary / work_hours_per_year x hours`` (USD/month).

    Written as an engineer allocation, ``hours / (work_hours_per_year / 12)``, so that
    :func:`analysis.model.spine.engineers_usd_per_month` does the arithmetic. Low hours pair with the low
    salary, high with the high.

    Parameters
    ----------
    ds : Dataset
        The loaded dataset (the guide's salary range, ``work_hours_per_year``).
    hours_per_month : numpy.ndarray
        ``[low, high]`` maintenance hours a month.

    Returns
    -------
    numpy.ndarray
        ``[low, high]`` USD a month.
    """
    salary = np.array(figure(ds, "ops.engineering.ml_engineer_annual"))
    work_hours_per_month = assumption(ds, "work_hours_per_year")[0] / MONTHS_PER_YEAR
    return spine.engineers_usd_per_month({"ml_engineer_usd_per_year": salary},
                                         np.asarray(hours_per_month, dtype=float) / work_hours_per_month)


def _maintenance_checks(c: _Context) -> list[dict]:
    """8–20 h a month of maintenance against the $2K–6K printed for it."""
    hours = np.array(figure(c.ds, "ops.summary.maintenance_hours"))
    cost = maintenance_usd_per_month(c.ds, hours)
    salary = np.array(figure(c.ds, "ops.engineering.ml_engineer_annual"))
    work_hours = assumption(c.ds, "work_hours_per_year")[0]
    hourly = salary / work_hours
    work_month = work_hours / MONTHS_PER_YEAR
    share = figure(c.ds, "ops.ml_engineer_allocation.share")[0]
    rows = []
    for figure_id in ("ops.summary.maintenance_cost", "ops.engineering.maintenance_cost"):
        printed = np.array(figure(c.ds, figure_id))
        needed = printed / hourly
        ok = bool(np.all(verdicts.within(printed, cost, c.tol)))
        why = (f"{hours[0]:.0f}–{hours[1]:.0f} h at ${hourly[0]:.0f}–{hourly[1]:.0f} an hour "
               f"({fmt.usd_range(*salary)} / {work_hours:,.0f} h) cost {fmt.usd_range(*cost)}; "
               f"{fmt.usd_range(*printed)} needs {needed[0]:.0f}–{needed[1]:.0f} h a month, or "
               f"{c.fp_span('ML engineer')} for the cluster's engineers "
               f"({assumption(c.ds, 'engineer_allocation')[0]:.0%}–{assumption(c.ds, 'engineer_allocation')[1]:.0%} "
               "of one, plus a share per GPU run)")
        rows.append(check_row(c.ds, figure_id, fmt.usd_range(*cost), c.fp_span("ML engineer"),
                              difference(printed[1], cost[1]),
                              verdicts.REPRODUCED if ok else verdicts.INCONSISTENT, why))
    allocated = share * work_month
    consistent = hours[1] >= allocated
    alloc_low, alloc_high = assumption(c.ds, "engineer_allocation")
    rows.append(check_row(
        c.ds, "ops.summary.maintenance_hours", fmt.usd_range(*cost),
        f"{hours_range(alloc_low * work_month, alloc_high * work_month)} ({alloc_low:.0%}–{alloc_high:.0%} of an "
        "engineer)", "",
        verdicts.REPRODUCED if consistent else verdicts.INCONSISTENT,
        f"{hours[0]:.0f}–{hours[1]:.0f} h is {hours[0] / work_month:.0%}–{hours[1] / work_month:.0%} of a "
        f"{work_month:.0f}-hour working month, while the table charges {share:.0%} of an engineer "
        f"({allocated:.0f} h)"))
    return rows


def _hidden_costs_check(c: _Context) -> dict:
    """"Hidden costs on top of hardware": the table's total, which includes the GPU depreciation."""
    figure_id = "ops.summary.hidden_costs"
    total = c.gm.loc["ops.total_overhead"]
    dep = np.array(figure(c.ds, "ops.gpu_depreciation"))
    without = np.array([total["recomputed_low"], total["recomputed_high"]]) - dep
    printed = np.array(figure(c.ds, figure_id))
    ok = bool(np.all(verdicts.within(printed, without, c.tol)))
    fp_without = (c.fp.loc[TOTAL, ["usd_low", "usd_high"]].to_numpy()
                  - c.fp.loc["GPU depreciation", ["usd_low", "usd_high"]].to_numpy())
    why = (f"the table's rows without the {fmt.usd_range(*dep)} GPU depreciation add to "
           f"{fmt.usd_range(*without)}; the printed {fmt.usd_range(*printed)} is the table's own total, which "
           "includes it" if not ok else "the table's rows without the GPU depreciation")
    return check_row(c.ds, figure_id, fmt.usd_range(*without), fmt.usd_range(*fp_without) + " (with downtime)",
                     difference(printed[0], without[0]),
                     verdicts.REPRODUCED if ok else verdicts.INCONSISTENT, why)


def _redundancy_check(c: _Context) -> dict:
    """One spare GPU: the low end is one A100 at the price the depreciation row implies; the high end?"""
    figure_id = "ops.redundancy"
    gpus = figure(c.ds, "ops.gpu_depreciation.gpus")[0]
    months = figure(c.ds, "ops.gpu_depreciation.months")[0]
    unit = figure(c.ds, "ops.gpu_depreciation")[0] / gpus * months  # USD per GPU implied by the depreciation row
    # Straight-line over the guide's months, no resale and no cost of capital: the guide's own convention.
    per_gpu = float(spine.owning_usd_per_gpu_month({spine.USD_PER_GPU: unit, "amortization_months": months,
                                                    "residual_value_share": 0.0, "cost_of_capital_per_year": 0.0}))
    low, high = figure(c.ds, figure_id)
    high_unit = high * months
    gpu_id = lookups.guide_figure(c.ds, "ops.gpu_depreciation")["gpu_id"]
    price_low, price_high, _ = purchase_price_usd(c.ds, gpu_id)
    inside = price_low <= high_unit <= price_high
    ok = bool(verdicts.within(low, per_gpu, c.tol))
    why = (f"the low end is one spare at {fmt.usd(unit)} / {months:.0f} months = {fmt.usd(per_gpu)}, the A100 price "
           f"the depreciation row implies; the high end implies a spare worth {fmt.usd(high_unit)}, "
           + ("inside" if inside else "outside") + f" the guide's {fmt.usd_range(price_low, price_high)} for an A100")
    return check_row(c.ds, figure_id, fmt.usd(per_gpu), c.fp_span("Spare GPU"),
                     difference(low, per_gpu),
                     verdicts.IMPLIED if ok else verdicts.INCONSISTENT, why)


def downtime_gap(ds: Dataset) -> tuple[float, float]:
    """Extra downtime of self-hosting by the guide's own uptimes: ``api_sla - selfhost_uptime`` (fraction)."""
    sla = figure(ds, "ops.downtime.api_sla")[0]
    up_low, up_high = figure(ds, "ops.downtime.selfhost_uptime")
    return sla - up_high, sla - up_low


def _downtime_checks(c: _Context) -> list[dict]:
    """The downtime example ($1,000) and its 1%: the arithmetic, and what the guide's uptime range gives."""
    gap_low, gap_high = downtime_gap(c.ds)
    rows = []
    for prefix in ("ops.summary", "ops.downtime"):
        extra_id = f"{prefix}.extra_downtime"
        cost_id = f"{prefix}.downtime_cost" if prefix == "ops.summary" else f"{prefix}.cost"
        revenue = figure(c.ds, f"{prefix}.revenue")[0]
        sla = figure(c.ds, "ops.downtime.api_sla")[0]
        extra = figure(c.ds, extra_id)[0]
        example = float(spine.downtime_usd_per_month({"revenue_at_risk_usd_per_month": revenue,
                                                      "selfhost_uptime": sla - extra, "api_uptime": sla}))  # x extra
        uptimes = np.array(figure(c.ds, "ops.downtime.selfhost_uptime"))
        ranged = spine.downtime_usd_per_month({"revenue_at_risk_usd_per_month": revenue, "api_uptime": sla,
                                               "selfhost_uptime": uptimes})
        inside = gap_low <= extra <= gap_high
        rows.append(check_row(
            c.ds, extra_id, f"{gap_low:.1%}–{gap_high:.1%}", "", "",
            verdicts.REPRODUCED if inside else verdicts.INCONSISTENT,
            f"{sla:.1%} SLA minus {figure(c.ds, 'ops.downtime.selfhost_uptime')[1]:.0%}–"
            f"{figure(c.ds, 'ops.downtime.selfhost_uptime')[0]:.0%} self-hosted uptime leaves "
            f"{gap_low:.1%}–{gap_high:.1%} more downtime; the {extra:.0%} is its favourable end"))
        printed = figure(c.ds, cost_id)[0]
        ok = bool(verdicts.within(printed, example, c.tol))
        rows.append(check_row(
            c.ds, cost_id, fmt.usd(example), c.fp_span("Downtime"),
            difference(printed, example),
            verdicts.REPRODUCED if ok else verdicts.INCONSISTENT,
            f"{fmt.usd(revenue)} x {extra:.0%}; over the guide's own {gap_low:.1%}–{gap_high:.1%} uptime gap "
            f"the same revenue loses {fmt.usd_range(ranged.min(), ranged.max())} a month, a cost that appears in "
            "no cost table of the guide"))
    return rows


def _stated_input_checks(c: _Context) -> list[dict]:
    """Inputs the guide states: nothing derives them, so they are unverifiable; the Why says where they recur."""
    notes = {
        "ops.gpu_depreciation.gpus": ("rent.cluster_4xa100.gpus", "the rental section's cluster"),
        "ops.electricity.gpus": ("ops.gpu_depreciation.gpus", "the depreciation row"),
        "ops.gpu_depreciation.months": ("rent.buy_a100_used.amortization", "the rental table's amortization"),
        "ops.summary.uptime_selfhost": ("ops.downtime.selfhost_uptime", "the downtime section"),
        "ops.summary.uptime_api_sla": ("ops.downtime.api_sla", "the downtime section"),
        "ops.summary.revenue": ("ops.downtime.revenue", "the downtime section"),
    }
    rows = []
    for figure_id in STATED_INPUTS:
        low, high = figure(c.ds, figure_id)
        why = "a stated input"
        if figure_id in notes:
            other, where = notes[figure_id]
            why += f"; {'the same as' if figure(c.ds, other) == (low, high) else 'differs from'} {where}"
        if "uptime" in figure_id or "api_sla" in figure_id:
            hours = assumption(c.ds, "hours_per_month")[0]
            why += f"; {hours_range(hours * (1 - high), hours * (1 - low))} down a month"
        elif figure_id == "ops.electricity.price":
            e_low, e_high = assumption(c.ds, "electricity_usd_per_kwh")
            why += (f"; {'inside' if e_low <= low <= e_high else 'outside'} the ${e_low:g}–{e_high:g}/kWh "
                    "US industrial-to-commercial tariffs used from first principles")
        elif figure_id == "ops.ml_engineer_allocation.share":
            s_low, s_high = assumption(c.ds, "engineer_allocation")
            why += f"; the spend-tier section says {s_low:.0%}–{s_high:.0%} of an engineer"
        elif figure_id == "ops.engineering.ml_engineer_annual":
            monthly = spine.engineers_usd_per_month({"ml_engineer_usd_per_year": np.array([low, high])}, 1.0)
            why += f"; {fmt.usd_range(*monthly)} a month for a whole engineer"
        rows.append(check_row(c.ds, figure_id, "", "", "", verdicts.UNVERIFIABLE, why))
    return rows


def checks(ds: Dataset) -> pd.DataFrame:
    """One check row per numeric figure of the section (every ``ops.`` id of ``guide_figures.csv``)."""
    c = _Context(ds)
    rows = [c.guide_mode_row("ops.gpu_depreciation", "GPU depreciation"),
            c.guide_mode_row("ops.electricity", "Electricity"),
            c.guide_mode_row("ops.ml_engineer_allocation", "ML engineer"),
            c.guide_mode_row("ops.total_overhead", TOTAL)]
    for figure_id, category in (("ops.networking_storage", "Networking and storage"),
                                ("ops.monitoring_logging", "Monitoring and logging")):
        rows.append(check_row(ds, figure_id, "", c.fp_span(category), "", verdicts.UNVERIFIABLE,
                              "a stated input: the guide gives nothing to derive it from (the first-principles "
                              "costing keeps the guide's range)"))
    rows += [_redundancy_check(c), _hidden_costs_check(c)]
    rows += _maintenance_checks(c) + _downtime_checks(c) + _stated_input_checks(c)
    return checks_in_guide_order(ds, rows)


@chapter_cache.cached
def build(ds: Dataset) -> Chapter:
    """Infrastructure overhead: printed, checked against the guide's own inputs, and from first principles.

    Parameters
    ----------
    ds : Dataset
        The loaded dataset.

    Returns
    -------
    Chapter
        ``printed`` (the guide's table), ``checks`` (one row per ``ops.`` figure),
        ``tables["first_principles"]`` (the guide's 4 x A100 cluster costed again, USD/month),
        ``chart_data["stack"]`` (long data for a stacked bar, guide printed vs first principles) and ``facts``
        (totals, electricity, maintenance and downtime ranges as text, verdict counts).
    """
    table = checks(ds)
    fp = cluster_costs(ds).set_index("category")
    guide_total = figure(ds, "ops.total_overhead")
    summed = guide_mode.sums(ds).set_index("figure_id").loc["ops.total_overhead"]
    boards = guide_mode.operating_items(ds).set_index("figure_id").loc["ops.electricity", "recomputed_low"]
    maintenance = maintenance_usd_per_month(ds, np.array(figure(ds, "ops.summary.maintenance_hours")))
    dep = figure(ds, "ops.gpu_depreciation")
    downtime = spine.downtime_usd_per_month({"revenue_at_risk_usd_per_month": figure(ds, "ops.downtime.revenue")[0],
                                             "selfhost_uptime": np.array(figure(ds, "ops.downtime.selfhost_uptime")),
                                             "api_uptime": figure(ds, "ops.downtime.api_sla")[0]})
    facts: dict[str, float | int | str] = {
        "ops_guide_total_low": fmt.usd(guide_total[0]), "ops_guide_total_high": fmt.usd(guide_total[1]),
        "ops_guide_sum": fmt.usd_range(summed["recomputed_low"], summed["recomputed_high"]),
        "ops_hidden_without_depreciation": fmt.usd_range(summed["recomputed_low"] - dep[0],
                                                         summed["recomputed_high"] - dep[1]),
        "ops_first_principles_total": fmt.usd_range(fp.loc[TOTAL, "usd_low"], fp.loc[TOTAL, "usd_high"]),
        "ops_first_principles_base": fmt.usd(fp.loc[TOTAL, "usd_base"]),
        "ops_electricity_boards_usd": fmt.usd(boards),
        "ops_electricity_first_principles": fmt.usd_range(fp.loc["Electricity", "usd_low"],
                                                          fp.loc["Electricity", "usd_high"]),
        "ops_maintenance_usd": fmt.usd_range(*maintenance),
        "ops_downtime_range": fmt.usd_range(downtime.min(), downtime.max()),
        "ops_checked_cells": len(table),
        "ops_electricity_vs_boards": f"{figure(ds, 'ops.electricity')[0] / boards:.1f}–"
                                     f"{figure(ds, 'ops.electricity')[1] / boards:.1f}x",
        **quoted(ds, {"ops_cluster_gpus": "ops.electricity.gpus"}),
    }
    facts.update({f"ops_{verdicts.KEYS[v]}_checks": n for v, n in verdicts.counts(table["Verdict"]).items()})
    stack = stack_frame(ds)
    largest = stack.loc[stack.groupby("source")["usd_base"].idxmax()].set_index("source")["category"]
    largest_text = (f"{largest.iloc[0]} is the largest monthly cost line in both the guide's sum and the model's"
                    if largest.nunique() == 1 else
                    "; ".join(f"largest for {src}: {cat}" for src, cat in largest.items()))
    source = "Source: " + ex.model_source("gpus.csv", "gpu_prices.csv", "assumptions.csv")
    exhibits = (
        ex.printed("operating-printed", TABLE),
        ex.checks("operating-checks", table, "Each figure of the section with its recomputation and verdict."),
        ex.Exhibit("operating-first-principles",
                   f"A {facts['ops_cluster_gpus']}-GPU cluster costs {facts['ops_first_principles_total']} a month "
                   f"to run from first principles, against the guide's {facts['ops_guide_sum']}", source,
                   "Monthly operating costs of the guide's cluster, low–high, with the formula used."),
        ex.Exhibit("operating-ranges",
                   f"Downtime, which the guide's table leaves out, adds {facts['ops_downtime_range']} a month",
                   source + "; the guide's rows as printed"),
        ex.Exhibit("operating-stack", largest_text, source + "; bars at base values"),
    )
    return Chapter(printed=printed_table(ds, TABLE, "Cost Category", COLUMNS), checks=table,
                   tables={"first_principles": first_principles_table(ds)},
                   chart_data={"stack": stack}, facts=facts, key="operating", exhibits=exhibits)
