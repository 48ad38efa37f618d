"""Refuse what cannot be priced, in words: ``quote`` fuzzed with hypothesis.

Every numeric option has a finite range (:mod:`analysis.data.limits`, the same rule objects as the dataset's and the
calculator's). Whatever the options, ``quote`` must exit 0 with finite figures (``null`` where a break-even or a
payback never comes) and no warning, or exit 2 with exactly one line naming the option, the value and the rule.
Issue 23 found ``--usd-per-m-input 1e308`` printing a break-even of 5.6e-299 tokens, ``--tokens-per-month 1e300``
printing 2.3e290 GPUs, ``--output-share 1e-300`` saying "does not fit", and 22 quotes printing numpy warnings.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.commands.cli import main
from analysis.data import inputs, limits
from analysis.evaluation import resolve

SITUATIONS = [
    ["--api", "openai-gpt-5.4", "--model", "llama-4-maverick", "--gpu", "h100-sxm", "--precision", "fp8"],
    ["--api", "deepseek-v4-flash", "--model", "deepseek-v4-flash", "--gpu", "h100-sxm", "--precision", "fp8",
     "--rent", "lambda-h100-8x"],
    ["--api", "together-llama-3.3-70b", "--model", "llama-3.3-70b", "--gpu", "a100-80gb-sxm", "--precision", "fp16"],
    ["--api", "custom", "--model", "llama-3.1-8b", "--gpu", "l4", "--precision", "int4", "--rent", "custom"],
]


def _edges(name: str) -> st.SearchStrategy[float]:
    """Values at, inside and just outside an input's range, and absurd ones."""
    rule = limits.limit(name)
    low, high = rule.minimum, rule.maximum
    inside = st.floats(min_value=low, max_value=high, allow_nan=False)
    log_inside = (st.floats(min_value=math.log10(max(low, 1e-300)), max_value=math.log10(high)).map(lambda x: 10 ** x)
                  if high > 1e3 else inside)
    return st.one_of(inside, log_inside, st.sampled_from([low, high, low - 1e-3, high * 1.001, 0.0, -1.0, 1e300,
                                                          1e-300, 1e308]))


def _number_text(value: float) -> st.SearchStrategy[str]:
    return st.sampled_from([repr(value), f"{value:g}", f"{value:.3e}", f"{value:,.2f}"])


def option_text(name: str) -> st.SearchStrategy[str]:
    """A value for an option: a number spelled one of several ways, or text that is no number."""
    garbage = st.sampled_from(["", "nan", "inf", "-inf", "1,,0", "2_000", "\u0663", "\uff13", "50%%", "$", "1e",
                               "0x10", "1:2:3", " ", "1 2", "--5"])
    return st.one_of(_edges(name).flatmap(_number_text), garbage)


RANGE_OPTIONS = list(inputs.CUSTOM_RANGES)
PRICE_OPTIONS = ["usd_per_m_input", "usd_per_m_output", "usd_per_m_cached_input"]
SET_NAMES = sorted(set(resolve.MODEL_ASSUMPTIONS) - set(inputs.CUSTOM_RANGES))


@st.composite
def quote_arguments(draw) -> list[str]:
    situation = list(draw(st.sampled_from(SITUATIONS)))
    argv = ["--tokens-per-month", draw(st.one_of(option_text("tokens_per_month"),
                                                 st.sampled_from(["2B", "750K", "1.5T", "10000T"])))]
    if "custom" in situation[:2]:  # --api custom: both prices are required
        argv += ["--usd-per-m-input", draw(option_text("usd_per_m_input")),
                 "--usd-per-m-output", draw(option_text("usd_per_m_output"))]
    if situation[-2:] == ["--rent", "custom"]:
        argv += ["--usd-per-gpu-hour", draw(option_text("usd_per_gpu_hour"))]
    if draw(st.booleans()):
        argv += ["--output-share", draw(st.one_of(option_text("output_share"), st.sampled_from(["30%", "100%"])))]
    for name in draw(st.lists(st.sampled_from(PRICE_OPTIONS + RANGE_OPTIONS), max_size=3, unique=True)):
        value = draw(option_text(name))
        if name in RANGE_OPTIONS and draw(st.booleans()):
            value = f"{value}:{draw(option_text(name))}"
        argv += [f"--{name.replace('_', '-')}", value]
    for name in draw(st.lists(st.sampled_from(SET_NAMES), max_size=2, unique=True)):  # quote --set NAME=...
        value = draw(option_text(name))
        if draw(st.booleans()):
            value = f"{value}:{draw(option_text(name))}"
        argv += ["--set", f"{name}={value}"]
    return [*situation, *argv]


def _figures_are_finite(record: dict) -> bool:
    for case in record["cases"].values():
        for value in case.values():
            if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value)):
                return False
    return True


@pytest.mark.slow  # a property search: hundreds of quotes
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(argv=quote_arguments())
def test_quote_answers_with_finite_figures_or_refuses_in_one_line(argv):
    stdout, stderr = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        warnings.simplefilter("error")  # a numpy RuntimeWarning is a failure, not a line on stderr
        try:
            code = main(["quote", *argv, "--format", "json"])
        except SystemExit as exc:
            code = exc.code
    out, err = stdout.getvalue(), stderr.getvalue()
    if code == 0:
        record = json.loads(out)
        assert _figures_are_finite(record), out
        assert err == "" or all(line.startswith("warning: ") for line in err.splitlines()), err
    elif code == 1:  # a situation no replica serves (a speed promised to each user that no GPU count meets)
        assert out == ""
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: the model cannot price this situation with "), err
    else:
        assert code == 2, (code, err)
        assert out == ""
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("python -m analysis quote: error: "), err
        assert "Traceback" not in err
