"""Savings, payback and the break-even volume, solved in closed form. Pure numpy functions.

Self-hosting cost is a step function of volume: a fixed monthly cost ``F`` (engineering, networking,
monitoring, downtime) plus ``u`` per serving unit, with ``n(V) = max(n_min, ceil(V / cap))`` units for
``V`` tokens per month. The API costs ``a x V``. The break-even volume is the smallest ``V`` with
``a x V >= F + u x n(V)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.model.arrays import as_array


def payback_months(capex_usd: ArrayLike, monthly_savings: ArrayLike) -> NDArray:
    """Months until savings repay the upfront purchase: ``capex / savings``; inf ("never") when savings <= 0."""
    capex = as_array("capex_usd", capex_usd)
    savings = np.asarray(monthly_savings, dtype=float)
    if np.isnan(savings).any():
        raise ValueError("monthly_savings must not be NaN")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(savings > 0, capex / np.where(savings > 0, savings, 1.0), np.inf)


# Break-evens whose search window is wider than this many replica counts take the window's far end: a
# conservative (late) answer, only for margins so thin that the break-even is reported as fragile anyway.
MAX_SEARCH_UNITS = 65_536
_CHUNK = 64


def breakeven_with_spares(api_usd_per_token: ArrayLike, fixed_usd_per_month: ArrayLike,
                          usd_per_unit_month: ArrayLike, unit_capacity_tokens_per_month: ArrayLike,
                          spare_usd_per_month: ArrayLike = 0.0, spares_per_unit: ArrayLike = 0.0,
                          floor_usd_per_month: ArrayLike = 0.0, floor_relief_per_unit: ArrayLike = 0.0,
                          spares_from_units: ArrayLike = 1.0) -> tuple[NDArray, NDArray]:
    """Break-even volume when whole spares grow with the fleet, and the margin of one more unit.

    With ``n`` units the monthly cost is ``C(n) = F + u n + p ceil(s n)`` (``p`` per spare, ``s`` spares
    per unit), flat over ``((n - 1) cap, n cap]``; the API costs ``a V``. The break-even is the smallest
    ``V`` with ``a V >= C(n(V))``: the smallest ``n`` with ``f(n) = (a cap - u) n - F - p ceil(s n) >= 0``,
    then ``V = max(C(n) / a, (n - 1) cap)``. Since ``s n <= ceil(s n) < s n + 1``, with the slope
    ``m = a cap - u - p s``: ``f(n) <= m n - F`` and ``f(n) > m n - F - p``, so the answer lies in
    ``[ceil(F / m), ceil((F + p) / m)]`` and is found by checking that window (``p / m + 1`` counts;
    never when ``m <= 0``). Without spares (``p s = 0``) the window is one count: ``n* = max(1, ceil(F / (a cap
    - u)))``, and ``V = max(C(n*) / a, (n* - 1) cap)``.

    A staffing floor adds ``max(0, Q - w n)`` to ``C(n)`` (``Q = floor_usd_per_month``, ``w =
    floor_relief_per_unit``): engineers cost ``E x max(floor, allocation + gpus / gpus_per_engineer)``, which is the
    linear part plus ``E x max(0, floor - allocation - g n / gpus_per_engineer)``. The extra is never negative and
    at most ``max(0, Q)``, so the window becomes ``[ceil(F / m), ceil((F + p + max(0, Q)) / m)]``.

    Spares are kept only from ``spares_from_units`` units on (a small fleet keeps none): below it ``p ceil(s n)`` is
    0, so ``f(n) <= (a cap - u) n - F`` only, and the window starts at ``ceil(F / (a cap - u))``.

    Returns ``(volume, margin_ratio)``: the break-even (inf: never; NaN where the capacity is NaN, a
    replica size that is not a candidate) and ``m / (u + p s)``, what one more unit saves beyond its own
    cost relative to that cost (a thin margin makes the break-even fragile).
    """
    a, fixed, u, cap, p, s, q, w, k = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (
        api_usd_per_token, fixed_usd_per_month, usd_per_unit_month, unit_capacity_tokens_per_month,
        spare_usd_per_month, spares_per_unit, floor_usd_per_month, floor_relief_per_unit, spares_from_units)))
    candidate = np.isfinite(cap)
    safe_cap = np.where(candidate & (cap > 0), cap, 1.0)
    alpha = a * safe_cap - u
    slope = alpha - p * s
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where(candidate & (cap > 0), slope / (u + p * s), -np.inf)
    solvable = candidate & (cap > 0) & (a > 0) & (slope > 0)
    m = np.where(solvable, slope, 1.0)
    n_lo = np.maximum(1.0, np.ceil(fixed / np.where(solvable, alpha, 1.0)))
    n_hi = np.maximum(1.0, np.ceil((fixed + p + np.maximum(q, 0.0)) / m))

    def f(units: NDArray, row: NDArray) -> NDArray:
        spares = np.where(units >= k.flat[row][:, None], np.ceil(np.round(units * s.flat[row][:, None], 9)), 0.0)
        floor = np.maximum(q.flat[row][:, None] - w.flat[row][:, None] * units, 0.0)
        return (alpha.flat[row][:, None] * units - fixed.flat[row][:, None] - p.flat[row][:, None] * spares
                - floor)

    units = np.where(solvable, n_hi, np.inf)  # the far end is always feasible
    rows = np.flatnonzero(solvable & (n_hi - n_lo <= MAX_SEARCH_UNITS))
    offset = 0
    while rows.size:
        # Most windows hold one or two counts: check no more columns than the widest remaining window needs.
        width = int(min(_CHUNK, (n_hi.flat[rows] - n_lo.flat[rows]).max() - offset + 1))
        trial = n_lo.flat[rows][:, None] + np.arange(offset, offset + width)[None, :]
        inside = trial <= n_hi.flat[rows][:, None]
        good = inside & (f(trial, rows) >= 0)
        hit = good.any(axis=1)
        units.flat[rows[hit]] = trial[hit, np.argmax(good[hit], axis=1)]
        rows = rows[~hit & inside[:, -1]]
        offset += width
    with np.errstate(invalid="ignore"):
        spares = np.where(units >= k, np.ceil(np.round(units * s, 9)), 0.0)
        cost = fixed + u * units + p * spares + np.maximum(q - w * units, 0.0)
        volume = np.where(solvable, np.maximum(cost / np.where(a > 0, a, 1.0), (units - 1) * safe_cap), np.inf)
    return np.where(candidate, volume, np.nan), np.where(candidate, margin, np.nan)
