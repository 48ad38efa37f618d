"""The committed notebooks are what executing them gives, on this CPU and with numpy's baseline kernels.

Every report notebook is executed twice with the report's own runner (papermill, forced): once as the
machine runs it, a fresh kernel for each notebook (``run-native/``), and once in one warm kernel, in a
shuffled order, with every numpy SIMD dispatch target this CPU supports turned off (``run-baseline/``,
``NPY_DISABLE_CPU_FEATURES`` from
:func:`analysis.numerics.baseline_kernel_environment`). Why the second run: numpy picks its kernels for
``log``, ``exp``, ``power`` and friends from the CPU's features, and they may round the last bit
differently, so a report executed on an AVX-512 machine and checked on an AVX2 one failed strict nbval.
Turning the kernels off here reproduces that other machine; reusing one kernel checks that the runner's
warm kernels (``analysis.runner``) leave nothing behind that reaches the next notebook. Both executions
must equal the notebooks in ``notebooks/`` (the canonical, published run) byte for byte.

Two representative notebooks (03: tables and a bar chart; 09: tables, glued facts, several charts) of
each execution are then rendered by Jupyter Book into their own small book, with the repository's
``_config.yml``, and the two sites must be identical file for file. About 60 s on 2 cores.
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

from analysis import numerics, paths, runner, vendor

# Executes notebooks (and builds books): minutes, not seconds.
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
def executions(tmp_path_factory) -> tuple[Path, Path]:
    """Every notebook executed into ``run-native/`` and again into ``run-baseline/``.

    The native run starts a fresh kernel for every notebook (the reference). The baseline run uses numpy's
    baseline kernels, and executes every notebook in one warm kernel, one after another in a shuffled order
    (:data:`WARM_ORDER_SEED`), so that each notebook runs after others have left their imports, caches and
    warnings behind: the two runs agree only if neither the CPU nor the kernel's history reaches an output.
    """
    sources = runner.notebooks()
    assert len(sources) == len(ALL_NOTEBOOKS) and set(NOTEBOOKS) <= set(ALL_NOTEBOOKS)
    shuffled = list(sources)
    random.Random(WARM_ORDER_SEED).shuffle(shuffled)
    assert shuffled != sources
    out = tmp_path_factory.mktemp("executions")
    dirs = (out / "run-native", out / "run-baseline")
    runs = ((sources, {}, 2, True), (shuffled, numerics.baseline_kernel_environment(), 1, False))
    for run_dir, (order, environment, workers, fresh) in zip(dirs, runs, strict=True):
        # The same arguments as `python -m analysis run`: no parameters, the repository's data/.
        outcomes = runner.run(runner.plan(order, run_dir, {}, paths.DATA_DIR), force=True, max_workers=workers,
                              log=lambda line: None, kernel_environment=environment, fresh_kernels=fresh)
        failed = [f"{o.job.target}: {o.error}" for o in outcomes if o.status != "executed"]
        assert not failed, f"execution failed with {environment or 'the native kernels'}:\n" + "\n".join(failed)
    return dirs


def test_the_baseline_run_turns_off_every_dispatch_target_this_cpu_has():
    from numpy._core import _multiarray_umath as umath

    available = [t for t in umath.__cpu_dispatch__ if umath.__cpu_features__.get(t)]
    disabled = numerics.baseline_kernel_environment().get("NPY_DISABLE_CPU_FEATURES", "").split()
    assert disabled == available


@pytest.fixture(scope="module")
def sites(executions, tmp_path_factory) -> tuple[Path, Path]:
    """A small book around each execution's notebooks, built cold in its own folder (both at once)."""
    root = tmp_path_factory.mktemp("sites")
    folders = []
    for run_dir in executions:
        site = root / f"site-{run_dir.name.removeprefix('run-')}"
        (site / "notebooks").mkdir(parents=True)
        shutil.copy(paths.REPO_ROOT / "_config.yml", site / "_config.yml")
        shutil.copytree(paths.REPO_ROOT / "_ext", site / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
        (site / "index.md").write_text(ROOT_PAGE, encoding="utf-8")
        chapters = "".join(f"  - file: notebooks/{Path(n).stem}\n" for n in NOTEBOOKS)
        (site / "_toc.yml").write_text(f"format: jb-book\nroot: index\nchapters:\n{chapters}", encoding="utf-8")
        for name in NOTEBOOKS:
            shutil.copy(run_dir / name, site / "notebooks" / name)
        shutil.copytree(paths.REPO_ROOT / "_static", site / "_static",
                        ignore=shutil.ignore_patterns("*.tmp"))
        vendor.write_bundle(site / "_static" / "vega" / "vega-bundle.js")  # no-op when copied up to date
        folders.append(site)
    builds = [subprocess.Popen([str(JUPYTER_BOOK), *BUILD_ARGS], cwd=site, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True) for site in folders]
    for site, build in zip(folders, builds, strict=True):
        log, _ = build.communicate(timeout=300)
        assert build.returncode == 0, f"jupyter-book build failed in {site}:\n{log[-3000:]}"
    return folders[0], folders[1]


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_fresh_native_and_warm_baseline_runs_give_identical_notebooks(executions, name):
    native, baseline = ((d / name).read_bytes() for d in executions)
    assert native == baseline, (
        "the notebook depends on which numpy kernels ran (a value reaches an output without "
        "analysis.numerics rounding, or a decision sits on a last-bit difference), or on what ran before it "
        "in a warm kernel (state that analysis.runner.RESET_CODE does not reset):\n"
        + first_difference(native, baseline, ("run-native/" + name, "run-baseline/" + name)))


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_execution_reproduces_the_committed_notebook(executions, name):
    committed_path = paths.NOTEBOOKS_DIR / name
    fresh, committed = (executions[0] / name).read_bytes(), committed_path.read_bytes()
    if fresh == committed:
        return
    stored = runner.stored_digest(committed_path)
    current = runner.inputs_digest(nbformat.read(committed_path, as_version=4), paths.DATA_DIR, {})
    why = ("its inputs changed since it was executed: run `make report`" if stored != current else
           "its inputs are unchanged, so an output depends on something outside the inputs digest")
    pytest.fail(f"notebooks/{name} is not what executing it gives; {why}:\n"
                + first_difference(committed, fresh, ("notebooks/" + name, "executed/" + name)))


def test_two_builds_give_identical_html(sites):
    html_a, html_b = (s / "_build" / "html" for s in sites)
    files_a, files_b = tree_files(html_a), tree_files(html_b)
    assert files_a == files_b, f"the two sites hold different files: {set(files_a) ^ set(files_b)}"
    pages = [f for f in files_a if f.endswith(".html")]
    assert {f"notebooks/{Path(n).stem}.html" for n in NOTEBOOKS} <= set(pages)
    # Every file, not only the pages: searchindex.js and objects.inv are part of the published site.
    _, mismatch, errors = filecmp.cmpfiles(html_a, html_b, files_a, shallow=False)
    details = [first_difference((html_a / f).read_bytes(), (html_b / f).read_bytes(), (f"a/{f}", f"b/{f}"))
               for f in mismatch[:3]]
    assert not mismatch and not errors, f"files differ between two builds: {mismatch + errors}\n" + "\n".join(details)
    print(f"\n{len(files_a)} files ({len(pages)} pages) identical across two executions and builds")


def test_a_rebuild_over_an_existing_build_gives_the_same_html(sites, tmp_path):
    # Rebuild a copy of site a (build folder included), so the other test's sites stay as built.
    rebuilt = shutil.copytree(sites[0], tmp_path / "site-rebuilt", symlinks=True)
    build = subprocess.run([str(JUPYTER_BOOK), *BUILD_ARGS, "--all"], cwd=rebuilt, capture_output=True, text=True,
                           check=False)
    assert build.returncode == 0, build.stdout[-3000:]
    html_a, html_b = rebuilt / "_build" / "html", sites[1] / "_build" / "html"
    _, mismatch, errors = filecmp.cmpfiles(html_a, html_b, tree_files(html_b), shallow=False)
    details = [first_difference((html_b / f).read_bytes(), (html_a / f).read_bytes(), (f"cold/{f}", f"rebuilt/{f}"))
               for f in mismatch[:1]]
    assert not mismatch and not errors, f"a rebuild changed {mismatch + errors}\n" + "\n".join(details)
