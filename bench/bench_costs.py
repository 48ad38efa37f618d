"""Benchmark: the vectorized cost model on 1,000,000 scenarios against a plain Python loop.

Both sides run the spine, ``analysis.model.spine.evaluate`` (replica choice, API bill, self-hosting cost,
savings, payback and break-even volume, at three volumes), for scenario 1's situation with every input
drawn at random, in the same run. The loop calls the function once per
scenario with scalars; it is timed on a sample and scaled to the full count, since a million scalar
calls would take minutes. Prints the times and their ratio; asserts nothing about time.

    .venv/bin/python bench/bench_costs.py [--scenarios N] [--loop-sample M]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from analysis.data import loading
from analysis.evaluation import lookups, resolve
from analysis.model import spine

VOLUMES = np.array([1e8, 1e9, 1e10])


def random_values(sit: spine.Situation, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """``n`` value sets drawn uniformly over every input's range (the spread only has to exercise every branch)."""
    rng = np.random.default_rng(seed)
    return {i.name: i.low + (i.high - i.low) * rng.random(n) for i in sit.inputs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=1_000_000)
    parser.add_argument("--loop-sample", type=int, default=20_000)
    args = parser.parse_args()
    sit = resolve.situation(lookups.record(loading.load()), "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4")
    inputs = random_values(sit, args.scenarios)
    spine.evaluate(sit, {k: v[:1000] for k, v in inputs.items()}, VOLUMES)  # warm up imports and caches

    start = time.perf_counter()
    vectorized = spine.evaluate(sit, inputs, VOLUMES)
    vector_s = time.perf_counter() - start

    sample = min(args.loop_sample, args.scenarios)
    rows = [{k: v[i:i + 1] for k, v in inputs.items()} for i in range(sample)]
    start = time.perf_counter()
    looped = [spine.evaluate(sit, row, VOLUMES) for row in rows]
    loop_s = (time.perf_counter() - start) * args.scenarios / sample

    for key in ("buy_usd_per_month", "buy_breakeven_tokens_per_month"):
        np.testing.assert_allclose(np.concatenate([r[key] for r in looped]), vectorized[key][:sample], rtol=1e-12)
    print(f"scenarios: {args.scenarios:,}")
    print(f"vectorized: {vector_s:.3f} s ({args.scenarios / vector_s / 1e6:.2f} M scenarios/s)")
    print(f"python loop: {loop_s:.1f} s (measured on {sample:,} scenarios, scaled to {args.scenarios:,})")
    print(f"speed-up: {loop_s / vector_s:.0f}x (target: at least 50x)")


if __name__ == "__main__":
    main()
