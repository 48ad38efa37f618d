"""Sphinx extension: a page loads the JavaScript it uses and nothing more.

The Vega bundle (about 1 MB) is added only to pages whose body holds a chart, and the ledger filter only
to the page that holds the ledger. Sphinx resets its list of scripts before each page, so a file added
in ``html-page-context`` belongs to that page alone.
"""

from __future__ import annotations

from sphinx.application import Sphinx

# (marker in the page body, script under _static/)
PAGE_SCRIPTS = (('class="vega-chart"', "vega/vega-bundle.js"), ("data-ledger", "ledger.js"))


def _add_page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body", "")
    for marker, script in PAGE_SCRIPTS:
        if marker in body:
            # Loaded in <head>, before the inline chart scripts call vegaEmbed.
            app.add_js_file(script)


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _add_page_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
