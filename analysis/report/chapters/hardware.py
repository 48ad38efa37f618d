"""Hardware sizing (the guide's GPU requirements by model size): as printed, recomputed from the guide's own
inputs, and from first principles (memory from parameters x bytes plus the KV cache, whole GPUs).

The model functions in :mod:`analysis.model.sizing` do the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import lookups, verdicts
from analysis.model import sizing
from analysis.report import chapter_cache, exhibits
from analysis.report import formatting as fmt
from analysis.report.chapters.common import Chapter

SIZING_SECTION = "hardware_sizing"
SIZING_TABLE = "GPU Requirements by Model Size"
PRINTED_COLUMNS = ["Parameters", "Minimum VRAM", "Recommended Setup", "Approximate GPU Cost"]


@dataclass(frozen=True)
class SizingInputs:
    """The sizing assumptions, each as a (low-need, high-need) pair."""

    context_tokens: tuple[float, float]
    concurrent_sequences: tuple[float, float]
    kv_bytes_per_value: tuple[float, float]
    memory_utilization: tuple[float, float]
    runtime_overhead_gb: tuple[float, float]

    @classmethod
    def from_dataset(cls, ds: Dataset, **overrides: float | None) -> SizingInputs:
        """Read ``assumptions.csv``; a non-None override sets both ends of that assumption."""
        names = {"context_tokens": "context_tokens", "concurrent_sequences": "concurrent_sequences",
                 "kv_bytes_per_value": "kv_bytes_per_value",
                 "memory_utilization": "gpu_memory_utilization",
                 "runtime_overhead_gb": "runtime_overhead_gb_per_gpu"}
        values = {}
        for attr, row in names.items():
            override = overrides.get(attr)
            values[attr] = (float(override), float(override)) if override is not None else lookups.assumption(ds, row)
        unknown = set(overrides) - set(names)
        if unknown:
            raise ValueError(f"unknown sizing override(s): {', '.join(sorted(unknown))}")
        return cls(**values)


def memory_requirements(ds: Dataset, inputs: SizingInputs) -> pd.DataFrame:
    """Weights and KV cache for every model at every precision, low and high.

    Low uses the lighter end of each input (fewer stored bits, shorter context, fewer sequences);
    high the heavier end.
    """
    models = ds["models"].reset_index(drop=True)
    precisions = ds["precisions"].reset_index(drop=True)
    grid = models.merge(precisions, how="cross")
    kv_per_token = sizing.kv_bytes_per_token(grid["n_layers"], grid["n_kv_heads"], grid["head_dim"],
                                             inputs.kv_bytes_per_value[0],
                                             grid["kv_values_per_token"].to_numpy(dtype=float))
    out = grid[["model_id", "model_name", "guide_model", "architecture", "params_total_b",
                "params_active_b", "precision", "bits_nominal"]].copy()
    out["weights_gb_low"] = sizing.weights_gb(grid["params_total_b"], grid["bits_per_param_low"])
    out["weights_gb_high"] = sizing.weights_gb(grid["params_total_b"], grid["bits_per_param_high"])
    out["kv_bytes_per_token"] = kv_per_token
    out["kv_gb_low"] = sizing.kv_cache_gb(kv_per_token, inputs.context_tokens[0], inputs.concurrent_sequences[0])
    out["kv_gb_high"] = sizing.kv_cache_gb(kv_per_token, inputs.context_tokens[1], inputs.concurrent_sequences[1])
    out["required_gb_low"] = out["weights_gb_low"] + out["kv_gb_low"]
    out["required_gb_high"] = out["weights_gb_high"] + out["kv_gb_high"]
    return out


def gpu_requirements(ds: Dataset, inputs: SizingInputs) -> pd.DataFrame:
    """Whole GPUs of every type for every model and precision, with the purchase price of that many.

    ``min_gpus = ceil(required_gb / usable_gb_per_gpu)``; ``deployable_gpus`` rounds to 1, 2, 4, 8 or
    whole 8-GPU nodes; the price is ``deployable_gpus x usd per GPU`` (NaN where no price is listed).
    """
    need = memory_requirements(ds, inputs)
    gpus = ds["gpus"].reset_index(drop=True)[["gpu_id", "gpu_name", "memory_gb"]]
    prices = lookups.purchase_prices(ds)[["gpu_id", "condition", "usd_low", "usd_high"]]
    grid = need.merge(gpus, how="cross").merge(prices, on="gpu_id", how="left")
    # The low case pairs the lightest need with the most generous memory share and smallest overhead.
    usable_low_need = sizing.usable_gb_per_gpu(grid["memory_gb"], inputs.memory_utilization[1],
                                               inputs.runtime_overhead_gb[0])
    usable_high_need = sizing.usable_gb_per_gpu(grid["memory_gb"], inputs.memory_utilization[0],
                                                inputs.runtime_overhead_gb[1])
    grid["min_gpus_low"] = sizing.min_gpus(grid["required_gb_low"], usable_low_need)
    grid["min_gpus_high"] = sizing.min_gpus(grid["required_gb_high"], usable_high_need)
    grid["gpus_low"] = sizing.deployable_gpus(grid["min_gpus_low"])
    grid["gpus_high"] = sizing.deployable_gpus(grid["min_gpus_high"])
    grid["usd_total_low"] = grid["gpus_low"] * grid["usd_low"]
    grid["usd_total_high"] = grid["gpus_high"] * grid["usd_high"]
    return grid


def _guide_rows(ds: Dataset) -> pd.DataFrame:
    """The cells of the guide's sizing table (its section also holds a summary line, checked elsewhere)."""
    figures = ds["guide_figures"]
    keep = (figures["section"] == SIZING_SECTION) & (figures["table_name"] == SIZING_TABLE)
    return figures[keep].reset_index(drop=True)


def printed_sizing_table(ds: Dataset) -> pd.DataFrame:
    """The guide's 'GPU Requirements by Model Size' table, cell text exactly as printed."""
    rows = _guide_rows(ds)
    order = list(dict.fromkeys(rows["row_label"]))
    cells = rows.groupby(["row_label", "column_label"], sort=False)["printed"].agg(" / ".join)
    table = cells.unstack("column_label").reindex(index=order, columns=PRINTED_COLUMNS)
    table.loc[:, "Recommended Setup"] = table["Recommended Setup"].str.replace(" / ", " or ", regex=False)
    return table.rename_axis(index="Model", columns=None).reset_index()


def widest_fit(need: pd.DataFrame, usable_total_gb: float) -> str | None:
    """Widest precision whose lighter-end need (weights + one sequence's KV cache) fits in ``usable_total_gb``.

    None if none fits. The one rule the sizing and engines chapters share.
    """
    for precision in need.sort_values("bits_nominal", ascending=False)["precision"]:
        required = need.loc[need["precision"] == precision, "required_gb_low"].min()
        if required <= usable_total_gb:
            return precision
    return None


def sizing_checks(ds: Dataset, inputs: SizingInputs) -> pd.DataFrame:
    """One row per numeric cell of the guide's sizing table, with its recomputation and verdict."""
    rows = _guide_rows(ds)
    need = memory_requirements(ds, inputs)
    precisions = ds["precisions"].set_index("precision")
    gpus = ds["gpus"].set_index("gpu_id")
    guide_prices = lookups.purchase_prices(ds, guide_only=True).set_index("gpu_id")
    tol = lookups.assumption(ds, "printed_vs_recomputed_tolerance")[0]
    headroom_low, headroom_high = lookups.assumption(ds, "min_vram_headroom")
    margin = lookups.assumption(ds, "memory_verdict_margin")[0]
    out = []
    for label, cells in rows.groupby("row_label", sort=False):
        real = need[need["guide_model"] == label]
        real_names = ", ".join(dict.fromkeys(real["model_name"]))
        params = cells.loc[cells["column_label"] == "Parameters", "value_low"]
        guide_params_b = float(params.iloc[0]) if len(params) else np.nan
        for _, cell in cells[cells["column_label"] == "Minimum VRAM"].iterrows():
            p = cell["precision"]
            from_guide = float(sizing.weights_gb(guide_params_b, precisions.at[p, "bits_nominal"]))
            real_p = real[real["precision"] == p]
            real_low = real_p["weights_gb_low"].min()
            real_text = "; ".join(f"{r.model_name}: {fmt.gb_range(r.weights_gb_low, r.required_gb_high)}"
                                  for r in real_p.itertuples())
            printed_gb = float(cell["value_low"])
            if printed_gb < headroom_low * real_low:
                verdict = verdicts.IMPOSSIBLE
                why = (f"{printed_gb:.0f} GB cannot hold the weights: every expert stays resident, "
                       f"{fmt.gb(real_low)} at {p.upper()} for {real_names}")
            elif headroom_low * from_guide <= printed_gb <= headroom_high * from_guide:
                verdict = verdicts.REPRODUCED
                bits = precisions.at[p, "bits_nominal"]
                why = f"{guide_params_b:g}B parameters x {bits:g} bits = {fmt.gb(from_guide)}"
            else:
                verdict = verdicts.INCONSISTENT
                why = f"the guide's own {guide_params_b:g}B parameters need {fmt.gb(from_guide)} at {p.upper()}"
            out.append({"figure_id": cell["figure_id"], "Model": label, "Column": f"Minimum VRAM ({p.upper()})",
                        "Printed": cell["printed"],
                        "From the guide's inputs": fmt.gb(from_guide),
                        "First principles": real_text,
                        "Difference": (fmt.relative(verdicts.relative_difference(printed_gb, real_low))
                                       if verdict == verdicts.IMPOSSIBLE else
                                       fmt.relative_in_band(verdicts.relative_difference(printed_gb, from_guide),
                                                            headroom_low, headroom_high)),
                        "Verdict": verdict, "Why": why})
        setups = cells[cells["column_label"] == "Recommended Setup"]
        for _, cell in setups.iterrows():
            gpu = gpus.loc[cell["gpu_id"]]
            count = float(cell["value_low"])
            usable = float(count * sizing.usable_gb_per_gpu(gpu["memory_gb"], inputs.memory_utilization[1],
                                                            inputs.runtime_overhead_gb[0]))
            fits = widest_fit(real, usable)
            widest = real.sort_values("bits_nominal", ascending=False)["precision"].iloc[0]
            smallest = real[real["precision"] == "int4"]["required_gb_low"].min()
            if fits is None:
                verdict = verdicts.memory_verdict(smallest, usable, margin)
                why = (f"{count:.0f} x {gpu['gpu_name']} offer {fmt.gb(usable)}; even INT4 weights plus one "
                       f"sequence's KV cache need {fmt.gb(smallest)}")
                if verdict == verdicts.TIGHT:
                    why += f", within {margin:.0%} of it: it turns on the engine's memory settings"
                fp_text = "does not fit at any precision"
            elif fits == widest:
                verdict = verdicts.REPRODUCED
                why = f"fits at {fits.upper()} in {fmt.gb(usable)} usable"
                fp_text = f"fits at {fits.upper()}"
            else:
                verdict = verdicts.IMPLIED
                why = (f"fits only with {fits.upper()} weights, which the table does not state "
                       f"({fmt.gb(usable)} usable)")
                fp_text = f"fits at {fits.upper()} only"
            out.append({"figure_id": cell["figure_id"], "Model": label, "Column": f"Setup option {int(cell['option'])}",
                        "Printed": cell["printed"], "From the guide's inputs": f"{fmt.gb(usable)} usable",
                        "First principles": fp_text, "Difference": "",
                        "Verdict": verdict, "Why": why})
        for _, cell in cells[cells["column_label"] == "Approximate GPU Cost"].iterrows():
            out.append(_cost_check(label, cell, setups, gpus, guide_prices, tol))
    return pd.DataFrame(out)


def _cost_check(label: str, cell: pd.Series, setups: pd.DataFrame, gpus: pd.DataFrame,
                guide_prices: pd.DataFrame, tol: float) -> dict:
    """Compare a printed cost range with setup count x the guide's own GPU prices."""
    printed_low, printed_high = float(cell["value_low"]), float(cell["value_high"])
    options = setups[setups["gpu_id"].isin(guide_prices.index)]
    base = {"figure_id": cell["figure_id"], "Model": label, "Column": "Approximate GPU Cost",
            "Printed": cell["printed"],
            "First principles": "see the GPU-count table"}
    if options.empty:
        return {**base, "From the guide's inputs": "no price given", "Difference": "",
                "Verdict": verdicts.UNVERIFIABLE,
                "Why": "the guide states no price for these GPUs anywhere else"}
    counts = options["value_low"].to_numpy(dtype=float)
    lows = counts * guide_prices.loc[options["gpu_id"], "usd_low"].to_numpy()
    highs = counts * guide_prices.loc[options["gpu_id"], "usd_high"].to_numpy()
    low, high = lows.min(), highs.max()
    text = fmt.usd_range(low, high)
    if verdicts.within(printed_low, low, tol) and verdicts.within(printed_high, high, tol):
        return {**base, "From the guide's inputs": text, "Difference": "0%", "Verdict": verdicts.REPRODUCED,
                "Why": "setup count x the guide's own per-GPU price range"}
    # Which unit price would each printed end need, and is it inside the guide's own range?
    implied = []
    for end in (printed_low, printed_high):
        unit = [(end / c, g) for c, g in zip(counts, options["gpu_id"], strict=True)]
        inside = [(u, g) for u, g in unit if guide_prices.at[g, "usd_low"] <= u <= guide_prices.at[g, "usd_high"]]
        implied.append((inside[0], True) if inside else (unit[0], False))
    off = [(u, g) for (u, g), ok in implied if not ok]
    diff = (f"low {fmt.relative(verdicts.relative_difference(printed_low, low))}, "
            f"high {fmt.relative(verdicts.relative_difference(printed_high, high))}")
    if not off:
        units = ", ".join(f"{fmt.usd(u)} per {gpus.at[g, 'gpu_name']}" for (u, g), _ in implied)
        return {**base, "From the guide's inputs": text, "Difference": diff, "Verdict": verdicts.IMPLIED,
                "Why": f"needs an unstated unit price inside the guide's range: {units}"}
    u, g = off[0]
    return {**base, "From the guide's inputs": text, "Difference": diff, "Verdict": verdicts.INCONSISTENT,
            "Why": (f"needs {fmt.usd(u)} per {gpus.at[g, 'gpu_name']}, outside the guide's own "
                    f"{fmt.usd_range(guide_prices.at[g, 'usd_low'], guide_prices.at[g, 'usd_high'])}")}


def verdict_table(checks: pd.DataFrame) -> pd.DataFrame:
    """How many checked cells received each verdict (:func:`analysis.evaluation.verdicts.counts`), as a table."""
    tally = verdicts.counts(checks["Verdict"])
    return pd.DataFrame({"Verdict": list(tally), "Cells": list(tally.values())})


def gpu_count_table(grid: pd.DataFrame, gpu_ids: list[str]) -> pd.DataFrame:
    """Deployable GPU counts (low–high) per model and precision, one column per GPU type."""
    grid = grid[grid["gpu_id"].isin(gpu_ids)].copy()
    grid["cell"] = [fmt.count_range(lo, hi) for lo, hi in zip(grid["gpus_low"], grid["gpus_high"], strict=True)]
    table = grid.pivot_table(index=["model_name", "precision"], columns="gpu_name", values="cell",
                             aggfunc="first", sort=False)
    names = grid.drop_duplicates("gpu_id").set_index("gpu_id").loc[gpu_ids, "gpu_name"]
    table = table.reindex(columns=list(names))
    return table.rename_axis(index=["Model", "Precision"], columns=None).reset_index()


def memory_table(need: pd.DataFrame) -> pd.DataFrame:
    """Weights, KV cache and total memory per model and precision, formatted with units."""
    return pd.DataFrame({
        "Model": need["model_name"],
        "Guide row": need["guide_model"].fillna("—"),
        "Precision": need["precision"].str.upper(),
        "Total / active params (B)": [f"{t:g} / {a:g}" for t, a in
                                      zip(need["params_total_b"], need["params_active_b"], strict=True)],
        "Weights": [fmt.gb_range(lo, hi)
                    for lo, hi in zip(need["weights_gb_low"], need["weights_gb_high"], strict=True)],
        "KV cache": [fmt.gb_range(lo, hi) for lo, hi in zip(need["kv_gb_low"], need["kv_gb_high"], strict=True)],
        "Total (before runtime overhead)": [fmt.gb_range(lo, hi) for lo, hi in
                                            zip(need["required_gb_low"], need["required_gb_high"], strict=True)],
    })


def reference_setups(ds: Dataset, single_gpu_ids: tuple[str, ...], node_gpu_ids: tuple[str, ...]) -> pd.DataFrame:
    """Reference memory lines: one GPU of each ``single_gpu_ids`` type and one full node of each
    ``node_gpu_ids`` type, as ``label`` and total ``memory_gb``."""
    gpus = ds["gpus"].set_index("gpu_id")
    short = gpus["gpu_name"].str.replace("NVIDIA ", "", regex=False).str.replace("GeForce ", "", regex=False)
    rows = [{"label": f"1× {short[g]}", "memory_gb": gpus.loc[g, "memory_gb"]} for g in single_gpu_ids]
    rows += [{"label": f"{sizing.GPUS_PER_NODE}× {short[g]} node",
              "memory_gb": sizing.GPUS_PER_NODE * gpus.loc[g, "memory_gb"]} for g in node_gpu_ids]
    return pd.DataFrame(rows).sort_values("memory_gb", kind="stable").reset_index(drop=True)


@chapter_cache.cached
def build(ds: Dataset, chart_gpu_ids: tuple[str, ...] = ("rtx-4090", "h100-sxm", "b200"),
          chart_node_gpu_ids: tuple[str, ...] = ("h100-sxm", "b200"), **overrides: float | None) -> Chapter:
    """Build the hardware-sizing chapter from a dataset and optional sizing overrides (``context_tokens``,
    ``concurrent_sequences``). Its tables: ``verdict_counts``, ``memory``, ``gpu_counts`` and ``gpu_lines``
    (the reference setups drawn on the chart); its chart data: ``requirements``."""
    inputs = SizingInputs.from_dataset(ds, **overrides)
    need = memory_requirements(ds, inputs)
    grid = gpu_requirements(ds, inputs)
    checks = sizing_checks(ds, inputs)
    gpu_ids = list(ds["gpus"]["gpu_id"])
    chart_data = need[["model_name", "precision", "required_gb_low", "required_gb_high",
                       "weights_gb_low"]].copy()
    gpu_lines = reference_setups(ds, chart_gpu_ids, chart_node_gpu_ids)
    maverick_fp16 = need[(need["model_id"] == "llama-4-maverick") & (need["precision"] == "fp16")]
    printed_maverick = _guide_rows(ds).query("row_label == 'Llama 4 Maverick' and column_label == 'Minimum VRAM'")
    counts = verdict_table(checks)
    facts = {
        "checked_cells": len(checks),
        "impossible_cells": int(counts.set_index("Verdict").at[verdicts.IMPOSSIBLE, "Cells"]),
        "reproduced_cells": int(counts.set_index("Verdict").at[verdicts.REPRODUCED, "Cells"]),
        "maverick_fp16_weights_gb": float(maverick_fp16["weights_gb_low"].iloc[0]),
        "maverick_printed_gb": float(printed_maverick["value_low"].iloc[0]),
        "maverick_ratio": float(maverick_fp16["weights_gb_low"].iloc[0] / printed_maverick["value_low"].iloc[0]),
        "context_tokens": int(inputs.context_tokens[0]),
        "kv_bytes_per_value": f"{lookups.assumption(ds, 'kv_bytes_per_value')[0]:g}",
        "sequences_low": int(inputs.concurrent_sequences[0]),
        "sequences_high": int(inputs.concurrent_sequences[1]),
    }
    source = "Source: " + exhibits.model_source("models.csv", "precisions.csv", "gpus.csv", "assumptions.csv",
                                                case="low: fewest stored bits and one sequence; high: most bits "
                                                     "and a busy batch")
    name = maverick_fp16["model_name"].iloc[0]
    biggest = need.loc[need["required_gb_high"].idxmax()]
    items = (
        exhibits.printed("sizing-printed", SIZING_TABLE),
        exhibits.checks("sizing-checks", checks,
                        "Each numeric cell of the sizing table with its recomputation, difference and verdict."),
        exhibits.Exhibit("sizing-verdicts",
                         f"{facts['reproduced_cells']} of {facts['checked_cells']} cells reproduce; "
                         f"{facts['impossible_cells']} cannot hold the model at all",
                         "Source: " + exhibits.CHECKS, "Checked cells per verdict."),
        exhibits.Exhibit("sizing-memory",
                         f"{name} needs {fmt.gb(facts['maverick_fp16_weights_gb'])} for its FP16 weights alone, "
                         f"{facts['maverick_ratio']:g} times the guide's {fmt.gb(facts['maverick_printed_gb'])}",
                         source, "Memory per model and precision: low = fewest stored bits and one sequence; "
                                 "high = most bits and a busy batch."),
        exhibits.Exhibit("sizing-chart",
                         f"Mixture-of-experts models outgrow single GPUs: {biggest['model_name']} needs up to "
                         f"{fmt.gb(biggest['required_gb_high'])}", source),
        exhibits.Exhibit("sizing-gpu-counts",
                         "Whole GPUs per model: counts round up to the node sizes a server is sold in", source,
                         "Deployable GPUs needed, low–high, per model, precision and GPU type."),
    )
    return Chapter(printed=printed_sizing_table(ds), checks=checks,
                   tables={"verdict_counts": counts, "memory": memory_table(need),
                           "gpu_counts": gpu_count_table(grid, gpu_ids), "gpu_lines": gpu_lines.reset_index(drop=True)},
                   chart_data={"requirements": chart_data}, facts=facts, key="sizing", exhibits=items)
