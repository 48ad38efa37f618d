"""The benchmarks run (on a small sample) and check the vectorized and looped results agree."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis import paths


@pytest.mark.slow
def test_cost_benchmark_runs_and_agrees():
    result = subprocess.run([sys.executable, str(paths.REPO_ROOT / "bench" / "bench_costs.py"), "--scenarios",
                             "2000", "--loop-sample", "50"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "scenarios: 2,000" in result.stdout and "speed-up:" in result.stdout


@pytest.mark.site
def test_calculator_benchmark_runs_on_the_built_site():
    if not (paths.HTML_DIR / "notebooks" / "00_calculator.html").exists():
        pytest.skip("no built site: run `make book` first")
    result = subprocess.run([sys.executable, str(paths.REPO_ROOT / "bench" / "bench_calculator.py"), "--changes", "3",
                             "--quotes", "1"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "input change to answer and chart: median" in result.stdout and "x the 100 ms target" in result.stdout
