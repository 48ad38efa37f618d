"""Notebook hygiene: thin notebooks that only call analysis/, and committed outputs that are current."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from analysis import paths
from analysis.commands import runner

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
FORBIDDEN = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.While,
             ast.With, ast.Global)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.fixture(params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def notebook(request) -> tuple[Path, nbformat.NotebookNode]:
    return request.param, nbformat.read(request.param, as_version=4)


def test_there_are_notebooks():
    assert NOTEBOOKS


def test_kernelspec_is_python3(notebook):
    _, nb = notebook
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_exactly_one_parameters_cell_first_and_literal(notebook):
    _, nb = notebook
    cells = code_cells(nb)
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and cells[0] is tagged[0]
    for stmt in ast.parse(tagged[0].source).body:
        # An annotation, or a `# type:` comment where papermill's parser cannot read the annotation
        # (`int | None`); tests/commands/test_whatif.py checks that papermill finds every type.
        assert isinstance(stmt, ast.AnnAssign | ast.Assign), ast.dump(stmt)
        assert isinstance(stmt.value, ast.Constant), f"parameter {ast.unparse(stmt.target)} is not a literal"
    assert all(line.count("#") for line in tagged[0].source.splitlines()), "each parameter needs a comment"


def test_no_definitions_loops_or_numbers_outside_parameters(notebook):
    _, nb = notebook
    for cell in code_cells(nb)[1:]:
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, FORBIDDEN), f"{type(node).__name__} in: {cell.source}"
            if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(
                    node.value, bool):
                pytest.fail(f"numeric literal {node.value!r} outside the parameters cell: {cell.source}")


def test_one_title(notebook):
    _, nb = notebook
    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("# ")]
    assert len(headings) == 1 and nb.cells[0].source.startswith("# ")


def test_committed_outputs_are_from_the_current_inputs(notebook):
    path, nb = notebook
    assert all(c.get("outputs") is not None for c in code_cells(nb))
    assert nb.metadata["report"]["inputs_sha256"] == runner.inputs_digest(nb, paths.DATA_DIR, {}), (
        f"{path.name} is stale: run `make report` and commit the notebook")


# --- no typed numbers in prose ------------------------------------------------------------------------------

_DIRECTIVE = re.compile(r"^```\{[^}]*\}[^\n]*\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# A directive's options (":doc: ../notebooks/13_uncertainty.ipynb") are markup, not prose.
_DIRECTIVE_OPTION = re.compile(r"^:[\w-]+:[^\n]*$", re.MULTILINE)
_GLUE_OR_CODE = re.compile(r"\{glue:[a-z]*\}`[^`]*`|`[^`]*`|\]\([^)]*\)")
# Tokens with digits that are names or definitions, not figures: GPU and format names (H100, FP16, INT4),
# percentile names (P10, 10th), the two guide scenarios, the "2" of key + value and the "/ 8" of bits to
# bytes, list numbering, the guide's title and date (quoted), and the SI prefix the units section defines.
_NOT_FIGURES = re.compile(r"\b(?:Scenario [12]|scenario-1|[A-Z]+\d+[A-Za-z0-9]*|\d+(?:st|nd|rd|th)|V4)\b"
                          r"|^\d\. |^## \d\. |\b2 \(key and value\)|Break-Even at \$20K/Month Spend|\(10⁹ bytes\)"
                          r"|April 2026|Self-Host LLM vs API 2026|more than 4 bits|bits / 8", re.MULTILINE)


def _prose_without_names(text: str, names: list[str]) -> str:
    # A directive (```{admonition} ...) is markup around prose, not code: keep what it holds.
    text = _DIRECTIVE.sub(lambda m: m.group(1), text)
    text = _DIRECTIVE_OPTION.sub("", text)
    text = _GLUE_OR_CODE.sub("", text)
    for name in names:
        text = text.replace(name, "")
    return _NOT_FIGURES.sub("", text)


def _model_and_gpu_names() -> list[str]:
    from analysis.data import loading

    ds = loading.load()
    names = set(ds["models"]["model_name"]) | set(ds["models"]["guide_model"].dropna())
    names |= set(ds["api_prices"]["api_model"]) | set(ds["gpus"]["gpu_name"])
    names |= {"Llama 4", "Llama\n3.3 70B", "Llama 3.3 70B", "DeepSeek V4", "GPT-5.4"}
    return sorted(names, key=len, reverse=True)


PROSE = [*NOTEBOOKS, *sorted((paths.REPO_ROOT / "book").glob("*.md"))]


@pytest.mark.parametrize("path", PROSE, ids=[p.name for p in PROSE])
def test_prose_has_no_typed_figures(path):
    names = _model_and_gpu_names()
    if path.suffix == ".ipynb":
        texts = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]
    else:
        texts = [path.read_text(encoding="utf-8")]
    typed = [m for t in texts for m in re.findall(r"\S*\d\S*", _prose_without_names(t, names))]
    assert typed == [], f"{path.name}: numbers typed in prose (glue them from analysis/): {typed}"
