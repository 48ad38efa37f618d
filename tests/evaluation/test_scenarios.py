"""The assembled model: calibration on measured benchmarks and a full comparison."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analysis.evaluation import lifetime, lookups, resolve, scenarios
from analysis.model import spine


def test_case_values_orient_ranges():
    np.testing.assert_array_equal(spine.midpoint_cases(1, 3, +1), [3, 2, 1])
    np.testing.assert_array_equal(spine.midpoint_cases(1, 3, -1), [1, 2, 3])
    np.testing.assert_array_equal(spine.midpoint_cases(1, 3, 0), [2, 2, 2])


def test_every_assumption_has_a_direction(dataset):
    verdict_rows = set(dataset["assumptions"].query("category == 'verdict'")["name"])
    # the monthly model's inputs (resolve.DIRECTION) and the lifetime ones (evaluation.lifetime.FAVOURS)
    assert set(dataset["assumptions"]["name"]) - verdict_rows <= set(resolve.DIRECTION) | set(lifetime.FAVOURS)


def test_calibration_covers_every_benchmark_and_the_bound_bounds(dataset):
    calib = lookups.calibration(dataset)
    assert len(calib) == len(dataset["benchmarks"])
    # The roofline at its most generous is an upper bound: no measured system beats it.
    assert (calib["measured_output_tokens_per_s"] <= calib["bound_output_tokens_per_s"]).all()
    # The efficiency is measured over the rate the model deploys the same system at (which an engine batching
    # past the model's cap can beat), and the model prices each benchmark's system at its measured rate.
    assert (calib["efficiency"] > 0).all()
    np.testing.assert_allclose(calib["efficiency"] * calib["deployed_output_tokens_per_s"],
                               calib["measured_output_tokens_per_s"], rtol=1e-12)
    np.testing.assert_allclose(calib["backtest_ratio"], 1, atol=0.02)
    assert set(calib["efficiency_class"]) == {"dense/tuned", "moe/tuned", "dense/default"}


def test_efficiency_cases_are_ordered(dataset):
    favourable, base, unfavourable = scenarios.efficiency_cases(dataset)
    assert favourable >= base >= unfavourable


def test_every_precision_of_a_system_uses_its_class_efficiency(dataset):
    # One rule for every precision: Maverick on H100 at FP8 and at INT4 take the mixture-of-experts class's
    # efficiency (no single benchmark of one precision decides it).
    efficiencies = {p: resolve.situation(lookups.record(dataset), "llama-4-maverick", "h100-sxm", p, "openai-gpt-5.4")
                    .input(spine.EFFICIENCY) for p in ("fp8", "int4")}
    assert efficiencies["fp8"] == efficiencies["int4"]
    cal = lookups.calibration(dataset)
    moe = cal.loc[cal["efficiency_class"] == "moe/tuned", "efficiency"]
    assert efficiencies["fp8"].low == moe.min() and efficiencies["fp8"].high == moe.max()
    assert efficiencies["fp8"].base == pytest.approx(moe.median())


def test_comparison_against_gpt54(dataset):
    volumes = np.array([1e8, 1e9, 1e10])
    result = scenarios.compare(dataset, "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4", volumes,
                               "lambda-h100-8x")
    base = result.table[result.table["case"] == "base"]
    # base output share 17.55%, 28.15% of input cached at $0.25:
    # 1B x (0.8245 x (0.7185 x 2.50 + 0.2815 x 0.25) + 0.1755 x 15.00) / 1e6 = 1,000 x 4.171532 = $4,171.53
    assert base["api_usd_per_month"].tolist() == pytest.approx([417.1532, 4_171.532, 41_715.32])
    # Maverick FP8 needs 6 GPUs whatever the volume up to 10B: 400B x 8.05 / 8 = 402.5 GB of weights and the KV
    # cache over 85.9 x 0.925 - 2.5 = 76.95 GB an H100 offers its engine is 5.3 GPUs (2-way tensor x 3-way pipeline
    # parallel), and ceil(6 x 0.0875) = 1 spare
    assert (base["gpus_per_replica"] == 6).all() and (base["gpus"] >= 7).all()
    assert (result.table["buy_usd_per_month"] > 0).all()
    be = result.breakeven.set_index("case")
    assert be.loc["favourable", "buy_breakeven_tokens_per_month"] <= be.loc["base", "buy_breakeven_tokens_per_month"]
    assert be.loc["base", "buy_breakeven_tokens_per_month"] <= be.loc["unfavourable", "buy_breakeven_tokens_per_month"]


def test_cheap_api_never_breaks_even_when_rented(dataset):
    result = scenarios.compare(dataset, "deepseek-v4-flash", "h100-sxm", "fp8", "deepseek-v4-flash",
                               np.array([1e9]), "lambda-h100-8x")
    rent = result.breakeven.set_index("case")["rent_breakeven_tokens_per_month"]
    # At DeepSeek's own prices renting never pays in the base and unfavourable cases; even the most
    # favourable one (prompt-heavy traffic, cheapest rent, fastest engine) needs over 50B tokens a month.
    assert np.isinf(rent["base"]) and np.isinf(rent["unfavourable"])
    assert rent["favourable"] > 5e10


def test_rental_offer_must_match_the_gpu(dataset):
    with pytest.raises(ValueError, match="rental_offer_id 'lambda-a100-8x' rents a100-80gb-sxm, not h100-sxm"):
        scenarios.compare(dataset, "llama-3.3-70b", "h100-sxm", "fp8", "openai-gpt-5.4", np.array([1e9]),
                          "lambda-a100-8x")


def test_output_share_direction_follows_the_apis_prices(dataset):
    volumes = np.array([1e9])
    # Together bills Llama 3.3 70B at one price for input and output: more output only slows the GPUs (on A100s at
    # FP16, where the break-even takes more than one replica), so the favourable case must hold the low output share.
    flat = scenarios.compare(dataset, "llama-3.3-70b", "a100-80gb-sxm", "fp16", "together-llama-3.3-70b", volumes)
    be = flat.breakeven.set_index("case")["buy_breakeven_tokens_per_month"]
    assert be["favourable"] <= be["base"] <= be["unfavourable"]
    # GPT-5.4 charges six times more for output: a high output share favours self-hosting, as DIRECTION says.
    oriented = resolve.situation(lookups.record(dataset), "llama-3.3-70b", "h100-sxm", "fp8", "openai-gpt-5.4")
    assert oriented.input("output_token_share").direction == +1
    assert resolve.situation(lookups.record(dataset), "llama-3.3-70b", "a100-80gb-sxm", "fp16",
                             "together-llama-3.3-70b").input("output_token_share").direction == -1
    assert resolve.situation(lookups.record(dataset), "llama-3.3-70b", "h100-sxm", "fp8", "together-llama-3.3-70b") \
        .input("output_token_share").direction == -1


def test_calibration_is_computed_once_per_dataset_and_each_caller_gets_its_own_copy(dataset):
    first = lookups.calibration(dataset)
    first["efficiency"] = 0.0  # a caller's change stays in its copy
    again = lookups.calibration(dataset)
    assert (again["efficiency"] > 0).all()
    # Halving one benchmark's measured rate makes a new dataset, calibrated anew: its ratio halves.
    benchmarks = dataset["benchmarks"].reset_index(drop=True)
    benchmarks.loc[0, "output_tokens_per_s"] = benchmarks.loc[0, "output_tokens_per_s"] / 2
    halved = lookups.calibration(dataclasses.replace(dataset, tables={**dataset.tables, "benchmarks": benchmarks}))
    assert halved.loc[0, "efficiency"] == pytest.approx(again.loc[0, "efficiency"] / 2, rel=1e-12)
    assert halved.loc[1:, "efficiency"].tolist() == again.loc[1:, "efficiency"].tolist()
