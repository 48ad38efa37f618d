"""Chapter: renting cloud GPUs against buying them (the guide's "Cloud GPU Rental vs Purchase").

Every monthly figure is per GPU. Buying costs the purchase price spread over the amortization period
(plus interest, minus resale value) and the electricity the GPU draws; renting costs the hourly rate
times the hours in a month. The guide's "Break-Even vs API" column is tested as what it turns out to
be: the months of rent a purchase price pays for.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import guide_mode, lookups, scenarios, verdicts
from analysis.evaluation.lookups import assumption, figure
from analysis.model import breakeven, spine
from analysis.report import chapter_cache, visual
from analysis.report import exhibits as ex
from analysis.report import formatting as fmt
from analysis.report.chapters.common import Chapter, check_row, checks_in_guide_order, printed_table, quoted

TABLE = "Cloud GPU Rental vs Purchase"
COLUMNS = ["Cost per H100/Month", "Break-Even vs API", "Pros", "Cons"]
PREFIX = "rent."
# The guide's rental rows (figure-id stems) and the provider whose current offers they are set against:
# labels that join two tables, not facts.
PROVIDERS = {"rent.lambda": "Lambda", "rent.coreweave": "CoreWeave", "rent.runpod": "RunPod", "rent.aws_p5": "AWS"}
BUY_ROWS = ("rent.buy_h100", "rent.buy_a100_used")
ON_DEMAND = "on_demand"
# A printed whole number of months stands for anything that rounds to it.
MONTH_ROUNDING = 0.5
FAVOURABLE, BASE, UNFAVOURABLE = 0, 1, 2  # positions in scenarios.case_values arrays


def times(ratio: float) -> str:
    """A cost ratio as ``4.4x`` (one decimal).

    ``analysis.report.formatting`` has no ratio formatter yet; this is the one place the chapter writes one.
    """
    return f"{ratio:.1f}x"


def times_range(low: float, high: float) -> str:
    return times(low) if times(low) == times(high) else f"{times(low)}–{times(high)}"


def difference(printed: float, recomputed: float) -> str:
    """``printed / recomputed - 1`` as text, with rounding noise shown as ``+0%`` rather than ``-0%``."""
    value = float(verdicts.relative_difference(printed, recomputed))
    return fmt.relative(0.0 if np.isfinite(value) and round(value, 2) == 0 else value)


def per_hour(usd_per_hour: float) -> str:
    """A GPU-hour rate as ``$2.74``."""
    return f"${usd_per_hour:.2f}"


def per_hour_range(low: float, high: float) -> str:
    return per_hour(low) if per_hour(low) == per_hour(high) else f"{per_hour(low)}–{per_hour(high)}"


def purchase_price_usd(ds: Dataset, gpu_id: str) -> tuple[float, float, str]:
    """``(usd_low, usd_high, condition)`` of a GPU's purchase price in ``gpu_prices.csv``.

    The price the model uses (:func:`analysis.evaluation.situation.purchase_price`).
    """
    row = lookups.purchase_price(ds, gpu_id)
    if row is None:
        raise KeyError(f"gpu_prices.csv has no purchase price for {gpu_id!r}")
    return float(row["usd_low"]), float(row["usd_high"]), str(row["condition"])


def buy_usd_per_gpu_month(ds: Dataset, gpu_id: str) -> dict[str, np.ndarray]:
    """Owning, housing and powering one purchased GPU with its share of a host server, per case ``[favourable, base,
    unfavourable]``.

    * price ``P`` (USD): the purchase range of ``gpu_prices.csv``, cheapest first; capex ``P + S`` with ``S`` the
      GPU's share of a host server (``server_usd_per_gpu``);
    * owning (USD/GPU-month): ``C x (1 - r) / N + C x (1 + r) / 2 x i / 12`` for ``C`` = ``P`` and ``S``
      (:func:`analysis.model.spine.owning_usd_per_gpu_month` and :func:`~analysis.model.spine.server_usd_per_gpu_month`,
      with ``N`` the amortization months, ``r`` the residual value share and ``i`` the annual cost of capital);
    * power (USD/GPU-month): ``tdp_W x f_server x PUE x h / 1000 x USD/kWh``
      (:func:`analysis.model.spine.power_usd_per_gpu_month`: one GPU running flat out);
    * facility (USD/GPU-month): ``tdp_W x f_server / 1000 x USD per kW-month`` of colocation
      (:func:`analysis.model.spine.facility_usd_per_gpu_month`);
    * total (USD/GPU-month): owning + power + facility.

    The favourable case takes every input at the end that makes buying cheaper, so the three entries of
    each array are coherent.

    Parameters
    ----------
    ds : Dataset
        The loaded dataset (``gpu_prices``, ``gpus``, ``assumptions``).
    gpu_id : str
        A GPU with a purchase price.

    Returns
    -------
    dict of numpy.ndarray
        ``price_usd`` and ``capex_usd`` (USD), ``owning_usd_per_month``, ``power_usd_per_month``,
        ``facility_usd_per_month`` and ``total_usd_per_month`` (USD/GPU-month), each of shape (3,).
    """
    a = scenarios.assumption_cases(ds)
    low, high, _ = purchase_price_usd(ds, gpu_id)
    price = spine.midpoint_cases(low, high, -1)
    tdp_watts = float(ds["gpus"].set_index("gpu_id").loc[gpu_id, "tdp_watts"])
    owning = spine.owning_usd_per_gpu_month({**a, spine.USD_PER_GPU: price}) + spine.server_usd_per_gpu_month(a)
    power = spine.power_usd_per_gpu_month(a, tdp_watts)
    facility = spine.facility_usd_per_gpu_month(a, tdp_watts)
    return {"price_usd": price, "capex_usd": price + a["server_usd_per_gpu"], "owning_usd_per_month": owning,
            "power_usd_per_month": power, "facility_usd_per_month": facility,
            "total_usd_per_month": owning + power + facility}


def rental_offers(ds: Dataset, gpu_id: str) -> pd.DataFrame:
    """Each rental offer of a GPU type, per GPU-month, with the payback of buying that GPU instead.

    * rent (USD/GPU-month): ``usd_per_gpu_hour x hours_per_month``
      (:func:`analysis.model.spine.rent_usd_per_gpu_month`), low and high;
    * payback (months): ``(P + S) / (rent - power - facility)``, the months of avoided rent, net of the owner's
      electricity and colocation, that repay the GPU and its server share
      (:func:`analysis.model.breakeven.payback_months`; ``inf`` when the rent does not exceed those bills). Low
      pairs the cheapest purchase, power and colocation with the dearest rent; high the reverse.

    Parameters
    ----------
    ds : Dataset
        The loaded dataset.
    gpu_id : str
        The GPU type whose offers in ``gpu_rentals.csv`` are listed.

    Returns
    -------
    pandas.DataFrame
        One row per offer: identifiers, ``gpus_per_instance_min``, ``usd_per_gpu_hour_low/high`` (USD/GPU-h),
        ``usd_per_gpu_month_low/high`` (USD/GPU-month) and ``payback_months_low/high`` (months).
    """
    hours = assumption(ds, "hours_per_month")[0]
    buy = buy_usd_per_gpu_month(ds, gpu_id)
    offers = ds["gpu_rentals"][ds["gpu_rentals"]["gpu_id"] == gpu_id].reset_index(drop=True)
    rent_low, rent_high = (spine.rent_usd_per_gpu_month({spine.USD_PER_GPU_HOUR: offers[f"usd_per_gpu_hour_{end}"],
                                                         "hours_per_month": hours}) for end in ("low", "high"))
    out = offers[["offer_id", "provider", "gpu_id", "pricing", "instance_type", "gpus_per_instance_min"]].copy()
    out["usd_per_gpu_hour_low"] = offers["usd_per_gpu_hour_low"]
    out["usd_per_gpu_hour_high"] = offers["usd_per_gpu_hour_high"]
    out["usd_per_gpu_month_low"] = rent_low
    out["usd_per_gpu_month_high"] = rent_high
    running = buy["power_usd_per_month"] + buy["facility_usd_per_month"]
    out["payback_months_low"] = breakeven.payback_months(buy["capex_usd"][FAVOURABLE], rent_high - running[FAVOURABLE])
    out["payback_months_high"] = breakeven.payback_months(buy["capex_usd"][UNFAVOURABLE],
                                                          rent_low - running[UNFAVOURABLE])
    return out


def compared_gpus(ds: Dataset) -> list[str]:
    """GPU types with both a purchase price and at least one rental offer, in ``gpu_prices.csv`` order."""
    rented = set(ds["gpu_rentals"]["gpu_id"])
    return [g for g in dict.fromkeys(ds["gpu_prices"]["gpu_id"]) if g in rented]


def _offer_label(ds: Dataset, offer: pd.Series) -> str:
    """``Lambda 8× H100, on-demand``: the offer in words, not the provider's instance identifier
    (a tier the provider names in brackets, such as RunPod's "Secure Cloud", is kept)."""
    tier = re.search(r"\(([^)]+)\)", str(offer["instance_type"]))
    # "H100": the chart groups offers by GPU already; "H100 PCIe" where two GPUs of the dataset share a first word
    words = visual.gpu_words(ds, offer["gpu_id"]).split()
    shared = sum(visual.gpu_words(ds, g).split()[0] == words[0] for g in ds["gpus"]["gpu_id"]) > 1
    gpu = " ".join(words[:2]) if shared else words[0]
    return (f"{offer['provider']} {offer['gpus_per_instance_min']:.0f}× {gpu}"
            f"{f' ({tier.group(1)})' if tier else ''}, {offer['pricing'].replace('_', '-')}")


def first_principles_table(ds: Dataset) -> pd.DataFrame:
    """Buying against every rental offer, per GPU type, as report text (all money per GPU-month)."""
    rows = []
    for gpu_id in compared_gpus(ds):
        name = ds["gpus"].set_index("gpu_id").loc[gpu_id, "gpu_name"]
        low, high, condition = purchase_price_usd(ds, gpu_id)
        buy = buy_usd_per_gpu_month(ds, gpu_id)
        total = buy["total_usd_per_month"]
        rows.append({"GPU": name, "Option": f"Buy ({condition}, {fmt.usd_range(low, high)})",
                     "Min GPUs per instance": "1", "Per GPU-month": fmt.usd_range(total.min(), total.max()),
                     "Of which power and colocation": fmt.usd_range(
                         (buy["power_usd_per_month"] + buy["facility_usd_per_month"]).min(),
                         (buy["power_usd_per_month"] + buy["facility_usd_per_month"]).max()),
                     "Payback of buying vs this rent": ""})
        for _, offer in rental_offers(ds, gpu_id).iterrows():
            rows.append({"GPU": name, "Option": _offer_label(ds, offer),
                         "Min GPUs per instance": f"{offer['gpus_per_instance_min']:.0f}",
                         "Per GPU-month": fmt.usd_range(offer["usd_per_gpu_month_low"],
                                                        offer["usd_per_gpu_month_high"]),
                         "Of which power and colocation": "",
                         "Payback of buying vs this rent": fmt.months_range(offer["payback_months_low"],
                                                                            offer["payback_months_high"])})
    return pd.DataFrame(rows)


def chart_frame(ds: Dataset) -> pd.DataFrame:
    """Per-GPU monthly cost of every option for a bar chart: the guide's rows and the first-principles ones.

    Columns ``label``, ``gpu_id``, ``usd_low``, ``usd_high`` (USD per GPU-month) and ``source``
    ("guide printed" or "first principles").
    """
    rows = []
    for stem in (*BUY_ROWS, *PROVIDERS):
        fig = lookups.guide_figure(ds, f"{stem}.monthly")
        rows.append({"label": fig["row_label"], "gpu_id": fig["gpu_id"], "usd_low": float(fig["value_low"]),
                     "usd_high": float(fig["value_high"]), "source": "guide printed"})
    for gpu_id in compared_gpus(ds):
        _, _, condition = purchase_price_usd(ds, gpu_id)
        total = buy_usd_per_gpu_month(ds, gpu_id)["total_usd_per_month"]
        name = ds["gpus"].set_index("gpu_id").loc[gpu_id, "gpu_name"]
        rows.append({"label": f"Buy {name} ({condition})", "gpu_id": gpu_id, "usd_low": float(total.min()),
                     "usd_high": float(total.max()), "source": "first principles"})
        for _, offer in rental_offers(ds, gpu_id).iterrows():
            rows.append({"label": _offer_label(ds, offer), "gpu_id": gpu_id,
                         "usd_low": float(offer["usd_per_gpu_month_low"]),
                         "usd_high": float(offer["usd_per_gpu_month_high"]), "source": "first principles"})
    return pd.DataFrame(rows, columns=["label", "gpu_id", "usd_low", "usd_high", "source"])


def _provider_on_demand(ds: Dataset, provider: str, gpu_id: str) -> pd.DataFrame:
    offers = rental_offers(ds, gpu_id)
    return offers[(offers["provider"] == provider) & (offers["pricing"] == ON_DEMAND)]


def _span(frame: pd.DataFrame, stem: str) -> tuple[float, float]:
    return float(frame[f"{stem}_low"].min()), float(frame[f"{stem}_high"].max())


class _Context:
    """What the checks share: the guide's figures, guide-mode results and the first-principles numbers."""

    def __init__(self, ds: Dataset):
        self.ds = ds
        self.tol = assumption(ds, "printed_vs_recomputed_tolerance")[0]
        self.hours = assumption(ds, "hours_per_month")[0]
        self.hardware = guide_mode.hardware_months(ds).set_index("figure_id")
        self.rentals = guide_mode.rental_months(ds).set_index("figure_id")
        self.buy = {g: buy_usd_per_gpu_month(ds, g) for g in compared_gpus(ds)}

    def gpu(self, figure_id: str) -> str:
        return str(lookups.guide_figure(self.ds, figure_id)["gpu_id"])

    def buy_span(self, gpu_id: str, key: str, count: float = 1.0) -> str:
        values = self.buy[gpu_id][key] * count
        return fmt.usd_range(values.min(), values.max())


def _monthly_rent_checks(c: _Context) -> list[dict]:
    """The four rental rows: the guide's hourly band (guide mode) against the provider's current offers."""
    rows = []
    for stem, provider in PROVIDERS.items():
        figure_id = f"{stem}.monthly"
        g = c.rentals.loc[figure_id]
        current = _provider_on_demand(c.ds, provider, c.gpu(figure_id))
        first = (fmt.usd_range(*_span(current, "usd_per_gpu_month")) + f" ({provider} on-demand today)"
                 if len(current) else "")
        rows.append(check_row(c.ds, figure_id, fmt.usd_range(g["recomputed_low"], g["recomputed_high"]), first, "",
                              g["verdict"], g["why"]))
    return rows


def _summary_rent_checks(c: _Context) -> list[dict]:
    """The hardware summary repeats two of the rental rows: the same value inherits the row's check."""
    rows = []
    for figure_id, table_id in (("rent.summary.lambda.monthly", "rent.lambda.monthly"),
                                ("rent.summary.aws_p5.monthly", "rent.aws_p5.monthly")):
        same = figure(c.ds, figure_id) == figure(c.ds, table_id)
        g = c.rentals.loc[table_id]
        row = lookups.guide_figure(c.ds, table_id)["row_label"]
        verdict = g["verdict"] if same else verdicts.INCONSISTENT
        why = (f"the same figure as the rental table's {row} row: {g['why']}" if same else
               f"differs from the rental table's {row} row ({lookups.guide_figure(c.ds, table_id)['printed']})")
        rows.append(check_row(c.ds, figure_id, fmt.usd_range(g["recomputed_low"], g["recomputed_high"]), "", "",
                              verdict, why))
    return rows


def _buy_checks(c: _Context) -> list[dict]:
    """Amortized monthly figures (guide mode), their amortization periods and the H100's upfront price."""
    rows = []
    for stem in BUY_ROWS:
        figure_id = f"{stem}.monthly"
        gpu_id = c.gpu(figure_id)
        g = c.hardware.loc[figure_id]
        first = (f"{c.buy_span(gpu_id, 'owning_usd_per_month')} owning with a server share + "
                 f"{c.buy_span(gpu_id, 'power_usd_per_month')} power + "
                 f"{c.buy_span(gpu_id, 'facility_usd_per_month')} colocation")
        rows.append(check_row(c.ds, figure_id, fmt.usd_range(g["recomputed_low"], g["recomputed_high"]), first, "",
                              g["verdict"], g["why"]))
        months_id = f"{stem}.amortization"
        months = figure(c.ds, months_id)[0]
        life_low, life_high = assumption(c.ds, "amortization_months")
        ops_months = figure(c.ds, "ops.gpu_depreciation.months")[0]
        rows.append(check_row(c.ds, months_id, "", fmt.months_range(life_low, life_high), "", verdicts.UNVERIFIABLE,
                              f"a stated input (straight-line life, no resale value, no interest); the "
                              f"operating-cost table uses {fmt.months(ops_months)}"
                              + (" too" if ops_months == months else "")))
    upfront_id = "rent.buy_h100.upfront"
    gpu_id = c.gpu(upfront_id)
    low, high, _ = purchase_price_usd(c.ds, gpu_id)
    same = figure(c.ds, upfront_id) == (low, high)
    rows.append(check_row(c.ds, upfront_id, fmt.usd_range(low, high), "", "", verdicts.UNVERIFIABLE,
                          "a stated input: " + ("the same purchase range the guide gives for an H100 elsewhere "
                                                "(the price list's source)" if same else
                                                f"the guide's price list says {fmt.usd_range(low, high)}")))
    return rows


def _implied_rent_checks(c: _Context) -> list[dict]:
    """Break-even months of buying: purchase price / months = the monthly rent each row implies."""
    rows = []
    rents = {stem: figure(c.ds, f"{stem}.monthly")[0] for stem in PROVIDERS}
    for stem in BUY_ROWS:
        figure_id = f"{stem}.break_even"
        gpu_id = c.gpu(figure_id)
        months_low, months_high = figure(c.ds, figure_id)
        price_low, price_high, _ = purchase_price_usd(c.ds, gpu_id)
        implied_low, implied_high = sorted((price_low / months_low, price_high / months_high))
        # which of the guide's monthly rents, if any, turns the price range into the printed months?
        matching = [stem_r for stem_r, rent in rents.items()
                    if abs(price_low / rent - months_low) <= MONTH_ROUNDING
                    and abs(price_high / rent - months_high) <= MONTH_ROUNDING
                    and c.gpu(f"{stem_r}.monthly") == gpu_id]
        offers = rental_offers(c.ds, gpu_id)
        on_demand = offers[offers["pricing"] == ON_DEMAND]
        first = (fmt.months_range(*_span(on_demand, "payback_months"))
                 + f" vs today's on-demand {visual.gpu_words(c.ds, gpu_id)} rents, net of power")
        elec = figure(c.ds, "ops.electricity")
        elec_gpus = figure(c.ds, "ops.electricity.gpus")[0]
        if matching:
            stem_r = matching[0]
            rent = rents[stem_r]
            power_low, power_high = elec[0] / elec_gpus, elec[1] / elec_gpus
            net = (price_low / (rent - power_low), price_high / (rent - power_high))
            label = lookups.guide_figure(c.ds, f"{stem_r}.monthly")["row_label"]
            why = (f"{fmt.usd_range(price_low, price_high)} / {fmt.usd(rent)} a month ({label}'s rent) = "
                   f"{price_low / rent:.1f}–{price_high / rent:.1f} months: a buy-versus-rent payback, not versus "
                   f"an API (no API bill enters it); net of the guide's own {fmt.usd_range(power_low, power_high)} "
                   f"electricity per GPU it is {net[0]:.1f}–{net[1]:.1f} months")
            from_guide = f"{fmt.usd_range(implied_low, implied_high)} a month of rent avoided"
        else:
            name = c.ds["gpus"].set_index("gpu_id").loc[gpu_id, "gpu_name"]
            rented = sorted({visual.gpu_words(c.ds, c.gpu(f"{s}.monthly")) for s in PROVIDERS})
            why = (f"{fmt.usd_range(price_low, price_high)} over {months_low:.0f}–{months_high:.0f} months implies "
                   f"{fmt.usd_range(implied_low, implied_high)} a month "
                   f"({per_hour_range(implied_low / c.hours, implied_high / c.hours)} per GPU-hour) of rent "
                   f"avoided, a rental price for the {name} that the guide never states (its rental rows price "
                   f"{', '.join(rented)}); no API bill enters it")
            from_guide = f"{fmt.usd_range(implied_low, implied_high)} a month of rent avoided"
        rows.append(check_row(c.ds, figure_id, from_guide, first, "", verdicts.IMPLIED, why))
    return rows


def _immediate_checks(c: _Context) -> list[dict]:
    """"Immediate" break-evens of the rental rows: nothing is bought, so nothing has to be paid back."""
    rows = []
    for stem in PROVIDERS:
        figure_id = f"{stem}.break_even"
        months = figure(c.ds, figure_id)
        verdict = verdicts.REPRODUCED if months == (0.0, 0.0) else verdicts.INCONSISTENT
        rows.append(check_row(c.ds, figure_id, fmt.months(0), fmt.months(0), "", verdict,
                              "renting has no upfront purchase, so there is nothing to pay back (trivially true; "
                              "it says nothing about beating an API)"))
    return rows


def like_for_like_ratios(ds: Dataset) -> dict[str, float]:
    """The guide's own cost ratios between renting and buying (dimensionless).

    * ``lambda_vs_h100``: Lambda monthly / H100 amortized monthly;
    * ``aws_vs_h100``: AWS p5 monthly / H100 amortized monthly (like for like, both H100);
    * ``aws_vs_a100``: AWS p5 monthly / A100 amortized monthly (a rented H100 over an owned A100);
    * ``cluster_mixed``: the 4 x A100 cluster's AWS figure / its purchased figure.
    """
    h100 = figure(ds, "rent.buy_h100.monthly")[0]
    a100 = figure(ds, "rent.buy_a100_used.monthly")[0]
    aws = figure(ds, "rent.aws_p5.monthly")[0]
    return {"lambda_vs_h100": figure(ds, "rent.lambda.monthly")[0] / h100, "aws_vs_h100": aws / h100,
            "aws_vs_a100": aws / a100,
            "cluster_mixed": figure(ds, "rent.cluster_4xa100.aws_monthly")[0]
            / figure(ds, "rent.cluster_4xa100.purchased_monthly")[0]}


def _first_principles_ratio(c: _Context, provider: str, gpu_id: str) -> tuple[float, float]:
    """Today's on-demand rent of a provider over the first-principles cost of buying the same GPU."""
    rent_low, rent_high = _span(_provider_on_demand(c.ds, provider, gpu_id), "usd_per_gpu_month")
    total = c.buy[gpu_id]["total_usd_per_month"]
    return rent_low / total.max(), rent_high / total.min()


def _ratio_checks(c: _Context) -> list[dict]:
    """"2.5x purchase cost", the 4 x A100 cluster's $1,200 and $14,000, and the two "10x" claims."""
    ratios = like_for_like_ratios(c.ds)
    rows = []
    lambda_id, h100 = "rent.lambda.purchase_multiple", c.gpu("rent.buy_h100.monthly")
    printed = figure(c.ds, lambda_id)[0]
    ok = bool(verdicts.within(printed, ratios["lambda_vs_h100"], c.tol))
    rows.append(check_row(
        c.ds, lambda_id, times(ratios["lambda_vs_h100"]),
        times_range(*_first_principles_ratio(c, PROVIDERS["rent.lambda"], h100))
        + " (today, owning + power + colocation)",
        difference(printed, ratios["lambda_vs_h100"]),
        verdicts.REPRODUCED if ok else verdicts.INCONSISTENT,
        f"{fmt.usd(figure(c.ds, 'rent.lambda.monthly')[0])} / {fmt.usd(figure(c.ds, 'rent.buy_h100.monthly')[0])}: "
        "the rent over the amortized price of the same GPU, owner's electricity left out"))

    gpus = figure(c.ds, "rent.cluster_4xa100.gpus")[0]
    a100 = c.gpu("rent.cluster_4xa100.gpus")
    rows.append(check_row(c.ds, "rent.cluster_4xa100.gpus", "", "", "", verdicts.UNVERIFIABLE,
                          f"a stated input: the operating-cost table prices the same "
                          f"{figure(c.ds, 'ops.gpu_depreciation.gpus')[0]:.0f}-GPU A100 cluster"))
    owned_id = "rent.cluster_4xa100.purchased_monthly"
    per_a100 = figure(c.ds, "rent.buy_a100_used.monthly")[0]
    owned = gpus * per_a100
    printed = figure(c.ds, owned_id)[0]
    ok = bool(verdicts.within(printed, owned, c.tol))
    rows.append(check_row(
        c.ds, owned_id, fmt.usd(owned),
        f"{c.buy_span(a100, 'owning_usd_per_month', gpus)} owning with server shares + "
        f"{c.buy_span(a100, 'power_usd_per_month', gpus)} power + {c.buy_span(a100, 'facility_usd_per_month', gpus)} "
        "colocation", difference(printed, owned),
        verdicts.REPRODUCED if ok else verdicts.INCONSISTENT,
        f"{gpus:.0f} x {fmt.usd(per_a100)}, the rental table's amortized A100"))

    aws_id = "rent.cluster_4xa100.aws_monthly"
    aws_h100 = figure(c.ds, "rent.aws_p5.monthly")[0]
    printed = figure(c.ds, aws_id)[0]
    h100_rate = bool(verdicts.within(printed, gpus * aws_h100, c.tol))
    aws_a100 = _provider_on_demand(c.ds, PROVIDERS["rent.aws_p5"], a100)
    if len(aws_a100):
        month_low, month_high = _span(aws_a100, "usd_per_gpu_month")
        smallest = aws_a100.sort_values("gpus_per_instance_min").iloc[0]
        block = smallest["gpus_per_instance_min"]
        block_usd = fmt.usd_range(block * smallest["usd_per_gpu_month_low"], block * smallest["usd_per_gpu_month_high"])
        first = (f"{fmt.usd_range(gpus * month_low, gpus * month_high)} for {gpus:.0f} A100s on AWS today; rented "
                 f"only as {block:.0f} ({smallest['instance_type']}): {block_usd}")
    else:
        first = ""
    why = (f"{gpus:.0f} x {fmt.usd(aws_h100)}, the AWS p5 rate of an H100, applied to an A100 cluster"
           if h100_rate else f"no rate in the guide gives it ({gpus:.0f} x {fmt.usd(aws_h100)} = "
                             f"{fmt.usd(gpus * aws_h100)})")
    # Inconsistent: the guide's only AWS rate is an H100's, so the difference is against 4 A100s at
    # today's AWS rate (the midpoint of its range), what the cluster would really cost.
    today = gpus * (month_low + month_high) / 2 if len(aws_a100) else np.nan
    rows.append(check_row(c.ds, aws_id, fmt.usd(gpus * aws_h100), first,
                          difference(printed, today) if len(aws_a100) else "",
                          verdicts.INCONSISTENT, why))

    aws_fp = times_range(*_first_principles_ratio(c, PROVIDERS["rent.aws_p5"], h100))
    for figure_id, mixed, how in (
            ("rent.cluster_4xa100.cost_difference", ratios["cluster_mixed"],
             f"{fmt.usd(figure(c.ds, aws_id)[0])} / {fmt.usd(figure(c.ds, owned_id)[0])}"),
            ("rent.summary.cost_spread", ratios["aws_vs_a100"],
             f"{fmt.usd(aws_h100)} (AWS p5, H100) / {fmt.usd(per_a100)} (owned A100)")):
        printed = figure(c.ds, figure_id)[0]
        ok = bool(verdicts.within(printed, ratios["aws_vs_h100"], c.tol))
        rows.append(check_row(
            c.ds, figure_id, f"{times(mixed)} mixed GPUs; {times(ratios['aws_vs_h100'])} like for like",
            aws_fp + " (AWS p5 today vs buying an H100)",
            difference(printed, ratios["aws_vs_h100"]),
            verdicts.REPRODUCED if ok else verdicts.INCONSISTENT,
            f"{how} = {times(mixed)} compares a rented H100 with an owned A100; for the same GPU "
            f"{fmt.usd(aws_h100)} / {fmt.usd(figure(c.ds, 'rent.buy_h100.monthly')[0])} = "
            f"{times(ratios['aws_vs_h100'])} (Lambda: {times(ratios['lambda_vs_h100'])})"))
    return rows


def checks(ds: Dataset) -> pd.DataFrame:
    """One check row per numeric figure of the section (every ``rent.`` id of ``guide_figures.csv``)."""
    c = _Context(ds)
    rows = (_buy_checks(c) + _implied_rent_checks(c) + _monthly_rent_checks(c) + _immediate_checks(c)
            + _summary_rent_checks(c) + _ratio_checks(c))
    return checks_in_guide_order(ds, rows)


@chapter_cache.cached
def build(ds: Dataset) -> Chapter:
    """Cloud GPU rental vs purchase: printed, checked against the guide's own inputs, and from first principles.

    Parameters
    ----------
    ds : Dataset
        The loaded dataset.

    Returns
    -------
    Chapter
        ``printed`` (the guide's table), ``checks`` (one row per ``rent.`` figure),
        ``tables["first_principles"]`` (buying against every rental offer, per GPU type),
        ``chart_data["rent_vs_buy"]`` (USD per GPU-month per option) and ``facts`` (text for the prose:
        ratios such as ``rvb_like_for_like_spread``, current rents, payback ranges, verdict counts).
    """
    table = checks(ds)
    ratios = like_for_like_ratios(ds)
    lambda_h100 = _provider_on_demand(ds, PROVIDERS["rent.lambda"],
                                      lookups.guide_figure(ds, "rent.lambda.monthly")["gpu_id"])
    facts: dict[str, float | int | str] = {
        "rvb_like_for_like_spread": times(ratios["aws_vs_h100"]),
        "rvb_mixed_spread": times(ratios["cluster_mixed"]),
        "rvb_lambda_multiple": times(ratios["lambda_vs_h100"]),
        "rvb_lambda_h100_month": fmt.usd_range(*_span(lambda_h100, "usd_per_gpu_month")),
        "rvb_checked_cells": len(table),
        **quoted(ds, {"rvb_guide_owned_h100": "rent.buy_h100.monthly",
                      "rvb_guide_rent_low": "rent.summary.lambda.monthly",
                      "rvb_guide_rent_high": "rent.summary.aws_p5.monthly",
                      "rvb_guide_spread": "rent.summary.cost_spread"}),
    }
    a100_months = figure(ds, "rent.buy_a100_used.break_even")
    a100_price = purchase_price_usd(ds, lookups.guide_figure(ds, "rent.buy_a100_used.break_even")["gpu_id"])
    implied = sorted((a100_price[0] / a100_months[0], a100_price[1] / a100_months[1]))
    facts["rvb_implied_a100_rent"] = fmt.usd_range(*implied)
    for gpu_id in compared_gpus(ds):
        offers = rental_offers(ds, gpu_id)
        on_demand = offers[offers["pricing"] == ON_DEMAND]
        facts[f"rvb_payback_{gpu_id.replace('-', '_')}"] = fmt.months_range(*_span(on_demand, "payback_months"))
    facts.update({f"rvb_{verdicts.KEYS[v]}_checks": n for v, n in verdicts.counts(table["Verdict"]).items()})
    chart = chart_frame(ds)
    mine = chart[chart["source"] == "first principles"]
    owned = mine[mine["label"].str.startswith("Buy ")].set_index("gpu_id")
    # Renting costs more than owning wherever its cheapest end exceeds owning's dearest end for that GPU.
    rentals = mine[~mine["label"].str.startswith("Buy ")]
    dearer = int((rentals["usd_low"].to_numpy() > owned.loc[rentals["gpu_id"], "usd_high"].to_numpy()).sum())
    source = "Source: " + ex.model_source("gpu_rentals.csv", "gpu_prices.csv", "gpus.csv", "assumptions.csv",
                                          case="low–high over the price and power ranges")
    paybacks = "; ".join(lookups.gpu(ds, g)["gpu_name"] + " " + str(facts["rvb_payback_" + g.replace("-", "_")])
                         for g in compared_gpus(ds))
    exhibits = (
        ex.printed("rent-vs-buy-printed", TABLE),
        ex.checks("rent-vs-buy-checks", table, "Each figure with its recomputation and verdict."),
        ex.Exhibit("rent-vs-buy-first-principles",
                   f"Bought GPUs pay back against on-demand rent in months: {paybacks}", source,
                   "Per-GPU monthly cost of buying and of each rental offer, low–high, and the buy-versus-rent "
                   "payback."),
        ex.Exhibit("rent-vs-buy-chart",
                   (f"All {dearer}" if dearer == len(rentals) else f"{dearer} of {len(rentals)}")
                   + " rental offers cost more per GPU-month than owning the same GPU",
                   source + "; the guide's rows as printed"),
    )
    return Chapter(printed=printed_table(ds, TABLE, "Option", COLUMNS), checks=table,
                   tables={"first_principles": first_principles_table(ds)},
                   chart_data={"rent_vs_buy": chart}, facts=facts, key="rent-vs-buy", exhibits=exhibits)
