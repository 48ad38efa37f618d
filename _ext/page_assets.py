"""Sphinx extension: a page loads the JavaScript it uses and nothing more.

Jupyter Book adds every script under ``_static/`` to every page. This extension takes the Vega bundle
(about 1 MB) off every page whose body holds no chart, and the ledger filter off every page without the
ledger, and adds each to the pages that need it. It edits the page's own list of scripts (a new list in
the page's context), so no other page is affected.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.builders.html._assets import _JavaScript

# (marker in the page body, script under _static/)
PAGE_SCRIPTS = (('class="vega-chart"', "vega/vega-bundle.js"), ("data-ledger", "ledger.js"))


def _filename(script: object) -> str:
    return str(getattr(script, "filename", script) or "")


def _page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body", "")
    managed = {f"_static/{script}" for _, script in PAGE_SCRIPTS}
    kept = [s for s in context.get("script_files", []) if _filename(s) not in managed]
    # Loaded in <head>, before the inline chart scripts call vegaEmbed.
    wanted = [_JavaScript(f"_static/{script}") for marker, script in PAGE_SCRIPTS if marker in body]
    context["script_files"] = [*kept, *wanted]


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _page_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
