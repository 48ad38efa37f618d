"""The book's own Sphinx extensions, called directly (loaded from ``_ext/`` by path, as Sphinx loads them)."""

from __future__ import annotations

import csv
import importlib.util
import io
import zipfile
from types import SimpleNamespace

from analysis import paths


def load_extension(name: str):
    spec = importlib.util.spec_from_file_location(f"_ext_{name}", paths.REPO_ROOT / "_ext" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_changed_inline_module_rewrites_the_pages_that_carry_it(tmp_path):
    # The calculator's JavaScript is inlined into its page when the page is written; Sphinx writes a page again only
    # when its notebook changes, so an edit of _static/calculator.js alone left the old code in the page.
    page_assets = load_extension("page_assets")
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "calculator.js").write_text("one();", encoding="utf-8")
    (tmp_path / "_static" / "calculator-model.js").write_text("model();", encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00_calculator.ipynb").write_text('{"x": "<div data-calculator>"}', encoding="utf-8")
    (tmp_path / "notebooks" / "01_other.ipynb").write_text("{}", encoding="utf-8")
    env = SimpleNamespace(found_docs={"notebooks/00_calculator", "notebooks/01_other"},
                          doc2path=lambda doc: tmp_path / f"{doc}.ipynb")
    app = SimpleNamespace(srcdir=str(tmp_path))
    assert page_assets.outdated_by_inline_modules(app, env, set(), set(), set()) == ["notebooks/00_calculator"]
    assert page_assets.outdated_by_inline_modules(app, env, set(), set(), set()) == []  # nothing changed since
    (tmp_path / "_static" / "calculator.js").write_text("two();", encoding="utf-8")
    assert page_assets.outdated_by_inline_modules(app, env, set(), set(), set()) == ["notebooks/00_calculator"]
    (tmp_path / "_static" / "calculator-model.js").write_text("model(2);", encoding="utf-8")  # the model too
    assert page_assets.outdated_by_inline_modules(app, env, set(), set(), set()) == ["notebooks/00_calculator"]


def test_the_zip_carries_the_books_dataset_safe_in_a_spreadsheet(tmp_path):
    table_files = load_extension("table_files")
    data = tmp_path / "src" / "data"
    data.mkdir(parents=True)
    (data / "gpus.csv").write_text('gpu_id,gpu_name,value\nh100,"=HYPERLINK(""http://x"",""y"")",-5\n'
                                   "a100,+cmd|' /C calc'!A0,1e9\n@SUM(A1),\tx,-2+3\n", encoding="utf-8")
    (data / "datapackage.json").write_text("{}", encoding="utf-8")
    (data / "notes.txt").write_text("not part of the dataset", encoding="utf-8")
    out = tmp_path / "html"
    env = SimpleNamespace(found_docs=set(), doc2path=lambda doc: doc)
    app = SimpleNamespace(srcdir=str(tmp_path / "src"), outdir=str(out), env=env,
                          builder=SimpleNamespace(format="html"))
    table_files.write_table_files(app, None)
    with zipfile.ZipFile(out / "_static" / table_files.ZIP_NAME) as archive:
        assert sorted(archive.namelist()) == ["data/datapackage.json", "data/gpus.csv"]
        rows = list(csv.reader(io.StringIO(archive.read("data/gpus.csv").decode("utf-8"))))
    assert rows == [["gpu_id", "gpu_name", "value"],
                    ["h100", "'=HYPERLINK(\"http://x\",\"y\")", "-5"],  # a number stays a number
                    ["a100", "'+cmd|' /C calc'!A0", "1e9"],
                    ["'@SUM(A1)", "'\tx", "'-2+3"]]  # -2+3 is a formula, not a number


def test_a_changed_stylesheet_rewrites_every_page(tmp_path):
    # With only _static/report.css changed, Sphinx found no page out of date, wrote none and copied no static file:
    # the site kept the old stylesheet while make report said it had built the book.
    stable_assets = load_extension("stable_assets")
    (tmp_path / "_static").mkdir()
    (tmp_path / "_templates").mkdir()
    (tmp_path / "_static" / "report.css").write_text("td { color: red; }", encoding="utf-8")
    app = SimpleNamespace(srcdir=str(tmp_path))
    env = SimpleNamespace(found_docs={"book/intro", "notebooks/01"})
    pages = stable_assets._all_pages_when_assets_change
    assert pages(app, env, set(), set(), set()) == ["book/intro", "notebooks/01"]  # first build: every page
    assert pages(app, env, set(), set(), set()) == []  # nothing changed
    (tmp_path / "_static" / "report.css").write_text("td { color: blue; }", encoding="utf-8")
    assert pages(app, env, set(), set(), set()) == ["book/intro", "notebooks/01"]
    (tmp_path / "_templates" / "layout.html").write_text("{{ body }}", encoding="utf-8")  # a template too
    assert pages(app, env, set(), set(), set()) == ["book/intro", "notebooks/01"]
    assert pages(app, env, set(), set(), set()) == []
