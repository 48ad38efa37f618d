"""Sphinx extension: a page loads the JavaScript it uses and nothing more, and none of it blocks the first paint.

Jupyter Book adds every script under ``_static/`` to every page. This extension takes the Vega bundle
(about 1 MB) off every page (the scripts that draw with it fetch it when a chart needs it, from the address in
``<meta name="vega-bundle">``), the chart loader off every page without a chart, the ledger filter off every page
without the ledger and the calculator's module off every other page, and adds each, deferred, to the pages that
need it. It
edits the page's own list of scripts (a new list in the page's context), so no other page is affected.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.html._assets import _JavaScript

# (marker in the page body, script under _static/, its attributes). Charts are pictures drawn at build time
# (_ext/static_charts.py): their page gets the small loader, which fetches the Vega bundle on first use; the
# calculator fetches it when its chart nears the screen. Every script here is deferred: none blocks the first
# paint.
BUNDLE = "vega/vega-bundle.js"
PAGE_SCRIPTS = (("vega-static", "charts.js", {"defer": "defer"}), ("data-calculator", "charts.js", {"defer": "defer"}),
                ("data-ledger", "ledger.js", {"defer": "defer"}))
# Pages whose scripts fetch the Vega bundle when a chart needs it: they find it in <meta name="vega-bundle">.
BUNDLE_MARKERS = ("vega-static", "data-calculator")
# The calculator's ES module goes inside its page: a browser refuses to load a module file from a page
# opened from disk (file://), and a reader may well open the downloaded site that way. Inline, it still
# runs after the page is parsed, as every module does.
INLINE_MODULES = (("data-calculator", "calculator-model.js"), ("data-calculator", "calculator.js"))


def _filename(script: object) -> str:
    return str(getattr(script, "filename", script) or "")


def _page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body", "")
    managed = ({f"_static/{script}" for _, script, _ in PAGE_SCRIPTS} | {f"_static/{s}" for _, s in INLINE_MODULES}
               | {f"_static/{BUNDLE}"})
    kept = [s for s in context.get("script_files", []) if _filename(s) not in managed]
    # Loaded in <head>, before the inline chart scripts call vegaEmbed; each script once.
    wanted = {}
    for marker, script, attributes in PAGE_SCRIPTS:
        if marker in body and script not in wanted:
            wanted[script] = _JavaScript(f"_static/{script}", **attributes)
    if any(marker in body for marker in BUNDLE_MARKERS):
        bundle = context["pathto"](f"_static/{BUNDLE}", 1)
        context["metatags"] = context.get("metatags", "") + f'\n<meta name="vega-bundle" content="{bundle}" />'

    for marker, script in INLINE_MODULES:
        if marker in body:
            source = (Path(app.srcdir) / "_static" / script).read_text(encoding="utf-8")
            wanted[script] = _JavaScript(None, body=source, type="module")
    context["script_files"] = [*kept, *wanted.values()]


def _inline_digest(srcdir: str) -> str:
    digest = hashlib.sha256()
    for _, script in INLINE_MODULES:
        digest.update((Path(srcdir) / "_static" / script).read_bytes())
    return digest.hexdigest()


def outdated_by_inline_modules(app: Sphinx, env, added, changed, removed) -> list[str]:
    """The pages that carry an inline module whose file changed since the last build: Sphinx rewrites a page
    only when its source changes, and a page's module lives outside its notebook."""
    digest = _inline_digest(app.srcdir)
    if getattr(env, "selfhost_inline_digest", None) == digest:
        return []
    env.selfhost_inline_digest = digest
    pages = []
    for docname in sorted(env.found_docs):
        source = Path(env.doc2path(docname))
        if source.suffix == ".ipynb" and any(marker in source.read_text(encoding="utf-8")
                                            for marker, _ in INLINE_MODULES):
            pages.append(docname)
    return pages


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _page_scripts)
    app.connect("env-get-outdated", outdated_by_inline_modules)
    # env_version: a page built by an older version of this extension is rebuilt.
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 3}
