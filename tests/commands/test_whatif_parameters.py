"""What a what-if refuses before any work: parameters out of range or that the dataset cannot price, hostile YAML,
and run-control options out of range. Every case runs the command in this process and builds nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from analysis import paths
from analysis.commands import whatif
from analysis.commands.cli import main


def refused(capsys, *argv: str) -> tuple[int, list[str]]:
    code = main(list(argv))
    return code, capsys.readouterr().err.splitlines()


def test_a_volume_out_of_range_is_refused(capsys, tmp_path):
    # issue 23: `-p tokens_per_month -1` built a report whose calculator showed nothing
    code, err = refused(capsys, "whatif", "--out", str(tmp_path / "r"), "-p", "tokens_per_month", "-1")
    assert code == 2
    assert err == ["error: -p tokens_per_month -1: parameter tokens_per_month: '-1' is out of range: a volume in "
                   "tokens a month must be from 1 to 1e+16"]
    assert not (tmp_path / "r").exists()


def _no_l4(data_dir: Path) -> Path:
    """A dataset in which the L4 has no purchase price and no rental offer (the repository's has both)."""
    import pandas as pd

    for name, column in (("gpu_prices.csv", "gpu_id"), ("gpu_rentals.csv", "gpu_id")):
        table = pd.read_csv(data_dir / name, dtype=str, keep_default_na=False)
        table[table[column] != "l4"].to_csv(data_dir / name, index=False, lineterminator="\n")
    return data_dir


def test_names_the_dataset_cannot_price_are_refused_every_one(capsys, tmp_path, data_copy):
    # issue 23: `-p api custom` built a blank calculator; an L4 without a purchase price or a rental offer.
    data = _no_l4(data_copy)
    code, err = refused(capsys, "whatif", "--data", str(data), "--out", str(tmp_path / "r"), "-p", "api", "custom",
                        "-p", "gpu", "l4")
    assert code == 2
    assert err[0] == f"{data}: the report's notebooks name what the dataset cannot price; no notebook was run"
    assert err[1].startswith("  - -p api = 'custom' is not in api_prices.csv: valid API offers are ")
    assert "  - -p gpu = 'l4': 00_calculator buys it and gpu_prices.csv has no purchase price for it (GPUs with a " \
           "price: a100-80gb-sxm, b200, h100-pcie, h100-sxm, h200-sxm, rtx-4090)" in err
    assert "  - 09_scenario_1's default rent_offer = 'lambda-h100-8x' rents h100-sxm, not gpu = 'l4' (offers for " \
           "l4: none)" in err
    assert not (tmp_path / "r").exists()


def test_a_rental_offer_for_another_gpu_is_refused(capsys, tmp_path):
    code, err = refused(capsys, "whatif", "--out", str(tmp_path / "r"), "-p", "rent", "lambda-h100-8x", "-p", "gpu",
                        "a100-80gb-sxm", "-p", "rent_offer", "lambda-a100-8x")
    assert code == 2
    assert err[1:] == ["  - -p rent = 'lambda-h100-8x' rents h100-sxm, not gpu = 'a100-80gb-sxm' (offers for "
                       "a100-80gb-sxm: aws-p4de-24xlarge, aws-p4de-24xlarge-1yr, aws-p4de-24xlarge-3yr, "
                       "coreweave-a100-8x, coreweave-a100-8x-spot, lambda-a100-8x, runpod-a100-1x)"]


def test_a_grid_upside_down_is_refused(capsys, tmp_path):
    code, err = refused(capsys, "whatif", "--out", str(tmp_path / "r"), "-p", "grid_low_tokens_per_month", "1e12",
                        "-p", "grid_high_tokens_per_month", "1e9")
    assert code == 2
    assert err[1:] == ["  - 13_uncertainty: grid_low_tokens_per_month = 1e+12 must be below "
                       "grid_high_tokens_per_month = 1e+09"]


def test_priceable_overrides_pass_the_check():
    per_notebook = whatif.resolve_overrides(
        sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")),
        {"gpu": ("a100-80gb-sxm", "-p gpu"), "rent_offer": ("lambda-a100-8x", "-p rent_offer"),
         "draws": ("500", "-p draws")})
    from analysis.commands import gate

    problems, not_priced, _ = gate.check(paths.DATA_DIR, per_notebook)
    assert (problems, not_priced) == ([], [])


def test_yaml_aliases_are_refused_at_once(capsys, tmp_path):
    # issue 23: 1.5 KB of nested aliases hung the command (killed after 60 s): a billion-value expansion
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    params = tmp_path / "bomb.yaml"
    params.write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    code, err = refused(capsys, "whatif", "--out", str(tmp_path / "r"), "-f", str(params))
    assert time.perf_counter() - start < 30  # the finding was a hang: a refusal, not an expansion
    assert code == 2
    assert err[0].startswith(f"error: parameter file {params} is not valid YAML: ")
    assert "aliases (*name) are not accepted in a parameter file" in err[0] + " ".join(err[1:])


def test_a_parameter_file_too_large_is_refused(capsys, tmp_path):
    params = tmp_path / "big.yaml"
    params.write_text("draws: 100\n" + "# padding\n" * (whatif.MAX_PARAMETER_FILE_BYTES // 10), encoding="utf-8")
    size = params.stat().st_size
    code, err = refused(capsys, "whatif", "--out", str(tmp_path / "r"), "-f", str(params))
    assert code == 2
    assert err == [f"error: parameter file {params} is {size:,} bytes; a parameter file holds at most "
                   f"{whatif.MAX_PARAMETER_FILE_BYTES:,} (a mapping of names to values)"]


def test_a_nested_value_is_refused(capsys, tmp_path):
    params = tmp_path / "nested.yaml"
    params.write_text("draws: [1, 2]\n", encoding="utf-8")
    code, err = refused(capsys, "whatif", "--out", str(tmp_path / "r"), "-f", str(params))
    assert code == 2
    assert err == [f"error: {params}: draws: parameter draws takes one value, not a list"]


@pytest.mark.parametrize(("argv", "message"), [
    (["run", "--jobs", "-1"], "python -m analysis run: error: argument --jobs: '-1' is out of range: notebooks at "
                              "once must be whole numbers from 1 to 256"),
    (["run", "--jobs", "2.5"], "python -m analysis run: error: argument --jobs: expected a whole number, got '2.5'"),
    (["validate", "--max-age-days", "-1"], "python -m analysis validate: error: argument --max-age-days: '-1' is out "
                                           "of range: days must be whole numbers from 1 to 36500"),
])
def test_run_control_options_out_of_range_are_refused_in_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == message + "\n"


def test_a_value_from_a_file_is_named_by_its_file(capsys, tmp_path, data_copy):
    params = tmp_path / "params.yaml"
    params.write_text("gpu: l4\n", encoding="utf-8")
    code, err = refused(capsys, "whatif", "--data", str(_no_l4(data_copy)), "--out", str(tmp_path / "r"),
                        "-f", str(params))
    assert code == 2
    assert err[1] == (f"  - {params}: gpu = 'l4': 00_calculator buys it and gpu_prices.csv has no purchase price for "
                      "it (GPUs with a price: a100-80gb-sxm, b200, h100-pcie, h100-sxm, h200-sxm, rtx-4090)")


@pytest.mark.parametrize("kind", ["device", "named pipe"])
def test_a_parameter_file_that_is_no_regular_file_is_refused_at_once(capsys, tmp_path, kind):
    # /dev/zero was read until memory ran out; a named pipe blocked for ever (both report a size of 0)
    import os

    path = Path("/dev/zero") if kind == "device" else tmp_path / "pipe"
    if kind == "named pipe":
        os.mkfifo(path)
    code, err = refused(capsys, "whatif", "--out", str(tmp_path / "r"), "-f", str(path))
    assert code == 2
    assert err == [f"error: parameter file {path} is not a regular file"]


@pytest.mark.parametrize(("argv", "message"), [
    (["-p", "draws", "1e400"], "error: -p draws 1e400: parameter draws expects a whole number (int), got '1e400'"),
    (["-p", "seed", "9223372036854775808"],  # 2**63: as a float it equals the maximum 2**63 - 1, as a whole number not
     "error: -p seed 9223372036854775808: parameter seed: '9223372036854775808' is out of range: a random seed must "
     "be whole numbers from 0 to 9223372036854775807"),
])
def test_whole_numbers_are_read_exactly(capsys, tmp_path, argv, message):
    code, err = refused(capsys, "whatif", "--out", str(tmp_path / "r"), *argv)
    assert (code, err) == (2, [message])


def test_a_seed_keeps_every_digit():
    notebooks = sorted(paths.NOTEBOOKS_DIR.glob("13_*.ipynb"))
    chosen = whatif.resolve_overrides(notebooks, {"seed": ("12345678901234567", "-p seed")})
    assert chosen[notebooks[0]]["seed"] == 12345678901234567  # a float would give ...568


def test_a_folder_name_that_is_not_utf8_is_refused(capsys, tmp_path):
    import os

    odd = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/\xffname"))
    code, err = refused(capsys, "whatif", "--out", str(odd / "report"))
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: --out '") and "\\udcffname" in err[0]  # quoted, its escape shown
    assert err[0].endswith(": the name is not valid UTF-8; rename the folder (the report's pages name it)")


def test_folders_made_for_out_go_again_when_the_build_fails(capsys, tmp_path, monkeypatch):
    from analysis.commands import runner

    def failing(jobs, **kwargs):
        return [runner.Outcome(jobs[0], "failed", 0.0, "cell 1 raised ValueError: planted")]

    monkeypatch.setattr(runner, "run", failing)
    code, err = refused(capsys, "whatif", "--out", str(tmp_path / "new" / "deeper" / "report"), "--jobs", "1")
    assert code == 1
    assert err[-1] == f"what-if report not built; {tmp_path / 'new' / 'deeper' / 'report'} is unchanged"
    assert list(tmp_path.iterdir()) == []  # new/deeper/ made for --out, and the staging folder, are gone
