"""The spine against a second implementation of the base case written out with loops (tests/oracles.py), and the
report's headlines against it: a wrong line, term or factor in the model shows as a different number here."""

from __future__ import annotations

import ast
import json
import math

import numpy as np
import pytest
from oracles import base_case

from analysis import paths
from analysis.evaluation import lookups, scenarios
from analysis.report import formatting as fmt

# (model, GPU, precision, API): the scenarios' systems, a dense model, a model that needs several nodes, cheap and
# dear APIs, and every GPU with a purchase price.
SITUATIONS = [
    ("llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4"),
    ("deepseek-v4-flash", "h100-sxm", "fp8", "deepseek-v4-flash"),
    ("llama-3.3-70b", "h100-sxm", "fp8", "openai-gpt-5.4"),
    ("llama-3.3-70b", "a100-80gb-sxm", "fp16", "together-llama-3.3-70b"),
    ("deepseek-v4-pro", "a100-80gb-sxm", "fp16", "openai-gpt-5.4"),
    ("qwen3-235b-a22b", "a100-80gb-sxm", "int4", "openai-gpt-5.4"),
    ("llama-3.1-8b", "rtx-4090", "fp8", "openai-gpt-5.4"),
    ("mistral-large-2", "h100-sxm", "fp8", "deepseek-v4-flash"),
]
FIGURES = ["api_usd_per_month", "buy_usd_per_month", "gpus", "spare_gpus", "gpus_per_replica", "engineers",
           "buy_capex_usd", "buy_payback_months", "buy_payback_after_writeoff", "buy_gpus_usd_per_month",
           "buy_servers_usd_per_month",
           "buy_power_usd_per_month", "buy_facility_usd_per_month", "buy_spares_usd_per_month",
           "buy_engineers_usd_per_month", "buy_downtime_usd_per_month"]


@pytest.fixture(scope="module")
def record(dataset):
    return lookups.record(dataset)


def _close(ours: float, theirs: float) -> bool:
    return (math.isinf(ours) and math.isinf(theirs)) or ours == pytest.approx(theirs, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(("model", "gpu", "precision", "api"), SITUATIONS)
# 4B: scenario 1 saves cash but pays back only after its hardware is written off (159 months against 48); 100B:
# scenario 2 does too, closer to the line (68 months)
@pytest.mark.parametrize("tokens_per_month", [3e8, 2e9, 4e9, 4e10, 1e11])
def test_the_base_case_is_the_long_way_s(dataset, record, model, gpu, precision, api, tokens_per_month):
    expected = base_case(record, model, gpu, precision, api, tokens_per_month)
    result = scenarios.compare(dataset, model, gpu, precision, api, np.array([tokens_per_month]))
    base = result.table.set_index("case").loc["base"]
    for name in FIGURES:
        assert _close(float(base[name]), expected[name]), (name, float(base[name]), expected[name])


@pytest.mark.parametrize(("model", "gpu", "precision", "api"), SITUATIONS)
def test_the_base_break_even_is_the_long_way_s(dataset, record, model, gpu, precision, api):
    expected = base_case(record, model, gpu, precision, api, 1e9)
    found = scenarios.compare(dataset, model, gpu, precision, api, np.array([1e9])).breakeven.set_index("case")
    for name in ("buy_breakeven_tokens_per_month", "buy_breakeven_api_usd_per_month"):
        assert _close(float(found.at["base", name]), expected[name]), (name, found.at["base", name], expected[name])


def _glue(notebook: str, name: str) -> str:
    cells = json.loads((paths.REPO_ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == name:
                text = output["data"].get("application/papermill.record/text/plain")
                return ast.literal_eval(text if isinstance(text, str) else "".join(text))  # a repr of a str
    raise KeyError(name)


def test_the_published_headlines_are_the_long_way_s(record):
    # Scenario 1 (Maverick on H100s against GPT-5.4) and scenario 2 (DeepSeek V4 Flash on H100s against its own
    # API), as the committed notebooks print them.
    s1 = base_case(record, "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4", 1e9)
    assert _glue("09_scenario_1.ipynb", "s1_buy_breakeven_tokens") == fmt.tokens(s1["buy_breakeven_tokens_per_month"])
    assert _glue("09_scenario_1.ipynb", "s1_buy_breakeven_usd") == fmt.usd(s1["buy_breakeven_api_usd_per_month"])
    s2 = base_case(record, "deepseek-v4-flash", "h100-sxm", "fp8", "deepseek-v4-flash", 1e9)
    assert _glue("10_scenario_2.ipynb", "s2_buy_breakeven_tokens") == fmt.tokens(s2["buy_breakeven_tokens_per_month"])
    assert _glue("10_scenario_2.ipynb", "s2_buy_breakeven_usd") == fmt.usd(s2["buy_breakeven_api_usd_per_month"])
    assert _glue("13_uncertainty.ipynb", "card_frontier_usd") == fmt.usd(s1["buy_breakeven_api_usd_per_month"])
