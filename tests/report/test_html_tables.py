"""Tables that scan (issue 29): figures right-aligned in tabular digits, everything else left as text."""

from __future__ import annotations

import pandas as pd

from analysis.report import html_tables


def test_figure_cells_are_marked_numeric_and_text_cells_are_not():
    frame = pd.DataFrame({"Option": ["Buy", "Rent"], "Set-up": ["2× H100", "none"],
                          "Cost": ["$14.7K", "-$6,329"], "Range": ["$14.8K–$26.0K", "4.87B"],
                          "Payback": ["44 months", "never"], "Date": ["2026-12-05", "2026-11-20"]})
    table = html_tables.render(frame)
    assert '<td data-label="Cost" class="num">$14.7K</td>' in table
    assert '<td data-label="Cost" class="num">-$6,329</td>' in table
    assert '<td data-label="Range" class="num">$14.8K–$26.0K</td>' in table
    assert '<td data-label="Payback" class="num">44 months</td>' in table
    # words and set-ups stay text; a date is text kept on one line (it broke as "2026-11-/27")
    for cell in ('<td data-label="Payback">never</td>', '<td data-label="Set-up">2× H100</td>',
                 '<td data-label="Date" class="date">2026-12-05</td>', '<td data-label="Option">Buy</td>'):
        assert cell in table, cell
