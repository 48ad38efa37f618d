"""The rent-vs-buy and operating-cost chapters against the guide's printed figures and the audit's findings.

Hand arithmetic in the comments uses the dataset's values: 730 h a month, 2,080 working hours a year,
A100 400 W / $8-12K used, H100 700 W / $25-35K, resale 0-20%, capital 0-8% a year, server factor 1.8-2.0,
PUE 1.3-1.58, electricity $0.0872-0.1282/kWh.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.evaluation import verdicts
from analysis.report.chapters import operating, rent_vs_buy
from analysis.report.chapters.common import CHECK_COLUMNS, Chapter


@pytest.fixture(scope="module")
def rvb(dataset) -> Chapter:
    return rent_vs_buy.build(dataset)


@pytest.fixture(scope="module")
def ops(dataset) -> Chapter:
    return operating.build(dataset)


def verdict_of(chapter: Chapter, figure_id: str) -> str:
    rows = chapter.checks[chapter.checks["figure_id"] == figure_id]
    assert len(rows) == 1, figure_id
    return rows.iloc[0]["Verdict"]


def cell(chapter: Chapter, figure_id: str, column: str) -> str:
    return chapter.checks.set_index("figure_id").loc[figure_id, column]


# ---------------------------------------------------------------- both chapters


@pytest.mark.parametrize(("name", "prefix"), [("rvb", "rent."), ("ops", "ops.")])
def test_every_numeric_figure_of_the_section_has_one_check(request, dataset, name, prefix):
    chapter = request.getfixturevalue(name)
    ids = dataset["guide_figures"]["figure_id"]
    expected = sorted(ids[ids.str.startswith(prefix)])
    assert sorted(chapter.checks["figure_id"]) == expected
    assert chapter.checks["figure_id"].is_unique
    assert list(chapter.checks.columns) == CHECK_COLUMNS


@pytest.mark.parametrize("name", ["rvb", "ops"])
def test_check_rows_have_a_known_verdict_and_printed_text(request, name):
    checks = request.getfixturevalue(name).checks
    assert checks["Verdict"].isin(verdicts.ORDER).all()
    assert (checks["Printed"].str.strip() != "").all()
    assert (checks["Why"].str.strip() != "").all()


@pytest.mark.parametrize(("name", "prefix"), [("rvb", "rvb"), ("ops", "ops")])
def test_verdict_count_facts_add_up(request, name, prefix):
    chapter = request.getfixturevalue(name)
    counts = [chapter.facts[f"{prefix}_{key}_checks"] for key in verdicts.KEYS.values()]
    assert sum(counts) == chapter.facts[f"{prefix}_checked_cells"] == len(chapter.checks)
    for verdict, key in verdicts.KEYS.items():
        assert chapter.facts[f"{prefix}_{key}_checks"] == int((chapter.checks["Verdict"] == verdict).sum())


# ---------------------------------------------------------------- rent vs buy


def test_printed_rental_table_keeps_the_guide_text(rvb):
    table = rvb.printed.set_index("Option")
    assert list(table.index) == ["Buy H100", "Buy A100 (used)", "Lambda Cloud", "CoreWeave", "RunPod",
                                 "AWS p5 (H100)"]
    assert list(table.columns) == ["Cost per H100/Month", "Break-Even vs API", "Pros", "Cons"]
    assert table.loc["Buy H100", "Break-Even vs API"] == "12-18 months"
    assert table.loc["Lambda Cloud", "Cons"] == "2.5x purchase cost"
    assert table.loc["AWS p5 (H100)", "Cost per H100/Month"] == "~$3,500"


@pytest.mark.parametrize(("figure_id", "verdict"), [
    ("rent.buy_h100.monthly", verdicts.IMPLIED),         # 800 x 36 = 28,800 per H100, inside 25,000-35,000
    ("rent.buy_a100_used.monthly", verdicts.IMPLIED),    # 300 x 36 = 10,800 per A100, inside 8,000-12,000
    ("rent.buy_h100.break_even", verdicts.IMPLIED),      # 25,000 / 2,000 = 12.5; 35,000 / 2,000 = 17.5 months
    ("rent.buy_a100_used.break_even", verdicts.IMPLIED),  # 8,000 / 8 = 12,000 / 12 = 1,000 a month, never stated
    ("rent.lambda.monthly", verdicts.REPRODUCED),        # 2,000 / 730 = $2.74 per hour, inside $2.50-3.50
    ("rent.coreweave.monthly", verdicts.REPRODUCED),     # 2,200 / 730 = $3.01
    ("rent.runpod.monthly", verdicts.REPRODUCED),        # 2,400 / 730 = $3.29
    ("rent.aws_p5.monthly", verdicts.IMPLIED),           # 3,500 / 730 = $4.79, above $3.50
    ("rent.summary.lambda.monthly", verdicts.REPRODUCED),  # the same $2,000 as the table
    ("rent.summary.aws_p5.monthly", verdicts.IMPLIED),   # the same $3,500 as the table
    ("rent.lambda.break_even", verdicts.REPRODUCED),     # no capex: nothing to pay back
    ("rent.coreweave.break_even", verdicts.REPRODUCED),
    ("rent.runpod.break_even", verdicts.REPRODUCED),
    ("rent.aws_p5.break_even", verdicts.REPRODUCED),
    ("rent.lambda.purchase_multiple", verdicts.REPRODUCED),  # 2,000 / 800 = 2.5x
    ("rent.cluster_4xa100.purchased_monthly", verdicts.REPRODUCED),  # 4 x 300 = 1,200
    ("rent.cluster_4xa100.aws_monthly", verdicts.INCONSISTENT),  # 4 x 3,500: an H100 rate for A100s
    ("rent.cluster_4xa100.cost_difference", verdicts.INCONSISTENT),  # 14,000 / 1,200 = 11.7x; H100 4.4x
    ("rent.summary.cost_spread", verdicts.INCONSISTENT),  # 3,500 / 300 = 11.7x; 3,500 / 800 = 4.4x
    ("rent.buy_h100.amortization", verdicts.UNVERIFIABLE),  # stated: 36 months
    ("rent.buy_a100_used.amortization", verdicts.UNVERIFIABLE),
    ("rent.buy_h100.upfront", verdicts.UNVERIFIABLE),    # stated: $25K-35K
    ("rent.cluster_4xa100.gpus", verdicts.UNVERIFIABLE),  # stated: 4 GPUs
])
def test_rent_verdicts_match_the_arithmetic(rvb, figure_id, verdict):
    assert verdict_of(rvb, figure_id) == verdict


def test_guide_ratios(dataset):
    ratios = rent_vs_buy.like_for_like_ratios(dataset)
    assert ratios["lambda_vs_h100"] == pytest.approx(2.5)      # 2,000 / 800
    assert ratios["aws_vs_h100"] == pytest.approx(4.375)       # 3,500 / 800 = 4.4x like for like
    assert ratios["aws_vs_a100"] == pytest.approx(11.667, abs=1e-3)  # 3,500 / 300
    assert ratios["cluster_mixed"] == pytest.approx(11.667, abs=1e-3)  # 14,000 / 1,200 = 11.7x


def test_h100_break_even_is_months_of_lambda_rent(rvb):
    why = cell(rvb, "rent.buy_h100.break_even", "Why")
    # $25K-35K / $2,000 = 12.5-17.5 months, which print as 12-18; only Lambda's rent does this
    # (25,000 / 2,200 = 11.4 is more than half a month below 12)
    assert "Lambda Cloud" in why and "12.5–17.5 months" in why and "not versus an API" in why
    # net of the guide's $400-600 / 4 = $100-150 electricity per GPU: 25,000 / 1,900 = 13.2, 35,000 / 1,850 = 18.9
    assert "13.2–18.9 months" in why
    # 25,000 / 12 = 2,083 and 35,000 / 18 = 1,944 a month
    assert cell(rvb, "rent.buy_h100.break_even", "From the guide's inputs") == "$1.9K–$2.1K a month of rent avoided"


def test_a100_break_even_needs_an_unstated_rent(rvb):
    # 8,000 / 8 = 12,000 / 12 = $1,000 a month = 1,000 / 730 = $1.37 per GPU-hour
    assert cell(rvb, "rent.buy_a100_used.break_even", "From the guide's inputs").startswith("$1.0K a month")
    why = cell(rvb, "rent.buy_a100_used.break_even", "Why")
    assert "$1.37 per GPU-hour" in why and "never states" in why


def test_aws_cluster_uses_the_h100_rate(rvb):
    # 4 x 3,500 = 14,000 exactly: the arithmetic holds, the GPU type does not
    assert cell(rvb, "rent.cluster_4xa100.aws_monthly", "From the guide's inputs") == "$14.0K"
    assert "H100" in cell(rvb, "rent.cluster_4xa100.aws_monthly", "Why")
    # AWS rents the A100 80GB only as an 8-GPU p4de.24xlarge: 3.431 x 730 = 2,504.63 a GPU; x 4 = 10,018.52
    first = cell(rvb, "rent.cluster_4xa100.aws_monthly", "First principles")
    assert first.startswith("$10.0K for 4 A100s") and "p4de.24xlarge" in first and "$20.0K" in first


def test_buying_from_first_principles(dataset):
    buy = rent_vs_buy.buy_usd_per_gpu_month(dataset, "h100-sxm")
    # The GPU and its server share, owned over 60 months (favourable) or 36 (unfavourable):
    # favourable: (25,000 + 3,750) x (1 - 0.2) / 60 = 383.33;
    # unfavourable: (35,000 + 8,750) / 36 + 43,750 / 2 x 0.08 / 12 = 1,215.28 + 145.83 = 1,361.11
    assert buy["capex_usd"][[0, 2]] == pytest.approx([28_750, 43_750])
    assert buy["owning_usd_per_month"][[0, 2]] == pytest.approx([383.33, 1_361.11], abs=0.01)
    # 700 W x 1.8 x 1.3 x 730 h / 1000 x $0.0872 = 104.27; 700 x 2.0 x 1.58 x 730 / 1000 x $0.1282 = 207.01
    assert buy["power_usd_per_month"][[0, 2]] == pytest.approx([104.27, 207.01], abs=0.01)
    # colocation: 700 W x 1.8 / 1000 x $163.44 = 205.93; 700 x 2.0 / 1000 x $184.06 = 257.68
    assert buy["facility_usd_per_month"][[0, 2]] == pytest.approx([205.93, 257.68], abs=0.01)
    np.testing.assert_allclose(buy["total_usd_per_month"], buy["owning_usd_per_month"] + buy["power_usd_per_month"]
                               + buy["facility_usd_per_month"])


def test_rental_offers_and_payback(dataset):
    offers = rent_vs_buy.rental_offers(dataset, "h100-sxm").set_index("offer_id")
    lam = offers.loc["lambda-h100-8x"]
    # $3.99 x 730 = $2,912.70 per GPU-month, rented 8 at a time
    assert lam["usd_per_gpu_month_low"] == pytest.approx(2_912.70)
    assert lam["gpus_per_instance_min"] == 8
    # 28,750 / (2,912.70 - 104.27 - 205.93) = 11.05 months; 43,750 / (2,912.70 - 207.01 - 257.68) = 17.87 months
    assert lam["payback_months_low"] == pytest.approx(11.05, abs=0.01)
    assert lam["payback_months_high"] == pytest.approx(17.87, abs=0.01)
    assert (offers["gpu_id"] == "h100-sxm").all()
    assert (offers["payback_months_low"] <= offers["payback_months_high"]).all()
    # RunPod's H100 rents for $3.29-$3.99 an hour: the short payback pairs the cheapest purchase with the dearest
    # rent, 28,750 / (3.99 x 730 - 104.27 - 205.93) = 11.05 months; the long one the dearest purchase with the
    # cheapest rent, 43,750 / (3.29 x 730 - 207.01 - 257.68) = 22.59 months.
    runpod = offers.loc["runpod-h100-1x"]
    assert (runpod["payback_months_low"], runpod["payback_months_high"]) == pytest.approx((11.05, 22.59), abs=0.01)


def test_first_principles_table_covers_bought_and_rented_gpus(dataset, rvb):
    # every GPU with a purchase price and a rental offer (the RTX 4090 has no rental), in gpu_prices.csv order
    compared = ["a100-80gb-sxm", "h100-sxm", "h200-sxm", "b200", "l4", "h100-pcie"]
    assert rent_vs_buy.compared_gpus(dataset) == compared
    table = rvb.tables["first_principles"]
    rentals = dataset["gpu_rentals"]
    assert len(table) == len(compared) + int(rentals["gpu_id"].isin(compared).sum())
    assert (table["Per GPU-month"] != "").all()
    buys = table[table["Option"].str.startswith("Buy")]
    assert len(buys) == len(compared) and (buys["Payback of buying vs this rent"] == "").all()


def test_rent_chart_data(rvb):
    chart = rvb.chart_data["rent_vs_buy"]
    assert {"label", "gpu_id", "usd_low", "usd_high"} <= set(chart.columns)
    assert (chart["usd_low"] <= chart["usd_high"]).all()
    guide = chart[chart["source"] == "guide printed"].set_index("label")
    assert guide.loc["Buy H100", "usd_low"] == 800 and guide.loc["AWS p5 (H100)", "usd_high"] == 3_500
    assert set(chart["gpu_id"]) == {"a100-80gb-sxm", "h100-sxm", "h200-sxm", "b200", "l4", "h100-pcie"}
    # two H100s: the PCIe one's offers say so
    assert "Lambda 1× H100 PCIe, on-demand" in set(chart["label"])


def test_rent_facts(rvb):
    assert rvb.facts["rvb_like_for_like_spread"] == "4.4x"    # 3,500 / 800
    assert rvb.facts["rvb_mixed_spread"] == "11.7x"           # 14,000 / 1,200
    assert rvb.facts["rvb_lambda_multiple"] == "2.5x"         # 2,000 / 800
    assert rvb.facts["rvb_lambda_h100_month"] == "$2.9K–$3.1K"  # 3.99 x 730 = 2,912.70; 4.29 x 730 = 3,131.70
    assert rvb.facts["rvb_implied_a100_rent"] == "$1.0K"       # 8,000 / 8 = 12,000 / 12


# ---------------------------------------------------------------- operating costs


def test_printed_overhead_table_keeps_the_guide_text(ops):
    table = ops.printed.set_index("Cost Category")["Monthly Estimate"]
    assert table.loc["Electricity (4x A100 at $0.10/kWh)"] == "$400-600"
    assert table.loc["Total operational overhead"] == "$4,700-7,900"
    assert len(table) == 7


@pytest.mark.parametrize(("figure_id", "verdict"), [
    ("ops.gpu_depreciation", verdicts.IMPLIED),          # 1,200 x 36 / 4 = 10,800 per A100, inside 8,000-12,000
    ("ops.electricity", verdicts.INCONSISTENT),          # 4 x 400 W x 730 h / 1000 x $0.10 = $116.80
    ("ops.ml_engineer_allocation", verdicts.INCONSISTENT),  # 0.2 x 250,000 / 12 = 4,167, not 5,000
    ("ops.total_overhead", verdicts.INCONSISTENT),       # rows add to 4,700-8,100, not 7,900
    ("ops.networking_storage", verdicts.UNVERIFIABLE),
    ("ops.monitoring_logging", verdicts.UNVERIFIABLE),
    ("ops.redundancy", verdicts.IMPLIED),                # 10,800 / 36 = 300; 500 x 36 = 18,000
    ("ops.summary.hidden_costs", verdicts.INCONSISTENT),  # 4,700 - 1,200 = 3,500; 8,100 - 1,200 = 6,900
    ("ops.summary.maintenance_hours", verdicts.INCONSISTENT),  # 20 h < 0.2 x 2,080 / 12 = 34.7 h
    ("ops.summary.maintenance_cost", verdicts.INCONSISTENT),  # 8-20 h x $72-120 = $577-2,404, not $2-6K
    ("ops.engineering.maintenance_cost", verdicts.INCONSISTENT),
    ("ops.summary.extra_downtime", verdicts.REPRODUCED),  # 99.9% - 99% = 0.9 pp .. 99.9% - 95% = 4.9 pp
    ("ops.downtime.extra_downtime", verdicts.REPRODUCED),
    ("ops.summary.downtime_cost", verdicts.REPRODUCED),  # 100,000 x 1% = 1,000
    ("ops.downtime.cost", verdicts.REPRODUCED),
    ("ops.electricity.price", verdicts.UNVERIFIABLE),
    ("ops.ml_engineer_allocation.share", verdicts.UNVERIFIABLE),
    ("ops.downtime.selfhost_uptime", verdicts.UNVERIFIABLE),
])
def test_ops_verdicts_match_the_arithmetic(ops, figure_id, verdict):
    assert verdict_of(ops, figure_id) == verdict


def test_electricity_boards_and_whole_server(ops):
    # boards alone: 4 x 400 W x 730 h / 1000 x $0.10 = $116.80; whole server and cooling: x 2.0 x 1.58 = $369.09
    assert cell(ops, "ops.electricity", "From the guide's inputs") == "$117–$369"
    assert ops.facts["ops_electricity_boards_usd"] == "$117"
    # from first principles: 116.80 / 0.10 x 1.8 x 1.3 x 0.0872 = 238.33; 116.80 / 0.10 x 2.0 x 1.58 x 0.1282 = 473.17
    assert ops.facts["ops_electricity_first_principles"] == "$238–$473"


def test_maintenance_hours_cost(dataset):
    # 8 h x 150,000 / 2,080 = 576.92; 20 h x 250,000 / 2,080 = 2,403.85
    cost = operating.maintenance_usd_per_month(dataset, np.array([8.0, 20.0]))
    assert cost == pytest.approx([576.92, 2_403.85], abs=0.01)


def test_maintenance_why_names_the_hours_the_printed_cost_needs(ops):
    why = cell(ops, "ops.summary.maintenance_cost", "Why")
    # 2,000 / (150,000 / 2,080) = 27.7 h; 6,000 / (250,000 / 2,080) = 49.9 h
    assert "$577–$2.4K" in why and "28–50 h" in why


def test_hidden_costs_include_the_depreciation(ops):
    # 4,700 - 1,200 = 3,500; 8,100 - 1,200 = 6,900
    assert cell(ops, "ops.summary.hidden_costs", "From the guide's inputs") == "$3.5K–$6.9K"
    assert "includes it" in cell(ops, "ops.summary.hidden_costs", "Why")


def test_redundancy_high_end_needs_an_18k_spare(ops):
    why = cell(ops, "ops.redundancy", "Why")
    # 1,200 / 4 x 36 = 10,800; 10,800 / 36 = 300; 500 x 36 = 18,000 > 12,000
    assert "$10.8K / 36 months = $300" in why and "$18.0K" in why and "outside" in why


def test_downtime_example_and_range(ops):
    # 100,000 x 1% = 1,000; 100,000 x (0.999 - 0.99) = 900; 100,000 x (0.999 - 0.95) = 4,900
    assert cell(ops, "ops.downtime.cost", "From the guide's inputs") == "$1.0K"
    assert "$900–$4.9K" in cell(ops, "ops.downtime.cost", "Why")
    assert "no cost table" in cell(ops, "ops.downtime.cost", "Why")
    assert ops.facts["ops_downtime_range"] == "$900–$4.9K"


def test_cluster_costs_from_first_principles(dataset):
    fp = operating.cluster_costs(dataset).set_index("category")
    expected = {
        "GPU depreciation": (426.67, 1_493.33),  # 4 x 8,000 x 0.8 / 60; 4 x 12,000 / 36 + 48,000 / 2 x 0.08 / 12
        "Host servers": (200, 1_088.89),          # 4 x 3,750 x 0.8 / 60; 4 x 8,750 / 36 + 35,000 / 2 x 0.08 / 12
        "Electricity": (238.33, 473.17),          # 4 x 400 W x 1.8 x 1.3 x 730 h / 1000 x 0.0872; x 2.0 x 1.58 x 0.1282
        "Colocation": (470.71, 588.99),           # 4 x 400 W x 1.8 / 1000 x $163.44; 4 x 400 x 2.0 / 1000 x $184.06
        "Networking and storage": (200, 500),
        "Monitoring and logging": (100, 300),
        # 0 spares; or one owned with its server share (12,000 + 8,750) / 36 + 20,750 / 2 x 0.08 / 12 = 645.56,
        # powered 400 W x 2.0 x 1.58 x 730 h / 1,000 x $0.1282 = 118.29 and housed 0.8 kW x $184.06 = 147.25
        "Spare GPU": (0, 911.10),
        # The model's staffing: a share of an engineer plus one per gpus_per_engineer GPUs run, never below the
        # on-call floor: 150,000 / 12 x max(0.25, 0.2 + 4 / 256); 250,000 / 12 x max(1, 0.3 + 4 / 85)
        "ML engineer": (3_125, 20_833.33),
        "Downtime": (0, 4_900),                   # $0 at risk; 100,000 x (0.999 - 0.95)
        "Total": (4_760.70, 31_088.81),           # the rows added case by case
    }
    for category, (low, high) in expected.items():
        assert fp.loc[category, "usd_low"] == pytest.approx(low, abs=0.01), category
        assert fp.loc[category, "usd_high"] == pytest.approx(high, abs=0.01), category
    parts = fp.drop(index=operating.TOTAL)
    assert parts["usd_base"].sum() == pytest.approx(fp.loc[operating.TOTAL, "usd_base"])


def test_ops_first_principles_table(ops):
    table = ops.tables["first_principles"].set_index("Cost category")
    assert table.loc["Total", "First principles"] == "$4.8K–$31.1K"  # 4,760.70 to 31,088.81 (above)
    assert table.loc["Downtime", "Guide (printed)"] == "not in the table"
    assert table.loc["Electricity", "Guide (printed)"] == "$400-600"


def test_stack_chart_data(ops):
    stack = ops.chart_data["stack"]
    assert list(stack.columns) == ["source", "category", "usd_low", "usd_high", "usd_base"]
    guide = stack[stack["source"] == operating.GUIDE]
    # the printed rows add to 4,700 and 8,100 (the guide prints 7,900); the stack's guide bar is the
    # midpoints, (4,700 + 8,100) / 2 = 6,400
    assert guide["usd_low"].sum() == 4_700 and guide["usd_high"].sum() == 8_100
    assert guide["usd_base"].sum() == 6_400
    assert "Downtime" not in set(guide["category"])
    first = stack[stack["source"] == operating.FIRST]
    assert first["usd_high"].sum() == pytest.approx(31_088.81, abs=0.01)  # the Total row's high end
    assert isinstance(stack, pd.DataFrame) and (stack["usd_low"] <= stack["usd_high"]).all()
    assert ((stack["usd_low"] <= stack["usd_base"]) & (stack["usd_base"] <= stack["usd_high"])).all()


def test_ops_facts(ops):
    assert ops.facts["ops_guide_total_low"] == "$4.7K"
    assert ops.facts["ops_guide_total_high"] == "$7.9K"
    assert ops.facts["ops_guide_sum"] == "$4.7K–$8.1K"
    assert ops.facts["ops_first_principles_total"] == "$4.8K–$31.1K"
    assert ops.facts["ops_maintenance_usd"] == "$577–$2.4K"
