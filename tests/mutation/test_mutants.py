"""The mutant list stays applicable: a refactor that moves a mutated line must update tests/mutation/mutants.py.

(tests/mutation/run.py leaves this test out of its runs: a mutant changes its own line, which would fail it.)
"""

from __future__ import annotations

import sys
from pathlib import Path

from analysis import paths

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutants import MUTANTS  # the list beside this file


def test_every_mutant_changes_exactly_one_place_of_the_source():
    missing = [f"{what}: {path}" for path, before, after, what in MUTANTS
               if (paths.REPO_ROOT / path).read_text(encoding="utf-8").count(before) != 1 or before == after]
    assert missing == []
    assert len({what for *_, what in MUTANTS}) == len(MUTANTS)  # each named once, as the score lists them
