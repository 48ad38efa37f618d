"""Sphinx extension: the same HTML from a cold build and from a rebuild.

myst-nb copies its stylesheet ``_static/mystnb.<hash>.css`` when the build finishes, after the pages
are written. Sphinx appends ``?v=<checksum>`` to an asset link only when the file already exists in
the output folder, so pages written by a cold build link ``mystnb.<hash>.css`` while pages rewritten
by a later build link ``mystnb.<hash>.css?v=...``. Copying the file as soon as the builder starts
makes every build see it, and every page get the same link (tests/test_determinism.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from myst_nb.sphinx_ext import add_global_html_resources
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

# The folders whose files reach every page without being a source of any: a stylesheet, a script, a template.
ASSET_DIRS = ("_static", "_templates")


def _copy_mystnb_css_early(app: Sphinx) -> None:
    if app.builder is not None and app.builder.format == "html":
        (Path(app.builder.outdir) / "_static").mkdir(parents=True, exist_ok=True)
        add_global_html_resources(app, None)


def assets_digest(srcdir: Path) -> str:
    """sha256 of every file under :data:`ASSET_DIRS`, by path and content."""
    digest = hashlib.sha256()
    for folder in ASSET_DIRS:
        for path in sorted((Path(srcdir) / folder).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(srcdir)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _all_pages_when_assets_change(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                                  removed: set[str]) -> list[str]:
    """Every page, when a stylesheet, script or template changed since the last build.

    Sphinx rebuilds only pages whose sources changed, and copies ``_static/`` only when it writes some page: with
    nothing else changed a new stylesheet never reached the site (``no targets are out of date``), and a page
    rewritten for another reason would link it with a checksum the others lack.
    """
    digest = assets_digest(Path(app.srcdir))
    if getattr(env, "report_assets_digest", None) == digest:
        return []
    env.report_assets_digest = digest  # pickled with the environment
    return sorted(env.found_docs)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _copy_mystnb_css_early)
    app.connect("env-get-outdated", _all_pages_when_assets_change)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
