"""The hardware-sizing chapter against the guide's printed figures and the audit's findings."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.evaluation import verdicts
from analysis.report.chapters import hardware


@pytest.fixture(scope="module")
def chapter(dataset) -> hardware.SizingChapter:
    return hardware.build(dataset)


def check(chapter, model: str, column: str) -> pd.Series:
    rows = chapter.checks[(chapter.checks["Model"] == model) & (chapter.checks["Column"] == column)]
    assert len(rows) == 1, (model, column)
    return rows.iloc[0]


def test_printed_table_keeps_the_guide_text(chapter):
    row = chapter.printed.set_index("Model").loc["DeepSeek V4"]
    assert row["Recommended Setup"] == "4x A100 80GB or 2x H100"
    assert row["Minimum VRAM"] == "160GB+ (FP16)"
    assert list(chapter.printed["Model"]) == ["Llama 3.3 70B", "Llama 4 Maverick", "DeepSeek V4", "Qwen 3 235B",
                                              "Mistral Large 2", "Llama 3.3 8B"]


@pytest.mark.parametrize(("model", "column", "verdict"), [
    ("Llama 3.3 70B", "Minimum VRAM (FP16)", verdicts.REPRODUCED),      # 70 x 2 = 140 GB as printed
    ("Llama 3.3 70B", "Minimum VRAM (INT4)", verdicts.REPRODUCED),      # 35 GB weights, 40 printed
    ("Llama 3.3 70B", "Setup option 1", verdicts.REPRODUCED),           # 2 x A100 hold BF16 weights
    ("Llama 3.3 70B", "Setup option 2", verdicts.IMPLIED),              # 1 x H100 only with 8-bit weights
    ("Llama 3.3 70B", "Approximate GPU Cost", verdicts.REPRODUCED),     # 2 x $8K .. 1 x $35K
    ("Llama 4 Maverick", "Minimum VRAM (FP16)", verdicts.IMPOSSIBLE),   # 80 GB printed, 800 GB of weights
    ("Llama 4 Maverick", "Setup option 1", verdicts.IMPOSSIBLE),        # INT4 alone is 212 GB
    ("DeepSeek V4", "Minimum VRAM (FP16)", verdicts.IMPOSSIBLE),
    ("DeepSeek V4", "Setup option 1", verdicts.IMPLIED),                # 4 x A100 hold V4 Flash in INT4
    # 2 x H100 of 80 GiB: 2 x (85.9 x 0.95 - 1) = 161.2 GB usable >= 151 GB of INT4 V4 Flash, not at FP8
    ("DeepSeek V4", "Setup option 2", verdicts.IMPLIED),
    ("DeepSeek V4", "Approximate GPU Cost", verdicts.IMPLIED),          # $40K = 4 x $10K, inside $8-12K
    ("Qwen 3 235B", "Minimum VRAM (FP16)", verdicts.IMPOSSIBLE),        # 80 GB printed, 470 GB of weights
    ("Qwen 3 235B", "Approximate GPU Cost", verdicts.INCONSISTENT),     # $25K = 2 x $12.5K > $12K
    ("Mistral Large 2", "Setup option 1", verdicts.REPRODUCED),
    ("Mistral Large 2", "Approximate GPU Cost", verdicts.INCONSISTENT), # $50K = 4 x $12.5K
    ("Llama 3.3 8B", "Approximate GPU Cost", verdicts.UNVERIFIABLE),    # no GPU price anywhere in the guide
])
def test_verdicts_match_the_arithmetic(chapter, model, column, verdict):
    assert check(chapter, model, column)["Verdict"] == verdict


def test_inconsistent_cost_names_the_implied_unit_price(chapter):
    why = check(chapter, "Qwen 3 235B", "Approximate GPU Cost")["Why"]
    # 25,000 / 2 GPUs = 12,500 per A100, above the guide's own $8,000-12,000
    assert why == "needs $12.5K per NVIDIA A100 80GB SXM, outside the guide's own $8.0K–$12.0K"


def test_implied_cost_names_the_unstated_unit_price(chapter):
    why = check(chapter, "DeepSeek V4", "Approximate GPU Cost")["Why"]
    # 40,000 / 4 = 10,000 per A100; 70,000 / 2 = 35,000 per H100: both inside the guide's ranges
    assert "$10.0K per NVIDIA A100 80GB SXM" in why and "$35.0K per NVIDIA H100 SXM 80GB" in why


def test_maverick_facts_for_the_prose(chapter):
    # 400B x 16 bits / 8 = 800 GB against 80 GB printed: ten times
    assert chapter.facts["maverick_fp16_weights_gb"] == pytest.approx(800.0)
    assert chapter.facts["maverick_printed_gb"] == 80
    assert chapter.facts["maverick_ratio"] == pytest.approx(10.0)


def test_verdict_counts_add_up(chapter):
    assert chapter.tables["verdict_counts"]["Cells"].sum() == len(chapter.checks) == chapter.facts["checked_cells"]
    assert list(chapter.tables["verdict_counts"]["Verdict"]) == verdicts.ORDER


def test_moe_rows_need_many_gpus_from_first_principles(chapter):
    counts = chapter.tables["gpu_counts"].set_index(["Model", "Precision"])
    # 400 GB of FP8 weights + KV over 80 GB cards: 6 minimum, served as one 8-GPU node
    assert counts.loc[("Llama 4 Maverick 17B-128E", "fp8"), "NVIDIA H100 SXM 80GB"] == "8"
    assert counts.loc[("Llama 3.3 70B Instruct", "fp8"), "NVIDIA H100 SXM 80GB"] == "1–2"


def test_overrides_change_the_kv_cache(dataset):
    base = hardware.build(dataset)
    busy = hardware.build(dataset, concurrent_sequences=64)
    assert busy.facts["sequences_high"] == 64
    assert not busy.tables["memory"].equals(base.tables["memory"])


def test_unknown_override_is_rejected(dataset):
    with pytest.raises(ValueError, match="unknown sizing override"):
        hardware.build(dataset, sequences=4)
