"""The benchmarks run (on a small sample) and check the vectorized and looped results agree."""

from __future__ import annotations

import subprocess
import sys

from analysis import paths


def test_cost_benchmark_runs_and_agrees():
    result = subprocess.run([sys.executable, str(paths.REPO_ROOT / "bench" / "bench_costs.py"), "--scenarios",
                             "2000", "--loop-sample", "50"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "scenarios: 2,000" in result.stdout and "speed-up:" in result.stdout
