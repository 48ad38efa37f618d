"""Chapters computed once per dataset: a hit returns what the builder returned, a stale entry is never read."""

from __future__ import annotations

import pickle

import pytest

from analysis import paths
from analysis.data import loading
from analysis.report import chapter_cache
from analysis.report.chapters import rent_vs_buy

CALLS: list[object] = []


@chapter_cache.cached
def probe(ds: loading.Dataset, volume: float = 1.0) -> dict[str, object]:
    """A builder that counts its calls: the number of GPU rows times the volume."""
    CALLS.append(volume)
    return {"gpus": len(ds["gpus"]) * volume}


@pytest.fixture
def cache_on(tmp_path, monkeypatch):
    folder = tmp_path / "chapters"
    monkeypatch.setenv(paths.CHAPTER_CACHE_VARIABLE, str(folder))
    CALLS.clear()
    return folder


def test_each_distinct_call_builds_once(cache_on, dataset):
    assert probe(dataset) == probe(dataset) == probe(dataset, volume=1.0) == probe(dataset, 1.0)
    assert CALLS == [1.0]  # the default filled in: one key for all four calls
    assert probe(dataset, 2.0)["gpus"] == 2 * len(dataset["gpus"])
    assert CALLS == [1.0, 2.0]
    assert len(list(cache_on.glob("*.pickle"))) == 2


def test_off_without_the_runner_variable(monkeypatch, dataset):
    monkeypatch.delenv(paths.CHAPTER_CACHE_VARIABLE, raising=False)
    CALLS.clear()
    probe(dataset)
    probe(dataset)
    assert CALLS == [1.0, 1.0]


def test_one_changed_byte_of_data_is_a_new_entry(cache_on, data_copy):
    before = rent_vs_buy.build(loading.load(data_copy))
    prices = data_copy / "gpu_prices.csv"
    text = prices.read_text(encoding="utf-8")
    # The H100's low purchase price, 25000 -> 25001: one byte.
    changed = text.replace("h100-sxm,new,25000,", "h100-sxm,new,25001,")
    assert changed != text and len(changed) == len(text)
    prices.write_text(changed, encoding="utf-8")
    after = rent_vs_buy.build(loading.load(data_copy))
    assert len(list(cache_on.glob("*rent_vs_buy*.pickle"))) == 2
    uncached = rent_vs_buy.build.__wrapped__(loading.load(data_copy))  # functools.wraps keeps the builder
    assert pickle.dumps(after.checks) == pickle.dumps(uncached.checks)
    assert not before.checks.equals(after.checks)


def test_changed_code_is_a_new_key(monkeypatch, dataset):
    key = chapter_cache.entry_key("probe", dataset, {"volume": 1.0})
    monkeypatch.setattr(chapter_cache, "code_digest", lambda: "another version of analysis/")
    assert chapter_cache.entry_key("probe", dataset, {"volume": 1.0}) != key


def test_a_hit_is_what_the_builder_returned(cache_on, dataset):
    first = rent_vs_buy.build(dataset)
    again = rent_vs_buy.build(dataset)  # read back
    assert first is not again
    assert pickle.dumps(again.checks) == pickle.dumps(first.checks)
    assert again.facts == first.facts


def test_an_unreadable_entry_is_rebuilt(cache_on, dataset):
    probe(dataset)
    [entry] = cache_on.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert probe(dataset)["gpus"] == len(dataset["gpus"])
    assert CALLS == [1.0, 1.0]


def test_numpy_kernel_choice_is_part_of_the_key(monkeypatch, dataset):
    monkeypatch.delenv("NPY_DISABLE_CPU_FEATURES", raising=False)
    native = chapter_cache.entry_key("probe", dataset, {})
    monkeypatch.setenv("NPY_DISABLE_CPU_FEATURES", "AVX512F")
    assert chapter_cache.entry_key("probe", dataset, {}) != native
