"""The built site in a real browser, as a reader uses it at 1400x900 and 390x844: the answer card, charts
that fit and name their series, exhibits, the phone menu, verdicts on screen, the ledger, words instead of
identifiers, downloads. Split from ``test_browser.py`` so that ``make test``'s two workers share the
browser checks (pytest-xdist keeps a module on one worker).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
from test_browser import CHART_PAGES, EXHIBIT_PAGES, SCREENSHOTS, open_page, report_pages, unexpected

from analysis import paths

VIEWPORTS = {"wide": (1400, 900), "phone": (390, 844)}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_answer_card_leads_the_intro(browser, site, viewport):
    height = VIEWPORTS[viewport][1]
    page, record = open_page(browser, site, "book/intro.html", VIEWPORTS[viewport])
    card = page.locator(".answer-card")
    assert card.count() == 1
    rows = card.locator("tbody tr")
    assert rows.count() == 3  # frontier API, cheap API, hosted open model
    first_figure = rows.nth(0).locator("td").nth(1)
    assert first_figure.inner_text().strip().startswith("$")
    # Its first figure is on the first screen at 1400x900 and within the first two screens on a phone.
    screens = 1 if viewport == "wide" else 2
    assert first_figure.bounding_box()["y"] < screens * height
    answers = [rows.nth(i).locator("td").nth(5).inner_text().strip() for i in range(3)]
    assert all(answers) and len(set(answers)) > 1
    assert "rule" in card.inner_text()  # the sentence on the guide's threshold
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"intro-answer-card-{viewport}.png"))
    assert unexpected(record["errors"]) == []
    page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("page_path", ["notebooks/08_full_cost_comparison.html", "notebooks/09_scenario_1.html",
                                       "notebooks/10_scenario_2.html", "notebooks/02_spend_tiers.html",
                                       "notebooks/12_reconciliation.html", "notebooks/13_uncertainty.html"])
def test_multi_series_charts_name_their_series_inside_the_chart(browser, site, page_path, viewport):
    width = VIEWPORTS[viewport][0]
    page, record = open_page(browser, site, page_path, VIEWPORTS[viewport])
    charts = page.locator(".vega-chart")
    unnamed, outside = [], []
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        svg = chart.locator("svg").first
        svg.wait_for(timeout=15_000)
        legend = svg.locator("g.role-legend")
        if legend.count():
            # SVG text has no innerText: read textContent.
            labels = [t.strip() for t in legend.locator("g.role-legend-label text").evaluate_all(
                "els => els.map(e => e.textContent || '')")]
            if not labels or any(not t or t.endswith("…") for t in labels):
                unnamed.append((i, labels))
            box, frame = legend.first.bounding_box(), svg.bounding_box()
            if box["x"] + box["width"] > min(frame["x"] + frame["width"], width) + 1:
                outside.append(i)
    assert unnamed == [], f"{page_path} at {viewport}: legends with missing or cut labels: {unnamed}"
    assert outside == [], f"{page_path} at {viewport}: legends outside their chart or the screen: {outside}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{Path(page_path).stem}-{viewport}.png"), full_page=True)
    assert unexpected(record["errors"]) == []
    page.close()


def test_the_decision_table_decides(browser, site):
    page, record = open_page(browser, site, "notebooks/11_decision_framework.html")
    table = page.locator("[data-table='decision-computed'] table")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    columns = [headers.index("Frontier-priced API (GPT-5.4)"), headers.index("Cheap API (DeepSeek V4 Flash)")]
    cells = [row.locator("td").nth(c).inner_text().strip() for row in table.locator("tbody tr").all()
             for c in columns]
    assert all(cells), "a recommendation cell is blank"
    assert len(set(cells)) > 2, "the recommendations are all the same"
    assert unexpected(record["errors"]) == []
    page.close()


# Every text of every chart, and the plot area's width: Vega hides overlapping axis labels with opacity 0,
# so those do not count; a label Vega shortened ends in an ellipsis.
CHART_FIT_JS = """
(el) => {
  const svg = el.querySelector('svg');
  const chart = el.getBoundingClientRect();
  const plot = svg.querySelector('g.root > g > path.background').getBoundingClientRect();
  const problems = [];
  svg.querySelectorAll('text').forEach(t => {
    if (!t.textContent || getComputedStyle(t).opacity === '0' || t.getAttribute('opacity') === '0') return;
    const r = t.getBoundingClientRect();
    if (r.left < chart.left - 1 || r.right > chart.right + 1 || r.left < -1 || r.right > window.innerWidth + 1)
      problems.push('outside: ' + t.textContent);
    if (t.textContent.endsWith('…')) problems.push('cut: ' + t.textContent);
  });
  return {plot_px: plot.width, problems: problems};
}
"""
MIN_PLOT_PX = 300


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("page_path", ["book/intro.html", *CHART_PAGES])
def test_chart_texts_fit_and_plots_keep_their_width(browser, site, page_path, viewport):
    width, height = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{site}/{page_path}", wait_until="load")
    charts = page.locator(".vega-chart")
    bad = []
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.locator("svg .marks, svg g.mark-rect, svg g.mark-symbol, svg g.mark-line").first.wait_for(
            timeout=15_000)
        fit = chart.evaluate(CHART_FIT_JS)
        if fit["problems"] or fit["plot_px"] < MIN_PLOT_PX:
            bad.append((i, round(fit["plot_px"]), fit["problems"]))
    assert bad == [], f"{page_path} at {viewport}: (chart, plot px, texts cut or outside) {bad}"
    page.close()


@pytest.mark.parametrize("page_path", EXHIBIT_PAGES)
def test_every_exhibit_is_numbered_titled_sourced_and_linkable(browser, site, page_path):
    page, record = open_page(browser, site, page_path)
    exhibits = page.locator("figure.exhibit")
    assert exhibits.count() > 0
    for i in range(exhibits.count()):
        exhibit = exhibits.nth(i)
        anchor = exhibit.get_attribute("id")
        number = exhibit.locator("a.exhibit-number")
        assert number.get_attribute("href") == f"#{anchor}"
        assert number.inner_text().startswith("Exhibit ")
        title = exhibit.locator("figcaption").inner_text().removeprefix(number.inner_text()).strip()
        assert len(title) > 10, f"{anchor}: no title"
        assert exhibit.locator("p.exhibit-source").inner_text().startswith("Source:")
        assert exhibit.locator("table, .vega-chart").count() >= 1
    # The number takes a reader to its exhibit, so a link to it can be shared.
    last = exhibits.nth(exhibits.count() - 1)
    last.locator("a.exhibit-number").click()
    assert page.evaluate("location.hash") == "#" + last.get_attribute("id")
    assert unexpected(record["errors"]) == []
    page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_headline_chart_follows_the_card_and_names_its_lines(browser, site, viewport):
    page, record = open_page(browser, site, "book/intro.html", VIEWPORTS[viewport])
    card = page.locator(".answer-card")
    chart = page.locator(".vega-chart").first
    chart.locator("svg g.mark-line").first.wait_for(timeout=15_000)
    assert chart.bounding_box()["y"] > card.bounding_box()["y"] + card.bounding_box()["height"]
    labels = chart.locator("g.role-legend-label text").evaluate_all("els => els.map(e => e.textContent)")
    # the three choices: buying GPUs, the API it replaces, the hosted open model
    assert any(t.startswith("Buy ") for t in labels) and any(t.startswith("API: GPT-5.4") for t in labels)
    assert any(t.startswith("Hosted ") for t in labels)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"intro-{viewport}.png"), full_page=True)
    assert unexpected(record["errors"]) == []
    page.close()


@pytest.mark.parametrize("side", ["primary", "secondary"])
def test_the_phone_menu_and_contents_open_and_close(browser, site, side):
    # pydata-sphinx-theme moves each sidebar into a <dialog> on narrow screens; the toggle opens it. A phone
    # (touch, mobile viewport) is what shows the bug of 0.17: a desktop window narrowed to 390 px does not.
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=3)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{site}/notebooks/09_scenario_1.html", wait_until="load")
    dialog = page.locator(f"#pst-{side}-sidebar-modal")
    toggles = [t for t in page.locator(f".{side}-toggle").all() if t.is_visible()]
    assert len(toggles) == 1, f"{len(toggles)} visible .{side}-toggle buttons"
    assert not dialog.is_visible()
    toggles[0].tap()
    page.wait_for_timeout(500)  # the panel slides in
    assert dialog.is_visible() and _on_screen(dialog.bounding_box(), 390)
    link = dialog.locator("a").first
    assert link.is_visible() and link.get_attribute("href")
    # A tap on the page beside the panel closes it.
    box = dialog.bounding_box()
    page.touchscreen.tap(5 if box["x"] > 50 else 385, 400)
    page.wait_for_timeout(500)
    assert not dialog.is_visible(), box
    assert unexpected(errors) == []
    context.close()


def _on_screen(box: dict | None, width: int) -> bool:
    """True when at least half of the box lies inside the viewport's width."""
    if box is None or box["width"] == 0:
        return False
    visible = min(box["x"] + box["width"], width) - max(box["x"], 0)
    return visible >= box["width"] / 2


CHECK_PAGES = ["notebooks/09_scenario_1.html", "notebooks/03_hardware_sizing.html", "notebooks/12_reconciliation.html"]


@pytest.mark.parametrize("page_path", CHECK_PAGES)
def test_every_verdict_is_on_screen_on_a_phone(browser, site, page_path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{site}/{page_path}", wait_until="load")
    verdicts = page.locator(".check-table td[data-label='Verdict']")
    assert verdicts.count() > 0
    boxes = verdicts.evaluate_all("els => els.map(e => { const r = e.getBoundingClientRect(); "
                                  "return [r.left, r.right]; })")
    outside = [i for i, (left, right) in enumerate(boxes) if left < 0 or right > 390]
    assert outside == [], f"{page_path}: verdict cells off screen at 390 px: {outside[:5]}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".check-table").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{Path(page_path).stem}-checks-phone.png"))
    # Without sideways scrolling at 1400 px either: the table fits its column.
    page.set_viewport_size({"width": 1400, "height": 900})
    overflow = page.locator(".check-table").evaluate_all(
        "els => els.filter(t => t.scrollWidth > t.parentElement.clientWidth + 1).length")
    assert overflow == 0
    page.locator(".check-table").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{Path(page_path).stem}-checks-wide.png"))
    page.close()


def test_the_ledger_filters_by_verdict_and_section(browser, site):
    page, record = open_page(browser, site, "notebooks/12_reconciliation.html")
    ledger = page.locator("[data-ledger]")
    rows = ledger.locator("tbody tr")
    total = rows.count()
    assert ledger.locator(".ledger-count").inner_text() == f"{total} of {total} figures"
    ledger.locator("select.ledger-verdict").select_option("impossible")
    shown = ledger.locator("tbody tr:not([hidden])")
    assert 0 < shown.count() < total
    assert set(shown.evaluate_all("els => els.map(e => e.dataset.verdict)")) == {"impossible"}
    ledger.locator("select.ledger-section").select_option("Hardware sizing")
    both = shown.evaluate_all("els => els.map(e => [e.dataset.verdict, e.dataset.section])")
    assert both and set(map(tuple, both)) == {("impossible", "Hardware sizing")}
    ledger.locator("select.ledger-verdict").select_option("")
    ledger.locator("select.ledger-section").select_option("")
    assert shown.count() == total
    for viewport in VIEWPORTS.items():
        page.set_viewport_size(dict(zip(("width", "height"), viewport[1], strict=True)))
        ledger.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"ledger-{viewport[0]}.png"))
    assert unexpected(record["errors"]) == []
    page.close()


def test_a_figure_link_lands_on_its_row_both_ways(browser, site):
    page, record = open_page(browser, site, "notebooks/09_scenario_1.html")
    link = page.locator(".check-table a.figure-link").first
    row_id = link.get_attribute("href").split("#", 1)[1]
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"12_reconciliation.html#{row_id}")
    target = page.locator(f"#{row_id}")
    assert target.is_visible() and target.evaluate("e => e.tagName") == "TR"
    back = target.locator("a.figure-link")
    back.click()
    page.wait_for_load_state("load")
    assert "09_scenario_1.html#check-" in page.url
    assert page.locator("#" + page.url.split("#", 1)[1]).is_visible()
    assert unexpected(record["errors"]) == []
    page.close()


# An identifier where a reader expects words: snake_case, or an id from the dataset (an offer, GPU or
# model id). File names such as gpu_prices.csv are references, not identifiers.
_SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?!\.\w)")
# Every text node on its own (innerText would glue one table cell to the next, hiding an id between them).
VISIBLE_TEXT_JS = """() => { const c = document.querySelector('main').cloneNode(true);
  c.querySelectorAll('pre, code, script, style').forEach(e => e.remove());
  const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) { parts.push(walker.currentNode.textContent); }
  const charts = Array.from(document.querySelectorAll('.vega-chart svg text')).map(t => t.textContent);
  return parts.join('\\n') + '\\n' + charts.join('\\n'); }"""


def _dataset_ids() -> set[str]:
    from analysis import loading

    ds = loading.load()
    ids = set(ds["api_prices"]["offer_id"]) | set(ds["gpu_rentals"]["offer_id"]) | set(ds["gpus"]["gpu_id"])
    return ids | set(ds["models"]["model_id"])


@pytest.mark.parametrize("page_path", report_pages())
def test_pages_speak_in_words_not_identifiers(browser, site, page_path):
    page, _ = open_page(browser, site, page_path)
    if page.locator(".vega-chart").count():
        page.locator(".vega-chart svg").first.wait_for(timeout=15_000)
    # A URL is a reference, not prose: its path may hold anything.
    text = re.sub(r"https?://\S+", "", page.evaluate(VISIBLE_TEXT_JS))
    snake = sorted({m.group(0) for m in _SNAKE.finditer(text)})
    ids = sorted(i for i in _dataset_ids() if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text))
    assert snake == [] and ids == [], f"{page_path}: identifiers in visible text: {snake[:10]} {ids[:10]}"
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
