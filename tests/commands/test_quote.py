"""``python -m analysis quote``: the figures are the model's, every format carries them, errors are exact.

Also the validation cache that makes a quote take about a second (``analysis/data/loading.py``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import paths
from analysis.commands.cli import main
from analysis.data import inputs, loading
from analysis.evaluation import lookups, quoting, resolve, scenarios, uncertainty
from analysis.model import spine
from analysis.report import formatting as fmt

# Llama 3.3 70B at FP8 on H100 SXM against GPT-5.4 ($2.50 in, $15.00 out per million tokens).
SITUATION = ["--api", "openai-gpt-5.4", "--model", "llama-3.3-70b", "--gpu", "h100-sxm", "--precision", "fp8"]
VOLUME_TOKENS_PER_MONTH = 2e9
BUY_FIGURES = ["api_usd_per_month", "buy_usd_per_month", "buy_savings_usd_per_month", "buy_payback_months", "gpus",
               "buy_capex_usd", "buy_breakeven_tokens_per_month", "buy_breakeven_api_usd_per_month"]
RENT_FIGURES = ["api_usd_per_month", "rent_usd_per_month", "rent_savings_usd_per_month", "rent_gpus",
                "rent_breakeven_tokens_per_month", "rent_breakeven_api_usd_per_month"]


def run_quote(capsys, *args: str) -> tuple[int, str, str]:
    """``python -m analysis quote ARGS`` in this process: (exit code, stdout, stderr)."""
    try:
        code = main(["quote", *args])
    except SystemExit as exc:  # argparse and parser.error exit this way
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """A refusal's text, which must be exactly one line (no usage block, no traceback, no warnings)."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def model_figures(ds: loading.Dataset, rental_offer_id: str | None = None) -> dict[str, dict[str, float]]:
    """The same situation straight from scenarios.compare, by case."""
    result = scenarios.compare(ds, "llama-3.3-70b", "h100-sxm", "fp8", "openai-gpt-5.4",
                               tokens_per_month=np.array([VOLUME_TOKENS_PER_MONTH]), rental_offer_id=rental_offer_id)
    table = result.table.set_index("case")
    be = result.breakeven.set_index("case")
    names = BUY_FIGURES if rental_offer_id is None else RENT_FIGURES
    return {case: {n: float((table if n in table.columns else be).loc[case, n]) for n in names}
            for case in spine.CASES}


def from_json(value: float | None) -> float:
    return math.inf if value is None else value


# ---------------------------------------------------------------- the figures are the model's


def test_json_buy_equals_the_model(capsys, dataset):
    code, out, _ = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, "--format", "json")
    assert code == 0
    quoted = json.loads(out)
    assert quoted["situation"]["tokens_per_month"] == VOLUME_TOKENS_PER_MONTH
    assert quoted["situation"]["acquisition"] == "buy"
    expected = model_figures(dataset)
    for case in spine.CASES:
        assert {n: from_json(quoted["cases"][case][n]) for n in BUY_FIGURES} == expected[case]
    # At 2B tokens the unfavourable case saves nothing, so its payback never comes (null in JSON).
    assert expected["unfavourable"]["buy_savings_usd_per_month"] < 0
    assert quoted["cases"]["unfavourable"]["buy_payback_months"] is None


def test_json_rent_equals_the_model(capsys, dataset):
    code, out, _ = run_quote(capsys, "--tokens-per-month", "2e9", *SITUATION, "--rent", "lambda-h100-8x",
                             "--format", "json")
    assert code == 0
    quoted = json.loads(out)
    assert quoted["situation"]["rental_offer_id"] == "lambda-h100-8x"
    expected = model_figures(dataset, "lambda-h100-8x")
    for case in spine.CASES:
        assert {n: from_json(quoted["cases"][case][n]) for n in RENT_FIGURES} == expected[case]
        assert not any(k.startswith("buy_") for k in quoted["cases"][case])


@pytest.mark.parametrize("rent", [None, "lambda-h100-8x"])
def test_every_bill_comes_with_its_lines(capsys, dataset, rent):
    # The JSON carries each bill's lines under the spine's names, and they add up to the bill.
    extra = ["--rent", rent] if rent else []
    code, out, _ = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, *extra, "--format", "json")
    assert code == 0
    option = "rent" if rent else "buy"
    table = scenarios.compare(dataset, "llama-3.3-70b", "h100-sxm", "fp8", "openai-gpt-5.4",
                              np.array([VOLUME_TOKENS_PER_MONTH]), rental_offer_id=rent).table.set_index("case")
    for case, figures in json.loads(out)["cases"].items():
        for bill, total in (("api", "api_usd_per_month"), (option, f"{option}_usd_per_month")):
            lines = {name: figures[spine.line_key(bill, name)] for name in spine.LINES[bill]}
            assert lines == {name: table.loc[case, spine.line_key(bill, name)] for name in lines}
            assert sum(lines.values()) == pytest.approx(figures[total], rel=1e-12)


def test_renting_does_not_depend_on_a_purchase_price(dataset):
    # The spine prices a purchase on every call; quote gives a GPU without a price a stand-in one so it can
    # be rented. Take the H100's real price away: every rent figure must stay exactly the same.
    situation = quoting.QuoteRequest(VOLUME_TOKENS_PER_MONTH, "openai-gpt-5.4", "llama-3.3-70b", "h100-sxm", "fp8",
                                "lambda-h100-8x", None)
    prices = dataset["gpu_prices"]
    tables = {**dataset.tables, "gpu_prices": prices[prices["gpu_id"] != "h100-sxm"]}
    unpriced = loading.Dataset(dataset.data_dir, tables, dataset.snapshot_date)
    assert quoting.make_quote(lookups.record(unpriced), situation).figures == \
        quoting.make_quote(lookups.record(dataset), situation).figures


def _without(data_dir, file: str, column: str, value: str):
    """``data_dir`` with the rows of ``file`` whose ``column`` is ``value`` taken out."""
    path = data_dir / file
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table[table[column] != value].to_csv(path, index=False, lineterminator="\n")
    return data_dir


def test_a_gpu_without_a_price_can_be_rented(capsys, data_copy):
    # Every GPU of the dataset has a purchase price; a reader's dataset may leave one out.
    unpriced = _without(data_copy, "gpu_prices.csv", "gpu_id", "h200-sxm")
    code, out, _ = run_quote(capsys, "--tokens-per-month", "2B", "--api", "openai-gpt-5.4", "--model",
                             "llama-3.3-70b", "--gpu", "h200-sxm", "--precision", "fp8", "--rent",
                             "coreweave-h200-8x", "--format", "json", "--data", str(unpriced))
    assert code == 0
    base = json.loads(out)["cases"]["base"]
    # An 8-GPU instance is the smallest block coreweave-h200-8x rents.
    assert base["rent_gpus"] == 8
    assert base["rent_usd_per_month"] > 0


def test_csv_has_the_json_figures(capsys):
    _, as_json, _ = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, "--format", "json")
    code, as_csv, _ = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [r["case"] for r in rows] == list(spine.CASES)
    cases = json.loads(as_json)["cases"]
    for row in rows:
        assert row["model_id"] == "llama-3.3-70b" and row["acquisition"] == "buy"
        assert float(row["tokens_per_month"]) == VOLUME_TOKENS_PER_MONTH
        parsed = {n: math.inf if row[n] == "never" else float(row[n]) for n in BUY_FIGURES}
        assert parsed == {n: from_json(cases[row["case"]][n]) for n in BUY_FIGURES}
    assert rows[2]["buy_payback_months"] == "never"


def test_table_shows_the_figures(capsys, dataset):
    code, out, _ = run_quote(capsys, "--tokens-per-month", "2000000000", *SITUATION)
    assert code == 0
    expected = model_figures(dataset)
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    # Output share 33.8% / 17.55% / 1.3% by case, cached input 0% / 28.15% / 56.3% at $0.25:
    # 2B x (0.662 x 2.50 + 0.338 x 15.00) / 1e6 = 2,000 x 6.725 = $13,450;
    # 2,000 x (0.8245 x (0.7185 x 2.50 + 0.2815 x 0.25) + 0.1755 x 15.00) = $8,343;
    # 2,000 x (0.987 x (0.437 x 2.50 + 0.563 x 0.25) + 0.013 x 15.00) = $2,824.
    assert lines["API cost (USD/month)"].split()[-3:] == ["$13,450", "$8,343", "$2,824"]
    assert lines["Self-host cost, buying (USD/month)"].split()[-3:] == [
        f"${expected[c]['buy_usd_per_month']:,.0f}" for c in spine.CASES]
    assert lines["Payback (months)"].split()[-1] == "never"
    assert lines["Break-even volume (tokens/month)"].split()[-3:] == [
        fmt.tokens(expected[c]["buy_breakeven_tokens_per_month"]) for c in spine.CASES]
    assert "2B tokens/month (input + output); output share 1%–34% (assumptions.csv)" in out


@pytest.mark.parametrize("rent", [None, "lambda-h100-8x"], ids=["buy", "rent"])
def test_the_likely_range_is_p10_p90_of_the_reports_draws(capsys, dataset, rent):
    # P10-P90 over 10,000 draws of every input from seed 20260427, recomputed here from the draws and numpy's own
    # percentile (the smallest draw with at least 10% / 90% of the draws at or below it).
    code, out, _ = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, *(["--rent", rent] if rent else []),
                             "--format", "json")
    assert code == 0
    likely = json.loads(out)["likely"]
    option = "rent" if rent else "buy"
    keys = [f"{option}_usd_per_month", "api_usd_per_month", f"{option}_savings_usd_per_month",
            f"{option}_breakeven_tokens_per_month", f"{option}_breakeven_api_usd_per_month"]
    assert list(likely) == ["draws", "seed", "percentiles", *keys]
    assert (likely["draws"], likely["seed"], likely["percentiles"]) == (10_000, 20260427, [10.0, 90.0])
    sit = resolve.situation(lookups.record(dataset), "llama-3.3-70b", "h100-sxm", "fp8", "openai-gpt-5.4", rent)
    draws = spine.evaluate(sit, uncertainty.sample_inputs(sit, 10_000, 20260427), [2e9])
    for key in keys:
        values = np.sort(draws[key].reshape(10_000, -1)[:, 0])
        assert likely[key] == [values[999], values[8_999]], key  # 1,000th and 9,000th of 10,000, exactly
        assert likely[key][0] <= likely[key][1]
    # the base case lies inside this one's likely ranges; the stress ends lie outside them
    cases = json.loads(run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, *(["--rent", rent] if rent else []),
                                 "--format", "json")[1])["cases"]
    for key in (f"{option}_usd_per_month", f"{option}_breakeven_tokens_per_month"):
        low, high = likely[key]
        assert low <= cases["base"][key] <= high
        assert cases["favourable"][key] < low and cases["unfavourable"][key] > high


def test_table_gives_the_likely_range_beside_the_stress_ends(capsys):
    code, out, _ = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION)
    assert code == 0
    block = out.split("likely range (P10–P90 of 10,000 sampled inputs, seed 20260427):\n", 1)[1].split("\n\n")[0]
    labels = [line.strip().split("  ")[0] for line in block.splitlines()]
    assert labels == ["Self-host cost, buying (USD/month)", "API cost (USD/month)", "Savings (USD/month)",
                      "Break-even volume (tokens/month)", "Break-even API spend (USD/month)"]
    assert all(" to " in line for line in block.splitlines())
    assert "favourable / unfavourable are stress ends: every ranged input at once at the end" in out


def test_the_likely_range_of_a_quote_with_collapsed_ranges_is_its_base_case(capsys, dataset):
    # Every input the reader can pin, pinned: the draws still vary what they cannot (the rest of assumptions.csv),
    # so pin those by hand in a copy of the request's situation and compare the likely range with the base case.
    record = lookups.record(dataset)
    request = quoting.QuoteRequest(2e9, "openai-gpt-5.4", "llama-3.3-70b", "h100-sxm", "fp8", None, None)
    sit = quoting.request_situation(record, request)
    pinned = dataclasses.replace(sit, inputs=tuple(dataclasses.replace(i, low=i.base, high=i.base) for i in sit.inputs))
    base = spine.evaluate(pinned, spine.base_values(pinned), [2e9])
    likely = uncertainty.likely_figures(pinned, quoting.LIKELY_FIGURES["buy"], 2e9, 500)
    for key, (low, high) in likely.items():
        assert low == high == float(base[key].ravel()[0]), key


def test_output_share_overrides_the_assumption(capsys, dataset):
    code, out, _ = run_quote(capsys, "--tokens-per-month", "500M", "--output-share", "30%", *SITUATION,
                             "--cached-input-share", "0", "--format", "json")
    assert code == 0
    cases = json.loads(out)["cases"]
    # Hand-worked, nothing cached: 500M x ((1 - 0.3) x 2.50 + 0.3 x 15.00) / 1e6 = 500 x (1.75 + 4.50) = $3,125
    # in every case.
    assert [cases[c]["api_usd_per_month"] for c in spine.CASES] == pytest.approx([3_125.0] * 3)
    # With the dataset's cached share (base 28.15%, the 0-56.3% midpoint) the general formula, prices from
    # api_prices.csv: tokens x ((1-s) x ((1-c) p_in + c p_cached) + s p_out) / 1e6
    _, out, _ = run_quote(capsys, "--tokens-per-month", "500M", "--output-share", "30%", *SITUATION, "--format", "json")
    cached = dataset["assumptions"].set_index("name").loc["cached_input_share"]
    price = dataset["api_prices"].set_index("offer_id").loc["openai-gpt-5.4"]
    c = (cached["value_low"] + cached["value_high"]) / 2
    per_m = 0.7 * ((1 - c) * price["usd_per_m_input"] + c * price["usd_per_m_cached_input"]) \
        + 0.3 * price["usd_per_m_output"]
    assert json.loads(out)["cases"]["base"]["api_usd_per_month"] == pytest.approx(500e6 * per_m / 1e6)
    assert {cases[c]["output_token_share"] for c in spine.CASES} == {0.3}
    # Without the override the base case uses the midpoint 17.55%: 500 x (0.8245 x 2.50 + 0.1755 x 15.00) = $2,347.
    _, out, _ = run_quote(capsys, "--tokens-per-month", "500M", *SITUATION, "--cached-input-share", "0", "--format",
                          "json")
    assert json.loads(out)["cases"]["base"]["api_usd_per_month"] == pytest.approx(500 * (0.8245 * 2.5 + 0.1755 * 15))


def test_output_share_reaches_the_throughput_too(dataset):
    # The share also sets the request shape the GPUs are rated at: answers decode slower than prompts are
    # read, so mostly-output traffic gets fewer tokens per second through the same GPUs.
    mostly_input, mostly_output = (
        scenarios.serving_system(dataset, "h100-sxm", "llama-3.3-70b", "fp8", output_share=share)
        for share in (0.1, 0.9))
    assert (mostly_input.total_tokens_per_s > 2 * mostly_output.total_tokens_per_s).all()
    assert (dataset["assumptions"].set_index("name").loc["output_token_share", ["value_low", "value_high"]]
            == [0.013, 0.338]).all()  # the dataset itself is left as it was


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize(("text", "tokens"), [("2e9", 2e9), ("2000000000", 2e9), ("2,000,000,000", 2e9),
                                              ("2B", 2e9), ("2b", 2e9), ("500M", 5e8), ("1.5T", 1.5e12),
                                              ("750K", 7.5e5), (" 3B ", 3e9)])
def test_token_counts_with_suffixes(text, tokens):
    assert inputs.parse_tokens(text) == tokens


@pytest.mark.parametrize("text", ["", "B", "two billion", "2X", "inf", "nan", "1,,0", "2_000", "٢B", "2BB", "1e9%"])
def test_bad_token_counts_are_usage_errors(capsys, text):
    code, out, err = run_quote(capsys, f"--tokens-per-month={text}", *SITUATION)  # = lets "-5M" through
    assert (code, out) == (2, "")
    assert err == (f"python -m analysis quote: error: argument --tokens-per-month: expected a number of tokens such "
                   f"as 2e9, 2000000000, 500M, 2B or 1.5T, got {text!r}\n")


@pytest.mark.parametrize("text", ["0", "-5M", "0.5", "1e300", "20,000,000,000,000,000"])
def test_token_counts_outside_the_range_are_refused_with_it(capsys, text):
    code, out, err = run_quote(capsys, f"--tokens-per-month={text}", *SITUATION)
    assert (code, out) == (2, "")
    # the range is x-limits' tokens_per_month: 1 to 1e16 tokens a month
    assert err == (f"python -m analysis quote: error: argument --tokens-per-month: {text!r} is out of range: a volume "
                   "in tokens a month must be from 1 to 1e+16\n")


@pytest.mark.parametrize(("text", "share"), [("0.3", 0.3), ("30%", 0.3), ("1", 1.0)])
def test_shares(text, share):
    assert inputs.parse_share(text) == pytest.approx(share)


@pytest.mark.parametrize("text", ["1.5", "-0.2", "150%", "0", "1e-300", "0.0009"])
def test_shares_outside_the_range_are_refused_with_it(capsys, text):
    code, _, err = run_quote(capsys, "--tokens-per-month", "2B", "--output-share", text, *SITUATION)
    assert code == 2
    # output_token_share's range in x-limits: 0.001 (one output token in a thousand) to 1
    assert err == (f"python -m analysis quote: error: argument --output-share: {text!r} is out of range: a share of "
                   "tokens must be from 0.001 to 1\n")


@pytest.mark.parametrize("text", ["half", "50%%", "%", "0.3.1", "nan"])
def test_shares_that_are_no_number_are_refused(capsys, text):
    code, _, err = run_quote(capsys, "--tokens-per-month", "2B", "--output-share", text, *SITUATION)
    assert code == 2
    assert err == (f"python -m analysis quote: error: argument --output-share: expected a share such as 0.3 or 30%, "
                   f"got {text!r}\n")


def test_a_negative_volume_gets_the_volume_message_not_argparse_s(capsys):
    code, _, err = run_quote(capsys, "--tokens-per-month", "-5B", *SITUATION)
    assert code == 2
    assert "expected one argument" not in err
    assert err == ("python -m analysis quote: error: argument --tokens-per-month: '-5B' is out of range: a volume in "
                   "tokens a month must be from 1 to 1e+16\n")


def test_json_shares_are_those_of_the_reoriented_cases(capsys, dataset):
    # Together bills Llama 3.3 70B at one price for input and output, so more output only slows the GPUs (on A100s
    # at FP16 the break-even needs more than one replica: 33.6B tokens at 1.3% output, 39.2B at 33.8%): the
    # favourable case is priced at the low share, and the JSON must print that share, not the assumptions.csv
    # order (low share in the unfavourable case).
    code, out, _ = run_quote(capsys, "--tokens-per-month", "10B", "--api", "together-llama-3.3-70b", "--model",
                             "llama-3.3-70b", "--gpu", "a100-80gb-sxm", "--precision", "fp16", "--format", "json")
    assert code == 0
    cases = json.loads(out)["cases"]
    low, high = (float(v) for v in dataset["assumptions"].set_index("name").loc[
        "output_token_share", ["value_low", "value_high"]])
    assert (cases["favourable"]["output_token_share"], cases["unfavourable"]["output_token_share"]) == (low, high)


def test_help_documents_every_option_with_units(capsys):
    code, out, _ = run_quote(capsys, "--help")
    assert code == 0
    for phrase in ("--tokens-per-month TOKENS", "total tokens (input + output) per month", "500M, 2B, 1.5T",
                   "--output-share SHARE", "output tokens / total tokens", "--api OFFER_ID", "USD per", "million",
                   "--model MODEL_ID", "--gpu GPU_ID", "--precision PRECISION", "bits", "--buy", "--rent OFFER_ID",
                   "USD per GPU-hour", "--data DIR", "--format {table,json,csv}", "favourable", "unfavourable"):
        assert phrase in out, phrase


def _swap(situation: list[str], option: str, value: str) -> list[str]:
    args = list(situation)
    args[args.index(option) + 1] = value
    return args


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--gpu", "h900", "unknown --gpu 'h900': valid GPUs are a100-80gb-sxm, b200, h100-pcie, h100-sxm, h200-sxm, "
                      "l4, rtx-4090"),
    ("--precision", "fp4", "unknown --precision 'fp4': valid precisions are fp16, fp8, int4"),
])
def test_unknown_names_list_the_valid_ones(capsys, option, value, message):
    code, out, err = run_quote(capsys, "--tokens-per-month", "2B", *_swap(SITUATION, option, value))
    assert code == 2
    assert out == ""
    assert one_line(err) == f"python -m analysis quote: error: {message}"


@pytest.mark.parametrize(("option", "table", "column", "noun"), [("--api", "api_prices", "offer_id", "API offers"),
                                                                 ("--model", "models", "model_id", "models")])
def test_unknown_offer_or_model_lists_every_one(capsys, dataset, option, table, column, noun):
    code, _, err = run_quote(capsys, "--tokens-per-month", "2B", *_swap(SITUATION, option, "nope"))
    assert code == 2
    valid = ", ".join(sorted(dataset[table][column]))
    assert one_line(err) == f"python -m analysis quote: error: unknown {option} 'nope': valid {noun} are {valid}"


def test_rental_offer_for_another_gpu(capsys):
    code, _, err = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, "--rent", "lambda-a100-8x")
    assert code == 2
    assert one_line(err) == (
        "python -m analysis quote: error: --rent 'lambda-a100-8x' rents a100-80gb-sxm, not --gpu 'h100-sxm': "
        "valid rental offers for h100-sxm are aws-p5-48xlarge, aws-p5-48xlarge-3yr, aws-p5-48xlarge-spot, "
        "coreweave-h100-8x, "
        "coreweave-h100-8x-spot, lambda-h100-1x, lambda-h100-8x, runpod-h100-1x, "
        "runpod-h100-1x-community")


def test_unknown_rental_offer_for_a_gpu_nobody_rents(capsys, data_copy):
    unrented = _without(_without(data_copy, "gpu_rentals.csv", "offer_id", "gcp-g2-standard-4"), "gpu_rentals.csv",
                        "offer_id", "aws-g6-xlarge")
    code, _, err = run_quote(capsys, "--tokens-per-month", "2B", *_swap(SITUATION, "--gpu", "l4"), "--rent", "x",
                             "--data", str(unrented))
    assert code == 2
    assert one_line(err) == ("python -m analysis quote: error: unknown --rent 'x': "
                                    "gpu_rentals.csv has no offer for l4")


def test_buying_a_gpu_without_a_price(capsys, data_copy):
    unpriced = _without(data_copy, "gpu_prices.csv", "gpu_id", "b200")
    code, _, err = run_quote(capsys, "--tokens-per-month", "2B", *_swap(SITUATION, "--gpu", "b200"),
                             "--data", str(unpriced))
    assert code == 2
    assert one_line(err) == (
        "python -m analysis quote: error: gpu_prices.csv has no purchase price for --gpu 'b200' (GPUs with a "
        "price: a100-80gb-sxm, h100-pcie, h100-sxm, h200-sxm, l4, rtx-4090); give one with --usd-per-gpu, or rent "
        "it with --rent instead: "
        "valid rental offers for b200 are "
        "aws-p6-b200-48xlarge, coreweave-b200-8x, lambda-b200-8x")


def test_buy_and_rent_exclude_each_other(capsys):
    code, _, err = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, "--buy", "--rent", "lambda-h100-8x")
    assert code == 2
    assert "argument --rent: not allowed with argument --buy" in err


def test_stale_price_of_the_quoted_offer_is_a_warning(capsys, data_copy):
    # Claude Sonnet 4.6's price last confirmed on 2025-07-01, more than 180 days before the newest row (2026-12-05);
    # another stale row, one this quote does not use (GPT-5.4's), stays silent.
    table = (data_copy / "api_prices.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    for line in (1, 2):  # openai-gpt-5.4, anthropic-claude-sonnet-4.6
        table[line] = table[line].replace(",base,2026-11-10,", ",base,2025-07-01,")
    (data_copy / "api_prices.csv").write_text("".join(table), encoding="utf-8")
    code, out, err = run_quote(capsys, "--tokens-per-month", "2B",
                               *_swap(SITUATION, "--api", "anthropic-claude-sonnet-4.6"), "--format", "csv",
                               "--data", str(data_copy))
    assert code == 0 and out.startswith("case,")
    assert err.startswith(f"warning: {data_copy}/api_prices.csv, line 3, column 'confirmed_on': value '2025-07-01' is ")
    assert len(err.splitlines()) == 1  # only the row this quote uses


# ---------------------------------------------------------------- invalid data, model limits, speed


def quote_process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", "quote", *args], capture_output=True, text=True,
                          check=False)


@pytest.mark.slow  # a full validation (Frictionless)
def test_invalid_dataset_lists_every_problem(capsys, data_copy):
    assert run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, "--data", str(data_copy))[0] == 0
    # The intact copy is now remembered as clean; one changed cell must still be found.
    gpus = data_copy / "gpus.csv"
    gpus.write_text(gpus.read_text().replace(",80,GiB,2.039,", ",eighty,GiB,2.039,", 1))
    prices = data_copy / "gpu_prices.csv"
    prices.write_text(prices.read_text().replace(",8000,12000,", ",-8000,12000,", 1))
    code, out, err = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, "--data", str(data_copy))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"{data_copy}: 2 problems found; nothing was quoted",
        f"  - {data_copy}/gpus.csv, line 2, column 'memory_capacity': value 'eighty' is not a number: write digits 0-9 "
        "with an optional sign, point and exponent, such as 2.5 or 1e9",
        f"  - {data_copy}/gpu_prices.csv, line 2, column 'usd_low': value '-8000' is below the minimum 100"]


def test_missing_dataset_folder(capsys, tmp_path):
    code, _, err = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, "--data", str(tmp_path / "nowhere"))
    assert code == 1
    assert err.splitlines() == [f"{tmp_path / 'nowhere'}: 1 problem found; nothing was quoted",
                                f"  - {tmp_path / 'nowhere'}: dataset folder does not exist"]


@pytest.mark.slow  # a full validation (Frictionless)
def test_an_output_share_the_model_cannot_rate_is_refused_by_the_data_gate(capsys, data_copy):
    # An output share range starting at 0 was valid data that crashed inside the model (a request without output
    # cannot be rated): the row's range (x-limits: 0.001 to 1) now refuses it before the model runs.
    assumptions = data_copy / "assumptions.csv"
    assumptions.write_text(assumptions.read_text().replace("are output,workload,0.013,0.338,",
                                                           "are output,workload,0,0.338,"))
    code, _, err = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, "--data", str(data_copy))
    assert code == 1
    assert err.splitlines() == [
        f"{data_copy}: 1 problem found; nothing was quoted",
        f"  - {data_copy}/assumptions.csv, line 34, column 'value_low': value '0' is out of range for "
        "output_token_share: a share of tokens must be from 0.001 to 1"]


NOT_IMPORTED = ("altair", "vl_convert", "IPython", "matplotlib", "papermill", "nbclient", "jupyter_client")


@pytest.mark.slow  # a full validation (Frictionless), or the command in its own process
def test_no_chart_library_or_kernel_and_a_warm_run_skips_frictionless():
    script = ("import sys; from analysis.commands.cli import main; "
              "code = main(['quote', '--tokens-per-month', '2B', *sys.argv[1:]]); "
              f"print(code, [m for m in {(*NOT_IMPORTED, 'frictionless')!r} if m in sys.modules])")
    first = subprocess.run([sys.executable, "-c", script, *SITUATION], capture_output=True, text=True, check=True)
    assert first.stdout.splitlines()[-1] in ("0 []", "0 ['frictionless']")  # cold or already cached
    second = subprocess.run([sys.executable, "-c", script, *SITUATION], capture_output=True, text=True, check=True)
    assert second.stdout.splitlines()[-1] == "0 []"


# ---------------------------------------------------------------- the validation cache (analysis/data/loading.py)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setattr(loading, "VALIDATION_CACHE_DIR", folder)
    return folder


@pytest.fixture
def frictionless_runs(monkeypatch) -> list[str]:
    """The tables Frictionless actually checks, one entry per check."""
    from frictionless import Package

    calls: list[str] = []
    original = Package.validate

    def counting(self, *args, **kwargs):
        calls.append(kwargs.get("name"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Package, "validate", counting)
    return calls


@pytest.mark.slow  # a full validation (Frictionless), or the command in its own process
def test_a_clean_result_is_reused_until_a_byte_changes(data_copy, cache_dir, frictionless_runs):
    tables_in_order = [r["name"] for r in loading.descriptor()["resources"]]
    first, tables = loading.validate(data_copy)
    assert first == [] and frictionless_runs == tables_in_order  # each table checked once, then remembered
    assert len(list(cache_dir.iterdir())) == len(tables_in_order)
    second, cached_tables = loading.validate(data_copy)
    assert second == [] and len(frictionless_runs) == len(tables_in_order)  # skipped
    assert set(cached_tables) == set(tables)
    assert all(cached_tables[n].equals(tables[n]) for n in tables)
    frictionless_runs.clear()
    # gpus.csv: it is checked again, and so is every table whose foreign keys look into it; nothing else.
    gpus = data_copy / "gpus.csv"
    gpus.write_text(gpus.read_text().replace(",80,GiB,2.039,", ",80,GiB,-2.039,"))
    third, _ = loading.validate(data_copy)
    looking = [r["name"] for r in loading.descriptor()["resources"]
               if any(fk["reference"]["resource"] == "gpus" for fk in r["schema"].get("foreignKeys", []))]
    assert looking == ["gpu_prices", "gpu_rentals", "benchmarks", "speed_points", "guide_figures"]
    assert frictionless_runs == ["gpus", *looking]
    assert [str(p) for p in third] == [
        f"{data_copy}/gpus.csv, line 2, column 'memory_bandwidth_tb_per_s': value '-2.039' is below the minimum 0.05"]
    frictionless_runs.clear()
    loading.validate(data_copy)
    assert frictionless_runs == ["gpus"]  # a broken table is never remembered; the tables reading it were clean


@pytest.mark.slow  # a full validation (Frictionless), or the command in its own process
def test_cache_can_be_switched_off(data_copy, monkeypatch, frictionless_runs):
    monkeypatch.setattr(loading, "VALIDATION_CACHE_DIR", None)
    loading.validate(data_copy)
    loading.validate(data_copy)
    assert len(frictionless_runs) == 2 * len(loading.descriptor()["resources"])


def test_cache_keeps_a_bounded_number_of_markers(data_copy, cache_dir, monkeypatch):
    monkeypatch.setattr(loading, "VALIDATION_CACHE_MAX_ENTRIES", 3)
    cache_dir.mkdir()
    for i in range(5):
        (cache_dir / f"old-{i}").touch()
    loading.validate(data_copy)
    kept = list(cache_dir.iterdir())
    assert len(kept) == 3
    # One marker per table is written (10 here); the newest are kept, the old ones go first.
    assert not any(p.name.startswith("old-") for p in kept)


@pytest.mark.slow  # a full validation (Frictionless) unless a previous run left it cached
def test_readme_example_output_is_what_quote_prints(capsys, monkeypatch):
    # The README shows one quote's output; it must be the current model's, not numbers typed by hand.
    readme = (paths.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    command_block = readme.split("```bash\n.venv/bin/python -m analysis quote ", 1)[1].split("```", 1)[0]
    argv = ["quote", *command_block.replace("\\\n", " ").split()]
    shown = readme.split("```text\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(paths.REPO_ROOT)  # where the README's reader runs it
    code, out, err = run_quote(capsys, *argv[1:])
    assert code == 0, err
    assert out == shown


# ---------------------------------------------------------------- your own prices and ranges


def _json_quote(capsys, *args: str) -> dict:
    code, out, err = run_quote(capsys, "--tokens-per-month", "2B", *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_custom_api_with_the_offer_prices_gives_the_offer_figures(capsys):
    # GPT-5.4's own prices typed in: every figure of every case as with the offer.
    offer = _json_quote(capsys, *SITUATION)
    typed = _json_quote(capsys, *_swap(SITUATION, "--api", "custom"), "--usd-per-m-input", "2.5",
                        "--usd-per-m-output", "15", "--usd-per-m-cached-input", "0.25")
    assert typed["cases"] == offer["cases"]
    assert typed["situation"]["api_offer_id"] == "custom"
    assert typed["situation"]["custom"]["usd_per_m_output"] == 15.0


def test_custom_api_bill_by_hand(capsys):
    # 2B tokens at $1 in, $3 out, 20% of input cached at the input price (no cached price given):
    # base output share 0.1755 -> 2000 x (0.8245 x (0.8 x 1 + 0.2 x 1) + 0.1755 x 3) = 2000 x 1.351 = $2,702.
    quoted = _json_quote(capsys, *_swap(SITUATION, "--api", "custom"), "--usd-per-m-input", "1",
                         "--usd-per-m-output", "3", "--cached-input-share", "20%")
    assert quoted["cases"]["base"]["api_usd_per_month"] == pytest.approx(2702.0, rel=1e-12)
    assert {quoted["cases"][c]["cached_input_share"] for c in spine.CASES} == {0.2}
    assert quoted["situation"]["custom"]["cached_input_share"] == [0.2, 0.2]


def test_custom_purchase_price_pins_every_case(capsys, dataset):
    # At $30,000 a GPU, the capex of each case is its GPU count x (30,000 + its server share: 3,750, 6,250 and 8,750
    # by case, the favourable end first).
    quoted = _json_quote(capsys, *SITUATION, "--usd-per-gpu", "30,000")
    for case, server in zip(spine.CASES, (3_750, 6_250, 8_750), strict=True):
        figures = quoted["cases"][case]
        assert figures["buy_capex_usd"] == figures["gpus"] * (30_000 + server)


def test_custom_rental_rate_by_the_hour(capsys, dataset):
    # One GPU-hour at $2.00 over the dataset's hours_per_month, per rented GPU, on top of the fixed costs:
    # renting at $4.00 instead adds 2.00 x hours x GPUs to the monthly cost.
    cheap = _json_quote(capsys, *SITUATION, "--rent", "custom", "--usd-per-gpu-hour", "2")
    dear = _json_quote(capsys, *SITUATION, "--rent", "custom", "--usd-per-gpu-hour", "4")
    hours = float(dataset["assumptions"].set_index("name").loc["hours_per_month", "value_low"])
    base_cheap, base_dear = cheap["cases"]["base"], dear["cases"]["base"]
    assert base_cheap["rent_gpus"] == base_dear["rent_gpus"]
    assert base_dear["rent_usd_per_month"] - base_cheap["rent_usd_per_month"] == pytest.approx(
        2.0 * hours * base_cheap["rent_gpus"], rel=1e-12)


def test_custom_range_pinned_makes_that_input_equal_in_every_case(capsys):
    # Utilization pinned at its favourable end: the favourable case is unchanged, the base case is cheaper.
    free = _json_quote(capsys, *SITUATION)
    pinned = _json_quote(capsys, *SITUATION, "--target-utilization", "0.9")
    assert pinned["situation"]["custom"]["target_utilization"] == [0.9, 0.9]
    assert pinned["cases"]["base"]["buy_usd_per_month"] <= free["cases"]["base"]["buy_usd_per_month"]


@pytest.mark.parametrize(("args", "message"), [
    (["--api", "custom"], "--api custom needs --usd-per-m-input and --usd-per-m-output"),
    (["--rent", "custom"], "--rent custom needs --usd-per-gpu-hour"),
    (["--usd-per-gpu-hour", "2"], "--usd-per-gpu-hour prices a rental: add --rent OFFER_ID, or --rent custom"),
    (["--rent", "lambda-h100-8x", "--usd-per-gpu", "20000"],
     "--usd-per-gpu prices a purchase: leave out --rent to buy the GPUs"),
    # The ranges are those of the dataset: api_prices.csv's usd_per_m_input column (0 to 1000), the rows of
    # assumptions.csv in x-limits (engineer_allocation 0 to 1, target_utilization 0.05 to 1).
    (["--usd-per-m-input", "-1"],
     "argument --usd-per-m-input: '-1' is out of range: USD per million tokens must be from 0 to 1000"),
    (["--usd-per-m-input", "1e308"],
     "argument --usd-per-m-input: '1e308' is out of range: USD per million tokens must be from 0 to 1000"),
    (["--usd-per-m-output", "nan"], "argument --usd-per-m-output: expected a price in USD such as 2.5, got 'nan'"),
    (["--engineer-allocation", "1.5"], "argument --engineer-allocation: '1.5' is out of range: a share of one "
     "engineer must be from 0 to 1"),
    (["--target-utilization", "0"], "argument --target-utilization: '0' is out of range: a share of the rate at "
     "peak must be from 0.05 to 1"),
    (["--electricity-usd-per-kwh", "0.2:0.1"],
     "argument --electricity-usd-per-kwh: the low end 0.2 is above the high end 0.1 in '0.2:0.1'"),
    (["--cached-input-share", "abc"], "argument --cached-input-share: expected 0.6, 60% or 0.5:0.7, got 'abc'"),
    (["--ml-engineer-usd-per-year", "50%"],
     "argument --ml-engineer-usd-per-year: expected one amount in USD or LOW:HIGH, got '50%'"),
])
def test_custom_option_errors(capsys, args, message):
    situation = SITUATION
    if args[:2] == ["--api", "custom"]:
        situation, args = _swap(SITUATION, "--api", "custom"), []
    code, _, err = run_quote(capsys, "--tokens-per-month", "2B", *situation, *args)
    assert code == 2
    assert one_line(err) == f"python -m analysis quote: error: {message}"


# ---------------------------------------------------------------- every input by name (--set)


def test_set_gives_any_row_the_model_reads(capsys):
    # A 60-month life in every case and an on-call floor of half an engineer: the base case's engineers line is
    # $200,000 / 12 x max(0.5, 0.25 + 2 / 170.5) = $8,333.33, and its GPUs line 30,000 x 0.9 / 60 + 30,000 x 1.1 / 2
    # x 0.04 / 12 = 450 + 55 = $505 a GPU, $1,010 for two.
    quoted = _json_quote(capsys, *SITUATION, "--set", "amortization_months=60", "--set", "oncall_engineers_min=0.5")
    base = quoted["cases"]["base"]
    assert base["buy_engineers_usd_per_month"] == pytest.approx(200_000 / 12 * 0.5)
    assert base["buy_gpus_usd_per_month"] == pytest.approx(1_010)
    assert quoted["situation"]["custom"]["amortization_months"] == [60.0, 60.0]
    assert quoted["situation"]["custom"]["oncall_engineers_min"] == [0.5, 0.5]
    assert "pue" not in quoted["situation"]["custom"]  # only the rows given


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "pue"], "argument --set: expected NAME=VALUE or NAME=LOW:HIGH, got 'pue'"),
    (["--set", "PUE=1.2"], "argument --set: expected NAME=VALUE or NAME=LOW:HIGH, got 'PUE=1.2'"),
    (["--set", "pue=abc"], "argument --set pue: expected one number or LOW:HIGH, got 'abc'"),
    (["--set", "pue=0.5"], "argument --set pue: '0.5' is out of range: a power usage effectiveness ratio must be "
                           "from 1 to 3"),
    (["--set", "pue=1.5:1.2"], "argument --set pue: the low end 1.5 is above the high end 1.2 in '1.5:1.2'"),
    (["--set", "context_tokens=100.5"], "argument --set context_tokens: '100.5' is out of range: tokens of context "
                                        "per sequence must be whole numbers from 1 to 10000000"),
    (["--set", "pue=1.2", "--set", "pue=1.3"], "argument --set: 'pue' is given twice"),
    (["--target-utilization", "0.6", "--set", "target_utilization=0.5"],
     "argument --set: 'target_utilization' is given twice"),
    (["--output-share", "0.3", "--set", "output_token_share=0.1:0.2"],
     "argument --set: give the output share once: --output-share pins it, output_token_share sets its range"),
])
def test_set_refusals_are_one_line(capsys, args, message):
    code, out, err = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, *args)
    assert (code, out) == (2, "")
    assert one_line(err) == f"python -m analysis quote: error: {message}"


def test_set_refuses_a_row_the_model_does_not_read(capsys):
    code, _, err = run_quote(capsys, "--tokens-per-month", "2B", *SITUATION, "--set", "fragile_margin_ratio=1")
    assert code == 2
    assert one_line(err).startswith("python -m analysis quote: error: argument --set: 'fragile_margin_ratio' is no "
                                    "input the model reads; settable: amortization_months, api_uptime, ")


def test_buying_a_gpu_without_a_price_is_never_priced_at_a_stand_in(data_copy):
    # The $1 stand-in only lets a rental of a GPU without a purchase price be resolved; a purchase of one is refused
    # even when the names were not checked first.
    unpriced = lookups.record(loading.load(_without(data_copy, "gpu_prices.csv", "gpu_id", "l4")))
    request = quoting.QuoteRequest(2e9, "openai-gpt-5.4", "llama-3.1-8b", "l4", "fp8", None, None)
    with pytest.raises(ValueError, match=r"gpu_id 'l4' has no purchase price in gpu_prices\.csv"):
        quoting.make_quote(unpriced, request)
    rented = dataclasses.replace(request, rental_offer_id="custom",
                                 custom=resolve.Custom(usd_per_gpu_hour=1.0))
    assert quoting.make_quote(unpriced, rented).figures["base"]["rent_gpus"] >= 1


@pytest.mark.parametrize(("model", "rent", "precision", "api"), [
    ("llama-3.3-70b", "lambda-h100-8x", "fp8", "together-llama-3.3-70b"),
    ("llama-3.3-70b", "lambda-a100-8x", "fp8", "together-llama-3.3-70b"),
    ("llama-4-maverick", "lambda-h100-1x", "fp16", "deepseek-v4-flash"),
])
def test_a_rental_quote_orients_the_output_share_on_renting(capsys, dataset, model, rent, precision, api):
    # In these situations buying and renting break even sooner at opposite ends of the output share's range. Oriented
    # on buying (as the chapters that show both do), the rental's favourable case broke even later than its
    # unfavourable one; a rental quote orients on renting, so its cases keep their order.
    gpu = next(r["gpu_id"] for r in lookups.record(dataset)["rentals"] if r["id"] == rent)
    bought = resolve.situation(lookups.record(dataset), model, gpu, precision, api, rent, stand_in_usd_per_gpu=1.0)
    rented = resolve.situation(lookups.record(dataset), model, gpu, precision, api, rent, stand_in_usd_per_gpu=1.0,
                               orient_on="rent")
    assert bought.input("output_token_share").direction == -rented.input("output_token_share").direction
    cases = _json_quote(capsys, "--api", api, "--model", model, "--gpu", gpu, "--precision", precision,
                        "--rent", rent)["cases"]
    volumes = [cases[c]["rent_breakeven_tokens_per_month"] for c in spine.CASES]
    volumes = [math.inf if v is None else v for v in volumes]
    assert volumes[0] <= volumes[1] <= volumes[2], volumes


def test_quote_says_when_a_throughput_is_extrapolated_or_the_weights_nearly_fill_the_replica(capsys):
    # The mixture-of-experts efficiency was measured on H100s and H200s only: on A100s it is extrapolated.
    maverick_on_a100 = _swap(_swap(SITUATION, "--model", "llama-4-maverick"), "--gpu", "a100-80gb-sxm")
    code, out, err = run_quote(capsys, "--tokens-per-month", "2B", *maverick_on_a100, "--format", "json")
    assert code == 0 and json.loads(out)["cases"]
    assert err == ("warning: the moe/tuned engine efficiency was measured on h100-sxm, h200-sxm, not a100-80gb-sxm: "
                   "its throughput there is extrapolated\n")
    # DeepSeek V4 Flash at FP8: 284B x 8.05 / 8 = 285.8 GB of weights on 4 H100s, each offering 85.9 x 0.925 - 2.5
    # = 76.95 GB to its engine (307.8 GB): 93% full.
    code, _, err = run_quote(capsys, "--tokens-per-month", "2B", *_swap(SITUATION, "--model", "deepseek-v4-flash"))
    assert code == 0
    assert err == ("warning: the weights (286 GB) fill 93% of the memory a 4-GPU replica's engine may use (base case): "
                   "little is left for the KV cache, so its batch is small\n")
    # Llama 3.3 70B at FP8 on H100s, the README's example: neither.
    assert run_quote(capsys, "--tokens-per-month", "2B", *SITUATION)[2] == ""


def test_quote_warns_that_a_retired_offer_is_history(capsys):
    # Gemini 2.5 Pro left the Gemini API on 2026-12-01 (retired_on in api_prices.csv): it is still priced, as history.
    code, out, err = run_quote(capsys, "--tokens-per-month", "2B", *_swap(SITUATION, "--api", "google-gemini-2.5-pro"),
                               "--format", "json")
    assert code == 0 and json.loads(out)["cases"]
    assert err.startswith("warning: google-gemini-2.5-pro was retired on 2026-12-01: its price is history (Gemini API "
                          "requests now go to Gemini 3.8 Flash")


def test_quote_prices_the_hybrid_for_a_traffic_profile(capsys, tmp_path):
    # Maverick on H100s against GPT-5.4 at 100B tokens a month of chat traffic, the overflow to Novita's Maverick:
    # the base case owns 2 of the 3 replicas all-self-host needs and sends 11% of tokens to Novita.
    args = ["--tokens-per-month", "100B", "--api", "openai-gpt-5.4", "--model", "llama-4-maverick", "--gpu",
            "h100-sxm", "--precision", "fp8", "--traffic", "chat", "--overflow", "novita-llama-4-maverick"]
    code, out, _ = run_quote(capsys, *args, "--format", "json")
    assert code == 0
    mix = json.loads(out)["hybrid"]
    assert (mix["traffic"], mix["overflow_offer_id"], mix["hard_share"]) == ("chat", "novita-llama-4-maverick", 0.0)
    base = mix["cases"]["base"]
    assert (base["owned_replicas"], base["all_selfhost_replicas"]) == (2, 3)
    assert round(base["in_house_share"], 3) == 0.888
    for case in mix["cases"].values():
        assert case["hybrid_usd_per_month"] <= min(case["all_api_usd_per_month"], case["all_selfhost_usd_per_month"])
    code, table, _ = run_quote(capsys, *args)
    assert code == 0 and ("Traffic chat (traffic_profiles.csv, profile chat), bought GPUs; overflow to "
                          "novita-llama-4-maverick") in table
    # a file of the reader's own, and the errors
    flat = tmp_path / "flat.csv"
    flat.write_text("hour,relative_load\n" + "".join(f"{h},1\n" for h in range(24)), encoding="utf-8")
    code, out, _ = run_quote(capsys, *args[:-4], "--traffic", str(flat), "--format", "json")
    assert code == 0 and json.loads(out)["hybrid"]["cases"]["base"]["peak_to_average"] == 1.0
    code, _, err = run_quote(capsys, *args[:-4], "--traffic", "bursty")
    assert code == 2 and err.startswith("error: unknown traffic profile 'bursty': the profiles are chat, coding, flat")
    code, _, err = run_quote(capsys, *args[:-4], "--overflow", "novita-llama-4-maverick")
    assert code == 2 and "--overflow and --hard-share price the hybrid: give --traffic too" in err
    # a rented fleet: whole 8-GPU servers kept around the clock, still never dearer than either end
    code, out, _ = run_quote(capsys, *args, "--rent", "lambda-h100-8x")
    assert code == 0 and "GPUs rented around the clock (lambda-h100-8x); overflow to" in out
    code, out, _ = run_quote(capsys, *args, "--rent", "lambda-h100-8x", "--format", "json")
    mix = json.loads(out)["hybrid"]
    assert (mix["fleet"], mix["rental_offer_id"]) == ("rented", "lambda-h100-8x")
    for case in mix["cases"].values():
        assert case["gpus_per_replica"] == 8
        assert case["hybrid_usd_per_month"] <= min(case["all_api_usd_per_month"], case["all_selfhost_usd_per_month"])


def test_quote_gives_the_figures_over_the_hardwares_life(capsys):
    # Scenario 1 at 5B tokens a month with flat API prices: the lifetime break-even is the monthly one but for the
    # discounting ($20.3K either way, within 0.1%), and the discounted payback (47.1 months) comes after the simple
    # one (44.0): each month's saving is worth less than the last.
    args = ["--tokens-per-month", "5B", "--api", "openai-gpt-5.4", "--model", "llama-4-maverick", "--gpu", "h100-sxm",
            "--precision", "fp8"]
    code, out, _ = run_quote(capsys, *args, "--api-price-decline-per-year", "0", "--format", "json")
    assert code == 0
    base = json.loads(out)["lifetime"]["cases"]["base"]
    assert base["api_price_decline_per_year"] == 0.0
    assert base["life_breakeven_api_usd_per_month"] == pytest.approx(base["static_breakeven_api_usd_per_month"],
                                                                     rel=1e-3)
    assert (round(base["static_payback_months"], 1), round(base["life_payback_months"], 1)) == (44.0, 47.1)
    # with the dataset's range the base case loses 45% of the API price a year: buying never pays back in its life
    code, out, _ = run_quote(capsys, *args, "--lifetime", "--format", "json")
    base = json.loads(out)["lifetime"]["cases"]["base"]
    assert base["api_price_decline_per_year"] == 0.45 and base["life_payback_months"] is None
    assert base["life_breakeven_api_usd_per_month"] > 2 * base["static_breakeven_api_usd_per_month"]
    # renting: no purchase, so no payback (null, and no payback row in the table); a rental price halving each
    # year lowers its break-even over the life below the flat price's
    rent = [*args, "--rent", "lambda-h100-8x", "--api-price-decline-per-year", "0"]
    code, out, _ = run_quote(capsys, *rent, "--rental-price-ratio-per-year", "1", "--format", "json")
    life = json.loads(out)["lifetime"]
    flat = life["cases"]["base"]
    assert code == 0 and (life["fleet"], flat["life_payback_months"], flat["static_payback_months"]) == (
        "rented", None, None)
    code, out, _ = run_quote(capsys, *rent, "--rental-price-ratio-per-year", "0.5", "--format", "json")
    halving = json.loads(out)["lifetime"]["cases"]["base"]
    assert halving["life_breakeven_api_usd_per_month"] < flat["life_breakeven_api_usd_per_month"]
    code, table, _ = run_quote(capsys, *rent)
    assert "GPUs rented for the life (lambda-h100-8x)" in table and "Payback" not in table.split("Over the")[1]
