"""Execute the report notebooks with papermill: in parallel, incrementally, atomically, reproducibly.

* A notebook is re-executed only when one of its inputs changed since its stored run: its source
  cells, the dataset files, the ``analysis`` code, the pinned requirements or its parameters. The
  digest of those inputs is stored in the notebook's metadata.
* All or nothing: each notebook is executed into a staged file beside its target, and the targets are
  replaced only when every notebook of the run succeeded. One failing notebook leaves every previous
  version untouched, so the report is never half old, half new.
* Nothing left behind: the workers register with the command's :class:`analysis.commands.janitor.Janitor`, which
  kills them, their kernels and the staged files if the command is killed.
* Volatile metadata (papermill timings, execution timestamps, random cell ids) is stripped so that
  re-running on unchanged inputs leaves ``git status`` clean.
* Kernels are warm: each worker process starts one kernel and executes every notebook it is given in
  it, so pandas, numpy and Altair are imported once per worker instead of once per notebook. Before
  each notebook the kernel is put back as a fresh one would be (:data:`RESET_CODE`: empty namespace,
  execution counts from 1, the notebook's folder as working directory, the warning filters and
  registries as they were at start); ``fresh_kernels`` starts a kernel per notebook instead.
* Chapters are computed once per dataset: the kernels get the chapter cache's folder
  (:mod:`analysis.report.chapter_cache`), and the notebooks that read other chapters run last. With
  ``fresh_kernels`` the cache is off too: every notebook computes everything it shows, as before both.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import hashlib
import json
import multiprocessing.util
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from analysis import paths
from analysis.commands import janitor

KERNEL_NAME = "python3"
METADATA_KEY = "report"
_VOLATILE_CELL_METADATA = ("papermill", "execution", "collapsed", "scrolled")


@dataclass(frozen=True)
class Job:
    """One notebook to execute: where it comes from, where it goes, with which parameters."""

    source: Path
    target: Path
    parameters: dict
    data_dir: Path
    # Tag papermill's injected-parameters cell remove-cell (the what-if: its banner and provenance line
    # say the parameters in words).
    hide_parameters: bool = False


@dataclass(frozen=True)
class Outcome:
    """What happened to one job."""

    job: Job
    status: str  # "executed", "skipped", "failed", or "not written" (executed, but another notebook failed)
    seconds: float = 0.0
    error: str = ""


def _digest_files(digest: hashlib._Hash, root: Path, files: list[Path]) -> None:
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
        digest.update(b"\0")


def source_digest(nb: nbformat.NotebookNode) -> str:
    """Digest of the cells a person wrote (type, source, tags): outputs and metadata excluded."""
    cells = [{"type": c.cell_type, "source": c.source, "tags": sorted(c.metadata.get("tags", []))}
             for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    return hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()


def inputs_digest(nb: nbformat.NotebookNode, data_dir: Path, parameters: dict) -> str:
    """Digest of everything a notebook's outputs depend on."""
    digest = hashlib.sha256()
    digest.update(source_digest(nb).encode())
    digest.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    digest.update(paths.SCHEMA_FILE.read_bytes())
    _digest_files(digest, data_dir, paths.dataset_files(data_dir))
    code = paths.REPO_ROOT / "analysis"
    _digest_files(digest, code, sorted(p for p in code.rglob("*.py") if "__pycache__" not in p.parts))
    digest.update((paths.REPO_ROOT / "requirements.txt").read_bytes())
    return digest.hexdigest()


def stored_digest(target: Path) -> str | None:
    """The inputs digest recorded in an executed notebook, if any."""
    if not target.exists():
        return None
    try:
        nb = nbformat.read(target, as_version=4)
    except (OSError, ValueError):
        return None
    return nb.metadata.get(METADATA_KEY, {}).get("inputs_sha256")


def strip_volatile(nb: nbformat.NotebookNode, digest: str, hide_parameters: bool = False) -> nbformat.NotebookNode:
    """Remove run-specific metadata and give every cell a stable id; with ``hide_parameters``, tag the
    injected-parameters cell ``remove-cell`` so the book does not show it."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    nb.metadata[METADATA_KEY] = {"inputs_sha256": digest}
    for index, cell in enumerate(nb.cells):
        for key in _VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        tags = cell.metadata.get("tags", [])
        # papermill gives its injected cell a random id; every other id is rewritten the same way.
        cell["id"] = "injected-parameters" if "injected-parameters" in tags else f"cell-{index:02d}"
        if hide_parameters and "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    return nb


# Run in a warm kernel before each notebook (silently, outside the history). The warning filters go back
# to their start-up state and _filters_mutated() empties every module's warning registry, so a warning a
# previous notebook triggered is shown again; reset(new_session=True) empties the namespace and the
# history and counts executions from 1 again; the working directory is the notebook's folder.
SNAPSHOT_CODE = 'get_ipython()._report_warning_filters = list(__import__("warnings").filters)'
RESET_CODE = """\
__import__("os").chdir({cwd!r})
__import__("warnings").filters[:] = get_ipython()._report_warning_filters
__import__("warnings")._filters_mutated()
get_ipython().reset(new_session=True)
"""


def _run_rank(stem: str) -> int:
    """0 for the notebook the registry starts first (the longest, so that it does not finish alone), 2 for those
    it runs last (they read other chapters' results from the chapter cache), 1 for the rest."""
    from analysis.report import registry

    try:
        run = registry.of_notebook(stem).run
    except KeyError:
        return 1
    return {"first": 0, "last": 2}.get(run, 1)

# This worker process's kernel: its manager and a client for the reset code (see _warm_kernel).
_WARM: dict[str, object] = {}


def _kernel_run(code: str) -> None:
    """Execute code silently in the warm kernel; an error is raised here."""
    reply = _WARM["client"].execute_interactive(code, silent=True, store_history=False, timeout=60,
                                                output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"the warm kernel refused its reset: {reply['content'].get('evalue')}")


def _shutdown_warm_kernel() -> None:
    if not _WARM:
        return
    if _WARM.get("pid") != os.getpid():
        # Inherited through fork from a process that had started one: not ours to use or to stop.
        _WARM.clear()
        return
    from jupyter_core.utils import run_sync

    client, manager, sockets = _WARM.pop("client"), _WARM.pop("manager"), _WARM.pop("sockets")
    _WARM.clear()
    client.stop_channels()
    try:
        run_sync(manager.shutdown_kernel)(now=True)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


def _warm_kernel():
    """This worker's kernel, started on first use and shut down when the worker exits."""
    if _WARM.get("pid") != os.getpid():
        _shutdown_warm_kernel()  # forgets a kernel inherited through fork
    if not _WARM:
        from jupyter_client import BlockingKernelClient
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        # Unix sockets in a folder of its own, not TCP ports: a port chosen free can be taken by another
        # kernel starting at the same moment (the tests start many), and the kernel then never answers.
        sockets = tempfile.mkdtemp(prefix="report-kernel-")
        manager = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(sockets, "kernel"))
        run_sync(manager.start_kernel)()
        # A blocking client for the resets: it runs its own channel threads, so it does not share an
        # event loop with the clients papermill opens on the same kernel.
        client = BlockingKernelClient()
        client.load_connection_info(manager.get_connection_info())
        client.start_channels()
        client.wait_for_ready(timeout=60)
        _WARM.update(manager=manager, client=client, pid=os.getpid(), sockets=sockets)
        _kernel_run(SNAPSHOT_CODE)
        multiprocessing.util.Finalize(None, _shutdown_warm_kernel, exitpriority=10)
    return _WARM["manager"]


def _discard(path: Path) -> None:
    """Delete a staged file if it is there (unlinking a missing file fails too, on a read-only file system)."""
    if path.exists():
        path.unlink()


def staged_path(target: Path) -> Path:
    """Where a notebook is written before the run commits it: beside its target (one file system, so the
    commit is a rename), hidden, and named by this process so that two runs never share one."""
    return target.with_name(f".{target.stem}.running-{os.getpid()}.ipynb")


def _execute(job: Job, digest: str, fresh_kernel: bool = False, staged: Path | None = None) -> Outcome:
    """Run one notebook and write it, cleaned, to ``staged`` (default: straight to the target, atomically)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    job.target.parent.mkdir(parents=True, exist_ok=True)
    commit_now = staged is None
    tmp = staged_path(job.target) if commit_now else staged

    def execute() -> nbformat.NotebookNode:
        kernel = {}
        if not fresh_kernel:
            kernel["km"] = _warm_kernel()
            _kernel_run(RESET_CODE.format(cwd=str(job.source.parent)))
        # No output path: papermill would write the whole notebook at the start and the end of every cell
        # (about 0.3 s a notebook); the executed notebook is written once, below.
        return papermill.execute_notebook(str(job.source), None, parameters=job.parameters or None,
                                          kernel_name=KERNEL_NAME, cwd=str(job.source.parent),
                                          progress_bar=False, log_output=False, **kernel)

    try:
        try:
            executed = execute()
        except PapermillExecutionError:
            raise
        except Exception as first:  # the kernel, not the notebook: a start-up race, or a warm kernel that died
            _shutdown_warm_kernel()
            try:
                executed = execute()  # one retry in a new kernel; a second failure is reported below
            except PapermillExecutionError:
                raise
            except Exception as second:
                raise RuntimeError(f"the kernel failed twice: {type(first).__name__}: {first}; then "
                                   f"{type(second).__name__}: {second}") from second
        nb = strip_volatile(executed, digest, job.hide_parameters)
        nbformat.write(nb, tmp)
        if commit_now:
            os.replace(tmp, job.target)
    except PapermillExecutionError as exc:
        _discard(tmp)
        source_line = (exc.source or "").strip().splitlines()
        first = source_line[0] if source_line else ""
        message = (f"cell {exc.cell_index} (execution count {exc.exec_count}, starting '{first}') "
                   f"raised {exc.ename}: {exc.evalue}")
        return Outcome(job, "failed", time.perf_counter() - start, message)
    except Exception as exc:  # a kernel that dies or a notebook that cannot be read
        _discard(tmp)
        return Outcome(job, "failed", time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
    finally:
        if commit_now:
            _discard(tmp)
    return Outcome(job, "executed", time.perf_counter() - start)


def _start_worker(environment: dict[str, str]) -> None:
    """A worker's start: the variables its kernels need, and its entry with the command's janitor."""
    os.environ.update(environment)
    janitor.register_this_process()


def plan(sources: list[Path], out_dir: Path | None, parameters: dict,
         data_dir: Path) -> list[Job]:
    """Jobs for ``sources``: in place when ``out_dir`` is None, else into ``out_dir``."""
    return [Job(src, (out_dir / src.name) if out_dir else src, dict(parameters), data_dir) for src in sources]


def default_workers() -> int:
    """Kernels at once: one more than the cores. A kernel waits between cells (papermill's messages, the
    notebook's outputs) and the extra one fills those gaps: on 2 cores, with the chapter cache empty, the 15
    notebooks took 7.2-7.7 s with 3 kernels against 7.6-8.6 s with 2 (three runs each, alternating)."""
    return (os.cpu_count() or 1) + 1


def run(jobs: list[Job], force: bool = False, max_workers: int | None = None,
        log=print, kernel_environment: dict[str, str] | None = None, fresh_kernels: bool = False) -> list[Outcome]:
    """Execute the jobs whose inputs changed, up to ``max_workers`` at a time (default: one more than the
    cores, :func:`default_workers`).

    Each worker keeps one warm kernel for all the notebooks it executes, and the kernels read and fill the
    chapter cache; ``fresh_kernels`` starts a new kernel for each notebook and leaves the cache off (the
    previous behaviour, for debugging: nothing is carried from one notebook to the next).
    ``kernel_environment`` adds variables to the environment the kernels start in (the determinism
    test uses it to make numpy run its baseline kernels); this process's environment is left alone.
    """
    pending: list[tuple[Job, str]] = []
    outcomes: list[Outcome] = []
    # The longest notebook starts first; those that read other chapters go last, so the chapters they read
    # are in the cache by then.
    jobs = sorted(jobs, key=lambda job: _run_rank(job.source.stem))
    for job in jobs:
        digest = inputs_digest(nbformat.read(job.source, as_version=4), job.data_dir, job.parameters)
        if not force and stored_digest(job.target) == digest:
            log(f"skip  {job.target.name}: inputs unchanged since its stored run")
            outcomes.append(Outcome(job, "skipped"))
        else:
            pending.append((job, digest))
    if not pending:
        return outcomes
    workers = max(1, min(max_workers or default_workers(), len(pending)))
    log(f"executing {len(pending)} notebook(s), {workers} at a time")
    # Each run has its own pool, so variables set in its workers never reach another run's kernels.
    # An empty folder name turns the cache off, even when this process's environment names one.
    cache = "" if fresh_kernels else str(paths.CHAPTER_CACHE_DIR)
    environment = {paths.CHAPTER_CACHE_VARIABLE: cache, **(kernel_environment or {})}
    staged = {job.target: janitor.track(staged_path(job.target)) for job, _ in pending}
    executed: list[Outcome] = []
    try:
        with cf.ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                                    initargs=(environment,)) as pool:
            futures = {}
            for job, digest in pending:
                futures[pool.submit(_execute, job, digest, fresh_kernels, staged[job.target])] = job
                log(f"start {job.source.name}")
            left = len(futures)
            for future in cf.as_completed(futures):
                outcome = future.result()
                left -= 1
                word = "done " if outcome.status == "executed" else "FAIL "
                log(f"{word} {outcome.job.target.name} in {outcome.seconds:.1f} s ({left} left)")
                executed.append(outcome)
        failed = [o for o in executed if o.status == "failed"]
        if failed:
            # All or nothing: the notebooks that did execute are not written either.
            executed = [o if o.status == "failed" else dataclasses.replace(o, status="not written")
                        for o in executed]
        else:
            for outcome in executed:
                os.replace(staged[outcome.job.target], outcome.job.target)
    finally:
        for path in staged.values():
            _discard(path)
    outcomes += executed
    for o in failed:
        log(f"error in {o.job.source}: {o.error}")
    if failed:
        kept = sum(o.status == "not written" for o in outcomes)
        log(f"{len(failed)} notebook(s) failed: no notebook was written ({kept} that executed were discarded; "
            "every previous version is untouched)")
    return outcomes


def parameter_defaults(notebook: Path) -> dict[str, object]:
    """The values a notebook's parameters cell assigns (literals only, by the notebooks' own rule), read
    without a kernel or papermill."""
    import ast

    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            found = {}
            for node in ast.parse(source).body:
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                    found[node.target.id] = ast.literal_eval(node.value)
                elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    found[node.targets[0].id] = ast.literal_eval(node.value)
            return found
    return {}


def notebooks(names: list[str] | None = None) -> list[Path]:
    """The report notebooks, or the named ones (by file name or stem)."""
    found = sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if not names:
        return found
    by_name = {p.name: p for p in found} | {p.stem: p for p in found}
    missing = [n for n in names if n not in by_name]
    if missing:
        valid = ", ".join(p.stem for p in found)
        print(f"unknown notebook(s): {', '.join(missing)}; valid: {valid}", file=sys.stderr)
        raise SystemExit(2)
    return [by_name[n] for n in names]
