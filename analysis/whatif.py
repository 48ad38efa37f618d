"""What-if reports: the whole book rebuilt from another dataset and/or parameter overrides.

The committed notebooks are never touched. The report is assembled in a temporary folder beside
``--out`` (book sources, the notebooks executed with papermill against the chosen dataset, the Vega
bundle) and built with Jupyter Book; only when every step succeeded does it replace ``--out``. Every
page carries a banner naming the dataset and the overrides, and each chapter's provenance line lists
the parameter values it ran with.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis import paths

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
    text = str(raw).strip()
    if "int" in types:
        try:
            number = float(text.replace("_", ""))
        except ValueError:
            number = float("nan")
        if number == number and number == int(number):
            return int(number)
        raise WhatIfError(f"{origin}: parameter {param.name} expects a whole number ({param.type_name}), "
                          f"got {text!r}")
    if "float" in types:
        try:
            return float(text.replace("_", ""))
        except ValueError:
            raise WhatIfError(f"{origin}: parameter {param.name} expects a number ({param.type_name}), "
                              f"got {text!r}") from None
    if "bool" in types:
        if text.lower() in ("true", "1", "yes"):
            return True
        if text.lower() in ("false", "0", "no"):
            return False
        raise WhatIfError(f"{origin}: parameter {param.name} expects true or false, got {text!r}")
    return text


def read_parameter_file(path: Path) -> dict[str, object]:
    """A YAML mapping of parameter names to values."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WhatIfError(f"cannot read parameter file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise WhatIfError(f"parameter file {path} is not valid YAML: {exc}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise WhatIfError(f"parameter file {path} must be a mapping of parameter names to values")
    return loaded


def resolve_overrides(notebooks: list[Path], given: dict[str, tuple[object, str]]) -> dict[Path, dict[str, object]]:
    """Per notebook, the overrides that apply to it, converted to each parameter's type.

    ``given`` maps a parameter name to ``(value, origin)``; a name no notebook declares is an error that
    lists the valid names. ``data_dir`` is set by ``--data``, never as a parameter.
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
    if problems:
        raise WhatIfError("\n".join(problems))
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


def prepare_sources(stage: Path, banner: str) -> None:
    """Copy the book's pages, table of contents, styles and the Vega bundle into ``stage``."""
    from analysis import vendor

    stage.mkdir(parents=True)
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


def replace_dir(stage: Path, out: Path) -> None:
    """Put ``stage`` where ``out`` is, keeping the previous report until the new one is in place."""
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        os.replace(out, old)
    os.replace(stage, out)
    if old.exists():
        shutil.rmtree(old)
