"""Reference formulas the model is checked against, written the plainest way and used only by tests.

The model solves break-evens in closed form with whole spares (:func:`analysis.model.breakeven.breakeven_with_spares`);
these are the textbook pieces it must agree with: the self-hosting cost curve without spares, and its break-even
found by walking that curve one replica count at a time.
"""

from __future__ import annotations

import math

import numpy as np


def step_cost_usd(tokens_per_month: float, fixed_usd_per_month: float, usd_per_unit_month: float,
                  unit_capacity_tokens_per_month: float) -> float:
    """``F + u x max(1, ceil(V / cap))``: self-hosting's monthly cost at a volume, one whole unit at least."""
    units = max(1.0, math.ceil(tokens_per_month / unit_capacity_tokens_per_month))
    return fixed_usd_per_month + usd_per_unit_month * units


def search_breakeven_tokens_per_month(api_usd_per_token: float, fixed_usd_per_month: float, usd_per_unit_month: float,
                                      unit_capacity_tokens_per_month: float, spare_usd_per_month: float = 0.0,
                                      spares_per_unit: float = 0.0, limit: int = 100_000,
                                      floor_usd_per_month: float = 0.0, floor_relief_per_unit: float = 0.0) -> float:
    """The first replica count ``n`` below ``limit`` whose API bill covers ``F + u n + p ceil(s n) + max(0, Q - w n)``
    (``Q``, ``w``: an on-call floor's excess and what a replica's own staffing takes off it), as a volume
    ``max(C(n) / a, (n - 1) cap)``; inf when none does. Every count is tried at once."""
    a, cap = api_usd_per_token, unit_capacity_tokens_per_month
    n = np.arange(1, limit, dtype=float)
    spares = np.ceil(np.round(n * spares_per_unit, 9))  # rounding drops 0.05 x 20 = 1.0000000000000002
    cost = (fixed_usd_per_month + usd_per_unit_month * n + spare_usd_per_month * spares
            + np.maximum(floor_usd_per_month - floor_relief_per_unit * n, 0.0))
    covered = np.flatnonzero(a * n * cap >= cost)
    if covered.size == 0:
        return math.inf
    first = covered[0]
    return max(cost[first] / a, (n[first] - 1) * cap)
