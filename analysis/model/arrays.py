"""Argument checking shared by the model's functions."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def as_array(name: str, value: ArrayLike, *, positive: bool = False, allow_nan: bool = False) -> NDArray:
    """Convert to a float array and reject impossible values, naming the argument."""
    arr = np.asarray(value, dtype=float)
    # The common case in one pass over the values (the model checks every argument of every call, and a
    # quote makes thousands of calls): the smallest value is enough to accept them.
    lowest = arr.min() if arr.size else np.inf  # NaN when any value is NaN
    if np.isnan(lowest) and allow_nan:
        lowest = np.fmin.reduce(arr, axis=None)  # the smallest number, NaN left out (NaN when all are)
    if lowest > 0 or (lowest == 0 and not positive) or (allow_nan and np.isnan(lowest)):
        return arr
    check = arr[~np.isnan(arr)] if allow_nan else arr
    if not allow_nan and np.isnan(arr).any():
        raise ValueError(f"{name} must not be NaN")
    if positive and (check <= 0).any():
        raise ValueError(f"{name} must be positive, got {float(check[check <= 0][0])!r}")
    if (check < 0).any():
        raise ValueError(f"{name} must not be negative, got {float(check[check < 0][0])!r}")
    return arr
