"""Numbers that do not depend on the CPU: published values rounded once, grids built from short decimals.

numpy chooses its SIMD kernels for ``log``, ``exp``, ``power`` and friends at run time from the CPU's
features (``numpy._core._multiarray_umath.__cpu_dispatch__``), and those kernels may round the last
bit differently. The committed notebooks are the published report and strict nbval compares them byte
for byte, so nothing that reaches a notebook output may carry those last bits:

* every float that reaches an output (chart specs, tables and their CSV downloads, glued facts) goes
  through :func:`round_significant` to :data:`SIGNIFICANT_DIGITS` significant digits, far above what a
  reader sees (three or four digits) and far below the ~16 digits of a double, so a last-bit
  difference upstream disappears unless a value sits on a rounding boundary (odds about 1e-6);
* grids of volumes come from :func:`log_grid`, whose points are short decimals (``1.334e9``), so the
  model is evaluated at the same volumes on every machine;
* decisions that change a count (powers of ten for axis ticks) use exact comparisons, not
  ``floor(log10(x))``, which a kernel one ulp low would move by a whole decade.

The rounding uses Python's float formatting, which is correctly rounded (the same decimal on every
platform), not ``np.round``, whose per-element scale would need ``log10`` itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

SIGNIFICANT_DIGITS = 10
# Points of a volume grid keep this many significant digits: enough for a smooth log-scale curve.
GRID_DIGITS = 4


def _round_float(value: float, digits: int) -> float:
    if not math.isfinite(value) or value == 0.0:
        return value
    rounded = float(f"{value:.{digits - 1}e}")
    # Only the largest doubles round past the top of the range; they keep their own value.
    return rounded if math.isfinite(rounded) else value


def round_significant(values: ArrayLike, digits: int = SIGNIFICANT_DIGITS) -> float | NDArray:
    """Round to ``digits`` significant decimal digits, correctly rounded; NaN and infinities pass through.

    A scalar gives a Python ``float``; an array gives a float array of the same shape.
    Example: ``round_significant(2.5657955684810947)`` is ``2.565795568``.
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"digits must be a whole number from 1 to 17, got {digits!r}")
    array = np.asarray(values, dtype=float)
    if array.ndim == 0:
        return _round_float(float(array), digits)
    flat = [_round_float(v, digits) for v in array.ravel().tolist()]
    return np.array(flat, dtype=float).reshape(array.shape)


def _is_float(value: object) -> bool:
    return isinstance(value, float | np.floating)


def round_frame(frame: pd.DataFrame, digits: int = SIGNIFICANT_DIGITS) -> pd.DataFrame:
    """A copy of ``frame`` with every float rounded (float columns, and floats inside object columns).

    Integers, text and the column order are left as they are.
    """
    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if pd.api.types.is_float_dtype(column.dtype):
            out.iloc[:, position] = round_significant(column.to_numpy(dtype=float), digits)
        elif column.dtype == object:
            out.iloc[:, position] = column.map(lambda v: round_value(v, digits))
    return out


def round_value(value: object, digits: int = SIGNIFICANT_DIGITS) -> object:
    """Round every float inside ``value`` (JSON-like: dicts, lists and tuples nest); others unchanged.

    Chart specs and glued facts pass through here; booleans and integers are not floats and stay.
    """
    if _is_float(value):
        return _round_float(float(value), digits)
    if isinstance(value, Mapping):
        return {key: round_value(item, digits) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(round_value(item, digits) for item in value)
    return value


def log_grid(low: float, high: float, points: int, digits: int = GRID_DIGITS) -> NDArray:
    """``points`` log-spaced values from ``low`` to ``high``, each a short decimal.

    Point ``i`` is ``10**(log10(low) + i (log10(high) - log10(low)) / (points - 1))`` rounded to
    ``digits`` significant digits; both ends are ``low`` and ``high`` rounded the same way. The
    exponents come from scalar arithmetic and the rounding absorbs any last-bit difference in it, so
    every machine evaluates the model at the same volumes.
    """
    if isinstance(points, bool) or not isinstance(points, int | np.integer) or points < 2:
        raise ValueError(f"points must be a whole number of at least 2, got {points!r}")
    if not 0 < low < high < math.inf:
        raise ValueError(f"a log grid needs 0 < low < high < inf, got low={low!r}, high={high!r}")
    start, stop = math.log10(low), math.log10(high)
    step = (stop - start) / (int(points) - 1)
    exponents = [start + i * step for i in range(int(points))]
    values = [low, *(10.0**e for e in exponents[1:-1]), high]
    return np.unique(round_significant(np.array(values, dtype=float), digits))


def decade_floor(value: float) -> int:
    """The largest ``k`` with ``10**k <= value`` (exact: checked by comparison, not trusted to ``log10``)."""
    if not 0 < value < math.inf:
        raise ValueError(f"a decade needs a positive finite value, got {value!r}")
    k = math.floor(math.log10(value))
    while 10.0**k > value:
        k -= 1
    while 10.0 ** (k + 1) <= value:
        k += 1
    return k


def decade_ceil(value: float) -> int:
    """The smallest ``k`` with ``10**k >= value``."""
    k = decade_floor(value)
    return k if 10.0**k == value else k + 1


def baseline_kernel_environment() -> dict[str, str]:
    """Environment variables that make numpy skip every optional SIMD kernel this CPU could use.

    ``NPY_DISABLE_CPU_FEATURES`` lists each dispatch target numpy was built with
    (``__cpu_dispatch__``) that this CPU supports (``__cpu_features__``); targets the CPU lacks are left
    out: they never run here anyway. Empty when the CPU has none of them.
    """
    from numpy._core import _multiarray_umath as umath

    targets = [t for t in umath.__cpu_dispatch__ if umath.__cpu_features__.get(t)]
    return {"NPY_DISABLE_CPU_FEATURES": " ".join(targets)} if targets else {}
