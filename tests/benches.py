"""The scripts of ``bench/``, loaded as modules so that tests can run their measurements in this process."""

from __future__ import annotations

import importlib.util
import sys

from analysis import paths


def load_bench(name: str):
    """A script of bench/ imported as a module (they are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, paths.REPO_ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module
