"""Shared chapter helpers: quoting the guide's figures in report notation."""

from __future__ import annotations

import pytest

from analysis.report.chapters.common import quoted


def test_quotes_follow_each_figures_unit(dataset):
    facts = quoted(dataset, {"spend": "qc.summary.break_even",  # 20,000 USD/month
                             "savings": "tiers.20k_50k.savings",  # 0.4-0.6 fraction
                             "volume": "s1.summary.break_even_volume",  # 500,000,000 tokens/month
                             "spread": "rent.summary.cost_spread",  # 10 ratio
                             "params": "hw.deepseek_v4.params",  # 600 B params
                             "rent": "rent.buy_h100.monthly"})  # 800 USD/GPU-month
    assert facts == {"spend": "$20.0K", "savings": "40%–60%", "volume": "500M", "spread": "10x",
                     "params": "600B", "rent": "$800"}


def test_unknown_figure_is_named(dataset):
    with pytest.raises(KeyError, match=r"guide_figures\.csv has no figure no\.such\.figure"):
        quoted(dataset, {"x": "no.such.figure"})
