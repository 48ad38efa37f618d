"""Write the Vega JavaScript the book loads on every page, from the pinned vl-convert package.

vl-convert bundles vega, vega-lite and vega-embed; wrapping the bundle in a function keeps its
top-level ``const _`` from colliding with Sphinx's ``doctools.js`` (stack notes, variant G2). The file
is generated at build time and never committed.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from analysis import paths


def vega_lite_version() -> str:
    """Major.minor of the Vega-Lite schema Altair emits, e.g. ``"6.4"``."""
    import altair as alt

    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def _stamp() -> str:
    """First line of the bundle: the installed vl-convert and Altair releases (Altair fixes the Vega-Lite
    version), read from package metadata so that checking it imports neither (about a second saved)."""
    return (f"/* vl-convert-python {importlib.metadata.version('vl-convert-python')}, "
            f"altair {importlib.metadata.version('altair')} */\n")


def write_bundle(target: Path = paths.VENDOR_JS_FILE) -> Path:
    """Write the wrapped bundle to ``target`` unless the same versions were written there already.

    The first line records the vl-convert and Altair versions, so an unchanged install skips the
    (slow) bundling and a new pin rewrites the file.
    """
    stamp = _stamp()
    if target.exists():
        with target.open(encoding="utf-8") as handle:
            if handle.readline() == stamp:
                return target
    import vl_convert

    body = stamp + "(function () {\n" + vl_convert.javascript_bundle(vl_version=vega_lite_version()) + "\n})();\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(target)
    return target
