"""Text for numbers, in one family: money, memory, volumes, months and ranges with their units.

Report tables and prose use the short forms (``$12.5K``, ``1.78B``); ``quote``'s plain-text table the exact
ones (:func:`figure_text`: ``$12,451``). The calculator page writes the short forms in JavaScript
(``_static/calculator-model.js``, ``formats``), held to these functions by a Node test.
"""

from __future__ import annotations

import numpy as np


def _unsigned_usd(value: float) -> str:
    if value < 999.5:  # what rounds to $1,000 is written $1.0K
        return f"${value:,.0f}"
    if value < 999_950:
        return f"${value / 1000:,.1f}K"
    if value < 999_995_000:
        return f"${value / 1e6:,.2f}M"
    return f"${value / 1e9:,.2f}B"


def usd(value: float) -> str:
    """``$950``, ``$12.5K``, ``$1.25M``, ``-$5.3K``; ``never`` for infinity.

    A value that rounds to zero is ``$0``, never ``-$0``.
    """
    if not np.isfinite(value):
        return "never"
    text = _unsigned_usd(abs(value))
    return "-" + text if value < 0 and text.strip("$0.,KMB") else text


def _range(low_text: str, high_text: str) -> str:
    """``a–b``; ``a to b`` when either end is negative, since ``-$23.4K–-$5.3K`` reads as a subtraction."""
    if low_text == high_text:
        return low_text
    dash = " to " if low_text.startswith("-") or high_text.startswith("-") else "–"
    return f"{low_text}{dash}{high_text}"


def usd_range(low: float, high: float) -> str:
    """``$2.9K–$3.1K``; ``-$23.4K to -$5.3K`` for negative ends."""
    return _range(usd(low), usd(high))


def gb(value: float) -> str:
    return f"{value:,.0f} GB" if value >= 10 else f"{value:,.1f} GB"


def gb_range(low: float, high: float) -> str:
    return gb(low) if gb(low) == gb(high) else f"{gb(low)}–{gb(high)}"


def count_range(low: float, high: float) -> str:
    if not np.isfinite(high):
        return "does not fit"
    return f"{low:.0f}" if low == high else f"{low:.0f}–{high:.0f}"


def tokens(value: float) -> str:
    """``850K``, ``100M``, ``1.5B``, ``2.4T`` tokens (3 significant digits), ``500`` below a thousand; ``never``
    for infinity. The text reads back as the same volume where quote and the calculator take one (``2B``)."""
    if not np.isfinite(value):
        return "never"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        # 999.6M is written 1B, as its 3 significant digits round up.
        if value >= scale * 0.9995:
            return _three_digits(value / scale) + suffix
    return _three_digits(value)


def _three_digits(value: float) -> str:
    """``1.78``, ``250``, ``3,460``: three significant digits (halves to even), grouped, never an exponent."""
    rounded = float(f"{value:.3g}")
    return f"{rounded:,.0f}" if rounded >= 1000 else f"{rounded:g}"


def tokens_range(low: float, high: float) -> str:
    return _range(tokens(low), tokens(high))


def months(value: float) -> str:
    if not np.isfinite(value):
        return "never"
    return f"{value:,.1f} months" if value < 10 else f"{value:,.0f} months"


def months_range(low: float, high: float) -> str:
    return months(low) if months(low) == months(high) else f"{months(low)}–{months(high)}"


def payback_range(low: float, high: float, life_months_low: float, life_months_high: float) -> str:
    """:func:`months_range` of paybacks, with ``after the write-off`` when one end comes later than the hardware's
    life (the life of the case it belongs to: the shortest payback pairs with the longest life)."""
    late = (np.isfinite(low) and low > life_months_high) or (np.isfinite(high) and high > life_months_low)
    return months_range(low, high) + (", after the write-off" if late else "")


def fleet(gpus: float, spare_gpus: float, gpu: str) -> str:
    """A bought fleet the one way every page writes it: ``6 serving + 1 spare H100`` (``gpus`` counts the spares),
    ``4× H100`` when it has none."""
    serving, spares = int(gpus) - int(spare_gpus), int(spare_gpus)
    return f"{serving} serving + {spares} spare {gpu}" if spares else f"{serving}× {gpu}"


def share(value: float) -> str:
    """``42%``; a share that rounds to zero is ``0%``, never ``-0%``."""
    text = f"{value:.0%}"
    return "0%" if text == "-0%" else text


def figure_text(value: float, kind: str) -> str:
    """One cell of ``quote``'s plain-text table, exact where the report rounds: ``usd`` ``$12,451`` (whole
    dollars), ``tokens`` as :func:`tokens`, ``months`` ``8.4``, ``gpus`` ``3``, ``flag`` ``yes`` or ``no``;
    ``never`` for a payback or break-even that never comes, ``does not fit`` for GPUs, ``n/a`` for a missing
    value."""
    if np.isnan(value):
        return "n/a"
    if kind == "flag":
        return "yes" if value else "no"
    if kind == "tokens":
        return tokens(value)
    if np.isinf(value):
        return "does not fit" if kind == "gpus" else "never"
    if kind == "usd":
        return f"{'-' if value < 0 else ''}${abs(value):,.0f}"
    return f"{value:,.1f}" if kind == "months" else f"{value:g}"


def relative(value: float) -> str:
    """``+25%`` (printed 25% above the recomputed figure); ``0%`` when it rounds to zero."""
    if not np.isfinite(value):
        return ""
    text = f"{value:+.0%}"
    return "0%" if text in ("+0%", "-0%") else text


def band(low: float, high: float) -> str:
    """``-5% to +100%``: the differences a verdict allows, from ratios ``low`` and ``high`` to the recomputation."""
    return f"{relative(low - 1)} to {relative(high - 1)}"


def relative_in_band(value: float, low: float, high: float) -> str:
    """``+100% (band -5% to +100%)``: a difference with the band its verdict allows (``low``/``high`` as ratios)."""
    return f"{relative(value)} (band {band(low, high)})"
