"""The chapters, one declaration each: what every part of the project reads about a chapter.

A declaration gives the chapter's ``key`` (the prefix of its exhibits' names), its ``number`` (exhibit 9.2 is
the second exhibit of chapter 9), its notebook, its title, where ``_toc.yml`` lists it, its builder (every
builder has one shape, ``build(dataset, **parameters) -> Chapter``), the parameters its notebook declares with
their defaults, its run order, and the guide sections whose figures its checks put in the ledger.

Who reads it: :mod:`analysis.report.exhibits` (numbers), the reconciliation (the chapters whose checks form
the ledger, built with their defaults), :mod:`analysis.commands.runner` (which notebook runs first or last),
:mod:`analysis.report.html_tables` (the ledger's page), and the tests (``_toc.yml``, the notebooks' parameters
cells, the builders' signatures and sections are held to it).

Adding a chapter: write its builder in ``analysis/report/chapters/``, its notebook in ``notebooks/``, one
declaration below, and one line in ``_toc.yml`` (README, *Adding a chapter*).

Builders are named by their dotted path and loaded when first asked for (:meth:`ChapterSpec.builder`): the
reconciliation, itself a chapter, reads the registry, so the registry imports no chapter.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from analysis.evaluation import uncertainty

GUIDE = "The guide, rebuilt"
YOURS = "Your own numbers"
ABOUT = "About this report"


@dataclass(frozen=True)
class ChapterSpec:
    """One chapter, declared once (see the module docstring)."""

    key: str
    number: str  # "" for a page without numbered exhibits
    notebook: str  # notebooks/<notebook>.ipynb, listed in _toc.yml as notebooks/<notebook>
    title: str
    part: str  # its caption in _toc.yml
    build: str  # "module:function", relative to analysis.report.chapters; "" for a page with no builder
    parameters: dict[str, object] = field(default_factory=dict)  # the notebook's, data_dir aside, with defaults
    run: str = "any"  # "first" (the longest), "last" (reads the other chapters' results), or "any"
    ledger_sections: tuple[str, ...] = ()  # guide sections whose figures its checks enter in the ledger
    fixed: dict[str, object] = field(default_factory=dict)  # builder arguments no notebook sets (a scenario's prefix)

    @property
    def in_ledger(self) -> bool:
        return bool(self.ledger_sections)

    def builder(self) -> Callable[..., object]:
        """The builder, ``build(dataset, **parameters) -> Chapter``, with its fixed arguments applied."""
        return _load(self.build, tuple(sorted(self.fixed.items())))

    def build_chapter(self, dataset, **parameters):
        """The chapter with its notebook's defaults, overridden by ``parameters`` (only those it declares)."""
        return self.builder()(dataset, **{**self.builder_parameters(), **parameters})

    def builder_parameters(self) -> dict[str, object]:
        """The notebook's parameters that the builder takes (the data page's staleness limit is the loader's)."""
        return {k: v for k, v in self.parameters.items() if k not in NOT_FOR_THE_BUILDER}


# Notebook parameters that go to the loader, not to a builder.
NOT_FOR_THE_BUILDER = ("max_price_age_days",)


@functools.cache
def _load(path: str, fixed: tuple[tuple[str, object], ...]) -> Callable[..., object]:
    module, _, name = path.partition(":")
    function = getattr(importlib.import_module(f"analysis.report.chapters.{module}"), name)
    return functools.partial(function, **dict(fixed)) if fixed else function


S1 = {"model": "llama-4-maverick", "gpu": "h100-sxm", "precision": "fp8", "api_offer": "openai-gpt-5.4",
      "hosted_offer": "novita-llama-4-maverick", "rent_offer": "lambda-h100-8x"}
S2 = {"model": "deepseek-v4-flash", "gpu": "h100-sxm", "precision": "fp8", "api_offer": "deepseek-v4-flash",
      "hosted_offer": "novita-deepseek-v4-flash", "rent_offer": "lambda-h100-8x"}

CHAPTERS: tuple[ChapterSpec, ...] = (
    ChapterSpec("calculator", "", "00_calculator", "Price your own situation", YOURS, "",
                {"tokens_per_month": 2e9, "api": "openai-gpt-5.4", "model": "llama-4-maverick", "gpu": "h100-sxm",
                 "precision": "fp8", "rent": None}),
    ChapterSpec("quick-comparison", "1", "01_quick_comparison", "Quick comparison", GUIDE,
                "decisions:build_quick_comparison", ledger_sections=("quick_comparison",)),
    ChapterSpec("spend-tiers", "2", "02_spend_tiers", "Spend tiers", GUIDE, "decisions:build_spend_tiers",
                ledger_sections=("headline", "spend_tiers")),
    ChapterSpec("sizing", "3", "03_hardware_sizing", "Hardware sizing", GUIDE, "hardware:build",
                {"context_tokens": None, "concurrent_sequences": None}, ledger_sections=("hardware_sizing",)),
    ChapterSpec("rent-vs-buy", "4", "04_rent_vs_buy", "Rent vs buy", GUIDE, "rent_vs_buy:build",
                ledger_sections=("rent_vs_buy",)),
    ChapterSpec("top-models", "5", "05_top_models", "Top models", GUIDE, "top_models:build",
                ledger_sections=("top_models",)),
    ChapterSpec("engines", "6", "06_inference_engines", "Inference engines", GUIDE, "engines:build",
                ledger_sections=("inference_engines",)),
    ChapterSpec("operating", "7", "07_operating_costs", "Operating costs", GUIDE, "operating:build",
                ledger_sections=("operating_costs",)),
    ChapterSpec("full-cost", "8", "08_full_cost_comparison", "Full cost comparison", GUIDE, "full_cost:build",
                {"model": "llama-3.3-70b", "buy_gpu": "a100-80gb-sxm", "buy_precision": "fp16",
                 "rent_offer": "runpod-h100-1x", "rent_precision": "fp8", "cheap_api": "deepseek-v4-flash",
                 "frontier_api": "openai-gpt-5.4", "hosted_offer": "deepinfra-llama-3.3-70b"},
                ledger_sections=("full_cost_comparison",)),
    ChapterSpec("s1", "9", "09_scenario_1", "Scenario 1", GUIDE, "scenario:build", S1,
                ledger_sections=("scenario_1",), fixed={"prefix": "s1"}),
    ChapterSpec("s2", "10", "10_scenario_2", "Scenario 2", GUIDE, "scenario:build", S2,
                ledger_sections=("scenario_2",), fixed={"prefix": "s2"}),
    ChapterSpec("decision", "11", "11_decision_framework", "Decision framework", GUIDE,
                "decisions:build_decision_table", ledger_sections=("decision_table",)),
    ChapterSpec("reconciliation", "12", "12_reconciliation", "Reconciliation", GUIDE, "reconciliation:build",
                {"model": "llama-4-maverick", "gpu": "h100-sxm", "precision": "fp8", "api_offer": "openai-gpt-5.4"},
                run="last"),
    ChapterSpec("uncertainty", "13", "13_uncertainty", "Uncertainty", GUIDE, "uncertainty:build",
                {"model": "llama-4-maverick", "gpu": "h100-sxm", "precision": "fp8", "api_offer": "openai-gpt-5.4",
                 "rent_offer": "lambda-h100-8x", "draws": uncertainty.DRAWS, "seed": uncertainty.SEED,
                 "grid_low_tokens_per_month": 1e7, "grid_high_tokens_per_month": 1e12, "grid_points": 101},
                run="first"),
    ChapterSpec("hybrid", "14", "14_hybrid", "Hybrid: own the baseline, buy the peaks", GUIDE, "hybrid:build",
                {"model": "llama-4-maverick", "gpu": "h100-sxm", "precision": "fp8", "api_offer": "openai-gpt-5.4",
                 "hosted_offer": "novita-llama-4-maverick", "profile": "chat", "tokens_per_month": 1e11},
                ledger_sections=("top_models", "decision_table")),
    ChapterSpec("lifetime", "15", "15_lifetime", "When prices keep falling", GUIDE, "lifetime:build",
                ledger_sections=("faq",)),
    ChapterSpec("data", "A", "90_data", "The dataset", ABOUT, "data_page:build", {"max_price_age_days": None}),
)
# Book pages that are no chapter: the root page, and the pages a part lists before its chapters.
ROOT_PAGE = "book/intro"
PAGES_BEFORE = {ABOUT: ("book/method", "book/rerun")}
PART_ORDER = (YOURS, GUIDE, ABOUT)

_BY_KEY = {spec.key: spec for spec in CHAPTERS}
_BY_NOTEBOOK = {spec.notebook: spec for spec in CHAPTERS}


def chapter(key: str) -> ChapterSpec:
    """The chapter with this key (``"s1"``); a key no chapter has is a KeyError naming the keys there are."""
    if key not in _BY_KEY:
        raise KeyError(f"no chapter has the key {key!r}: the keys are {', '.join(_BY_KEY)}")
    return _BY_KEY[key]


def of_notebook(stem: str) -> ChapterSpec:
    """The chapter of a notebook (``"09_scenario_1"``)."""
    return _BY_NOTEBOOK[stem]


def ledger_chapters() -> tuple[ChapterSpec, ...]:
    """The chapters whose checks form the ledger, in book order."""
    return tuple(spec for spec in CHAPTERS if spec.in_ledger)


def page_of(key: str) -> str:
    """The HTML page of a chapter, relative to the notebooks' pages (``12_reconciliation.html``)."""
    return f"{chapter(key).notebook}.html"


def toc() -> dict[str, object]:
    """``_toc.yml`` as the registry describes it (a test holds the file to it)."""
    parts = [{"caption": part,
              "chapters": [{"file": page} for page in PAGES_BEFORE.get(part, ())]
              + [{"file": f"notebooks/{spec.notebook}"} for spec in CHAPTERS if spec.part == part]}
             for part in PART_ORDER]
    return {"format": "jb-book", "root": ROOT_PAGE, "parts": parts}
