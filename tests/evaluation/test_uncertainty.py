"""Monte Carlo over the input ranges: reproducible draws, the same model as the three cases, sane outputs."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.data import loading
from analysis.evaluation import lookups, resolve, scenarios, uncertainty
from analysis.model import sizing, spine
from analysis.report import charts, registry
from analysis.report.chapters import uncertainty as chapter

S1 = {"model_id": "llama-4-maverick", "gpu_id": "h100-sxm", "precision": "fp8", "api_offer_id": "openai-gpt-5.4",
      "rental_offer_id": "lambda-h100-8x"}
# A dense model (the dense/tuned efficiency class) beside scenario 1's mixture-of-experts one.
ROOFLINE = {"model_id": "llama-3.3-70b", "gpu_id": "a100-80gb-sxm", "precision": "fp8",
            "api_offer_id": "openai-gpt-5.4", "rental_offer_id": "lambda-a100-8x"}
SEED = 20260427
GRID = np.logspace(7, 12, 41)


def _compare(ds, s: dict, volumes=(1e9,)):
    return scenarios.compare(ds, s["model_id"], s["gpu_id"], s["precision"], s["api_offer_id"], np.array(volumes),
                             s["rental_offer_id"])


def _edit(data_dir: Path, file_name: str, edit) -> None:
    path = data_dir / file_name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False)


def _collapse(frame: pd.DataFrame, low: str, high: str) -> None:
    frame[high] = frame[low]


@pytest.fixture
def collapsed(data_copy: Path) -> loading.Dataset:
    """Every range a point (high := low), and one benchmark, so the efficiency quartiles coincide too."""
    _edit(data_copy, "assumptions.csv", lambda f: _collapse(f, "value_low", "value_high"))
    _edit(data_copy, "gpu_prices.csv", lambda f: _collapse(f, "usd_low", "usd_high"))
    _edit(data_copy, "gpu_rentals.csv", lambda f: _collapse(f, "usd_per_gpu_hour_low", "usd_per_gpu_hour_high"))
    _edit(data_copy, "precisions.csv", lambda f: _collapse(f, "bits_per_param_low", "bits_per_param_high"))
    path = data_copy / "benchmarks.csv"
    bench = pd.read_csv(path, dtype=str, keep_default_na=False)
    # The tuned class (the one priced) keeps one benchmark; the default class keeps its own, which the dataset
    # must have (each engine class is calibrated on its own benchmarks).
    keep = bench["benchmark_id"].isin(["trtllm-h100x8-maverick-1k1k", "vllm12315-a100x4-llama33-70b"])
    bench[keep].to_csv(path, index=False)
    return loading.load(data_copy)


@pytest.fixture(scope="module")
def s1(dataset) -> spine.Situation:
    return resolve.situation(lookups.record(dataset), **S1)


@pytest.fixture(scope="module")
def s1_mc(s1) -> uncertainty.MonteCarlo:
    return uncertainty.monte_carlo(s1, 4_000, SEED, GRID)


# --- reproducible draws ---------------------------------------------------------------------------------------

def _mulberry32(seed: int, n: int) -> float:
    """The n-th output of mulberry32 from ``seed`` in plain Python integers (the reference JavaScript's arithmetic,
    mod 2^32), written independently of the numpy version under test."""
    mask = 0xFFFFFFFF
    state = (seed + n * 0x6D2B79F5) & mask
    t = ((state ^ (state >> 15)) * (state | 1)) & mask
    t ^= (t + ((t ^ (t >> 7)) * (t | 61) & mask)) & mask
    return (t ^ (t >> 14)) / 2**32


def test_the_first_uniform_of_seed_0_by_hand():
    # n = 1, all mod 2^32:
    #   state = 0 + 1 x 0x6D2B79F5                         = 0x6D2B79F5
    #   t     = (state ^ state >> 15) x (state | 1)        = 0x6D2BA3A3 x 0x6D2B79F5 = 0xFE7CA5FF
    #   t    ^= t + (t ^ t >> 7) x (t | 61)                = 0xFE7CA5FF ^ (0xFE7CA5FF + 0xFF805CB4 x 0xFE7CA5FF)
    #                                                      = 0xFE7CA5FF ^ (0xFE7CA5FF + 0xBBCC5B4C)
    #                                                      = 0xFE7CA5FF ^ 0xBA49014B = 0x4435A4B4
    #   u     = (t ^ t >> 14) / 2^32                       = 0x4434B462 / 2^32 = 1,144,304,738 / 4,294,967,296
    assert _mulberry32(0, 1) == 1_144_304_738 / 2**32 == 0.26642920868471265
    # the reference JavaScript's first three outputs for seed 0 (node: mulberry32(0)() three times)
    assert uncertainty.uniforms(0, 3).tolist() == [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(0, 300))
def test_uniforms_are_mulberry32_and_in_the_unit_interval(seed, count):
    u = uncertainty.uniforms(seed, count)
    assert u.shape == (count,) and u.dtype == np.float64
    assert ((u >= 0) & (u < 1)).all()
    assert (u * 2**32 == np.floor(u * 2**32)).all()  # whole multiples of 2^-32
    assert u.tolist() == [_mulberry32(seed, n) for n in range(1, count + 1)]
    np.testing.assert_array_equal(uncertainty.uniforms(seed, count), u)  # the same seed, the same uniforms


def test_uniforms_spread_evenly_and_depend_on_the_seed():
    u = uncertainty.uniforms(SEED, 100_000)
    # ten bins of 10,000 expected each: a fair generator stays within about 4 standard deviations (~380)
    counts = np.histogram(u, bins=10, range=(0.0, 1.0))[0]
    assert (np.abs(counts - 10_000) < 400).all()
    assert abs(u.mean() - 0.5) < 0.005
    assert not np.array_equal(uncertainty.uniforms(SEED + 1, 1_000), u[:1_000])
    # counter-based: a longer stream starts with the shorter one
    np.testing.assert_array_equal(uncertainty.uniforms(SEED, 1_000), u[:1_000])


def test_the_reports_sampling_is_one_pair_of_constants():
    assert (uncertainty.DRAWS, uncertainty.SEED, uncertainty.LIKELY) == (10_000, 20260427, (10.0, 90.0))
    # the chapter's defaults and its declaration in the registry are those two
    parameters = inspect.signature(chapter.build).parameters
    assert (parameters["draws"].default, parameters["seed"].default) == (uncertainty.DRAWS, uncertainty.SEED)
    declared = registry.chapter("uncertainty").parameters
    assert (declared["draws"], declared["seed"]) == (uncertainty.DRAWS, uncertainty.SEED)


def test_draws_are_uniform_within_each_range_from_the_seeded_generator(s1):
    draws = uncertainty.sample_inputs(s1, 1_000, SEED)
    # input k at draw j takes uniform k x 1,000 + j + 1 of the stream: one (inputs, draws) block, row by row
    uniforms = uncertainty.uniforms(SEED, len(s1.inputs) * 1_000).reshape(len(s1.inputs), 1_000)
    for k, i in enumerate(s1.inputs):
        if i.unit in spine.WHOLE_UNITS:
            # whole counts: floor(low + (high - low + 1) x U), e.g. spare GPUs 0 or 1 with U below or above 0.5
            np.testing.assert_array_equal(draws[i.name], np.floor(i.low + (i.high - i.low + 1) * uniforms[k]))
            assert set(np.unique(draws[i.name])) <= set(np.arange(i.low, i.high + 1))
        else:
            # x = low + (high - low) x U, e.g. usd_per_gpu = 25,000 + 10,000 x U
            np.testing.assert_array_equal(draws[i.name], i.low + (i.high - i.low) * uniforms[k])
        assert draws[i.name].min() >= i.low and draws[i.name].max() <= i.high


def test_whole_counts_are_drawn_evenly_and_their_base_is_whole(s1):
    sequences = s1.input("concurrent_sequences")
    assert (sequences.low, sequences.base, sequences.high) == (1, 9, 16)  # midpoint 8.5 sequences rounds up to 9
    draws = uncertainty.sample_inputs(s1, 4_000, SEED)["concurrent_sequences"]
    assert set(np.unique(draws)) == set(range(1, 17))
    # each of the 16 counts about 1/16 = 6.25% of the draws
    assert all(0.04 < (draws == k).mean() < 0.085 for k in range(1, 17))


def test_same_seed_same_results_other_seed_other_results(s1, s1_mc):
    again = uncertainty.monte_carlo(s1, 4_000, SEED, GRID)
    other = uncertainty.monte_carlo(s1, 4_000, SEED + 1, GRID)
    for key, value in s1_mc.outputs.items():
        np.testing.assert_array_equal(again.outputs[key], value)
    assert not np.array_equal(other.outputs["buy_breakeven_tokens_per_month"],
                              s1_mc.outputs["buy_breakeven_tokens_per_month"])
    assert not np.array_equal(uncertainty.percentiles(other.outputs["buy_breakeven_tokens_per_month"]),
                              uncertainty.percentiles(s1_mc.outputs["buy_breakeven_tokens_per_month"]))


def test_each_draw_is_evaluated_on_its_own(s1, s1_mc):
    """Vectorizing over draws must not mix them: draw 7 alone gives what it gives inside the batch."""
    one = spine.evaluate(s1, {k: v[7:8] for k, v in s1_mc.inputs.items()}, GRID)
    for key, value in one.items():
        np.testing.assert_array_equal(value[0], s1_mc.outputs[key][7])


def test_passes_of_draws_give_the_bits_of_one_pass(s1, s1_mc, monkeypatch):
    """Large batches are evaluated in passes of value sets (spine.CELLS_PER_PASS); the split must change no bit."""
    cells_per_draw = len(GRID) * (len(sizing.NODE_SHAPES) + 1)
    monkeypatch.setattr(spine, "CELLS_PER_PASS", 10 ** 12)  # one pass
    whole = spine.evaluate(s1, s1_mc.inputs, GRID)
    monkeypatch.setattr(spine, "CELLS_PER_PASS", 333 * cells_per_draw)  # 13 passes, the last one of 4,000 - 3,996 = 4
    split = spine.evaluate(s1, s1_mc.inputs, GRID)
    assert whole.keys() == split.keys() == s1_mc.outputs.keys()
    for key, value in whole.items():
        np.testing.assert_array_equal(split[key], value)
        np.testing.assert_array_equal(s1_mc.outputs[key], value)  # the default passes too
        assert value.shape[0] == 4_000, key


# --- the same model as the three deterministic cases ----------------------------------------------------------

@pytest.mark.parametrize("situation", [S1, ROOFLINE], ids=["moe", "dense"])
def test_the_three_cases_reproduce_scenarios_compare(dataset, situation):
    sit = resolve.situation(lookups.record(dataset), **situation)
    volumes = [1e8, 1e9, 1e10]
    ours = spine.evaluate(sit, spine.case_values(sit), volumes)
    result = _compare(dataset, situation, volumes)
    theirs = result.breakeven
    for option in ("buy", "rent"):
        np.testing.assert_allclose(ours[f"{option}_breakeven_tokens_per_month"],
                                   theirs[f"{option}_breakeven_tokens_per_month"], rtol=1e-12)
        np.testing.assert_allclose(ours[f"{option}_breakeven_api_usd_per_month"],
                                   theirs[f"{option}_breakeven_api_usd_per_month"], rtol=1e-12)
    table = result.table.set_index(["case", "tokens_per_month"])
    for c, case in enumerate(spine.CASES):
        np.testing.assert_allclose(ours["buy_payback_months"][c], table.loc[case, "buy_payback_months"], rtol=1e-12)
        np.testing.assert_allclose(ours["rent_savings_usd_per_month"][c],
                                   table.loc[case, "rent_savings_usd_per_month"], rtol=1e-12)
    assert sit.efficiency_class == result.system.efficiency_class


def test_base_values_give_the_base_case(dataset, s1):
    base = spine.evaluate(s1, spine.base_values(s1), [1e9])
    # base output share 17.55%, 28.15% of input cached at $0.25:
    # (0.8245 x (0.7185 x $2.50 + 0.2815 x $0.25) + 0.1755 x $15.00) / 1e6 = $4.1715323 per million tokens
    assert base["api_usd_per_token"][0] == pytest.approx(4.1715323125e-6)
    expected = _compare(dataset, S1).breakeven.set_index("case").loc["base"]
    assert base["buy_breakeven_tokens_per_month"][0] == pytest.approx(expected["buy_breakeven_tokens_per_month"],
                                                                      rel=1e-12)
    assert base["rent_breakeven_tokens_per_month"][0] == pytest.approx(expected["rent_breakeven_tokens_per_month"],
                                                                       rel=1e-12)


@pytest.mark.parametrize("situation", [S1, {**ROOFLINE, "gpu_id": "h100-sxm", "rental_offer_id": "lambda-h100-8x"}],
                         ids=["moe", "dense"])
def test_collapsed_ranges_give_the_deterministic_base_case(collapsed, situation):
    sit = resolve.situation(lookups.record(collapsed), **situation)
    assert all(i.low == i.high for i in sit.inputs)
    mc = uncertainty.monte_carlo(sit, 500, SEED, GRID)
    expected = _compare(collapsed, situation).breakeven.set_index("case").loc["base"]
    for option in ("buy", "rent"):
        for what in ("tokens_per_month", "api_usd_per_month"):
            column = f"{option}_breakeven_{what}"
            np.testing.assert_allclose(uncertainty.percentiles(mc.outputs[column]), [expected[column]] * 3,
                                       rtol=1e-12)
        # one point, so the chance of beating the API is 0 below the break-even and 1 from it on
        np.testing.assert_array_equal(mc.probability_past_breakeven(option),
                                      (GRID >= expected[f"{option}_breakeven_tokens_per_month"]).astype(float))
    t = uncertainty.tornado(sit, "buy")
    assert (t.swing_tokens_per_month == 0).all() and (t.swing_factor == 1).all()


# --- outputs ---------------------------------------------------------------------------------------------------

def test_percentiles_are_ordered(s1_mc):
    for key in ("buy_breakeven_tokens_per_month", "rent_breakeven_tokens_per_month",
                "buy_breakeven_api_usd_per_month", "rent_breakeven_api_usd_per_month"):
        p10, p50, p90 = uncertainty.percentiles(s1_mc.outputs[key])
        assert p10 <= p50 <= p90
    payback = uncertainty.percentiles(s1_mc.outputs["buy_payback_months"])
    assert (payback[0] <= payback[1]).all() and (payback[1] <= payback[2]).all()


def test_percentiles_keep_never_and_take_draws_as_they_are():
    values = np.array([3.0, 1.0, np.inf, 2.0, np.inf])
    # sorted: 1, 2, 3, inf, inf; the 10th percentile is the first draw, the median the third, P90 the fifth
    np.testing.assert_array_equal(uncertainty.percentiles(values), [1.0, 3.0, np.inf])


def test_probability_of_beating_the_api(s1_mc):
    for option in ("buy", "rent"):
        cheaper = s1_mc.probability_cheaper(option)
        past = s1_mc.probability_past_breakeven(option)
        assert (np.diff(past) >= 0).all()  # an empirical CDF never falls
        assert (cheaper <= past).all()  # cheaper at V means the break-even is at or below V
        assert cheaper[0] == 0  # 10M tokens: never
    # At 1T tokens buying and renting both beat GPT-5.4 in every draw; at 10M neither does.
    assert s1_mc.probability_cheaper("buy")[-1] == 1 and s1_mc.probability_cheaper("rent")[-1] == 1
    assert (np.diff(s1_mc.probability_cheaper("buy")) >= 0).all()


def test_step_costs_can_make_the_chance_of_beating_the_api_dip(dataset):
    """Past a replica's capacity the next replica's cost arrives before the API bill covers it, so a draw can
    be cheaper at one volume and dearer at a larger one; only the CDF of the break-even is monotone."""
    sit = resolve.situation(lookups.record(dataset), "llama-3.3-70b", "h100-sxm", "fp8", "together-llama-3.3-70b")
    mc = uncertainty.monte_carlo(sit, 2_000, SEED, np.logspace(8, 13, 121))
    cheaper = mc.outputs["buy_savings_usd_per_month"] > 0
    assert (np.diff(cheaper.astype(int), axis=1) < 0).any()
    assert (mc.probability_cheaper("buy") <= mc.probability_past_breakeven("buy")).all()
    assert (np.diff(mc.probability_past_breakeven("buy")) >= 0).all()


def test_tornado_is_centred_on_the_base_case_and_sorted(dataset, s1):
    t = uncertainty.tornado(s1, "buy")
    base = _compare(dataset, S1).breakeven.set_index("case").loc["base", "buy_breakeven_tokens_per_month"]
    assert t.base_tokens_per_month == pytest.approx(base, rel=1e-12)
    assert (np.diff(t.swing_factor) <= 0).all()
    assert sorted(t.names) == sorted(i.name for i in s1.inputs)
    # the output share sets the API's price per token: 25% output is the cheapest API bill, the latest break-even
    assert t.names[0] == "output_token_share"
    assert t.at_low_tokens_per_month[0] > base > t.at_high_tokens_per_month[0]


def test_tornado_swing_is_zero_for_inputs_an_option_does_not_pay_for(data_copy):
    def widen(frame: pd.DataFrame) -> None:
        row = frame["offer_id"] == "lambda-h100-8x"
        frame.loc[row, "usd_per_gpu_hour_low"], frame.loc[row, "usd_per_gpu_hour_high"] = "3.00", "5.00"

    _edit(data_copy, "gpu_rentals.csv", widen)
    sit = resolve.situation(lookups.record(loading.load(data_copy)), **S1)
    buy, rent = uncertainty.tornado(sit, "buy"), uncertainty.tornado(sit, "rent")

    def swing(t: uncertainty.Tornado, name: str) -> float:
        return float(t.swing_tokens_per_month[t.names.index(name)])

    assert swing(buy, spine.USD_PER_GPU_HOUR) == 0  # buying pays no rent
    assert swing(rent, spine.USD_PER_GPU) == 0  # renting buys no GPU
    assert swing(rent, "electricity_usd_per_kwh") == 0  # the hourly rate includes power
    assert swing(rent, spine.USD_PER_GPU_HOUR) > 0
    assert swing(buy, spine.USD_PER_GPU) > 0


# --- invalid arguments -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("draws", [0, -5, 1.5, True])
def test_draws_must_be_a_positive_whole_number(s1, draws):
    with pytest.raises(ValueError, match="draws must be"):
        uncertainty.monte_carlo(s1, draws, SEED, GRID)


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, True])
def test_seed_must_be_a_32_bit_whole_number(s1, seed):
    with pytest.raises(ValueError, match=rf"seed must be a whole number from 0 to 4294967295 \(2\^32 - 1\), "
                                         rf"got {seed!r}"):
        uncertainty.sample_inputs(s1, 10, seed)
    with pytest.raises(ValueError, match="seed must be a whole number"):
        uncertainty.uniforms(seed, 10)


@pytest.mark.parametrize(("argument", "value", "message"), [
    ("model_id", "gpt-9", "model_id 'gpt-9' is not in models.csv"),
    ("gpu_id", "tpu-v9", "gpu_id 'tpu-v9' is not in gpus.csv"),
    ("precision", "fp2", "precision 'fp2' is not in precisions.csv"),
    ("api_offer_id", "nobody", "api_offer_id 'nobody' is not in api_prices.csv"),
    ("rental_offer_id", "nowhere", "rental_offer_id 'nowhere' is not in gpu_rentals.csv"),
    ("rental_offer_id", "lambda-a100-8x", "rental_offer_id 'lambda-a100-8x' rents a100-80gb-sxm, not h100-sxm"),
])
def test_unknown_identifiers_are_named(dataset, argument, value, message):
    with pytest.raises(ValueError, match=message):
        resolve.situation(lookups.record(dataset), **{**S1, argument: value})


def test_gpu_without_a_purchase_price_is_named(dataset):
    # every GPU of the dataset has a price; take the H200's away
    record = lookups.record(dataset)
    record = {**record, "gpus": [{**g, "purchase": None} if g["id"] == "h200-sxm" else g for g in record["gpus"]]}
    with pytest.raises(ValueError, match="gpu_id 'h200-sxm' has no purchase price"):
        resolve.situation(record, **{**S1, "gpu_id": "h200-sxm", "rental_offer_id": None})


def test_other_invalid_arguments(dataset, s1, s1_mc):
    with pytest.raises(ValueError, match="option must be one of buy, rent, got 'lease'"):
        uncertainty.tornado(s1, "lease")
    with pytest.raises(ValueError, match="option must be one of buy, got 'rent'"):
        uncertainty.monte_carlo(resolve.situation(lookups.record(dataset), **{**S1, "rental_offer_id": None}), 10, SEED,
                                GRID).probability_cheaper("rent")
    with pytest.raises(ValueError, match="tokens_per_month must be one or more positive finite volumes"):
        uncertainty.monte_carlo(s1, 10, SEED, [0.0])
    with pytest.raises(ValueError, match="values lacks input"):
        spine.evaluate(s1, {"pue": np.array([1.4])}, GRID)
    with pytest.raises(ValueError, match="grid_points must be a whole number of at least 2"):
        chapter.build(dataset, grid_points=1)
    with pytest.raises(ValueError, match="grid_low_tokens_per_month must be positive"):
        chapter.build(dataset, grid_low_tokens_per_month=1e12, grid_high_tokens_per_month=1e7)


# --- the chapter and its charts --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(dataset):
    return chapter.build(dataset, draws=2_000, seed=SEED, grid_points=len(GRID))


def test_chapter_tables_and_facts(dataset, built):
    sit = resolve.situation(lookups.record(dataset), **S1)
    mc = uncertainty.monte_carlo(sit, 2_000, SEED, GRID)
    p50 = uncertainty.percentiles(mc.outputs["buy_breakeven_tokens_per_month"])[1]
    row = built.tables["breakeven"].iloc[0]
    assert (row["Option"], row["P10"], row["P50"], row["P90"]) == (
        "Buy", built.facts["uq_buy_p10"], built.facts["uq_buy_p50"], built.facts["uq_buy_p90"])
    assert built.facts["uq_buy_p50"] == f"{p50 / 1e9:,.3g}B"
    assert built.facts["uq_draws"] == "2,000"
    # inputs in words (the label column of assumptions.csv), the identifier kept for the download
    assert built.facts["uq_buy_top_inputs"].startswith("share of tokens that are output, ")
    # only ranged inputs are listed, and every listed one was sampled
    assert set(built.tables["inputs"]["input_id"]) == {i.name for i in sit.inputs if i.low < i.high}
    assert "Share of tokens that are output" in set(built.tables["inputs"]["Input"])
    assert set(built.tables["volumes"]["Tokens per month"]) == {"100M", "500M", "1B", "5B", "10B"}
    assert (built.tables["volumes"].query("Option == 'Rent'")["Payback P50"] == "no purchase").all()
    assert built.tables["volumes"].query("Option == 'Buy'")["Guide's payback (scenario 1)"].tolist() == [
        "Never", "20 months", "7 months", "1 month", "Immediate"]


def test_probability_chart_spec(built):
    spec = charts.probability_cheaper(built.chart_data["probability"]).to_dict()
    lines = spec["layer"][0]  # then one name per curve (tests/report/test_chart_labels.py)
    enc = lines["encoding"]
    assert lines["mark"]["type"] == "line"
    assert enc["x"]["scale"]["type"] == "log"
    assert enc["x"]["title"] == charts.VOLUME_TITLE
    assert enc["y"]["axis"]["format"] == "%" and enc["y"]["scale"]["domain"] == [0, 1]
    assert [t["title"] for t in enc["tooltip"]] == ["Self-hosting by", "Tokens per month", "Cheaper than the API",
                                                    "Past its break-even"]
    assert spec["width"] == "container"


def test_tornado_chart_spec(built):
    bars = built.chart_data["tornado_buy"]
    spec = charts.tornado(bars).to_dict()
    segments = spec["layer"][0]
    assert segments["mark"]["type"] == "bar"
    assert segments["encoding"]["y"]["axis"] is None  # names are written above the bars
    assert segments["encoding"]["x"]["scale"]["type"] == "log"
    assert segments["encoding"]["x2"]["field"] == "breakeven_tokens_per_month"
    assert segments["encoding"]["x"]["title"] == "Break-even, tokens per month (log)"
    order = segments["encoding"]["y"]["sort"]
    assert order[0] == "Share of tokens that are output" and len(order) == bars["input"].nunique()
    # every bar starts at the base case, which the dashed rule marks
    assert bars["base_tokens_per_month"].nunique() == 1
    assert spec["layer"][1]["mark"]["type"] == "rule"


def test_tornado_table_title_counts_the_inputs_that_move_each_break_even(built):
    table = built.tables["tornado"]
    moving = table[table["Swing (high / low break-even)"] != "1.00x"]
    buy, rent = (int((moving["Option"] == o).sum()) for o in ("Buy", "Rent"))
    ranged = int((table["Option"] == "Buy").sum())
    title = next(e.title for e in built.exhibits if e.name == "uq-tornado")
    assert title == f"{buy} of {ranged} uncertain inputs move the buy break-even, {rent} the rent one"
    assert 0 < buy < ranged  # some inputs do not move it at all (a 1.00x swing)
