"""Traffic over a week and the hybrid fleet: own ``C`` replicas, send the load above them to a per-token offer.

A load profile is the relative load in each hour of a week (168 values, mean 1). A named profile is built from
four figures (:func:`weekly_profile`): the busiest hour over the week's mean, the quietest weekday hour over the
week's mean, the weekend's load over a weekday's, and the burst headroom within the hour (the busiest minutes over
the hour's mean), which owned capacity must keep free because a replica cannot borrow from the next hour.

All-self-host serves the busiest hour with its headroom: its peak-to-average is ``max(profile) x burst``, the
figure the spine sizes a fleet with (:func:`analysis.model.spine.evaluate`'s ``peak_to_average``). The hybrid
owns ``C`` replicas of the size the spine chose, each carrying ``k`` tokens an hour, and pays the overflow offer
for the load above ``C x k`` in every hour; ``C`` runs from 0 (all API) to the all-self-host fleet and the
cheapest is kept (:func:`optimum`). A replica is worth keeping while the overflow tokens it absorbs over the
month, at the overflow's price, exceed its monthly cost: the newsvendor rule, solved here by trying every ``C``.

Pure numpy: no pandas, no I/O.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

HOURS_PER_WEEK = 168
HOURS_PER_DAY = 24
# The weekday hour (UTC-agnostic: the shape is what matters) at which a named profile peaks.
PEAK_HOUR = 14
# Saturday and Sunday are the last two days of the week the profile starts on Monday.
WEEKEND_DAYS = (5, 6)


def _daily_shape(peak_over_mean: NDArray, trough_over_mean: NDArray) -> NDArray:
    """A weekday's 24 hourly loads relative to that day's mean: ``T + (P - T) x s(h)`` with
    ``s(h) = ((1 + cos(2 pi (h - PEAK_HOUR) / 24)) / 2) ** q``, ``q`` found by bisection so the day's mean is 1
    (a sharper peak for a peakier profile). ``P = T`` gives a flat day. Shapes ``(N,)`` in, ``(N, 24)`` out."""
    hours = np.arange(HOURS_PER_DAY)
    wave = (1 + np.cos(2 * np.pi * (hours - PEAK_HOUR) / HOURS_PER_DAY)) / 2  # (24,), 1 at the peak, 0 opposite
    p, t = peak_over_mean[:, None], trough_over_mean[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        target = np.where(p > t, (1 - t) / (p - t), 0.0)  # the mean s must have
    low, high = np.full_like(p, 1e-3), np.full_like(p, 1e3)
    for _ in range(80):  # the mean of wave ** q falls as q grows: bisect on log q
        q = np.sqrt(low * high)
        too_high = (wave[None, :] ** q).mean(axis=1, keepdims=True) > target
        low, high = np.where(too_high, q, low), np.where(too_high, high, q)
    shape = t + (p - t) * wave[None, :] ** np.sqrt(low * high)
    return np.where(p > t, shape, 1.0)


def weekly_profile(peak_over_mean: ArrayLike, trough_over_mean: ArrayLike, weekend_factor: ArrayLike) -> NDArray:
    """Relative load in each of the 168 hours of a week (Monday 00:00 first), mean 1, per value set ``(N, 168)``.

    ``peak_over_mean``: the busiest hour over the week's mean; ``trough_over_mean``: the quietest weekday hour over
    the week's mean; ``weekend_factor``: a weekend hour's load over the same weekday hour's. A weekday is
    :func:`_daily_shape` with peak and trough taken over the weekday mean, which is ``7 / (5 + 2 x weekend)`` of
    the week's mean, so the busiest hour is exactly ``peak_over_mean`` of the week's mean.
    """
    p, t, w = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (peak_over_mean, trough_over_mean, weekend_factor))
    p, t, w = np.broadcast_arrays(p, t, w)
    if (t > 1).any() or (p < 1).any() or (t < 0).any():
        raise ValueError("a profile needs trough_over_mean <= 1 <= peak_over_mean, trough_over_mean >= 0")
    if (w <= 0).any() or (w > 1).any():
        raise ValueError("weekend_factor must be in (0, 1]")
    weekday_mean = 7 / (5 + 2 * w)  # a weekday's mean load over the week's mean
    day = _daily_shape(p / weekday_mean, t / weekday_mean) * weekday_mean[:, None]  # (N, 24) over the week's mean
    days = [day * (w[:, None] if d in WEEKEND_DAYS else 1.0) for d in range(7)]
    week = np.concatenate(days, axis=1)
    return week / week.mean(axis=1, keepdims=True)  # exact mean 1 after the bisection's last bits


def peak_to_average(profile: ArrayLike, burst_headroom: ArrayLike) -> NDArray:
    """The peak-to-average a fleet sized for the profile's busiest hour needs: ``max(profile) x burst``."""
    return np.max(np.atleast_2d(profile), axis=1) * np.asarray(burst_headroom, dtype=float).reshape(-1)


def overflow_tokens_per_month(load_tokens_per_hour: ArrayLike, owned_tokens_per_hour: ArrayLike,
                              hours_per_month: ArrayLike) -> NDArray:
    """Tokens a month the owned capacity cannot take: ``sum_h max(0, load_h - owned) x hours_per_month / H``.

    ``load_tokens_per_hour`` is ``(N, H)`` over a week (or a day); ``owned_tokens_per_hour`` is ``(N, C)``: one
    column per owned capacity tried. Returns ``(N, C)``.
    """
    load = np.atleast_2d(np.asarray(load_tokens_per_hour, dtype=float))
    owned = np.atleast_2d(np.asarray(owned_tokens_per_hour, dtype=float))
    above = np.maximum(0.0, load[:, None, :] - owned[:, :, None]).sum(axis=2)
    return above * np.asarray(hours_per_month, dtype=float).reshape(-1, 1) / load.shape[1]


def optimum(tokens_per_month: ArrayLike, profile: ArrayLike, replica_tokens_per_hour: ArrayLike,
            owned_usd_per_month: ArrayLike, overflow_usd_per_token: ArrayLike,
            hours_per_month: ArrayLike) -> dict[str, NDArray]:
    """The cheapest number of owned replicas for a load profile, per value set.

    Parameters
    ----------
    tokens_per_month : ``(N,)`` the month's volume, spread over the hours as ``profile`` (mean 1) says.
    profile : ``(N, H)`` relative load per hour.
    replica_tokens_per_hour : ``(N,)`` what one owned replica serves in an hour at its target utilisation, net of
        the burst headroom.
    owned_usd_per_month : ``(N, C)`` the monthly cost of owning ``0, 1, ..., C - 1`` replicas (column 0 is 0:
        owning nothing costs nothing); the last column is the all-self-host fleet.
    overflow_usd_per_token : ``(N,)`` the overflow offer's price per token at the traffic mix.
    hours_per_month : ``(N,)``.

    Returns
    -------
    ``cost_usd_per_month(C) = owned(C) + overflow_tokens(C) x overflow_usd_per_token`` for every ``C`` (``(N, C)``,
    the U-curve), and per value set: ``owned_replicas`` (the argmin; ties to the fewer), ``usd_per_month``,
    ``in_house_share`` (tokens served by the owned replicas over all), ``utilization`` (tokens served in house over
    what the owned replicas could serve in the month; NaN with none owned) and ``overflow_tokens_per_month``.
    """
    volume = np.asarray(tokens_per_month, dtype=float).reshape(-1)
    shape = np.atleast_2d(np.asarray(profile, dtype=float))
    hours = np.asarray(hours_per_month, dtype=float).reshape(-1)
    owned_cost = np.atleast_2d(np.asarray(owned_usd_per_month, dtype=float))
    k = np.asarray(replica_tokens_per_hour, dtype=float).reshape(-1)
    replicas = np.arange(owned_cost.shape[1], dtype=float)[None, :]  # (1, C)
    load = volume[:, None] / hours[:, None] * shape  # (N, H) tokens an hour
    overflow = overflow_tokens_per_month(load, replicas * k[:, None], hours)  # (N, C)
    price = np.asarray(overflow_usd_per_token, dtype=float).reshape(-1, 1)
    # Owning nothing sends every token out: the bill is volume x price exactly, not a sum over hours.
    overflow[:, 0] = volume
    cost = np.where(np.isfinite(owned_cost), owned_cost + overflow * price, np.inf)
    best = np.argmin(cost, axis=1)
    pick = best[:, None]
    best_cost = np.take_along_axis(cost, pick, axis=1)[:, 0]
    best_overflow = np.take_along_axis(overflow, pick, axis=1)[:, 0]
    served = volume - best_overflow
    with np.errstate(divide="ignore", invalid="ignore"):
        capacity = best * k * hours
        utilization = np.where(best > 0, served / capacity, np.nan)
        share = np.where(volume > 0, served / volume, 0.0)
    return {"cost_usd_per_month": cost, "owned_replicas": best.astype(float), "usd_per_month": best_cost,
            "in_house_share": share, "utilization": utilization, "overflow_tokens_per_month": best_overflow}
