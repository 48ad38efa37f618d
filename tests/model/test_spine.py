"""The one evaluation spine: hand-worked throughput and break-even, coherent cases, fixed costs that scale."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from oracles import search_breakeven_tokens_per_month

from analysis.evaluation import lookups, resolve, scenarios, verdicts
from analysis.model import breakeven, spine, throughput

# --- throughput bound, by hand ---------------------------------------------------------------------------------

def test_decode_bound_by_hand():
    # 70B dense at 8 bits on 1 GPU of 3.35 TB/s and 1,979 TFLOPS; 10 GB of KV budget; 100 B of KV per token;
    # no prompt, 1,000 output tokens: mean context 500 tokens, so b = floor(10e9 / (100 x 500)) = 200,000
    # sequences, capped at 100 here. Per output token: weights 70e9 B / 100 = 0.7e9 B plus 500 x 100 B of KV
    # = 0.70005e9 B -> 0.70005e9 / 3.35e12 = 2.0897e-4 s; FLOPs 2 x 70e9 = 1.4e11 / 1.979e15 = 7.07e-5 s.
    # Memory-bound: 1 / 2.0897e-4 = 4,785.4 output tokens/s.
    rate = throughput.bound_output_tokens_per_s(10.0, 70.0, 70.0, 8.0, 100.0, 0.0, 1000.0, 3.35, 1979.0, 100)
    assert float(rate) == pytest.approx(1 / ((70e9 / 100 + 500 * 100) / 3.35e12), rel=1e-12)
    assert float(rate) == pytest.approx(4785.4, abs=0.1)


def test_prefill_heavy_requests_are_compute_bound():
    # 10,000 prompt tokens per 10 output tokens: FLOPs per output token 2 x 70e9 x 10,010 / 10 = 1.4014e14,
    # / 1.979e15 = 0.070814 s -> 14.12 tokens/s. Memory per output token: 70e9 / b + 10,005 x 100 B, far less.
    rate = throughput.bound_output_tokens_per_s(10.0, 70.0, 70.0, 8.0, 100.0, 10_000.0, 10.0, 3.35, 1979.0, 100)
    assert float(rate) == pytest.approx(1979e12 / (2 * 70e9 * 10_010 / 10), rel=1e-12)


def test_moe_reads_only_the_experts_its_batch_touches():
    # 400B total, 17B active, batch 2: the step reads min(400, 2 x 17) = 34B parameters, 17B per token.
    dense = throughput.bound_output_tokens_per_s(1000.0, 400.0, 400.0, 8.0, 1.0, 0.0, 2.0, 3.35, 1e9, 2)
    moe = throughput.bound_output_tokens_per_s(1000.0, 400.0, 17.0, 8.0, 1.0, 0.0, 2.0, 3.35, 1e9, 2)
    assert float(moe / dense) == pytest.approx((400e9 / 2 + 1) / (34e9 / 2 + 1), rel=1e-9)


def test_a_speed_target_caps_the_batch_by_hand():
    # Llama-3.3-70B-like at 8 bits on one H100-like GPU (3.35 TB/s, 1,979 TFLOPS), KV 327,680 bytes a token,
    # 1,000 prompt + 200 output tokens, engine efficiency 0.5, 20 tokens/s promised: each step may take
    # T = 0.5 / 20 = 0.025 s.
    # compute: 0.025 x 1.979e15 / (2 x 70e9 x 1,200 / 200 = 8.4e11) = 58.9 sequences;
    # memory: context 1,100 tokens x 327,680 = 3.60448e8 bytes; the batch reads all weights (dense), so
    # (0.025 x 3.35e12 - 70e9) / 3.60448e8 = 1.375e10 / 3.60448e8 = 38.1 -> 38.
    args = (0.5, 70.0, 70.0, 8.0, 327_680.0, 1000.0, 200.0, 3.35, 1979.0)
    assert float(throughput.speed_batch_limit(20.0, *args)) == 38
    # at 38 each sequence gets 0.5 x bound(38) / 38 >= 20 tokens/s; at 39 it would not
    per_user = [0.5 * float(throughput.bound_output_tokens_per_s(1e6, 70.0, 70.0, 8.0, 327_680.0, 1000.0, 200.0,
                                                                 3.35, 1979.0, b)) / b for b in (38, 39)]
    assert per_user[0] >= 20 > per_user[1]
    assert float(throughput.speed_batch_limit(0.0, *args)) == math.inf  # no promise, no cap
    assert float(throughput.speed_batch_limit(1000.0, *args)) == 0  # not even one sequence is that fast
    # A mixture of experts (400B total, 17B active, 1 byte each), 10 tokens/s at efficiency 1: T = 0.1 s; a batch
    # of b reads 17e9 x b bytes of weights while b < 400 / 17 = 23.5: b <= 0.1 x 3.35e12 / (17e9 + 1e5) = 19.7
    assert float(throughput.speed_batch_limit(10.0, 1.0, 400.0, 17.0, 8.0, 1e5, 0.0, 2.0, 3.35, 1e9)) == 19


def test_cached_prompts_are_not_computed_again():
    # Half the prompt found in the cache halves the prompt's FLOPs: with a prompt of 10,000 tokens and 10 output
    # tokens, compute-bound, the bound rises by (10,000 + 10) / (5,000 + 10) = 1.998.
    full = float(throughput.bound_output_tokens_per_s(10.0, 70.0, 70.0, 8.0, 100.0, 10_000.0, 10.0, 3.35, 1979.0, 100))
    half = float(throughput.bound_output_tokens_per_s(10.0, 70.0, 70.0, 8.0, 100.0, 10_000.0, 10.0, 3.35, 1979.0, 100,
                                                      0.5))
    assert half / full == pytest.approx(10_010 / 5_010)


def test_no_memory_left_means_no_throughput():
    assert float(throughput.bound_output_tokens_per_s(-5.0, 70.0, 70.0, 8.0, 100.0, 0.0, 100.0, 3.35, 1979.0)) == 0


def test_every_benchmark_is_below_its_bound(dataset):
    cal = lookups.calibration(dataset)
    assert (cal["measured_output_tokens_per_s"] <= cal["bound_output_tokens_per_s"]).all()


# --- break-even with whole spares -------------------------------------------------------------------------------

SEARCH_LIMIT = 100_000  # replica counts 1 .. SEARCH_LIMIT - 1 are tried


def _brute_force(a, fixed, unit, cap, p, s, limit=SEARCH_LIMIT):
    """The search the closed form must agree with (:func:`oracles.search_breakeven_tokens_per_month`)."""
    return search_breakeven_tokens_per_month(a, fixed, unit, cap, p, s, limit)


def test_breakeven_with_spares_by_hand():
    # a = $1e-6 per token, capacity 1e9 tokens a replica: a replica earns $1,000 against $600 of its own
    # cost; fixed $1,000; a $100 spare for every 4 replicas (s = 0.25). n = 3: 3,000 >= 1,000 + 1,800 + 100.
    # n = 2 is short: 2,000 < 1,000 + 1,200 + 100. V = 2,900 / 1e-6 = 2.9e9 tokens (inside step 3).
    volume, margin = breakeven.breakeven_with_spares(1e-6, 1000.0, 600.0, 1e9, 100.0, 0.25)
    assert float(volume) == pytest.approx(2.9e9)
    assert float(margin) == pytest.approx((1000 - 600 - 25) / (600 + 25))


@pytest.mark.slow  # a brute-force search per example
@settings(max_examples=200, deadline=None)
@given(a=st.floats(1e-7, 1e-5), fixed=st.floats(0, 2e4), unit=st.floats(10, 5e3), cap=st.floats(1e7, 1e10),
       p=st.floats(0, 3e3), s=st.sampled_from([0.0, 0.05, 0.0625, 0.125, 0.5, 1.0]))
def test_breakeven_with_spares_matches_a_search(a, fixed, unit, cap, p, s):
    # A replica that nets zero up to the last bit (a x cap = unit, as 1e-5 x 1e7 = 100 does in decimals) is a tie
    # the two sums may round either way: the search reads (a x n) x cap, the closed form a x cap - unit. Hypothesis
    # found a = 9.999999999999999e-06, cap = 1e7, unit = 100: never in closed form, 3 replicas in the search.
    assume(abs(a * cap - unit - p * s) > 1e-9 * (unit + p * s))
    volume, _ = breakeven.breakeven_with_spares(a, fixed, unit, cap, p, s)
    expected = _brute_force(a, fixed, unit, cap, p, s)
    if math.isinf(expected):
        # No count inside the search breaks even, so the answer needs at least SEARCH_LIMIT replicas: past
        # (SEARCH_LIMIT - 1) x cap tokens, or never. E.g. a = 1.0176e-6, cap = 1e7, unit = $10, F = $17,625:
        # a replica nets 10.176 - 10 = $0.176, and 17,625 / 0.176 = 100,004 replicas, about 1.0e12 tokens.
        assert float(volume) >= (SEARCH_LIMIT - 1) * cap
    else:
        assert float(volume) == pytest.approx(expected, rel=1e-9)


def test_a_replica_that_cannot_pay_for_its_spares_never_breaks_even():
    # A replica earns 1e-6 x 1e9 = $1,000 against its own $950, but every 4 replicas keep a $400 spare: $100 a
    # replica more, so each one loses $50 and no fleet ever pays (the margin is -50 / (950 + 100)).
    volume, margin = breakeven.breakeven_with_spares(1e-6, 1000.0, 950.0, 1e9, 400.0, 0.25)
    assert math.isinf(float(volume)) and float(margin) == pytest.approx(-50 / 1050)


def test_an_on_call_floor_by_hand():
    # Fixed $1,000, $600 a replica of which $100 is engineering, a $3,000 floor excess (say $12,500 a month x (0.5 -
    # 0.26) engineers): C(n) = 1,000 + 600 n + max(0, 3,000 - 100 n). A replica earns $1,000 (a = 1e-6, cap 1e9).
    # n = 7: 7,000 < 1,000 + 4,200 + 2,300 = 7,500; n = 8: 8,000 >= 1,000 + 4,800 + 2,200 = 8,000, so
    # V = max(8,000 / 1e-6, 7 x 1e9) = 8e9 tokens. Without the floor: ceil(1,000 / 400) = 3 replicas, V = 2.8e9.
    volume, _ = breakeven.breakeven_with_spares(1e-6, 1000.0, 600.0, 1e9, 0.0, 0.0, 3000.0, 100.0)
    assert float(volume) == pytest.approx(8e9)
    assert float(breakeven.breakeven_with_spares(1e-6, 1000.0, 600.0, 1e9)[0]) == pytest.approx(2.8e9)
    # A floor below the allocation (Q < 0) changes nothing.
    assert float(breakeven.breakeven_with_spares(1e-6, 1000.0, 600.0, 1e9, 0.0, 0.0, -500.0, 100.0)[0]) == \
        pytest.approx(2.8e9)


@pytest.mark.slow  # a brute-force search per example
@settings(max_examples=200, deadline=None)
@given(a=st.floats(1e-7, 1e-5), fixed=st.floats(0, 2e4), unit=st.floats(10, 5e3), cap=st.floats(1e7, 1e10),
       p=st.floats(0, 3e3), s=st.sampled_from([0.0, 0.0875, 0.125]), q=st.floats(-5e3, 3e4),
       w=st.floats(0, 2e3))
def test_an_on_call_floor_matches_a_search(a, fixed, unit, cap, p, s, q, w):
    assume(abs(a * cap - unit - p * s) > 1e-9 * (unit + p * s))
    volume, _ = breakeven.breakeven_with_spares(a, fixed, unit, cap, p, s, q, w)
    expected = search_breakeven_tokens_per_month(a, fixed, unit, cap, p, s, SEARCH_LIMIT, q, w)
    if math.isinf(expected):
        assert float(volume) >= (SEARCH_LIMIT - 1) * cap
    else:
        assert float(volume) == pytest.approx(expected, rel=1e-9)


def test_a_break_even_past_the_search_is_found_in_closed_form():
    # The example hypothesis found beyond the brute-force window: 17,625 / (1.0176244030615358e-6 x 1e7 - 10)
    # = 100,003.4, so 100,004 replicas and V = (17,625 + 10 x 100,004) / a, inside that replica's step.
    a, fixed, unit, cap = 1.0176244030615358e-06, 17625.0, 10.0, 1e7
    volume, _ = breakeven.breakeven_with_spares(a, fixed, unit, cap, 0.0, 0.0)
    n = math.ceil(fixed / (a * cap - unit))
    assert n == 100_004 and math.isinf(_brute_force(a, fixed, unit, cap, 0.0, 0.0))
    assert float(volume) == pytest.approx((fixed + unit * n) / a, rel=1e-12)
    assert (n - 1) * cap < float(volume) <= n * cap


def test_without_spares_it_is_the_plain_search():
    args = (np.array([2e-6, 5e-6]), np.array([4000.0, 9000.0]), np.array([1500.0, 800.0]), np.array([1e9, 3e8]))
    volume, _ = breakeven.breakeven_with_spares(*args)
    np.testing.assert_allclose(volume, [_brute_force(*row, 0.0, 0.0) for row in zip(*args, strict=True)], rtol=1e-12)


def test_spares_are_whole_and_ignore_the_last_bit():
    # 0.05 x 20 = 1.0000000000000002 in binary; still one spare, not two.
    assert spine.spares_needed(20, 0.05) == 1
    np.testing.assert_array_equal(spine.spares_needed([1, 8, 9, 65], 0.125), [1, 1, 2, 9])


# --- the cases ----------------------------------------------------------------------------------------------------

def test_replicas_are_chosen_by_cost(dataset):
    # The case: with the smallest replica that fits, favourable memory settings picked 2 A100s with no
    # room for KV cache and cost three times the base. Choosing the cheapest replica keeps the cases in order.
    result = scenarios.compare(dataset, "llama-3.3-70b", "a100-80gb-sxm", "fp16", "together-llama-3.3-70b",
                               np.array([5e10]), output_share=0.5)
    cost = result.table.set_index("case")["buy_usd_per_month"]
    assert cost["favourable"] <= cost["base"] <= cost["unfavourable"]
    assert result.table.set_index("case").at["favourable", "gpus_per_replica"] == 4


def test_fixed_costs_grow_with_the_fleet(dataset):
    result = scenarios.compare(dataset, "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4",
                               np.array([1e9, 1e12, 1e14]))
    base = result.table[result.table["case"] == "base"].set_index("tokens_per_month")
    small, large = base.loc[1e9], base.loc[1e12]
    # base spare share (0.05 + 0.125) / 2 = 0.0875: one spare for 8 GPUs; ceil(0.0875 x serving) at scale
    assert small["spare_gpus"] == 1
    assert large["spare_gpus"] == math.ceil(round((large["gpus"] - large["spare_gpus"]) * 0.0875, 9))
    # engineers: 0.25 of one, plus serving GPUs / 170.5 (midpoint of 85 and 256)
    assert large["engineers"] == pytest.approx(0.25 + (large["gpus"] - large["spare_gpus"]) / 170.5)
    # so the cost per token levels off at a floor instead of falling forever: 1e14 tokens cost at least
    # 95% as much per token as 1e12 (fixed costs spread thinner, but spares and engineers keep pace)
    per_token = base["buy_usd_per_month"] / base.index
    assert per_token[1e14] >= 0.95 * per_token[1e12] > 0


MODELS = ["llama-3.3-70b", "llama-4-maverick", "llama-4-scout", "deepseek-v4-flash", "qwen3-235b-a22b",
          "mistral-large-2", "qwen3-30b-a3b", "llama-3.1-8b", "deepseek-v4-pro", "llama-2-70b"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model=st.sampled_from(MODELS), gpu=st.sampled_from(["h100-sxm", "a100-80gb-sxm", "rtx-4090"]),
       precision=st.sampled_from(["fp16", "fp8", "int4"]), exponent=st.floats(6, 15),
       share=st.sampled_from([None, 0.1, 0.5, 0.9]))
def test_cases_are_coherent_everywhere(dataset, model, gpu, precision, exponent, share):
    result = scenarios.compare(dataset, model, gpu, precision, "openai-gpt-5.4", np.array([10.0**exponent]),
                               output_share=share)
    table = result.table.set_index("case")
    savings = table["buy_savings_usd_per_month"]
    assert savings["favourable"] >= savings["base"] - 1e-6 >= savings["unfavourable"] - 2e-6
    if share is not None:  # with the mix pinned the API bill is the same in every case: so is the ordering
        cost = table["buy_usd_per_month"].replace(np.inf, 1e300)
        assert cost["favourable"] <= cost["base"] + 1e-6 <= cost["unfavourable"] + 2e-6


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model=st.sampled_from(MODELS), exponent=st.floats(6, 15), which=st.integers(0, 40),
       towards=st.floats(0, 1))
def test_moving_an_input_towards_its_favourable_end_never_raises_the_cost(dataset, model, exponent, which,
                                                                           towards):
    sit = resolve.situation(lookups.record(dataset), model, "h100-sxm", "fp8", "openai-gpt-5.4", output_share=0.5)
    item = sit.inputs[which % len(sit.inputs)]
    favourable = item.case_values()[0]
    values = spine.base_values(sit)
    moved = dict(values)
    moved[item.name] = np.array([item.base + towards * (favourable - item.base)])
    if item.unit in spine.WHOLE_UNITS:
        moved[item.name] = np.floor(moved[item.name]) if favourable < item.base else np.ceil(moved[item.name])
    volume = [10.0**exponent]
    before = spine.evaluate(sit, values, volume)["buy_usd_per_month"][0, 0]
    after = spine.evaluate(sit, moved, volume)["buy_usd_per_month"][0, 0]
    assert after <= before * (1 + 1e-12) or np.isinf(before)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model=st.sampled_from(MODELS), gpu=st.sampled_from(["h100-sxm", "a100-80gb-sxm"]),
       precision=st.sampled_from(["fp16", "fp8", "int4"]), exponent=st.floats(6, 13),
       speeds=st.lists(st.floats(0, 200), min_size=2, max_size=2))
def test_a_stricter_speed_target_never_lowers_the_cost(dataset, model, gpu, precision, exponent, speeds):
    rent = {"h100-sxm": "lambda-h100-8x", "a100-80gb-sxm": "runpod-a100-1x"}[gpu]
    sit = resolve.situation(lookups.record(dataset), model, gpu, precision, "openai-gpt-5.4", rent)
    values = {k: np.repeat(v, 2) for k, v in spine.base_values(sit).items()}
    values[spine.SPEED_TARGET] = np.sort(speeds)  # lenient first
    out = spine.evaluate(sit, values, [10.0**exponent])
    for key in ("buy_usd_per_month", "rent_usd_per_month"):
        lenient, strict = out[key][:, 0]
        assert strict >= lenient * (1 - 1e-12)
    for key in ("buy_breakeven_tokens_per_month", "rent_breakeven_tokens_per_month"):
        lenient, strict = out[key]
        assert strict >= lenient * (1 - 1e-12)


def test_a_replica_may_span_nodes_when_that_is_cheaper(dataset):
    # The review's case: DeepSeek V4 Pro at FP16 on A100s against GPT-5.4 at 2B tokens a month. Its base case was
    # stuck at one 8-GPU node when the unfavourable case, forced to 16 GPUs, cost less. Replicas of whole nodes are
    # now candidates in every case, so the cases keep their order.
    result = scenarios.compare(dataset, "deepseek-v4-pro", "a100-80gb-sxm", "fp16", "openai-gpt-5.4",
                               np.array([2e9]), output_share=0.5)
    cost = result.table.set_index("case")["buy_usd_per_month"]
    assert cost["favourable"] <= cost["base"] <= cost["unfavourable"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model=st.sampled_from(MODELS), gpu=st.sampled_from(["h100-sxm", "a100-80gb-sxm", "rtx-4090"]),
       precision=st.sampled_from(["fp16", "fp8", "int4"]), exponent=st.floats(6, 15),
       api=st.sampled_from(["openai-gpt-5.4", "deepseek-v4-flash", "together-llama-3.3-70b"]))
def test_cases_are_ordered_for_rentals_and_multi_node_systems_too(dataset, model, gpu, precision, exponent, api):
    # The mix pinned (its direction is decided per comparison): every other input at its favourable end never
    # costs more than at its base, nor the base more than the unfavourable end, bought or rented, whatever size of
    # replica (one GPU to eight nodes) each case picks.
    rent = {"h100-sxm": "lambda-h100-8x", "a100-80gb-sxm": "runpod-a100-1x", "rtx-4090": None}[gpu]
    sit = resolve.situation(lookups.record(dataset), model, gpu, precision, api, rent, output_share=0.3)
    out = resolve.cases(sit, [10.0**exponent]).outputs
    for key in ("buy_usd_per_month", "rent_usd_per_month"):
        if key in out:
            cost = np.where(np.isfinite(out[key][:, 0]), out[key][:, 0], 1e300)
            assert cost[0] <= cost[1] * (1 + 1e-12) and cost[1] <= cost[2] * (1 + 1e-12), (key, cost)
    for key in ("buy_breakeven_tokens_per_month", "rent_breakeven_tokens_per_month"):
        if key in out:
            be = out[key]
            assert be[0] <= be[1] * (1 + 1e-12) and be[1] <= be[2] * (1 + 1e-12), (key, be)


def test_a_thin_margin_is_reported_as_fragile():
    assert resolve.fragility(np.array([1e9, 2e9, 2.5e9]), np.array([0.5, 0.13, 0.1]), 0.25, 3) == \
        "one more replica saves only 13% of its own cost beyond paying for itself"
    assert resolve.fragility(np.array([1e9, 2e9, np.inf]), np.array([0.9, 0.5, np.nan]), 0.25, 3) == \
        "a case never breaks even"
    spread = resolve.fragility(np.array([1e9, 2e9, 4e9]), np.array([0.9, 0.5, 0.3]), 0.25, 3)
    assert spread == "the stress ends span 4.0x"
    assert resolve.fragility(np.array([1e9, 2e9, 2.5e9]), np.array([0.9, 0.5, 0.3]), 0.25, 3) == ""
    assert resolve.fragility(np.full(3, np.inf), np.full(3, np.nan), 0.25, 3) == ""  # never in every case is firm


def test_memory_verdicts_near_the_line_are_tight():
    # 150 GB usable: 151 GB is 0.7% over (tight at a 5% margin), 160 GB is 6.7% over (impossible).
    assert verdicts.memory_verdict(151.0, 150.0, 0.05) == verdicts.TIGHT
    assert verdicts.memory_verdict(160.0, 150.0, 0.05) == verdicts.IMPOSSIBLE
    assert verdicts.memory_verdict(140.0, 150.0, 0.05) == verdicts.REPRODUCED


def test_calibrate_command_backtests_every_benchmark(capsys):
    import json

    from analysis.commands.cli import main

    assert main(["calibrate", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["benchmarks"]
    assert len(rows) == 15
    assert {r["efficiency_class"] for r in rows} == {"dense/tuned", "moe/tuned", "dense/default"}
    medians = {c: float(np.median([r["efficiency"] for r in rows if r["efficiency_class"] == c]))
               for c in {r["efficiency_class"] for r in rows}}
    for r in rows:
        assert r["measured_output_tokens_per_s"] <= r["bound_output_tokens_per_s"]  # no engine beats the roofline
        assert r["input_tokens"] >= 1  # every benchmark is calibrated at its own prompt length, never none
        # deployed at its own efficiency the model gives the measured rate; at its class's median, the rate
        # scales by median / own efficiency (the rate is linear in the efficiency)
        assert r["backtest_ratio"] == pytest.approx(1, abs=0.02)
        assert r["predicted_ratio"] == pytest.approx(medians[r["efficiency_class"]] / r["efficiency"], rel=1e-9)
    first = rows[0]
    assert first["efficiency"] == pytest.approx(first["measured_output_tokens_per_s"]
                                                / first["deployed_output_tokens_per_s"])


def test_memory_is_converted_from_the_vendor_unit_once(dataset):
    gpus = dataset["gpus"].set_index("gpu_id")
    # 80 GiB = 80 x 2^30 bytes = 85.899 GB; the L4's 24 GB are decimal.
    assert gpus.at["h100-sxm", "memory_gb"] == pytest.approx(80 * 2**30 / 1e9)
    assert gpus.at["l4", "memory_gb"] == 24.0


# --- each bill by line ------------------------------------------------------------------------------------------


def test_the_lines_of_a_bill_by_hand(dataset):
    # Llama 3.3 70B at FP8 on H100s against GPT-5.4, 2B tokens a month, base case: 2 serving GPUs and no spare (a
    # fleet keeps spares from 4.5 serving GPUs on, the 1-8 midpoint of spare_min_serving_gpus).
    sit = resolve.situation(lookups.record(dataset), "llama-3.3-70b", "h100-sxm", "fp8", "openai-gpt-5.4")
    out = resolve.cases(sit, [2e9]).outputs
    line = {name: out[spine.line_key("buy", name)][1, 0] for name in spine.LINES["buy"]}
    assert out["gpus"][1, 0] == 2 and out["spare_gpus"][1, 0] == 0
    # API: 2,000 million tokens, 17.55% output (the 1.3%-33.8% midpoint), 28.15% of input cached (0-56.3%):
    # input 2,000 x 0.8245 x 0.7185 x $2.50 = 2,962.02; cached 2,000 x 0.8245 x 0.2815 x $0.25 = 116.05;
    # output 2,000 x 0.1755 x $15.00 = 5,265
    assert [out[spine.line_key("api", n)][1, 0] for n in spine.LINES["api"]] == pytest.approx(
        [2_962.01625, 116.048375, 5_265])
    # owning one $30,000 GPU (the 25,000-35,000 midpoint) over 48 months (36-60), 10% resale, 4% capital a year:
    # 30,000 x 0.9 / 48 + 30,000 x 1.1 / 2 x 0.04 / 12 = 562.5 + 55 = 617.5 a GPU, 1,235 for two
    assert line["gpus"] == pytest.approx(1_235)
    # its $6,250 server share (3,750-8,750), owned the same way: 6,250 x 0.9 / 48 + 6,250 x 1.1 / 2 x 0.04 / 12
    # = 117.1875 + 11.4583 = 128.6458 a GPU
    assert line["servers"] == pytest.approx(2 * (117.1875 + 6_250 * 1.1 / 2 * 0.04 / 12))
    # power: 700 W x 1.9 (server) x 1.44 (PUE) x 730 h / 1,000 x $0.1077/kWh = 150.575 a GPU, 301.15 for two
    assert line["power"] == pytest.approx(2 * 700 * 1.9 * 1.44 * 730 / 1000 * 0.1077)
    # colocation: 700 W x 1.9 = 1.33 kW of IT load x $173.75 per kW-month (163.44-184.06) = 231.09 a GPU
    assert line["facility"] == pytest.approx(2 * 1.33 * 173.75)
    assert line["spares"] == 0
    # Maverick on 6 serving H100s keeps ceil(6 x 0.0875) = 1 spare, with its server share, power and colocation:
    # 617.5 + 128.645833 + 150.575 + 231.0875 a month
    maverick = resolve.situation(lookups.record(dataset), "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4")
    spare = resolve.cases(maverick, [2e9]).outputs
    assert spare["spare_gpus"][1, 0] == 1
    assert spare[spine.line_key("buy", "spares")][1, 0] == pytest.approx(617.5 + 128.645833 + 150.575 + 231.0875,
                                                                          rel=1e-6)
    # engineers: $200,000 / 12 x max(0.625 on call, 0.25 + 2 / 170.5): the floor holds
    assert line["engineers"] == pytest.approx(200_000 / 12 * 0.625)
    # downtime: $50,000 at risk x (0.999 - 0.97); networking and monitoring at their midpoints
    assert (line["downtime"], line["networking_storage"], line["monitoring"]) == pytest.approx((1_450, 350, 200))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model=st.sampled_from(MODELS), gpu=st.sampled_from(["h100-sxm", "a100-80gb-sxm", "rtx-4090"]),
       precision=st.sampled_from(["fp16", "fp8", "int4"]), exponent=st.floats(6, 15),
       api=st.sampled_from(["openai-gpt-5.4", "deepseek-v4-flash", "together-llama-3.3-70b"]))
def test_the_lines_add_up_to_their_bill(dataset, model, gpu, precision, exponent, api):
    rent = {"h100-sxm": "lambda-h100-8x", "a100-80gb-sxm": "runpod-a100-1x", "rtx-4090": None}[gpu]
    sit = resolve.situation(lookups.record(dataset), model, gpu, precision, api, rent)
    out = resolve.cases(sit, [10.0**exponent, 3 * 10.0**exponent]).outputs
    for option, total in (("api", "api_usd_per_month"), ("buy", "buy_usd_per_month"), ("rent", "rent_usd_per_month")):
        if total not in out:
            continue
        summed = sum(out[spine.line_key(option, name)] for name in spine.LINES[option])
        served = np.isfinite(out[total])
        np.testing.assert_allclose(summed[served], out[total][served], rtol=1e-12)
        assert all((out[spine.line_key(option, name)][served] >= 0).all() for name in spine.LINES[option])


def test_a_fleet_chosen_by_the_caller_is_priced_by_the_same_lines(dataset):
    # The fleet evaluate chose, priced again by fleet_usd_per_month: the same lines to the last bit.
    sit = resolve.situation(lookups.record(dataset), "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4")
    values = spine.case_values(sit)
    out = spine.evaluate(sit, values, [5e9])
    serving = out["gpus"][:, 0] - out["spare_gpus"][:, 0]
    fleet = spine.fleet_usd_per_month(values, sit.constants["tdp_watts"], serving, out["spare_gpus"][:, 0])
    for name in spine.LINES["buy"]:
        np.testing.assert_array_equal(fleet[name], out[spine.line_key("buy", name)][:, 0])


def test_a_line_that_is_not_there_is_named():
    with pytest.raises(KeyError, match=r"rent bills have no line 'power' \(lines: gpus, engineers, downtime"):
        spine.line_key("rent", "power")


def test_a_small_fleet_keeps_no_whole_spare_by_rounding():
    # 5% of 1, 2 or 4 GPUs rounds up to a whole spare; from 4.5 serving GPUs on (spare_min_serving_gpus) it is kept.
    np.testing.assert_array_equal(spine.spares_needed([1, 2, 4, 5, 8, 21], 0.05, 4.5), [0, 0, 0, 1, 1, 2])
    np.testing.assert_array_equal(spine.spares_needed([1, 2], 0.05, 1), [1, 1])  # the guide's rule: always one


def test_spares_from_a_fleet_size_on_by_hand():
    # a = $1e-6 a token, 1e9 tokens a replica of 2 GPUs: a replica earns $1,000 against $600; fixed $1,000; a $500
    # spare for every 4 replicas (s = 0.25), kept from 3 replicas on (6 GPUs). n = 3: 3,000 >= 1,000 + 1,800 + 500
    # = 3,300? no; n = 4: 4,000 >= 1,000 + 2,400 + 500 = 3,900, so V = 3,900 / 1e-6 = 3.9e9. With no spare until 5
    # replicas, n = 3 costs 1,000 + 1,800 = 2,800 <= 3,000 and V = 2.8e9.
    assert float(breakeven.breakeven_with_spares(1e-6, 1000.0, 600.0, 1e9, 500.0, 0.25, 0.0, 0.0, 3)[0]) == \
        pytest.approx(3.9e9)
    assert float(breakeven.breakeven_with_spares(1e-6, 1000.0, 600.0, 1e9, 500.0, 0.25, 0.0, 0.0, 5)[0]) == \
        pytest.approx(2.8e9)
