"""Helpers for the tests that drive the built site in a browser: Debian's Chromium (never a downloaded
browser) with its flags, a local server for a built site, tabs that record console errors and every request
that tries to leave 127.0.0.1, chart waits, screenshots, and the book's page list."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import yaml

from analysis import paths

CHROMIUM = Path("/usr/bin/chromium")
# Every request that leaves 127.0.0.1 goes to a proxy on a closed port and fails (hosts and bare IP
# addresses alike): the browser refuses it itself, so no request waits on a Python handler (``watch``).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"]
# Console noise that every Jupyter Book 1 page produces, whatever its content (stack notes section 3):
ALLOWED_CONSOLE = (
    "Identifier 'THEBE_JS_URL' has already been declared",  # sphinx-thebe 0.3.1 emits its script twice
    "Got invalid theme mode",  # pydata-sphinx-theme on a profile with no stored theme
)
SCREENSHOTS = paths.BUILD_DIR / "screenshots"
VIEWPORTS = {"wide": (1400, 900), "phone": (390, 844)}
# A full-page screenshot stops here: the ledger is about 50,000 px tall, and its first screens show its
# layout as well as all of it would (and a picture that tall takes seconds to encode).
SCREENSHOT_MAX_PX = 12_000
# Each page's screenshot is its first screen, what a reader sees on arriving; REPORT_SCREENSHOTS=full takes the
# whole page instead (about half a second more a page, most of it encoding the picture).
FULL_PAGE_SCREENSHOTS = os.environ.get("REPORT_SCREENSHOTS") == "full"
DRAWN = "svg .marks, svg g.mark-rect, svg g.mark-symbol, svg g.mark-line"


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


def open_page(browser, site: str, path: str, viewport: tuple[int, int] = VIEWPORTS["wide"],
              dialogs: list[str] | None = None):
    """Open a page in a new tab at a viewport (width, height); the tab and its ``watch`` record."""
    page = new_tab(browser, viewport)
    record = watch(page, site, dialogs)
    page.goto(f"{site}/{path}", wait_until="load")
    return page, record


def new_tab(browser, viewport: tuple[int, int]):
    """A tab at a viewport (width, height) that prefers reduced motion, which turns off the theme's smooth
    scrolling: a check that scrolls would otherwise wait for each scroll to end before it clicks or measures."""
    return browser.new_page(viewport={"width": viewport[0], "height": viewport[1]}, reduced_motion="reduce")


def watch(page, site: str, dialogs: list[str] | None = None) -> dict[str, list[str]]:
    """Record a tab's console errors, failed responses and every request that tries to leave 127.0.0.1
    (the browser refuses those, see ``CHROMIUM_ARGS``); with ``dialogs``, every alert is dismissed and
    noted. The record holds ``errors`` and ``outside``, for every page the tab shows until they are cleared.

    The listeners only observe: intercepting every request with ``page.route`` made each page load wait on
    a round trip to Python per file, 0.2 s a page."""
    if dialogs is not None:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    record: dict[str, list[str]] = {"errors": [], "outside": []}
    page.on("console", lambda msg: record["errors"].append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: record["errors"].append(str(exc)))
    page.on("response", lambda resp: record["errors"].append(f"HTTP {resp.status} {resp.url}")
            if resp.status >= 400 else None)
    page.on("request", lambda request: None if request.url.startswith((site, "data:"))
            else record["outside"].append(request.url))
    return record


def wait_for_charts(page) -> None:
    """Turn every chart of the page from its build-time picture into the interactive chart (as a reader's pointer
    does, _static/charts.js) and wait until each has drawn its marks."""
    charts = page.locator(".vega-chart")
    for i in range(charts.count()):
        if charts.nth(i).get_attribute("data-spec"):
            charts.nth(i).evaluate("el => el.dispatchEvent(new Event('pointerenter'))")
        else:  # the calculator's chart is drawn once it nears the screen
            charts.nth(i).scroll_into_view_if_needed()
    for i in range(charts.count()):
        charts.nth(i).locator(DRAWN).first.wait_for(timeout=15_000)


def screenshot(page, name: str, full_page: bool = True) -> None:
    """Save a screenshot to _build/screenshots/NAME.jpg: the whole page up to SCREENSHOT_MAX_PX, or the screen.
    JPEG, because a page-long PNG takes twice as long to encode."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    options = {"path": str(SCREENSHOTS / f"{name}.jpg"), "type": "jpeg", "quality": 85}
    if not full_page:
        page.screenshot(**options)
        return
    width, height = page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollHeight]")
    if height > SCREENSHOT_MAX_PX:
        options["clip"] = {"x": 0, "y": 0, "width": width, "height": SCREENSHOT_MAX_PX}
    page.screenshot(full_page=True, **options)


def unexpected(errors: list[str]) -> list[str]:
    return [e for e in errors if not any(allowed in e for allowed in ALLOWED_CONSOLE)]


def report_pages() -> list[str]:
    """Every page of the book as listed in _toc.yml, relative to the site root."""
    toc = yaml.safe_load((paths.REPO_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [ch["file"] for part in toc.get("parts", []) for ch in part.get("chapters", [])]
    return [f"{f}.html" for f in files]
