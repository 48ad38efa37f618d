"""The hybrid fleet: profiles built from their four figures, the overflow arithmetic by hand, and the properties
the issue asks for (the hybrid never dearer than either end, peakier traffic never cheaper to self-host, owned
replicas never more than the all-self-host fleet), over bought and rented situations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.evaluation import hybrid as evaluation
from analysis.evaluation import lookups
from analysis.model import hybrid, spine


def test_a_profile_keeps_its_figures():
    # coding-like: busiest hour 3.0x the week's mean, quietest weekday hour 0.09x, weekends at 0.4 of weekdays
    week = hybrid.weekly_profile(3.0, 0.09, 0.4)[0]
    assert week.shape == (168,)
    assert week.mean() == pytest.approx(1.0, rel=1e-12)
    assert week.max() == pytest.approx(3.0, rel=1e-6)
    assert week[:120].min() == pytest.approx(0.09, rel=1e-6)  # weekdays: Monday 00:00 to Friday 23:00
    # a weekend hour is 0.4 of the same weekday hour
    assert week[120 + 14] == pytest.approx(0.4 * week[14], rel=1e-12)
    assert np.argmax(week[:24]) == hybrid.PEAK_HOUR
    flat = hybrid.weekly_profile(1.0, 1.0, 1.0)[0]
    assert np.all(flat == 1.0)


def test_bad_profile_figures_are_refused():
    with pytest.raises(ValueError, match="trough_over_mean <= 1 <= peak_over_mean"):
        hybrid.weekly_profile(0.8, 0.5, 1.0)
    with pytest.raises(ValueError, match=r"weekend_factor must be in \(0, 1\]"):
        hybrid.weekly_profile(2.0, 0.5, 0.0)


def test_overflow_and_the_optimum_by_hand():
    # A day of 24 hours: 12 hours at 3 tokens an hour and 12 at 1 (mean 2: relative loads 1.5 and 0.5). 48 tokens a
    # "month" of 24 hours. One replica takes 1 token an hour and costs 10; each overflow token costs 2.
    # Own 0: 48 tokens x 2 = 96. Own 1: 12 x (3 - 1) = 24 overflow tokens -> 10 + 48 = 58.
    # Own 2: 12 x (3 - 2) = 12 -> 20 + 24 = 44. Own 3: no overflow -> 30. Cheapest: 3 (all self-host).
    profile = np.array([[1.5] * 12 + [0.5] * 12])
    owned = np.array([[0.0, 10.0, 20.0, 30.0]])
    best = hybrid.optimum([48.0], profile, [1.0], owned, [2.0], [24.0])
    assert best["cost_usd_per_month"][0].tolist() == pytest.approx([96.0, 58.0, 44.0, 30.0])
    assert best["owned_replicas"][0] == 3 and best["in_house_share"][0] == pytest.approx(1.0)
    # 48 tokens served on capacity 3 x 1 x 24 = 72: 2/3 utilised
    assert best["utilization"][0] == pytest.approx(48 / 72)
    # At 0.5 an overflow token: own 0 = 24, own 1 = 10 + 24 x 0.5 = 22, own 2 = 20 + 6 = 26, own 3 = 30: one
    # replica for the baseline, the peaks bought. At 0.4: own 0 = 19.2, own 1 = 10 + 9.6 = 19.6: none.
    half = hybrid.optimum([48.0], profile, [1.0], owned, [0.5], [24.0])
    assert half["owned_replicas"][0] == 1 and half["usd_per_month"][0] == pytest.approx(22.0)
    assert half["in_house_share"][0] == pytest.approx(24 / 48) and half["utilization"][0] == pytest.approx(1.0)
    cheap = hybrid.optimum([48.0], profile, [1.0], owned, [0.4], [24.0])
    assert cheap["owned_replicas"][0] == 0 and cheap["usd_per_month"][0] == pytest.approx(19.2)
    assert np.isnan(cheap["utilization"][0]) and cheap["in_house_share"][0] == 0


@pytest.fixture(scope="module")
def record(dataset):
    return lookups.record(dataset)


BOUGHT = [("llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4", "novita-llama-4-maverick"),
          ("llama-3.3-70b", "a100-80gb-sxm", "fp16", "deepinfra-llama-3.3-70b", None),
          ("deepseek-v4-flash", "h100-sxm", "fp8", "deepseek-v4-flash", "novita-deepseek-v4-flash"),
          ("llama-3.1-8b", "l4", "fp8", "novita-llama-3.1-8b", None)]
# The same situations on rented fleets: a 1-GPU offer and an 8-GPU reserved one where the GPU has both.
RENTALS = {"h100-sxm": ("runpod-h100-1x", "aws-p5-48xlarge-3yr"), "a100-80gb-sxm": ("runpod-a100-1x",),
           "l4": ("gcp-g2-standard-4",)}
SITUATIONS = [(*s, None) for s in BOUGHT] + [(*s, offer) for s in BOUGHT for offer in RENTALS[s[1]]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(situation=st.sampled_from(SITUATIONS), profile=st.sampled_from(["flat", "chat", "coding"]),
       volume=st.floats(1e7, 3e11))
def test_the_hybrid_is_never_dearer_than_either_end(record, situation, profile, volume):
    # over bought and rented fleets alike
    model, gpu, precision, api, overflow, rent = situation
    sit, over = evaluation.situations(record, model, gpu, precision, api, overflow, rent)
    result = evaluation.evaluate(sit, over, evaluation.named_profile(record, profile), volume)
    ends = np.minimum(result["all_api_usd_per_month"], result["all_selfhost_usd_per_month"])
    assert np.all(result["hybrid_usd_per_month"] <= ends * (1 + 1e-12))
    assert np.all(result["owned_replicas"] <= result["all_selfhost_replicas"])
    assert np.all((result["in_house_share"] >= 0) & (result["in_house_share"] <= 1))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(situation=st.sampled_from(SITUATIONS), volume=st.floats(1e8, 3e11),
       peak=st.floats(1.0, 4.0), extra=st.floats(0.0, 2.0), burst=st.floats(1.0, 3.0))
def test_a_peakier_profile_never_lowers_the_all_selfhost_cost(record, situation, volume, peak, extra, burst):
    model, gpu, precision, api, _, rent = situation
    sit, _ = evaluation.situations(record, model, gpu, precision, api, None, rent)

    def selfhost(p):
        load = hybrid.weekly_profile(np.full(3, p), np.full(3, 0.5 if p > 1 else 1.0), np.ones(3))
        profile = evaluation.Profile("test", load, np.full(3, burst), "test")
        return evaluation.evaluate(sit, sit, profile, volume)["all_selfhost_usd_per_month"]

    assert np.all(selfhost(peak + extra) >= selfhost(peak) * (1 - 1e-12))


def test_on_a_flat_profile_the_hybrid_is_one_of_the_ends(record):
    # With the same load every hour a replica is full or idle alike: owning part of the fleet never beats both
    # ends (a partial fleet sends a fixed share of every hour out, at the same per-token price as all-API).
    for rent in (None, "runpod-h100-1x", "aws-p5-48xlarge-3yr"):
        sit, over = evaluation.situations(record, "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4", None,
                                          rent)
        for volume in (1e9, 5e9, 2e10, 1e11, 3e11):
            result = evaluation.evaluate(sit, over, evaluation.named_profile(record, "flat"), volume)
            ends = np.minimum(result["all_api_usd_per_month"], result["all_selfhost_usd_per_month"])
            assert result["hybrid_usd_per_month"] == pytest.approx(ends, rel=1e-12)


def test_a_rented_hybrid_by_hand(record):
    # Renting keeps no spares and pays the GPU-hour around the clock: the curve's first owned count costs
    # usd_per_gpu_hour x hours x GPUs per replica plus the operating lines of spine.rented_fleet_usd_per_month,
    # and the all-self-host end is the spine's rent bill.
    sit, over = evaluation.situations(record, "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4",
                                      "novita-llama-4-maverick", "aws-p5-48xlarge-3yr")
    result = evaluation.evaluate(sit, over, evaluation.named_profile(record, "chat"), 1e11)
    values = spine.case_values(sit)
    monthly = spine.evaluate(sit, {**values, "peak_to_average": result["peak_to_average"]}, [1e11])
    np.testing.assert_array_equal(result["all_selfhost_usd_per_month"], monthly["rent_usd_per_month"][:, 0])
    assert np.all(result["gpus_per_replica"] == 8)  # the p5.48xlarge is rented whole
    one = spine.rented_fleet_usd_per_month(values, result["gpus_per_replica"])
    # 8 GPUs x $2.97216 x 730 h = $17,357.41 of GPUs in the base case (hours_per_month 730)
    assert one["gpus"][1] == pytest.approx(8 * 2.97216 * 730)
    owned_one = sum(one[name] for name in spine.LINES["rent"])
    hourly = result["replica_tokens_per_hour"][1]
    load = 1e11 / 730 * evaluation.named_profile(record, "chat").load[1]
    overflow = np.maximum(0.0, load - hourly).sum() * 730 / load.size
    price = spine.evaluate(over, values, [1e11])["api_usd_per_token"][1]
    assert result["curve_usd_per_month"][1, 1] == pytest.approx(owned_one[1] + overflow * price, rel=1e-12)


def test_scenario_one_at_the_guides_fifty_thousand(record):
    # GPT-5.4 at $50K a month is 12.0B tokens; with 20% of them kept on GPT-5.4 the rest fits one 6-GPU replica of
    # Maverick on H100s (chat traffic): the bill is 39% below API-only in the base case.
    sit, over = evaluation.situations(record, "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4", None)
    price = float(evaluation.spine.evaluate(sit, evaluation.spine.case_values(sit), [1e9])["api_usd_per_token"][1])
    result = evaluation.evaluate(sit, over, evaluation.named_profile(record, "chat"), 50_000 / price, 0.2)
    assert (result["owned_replicas"][1], result["gpus_per_replica"][1]) == (1, 6)
    assert result["in_house_share"][1] == pytest.approx(0.8)
    assert round(float(result["saving_vs_api"][1]), 2) == 0.39


def test_a_traffic_file_is_checked_and_every_problem_named(tmp_path):
    path = tmp_path / "load.csv"
    path.write_text("hour,relative_load\n0,1\n1,x\n1,2\n200,1\n2,-1\n", encoding="utf-8")
    with pytest.raises(evaluation.TrafficError) as err:
        evaluation.profile_from_file(path)
    assert str(err.value).splitlines() == [
        f"{path}, line 3, column 'relative_load': value 'x' is not a number >= 0",
        f"{path}, line 5, column 'hour': value '200' is not an hour of a week (0-167)",
        f"{path}, line 6, column 'relative_load': value '-1' is not a number >= 0"]
    path.write_text("hour,relative_load\n" + "".join(f"{h},{1 + (h >= 12)}\n" for h in range(24)), encoding="utf-8")
    day = evaluation.profile_from_file(path)
    # 12 hours at 1 and 12 at 2: mean 1.5, so 2/3 and 4/3 of the mean; no burst headroom beyond the file's hours
    assert day.load[1].tolist() == pytest.approx([2 / 3] * 12 + [4 / 3] * 12)
    assert day.peak_to_average.tolist() == pytest.approx([4 / 3] * 3)
    path.write_text("hour,relative_load\n0,1\n5,1\n", encoding="utf-8")
    with pytest.raises(evaluation.TrafficError, match=r"hours 1, 2, 3, 4, 6, 7, 8, 9 and 14 more are missing"):
        evaluation.profile_from_file(path)
    path.write_text("when,load\n0,1\n", encoding="utf-8")
    with pytest.raises(evaluation.TrafficError, match=r"line 1: expected the header 'hour,relative_load', got "
                                                      r"'when,load'"):
        evaluation.profile_from_file(path)


def test_an_unknown_profile_lists_the_named_ones(record):
    with pytest.raises(evaluation.TrafficError, match="unknown traffic profile 'bursty': the profiles are chat, "
                                                      "coding, flat, or give a CSV file"):
        evaluation.profile(record, "bursty")


def test_a_sampled_hybrid_keeps_its_properties_draw_by_draw(record):
    # 2,000 draws of every input and of the chat profile's four figures, at 100B tokens: in every draw the hybrid
    # costs no more than either end and owns no more than the whole fleet; the profile's draws stay in their ranges.
    from analysis.evaluation import uncertainty

    sit, over = evaluation.situations(record, "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4",
                                      "novita-llama-4-maverick")
    load = evaluation.sampled_profile(record, "chat", 2000, 3)
    rows = record["traffic_profiles"]["chat"]
    assert np.all((load.load.max(axis=1) >= rows["peak_over_mean"]["low"] - 1e-9)
                  & (load.load.max(axis=1) <= rows["peak_over_mean"]["high"] + 1e-9))
    result = evaluation.evaluate(sit, over, load, 1e11, 0.0, uncertainty.sample_inputs(sit, 2000, 4))
    ends = np.minimum(result["all_api_usd_per_month"], result["all_selfhost_usd_per_month"])
    assert np.all(result["hybrid_usd_per_month"] <= ends * (1 + 1e-12))
    assert np.all(result["owned_replicas"] <= result["all_selfhost_replicas"])
