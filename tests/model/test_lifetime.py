"""The decision over the hardware's life: the discounting by hand, the reduction to the monthly model (buying and
renting), and the properties (a faster-falling API price never lowers the break-even; a dearer cost of capital never
makes buying look better; a rental price falling faster never makes renting look worse)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.evaluation import lifetime, lookups, resolve
from analysis.model import lifetime as model
from analysis.model import spine


def test_discounting_and_paths_by_hand():
    # 12% a year over 24 months: month 12 is worth 1 / 1.12 = 0.892857..., month 24 (the resale) 1 / 1.2544
    d, d_end = model.discount_factors([0.12], [24])
    assert d.shape == (1, 24) and d[0, 0] == 1.0
    assert d[0, 12] == pytest.approx(1 / 1.12) and d_end[0] == pytest.approx(1 / 1.12 ** 2)
    # a price halving each year is 0.5 ** 0.5 = 0.7071 of itself after six months
    assert model.path([-0.5], [24])[0, 6] == pytest.approx(0.5 ** 0.5)


def test_payback_month_by_hand():
    # $100 of capex, $30 saved a month, no discounting: 100 / 30 = 3.33 months; the resale counts only at the end.
    assert model.payback_month([100.0], [[30.0] * 12], [0.0], [12], [0.0])[0] == pytest.approx(100 / 30)
    # $10 a month for 6 months and a $50 resale: 50 saved after five months; month 6 adds 10 + 50 = 60, so the
    # purchase is covered 5 + (100 - 50) / 60 = 5.833 months in. Without the resale it never is (60 < 100).
    assert model.payback_month([100.0], [[10.0] * 6], [0.0], [6], [50.0])[0] == pytest.approx(5 + 50 / 60)
    assert model.payback_month([100.0], [[10.0] * 6], [0.0], [6], [0.0])[0] == np.inf


def still(n: int = 3) -> dict[str, np.ndarray]:
    """Nothing moves: no price change (a rental price a year on equal to today's), no growth, no software gain."""
    return {name: np.full(n, 1.0 if name == "rental_price_ratio_per_year" else 0.0) for name in model.INPUTS}


def test_the_rental_path_by_hand():
    # A rental price halving each year, no discounting, 24 months: the level GPU-hour price is the path's average,
    # sum(0.5 ** (m / 12), m = 0..23) / 24 = (1 - 0.25) / (1 - 0.5 ** (1 / 12)) / 24 = 0.5524...
    values = {"amortization_months": [24.0], "cost_of_capital_per_year": [0.0], "residual_value_share": [0.0],
              "volume_growth_per_year": [0.0], "api_price_decline_per_year": [0.0],
              "gpu_throughput_gain_per_year": [0.0], "rental_price_ratio_per_year": [0.5], "usd_per_gpu_hour": [2.0]}
    out, peak, api = model.spine_values(values)
    average = (1 - 0.25) / (1 - 0.5 ** (1 / 12)) / 24
    assert out["usd_per_gpu_hour"][0] == pytest.approx(2.0 * average, rel=1e-12) and peak[0] == api[0] == 1.0


@pytest.fixture(scope="module")
def record(dataset):
    return lookups.record(dataset)


SITUATIONS = [("llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4"),
              ("llama-3.3-70b", "a100-80gb-sxm", "fp16", "deepinfra-llama-3.3-70b"),
              ("deepseek-v4-flash", "h100-sxm", "fp8", "deepseek-v4-flash"),
              ("llama-3.1-8b", "l4", "fp8", "openai-gpt-5.4")]


@pytest.mark.parametrize("situation", SITUATIONS)
def test_with_nothing_moving_every_figure_is_the_monthly_one(record, situation):
    # No price change, no growth, no software gain, no discounting (cost of capital 0), the life equal to the
    # write-off period: the lifetime break-even and payback are the spine's, to 1e-9.
    sit = resolve.situation(record, *situation, None)
    values = {**spine.case_values(sit), "cost_of_capital_per_year": np.zeros(3)}
    for volume in (1e8, 3e9, 5e10, 1e12):
        result = lifetime.evaluate(sit, still(), volume, values)
        np.testing.assert_allclose(result["life_breakeven_tokens_per_month"],
                                   result["static_breakeven_tokens_per_month"], rtol=1e-9)
        within = result["static_payback_months"] <= result["horizon_months"]
        np.testing.assert_allclose(result["life_payback_months"][within], result["static_payback_months"][within],
                                   rtol=1e-9)


RENTED = [("llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4", "aws-p5-48xlarge-3yr"),
          ("llama-3.3-70b", "a100-80gb-sxm", "fp16", "deepinfra-llama-3.3-70b", "runpod-a100-1x"),
          ("llama-3.1-8b", "l4", "fp8", "openai-gpt-5.4", "gcp-g2-standard-4")]


@pytest.mark.parametrize("situation", RENTED)
def test_renting_with_nothing_moving_every_figure_is_the_monthly_one(record, situation):
    # The same reduction for a rented fleet: its break-even over the life is the spine's rent break-even, its net
    # present cost the monthly rent bill times the months, and it has no payback (it buys nothing).
    sit = resolve.situation(record, *situation)
    values = {**spine.case_values(sit), "cost_of_capital_per_year": np.zeros(3)}
    for volume in (1e8, 3e9, 5e10):
        result = lifetime.evaluate(sit, still(), volume, values)
        monthly = spine.evaluate(sit, values, [volume])
        np.testing.assert_allclose(result["life_breakeven_tokens_per_month"],
                                   monthly["rent_breakeven_tokens_per_month"], rtol=1e-9)
        np.testing.assert_allclose(result["selfhost_npv_usd"],
                                   monthly["rent_usd_per_month"][:, 0] * values["amortization_months"], rtol=1e-9)
        assert np.all(np.isnan(result["life_payback_months"]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(situation=st.sampled_from(RENTED), ratio=st.floats(0.3, 1.6), cheaper=st.floats(0.0, 0.3),
       rate=st.floats(0.0, 0.2))
def test_a_rental_price_falling_faster_never_raises_the_rent_breakeven(record, situation, ratio, cheaper, rate):
    sit = resolve.situation(record, *situation)
    values = {**spine.case_values(sit), "cost_of_capital_per_year": np.full(3, rate)}

    def breakeven(r):
        inputs = {**still(), "rental_price_ratio_per_year": np.full(3, r)}
        return lifetime.evaluate(sit, inputs, 1e9, values)["life_breakeven_tokens_per_month"]

    assert np.all(breakeven(ratio - cheaper * ratio) <= breakeven(ratio) * (1 + 1e-9))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(situation=st.sampled_from(SITUATIONS), slow=st.floats(0.0, 0.85), faster=st.floats(0.0, 0.1),
       rate=st.floats(0.0, 0.2))
def test_a_faster_falling_api_price_never_lowers_the_breakeven(record, situation, slow, faster, rate):
    sit = resolve.situation(record, *situation, None)
    values = {**spine.case_values(sit), "cost_of_capital_per_year": np.full(3, rate)}

    def breakeven(decline):
        inputs = {**still(), "api_price_decline_per_year": np.full(3, decline)}
        return lifetime.evaluate(sit, inputs, 1e9, values)["life_breakeven_tokens_per_month"]

    assert np.all(breakeven(slow + faster) >= breakeven(slow) * (1 - 1e-9))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(situation=st.sampled_from(SITUATIONS), rate=st.floats(0.0, 0.2), more=st.floats(0.0, 0.2),
       volume=st.floats(1e8, 1e12))
def test_a_dearer_cost_of_capital_never_makes_buying_look_better(record, situation, rate, more, volume):
    # Buying pays its purchase first and saves later: discounting the later months harder never raises the
    # discounted saving per month of API spend (the API's net present cost over buying's).
    sit = resolve.situation(record, *situation, None)

    def advantage(r):
        values = {**spine.case_values(sit), "cost_of_capital_per_year": np.full(3, r)}
        result = lifetime.evaluate(sit, still(), volume, values)
        return result["api_npv_usd"] / result["selfhost_npv_usd"]

    assert np.all(advantage(rate + more) <= advantage(rate) * (1 + 1e-9))


def test_waiting_a_year_with_nothing_moving_changes_nothing(record):
    # Flat prices, no growth, no gain, no discounting: buying now (the fleet's life, then a year of the API) and
    # waiting (a year of the API, then the same fleet's life) pay the same months at the same prices.
    sit = resolve.situation(record, "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4", None)
    values = {**spine.case_values(sit), "cost_of_capital_per_year": np.zeros(3)}
    result = lifetime.wait_a_year(sit, still(), 1e10, values)
    np.testing.assert_allclose(result["waiting_saves_usd"], 0.0, atol=1e-6 * result["buy_now_npv_usd"].max())
    # a year of software gain (and nothing else) can only make waiting cheaper: the fleet bought later is smaller
    gain = {**still(), "gpu_throughput_gain_per_year": np.full(3, 2.0)}
    assert np.all(lifetime.wait_a_year(sit, gain, 1e11, values)["waiting_saves_usd"] >= -1e-6)


def test_the_sampled_lifetime_breakeven_reduces_to_the_monthly_one(record):
    # Monte Carlo draws of every monthly input, the lifetime inputs pinned at zero and no discounting: each draw's
    # break-even over the life is its monthly break-even (one pass of the spine, the API's prices scaled by 1).
    from analysis.evaluation import uncertainty

    sit = resolve.situation(record, "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4", None)
    draws = {**uncertainty.sample_inputs(sit, 400, 7), "cost_of_capital_per_year": np.zeros(400)}
    pinned = {**record, "assumptions": {**record["assumptions"],
                                        **{name: {"low": x[0], "high": x[0]} for name, x in still().items()}}}
    life = lifetime.breakeven_draws(sit, draws, pinned, 8)
    monthly = spine.evaluate(sit, draws, [1e9])["buy_breakeven_api_usd_per_month"]
    finite = np.isfinite(monthly)
    assert finite.sum() > 300 and np.array_equal(np.isfinite(life), finite)
    np.testing.assert_allclose(life[finite], monthly[finite], rtol=1e-9)
