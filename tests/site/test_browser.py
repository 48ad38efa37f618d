"""The built site in a real browser, as a reader uses it at 1400x900 and at a phone's 390x844: Debian's
Chromium driven by Playwright, the site served on 127.0.0.1.

Every page is opened once per screen size (``Views``) and all the checks that only read it share that
load; the two screen sizes are two classes, so ``make test``'s workers take one each (pytest-xdist's
``--dist loadscope`` keeps a class on one worker). Checks that change a page (menus, filters, links) open
their own, in ``tests/site/test_browser_interactions.py``.

Needs ``_build/html`` (``make test`` builds it first). Screenshots go to ``_build/screenshots``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from pages import (
    FULL_PAGE_SCREENSHOTS,
    VIEWPORTS,
    new_tab,
    report_pages,
    screenshot,
    unexpected,
    wait_for_charts,
    watch,
)

CHART_PAGES = [p for p in report_pages() if p.startswith("notebooks/")]
# The calculator's answer is the reader's own situation, not an exhibit of the report.
EXHIBIT_PAGES = [p for p in CHART_PAGES if p != "notebooks/00_calculator.html"]
MULTI_SERIES_PAGES = ["notebooks/08_full_cost_comparison.html", "notebooks/09_scenario_1.html",
                      "notebooks/10_scenario_2.html", "notebooks/02_spend_tiers.html",
                      "notebooks/12_reconciliation.html", "notebooks/13_uncertainty.html"]
CHECK_PAGES = ["notebooks/09_scenario_1.html", "notebooks/03_hardware_sizing.html", "notebooks/12_reconciliation.html"]


# ---------------------------------------------------------------- one load per page and screen size


@dataclass
class View:
    """A loaded page with its charts drawn, and what it recorded since it was opened."""

    page: object
    record: dict
    path: str
    viewport: str
    screenshot: bool = False  # take its screenshot when the tab leaves the page

    @property
    def size(self) -> tuple[int, int]:
        return VIEWPORTS[self.viewport]

    @property
    def name(self) -> str:
        return f"{Path(self.path).stem}-{self.viewport}"


class Views:
    """One tab at one screen size that goes from page to page as the checks ask for them, as a reader's
    would: a page is loaded once for all the checks that follow it (the tests are ordered by page, see
    ``conftest.py``), and moving to a page in the same tab takes half the time of opening a new one. Each
    hand-out starts at the top of the page with the pointer in the corner, whatever the previous check did.

    A full-page screenshot is taken when the tab leaves its page, after every check of the page: Chromium
    lays the page out again at the page's full height to take it, and the charts that redraw on that
    resize keep the width they measured then."""

    def __init__(self, browser, site: str, viewport: str) -> None:
        self.site, self.viewport = site, viewport
        self.page = new_tab(browser, VIEWPORTS[viewport])
        self.record = watch(self.page, site)
        self.current: View | None = None
        self.loads = 0
        self.asked: set[str] = set()

    def get(self, path: str) -> View:
        self.asked.add(path)
        if self.current is None or self.current.path != path:
            self._leave()
            self.record["errors"].clear()
            self.record["outside"].clear()
            self.page.goto(f"{self.site}/{path}", wait_until="load")
            wait_for_charts(self.page)
            self.current = View(self.page, self.record, path, self.viewport)
            self.loads += 1
        self.page.mouse.move(0, 0)
        self.page.evaluate("window.scrollTo(0, 0)")
        return self.current

    def close(self) -> None:
        self._leave()
        self.page.close()

    def _leave(self) -> None:
        if self.current and self.current.screenshot:
            self.page.mouse.move(0, 0)
            self.page.evaluate("window.scrollTo(0, 0)")
            screenshot(self.page, self.current.name, full_page=FULL_PAGE_SCREENSHOTS)
        self.current = None


# ---------------------------------------------------------------- checks that read a page, at both screen sizes


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


class ReadingChecks:
    """What a reader sees on a page at one screen size, each page loaded once for all of these checks."""

    viewport = ""

    @pytest.fixture(scope="class")
    @classmethod
    def views(cls, browser, site):
        views = Views(browser, site, cls.viewport)
        yield views
        views.close()
        # The checks ran page by page: every page was loaded once, however many checks read it.
        assert views.loads == len(views.asked), f"{views.loads} loads for {len(views.asked)} pages"

    @pytest.mark.parametrize("page_path", report_pages())
    def test_every_page_renders_offline(self, views, page_path):
        view = views.get(page_path)
        charts = view.page.locator(".vega-chart")
        for i in range(charts.count()):
            text = charts.nth(i).inner_text()
            assert "Chart unavailable" not in text and "Chart error" not in text
        for table in view.page.locator("[data-table]").all():
            assert table.locator("table").count() == 1
            assert table.locator("a[download]").count() == 1
        # nothing scrolls sideways
        assert view.page.evaluate("document.documentElement.scrollWidth") <= view.size[0]
        view.screenshot = True
        assert view.record["outside"] == []
        assert unexpected(view.record["errors"]) == []

    @pytest.mark.parametrize("page_path", ["book/intro.html", *CHART_PAGES])
    def test_chart_texts_fit_and_plots_keep_their_width(self, views, page_path):
        view = views.get(page_path)
        charts = view.page.locator(".vega-chart")
        bad = []
        for i in range(charts.count()):
            fit = charts.nth(i).evaluate(CHART_FIT_JS)
            if fit["problems"] or fit["plot_px"] < MIN_PLOT_PX:
                bad.append((i, round(fit["plot_px"]), fit["problems"]))
        assert bad == [], f"{page_path} at {self.viewport}: (chart, plot px, texts cut or outside) {bad}"

    @pytest.mark.parametrize("page_path", MULTI_SERIES_PAGES)
    def test_multi_series_charts_name_their_series_inside_the_chart(self, views, page_path):
        view = views.get(page_path)
        width = view.size[0]
        charts = view.page.locator(".vega-chart")
        unnamed, outside = [], []
        for i in range(charts.count()):
            svg = charts.nth(i).locator("svg").first
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
        assert unnamed == [], f"{page_path} at {self.viewport}: legends with missing or cut labels: {unnamed}"
        assert outside == [], f"{page_path} at {self.viewport}: legends outside their chart or the screen: {outside}"

    @pytest.mark.parametrize("page_path", ["book/intro.html"])
    def test_the_answer_card_leads_the_intro(self, views, page_path):
        view = views.get(page_path)
        card = view.page.locator(".answer-card")
        assert card.count() == 1
        rows = card.locator("tbody tr")
        assert rows.count() == 3  # frontier API, cheap API, hosted open model
        first_figure = rows.nth(0).locator("td").nth(1)
        assert first_figure.inner_text().strip().startswith("$")
        # Its first figure is on the first screen at 1400x900 and within the first two screens on a phone.
        screens = 1 if self.viewport == "wide" else 2
        assert first_figure.bounding_box()["y"] < screens * view.size[1]
        answers = [rows.nth(i).locator("td").nth(6).inner_text().strip() for i in range(3)]
        assert all(answers) and len(set(answers)) > 1
        # the last column on a wide screen, labelled "Answer: " on a phone
        # an answer, or the rule it turns on ("Buy above $20.3K"), never a bare "Depends"
        assert all(re.fullmatch(r"Buy|Keep the API|Switch|Buy above \$[\d.]+K", a.removeprefix("Answer: "))
                   for a in answers), answers
        assert "rule" in card.inner_text()  # the sentence on the guide's threshold
        screenshot(view.page, f"intro-answer-card-{self.viewport}", full_page=False)

    @pytest.mark.parametrize("page_path", ["book/intro.html"])
    def test_the_headline_chart_follows_the_card_and_names_its_lines(self, views, page_path):
        view = views.get(page_path)
        card = view.page.locator(".answer-card").bounding_box()
        chart = view.page.locator(".vega-chart").first
        assert chart.bounding_box()["y"] > card["y"] + card["height"]
        labels = chart.locator("g.role-legend-label text").evaluate_all("els => els.map(e => e.textContent)")
        # the three choices: buying GPUs, the API it replaces, the hosted open model
        assert any(t.startswith("Buy ") for t in labels) and any(t.startswith("API: GPT-5.4") for t in labels)
        assert any(t.startswith("Hosted ") for t in labels)


# ---------------------------------------------------------------- at 1400x900


# Marks tried in turn when hovering a chart: points and bars first, lines last. Only data marks (role-mark):
# legend symbols carry no tooltip.
HOVER_MARKS = tuple(f"g.role-mark.mark-{kind} path" for kind in ("symbol", "rect", "tick", "area", "line"))
# A point on the mark, in the page's coordinates: the middle of a line's or area's outline (the centre of its
# box is often off the line), the centre of a point or bar.
POINT_ON_MARK_JS = """el => {
  const box = el.getBoundingClientRect();
  if (!/mark-(line|area)/.test(el.parentElement.getAttribute('class') || '') || !el.getTotalLength)
    return [box.x + box.width / 2, box.y + box.height / 2];
  const p = el.getPointAtLength(el.getTotalLength() / 2).matrixTransform(el.getScreenCTM());
  return [p.x, p.y];
}"""


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
            page.mouse.move(*mark.evaluate(POINT_ON_MARK_JS))
            try:
                tooltip.wait_for(state="visible", timeout=1_500)
            except PlaywrightTimeout:  # no tooltip on this mark: try the next one
                continue
            if tooltip.inner_text().strip():
                return tooltip.inner_text()
    return ""


# Each exhibit's anchor, number link, caption, source line and how many tables or charts it holds, in one call.
EXHIBITS_JS = """els => els.map(e => {
  const number = e.querySelector('a.exhibit-number'), source = e.querySelector('p.exhibit-source');
  return {id: e.id, href: number ? number.getAttribute('href') : null, number: number ? number.innerText : '',
          caption: (e.querySelector('figcaption') || {}).innerText || '', source: source ? source.innerText : '',
          content: e.querySelectorAll('table, .vega-chart').length};
})"""


class TestWide(ReadingChecks):
    viewport = "wide"

    @pytest.mark.parametrize("page_path", CHART_PAGES)
    def test_every_chart_shows_a_tooltip_on_hover(self, views, page_path):
        view = views.get(page_path)
        charts = view.page.locator(".vega-chart")
        silent = []
        for i in range(charts.count()):
            chart = charts.nth(i)
            chart.scroll_into_view_if_needed()
            if not _hover_shows_tooltip(view.page, chart):
                silent.append(i)
            view.page.mouse.move(0, 0)
        assert silent == [], f"{page_path}: no tooltip on chart(s) {silent}"
        assert unexpected(view.record["errors"]) == []

    @pytest.mark.parametrize("page_path", EXHIBIT_PAGES)
    def test_every_exhibit_is_numbered_titled_sourced_and_linkable(self, views, page_path):
        view = views.get(page_path)
        exhibits = view.page.locator("figure.exhibit").evaluate_all(EXHIBITS_JS)
        assert exhibits, f"{page_path}: no exhibit"
        for exhibit in exhibits:
            assert exhibit["href"] == f"#{exhibit['id']}"
            assert exhibit["number"].startswith("Exhibit ")
            assert len(exhibit["caption"].removeprefix(exhibit["number"]).strip()) > 10, f"{exhibit['id']}: no title"
            assert exhibit["source"].startswith("Source:"), exhibit["id"]
            assert exhibit["content"] >= 1, exhibit["id"]
        # The number takes a reader to its exhibit, so a link to it can be shared.
        view.page.locator(f"#{exhibits[-1]['id']} a.exhibit-number").click()
        assert view.page.evaluate("location.hash") == "#" + exhibits[-1]["id"]
        assert unexpected(view.record["errors"]) == []

    @pytest.mark.parametrize("page_path", ["notebooks/03_hardware_sizing.html"])
    def test_sizing_chapter_draws_its_chart_and_tables(self, views, page_path):
        view = views.get(page_path)
        page = view.page
        assert page.locator(".vega-chart").count() == 1
        assert page.locator(".vega-chart svg .mark-rect path").count() > 0
        assert page.locator("table.report-table").count() == 5
        assert page.locator("a[download='sizing-checks.csv']").count() == 1
        assert "Llama 4 Maverick" in page.locator("[data-table='sizing-printed']").inner_text()
        page.locator(".vega-chart svg .mark-rect path").first.hover()
        tooltip = page.locator("#vg-tooltip-element")
        tooltip.wait_for(state="visible", timeout=5_000)
        assert "Model" in tooltip.inner_text()

    @pytest.mark.parametrize("page_path", ["book/intro.html"])
    def test_intro_page_links_to_the_chapter(self, views, page_path):
        view = views.get(page_path)
        assert view.page.locator("a[href*='03_hardware_sizing']").count() >= 1

    @pytest.mark.parametrize("page_path", ["notebooks/11_decision_framework.html"])
    def test_the_decision_table_decides(self, views, page_path):
        table = views.get(page_path).page.locator("[data-table='decision-computed'] table")
        headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
        columns = [headers.index("Frontier-priced API (GPT-5.4)"), headers.index("Cheap API (DeepSeek V4 Flash)")]
        cells = [row.locator("td").nth(c).inner_text().strip() for row in table.locator("tbody tr").all()
                 for c in columns]
        assert all(cells), "a recommendation cell is blank"
        assert len(set(cells)) > 2, "the recommendations are all the same"

    @pytest.mark.parametrize("page_path", CHECK_PAGES)
    def test_check_tables_fit_their_column(self, views, page_path):
        view = views.get(page_path)
        overflow = view.page.locator(".check-table").evaluate_all(
            "els => els.filter(t => t.scrollWidth > t.parentElement.clientWidth + 1).length")
        assert overflow == 0, f"{page_path}: a check table scrolls sideways at 1400 px"
        view.page.locator(".check-table").first.scroll_into_view_if_needed()
        screenshot(view.page, f"{Path(page_path).stem}-checks-wide", full_page=False)


# ---------------------------------------------------------------- at 390x844


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


@functools.cache
def _dataset_ids() -> frozenset[str]:
    from analysis.data import loading

    ds = loading.load()
    ids = set(ds["api_prices"]["offer_id"]) | set(ds["gpu_rentals"]["offer_id"]) | set(ds["gpus"]["gpu_id"])
    return frozenset(ids | set(ds["models"]["model_id"]))


class TestPhone(ReadingChecks):
    viewport = "phone"

    @pytest.mark.parametrize("page_path", CHECK_PAGES)
    def test_every_verdict_is_on_screen(self, views, page_path):
        view = views.get(page_path)
        verdicts = view.page.locator(".check-table td:has(> .verdict)")
        assert verdicts.count() > 0
        boxes = verdicts.evaluate_all("els => els.map(e => { const r = e.getBoundingClientRect(); "
                                      "return [r.left, r.right]; })")
        outside = [i for i, (left, right) in enumerate(boxes) if left < 0 or right > view.size[0]]
        assert outside == [], f"{page_path}: verdict cells off screen at 390 px: {outside[:5]}"
        view.page.locator(".check-table").first.scroll_into_view_if_needed()
        screenshot(view.page, f"{Path(page_path).stem}-checks-phone", full_page=False)

    # The words a page shows are the same at any width; the phone's class takes this check to balance the two.
    @pytest.mark.parametrize("page_path", report_pages())
    def test_pages_speak_in_words_not_identifiers(self, views, page_path):
        view = views.get(page_path)
        # A URL is a reference, not prose: its path may hold anything.
        text = re.sub(r"https?://\S+", "", view.page.evaluate(VISIBLE_TEXT_JS))
        snake = sorted({m.group(0) for m in _SNAKE.finditer(text)})
        ids = sorted(i for i in _dataset_ids() if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text))
        assert snake == [] and ids == [], f"{page_path}: identifiers in visible text: {snake[:10]} {ids[:10]}"
