"""The corpus of malformed datasets: each a change to a copy of ``data/`` and the exact messages the data gate
gives for it (``tests/data/test_loading.py`` checks the messages, ``tests/commands/test_gate.py`` sends each
through every command). The last groups are the hostile inputs issue 23 and its review found."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from analysis.data import limits

TODAY = dt.date(2026, 12, 5)


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _drop_column(path: Path, column: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    import csv
    import io
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    idx = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:idx] + r[idx + 1:] for r in rows])
    path.write_text(out.getvalue(), encoding="utf-8")


NOT_A_NUMBER = "is not a number: write digits 0-9 with an optional sign, point and exponent, such as 2.5 or 1e9"
NOT_WHOLE = "is not a whole number: write digits 0-9, such as 8"


def header_only(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


def drop_rows(path: Path, column: str, values: set[str]) -> None:
    import csv
    import io
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    i = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0], *[r for r in rows[1:] if r[i] not in values]])
    path.write_text(out.getvalue(), encoding="utf-8")


def folder_for_file(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "backup.csv").write_text("a\n1\n")


# Each case: a mutation of a copy of data/, and the exact list of messages it must produce. The last group are
# the hostile inputs issue 23 found reaching a traceback or an internal error: each is now refused here.
CASES = {
    "missing file": (lambda d: (d / "gpus.csv").unlink(),
                     ["{d}/gpus.csv: file is missing (listed in datapackage.json)"]),
    "empty file": (lambda d: (d / "precisions.csv").write_text(""),
                   ["{d}/precisions.csv: file is empty: expected a header row and data rows"]),
    "byte-order mark": (lambda d: (d / "gpus.csv").write_bytes(b"\xef\xbb\xbf" + (d / "gpus.csv").read_bytes()),
                        ["{d}/gpus.csv, line 1: file starts with a UTF-8 byte-order mark (BOM): "
                         "save it as UTF-8 without BOM"]),
    "semicolons": (lambda d: (d / "precisions.csv").write_text(
                       (d / "precisions.csv").read_text().replace(",", ";")),
                   ["{d}/precisions.csv, line 1: header is separated by ';', not commas: "
                    "save the file as comma-separated"]),
    "not utf-8": (lambda d: (d / "gpus.csv").write_bytes(
                      (d / "gpus.csv").read_bytes().replace(b"Ampere", b"\xff")),
                  ["{d}/gpus.csv, line 2: is not valid UTF-8 (byte 353): save it as UTF-8"]),
    "missing column": (lambda d: _drop_column(d / "gpus.csv", "tdp_watts"),
                       ["{d}/gpus.csv, line 1, column 'tdp_watts': column is missing from the header"]),
    "extra column": (lambda d: replace_in(d / "precisions.csv", "notes\n", "notes,comment\n"),
                     ["{d}/precisions.csv, line 1, column 'comment': column is not in the schema (expected: "
                      "precision, bits_nominal, bits_per_param_low, bits_per_param_high, source, retrieved_on, "
                      "notes)"]),
    "a column twice in the header": (lambda d: replace_in(d / "precisions.csv", "notes\n", "notes,bits_nominal\n"),
                                    ["{d}/precisions.csv, line 1, column 'bits_nominal': column appears twice in the "
                                     "header"]),
    "text in a number": (lambda d: replace_in(d / "gpus.csv", ",80,GiB,2.039,", ",eighty,GiB,2.039,"),
                         ["{d}/gpus.csv, line 2, column 'memory_capacity': value 'eighty' " + NOT_A_NUMBER]),
    "empty required cell": (lambda d: replace_in(d / "gpus.csv", ",80,GiB,2.039,", ",,GiB,2.039,"),
                            ["{d}/gpus.csv, line 2, column 'memory_capacity': is empty but required"]),
    "negative price": (lambda d: replace_in(d / "gpu_prices.csv", ",8000,12000,", ",-8000,12000,"),
                       ["{d}/gpu_prices.csv, line 2, column 'usd_low': value '-8000' is below the minimum 100"]),
    "share above one": (lambda d: replace_in(d / "assumptions.csv", "memory the engine uses,sizing,0.9,0.95",
                                             "memory the engine uses,sizing,0.9,1.5"),
                        ["{d}/assumptions.csv, line 5, column 'value_high': value '1.5' is out of range for "
                         "gpu_memory_utilization: a share of GPU memory must be from 0.1 to 1"]),
    "absurd value": (lambda d: replace_in(d / "gpus.csv", ",80,GiB,2.039,", ",80000,GiB,2.039,"),
                     ["{d}/gpus.csv, line 2, column 'memory_capacity': value '80000' is above the maximum 1024 "
                      "(device memory as the vendor states it, in memory_unit)"]),
    "unknown enum value": (lambda d: replace_in(d / "models.csv", ",dense,70.6,", ",sparse,70.6,"),
                           ["{d}/models.csv, line 2, column 'architecture': value 'sparse' is not one of: dense, moe"]),
    "duplicate key": (lambda d: replace_in(d / "gpus.csv", "h100-pcie,", "h100-sxm,"),
                      # and the rows that priced the renamed GPU now name none: every problem is listed
                      ["{d}/gpus.csv, line 4, column 'gpu_id': value 'h100-sxm' duplicates the primary key "
                       "(first on line 3)",
                       "{d}/gpu_prices.csv, line 8, column 'gpu_id': value 'h100-pcie' is not found in gpus.csv "
                       "column gpu_id",
                       "{d}/gpu_rentals.csv, line 22, column 'gpu_id': value 'h100-pcie' is not found in gpus.csv "
                       "column gpu_id",
                       "{d}/gpu_rentals.csv, line 23, column 'gpu_id': value 'h100-pcie' is not found in gpus.csv "
                       "column gpu_id"]),
    "dangling reference": (lambda d: replace_in(d / "gpu_prices.csv", "h100-sxm,new", "h100-nvl,new"),
                           ["{d}/gpu_prices.csv, line 3, column 'gpu_id': value 'h100-nvl' is not found in "
                            "gpus.csv column gpu_id"]),
    "rental of an unknown GPU": (lambda d: replace_in(d / "gpu_rentals.csv", ",Lambda,h100-sxm,on_demand,3.99",
                                                      ",Lambda,h100-80gb,on_demand,3.99"),
                                 ["{d}/gpu_rentals.csv, line 2, column 'gpu_id': value 'h100-80gb' is not found in "
                                  "gpus.csv column gpu_id"]),
    "unknown pricing kind": (lambda d: replace_in(d / "gpu_rentals.csv", "h100-sxm,spot,2.46",
                                                  "h100-sxm,preemptible,2.46"),
                             ["{d}/gpu_rentals.csv, line 7, column 'pricing': value 'preemptible' is not one of: "
                              "on_demand, reserved, spot"]),
    "cached input dearer than input": (lambda d: replace_in(d / "api_prices.csv", ",2.50,15.00,0.25,",
                                                            ",2.50,15.00,25,"),
                                       ["{d}/api_prices.csv, line 2, column 'usd_per_m_cached_input': value '25' is "
                                        "above usd_per_m_input = 2.5"]),
    "API price for an unknown open model": (lambda d: replace_in(d / "api_prices.csv", ",llama-3.1-8b,0.18,",
                                                                 ",llama-3.2-8b,0.18,"),
                                            ["{d}/api_prices.csv, line 16, column 'model_id': value 'llama-3.2-8b' is "
                                             "not found in models.csv column model_id"]),
    "benchmark with zero throughput": (lambda d: replace_in(d / "benchmarks.csv", ",15220,", ",0,"),
                                       ["{d}/benchmarks.csv, line 15, column 'output_tokens_per_s': value '0' "
                                        "is below the minimum 0.1"]),
    "future date": (lambda d: replace_in(d / "gpus.csv", "2026-11-27", "2027-01-01"),
                    ["{d}/gpus.csv, line 2, column 'retrieved_on': value '2027-01-01' is in the future "
                     "(today is 2026-12-05)"]),
    "malformed date": (lambda d: replace_in(d / "gpus.csv", "2026-11-27", "27/11/2026"),
                       ["{d}/gpus.csv, line 2, column 'retrieved_on': value '27/11/2026' is not a date (YYYY-MM-DD)"]),
    "low above high": (lambda d: replace_in(d / "gpu_prices.csv", ",8000,12000,", ",13000,12000,"),
                       ["{d}/gpu_prices.csv, line 2, column 'usd_low': value '13000' is above usd_high = 12000"]),
    "source not a URL": (lambda d: replace_in(d / "precisions.csv", "https://github.com/ray-project/llm-numbers",
                                              "a blog"),
                         ["{d}/precisions.csv, line 2, column 'source': value 'a blog' is not a primary URL "
                          "(https://...), 'guide: <section>', 'method: <page>' or "
                          "'package: <name> <version> (<entry>)'"]),
    "conditional requirement": (lambda d: replace_in(d / "models.csv", ",compressed,1,512,4924,",
                                                     ",compressed,1,512,,"),
                                ["{d}/models.csv, line 5, column 'kv_values_per_token': is empty but required when "
                                 "attention is 'compressed'"]),
    "active above total": (lambda d: replace_in(d / "models.csv", ",moe,400,17,", ",moe,400,700,"),
                           ["{d}/models.csv, line 3, column 'params_active_b': value '700' is above "
                            "params_total_b = 400"]),
    "row too long": (lambda d: replace_in(d / "precisions.csv", "fp16,16,16,", "fp16,16,16,16,"),
                     ["{d}/precisions.csv, line 2: row has more values than the header"]),
    "blank line": (lambda d: replace_in(d / "precisions.csv", "\nfp8,", "\n\nfp8,"),
                   ["{d}/precisions.csv, line 3: line is blank: remove it"]),
    "two files broken": (lambda d: (replace_in(d / "gpus.csv", ",80,GiB,2.039,", ",eighty,GiB,2.039,"),
                                    replace_in(d / "gpu_prices.csv", ",8000,12000,", ",-8000,12000,")),
                         ["{d}/gpus.csv, line 2, column 'memory_capacity': value 'eighty' " + NOT_A_NUMBER,
                          "{d}/gpu_prices.csv, line 2, column 'usd_low': value '-8000' is below the minimum 100"]),
    "not a folder": (lambda d: shutil.rmtree(d), ["{d}: dataset folder does not exist"]),
    # --- numbers Frictionless takes (Python's float()) and pandas does not
    "underscore in a number": (lambda d: replace_in(d / "gpus.csv", ",3.35,", ",3_35,"),
                               ["{d}/gpus.csv, line 3, column 'memory_bandwidth_tb_per_s': value '3_35' "
                                + NOT_A_NUMBER]),
    "Arabic-Indic digits": (lambda d: replace_in(d / "gpus.csv", ",3.35,", ",\u0663.\u0663\u0665,"),
                            ["{d}/gpus.csv, line 3, column 'memory_bandwidth_tb_per_s': value '\u0663.\u0663\u0665' "
                             + NOT_A_NUMBER]),
    "full-width digits": (lambda d: replace_in(d / "gpus.csv", ",3.35,", ",\uff13.\uff13\uff15,"),
                          ["{d}/gpus.csv, line 3, column 'memory_bandwidth_tb_per_s': value '\uff13.\uff13\uff15' "
                           + NOT_A_NUMBER]),
    "underscore in a whole number": (lambda d: replace_in(d / "benchmarks.csv", "h100-sxm,8,llama-2-70b",
                                                          "h100-sxm,8_0,llama-2-70b"),
                                     ["{d}/benchmarks.csv, line 2, column 'gpu_count': value '8_0' " + NOT_WHOLE]),
    "nan as a price": (lambda d: replace_in(d / "api_prices.csv", ",2.50,15.00,0.25,", ",nan,15.00,0.25,"),
                       ["{d}/api_prices.csv, line 2, column 'usd_per_m_input': value 'nan' " + NOT_A_NUMBER]),
    "infinite bandwidth": (lambda d: replace_in(d / "gpus.csv", ",3.35,", ",inf,"),
                           ["{d}/gpus.csv, line 3, column 'memory_bandwidth_tb_per_s': value 'inf' " + NOT_A_NUMBER]),
    # --- physical ranges
    "a 20,000B-parameter model": (lambda d: replace_in(d / "models.csv", ",moe,400,17,", ",moe,20000,17,"),
                                  ["{d}/models.csv, line 3, column 'params_total_b': value '20000' is above the "
                                   "maximum 10000 (total parameters, billions (all experts))"]),
    "a bandwidth of 1e-300": (lambda d: replace_in(d / "gpus.csv", ",3.35,", ",1e-300,"),
                              ["{d}/gpus.csv, line 3, column 'memory_bandwidth_tb_per_s': value '1e-300' is below "
                               "the minimum 0.05"]),
    "an assumption out of its range": (lambda d: replace_in(d / "assumptions.csv", ",operating,1.3,1.58,",
                                                            ",operating,0.5,1.58,"),
                                       ["{d}/assumptions.csv, line 20, column 'value_low': value '0.5' is out of range "
                                        "for pue: a power usage effectiveness ratio must be from 1 to 3"]),
    # --- what the model reads
    "header-only table": (lambda d: header_only(d / "gpu_rentals.csv"),
                          ["{d}/gpu_rentals.csv: has a header but no rows: the model needs at least one row in every "
                           "table"]),
    "a folder where a table should be": (lambda d: folder_for_file(d / "precisions.csv"),
                                         ["{d}/precisions.csv: is a folder: the dataset needs a CSV file by this "
                                          "name"]),
    "an assumption missing": (lambda d: drop_rows(d / "assumptions.csv", "name", {"pue"}),
                              ["{d}/assumptions.csv, column 'name': value 'pue' is missing: the model reads this "
                               "assumption; add its row"]),
    "an assumption the model does not read": (
        lambda d: replace_in(d / "assumptions.csv", "\npue,", "\npue_typo,"),
        ["{d}/assumptions.csv, column 'name': value 'pue' is missing: the model reads this assumption; add its row",
         "{d}/assumptions.csv, line 20, column 'name': value 'pue_typo' is not an assumption the model reads "
         "(it reads: "
         + ", ".join(limits.assumption_names()) + ")"]),
    "a renamed guide model": (
        lambda d: replace_in(d / "models.csv", ",Llama 4 Maverick,moe,", ",Llama 4 Maverick (new),moe,"),
        ["{d}/models.csv, column 'guide_model': value 'Llama 4 Maverick' is a model the guide lists (guide_figures.csv "
         "and guide_claims.csv) that no row names: give its row this label",
         "{d}/models.csv, line 3, column 'guide_model': value 'Llama 4 Maverick (new)' is not a model the guide lists "
         "(its labels: DeepSeek V4, Llama 3.3 70B, Llama 3.3 8B, Llama 4 Maverick, Mistral Large 2, Qwen 3 235B, "
         "Qwen 3 30B)"]),
    "no benchmark of an engine class": (
        lambda d: drop_rows(d / "benchmarks.csv", "engine_class", {"default"}),
        ["{d}/benchmarks.csv, column 'engine_class': value 'default' has no row: each engine class's efficiency is "
         "calibrated on its own benchmarks"]),
    "a guide figure deleted": (lambda d: drop_rows(d / "guide_figures.csv", "figure_id", {"hw.llama33_70b.params"}),
                               ["{d}/guide_figures.csv, column 'figure_id': value 'hw.llama33_70b.params' is missing: "
                                "the guide printed it (data/guide_figures.csv); keep every row"]),
    "a guide claim invented": (lambda d: replace_in(d / "guide_claims.csv", "\nqc.break_even_point.api,",
                                                    "\nqc.made_up,"),
                               ["{d}/guide_claims.csv, column 'claim_id': value 'qc.break_even_point.api' is missing: "
                                "the guide printed it (data/guide_claims.csv); keep every row",
                                "{d}/guide_claims.csv, line 3, column 'claim_id': value 'qc.made_up' is not in the "
                                "guide (data/guide_claims.csv lists what it printed)"]),
    # --- found by a review of the gate: each named by its line, never a traceback or a flood of knock-on errors
    "a NUL byte": (lambda d: replace_in(d / "gpus.csv", "NVIDIA A100 80GB SXM", "NVIDIA A100\x00 80GB SXM"),
                   ["{d}/gpus.csv, line 2: holds a NUL byte: save it as UTF-8 text (a file saved as UTF-16 has one in "
                    "every other byte)"]),
    "UTF-16 without a byte-order mark": (
        lambda d: (d / "precisions.csv").write_bytes((d / "precisions.csv").read_text().encode("utf-16-le")),
        ["{d}/precisions.csv, line 1: holds a NUL byte: save it as UTF-8 text (a file saved as UTF-16 has one in "
         "every other byte)"]),
    "a quote left open": (lambda d: replace_in(d / "gpus.csv", "NVIDIA A100 80GB SXM", '"NVIDIA A100 80GB SXM'),
                          ['{d}/gpus.csv, line 2: a quote (") opens a cell on this line that runs on to line 3: close '
                           "it, or remove it"]),
    "a date not padded": (lambda d: replace_in(d / "gpus.csv", "2026-11-27", "2026-1-5"),
                          ["{d}/gpus.csv, line 2, column 'retrieved_on': value '2026-1-5' is not a date (YYYY-MM-DD)"]),
    "a 300,000-digit number": (lambda d: replace_in(d / "gpus.csv", ",400,https", "," + "9" * 300_000 + ",https"),
                               ["{d}/gpus.csv, line 2, column 'tdp_watts': value '" + "9" * 60 + "... (300,000 "
                                "characters)' is above the maximum 5000 (board power limit, W)"]),
    "a 200 KB note is still a note": (lambda d: replace_in(d / "gpus.csv", "no FP8 tensor cores (Ampere)",
                                                           "x" * 200_000), []),
    # --- the CSV dialect: a quoted cell with a blank line inside is one cell; lines are counted as written
    "a blank line inside a quoted cell is accepted, and later lines keep their numbers": (
        lambda d: (replace_in(d / "gpus.csv", "a100-80gb-sxm,NVIDIA A100 80GB SXM,",
                              'a100-80gb-sxm,"NVIDIA A100\n\n80GB SXM",'),
                   replace_in(d / "gpus.csv", ",3.35,", ",fast,")),
        ["{d}/gpus.csv, line 5, column 'memory_bandwidth_tb_per_s': value 'fast' " + NOT_A_NUMBER]),
}
