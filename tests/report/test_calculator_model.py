"""The calculator's JavaScript model, checked under Node against quote's golden answers: no browser, fast tier.

``python -m analysis golden`` writes what ``quote --format json`` answers for 500+ seeded situations (and the
one line it refuses others with) to ``tests/golden/calculator-quotes.json.gz``; ``_static/calculator-model.js``,
loaded as a CommonJS module, must give the same answers to 1e-9 and refuse in the same words. The browser parity
test (``tests/site/test_calculator.py``) stays in the slow tier.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from analysis import paths
from analysis.commands import golden, runner
from analysis.report import calculator

NODE = shutil.which("node") or shutil.which("nodejs")
RUNNER = paths.REPO_ROOT / "tests" / "report" / "calculator_golden.cjs"
MODEL = paths.REPO_ROOT / "_static" / "calculator-model.js"


def test_the_golden_file_is_current():
    # written from this dataset and this code (make report writes it again when either changed)
    assert not golden.stale(), "tests/golden/calculator-quotes.json.gz is stale: run `python -m analysis golden`"


def test_the_model_answers_every_golden_situation_as_quote_does(dataset, tmp_path):
    assert NODE, "Node is required for the calculator's model test: apt-get install -y nodejs"
    defaults = runner.parameter_defaults(paths.NOTEBOOKS_DIR / "00_calculator.ipynb")
    defaults.pop("data_dir")
    record = tmp_path / "record.json"
    record.write_text(json.dumps(calculator.embedded_data(dataset, defaults, golden.DATA_LABEL)), encoding="utf-8")
    done = subprocess.run([NODE, str(RUNNER), str(MODEL), str(record), str(golden.GOLDEN_FILE)], capture_output=True,
                          text=True, check=True)
    result = json.loads(done.stdout)
    vectors = golden.read()["vectors"]
    assert result["checked"] == len(vectors) >= 500
    assert result["failures"] == []
    # the draw covers what it should: both acquisitions, refusals, and some never-breaking-even answers
    assert sum("refused" in v for v in vectors) >= 15
    assert {v["quote"]["situation"]["acquisition"] for v in vectors if "quote" in v} == {"buy", "rent"}


@pytest.mark.slow  # 539 quotes in this process
def test_the_golden_answers_are_quotes_answers_now(dataset):
    # The digest says the file was written from this data and code; this recomputes every answer.
    assert golden.vectors(dataset)["vectors"] == golden.read()["vectors"]
