"""The built site in a real browser, where a reader changes the page: the phone menu and contents panels,
the ledger's filters, figure links from a chapter to the ledger and back; and every download parsed as CSV.
The checks that only read a page are in ``test_browser.py``.
"""

from __future__ import annotations

import posixpath
import re

import pytest
from pages import VIEWPORTS, new_tab, open_page, report_pages, screenshot, unexpected

from analysis import paths

# The share of a panel's width that must be inside the screen once it has slid in.
ON_SCREEN_JS = """(el) => { const r = el.getBoundingClientRect();
  return r.width > 0 && Math.min(r.right, window.innerWidth) - Math.max(r.left, 0) >= r.width / 2; }"""


@pytest.fixture(scope="module")
def phone(browser, site):
    """A chapter on an emulated phone (touch, mobile viewport), shared by both panels' checks: each panel is
    closed again at the end of its check. A phone is what shows the bug of pydata-sphinx-theme 0.17: a
    desktop window narrowed to 390 px does not."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=3, reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{site}/notebooks/09_scenario_1.html", wait_until="load")
    yield page, errors
    context.close()


@pytest.mark.parametrize("side", ["primary", "secondary"])
def test_the_phone_menu_and_contents_open_and_close(phone, side):
    # pydata-sphinx-theme moves each sidebar into a <dialog> on narrow screens; the toggle opens it.
    page, errors = phone
    dialog = page.locator(f"#pst-{side}-sidebar-modal")
    toggles = [t for t in page.locator(f".{side}-toggle").all() if t.is_visible()]
    assert len(toggles) == 1, f"{len(toggles)} visible .{side}-toggle buttons"
    assert not dialog.is_visible()
    toggles[0].tap()
    # the panel slides in: at least half of it on screen
    page.wait_for_function(ON_SCREEN_JS, arg=dialog.element_handle(), timeout=5_000)
    link = dialog.locator("a").first
    assert link.is_visible() and link.get_attribute("href")
    # A tap on the page beside the panel closes it.
    box = dialog.bounding_box()
    page.touchscreen.tap(5 if box["x"] > 50 else 385, 400)
    dialog.wait_for(state="hidden", timeout=5_000)
    assert unexpected(errors) == []


def test_the_ledger_filters_by_verdict_section_and_text_and_keeps_them_in_the_address(browser, site):
    page, record = open_page(browser, site, "notebooks/12_reconciliation.html")
    ledger = page.locator("[data-ledger]")
    rows = ledger.locator("tbody tr[data-verdict]")  # figures: the group rows (section, table) carry none
    total = rows.count()
    assert total > 250 and ledger.locator("tbody tr.ledger-group").count() >= 8
    assert ledger.locator(".ledger-count").inner_text() == f"{total} of {total} figures"
    ledger.locator("select.ledger-verdict").select_option("impossible")
    shown = ledger.locator("tbody tr[data-verdict]:not([hidden])")
    assert 0 < shown.count() < total
    assert set(shown.evaluate_all("els => els.map(e => e.dataset.verdict)")) == {"impossible"}
    ledger.locator("select.ledger-section").select_option("Hardware sizing")
    both = shown.evaluate_all("els => els.map(e => [e.dataset.verdict, e.dataset.section])")
    assert both and set(map(tuple, both)) == {("impossible", "Hardware sizing")}
    # a section's heading shows only while one of its figures does
    headings = ledger.locator("tbody tr.ledger-group:not([hidden])")
    assert set(headings.evaluate_all("els => els.map(e => e.dataset.section)")) == {"Hardware sizing"}
    # the filters are in the address: a copied link opens on the same rows
    assert "verdict=impossible" in page.url and "section=Hardware+sizing" in page.url
    again = new_tab(browser, VIEWPORTS["wide"])
    again.goto(page.url, wait_until="load")
    assert again.locator("[data-ledger] tbody tr[data-verdict]:not([hidden])").count() == shown.count()
    again.close()
    ledger.locator("select.ledger-verdict").select_option("")
    ledger.locator("select.ledger-section").select_option("")
    assert shown.count() == total and "verdict=" not in page.url
    # text search: every word must appear in the row or its section's and table's names, case aside
    ledger.locator("input.ledger-query").fill("maverick REQUIREMENTS")
    texts = shown.evaluate_all("els => els.map(e => e.textContent.toLowerCase())")
    assert texts and all("maverick" in t for t in texts) and len(texts) < total
    tables = ledger.locator("tbody tr.ledger-table-name:not([hidden])").all_inner_texts()
    assert tables and all("requirements" in t.lower() for t in tables)
    assert "q=maverick+REQUIREMENTS" in page.url
    ledger.locator("input.ledger-query").fill("")
    # the filter bar stays in view while the table scrolls
    page.locator("[data-ledger] tbody tr[data-verdict]").nth(200).scroll_into_view_if_needed()
    bar = page.locator(".ledger-filters").bounding_box()
    assert 0 <= bar["y"] < 200
    for viewport in VIEWPORTS.items():
        page.set_viewport_size(dict(zip(("width", "height"), viewport[1], strict=True)))
        ledger.scroll_into_view_if_needed()
        screenshot(page, f"ledger-{viewport[0]}", full_page=False)
    assert unexpected(record["errors"]) == []
    page.close()


def test_the_ledger_page_is_at_most_150_kb_of_html(site):
    # 280 figures: each grouped under its section and table instead of repeating them, columns named once
    page = paths.HTML_DIR / "notebooks" / "12_reconciliation.html"
    assert page.stat().st_size <= 150_000


def test_a_figure_link_lands_on_its_row_both_ways(browser, site):
    page, record = open_page(browser, site, "notebooks/09_scenario_1.html")
    link = page.locator(".check-table a.figure-link").first
    row_id = link.get_attribute("href").split("#", 1)[1]
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"12_reconciliation.html#{row_id}")
    target = page.locator(f"#{row_id}")
    assert target.is_visible() and target.evaluate("e => e.tagName") == "TR"
    back = target.locator("td:first-child a")  # "checked in <chapter>"
    back.click()
    page.wait_for_load_state("load")
    assert "09_scenario_1.html#check-" in page.url
    assert page.locator("#" + page.url.split("#", 1)[1]).is_visible()
    assert unexpected(record["errors"]) == []
    page.close()


def test_every_download_parses_as_csv_with_numbers(site):
    import io
    import urllib.request

    import pandas as pd

    pages = [p for p in report_pages() if p.startswith("notebooks/")]
    numeric_tables = 0
    for page_path in pages:
        html = (paths.HTML_DIR / page_path).read_text(encoding="utf-8")
        for href in re.findall(r'download="[^"]+" href="([^"]+)"', html):
            url = f"{site}/{posixpath.normpath(posixpath.join(posixpath.dirname(page_path), href))}"
            with urllib.request.urlopen(url) as response:
                frame = pd.read_csv(io.BytesIO(response.read()))
            assert len(frame.columns) > 0, url
            numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
            numeric_tables += bool(numeric)
            # a number column names its unit, and no cell is a formatted money figure
            assert not any(frame[c].astype(str).str.match(r"^-?\$[\d.,]+[KMB]$").all() for c in frame.columns
                           if frame[c].notna().any()), url
    assert numeric_tables >= 30
    with urllib.request.urlopen(f"{site}/_static/report-data.zip") as response:
        import zipfile

        names = zipfile.ZipFile(io.BytesIO(response.read())).namelist()
    assert "data/api_prices.csv" in names and "tables/s1-checks.csv" in names


def test_a_request_that_leaves_the_site_is_refused_and_recorded(browser, site):
    # What a page that reached for the network would do: a fetch by host name and an image at a bare IP
    # address. Both must fail in the browser itself and land in the record every page check asserts empty.
    page, record = open_page(browser, site, "book/intro.html")
    fetched = page.evaluate("fetch('https://cdn.example.com/vega.js').then(() => 'loaded', () => 'refused')")
    page.evaluate("""() => new Promise((done) => { const img = new Image();
      img.onload = () => done('loaded'); img.onerror = () => done('refused'); img.src = 'http://192.0.2.7/x.png'; })""")
    page.close()
    assert fetched == "refused"
    assert record["outside"] == ["https://cdn.example.com/vega.js", "http://192.0.2.7/x.png"]
    assert not [e for e in unexpected(record["errors"]) if "Failed to load resource: net::ERR_PROXY" not in e]
