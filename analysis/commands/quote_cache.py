"""What ``quote`` remembers about a dataset it has validated: its record and its stale-price warnings.

Validating a dataset takes pandas and Frictionless, several times longer than pricing one situation. After a
dataset passes the gate, ``quote`` writes ``.cache/quote/<key>.json``: the dataset record
(:func:`analysis.evaluation.lookups.record`) and the warnings about stale price rows, by row. The next quote
of the same dataset reads that file and never imports pandas.

The key is a SHA-256 over everything the answer depends on: the dataset folder's path (warnings name their
files by it), the bytes of every file the loader reads there, the canonical descriptor, the pinned
requirements and the source of every module of the ``analysis`` package. Any changed byte misses the cache
and the dataset is validated again. A dataset that was valid stays valid as days pass (its dates can only
get older), so a file is used only on or after the day it was written. Anything unreadable is a miss; a
cache that cannot be written (a read-only checkout) is skipped without a word.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path

from analysis import paths

# Files kept: the newest, by when they were written (a what-if session makes a few datasets, not hundreds).
KEEP = 16
# Bumped when the file's shape changes.
FORMAT = 1


def today_utc() -> dt.date:
    """Today in UTC (the same clock as :func:`analysis.data.loading.today_utc`, which imports pandas)."""
    return dt.datetime.now(dt.UTC).date()


def _code_files() -> list[Path]:
    package = paths.REPO_ROOT / "analysis"
    return sorted(package.rglob("*.py"))


def key(data_dir: Path) -> str | None:
    """The cache key of a dataset folder; None when a file it needs cannot be read (validation says why)."""
    digest = hashlib.sha256(f"quote cache {FORMAT}\0{data_dir}\0".encode())
    try:
        parts = [("schema", paths.SCHEMA_FILE.read_bytes()),
                 ("requirements", (paths.REPO_ROOT / "requirements.txt").read_bytes())]
        parts += [(f"data/{path.relative_to(data_dir).as_posix()}", path.read_bytes())
                  for path in paths.dataset_files(data_dir)]
        parts += [(str(p.relative_to(paths.REPO_ROOT)), p.read_bytes()) for p in _code_files()]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for name, raw in parts:
        digest.update(f"{name}\0{len(raw)}\0".encode())
        digest.update(raw)
    return digest.hexdigest()


def read(cache_key: str | None) -> dict | None:
    """``{"record": ..., "stale": [...]}`` remembered under ``cache_key``, or None (a miss)."""
    if cache_key is None:
        return None
    try:
        entry = json.loads((paths.QUOTE_CACHE_DIR / f"{cache_key}.json").read_text(encoding="utf-8"))
        if entry.get("format") != FORMAT or dt.date.fromisoformat(entry["validated_on"]) > today_utc():
            return None
        return {"record": entry["record"], "stale": entry["stale"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write(cache_key: str | None, record: dict, stale: list[dict]) -> None:
    """Remember a validated dataset's record and its stale-price warnings (atomically; the oldest files go)."""
    if cache_key is None:
        return
    folder = paths.QUOTE_CACHE_DIR
    text = json.dumps({"format": FORMAT, "validated_on": today_utc().isoformat(), "record": record, "stale": stale},
                      allow_nan=False, sort_keys=True)
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, folder / f"{cache_key}.json")
        tmp = None
        kept = sorted((p for p in folder.glob("*.json")), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass  # a read-only checkout: the next quote validates again
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
