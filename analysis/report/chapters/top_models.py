"""Chapter: the guide's "Top Self-Hostable Models" table against the publishers' model cards.

Three kinds of printed cell are checked. Memory cells follow the hardware-sizing rule of
:func:`analysis.report.chapters.hardware.sizing_checks`; parameter counts are compared with the released models; the
quality column cites no benchmark. The licence column is compared with the publishers' licences in
a table of its own, because it is text rather than a number.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import verdicts
from analysis.evaluation.lookups import assumption
from analysis.model import sizing
from analysis.report import chapter_cache
from analysis.report import exhibits as ex
from analysis.report import formatting as fmt
from analysis.report.chapters.common import Chapter, check_row, checks_frame, printed_table
from analysis.report.chapters.hardware import SizingInputs, memory_requirements

SECTION = "top_models"
TABLE = "Top Self-Hostable Models (April 2026)"
COLUMNS = ["Parameters", "License", "Quality vs GPT-4o", "Self-Host VRAM"]
SIZING_SECTION = "hardware_sizing"  # the guide's other table that prints a memory figure per model
MEMORY_PRECISIONS = ("fp16", "fp8", "int4")
_LICENCE_WORDS = {"license", "licence"}


def _table_figures(ds: Dataset) -> pd.DataFrame:
    """The numeric cells of the table, in the guide's order."""
    figures = ds["guide_figures"]
    keep = (figures["section"] == SECTION) & (figures["table_name"] == TABLE)
    return figures[keep].reset_index(drop=True)


def vram_precision(ds: Dataset, cell: pd.Series) -> tuple[str | None, str]:
    """The precision a printed memory cell refers to, and where that reading comes from.

    Parameters
    ----------
    ds : the dataset.
    cell : a row of ``guide_figures.csv`` for a "Self-Host VRAM" cell.

    Returns
    -------
    ``(precision, basis)``: the precision column if the cell has one; ``fp16`` if the text says
    FP16; otherwise the precision the guide's sizing table prints beside the same number of GB for
    the same model. ``(None, ...)`` when none of these gives a precision.
    """
    if not pd.isna(cell["precision"]):
        return str(cell["precision"]), "as printed"
    if "fp16" in str(cell["printed"]).lower():
        return "fp16", "as printed"
    figures = ds["guide_figures"]
    same = figures[(figures["section"] == SIZING_SECTION) & (figures["row_label"] == cell["row_label"])
                   & (figures["value_low"] == cell["value_low"]) & figures["precision"].notna()]
    if len(same):
        sizing_cell = same.iloc[0]
        return str(sizing_cell["precision"]), f"the sizing table prints the same figure as {sizing_cell['printed']}"
    return None, "no precision given"


def _vram_check(ds: Dataset, cell: pd.Series, need: pd.DataFrame, guide_params_b: float) -> dict:
    """One memory cell: impossible, reproduced or inconsistent, by the hardware-sizing rule."""
    precisions = ds["precisions"].set_index("precision")
    headroom_low, headroom_high = assumption(ds, "min_vram_headroom")
    real = need[need["guide_model"] == cell["row_label"]]
    names = ", ".join(dict.fromkeys(real["model_name"]))
    p, basis = vram_precision(ds, cell)
    printed_gb = float(cell["value_low"])
    if p is None:
        return check_row(ds, cell["figure_id"], "", "", "", verdicts.UNVERIFIABLE,
                         "the cell states no precision, so the weights it should hold are unknown")
    bits = float(precisions.at[p, "bits_nominal"])
    from_guide = float(sizing.weights_gb(guide_params_b, bits))
    real_p = real[real["precision"] == p]
    real_low = float(real_p["weights_gb_low"].min())
    first = "; ".join(f"{r.model_name}: {fmt.gb(r.weights_gb_low)} weights" for r in real_p.itertuples())
    reading = "" if basis == "as printed" else f" (read as {p.upper()}: {basis})"
    if printed_gb < headroom_low * real_low:
        verdict = verdicts.IMPOSSIBLE
        smallest = real_p.sort_values("weights_gb_low").iloc[0]
        who = f"the smaller of {names}" if len(real_p) > 1 else names
        resident = ", as every expert stays resident" if smallest["architecture"] == "moe" else ""
        narrowest = MEMORY_PRECISIONS[-1]
        lightest = real[real["precision"] == narrowest].sort_values("weights_gb_low").iloc[0]
        if printed_gb >= headroom_low * lightest["weights_gb_low"]:
            fallback = (f"only {lightest['model_name']} at {narrowest.upper()} "
                        f"({fmt.gb(lightest['weights_gb_low'])}) would fit")
        else:
            fallback = f"even {narrowest.upper()} weights need {fmt.gb(lightest['weights_gb_low'])}"
        why = (f"{fmt.gb(printed_gb)} cannot hold the weights{reading}: {who} needs {fmt.gb(real_low)} at "
               f"{p.upper()}{resident}; {fallback}")
    elif headroom_low * from_guide <= printed_gb <= headroom_high * from_guide:
        verdict = verdicts.REPRODUCED
        why = (f"{guide_params_b:g}B parameters x {bits:g} bits = {fmt.gb(from_guide)}{reading}; "
               f"the printed figure adds headroom for the KV cache")
    else:
        verdict = verdicts.INCONSISTENT
        why = f"the guide's own {guide_params_b:g}B parameters need {fmt.gb(from_guide)} at {p.upper()}{reading}"
    # The difference is taken against what the verdict is judged on: the weights themselves for "cannot
    # hold them", else the guide's own parameters x bits, within the headroom band.
    if verdict == verdicts.IMPOSSIBLE:
        diff = fmt.relative(verdicts.relative_difference(printed_gb, real_low))
    else:
        diff = fmt.relative_in_band(verdicts.relative_difference(printed_gb, from_guide), headroom_low, headroom_high)
    return check_row(ds, cell["figure_id"], fmt.gb(from_guide), first, diff, verdict, why)


def _params_check(ds: Dataset, cell: pd.Series, models: pd.DataFrame) -> dict:
    """One parameter count against the total parameters of the released model(s) the row maps to."""
    tol = assumption(ds, "printed_vs_recomputed_tolerance")[0]
    real = models[models["guide_model"] == cell["row_label"]]
    printed_b = float(cell["value_low"])
    first = "; ".join(f"{r.model_name}: {r.params_total_b:g}B ({r.architecture}, {r.params_active_b:g}B active)"
                      for r in real.itertuples())
    close = verdicts.within(printed_b, real["params_total_b"].to_numpy(dtype=float), tol)
    nearest = real.iloc[int(np.argmin(np.abs(real["params_total_b"].to_numpy(dtype=float) - printed_b)))]
    diff = fmt.relative(verdicts.relative_difference(printed_b, nearest["params_total_b"]))
    if close.any():
        match = real[close].iloc[0]
        return check_row(ds, cell["figure_id"], "", first, diff, verdicts.REPRODUCED,
                         f"{match['model_name']} has {match['params_total_b']:g}B parameters, within "
                         f"{fmt.share(tol)} of the printed {printed_b:g}B")
    sizes = " and ".join(f"{r.params_total_b:g}B" for r in real.itertuples())
    return check_row(ds, cell["figure_id"], "", first, diff, verdicts.INCONSISTENT,
                     f"no released {cell['row_label']} has {printed_b:g}B parameters: the models published "
                     f"under that name have {sizes}")


def _quality_check(ds: Dataset, cell: pd.Series) -> dict:
    return check_row(ds, cell["figure_id"], "", "", "", verdicts.UNVERIFIABLE,
                     "no benchmark is cited, so the share of GPT-4o quality can be neither derived nor checked")


def top_model_checks(ds: Dataset, inputs: SizingInputs | None = None) -> pd.DataFrame:
    """One check row per numeric cell of the table (parameters, quality, memory), in the guide's order.

    Parameters
    ----------
    ds : the dataset.
    inputs : sizing assumptions (default: ``assumptions.csv``); only the weights enter the memory rule.
    """
    need = memory_requirements(ds, inputs or SizingInputs.from_dataset(ds))
    models = ds["models"]
    figures = _table_figures(ds)
    params_b = figures[figures["column_label"] == "Parameters"].set_index("row_label")["value_low"]
    rows = []
    for _, cell in figures.iterrows():
        column = cell["column_label"]
        if column == "Parameters":
            rows.append(_params_check(ds, cell, models))
        elif column == "Quality vs GPT-4o":
            rows.append(_quality_check(ds, cell))
        elif column == "Self-Host VRAM":
            rows.append(_vram_check(ds, cell, need, float(params_b[cell["row_label"]])))
    return checks_frame(rows)


def _normalise(name: str) -> list[str]:
    return re.sub(r"\s+", " ", str(name).strip().lower()).split(" ")


def licences_agree(guide_licence: str, publisher_licence: str) -> bool:
    """Whether the guide's licence name names the publisher's licence.

    Names agree when they are equal after normalising case and spaces, or when every word of the
    guide's name other than "license" appears in the publisher's name ("Llama License" names the
    "Llama 3.3 Community License"; "Apache 2.0" does not name the "Mistral Research License").

    Parameters
    ----------
    guide_licence : the licence as the guide prints it.
    publisher_licence : the licence name in ``models.csv``.
    """
    guide_words, publisher_words = _normalise(guide_licence), _normalise(publisher_licence)
    if guide_words == publisher_words:
        return True
    family = [w for w in guide_words if w not in _LICENCE_WORDS]
    return bool(family) and set(family) <= set(publisher_words)


def licence_table(ds: Dataset) -> pd.DataFrame:
    """One row per guide row: the guide's licence, the publisher's licence(s), and a verdict."""
    claims = ds["guide_claims"]
    claims = claims[(claims["table_name"] == TABLE) & (claims["column_label"] == "License")]
    models = ds["models"]
    rows = []
    for claim in claims.itertuples():
        real = models[models["guide_model"] == claim.row_label]
        agree = [licences_agree(claim.printed, lic) for lic in real["license"]]
        if real.empty:
            verdict, why = verdicts.UNVERIFIABLE, "no released model is mapped to this row"
        elif all(agree):
            verdict = verdicts.REPRODUCED
            why = f"the guide's {claim.printed} names the publisher's {', '.join(dict.fromkeys(real['license']))}"
        else:
            verdict = verdicts.INCONSISTENT
            off = real[[not a for a in agree]].iloc[0]
            note = f" ({off['notes']})" if not pd.isna(off["notes"]) else ""
            why = f"{off['model_name']} is published under the {off['license']}, not {claim.printed}{note}"
        rows.append({"Model": claim.row_label, "Guide's licence": claim.printed,
                     "Released model": "; ".join(real["model_name"]),
                     "Publisher's licence": "; ".join(dict.fromkeys(real["license"])),
                     "Licence text": "; ".join(dict.fromkeys(real["license_url"])),
                     "Verdict": verdict, "Why": why})
    return pd.DataFrame(rows, columns=["Model", "Guide's licence", "Released model", "Publisher's licence",
                                       "Licence text", "Verdict", "Why"])


def weights_by_precision(ds: Dataset) -> pd.DataFrame:
    """Weights of every released model the table names, at FP16, FP8 and INT4, numeric (GB).

    ``weights_gb = params_total_b x bits_per_param_low / 8`` (all experts resident), one row per
    guide row and released model, in the guide's row order.
    """
    order = list(dict.fromkeys(_table_figures(ds)["row_label"]))
    models = ds["models"]
    models = models[models["guide_model"].isin(order)].copy()
    models["_rank"] = models["guide_model"].map({label: i for i, label in enumerate(order)})
    models = models.sort_values("_rank", kind="stable")
    bits = ds["precisions"].set_index("precision")["bits_per_param_low"]
    out = models[["guide_model", "model_id", "model_name", "architecture", "params_total_b",
                  "params_active_b"]].reset_index(drop=True)
    for p in MEMORY_PRECISIONS:
        out[f"weights_gb_{p}"] = sizing.weights_gb(out["params_total_b"], bits[p])
    return out


def memory_table(ds: Dataset, weights: pd.DataFrame) -> pd.DataFrame:
    """The weights of :func:`weights_by_precision` beside the guide's printed memory, with units."""
    printed = _table_figures(ds).query("column_label == 'Self-Host VRAM'").set_index("row_label")["printed"]
    table = pd.DataFrame({
        "Guide row": weights["guide_model"],
        "Released model": weights["model_name"],
        "Total / active params (B)": [f"{t:g} / {a:g}" for t, a in
                                      zip(weights["params_total_b"], weights["params_active_b"], strict=True)],
        "Guide prints": weights["guide_model"].map(printed).fillna(""),
    })
    for p in MEMORY_PRECISIONS:
        table[f"{p.upper()} weights"] = [fmt.gb(v) for v in weights[f"weights_gb_{p}"]]
    return table


def _count(checks: pd.DataFrame, verdict: str) -> int:
    return int((checks["Verdict"] == verdict).sum())


@chapter_cache.cached
def build(ds: Dataset, highlight_model: str = "llama-4-maverick") -> Chapter:
    """The top-models chapter: the printed table, its checks, the licences and the real weights.

    Parameters
    ----------
    ds : the dataset.
    highlight_model : ``model_id`` whose weights and printed memory the ``tm_maverick_*`` facts quote.

    Returns
    -------
    A :class:`~analysis.report.chapters.common.Chapter` with ``tables["licences"]`` and ``tables["memory"]``,
    ``chart_data["weights"]`` (numeric GB per released model and precision, with the printed figure)
    and facts prefixed ``tm_``.
    """
    checks = top_model_checks(ds)
    licences = licence_table(ds)
    weights = weights_by_precision(ds)
    vram = _table_figures(ds).query("column_label == 'Self-Host VRAM'").set_index("row_label")["value_low"]
    chart = weights.assign(printed_gb=weights["guide_model"].map(vram))
    maverick = weights[weights["model_id"] == highlight_model].iloc[0]
    maverick_printed = float(vram[maverick["guide_model"]])
    mismatched = licences[licences["Verdict"] == verdicts.INCONSISTENT]
    facts = {
        "tm_checked_cells": len(checks),
        "tm_reproduced_cells": _count(checks, verdicts.REPRODUCED),
        "tm_inconsistent_cells": _count(checks, verdicts.INCONSISTENT),
        "tm_impossible_cells": _count(checks, verdicts.IMPOSSIBLE),
        "tm_unverifiable_cells": _count(checks, verdicts.UNVERIFIABLE),
        "tm_licence_rows": len(licences),
        "tm_licence_mismatches": len(mismatched),
        "tm_licence_mismatch_models": ", ".join(mismatched["Model"]),
        "tm_maverick_printed_gb": fmt.gb(maverick_printed),
        "tm_maverick_fp16_weights_gb": fmt.gb(maverick["weights_gb_fp16"]),
        "tm_maverick_int4_weights_gb": fmt.gb(maverick["weights_gb_int4"]),
        "tm_maverick_ratio": round(float(maverick["weights_gb_fp16"] / maverick_printed), 1),
    }
    name = maverick["guide_model"]
    licence_title = (f"{len(mismatched)} of {len(licences)} licences "
                     f"{'differs' if len(mismatched) == 1 else 'differ'} from the model's own repository"
                     + (f" ({facts['tm_licence_mismatch_models']})" if len(mismatched) else ""))
    weights_source = "Source: " + ex.model_source("models.csv", "precisions.csv", case="")
    exhibits = (
        ex.printed("top-models-printed", TABLE),
        ex.checks("top-models-checks", checks, "Each numeric cell with its recomputation and verdict."),
        ex.Exhibit("top-models-licences", licence_title, "Source: data/models.csv (licence and repository)",
                   "The guide's licence beside the one in the model's repository."),
        ex.Exhibit("top-models-memory",
                   f"Every expert stays in memory: {name}'s weights take {facts['tm_maverick_fp16_weights_gb']} "
                   f"at FP16 and {facts['tm_maverick_int4_weights_gb']} at INT4", weights_source,
                   "Weights per model and precision (stored bits including quantization scales)."),
        ex.Exhibit("top-models-chart",
                   f"The guide gives {name} {facts['tm_maverick_printed_gb']}; its FP16 weights alone take "
                   f"{facts['tm_maverick_fp16_weights_gb']}, {facts['tm_maverick_ratio']:g} times as much",
                   weights_source),
    )
    return Chapter(printed=printed_table(ds, TABLE, "Model", COLUMNS), checks=checks,
                   tables={"licences": licences, "memory": memory_table(ds, weights)},
                   chart_data={"weights": chart}, facts=facts, key="top-models", exhibits=exhibits)
