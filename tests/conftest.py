"""Shared fixtures (the canonical dataset, throw-away copies of it, the built site in a browser) and the
``slow`` and ``site`` markers: a test that opens the built site, or lives under ``tests/site/``, is marked both;
nbval's notebook cells are slow.

The tests are laid out like the package, a folder per stage (``data/``, ``model/``, ``evaluation/``,
``report/``, ``commands/``), plus ``site/`` for the built site in a browser. Helpers shared between folders are
modules of their own here: ``pages`` (the browser and the local server), ``corpus`` (the malformed datasets),
``benches`` (bench/ scripts as modules), ``oracles`` (plain reference formulas the model is checked against); no
test module imports another."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from analysis import paths
from analysis.data import loading


@pytest.fixture(scope="session")
def _quote_cache_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("quote-cache")


@pytest.fixture(autouse=True)
def _own_quote_cache(_quote_cache_folder, monkeypatch) -> None:
    """Quotes made in a test process remember their datasets in the session's own folder, not the checkout's
    ``.cache/quote`` (a test's throw-away copies would crowd out the reader's entries)."""
    monkeypatch.setattr(paths, "QUOTE_CACHE_DIR", _quote_cache_folder)


@pytest.fixture(scope="session")
def dataset() -> loading.Dataset:
    return loading.load()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ (CSV files only; the schema always comes from data/)."""
    target = tmp_path / "data"
    target.mkdir()
    for csv in paths.DATA_DIR.glob("*.csv"):
        shutil.copy(csv, target / csv.name)
    return target


# ---------------------------------------------------------------- the built site in a browser (tests/pages.py)


@pytest.fixture(scope="module")
def site():
    """The built site served on 127.0.0.1 for a module's tests; its URL."""
    from pages import serve

    if not (paths.HTML_DIR / "index.html").exists():
        pytest.fail("no built site in _build/html: run `make test` (or `make report`) first")
    with serve(paths.HTML_DIR) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (never a downloaded browser)."""
    from pages import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Debian's chromium is required: apt-get install -y chromium"
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# ---------------------------------------------------------------- markers


# Markers by folder: everything under tests/site/ reads the built site (and is slow).
FOLDER_MARKERS = {"site": ("site",)}


def pytest_collection_modifyitems(config, items) -> None:
    """Mark what needs the built site or executes notebooks, wherever it is defined (before ``-m`` selects,
    which keeps the order); order the checks that share loaded pages (``views``) page by page."""
    tests = Path(__file__).parent
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & {"site", "browser"}:
            item.add_marker(pytest.mark.site)
        parts = Path(item.path).relative_to(tests).parts if Path(item.path).is_relative_to(tests) else ()
        for marker in FOLDER_MARKERS.get(parts[0] if len(parts) > 1 else "", ()):
            item.add_marker(getattr(pytest.mark, marker))
        if item.get_closest_marker("site") or str(item.path).endswith(".ipynb"):
            item.add_marker(pytest.mark.slow)
    _page_by_page(items)


def _page_by_page(items: list) -> None:
    """Within each class of checks that share loaded pages, run every check of one page before the next page,
    so each page is loaded once (``test_browser.Views`` keeps only the last pages open). The checks keep their
    relative order, and every other item keeps its place."""
    slots: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "views" in getattr(item, "fixturenames", ()) and "page_path" in params:
            slots[item.parent.nodeid].append(index)
    for indices in slots.values():
        ordered = sorted((items[i] for i in indices), key=lambda item: item.callspec.params["page_path"])
        for index, item in zip(indices, ordered, strict=True):
            items[index] = item
