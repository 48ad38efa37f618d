"""Benchmark: the calculator page's weight and how fast it answers, against ``quote`` on the command line.

Serves a built site (default ``_build/html``) on 127.0.0.1 and opens ``notebooks/00_calculator.html`` in
Debian's Chromium. Measured in one run:

a. the page's own bytes: its HTML, which holds the calculator's module and the embedded dataset (the
   Vega bundle every chart page shares is counted apart);
b. the first answer (module start to the chart drawn) and ``--changes`` input changes, each timed by the
   page itself from the input event to the answer and chart redrawn (``data-ms`` of the status line);
c. the same situations through ``python -m analysis quote --format json`` (a process each);
d. the likely range after each change (P10-P90 of 10,000 draws, computed after the answer in slices): its
   computing time and its wall time to the range shown (``data-work-ms`` and ``data-ms`` of ``#calc-likely``).

Prints the figures and their ratios to the targets (page under 300 KB, an answer within 100 ms) and to
``quote``; asserts nothing.

    .venv/bin/python bench/bench_calculator.py [--site DIR] [--changes N]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = "notebooks/00_calculator.html"
PAGE_TARGET_BYTES = 300_000
UPDATE_TARGET_MS = 100.0
VOLUMES = ("500M", "1B", "2B", "5B", "20B", "80B", "300M", "3B", "12B", "750M")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def browser_timings(site: str, changes: int, browser=None) -> tuple[float, list[float], list[tuple[float, float]]]:
    """(first answer ms, per-change ms, per-change likely range (computing ms, wall ms)) as the page measured them.
    ``browser``: a Playwright browser already running (the tests'); without one, Debian's Chromium is started for
    the call."""
    with contextlib.ExitStack() as stack:
        if browser is None:
            from playwright.sync_api import sync_playwright

            playwright = stack.enter_context(sync_playwright())
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu"])
            stack.callback(browser.close)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        stack.callback(page.close)
        page.goto(f"{site}/{PAGE}", wait_until="load")
        page.wait_for_function("Number(document.querySelector('.calculator').dataset.updates) >= 1")
        first = float(page.get_attribute("#calc-status", "data-ms"))
        timings, likely = [], []
        for i in range(changes):
            before = int(page.evaluate("Number(document.querySelector('.calculator').dataset.updates)"))
            page.fill("#calc-tokens_per_month", VOLUMES[i % len(VOLUMES)] if i % 2 == 0 else VOLUMES[-1 - i % 5])
            page.wait_for_function(f"Number(document.querySelector('.calculator').dataset.updates) > {before}")
            timings.append(float(page.get_attribute("#calc-status", "data-ms")))
            page.wait_for_function("document.getElementById('calc-likely').dataset.state === 'done'")
            likely.append((float(page.get_attribute("#calc-likely", "data-work-ms")),
                           float(page.get_attribute("#calc-likely", "data-ms"))))
    return first, timings, likely


def quote_seconds(count: int) -> list[float]:
    """Wall time of ``python -m analysis quote --format json`` for the page's first situation, ``count`` times."""
    command = [sys.executable, "-m", "analysis", "quote", "--api", "openai-gpt-5.4", "--model", "llama-4-maverick",
               "--gpu", "h100-sxm", "--precision", "fp8", "--format", "json"]
    out = []
    for i in range(count):
        started = time.perf_counter()
        subprocess.run([*command, "--tokens-per-month", VOLUMES[i % len(VOLUMES)]], cwd=REPO, check=True,
                       capture_output=True)
        out.append(time.perf_counter() - started)
    return out


def main(argv: list[str] | None = None, browser=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=REPO / "_build" / "html", help="built site (default _build/html)")
    parser.add_argument("--changes", type=int, default=20, help="input changes to time (default 20)")
    parser.add_argument("--quotes", type=int, default=3, help="quote commands to time (default 3)")
    args = parser.parse_args(argv)
    page = args.site / PAGE
    if not page.exists():
        print(f"no calculator page at {page}: run `make report` first", file=sys.stderr)
        return 1
    page_bytes = page.stat().st_size
    server, site = _serve(args.site)
    try:
        first, timings, likely = browser_timings(site, args.changes, browser)
    finally:
        server.shutdown()
        server.server_close()  # the listening socket too, or it lingers until collected
    quotes = quote_seconds(args.quotes)
    median_ms, worst_ms = statistics.median(timings), max(timings)
    quote_ms = statistics.median(quotes) * 1000
    print(f"page: {page_bytes:,} bytes of HTML, module and dataset "
          f"({page_bytes / PAGE_TARGET_BYTES:.2f}x the {PAGE_TARGET_BYTES // 1000} KB target: "
          f"{'PASS' if page_bytes < PAGE_TARGET_BYTES else 'FAIL'})")
    print(f"first answer: {first:.1f} ms (embedding the chart)")
    print(f"input change to answer and chart: median {median_ms:.1f} ms, worst {worst_ms:.1f} ms over "
          f"{len(timings)} changes ({median_ms / UPDATE_TARGET_MS:.2f}x the {UPDATE_TARGET_MS:.0f} ms target: "
          f"{'PASS' if worst_ms <= UPDATE_TARGET_MS else 'FAIL'})")
    print(f"likely range (10,000 draws, after the answer): computing median "
          f"{statistics.median(w for w, _ in likely):.1f} ms, shown after median "
          f"{statistics.median(t for _, t in likely):.1f} ms (sliced, the page answering input meanwhile)")
    print(f"quote command: median {quote_ms:.0f} ms over {len(quotes)} runs; the page answers "
          f"{quote_ms / median_ms:.0f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
