"""Sphinx extension: the theme's style sheets keep only the rules the site can use, and its icon font only the
icons it shows.

The theme ships Bootstrap and every Font Awesome icon in one 390 KB style sheet, and a 150 KB font of 1,400 icons;
the pages show about fifteen. Every page's first paint waits for that style sheet. When the build finishes:

* each theme style sheet (every ``.css`` under ``_static/`` but the report's own) loses the selectors naming a
  class or id that appears in no built page and no script the site ships (scripts add classes such as ``show``
  at run time, so a name found anywhere in them is kept); a rule left without selectors goes. Parsed with
  tinycss2, so at-rules, nested blocks and strings are handled by a real CSS parser, not by patterns;
* the solid Font Awesome face is cut, with fontTools, to the code points of the icon rules that survive, written
  beside the original as a WOFF file, and the style sheet's ``@font-face`` points at it.

Both are build outputs, rewritten from the theme's originals on every build (the originals are read from the
theme's package, never from the output), so running it twice gives the same files.
"""

from __future__ import annotations

import re
from pathlib import Path

import tinycss2
from sphinx.application import Sphinx

OWN_CSS = {"report.css"}
_NAME = re.compile(r"[A-Za-z_][\w-]*")
_SELECTOR_NAMES = re.compile(r"[.#](-?[A-Za-z_][\w-]*)")
# Font Awesome's icons sit in Unicode's private use area; tinycss2 writes an escape such as ``"\f002"`` back as
# the character itself, in icon rules and in the theme's icon variables (``--pst-icon-admonition-tip``) alike.
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
SOLID_FACE = "fa-solid-900"


def corpus_names(outdir: Path) -> set[str]:
    """Every word that could name a class or id: in the built pages and in the scripts they load."""
    names: set[str] = set()
    for pattern in ("**/*.html", "_static/**/*.js"):
        for path in outdir.glob(pattern):
            if "vega" in path.parts:  # the chart runtime styles its own SVG, not the page
                continue
            names.update(_NAME.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return names


def _split_selectors(prelude: list) -> list[str]:
    """A rule's selector list, one selector per item: split at its top-level commas (a comma inside brackets or a
    function is inside one token, so it stays)."""
    parts, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append(tinycss2.serialize(current).strip())
            current = []
        else:
            current.append(token)
    parts.append(tinycss2.serialize(current).strip())
    return parts


def _used(selector: str, names: set[str]) -> bool:
    return all(name in names for name in _SELECTOR_NAMES.findall(selector))


def slim_rules(rules: list, names: set[str]) -> str:
    """The rules as CSS text, without the selectors (and rules) that name anything absent from ``names``."""
    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            kept = [s for s in _split_selectors(rule.prelude) if _used(s, names)]
            if kept:
                out.append(",".join(kept) + "{" + tinycss2.serialize(rule.content) + "}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports", "layer", "container") \
                and rule.content is not None:
            inner = slim_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True),
                               names)
            if inner:
                out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
        elif rule.type == "at-rule":
            out.append(tinycss2.serialize([rule]))
    return "".join(out)


def slim_css(text: str, names: set[str]) -> str:
    """A whole style sheet, slimmed (:func:`slim_rules`); ``@charset`` and comments dropped."""
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    return slim_rules([r for r in rules if not (r.type == "at-rule" and r.lower_at_keyword == "charset")], names)


def icon_code_points(css: str) -> set[int]:
    """The icon code points a (slimmed) style sheet can still show: every private-use character in it."""
    return {ord(char) for char in _PRIVATE_USE.findall(css)}


def subset_font(source: Path, target: Path, code_points: set[int]) -> None:
    """``source`` (a TrueType font) cut to ``code_points``, written to ``target`` as WOFF (zlib: no Brotli)."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(code_points))
    subsetter.subset(font)
    # Fixed timestamps: the same icons give the same bytes on every build.
    font["head"].created = font["head"].modified = 0
    subset.save_font(font, str(target), options)


def _solid_face_to_subset(css: str, subset_name: str) -> str:
    """Point the solid face's ``@font-face`` sources at the subset."""
    return re.sub(r"url\(([^)]*?)" + SOLID_FACE + r"\.woff2\) format\(\"woff2\"\),url\(([^)]*?)" + SOLID_FACE
                  + r"\.ttf\) format\(\"truetype\"\)",
                  lambda m: f'url({m.group(1)}{subset_name}) format("woff")', css)


def slim_site(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder is None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    names = corpus_names(outdir)
    originals = _theme_originals(app)
    slimmed: dict[Path, str] = {}
    for path in sorted((outdir / "_static").rglob("*.css")):
        # myst-nb names its copy by a hash of the content: mystnb.<sha256>.css is mystnb.css
        shipped = re.sub(r"\.[0-9a-f]{64}\.css$", ".css", path.name)
        if path.name in OWN_CSS:
            slimmed[path] = path.read_text(encoding="utf-8")
        elif shipped in originals:
            slimmed[path] = slim_css(originals[shipped].read_text(encoding="utf-8"), names)
    points = set().union(*(icon_code_points(css) for css in slimmed.values()))
    webfonts = outdir / "_static" / "vendor" / "fontawesome" / "webfonts"
    subset_name = f"{SOLID_FACE}.subset.woff"
    if points and (webfonts / f"{SOLID_FACE}.ttf").exists():
        subset_font(webfonts / f"{SOLID_FACE}.ttf", webfonts / subset_name, points)
        slimmed = {path: _solid_face_to_subset(css, subset_name) for path, css in slimmed.items()}
    for path, css in slimmed.items():
        data = css.encode("utf-8")
        if path.name not in OWN_CSS and path.read_bytes() != data:
            path.write_bytes(data)


def _theme_originals(app: Sphinx) -> dict[str, Path]:
    """The theme and extension style sheets as shipped, by file name (the output's copies may be slimmed)."""
    found: dict[str, Path] = {}
    for folder in _package_static_dirs():
        for path in Path(folder).rglob("*.css"):
            found.setdefault(path.name, path)
    return found


def _package_static_dirs() -> list[Path]:
    import importlib.util

    dirs = []
    for package in ("sphinx_design", "myst_nb", "sphinx_book_theme", "pydata_sphinx_theme", "sphinx_togglebutton",
                    "sphinx_copybutton", "sphinx_thebe", "sphinx"):
        spec = importlib.util.find_spec(package)
        if spec and spec.origin:
            dirs.append(Path(spec.origin).parent)
    return dirs


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", slim_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
