"""What-if reports: a whole report from another dataset, its numbers, hostile text, and bad requests.

One what-if build (15 notebooks and a book, 10-20 s) is shared by the tests of this module: a copy of data/ with every
API price doubled and with HTML, script and spreadsheet formulas planted in text fields.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.parse
import zipfile
from pathlib import Path

import nbformat
import pytest
from pages import VIEWPORTS, new_tab, open_page, serve, unexpected, wait_for_charts, watch

from analysis import paths
from analysis.commands import outdir, vendor, whatif
from analysis.commands.cli import main
from analysis.data import loading
from analysis.evaluation import lookups, quoting
from analysis.report.chapters import scenario

# Executes notebooks (and builds books): tens of seconds, not the fast set's milliseconds.
pytestmark = pytest.mark.slow

HOSTILE_MODEL = "<img src=x onerror=alert(1)>"
HOSTILE_PROVIDER = "</script><script>alert(1)</script>"
HOSTILE_GPU = '=HYPERLINK("http://evil.example/","click")'
PRICE_COLUMNS = ("usd_per_m_input", "usd_per_m_output", "usd_per_m_cached_input")


def _rewrite(path: Path, change) -> None:
    """Rewrite a CSV row by row with ``change(row)``, keeping its columns and line endings."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = [change(dict(row)) for row in reader]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _double_prices(row: dict) -> dict:
    for column in PRICE_COLUMNS:
        if row[column]:
            row[column] = repr(2 * float(row[column]))
    if row["offer_id"] == "openai-gpt-5.4":
        row["provider"] = HOSTILE_PROVIDER
    return row


def _hostile_model(row: dict) -> dict:
    if row["model_id"] == "llama-4-maverick":
        row["model_name"] = HOSTILE_MODEL
        row["params_total_b"] = "500"  # instead of 400: the sizing chapter must size this model, not data/'s
    return row


def _hostile_gpu(row: dict) -> dict:
    if row["gpu_id"] == "h100-sxm":
        row["gpu_name"] = HOSTILE_GPU
    return row


@pytest.fixture(scope="module")
def whatif_data(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("whatif") / "data"
    target.mkdir()
    for source in paths.DATA_DIR.glob("*.csv"):
        target.joinpath(source.name).write_bytes(source.read_bytes())
    _rewrite(target / "api_prices.csv", _double_prices)
    _rewrite(target / "models.csv", _hostile_model)
    _rewrite(target / "gpus.csv", _hostile_gpu)
    return target


@pytest.fixture(scope="module")
def whatif_report(whatif_data: Path) -> Path:
    out = whatif_data.parent / "report"
    # One kernel: under `make test` the other worker keeps the second core busy, and each kernel more
    # would only add its start-up (about 1.5 s of CPU) to the suite.
    code = main(["whatif", "--data", str(whatif_data), "--out", str(out), "-p", "draws", "2000", "--jobs", "1"])
    assert code == 0
    return out


def _glued(notebook: Path) -> dict[str, str]:
    """The facts a notebook glued, as the text MyST-NB pastes into prose."""
    nb = nbformat.read(notebook, as_version=4)
    facts = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                facts[name] = output["data"]["application/papermill.record/text/plain"].strip("'\"")
    return facts


def test_whatif_report_has_the_models_numbers_for_its_dataset(whatif_report, whatif_data):
    ds = loading.load(whatif_data)
    expected = scenario.build(ds, "s1", "llama-4-maverick", "h100-sxm", "fp8", "openai-gpt-5.4",
                              "novita-llama-4-maverick", "lambda-h100-8x").facts
    built = _glued(whatif_report / "notebooks" / "09_scenario_1.ipynb")
    published = _glued(paths.NOTEBOOKS_DIR / "09_scenario_1.ipynb")
    for key in ("s1_buy_breakeven_tokens", "s1_buy_breakeven_usd", "s1_gpus"):
        assert built[key] == str(expected[key])
    # Doubling every API price halves the break-even volume's distance: it must differ from the published run.
    assert built["s1_buy_breakeven_tokens"] != published["s1_buy_breakeven_tokens"]
    assert (whatif_report / "_build" / "html" / "index.html").exists()


def test_the_sizing_chapter_sizes_the_model_of_its_dataset(whatif_report, whatif_data):
    # Llama 4 Maverick with 500B instead of 400B parameters: 500 x 16 / 8 = 1,000 GB at FP16.
    built = whatif_report / "notebooks" / "03_hardware_sizing.ipynb"
    facts = _glued(built)
    assert float(facts["maverick_fp16_weights_gb"]) == 1000.0
    assert float(facts["maverick_ratio"]) == 12.5  # 1,000 GB / 80 GB printed
    html = [out.get("data", {}).get("text/html", "") for cell in nbformat.read(built, as_version=4).cells
            for out in cell.get("outputs", [])]
    provenance = [text for text in html if 'class="provenance"' in text]
    assert provenance and f"Built from the dataset in {whatif_data}" in provenance[0]
    assert float(_glued(paths.NOTEBOOKS_DIR / built.name)["maverick_fp16_weights_gb"]) == 800.0  # data/'s 400B


def test_whatif_leaves_the_committed_notebooks_alone(whatif_report):
    committed = nbformat.read(paths.NOTEBOOKS_DIR / "09_scenario_1.ipynb", as_version=4)
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in committed.cells)


def test_the_injected_parameters_are_hidden_and_said_in_words(whatif_report):
    built = nbformat.read(whatif_report / "notebooks" / "13_uncertainty.ipynb", as_version=4)
    injected = [c for c in built.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "remove-cell" in injected[0].metadata["tags"]
    assert "draws = 2000" in injected[0].source
    page = (whatif_report / "_build" / "html" / "notebooks" / "13_uncertainty.html").read_text(encoding="utf-8")
    assert "tag_injected-parameters" not in page and "tag_parameters" in page  # no cell of its own on the page
    assert "with parameter overrides draws = 2000" in page  # the banner says it


def test_every_whatif_page_names_its_dataset(whatif_report, whatif_data):
    pages = sorted((whatif_report / "_build" / "html").rglob("*.html"))
    content = [p for p in pages if p.parent.name in ("book", "notebooks")]
    assert len(content) >= 10
    for page in content:
        text = page.read_text(encoding="utf-8")
        assert f"What-if report built from the dataset in {whatif_data} with parameter overrides draws = 2000" \
            in text, page.name


def _csv_links(page: Path) -> list[str]:
    """The CSV files a page's download links point at, read from the built site."""
    marker = 'download="'
    out = []
    for chunk in page.read_text(encoding="utf-8").split(marker)[1:]:
        href = chunk.split('href="', 1)[1].split('"', 1)[0]
        out.append((page.parent / urllib.parse.unquote(href)).read_text(encoding="utf-8"))
    return out


def test_hostile_text_is_escaped_in_html_and_neutralized_in_csv(whatif_report):
    sizing_page = whatif_report / "_build" / "html" / "notebooks" / "03_hardware_sizing.html"
    sizing = sizing_page.read_text(encoding="utf-8")
    assert "<img src=x onerror" not in sizing
    assert "&lt;img src=x onerror=alert(1)&gt;" in sizing
    downloads = "\n".join(_csv_links(sizing_page))
    assert HOSTILE_MODEL in downloads  # the text survives, as text
    rows = list(csv.reader(downloads.splitlines()))
    # A spreadsheet runs a cell (header or value) that starts with =, +, - or @; the hostile GPU name is
    # a column header of the GPU-count table and a cell of others.
    # (its GPU-count column is split into low and high numbers, so the header carries a suffix)
    assert any(cell.startswith(f"'{HOSTILE_GPU}") for row in rows for cell in row)
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "@"))]
    full_cost = (whatif_report / "_build" / "html" / "notebooks" / "09_scenario_1.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in full_cost


@pytest.fixture(scope="module")
def whatif_site(whatif_report):
    with serve(whatif_report / "_build" / "html") as url:
        yield url


# What the planted scripts leave in a page's HTML, however it is escaped there (entities, JSON, CSV).
SCRIPT_TRACES = ("onerror", "alert(1)")


def test_no_script_from_the_data_runs_in_the_browser(whatif_report, whatif_site, browser):
    # Every page that carries a planted script, in its prose, tables, charts or downloads.
    html = whatif_report / "_build" / "html"
    pages = [f"notebooks/{p.stem}.html" for p in sorted((whatif_report / "notebooks").glob("*.ipynb"))
             if any(trace in (html / "notebooks" / f"{p.stem}.html").read_text(encoding="utf-8")
                    for trace in SCRIPT_TRACES)]
    assert {"notebooks/03_hardware_sizing.html", "notebooks/09_scenario_1.html", "notebooks/12_reconciliation.html",
            "notebooks/00_calculator.html"} <= set(pages)
    # One tab goes from page to page, as a reader's would; every alert is dismissed and noted.
    dialogs: list[str] = []
    tab = new_tab(browser, VIEWPORTS["wide"])
    record = watch(tab, whatif_site, dialogs)
    for path in pages:
        tab.goto(f"{whatif_site}/{path}", wait_until="load")
        wait_for_charts(tab)
        tab.wait_for_timeout(100)  # an alert raised once the charts are drawn would land here
        assert dialogs == [], f"{path}: a script from the data ran"
        assert tab.locator("img[src='x']").count() == 0, path
        assert record["outside"] == [], path
        assert unexpected(record["errors"]) == [], path
    tab.close()


def test_whatif_calculator_prices_with_its_own_dataset(whatif_report, whatif_site, whatif_data, dataset, browser):
    """The what-if report's calculator answers with the what-if dataset's prices, as quote --data DIR does."""
    options = {"tokens_per_month": "2B", "api": "openai-gpt-5.4", "model": "llama-4-maverick", "gpu": "h100-sxm",
               "precision": "fp8"}
    page, record = open_page(browser, whatif_site, "notebooks/00_calculator.html")
    page.wait_for_function("Number(document.querySelector('.calculator').dataset.updates) >= 1")
    answer = page.evaluate("(o) => window.reportQuote(o)", options)
    model_text = page.locator("#calc-model option[value='llama-4-maverick']").inner_text()
    page.close()
    whatif_ds = loading.load(whatif_data)
    situation = quoting.QuoteRequest(2e9, "openai-gpt-5.4", "llama-4-maverick", "h100-sxm", "fp8", None, None)
    expected = quoting.make_quote(lookups.record(whatif_ds), situation).figures
    published = quoting.make_quote(lookups.record(dataset), situation).figures
    for case, figures in expected.items():
        assert answer["cases"][case]["api_usd_per_month"] == pytest.approx(figures["api_usd_per_month"], rel=1e-12)
        # Every API price doubled: the bill too.
        assert figures["api_usd_per_month"] == pytest.approx(2 * published[case]["api_usd_per_month"], rel=1e-12)
    assert answer["situation"]["data_dir"] == str(whatif_data)
    assert model_text == HOSTILE_MODEL  # the planted name is text in the menu, not markup
    assert unexpected(record["errors"]) == []


def test_invalid_data_stops_before_any_notebook_and_keeps_the_previous_report(data_copy, tmp_path, capsys):
    out = tmp_path / "previous"
    out.mkdir()
    (out / "marker.txt").write_text("the previous report", encoding="utf-8")
    outdir.write_marker(out)  # an earlier what-if's folder, which a new one may replace
    lines = (data_copy / "gpus.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("memory_capacity")] = "lots"
    lines[1] = ",".join(cells)
    (data_copy / "gpus.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["whatif", "--data", str(data_copy), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "1 problem found; no notebook was run" in err
    assert "gpus.csv" in err and "memory_capacity" in err and "'lots'" in err
    assert (out / "marker.txt").read_text(encoding="utf-8") == "the previous report"
    assert not (out / "notebooks").exists()


def test_unknown_parameter_lists_the_valid_ones(tmp_path, capsys):
    assert main(["whatif", "--out", str(tmp_path / "r"), "-p", "modle", "x"]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter(s) modle; valid parameters: " in err
    assert "api_offer" in err and "context_tokens" in err and "data_dir" not in err.split("valid parameters:")[1]


def test_parameter_of_the_wrong_type_is_refused(tmp_path, capsys):
    params = tmp_path / "params.yaml"
    params.write_text("context_tokens: plenty\n", encoding="utf-8")
    assert main(["whatif", "--out", str(tmp_path / "r"), "-f", str(params)]) == 2
    err = capsys.readouterr().err
    assert f"{params}: context_tokens: parameter context_tokens expects a whole number (Optional[int]), " \
           "got 'plenty'" in err
    assert not (tmp_path / "r").exists()


def test_out_cannot_be_the_repository(capsys):
    assert main(["whatif", "--out", str(paths.REPO_ROOT)]) == 2
    assert capsys.readouterr().err == (f"error: --out {paths.REPO_ROOT} holds this checkout ({paths.REPO_ROOT}): give "
                                       f"a new folder, such as {paths.REPO_ROOT / 'whatif'}\n")


def test_parameter_file_must_be_a_mapping(tmp_path, capsys):
    params = tmp_path / "params.yaml"
    params.write_text("- model\n- gpu\n", encoding="utf-8")
    assert main(["whatif", "--out", str(tmp_path / "r"), "-f", str(params)]) == 2
    assert f"parameter file {params} must be a mapping of parameter names to values" in capsys.readouterr().err


def test_every_notebook_parameter_is_documented_for_papermill():
    import papermill

    for notebook in sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        params = papermill.inspect_notebook(str(notebook))
        source = next(c.source for c in nbformat.read(notebook, as_version=4).cells
                      if "parameters" in c.metadata.get("tags", []))
        declared = [line.split("=")[0].split(":")[0].strip() for line in source.splitlines() if "=" in line]
        assert sorted(params) == sorted(declared), f"{notebook.name}: papermill cannot parse every parameter"
        for name, info in params.items():
            assert info["inferred_type_name"] != "None", f"{notebook.name}: {name} has no type"
            assert info["help"], f"{notebook.name}: {name} has no help text"


def test_the_whatif_takes_the_main_builds_bundle_when_the_same_versions_wrote_it(tmp_path, monkeypatch):
    planted = tmp_path / "vega-bundle.js"
    planted.write_text(vendor._stamp() + "// the main build's bundle\n", encoding="utf-8")
    monkeypatch.setattr(paths, "VENDOR_JS_FILE", planted)
    whatif.prepare_sources(tmp_path / "stage", "banner", paths.DATA_DIR)
    staged = tmp_path / "stage" / "_static" / "vega" / "vega-bundle.js"
    assert staged.read_text(encoding="utf-8") == planted.read_text(encoding="utf-8")


def test_the_whatif_zip_holds_its_own_dataset_safe_in_a_spreadsheet(whatif_report):
    # issue 23: the what-if's report-data.zip held no dataset, and the main zip's dataset carried formula cells.
    with zipfile.ZipFile(whatif_report / "_build" / "html" / "_static" / "report-data.zip") as archive:
        data = sorted(n for n in archive.namelist() if n.startswith("data/"))
        gpus = list(csv.reader(io.StringIO(archive.read("data/gpus.csv").decode("utf-8"))))
        prices = list(csv.DictReader(io.StringIO(archive.read("data/api_prices.csv").decode("utf-8"))))
    tables = [f"data/{r['path']}" for r in loading.descriptor()["resources"]]
    assert data == sorted([*tables, "data/datapackage.json"])
    cells = [cell for row in gpus for cell in row]
    assert f"'{HOSTILE_GPU}" in cells and HOSTILE_GPU not in cells
    gpt = next(row for row in prices if row["offer_id"] == "openai-gpt-5.4")
    assert float(gpt["usd_per_m_input"]) == 5.0  # the what-if's doubled price (data/ says 2.50)


def test_the_whatif_folder_is_marked_with_every_path_it_wrote(whatif_report, capsys):
    record = json.loads((whatif_report / outdir.MARKER).read_text(encoding="utf-8"))
    assert record["written_by"] == "python -m analysis whatif"
    assert record["contents"] == outdir.contents(whatif_report)  # every path, each file with its sha256
    assert {"notebooks/09_scenario_1.ipynb", "_build/html/index.html", "data/gpus.csv"} <= set(record["contents"])
    assert record["contents"]["notebooks"] == "folder" and len(record["contents"]["data/gpus.csv"]) == 64
    # A file of the reader's own inside it makes the next what-if refuse the folder, naming the file.
    note = whatif_report / "notes.txt"
    note.write_text("mine", encoding="utf-8")
    try:
        assert main(["whatif", "--out", str(whatif_report)]) == 2
        assert "notes.txt" in capsys.readouterr().err
        assert note.read_text(encoding="utf-8") == "mine"
    finally:
        note.unlink()
