"""Every number at either end of its range: refused by the gate with file, line and column, or priced whole.

Issue 23 found schema-valid data breaking the build with internal errors (a 20,000B model, a bandwidth of 1e-300).
The ranges now end where physics does, and a dataset at the very end of one is either refused by the gate
(a rule across tables names the row) or reported on: every notebook's code runs without an error or a numpy
warning. Each dataset here is ``data/`` with one column (every row of it) or one assumption row set to one end of
its range, and the notebooks' code runs in this process (no kernel), the way a kernel would run it.

The full sweep is about 120 datasets (8 minutes): ``REPORT_RANGE_ENDS=all`` runs it. By default a sample runs,
one dataset of each kind that used to fail and was fixed or refused.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.commands import gate, runner
from analysis.data import limits, loading

pytestmark = pytest.mark.slow  # every notebook's code, per dataset

SAMPLE = ("gpus.memory_capacity=min", "benchmarks.gpu_count=min", "gpu_prices.usd_low=max",
          "api_prices.usd_per_m_output=min", "assumption.max_batch_sequences=min")


def variants() -> dict[str, tuple[str, str | None, str, float]]:
    """``label -> (file, assumption name or None, column, value)`` for both ends of every range."""
    found = {}
    for resource in loading.descriptor()["resources"]:
        if resource["name"] in ("guide_figures", "guide_claims", "assumptions"):
            continue  # the guide's record; assumptions below, row by row
        for field in resource["schema"]["fields"]:
            c = field.get("constraints", {})
            if field.get("type") in ("number", "integer") and "maximum" in c:
                low = c.get("minimum", c.get("exclusiveMinimum"))
                for end, value in (("min", low), ("max", c["maximum"])):
                    found[f"{resource['name']}.{field['name']}={end}"] = (resource["path"], None, field["name"], value)
    for name in limits.assumption_names():
        rule = limits.limit(name)
        for end, value in (("min", rule.minimum), ("max", rule.maximum)):
            found[f"assumption.{name}={end}"] = ("assumptions.csv", name, "value_low", value)
    return found


def _text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def at_range_end(data: Path, file: str, assumption: str | None, column: str, value: float) -> None:
    """Set one column (both ends of a low/high pair, so the pair stays ordered) or one assumption row."""
    frame = pd.read_csv(data / file, dtype=str, keep_default_na=False)
    text = _text(value)
    if assumption is not None:
        frame.loc[frame["name"] == assumption, ["value_low", "value_high"]] = text
    else:
        pair = [column] + [column.replace(a, b) for a, b in (("_low", "_high"), ("_high", "_low"))
                           if column.endswith(a) and column.replace(a, b) in frame.columns]
        for each in pair:
            frame.loc[frame[each] != "", each] = text
        # A model's active parameters stay within its total, whichever moved.
        total = pd.to_numeric(frame.get("params_total_b", pd.Series(dtype=str)))
        if column == "params_total_b":
            frame["params_active_b"] = [_text(min(float(a), value)) for a in frame["params_active_b"]]
        elif column == "params_active_b":
            frame["params_total_b"] = [_text(max(float(t), value)) for t in total]
    frame.to_csv(data / file, index=False, lineterminator="\n")


def notebook_code() -> dict[str, list[str]]:
    """Each report notebook's code cells, as IPython would run them."""
    from IPython.core.inputtransformer2 import TransformerManager

    transform = TransformerManager().transform_cell
    out = {}
    for notebook in runner.notebooks():
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        out[notebook.stem] = [transform("".join(c["source"])) for c in cells if c["cell_type"] == "code"]
    return out


def run_notebooks(data: Path) -> list[str]:
    """Every notebook's code on ``data`` in this process; the failures, one line each (none when it prices)."""
    failures = []
    for stem, cells in notebook_code().items():
        namespace = {"__name__": "__main__"}
        try:
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)
                exec(cells[0], namespace)  # the parameters cell (the report's own notebooks)
                namespace["data_dir"] = str(data)
                for code in cells[1:]:
                    exec(code, namespace)
        except Exception as exc:  # every failure is the finding, reported with its notebook
            failures.append(f"{stem}: {type(exc).__name__}: {exc}")
    return failures


CHOSEN = sorted(variants()) if os.environ.get("REPORT_RANGE_ENDS") == "all" else SAMPLE


@pytest.mark.parametrize("label", CHOSEN)
def test_a_dataset_at_a_range_end_is_refused_or_priced_whole(label, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    at_range_end(data, *variants()[label])
    problems, refused, _ = gate.check(data)
    if problems or refused:
        # Refused: each finding names its file, line and column (or a parameter), never an internal error.
        assert all(p.file.endswith(".csv") and p.column for p in problems), problems
        return
    assert run_notebooks(data) == []
