"""Benchmark: the whole report build, cold and with nothing changed, against Jupyter Book executing it.

Everything runs in a temporary copy of the repository (the working tree and its ``_build`` are never
touched; the copy links to this virtualenv and imports its own ``analysis`` through ``PYTHONPATH``).
Measured in one run:

a. cold: what ``make report`` does from scratch (no ``_build``, no vendored JavaScript, no chapter
   cache): the notebooks (``python -m analysis run --force``, which validates first) and the Vega bundle at
   once, then the book; then the previous approach from the same empty state, one step after another:
   ``validate``, a fresh kernel for every notebook without the chapter cache (``--fresh-kernels``), the
   bundle, the book;
b. nothing changed: the same steps again (every notebook must be skipped), then ``make report`` whole,
   ``--repeats`` times (median);
c. ``make test`` wall time and its slowest tests (``--no-make-test`` leaves it out; it takes minutes);
d. the size of each built page (its HTML with the inline tables and charts, plus any file outside
   ``_static/`` that only it loads) and of the JavaScript every page shares;
f. the bytes Chromium transfers to show each page from an empty cache (``--transfer-only HTML_DIR``
   prints just this, for any built site);
e. the baseline: the same book, from notebooks with their outputs cleared, built by Jupyter Book
   executing them itself (``execute_notebooks: force``, one at a time);
w. a what-if report (``python -m analysis whatif --out``) with warm kernels and with ``--fresh-kernels``,
   the chapter cache emptied before each.

Prints a summary with ratios and pass/fail against the targets (cold build at most 0.4x the baseline,
nothing-changed ``make report`` at most 2 s, a what-if report at most half of the time issue 16 measured
when it was filed (and, stricter, half of the fresh-kernel one), no
page over 500 KB except the shared JavaScript); asserts nothing.

    .venv/bin/python bench/bench_build.py [--no-make-test] [--repeats N] [--keep] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
SHARED_JS = "_static/vega/vega-bundle.js"
PAGE_LIMIT_BYTES = 500_000
LOADING_RELS = {"stylesheet", "preload", "modulepreload", "icon", "apple-touch-icon"}
REBUILD_TARGET_S = 2.0
COLD_TARGET_RATIO = 0.4  # cold build / Jupyter Book executing the notebooks
# Issue 16's target: a what-if report in at most half of the time it took when the issue was filed (about 50 s,
# measured on a fresh clone). Stricter, and only a guide: half of today's code run with fresh kernels.
WHATIF_FILED_S = 50.0
WHATIF_TARGET_RATIO = 0.5  # what-if report with warm kernels / with fresh kernels
# Half of what every page transferred before the Vega bundle was limited to chart pages (issue 13: 3.3 MB).
CHARTLESS_TARGET_BYTES = 1_650_000
BUILD_ARGS = ["build", ".", "-W", "-n", "--keep-going"]
EXECUTE = "execute notebooks + vendor-js, at once"
# Not part of a fresh checkout: the virtualenv, build output, generated JavaScript, caches.
SKIP_NAMES = {".venv", "_build", ".git", ".hypothesis", ".ruff_cache", ".cache", "__pycache__",
              ".ipynb_checkpoints", "node_modules"}
SKIP_PATHS = {"_static/vega"}


# --- page sizes (also used by tests/site/test_bench_build.py) -------------------------------------------

class _Loads(HTMLParser):
    """Local files a page makes the browser fetch: every ``src``, and the ``href`` of a ``<link>`` that
    loads something (stylesheet, preload, icon). Hyperlinks (``<a href>``, ``<link rel="next">``) are not
    loaded with the page."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.files: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        rel = set((dict(attrs).get("rel") or "").lower().split())
        loads_href = tag == "link" and bool(rel & LOADING_RELS)
        for name, value in attrs:
            if value and (name == "src" or (loads_href and name == "href")):
                parts = urlsplit(value)
                if not parts.scheme and not parts.netloc and parts.path:
                    base = os.path.dirname(self.page)
                    self.files.add(os.path.normpath(os.path.join(base, unquote(parts.path))))


@dataclass
class PageSize:
    """One built page: its HTML (inline content included) and the files only it loads."""

    page: str
    html_bytes: int
    html_gzip_bytes: int
    own_asset_bytes: int  # files outside _static/ that no other page loads, e.g. its _images/*.png

    @property
    def total_bytes(self) -> int:
        return self.html_bytes + self.own_asset_bytes


def _page_loads(html_dir: Path) -> dict[str, set[str]]:
    """Each page (the HTML files outside ``_static/``, which holds theme template fragments) and the
    existing local files it loads."""
    loads = {}
    for path in sorted(html_dir.rglob("*.html")):
        page = path.relative_to(html_dir).as_posix()
        if not page.startswith("_static/"):
            parser = _Loads(page)
            parser.feed(path.read_text(encoding="utf-8"))
            loads[page] = {f for f in parser.files if not f.startswith("..") and (html_dir / f).is_file()}
    return loads


def _owners(loads: dict[str, set[str]]) -> dict[str, int]:
    count: dict[str, int] = {}
    for files in loads.values():
        for f in files:
            count[f] = count.get(f, 0) + 1
    return count


def page_sizes(html_dir: Path) -> list[PageSize]:
    """Every page of a built site with its own weight, largest first."""
    loads = _page_loads(html_dir)
    owners = _owners(loads)
    sizes = []
    for page, files in loads.items():
        data = (html_dir / page).read_bytes()
        own = [f for f in files if owners[f] == 1 and not f.startswith("_static/")]
        sizes.append(PageSize(page, len(data), len(gzip.compress(data, mtime=0)),
                              sum((html_dir / f).stat().st_size for f in own)))
    return sorted(sizes, key=lambda s: (-s.total_bytes, s.page))


def shared_assets(html_dir: Path) -> dict[str, int]:
    """Files loaded by the pages that are not any one page's own (``_static/``, or loaded by several)."""
    loads = _page_loads(html_dir)
    owners = _owners(loads)
    return {f: (html_dir / f).stat().st_size for f in sorted(owners) if owners[f] > 1 or f.startswith("_static/")}


def oversized(sizes: list[PageSize], limit: int = PAGE_LIMIT_BYTES) -> list[PageSize]:
    return [s for s in sizes if s.total_bytes > limit]


# --- bytes a browser transfers (also used by tests/site/test_bench_build.py) ------------------------------

CHROMIUM = "/usr/bin/chromium"


def transferred_bytes(html_dir: Path, pages: list[str], browser=None) -> dict[str, int]:
    """Bytes Chromium receives to show each page from an empty cache (its HTML and every file it loads).

    Served from ``html_dir`` on 127.0.0.1, each page in a fresh browser context at 1400x900, summed over
    the bodies of every response until the page has loaded and its scripts have run. ``browser``: a
    Playwright browser already running (the tests'); without one, Debian's Chromium is started for the call.
    """
    import contextlib
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=str(html_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    out = {}
    try:
        with contextlib.ExitStack() as stack:
            if browser is None:
                from playwright.sync_api import sync_playwright

                playwright = stack.enter_context(sync_playwright())
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                stack.callback(browser.close)
            for page_path in pages:
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                bodies: list[int] = []

                def count(response, seen=bodies) -> None:
                    try:
                        seen.append(len(response.body()))
                    except Exception:  # a redirect or an aborted request has no body
                        seen.append(0)

                page.on("response", count)
                page.goto(f"{url}/{page_path}", wait_until="load")
                page.wait_for_timeout(500)  # fonts and the charts' late requests
                out[page_path] = sum(bodies)
                context.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def print_transfer(html_dir: Path) -> dict[str, int]:
    """Per page: HTML bytes and bytes transferred from an empty cache."""
    pages = [s.page for s in page_sizes(html_dir) if s.page not in ("genindex.html", "search.html")]
    moved = transferred_bytes(html_dir, sorted(pages))
    print(f"{'page':<40}{'html':>10}{'transferred':>14}")
    for page in sorted(moved):
        print(f"{page:<40}{kb((html_dir / page).stat().st_size):>10}{kb(moved[page]):>14}")
    return moved


# --- running steps ----------------------------------------------------------------------------------

@dataclass
class Step:
    """One timed command."""

    label: str
    seconds: float
    returncode: int
    output: str


def kb(n: float) -> str:
    return f"{n / 1000:,.0f} KB"


class Bench:
    def __init__(self, workdir: Path, venv: Path) -> None:
        self.workdir = workdir
        self.venv = venv
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def env(self, root: Path) -> dict[str, str]:
        # PYTHONPATH before the editable install: the copy's `analysis` in every process, including the
        # kernels papermill, myst-nb and nbval start in notebooks/ (where the repo root is not on sys.path).
        return {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}

    def run(self, label: str, cmd: list[str], root: Path, extra_env: dict[str, str] | None = None) -> Step:
        self.count += 1
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=root, env={**self.env(root), **(extra_env or {})}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, check=False)
        step = Step(label, time.perf_counter() - start, proc.returncode, proc.stdout)
        log = self.logs / f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}.log"
        log.write_text(f"$ {' '.join(cmd)}\n(cwd {root})\n\n{proc.stdout}", encoding="utf-8")
        status = "ok" if proc.returncode == 0 else f"FAILED (rc {proc.returncode}, log {log})"
        print(f"  {label:<44} {step.seconds:7.1f} s  {status}", flush=True)
        if proc.returncode:
            print("    " + "\n    ".join(proc.stdout.strip().splitlines()[-15:]), flush=True)
        return step

    def copy_repo(self, name: str) -> Path:
        """The working tree without what a fresh checkout would not have; the virtualenv is linked."""
        target = self.workdir / name

        def ignore(folder: str, names: list[str]) -> set[str]:
            rel = Path(folder).relative_to(REPO)
            return {n for n in names if n in SKIP_NAMES or (rel / n).as_posix() in SKIP_PATHS}

        shutil.copytree(REPO, target, ignore=ignore, symlinks=True)
        (target / ".venv").symlink_to(self.venv)
        return target

    def check_imports(self, root: Path) -> None:
        where = subprocess.run([str(self.venv / "bin" / "python"), "-c", "import analysis; print(analysis.__file__)"],
                               cwd=root / "notebooks", env=self.env(root), capture_output=True, text=True, check=True)
        found = Path(where.stdout.strip())
        if not found.is_relative_to(root):
            raise SystemExit(f"the copy would import analysis from {found}, not from {root}")


def clean_build(root: Path) -> None:
    """Back to a fresh checkout's state: no _build, no vendored JavaScript, no chapter cache."""
    for folder in ("_build", "_static/vega", ".cache/chapters"):
        shutil.rmtree(root / folder, ignore_errors=True)


def make_baseline(root: Path) -> None:
    """Clear the notebooks' outputs and let Jupyter Book execute them (myst-nb, one at a time)."""
    import nbformat
    import yaml

    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nb.metadata.pop("report", None)
        nbformat.write(nb, path)
    config_path = root / "_config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    # timeout is an upper bound per notebook (the default 30 s is tight on a cold 2-core machine)
    config["execute"] = {**config.get("execute", {}), "execute_notebooks": "force", "timeout": 300}
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def executed_counts(output: str) -> str:
    match = re.search(r"(\d+) executed, (\d+) skipped, (\d+) failed", output)
    return match.group(0) if match else "no summary line"


def slowest_tests(output: str) -> list[str]:
    """The lines of pytest's ``--durations`` table."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if "slowest" in line and "durations" in line), None)
    if start is None:
        return []
    return [line for line in lines[start + 1:] if re.match(r"\s*\d+\.\d+s ", line)]


def pytest_summary(output: str) -> str:
    lines = [line.strip("= ") for line in output.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
    return lines[-1] if lines else "no pytest summary"


def identical_pages(a: Path, b: Path) -> tuple[int, list[str]]:
    pages = [s.page for s in page_sizes(a)]
    same = [p for p in pages if (b / p).is_file() and (a / p).read_bytes() == (b / p).read_bytes()]
    return len(same), sorted(set(pages) - set(same))


def status(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def load_note(cores: int) -> str:
    one, five, _ = os.getloadavg()
    busy = "  <- the machine was busy: timings are noisy" if one > 0.5 * cores else ""
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {cores} cores{busy}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    make_test_flag = parser.add_mutually_exclusive_group()
    make_test_flag.add_argument("--with-make-test", dest="make_test", action="store_true", default=True,
                                help="also time `make test` in the copy (the default; several minutes)")
    make_test_flag.add_argument("--no-make-test", dest="make_test", action="store_false", help="leave it out")
    parser.add_argument("--repeats", type=int, default=3,
                        help="times to run the nothing-changed `make report` (the median is compared to the target)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies and logs")
    parser.add_argument("--workdir", type=Path, default=None, help="where to put the copies (default: a temp dir)")
    parser.add_argument("--transfer-only", type=Path, default=None, metavar="HTML_DIR",
                        help="only print each page's HTML and transferred bytes for a built site, then stop")
    args = parser.parse_args()
    if args.transfer_only:
        print_transfer(args.transfer_only)
        return 0

    venv = Path(sys.prefix)
    python, jupyter_book = str(venv / "bin" / "python"), str(venv / "bin" / "jupyter-book")
    if not Path(jupyter_book).exists():
        raise SystemExit(f"run with the project's virtualenv: {jupyter_book} not found")
    cores = os.cpu_count() or 1
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-build-"))
    bench = Bench(workdir, venv)
    print(f"Build benchmark of {REPO} in {workdir} (Python {platform.python_version()}; {load_note(cores)})")
    try:
        repo = bench.copy_repo("repo")
        baseline = bench.copy_repo("baseline")  # same snapshot of the working tree
        bench.check_imports(repo)
        bench.check_imports(baseline)
        analysis = [python, "-m", "analysis"]
        make = ["make", "--no-print-directory", "-o", ".venv/.installed"]  # never reinstall into the shared venv
        # What `make report` runs: the notebooks and the Vega bundle at once (`make -j2 notebooks vendor`;
        # `run` validates the dataset first), then the book.
        def at_once(run_args: list[str]) -> list[str]:
            commands = [" ".join(map(shlex.quote, [*analysis, "run", *run_args])),
                        " ".join(map(shlex.quote, [*analysis, "vendor-js"]))]
            return ["bash", "-c", f"{commands[0]} & run=$!; {commands[1]} & vendor=$!; wait $run && wait $vendor"]

        book_steps = [("jupyter-book build", [jupyter_book, *BUILD_ARGS]), ("prune-site", [*analysis, "prune-site"])]
        steps = [(EXECUTE, at_once([])), *book_steps]

        print("\n(a) cold: empty _build, no vendored JavaScript, no chapter cache, every notebook executed")
        cold = [bench.run(label, at_once(["--force"]) if label == EXECUTE else cmd, repo) for label, cmd in steps]
        print("    the previous approach from the same empty state: validate, a fresh kernel per notebook without "
              "the chapter cache, then the bundle, one after another")
        clean_build(repo)
        previous = [bench.run("validate data", [*analysis, "validate"], repo),
                    bench.run("execute notebooks (--fresh-kernels)",
                              [*analysis, "run", "--force", "--fresh-kernels"], repo),
                    bench.run("vendor-js", [*analysis, "vendor-js"], repo),
                    *(bench.run(label, cmd, repo) for label, cmd in book_steps)]
        print(f"\n(b) nothing changed: the same steps again, then `make report` whole ({args.repeats}x)")
        warm = [bench.run(label, cmd, repo) for label, cmd in steps]
        reports = [bench.run(f"make report #{i + 1}", [*make, "report"], repo) for i in range(max(1, args.repeats))]
        html_dir = repo / "_build" / "html"
        sizes, shared = page_sizes(html_dir), shared_assets(html_dir)

        make_test = None
        if args.make_test:
            print("\n(c) make test")
            # pytest reports its slowest tests too; the timings are printed, never asserted
            make_test = bench.run("make test", [*make, "test"], repo, {"PYTEST_ADDOPTS": "--durations=8"})

        print("\n(w) a what-if report from the same data, warm kernels then fresh kernels")
        whatifs = []
        for label, extra in (("whatif (warm kernels)", []), ("whatif (--fresh-kernels)", ["--fresh-kernels"])):
            shutil.rmtree(repo / ".cache" / "chapters", ignore_errors=True)
            whatifs.append(bench.run(label, [*analysis, "whatif", "--out", str(workdir / "whatif"), *extra], repo))

        print("\n(e) baseline: outputs cleared, Jupyter Book executes the notebooks (execute_notebooks: force)")
        make_baseline(baseline)
        base = [bench.run("vendor-js", [*analysis, "vendor-js"], baseline),
                bench.run("jupyter-book build (executes)", [jupyter_book, *BUILD_ARGS], baseline)]
        same, differing = identical_pages(html_dir, baseline / "_build" / "html")

        # --- summary -------------------------------------------------------------------------------
        cold_s, warm_s, base_s = (sum(s.seconds for s in group) for group in (cold, warm, base))
        rebuild_s = median([r.seconds for r in reports])
        failed = [s for s in [*cold, *previous, *warm, *reports, *base, *whatifs] if s.returncode]
        cold_fresh_s = sum(s.seconds for s in previous)
        print("\n" + "=" * 100 + f"\nSUMMARY ({load_note(cores)})\n")
        print(f"{'step':<34}{'(a) cold':>12}{'(b) nothing changed':>22}{'(e) baseline':>16}")
        base_by_step = {EXECUTE: base[0], "jupyter-book build": base[1]}  # the baseline's row 1: vendor-js
        for c, w in zip(cold, warm, strict=True):
            b = base_by_step.get(c.label)
            cell = f"{b.seconds:.1f} s" if b else "-"
            print(f"{c.label:<34}{c.seconds:>10.1f} s{w.seconds:>20.1f} s{cell:>16}")
        print(f"{'total':<34}{cold_s:>10.1f} s{warm_s:>20.1f} s{base_s:>14.1f} s")
        runs = ", ".join(f"{r.seconds:.1f}" for r in reports)
        print(f"{'make report (whole), median':<34}{'':>12}{rebuild_s:>20.1f} s   (runs: {runs} s)")
        print(f"{'previous approach (cold)':<34}{cold_fresh_s:>10.1f} s   (" + ", ".join(
            f"{p.label} {p.seconds:.1f} s" for p in previous) + ")")
        print(f"\nnotebooks: cold {executed_counts(cold[0].output)}; nothing changed {executed_counts(warm[0].output)}"
              f" / make report {executed_counts(reports[-1].output)}")
        print(f"baseline pages byte-identical to the papermill build: {same} of {len(sizes)}"
              + (f" (differ: {', '.join(differing)})" if differing else ""))
        if cold[1].returncode and not warm[1].returncode:
            print("note: the cold book build failed with -W but the nothing-changed one passed: Sphinx only warns "
                  "while reading a document, and an incremental build does not re-read unchanged ones")
        if make_test:
            summary = pytest_summary(make_test.output)
            print(f"make test: {make_test.seconds:.1f} s, rc {make_test.returncode} ({summary}); slowest:")
            print("\n".join(f"    {line.strip()}" for line in slowest_tests(make_test.output)))
        else:
            print("make test: not run (--no-make-test)")

        print(f"\n(d) pages in _build/html (limit {kb(PAGE_LIMIT_BYTES)} each; HTML includes inline charts/tables)")
        print(f"{'page':<40}{'html':>10}{'gzip':>10}{'own files':>11}{'total':>10}")
        for s in sizes:
            flag = "  OVER LIMIT" if s.total_bytes > PAGE_LIMIT_BYTES else ""
            print(f"{s.page:<40}{kb(s.html_bytes):>10}{kb(s.html_gzip_bytes):>10}{kb(s.own_asset_bytes):>11}"
                  f"{kb(s.total_bytes):>10}{flag}")
        js_path = html_dir / SHARED_JS
        js_bytes = js_path.read_bytes() if js_path.exists() else b""
        print(f"{'shared JS ' + SHARED_JS:<40}{kb(len(js_bytes)):>10}{kb(len(gzip.compress(js_bytes, mtime=0))):>10}"
              "  (exempt: loaded by every page, cached once)")
        biggest = ", ".join(f"{f} {kb(n)}" for f, n in sorted(shared.items(), key=lambda x: -x[1])[:3])
        print(f"all shared assets the pages load: {len(shared)} files, {kb(sum(shared.values()))} (largest: {biggest})")

        print("\n(f) bytes a browser transfers per page from an empty cache (1400x900)")
        moved = print_transfer(html_dir)
        # The calculator draws its own chart (data-calculator): it loads the Vega bundle as chart pages do.
        # index.html only redirects to the intro (a meta refresh): what it transfers is the intro's, charts included.
        chartless = {p: n for p, n in moved.items()
                     if not any(marker in (html_dir / p).read_text().lower()
                                for marker in ('class="vega-chart"', "data-calculator", 'http-equiv="refresh"'))}

        over = oversized(sizes)
        largest = sizes[0] if sizes else None
        print("\nRATIOS, measured in this run")
        before = previous[1].seconds + previous[2].seconds
        print(f"  execute the notebooks and write the bundle: warm kernels, at once {cold[0].seconds:.1f} s / fresh "
              f"kernels, then the bundle {before:.1f} s = {cold[0].seconds / before:.2f}")
        print(f"  cold build: {cold_s:.1f} s; previous approach (fresh kernels) {cold_fresh_s:.1f} s; Jupyter Book "
              f"executing {base_s:.1f} s; ratios {cold_s / cold_fresh_s:.2f} and {cold_s / base_s:.2f}")
        print(f"  nothing-changed make report: {rebuild_s:.1f} s; against the cold build {rebuild_s / cold_s:.2f}, "
              f"against Jupyter Book {rebuild_s / base_s:.3f}")
        print(f"  what-if report: warm {whatifs[0].seconds:.1f} s / fresh kernels {whatifs[1].seconds:.1f} s = "
              f"{whatifs[0].seconds / whatifs[1].seconds:.2f}; against Jupyter Book {whatifs[0].seconds / base_s:.2f}")
        if make_test:
            print(f"  make test: {make_test.seconds:.1f} s; against Jupyter Book's build "
                  f"{make_test.seconds / base_s:.2f}")
        print("\nTARGETS (not asserted)")
        print(f"  nothing-changed rebuild (make report) <= {REBUILD_TARGET_S:.0f} s: median {rebuild_s:.1f} s "
              f"({rebuild_s / REBUILD_TARGET_S:.2f}x the target; the steps alone {warm_s:.1f} s)"
              f"  {status(rebuild_s <= REBUILD_TARGET_S)}")
        print(f"  cold build at most {COLD_TARGET_RATIO}x the baseline: {cold_s:.1f} s vs {base_s:.1f} s, ratio "
              f"{cold_s / base_s:.2f}  {status(cold_s <= COLD_TARGET_RATIO * base_s)}")
        print(f"  what-if report at most half of the {WHATIF_FILED_S:.0f} s it took when issue 16 was filed: "
              f"{whatifs[0].seconds:.1f} s ({whatifs[0].seconds / WHATIF_FILED_S:.2f}x)  "
              f"{status(whatifs[0].seconds <= WHATIF_FILED_S / 2)}")
        print(f"  (stricter) what-if report at most {WHATIF_TARGET_RATIO}x today's code on fresh kernels: ratio "
              f"{whatifs[0].seconds / whatifs[1].seconds:.2f}  "
              f"{status(whatifs[0].seconds <= WHATIF_TARGET_RATIO * whatifs[1].seconds)}")
        print(f"  no page over {kb(PAGE_LIMIT_BYTES)} except the shared JS: largest "
              f"{kb(largest.total_bytes) if largest else '-'} ({largest.page if largest else '-'}), "
              f"{len(over)} over  {status(not over and bool(sizes))}")
        heaviest = max(chartless.values(), default=0)
        print(f"  a page without charts transfers under {kb(CHARTLESS_TARGET_BYTES)}: heaviest {kb(heaviest)} "
              f"({heaviest / CHARTLESS_TARGET_BYTES:.2f}x the target)  {status(heaviest < CHARTLESS_TARGET_BYTES)}")
        print(f"  every build step succeeded: {status(not failed)}"
              + (f" ({', '.join(s.label for s in failed)} failed; logs in {bench.logs})" if failed else ""))
        return 0
    finally:
        if args.keep or args.workdir:
            print(f"\ncopies and logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
