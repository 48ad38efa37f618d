"""Guide mode reproduces what the audit marks reproducible, and flags what cannot follow."""

from __future__ import annotations

import pytest

from analysis.evaluation import guide_mode, verdicts


@pytest.fixture(scope="module")
def checks(dataset):
    return guide_mode.all_checks(dataset).set_index("figure_id")


@pytest.mark.parametrize("figure_id", [
    "ft.100m.purchased.total",    # 1,200 + 3,000-5,000 + 700-1,400 + 400-600 = 5,300-8,200
    "ft.100m.cloud.total",        # 4,000-8,000 + 2,000-4,000 + 200-400 = 6,200-12,400
    "ft.100m.gpt54_api.total",    # 100M x (2.50 + 15.00) / 1e6 = 1,750
    "ft.10b.deepseek_api.total",  # 10B x (0.30 + 0.50) / 1e6 = 8,000
    "s1.5b.api_cost",             # 5B x 17.50 / 1e6 = 87,500
    "s1.100m.savings",            # 1,750 - 5,500 = -3,750
    "s2.100b.savings",            # 80,000 - 50,000 = 30,000
    "rent.lambda.monthly",        # 2,000 / 730 = $2.74 per hour, inside $2.50-3.50
])
def test_reproducible_figures_are_reproduced(checks, figure_id):
    assert checks.loc[figure_id, "verdict"] == verdicts.REPRODUCED


def test_overhead_total_does_not_add_up(checks):
    # 1,200 + 400 + 200 + 100 + 300 + 2,500 = 4,700; 1,200 + 600 + 500 + 300 + 500 + 5,000 = 8,100, not 7,900
    row = checks.loc["ops.total_overhead"]
    assert (row["recomputed_low"], row["recomputed_high"]) == (4_700, 8_100)
    assert row["verdict"] == verdicts.INCONSISTENT


def test_engineer_allocation_high_end(checks):
    # 0.2 x 250,000 / 12 = 4,166.67, not 5,000
    assert checks.loc["ops.ml_engineer_allocation", "recomputed_high"] == pytest.approx(4_166.67, abs=0.01)
    assert checks.loc["ops.ml_engineer_allocation", "verdict"] == verdicts.INCONSISTENT


def test_electricity_needs_several_times_the_boards(checks):
    # 4 x 400 W x 730 h / 1000 x $0.10 = $116.80
    row = checks.loc["ops.electricity"]
    assert row["recomputed_low"] == pytest.approx(116.8)
    assert row["verdict"] == verdicts.INCONSISTENT
    assert "needs 5.5–8.2 kW" in row["why"]  # 400 / 0.10 / 730 = 5.48 kW; 600 / 0.10 / 730 = 8.22 kW


def test_amortization_implies_a_unit_price(checks):
    # $800 x 36 months = $28,800 per H100, inside the guide's $25,000-35,000
    assert checks.loc["rent.buy_h100.monthly", "verdict"] == verdicts.IMPLIED
    assert "implies $28,800 per GPU" in checks.loc["rent.buy_h100.monthly", "why"]


def test_aws_rate_is_outside_the_guides_hourly_range(checks):
    # $3,500 / 730 = $4.79 per GPU-hour
    assert "$4.79 per GPU-hour" in checks.loc["rent.aws_p5.monthly", "why"]
    assert checks.loc["rent.aws_p5.monthly", "verdict"] == verdicts.IMPLIED
