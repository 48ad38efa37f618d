"""``prices check`` and ``prices litellm-extract``: exit codes and exact messages on the repository's data and on
copies with one thing broken."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths
from analysis.commands.cli import main
from analysis.data import second_source


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["prices", *args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def checked_copy(data_copy: Path) -> Path:
    """``data_copy`` with the LiteLLM extract beside the tables."""
    target = data_copy / second_source.EXTRACT_DIR
    target.mkdir(parents=True)
    shutil.copy(paths.DATA_DIR / second_source.EXTRACT_DIR / second_source.EXTRACT_FILE, target)
    return data_copy


def _edit(data_dir: Path, offer: str, **cells: str) -> None:
    path = data_dir / "api_prices.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column, value in cells.items():
        table.loc[table["offer_id"] == offer, column] = value
    table.to_csv(path, index=False, lineterminator="\n")


def test_every_row_of_the_dataset_is_explained(capsys):
    code, out, err = run(capsys, "check", "--format", "json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    rows = len(pd.read_csv(paths.DATA_DIR / "api_prices.csv"))
    # each row against both tables, and none failing
    assert len(result["rows"]) == 2 * rows and result["failing"] == 0
    verdicts = {(r["offer_id"], r["source"].split()[0]): r["verdict"] for r in result["rows"]}
    # DeepSeek's first-party row averages peak and off-peak over a week; LiteLLM lists the peak price
    assert verdicts["deepseek-v4-flash", "litellm"] == "differs, explained"
    assert verdicts["deepseek-v4-flash", "genai-prices"] == "agrees"
    # Nebius's base tier is in LiteLLM only; genai-prices has the Hugging Face router's fast tier
    assert verdicts["nebius-llama-3.3-70b", "litellm"] == "agrees"
    assert verdicts["nebius-llama-3.3-70b", "genai-prices"] == "not listed, explained"


def test_a_price_changed_without_a_reason_fails(capsys, checked_copy):
    _edit(checked_copy, "openai-gpt-5.4", usd_per_m_input="3.00")
    code, out, err = run(capsys, "check", "--data", str(checked_copy))
    assert code == 3
    assert err.splitlines() == [
        f"{checked_copy / 'api_prices.csv'}: openai-gpt-5.4: differs from litellm 1.110.2 gpt-5.4 in "
        "usd_per_m_input and gives no difference_reason",
        f"{checked_copy / 'api_prices.csv'}: openai-gpt-5.4: differs from genai-prices 0.2.3 openai/gpt-5.4 in "
        "usd_per_m_input and gives no difference_reason"]
    line = next(x for x in out.splitlines() if x.startswith("openai-gpt-5.4") and "litellm" in x)
    assert line.split()[-2:] == ["differs,", "unexplained"]


def test_an_offer_litellm_retired_must_be_marked(capsys, checked_copy):
    # LiteLLM dates the retirement of Together's Llama 3.1 8B Turbo 2026-03-06, before its own 2026-11-20 release.
    _edit(checked_copy, "together-llama-3.1-8b", retired_on="", replaced_by="")
    code, _, err = run(capsys, "check", "--data", str(checked_copy))
    assert code == 3
    assert err == (f"{checked_copy / 'api_prices.csv'}: together-llama-3.1-8b: "
                   "together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo is retired in litellm 1.110.2; "
                   "set retired_on and replaced_by\n")


def test_a_broken_extract_is_named(capsys, checked_copy):
    extract = checked_copy / second_source.EXTRACT_DIR / second_source.EXTRACT_FILE
    data = json.loads(extract.read_text())
    data["entries"]["gpt-5.4"]["input_cost_per_token"] = "cheap"
    extract.write_text(json.dumps(data))
    code, out, err = run(capsys, "check", "--data", str(checked_copy))
    assert (code, out) == (1, "")
    assert err == f"error: {extract}: entry 'gpt-5.4', field input_cost_per_token: 'cheap' is not a price >= 0\n"
    extract.unlink()
    code, _, err = run(capsys, "check", "--data", str(checked_copy))
    assert code == 1
    assert err == (f"error: {extract}: missing; write it with `python -m analysis prices litellm-extract WHEEL`\n")


def test_an_invalid_dataset_is_refused(capsys, checked_copy):
    _edit(checked_copy, "openai-gpt-5.4", tier="premium")
    code, _, err = run(capsys, "check", "--data", str(checked_copy))
    assert code == 1
    assert "column 'tier': value 'premium'" in err


def test_the_extract_keeps_named_entries_and_the_open_models(capsys, checked_copy, tmp_path):
    table = {"sample_spec": {"input_cost_per_token": "text"},
             "gpt-5.4": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1.5e-05,
                         "litellm_provider": "openai", "max_tokens": 128000},
             "nebius/meta-llama/Llama-3.3-70B-Instruct": {"input_cost_per_token": 1.3e-07,
                                                          "output_cost_per_token": 4e-07},
             "acme/some-other-model": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06}}
    wheel = tmp_path / "litellm-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("litellm/model_prices_and_context_window_backup.json", json.dumps(table))
    code, out, _ = run(capsys, "litellm-extract", str(wheel), "--released-on", "2027-01-02",
                       "--data", str(checked_copy))
    target = checked_copy / second_source.EXTRACT_DIR / second_source.EXTRACT_FILE
    assert (code, out) == (0, f"wrote {target}: 2 entries of LiteLLM 9.9.9\n")
    written = json.loads(target.read_text())
    # a named row (gpt-5.4, fields the check reads only) and an open model's host; not the unrelated entry
    assert written["entries"] == {"gpt-5.4": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1.5e-05,
                                              "litellm_provider": "openai"},
                                  "nebius/meta-llama/Llama-3.3-70B-Instruct": {"input_cost_per_token": 1.3e-07,
                                                                               "output_cost_per_token": 4e-07}}
    assert (written["litellm_version"], written["released_on"]) == ("9.9.9", "2027-01-02")
    assert not list(target.parent.glob(".*.tmp"))
    code, _, err = run(capsys, "litellm-extract", str(wheel), "--released-on", "soon", "--data", str(checked_copy))
    assert (code, err) == (2, "error: --released-on 'soon' is not a date YYYY-MM-DD\n")


def test_the_extract_refuses_a_missing_wheel_and_an_invalid_dataset_in_words(capsys, checked_copy, tmp_path):
    before = (checked_copy / second_source.EXTRACT_DIR / second_source.EXTRACT_FILE).read_bytes()
    missing = tmp_path / "litellm-9.9.9-py3-none-any.whl"
    code, out, err = run(capsys, "litellm-extract", str(missing), "--released-on", "2027-01-02",
                         "--data", str(checked_copy))
    assert (code, out) == (1, "")
    assert err == f"error: {missing}: no such wheel (get one with `pip download litellm==X --no-deps`)\n"
    # a dataset whose rows cannot be read: every problem named, nothing written (no pandas KeyError)
    _edit(checked_copy, "openai-gpt-5.4", tier="premium")
    with zipfile.ZipFile(missing, "w") as archive:
        archive.writestr("litellm/model_prices_and_context_window_backup.json", "{}")
    code, _, err = run(capsys, "litellm-extract", str(missing), "--released-on", "2027-01-02",
                       "--data", str(checked_copy))
    assert code == 1
    assert err.splitlines()[0] == f"error: {checked_copy} is not a valid dataset; fix it before extracting:"
    assert "column 'tier': value 'premium'" in err
    assert (checked_copy / second_source.EXTRACT_DIR / second_source.EXTRACT_FILE).read_bytes() == before
