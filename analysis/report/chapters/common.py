"""What every chapter shares: the printed table, the check rows and the chapter record."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import lookups, uncertainty
from analysis.evaluation.scenarios import Comparison
from analysis.report import formatting as fmt
from analysis.report import numerics
from analysis.report.exhibits import Exhibit

CHECK_COLUMNS = ["figure_id", "Row", "Column", "Printed", "From the guide's inputs", "First principles",
                 "Difference", "Verdict", "Why"]


@dataclass(frozen=True)
class Chapter:
    """A chapter's tables, chart data, glued facts and exhibits.

    Every chapter builder returns one (``build(dataset, **parameters) -> Chapter``). ``key`` names the chapter in
    the registry (:mod:`analysis.report.registry`); ``exhibits`` lists its tables and charts in the order the
    notebook shows them, each titled by its finding.
    """

    printed: pd.DataFrame = field(default_factory=pd.DataFrame)
    checks: pd.DataFrame = field(default_factory=pd.DataFrame)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    chart_data: dict[str, pd.DataFrame] = field(default_factory=dict)
    facts: dict[str, float | int | str] = field(default_factory=dict)
    key: str = ""
    exhibits: tuple[Exhibit, ...] = ()


def printed_table(ds: Dataset, table_name: str, first_column: str, columns: list[str] | None = None) -> pd.DataFrame:
    """A guide table rebuilt from its cells as printed (text cells from ``guide_claims.csv`` win).

    Rows and columns keep the guide's order; a cell the guide left empty stays empty.
    """
    claims = ds["guide_claims"]
    figures = ds["guide_figures"]
    cells = pd.concat([
        claims.loc[claims["table_name"] == table_name, ["row_label", "column_label", "printed"]].assign(rank=0),
        figures.loc[figures["table_name"] == table_name, ["row_label", "column_label", "printed"]].assign(rank=1),
    ]).drop_duplicates(["row_label", "column_label"])  # first wins: the whole cell beats a number inside it
    cols = columns or list(dict.fromkeys(cells["column_label"]))
    cells = cells[cells["column_label"].isin(cols)]  # summary figures outside the table's grid stay out
    in_figures = figures.loc[figures["table_name"] == table_name, "row_label"]
    rows = list(dict.fromkeys([*in_figures[in_figures.isin(cells["row_label"])], *cells["row_label"]]))
    table = cells.pivot_table(index="row_label", columns="column_label", values="printed", aggfunc="first")
    table = table.reindex(index=rows, columns=cols).fillna("")
    return table.rename_axis(index=first_column, columns=None).reset_index()


def check_row(ds: Dataset, figure_id: str, from_guide: str, first_principles: str, difference: str,
              verdict: str, why: str) -> dict:
    """One check, labelled with the guide's own row and column for the figure."""
    fig = lookups.guide_figure(ds, figure_id)
    return {"figure_id": figure_id, "Row": fig["row_label"], "Column": fig["column_label"],
            "Printed": fig["printed"], "From the guide's inputs": from_guide, "First principles": first_principles,
            "Difference": difference, "Verdict": verdict, "Why": why}


def checks_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def checks_in_guide_order(ds: Dataset, rows: list[dict]) -> pd.DataFrame:
    """:func:`checks_frame` of the rows, in the order their figures appear in ``guide_figures.csv``."""
    order = {fid: i for i, fid in enumerate(ds["guide_figures"]["figure_id"])}
    return checks_frame(rows).sort_values("figure_id", key=lambda s: s.map(order)).reset_index(drop=True)


def interpolate_crossing(volumes: np.ndarray, savings: np.ndarray) -> float:
    """Volume where a printed savings column crosses zero, interpolating linearly between its rows."""
    for (v0, s0), (v1, s1) in zip(zip(volumes, savings, strict=True), zip(volumes[1:], savings[1:], strict=True),
                                  strict=False):
        if s0 < 0 <= s1:
            return float(v0 + (v1 - v0) * (0 - s0) / (s1 - s0))
    return float("inf")


def _quote_value(low: float, high: float, unit: str) -> str:
    """One of the guide's figures in the report's own notation, by its unit."""
    if unit.startswith("USD"):
        return fmt.usd(low) if low == high else fmt.usd_range(low, high)
    if unit.startswith("tokens"):
        return fmt.tokens(low) if low == high else fmt.tokens_range(low, high)
    if unit == "fraction":
        return fmt.share(low) if low == high else f"{low:.0%}–{high:.0%}"
    suffix = {"ratio": "x", "B params": "B", "ms": " ms", "months": " months"}.get(unit, "")
    return f"{low:g}{suffix}" if low == high else f"{low:g}–{high:g}{suffix}"


def quoted(ds: Dataset, keys: dict[str, str]) -> dict[str, str]:
    """Facts for prose that quotes the guide: ``{glue_key: figure_id}`` to the figure in report notation.

    The prose then cites the guide's numbers through glue like every other number, so a corrected
    ``guide_figures.csv`` row corrects the sentence too.
    """
    figures = ds["guide_figures"]["figure_id"]
    missing = sorted(set(keys.values()) - set(figures))
    if missing:
        raise KeyError(f"guide_figures.csv has no figure {', '.join(missing)}")
    rows = {key: lookups.guide_figure(ds, fid) for key, fid in keys.items()}
    return {key: _quote_value(float(r["value_low"]), float(r["value_high"]), str(r["unit"])) for key, r in rows.items()}


def breakeven_phrase(tokens_per_month: float, api_usd_per_month: float) -> str:
    """A break-even for prose: ``breaks even at about 1.78B tokens a month ($15.5K of API spend)``, or never."""
    if not np.isfinite(tokens_per_month):
        return "never breaks even in the base case: each extra replica costs more than the API spend it replaces"
    return (f"breaks even at about {fmt.tokens(tokens_per_month)} tokens a month "
            f"({fmt.usd(api_usd_per_month)} of API spend)")


def breakeven_caveat(breakeven: pd.DataFrame, option: str = "buy") -> str:
    """What follows a base-case break-even in prose: ``: at those prices, buying the tokens is the cheaper way``
    when it never comes, ``, and in the least favourable case it never does`` when only that case never breaks
    even, else nothing."""
    volumes = breakeven.set_index("case")[f"{option}_breakeven_tokens_per_month"]
    if not np.isfinite(volumes["base"]):
        return ": at those prices, buying the tokens is the cheaper way"
    if not np.isfinite(volumes["unfavourable"]):
        return ", and in the least favourable case it never does"
    return ""


def fragile_note(breakeven: pd.DataFrame, option: str = "buy") -> str:
    """A sentence saying why a break-even is fragile, with its stress ends (every input at one end of its range;
    "" when it is not fragile)."""
    reason = str(breakeven[f"{option}_fragile"].iloc[0]) if f"{option}_fragile" in breakeven else ""
    if not reason:
        return ""
    volumes = breakeven[f"{option}_breakeven_tokens_per_month"]
    low, high = volumes.min(), volumes.max()
    span = (f"{fmt.tokens_range(low, high)} tokens a month" if np.isfinite(high)
            else f"from {fmt.tokens(low)} tokens a month to never")
    return f"Read it as a range, {span} between the stress ends, not a point: {reason}."


# ---------------------------------------------------------------- volumes and cost curves (the cost chapters)

# Resolution of the cost curves (a drawing choice, not a model input).
POINTS_PER_DECADE = 8


def guide_volumes(ds: Dataset, table_name: str) -> np.ndarray:
    """The monthly volumes a guide table is printed for."""
    figures = ds["guide_figures"]
    rows = figures[(figures["table_name"] == table_name) & figures["tokens_per_month"].notna()]
    return np.sort(rows["tokens_per_month"].unique())


def curve_volumes(ds: Dataset) -> np.ndarray:
    """A log-spaced grid from a tenth of the smallest to ten times the largest volume the guide prints."""
    volumes = ds["guide_figures"]["tokens_per_month"].dropna()
    low, high = float(volumes.min()) / 10, float(volumes.max()) * 10
    return numerics.log_grid(low, high, round(math.log10(high / low) * POINTS_PER_DECADE) + 1)


def api_bill_span(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest API bill over the cases at each volume of a comparison table (the spine's
    ``api_usd_per_month``; the cases span the output-share and cached-input ranges), by volume."""
    grouped = table.groupby("tokens_per_month")["api_usd_per_month"]
    return grouped.min().to_numpy(), grouped.max().to_numpy()


def at_volumes(table: pd.DataFrame, volumes: np.ndarray) -> pd.DataFrame:
    """The rows of a comparison table at these volumes (a table computed over several grids at once)."""
    return table[table["tokens_per_month"].isin(volumes)].reset_index(drop=True)


def breakeven_points(be: pd.DataFrame, versus: str) -> pd.DataFrame:
    """Base-case break-even points (finite ones) for the cost chart."""
    rows = []
    for option, frame in be.groupby("option", sort=False):
        base = frame.set_index("case").loc["base"]
        volume = base.get(f"{option}_breakeven_tokens_per_month", np.inf)
        if np.isfinite(volume):
            rows.append({"label": f"{option.capitalize()} {versus}", "tokens_per_month": volume,
                         "usd_per_month": base[f"{option}_breakeven_api_usd_per_month"]})
    return pd.DataFrame(rows, columns=["label", "tokens_per_month", "usd_per_month"])


def likely_outputs(comparison: Comparison, grid: np.ndarray, draws: int = uncertainty.DRAWS,
                   seed: int = uncertainty.SEED) -> dict[str, np.ndarray]:
    """The spine's outputs at each volume of ``grid`` for each sampled draw of the comparison's inputs (the
    report's sampling unless told otherwise): ``(draws, volumes)`` arrays, whose P10 and P90
    (:func:`likely_range`) are the report's one likely range."""
    return uncertainty.monte_carlo(comparison.situation, draws, seed, grid).outputs


def likely_range(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P10 and P90 over the draws (axis 0) of :func:`likely_outputs` or any figure computed from them."""
    low, high = uncertainty.percentiles(values, uncertainty.LIKELY)
    return low, high


def likely_spend_text(p10: float, p90: float) -> str:
    """A likely range of API spend in words: ``$14.7K–$25.9K``, ``$32.7K or never`` when P90 never breaks even,
    ``never`` when P10 does not."""
    if not np.isfinite(p10):
        return "never"
    return fmt.usd_range(p10, p90) if np.isfinite(p90) else f"{fmt.usd(p10)} or never"


def cost_curves(grid: np.ndarray, options: list[tuple[str, Comparison, str, str, str]],
                draws: int = uncertainty.DRAWS, seed: int = uncertainty.SEED,
                sampled: dict[int, dict[str, np.ndarray]] | None = None) -> pd.DataFrame:
    """Monthly cost against volume per option, the APIs' bills among them: base case and likely range.

    ``options`` holds ``(label, comparison, cost column, kind, end label)``, the column ``buy_usd_per_month``,
    ``rent_usd_per_month`` or ``api_usd_per_month`` of a :func:`analysis.evaluation.scenarios.compare` result
    whose table holds every volume of ``grid``. ``usd_base`` is the base case; ``usd_low`` and ``usd_high`` are
    P10 and P90 of the same column over the sampled inputs (:func:`likely_outputs`), one sampling per
    comparison. The kind
    (:mod:`analysis.report.visual`) fixes the option's colour on every page; the end label
    (:func:`analysis.report.visual.end_label`) names the line at its right end. ``sampled`` holds outputs a caller
    already drew on ``grid`` (:func:`likely_outputs`), by ``id(comparison)``; what it lacks is drawn and added.
    """
    frames = []
    sampled = {} if sampled is None else sampled
    for label, comparison, column, kind, end in options:
        on_grid = at_volumes(comparison.table, grid)
        base = on_grid[on_grid["case"] == "base"].set_index("tokens_per_month")[column].reindex(grid)
        if id(comparison) not in sampled:
            sampled[id(comparison)] = likely_outputs(comparison, grid, draws, seed)
        low, high = likely_range(sampled[id(comparison)][column])
        frames.append(pd.DataFrame({"tokens_per_month": grid, "option": label, "kind": kind, "end_label": end,
                                    "usd_low": low, "usd_base": base.to_numpy(), "usd_high": high}))
    return pd.concat(frames, ignore_index=True)
