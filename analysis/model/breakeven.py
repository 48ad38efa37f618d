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


def monthly_savings_usd(api_usd_per_month: ArrayLike, selfhost_usd_per_month: ArrayLike) -> NDArray:
    """What self-hosting saves each month: ``api - selfhost`` (negative: it costs more)."""
    return as_array("api_usd_per_month", api_usd_per_month) - as_array("selfhost_usd_per_month", selfhost_usd_per_month)


def payback_months(capex_usd: ArrayLike, monthly_savings: ArrayLike) -> NDArray:
    """Months until savings repay the upfront purchase: ``capex / savings``; inf ("never") when savings <= 0."""
    capex = as_array("capex_usd", capex_usd)
    savings = np.asarray(monthly_savings, dtype=float)
    if np.isnan(savings).any():
        raise ValueError("monthly_savings must not be NaN")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(savings > 0, capex / np.where(savings > 0, savings, 1.0), np.inf)


def selfhost_step_cost_usd(tokens_per_month: ArrayLike, fixed_usd_per_month: ArrayLike, usd_per_unit_month: ArrayLike,
                           unit_capacity_tokens_per_month: ArrayLike, min_units: ArrayLike = 1.0) -> NDArray:
    """``F + u x max(n_min, ceil(V / cap))``: the self-hosting cost curve the break-even solver inverts."""
    tokens = as_array("tokens_per_month", tokens_per_month)
    cap = as_array("unit_capacity_tokens_per_month", unit_capacity_tokens_per_month, positive=True)
    units = np.maximum(as_array("min_units", min_units, positive=True), np.ceil(tokens / cap))
    fixed = as_array("fixed_usd_per_month", fixed_usd_per_month)
    return fixed + as_array("usd_per_unit_month", usd_per_unit_month) * units


def breakeven_tokens_per_month(api_usd_per_token: ArrayLike, fixed_usd_per_month: ArrayLike,
                               usd_per_unit_month: ArrayLike, unit_capacity_tokens_per_month: ArrayLike,
                               min_units: ArrayLike = 1.0) -> NDArray:
    """Smallest monthly volume at which the API costs at least as much as self-hosting; inf if never.

    With ``n`` units the cost is flat at ``C_n = F + u n`` over ``((n-1) cap, n cap]``, where the API
    catches up at ``V_n = C_n / a``. ``V_n <= n cap`` holds once ``n (a cap - u) >= F``, so the first
    feasible count is ``n* = max(n_min, ceil(F / (a cap - u)))`` (never when ``a cap <= u``: each unit
    costs more than the API charges for what it serves). If ``V_{n*}`` falls below ``(n*-1) cap`` the API
    already costs more at the start of that step, and the crossing is the step's start.
    """
    a = as_array("api_usd_per_token", api_usd_per_token)
    fixed = as_array("fixed_usd_per_month", fixed_usd_per_month)
    u = as_array("usd_per_unit_month", usd_per_unit_month)
    cap = as_array("unit_capacity_tokens_per_month", unit_capacity_tokens_per_month, positive=True)
    n_min = as_array("min_units", min_units, positive=True)
    margin = a * cap - u
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.where(margin > 0, np.ceil(fixed / np.where(margin > 0, margin, 1.0)), np.inf)
        n_star = np.maximum(n_min, needed)
        crossing = (fixed + u * n_star) / np.where(a > 0, a, np.nan)
        start_of_step = np.where(n_star > n_min, (n_star - 1) * cap, 0.0)
        volume = np.maximum(crossing, start_of_step)
    return np.where(np.isfinite(n_star) & (a > 0), volume, np.inf)
