"""A valid dataset in another folder is used when passed as the notebooks' ``data_dir`` parameter."""

from __future__ import annotations

import nbformat
import pytest

from analysis import paths, runner

# Executes notebooks (and builds books): minutes, not seconds.
pytestmark = pytest.mark.slow


def glued(nb: nbformat.NotebookNode) -> dict[str, str]:
    """The values a notebook glued, by name (myst-nb stores them as papermill records)."""
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                values[name] = out["data"]["application/papermill.record/text/plain"]
    return values


def test_sizing_chapter_uses_another_dataset(data_copy, tmp_path):
    models = data_copy / "models.csv"
    # Llama 4 Maverick with 500B instead of 400B parameters: 500 x 16 / 8 = 1,000 GB at FP16
    models.write_text(models.read_text().replace("Llama 4 Maverick,moe,400,17,", "Llama 4 Maverick,moe,500,17,"))
    source = paths.NOTEBOOKS_DIR / "03_hardware_sizing.ipynb"
    jobs = runner.plan([source], tmp_path / "out", {"data_dir": str(data_copy)}, data_copy)
    [outcome] = runner.run(jobs, log=lambda _: None)
    assert outcome.status == "executed", outcome.error
    nb = nbformat.read(tmp_path / "out" / source.name, as_version=4)
    facts = glued(nb)
    assert float(facts["maverick_fp16_weights_gb"]) == 1000.0
    assert float(facts["maverick_ratio"]) == 12.5  # 1,000 GB / 80 GB printed
    provenance = [out["data"]["text/html"] for cell in nb.cells for out in cell.get("outputs", [])
                  if 'class="provenance"' in out.get("data", {}).get("text/html", "")]
    assert provenance and f"Built from the dataset in {data_copy}" in provenance[0]
    committed = glued(nbformat.read(source, as_version=4))
    assert float(committed["maverick_fp16_weights_gb"]) == 800.0  # the committed report is untouched
