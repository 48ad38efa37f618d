"""What-if reports: the whole book rebuilt from another dataset and/or parameter overrides.

The committed notebooks are never touched. The report is assembled in a staging folder beside
``--out`` (book sources, a copy of the dataset, the notebooks executed with papermill against it, the Vega
bundle) and built with Jupyter Book; only when every step succeeded does it replace ``--out``
(:mod:`analysis.commands.outdir` decides which folders may be replaced). Every page carries a banner naming the
dataset and the overrides, and each chapter's provenance line lists the parameter values it ran with.

Parameters are checked before any notebook runs, by the rules the rest of the project uses: a number
against its range (:mod:`analysis.data.limits`), a name against the dataset's rows, and the situations a
notebook prices (a GPU it buys needs a purchase price; a rental offer must rent the GPU it goes with).
"""

from __future__ import annotations

import html
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis import paths
from analysis.commands import runner
from analysis.data import limits

BOOK_FILES = ("_toc.yml",)
BOOK_DIRS = ("book", "_ext")


class WhatIfError(ValueError):
    """A what-if request that cannot be built: the message says what to change."""


@dataclass(frozen=True)
class Parameter:
    """One parameter of a report notebook's parameters cell: its name and the type papermill reads for it."""

    name: str
    type_name: str


def notebook_parameters(notebook: Path) -> dict[str, Parameter]:
    """The parameters a notebook declares, with the type papermill infers from its parameters cell."""
    import papermill

    found = papermill.inspect_notebook(str(notebook))
    return {name: Parameter(name, p["inferred_type_name"]) for name, p in found.items()}


def _convert(raw: object, param: Parameter, origin: str) -> object:
    """A value given on the command line or in a YAML file, converted to the parameter's declared type."""
    # papermill reports annotations as written: "str", "int | None" or "Optional[int]" (from a type comment).
    spelled = param.type_name.replace("Optional[", "None | ").rstrip("]")
    types = {t.strip() for t in spelled.split("|")}
    if raw is None or (isinstance(raw, str) and raw in ("None", "null", "none")):
        if "None" in types:
            return None
        raise WhatIfError(f"{origin}: parameter {param.name} ({param.type_name}) cannot be None")
    if isinstance(raw, (dict, list)):
        raise WhatIfError(f"{origin}: parameter {param.name} takes one value, not a {type(raw).__name__}")
    text = str(raw).strip()
    if "int" in types or "float" in types:
        from analysis.data import inputs

        whole = "int" in types
        if whole:
            number = inputs.read_whole(text)  # exact: a seed keeps every digit
        else:
            number = inputs.read_number(text, "tokens" if param.name.endswith("tokens_per_month") else "plain")
        if number is None or number != number:
            kind = "a whole number" if whole else "a number"
            raise WhatIfError(f"{origin}: parameter {param.name} expects {kind} ({param.type_name}), got {text!r}")
        if limits.known(param.name):
            rule = limits.limit(param.name)
            if not rule.contains(number):
                raise WhatIfError(f"{origin}: parameter {param.name}: {rule.message(text)}")
        return number
    if "bool" in types:
        if text.lower() in ("true", "1", "yes"):
            return True
        if text.lower() in ("false", "0", "no"):
            return False
        raise WhatIfError(f"{origin}: parameter {param.name} expects true or false, got {text!r}")
    return text


# A parameter file names a few values: anything larger is not one.
MAX_PARAMETER_FILE_BYTES = 64 * 1024


class _PlainLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases (``*name``): a few lines of nested aliases expand into billions of
    values, and a parameter file has no use for them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not accepted in a parameter file",
                                              mark)
        return super().compose_node(parent, index)


def read_parameter_file(path: Path) -> dict[str, object]:
    """A YAML mapping of parameter names to plain values (at most 64 KB, no aliases)."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a device reads forever, a named pipe blocks
            raise WhatIfError(f"parameter file {path} is not a regular file")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_PARAMETER_FILE_BYTES + 1)  # a file may grow between the stat and the read
        size = max(status.st_size, len(raw))
        if size > MAX_PARAMETER_FILE_BYTES:
            raise WhatIfError(f"parameter file {path} is {size:,} bytes; a parameter file holds at most "
                              f"{MAX_PARAMETER_FILE_BYTES:,} (a mapping of names to values)")
        text = raw.decode("utf-8")
    except OSError as exc:
        raise WhatIfError(f"cannot read parameter file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise WhatIfError(f"parameter file {path} is not UTF-8 text") from None
    try:
        loaded = yaml.load(text, Loader=_PlainLoader)  # a SafeLoader: plain values only
    except yaml.YAMLError as exc:
        raise WhatIfError(f"parameter file {path} is not valid YAML: {exc}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise WhatIfError(f"parameter file {path} must be a mapping of parameter names to values")
    return loaded


def resolve_overrides(notebooks: list[Path], given: dict[str, tuple[object, str]],
                      collect: list[str] | None = None) -> dict[Path, dict[str, object]]:
    """Per notebook, the overrides that apply to it, converted to each parameter's type and checked against its
    range.

    ``given`` maps a parameter name to ``(value, origin)``; a name no notebook declares is an error that
    lists the valid names. ``data_dir`` is set by ``--data``, never as a parameter. Every problem is raised
    together as one :class:`WhatIfError`, or, with ``collect``, appended to it (the values that did convert are
    returned, so the caller can go on to list the problems of a later check as well).
    """
    declared = {nb: notebook_parameters(nb) for nb in notebooks}
    valid = sorted({name for params in declared.values() for name in params} - {"data_dir"})
    problems = []
    unknown = [name for name in given if name not in valid]
    if unknown:
        problems.append(f"unknown parameter(s) {', '.join(sorted(unknown))}; valid parameters: {', '.join(valid)}")
    per_notebook: dict[Path, dict[str, object]] = {}
    for nb, params in declared.items():
        chosen = {}
        for name, (raw, origin) in given.items():
            if name in params and name != "data_dir":
                try:
                    chosen[name] = _convert(raw, params[name], origin)
                except WhatIfError as exc:
                    if str(exc) not in problems:
                        problems.append(str(exc))
        per_notebook[nb] = chosen
    if problems and collect is None:
        raise WhatIfError("\n".join(problems))
    if collect is not None:
        collect += problems
    return per_notebook


def banner_text(data_dir: Path, overrides: dict[str, object]) -> str:
    """The sentence shown on every page of a what-if report."""
    text = f"What-if report built from the dataset in {data_dir}"
    if overrides:
        text += " with parameter overrides " + ", ".join(f"{k} = {v}" for k, v in sorted(overrides.items()))
    else:
        text += " with no parameter overrides"
    return text + ". It is not the published report."


def _write_config(target: Path, banner: str) -> None:
    config = yaml.safe_load((paths.REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = f"What-if: {config['title']}"
    # The announcement is raw HTML in the theme: escape it (paths and values come from the user).
    config.setdefault("html", {})["announcement"] = html.escape(banner)
    (target / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")


def prepare_sources(stage: Path, banner: str, data_dir: Path) -> None:
    """Copy the book's pages, table of contents, styles, the Vega bundle and the dataset into ``stage``.

    The dataset goes to ``stage/data`` (the tables the descriptor lists, the descriptor and the data README):
    the report's ``report-data.zip`` takes it from there, and the folder keeps what it was built from.
    """
    from analysis.commands import vendor

    stage.mkdir(parents=True, exist_ok=True)
    (stage / "data").mkdir()
    for source in [*paths.dataset_files(data_dir), paths.SCHEMA_FILE, data_dir / "README.md"]:
        if source.is_file():
            inside = source.parent.resolve().is_relative_to(Path(data_dir).resolve())
            target = stage / "data" / (source.resolve().relative_to(Path(data_dir).resolve()) if inside
                                       else source.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for name in BOOK_FILES:
        shutil.copy2(paths.REPO_ROOT / name, stage / name)
    for name in BOOK_DIRS:
        shutil.copytree(paths.REPO_ROOT / name, stage / name, ignore=shutil.ignore_patterns("__pycache__"))
    (stage / "_static").mkdir()
    # Every file of _static/ (styles, scripts, the favicon); its vega/ folder is the bundle, handled below.
    for source in (paths.REPO_ROOT / "_static").iterdir():
        if source.is_file() and source.suffix != ".tmp":
            shutil.copy2(source, stage / "_static" / source.name)
    bundle = stage / "_static" / "vega" / "vega-bundle.js"
    if paths.VENDOR_JS_FILE.exists():
        # The main build's bundle: write_bundle keeps it when it was written by the same versions, which
        # saves bundling again (about 2 s).
        bundle.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(paths.VENDOR_JS_FILE, bundle)
    vendor.write_bundle(bundle)
    _write_config(stage, banner)


def build_book(stage: Path) -> subprocess.CompletedProcess:
    """Jupyter Book over the staged sources (notebooks already executed), warnings as errors."""
    binary = Path(sys.executable).with_name("jupyter-book")
    command = [str(binary), "build", str(stage), "-W", "-n", "--keep-going", "--quiet"]
    return subprocess.run(command, capture_output=True, text=True, check=False)


# The names a notebook parameter takes from the dataset: parameter -> (table, key column, what it is).
NAMED_PARAMETERS = {
    "model": ("models", "model_id", "models"),
    "gpu": ("gpus", "gpu_id", "GPUs"), "buy_gpu": ("gpus", "gpu_id", "GPUs"),
    "precision": ("precisions", "precision", "precisions"),
    "buy_precision": ("precisions", "precision", "precisions"),
    "rent_precision": ("precisions", "precision", "precisions"),
    "api": ("api_prices", "offer_id", "API offers"), "api_offer": ("api_prices", "offer_id", "API offers"),
    "cheap_api": ("api_prices", "offer_id", "API offers"), "frontier_api": ("api_prices", "offer_id", "API offers"),
    "hosted_offer": ("api_prices", "offer_id", "API offers"),
    "rent": ("gpu_rentals", "offer_id", "rental offers"), "rent_offer": ("gpu_rentals", "offer_id", "rental offers"),
}
# A notebook buys its ``buy_gpu``, and its ``gpu`` unless it declares ``rent`` and opens on renting (the
# calculator); each needs a purchase price. A rental offer must rent the GPU it goes with: (GPU, offer).
RENTED_WITH = (("gpu", "rent_offer"), ("gpu", "rent"))


def _origin(name: str, overrides: dict[str, object], notebook: Path, origins: dict[str, str]) -> str:
    """Where a value came from, as the reader gave it (``-p gpu``, ``params.yaml: gpu``) or the notebook's own."""
    if name in overrides:
        return origins.get(name, f"-p {name}")
    return f"{notebook.stem}'s default {name}"


def _problems(ds, notebook: Path, overrides: dict[str, object], origins: dict[str, str]) -> list[str]:
    values = {**runner.parameter_defaults(notebook), **overrides}
    problems = []
    for name, (table, column, noun) in NAMED_PARAMETERS.items():
        value = values.get(name)
        valid = sorted(set(ds[table][column]))
        if value is not None and value not in valid:
            given = _origin(name, overrides, notebook, origins)
            problems.append(f"{given} = {value!r} is not in {table}.csv: valid {noun} are {', '.join(valid)}")
    priced = set(ds["gpu_prices"]["gpu_id"])
    bought = ["buy_gpu"] + (["gpu"] if values.get("rent") is None else [])
    for name in bought:
        gpu = values.get(name)
        if gpu is not None and gpu in set(ds["gpus"]["gpu_id"]) and gpu not in priced:
            problems.append(f"{_origin(name, overrides, notebook, origins)} = {gpu!r}: {notebook.stem} buys it and "
                            f"gpu_prices.csv has no purchase price for it (GPUs with a price: "
                            f"{', '.join(sorted(priced))})")
    rentals = ds["gpu_rentals"].set_index("offer_id")["gpu_id"]
    for gpu_name, rent_name in RENTED_WITH:
        gpu, offer = values.get(gpu_name), values.get(rent_name)
        if offer in rentals.index and gpu is not None and rentals[offer] != gpu:
            offers = sorted(rentals.index[rentals == gpu])
            given = _origin(rent_name, overrides, notebook, origins)
            problems.append(f"{given} = {offer!r} rents {rentals[offer]}, not {gpu_name} = {gpu!r} (offers for {gpu}: "
                            f"{', '.join(offers) or 'none'})")
    low, high = values.get("grid_low_tokens_per_month"), values.get("grid_high_tokens_per_month")
    if low is not None and high is not None and not low < high:
        problems.append(f"{notebook.stem}: grid_low_tokens_per_month = {low:g} must be below "
                        f"grid_high_tokens_per_month = {high:g}")
    return problems


def check_against_dataset(ds, per_notebook: dict[Path, dict[str, object]],
                          origins: dict[str, str] | None = None) -> None:
    """Refuse parameters the dataset cannot price, before any notebook runs: every problem, one line each.

    Each notebook's parameters (its defaults, with the overrides over them) must name rows of the dataset; a GPU
    the notebook buys needs a purchase price; a rental offer must rent the notebook's GPU; a grid's low end
    must be below its high end.
    """
    problems = [line for notebook, overrides in per_notebook.items()
                for line in _problems(ds, notebook, overrides, origins or {})]
    unique = list(dict.fromkeys(problems))
    if unique:
        raise WhatIfError("\n".join(unique))
