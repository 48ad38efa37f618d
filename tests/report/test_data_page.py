"""The data page: rows by kind of source, stale prices, where each API price comes from."""

from __future__ import annotations

from analysis.report.chapters import data_page


def test_every_row_is_counted_under_exactly_one_kind_of_source(dataset):
    overview = data_page.build(dataset)
    kinds = ["Primary source", "Price package", "The guide", "Method choice"]
    assert (overview.tables["files"][kinds].sum(axis=1) == overview.tables["files"]["Rows"]).all()
    facts = overview.facts
    assert facts["data_rows"] == sum(len(t) for t in dataset.tables.values())
    assert (facts["primary_rows"] + facts["package_rows"] + facts["guide_rows"] + facts["method_rows"]
            == facts["data_rows"])
    # every API row read from a package (genai-prices or LiteLLM) names it; the others a primary URL
    api = dataset["api_prices"]
    synced = api["source"].str.startswith("package: genai-prices ") | api["source"].str.startswith("package: litellm ")
    assert facts["package_rows"] == int(synced.sum()) > 0
    assert api.loc[~synced, "source"].str.startswith("https://").all()


def test_the_api_price_table_names_source_and_date_of_every_row(dataset):
    overview = data_page.build(dataset)
    table = overview.tables["api_prices"]
    assert len(table) == len(dataset["api_prices"])
    assert list(table.columns) == ["offer_id", "Provider", "Model", "Input, USD per M", "Output, USD per M",
                                   "Cached input, USD per M", "Tier", "Source", "Retrieved", "Confirmed by its source"]
    # models by name where the offer serves an open model: DeepSeek's own API id is deepseek-v4-flash
    row = table.set_index("offer_id").loc["deepseek-v4-flash"]
    assert row["Model"] == "DeepSeek V4 Flash"
    assert row["Source"] == "package: genai-prices 0.2.3 (deepseek/deepseek-v4-flash)"
    titles = {e.name: e.title for e in overview.exhibits}
    sources = dataset["api_prices"]["source"]
    genai, litellm = int(sources.str.startswith("package: genai-prices").sum()), \
        int(sources.str.startswith("package: litellm").sum())
    assert titles["data-api-prices"] == (f"{genai} of {len(table)} API prices come from the genai-prices package, "
                                         f"{litellm} from LiteLLM's table, {len(table) - genai - litellm} from the "
                                         "provider's own page")


def test_the_price_check_retired_offers_and_cheapest_hosts(dataset):
    page = data_page.build(dataset)
    checks, facts = page.tables["price_check"], page.facts
    # each API row against both tables; every difference explained in the shipped dataset
    assert len(checks) == 2 * len(dataset["api_prices"]) == facts["check_pairs"]
    assert facts["check_failing"] == 0 and facts["check_agree"] + facts["check_explained"] == facts["check_pairs"]
    row = checks[(checks["offer_id"] == "deepinfra-llama-3.3-70b")
                 & checks["Source"].str.startswith("litellm")].iloc[0]
    assert (row["Row: in / out / cached"], row["Verdict"]) == ("0.1 / 0.32 / -", "agrees")
    retired = page.tables["retired"].set_index("offer_id")
    assert retired.at["google-gemini-2.5-pro", "Retired"] == "2026-12-01"
    assert set(retired.index) == set(dataset["api_prices"].loc[dataset["api_prices"]["retired_on"].notna(),
                                                               "offer_id"])
    hosts = page.tables["cheapest_hosts"]
    # both tables have a host for every open model the report sizes; Llama 3.3 70B's cheapest in LiteLLM is
    # DeepInfra's Turbo at 0.10 / 0.32 (blend at the base mix below Novita's 0.135 / 0.40)
    assert set(hosts["Table"]) == {"litellm", "genai-prices"}
    llama = hosts[(hosts["Model"] == "Llama 3.3 70B Instruct") & (hosts["Table"] == "litellm")].iloc[0]
    assert llama["Entry"] == "deepinfra/meta-llama/Llama-3.3-70B-Instruct-Turbo"
    # a retired offer is never the cheapest host: Groq's Maverick (retired 2026-03-09) is in genai-prices still
    assert "groq/meta-llama/llama-4-maverick-17b-128e-instruct" not in set(hosts["Entry"])
