"""Chapters: the guide's two break-even scenarios (replace an API with a self-hosted open model)."""

from __future__ import annotations

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
    breakeven_caveat,
    breakeven_phrase,
    breakeven_points,
    check_row,
    checks_frame,
    cost_curves,
    curve_volumes,
    fragile_note,
    guide_volumes,
    interpolate_crossing,
    likely_outputs,
    likely_range,
    printed_table,
    quoted,
)

# Which guide table each scenario rebuilds, its printed columns, and the guide's own inputs it names.
SCENARIOS = {
    "s1": {"table_name": "Scenario 1: Replace GPT-5.4 with Self-Hosted Llama 4",
           "columns": ["GPT-5.4 API Cost", "Self-Host Cost (Purchased)", "Monthly Savings", "Break-Even"],
           "guide_price_ids": None, "summary_breakeven_id": "s1.summary.break_even_volume",
           "guide_params_id": "hw.maverick.params", "guide_gpus_id": "hw.maverick.setup1",
           "api_kind": "frontier_api"},
    "s2": {"table_name": "Scenario 2: Replace DeepSeek V4 API with Self-Hosted DeepSeek V4",
           "columns": ["DeepSeek API Cost", "Self-Host Cost (4x A100)", "Monthly Savings"],
           "guide_price_ids": ("ft.summary.deepseek_v4.price_input", "ft.summary.deepseek_v4.price_output"),
           "summary_breakeven_id": "s2.summary.break_even_volume",
           "guide_params_id": "hw.deepseek_v4.params", "guide_gpus_id": "hw.deepseek_v4.setup1",
           "api_kind": "cheap_api"},
}


def _rows(ds: Dataset, prefix: str) -> pd.DataFrame:
    """The scenario table's figures with their volume, keyed by column kind (api_cost, selfhost_cost, ...)."""
    figures = ds["guide_figures"]
    rows = figures[figures["figure_id"].str.match(rf"^{prefix}\.\d+[mb]\.")].copy()
    rows["kind"] = rows["figure_id"].str.split(".").str[-1]
    return rows


def _api_cells(ds: Dataset, rows: pd.DataFrame, p_in: float, p_out: float, offer: str,
               table: pd.DataFrame) -> list[dict]:
    """The printed API bills: the guide's sum-of-prices convention against the real bill (``table``: the
    comparison against ``offer`` at the printed volumes)."""
    gm = guide_mode.api_costs(ds).set_index("figure_id")
    share_low, share_high = assumption(ds, "output_token_share")
    out = []
    for row in rows[rows["kind"] == "api_cost"].itertuples():
        blend_low, blend_high = guide_mode.bill_at_shares(ds, row.tokens_per_month, p_in, p_out)
        real_low, real_high = api_bill_span(at_volumes(table, np.array([row.tokens_per_month])))
        why = (f"only reproduced by charging every token ${p_in:g} + ${p_out:g}; with input and output counted "
               f"together, {share_low:.0%}–{share_high:.0%} output bills {fmt.usd_range(blend_low, blend_high)}")
        out.append(check_row(ds, row.figure_id, fmt.usd(gm.loc[row.figure_id, "recomputed_low"]),
                             f"{fmt.usd_range(real_low[0], real_high[0])} ({visual.api_words(ds, offer)})",
                             fmt.relative(verdicts.relative_difference(row.value_low, blend_high)),
                             verdicts.INCONSISTENT, why))
    return out


def _selfhost_cells(ds: Dataset, rows: pd.DataFrame, first: dict[float, str]) -> list[dict]:
    """Printed self-host costs: which lie on the straight line through the first two rows?"""
    cells = rows[rows["kind"] == "selfhost_cost"].sort_values("tokens_per_month")
    v = cells["tokens_per_month"].to_numpy() / 1e9
    c = cells["value_low"].to_numpy()
    slope = (c[1] - c[0]) / (v[1] - v[0])
    fixed = c[0] - slope * v[0]
    tol = assumption(ds, "printed_vs_recomputed_tolerance")[0]
    out = []
    for volume, cost, row in zip(v, c, cells.itertuples(), strict=True):
        line = fixed + slope * volume
        on_line = bool(verdicts.within(cost, line, tol))
        why = (f"lies on {fmt.usd(fixed)} + {fmt.usd(slope)} per billion tokens, the line through the first two "
               "rows; no GPU count or price in the guide produces it" if on_line else
               f"the line through the first two rows gives {fmt.usd(line)}: an unstated economy of scale")
        out.append(check_row(ds, row.figure_id, fmt.usd(line), first[row.tokens_per_month],
                             fmt.relative(verdicts.relative_difference(cost, line)), verdicts.IMPLIED, why))
    return out


def _payback_cells(ds: Dataset, rows: pd.DataFrame, first: dict[float, str]) -> list[dict]:
    """Printed payback months: the capex each row implies (months x savings), and whether one capex fits all."""
    paybacks = rows[rows["kind"] == "break_even"].sort_values("tokens_per_month")
    savings = rows[rows["kind"] == "savings"].set_index("tokens_per_month")["value_low"]
    windows = []
    for row in paybacks.itertuples():
        s = savings.loc[row.tokens_per_month]
        # a printed whole number of months m stands for anything that rounds to it
        windows.append((max(row.value_low - 0.5, 0) * s, (row.value_low + 0.5) * s))
    common = (max(w[0] for w in windows), min(w[1] for w in windows))
    out = []
    for row, (lo, hi) in zip(paybacks.itertuples(), windows, strict=True):
        consistent = common[0] <= common[1]
        why = (f"{row.printed} at {fmt.usd(savings.loc[row.tokens_per_month])} a month of savings implies "
               f"{fmt.usd_range(lo, hi)} of hardware; "
               + ("one capex fits every row" if consistent else "no single capex fits every row"))
        out.append(check_row(ds, row.figure_id, fmt.usd_range(lo, hi) + " capex", first[row.tokens_per_month], "",
                             verdicts.IMPLIED if consistent else verdicts.INCONSISTENT, why))
    return out


@chapter_cache.cached
def build(ds: Dataset, prefix: str, model: str, gpu: str, precision: str, api_offer: str, hosted_offer: str,
          rent_offer: str) -> Chapter:
    """A scenario chapter (``prefix`` "s1" or "s2"): printed, recomputed from the guide's inputs, first
    principles, and the same open model bought as a service.

    Where the guide states the API's prices (DeepSeek) the recomputation uses them; where it does not
    (GPT-5.4), the list prices, whose sum is the price per million its tables imply.
    """
    if prefix not in SCENARIOS:
        raise ValueError(f"prefix must be one of {', '.join(SCENARIOS)}, got {prefix!r}")
    spec = SCENARIOS[prefix]
    table_name, columns = spec["table_name"], spec["columns"]
    guide_price_ids, summary_breakeven_id = spec["guide_price_ids"], spec["summary_breakeven_id"]
    rows = _rows(ds, prefix)
    volumes = guide_volumes(ds, table_name)
    grid = curve_volumes(ds)
    # Every figure of the page, the APIs' bills included, from one evaluation per API over the table's
    # volumes and the chart's grid together.
    both = np.union1d(volumes, grid)
    result = scenarios.compare(ds, model, gpu, precision, api_offer, both, rent_offer)
    hosted_result = scenarios.compare(ds, model, gpu, precision, hosted_offer, both, rent_offer)
    table = at_volumes(result.table, volumes)
    hosted_low, hosted_high = api_bill_span(at_volumes(hosted_result.table, volumes))
    api_low, api_high = api_bill_span(table)

    def span(column: str, formatter=fmt.usd_range) -> list[str]:
        grouped = table.groupby("tokens_per_month")[column]
        return [formatter(lo, hi) for lo, hi in zip(grouped.min(), grouped.max(), strict=True)]

    first = pd.DataFrame({
        "Tokens per month": [fmt.tokens(v) for v in volumes],
        f"API: {visual.api_words(ds, api_offer)}": [fmt.usd_range(lo, hi)
                                                     for lo, hi in zip(api_low, api_high, strict=True)],
        "Buy: monthly cost": span("buy_usd_per_month"),
        "Buy: GPUs": span("gpus", fmt.count_range),
        "Buy: savings": span("buy_savings_usd_per_month"),
        "Buy: payback": span("buy_payback_months",
                             lambda lo, hi: fmt.payback_range(lo, hi, *assumption(ds, "amortization_months"))),
        f"Rent: {visual.rental_words(ds, rent_offer)}": span("rent_usd_per_month"),
        f"Hosted: {visual.hosted_words(ds, hosted_offer)}": [fmt.usd_range(lo, hi)
                                                             for lo, hi in zip(hosted_low, hosted_high, strict=True)],
    })
    by_volume = dict(zip(volumes, first["Buy: monthly cost"], strict=True))
    payback_by_volume = dict(zip(volumes, first["Buy: payback"], strict=True))
    if guide_price_ids:
        p_in, p_out = figure(ds, guide_price_ids[0])[0], figure(ds, guide_price_ids[1])[0]
    else:
        api = lookups.api_offer(ds, api_offer)
        p_in, p_out = float(api["usd_per_m_input"]), float(api["usd_per_m_output"])
    checks_rows = _api_cells(ds, rows, p_in, p_out, api_offer, table) + _selfhost_cells(ds, rows, by_volume)
    gm = guide_mode.savings(ds).set_index("figure_id")
    for row in rows[rows["kind"] == "savings"].itertuples():
        g = gm.loc[row.figure_id]
        savings_span = dict(zip(volumes, first["Buy: savings"], strict=True))
        checks_rows.append(check_row(ds, row.figure_id, fmt.usd(g["recomputed_low"]),
                                     savings_span[row.tokens_per_month], "0%", g["verdict"], g["why"]))
    if (rows["kind"] == "break_even").any():
        checks_rows += _payback_cells(ds, rows, payback_by_volume)
    crossing = np.inf
    if summary_breakeven_id:
        saved = rows[rows["kind"] == "savings"].sort_values("tokens_per_month")
        crossing = interpolate_crossing(saved["tokens_per_month"].to_numpy(), saved["value_low"].to_numpy())
        claimed = figure(ds, summary_breakeven_id)[0]
        tol = assumption(ds, "printed_vs_recomputed_tolerance")[0]
        base_be = result.breakeven.set_index("case")["buy_breakeven_tokens_per_month"]
        checks_rows.append(check_row(
            ds, summary_breakeven_id, fmt.tokens(crossing),
            f"{fmt.tokens(base_be['base'])} ({fmt.tokens_range(base_be.min(), base_be.max())})",
            fmt.relative(verdicts.relative_difference(claimed, crossing)),
            verdicts.REPRODUCED if verdicts.within(claimed, crossing, tol) else verdicts.INCONSISTENT,
            f"the table's own savings cross zero at {fmt.tokens(crossing)} (linear between its rows)"))
    checks = checks_frame(checks_rows)
    be = pd.concat([result.breakeven.assign(option="buy"), result.breakeven.assign(option="rent")])
    hosted = hosted_result.breakeven
    be_table = _breakeven_table(ds, result.breakeven, hosted, api_offer, hosted_offer)
    api_kind = visual.HOSTED if api_offer == hosted_offer else spec["api_kind"]
    options = [(f"Buy {visual.gpu_words(ds, gpu)}", result, "buy_usd_per_month", visual.BUY,
                visual.end_label(ds, visual.BUY)),
               (f"Rent {visual.rental_words(ds, rent_offer)}", result, "rent_usd_per_month", visual.RENT,
                visual.end_label(ds, visual.RENT)),
               (f"API: {visual.api_words(ds, api_offer)}", result, "api_usd_per_month", api_kind,
                visual.end_label(ds, api_kind, api_offer))]
    if hosted_offer != api_offer:
        options.append((f"Hosted {visual.hosted_words(ds, hosted_offer)}", hosted_result, "api_usd_per_month",
                        visual.HOSTED, visual.end_label(ds, visual.HOSTED, hosted_offer)))
    # One sampling of the scenario on the grid serves its cost bands and its payback band.
    sampled = {id(result): likely_outputs(result, grid)}
    curves = cost_curves(grid, options, sampled=sampled)
    payback = _payback_curve(result, grid, sampled[id(result)])
    base = result.breakeven.set_index("case").loc["base"]
    # The fleet bought at the base break-even (at the table's first volume when it never comes): its spare GPUs.
    at = base["buy_breakeven_tokens_per_month"] if np.isfinite(base["buy_breakeven_tokens_per_month"]) else volumes[0]
    fleet = scenarios.compare(ds, model, gpu, precision, api_offer, np.array([at])).table.set_index("case").loc["base"]
    # Buying the GPUs against buying the same open model as a service: where owning starts to win.
    hosted_vs_buy = float(hosted.set_index("case").at["base", "buy_breakeven_tokens_per_month"])
    facts = {f"{prefix}_checked_cells": len(checks),
             f"{prefix}_inconsistent_cells": int((checks["Verdict"] == verdicts.INCONSISTENT).sum()),
             f"{prefix}_buy_breakeven_tokens": fmt.tokens(base["buy_breakeven_tokens_per_month"]),
             f"{prefix}_buy_breakeven_usd": fmt.usd(base["buy_breakeven_api_usd_per_month"]),
             f"{prefix}_gpus": int(result.system.gpus[1]),
             f"{prefix}_spare_gpus": int(fleet["spare_gpus"]),
             # The fleet at the base break-even, written as on every page (the card, the calculator).
             f"{prefix}_fleet": fmt.fleet(fleet["gpus"], fleet["spare_gpus"], visual.gpu_words(ds, gpu).split()[0]),
             f"{prefix}_table_crossing": fmt.tokens(crossing),
             f"{prefix}_model_params_b": f"{ds['models'].set_index('model_id').at[model, 'params_total_b']:g}B",
             f"{prefix}_hosted_vs_buy_tokens": fmt.tokens(hosted_vs_buy),
             f"{prefix}_buy_breakeven_sentence": breakeven_phrase(base["buy_breakeven_tokens_per_month"],
                                                                  base["buy_breakeven_api_usd_per_month"]),
             f"{prefix}_fragile_note": fragile_note(result.breakeven),
             f"{prefix}_buy_breakeven_caveat": breakeven_caveat(result.breakeven),
             f"{prefix}_like_for_like": like_for_like_sentence(ds, api_offer, hosted_offer),
             f"{prefix}_hosted_vs_buy_sentence": (
                 f"less than buying the GPUs up to {fmt.tokens(hosted_vs_buy)} tokens a month (base case)"
                 if np.isfinite(hosted_vs_buy) else "less than buying the GPUs at every volume (base case)"),
             **quoted(ds, {f"{prefix}_guide_breakeven_tokens": summary_breakeven_id,
                           f"{prefix}_guide_params": spec["guide_params_id"],
                           f"{prefix}_guide_gpus": spec["guide_gpus_id"]})}
    exhibits = _exhibits(ds, prefix, table_name, checks, result.breakeven, payback, facts,
                         model, gpu, api_offer, hosted_offer, hosted_vs_buy)
    return Chapter(printed=printed_table(ds, table_name, "Monthly Token Volume", columns), checks=checks,
                   tables={"first_principles": first, "breakeven": be_table},
                   chart_data={"curves": curves,
                               "points": breakeven_points(be, f"vs {visual.api_words(ds, api_offer)}"),
                               "payback": payback}, facts=facts, key=prefix, exhibits=exhibits)


def like_for_like_sentence(ds: Dataset, api_offer: str, hosted_offer: str) -> str:
    """Whether the API serves the weights the chapter sizes (``serves_other_weights`` in ``api_prices.csv``),
    and so which offer is the like-for-like price."""
    row = lookups.api_offer(ds, api_offer)
    other = row.get("serves_other_weights")
    api, hosted = visual.api_words(ds, api_offer), visual.hosted_words(ds, hosted_offer)
    if isinstance(other, str) and other.strip():
        served = other.split(":", 1)[0].strip()
        return (f"The {api} API now serves {served}, not the weights sized here; the like-for-like price is "
                f"{visual.api_words(ds, hosted_offer)}, a host of those weights, shown beside it as the hosted "
                "open model.")
    if api_offer == hosted_offer:
        return ("The API is already the hosted form of the open model, so here the third option and the API are "
                "the same.")
    return f"The same open model is also sold as a service ({hosted}), shown beside the API."


def _payback_curve(result: scenarios.Comparison, grid: np.ndarray, sampled: dict[str, np.ndarray]) -> pd.DataFrame:
    """Months for the purchase to pay back at each volume of ``grid``: the base case
    (``buy_payback_months``, ``buy_payback_after_writeoff``) and, from ``sampled`` (:func:`likely_outputs` of
    ``result`` on ``grid``), the likely range (``payback_low``,
    ``payback_high``: P10 and P90 over the sampled inputs, a payback after the write-off counted as never, inf),
    and ``life_months``, the longest hardware life the inputs allow (where the chart's band ends when P90 is never)."""
    on_grid = at_volumes(result.table, grid)
    base = on_grid[on_grid["case"] == "base"].set_index("tokens_per_month").reindex(grid)
    months = np.where(sampled["buy_payback_after_writeoff"] == 1, np.inf, sampled["buy_payback_months"])
    low, high = likely_range(months)
    life_months = max(i.high for i in result.situation.inputs if i.name == "amortization_months")
    return pd.DataFrame({"tokens_per_month": grid, "buy_payback_months": base["buy_payback_months"].to_numpy(),
                         "buy_payback_after_writeoff": base["buy_payback_after_writeoff"].to_numpy(),
                         "payback_low": low, "payback_high": high,
                         "life_months": life_months})


def _exhibits(ds: Dataset, prefix: str, table_name: str, checks: pd.DataFrame, breakeven: pd.DataFrame,
              payback: pd.DataFrame, facts: dict, model: str, gpu: str, api_offer: str, hosted_offer: str,
              hosted_vs_buy: float) -> tuple[ex.Exhibit, ...]:
    """The scenario's exhibits, titled by what each shows (the payback chart says when buying never pays back)."""
    files = ("api_prices.csv", "gpus.csv", "gpu_prices.csv", "gpu_rentals.csv", "models.csv", "benchmarks.csv",
             "assumptions.csv")
    source = "Source: " + ex.model_source(*files)
    banded = "Source: " + ex.model_source(*files, case=ex.LIKELY_NOTE)
    model_name, api = lookups.model(ds, model)["model_name"], visual.api_words(ds, api_offer)
    be = breakeven.set_index("case")
    buy = f"Buying {facts[f'{prefix}_fleet']} for {model_name}"
    rent = be.loc["base", "rent_breakeven_tokens_per_month"]
    rent_text = (f"renting breaks even at {fmt.tokens(rent)}" if np.isfinite(rent)
                 else "renting never breaks even in the base case")
    if hosted_offer != api_offer:
        curves_title = (f"Hosted {visual.hosted_words(ds, hosted_offer)} costs "
                        f"{facts[f'{prefix}_hosted_vs_buy_sentence']}")
    elif np.isfinite(be.loc["base", "buy_breakeven_tokens_per_month"]):
        curves_title = f"{buy} crosses the {api} API at {facts[f'{prefix}_buy_breakeven_tokens']} tokens a month"
    else:
        curves_title = f"The {api} API costs less than buying or renting GPUs at every volume (base case)"
    vols = be["buy_breakeven_tokens_per_month"]
    items = [
        ex.printed(f"{prefix}-printed", table_name),
        ex.checks(f"{prefix}-checks", checks, "Each numeric cell with its recomputation and verdict."),
        ex.Exhibit(f"{prefix}-first-principles", f"{buy} {facts[f'{prefix}_buy_breakeven_sentence']}", source,
                   "Monthly costs, savings and payback, low–high, per volume."),
        ex.Exhibit(f"{prefix}-breakeven",
                   (f"Buying breaks even at {facts[f'{prefix}_buy_breakeven_tokens']} tokens a month in the base case "
                    f"({fmt.tokens_range(vols.min(), vols.max())} between the stress ends); {rent_text}"
                    if np.isfinite(vols["base"]) else f"Buying never breaks even in the base case; {rent_text}"),
                   source,
                   "Break-even volume and API spend, buying and renting."),
        ex.Exhibit(f"{prefix}-chart", curves_title, banded),
    ]
    # Paybacks within the hardware's life only: below the break-even a purchase can still repay itself, but after
    # it is written off.
    base = payback[np.isfinite(payback["buy_payback_months"]) & (payback["buy_payback_after_writeoff"] == 0)]
    if len(base):
        best = base.loc[base["buy_payback_months"].idxmin()]
        payback_title = (f"The purchase pays back in {fmt.months(best['buy_payback_months'])} at "
                         f"{fmt.tokens(best['tokens_per_month'])} tokens a month, and not within the hardware's "
                         f"life below {facts[f'{prefix}_buy_breakeven_tokens']}")
    else:  # a dataset in which buying never pays back: the exhibit says so (its notebook shows it either way)
        volumes = payback["tokens_per_month"]
        payback_title = (f"In the base case the purchase never pays back within the hardware's life between "
                         f"{fmt.tokens(volumes.min())} and {fmt.tokens(volumes.max())} tokens a month")
    items.append(ex.Exhibit(f"{prefix}-payback", payback_title, banded))
    return tuple(items)


def _breakeven_table(ds: Dataset, api_be: pd.DataFrame, hosted_be: pd.DataFrame, api_offer: str,
                     hosted_offer: str) -> pd.DataFrame:
    """Break-even of buying and renting against the API and, when it differs, the hosted open model."""
    rows = []
    pairs = ([(visual.api_words(ds, api_offer), api_be)]
             + ([(f"Hosted {visual.hosted_words(ds, hosted_offer)}", hosted_be)] if hosted_offer != api_offer else []))
    for versus, frame in pairs:
        f = frame.set_index("case")
        for option in ("buy", "rent"):
            col = f"{option}_breakeven_tokens_per_month"
            rows.append({"Self-hosting by": option.capitalize() + "ing", "Against": versus,
                         "Break-even volume (base)": fmt.tokens(f.loc["base", col]),
                         "Range": fmt.tokens_range(f[col].min(), f[col].max()),
                         "API spend at break-even (base)":
                             fmt.usd(f.loc["base", f"{option}_breakeven_api_usd_per_month"]),
                         "Fragile because": f.loc["base", f"{option}_fragile"] or "—"})
    return pd.DataFrame(rows)
