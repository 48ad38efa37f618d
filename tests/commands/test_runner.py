"""The papermill runner: skips unchanged notebooks, writes atomically, strips volatile metadata."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from analysis import paths
from analysis.commands import cli as cli
from analysis.commands import runner


def make_notebook(path: Path, body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("value = 2  # a parameter")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_strip_volatile_metadata_and_ids():
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": "2026-11-27T10:00:00", "duration": 1.5}
    cell = nbformat.v4.new_code_cell("1")
    cell.metadata.update({"papermill": {"duration": 0.1}, "execution": {"iopub.status.busy": "t"}, "tags": ["x"]})
    injected = nbformat.v4.new_code_cell("value = 3")
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells = [cell, injected]
    out = runner.strip_volatile(nb, "abc")
    assert "papermill" not in out.metadata
    assert out.metadata["report"] == {"inputs_sha256": "abc"}
    assert out.cells[0].metadata == {"tags": ["x"]}
    assert [c["id"] for c in out.cells] == ["cell-00", "injected-parameters"]
    assert out.cells[1].metadata["tags"] == ["injected-parameters"]  # shown unless asked
    hidden = runner.strip_volatile(out, "abc", hide_parameters=True)
    assert [c.metadata["tags"] for c in hidden.cells] == [["x"], ["injected-parameters", "remove-cell"]]


def test_digest_ignores_outputs_but_not_sources(tmp_path):
    nb = nbformat.read(make_notebook(tmp_path / "a.ipynb", "value * 2"), as_version=4)
    before = runner.inputs_digest(nb, paths.DATA_DIR, {})
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "4"}, execution_count=1)]
    assert runner.inputs_digest(nb, paths.DATA_DIR, {}) == before
    assert runner.inputs_digest(nb, paths.DATA_DIR, {"value": 5}) != before
    nb.cells[1].source = "value * 3"
    assert runner.inputs_digest(nb, paths.DATA_DIR, {}) != before


@pytest.mark.slow  # starts kernels
def test_runs_in_parallel_then_skips_unchanged(tmp_path):
    sources = [make_notebook(tmp_path / "01_a.ipynb", "value * 2"), make_notebook(tmp_path / "02_b.ipynb", "value + 1")]
    log: list[str] = []
    jobs = runner.plan(sources, None, {}, paths.DATA_DIR)
    first = runner.run(jobs, max_workers=2, log=log.append)
    assert sorted(o.status for o in first) == ["executed", "executed"], [o.error for o in first]
    assert "executing 2 notebook(s), 2 at a time" in log
    executed = nbformat.read(sources[0], as_version=4)
    assert executed.cells[1].outputs[0]["data"]["text/plain"] == "4"
    again = runner.run(jobs, log=log.append)
    assert [o.status for o in again] == ["skipped", "skipped"]
    assert "skip  01_a.ipynb: inputs unchanged since its stored run" in log
    forced = runner.run(jobs[:1], force=True, log=log.append)
    assert [o.status for o in forced] == ["executed"]


@pytest.mark.slow  # starts kernels
def test_failure_keeps_the_previous_version_and_names_the_cell(tmp_path):
    source = make_notebook(tmp_path / "01_bad.ipynb", "value / 0")
    target = tmp_path / "out" / "01_bad.ipynb"
    target.parent.mkdir()
    target.write_text("previous version", encoding="utf-8")
    log: list[str] = []
    [outcome] = runner.run(runner.plan([source], tmp_path / "out", {}, paths.DATA_DIR), log=log.append)
    assert outcome.status == "failed"
    assert outcome.error.startswith("cell 1 (execution count 2, starting 'value / 0') raised ZeroDivisionError")
    assert target.read_text(encoding="utf-8") == "previous version"
    assert list(target.parent.iterdir()) == [target]
    assert any(line.startswith("FAIL  01_bad.ipynb") for line in log)


@pytest.mark.slow  # starts kernels
def test_one_failing_notebook_writes_none_of_the_run(tmp_path):
    # All or nothing: the notebook that executed is not written either, so the report is never half old, half new.
    good = make_notebook(tmp_path / "01_good.ipynb", "value * 2")
    bad = make_notebook(tmp_path / "02_bad.ipynb", "value / 0")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("01_good.ipynb", "02_bad.ipynb"):
        (out / name).write_text("previous version", encoding="utf-8")
    log: list[str] = []
    outcomes = runner.run(runner.plan([good, bad], out, {}, paths.DATA_DIR), max_workers=2, log=log.append)
    assert sorted((o.job.source.name, o.status) for o in outcomes) == [("01_good.ipynb", "not written"),
                                                                     ("02_bad.ipynb", "failed")]
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == {
        "01_good.ipynb": "previous version", "02_bad.ipynb": "previous version"}  # and no staged file left
    assert log[-1] == ("1 notebook(s) failed: no notebook was written (1 that executed were discarded; every "
                       "previous version is untouched)")
    # Once the failure is fixed, both are written.
    make_notebook(bad, "value - 1")
    assert {o.status for o in runner.run(runner.plan([good, bad], out, {}, paths.DATA_DIR), log=log.append)} == {
        "executed"}
    assert all(p.read_text(encoding="utf-8") != "previous version" for p in out.iterdir())


def test_run_command_stops_before_any_notebook_on_invalid_data(data_copy, monkeypatch, capsys):
    (data_copy / "gpus.csv").unlink()
    monkeypatch.setattr(paths, "DATA_DIR", data_copy)

    def must_not_run(*args, **kwargs):
        raise AssertionError("a notebook was run on invalid data")

    monkeypatch.setattr(runner, "run", must_not_run)
    assert cli.main(["run"]) == 1
    assert f"{data_copy}/gpus.csv: file is missing" in capsys.readouterr().err


def test_unknown_notebook_name_lists_the_valid_ones(capsys):
    with pytest.raises(SystemExit):
        runner.notebooks(["99_nothing"])
    valid = ", ".join(p.stem for p in sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")))
    assert f"unknown notebook(s): 99_nothing; valid: {valid}" in capsys.readouterr().err
    assert "03_hardware_sizing" in valid


def test_a_kernel_failure_is_retried_once_but_a_cell_error_is_not(tmp_path, monkeypatch):
    # papermill is replaced, and fresh_kernel skips the warm kernel: no kernel starts, only the retry rule runs.
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = make_notebook(tmp_path / "k.ipynb", "value * 2")
    calls = []

    def flaky(source_path, target_path, **kwargs):
        calls.append(source_path)
        if len(calls) == 1:
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        return nbformat.read(source_path, as_version=4)  # papermill returns the executed notebook

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    job = runner.Job(source, tmp_path / "out" / "k.ipynb", {}, paths.DATA_DIR)
    outcome = runner._execute(job, "d", fresh_kernel=True)
    assert outcome.status == "executed" and len(calls) == 2, outcome.error
    assert job.target.exists()

    def broken(source_path, target_path, **kwargs):
        calls.append(source_path)
        raise PapermillExecutionError(1, 2, "1/0", "ZeroDivisionError", "division by zero", [])

    def dead(source_path, target_path, **kwargs):
        calls.append(source_path)
        raise RuntimeError(f"Kernel died before replying ({len(calls)})")

    calls.clear()
    monkeypatch.setattr(papermill, "execute_notebook", dead)
    outcome = runner._execute(job, "d", fresh_kernel=True)
    assert outcome.status == "failed" and len(calls) == 2
    assert outcome.error == ("RuntimeError: the kernel failed twice: RuntimeError: Kernel died before replying (1); "
                             "then RuntimeError: Kernel died before replying (2)")

    calls.clear()
    monkeypatch.setattr(papermill, "execute_notebook", broken)
    outcome = runner._execute(job, "d", fresh_kernel=True)
    assert outcome.status == "failed" and len(calls) == 1
    assert "raised ZeroDivisionError: division by zero" in outcome.error


@pytest.mark.slow  # starts kernels
def test_kernel_environment_reaches_the_kernels_and_only_that_run(tmp_path, monkeypatch):
    # The second run uses fresh kernels, the previous approach: the chapter cache is off (an empty folder name)
    # even though this process's environment names one.
    monkeypatch.delenv("REPORT_PROBE", raising=False)
    monkeypatch.setenv(paths.CHAPTER_CACHE_VARIABLE, "/somewhere/else")
    # Printed as JSON, not shown as a tuple: IPython wraps a long tuple's text over lines, and the cache folder's
    # path is as long as the checkout's (a clone in a long folder failed here).
    body = ("import json, os; print(json.dumps([os.environ.get('REPORT_PROBE', 'unset'), "
            "os.environ.get('REPORT_CHAPTER_CACHE')]))")
    source = make_notebook(tmp_path / "01_env.ipynb", body)
    first = runner.plan([source], tmp_path / "with", {}, paths.DATA_DIR)
    second = runner.plan([source], tmp_path / "without", {}, paths.DATA_DIR)
    assert runner.run(first, log=lambda _: None, kernel_environment={"REPORT_PROBE": "set"})[0].status == "executed"
    assert runner.run(second, log=lambda _: None, fresh_kernels=True)[0].status == "executed"
    shown = [json.loads(nbformat.read(job.target, as_version=4).cells[1].outputs[0]["text"])
             for job in (*first, *second)]
    assert shown == [["set", str(paths.CHAPTER_CACHE_DIR)], ["unset", ""]]
    assert "REPORT_PROBE" not in __import__("os").environ


@pytest.mark.slow  # starts kernels
def test_a_warm_kernel_forgets_the_previous_notebook(tmp_path):
    # One warm kernel runs the leaky notebook first, then the probe: the probe must come out exactly as it
    # does in a kernel of its own (no variable left over, counts from 1, its own folder, the warning again).
    (tmp_path / "a").mkdir()
    leaky = make_notebook(tmp_path / "a" / "01_leaky.ipynb",
                          "import os, warnings\nleftover = 1\nos.chdir('/')\nwarnings.warn('shown once per process')")
    probe_body = ("import os, warnings\nwarnings.warn('shown once per process')\n"
                  "('leftover' in dir(), os.getcwd() == os.path.dirname(os.path.abspath('02_probe.ipynb')))")
    (tmp_path / "b").mkdir()
    probe = make_notebook(tmp_path / "b" / "02_probe.ipynb", probe_body)
    warm = runner.run(runner.plan([leaky, probe], tmp_path / "warm", {}, paths.DATA_DIR), max_workers=1,
                      log=lambda _: None)
    fresh = runner.run(runner.plan([probe], tmp_path / "fresh", {}, paths.DATA_DIR), max_workers=1,
                       log=lambda _: None, fresh_kernels=True)
    assert [o.status for o in warm + fresh] == ["executed"] * 3
    # A warning names the kernel's temporary file, which holds its process id: two fresh kernels differ there too.
    warm_probe, fresh_probe = (re.sub(rb"ipykernel_\d+", b"ipykernel_PID",
                                      (tmp_path / run / "02_probe.ipynb").read_bytes()) for run in ("warm", "fresh"))
    assert warm_probe == fresh_probe
    cell = nbformat.reads(warm_probe.decode(), as_version=4).cells[1]
    assert cell.execution_count == 2  # the parameters cell is 1, as in a new kernel
    assert [o.get("name") for o in cell.outputs] == ["stderr", None]  # the warning is shown again
    assert cell.outputs[1]["data"]["text/plain"] == "(False, True)"
