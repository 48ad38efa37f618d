"""Shared fixtures: the canonical dataset and throw-away copies of it to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis import loading, paths


@pytest.fixture(scope="session")
def dataset() -> loading.Dataset:
    return loading.load()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ (CSV files only; the schema always comes from data/)."""
    target = tmp_path / "data"
    target.mkdir()
    for csv in paths.DATA_DIR.glob("*.csv"):
        shutil.copy(csv, target / csv.name)
    return target
