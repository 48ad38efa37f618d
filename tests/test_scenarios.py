"""The assembled model: calibration on measured benchmarks and a full comparison."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import scenarios


def test_case_values_orient_ranges():
    np.testing.assert_array_equal(scenarios.case_values(1, 3, +1), [3, 2, 1])
    np.testing.assert_array_equal(scenarios.case_values(1, 3, -1), [1, 2, 3])
    np.testing.assert_array_equal(scenarios.case_values(1, 3, 0), [2, 2, 2])


def test_every_assumption_has_a_direction(dataset):
    verdict_rows = set(dataset["assumptions"].query("category == 'verdict'")["name"])
    assert set(dataset["assumptions"]["name"]) - verdict_rows <= set(scenarios.DIRECTION)


def test_calibration_covers_every_benchmark(dataset):
    calib = scenarios.calibration(dataset)
    assert len(calib) == len(dataset["benchmarks"])
    assert (calib["efficiency"] > 0).all()
    # The roofline is an upper bound only for a perfect engine; tuned engines land near it.
    assert 0.5 < calib["efficiency"].median() < 1.5


def test_efficiency_cases_are_ordered(dataset):
    favourable, base, unfavourable = scenarios.efficiency_cases(dataset)
    assert favourable >= base >= unfavourable


def test_measured_system_uses_the_benchmark(dataset):
    system = scenarios.serving_system(dataset, "h100-sxm", "llama-4-maverick", "fp8")
    assert system.measured
    # TensorRT-LLM, 8 x H100, FP8, 1000/1000 tokens: 9,677 output tokens/s on 8 GPUs. The base case is the
    # same system and request shape (8 GPUs; 2,000 tokens x 0.5 output share), so it gets the measurement.
    assert system.gpus[1] == 8
    assert system.output_tokens_per_s[1] == pytest.approx(9_677, rel=1e-9)
    # The other cases move with their own memory and request shape, through the roofline.
    assert system.output_tokens_per_s[0] != pytest.approx(9_677, rel=0.01)


def test_a_measurement_on_other_gpu_counts_carries_over_through_the_roofline(dataset):
    # Llama 3.3 70B FP8 was measured on 1 x H200 only; a replica of H200s is rated at the roofline
    # times that run's efficiency (measured / roofline), whatever the replica's size.
    cal = scenarios.calibration(dataset).set_index("benchmark_id")
    efficiency = cal.at["trtllm-h200x1-llama33-70b-1k1k", "efficiency"]
    system = scenarios.serving_system(dataset, "h200-sxm", "llama-3.3-70b", "fp8")
    a = scenarios.assumption_cases(dataset)
    out_tokens = a["tokens_per_request"] * a["output_token_share"]
    roofline, _ = scenarios.roofline_tokens_per_s(dataset, "h200-sxm", "llama-3.3-70b", "fp8", system.gpus,
                                                  a["tokens_per_request"] - out_tokens, out_tokens)
    np.testing.assert_allclose(system.output_tokens_per_s, roofline * efficiency)
    assert system.measured


def test_comparison_against_gpt54(dataset):
    volumes = np.array([1e8, 1e9, 1e10])
    result = scenarios.compare(dataset, "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4", volumes,
                               "lambda-h100-8x")
    base = result.table[result.table["case"] == "base"]
    # base output share 0.5: 1B x (0.5 x 2.50 + 0.5 x 15.00) / 1e6 = $8,750
    assert base["api_usd_per_month"].tolist() == pytest.approx([875.0, 8_750.0, 87_500.0])
    # Maverick FP8 needs a full 8-GPU node whatever the volume up to 10B
    assert (base["gpus"] >= 8).all()
    assert (result.table["buy_usd_per_month"] > 0).all()
    be = result.breakeven.set_index("case")
    assert be.loc["favourable", "buy_breakeven_tokens_per_month"] <= be.loc["base", "buy_breakeven_tokens_per_month"]
    assert be.loc["base", "buy_breakeven_tokens_per_month"] <= be.loc["unfavourable", "buy_breakeven_tokens_per_month"]


def test_cheap_api_never_breaks_even_when_rented(dataset):
    result = scenarios.compare(dataset, "deepseek-v4-flash", "h100-sxm", "fp8", "deepseek-v4-flash",
                               np.array([1e9]), "lambda-h100-8x")
    rent = result.breakeven.set_index("case")["rent_breakeven_tokens_per_month"]
    # At DeepSeek's own prices renting never pays in the base and unfavourable cases; even the most
    # favourable one (prompt-heavy traffic, cheapest rent, fastest engine) needs over 100B tokens a month.
    assert np.isinf(rent["base"]) and np.isinf(rent["unfavourable"])
    assert rent["favourable"] > 1e11


def test_rental_offer_must_match_the_gpu(dataset):
    with pytest.raises(ValueError, match="rental_offer_id 'lambda-a100-8x' rents a100-80gb-sxm, not h100-sxm"):
        scenarios.compare(dataset, "llama-3.3-70b", "h100-sxm", "fp8", "openai-gpt-5.4", np.array([1e9]),
                          "lambda-a100-8x")


def test_output_share_direction_follows_the_apis_prices(dataset):
    volumes = np.array([1e9])
    # Together bills Llama 3.3 70B at one price for input and output: more output only slows the GPUs,
    # so the favourable case must hold the low output share (fixed orientation put it in the high end and
    # gave the favourable case a worse break-even than the unfavourable one).
    flat = scenarios.compare(dataset, "llama-3.3-70b", "h100-sxm", "fp8", "together-llama-3.3-70b", volumes)
    be = flat.breakeven.set_index("case")["buy_breakeven_tokens_per_month"]
    assert be["favourable"] <= be["base"] <= be["unfavourable"]
    fixed = scenarios.compare(dataset, "llama-3.3-70b", "h100-sxm", "fp8", "together-llama-3.3-70b", volumes,
                              orient=False).breakeven.set_index("case")["buy_breakeven_tokens_per_month"]
    assert fixed["favourable"] > fixed["unfavourable"]
    # GPT-5.4 charges six times more for output: a high output share favours self-hosting, as DIRECTION says.
    oriented = scenarios.oriented_for(dataset, "llama-3.3-70b", "h100-sxm", "fp8", "openai-gpt-5.4")
    assert oriented is dataset
