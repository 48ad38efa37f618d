"""The verdict tally every page's counts come from."""

from __future__ import annotations

import pytest

from analysis.evaluation import verdicts


def test_every_verdict_is_counted_in_order_zeros_included():
    column = [verdicts.INCONSISTENT, verdicts.REPRODUCED, verdicts.INCONSISTENT, verdicts.UNVERIFIABLE]
    assert verdicts.counts(column) == {verdicts.REPRODUCED: 1, verdicts.IMPLIED: 0, verdicts.TIGHT: 0,
                                       verdicts.INCONSISTENT: 2, verdicts.IMPOSSIBLE: 0, verdicts.UNVERIFIABLE: 1}
    assert list(verdicts.counts([])) == verdicts.ORDER


def test_a_word_that_is_no_verdict_is_refused():
    with pytest.raises(ValueError, match="not a verdict: 'fine'"):
        verdicts.counts([verdicts.REPRODUCED, "fine"])


def test_the_tolerance_is_a_share_of_the_recomputed_figure():
    # 2% of the recomputed 100 is 2: a printed 98 or 102 is within it. As a share of the printed figure 98 would
    # allow only 1.96, and 98 would fail.
    assert bool(verdicts.within(98.0, 100.0, 0.02)) and bool(verdicts.within(102.0, 100.0, 0.02))
    assert not bool(verdicts.within(97.9, 100.0, 0.02)) and not bool(verdicts.within(102.1, 100.0, 0.02))
