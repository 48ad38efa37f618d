"""Self-hosting against an API over many volumes, in three coherent cases, as tables for the chapters.

Every input with a low/high range is evaluated in three cases: ``favourable`` (each input at the end
that makes self-hosting cheaper), ``base`` (midpoints) and ``unfavourable``. The numbers come from the
one evaluation spine (:func:`analysis.evaluation.resolve.situation`, :func:`analysis.model.spine.evaluate`); this
module only lays them out as the tables the chapters and ``quote`` print.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import lookups, resolve
from analysis.model import spine


def assumption_cases_row(low: float, high: float, name: str, unit: str) -> np.ndarray:
    """One assumption's ``[favourable, base, unfavourable]`` values, counts rounded up to whole units."""
    values = spine.midpoint_cases(low, high, resolve.DIRECTION.get(name, 0))
    return np.ceil(values) if unit in spine.WHOLE_UNITS or unit == "GPUs" else values


def assumption_cases(ds: Dataset) -> dict[str, np.ndarray]:
    """Every row of ``assumptions.csv`` as its three case values (counts rounded up to whole units)."""
    return {row.name: assumption_cases_row(row.value_low, row.value_high, row.name, row.unit)
            for row in ds["assumptions"].itertuples()}


@dataclass(frozen=True)
class System:
    """One serving replica per case: GPUs (at the break-even's replica size) and its rate."""

    gpu_id: str
    model_id: str
    precision: str
    gpus: np.ndarray  # GPUs per replica, per case
    output_tokens_per_s: np.ndarray  # per replica, per case
    total_tokens_per_s: np.ndarray  # input + output, per replica, per case
    efficiency_class: str


def efficiency_cases(ds: Dataset, efficiency_class: str = "dense/" + resolve.DEFAULT_ENGINE_CLASS) -> np.ndarray:
    """``[favourable, base, unfavourable]`` engine efficiency of a class: its highest, median and lowest ratio."""
    low, base, high, _ = lookups.efficiency_range(ds, efficiency_class)
    return np.array([high, base, low])


def _system(sit: spine.Situation, values: dict[str, np.ndarray], gpus: np.ndarray) -> System:
    total = spine.replica_rate(sit, values, gpus)
    share = values[spine.OUTPUT_SHARE]
    return System(sit.gpu_id, sit.model_id, sit.precision, gpus, total * share, total, sit.efficiency_class)


def serving_system(ds: Dataset, gpu_id: str, model_id: str, precision: str,
                   output_share: float | None = None) -> System:
    """The smallest replica that holds the model with a busy batch, per case, and its rate."""
    sit = resolve.situation(lookups.record(ds), model_id, gpu_id, precision, None, output_share=output_share)
    values = spine.case_values(sit)
    return _system(sit, values, spine.smallest_replica(sit, values))


def api_usd_per_token(ds: Dataset, model_id: str, gpu_id: str, precision: str, api_offer_id: str,
                      output_share: float | None = None) -> float:
    """What the API charges per token in the base case (the spine's ``api_usd_per_token``), with the output
    share at its base or pinned at ``output_share``: ``((1 - s) x ((1 - c) x p_in + c x p_cached) + s x p_out)
    / 1e6`` USD."""
    sit = resolve.situation(lookups.record(ds), model_id, gpu_id, precision, api_offer_id, output_share=output_share)
    return float(resolve.cases(sit, [1.0]).outputs["api_usd_per_token"][1])


@dataclass(frozen=True)
class Comparison:
    """Self-hosting (buy or rent) against one API offer over a set of monthly volumes."""

    table: pd.DataFrame  # one row per volume and case
    breakeven: pd.DataFrame  # one row per case
    system: System
    situation: spine.Situation


def compare(ds: Dataset, model_id: str, gpu_id: str, precision: str, api_offer_id: str,
            tokens_per_month: np.ndarray, rental_offer_id: str | None = None, orient: bool = True,
            output_share: float | None = None, custom: resolve.Custom = resolve.NO_CUSTOM) -> Comparison:
    """Monthly cost of the API and of self-hosting by buying (and renting, if an offer is given), per case.

    ``orient`` decides the output share's direction for this API first; ``output_share`` pins it;
    ``custom`` lays the reader's own prices and ranges over the dataset's
    (:class:`analysis.evaluation.resolve.Custom`).
    """
    record = lookups.record(ds)
    sit = resolve.situation(record, model_id, gpu_id, precision, api_offer_id, rental_offer_id,
                            output_share=output_share, orient=orient, custom=custom)
    result = resolve.cases(sit, tokens_per_month)
    o = result.outputs
    n_volumes = result.tokens_per_month.size
    frames = {"case": np.repeat(np.array(spine.CASES)[:, None], n_volumes, axis=1)}
    for key in ("tokens_per_month", "api_usd_per_month", "gpus", "spare_gpus", "replicas", "gpus_per_replica",
                "engineers", "buy_usd_per_month", "buy_capex_usd", "buy_savings_usd_per_month", "buy_payback_months",
                "buy_payback_after_writeoff"):
        frames[key] = o[key]
    per_token = o["api_usd_per_token"]
    be = {"case": list(spine.CASES), "gpus_per_replica": o["buy_breakeven_gpus_per_replica"],
          "replica_tokens_per_month": o["buy_breakeven_replica_tokens_per_month"],
          "api_usd_per_m_tokens": per_token * 1e6,
          "buy_breakeven_tokens_per_month": o["buy_breakeven_tokens_per_month"],
          "buy_breakeven_api_usd_per_month": o["buy_breakeven_api_usd_per_month"],
          "buy_margin_ratio": o["buy_margin_ratio"]}
    for option in ("api", *sit.options):
        for line in spine.LINES[option]:
            frames[spine.line_key(option, line)] = o[spine.line_key(option, line)]
    if rental_offer_id is not None:
        for key in ("rent_gpus", "rent_usd_per_month", "rent_savings_usd_per_month"):
            frames[key] = o[key]
        be.update({"rent_gpus_per_replica": o["rent_breakeven_gpus_per_replica"],
                   "rent_breakeven_tokens_per_month": o["rent_breakeven_tokens_per_month"],
                   "rent_breakeven_api_usd_per_month": o["rent_breakeven_api_usd_per_month"],
                   "rent_margin_ratio": o["rent_margin_ratio"]})
    table = pd.DataFrame({k: np.asarray(v).ravel() for k, v in frames.items()})
    breakeven = pd.DataFrame(be)
    for option in sit.options:
        breakeven[f"{option}_fragile"] = result.fragile(record, option)
    smallest = spine.smallest_replica(sit, result.values)
    replica = np.where(np.isfinite(o["buy_breakeven_gpus_per_replica"]), o["buy_breakeven_gpus_per_replica"],
                       smallest)
    return Comparison(table=table, breakeven=breakeven, system=_system(sit, result.values, replica), situation=sit)
