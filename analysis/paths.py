"""Where things live, resolved from this package's own location (never the working directory)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
DATAPACKAGE_NAME = "datapackage.json"
# The schema every dataset folder is checked against (a what-if dataset cannot loosen it).
SCHEMA_FILE = DATA_DIR / DATAPACKAGE_NAME
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
BUILD_DIR = REPO_ROOT / "_build"
HTML_DIR = BUILD_DIR / "html"
VENDOR_JS_DIR = REPO_ROOT / "_static" / "vega"
VENDOR_JS_FILE = VENDOR_JS_DIR / "vega-bundle.js"
# Chapters computed once per dataset (analysis/report/chapter_cache.py): the folder, and the variable through which
# the runner hands it to its kernels.
CHAPTER_CACHE_DIR = REPO_ROOT / ".cache" / "chapters"
CHAPTER_CACHE_VARIABLE = "REPORT_CHAPTER_CACHE"
# What quote remembers of each dataset it validated (analysis/commands/quote_cache.py).
QUOTE_CACHE_DIR = REPO_ROOT / ".cache" / "quote"


# LiteLLM's price table, as extracted by ``python -m analysis prices litellm-extract`` (inside the dataset folder).
SECOND_PRICE_SOURCE = Path("sources") / "litellm" / "model_prices.json"


def dataset_files(data_dir: Path) -> list[Path]:
    """The files of a dataset folder the report reads: the tables the canonical descriptor lists and the LiteLLM
    extract (another folder or a stray file beside them is not part of the dataset)."""
    import json

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    tables = [Path(data_dir) / resource["path"] for resource in schema["resources"]]
    # The second price source the data page and ``prices check`` compare every API row with, when present.
    extract = Path(data_dir) / SECOND_PRICE_SOURCE
    return tables + ([extract] if extract.is_file() else [])


def too_long(path: Path) -> str | None:
    """Why the file system cannot hold ``path`` (a name or the whole path over its limit), or None."""
    import os

    try:
        name_max = os.pathconf("/", "PC_NAME_MAX")
        path_max = os.pathconf("/", "PC_PATH_MAX")
    except (OSError, ValueError):
        name_max, path_max = 255, 4096
    for part in Path(path).parts:
        size = len(os.fsencode(part))
        if size > name_max:
            return f"the name {part[:40]!r}... is {size} bytes long, over the file system's limit of {name_max}"
    size = len(os.fsencode(str(path)))
    if size >= path_max:
        return f"the path is {size} bytes long, over the system's limit of {path_max - 1}"
    return None


def resolve_data_dir(data_dir: str | Path | None, base: Path | None = None) -> Path:
    """Return an absolute dataset folder.

    A relative ``data_dir`` is taken relative to ``base`` (a notebook's folder when called from a
    notebook, else the working directory); ``None`` or ``""`` means the repository's ``data/``.
    """
    if data_dir is None or str(data_dir) == "":
        return DATA_DIR
    path = Path(data_dir)
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    return path.resolve()
