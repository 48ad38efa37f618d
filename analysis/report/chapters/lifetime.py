"""Chapter: when prices keep falling (the decision over the hardware's life).

Every other chapter prices one month in a world where prices never move. A purchase lasts the hardware's life;
over it the API's price for the same work falls, the volume may grow and software makes owned GPUs faster. The
break-even and the payback are recomputed over that life, discounted (:mod:`analysis.evaluation.lifetime`), and
the guide's "buy if the workload is long-term (12+ months)" is checked against them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import lifetime, lookups, resolve, verdicts
from analysis.evaluation.lookups import figure
from analysis.model import lifetime as model_lifetime
from analysis.model import spine
from analysis.report import chapter_cache, numerics, registry, visual
from analysis.report import exhibits as ex
from analysis.report import formatting as fmt
from analysis.report.chapters.common import Chapter, check_row, checks_in_guide_order, quoted

HORIZON_ID = "faq.buy_rent.buy_horizon"
# The guide's volume the payback is read at: its scenario 1 summary's largest (5B tokens a month).
VOLUME_ID = "s1.summary.5b.payback"
DECLINE = "api_price_decline_per_year"
# Declines drawn on the break-even chart (share of the API price lost a year), and Epoch AI's fitted interval for
# the same capability (9x to 40x a year) as shares.
DECLINE_GRID = np.round(np.linspace(0.0, 0.95, 39), 4)
EPOCH_SHARES = (1 - 1 / 9, 1 - 1 / 40)


# Scenario 1's API is a frontier model's (the chart's colour for it).
API_KIND = visual.FRONTIER_API


def _situation(ds: Dataset, key: str, rent: bool = False) -> spine.Situation:
    s = registry.chapter(key).parameters
    return resolve.situation(lookups.record(ds), s["model"], s["gpu"], s["precision"], s["api_offer"],
                             s["rent_offer"] if rent else None)


def _at_decline(ds: Dataset, sit: spine.Situation, decline: float, volume: float) -> dict[str, np.ndarray]:
    values = lifetime.case_values(lookups.record(ds), {DECLINE: decline})
    return lifetime.evaluate(sit, values, volume)


def decline_table(ds: Dataset, volume: float) -> pd.DataFrame:
    """Scenarios 1 and 2 at the ends and midpoint of the decline range: break-even today and over the life, and
    the payback at ``volume`` (base case of every other input)."""
    row = lookups.record(ds)["assumptions"][DECLINE]
    rows = []
    for key in ("s1", "s2"):
        sit = _situation(ds, key)
        for decline in (row["low"], (row["low"] + row["high"]) / 2, row["high"]):
            r = _at_decline(ds, sit, decline, volume)
            rows.append({
                "Scenario": registry.chapter(key).title, "API price lost a year": fmt.share(decline),
                "Break-even, one month": fmt.usd(r["static_breakeven_api_usd_per_month"][1]),
                "Break-even over the hardware's life": fmt.usd(r["life_breakeven_api_usd_per_month"][1])
                if np.isfinite(r["life_breakeven_api_usd_per_month"][1]) else "never",
                f"Payback at {fmt.tokens(volume)} tokens, one month": fmt.months(r["static_payback_months"][1]),
                f"Payback at {fmt.tokens(volume)} tokens, over the life": fmt.months(r["life_payback_months"][1])
                if np.isfinite(r["life_payback_months"][1]) else "not within the life"})
    return pd.DataFrame(rows)


# Volumes of the buy-now-or-wait table: the guide's, and ten and a hundred times more.
WAIT_MULTIPLES = (1, 10, 100)
WAIT_WORDS = {"API throughout": "the API throughout", "Buy now": "buying now",
              "Wait a year, then buy": "waiting a year, then buying"}


def wait_table(ds: Dataset, sit: spine.Situation, volume: float) -> pd.DataFrame:
    """The API throughout, buying now, or waiting a year and buying then, over the same window (base case)."""
    rows = []
    for multiple in WAIT_MULTIPLES:
        r = lifetime.wait_a_year(sit, lifetime.case_values(lookups.record(ds)), volume * multiple)
        options = {"API throughout": r["api_only_npv_usd"][1], "Buy now": r["buy_now_npv_usd"][1],
                   "Wait a year, then buy": r["wait_npv_usd"][1]}
        rows.append({"Tokens per month": fmt.tokens(volume * multiple),
                     **{name: fmt.usd(value) for name, value in options.items()},
                     "Cheapest": min(options, key=options.get)})
    return pd.DataFrame(rows)


def breakeven_by_decline(ds: Dataset, sit: spine.Situation) -> pd.DataFrame:
    """Break-even API spend today over the hardware's life against the yearly decline (base case)."""
    spend = [_at_decline(ds, sit, d, 1e9)["life_breakeven_api_usd_per_month"][1] for d in DECLINE_GRID]
    return pd.DataFrame({"decline": DECLINE_GRID, "usd_per_month": spend})


def cumulative(ds: Dataset, sit: spine.Situation, volume: float, rented: spine.Situation) -> pd.DataFrame:
    """Cumulative discounted cost of the API, of buying and of renting (``rented``: the same situation with a
    rental offer, the GPU-hour along its price path), month by month over the life (base case)."""
    record = lookups.record(ds)
    values = {k: v[1:2] for k, v in spine.case_values(sit).items()}
    life = {k: v[1:2] for k, v in lifetime.case_values(record).items()}
    horizon = float(values["amortization_months"][0])
    d, d_end = model_lifetime.discount_factors(values["cost_of_capital_per_year"], [horizon])
    growth = model_lifetime.path(life["volume_growth_per_year"], [horizon])
    decline = model_lifetime.path(-life[DECLINE], [horizon])
    static = spine.evaluate(sit, values, [volume])
    api = (volume * static["api_usd_per_token"][0] * growth * decline * d)[0]
    capex = float(static["buy_capex_usd"][0, 0])
    buy = capex + np.cumsum(lifetime.cash_operating_usd_per_month(static)[0] * d[0])
    buy[-1] -= capex * float(values["residual_value_share"][0]) * float(d_end[0])
    # Renting: the month's bill with the GPU line along the rental price path (held for the life, like buying).
    rent_values = {k: v[1:2] for k, v in spine.case_values(rented).items()}
    rent_month = spine.evaluate(rented, rent_values, [volume])
    gpus_line = rent_month[spine.line_key("rent", "gpus")][0, 0]
    rental = model_lifetime.path(life["rental_price_ratio_per_year"] - 1, [horizon])[0]
    rent = np.cumsum((rent_month["rent_usd_per_month"][0, 0] + gpus_line * (rental - 1)) * d[0])
    months = np.arange(1, len(api) + 1)
    return pd.concat([pd.DataFrame({"month": months, "usd": np.cumsum(api), "option": "API", "kind": API_KIND}),
                      pd.DataFrame({"month": months, "usd": buy, "option": "Buy", "kind": visual.BUY}),
                      pd.DataFrame({"month": months, "usd": rent, "option": "Rent", "kind": visual.RENT})],
                     ignore_index=True)


@chapter_cache.cached
def build(ds: Dataset) -> Chapter:
    """The lifetime chapter: the guide's horizon claim checked, the decline table, and the charts' data."""
    volume = float(lookups.guide_figure(ds, VOLUME_ID)["tokens_per_month"])
    s1 = _situation(ds, "s1")
    row = lookups.record(ds)["assumptions"][DECLINE]
    flat = _at_decline(ds, s1, row["low"], volume)
    base = lifetime.evaluate(s1, lifetime.case_values(lookups.record(ds)), volume)
    claim = figure(ds, HORIZON_ID)[0]
    flat_months, base_months = flat["life_payback_months"][1], base["life_payback_months"][1]
    base_text = fmt.months(base_months) if np.isfinite(base_months) else "not within the hardware's life"
    if flat_months <= claim and base_months <= claim:
        verdict = verdicts.REPRODUCED
    elif flat_months <= claim:
        verdict = verdicts.IMPLIED
    else:
        verdict = verdicts.INCONSISTENT
    api = visual.api_words(ds, registry.chapter("s1").parameters["api_offer"])
    decline_text = fmt.share((row["low"] + row["high"]) / 2)
    where = (f"scenario 1 at {fmt.tokens(volume)} tokens a month (the guide's own volume), against {api}, "
             "discounted: ")
    rule = {verdicts.REPRODUCED: f"the purchase pays back within {fmt.months(claim)} even with the API's price "
                                 f"falling {decline_text} a year",
            verdicts.IMPLIED: f"the purchase pays back within {fmt.months(claim)} only while the API's price stays "
                              "flat; the rule assumes it",
            verdicts.INCONSISTENT: f"even with flat API prices the purchase takes {fmt.months(flat_months)} to pay "
                                   f"back, not {fmt.months(claim)}; with the price falling {decline_text} a year, "
                                   f"{base_text}"}[verdict]
    checks = checks_in_guide_order(ds, [check_row(
        ds, HORIZON_ID, f"{fmt.months(flat_months)} payback with flat API prices",
        f"{base_text} with the API price falling {decline_text} a year", "", verdict, where + rule)])
    table = decline_table(ds, volume)
    waits = wait_table(ds, s1, volume)
    by_decline = breakeven_by_decline(ds, s1)
    s1_rented = _situation(ds, "s1", rent=True)
    cum = cumulative(ds, s1, volume, s1_rented)
    pivot = cum.pivot(index="month", columns="option", values="usd")
    ahead = pivot.index[pivot["Buy"] <= pivot["API"]]
    crossing = int(ahead.min()) if len(ahead) else None
    rent_life = lifetime.evaluate(s1_rented, lifetime.case_values(lookups.record(ds)), volume)
    rent_be = rent_life["life_breakeven_api_usd_per_month"][1]
    life_be, static_be = base["life_breakeven_api_usd_per_month"][1], base["static_breakeven_api_usd_per_month"][1]
    ratio = life_be / static_be if np.isfinite(life_be) and np.isfinite(static_be) and static_be > 0 else np.nan
    facts = {"life_volume": fmt.tokens(volume), "life_decline_base": fmt.share((row["low"] + row["high"]) / 2),
             "life_decline_high": fmt.share(row["high"]),
             "life_static_be": fmt.usd(base["static_breakeven_api_usd_per_month"][1]),
             "life_be": fmt.usd(base["life_breakeven_api_usd_per_month"][1])
             if np.isfinite(base["life_breakeven_api_usd_per_month"][1]) else "never",
             "life_be_ratio": f": {ratio:.1f} times more" if np.isfinite(ratio) else "",
             "life_flat_payback": fmt.months(flat_months), "life_base_payback": base_text,
             "life_horizon": fmt.months(base["horizon_months"][1]),
             "life_rent_offer": visual.rental_words(ds, registry.chapter("s1").parameters["rent_offer"]),
             "life_rent_be": fmt.usd(rent_be) if np.isfinite(rent_be) else "never",
             "life_rent_static_be": fmt.usd(rent_life["static_breakeven_api_usd_per_month"][1])
             if np.isfinite(rent_life["static_breakeven_api_usd_per_month"][1]) else "never",
             "life_rent_total": fmt.usd(pivot["Rent"].iloc[-1]), "life_buy_total": fmt.usd(pivot["Buy"].iloc[-1]),
             "life_api_total": fmt.usd(pivot["API"].iloc[-1]),
             "life_rule_sentence": f"At the guide's volume, {rule}.",
             **quoted(ds, {"life_guide_horizon": HORIZON_ID})}
    source = "Source: " + ex.model_source("api_prices.csv", "gpus.csv", "gpu_prices.csv", "models.csv",
                                          "benchmarks.csv", "assumptions.csv")
    exhibits = (
        ex.checks("lifetime-checks", checks, "The guide's horizon rule with its recomputation and verdict."),
        ex.Exhibit("lifetime-table",
                   f"Over the hardware's life, with the API's price falling {facts['life_decline_base']} a year, "
                   f"buying the GPUs of scenario 1 breaks even at {facts['life_be']} a month of API spend today "
                   f"(one month: {facts['life_static_be']})",
                   source, "Break-even and payback, one month and over the life, by the API's yearly decline."),
        ex.Exhibit("lifetime-wait",
                   "Over the same window, " + "; ".join(f"at {r['Tokens per month']} tokens a month the cheapest is "
                                                         f"{WAIT_WORDS[r['Cheapest']]}" for _, r in waits.iterrows()),
                   source, "Net present cost over the hardware's life and a year: the API throughout, buying now, "
                           "or the API for a year and buying then (base case)."),
        ex.Exhibit("lifetime-breakeven",
                   "The faster the API's price falls, the more spend buying needs today to pay over its life",
                   source, "Break-even API spend today against the yearly decline, scenario 1, base case."),
        ex.Exhibit("lifetime-cumulative",
                   (f"At {fmt.tokens(volume)} tokens a month, buying is ahead of the API from month {crossing}"
                    if crossing else f"At {fmt.tokens(volume)} tokens a month, buying never gets ahead of the API "
                    "within the hardware's life"),
                   source, "Cumulative discounted cost of the API, buying and renting, scenario 1, base case."),
    )
    return Chapter(checks=checks, tables={"declines": table, "wait": waits},
                   # Rounded to the significant digits a chart shows: its spec is then the same on any CPU.
                   chart_data={"by_decline": numerics.round_frame(by_decline), "cumulative": numerics.round_frame(cum),
                               "epoch": numerics.round_frame(pd.DataFrame({"low": [EPOCH_SHARES[0]],
                                                                           "high": [EPOCH_SHARES[1]]})),
                               # The base case's decline and its break-even: the point the chapter's text quotes.
                               "base": numerics.round_frame(pd.DataFrame({
                                   "decline": [(row["low"] + row["high"]) / 2], "usd_per_month": [life_be],
                                   "label": [f"base case: {facts['life_decline_base']} a year, {facts['life_be']}"]}))},
                   facts=facts, key="lifetime", exhibits=exhibits)
