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
    # every synced API row names the package; the others a primary URL
    api = dataset["api_prices"]
    synced = api["source"].str.startswith("package: genai-prices ")
    assert facts["package_rows"] == int(synced.sum()) > 0
    assert api.loc[~synced, "source"].str.startswith("https://").all()


def test_the_api_price_table_names_source_and_date_of_every_row(dataset):
    overview = data_page.build(dataset)
    table = overview.tables["api_prices"]
    assert len(table) == len(dataset["api_prices"])
    assert list(table.columns) == ["offer_id", "Provider", "Model", "Input, USD per M", "Output, USD per M",
                                   "Cached input, USD per M", "Source", "Retrieved"]
    # models by name where the offer serves an open model: DeepSeek's own API id is deepseek-v4-flash
    row = table.set_index("offer_id").loc["deepseek-v4-flash"]
    assert row["Model"] == "DeepSeek V4 Flash"
    assert row["Source"] == "package: genai-prices 0.2.3 (deepseek/deepseek-v4-flash)"
    titles = {e.name: e.title for e in overview.exhibits}
    synced = int(dataset["api_prices"]["source"].str.startswith("package:").sum())
    assert titles["data-api-prices"] == (f"{synced} of {len(table)} API prices come from the genai-prices package, "
                                         f"{len(table) - synced} from the provider's own page")
