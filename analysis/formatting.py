"""Text for report tables: money, memory, volumes and ranges with their units."""

from __future__ import annotations

import numpy as np


def usd(value: float) -> str:
    """``$950``, ``$12.5K``, ``$1.25M``; ``never`` for infinity."""
    if not np.isfinite(value):
        return "never"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value < 1000:
        return f"{sign}${value:,.0f}"
    if value < 1e6:
        return f"{sign}${value / 1000:,.1f}K"
    return f"{sign}${value / 1e6:,.2f}M"


def usd_range(low: float, high: float) -> str:
    return usd(low) if usd(low) == usd(high) else f"{usd(low)}–{usd(high)}"


def gb(value: float) -> str:
    return f"{value:,.0f} GB" if value >= 10 else f"{value:,.1f} GB"


def gb_range(low: float, high: float) -> str:
    return gb(low) if gb(low) == gb(high) else f"{gb(low)}–{gb(high)}"


def count_range(low: float, high: float) -> str:
    if not np.isfinite(high):
        return "does not fit"
    return f"{low:.0f}" if low == high else f"{low:.0f}–{high:.0f}"


def tokens(value: float) -> str:
    """``100M``, ``1.5B`` tokens; ``never`` for infinity."""
    if not np.isfinite(value):
        return "never"
    if value >= 1e9:
        return f"{value / 1e9:,.3g}B"
    return f"{value / 1e6:,.3g}M"


def tokens_range(low: float, high: float) -> str:
    return tokens(low) if tokens(low) == tokens(high) else f"{tokens(low)}–{tokens(high)}"


def months(value: float) -> str:
    if not np.isfinite(value):
        return "never"
    return f"{value:,.1f} months" if value < 10 else f"{value:,.0f} months"


def months_range(low: float, high: float) -> str:
    return months(low) if months(low) == months(high) else f"{months(low)}–{months(high)}"


def share(value: float) -> str:
    return f"{value:.0%}"


def relative(value: float) -> str:
    """``+25%`` (printed 25% above the recomputed figure)."""
    return "" if not np.isfinite(value) else f"{value:+.0%}"
