"""The page-size rule of bench/bench_build.py on the built site: no page over 500 KB.

Cheap (no build, no timing): it reads ``_build/html``, which ``make test`` builds first. The shared
Vega bundle in ``_static/`` is exempt; a page's own weight is its HTML (the inline tables, charts and
CSV downloads) plus the files outside ``_static/`` that it loads.
"""

from __future__ import annotations

import re

import pytest
from benches import load_bench

from analysis import paths

bench_build = load_bench("bench_build")


@pytest.mark.site
def test_no_built_page_is_over_the_limit():
    if not (paths.HTML_DIR / "index.html").exists():
        pytest.skip(f"no built site in {paths.HTML_DIR}: run `make book` (or `make test`) first")
    sizes = bench_build.page_sizes(paths.HTML_DIR)
    assert any(s.page.startswith("notebooks/") for s in sizes), "no chapter page found"
    over = [f"{s.page}: {s.total_bytes / 1000:.0f} KB" for s in bench_build.oversized(sizes)]
    limit = bench_build.PAGE_LIMIT_BYTES / 1000
    assert not over, f"pages over {limit:.0f} KB (move data out of the inline HTML):\n" + "\n".join(over)


def test_page_weight_counts_own_files_but_not_shared_ones(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_images").mkdir()
    (tmp_path / "_static" / "shared.js").write_bytes(b"x" * 900_000)
    (tmp_path / "_static" / "macros.html").write_text("{{ not a page }}", encoding="utf-8")
    (tmp_path / "_images" / "big.png").write_bytes(b"x" * 600_000)
    (tmp_path / "light.html").write_text('<script src="_static/shared.js?v=1"></script><a href="heavy.html">'
                                         '<link rel="next" href="_images/big.png">', encoding="utf-8")
    (tmp_path / "heavy.html").write_text('<img src="_images/big.png"><a href="#x">', encoding="utf-8")
    sizes = bench_build.page_sizes(tmp_path)
    assert [s.page for s in sizes] == ["heavy.html", "light.html"]
    assert sizes[0].own_asset_bytes == 600_000 and sizes[1].own_asset_bytes == 0
    assert [s.page for s in bench_build.oversized(sizes)] == ["heavy.html"]


@pytest.mark.site
def test_no_page_loads_the_vega_bundle_before_a_chart_needs_it_and_none_loads_the_icon_script():
    if not (paths.HTML_DIR / "index.html").exists():
        pytest.skip(f"no built site in {paths.HTML_DIR}: run `make book` (or `make test`) first")
    for page in sorted(paths.HTML_DIR.rglob("*.html")):
        if page.relative_to(paths.HTML_DIR).parts[0] in ("_static", "_sources"):
            continue
        text = page.read_text(encoding="utf-8")
        # Charts are pictures drawn at build time; the bundle is fetched by script when a chart is used (charts.js)
        # or nears the screen (the calculator's), from the address in <meta name="vega-bundle">.
        has_chart = "vega-static" in text or "data-calculator" in text
        assert 'class="vega-chart"></div>' not in text, page.name  # no chart left to draw in the browser
        assert not re.search(r'<script[^>]*vega-bundle', text), page.name
        assert ('<meta name="vega-bundle"' in text) == has_chart, page.name
        # the chart loader, which also fetches the bundle for the calculator
        assert bool(re.search(r'<script[^>]*src="[^"]*charts\.js', text)) == has_chart, page.name
        assert all("defer" in tag for tag in re.findall(r"<script[^>]*(?:charts|ledger)\.js[^>]*>", text)), page.name
        assert ("ledger.js" in text) == ("data-ledger" in text), page.name
        # The calculator's module is inside its page, and nowhere else.
        assert ('<script type="module">' in text) == ("data-calculator" in text), page.name
        assert not re.search(r'<script[^>]*src="[^"]*calculator', text), page.name  # never a file of its own
        assert "scripts/fontawesome.js" not in text, page.name


@pytest.mark.site
def test_a_page_without_charts_transfers_under_half_of_what_every_page_did(browser):
    if not (paths.HTML_DIR / "index.html").exists():
        pytest.skip(f"no built site in {paths.HTML_DIR}: run `make book` (or `make test`) first")
    pages = ["book/method.html", "notebooks/09_scenario_1.html"]
    moved = bench_build.transferred_bytes(paths.HTML_DIR, pages, browser)  # the tests' browser, already running
    assert moved["book/method.html"] < bench_build.CHARTLESS_TARGET_BYTES
    bundle = (paths.HTML_DIR / bench_build.SHARED_JS).stat().st_size
    # a chart page no longer carries the Vega bundle: its charts are pictures until a reader uses one
    assert moved["notebooks/09_scenario_1.html"] < moved["book/method.html"] + bundle / 4
