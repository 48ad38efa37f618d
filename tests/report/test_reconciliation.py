"""The reconciliation chapter: one verdict per guide figure, counts, and the claims swapped into the model."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from analysis.evaluation import verdicts
from analysis.report import registry
from analysis.report.chapters import reconciliation


@pytest.fixture(scope="module")
def chapter(dataset):
    return reconciliation.build(dataset)


@pytest.mark.slow  # builds every chapter
def test_ledger_has_every_figure_once(chapter, dataset):
    ledger = chapter.checks
    assert len(ledger) == len(dataset["guide_figures"])
    assert ledger["figure_id"].is_unique
    assert set(ledger["Verdict"]) <= set(verdicts.ORDER)


@pytest.mark.slow  # builds every chapter
def test_counts_add_up_to_every_figure(chapter, dataset):
    counts = chapter.tables["counts"].set_index("Section")
    total = counts.loc["all sections"]
    assert total["all figures"] == len(dataset["guide_figures"])
    assert sum(total[v] for v in verdicts.ORDER) == total["all figures"]
    body = counts.drop(index="all sections")
    assert (body[verdicts.ORDER].sum(axis=1) == body["all figures"]).all()
    assert chapter.facts["rec_wrong"] == total[verdicts.INCONSISTENT] + total[verdicts.IMPOSSIBLE]


@pytest.mark.slow  # builds every chapter
def test_the_guides_known_errors_carry_their_verdicts(chapter):
    ledger = chapter.checks.set_index("figure_id")
    # Maverick printed at 80 GB (FP16) against 800 GB of weights: physics, not rounding.
    assert ledger.at["hw.maverick.vram_fp16", "Verdict"] == verdicts.IMPOSSIBLE
    assert ledger.at["hw.llama33_70b.vram_fp16", "Verdict"] == verdicts.REPRODUCED
    assert "Hardware sizing" in ledger.at["hw.maverick.vram_fp16", "Checked in"]


def test_most_serious_verdict_wins_and_unchecked_is_unverifiable(dataset):
    first, second, third = dataset["guide_figures"]["figure_id"].iloc[:3]
    checks = pd.DataFrame({
        "figure_id": [first, first, second],
        "Verdict": [verdicts.REPRODUCED, verdicts.INCONSISTENT, verdicts.UNVERIFIABLE],
        "Why": ["a", "b", "c"], "Chapter": ["One", "Two", "One"], "page": ["p1", "p2", "p1"]})
    ledger = reconciliation.ledger(dataset, checks).set_index("figure_id")
    assert ledger.at[first, "Verdict"] == verdicts.INCONSISTENT
    assert ledger.at[first, "Why"] == "b"
    assert ledger.at[first, "Checked in"] == "Two, One"
    assert ledger.at[second, "Verdict"] == verdicts.UNVERIFIABLE
    assert ledger.at[third, "Verdict"] == verdicts.UNVERIFIABLE
    assert ledger.at[third, "Checked in"] == "—"
    assert ledger.at[third, "Why"] == "no chapter recomputes this figure"


def _effect(dataset, claim_start: str) -> pd.Series:
    effects = reconciliation.swap_effects(dataset, {"model": "llama-4-maverick", "gpu": "h100-sxm",
                                                    "precision": "fp8", "api_offer": "openai-gpt-5.4"})
    return effects[effects["claim"].str.startswith(claim_start)].iloc[0]


def test_api_convention_swap_halves_the_breakeven_volume(dataset):
    # Base output share 17.55%, 28.15% of input cached at $0.25: list price per M = 0.8245 x (0.7185 x 2.50 +
    # 0.2815 x 0.25) + 0.1755 x 15.00 = 4.1715323; the guide charges 2.50 + 15.00 = 17.50, 4.2 times as much.
    # Inside one replica V = fixed / price, so V falls to 4.1715323 / 17.50 = 0.2384 of itself.
    row = _effect(dataset, "API bill")
    assert row["factor"] == pytest.approx(4.1715323125 / 17.5, rel=1e-9)
    assert row["breakeven_api_usd_per_month"] == pytest.approx(row["base_api_usd_per_month"], rel=1e-9)


def test_moe_memory_swap_puts_maverick_on_one_gpu(dataset):
    # The guide prints 80 GB at FP16 = 40B parameters; at FP8 that is 40 GB: one H100 instead of six.
    row = _effect(dataset, "Memory")
    assert row["base_gpus_per_replica"] == 6
    assert row["gpus_per_replica"] == 1
    assert row["factor"] < 1


def test_swaps_are_ranked_by_how_far_they_move(dataset):
    effects = reconciliation.swap_effects(dataset, registry.chapter("s1").parameters)
    moves = list(effects["move"])
    assert moves == sorted(moves, reverse=True)
    # The move is computed (a logarithm, rounded for ranking), so it is compared with a tolerance.
    assert all(m == pytest.approx(abs(math.log10(f)), rel=1e-9)
               for m, f in zip(moves, effects["factor"], strict=True) if math.isfinite(m))


@pytest.mark.slow  # builds every chapter
def test_one_claim_has_one_verdict_in_the_ledger_and_the_chapters(chapter, dataset):
    # Guide mode recomputes a figure by the guide's own convention and shows no table of its own; every
    # verdict a reader sees (a chapter's check table, the ledger) is the same for a figure.
    checks = reconciliation.chapter_checks(dataset)
    shown = checks[checks["Chapter"] != reconciliation.GUIDE_MODE]
    per_figure = shown.groupby("figure_id")["Verdict"].agg(set)
    split = per_figure[per_figure.map(len) > 1]
    assert split.empty, f"figures with several verdicts across chapters: {dict(split.head())}"
    ledger = chapter.checks.set_index("figure_id")["Verdict"]
    differ = [f for f, v in per_figure.items() if ledger[f] != next(iter(v))]
    assert differ == [], f"ledger verdict differs from the chapter's for {differ[:5]}"
    # and each such figure's ledger row links to a chapter page that shows it
    pages = chapter.checks.set_index("figure_id")["check_page"]
    assert all(pages[f] for f in per_figure.index)
    assert set(pages[pages != ""]) <= {spec.notebook for spec in registry.ledger_chapters()}


_PERCENT = re.compile(r"^([+-]?\d+)%(?: \(band ([+-]?\d+)% to ([+-]?\d+)%\))?$")


@pytest.mark.slow  # builds every chapter
def test_no_verdict_disagrees_with_the_difference_it_shows(dataset):
    # method page: reproduced lies within the tolerance (or the band printed beside the difference),
    # inconsistent lies outside it.
    tol = dataset["assumptions"].set_index("name").at["printed_vs_recomputed_tolerance", "value_high"]
    seen, wrong = 0, []
    for spec in registry.ledger_chapters():
        checks = spec.build_chapter(dataset).checks
        if "Difference" not in checks:
            continue
        for row in checks.itertuples():
            m = _PERCENT.match(str(row.Difference).strip())
            if not m:
                continue
            seen += 1
            value = int(m[1]) / 100
            low, high = (int(m[2]) / 100, int(m[3]) / 100) if m[2] else (-tol, tol)
            inside = low - 0.005 <= value <= high + 0.005  # the shown percentage is rounded
            if (row.Verdict == verdicts.REPRODUCED and not inside) or (
                    row.Verdict == verdicts.INCONSISTENT and inside):
                wrong.append((spec.title, row.figure_id, row.Difference, row.Verdict))
    assert seen > 50
    assert wrong == [], wrong
