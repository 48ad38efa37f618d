"""Benchmark: how soon a page paints on a slow phone connection, as built and as the site used to ship it.

Serves a built site (default ``_build/html``) on 127.0.0.1 and opens a page (default the intro) in Debian's
Chromium with DevTools' "Slow 3G" network (2,000 ms round trip, 50,000 bytes/s each way) and a 4x slower CPU, from
an empty cache, and reads the page's first contentful paint. Each page is measured twice in the same run:

a. as built: charts are pictures drawn at build time, the Vega bundle is fetched only when a reader uses a chart,
   the theme's style sheet and icon font are cut to what the site uses (``_ext/static_charts.py``,
   ``_ext/page_assets.py``, ``_ext/slim_assets.py``);
b. as it used to ship: a copy of the site whose page has the Vega bundle back in ``<head>`` and whose theme style
   sheets are as the theme ships them (served from disk like the built site: request interception would bypass
   the network throttling).

Prints both paints (the median of ``--runs``), their ratio (target: at most 0.5) and the bytes each moved; asserts
nothing.

    .venv/bin/python bench/bench_paint.py [--site DIR] [--page PATH] [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench_calculator import _serve  # bench/ is on the path when run as a script

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
CPU_SLOWDOWN = 4
TARGET_RATIO = 0.5
# The theme's style sheets as shipped, by the name the site serves them under.
SHIPPED_CSS = {"pydata-sphinx-theme.css": ("pydata_sphinx_theme", "theme/pydata_sphinx_theme/static/styles"),
               "sphinx-design.min.css": ("sphinx_design", "static"), "sphinx-book-theme.css":
               ("sphinx_book_theme", "theme/sphinx_book_theme/static/styles")}


@contextlib.contextmanager
def serve(root: Path):
    """``root`` served on 127.0.0.1 (bench_calculator's server) for the length of the block; its URL."""
    server, url = _serve(root)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def shipped_css(name: str) -> bytes | None:
    """A theme style sheet as its package ships it, or None when it is not one of them."""
    if name not in SHIPPED_CSS:
        return None
    package, folder = SHIPPED_CSS[name]
    origin = importlib.util.find_spec(package).origin
    return (Path(origin).parent / folder / name).read_bytes()


def legacy_copy(site: Path, page: str, target: Path) -> None:
    """The site as it used to ship ``page``: the theme's style sheets as the theme ships them, the Vega bundle back in
    the page's ``<head>`` (a copy in ``target``; the built site is not touched)."""
    shutil.copytree(site, target, dirs_exist_ok=True)
    for path in target.rglob("*.css"):
        css = shipped_css(path.name)
        if css is not None:
            path.write_bytes(css)
    html_path = target / page
    depth = "../" * (len(Path(page).parts) - 1)
    html = html_path.read_text(encoding="utf-8")
    html_path.write_text(html.replace("</head>", f'<script src="{depth}_static/vega/vega-bundle.js"></script>\n'
                                      "</head>", 1), encoding="utf-8")


def first_paint(browser, url: str) -> tuple[float, int]:
    """First contentful paint (ms) and bytes moved, from an empty cache under the throttling."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    moved: dict[str, int] = {}
    cdp.on("Network.loadingFinished", lambda e: moved.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="commit", timeout=300_000)
    page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0", timeout=300_000,
                           polling=100)
    fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
    page.wait_for_load_state("load", timeout=300_000)
    context.close()
    return fcp, sum(moved.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO / "_build" / "html")
    parser.add_argument("--page", default="book/intro.html")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-paint-") as tmp, serve(args.site) as site, \
            sync_playwright() as pw:
        legacy_copy(args.site, args.page, Path(tmp))
        with serve(Path(tmp)) as old_site:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            runs = {"as built": [], "as it used to ship": []}
            for _ in range(args.runs):  # alternated, so a slow moment of the machine touches both
                runs["as built"].append(first_paint(browser, f"{site}/{args.page}"))
                runs["as it used to ship"].append(first_paint(browser, f"{old_site}/{args.page}"))
            browser.close()
    paint = {k: statistics.median(f for f, _ in v) for k, v in runs.items()}
    for label, values in runs.items():
        print(f"{args.page} {label}: first contentful paint {paint[label] / 1000:.2f} s (median of {len(values)}), "
              f"{values[0][1] / 1024:,.0f} KB moved")
    ratio = paint["as built"] / paint["as it used to ship"]
    print(f"ratio as built / as it used to ship: {ratio:.2f} (target at most {TARGET_RATIO})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
