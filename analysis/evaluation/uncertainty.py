"""Monte Carlo over the input ranges: how sure is a break-even volume?

The deterministic model (:mod:`analysis.evaluation.scenarios`) evaluates every range at three coherent cases. Here
each uncertain input is instead drawn independently and uniformly between its low and high end,

``x_i = low + (high - low) x U_i``, ``U_i ~ Uniform(0, 1)`` from mulberry32 (:func:`uniforms`),

and the same model is evaluated once per draw, all draws at once (numpy broadcasting, no loop over draws).
Uniform is the maximum-entropy choice when only a range is known: it adds no belief about where inside the
range the truth lies. The inputs are the situation's (:func:`analysis.evaluation.situation.resolve`), the same the three
cases use: every row of ``assumptions.csv`` the model reads, the GPU's purchase price, the rental
offer's hourly price, the precision's bits per parameter and the engine efficiency of the system's class
(the spread of its benchmarks). API list prices are point values in the data and stay fixed. Draws and
cases go through the one spine, :func:`analysis.model.spine.evaluate`.

The base values are the deterministic base case (range midpoints, median efficiency), so the tornado is
centred on ``scenarios.compare``'s base break-even, and with every range collapsed (low == high) every draw
equals it. Pure functions: numbers and numpy arrays in and out, no I/O, no plotting, no pandas arithmetic.

The uniforms come from mulberry32, a 32-bit generator small enough to be written again in the calculator's
JavaScript (``_static/calculator-model.js``) and give the very same draws there, so the browser's likely range is
the report's to the last bit of every draw (numpy's ``default_rng`` could not be mirrored cheaply).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.model import spine

OPTIONS = ("buy", "rent")
PERCENTILES = (10, 50, 90)
# The report's one sampling: every likely range (P10–P90) on every page and in the calculator uses these.
DRAWS = 10_000
SEED = 20260427
# The likely range's ends, percent.
LIKELY = (10.0, 90.0)


def _check_draws(draws: int) -> int:
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer):
        raise ValueError(f"draws must be a whole number, got {draws!r}")
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws!r}")
    return int(draws)


# mulberry32's step: its state advances by this odd constant (mod 2^32) before each output.
MULBERRY32_STEP = 0x6D2B79F5
SEED_MAX = 2**32 - 1  # a seed is the generator's 32-bit state


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed <= SEED_MAX:
        raise ValueError(f"seed must be a whole number from 0 to {SEED_MAX} (2^32 - 1), got {seed!r}")
    return int(seed)


def uniforms(seed: int, count: int) -> NDArray:
    """The first ``count`` outputs of mulberry32 seeded with ``seed``, as floats in [0, 1).

    Counter-based: the ``n``-th output (``n = 1, 2, ..., count``) depends on ``n`` alone, all in unsigned 32-bit
    arithmetic (every product and sum taken mod 2^32, ``>>`` a logical shift, ``^`` exclusive or)::

        s = (seed + n x 0x6D2B79F5) mod 2^32
        t = (s ^ (s >> 15)) x (s | 1)
        t = t ^ (t + (t ^ (t >> 7)) x (t | 61))
        u = (t ^ (t >> 14)) / 2^32

    which is what the reference JavaScript (Tommy Ettinger's mulberry32, ``Math.imul`` and ``>>> 0``) returns on
    its ``n``-th call. Why this generator: the calculator's JavaScript repeats these few lines and so draws the same
    uniforms as Python to the bit (tests/report/test_calculator_model.py holds it to that). Its period is 2^32,
    so ``count`` may not exceed it.

    Parameters
    ----------
    seed : whole number from 0 to 2^32 - 1.
    count : how many uniforms, at least 0.

    Returns
    -------
    NDArray
        ``(count,)`` float64, each a whole multiple of 2^-32 in [0, 1).
    """
    seed = _check_seed(seed)
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or not 0 <= count <= 2**32:
        raise ValueError(f"count must be a whole number from 0 to 2^32, got {count!r}")
    n = np.arange(1, int(count) + 1, dtype=np.uint64)
    s = ((np.uint64(seed) + n * np.uint64(MULBERRY32_STEP)) & np.uint64(SEED_MAX)).astype(np.uint32)
    t = (s ^ (s >> np.uint32(15))) * (s | np.uint32(1))
    t ^= t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61))
    return (t ^ (t >> np.uint32(14))) / 2.0**32


def sample_inputs(sit: spine.Situation, draws: int, seed: int) -> dict[str, NDArray]:
    """``draws`` independent uniform draws of every input: ``low + (high - low) x U`` with ``U ~ U(0, 1)``;
    whole-number inputs (``spine.WHOLE_UNITS``) take each whole value from low to high equally often.

    One ``(inputs, draws)`` block of uniforms, row by row: input ``i`` (in the fixed order of ``sit.inputs``) at
    draw ``j`` takes output ``n = i x draws + j + 1`` of :func:`uniforms`, so a seed reproduces the draws exactly
    (a collapsed range still consumes its uniforms, keeping the other inputs' draws unchanged), here and in the
    calculator's ``sampleInputs``. ``seed``: a whole number from 0 to 2^32 - 1.
    """
    n = _check_draws(draws)
    block = uniforms(_check_seed(seed), len(sit.inputs) * n).reshape(len(sit.inputs), n)
    out = {}
    for i, u in zip(sit.inputs, block, strict=True):
        if i.unit in spine.WHOLE_UNITS:
            # Whole counts (GPUs, sequences): each of low, low + 1, ..., high equally likely.
            out[i.name] = np.minimum(np.floor(i.low + (i.high - i.low + 1) * u), i.high)
        else:
            out[i.name] = i.low + (i.high - i.low) * u
    return out


def percentiles(values: ArrayLike, levels: tuple[float, ...] = PERCENTILES) -> NDArray:
    """Percentiles over draws (axis 0), without interpolation: the smallest draw with at least ``p``% of
    draws at or below it (``method="inverted_cdf"``), so "never" (inf) stays a valid answer.

    Of ``n`` draws sorted ascending, level ``p`` takes the one at zero-based index ``k``: with ``x = n x (p / 100)
    - 1`` in floating point, ``k = x`` when ``x`` is whole, else ``floor(x) + 1``, and never below 0 (for 10,000
    draws P10 is ``sorted[999]``, P90 ``sorted[8999]``); a NaN among the draws makes the result NaN. The
    calculator's ``percentiles`` repeats these steps.
    """
    return np.percentile(np.asarray(values, dtype=float), levels, axis=0, method="inverted_cdf")


@dataclass(frozen=True)
class MonteCarlo:
    """The draws, the model's outputs per draw, and the volumes the per-volume outputs refer to."""

    situation: spine.Situation
    draws: int
    seed: int
    inputs: dict[str, NDArray]  # (N,) per input
    outputs: dict[str, NDArray]  # see spine.evaluate()
    tokens_per_month: NDArray  # (V,)

    def probability_cheaper(self, option: str) -> NDArray:
        """Share of draws in which self-hosting costs less than the API at each volume: ``mean(savings > 0)``.

        Not always monotone in volume: just past a replica's capacity the next replica's cost arrives
        before the API bill has grown to cover it (the self-hosting cost is a step function).
        """
        return (self._output(option, "savings_usd_per_month") > 0).mean(axis=0)

    def probability_past_breakeven(self, option: str) -> NDArray:
        """Share of draws whose break-even volume is at or below each volume (its empirical CDF; monotone)."""
        be = self._output(option, "breakeven_tokens_per_month")
        return (be[:, None] <= self.tokens_per_month[None, :]).mean(axis=0)

    def _output(self, option: str, what: str) -> NDArray:
        if option not in self.situation.options:
            raise ValueError(f"option must be one of {', '.join(self.situation.options)}, got {option!r}")
        return self.outputs[f"{option}_{what}"]


def monte_carlo(sit: spine.Situation, draws: int, seed: int, tokens_per_month: ArrayLike) -> MonteCarlo:
    """Sample every input ``draws`` times with ``seed`` and evaluate the model at ``tokens_per_month``."""
    volumes = np.asarray(tokens_per_month, dtype=float).ravel()
    if volumes.size == 0 or not np.isfinite(volumes).all() or (volumes <= 0).any():
        raise ValueError("tokens_per_month must be one or more positive finite volumes")
    inputs = sample_inputs(sit, draws, seed)
    return MonteCarlo(sit, int(draws), int(seed), inputs, spine.evaluate(sit, inputs, volumes), volumes)


def likely_figures(sit: spine.Situation, columns: tuple[str, ...], tokens_per_month: float, draws: int = DRAWS,
                   seed: int = SEED) -> dict[str, tuple[float, float]]:
    """The likely range of some of the spine's outputs at one volume: P10 and P90 (:data:`LIKELY`) over ``draws``
    draws of every input (:func:`sample_inputs` with ``seed``; the report's sampling by default).

    Parameters
    ----------
    sit : the situation whose inputs are drawn.
    columns : outputs of :func:`analysis.model.spine.evaluate`, per value set or per volume (``api_usd_per_month``,
        ``buy_breakeven_tokens_per_month``, ...).
    tokens_per_month : the one volume, tokens per month.

    Returns
    -------
    dict
        ``{column: (P10, P90)}`` in the column's own unit; inf where that share of the draws never breaks even
        (or no replica serves), NaN only if a draw gives NaN.
    """
    out = monte_carlo(sit, draws, seed, [tokens_per_month]).outputs
    return {c: tuple(float(x) for x in percentiles(out[c].reshape(len(out[c]), -1)[:, 0], LIKELY))
            for c in columns}


@dataclass(frozen=True)
class Tornado:
    """One-at-a-time sensitivity of a break-even volume, sorted by swing (largest first)."""

    option: str
    base_tokens_per_month: float  # break-even with every input at base
    names: tuple[str, ...]
    low: NDArray  # the input's low end
    high: NDArray  # the input's high end
    at_low_tokens_per_month: NDArray  # break-even with this input at its low end, the others at base
    at_high_tokens_per_month: NDArray
    swing_tokens_per_month: NDArray  # |at_high - at_low| (inf when exactly one end never breaks even)
    swing_factor: NDArray  # max(ends) / min(ends): the bar's length on a log axis (1 = no effect)


def tornado(sit: spine.Situation, option: str) -> Tornado:
    """Swing each input from its low to its high end with every other input at base, one evaluation.

    Rows ``2k`` and ``2k + 1`` of a ``(2K,)`` batch hold input ``k`` at its low and high end. Inputs are
    sorted by ``swing_factor`` (the ratio of the two break-evens, what a log axis shows), then by the
    absolute swing, then by name.
    """
    if option not in sit.options:
        raise ValueError(f"option must be one of {', '.join(sit.options)}, got {option!r}")
    k = len(sit.inputs)
    which = np.repeat(np.arange(k), 2)
    end = np.tile([0, 1], k)
    values = {}
    for index, i in enumerate(sit.inputs):  # one array per input (K inputs), not a loop over draws
        values[i.name] = np.where(which == index, np.where(end == 0, i.low, i.high), i.base)
    column = f"{option}_breakeven_tokens_per_month"
    be = spine.evaluate(sit, values, [1.0])[column].reshape(k, 2)
    base = float(spine.evaluate(sit, spine.base_values(sit), [1.0])[column][0])
    lo_end, hi_end = be[:, 0], be[:, 1]
    both_inf = np.isinf(lo_end) & np.isinf(hi_end)
    with np.errstate(invalid="ignore"):
        swing = np.where(both_inf, 0.0, np.abs(hi_end - lo_end))
        factor = np.where(both_inf, 1.0, np.maximum(lo_end, hi_end) / np.minimum(lo_end, hi_end))
    names = [i.name for i in sit.inputs]
    order = sorted(range(k), key=lambda j: (-factor[j], -swing[j], names[j]))
    return Tornado(option, base, tuple(names[j] for j in order),
                   np.array([sit.inputs[j].low for j in order]), np.array([sit.inputs[j].high for j in order]),
                   lo_end[order], hi_end[order], swing[order], factor[order])
