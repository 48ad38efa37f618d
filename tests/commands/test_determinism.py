"""The committed notebooks are what executing them gives, whatever the CPU and whatever ran before them.

Every report notebook is executed with the report's own runner (papermill, forced) in one warm kernel, in
a shuffled order, with every numpy SIMD dispatch target this CPU supports turned off (``run-baseline/``,
``NPY_DISABLE_CPU_FEATURES`` from :func:`analysis.report.numerics.baseline_kernel_environment`), and must equal
the notebooks in ``notebooks/`` (the canonical, published run, made by ``make report``'s warm kernels)
byte for byte. Why the baseline kernels: numpy picks its kernels for ``log``, ``exp``, ``power`` and
friends from the CPU's features, and they may round the last bit differently, so a report executed on an
AVX-512 machine and checked on an AVX2 one failed strict nbval. Turning the kernels off here reproduces
that other machine. Why one warm kernel in a shuffled order: each notebook runs after others have left
their imports, caches and warnings behind, so the run agrees only if nothing of the kernel's history
(state that ``analysis.commands.runner.RESET_CODE`` does not reset) reaches an output.

The other half, a fresh kernel for each notebook on this CPU's own kernels, is strict nbval's run
(``make test`` runs ``--nbval notebooks``): it compares every output of every cell with the committed
notebook. ``tests/commands/test_runner.py`` checks that the runner writes the same bytes from a warm kernel and a
fresh one. So no notebook is executed twice for the same purpose.

Rendering is checked on a small book of two representative notebooks (03: tables and a bar chart; 09:
tables, glued facts, several charts) with the repository's ``_config.yml``: built cold, then rebuilt in a
copy over its own output by another Jupyter Book process, the two sites must be identical file for file.
(A second book from the executed notebooks would add nothing: they equal the committed ones byte for byte.)
"""

from __future__ import annotations

import difflib
import filecmp
import random
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import paths
from analysis.commands import runner, vendor
from analysis.report import numerics

# Executes notebooks (and builds books): tens of seconds, not the fast set's milliseconds.
pytestmark = pytest.mark.slow

ALL_NOTEBOOKS = tuple(p.name for p in runner.notebooks())
NOTEBOOKS = ("03_hardware_sizing.ipynb", "09_scenario_1.ipynb")  # rendered into the two small books
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
BUILD_ARGS = ("build", ".", "-W", "-n", "--keep-going")
# A root page of our own, so the small book does not depend on the rest of the table of contents.
ROOT_PAGE = "# Determinism check\n\n```{tableofcontents}\n```\n"
WARM_ORDER_SEED = 16  # the warm run's order of notebooks


def first_difference(a: bytes, b: bytes, names: tuple[str, str]) -> str:
    """The first lines of a unified diff between two text files."""
    diff = difflib.unified_diff(a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines(),
                                *names, lineterm="", n=1)
    return "\n".join(line[:200] for _, line in zip(range(30), diff, strict=False))


def tree_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory) -> Path:
    """Every notebook executed into ``run-baseline/``: one warm kernel, numpy's baseline kernels, the
    notebooks one after another in a shuffled order (:data:`WARM_ORDER_SEED`)."""
    sources = runner.notebooks()
    assert len(sources) == len(ALL_NOTEBOOKS) and set(NOTEBOOKS) <= set(ALL_NOTEBOOKS)
    shuffled = list(sources)
    random.Random(WARM_ORDER_SEED).shuffle(shuffled)
    assert shuffled != sources
    run_dir = tmp_path_factory.mktemp("executions") / "run-baseline"
    # The same arguments as `python -m analysis run`: no parameters, the repository's data/.
    outcomes = runner.run(runner.plan(shuffled, run_dir, {}, paths.DATA_DIR), force=True, max_workers=1,
                          log=lambda line: None, kernel_environment=numerics.baseline_kernel_environment())
    failed = [f"{o.job.target}: {o.error}" for o in outcomes if o.status != "executed"]
    assert not failed, "execution failed with numpy's baseline kernels:\n" + "\n".join(failed)
    return run_dir


def test_the_baseline_run_turns_off_every_dispatch_target_this_cpu_has():
    from numpy._core import _multiarray_umath as umath

    available = [t for t in umath.__cpu_dispatch__ if umath.__cpu_features__.get(t)]
    disabled = numerics.baseline_kernel_environment().get("NPY_DISABLE_CPU_FEATURES", "").split()
    assert disabled == available


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> Path:
    """A small book around the committed notebooks :data:`NOTEBOOKS`, built cold in its own folder."""
    site = tmp_path_factory.mktemp("sites") / "site-cold"
    (site / "notebooks").mkdir(parents=True)
    shutil.copy(paths.REPO_ROOT / "_config.yml", site / "_config.yml")
    shutil.copytree(paths.REPO_ROOT / "_ext", site / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "index.md").write_text(ROOT_PAGE, encoding="utf-8")
    chapters = "".join(f"  - file: notebooks/{Path(n).stem}\n" for n in NOTEBOOKS)
    (site / "_toc.yml").write_text(f"format: jb-book\nroot: index\nchapters:\n{chapters}", encoding="utf-8")
    for name in NOTEBOOKS:
        shutil.copy(paths.NOTEBOOKS_DIR / name, site / "notebooks" / name)
    shutil.copytree(paths.REPO_ROOT / "_static", site / "_static", ignore=shutil.ignore_patterns("*.tmp"))
    vendor.write_bundle(site / "_static" / "vega" / "vega-bundle.js")  # no-op when copied up to date
    build = subprocess.run([str(JUPYTER_BOOK), *BUILD_ARGS], cwd=site, capture_output=True, text=True, check=False)
    assert build.returncode == 0, f"jupyter-book build failed in {site}:\n{build.stdout[-3000:]}"
    return site


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_execution_reproduces_the_committed_notebook(baseline_run, name):
    committed_path = paths.NOTEBOOKS_DIR / name
    executed, committed = (baseline_run / name).read_bytes(), committed_path.read_bytes()
    if executed == committed:
        return
    stored = runner.stored_digest(committed_path)
    current = runner.inputs_digest(nbformat.read(committed_path, as_version=4), paths.DATA_DIR, {})
    why = ("its inputs changed since it was executed: run `make report`" if stored != current else
           "its inputs are unchanged, so an output depends on which numpy kernels ran (a value reaches an "
           "output without analysis.report.numerics rounding, or a decision sits on a last-bit difference), or on what "
           "ran before it in a warm kernel (state that analysis.commands.runner.RESET_CODE does not reset)")
    pytest.fail(f"notebooks/{name} is not what executing it gives; {why}:\n"
                + first_difference(committed, executed, ("notebooks/" + name, "run-baseline/" + name)))


def test_a_rebuild_gives_identical_html_file_for_file(small_book, tmp_path):
    # Rebuild a copy of the book (build folder included) in another process: a fresh environment (--all
    # rereads every source, with its own hash seed) writing over the previous output.
    rebuilt = shutil.copytree(small_book, tmp_path / "site-rebuilt", symlinks=True)
    build = subprocess.run([str(JUPYTER_BOOK), *BUILD_ARGS, "--all"], cwd=rebuilt, capture_output=True, text=True,
                           check=False)
    assert build.returncode == 0, build.stdout[-3000:]
    html_a, html_b = small_book / "_build" / "html", rebuilt / "_build" / "html"
    files_a, files_b = tree_files(html_a), tree_files(html_b)
    assert files_a == files_b, f"the rebuild holds different files: {set(files_a) ^ set(files_b)}"
    pages = [f for f in files_a if f.endswith(".html")]
    assert {f"notebooks/{Path(n).stem}.html" for n in NOTEBOOKS} <= set(pages)
    # Every file, not only the pages: searchindex.js and objects.inv are part of the published site.
    _, mismatch, errors = filecmp.cmpfiles(html_a, html_b, files_a, shallow=False)
    details = [first_difference((html_a / f).read_bytes(), (html_b / f).read_bytes(), (f"cold/{f}", f"rebuilt/{f}"))
               for f in mismatch[:3]]
    assert not mismatch and not errors, f"a rebuild changed {mismatch + errors}\n" + "\n".join(details)
    print(f"\n{len(files_a)} files ({len(pages)} pages) identical in a cold build and a rebuild")
