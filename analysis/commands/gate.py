"""The one gate before a report is built: the dataset's own rules, the model's, then what the chapters name.

``validate``, ``run`` (and so ``make report``) and ``whatif`` pass through :func:`check` before any notebook
runs; ``quote`` passes through the first two (:func:`analysis.data.loading.validate`, then :func:`model_problems`),
because it prices one situation and needs only the rows that situation names.

The model's rules are physical facts across tables that no column's range can state:

* every GPU keeps some memory for weights once the engine has taken its share and its runtime overhead at the
  tight end of ``assumptions.csv`` (else no model fits on it, whatever its size);
* a request (``tokens_per_request``) fits in the context held for one sequence (``context_tokens``), for which
  every replica is sized (else no replica serves it);
* every benchmark's system can hold its model and one request under the model's deployment rules (else its
  deployed rate is zero and it calibrates nothing: a measured rate over a zero rate is no efficiency).

The last part holds the dataset to the report:

* ``x-report-rows`` in the descriptor: the rows the chapters compare by name (the guide's scenarios, its
  GPUs and offers); a dataset without one cannot be reported on, nor one that retires an offer they name;
* each notebook's parameters (the defaults in its parameters cell, with any what-if overrides over them):
  every name must be a row of the dataset, a GPU the notebook buys needs a purchase price, a rental offer must
  rent the notebook's GPU (:func:`analysis.commands.whatif.check_against_dataset`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from analysis import paths
from analysis.data import loading
from analysis.data.loading import Problem

# The key column of each table the report names rows of.
KEYS = {"models": "model_id", "gpus": "gpu_id", "precisions": "precision", "api_prices": "offer_id",
        "gpu_rentals": "offer_id", "gpu_prices": "gpu_id"}


def report_rows() -> dict[str, list[str]]:
    """The rows the report's chapters name, by table (``x-report-rows`` of the descriptor)."""
    return json.loads(paths.SCHEMA_FILE.read_text(encoding="utf-8"))["x-report-rows"]


def report_row_problems(ds: loading.Dataset) -> list[Problem]:
    """A problem for each row the chapters name that the dataset lacks."""
    files = {r["name"]: r["path"] for r in loading.descriptor()["resources"]}
    problems = []
    for table, keys in report_rows().items():
        present = set(ds[table][KEYS[table]])
        name = loading.display_name(ds.data_dir, files[table])
        problems += [Problem(name, None, KEYS[table], key,
                             "is missing: the report's chapters name this row (datapackage.json, x-report-rows)")
                     for key in keys if key not in present]
    # A retired offer is history: no chapter, answer card or calculator default may price against it.
    offers = ds["api_prices"]
    if "retired_on" in offers.columns:
        name = loading.display_name(ds.data_dir, files["api_prices"])
        named = offers[offers["offer_id"].isin(report_rows().get("api_prices", [])) & offers["retired_on"].notna()]
        problems += [Problem(name, int(line), "retired_on", row["retired_on"].isoformat(),
                             f"retires {row['offer_id']}, which the report's chapters name (datapackage.json, "
                             f"x-report-rows): name an offer still sold ({row['replaced_by']})")
                     for line, row in named.iterrows()]
    return problems


def model_problems(ds: loading.Dataset) -> list[Problem]:
    """The model's physical rules across tables (see the module docstring), one problem per row that breaks one."""
    from analysis.evaluation import lookups
    from analysis.model import sizing

    files = {r["name"]: r["path"] for r in loading.descriptor()["resources"]}
    problems = []
    utilization, _ = lookups.assumption(ds, "gpu_memory_utilization")
    _, overhead = lookups.assumption(ds, "runtime_overhead_gb_per_gpu")
    gpus = ds["gpus"]
    usable = sizing.usable_gb_per_gpu(gpus["memory_gb"].to_numpy(), utilization, overhead)
    for (line, row), left in zip(gpus.iterrows(), usable, strict=True):
        if not left > 0:
            problems.append(Problem(
                loading.display_name(ds.data_dir, files["gpus"]), int(line), "memory_capacity",
                loading.number_text(row["memory_capacity"]),
                f"leaves no memory for a model: {row['memory_gb']:.3g} GB x gpu_memory_utilization {utilization:g} "
                f"- runtime_overhead_gb_per_gpu {overhead:g} GB (assumptions.csv, tight ends) is {left:.3g} GB"))
    # A request is held in one sequence's context: replicas are sized for context_tokens per sequence, so a longer
    # request fits in none of them.
    rows = ds["assumptions"].set_index("name")
    context, request = rows.loc["context_tokens"], rows.loc["tokens_per_request"]
    if request["value_high"] > context["value_low"]:
        line = int(ds["assumptions"].index[ds["assumptions"]["name"] == "tokens_per_request"][0])
        context_line = int(ds["assumptions"].index[ds["assumptions"]["name"] == "context_tokens"][0])
        problems.append(Problem(
            loading.display_name(ds.data_dir, files["assumptions"]), line, "value_high",
            loading.number_text(request["value_high"]),
            f"is above context_tokens' value_low = {loading.number_text(context['value_low'])} (line {context_line}): "
            "a request must fit the context held for one sequence"))
    if problems:
        return problems  # the calibration below would only repeat them
    calibration = lookups.calibration(ds)
    bench = ds["benchmarks"]
    for (line, row), deployed in zip(bench.iterrows(), calibration["deployed_output_tokens_per_s"], strict=True):
        if not (np.isfinite(deployed) and deployed > 0):
            problems.append(Problem(
                loading.display_name(ds.data_dir, files["benchmarks"]), int(line), "gpu_count", str(row["gpu_count"]),
                f"cannot hold {row['model_id']} at {row['precision']} and one request on {row['gpu_count']} x "
                f"{row['gpu_id']} under the model's deployment rules (usable memory, KV bytes per value): its "
                "deployed rate is zero, so the benchmark calibrates nothing"))
    return problems


def check(data_dir: Path, per_notebook: dict[Path, dict[str, object]] | None = None,
          origins: dict[str, str] | None = None) -> tuple[list[Problem], list[str], loading.Dataset | None]:
    """Everything that stops a report before a notebook runs.

    Returns ``(problems, refused, dataset)``: the dataset's problems (file, line, column, value, rule), the
    notebooks' parameters the dataset cannot price (one line each), and the loaded dataset when it is valid.
    ``per_notebook`` gives each notebook's overrides (default: every report notebook with none), ``origins``
    where each override came from (``-p gpu``, ``params.yaml: gpu``), for the messages.
    """
    from analysis.commands import runner, whatif

    problems, _ = loading.validate(data_dir)
    if problems:
        return problems, [], None
    ds = loading.load(data_dir)
    problems = model_problems(ds)
    if problems:
        return problems, [], None
    problems = report_row_problems(ds)
    if per_notebook is None:
        per_notebook = {notebook: {} for notebook in runner.notebooks()}
    try:
        whatif.check_against_dataset(ds, per_notebook, origins)
    except whatif.WhatIfError as exc:
        return problems, str(exc).splitlines(), ds
    return problems, [], ds
