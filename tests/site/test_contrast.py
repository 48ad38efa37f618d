"""Dark mode and light mode (issue 29, item 7): every text of every page at least 4.5:1 against what is behind it.

The browser computes each text's colour and the background it sits on (the nearest opaque ancestor's, with any
translucent layers between composited over it), and the ratio of their relative luminances as WCAG 2 defines
it: (L1 + 0.05) / (L2 + 0.05). Texts that are hidden, inside a chart's SVG or screen-reader only are left out.
The calculator is also read with an input error and its "not your answer" banner showing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pages import VIEWPORTS, new_tab, report_pages

MIN_RATIO = 4.5
THEMES = ("light", "dark")

CONTRAST_JS = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")


def read(browser, site, path: str, theme: str, before=None) -> dict:
    page = new_tab(browser, VIEWPORTS["wide"])
    # pydata-sphinx-theme keeps the reader's choice in localStorage and sets <html data-theme> from it
    page.add_init_script(f"localStorage.setItem('theme', '{theme}'); localStorage.setItem('mode', '{theme}');")
    page.goto(f"{site}/{path}", wait_until="load")
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    if before is not None:
        before(page)
    result = page.evaluate(CONTRAST_JS)
    page.close()
    return result


@pytest.mark.parametrize("theme", THEMES)
def test_every_text_of_every_page_reaches_4_5_to_1(browser, site, theme):
    lowest, failing = {}, {}
    for path in report_pages():
        result = read(browser, site, path, theme)
        lowest[path] = result["lowest"]
        if result["failing"]:
            failing[path] = result["failing"][:5]
    print(f"{theme}: lowest ratio {min(lowest.values())} ({min(lowest, key=lowest.get)})")
    assert failing == {}


def _error_and_stale(page) -> None:
    page.wait_for_function("Number(document.querySelector('.calculator').dataset.updates) >= 1")
    page.fill("#calc-tokens_per_month", "three hundred")
    page.wait_for_function("document.getElementById('calc-answer').dataset.stale === 'true'")


@pytest.mark.parametrize("theme", THEMES)
def test_the_calculators_error_and_stale_answer_are_legible(browser, site, theme):
    result = read(browser, site, "notebooks/00_calculator.html", theme, _error_and_stale)
    assert result["failing"] == []
    assert result["lowest"] >= MIN_RATIO


def test_the_check_finds_a_faint_text(browser, site):
    # grey #999 on white is 2.85:1: the check must see it
    def faint(page):
        page.evaluate("document.querySelector('article h1').style.color = '#999999'")

    result = read(browser, site, "book/method.html", "light", faint)
    assert any(f.startswith("2.85 h1") for f in result["failing"])


@pytest.mark.parametrize("viewport", ["wide", "phone"])
def test_the_search_query_starts_clear_of_the_magnifier(browser, site, viewport):
    page = new_tab(browser, VIEWPORTS[viewport])
    page.goto(f"{site}/book/intro.html", wait_until="load")
    page.keyboard.press("Control+k")
    field = page.locator(".bd-search input:visible").first
    field.wait_for()
    field.type("Wonderful")
    gap = field.evaluate("""(i) => { const icon = i.parentElement.querySelector('i, svg').getBoundingClientRect();
        return i.getBoundingClientRect().left + parseFloat(getComputedStyle(i).paddingLeft) - icon.right; }""")
    assert gap >= 4  # px between the magnifier's right edge and the query's first letter
    page.close()


def test_in_print_the_calculators_floating_line_does_not_cover_the_form(browser, site):
    page = new_tab(browser, VIEWPORTS["wide"])
    page.goto(f"{site}/notebooks/00_calculator.html", wait_until="load")
    page.wait_for_function("Number(document.querySelector('.calculator').dataset.updates) >= 1")
    assert page.locator("#calc-glance").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("#calc-glance").is_visible()
    page.close()
