"""Argument checking shared by the model's functions."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def as_array(name: str, value: ArrayLike, *, positive: bool = False, allow_nan: bool = False) -> NDArray:
    """Convert to a float array and reject impossible values, naming the argument."""
    arr = np.asarray(value, dtype=float)
    check = arr[~np.isnan(arr)] if allow_nan else arr
    if not allow_nan and np.isnan(arr).any():
        raise ValueError(f"{name} must not be NaN")
    if positive and (check <= 0).any():
        raise ValueError(f"{name} must be positive, got {check[check <= 0][0]!r}")
    if (check < 0).any():
        raise ValueError(f"{name} must not be negative, got {check[check < 0][0]!r}")
    return arr
