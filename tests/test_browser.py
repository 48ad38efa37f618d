"""The built site in a real browser: Debian's Chromium driven by Playwright, served on 127.0.0.1.

Needs ``_build/html`` (``make test`` builds it first). Screenshots go to ``_build/screenshots``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from analysis import paths

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Console noise that every Jupyter Book 1 page produces, whatever its content (stack notes section 3):
ALLOWED_CONSOLE = (
    "Identifier 'THEBE_JS_URL' has already been declared",  # sphinx-thebe 0.3.1 emits its script twice
    "Got invalid theme mode",  # pydata-sphinx-theme on a profile with no stored theme
)
SCREENSHOTS = paths.BUILD_DIR / "screenshots"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 (a free port) for the duration of the block; yields its URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def open_page(browser, site: str, path: str, viewport: tuple[int, int] = (1280, 1000),
              dialogs: list[str] | None = None):
    """Open a page at a viewport (width, height), recording console errors and every request that tries to
    leave 127.0.0.1; with ``dialogs``, every alert the page raises from the start is dismissed and noted."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    if dialogs is not None:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    record = {"errors": [], "outside": []}
    page.on("console", lambda msg: record["errors"].append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: record["errors"].append(str(exc)))
    page.on("response", lambda resp: record["errors"].append(f"HTTP {resp.status} {resp.url}")
            if resp.status >= 400 else None)

    def guard(route):
        if route.request.url.startswith(site) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            record["outside"].append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(f"{site}/{path}", wait_until="load")
    return page, record


def unexpected(errors: list[str]) -> list[str]:
    return [e for e in errors if not any(allowed in e for allowed in ALLOWED_CONSOLE)]


def report_pages() -> list[str]:
    """Every page of the book as listed in _toc.yml, relative to the site root."""
    toc = yaml.safe_load((paths.REPO_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [ch["file"] for part in toc.get("parts", []) for ch in part.get("chapters", [])]
    return [f"{f}.html" for f in files]


@pytest.mark.parametrize("page_path", report_pages())
def test_every_page_renders_offline(browser, site, page_path):
    page, record = open_page(browser, site, page_path)
    charts = page.locator(".vega-chart")
    for i in range(charts.count()):
        charts.nth(i).locator("svg .marks, svg g.mark-rect, svg g.mark-symbol, svg g.mark-line").first.wait_for(
            timeout=15_000)
    for i in range(charts.count()):
        text = charts.nth(i).inner_text()
        assert "Chart unavailable" not in text and "Chart error" not in text
    for table in page.locator("[data-table]").all():
        assert table.locator("table").count() == 1
        assert table.locator("a[download]").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / (page_path.replace("/", "__") + ".png")), full_page=True)
    assert record["outside"] == []
    assert unexpected(record["errors"]) == []
    page.close()


def test_sizing_chapter_draws_its_chart_and_tables(browser, site):
    page, record = open_page(browser, site, "notebooks/03_hardware_sizing.html")
    page.wait_for_selector(".vega-chart svg .mark-rect path", timeout=15_000)
    assert page.locator(".vega-chart").count() == 1
    assert page.locator(".vega-chart svg .mark-rect path").count() > 0
    assert page.locator("table.report-table").count() == 5
    assert page.locator("a[download='sizing-checks.csv']").count() == 1
    assert "Llama 4 Maverick" in page.locator("[data-table='sizing-printed']").inner_text()
    page.locator(".vega-chart svg .mark-rect path").first.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert "Model" in tooltip.inner_text()
    assert record["outside"] == []
    assert unexpected(record["errors"]) == []
    page.close()


def test_intro_page_links_to_the_chapter(browser, site):
    page, record = open_page(browser, site, "book/intro.html")
    assert page.locator("a[href*='03_hardware_sizing']").count() >= 1
    assert record["outside"] == []
    assert unexpected(record["errors"]) == []
    page.close()


# Marks tried in turn when hovering a chart: points and bars first (their centre is on the mark), lines last.
# Only data marks (role-mark): legend symbols carry no tooltip.
HOVER_MARKS = tuple(f"g.role-mark.mark-{kind} path" for kind in ("symbol", "rect", "tick", "area", "line"))


def _hover_shows_tooltip(page, chart) -> str:
    """Hover the marks of one chart until the Vega tooltip appears; its text, or '' when none did."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    tooltip = page.locator("#vg-tooltip-element")
    for selector in HOVER_MARKS:
        marks = chart.locator(selector)
        for i in range(min(marks.count(), 5)):
            mark = marks.nth(i)
            mark.scroll_into_view_if_needed()
            box = mark.bounding_box()
            if not box or box["width"] + box["height"] == 0:
                continue
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            try:
                tooltip.wait_for(state="visible", timeout=1_500)
            except PlaywrightTimeout:  # no tooltip on this mark: try the next one
                continue
            if tooltip.inner_text().strip():
                return tooltip.inner_text()
    return ""


CHART_PAGES = [p for p in report_pages() if p.startswith("notebooks/")]
# The calculator's answer is the reader's own situation, not an exhibit of the report.
EXHIBIT_PAGES = [p for p in CHART_PAGES if p != "notebooks/00_calculator.html"]


@pytest.mark.parametrize("page_path", CHART_PAGES)
def test_every_chart_shows_a_tooltip_on_hover(browser, site, page_path):
    page, record = open_page(browser, site, page_path)
    charts = page.locator(".vega-chart")
    silent = []
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        chart.locator("svg").first.wait_for(timeout=15_000)
        if not _hover_shows_tooltip(page, chart):
            silent.append(i)
        page.mouse.move(0, 0)
    assert silent == [], f"{page_path}: no tooltip on chart(s) {silent}"
    assert unexpected(record["errors"]) == []
    page.close()
