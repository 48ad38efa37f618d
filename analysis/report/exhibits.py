"""Exhibits: every table and chart of the report, numbered per chapter, titled by its finding, with a source.

A chapter lists its exhibits in the order its notebook shows them; the number is the chapter's number
and the exhibit's place in that list ("Exhibit 9.2"), and the anchor (``#exhibit-9-2``) lets a reader
link to it. Titles are computed from the chapter's own results, so a new price retitles the exhibit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.evaluation import uncertainty, verdicts
from analysis.report import registry

# The chapter numbers readers see, by the prefix of the chapter's notebook; the data page is an appendix.

GUIDE_TABLE = "the guide's table as printed (data/guide_claims.csv, data/guide_figures.csv)"
CHECKS = ("the guide's figures (data/guide_figures.csv) recomputed from its own inputs and from the model's "
          "inputs in data/; the verdict rules are on the method page")
CASES_NOTE = "base case, with low–high at the stress ends (every input at its favourable or unfavourable end)"
# A chart whose bands are the likely range: P10-P90 of the report's draws (analysis.evaluation.uncertainty).
LIKELY_NOTE = (f"base case, with bands P10–P90 of {uncertainty.DRAWS:,} draws of every input, seed "
               f"{uncertainty.SEED}")


@dataclass(frozen=True)
class Exhibit:
    """One table or chart: ``name`` is its anchor and CSV file name, ``title`` states what it shows,
    ``source`` names the data files and the case, ``note`` says how to read it (optional)."""

    name: str
    title: str
    source: str
    note: str = ""


def model_source(*files: str, case: str = CASES_NOTE) -> str:
    """``data/a.csv, data/b.csv; <case>``: the files a model exhibit is computed from."""
    return ", ".join(f"data/{f}" for f in files) + (f"; {case}" if case else "")


def printed(name: str, table_title: str, note: str = "") -> Exhibit:
    """The guide's table, cell text as printed."""
    return Exhibit(name, f"What the guide printed: “{table_title}”", "Source: " + GUIDE_TABLE, note)


def verdict_summary(verdict_column: pd.Series) -> str:
    """``20 figures checked: 6 reproduced, 10 inconsistent, 4 unverifiable`` (worst verdicts first)."""
    tally = verdicts.counts(verdict_column)
    parts = [f"{tally[v]} {verdicts.KEYS[v]}" for v in verdicts.SEVERITY if tally[v]]
    noun = "figure" if len(verdict_column) == 1 else "figures"
    return f"{len(verdict_column)} {noun} checked: " + ", ".join(parts)


def checks(name: str, check_rows: pd.DataFrame, note: str = "") -> Exhibit:
    """Each checked figure with its recomputation and verdict; the title counts the verdicts."""
    return Exhibit(name, verdict_summary(check_rows["Verdict"]), "Source: " + CHECKS, note)


def number(chapter_key: str, exhibits: tuple[Exhibit, ...], name: str) -> str:
    """``9.2`` for the second exhibit of chapter 9."""
    names = [e.name for e in exhibits]
    if name not in names:
        raise KeyError(f"chapter {chapter_key!r} has no exhibit {name!r}; it has {', '.join(names)}")
    return f"{registry.chapter(chapter_key).number}.{names.index(name) + 1}"
