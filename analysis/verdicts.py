"""The verdict vocabulary and the comparisons that assign it. Pure functions, no I/O."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

REPRODUCED = "reproduced"
IMPLIED = "implied by an unstated input"
INCONSISTENT = "inconsistent with the guide's other numbers"
IMPOSSIBLE = "physically impossible"
UNVERIFIABLE = "unverifiable"

ORDER = [REPRODUCED, IMPLIED, INCONSISTENT, IMPOSSIBLE, UNVERIFIABLE]


def within(printed: ArrayLike, recomputed: ArrayLike, rel_tol: float) -> NDArray:
    """True where ``|printed - recomputed| <= rel_tol * |recomputed|`` (NaN compares False)."""
    printed = np.asarray(printed, dtype=float)
    recomputed = np.asarray(recomputed, dtype=float)
    if rel_tol < 0:
        raise ValueError("rel_tol must not be negative")
    with np.errstate(invalid="ignore"):
        return np.abs(printed - recomputed) <= rel_tol * np.abs(recomputed)


def relative_difference(printed: ArrayLike, recomputed: ArrayLike) -> NDArray:
    """``printed / recomputed - 1``: +1.0 means the guide printed twice the recomputed value."""
    printed = np.asarray(printed, dtype=float)
    recomputed = np.asarray(recomputed, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(recomputed != 0, printed / recomputed - 1.0, np.nan)
