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
