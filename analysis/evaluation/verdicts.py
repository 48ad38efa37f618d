"""The verdict vocabulary and the comparisons that assign it. Pure functions, no I/O."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

REPRODUCED = "reproduced"
IMPLIED = "implied by an unstated input"
INCONSISTENT = "inconsistent with the guide's other numbers"
IMPOSSIBLE = "physically impossible"
# Within the memory margin of the line: the answer turns on settings the guide does not fix (memory
# utilization, runtime overhead), so it is neither "fits" nor "physically impossible".
TIGHT = "tight: within the memory margin"
UNVERIFIABLE = "unverifiable"

ORDER = [REPRODUCED, IMPLIED, TIGHT, INCONSISTENT, IMPOSSIBLE, UNVERIFIABLE]
# Most serious first: the verdict a figure keeps when several checks cover it, and the order titles count in.
SEVERITY = [IMPOSSIBLE, INCONSISTENT, TIGHT, IMPLIED, REPRODUCED, UNVERIFIABLE]
# Short names for glue keys and CSS classes.
KEYS = {REPRODUCED: "reproduced", IMPLIED: "implied", TIGHT: "tight", INCONSISTENT: "inconsistent",
        IMPOSSIBLE: "impossible", UNVERIFIABLE: "unverifiable"}


def counts(assigned: Iterable[str]) -> dict[str, int]:
    """How many of ``assigned`` (a column of verdicts) carry each verdict, every verdict in :data:`ORDER`
    (zero included). The one tally behind every verdict count a page prints."""
    tally = Counter(assigned)
    unknown = sorted(set(tally) - set(ORDER))
    if unknown:
        raise ValueError(f"not a verdict: {', '.join(map(repr, unknown))}")
    return {verdict: tally[verdict] for verdict in ORDER}


def memory_verdict(need_gb: float, usable_gb: float, margin: float) -> str:
    """``IMPOSSIBLE`` when the need exceeds the usable memory by more than ``margin`` of it, ``TIGHT`` when
    it exceeds it by less, else ``REPRODUCED`` (it fits)."""
    if need_gb <= usable_gb:
        return REPRODUCED
    return TIGHT if need_gb <= usable_gb * (1 + margin) else IMPOSSIBLE


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
