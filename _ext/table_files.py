"""Sphinx extension: each table's CSV as a file beside the pages, and one zip of every table and the dataset.

A table cell's output holds the HTML the page shows and, in its metadata (``selfhost_table``), the table's
CSV and file name (see ``analysis.report.publish.Shown``). The page links to
``_static/tables/<name>.csv``; this extension writes those files when the build finishes, and
``_static/report-data.zip`` with every table and the dataset the report was built from (``data/`` beside the
book's sources: the repository's own, or the copy a what-if report stages). The dataset's CSV files are
made safe for spreadsheets on the way in (:mod:`analysis.report.spreadsheet`), as every table download is. Entries
are sorted and dated 1980-01-01, so the same notebooks give the same zip, byte for byte.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sphinx.application import Sphinx

from analysis.report import spreadsheet

METADATA_KEY = "selfhost_table"
ZIP_NAME = "report-data.zip"
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def notebook_tables(notebook: Path) -> dict[str, str]:
    """``{file name: CSV text}`` for every table output of a notebook."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    tables = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            table = output.get("metadata", {}).get(METADATA_KEY)
            if table and table.get("filename"):
                tables[table["filename"]] = table["csv"]
    return tables


def _write_if_changed(path: Path, content: bytes) -> None:
    # Rewriting identical files would change their timestamps and nothing else.
    if not path.exists() or path.read_bytes() != content:
        path.write_bytes(content)


def _zip(target: Path, members: dict[str, bytes]) -> None:
    tmp = target.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name])
    _write_if_changed(target, tmp.read_bytes())
    tmp.unlink()


def write_table_files(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder is None or app.builder.format != "html":
        return
    srcdir, outdir = Path(app.srcdir), Path(app.outdir)
    tables_dir = outdir / "_static" / "tables"
    tables_dir.mkdir(parents=True, exist_ok=True)
    members: dict[str, bytes] = {}
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        if source.suffix == ".ipynb":
            for name, text in notebook_tables(source).items():
                content = text.encode("utf-8")
                _write_if_changed(tables_dir / name, content)
                members[f"tables/{name}"] = content
    data_dir = srcdir / "data"
    for path in sorted(data_dir.glob("*")) if data_dir.is_dir() else []:
        if path.is_file() and path.suffix == ".csv":
            members[f"data/{path.name}"] = spreadsheet.safe_csv(path.read_text(encoding="utf-8")).encode("utf-8")
        elif path.is_file() and path.suffix in (".json", ".md"):
            members[f"data/{path.name}"] = path.read_bytes()
    _zip(outdir / "_static" / ZIP_NAME, members)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", write_table_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
