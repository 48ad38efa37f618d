"""The second price source: LiteLLM's prices read exactly, each verdict of the check, the open models an entry
serves, the cheapest host, and the week-long average of DeepSeek's weekday peak hours."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.data import prices, second_source
from analysis.data.second_source import SourcePrice, compare

SNAPSHOT = dt.date(2026, 11, 20)
ROW = {"usd_per_m_input": 0.10, "usd_per_m_output": 0.32, "usd_per_m_cached_input": None}


def _source(usd_in, usd_out, usd_cached=None, retires_on=None, ref="acme/model") -> SourcePrice:
    return SourcePrice(ref, {"usd_per_m_input": usd_in, "usd_per_m_output": usd_out,
                             "usd_per_m_cached_input": usd_cached}, retires_on)


def test_litellm_prices_per_token_become_exact_prices_per_million():
    # 1.3e-07 x 1e6 is 0.12999999999999998 in floating point; the table means 0.13.
    price = second_source.litellm_price("nebius/x", {"input_cost_per_token": 1.3e-07, "output_cost_per_token": 4e-07,
                                                     "deprecation_date": "2026-12-01"})
    assert price.usd_per_m == {"usd_per_m_input": 0.13, "usd_per_m_output": 0.4, "usd_per_m_cached_input": None}
    assert price.retires_on == dt.date(2026, 12, 1)


def test_a_price_within_two_percent_agrees_and_one_beyond_differs():
    # 0.1019 / 0.10 - 1 = 1.9%: rounding between tables; 0.103 / 0.10 - 1 = 3%: another price.
    close = compare("o", "litellm", ROW, _source(0.1019, 0.32), "", None, SNAPSHOT)
    assert close.verdict == "agrees" and close.difference == pytest.approx(0.019)
    far = compare("o", "litellm", ROW, _source(0.103, 0.32), "", None, SNAPSHOT)
    assert (far.verdict, far.differing) == ("differs, unexplained", ("usd_per_m_input",))
    explained = compare("o", "litellm", ROW, _source(0.103, 0.32), "the fast tier", None, SNAPSHOT)
    assert explained.verdict == "differs, explained" and explained.reason == "the fast tier"


def test_a_missing_cached_price_is_the_input_price_as_the_model_bills_it():
    # The row gives no cached price, so cached input is billed at 0.10: a table listing cached input at 0.10 agrees,
    # one listing 0.01 (a tenth) is a difference the model would feel.
    assert compare("o", "litellm", ROW, _source(0.10, 0.32, 0.10), "", None, SNAPSHOT).verdict == "agrees"
    cheaper = compare("o", "litellm", ROW, _source(0.10, 0.32, 0.01), "", None, SNAPSHOT)
    assert cheaper.differing == ("usd_per_m_cached_input",) and cheaper.difference == pytest.approx(0.9)


def test_an_offer_a_source_retired_must_be_marked_retired():
    gone = _source(0.10, 0.32, retires_on=dt.date(2026, 10, 22))
    assert compare("o", "litellm", ROW, gone, "", None, SNAPSHOT).verdict == "retired upstream"
    assert compare("o", "litellm", ROW, gone, "", dt.date(2026, 10, 22), SNAPSHOT).verdict == "agrees"
    # a retirement the source dates after its own snapshot has not happened yet
    later = _source(0.10, 0.32, retires_on=dt.date(2027, 4, 30))
    assert compare("o", "litellm", ROW, later, "", None, SNAPSHOT).verdict == "agrees"


def test_a_row_a_source_does_not_list_needs_a_reason():
    assert compare("o", "litellm", ROW, None, "", None, SNAPSHOT).verdict == "not listed, unexplained"
    assert compare("o", "litellm", ROW, None, "no such provider", None, SNAPSHOT).verdict == "not listed, explained"
    assert set(second_source.FAILING) == {"differs, unexplained", "not listed, unexplained", "retired upstream"}


MODELS = ["llama-3.1-8b", "llama-3.3-70b", "llama-4-maverick", "qwen3-30b-a3b", "qwen3-235b-a22b", "deepseek-v4-flash",
          "deepseek-v4-pro", "deepseek-r1"]


@pytest.mark.parametrize(("ref", "model_id"), [
    ("nebius/meta-llama/Llama-3.3-70B-Instruct", "llama-3.3-70b"),
    ("fireworks_ai/accounts/fireworks/models/llama-v3p3-70b-instruct", "llama-3.3-70b"),
    ("together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "llama-3.1-8b"),
    ("novita/meta-llama/llama-4-maverick-17b-128e-instruct-fp8", "llama-4-maverick"),
    ("nebius/Qwen/Qwen3-235B-A22B-Instruct-2507", "qwen3-235b-a22b"),
    ("novita/deepseek/deepseek-v4-flash", "deepseek-v4-flash"),
    # DeepSeek's own API name serves V4.1 Flash; later checkpoints and V4.1 are other weights
    ("deepseek/deepseek-v4-flash", None),
    ("nebius/deepseek-ai/DeepSeek-V4-Flash-0731", None),
    ("tencent/deepseek-v4.1-flash", None),
    # another tier, a fine-tune, a gateway
    ("coralbricks/deepseek-v4.1-flash-fast", None),
    ("lambda_ai/deepseek-llama3.3-70b", None),
    ("openrouter/meta-llama/llama-3.3-70b-instruct", None),
    ("fireworks_ai/accounts/fireworks/models/qwen3-235b-a22b-thinking-2507", None),
    # a distilled model is not the model it was distilled from; a bigger model is not a smaller one
    ("llamagate/deepseek-r1-7b-qwen", None),
    ("hyperbolic/deepseek-ai/DeepSeek-R1", "deepseek-r1"),
    ("acme/llama-3.3-700b", None),
])
def test_which_open_model_an_entry_serves(ref, model_id):
    assert second_source.open_model_of(ref, MODELS) == model_id


def test_the_cheapest_host_is_the_lowest_blend_among_live_entries():
    entries = [_source(0.13, 0.40, ref="nebius/meta-llama/Llama-3.3-70B-Instruct"),
               _source(0.10, 0.32, ref="deepinfra/meta-llama/Llama-3.3-70B-Instruct-Turbo"),
               _source(0.05, 0.05, ref="gone/meta-llama/Llama-3.3-70B-Instruct", retires_on=dt.date(2026, 3, 6)),
               _source(0.01, 0.01, ref="retired-here/meta-llama/Llama-3.3-70B-Instruct"),
               _source(0.0, 0.0, ref="free/meta-llama/Llama-3.3-70B-Instruct")]
    hosts = second_source.cheapest_hosts(entries, "litellm", MODELS, 0.2, SNAPSHOT,
                                         frozenset({"retired-here/meta-llama/Llama-3.3-70B-Instruct"}))
    # blends at 20% output: DeepInfra 0.8 x 0.10 + 0.2 x 0.32 = 0.144; Nebius 0.8 x 0.13 + 0.2 x 0.40 = 0.184;
    # the retired, the marked-retired and the free entries are left out
    host = hosts["llama-3.3-70b"]
    assert (host.ref, host.blended_usd_per_m) == ("deepinfra/meta-llama/Llama-3.3-70B-Instruct-Turbo",
                                                  pytest.approx(0.144))
    assert list(hosts) == ["llama-3.3-70b"]


def test_weekday_windows_are_averaged_over_a_week():
    # DeepSeek V4.1 Flash: off-peak 0.15 in / 0.60 out, peak 0.30 / 1.20 from 01:00-04:00 and 06:00-10:00 UTC on
    # weekdays only. A week has 5 x 7 = 35 peak hours of 168: input (133 x 0.15 + 35 x 0.30) / 168 = 30.45 / 168
    # = 0.18125; output (133 x 0.60 + 35 x 1.20) / 168 = 121.8 / 168 = 0.725. The daily rule gave 0.19375 / 0.775.
    from decimal import Decimal

    from genai_prices import types as gp

    def window(start, end):
        return gp.ConditionalPrice(
            constraint=gp.TimeOfDateConstraint(start_time=dt.time(start, 0, tzinfo=dt.UTC),
                                               end_time=dt.time(end, 0, tzinfo=dt.UTC)),
            prices=gp.ModelPrice(input_mtok=Decimal("0.30"), output_mtok=Decimal("1.20")))

    flash = gp.ModelInfo(id="flash", match=gp.ClauseEquals(equals="flash"), prices=[
        gp.ConditionalPrice(prices=gp.ModelPrice(input_mtok=Decimal("0.15"), output_mtok=Decimal("0.60"))),
        window(1, 4), window(6, 10)])
    week = prices.entry_price(flash, "weekday-average", dt.date(2026, 12, 2))
    assert week.usd_per_m["usd_per_m_input"] == pytest.approx(0.18125)
    assert week.usd_per_m["usd_per_m_output"] == pytest.approx(0.725)
    assert week.not_modelled[-1] == ("averaged over a week, windows on weekdays only: 133 h at the in-force price, "
                                     "15 h 01:00-04:00 UTC, 20 h 06:00-10:00 UTC")
    day = prices.entry_price(flash, "daily-average", dt.date(2026, 12, 2))
    assert day.usd_per_m["usd_per_m_input"] == pytest.approx(0.19375)
