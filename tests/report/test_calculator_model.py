"""The calculator's JavaScript model, checked under Node against quote's golden answers: no browser, fast tier.

``python -m analysis golden`` writes what ``quote --format json`` answers for 500+ seeded situations (and the
one line it refuses others with) to ``tests/golden/calculator-quotes.json.gz``; ``_static/calculator-model.js``,
loaded as a CommonJS module, must give the same answers to 1e-9 and refuse in the same words. The browser parity
test (``tests/site/test_calculator.py``) stays in the slow tier.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess

import numpy as np
import pytest

from analysis import paths
from analysis.commands import golden, runner
from analysis.report import calculator
from analysis.report import formatting as fmt

NODE = shutil.which("node") or shutil.which("nodejs")
RUNNER = paths.REPO_ROOT / "tests" / "report" / "calculator_golden.cjs"
MODEL = paths.REPO_ROOT / "_static" / "calculator-model.js"


def test_the_golden_file_is_current():
    # written from this dataset and this code (make report writes it again when either changed)
    assert not golden.stale(), "tests/golden/calculator-quotes.json.gz is stale: run `python -m analysis golden`"


@pytest.fixture
def record(dataset, tmp_path):
    """The record the calculator page embeds, as a file for Node."""
    assert NODE, "Node is required for the calculator's model test: apt-get install -y nodejs"
    defaults = runner.parameter_defaults(paths.NOTEBOOKS_DIR / "00_calculator.ipynb")
    defaults.pop("data_dir")
    path = tmp_path / "record.json"
    path.write_text(json.dumps(calculator.embedded_data(dataset, defaults, golden.DATA_LABEL)), encoding="utf-8")
    return path


def test_the_model_answers_every_golden_situation_as_quote_does(record):
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


def _values_to_format() -> list[float]:
    """Money, volumes, months and shares as pages show them: round numbers, exact halves (ties) at every digit
    the formats keep, the edges where a unit changes, and a seeded spread over twelve decades."""
    rng = np.random.default_rng(20261205)
    ties = [k + h for k in (0, 1, 2, 12, 999) for h in (0.5, 0.25, 0.75, 0.125, 0.375)]
    edges = [999.49, 999.5, 999.51, 999_949, 999_950, 999_994_999, 999_995_000, 9.95, 9.96, 10.0]
    scaled = [t * 10.0**e for t in [*ties, 1.777, 3.455] for e in (3, 6, 9, 12, 15)]
    spread = list(10 ** rng.uniform(-3, 16, 400))
    return sorted({*ties, *edges, *scaled, *spread, 0.0})


def test_the_pages_numbers_read_as_the_reports(tmp_path):
    # One formatting family: the calculator's words for money, volumes, months and shares are formatting.py's,
    # halves to even included (JavaScript's toFixed sends $1,250 to $1.3K where Python writes $1.2K).
    assert NODE, "Node is required for the calculator's model test: apt-get install -y nodejs"
    values = _values_to_format()
    script = ("const f = require(process.argv[1]).formats; const xs = JSON.parse(require('fs').readFileSync(0));"
              "console.log(JSON.stringify(xs.map((x) => [f.usd(x), f.usd(-x), f.tokens(x), f.months(x), "
              "f.share(x / 1e3)])))")
    done = subprocess.run([NODE, "-e", script, str(MODEL)], input=json.dumps(values), capture_output=True,
                          text=True, check=True)
    javascript = json.loads(done.stdout)
    python = [[fmt.usd(x), fmt.usd(-x), fmt.tokens(x), fmt.months(x), fmt.share(x / 1e3)] for x in values]
    differ = [(x, js, py) for x, js, py in zip(values, javascript, python, strict=True) if js != py]
    assert differ == [], differ[:5]
    # the cases this guards, by hand: ties go to the even digit
    assert [fmt.usd(1_250), fmt.usd(1_125_000), fmt.tokens(1.125e9), fmt.tokens(3.455e15)] == [
        "$1.2K", "$1.12M", "1.12B", "3,460T"]


def test_the_javascript_holds_no_words_of_its_own():
    # Every sentence, label and message the page shows travels in the record (messages, page messages, nouns,
    # figure labels): a string or template literal of two words or more in either script is text that slipped
    # in. Comments and template placeholders are left out; "use strict" is a directive, not text.
    literal = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`(?:[^`\\]|\\.)*`')
    found = {}
    for script in (MODEL, paths.REPO_ROOT / "_static" / "calculator.js"):
        code = "\n".join(line for line in script.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith("//"))
        texts = [t for t in literal.findall(code)
                 if re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", re.sub(r"\$\{[^}]*\}", "", t)) and t != '"use strict"']
        if texts:
            found[script.name] = texts
    assert found == {}


# Volumes as readers type them (issue 29): words, a per-month tail, lower-case suffixes, and text to refuse.
VOLUME_TEXTS = ["300 million", "3B/month", "30k", "2 billion tokens a month", "1.5 Trillion", "5e9", "2,000,000",
                "750M per month", "12b tokens/month", "lots", "million", "3 zillion", "1e20", "0", "-5B", " 4B "]


def test_the_page_reads_a_typed_volume_as_quote_does(record):
    # 300 million -> 3e8, 3B/month -> 3e9 and 30k -> 3e4 on both sides; a refusal in the same words
    from analysis.data import inputs

    script = (f"const m = require({json.dumps(str(MODEL))}); const r = require({json.dumps(str(record))});"
              "const f = m.forRecord(r); const out = {};"
              f"for (const t of {json.dumps(VOLUME_TEXTS)}) {{ try {{ const o = f.checkOptions({{"
              "tokens_per_month: t, api: 'openai-gpt-5.4', model: 'llama-4-maverick', gpu: 'h100-sxm', "
              "precision: 'fp8'}); out[t] = o.tokens_per_month; } catch (e) { out[t] = e.message; } }"
              "process.stdout.write(JSON.stringify(out));")
    page = json.loads(subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True).stdout)
    for text in VOLUME_TEXTS:
        try:
            want: object = inputs.parse_tokens(text)
        except inputs.InputError as err:
            want = str(err)
        assert page[text] == want, text
    assert (page["300 million"], page["3B/month"], page["30k"]) == (3e8, 3e9, 3e4)


# ---------------------------------------------------------------- the likely range's draws and percentiles


def _node(script: str, *args: str, stdin: str = "") -> object:
    assert NODE, "Node is required for the calculator's model test: apt-get install -y nodejs"
    done = subprocess.run([NODE, "-e", script, str(MODEL), *args], input=stdin, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def test_the_pages_uniforms_are_pythons_bit_for_bit():
    # mulberry32 in both: the same doubles for the report's seed, the ends of the seed's range and an offset
    # into the stream (input k of a block of 10,000 draws starts at offset 10,000 k)
    from analysis.evaluation import uncertainty

    cases = [(uncertainty.SEED, 2_000, 0), (0, 500, 0), (2**32 - 1, 500, 0), (12345, 300, 290_000)]
    script = ("const m = require(process.argv[1]); const cases = JSON.parse(require('fs').readFileSync(0));"
              "console.log(JSON.stringify(cases.map(([s, c, o]) => Array.from(m.uniforms(s, c, o)))))")
    javascript = _node(script, stdin=json.dumps(cases))
    for (seed, count, offset), got in zip(cases, javascript, strict=True):
        assert got == uncertainty.uniforms(seed, offset + count)[offset:].tolist(), (seed, offset)


def test_the_pages_percentiles_are_numpys_inverted_cdf():
    # the smallest draw with at least p% of the draws at or below it, never and NaN as numpy has them
    from analysis.evaluation import uncertainty

    rng = np.random.default_rng(7)
    samples = [[3.0, 1.0, math.inf, 2.0, math.inf], [5.0], [2.0, 1.0], list(rng.normal(size=37)),
               list(rng.integers(0, 5, 101).astype(float)), [-math.inf, 1.0, 2.0, math.inf] * 3,
               list(rng.uniform(size=10_000)), [1.0, math.nan, 2.0]]
    levels = [10.0, 90.0, 50.0, 0.0, 100.0, 33.3]
    # json.dumps writes inf and NaN as Infinity and NaN: JavaScript source rather than JSON, read as such
    script = ("const m = require(process.argv[1]); const [xs, ls] = Function(`return ${require('fs')"
              ".readFileSync(0, 'utf8')}`)(); console.log(JSON.stringify(xs.map((x) => m.percentiles(x, ls)"
              ".map(String))))")
    javascript = _node(script, stdin=json.dumps([samples, levels]))
    for values, got in zip(samples, javascript, strict=True):
        want = uncertainty.percentiles(values, tuple(levels))
        assert [float(g) for g in got] == pytest.approx(want.tolist(), nan_ok=True, rel=0, abs=0), values[:5]


def test_the_pages_sampled_inputs_are_pythons(record, dataset):
    # sampleInputs in the page gives sample_inputs' draws exactly, whole units (sequences) included
    from analysis.evaluation import lookups as evaluation_lookups
    from analysis.evaluation import quoting, uncertainty

    request = quoting.QuoteRequest(2e9, "openai-gpt-5.4", "llama-4-maverick", "h100-sxm", "fp8", "lambda-h100-8x",
                                   None)
    sit = quoting.request_situation(evaluation_lookups.record(dataset), request)
    script = ("const m = require(process.argv[1]); const r = require(process.argv[2]); const f = m.forRecord(r);"
              "const o = f.checkOptions({tokens_per_month: '2B', api: 'openai-gpt-5.4', model: 'llama-4-maverick', "
              "gpu: 'h100-sxm', precision: 'fp8', rent: 'lambda-h100-8x'});"
              "console.log(JSON.stringify(Object.fromEntries(Object.entries(f.sampleInputs(f.model(o, [1]).sit, 1000, "
              "20260427)).map(([k, v]) => [k, Array.from(v)]))))")
    javascript = _node(script, str(record))
    python = uncertainty.sample_inputs(sit, 1_000, uncertainty.SEED)
    assert list(javascript) == list(python)
    for name, values in python.items():
        assert javascript[name] == values.tolist(), name
    assert set(javascript["concurrent_sequences"]) <= set(map(float, range(1, 17)))
