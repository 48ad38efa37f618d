"""Pages that paint at once (issue 29, item 6): charts drawn at build time, the Vega runtime fetched only when a
reader uses a chart, theme assets cut to what the site uses; every page's weight from an empty cache.

Weights are bytes, not times: the first paint under a throttled network is measured by ``bench/bench_paint.py``.
"""

from __future__ import annotations

import json
import re

import pytest
from pages import VIEWPORTS, new_tab, report_pages, unexpected, watch

from analysis import paths

PAGE_LIMIT_BYTES = 600 * 1024


def transferred(page, url: str) -> tuple[int, list[str]]:
    """Bytes the page moves from an empty cache until the network is idle (Chromium's own count, headers
    included), and the files it asked for."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="networkidle")
    return sum(sizes.values()), sorted(urls.values())


@pytest.mark.parametrize("viewport", ["wide", "phone"])
def test_every_page_transfers_at_most_600_kb_and_no_chart_runtime(browser, site, viewport):
    heavy, runtime = {}, []
    for path in report_pages():
        page = new_tab(browser, VIEWPORTS[viewport])
        moved, asked = transferred(page, f"{site}/{path}")
        if moved > PAGE_LIMIT_BYTES:
            heavy[path] = moved
        if any("vega-bundle" in u for u in asked):
            runtime.append(path)
        page.close()
    assert heavy == {}
    assert runtime == []  # not even the calculator's, whose chart is below its form


def chart_specs(path: str) -> dict[str, dict]:
    """The specs a built page keeps for its charts' interactive upgrade, by chart id."""
    text = (paths.HTML_DIR / path).read_text(encoding="utf-8")
    return {m[1]: json.loads(m[2]) for m in re.finditer(
        r'<script type="application/json" id="(vega-[0-9a-f]{16})-spec">(.*?)</script>', text, re.DOTALL)}


def chart_pages(site) -> list[str]:
    """The pages with a chart (read from the built site the ``site`` fixture serves: never at collection, which
    runs without a built site in the fast set)."""
    return [p for p in report_pages() if "vega-static" in (paths.HTML_DIR / p).read_text(encoding="utf-8")]


def test_the_report_has_its_charts_as_pictures(site):
    pages = chart_pages(site)
    assert len(pages) >= 10
    assert sum(len(chart_specs(p)) for p in pages) >= 20


@pytest.mark.parametrize("viewport", ["wide", "phone"])
@pytest.mark.parametrize("path", ["book/intro.html", "notebooks/13_uncertainty.html"])
def test_a_chart_is_a_picture_named_by_its_finding_until_a_reader_uses_it(browser, site, path, viewport):
    page = new_tab(browser, VIEWPORTS[viewport])
    record = watch(page, site)
    page.goto(f"{site}/{path}", wait_until="load")
    specs = chart_specs(path)
    charts = page.locator(".vega-static")
    assert charts.count() == len(specs) >= 1
    chart = charts.first
    image = chart.locator("img")
    description = specs[chart.get_attribute("id")]["description"]
    # the picture's text alternative states the chart's finding (the exhibit's title), not "Vega visualization"
    assert image.get_attribute("alt") == description and len(description) > 30
    chart.scroll_into_view_if_needed()
    page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle())
    # the phone gets the narrow drawing, the laptop the wide one
    assert image.evaluate("el => el.currentSrc").endswith("-340.svg" if viewport == "phone" else "-680.svg")
    assert page.evaluate("typeof window.vegaEmbed") == "undefined"
    # a pointer on the chart brings the interactive chart, with the same name
    chart.hover()
    chart.locator(".vega-live svg g.mark-line, .vega-live svg g.mark-rect, .vega-live svg g.mark-symbol").first \
        .wait_for(timeout=15_000)
    page.wait_for_function("el => el.dataset.live === 'true'", arg=chart.element_handle())
    assert chart.locator("picture").count() == 0
    assert chart.locator(".vega-live").get_attribute("aria-label") == description
    assert unexpected(record["errors"]) == []
    page.close()


def test_every_chart_links_to_its_data(site):
    for path in chart_pages(site):
        text = (paths.HTML_DIR / path).read_text(encoding="utf-8")
        for figure in re.findall(r'<figure class="exhibit".*?</figure>', text, re.DOTALL):
            if "vega-static" in figure:
                assert re.search(r'<a download="[\w-]+\.csv" href="[^"]+\.csv">Download the chart', figure), path


def test_the_theme_style_sheet_and_icon_font_are_cut_to_what_the_site_uses(site):
    css = (paths.HTML_DIR / "_static/styles/pydata-sphinx-theme.css").read_text(encoding="utf-8")
    assert len(css.encode()) < 150_000  # the theme ships 390 KB
    assert ".fa-magnifying-glass:before" in css and ".fa-spaghetti-monster-flying" not in css
    font = paths.HTML_DIR / "_static/vendor/fontawesome/webfonts/fa-solid-900.subset.woff"
    assert 0 < font.stat().st_size < 10_000 and "fa-solid-900.subset.woff" in css
