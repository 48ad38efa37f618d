"""The data page: every file of the dataset, where its rows come from, the stale prices, and the assumptions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analysis.data import second_source
from analysis.data.loading import Dataset
from analysis.evaluation import lookups
from analysis.model import spine
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
        "Cached input, USD per M": api["usd_per_m_cached_input"], "Tier": api["tier"], "Source": api["source"],
        "Retrieved": api["retrieved_on"].map(lambda d: d.isoformat()),
        "Confirmed by its source": api["confirmed_on"].map(lambda d: d.isoformat())})
    packages = api["source"].str.extract(r"^package: (\S+)", expand=False)
    from_genai, from_litellm = int((packages == "genai-prices").sum()), int((packages == "litellm").sum())
    checks, retired, hosts, check_facts = _second_source(ds)
    facts.update(check_facts)
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
                         f"{from_genai} of {len(api)} API prices come from the genai-prices package, {from_litellm} "
                         f"from LiteLLM's table, {len(api) - from_genai - from_litellm} from the provider's own page",
                         "Source: data/api_prices.csv (python -m analysis prices sync refreshes the mapped rows)",
                         "Each API price with its tier, where it was read and when its source last confirmed it."),
        exhibits.Exhibit("data-price-check",
                         f"{facts['check_agree']} of {facts['check_pairs']} comparisons agree within "
                         f"{facts['check_tolerance']}; {facts['check_explained']} differ or are missing with a stated "
                         f"reason, {facts['check_failing']} without one",
                         f"Source: data/api_prices.csv beside LiteLLM {facts['litellm_version']} "
                         f"(data/sources/litellm/) and genai-prices {facts['genai_version']}; "
                         "python -m analysis prices check",
                         "Every API row beside the two price tables, with the verdict and the row's reason."),
        exhibits.Exhibit("data-retired",
                         f"{len(retired)} offers are retired: kept as history, never a default",
                         "Source: data/api_prices.csv, each row's retirement date and replacement",
                         "Retired API offers and what their providers sell instead."),
        exhibits.Exhibit("data-cheapest-hosts",
                         "The cheapest live host of each open model, in each of the two price tables",
                         f"Source: LiteLLM {facts['litellm_version']} and genai-prices {facts['genai_version']}, "
                         "base-tier entries not retired on the table's date",
                         "Per open model and table: the cheapest entry at the base traffic mix."),
    )
    return Chapter(tables={"files": files, "stale": stale, "sources": sources, "assumptions": assumptions,
                           "api_prices": api_prices, "price_check": checks, "retired": retired,
                           "cheapest_hosts": hosts}, facts=facts, key="data", exhibits=items)


def _prices_text(prices: dict[str, float | None]) -> str:
    """``0.13 / 0.4 / -``: input, output and cached input, USD per million tokens."""
    return " / ".join("-" if prices[c] is None else f"{prices[c]:g}" for c in second_source.PRICE_COLUMNS)


def _second_source(ds: Dataset) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """The price check (every row beside LiteLLM and genai-prices), the retired offers and the cheapest host of
    each open model in each table, with the facts the page glues."""
    try:
        extract = second_source.read_extract(ds.data_dir)
    except second_source.ExtractError:  # a dataset without LiteLLM's table (a what-if's own data folder)
        extract = {"litellm_version": "(not in this dataset)", "released_on": ds.snapshot_date.isoformat(),
                   "entries": {}}
    providers, genai_version = second_source.bundled_genai_prices()
    compared = second_source.check(ds["api_prices"], extract, providers, genai_version)
    words = {o: visual.api_words(ds, o) for o in ds["api_prices"]["offer_id"]}
    checks = pd.DataFrame([{"offer_id": c.offer_id, "Offer": words[c.offer_id], "Source": c.source,
                            "Entry": c.ref or "(none)",
                            "Row: in / out / cached": _prices_text(c.ours),
                            "Source: in / out / cached": _prices_text(c.theirs) if c.ref else "",
                            "Verdict": c.verdict, "Reason": c.reason} for c in compared])
    api = ds["api_prices"]
    gone = api[api["retired_on"].notna()]
    retired = pd.DataFrame({"offer_id": gone["offer_id"], "Provider": gone["provider"],
                            "Model": [visual.api_words(ds, o).rsplit(" (", 1)[0] for o in gone["offer_id"]],
                            "Retired": gone["retired_on"].map(lambda d: d.isoformat()),
                            "Sold instead": gone["replaced_by"]})
    low, high = lookups.assumption(ds, "output_token_share")
    share = spine.base_of(low, high, "share")
    on = {"litellm": dt.date.fromisoformat(extract["released_on"]), "genai-prices": ds.snapshot_date}
    entries = second_source.all_entries(extract, providers, ds.snapshot_date)
    models = ds["models"].set_index("model_id")["model_name"]
    retired_refs = frozenset(gone["litellm_ref"].dropna()) | frozenset(gone["genai_prices_ref"].dropna())
    host_rows = []
    for source, found in entries.items():
        hosts_found = second_source.cheapest_hosts(found, source, list(models.index), share, on[source],
                                                   retired_refs)
        for model_id, host in sorted(hosts_found.items()):
            host_rows.append({"Model": models.get(model_id, model_id), "Table": source, "Entry": host.ref,
                              "Input, USD per M": host.usd_per_m_input, "Output, USD per M": host.usd_per_m_output,
                              "Blended, USD per M": round(host.blended_usd_per_m, 4)})
    hosts = pd.DataFrame(host_rows).sort_values(["Model", "Table"], kind="stable").reset_index(drop=True)
    verdicts = checks["Verdict"]
    facts = {"check_pairs": len(checks), "check_agree": int((verdicts == "agrees").sum()),
             "check_explained": int(verdicts.isin(["differs, explained", "not listed, explained"]).sum()),
             "check_failing": int(verdicts.isin(second_source.FAILING).sum()),
             "check_tolerance": f"{second_source.TOLERANCE:.0%}", "litellm_version": extract["litellm_version"],
             "genai_version": genai_version, "retired_offers": len(retired),
             "cheapest_share": f"{share:.1%}"}
    return checks, retired, hosts, facts
