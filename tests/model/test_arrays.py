"""The model's argument check: the one-pass fast path must accept and refuse exactly what the plain rule does."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from analysis.model.arrays import as_array


def plain_rule(name: str, value, positive: bool, allow_nan: bool):
    """The rule spelled out, one check after another: what ``as_array`` must keep doing."""
    arr = np.asarray(value, dtype=float)
    check = arr[~np.isnan(arr)] if allow_nan else arr
    if not allow_nan and np.isnan(arr).any():
        return f"{name} must not be NaN"
    if positive and (check <= 0).any():
        return f"{name} must be positive, got {float(check[check <= 0][0])!r}"
    if (check < 0).any():
        return f"{name} must not be negative, got {float(check[check < 0][0])!r}"
    return arr


EDGES = st.sampled_from([0.0, -0.0, 1e-300, -1e-300, np.inf, -np.inf, np.nan, 2.5, -3.0])
VALUES = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4),
                    elements=st.one_of(EDGES, st.floats(allow_nan=True, allow_infinity=True)))


@given(VALUES, st.booleans(), st.booleans())
def test_fast_path_agrees_with_the_plain_rule(values, positive, allow_nan):
    expected = plain_rule("x", values, positive, allow_nan)
    if isinstance(expected, str):
        with pytest.raises(ValueError) as raised:
            as_array("x", values, positive=positive, allow_nan=allow_nan)
        assert str(raised.value) == expected
    else:
        np.testing.assert_array_equal(as_array("x", values, positive=positive, allow_nan=allow_nan), expected)


@pytest.mark.parametrize(("value", "positive", "allow_nan", "message"), [
    ([1.0, np.nan], False, False, "x must not be NaN"),
    ([np.nan, -0.0, 2.0], True, True, "x must be positive, got -0.0"),  # -0.0 is not positive, nor negative
    ([3.0, -2.0, -5.0], False, False, "x must not be negative, got -2.0"),  # the first bad value, not the least
])
def test_refusals_name_the_first_bad_value_as_a_plain_number(value, positive, allow_nan, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        as_array("x", value, positive=positive, allow_nan=allow_nan)


def test_accepted_values_come_back_as_floats():
    assert as_array("x", [np.nan, np.nan], allow_nan=True).dtype == float  # all NaN: nothing to refuse
    assert as_array("x", -0.0).tolist() == -0.0  # zero is allowed unless positive is asked for
    assert as_array("x", []).shape == (0,)
