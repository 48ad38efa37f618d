"""The top-models and inference-engines chapters against the guide's printed figures and the audit (§6, §7)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.evaluation import verdicts
from analysis.report.chapters import engines, top_models
from analysis.report.chapters.common import CHECK_COLUMNS, Chapter


@pytest.fixture(scope="module")
def models_chapter(dataset) -> Chapter:
    return top_models.build(dataset)


@pytest.fixture(scope="module")
def engines_chapter(dataset) -> Chapter:
    return engines.build(dataset)


def verdict_of(chapter: Chapter, figure_id: str) -> pd.Series:
    rows = chapter.checks[chapter.checks["figure_id"] == figure_id]
    assert len(rows) == 1, figure_id
    return rows.iloc[0]


# --- both chapters -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["models_chapter", "engines_chapter"])
def test_every_check_row_is_complete(request, name):
    checks = request.getfixturevalue(name).checks
    assert list(checks.columns) == CHECK_COLUMNS
    assert checks["Verdict"].isin(verdicts.ORDER).all()
    assert (checks["Printed"].str.strip() != "").all()
    assert (checks["Why"].str.strip() != "").all()
    assert checks["figure_id"].is_unique


def test_every_numeric_figure_of_both_sections_is_checked(dataset, models_chapter, engines_chapter):
    figures = dataset["guide_figures"]
    table = figures[figures["table_name"] == top_models.TABLE]
    assert set(models_chapter.checks["figure_id"]) == set(table["figure_id"])  # 7 rows x 3 numeric columns
    assert len(models_chapter.checks) == 21
    section = figures[figures["section"] == engines.SECTION]
    assert list(engines_chapter.checks["figure_id"]) == list(section["figure_id"])


# --- top models --------------------------------------------------------------------------------------------


def test_printed_table_keeps_the_guide_text(models_chapter):
    table = models_chapter.printed.set_index("Model")
    assert list(table.columns) == top_models.COLUMNS
    assert list(table.index) == ["Llama 4 Maverick", "DeepSeek V4", "Qwen 3 235B", "Llama 3.3 70B",
                                 "Mistral Large 2", "Qwen 3 30B", "Llama 3.3 8B"]
    assert table.at["DeepSeek V4", "Parameters"] == "MoE (~600B)"
    assert table.at["Mistral Large 2", "License"] == "Apache 2.0"
    assert table.at["Llama 4 Maverick", "Self-Host VRAM"] == "80GB+ (FP16)"
    assert (models_chapter.printed != "").all().all()


@pytest.mark.parametrize(("figure_id", "verdict"), [
    ("models.maverick.vram", verdicts.IMPOSSIBLE),          # 80 GB < 0.95 x 400B x 16 bits = 0.95 x 800 GB
    ("models.deepseek_v4.vram", verdicts.IMPOSSIBLE),       # FP16 per the sizing table: 160 < 0.95 x 284 x 2 = 540
    ("models.qwen3_235b.vram", verdicts.IMPOSSIBLE),        # 80 GB < 0.95 x 235 x 2 = 446.5 GB
    ("models.llama33_70b.vram", verdicts.REPRODUCED),       # 70 x 4 / 8 = 35 GB; 40 within [33.25, 70]
    ("models.mistral_large2.vram", verdicts.REPRODUCED),    # 123 x 4 / 8 = 61.5 GB; 80 within [58.4, 123]
    ("models.qwen3_30b.vram", verdicts.REPRODUCED),         # 30 x 4 / 8 = 15 GB; 20 within [14.25, 30]
    ("models.llama33_8b.vram", verdicts.REPRODUCED),        # 8 x 4 / 8 = 4 GB; 8 = 2 x 4, the top of the range
    ("models.maverick.params", verdicts.REPRODUCED),        # 400B as released
    ("models.llama33_70b.params", verdicts.REPRODUCED),     # 70 / 70.6 - 1 = -0.8%, inside 2%
    ("models.qwen3_30b.params", verdicts.REPRODUCED),       # 30 / 30.5 - 1 = -1.6%, inside 2%
    ("models.deepseek_v4.params", verdicts.INCONSISTENT),   # ~600B vs V4 Flash 284B and V4 Pro 1,600B
    ("models.maverick.quality", verdicts.UNVERIFIABLE),     # no benchmark cited
])
def test_top_model_verdicts(models_chapter, figure_id, verdict):
    assert verdict_of(models_chapter, figure_id)["Verdict"] == verdict


def test_quality_column_is_unverifiable_throughout(models_chapter):
    quality = models_chapter.checks[models_chapter.checks["Column"] == "Quality vs GPT-4o"]
    assert len(quality) == 7
    assert (quality["Verdict"] == verdicts.UNVERIFIABLE).all()
    assert quality["Why"].str.contains("no benchmark is cited").all()


def test_maverick_vram_names_the_real_weights(models_chapter):
    row = verdict_of(models_chapter, "models.maverick.vram")
    # 400e9 params x 16 bits / 8 = 800 GB; INT4 at 4.25 bits: 400 x 4.25 / 8 = 212.5 GB
    assert "800 GB" in row["Why"] and "212 GB" in row["Why"]
    assert row["Difference"] == "-90%"                     # 80 / 800 - 1
    assert models_chapter.facts["tm_maverick_ratio"] == 10.0


def test_deepseek_vram_reads_the_precision_from_the_sizing_table(models_chapter):
    why = verdict_of(models_chapter, "models.deepseek_v4.vram")["Why"]
    assert "160GB+ (FP16)" in why
    # 284 x 4.25 / 8 = 150.9 GB: V4 Flash in INT4 would fit in 160 GB, which the reason says
    assert "only DeepSeek V4 Flash at INT4 (151 GB) would fit" in why


def test_vram_precision_reading(dataset):
    figures = dataset["guide_figures"].set_index("figure_id")
    assert top_models.vram_precision(dataset, figures.loc["models.llama33_70b.vram"])[0] == "int4"
    assert top_models.vram_precision(dataset, figures.loc["models.maverick.vram"])[0] == "fp16"
    assert top_models.vram_precision(dataset, figures.loc["models.qwen3_235b.vram"])[0] == "fp16"


@pytest.mark.parametrize(("guide", "publisher", "agree"), [
    ("Llama License", "Llama 3.3 Community License", True),
    ("Apache 2.0", "apache  2.0", True),
    ("MIT", "MIT", True),
    ("Apache 2.0", "Mistral Research License", False),
    ("License", "Llama 4 Community License", False),      # nothing but the word "License" names no licence
])
def test_licences_agree(guide, publisher, agree):
    assert top_models.licences_agree(guide, publisher) is agree


def test_licence_table_flags_mistral_only(models_chapter):
    licences = models_chapter.tables["licences"].set_index("Model")
    assert len(licences) == 7
    assert licences["Verdict"].isin(verdicts.ORDER).all()
    mistral = licences.loc["Mistral Large 2"]
    assert mistral["Guide's licence"] == "Apache 2.0"
    assert mistral["Publisher's licence"] == "Mistral Research License"
    assert mistral["Verdict"] == verdicts.INCONSISTENT
    assert "non-commercial" in mistral["Why"]
    others = licences.drop(index="Mistral Large 2")
    assert (others["Verdict"] == verdicts.REPRODUCED).all()
    assert models_chapter.facts["tm_licence_mismatches"] == 1


def test_memory_table_lists_every_released_model(models_chapter):
    memory = models_chapter.tables["memory"]
    # DeepSeek V4 maps to two releases (Pro and Flash), every other row to one: 8 rows
    assert len(memory) == 8
    flash = memory.set_index("Released model").loc["DeepSeek V4 Flash"]
    assert flash["FP16 weights"] == "568 GB"                # 284 x 16 / 8
    assert flash["FP8 weights"] == "284 GB"                 # 284 x 8 / 8
    assert flash["INT4 weights"] == "151 GB"                # 284 x 4.25 / 8 = 150.9
    llama = memory.set_index("Released model").loc["Llama 3.3 70B Instruct"]
    assert llama["FP16 weights"] == "141 GB"                # 70.6 x 2 = 141.2


def test_top_model_facts(models_chapter):
    facts = models_chapter.facts
    assert facts["tm_checked_cells"] == 21
    assert facts["tm_impossible_cells"] == 3                # Maverick, DeepSeek V4, Qwen 3 235B
    assert facts["tm_unverifiable_cells"] == 7              # the quality column
    assert facts["tm_inconsistent_cells"] == 1              # DeepSeek's ~600B
    assert facts["tm_reproduced_cells"] == 10


# --- inference engines -------------------------------------------------------------------------------------


def test_engine_table_as_printed(engines_chapter):
    table = engines_chapter.printed.set_index("Feature")
    assert list(table.columns) == engines.ENGINES
    assert len(table) == 8
    assert table.at["Production Ready", "Ollama"] == "No (dev/small scale)"
    assert table.at["Quantization", "TGI"] == "GPTQ, AWQ, EETQ"
    assert (engines_chapter.printed != "").all().all()


def test_batch_one_bound(engines_chapter):
    # 2 x 2.039 TB/s = 4.078 TB/s; BF16 weights 70.6e9 x 2 B = 141.2 GB; 4.078e12 / 141.2e9 = 28.88 tokens/s
    assert engines_chapter.facts["eng_bound_tokens_per_s"] == 28.9
    # 8-bit weights halve the bytes: 4.078e12 / 70.6e9 = 57.76 tokens/s
    assert engines_chapter.facts["eng_bound_fp8_tokens_per_s"] == 57.8
    # 20 users x 8,192 tokens x 327,680 B = 53.7 GB of KV per step; 20 x 4.078e12 / 194.9e9 / 20 = 20.9
    assert engines_chapter.facts["eng_bound_users_tokens_per_s"] == 20.9
    assert engines_chapter.facts["eng_printed_low"] == 40
    assert engines_chapter.facts["eng_overstatement_low"] == "+38%"   # 40 / 28.88 - 1


def test_speed_claims_are_physically_impossible(engines_chapter):
    for figure_id in engines.SPEED_IDS:
        row = verdict_of(engines_chapter, figure_id)
        assert row["Verdict"] == verdicts.IMPOSSIBLE          # 40 > 28.9 at a single sequence
        assert "28.9 tokens/s" in row["Why"]
        assert "FP8" in row["Why"]                            # what the low end would need


@pytest.mark.parametrize("figure_id", engines.GPU_COUNT_IDS)
def test_two_a100_hold_the_bf16_weights(engines_chapter, figure_id):
    # An A100 80GB holds 80 GiB = 85.90 GB: 2 x (85.90 x 0.95 - 1) = 161.2 GB usable
    # >= 141.2 GB weights + 2.7 GB of KV for one 8K sequence
    row = verdict_of(engines_chapter, figure_id)
    assert row["Verdict"] == verdicts.REPRODUCED
    assert row["From the guide's inputs"] == "161 GB usable"


def test_kv_budget_and_context_limit(engines_chapter):
    facts = engines_chapter.facts
    # 327,680 B per token = 2 x 80 layers x 8 KV heads x 128 dims x 2 B
    assert facts["eng_kv_bytes_per_token"] == 327_680
    # 161.21 GB usable - 141.2 GB weights = 20.01 GB; 20.01e9 / 327,680 = 61,061 tokens
    assert facts["eng_kv_budget_tokens"] == 61_061
    # one 32,768-token sequence needs 32,768 x 327,680 B = 10.7 GB: one fits in 20.0 GB, two do not
    assert facts["eng_full_sequences"] == 1
    assert facts["eng_tokens_per_user"] == 3_053             # 61,061 / 20
    assert verdict_of(engines_chapter, engines.MAX_LEN_ID)["Verdict"] == verdicts.IMPLIED
    assert verdict_of(engines_chapter, engines.USERS_ID)["Verdict"] == verdicts.IMPLIED


def test_unmeasured_claims_are_unverifiable(engines_chapter):
    for figure_id in engines.NO_MEASUREMENT_IDS:
        row = verdict_of(engines_chapter, figure_id)
        assert row["Verdict"] == verdicts.UNVERIFIABLE
        assert "no measurement is cited" in row["Why"]


def test_tgi_shards_need_an_unstated_gpu(engines_chapter):
    row = verdict_of(engines_chapter, engines.SHARDS_ID)
    assert row["Verdict"] == verdicts.IMPLIED
    assert "RTX 4090" not in row["First principles"]         # 2 x 24 GB cannot hold 141 GB


def test_bounds_table(engines_chapter, dataset):
    bounds = engines_chapter.chart_data["bounds"]
    # 3 precisions x (1, 20, 256 sequences)
    assert len(bounds) == 9
    assert sorted(bounds["sequences"].unique()) == [1, 20, 256]
    one = bounds[bounds["sequences"] == 1].set_index("precision")
    # batch 1, weights only: bandwidth / weight bytes; INT4 at 4.25 bits: 4.078e12 / 37.5e9 = 108.7
    assert one.at["int4", "per_sequence_weights_only_tokens_per_s"] == pytest.approx(108.7, abs=0.05)
    # per-sequence rate = system rate / batch
    ratio = bounds["system_tokens_per_s"] / bounds["sequences"]
    assert ratio.to_numpy() == pytest.approx(bounds["per_sequence_tokens_per_s"].to_numpy())
    # BF16 weights + 20 x 8K of KV: 141.2 + 53.7 = 194.9 GB > 161.2 GB usable
    twenty = bounds[(bounds["sequences"] == 20) & (bounds["precision"] == "fp16")].iloc[0]
    assert not twenty["fits"]
    assert len(engines_chapter.tables["bounds"]) == 9


def test_engine_facts_count_the_checks(engines_chapter):
    facts = engines_chapter.facts
    assert facts["eng_checked_cells"] == 11
    assert (facts["eng_impossible_cells"], facts["eng_implied_cells"], facts["eng_reproduced_cells"],
            facts["eng_unverifiable_cells"]) == (2, 3, 3, 3)
