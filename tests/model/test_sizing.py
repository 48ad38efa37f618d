"""Sizing model: hand-worked examples, invariants and argument errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.model import sizing


def test_weights_of_llama_70b_at_bf16():
    # 70.6e9 parameters x 16 bits / 8 bits per byte = 141.2e9 bytes = 141.2 GB
    assert sizing.weights_gb(70.6, 16) == pytest.approx(141.2)


def test_weights_of_maverick_count_every_expert():
    # 400e9 total parameters (17e9 active) x 2 bytes = 800 GB: the active count does not enter
    assert sizing.weights_gb(400, 16) == pytest.approx(800.0)


def test_kv_bytes_per_token_grouped_query():
    # Llama 3.3 70B: 2 (K and V) x 80 layers x 8 KV heads x 128 dims x 2 bytes = 327,680 bytes
    assert sizing.kv_bytes_per_token(80, 8, 128, 2) == pytest.approx(327_680)


def test_kv_bytes_per_token_given_directly_for_compressed_cache():
    # DeepSeek V4 Pro: 4,924 values per token x 2 bytes = 9,848 bytes, whatever the head shape
    assert sizing.kv_bytes_per_token(61, 1, 512, 2, 4924) == pytest.approx(9_848)


def test_kv_cache_for_a_batch():
    # 327,680 B/token x 8,192 tokens x 16 sequences = 42,949,672,960 B = 42.95 GB
    assert sizing.kv_cache_gb(327_680, 8192, 16) == pytest.approx(42.94967296)


def test_usable_memory_per_gpu():
    # 80 GB x 0.90 engine share - 1 GB runtime reserve = 71 GB
    assert sizing.usable_gb_per_gpu(80, 0.9, 1) == pytest.approx(71.0)


@pytest.mark.parametrize(("required", "usable", "expected"), [
    (141.2, 71.0, 2),   # 141.2 / 71 = 1.99 -> 2 GPUs
    (143.0, 71.0, 3),   # 143 / 71 = 2.01 -> 3 GPUs
    (0.5, 71.0, 1),     # never fewer than one GPU
])
def test_min_gpus_rounds_up_to_whole_gpus(required, usable, expected):
    assert sizing.min_gpus(required, usable) == expected


def test_min_gpus_when_overhead_exceeds_the_card():
    assert np.isinf(sizing.min_gpus(10, -1.0))


@pytest.mark.parametrize(("count", "deployable"), [(1, 1), (2, 2), (3, 4), (5, 8), (8, 8), (9, 16), (17, 24)])
def test_deployable_counts_follow_tensor_parallel_shapes(count, deployable):
    assert sizing.deployable_gpus(count) == deployable


def test_vectorized_over_many_models():
    params = np.array([8.03, 70.6, 400.0])
    np.testing.assert_allclose(sizing.weights_gb(params, 4), [4.015, 35.3, 200.0])


@pytest.mark.parametrize(("call", "message"), [
    (lambda: sizing.weights_gb(-1, 16), "params_b must be positive"),
    (lambda: sizing.weights_gb(70, 0), "bits_per_param must be positive"),
    (lambda: sizing.kv_cache_gb(1000, -5, 1), "context_tokens must not be negative"),
    (lambda: sizing.usable_gb_per_gpu(80, 1.2, 1), "memory_utilization must be at most 1"),
    (lambda: sizing.kv_bytes_per_token(80, 8, 128, np.nan), "bytes_per_value must not be NaN"),
])
def test_invalid_arguments_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


positive = st.floats(min_value=0.1, max_value=5000, allow_nan=False)


@given(params=positive, bits=st.floats(min_value=1, max_value=32), factor=st.floats(min_value=1, max_value=10))
def test_weights_are_linear_in_parameters(params, bits, factor):
    assert sizing.weights_gb(params * factor, bits) == pytest.approx(factor * sizing.weights_gb(params, bits))


@given(required=positive, usable=st.floats(min_value=1, max_value=200))
def test_min_gpus_hold_the_requirement_and_one_fewer_would_not(required, usable):
    n = float(sizing.min_gpus(required, usable))
    assert n * usable >= required
    assert n == 1 or (n - 1) * usable < required


@given(required=positive, extra=positive, usable=st.floats(min_value=1, max_value=200))
def test_more_memory_never_needs_fewer_gpus(required, extra, usable):
    assert sizing.min_gpus(required + extra, usable) >= sizing.min_gpus(required, usable)


@given(count=st.integers(min_value=1, max_value=10_000))
def test_deployable_is_a_valid_shape_at_least_the_minimum(count):
    d = int(sizing.deployable_gpus(count))
    assert d >= count
    assert (d <= 8 and d & (d - 1) == 0) or d % 8 == 0
