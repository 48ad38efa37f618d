"""The traffic rows of assumptions.csv are what the Azure 2023 trace gives (analysis/data/traffic.py)."""

import pandas as pd
import pytest

from analysis import paths
from analysis.data import traffic


@pytest.fixture(scope="module")
def figures():
    return traffic.derive()


def test_the_trace_is_the_copy_its_source_describes(figures):
    # SOURCE.md: 19,366 conversation requests and 8,819 coding requests.
    assert (figures["requests_conversation"], figures["requests_coding"]) == (19_366, 8_819)
    assert (paths.DATA_DIR / "sources" / "azure-llm-inference-2023" / "LICENSE").read_text(
        encoding="utf-8-sig").startswith("Attribution 4.0 International")


def test_the_published_shares(figures):
    # SOURCE.md and next-anchors: output is 15.5% of conversation tokens and 1.3% of coding tokens.
    assert round(figures["output_share_conversation"], 3) == 0.155
    assert round(figures["output_share_coding"], 3) == 0.013


def test_output_share_by_hand():
    # 100 + 300 input tokens, 50 + 50 output: 100 / 500 = 0.2.
    frame = pd.DataFrame({"input_tokens": [100, 300], "output_tokens": [50, 50]})
    assert traffic.output_share(frame) == pytest.approx(0.2)


def test_assumptions_hold_the_derived_ranges(dataset):
    rows = dataset["assumptions"].set_index("name")
    for name, (low, high) in traffic.assumption_ranges().items():
        assert (rows.loc[name, "value_low"], rows.loc[name, "value_high"]) == (low, high), name
        assert "AzurePublicDataset" in rows.loc[name, "source"]


def test_the_peak_to_average_row_is_the_profiles_busiest_hour(dataset):
    # The single peak-to-average input of the monthly model is derived from the named traffic profiles: from the
    # calmest profile's busiest hour (the chat profile's low end) to the peakiest's (the coding profile's high end).
    # Profiles without a cycle (flat, 1.0) do not widen it.
    profiles = dataset["traffic_profiles"]
    peaks = profiles[(profiles["parameter"] == "peak_over_mean") & (profiles["value_high"] > 1)]
    row = dataset["assumptions"].set_index("name").loc["peak_to_average"]
    assert (row["value_low"], row["value_high"]) == (peaks["value_low"].min(), peaks["value_high"].max())
