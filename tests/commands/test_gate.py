"""One gate for data: every command refuses every malformed dataset the same way, before any notebook runs.

The malformed datasets are ``tests/data/test_loading.py``'s corpus (each with its exact messages). Here each one goes
through the four commands that read a dataset (``validate``, ``quote``, ``whatif`` and ``run``, which ``make report``
calls): each must exit 1, print the corpus's messages, and leave every committed notebook as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import time

import pandas as pd
import pytest
from corpus import CASES, TODAY, drop_rows, header_only

from analysis import paths
from analysis.commands import gate, prices_sync, runner
from analysis.commands.cli import main
from analysis.data import loading

QUOTE = ["--tokens-per-month", "2B", "--api", "openai-gpt-5.4", "--model", "llama-3.3-70b", "--gpu", "h100-sxm",
         "--precision", "fp8"]


def notebooks_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(paths.NOTEBOOKS_DIR.iterdir()):
        digest.update(path.name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"dir"))
    return digest.hexdigest()


@pytest.fixture
def frozen_today(monkeypatch):
    """The corpus's messages are written for 2026-12-05 (a future date is one after it)."""
    monkeypatch.setattr(loading, "today_utc", lambda: TODAY)


@pytest.mark.slow  # four commands on each of about 60 datasets
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_command_refuses_a_malformed_dataset_with_its_messages(case, data_copy, tmp_path, capsys,
                                                                     monkeypatch, frozen_today):
    mutate, expected = CASES[case]
    mutate(data_copy)
    if not expected:  # a case the gate accepts (a long note): it must pass, and quote must price on it
        assert main(["validate", str(data_copy)]) == 0
        assert main(["quote", *QUOTE, "--data", str(data_copy)]) == 0
        return
    messages = [f"  - {e.format(d=data_copy)}" for e in expected]
    before = notebooks_digest()
    commands = {
        "validate": ["validate", str(data_copy)],
        "quote": ["quote", *QUOTE, "--data", str(data_copy)],
        "whatif": ["whatif", "--data", str(data_copy), "--out", str(tmp_path / "report")],
        "run": ["run"],  # make report's first step, on this dataset in place of data/
    }
    monkeypatch.setattr(paths, "DATA_DIR", data_copy)
    for name, argv in commands.items():
        assert main(argv) == 1, name
        err = capsys.readouterr().err
        listed = [line for line in err.splitlines() if line.startswith("  - ")]
        assert listed == messages, name
    assert notebooks_digest() == before
    assert not (tmp_path / "report").exists()


def test_cr_only_line_ends_load_like_lf(data_copy):
    for path in data_copy.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    cr = loading.load(data_copy, today=TODAY)
    lf = loading.load(paths.DATA_DIR, today=TODAY)
    for name, frame in lf.tables.items():
        assert cr[name].equals(frame), name


@pytest.mark.parametrize("resource", [r["path"] for r in loading.descriptor()["resources"]])
def test_a_table_with_a_header_and_no_rows_is_refused(data_copy, resource):
    header_only(data_copy / resource)
    problems, _ = loading.validate(data_copy, today=TODAY)
    assert f"{data_copy}/{resource}: has a header but no rows: the model needs at least one row in every table" in [
        str(p) for p in problems]


def test_folders_and_stray_files_in_the_data_folder_are_ignored_and_said(data_copy, capsys):
    (data_copy / "backup").mkdir()
    (data_copy / "backup" / "gpus.csv").write_text("not, a, table\n", encoding="utf-8")
    (data_copy / ".ipynb_checkpoints").mkdir()
    (data_copy / "notes.txt").write_text("mine", encoding="utf-8")
    before = runner.inputs_digest(runner.nbformat.read(paths.NOTEBOOKS_DIR / "01_quick_comparison.ipynb", 4),
                                  data_copy, {})
    assert main(["validate", str(data_copy)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"{data_copy}: valid (12 files,")
    # (after the line, the dataset's own stale-price warnings)
    assert err.splitlines()[0] == (f"{data_copy}: ignored, not part of the dataset: .ipynb_checkpoints/ (a folder), "
                                   "backup/ (a folder), notes.txt (not a table of datapackage.json)")
    assert "ignored" not in "".join(err.splitlines()[1:])
    # The runner's digest reads the dataset's tables only: what lies beside them neither breaks nor moves it.
    shutil.rmtree(data_copy / "backup")
    after = runner.inputs_digest(runner.nbformat.read(paths.NOTEBOOKS_DIR / "01_quick_comparison.ipynb", 4),
                                 data_copy, {})
    assert after == before


def test_a_row_the_chapters_name_is_required(data_copy, capsys):
    drop_rows(data_copy / "gpu_prices.csv", "gpu_id", {"a100-80gb-sxm"})
    assert main(["validate", str(data_copy)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [f"{data_copy}: 1 problem found; nothing was built",
                       f"  - {data_copy}/gpu_prices.csv, column 'gpu_id': value 'a100-80gb-sxm' is missing: the "
                       "report's chapters name this row (datapackage.json, x-report-rows)"]
    # and the notebook that buys that GPU by default says so
    assert "  - 08_full_cost_comparison's default buy_gpu = 'a100-80gb-sxm': 08_full_cost_comparison buys it and " \
           "gpu_prices.csv has no purchase price for it (GPUs with a price: b200, h100-pcie, h100-sxm, h200-sxm, l4, " \
           "rtx-4090)" in err


def test_the_report_rows_are_every_id_the_code_names():
    # Every string in analysis/ (and every notebook default) that is a key of a table the chapters look rows up in
    # must be declared in x-report-rows, so the gate knows every row the report needs.
    ds = loading.load()
    keys = {table: set(ds[table][column]) for table, column in gate.KEYS.items() if table != "gpu_prices"}
    literals = set()
    for path in (paths.REPO_ROOT / "analysis").rglob("*.py"):
        literals |= set(re.findall(r'"([a-z0-9][a-z0-9.\-]*)"', path.read_text(encoding="utf-8")))
    for notebook in runner.notebooks():
        literals |= {v for v in runner.parameter_defaults(notebook).values() if isinstance(v, str)}
    declared = gate.report_rows()
    missing = {table: sorted((literals & names) - set(declared[table])) for table, names in keys.items()}
    assert {t: m for t, m in missing.items() if m} == {}


# ---------------------------------------------------------------- dates in one zone (UTC)


class _Clock:
    """A stand-in for the datetime module: one fixed instant, and no local date at all."""

    instant = dt.datetime(2026, 12, 5, 2, 30, tzinfo=dt.UTC)  # 18:30 on the 4th in Los Angeles

    class datetime(dt.datetime):  # named as the module's class it stands in for
        @classmethod
        def now(cls, tz=None):
            if tz is None:
                raise AssertionError("a local date or time was read")
            return _Clock.instant.astimezone(tz)

    class date(dt.date):
        @classmethod
        def today(cls):
            raise AssertionError("a local date was read")

    UTC = dt.UTC
    timedelta = dt.timedelta


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Etc/GMT+12", "Pacific/Kiritimati"])
def test_prices_sync_stamps_and_checks_the_same_utc_date_in_any_zone(data_copy, monkeypatch, zone, capsys):
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        monkeypatch.setattr(loading, "dt", _Clock)
        prices = data_copy / "api_prices.csv"
        prices.write_text(prices.read_text(encoding="utf-8").replace(",2.50,15.00,0.25,", ",2.60,15.00,0.25,", 1),
                          encoding="utf-8")
        assert prices_sync.sync(data_copy, say=lambda line: None) == prices_sync.CHANGED
        assert "package: genai-prices" in prices.read_text(encoding="utf-8")
        assert ",2026-12-05," in prices.read_text(encoding="utf-8")  # the UTC date, whatever the zone says
        assert loading.validate(data_copy)[0] == []
    finally:
        monkeypatch.undo()
        time.tzset()


def test_no_code_reads_a_local_date():
    pattern = re.compile(r"date\.today\(\)|datetime\.now\(\)|datetime\.today\(\)|time\.localtime|fromtimestamp\(")
    found = [f"{path.relative_to(paths.REPO_ROOT)}:{i}" for path in sorted((paths.REPO_ROOT / "analysis").rglob("*.py"))
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert found == []


def test_a_request_longer_than_the_context_held_is_refused(data_copy, capsys):
    # A review set tokens_per_request to 3,000,000 (inside its own range): no replica could hold one request, and
    # quote printed "does not fit" and "n/a" with exit 0. Replicas are sized for context_tokens per sequence.
    rows = (data_copy / "assumptions.csv").read_text(encoding="utf-8")
    (data_copy / "assumptions.csv").write_text(rows.replace("workload,1366,2076,", "workload,3000000,3000000,"),
                                               encoding="utf-8")
    message = (f"  - {data_copy}/assumptions.csv, line 39, column 'value_high': value '3000000' is above "
               "context_tokens' value_low = 8192 (line 2): a request must fit the context held for one sequence")
    for argv in (["validate", str(data_copy)], ["quote", *QUOTE, "--data", str(data_copy)]):
        assert main(argv) == 1
        assert capsys.readouterr().err.splitlines()[1:] == [message]


def test_a_situation_no_replica_serves_is_refused_in_words(capsys, monkeypatch):
    # The safety net behind the gate: were a case's GPU count not a number, quote says so instead of printing "n/a".
    from analysis.evaluation import quoting

    real = quoting.make_quote

    def unserved(record, request):
        made = real(record, request)
        figures = {case: {**values, "gpus": float("inf")} for case, values in made.figures.items()}
        return quoting.Quote(made.request, figures, made.efficiency_class, made.fragile)

    monkeypatch.setattr("analysis.commands.quote.make_quote", unserved)
    assert main(["quote", *QUOTE]) == 1
    assert capsys.readouterr().err == (f"error: the model cannot price this situation with {paths.DATA_DIR}: no "
                                       "replica of h100-sxm serves llama-3.3-70b at fp8 in the favourable, base, "
                                       "unfavourable case(s): none holds the model and one request while giving "
                                       "each user the speed promised (min_tokens_per_s_per_user)\n")


def test_a_speed_no_replica_reaches_is_refused_in_words(capsys):
    # 8,000 tokens a second to every user: no replica of up to eight nodes of H100s decodes Llama 3.3 70B that fast.
    assert main(["quote", *QUOTE, "--min-tokens-per-s-per-user", "8000"]) == 1
    assert capsys.readouterr().err.endswith("serves llama-3.3-70b at fp8 in the favourable, base, unfavourable "
                                            "case(s): none holds the model and one request while giving each user "
                                            "the speed promised (min_tokens_per_s_per_user)\n")


def test_a_retired_offer_the_chapters_name_is_refused(data_copy, capsys):
    # The chapters name deepinfra-llama-3.3-70b (the full-cost chapter's hosted Llama); retire it and the build stops
    # before any notebook, naming the line (offers: line 9 of the file, counting its header as line 1).
    path = data_copy / "api_prices.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = table["offer_id"] == "deepinfra-llama-3.3-70b"
    table.loc[row, ["retired_on", "replaced_by"]] = ["2026-11-30", "nothing named"]
    table.to_csv(path, index=False, lineterminator="\n")
    line = int(table.index[row][0]) + 2
    assert main(["validate", str(data_copy)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [f"{data_copy}: 1 problem found; nothing was built",
                       f"  - {data_copy}/api_prices.csv, line {line}, column 'retired_on': value '2026-11-30' retires "
                       "deepinfra-llama-3.3-70b, which the report's chapters name (datapackage.json, x-report-rows): "
                       "name an offer still sold (nothing named)"]
