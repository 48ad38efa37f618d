"""Monte Carlo over the input ranges: how sure is a break-even volume?

The deterministic model (:mod:`analysis.evaluation.scenarios`) evaluates every range at three coherent cases. Here
each uncertain input is instead drawn independently and uniformly between its low and high end,

``x_i = low + (high - low) x U_i``, ``U_i ~ Uniform(0, 1)`` from ``numpy.random.default_rng(seed)``,

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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.model import spine

OPTIONS = ("buy", "rent")
PERCENTILES = (10, 50, 90)


def _check_draws(draws: int) -> int:
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer):
        raise ValueError(f"draws must be a whole number, got {draws!r}")
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws!r}")
    return int(draws)


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    return int(seed)


def sample_inputs(sit: spine.Situation, draws: int, seed: int) -> dict[str, NDArray]:
    """``draws`` independent uniform draws of every input: ``low + (high - low) x U`` with ``U ~ U(0, 1)``;
    whole-number inputs (``spine.WHOLE_UNITS``) take each whole value from low to high equally often.

    One ``(inputs, draws)`` block of uniforms comes from ``numpy.random.default_rng(seed)`` in the fixed
    order of ``sit.inputs``, so a seed reproduces the draws exactly (a collapsed range still consumes its
    uniforms, keeping the other inputs' draws unchanged).
    """
    n = _check_draws(draws)
    rng = np.random.default_rng(_check_seed(seed))
    uniforms = rng.random((len(sit.inputs), n))
    out = {}
    for i, u in zip(sit.inputs, uniforms, strict=True):
        if i.unit in spine.WHOLE_UNITS:
            # Whole counts (GPUs, sequences): each of low, low + 1, ..., high equally likely.
            out[i.name] = np.minimum(np.floor(i.low + (i.high - i.low + 1) * u), i.high)
        else:
            out[i.name] = i.low + (i.high - i.low) * u
    return out


def percentiles(values: ArrayLike, levels: tuple[float, ...] = PERCENTILES) -> NDArray:
    """Percentiles over draws (axis 0), without interpolation: the smallest draw with at least ``p``% of
    draws at or below it (``method="inverted_cdf"``), so "never" (inf) stays a valid answer.
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
