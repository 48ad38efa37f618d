"""Memory sizing from first principles: weights, KV cache, runtime overhead, whole GPUs.

Pure functions over numpy arrays (scalars broadcast). GB means 10**9 bytes throughout, the unit GPU
vendors use for device memory.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.model.arrays import as_array

BYTES_PER_GB = 1e9
BITS_PER_BYTE = 8
# Tensor parallelism splits attention heads evenly, so a serving group uses 1, 2, 4 or 8 GPUs inside
# one node; past one node, whole 8-GPU nodes are added (pipeline parallelism across nodes).
GPUS_PER_NODE = 8
NODE_SHAPES = np.array([1.0, 2.0, 4.0, 8.0])
# Every GPU count inside a node, as the cost model deploys a replica: tensor parallelism where the attention heads
# split evenly (1, 2, 4, 8), pipeline parallelism for the rest (vLLM's --pipeline-parallel-size: a 6-GPU replica is
# 2-way tensor x 3-way pipeline parallel), so a model that needs 6 GPUs is not rounded up to 8.
PIPELINE_SHAPES = np.arange(1.0, GPUS_PER_NODE + 1.0)
# Replicas that span whole nodes (pipeline parallelism between them), offered whenever they hold the model: a
# replica of more GPUs holds a larger batch and serves each user faster, and can be the cheaper one. Every count up
# to eight nodes, so a case that needs less memory always has every larger candidate of a case that needs more.
ACROSS_NODE_SHAPES = GPUS_PER_NODE * np.arange(2.0, 9.0)


def weights_gb(params_b: ArrayLike, bits_per_param: ArrayLike) -> NDArray:
    """Memory held by the weights.

    ``weights_gb = params_b * 1e9 * bits_per_param / 8 / 1e9 = params_b * bits_per_param / 8``

    Parameters
    ----------
    params_b : total parameters in billions. For mixture-of-experts models this is *all* experts:
        every expert must stay resident, whichever few a token uses.
    bits_per_param : stored bits per parameter, including quantization scales.
    """
    params = as_array("params_b", params_b, positive=True)
    bits = as_array("bits_per_param", bits_per_param, positive=True)
    return params * bits / BITS_PER_BYTE


def kv_bytes_per_token(n_layers: ArrayLike, n_kv_heads: ArrayLike, head_dim: ArrayLike,
                       bytes_per_value: ArrayLike, kv_values_per_token: ArrayLike = np.nan) -> NDArray:
    """KV-cache bytes stored per token of context.

    Grouped-query attention keeps one key and one value vector per KV head per layer:
    ``2 * n_layers * n_kv_heads * head_dim * bytes_per_value``. Architectures that compress the cache
    (DeepSeek V4) give ``kv_values_per_token`` directly, and then
    ``kv_values_per_token * bytes_per_value`` is used instead (NaN selects the GQA formula).
    """
    layers = as_array("n_layers", n_layers, positive=True)
    heads = as_array("n_kv_heads", n_kv_heads, positive=True)
    dim = as_array("head_dim", head_dim, positive=True)
    nbytes = as_array("bytes_per_value", bytes_per_value, positive=True)
    given = as_array("kv_values_per_token", kv_values_per_token, positive=True, allow_nan=True)
    values = np.where(np.isnan(given), 2 * layers * heads * dim, given)
    return values * nbytes


def kv_cache_gb(bytes_per_token: ArrayLike, context_tokens: ArrayLike,
                concurrent_sequences: ArrayLike) -> NDArray:
    """KV cache for a batch: ``bytes_per_token * context_tokens * concurrent_sequences / 1e9``."""
    per_token = as_array("bytes_per_token", bytes_per_token)
    context = as_array("context_tokens", context_tokens)
    sequences = as_array("concurrent_sequences", concurrent_sequences)
    return per_token * context * sequences / BYTES_PER_GB


def usable_gb_per_gpu(memory_gb: ArrayLike, memory_utilization: ArrayLike,
                      runtime_overhead_gb: ArrayLike) -> NDArray:
    """Memory one GPU offers to weights and KV cache.

    ``memory_gb * memory_utilization - runtime_overhead_gb``: the engine claims a share of device memory
    (vLLM's ``--gpu-memory-utilization``), then loses the CUDA context and activation workspace.
    """
    memory = as_array("memory_gb", memory_gb, positive=True)
    share = as_array("memory_utilization", memory_utilization, positive=True)
    if (share > 1).any():
        raise ValueError("memory_utilization must be at most 1")
    overhead = as_array("runtime_overhead_gb", runtime_overhead_gb)
    return memory * share - overhead


def min_gpus(required_gb: ArrayLike, usable_gb: ArrayLike) -> NDArray:
    """Smallest whole number of GPUs whose usable memory holds ``required_gb``: ``ceil(required / usable)``.

    A GPU with no usable memory (overhead above capacity) can never hold anything: the result is inf.
    """
    need = as_array("required_gb", required_gb)
    usable = np.asarray(usable_gb, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        count = np.ceil(np.where(usable > 0, need / usable, np.inf))
    return np.maximum(count, 1.0)


def deployable_gpus(min_count: ArrayLike, shapes: NDArray = NODE_SHAPES) -> NDArray:
    """Round a GPU count up to a shape an inference engine can serve.

    1, 2, 4 or 8 GPUs inside a node (tensor parallelism needs the heads to split evenly), then whole
    8-GPU nodes: ``2**ceil(log2 n)`` for ``n <= 8``, else ``8 * ceil(n / 8)``. With ``shapes`` =
    :data:`PIPELINE_SHAPES` every count inside a node is one (pipeline parallelism).
    """
    n = as_array("min_count", min_count, positive=True)
    finite = np.isfinite(n)
    safe = np.where(finite, n, 1.0)
    # By comparison, not 2**ceil(log2 n): a log2 kernel one ulp high would turn 4 GPUs into 8.
    within_node = shapes[np.searchsorted(shapes, np.minimum(safe, GPUS_PER_NODE))]
    across_nodes = GPUS_PER_NODE * np.ceil(safe / GPUS_PER_NODE)
    return np.where(finite, np.where(safe <= GPUS_PER_NODE, within_node, across_nodes), np.inf)
