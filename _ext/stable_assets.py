"""Sphinx extension: the same HTML from a cold build and from a rebuild.

myst-nb copies its stylesheet ``_static/mystnb.<hash>.css`` when the build finishes, after the pages
are written. Sphinx appends ``?v=<checksum>`` to an asset link only when the file already exists in
the output folder, so pages written by a cold build link ``mystnb.<hash>.css`` while pages rewritten
by a later build link ``mystnb.<hash>.css?v=...``. Copying the file as soon as the builder starts
makes every build see it, and every page get the same link (tests/test_determinism.py).
"""

from __future__ import annotations

from pathlib import Path

from myst_nb.sphinx_ext import add_global_html_resources
from sphinx.application import Sphinx


def _copy_mystnb_css_early(app: Sphinx) -> None:
    if app.builder is not None and app.builder.format == "html":
        (Path(app.builder.outdir) / "_static").mkdir(parents=True, exist_ok=True)
        add_global_html_resources(app, None)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _copy_mystnb_css_early)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
