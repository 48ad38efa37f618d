"""Published numbers independent of the CPU: rounding, volume grids, decades (hand-worked and properties)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.model import sizing
from analysis.report import charts, numerics, publish

# Two results of the same payback computation on an AVX-512 and an AVX2 machine (issue 10).
AVX512, AVX2 = 2.5657955684810947, 2.5657955684810942
finite = st.floats(allow_nan=False, allow_infinity=False)


def test_last_bit_differences_round_to_the_same_published_value():
    assert AVX512 != AVX2
    assert numerics.round_significant(AVX512) == numerics.round_significant(AVX2) == 2.565795568
    # 23713737056.61655 vs 23713737056.616554: ten significant digits keep 23713737060 (ties do not arise).
    assert numerics.round_significant(23713737056.61655) == numerics.round_significant(23713737056.616554) \
        == 23713737060.0


def test_rounding_keeps_special_values_and_shape():
    out = numerics.round_significant(np.array([[0.0, -0.0], [np.inf, np.nan]]))
    assert out.shape == (2, 2)
    assert out[0, 0] == 0.0 and math.copysign(1, out[0, 1]) == -1
    assert np.isposinf(out[1, 0]) and np.isnan(out[1, 1])
    assert numerics.round_significant(-1234.5678, 3) == -1230.0
    assert isinstance(numerics.round_significant(1.0), float)


@pytest.mark.parametrize("digits", [0, 18, 2.0, True])
def test_rounding_refuses_a_digit_count_outside_1_to_17(digits):
    with pytest.raises(ValueError, match="digits must be a whole number from 1 to 17"):
        numerics.round_significant(1.0, digits)


@given(finite)
def test_rounding_is_idempotent_and_within_half_a_unit_of_the_tenth_digit(x):
    r = numerics.round_significant(x)
    assert numerics.round_significant(r) == r
    assert abs(r - x) <= 5e-10 * abs(x) * (1 + 1e-12)
    assert math.copysign(1, r) == math.copysign(1, x)


@given(st.floats(min_value=1e-300, max_value=1e300))
def test_one_ulp_apart_rounds_alike_away_from_a_boundary(x):
    up = math.nextafter(x, math.inf)
    r, s = numerics.round_significant(x), numerics.round_significant(up)
    # Only a value within one ulp of a rounding boundary may differ: then it is one unit of the tenth digit.
    assert r == s or abs(r - s) <= 1.0000001e-9 * abs(x)


def test_round_frame_rounds_floats_only():
    frame = pd.DataFrame({"x": [AVX512, 1.0], "n": [3, 4], "text": ["a", "b"], "mixed": [AVX2, "never"]})
    out = numerics.round_frame(frame)
    assert out["x"].tolist() == [2.565795568, 1.0]
    assert out["n"].tolist() == [3, 4] and out["n"].dtype == frame["n"].dtype
    assert out["text"].tolist() == ["a", "b"]
    assert out["mixed"].tolist() == [2.565795568, "never"]
    assert frame["x"].iloc[0] == AVX512  # the caller's frame is untouched


def test_round_value_walks_nested_specs_and_keeps_ints_and_bools():
    spec = {"data": {"values": [{"v": AVX512, "n": 3, "ok": True}]}, "domain": (AVX2, 10)}
    assert numerics.round_value(spec) == {"data": {"values": [{"v": 2.565795568, "n": 3, "ok": True}]},
                                          "domain": (2.565795568, 10)}
    assert numerics.round_value(np.float64(AVX2)) == 2.565795568


def test_chart_ids_and_tables_do_not_see_the_last_bit():
    # The chart id is a hash of the spec, and the spec carries the data: both values give one id.
    html = [charts.offline_renderer({"data": {"values": [{"y": v}]}, "mark": "point"})["text/html"]
            for v in (AVX512, AVX2)]
    assert html[0] == html[1] and "2.565795568" in html[0]
    tables = [publish.table(pd.DataFrame({"months": [v]}), "t") for v in (AVX512, AVX2)]
    # the page shows 6 significant digits, the download 10
    assert tables[0].html == tables[1].html and ">2.5658<" in tables[0].html
    assert tables[0].csv == tables[1].csv == "months\n2.565795568\n"


def test_log_grid_points_are_short_decimals_with_exact_decades():
    grid = numerics.log_grid(1e7, 1e12, 41)
    # 40 steps over 5 decades: 8 per decade, so every 8th point is a power of ten, exactly.
    assert len(grid) == 41
    assert grid[::8].tolist() == [1e7, 1e8, 1e9, 1e10, 1e11, 1e12]
    # 10**(1/8) = 1.33352..., kept to four significant digits.
    assert grid[1] == 1.334e7
    assert all(float(f"{v:.4g}") == v for v in grid)
    assert np.all(np.diff(grid) > 0)


@pytest.mark.parametrize("low, high, points, message", [
    (0.0, 1.0, 3, "a log grid needs 0 < low < high < inf, got low=0.0, high=1.0"),
    (10.0, 1.0, 3, "a log grid needs 0 < low < high < inf, got low=10.0, high=1.0"),
    (1.0, 10.0, 1, "points must be a whole number of at least 2, got 1"),
    (1.0, 10.0, 2.5, "points must be a whole number of at least 2, got 2.5"),
])
def test_log_grid_refuses_bad_arguments(low, high, points, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        numerics.log_grid(low, high, points)


@pytest.mark.parametrize("value, floor, ceil", [(1000.0, 3, 3), (999.9999, 2, 3), (1000.0001, 3, 4),
                                                (1e-3, -3, -3), (5.0, 0, 1), (1e15, 15, 15)])
def test_decades_are_exact_at_powers_of_ten(value, floor, ceil):
    assert numerics.decade_floor(value) == floor
    assert numerics.decade_ceil(value) == ceil


def test_decade_refuses_non_positive_values():
    with pytest.raises(ValueError, match=re.escape("a decade needs a positive finite value, got 0.0")):
        numerics.decade_floor(0.0)


def test_chart_decades_span_the_data():
    assert charts.decades(pd.Series([0.0, 1e8, 2.3e10])) == [1e8, 1e9, 1e10, 1e11]


def test_deployable_gpus_are_whole_node_shapes_without_logarithms():
    # 1, 2, 4 or 8 inside a node (next power of two), then whole 8-GPU nodes: 9 -> 16, 17 -> 24.
    counts = sizing.deployable_gpus(np.array([1, 2, 3, 4, 5, 8, 9, 17, np.inf]))
    assert counts.tolist() == [1, 2, 4, 4, 8, 8, 16, 24, np.inf]
