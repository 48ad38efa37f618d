"""Loading and validation: the real dataset loads; every kind of malformed file is named exactly."""

from __future__ import annotations

import dataclasses

import pytest
from corpus import CASES, TODAY, replace_in

from analysis import paths
from analysis.commands.cli import main
from analysis.data import loading


def test_canonical_dataset_loads_with_every_table(dataset):
    assert set(dataset.tables) == {r["name"] for r in loading.descriptor()["resources"]}
    assert dataset["models"].index[0] == 2  # index = CSV line number (line 1 is the header)
    assert dataset["gpus"]["memory_gb"].dtype == "float64"
    assert dataset.snapshot_date == max(max(t["retrieved_on"]) for t in dataset.tables.values())


def test_every_row_has_a_source_and_a_date(dataset):
    for name, frame in dataset.tables.items():
        assert frame["source"].notna().all(), name
        assert frame["retrieved_on"].notna().all(), name


def test_descriptor_lists_exactly_the_csv_files():
    listed = {r["path"] for r in loading.descriptor()["resources"]}
    assert listed == {p.name for p in paths.DATA_DIR.glob("*.csv")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_dataset_gives_exact_messages(case, data_copy):
    mutate, expected = CASES[case]
    mutate(data_copy)
    problems, _ = loading.validate(data_copy, today=TODAY)
    assert [str(p) for p in problems] == [e.format(d=data_copy) for e in expected]


def test_load_raises_with_every_problem(data_copy):
    CASES["two files broken"][0](data_copy)
    with pytest.raises(loading.DataValidationError) as err:
        loading.load(data_copy, today=TODAY)
    assert len(err.value.problems) == 2
    assert str(err.value).startswith(f"invalid dataset {data_copy}: 2 problems\n  - {data_copy}/gpus.csv, line 2")


def test_staleness_warns_on_our_prices_not_on_the_guide_claims(data_copy):
    # gpu_prices.csv: the A100 and H100 rows are the guide's (2026-04-29, not checked); the RTX 4090
    # row is ours: dated 2025-01-01 it is 703 days older than the newest row (2026-12-05).
    replace_in(data_copy / "gpu_prices.csv", "1599,1599,https://nvidianews.nvidia.com/news/nvidia-ada-lovelace"
               "-architecture-geforce-rtx-4090,2026-11-27", "1599,1599,https://nvidianews.nvidia.com/news/nvidia-"
               "ada-lovelace-architecture-geforce-rtx-4090,2025-01-01")
    ds = loading.load(data_copy, today=TODAY)
    assert [str(p) for p in ds.stale if "gpu_prices" in p.file] == [
        f"{data_copy}/gpu_prices.csv, line 4, column 'retrieved_on': value '2025-01-01' is 703 days old "
        "(limit 180 days): check the price"]


@pytest.mark.slow  # a full validation (Frictionless)
def test_validate_command_exits_non_zero_and_lists_problems(capsys, data_copy):
    CASES["two files broken"][0](data_copy)
    assert main(["validate", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert f"{data_copy}: 2 problems found; nothing was built" in err
    assert "value 'eighty' is not a number" in err


@pytest.mark.slow  # a full validation (Frictionless) unless a previous run left it cached
def test_validate_command_accepts_the_canonical_dataset(capsys):
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith(f"{paths.DATA_DIR}: valid (")


def test_data_readme_documents_every_column():
    from analysis.data import datadoc

    readme = (paths.DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert datadoc.render_readme(readme) == readme, "run `python -m analysis data-dictionary --write`"
    for resource in loading.descriptor()["resources"]:
        assert f"### `{resource['path']}`" in readme
        for field in resource["schema"]["fields"]:
            assert f"| `{field['name']}` |" in readme, (resource["path"], field["name"])


def test_a_derived_value_is_computed_once_and_never_outlives_its_tables(dataset):
    calls = []

    def gpu_count(ds: loading.Dataset) -> int:
        calls.append(ds)
        return len(ds["gpus"])

    ds = dataclasses.replace(dataset)  # a memo of its own
    assert ds.derived("gpu count", gpu_count) == ds.derived("gpu count", gpu_count) == len(dataset["gpus"])
    assert len(calls) == 1
    # New tables make a new dataset, whose memo starts empty: the old count cannot be read.
    two = dataclasses.replace(ds, tables={**ds.tables, "gpus": ds["gpus"].iloc[:2]})
    assert two.derived("gpu count", gpu_count) == 2 and len(calls) == 2


def test_api_prices_are_judged_stale_on_the_date_their_source_confirmed_them(data_copy):
    # openai-gpt-5.4 was read on 2026-12-02 but genai-prices last confirmed it on 2026-11-10. Move that confirmation
    # to 2026-01-01: 338 days before the newest row (2026-12-05), past the 180-day limit, although the row was read
    # three days ago. A retired offer confirmed long ago (mistral-large-2, 2025-07-04) is history: no warning.
    replace_in(data_copy / "api_prices.csv", "base,2026-11-10,,,,gpt-5.4,", "base,2026-01-01,,,,gpt-5.4,")
    ds = loading.load(data_copy, today=TODAY)
    stale = [str(p) for p in ds.stale if "api_prices" in p.file]
    assert f"{data_copy}/api_prices.csv, line 2, column 'confirmed_on': value '2026-01-01' is 338 days old " \
           "(limit 180 days): check the price" in stale
    assert not any("line 7," in s for s in stale)  # mistral-large-2, retired
