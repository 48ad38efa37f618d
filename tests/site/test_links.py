"""Every internal link and anchor of the built site resolves offline, and no link leaves the site.

Parses each page of ``_build/html`` with the standard library's HTML parser (no extra dependency),
collects every URL-valued attribute (``href``, ``src``, ``srcset``, form ``action``, SVG
``xlink:href``, ``<meta http-equiv="refresh">``), resolves the relative ones against their page and
checks that the file exists inside the site and, for a ``#fragment``, that the target page has an
element with that ``id`` (or an ``<a name>``). Absolute ``http(s)://`` links are collected too: the
report is published as a self-contained offline site, so each one fails unless its host is listed in
``ALLOWED_EXTERNAL_HOSTS``. Needs ``_build/html`` (``make test`` builds it before running the tests).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from analysis import paths

# Hosts a page may load anything from or link to in general. Empty: the charts' JavaScript is vendored
# into _static. A reader may still follow a hyperlink (``<a href>``) to a primary source of the dataset or
# to the guide (a URL in data/*.csv or in the book's prose); the site never loads anything from them.
ALLOWED_EXTERNAL_HOSTS: frozenset[str] = frozenset()
_URL = re.compile(r"https://[^\s\"',)>\]]+")


def cited_urls() -> frozenset[str]:
    """Every https URL the dataset's files and the book's prose (pages and notebooks) cite."""
    files = [*(paths.REPO_ROOT / "data").glob("*.csv"), *(paths.REPO_ROOT / "book").glob("*.md"),
             *paths.NOTEBOOKS_DIR.glob("*.ipynb")]
    return frozenset(url.rstrip(".") for f in files for url in _URL.findall(f.read_text(encoding="utf-8")))
# Schemes that need no target in the site: inline data (the tables' CSV downloads) and e-mail.
SAFE_SCHEMES = frozenset({"data", "mailto"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "data", "xlink:href"})
# The themes copy Jinja macro files named *.html into _static (e.g. webpack-macros.html); they are
# template fragments with `{{ pathto(...) }}` placeholders, never served as pages.
NOT_PAGES = ("_static",)


@dataclass
class Link:
    """One URL found in a page."""

    page: str  # relative to the site root
    line: int
    where: str  # tag and attribute, e.g. "a href"
    url: str


@dataclass
class ParsedPage:
    """What a page offers (anchors) and what it points to (links)."""

    anchors: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.result = ParsedPage()

    def _add(self, tag: str, attr: str, url: str) -> None:
        self.result.links.append(Link(self.page, self.getpos()[0], f"{tag} {attr}", url.strip()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.result.anchors.add(values["id"])
        if tag == "a" and "name" in values:
            self.result.anchors.add(values["name"])
        for name, value in values.items():
            if name in URL_ATTRIBUTES:
                self._add(tag, name, value)
            elif name == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self._add(tag, name, candidate.split()[0])
        # index.html is a redirect: <meta http-equiv="Refresh" content="0; url=book/intro.html">
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            _, _, target = values.get("content", "").partition("url=")
            if target:
                self._add(tag, "refresh", target.strip("'\" "))

    handle_startendtag = handle_starttag


def parse(site: Path, page: Path) -> ParsedPage:
    """Anchors and links of one HTML file."""
    collector = _Collector(page.relative_to(site).as_posix())
    collector.feed(page.read_text(encoding="utf-8"))
    collector.close()
    return collector.result


@dataclass
class Report:
    """The outcome of checking a site."""

    pages: int = 0
    links: int = 0
    internal: int = 0
    anchors_checked: int = 0
    safe: int = 0
    external: list[Link] = field(default_factory=list)
    broken: list[tuple[Link, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.pages} pages, {self.links} links: {self.internal} internal "
                f"({self.anchors_checked} with an anchor), {self.safe} data:/mailto:, "
                f"{len(self.external)} external, {len(self.broken)} broken")


def site_pages(site: Path) -> list[Path]:
    """Every page of the site (the HTML files outside ``NOT_PAGES``)."""
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] not in NOT_PAGES)


def check_site(site: Path) -> Report:
    """Resolve every link of every page of ``site``; collect the broken and the external ones."""
    site = site.resolve()
    parsed: dict[Path, ParsedPage] = {}

    def anchors_of(path: Path) -> set[str]:
        if path not in parsed:
            parsed[path] = parse(site, path)
        return parsed[path].anchors

    report = Report()
    for page in site_pages(site):
        anchors_of(page)  # parses the page
        report.pages += 1
        for link in parsed[page].links:
            report.links += 1
            parts = urlsplit(link.url)
            scheme = parts.scheme.lower()
            if scheme in SAFE_SCHEMES:
                report.safe += 1
                continue
            if scheme in ("http", "https") or (not scheme and parts.netloc):  # also protocol-relative //host
                report.external.append(link)
                continue
            if scheme:  # javascript:, file:, ftp:... nothing a static offline site should carry
                report.broken.append((link, f"unexpected URL scheme {scheme!r}"))
                continue
            report.internal += 1
            if parts.path:
                # posixpath keeps '..' semantics of URLs; '/x' would be the server root, i.e. the site root
                base = "" if parts.path.startswith("/") else posixpath.dirname(link.page)
                relative = posixpath.normpath(posixpath.join(base, unquote(parts.path).lstrip("/")))
                if relative == ".." or relative.startswith("../"):
                    report.broken.append((link, f"points outside the site ({relative})"))
                    continue
                target = site / relative
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    report.broken.append((link, f"no file {target.relative_to(site).as_posix()}"))
                    continue
            else:  # "#x" or "" or "?q": the page itself
                target = page
            if parts.fragment and target.suffix == ".html":
                report.anchors_checked += 1
                if parts.fragment not in anchors_of(target) and unquote(parts.fragment) not in anchors_of(target):
                    name = target.relative_to(site).as_posix()
                    report.broken.append((link, f"no element with id {parts.fragment!r} in {name}"))
    return report


def describe(problems: list[tuple[Link, str]]) -> str:
    return "\n".join(f"  {link.page}:{link.line} <{link.where}={link.url[:120]!r}>: {why}" for link, why in problems)


@pytest.fixture(scope="module")
def report() -> Report:
    if not (paths.HTML_DIR / "index.html").exists():
        pytest.skip(f"no built site in {paths.HTML_DIR}: run `make book` (or `make test`) first")
    result = check_site(paths.HTML_DIR)
    print(f"\nlink check of {paths.HTML_DIR}: {result.summary()}")
    return result


@pytest.mark.site
def test_every_internal_link_and_anchor_resolves(report):
    assert report.pages > 1 and report.internal > 0, "nothing was checked"
    assert not report.broken, f"{len(report.broken)} broken link(s):\n{describe(report.broken)}"


@pytest.mark.site
def test_no_link_leaves_the_site(report):
    cited = cited_urls()
    outside = [(link, f"external host {urlsplit(link.url).hostname!r} is not in ALLOWED_EXTERNAL_HOSTS")
               for link in report.external if urlsplit(link.url).hostname not in ALLOWED_EXTERNAL_HOSTS
               and not (link.where == "a href" and link.url in cited)]
    assert not outside, f"{len(outside)} link(s) leave the offline site:\n{describe(outside)}"


def test_the_checker_finds_what_is_broken(tmp_path):
    """The checker itself, on a small site with one instance of each case."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "app.js").write_text("", encoding="utf-8")
    (tmp_path / "_static" / "macros.html").write_text('<a href="{{ pathto(x) }}">', encoding="utf-8")
    (tmp_path / "index.html").write_text('<meta http-equiv="refresh" content="0; url=sub/a.html">', encoding="utf-8")
    (tmp_path / "sub" / "a.html").write_text(
        '<h1 id="top">A</h1><a name="old"></a><script src="../_static/app.js?v=1"></script>\n'
        '<a href="#top">ok</a><a href="a.html#old">ok</a><a href="../sub/">dir</a><a href="">self</a>\n'
        '<a href="data:text/csv,a%2Cb">csv</a><a href="mailto:x@example.org">mail</a>\n'
        '<a href="missing.html">1</a><a href="#nowhere">2</a><a href="../index.html#gone">3</a>\n'
        '<img srcset="../img.png 1x, ../_static/app.js 2x"><a href="../../up.html">5</a>\n'
        '<a href="javascript:void(0)">6</a><a href="https://cdn.example.com/x.js">ext</a>\n'
        '<link href="//fonts.example.com/f.css">', encoding="utf-8")
    (tmp_path / "sub" / "index.html").write_text("<p>dir index</p>", encoding="utf-8")
    result = check_site(tmp_path)
    assert result.pages == 3  # _static/macros.html is not a page
    assert [(link.url, why) for link, why in result.broken] == [
        ("missing.html", "no file sub/missing.html"),
        ("#nowhere", "no element with id 'nowhere' in sub/a.html"),
        ("../index.html#gone", "no element with id 'gone' in index.html"),
        ("../img.png", "no file img.png"),
        ("../../up.html", "points outside the site (../up.html)"),
        ("javascript:void(0)", "unexpected URL scheme 'javascript'"),
    ]
    assert [link.url for link in result.external] == ["https://cdn.example.com/x.js", "//fonts.example.com/f.css"]
    assert result.safe == 2
