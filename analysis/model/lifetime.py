"""The decision over the hardware's life: cash flows month by month, discounted, while prices keep moving.

Over a horizon of ``H`` months (the hardware's useful life, ``amortization_months``) with a yearly discount rate
``r`` (``cost_of_capital_per_year``), month ``m = 0 ... H - 1`` is discounted by ``d_m = (1 + r) ** (-m / 12)``
(payments at the start of each month, the purchase at ``m = 0``, the resale at ``m = H``). Each year:

* the API's price for the same work falls by the share ``a`` (``api_price_decline_per_year``): ``(1 - a) ** (m/12)``;
* the volume grows by the share ``g`` (``volume_growth_per_year``): ``(1 + g) ** (m / 12)``;
* the tokens an owned GPU serves grow by the share ``s`` (``gpu_throughput_gain_per_year``, software), so a fleet
  bought today carries ``(1 + s) ** (m / 12)`` times its first month's load;
* a rented GPU-hour's price is multiplied by ``q`` each year (``rental_price_ratio_per_year``: below 1 it falls,
  above 1 it rises): ``q ** (m / 12)``.

The bought fleet is sized once, for the month whose load is largest relative to what the fleet can then serve:
``peak = max_m ((1 + g) / (1 + s)) ** (m / 12)`` times today's volume. Its net present cost is
``capex x (1 - residual x d_H) + operating x sum(d_m)``; the API's is ``V x p x sum(((1 + g)(1 - a)) ** (m/12) d_m)``.
Dividing both by ``sum(d_m)`` (the annuity months) gives level monthly figures the spine already computes: a
purchase written down over ``sum(d_m)`` months to a resale of ``residual x d_H`` with no separate capital charge,
against an API whose price is scaled by the discounted average of its path (:func:`spine_values`). A rented fleet
is sized the same way (held for the life, like a reserved term) and pays the GPU-hour price scaled by the discounted
average of its own path. So the spine solves the lifetime break-even of buying and of renting, and with no price
change, no growth, no gain and ``r = 0`` every figure is the static one (the reduction test).

Pure numpy: no pandas, no I/O.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.model.spine import USD_PER_GPU_HOUR

MONTHS_PER_YEAR = 12.0
# The inputs of this module, rows of assumptions.csv beside those the monthly spine reads.
INPUTS = ("api_price_decline_per_year", "gpu_throughput_gain_per_year", "volume_growth_per_year",
          "rental_price_ratio_per_year")


def _months(horizon_months: NDArray) -> tuple[NDArray, NDArray]:
    """``(N, M)`` month indices up to the longest horizon and a mask of the months within each horizon."""
    longest = int(np.nanmax(np.ceil(horizon_months)))
    months = np.arange(longest, dtype=float)[None, :]
    return months, months < horizon_months[:, None]


def discount_factors(rate_per_year: ArrayLike, horizon_months: ArrayLike) -> tuple[NDArray, NDArray]:
    """``d_m = (1 + r) ** (-m / 12)`` for ``m = 0 ... ceil(H) - 1`` (``(N, M)``, 0 past each horizon), the last
    month weighted by the part of it inside the horizon (``min(1, H - m)``: a life of 41.5 months is 41 months and
    a half, so with ``r = 0`` the months sum to ``H``), and ``d_H``."""
    r = np.asarray(rate_per_year, dtype=float).reshape(-1)
    h = np.asarray(horizon_months, dtype=float).reshape(-1)
    months, inside = _months(h)
    weight = np.clip(h[:, None] - months, 0.0, 1.0)
    d = np.where(inside, (1 + r[:, None]) ** (-months / MONTHS_PER_YEAR) * weight, 0.0)
    return d, (1 + r) ** (-h / MONTHS_PER_YEAR)


def path(share_per_year: ArrayLike, horizon_months: ArrayLike) -> NDArray:
    """``(1 + x) ** (m / 12)`` per month (``(N, M)``): a quantity that changes by the share ``x`` a year."""
    x = np.asarray(share_per_year, dtype=float).reshape(-1)
    months, _ = _months(np.asarray(horizon_months, dtype=float).reshape(-1))
    return (1 + x[:, None]) ** (months / MONTHS_PER_YEAR)


def spine_values(values: dict[str, ArrayLike]) -> tuple[dict[str, NDArray], NDArray, NDArray]:
    """The spine's inputs under which its level monthly figures are the lifetime ones, per value set.

    Returns ``(values, fleet_factor, api_factor)``: ``values`` with ``amortization_months = sum(d_m)``,
    ``residual_value_share = residual x d_H`` and ``cost_of_capital_per_year = 0`` (the discounting is in the
    first two), and ``usd_per_gpu_hour`` (when given) times ``sum(q ** (m / 12) d_m) / sum(d_m)``;
    ``fleet_factor = peak`` (evaluate the spine at ``V x peak``: the fleet is sized for it);
    ``api_factor = sum(((1 + g)(1 - a)) ** (m / 12) d_m) / sum(d_m) / peak`` (scale the API's prices by it, so the
    bill at ``V x peak`` is the discounted API spend of volume ``V`` per annuity month).
    """
    horizon = np.asarray(values["amortization_months"], dtype=float).reshape(-1)
    d, d_end = discount_factors(values["cost_of_capital_per_year"], horizon)
    annuity = d.sum(axis=1)
    growth = path(values["volume_growth_per_year"], horizon)
    decline = path(-np.asarray(values["api_price_decline_per_year"], dtype=float), horizon)
    gain = path(values["gpu_throughput_gain_per_year"], horizon)
    _, inside = _months(horizon)
    peak = np.max(np.where(inside, growth / gain, 0.0), axis=1)
    api = (growth * decline * d).sum(axis=1) / annuity / peak
    out = {**{k: np.asarray(v, dtype=float) for k, v in values.items()}, "amortization_months": annuity,
           "residual_value_share": np.asarray(values["residual_value_share"], dtype=float) * d_end,
           "cost_of_capital_per_year": np.zeros_like(annuity)}
    if USD_PER_GPU_HOUR in values and "rental_price_ratio_per_year" in values:
        rental = path(np.asarray(values["rental_price_ratio_per_year"], dtype=float) - 1, horizon)
        out[USD_PER_GPU_HOUR] = (np.asarray(values[USD_PER_GPU_HOUR], dtype=float)
                                 * (rental * d).sum(axis=1) / annuity)
    return out, peak, api


def payback_month(capex_usd: ArrayLike, saved_usd_per_month: ArrayLike, rate_per_year: ArrayLike,
                  horizon_months: ArrayLike, residual_usd: ArrayLike) -> NDArray:
    """When the cumulative discounted saving first covers the purchase, in months (``inf`` if not within the
    horizon): with ``S_m = sum_{j <= m} saved_j d_j`` (plus ``residual x d_H`` in the last month) and ``m`` the first
    month with ``S_m >= capex``, ``m + (capex - S_{m-1}) / (S_m - S_{m-1})``: the saving is taken to accrue evenly
    within a month, so a constant undiscounted saving gives ``capex / saving``, the spine's payback.

    ``saved_usd_per_month`` is ``(N, M)``: the API's bill minus the fleet's cash operating cost, month by month.
    """
    h = np.asarray(horizon_months, dtype=float).reshape(-1)
    d, d_end = discount_factors(rate_per_year, h)
    saved = np.asarray(saved_usd_per_month, dtype=float)
    cumulative = np.cumsum(saved * d, axis=1)
    last = (np.ceil(h) - 1).astype(int)
    rows = np.arange(len(h))
    cumulative[rows, last] += np.asarray(residual_usd, dtype=float).reshape(-1) * d_end
    capex = np.asarray(capex_usd, dtype=float).reshape(-1, 1)
    _, inside = _months(h)
    reached = inside & (cumulative >= capex)
    first = np.argmax(reached, axis=1)
    at = cumulative[rows, first]
    before = np.where(first > 0, cumulative[rows, np.maximum(first - 1, 0)], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        within = np.where(at > before, (capex[:, 0] - before) / (at - before), 1.0)
    return np.where(reached.any(axis=1), first + within, np.inf)
