"""Chapters computed once per dataset: a chapter another notebook needs is read back, not rebuilt.

The reconciliation gathers the checks of every other chapter, and used to rebuild each of them (about
4 s of its 8). A chapter builder wrapped in :func:`cached` stores what it returns under a key made of

* the builder's name and its arguments (defaults filled in, so ``build(ds)`` and
  ``build(ds, model="x")`` with ``x`` the default are the same key),
* the content of every table of the dataset (``pandas.util.hash_pandas_object`` of each frame, with
  its column names and types, and the snapshot date), and
* the bytes of every ``analysis/`` source file and ``requirements.txt``, and the numpy kernels disabled
  (``NPY_DISABLE_CPU_FEATURES``),

so a changed byte of data, a changed parameter or changed code gives another key: a stale entry is
never read. The cache is on only where the runner turns it on (``REPORT_CHAPTER_CACHE`` in the
kernels' environment names the folder); a direct call elsewhere (tests, ``quote``) always builds.
Entries are written atomically; an unreadable entry is rebuilt. Deleting ``.cache/`` is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pandas as pd

from analysis import paths
from analysis.data.loading import Dataset

ENVIRONMENT_VARIABLE = paths.CHAPTER_CACHE_VARIABLE
# Entries kept per builder: the newest, so a cache folder shared by many what-if datasets stays small.
KEEP_PER_BUILDER = 16

T = TypeVar("T")


@functools.cache
def code_digest() -> str:
    """sha256 of every ``analysis/`` source file (path and bytes) and ``requirements.txt``.

    Computed once per process: a run's kernels import the code once, so it cannot change under them.
    """
    digest = hashlib.sha256()
    root = paths.REPO_ROOT / "analysis"
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update((paths.REPO_ROOT / "requirements.txt").read_bytes())
    return digest.hexdigest()


def dataset_digest(ds: Dataset) -> str:
    """sha256 of the dataset's content: each table's name, columns, types and row hashes, and its date."""
    digest = hashlib.sha256(str(ds.snapshot_date).encode())
    for name in sorted(ds.tables):
        frame: pd.DataFrame = ds.tables[name]
        digest.update(json.dumps([name, [str(c) for c in frame.columns], [str(t) for t in frame.dtypes]]).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def entry_key(builder: str, ds: Dataset, arguments: dict[str, object]) -> str:
    """The cache key of one call: builder, arguments, dataset content and code."""
    digest = hashlib.sha256(builder.encode())
    digest.update(json.dumps(arguments, sort_keys=True, default=repr).encode())
    digest.update(dataset_digest(ds).encode())
    digest.update(code_digest().encode())
    # numpy's choice of kernels (the determinism test turns the SIMD ones off): a result computed with one
    # set is never handed to a run with the other.
    digest.update(os.environ.get("NPY_DISABLE_CPU_FEATURES", "").encode())
    return digest.hexdigest()


def _store(path: Path, value: object) -> None:
    """Write an entry atomically; a cache that cannot be written (a read-only checkout, a full disk) is no cache."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
        older = sorted(path.parent.glob(path.name.rsplit("-", 1)[0] + "-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-KEEP_PER_BUILDER]:
            stale.unlink(missing_ok=True)
    except OSError:
        if tmp.exists():
            tmp.unlink()


def cached(build: Callable[..., T]) -> Callable[..., T]:
    """Wrap a chapter builder ``build(ds, ...)`` so that, with the cache on, each distinct call runs once."""
    signature = inspect.signature(build)
    name = f"{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def wrapper(ds: Dataset, *args: object, **kwargs: object) -> T:
        folder = os.environ.get(ENVIRONMENT_VARIABLE)
        if not folder:
            return build(ds, *args, **kwargs)
        bound = signature.bind(ds, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(list(bound.arguments.items())[1:])  # all but the dataset
        path = Path(folder) / f"{name}-{entry_key(name, ds, arguments)}.pickle"
        try:
            return pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # absent or unreadable: build it
        value = build(ds, *args, **kwargs)
        _store(path, value)
        return value

    return wrapper
