"""Serving throughput of one GPU system from first principles (a roofline), vectorized with numpy.

A decode step generates one token for every sequence in the batch. It must read the weights the
batch routes through and each sequence's KV cache from memory, and do ``2 x active parameters``
FLOPs per token; its time is the larger of the two:

``step_s = max(bytes_read / bandwidth, flops / compute)``,
``decode_tokens_per_s = batch / step_s``.

Prefill (reading the prompt) is compute-bound: ``prefill_tokens_per_s = compute / (2 x active)``.
A request with ``input_tokens`` of prompt and ``output_tokens`` of answer occupies the system for
``input / prefill_rate + output / decode_rate`` seconds, which gives the blended rates below.
Peak hardware rates overstate what engines reach, so :func:`calibrate` measures the ratio of
measured to modelled throughput on published benchmarks, and that efficiency scales the model.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.model.arrays import as_array

FLOPS_PER_PARAM_PER_TOKEN = 2  # one multiply and one add per weight


def batch_size(kv_budget_gb: ArrayLike, kv_bytes_per_token: ArrayLike, context_tokens: ArrayLike,
               max_batch: ArrayLike) -> NDArray:
    """Sequences that fit in the KV-cache budget: ``min(max_batch, floor(budget / (kv_per_token x context)))``.

    Zero when not even one sequence fits.
    """
    budget = np.maximum(as_array("kv_budget_gb", kv_budget_gb, allow_nan=True), 0.0)
    per_seq_gb = (as_array("kv_bytes_per_token", kv_bytes_per_token, positive=True)
                  * as_array("context_tokens", context_tokens, positive=True) / 1e9)
    cap = as_array("max_batch", max_batch, positive=True)
    return np.minimum(cap, np.floor(budget / per_seq_gb))


def decode_tokens_per_s(batch: ArrayLike, params_total_b: ArrayLike, params_active_b: ArrayLike,
                        bits_per_param: ArrayLike, kv_bytes_per_token: ArrayLike, context_tokens: ArrayLike,
                        bandwidth_tb_per_s: ArrayLike, tflops: ArrayLike) -> NDArray:
    """Roofline decode rate of a whole system (all its GPUs), tokens per second.

    Bytes read per step: the weights the batch routes through, ``min(total, active x batch)`` parameters
    (a mixture-of-experts batch touches more experts as it grows, never more than all of them), plus
    ``batch x context x kv_bytes_per_token`` of KV cache. FLOPs per step:
    ``batch x 2 x active x 1e9``. ``bandwidth_tb_per_s`` and ``tflops`` are the system totals.
    """
    b = as_array("batch", batch)
    total = as_array("params_total_b", params_total_b, positive=True)
    active = as_array("params_active_b", params_active_b, positive=True)
    bits = as_array("bits_per_param", bits_per_param, positive=True)
    kv = as_array("kv_bytes_per_token", kv_bytes_per_token)
    ctx = as_array("context_tokens", context_tokens)
    bandwidth = as_array("bandwidth_tb_per_s", bandwidth_tb_per_s, positive=True) * 1e12
    flops = as_array("tflops", tflops, positive=True) * 1e12
    weight_bytes = np.minimum(total, active * np.maximum(b, 1.0)) * 1e9 * bits / 8
    step_bytes = weight_bytes + b * ctx * kv
    step_s = np.maximum(step_bytes / bandwidth, b * FLOPS_PER_PARAM_PER_TOKEN * active * 1e9 / flops)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, b / step_s, 0.0)


def prefill_tokens_per_s(params_active_b: ArrayLike, tflops: ArrayLike) -> NDArray:
    """Compute-bound prompt processing rate: ``tflops x 1e12 / (2 x active x 1e9)`` tokens per second."""
    active = as_array("params_active_b", params_active_b, positive=True)
    flops = as_array("tflops", tflops, positive=True) * 1e12
    return flops / (FLOPS_PER_PARAM_PER_TOKEN * active * 1e9)


def blended_tokens_per_s(decode_per_s: ArrayLike, prefill_per_s: ArrayLike, input_tokens: ArrayLike,
                         output_tokens: ArrayLike) -> tuple[NDArray, NDArray]:
    """Output and total (input + output) tokens per second for requests of the given shape.

    ``seconds_per_request = input / prefill + output / decode``;
    ``output_rate = output / seconds``; ``total_rate = (input + output) / seconds``.
    """
    decode = as_array("decode_per_s", decode_per_s)
    prefill = as_array("prefill_per_s", prefill_per_s, positive=True)
    inp = as_array("input_tokens", input_tokens)
    out = as_array("output_tokens", output_tokens, positive=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        seconds = inp / prefill + np.where(decode > 0, out / decode, np.inf)
        return out / seconds, (inp + out) / seconds


def calibrate(measured: ArrayLike, modelled: ArrayLike) -> NDArray:
    """Efficiency of each benchmark: ``measured / modelled`` (1.0 = the engine reaches the roofline)."""
    m = as_array("measured", measured, positive=True)
    model = as_array("modelled", modelled, positive=True)
    return m / model


class _Terms(NamedTuple):
    """A request shape on a system, in base units (parameters, bytes, bytes/s, FLOP/s, tokens)."""

    total: NDArray
    active: NDArray
    bytes_per_param: NDArray
    kv: NDArray
    bandwidth: NDArray
    flops: NDArray
    context: NDArray  # mean KV cache held while decoding: input + output / 2 tokens
    flops_per_token: NDArray  # per output token: 2 x active x (input not cached + output) / output


def _terms(params_total_b: ArrayLike, params_active_b: ArrayLike, bits_per_param: ArrayLike,
           kv_bytes_per_token: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike,
           bandwidth_tb_per_s: ArrayLike, tflops: ArrayLike, cached_input_share: ArrayLike) -> _Terms:
    """The arguments of :func:`bound_output_tokens_per_s` and :func:`speed_batch_limit`, checked and converted."""
    active = as_array("params_active_b", params_active_b, positive=True) * 1e9
    inp = as_array("input_tokens", input_tokens)
    out = as_array("output_tokens", output_tokens, positive=True)
    computed = inp * (1 - as_array("cached_input_share", cached_input_share))
    return _Terms(total=as_array("params_total_b", params_total_b, positive=True) * 1e9, active=active,
                  bytes_per_param=as_array("bits_per_param", bits_per_param, positive=True) / 8,
                  kv=as_array("kv_bytes_per_token", kv_bytes_per_token, positive=True),
                  bandwidth=as_array("bandwidth_tb_per_s", bandwidth_tb_per_s, positive=True) * 1e12,
                  flops=as_array("tflops", tflops, positive=True) * 1e12, context=inp + out / 2,
                  flops_per_token=FLOPS_PER_PARAM_PER_TOKEN * active * (computed + out) / out)


def bound_output_tokens_per_s(kv_budget_gb: ArrayLike, params_total_b: ArrayLike, params_active_b: ArrayLike,
                              bits_per_param: ArrayLike, kv_bytes_per_token: ArrayLike, input_tokens: ArrayLike,
                              output_tokens: ArrayLike, bandwidth_tb_per_s: ArrayLike, tflops: ArrayLike,
                              max_batch: ArrayLike = np.inf, cached_input_share: ArrayLike = 0.0) -> NDArray:
    """Output tokens per second that no engine can exceed for requests of this shape (a true upper bound).

    The batch is the most sequences the KV budget holds at their mean context ``c = input + output / 2``:
    ``b = min(max_batch, floor(budget / (kv x c)))`` (uncapped by default). Per output token the system must do at least
    ``2 x active x (input x (1 - cached_input_share) + output) / output`` FLOPs (a prompt prefix found in the
    cache is not computed again; its KV cache is still held and read) and read at least ``W(b) / b + c x kv`` bytes
    (``W(b) = min(total, active x b)`` parameters of weights per step), and at best does both at once:

    ``bound = 1 / max(flops_per_token / compute, bytes_per_token / bandwidth)``.

    Attention FLOPs and every prompt byte are left out, so the true rate can only be lower.
    """
    # A negative budget (the weights alone overflow the memory) holds no sequence: the bound is 0.
    budget = np.maximum(np.asarray(kv_budget_gb, dtype=float), 0.0) * 1e9
    t = _terms(params_total_b, params_active_b, bits_per_param, kv_bytes_per_token, input_tokens, output_tokens,
               bandwidth_tb_per_s, tflops, cached_input_share)
    # A batch cap of 0 (no batch meets a speed target, :func:`speed_batch_limit`) gives a bound of 0.
    batch = np.minimum(np.floor(budget / (t.kv * t.context)), as_array("max_batch", max_batch))
    with np.errstate(divide="ignore", invalid="ignore"):
        weight_bytes_per_token = np.minimum(t.total, t.active * batch) * t.bytes_per_param / batch
        seconds = np.maximum(t.flops_per_token / t.flops, (weight_bytes_per_token + t.context * t.kv) / t.bandwidth)
        return np.where(batch >= 1, 1.0 / seconds, 0.0)


def speed_batch_limit(min_tokens_per_s_per_user: ArrayLike, efficiency: ArrayLike, params_total_b: ArrayLike,
                      params_active_b: ArrayLike, bits_per_param: ArrayLike, kv_bytes_per_token: ArrayLike,
                      input_tokens: ArrayLike, output_tokens: ArrayLike, bandwidth_tb_per_s: ArrayLike,
                      tflops: ArrayLike, cached_input_share: ArrayLike = 0.0) -> NDArray:
    """The largest batch at which every sequence still gets ``min_tokens_per_s_per_user`` output tokens a second.

    At batch ``b`` the system makes ``efficiency x bound(b)`` output tokens a second
    (:func:`bound_output_tokens_per_s`), shared by ``b`` sequences, so each gets
    ``efficiency / max(b x flops_per_token / compute, (W(b) + b x c x kv) / bandwidth)`` with ``c = input +
    output / 2``, ``flops_per_token = 2 x active x (input x (1 - cached_input_share) + output) / output`` and
    ``W(b) = min(total, active x b)`` parameters' bytes. Both terms grow with ``b``; the target
    ``X`` holds while each is at most ``T = efficiency / X`` seconds a step:

    - compute: ``b <= T x compute / flops_per_token``;
    - memory: ``b <= T x bandwidth / (active x bytes + c x kv)`` while the batch touches fewer than all
      weights (``b <= total / active``), else ``b <= (T x bandwidth - total x bytes) / (c x kv)``.

    Returns ``floor`` of the smaller limit (0: not even one sequence is that fast; inf: no target, ``X = 0``).
    """
    target = as_array("min_tokens_per_s_per_user", min_tokens_per_s_per_user)
    eff = as_array("efficiency", efficiency, positive=True)
    t = _terms(params_total_b, params_active_b, bits_per_param, kv_bytes_per_token, input_tokens, output_tokens,
               bandwidth_tb_per_s, tflops, cached_input_share)
    # A vanishing target allows steps of up to inf seconds: every product below is inf, and so is the limit.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        step_s = np.where(target > 0, eff / np.where(target > 0, target, 1.0), np.inf)
        by_compute = step_s * t.flops / t.flops_per_token
        partial = step_s * t.bandwidth / (t.active * t.bytes_per_param + t.context * t.kv)
        by_memory = np.where(partial <= t.total / t.active, partial,
                             (step_s * t.bandwidth - t.total * t.bytes_per_param) / (t.context * t.kv))
        limit = np.floor(np.maximum(np.minimum(by_compute, by_memory), 0.0))
    return np.where(target > 0, limit, np.inf)
