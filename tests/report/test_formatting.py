"""Number formats shared by tables, glue, tooltips and axes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.report import formatting as fmt


@pytest.mark.parametrize(("value", "text"), [
    (950.0, "$950"), (999.4, "$999"), (999.6, "$1.0K"),  # what rounds to $1,000 takes the next unit
    (12_499.0, "$12.5K"), (999_960.0, "$1.00M"), (1.25e6, "$1.25M"), (3.2e9, "$3.20B"),
    (-5_300.0, "-$5.3K"), (-0.4, "$0"), (np.inf, "never"),
])
def test_usd(value, text):
    assert fmt.usd(value) == text


@pytest.mark.parametrize(("low", "high", "text"), [
    (2_900.0, 3_100.0, "$2.9K–$3.1K"),
    (-23_400.0, -5_300.0, "-$23.4K to -$5.3K"),  # "-$23.4K–-$5.3K" would read as a subtraction
    (-5_000.0, 3_000.0, "-$5.0K to $3.0K"),
    (1_000.0, 1_020.0, "$1.0K"),  # equal once written: one figure
])
def test_usd_range(low, high, text):
    assert fmt.usd_range(low, high) == text


@pytest.mark.parametrize(("value", "text"), [
    (850e3, "850K"), (100e6, "100M"), (999.6e6, "1B"), (1.78e9, "1.78B"), (2.4e12, "2.4T"), (np.inf, "never"),
])
def test_tokens(value, text):
    assert fmt.tokens(value) == text


@pytest.mark.parametrize(("value", "share", "relative"), [
    (-0.001, "0%", "0%"), (0.0, "0%", "0%"), (0.25, "25%", "+25%"), (-0.25, "-25%", "-25%")])
def test_no_negative_zero_percent(value, share, relative):
    assert fmt.share(value) == share
    assert fmt.relative(value) == relative


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_usd_never_writes_a_negative_zero(value):
    text = fmt.usd(value)
    assert text.startswith("-") == (value < 0 and text.strip("-$0.,KMB") != "")
