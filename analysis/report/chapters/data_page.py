"""The data page: every file of the dataset, where its rows come from, the stale prices, and the assumptions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.report import exhibits, visual
from analysis.report.chapters.common import Chapter


def _source_kind(source: pd.Series) -> pd.Series:
    """``primary`` for a URL, ``package`` for a maintained price package, ``guide`` for the guide's own claim,
    ``method`` for this report's choice."""
    return pd.Series(np.select([source.str.startswith("https://"), source.str.startswith("package:"),
                                source.str.startswith("guide:")],
                               ["primary", "package", "guide"], default="method"), index=source.index)


def build(ds: Dataset) -> Chapter:
    """The data page: row counts per file by kind of source (table ``files``), the stale price rows (``stale``),
    the sources cited (``sources``), the scalar assumptions (``assumptions``) and the API prices (``api_prices``)."""
    rows = []
    cited = []
    for name, frame in ds.tables.items():
        kind = _source_kind(frame["source"])
        rows.append({"File": f"{name}.csv", "Rows": len(frame),
                     "Primary source": int((kind == "primary").sum()), "Price package": int((kind == "package").sum()),
                     "The guide": int((kind == "guide").sum()),
                     "Method choice": int((kind == "method").sum()),
                     "Oldest retrieval": min(frame["retrieved_on"]).isoformat(),
                     "Newest retrieval": max(frame["retrieved_on"]).isoformat()})
        cited.append(frame.assign(File=f"{name}.csv", kind=kind)[["File", "source", "kind"]])
    files = pd.DataFrame(rows)
    stale = pd.DataFrame([{"File": p.file, "Line": p.line, "Retrieved": p.value, "Warning": p.rule}
                          for p in ds.stale], columns=["File", "Line", "Retrieved", "Warning"])
    sources = (pd.concat(cited).query("kind == 'primary'").groupby("source", sort=True)
               .agg(Rows=("File", "size"), Files=("File", lambda f: ", ".join(sorted(set(f)))))
               .reset_index().rename(columns={"source": "Source"}))
    facts = {"data_files": len(files), "data_rows": int(files["Rows"].sum()),
             "primary_rows": int(files["Primary source"].sum()), "package_rows": int(files["Price package"].sum()),
             "guide_rows": int(files["The guide"].sum()),
             "method_rows": int(files["Method choice"].sum()), "stale_rows": len(stale),
             "snapshot_date": ds.snapshot_date.isoformat(), "distinct_sources": len(sources)}
    api = ds["api_prices"]
    api_prices = pd.DataFrame({
        "offer_id": api["offer_id"], "Provider": api["provider"],
        # the open model's name where the offer serves one, not the provider's API identifier
        "Model": [visual.api_words(ds, o).rsplit(" (", 1)[0] for o in api["offer_id"]],
        "Input, USD per M": api["usd_per_m_input"], "Output, USD per M": api["usd_per_m_output"],
        "Cached input, USD per M": api["usd_per_m_cached_input"], "Source": api["source"],
        "Retrieved": api["retrieved_on"].map(lambda d: d.isoformat())})
    from_package = int(api["source"].str.startswith("package:").sum())
    a = ds["assumptions"]
    assumptions = pd.DataFrame({"Input": a["label"], "Name": a["name"], "Category": a["category"],
                                "Low": a["value_low"],
                                "High": a["value_high"], "Unit": a["unit"], "Source": a["source"],
                                "Meaning": a["notes"].fillna("")})
    items = (
        exhibits.Exhibit("data-files", f"{facts['data_files']} files, {facts['data_rows']} rows: "
                         f"{facts['primary_rows']} from primary sources, {facts['package_rows']} from a maintained "
                         f"price package, {facts['guide_rows']} from the guide, {facts['method_rows']} method choices",
                         "Source: every CSV file in data/",
                         "Rows per file by kind of source, with retrieval dates."),
        exhibits.Exhibit("data-stale",
                         (f"{facts['stale_rows']} price rows are older than the staleness limit"
                          if facts["stale_rows"] else "No price row is older than the staleness limit"),
                         "Source: the retrieval date of each price row, against the limit in data/datapackage.json",
                         "Price rows older than the staleness limit."),
        exhibits.Exhibit("data-assumptions", f"{len(assumptions)} scalar inputs, each a low–high range with its source",
                         "Source: data/assumptions.csv", "The scalar inputs of the model."),
        exhibits.Exhibit("data-sources", f"{facts['distinct_sources']} distinct primary sources",
                         "Source: the source column of every file in data/",
                         "Every primary source and the rows that cite it."),
        exhibits.Exhibit("data-api-prices",
                         f"{from_package} of {len(api)} API prices come from the genai-prices package, "
                         f"{len(api) - from_package} from the provider's own page",
                         "Source: data/api_prices.csv (python -m analysis prices sync refreshes the mapped rows)",
                         "Each API price with where it was read and when."),
    )
    return Chapter(tables={"files": files, "stale": stale, "sources": sources, "assumptions": assumptions,
                           "api_prices": api_prices}, facts=facts, key="data", exhibits=items)
