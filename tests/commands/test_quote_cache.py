"""What ``quote`` remembers of a validated dataset (``analysis/commands/quote_cache.py``): the same answer, warnings
included, without pandas; any changed byte validates again; a cache that cannot be read or written is no error."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import paths
from analysis.commands import quote_cache
from analysis.commands.cli import main
from analysis.data import loading
from analysis.evaluation import lookups

SITUATION = ["--tokens-per-month", "2B", "--api", "openai-gpt-5.4", "--model", "llama-3.3-70b", "--gpu", "h100-sxm",
             "--precision", "fp8"]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "quote-cache"
    monkeypatch.setattr(paths, "QUOTE_CACHE_DIR", folder)
    return folder


@pytest.fixture
def loads(monkeypatch) -> list[Path]:
    """The dataset folders quote validated with pandas, one entry per validation."""
    calls: list[Path] = []
    original = loading.load

    def counting(data_dir=None, *args, **kwargs):
        calls.append(Path(data_dir))
        return original(data_dir, *args, **kwargs)

    monkeypatch.setattr(loading, "load", counting)
    return calls


def quote(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["quote", *args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _stale(data_copy: Path) -> None:
    """Two API prices last confirmed on 2025-07-01, more than 180 days before the newest row: stale."""
    table = (data_copy / "api_prices.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    for line in (1, 2):  # openai-gpt-5.4, anthropic-claude-sonnet-4.6
        table[line] = table[line].replace(",base,2026-11-10,", ",base,2025-07-01,")
    (data_copy / "api_prices.csv").write_text("".join(table), encoding="utf-8")


@pytest.mark.parametrize("output", ["table", "json", "csv"])
def test_a_remembered_dataset_gives_the_same_answer_and_warnings(capsys, data_copy, cache_dir, loads, output):
    _stale(data_copy)
    options = [*SITUATION, "--data", str(data_copy), "--format", output]
    first = quote(capsys, *options)
    assert loads == [data_copy] and len(list(cache_dir.glob("*.json"))) == 1
    second = quote(capsys, *options)
    assert loads == [data_copy]  # not validated again
    assert second == first
    assert first[0] == 0 and first[2].splitlines() == [
        f"warning: {data_copy}/api_prices.csv, line 2, column 'confirmed_on': value '2025-07-01' is 522 days old "
        "(limit 180 days): check the price"]  # the Claude row is stale too, but this quote does not use it


def test_the_record_is_remembered_exactly(data_copy, cache_dir):
    record = lookups.record(loading.load(data_copy))
    key = quote_cache.key(data_copy)
    quote_cache.write(key, record, [])
    assert quote_cache.read(key) == {"record": record, "stale": []}  # floats round-trip; NaN is None both ways


def test_any_changed_byte_validates_again(capsys, data_copy, cache_dir, loads):
    assert quote(capsys, *SITUATION, "--data", str(data_copy))[0] == 0
    prices = data_copy / "api_prices.csv"
    prices.write_text(prices.read_text().replace(",2.50,15.00,0.25,", ",2.50,30.00,0.25,", 1))
    code, out, _ = quote(capsys, *SITUATION, "--data", str(data_copy), "--format", "json")
    assert code == 0 and loads == [data_copy, data_copy]
    # Base case: 2B tokens, 17.55% output (the 1.3%-33.8% midpoint), 28.15% of input cached at $0.25:
    # 2,000 million x (0.8245 x (0.7185 x $2.50 + 0.2815 x $0.25) + 0.1755 x $30.00) = 2,000 x 6.804032 = $13,608.06
    # a month (it was $8,343.06 at $15.00 output).
    assert json.loads(out)["cases"]["base"]["api_usd_per_month"] == pytest.approx(13_608.064625, rel=1e-12)
    broken = data_copy / "gpus.csv"
    broken.write_text(broken.read_text().replace(",80,GiB,2.039,", ",eighty,GiB,2.039,", 1))
    code, out, err = quote(capsys, *SITUATION, "--data", str(data_copy))
    assert code == 1 and out == "" and err.startswith(f"{data_copy}: 1 problem found; nothing was quoted\n")


def test_the_same_bytes_in_another_folder_are_another_entry(data_copy, tmp_path):
    # Warnings name their files by the folder, so a copy elsewhere has a key of its own.
    other = tmp_path / "elsewhere"
    other.mkdir()
    for csv in data_copy.iterdir():
        (other / csv.name).write_bytes(csv.read_bytes())
    assert quote_cache.key(other) != quote_cache.key(data_copy) is not None


def test_a_changed_module_of_the_package_validates_again(data_copy, monkeypatch):
    before = quote_cache.key(data_copy)
    files = quote_cache._code_files()
    monkeypatch.setattr(quote_cache, "_code_files", lambda: files[:-1])
    assert quote_cache.key(data_copy) != before


def test_a_missing_file_is_no_key_and_validation_says_why(capsys, data_copy, cache_dir):
    (data_copy / "gpus.csv").unlink()
    assert quote_cache.key(data_copy) is None
    code, _, err = quote(capsys, *SITUATION, "--data", str(data_copy))
    assert code == 1 and f"{data_copy}/gpus.csv" in err and not cache_dir.exists()


@pytest.mark.parametrize("damage", ["garbage", "other format", "written tomorrow", "no record"])
def test_a_damaged_entry_is_a_miss(capsys, data_copy, cache_dir, loads, damage):
    first = quote(capsys, *SITUATION, "--data", str(data_copy))
    (entry,) = cache_dir.glob("*.json")
    stored = json.loads(entry.read_text())
    if damage == "garbage":
        entry.write_bytes(b"\xff{not json")
    elif damage == "other format":
        entry.write_text(json.dumps({**stored, "format": quote_cache.FORMAT + 1}))
    elif damage == "written tomorrow":  # the clock went back: the dataset's dates were not checked against today
        tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
        entry.write_text(json.dumps({**stored, "validated_on": tomorrow.isoformat()}))
    else:
        entry.write_text(json.dumps({k: v for k, v in stored.items() if k != "record"}))
    assert quote(capsys, *SITUATION, "--data", str(data_copy)) == first
    assert loads == [data_copy, data_copy]


def test_a_cache_that_cannot_be_written_is_skipped(capsys, data_copy, tmp_path, monkeypatch, loads):
    # Its folder would sit under a file: no one can make it, root included (a read-only checkout fails alike).
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setattr(paths, "QUOTE_CACHE_DIR", blocker / "quote")
    first = quote(capsys, *SITUATION, "--data", str(data_copy))
    assert first[0] == 0 and first[1] and first[2] == ""
    assert quote(capsys, *SITUATION, "--data", str(data_copy)) == first
    assert loads == [data_copy, data_copy]  # validated each time, said nothing


def test_the_newest_entries_are_kept(cache_dir, monkeypatch):
    monkeypatch.setattr(quote_cache, "KEEP", 3)
    cache_dir.mkdir()
    for i in range(5):
        old = cache_dir / f"{i:064x}.json"
        old.write_text("{}")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    quote_cache.write("f" * 64, {"models": []}, [])
    kept = sorted(p.name for p in cache_dir.iterdir())
    assert kept == [f"{3:064x}.json", f"{4:064x}.json", f"{'f' * 64}.json"]


def test_a_remembered_quote_imports_no_pandas():
    # In its own process, as a reader runs it: the first run may validate (and remember); the second must not
    # import pandas, Frictionless or any chart library.
    heavy = ("pandas", "frictionless", "altair", "vl_convert", "IPython", "yaml")
    script = ("import sys; from analysis.commands.cli import main; code = main(['quote', *sys.argv[1:]]); "
              f"print(code, [m for m in {heavy!r} if m in sys.modules])")
    for _ in range(2):
        result = subprocess.run([sys.executable, "-c", script, *SITUATION], capture_output=True, text=True,
                                check=True, cwd=paths.REPO_ROOT)
    assert result.stdout.splitlines()[-1] == "0 []"


@pytest.mark.slow  # starts a dozen processes
def test_the_quote_benchmark_runs(capsys):
    from benches import load_bench

    assert load_bench("bench_quote").main(["--repeats", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("import numpy: median ") and "x import numpy (target at most 2.5x: " in out[1]
    assert out[3] == "heavy libraries a cached quote imports: none"
