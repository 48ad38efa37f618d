"""The chapter registry is the one declaration of each chapter: _toc.yml, the notebooks, the builders and the
ledger are held to it here."""

from __future__ import annotations

import inspect
import json

import pytest
import yaml

from analysis import paths
from analysis.commands import runner
from analysis.report import exhibits, registry
from analysis.report.chapters.common import Chapter

SPECS = registry.CHAPTERS


def test_the_table_of_contents_is_the_registrys():
    assert yaml.safe_load((paths.REPO_ROOT / "_toc.yml").read_text(encoding="utf-8")) == registry.toc()


def test_every_report_notebook_has_one_declaration():
    assert [spec.notebook for spec in SPECS] == [p.stem for p in runner.notebooks()]
    assert len({spec.key for spec in SPECS}) == len(SPECS)
    numbers = [spec.number for spec in SPECS if spec.number]
    assert len(set(numbers)) == len(numbers)


@pytest.mark.parametrize("spec", SPECS, ids=[s.notebook for s in SPECS])
def test_a_notebook_declares_the_parameters_its_chapter_declares(spec):
    defaults = runner.parameter_defaults(paths.NOTEBOOKS_DIR / f"{spec.notebook}.ipynb")
    defaults.pop("data_dir")
    assert defaults == spec.parameters


@pytest.mark.parametrize("spec", [s for s in SPECS if s.build], ids=[s.notebook for s in SPECS if s.build])
def test_a_builder_takes_the_dataset_and_the_chapters_parameters(spec):
    # one shape: build(dataset, **parameters) -> Chapter, with the notebook's parameters as keywords
    builder = spec.builder()
    signature = inspect.signature(builder)
    first = next(iter(signature.parameters.values()))
    assert first.name in ("ds", "dataset")
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    assert accepts_any or set(spec.builder_parameters()) <= set(signature.parameters), spec.notebook
    assert signature.return_annotation in (Chapter, "Chapter")


def test_a_notebook_calls_its_chapters_builder():
    for spec in (s for s in SPECS if s.build):
        module, _, name = spec.build.partition(":")
        cells = json.loads((paths.NOTEBOOKS_DIR / f"{spec.notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
        code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert f"{module}.{name}(" in code or f"{module}.{name}\n" in code, spec.notebook


@pytest.mark.slow  # builds every chapter of the ledger
def test_a_ledger_chapter_checks_the_sections_it_declares(dataset):
    figures = dataset["guide_figures"].set_index("figure_id")["section"]
    claims = dataset["guide_claims"].set_index("claim_id")["section"]
    for spec in registry.ledger_chapters():
        chapter = spec.build_chapter(dataset)
        assert chapter.key == spec.key
        sections = {figures.get(i, claims.get(i)) for i in chapter.checks["figure_id"] if i}
        assert sections == set(spec.ledger_sections), spec.notebook


def test_exhibit_numbers_come_from_the_registry():
    items = (exhibits.Exhibit("s1-printed", "t", "s"), exhibits.Exhibit("s1-checks", "t", "s"))
    assert exhibits.number("s1", items, "s1-checks") == "9.2"  # chapter 9 in the registry, second exhibit
    with pytest.raises(KeyError, match="no chapter has the key 'nine'"):
        exhibits.number("nine", items, "s1-checks")


def test_the_runner_starts_the_longest_first_and_the_readers_last():
    order = sorted(runner.notebooks(), key=lambda p: runner._run_rank(p.stem))
    assert order[0].stem == next(s.notebook for s in SPECS if s.run == "first")
    assert order[-1].stem == next(s.notebook for s in SPECS if s.run == "last")
