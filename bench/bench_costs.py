"""Benchmark: the vectorized cost model on 1,000,000 scenarios against a plain Python loop.

Both sides run ``analysis.scenarios.evaluate_buy`` (API bill, self-hosting cost, savings, payback and
break-even volume) on the same random scenarios in the same run. The loop calls the function once per
scenario with scalars; it is timed on a sample and scaled to the full count, since a million scalar
calls would take minutes. Prints the times and their ratio; asserts nothing about time.

    .venv/bin/python bench/bench_costs.py [--scenarios N] [--loop-sample M]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from analysis.scenarios import evaluate_buy


def random_scenarios(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Plausible, widely spread inputs (the spread only has to exercise every branch)."""
    rng = np.random.default_rng(seed)
    return {
        "tokens_per_month": 10 ** rng.uniform(7, 12, n),
        "output_share": rng.uniform(0.1, 0.9, n),
        "usd_per_m_input": rng.uniform(0.05, 5, n),
        "usd_per_m_output": rng.uniform(0.1, 20, n),
        "replica_tokens_per_s": rng.uniform(200, 40_000, n),
        "gpus_per_replica": 2.0 ** rng.integers(0, 4, n),
        "usd_per_gpu": rng.uniform(1_500, 40_000, n),
        "tdp_watts": rng.choice([72.0, 350.0, 400.0, 700.0, 1000.0], n),
        "server_power_factor": rng.uniform(1.5, 2.2, n),
        "pue": rng.uniform(1.1, 1.7, n),
        "usd_per_kwh": rng.uniform(0.05, 0.3, n),
        "hours_per_month": np.full(n, 730.0),
        "peak_to_average": rng.uniform(1, 4, n),
        "target_utilization": rng.uniform(0.3, 0.9, n),
        "amortization_months": rng.choice([24.0, 36.0, 48.0], n),
        "fixed_usd_per_month": rng.uniform(500, 20_000, n),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=1_000_000)
    parser.add_argument("--loop-sample", type=int, default=20_000)
    args = parser.parse_args()
    inputs = random_scenarios(args.scenarios)
    evaluate_buy(**{k: v[:1000] for k, v in inputs.items()})  # warm up imports and caches

    start = time.perf_counter()
    vectorized = evaluate_buy(**inputs)
    vector_s = time.perf_counter() - start

    sample = min(args.loop_sample, args.scenarios)
    rows = [{k: float(v[i]) for k, v in inputs.items()} for i in range(sample)]
    start = time.perf_counter()
    looped = [evaluate_buy(**row) for row in rows]
    loop_s = (time.perf_counter() - start) * args.scenarios / sample

    for key in ("buy_usd_per_month", "buy_breakeven_tokens_per_month"):
        np.testing.assert_allclose([float(r[key]) for r in looped], vectorized[key][:sample], rtol=1e-12)
    print(f"scenarios: {args.scenarios:,}")
    print(f"vectorized: {vector_s:.3f} s ({args.scenarios / vector_s / 1e6:.2f} M scenarios/s)")
    print(f"python loop: {loop_s:.1f} s (measured on {sample:,} scenarios, scaled to {args.scenarios:,})")
    print(f"speed-up: {loop_s / vector_s:.0f}x (target: at least 50x; about 1 s for a million)")


if __name__ == "__main__":
    main()
