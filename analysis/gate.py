"""The one gate before a report is built: the dataset's own rules, then what the report's chapters name.

``validate``, ``run`` (and so ``make report``) and ``whatif`` pass through :func:`check` before any notebook
runs; ``quote`` passes through the first half (:func:`analysis.loading.validate`), because it prices one
situation and needs only the rows that situation names.

The second half holds the dataset to the report:

* ``x-report-rows`` in the descriptor: the rows the chapters compare by name (the guide's scenarios, its
  GPUs and offers); a dataset without one cannot be reported on;
* each notebook's parameters (the defaults in its parameters cell, with any what-if overrides over them):
  every name must be a row of the dataset, a GPU the notebook buys needs a purchase price, a rental offer must
  rent the notebook's GPU (:func:`analysis.whatif.check_against_dataset`).
"""

from __future__ import annotations

import json
from pathlib import Path

from analysis import loading, paths
from analysis.loading import Problem

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
    return problems


def check(data_dir: Path, per_notebook: dict[Path, dict[str, object]] | None = None,
          ) -> tuple[list[Problem], list[str], loading.Dataset | None]:
    """Everything that stops a report before a notebook runs.

    Returns ``(problems, refused, dataset)``: the dataset's problems (file, line, column, value, rule), the
    notebooks' parameters the dataset cannot price (one line each), and the loaded dataset when it is valid.
    ``per_notebook`` gives each notebook's overrides (default: every report notebook with none).
    """
    from analysis import runner, whatif

    problems, _ = loading.validate(data_dir)
    if problems:
        return problems, [], None
    ds = loading.load(data_dir)
    problems = report_row_problems(ds)
    if per_notebook is None:
        per_notebook = {notebook: {} for notebook in runner.notebooks()}
    try:
        whatif.check_against_dataset(ds, per_notebook)
    except whatif.WhatIfError as exc:
        return problems, str(exc).splitlines(), ds
    return problems, [], ds
