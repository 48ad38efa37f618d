"""`prices sync`: API prices from a genai-prices snapshot, with a fake snapshot of every kind of entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from genai_prices import types as gp

from analysis.commands import prices_sync
from analysis.commands.cli import main
from analysis.data import prices

TODAY = dt.date(2026, 12, 2)


def _model(model_id: str, model_prices) -> gp.ModelInfo:
    return gp.ModelInfo(id=model_id, match=gp.ClauseEquals(equals=model_id), prices=model_prices)


def _window(start: int, end: int, input_mtok: str, output_mtok: str) -> gp.ConditionalPrice:
    return gp.ConditionalPrice(
        constraint=gp.TimeOfDateConstraint(start_time=dt.time(start, 0, tzinfo=dt.UTC),
                                           end_time=dt.time(end, 0, tzinfo=dt.UTC)),
        prices=gp.ModelPrice(input_mtok=Decimal(input_mtok), output_mtok=Decimal(output_mtok)))


FLAT = _model("flat", gp.ModelPrice(input_mtok=Decimal("2.5"), output_mtok=Decimal("15"),
                                    cache_read_mtok=Decimal("0.25")))
TIERED = _model("tiered", gp.ModelPrice(
    input_mtok=gp.TieredPrices(base=Decimal("1.25"), tiers=[gp.Tier(start=200_000, price=Decimal("2.5"))]),
    output_mtok=Decimal("10"), cache_read_mtok=Decimal("0.125")))
DATED = [gp.ConditionalPrice(prices=gp.ModelPrice(input_mtok=Decimal("0.1"), output_mtok=Decimal("0.2"))),
         gp.ConditionalPrice(constraint=gp.StartDateConstraint(start_date=dt.date(2026, 6, 1)),
                             prices=gp.ModelPrice(input_mtok=Decimal("0.2"), output_mtok=Decimal("0.4"))),
         gp.ConditionalPrice(constraint=gp.StartDateConstraint(start_date=dt.date(2027, 1, 1)),
                             prices=gp.ModelPrice(input_mtok=Decimal("0.3"), output_mtok=Decimal("0.6")))]
CONDITIONAL = _model("conditional", [*DATED, _window(0, 6, "0.4", "0.8")])
SNAPSHOT = ([gp.Provider(id="acme", name="Acme", api_pattern="acme", models=[FLAT, TIERED, CONDITIONAL])], "9.9.9")


def test_a_flat_entry_gives_its_prices():
    assert prices.entry_price(FLAT, "in-force", TODAY).usd_per_m == {
        "usd_per_m_input": 2.5, "usd_per_m_output": 15.0, "usd_per_m_cached_input": 0.25}


def test_a_tiered_price_is_taken_at_its_base_and_its_tiers_are_listed():
    price = prices.entry_price(TIERED, "in-force", TODAY)
    assert price.usd_per_m["usd_per_m_input"] == 1.25
    assert price.not_modelled == ["usd_per_m_input: tiers from 200,000 tokens at 2.5 (base 1.25 taken)"]


def test_dated_prices_take_the_one_in_force_and_list_the_rest():
    price = prices.entry_price(CONDITIONAL, "in-force", TODAY)
    # 2026-06-01 is in force on 2026-12-02; 2027-01-01 is not yet; the daily window is left out
    assert price.usd_per_m["usd_per_m_input"] == 0.2 and price.usd_per_m["usd_per_m_output"] == 0.4
    assert price.not_modelled == ["a price from 2027-01-01 (after the sync date)",
                                  "daily window 00:00-06:00 UTC at usd_per_m_input 0.4, usd_per_m_output 0.8"]


def test_daily_average_weights_each_window_by_its_hours():
    price = prices.entry_price(CONDITIONAL, "daily-average", TODAY)
    # 18 h at 0.2 and 6 h at 0.4: (18 x 0.2 + 6 x 0.4) / 24 = 0.25; output (18 x 0.4 + 6 x 0.8) / 24 = 0.5
    assert price.usd_per_m["usd_per_m_input"] == pytest.approx(0.25)
    assert price.usd_per_m["usd_per_m_output"] == pytest.approx(0.5)
    assert price.not_modelled[-1] == "averaged over the day: 18 h at the in-force price, 6 h 00:00-06:00 UTC"


def test_an_unknown_rule_is_an_error():
    with pytest.raises(ValueError, match="unknown genai_prices_rule 'cheapest': use one of in-force, daily-average"):
        prices.entry_price(FLAT, "cheapest", TODAY)


# The prices the mapped rows hold before the sync (input, output, cached input), as text.
OLD = {"openai-gpt-5.4": ("2.50", "15.00", "0.25"), "google-gemini-2.5-pro": ("1.25", "10.00", "0.31"),
       "deepseek-v4-flash": ("0.14", "0.28", "0.0028")}


def _map(data_dir, refs: dict[str, tuple[str, str]]) -> None:
    """Point these offers at fake entries with the OLD prices, and unmap every other row."""
    path = data_dir / "api_prices.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table["genai_prices_ref"] = table["offer_id"].map(lambda o: refs.get(o, ("", ""))[0])
    table["genai_prices_rule"] = table["offer_id"].map(lambda o: refs.get(o, ("", ""))[1])
    for offer, values in OLD.items():
        row = table["offer_id"] == offer
        table.loc[row, ["usd_per_m_input", "usd_per_m_output", "usd_per_m_cached_input"]] = values
    table.to_csv(path, index=False, lineterminator="\n")


REFS = {"openai-gpt-5.4": ("acme/flat", "in-force"), "google-gemini-2.5-pro": ("acme/tiered", "in-force"),
        "deepseek-v4-flash": ("acme/conditional", "daily-average"), "mistral-large-2": ("acme/gone", "in-force")}


def test_sync_prints_the_exact_diff_and_writes_the_rows(data_copy):
    _map(data_copy, REFS)
    said: list[str] = []
    status = prices_sync.sync(data_copy, today=TODAY, snapshot=SNAPSHOT, say=said.append)
    assert status == prices_sync.CHANGED
    unmapped = len(pd.read_csv(data_copy / "api_prices.csv")) - 3
    assert said[0] == f"genai-prices 9.9.9: 3 row(s) mapped, 3 price(s) changed, {unmapped} row(s) not mapped"
    # gpt-5.4 already holds 2.50 / 15.00 / 0.25: unchanged; gemini's cached input 0.31 -> 0.125 (0.125 / 0.31
    # - 1 = -59.7%); deepseek flash 0.14 / 0.28 -> 0.25 / 0.5 (+78.6% each; its entry has no cache price: kept)
    assert said[1].splitlines()[0].split() == ["offer", "field", "old", "new", "change"]
    assert [line.split() for line in said[1].splitlines()[2:]] == [
        ["google-gemini-2.5-pro", "usd_per_m_cached_input", "0.31", "0.125", "-59.7%"],
        ["deepseek-v4-flash", "usd_per_m_input", "0.14", "0.25", "+78.6%"],
        ["deepseek-v4-flash", "usd_per_m_output", "0.28", "0.5", "+78.6%"],
    ]
    assert "not mapped: mistral-large-2: genai_prices_ref 'acme/gone' is not in genai-prices 9.9.9" in said
    assert "not modelled: deepseek-v4-flash: usd_per_m_cached_input: the package has no price; 0.0028 kept" in said
    assert said[-1] == f"wrote {data_copy / 'api_prices.csv'}"
    table = pd.read_csv(data_copy / "api_prices.csv", dtype=str, keep_default_na=False).set_index("offer_id")
    assert table.loc["deepseek-v4-flash", ["usd_per_m_input", "usd_per_m_output", "usd_per_m_cached_input"]].tolist() \
        == ["0.25", "0.5", "0.0028"]
    assert table.at["deepseek-v4-flash", "source"] == "package: genai-prices 9.9.9 (acme/conditional)"
    assert table.at["deepseek-v4-flash", "retrieved_on"] == "2026-12-02"
    assert table.at["openai-gpt-5.4", "usd_per_m_input"] == "2.50"  # an unchanged price keeps its text
    # and a second sync finds nothing to do
    again: list[str] = []
    assert prices_sync.sync(data_copy, today=TODAY, snapshot=SNAPSHOT, say=again.append) == prices_sync.UNCHANGED
    assert again[-1] == f"{data_copy / 'api_prices.csv'}: already up to date"


def test_a_dry_run_writes_nothing(data_copy):
    _map(data_copy, REFS)
    before = (data_copy / "api_prices.csv").read_bytes()
    said: list[str] = []
    assert prices_sync.sync(data_copy, dry_run=True, today=TODAY, snapshot=SNAPSHOT, say=said.append) == 3
    assert said[-1] == "dry run: nothing written"
    assert (data_copy / "api_prices.csv").read_bytes() == before


def test_an_invalid_result_leaves_the_data_byte_identical(data_copy):
    _map(data_copy, {"openai-gpt-5.4": ("acme/absurd", "in-force")})
    absurd = _model("absurd", gp.ModelPrice(input_mtok=Decimal("5000"), output_mtok=Decimal("15")))
    snapshot = ([gp.Provider(id="acme", name="Acme", api_pattern="acme", models=[absurd])], "9.9.9")
    before = {p.name: p.read_bytes() for p in data_copy.iterdir()}
    said: list[str] = []
    assert prices_sync.sync(data_copy, today=TODAY, snapshot=snapshot, say=said.append) == prices_sync.INVALID
    path = data_copy / "api_prices.csv"
    assert said[-2] == f"error: the synced api_prices.csv would be invalid; {path} is unchanged:"
    assert "value '5000' is above the maximum 1000" in said[-1]
    assert {p.name: p.read_bytes() for p in data_copy.iterdir()} == before


def test_the_command_line_syncs_from_the_installed_package(data_copy, capsys):
    # the bundled snapshot of the pinned package holds every mapped entry of the committed dataset
    assert main(["prices", "sync", "--data", str(data_copy), "--date", "2026-12-02", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "price(s) changed" in out and "0 price(s) changed" in out
    assert "not mapped: deepinfra-llama-3.3-70b: no genai_prices_ref" in out
    with pytest.raises(SystemExit) as bad:
        main(["prices", "sync", "--colour"])
    assert bad.value.code == 2
