"""Benchmark: how fast ``quote`` starts, against Python importing numpy on the same machine.

Measured in one run, each command as its own process, ``--repeats`` times (median):

a. ``python -c "import numpy"``: the floor any numpy program pays;
b. ``python -m analysis quote`` on the repository's dataset, its record cached (the first run fills the cache);
c. the same quote on a fresh copy of the dataset each time: never cached, validated with pandas and Frictionless
   (the copy's path is new, so its cache key is too).

Prints the medians, the ratios of (b) and (c) to (a) against the target (at most 2.5x for a cached quote), and
which heavy libraries a cached quote imports (``python -X importtime``). Asserts nothing.

    .venv/bin/python bench/bench_quote.py [--repeats N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis import paths
from analysis.commands import quote_cache

REPO = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.5
QUOTE = ["quote", "--tokens-per-month", "2B", "--api", "openai-gpt-5.4", "--model", "llama-3.3-70b",
         "--gpu", "h100-sxm", "--precision", "fp8"]
HEAVY = ("pandas", "frictionless", "altair", "vl_convert", "IPython", "yaml")


def _seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def heavy_imports() -> list[str]:
    """The heavy libraries a cached quote imports (none is the goal)."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "analysis", *QUOTE], cwd=REPO,
                            capture_output=True, text=True, check=True)
    loaded = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    return sorted(name for name in HEAVY if name in loaded)


def measure(repeats: int) -> dict[str, float]:
    """Median seconds of each command, interleaved so a drift of the machine's speed hits them alike."""
    numpy_s, cached_s, cold_s = [], [], []
    _seconds([sys.executable, "-m", "analysis", *QUOTE])  # fills the cache
    with tempfile.TemporaryDirectory(prefix="bench-quote-") as scratch:
        for i in range(repeats):
            numpy_s.append(_seconds([sys.executable, "-c", "import numpy"]))
            cached_s.append(_seconds([sys.executable, "-m", "analysis", *QUOTE]))
            copy = Path(scratch) / f"data-{i}"
            shutil.copytree(REPO / "data", copy)
            cold_s.append(_seconds([sys.executable, "-m", "analysis", *QUOTE, "--data", str(copy)]))
            # The cold quote remembered a copy that is about to go: its cache file goes too.
            (paths.QUOTE_CACHE_DIR / f"{quote_cache.key(copy)}.json").unlink(missing_ok=True)
    return {"numpy": statistics.median(numpy_s), "cached": statistics.median(cached_s),
            "cold": statistics.median(cold_s)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each command (median; default 5)")
    args = parser.parse_args(argv)
    seconds = measure(args.repeats)
    ratio = seconds["cached"] / seconds["numpy"]
    print(f"import numpy: median {seconds['numpy']:.3f} s over {args.repeats} runs")
    print(f"quote, record cached: median {seconds['cached']:.3f} s = {ratio:.2f}x import numpy "
          f"(target at most {TARGET_RATIO}x: {'PASS' if ratio <= TARGET_RATIO else 'FAIL'})")
    print(f"quote, dataset not validated before: median {seconds['cold']:.3f} s = "
          f"{seconds['cold'] / seconds['numpy']:.2f}x import numpy")
    heavy = heavy_imports()
    print(f"heavy libraries a cached quote imports: {', '.join(heavy) if heavy else 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
