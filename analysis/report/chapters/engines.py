"""Chapter: the inference engines (vLLM, Ollama, TGI) and the guide's performance claims for vLLM.

The comparison table itself is qualitative and is shown as printed. The numbers around it describe
one deployment: Llama 3.3 70B served by vLLM on two A100 80GB GPUs with tensor parallelism, a
32,768-token context limit and 20+ concurrent users. That deployment is rebuilt from the GPU
datasheet and the model card: the memory left for the KV cache, and the decode rate that memory
bandwidth allows (:mod:`analysis.throughput`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import lookups, resolve, scenarios, verdicts
from analysis.evaluation.lookups import assumption, figure
from analysis.model import sizing, throughput
from analysis.report import chapter_cache
from analysis.report import exhibits as ex
from analysis.report import formatting as fmt
from analysis.report.chapters.common import Chapter, check_row, checks_frame, printed_table
from analysis.report.chapters.hardware import SizingInputs, memory_requirements, widest_fit

TABLE = "Inference Engine Comparison"
ENGINES = ["vLLM", "Ollama", "TGI"]
BOUND_PRECISIONS = ("fp16", "fp8", "int4")
SECTION = "inference_engines"
# The guide's figures that describe the vLLM deployment (identifiers, not values).
SPEED_IDS = ("eng.vllm.perf.tokens_per_s", "eng.summary.vllm.throughput")
GPU_COUNT_IDS = ("eng.vllm.perf.gpus", "eng.summary.vllm.gpus", "eng.vllm.cmd.tensor_parallel")
USERS_ID = "eng.vllm.perf.concurrent_users"
MAX_LEN_ID = "eng.vllm.cmd.max_model_len"
SHARDS_ID = "eng.tgi.cmd.num_shard"
# The systems the speed chart draws, with the request shape of each: (class, model, GPU, precision, prompt tokens,
# output tokens). The mixture of experts is the one published curves measure (speed_points.csv); the dense model
# is the guide's, at a square 1k/1k request (no published points for it).
SPEED_SYSTEMS = (("moe/tuned", "deepseek-r1", "b200", "fp8", 8192, 1024),
                 ("dense/tuned", "llama-3.3-70b", "h100-sxm", "fp8", 1024, 1024))
# Tokens per second promised to each user, the chart's x axis.
SPEED_GRID = np.arange(5.0, 255.0, 5.0)
# Replica sizes tried at each speed, as published curves take the best configuration per GPU: one node at most.
SPEED_REPLICAS = (1, 2, 4, 8)
NO_MEASUREMENT_IDS = ("eng.summary.ollama.throughput_gap", "eng.ollama.perf.throughput_gap",
                      "eng.vllm.best_for.requests")


def _rate(tokens_per_s: float) -> str:
    return f"{tokens_per_s:,.1f} tokens/s"


def _short(gpu_name: str) -> str:
    return gpu_name.replace("NVIDIA ", "").replace("GeForce ", "")


def _deployment_gpu(ds: Dataset) -> tuple[pd.Series, int]:
    """The GPU type and count the guide names for the vLLM deployment ("On 2x A100 80GB")."""
    fig = lookups.guide_figure(ds, GPU_COUNT_IDS[0])
    return ds["gpus"].set_index("gpu_id").loc[fig["gpu_id"]], int(fig["value_low"])


def kv_bytes_per_token(ds: Dataset, model_id: str) -> float:
    """KV-cache bytes per token of context for a model, at the ``kv_bytes_per_value`` assumption."""
    m = lookups.model(ds, model_id)
    return float(sizing.kv_bytes_per_token(m["n_layers"], m["n_kv_heads"], m["head_dim"],
                                           assumption(ds, "kv_bytes_per_value")[0], m["kv_values_per_token"]))


def decode_bounds(ds: Dataset, model_id: str, gpu_id: str, gpu_count: int, batches: list[int],
                  context_tokens: float, precisions: tuple[str, ...] = BOUND_PRECISIONS) -> pd.DataFrame:
    """Roofline decode rates of one GPU system, per precision and batch size, numeric.

    Weights use ``bits_per_param_low``; compute is the BF16 dense rate of all GPUs (weight-only
    quantization still multiplies in BF16). Each row holds the system rate and the per-sequence rate
    (``system / batch``) twice: reading the weights alone (the bound for the first generated token)
    and with ``context_tokens`` of KV cache per sequence. ``bandwidth_tb_per_s`` is the system total,
    ``resident_gb`` is weights plus that KV cache, and ``fits`` compares it with the usable memory of
    the system at the generous end of the memory assumptions.

    Parameters
    ----------
    ds : the dataset.
    model_id, gpu_id : rows of ``models.csv`` and ``gpus.csv``.
    gpu_count : GPUs in the system (tensor parallel: bandwidth and compute add up).
    batches : sequences decoded together.
    context_tokens : KV-cache tokens held per sequence.
    precisions : rows of ``precisions.csv``.
    """
    m = lookups.model(ds, model_id)
    gpu = lookups.gpu(ds, gpu_id)
    bits = ds["precisions"].set_index("precision")["bits_per_param_low"]
    kv = kv_bytes_per_token(ds, model_id)
    util_high = assumption(ds, "gpu_memory_utilization")[1]
    overhead_low = assumption(ds, "runtime_overhead_gb_per_gpu")[0]
    usable_gb = float(gpu_count * sizing.usable_gb_per_gpu(gpu["memory_gb"], util_high, overhead_low))
    bandwidth = gpu_count * gpu["memory_bandwidth_tb_per_s"]
    tflops = gpu_count * gpu["bf16_dense_tflops"]
    grid = pd.DataFrame([(p, b) for p in precisions for b in batches], columns=["precision", "sequences"])
    bits_p = grid["precision"].map(bits).to_numpy(dtype=float)
    seqs = grid["sequences"].to_numpy(dtype=float)

    def rate(context: float) -> np.ndarray:
        return throughput.decode_tokens_per_s(seqs, m["params_total_b"], m["params_active_b"], bits_p, kv,
                                              context, bandwidth, tflops)

    grid["weights_gb"] = sizing.weights_gb(m["params_total_b"], bits_p)
    grid["kv_gb"] = sizing.kv_cache_gb(kv, context_tokens, seqs)
    grid["resident_gb"] = grid["weights_gb"] + grid["kv_gb"]
    grid["fits"] = grid["resident_gb"] <= usable_gb
    grid["system_weights_only_tokens_per_s"] = rate(0.0)
    grid["per_sequence_weights_only_tokens_per_s"] = grid["system_weights_only_tokens_per_s"] / seqs
    grid["system_tokens_per_s"] = rate(context_tokens)
    grid["per_sequence_tokens_per_s"] = grid["system_tokens_per_s"] / seqs
    grid["context_tokens"] = context_tokens
    grid["usable_gb"] = usable_gb
    grid["bandwidth_tb_per_s"] = bandwidth
    return grid


def bounds_table(bounds: pd.DataFrame, gpu_label: str) -> pd.DataFrame:
    """:func:`decode_bounds` with units, for the chapter."""
    context = int(bounds["context_tokens"].iloc[0])
    return pd.DataFrame({
        "Precision": bounds["precision"].str.upper(),
        "Sequences": bounds["sequences"],
        "Weights": [fmt.gb(v) for v in bounds["weights_gb"]],
        f"KV cache at {context:,} tokens each": [fmt.gb(v) for v in bounds["kv_gb"]],
        f"Fits in {gpu_label}": np.where(bounds["fits"], "yes", "no"),
        "Per sequence, weights only": [_rate(v) for v in bounds["per_sequence_weights_only_tokens_per_s"]],
        f"Per sequence, {context:,}-token contexts": [_rate(v) for v in bounds["per_sequence_tokens_per_s"]],
        f"System, {context:,}-token contexts": [_rate(v) for v in bounds["system_tokens_per_s"]],
    })


def kv_budget(ds: Dataset, model_id: str, gpu_id: str, gpu_count: int, precision: str = "fp16") -> dict:
    """Memory left for the KV cache once the weights are loaded, tight and generous ends.

    ``budget_gb = gpu_count x usable_gb_per_gpu - weights_gb``; the generous end takes the larger
    memory share and the smaller runtime overhead, the tight end the opposite. ``tokens`` is
    ``max(budget, 0) / kv_bytes_per_token``.

    Returns
    -------
    dict with ``budget_gb_low``, ``budget_gb_high``, ``tokens_low``, ``tokens_high`` and
    ``kv_bytes_per_token``.
    """
    m = lookups.model(ds, model_id)
    gpu = lookups.gpu(ds, gpu_id)
    p = lookups.precision_row(ds, precision)
    util_low, util_high = assumption(ds, "gpu_memory_utilization")
    overhead_low, overhead_high = assumption(ds, "runtime_overhead_gb_per_gpu")
    kv = kv_bytes_per_token(ds, model_id)
    tight = gpu_count * sizing.usable_gb_per_gpu(gpu["memory_gb"], util_low, overhead_high) - sizing.weights_gb(
        m["params_total_b"], p["bits_per_param_high"])
    generous = gpu_count * sizing.usable_gb_per_gpu(gpu["memory_gb"], util_high, overhead_low) - sizing.weights_gb(
        m["params_total_b"], p["bits_per_param_low"])
    return {"budget_gb_low": float(tight), "budget_gb_high": float(generous),
            "tokens_low": float(max(tight, 0.0) * sizing.BYTES_PER_GB / kv),
            "tokens_high": float(max(generous, 0.0) * sizing.BYTES_PER_GB / kv), "kv_bytes_per_token": kv}


def _usable_total(ds: Dataset, inputs: SizingInputs, gpu: pd.Series, count: int) -> float:
    """Usable memory of ``count`` GPUs at the generous end, as in the hardware-sizing chapter."""
    return float(count * sizing.usable_gb_per_gpu(gpu["memory_gb"], inputs.memory_utilization[1],
                                                  inputs.runtime_overhead_gb[0]))


def _gpu_count_check(ds: Dataset, figure_id: str, need: pd.DataFrame, inputs: SizingInputs,
                     gpu: pd.Series) -> dict:
    """Do this many GPUs hold the model at its widest precision (the command asks for no quantization)?"""
    count = int(figure(ds, figure_id)[0])
    usable = _usable_total(ds, inputs, gpu, count)
    widest = need.sort_values("bits_nominal", ascending=False)["precision"].iloc[0]
    fits = widest_fit(need, usable)
    weights = need.loc[need["precision"] == widest, "required_gb_low"].min()
    label = f"{count} x {_short(gpu['gpu_name'])}"
    if fits == widest:
        verdict, why = verdicts.REPRODUCED, (f"{label} offer {fmt.gb(usable)}; {widest.upper()} weights plus one "
                                             f"sequence's KV cache need {fmt.gb(weights)}")
    elif fits is not None:
        verdict, why = verdicts.IMPLIED, (f"{label} offer {fmt.gb(usable)}, enough only at {fits.upper()}, "
                                          f"which the command does not request")
    else:
        margin = assumption(ds, "memory_verdict_margin")[0]
        smallest = need["required_gb_low"].min()
        verdict = verdicts.memory_verdict(smallest, usable, margin)
        why = f"{label} offer {fmt.gb(usable)}; no precision fits (the lightest needs {fmt.gb(smallest)})"
    return check_row(ds, figure_id, f"{fmt.gb(usable)} usable", f"fits at {fits.upper()}" if fits else
                     "does not fit", "", verdict, why)


def _speed_check(ds: Dataset, figure_id: str, bounds: pd.DataFrame, users: int, gpu_label: str,
                 guide_params_b: float) -> dict:
    """A printed per-request speed against the bandwidth bound at one sequence."""
    low, high = figure(ds, figure_id)
    one = bounds[bounds["sequences"] == 1].set_index("precision")
    many = bounds[bounds["sequences"] == users].set_index("precision")
    wide = BOUND_PRECISIONS[0]
    bound = float(one.at[wide, "per_sequence_weights_only_tokens_per_s"])
    shared = float(many.at[wide, "per_sequence_tokens_per_s"])
    context = int(bounds["context_tokens"].iloc[0])
    bits = ds["precisions"].set_index("precision").at[wide, "bits_nominal"]
    from_guide = f"{fmt.gb(float(sizing.weights_gb(guide_params_b, bits)))} of weights read per token"
    first = f"≤ {_rate(bound)} at 1 sequence; ≤ {_rate(shared)} each at {users} x {context:,} tokens"
    diff = fmt.relative(verdicts.relative_difference(low, bound))
    if low <= bound:
        return check_row(ds, figure_id, from_guide, first, diff, verdicts.REPRODUCED,
                         f"below the {gpu_label} bandwidth bound of {_rate(bound)} per sequence")

    def needed(target: float) -> str:
        reach = [p for p in BOUND_PRECISIONS if one.at[p, "per_sequence_weights_only_tokens_per_s"] >= target]
        if not reach:
            return f"{target:g} tokens/s is beyond every precision"
        p = reach[0]
        return f"{target:g} needs {p.upper()} weights ({_rate(one.at[p, 'per_sequence_weights_only_tokens_per_s'])})"

    weights_gb = float(one.at[wide, "weights_gb"])
    why = (f"{gpu_label} read {bounds['bandwidth_tb_per_s'].iloc[0]:.2f} TB/s; "
           f"reading {fmt.gb(weights_gb)} of {wide.upper()} weights per token caps one sequence at {_rate(bound)} "
           f"and each of {users} users at {_rate(shared)} with {context:,}-token contexts; {needed(low)}, "
           f"{needed(high)}; the command requests no quantization")
    if figure_id != SPEED_IDS[0]:
        why = "the body text gives the same figure per request: " + why
    return check_row(ds, figure_id, from_guide, first, diff, verdicts.IMPOSSIBLE, why)


def _context_checks(ds: Dataset, budget: dict, users: int, gpu_label: str, precision: str) -> list[dict]:
    """The context limit and the user count against the memory left for the KV cache."""
    max_len = figure(ds, MAX_LEN_ID)[0]
    max_batch = assumption(ds, "max_batch_sequences")[0]
    kv = budget["kv_bytes_per_token"]
    sequence_gb = float(sizing.kv_cache_gb(kv, max_len, 1))
    # Weights larger than the GPUs' memory leave no KV cache at all (a dataset of small GPUs): no sequence fits.
    full = float(throughput.batch_size(max(budget["budget_gb_high"], 0.0), kv, max_len, max_batch))
    per_user = budget["tokens_high"] / users
    if budget["budget_gb_low"] > 0:
        budget_text = (f"{fmt.gb_range(budget['budget_gb_low'], budget['budget_gb_high'])} of KV cache "
                       f"({budget['tokens_low']:,.0f}–{budget['tokens_high']:,.0f} tokens)")
    else:  # at the tight end of the memory assumptions the weights alone overflow the GPUs
        budget_text = (f"at most {fmt.gb(budget['budget_gb_high'])} of KV cache ({budget['tokens_high']:,.0f} "
                       f"tokens), none at the tight end of the memory assumptions")
    first_len = f"{full:.0f} full {max_len:,.0f}-token sequences fit"
    if full < 1:
        len_verdict = verdicts.IMPOSSIBLE
        len_why = (f"after the {precision.upper()} weights, {gpu_label} keep {budget_text}; one {max_len:,.0f}-token "
                   f"sequence needs {fmt.gb(sequence_gb)}, and vLLM refuses to start when a single full-length "
                   f"sequence does not fit")
    elif full < users:
        len_verdict = verdicts.IMPLIED
        len_why = (f"{budget_text} hold {full:.0f} full-length sequences; {users} users fit only with short "
                   f"contexts, which the guide does not state")
    else:
        len_verdict = verdicts.REPRODUCED
        len_why = f"{budget_text} hold {full:.0f} full-length sequences, at least the {users} users"
    rows = [check_row(ds, MAX_LEN_ID, "", f"{budget_text}; {first_len}", "", len_verdict, len_why)]
    first_users = f"{budget_text}; ≤ {per_user:,.0f} tokens of context each"
    if budget["tokens_high"] <= 0:
        users_verdict, users_why = verdicts.IMPOSSIBLE, f"no memory is left for the KV cache on {gpu_label}"
    elif full >= users:
        users_verdict, users_why = verdicts.REPRODUCED, f"{users} full-length sequences fit in {budget_text}"
    else:
        users_verdict = verdicts.IMPLIED
        users_why = (f"{users} users share {budget_text}: about {per_user:,.0f} tokens each, so only short "
                     f"conversations, a limit the guide does not state")
    rows.append(check_row(ds, USERS_ID, "", first_users, "", users_verdict, users_why))
    return rows


def _shards_check(ds: Dataset, need: pd.DataFrame, inputs: SizingInputs) -> dict:
    """TGI's ``--num-shard 2``: the command names no GPU, so list the GPUs on which the shards hold
    the widest precision."""
    count = int(figure(ds, SHARDS_ID)[0])
    widest = need.sort_values("bits_nominal", ascending=False)["precision"].iloc[0]
    gpus = ds["gpus"]
    holding = [_short(g["gpu_name"]) for _, g in gpus.iterrows()
               if widest_fit(need, _usable_total(ds, inputs, g, count)) == widest]
    if not holding:
        return check_row(ds, SHARDS_ID, "", "no listed GPU", "", verdicts.IMPOSSIBLE,
                         f"no GPU in the dataset holds the {widest.upper()} weights in {count} shards")
    return check_row(ds, SHARDS_ID, "", f"{widest.upper()} fits on {count} x: {', '.join(holding)}", "",
                     verdicts.IMPLIED, f"{count} shards hold the {widest.upper()} weights only on "
                     f"{', '.join(holding)}; the TGI command names no GPU")


def engine_checks(ds: Dataset, model_id: str = "llama-3.3-70b") -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Check every numeric claim of the guide's inference-engine section.

    Parameters
    ----------
    ds : the dataset.
    model_id : the model the guide's commands serve (``meta-llama/Llama-3.3-70B-Instruct``).

    Returns
    -------
    ``(checks, bounds, budget)``: the check rows in the order of ``guide_figures.csv``, the numeric
    :func:`decode_bounds` on the guide's GPUs, and the :func:`kv_budget` of that system.
    """
    gpu, count = _deployment_gpu(ds)
    gpu_label = f"{count} x {_short(gpu['gpu_name'])}"
    users = int(figure(ds, USERS_ID)[0])
    max_batch = int(assumption(ds, "max_batch_sequences")[0])
    inputs = SizingInputs.from_dataset(ds)
    need = memory_requirements(ds, inputs)
    need = need[need["model_id"] == model_id]
    guide_model = ds["models"].set_index("model_id").at[model_id, "guide_model"]
    figures = ds["guide_figures"]
    params = figures[(figures["row_label"] == guide_model) & (figures["column_label"] == "Parameters")]
    guide_params_b = float(params["value_low"].iloc[0])
    # One row per batch size: the engine's cap may equal the users (or be 1).
    batches = sorted({1, users, max_batch})
    bounds = decode_bounds(ds, model_id, gpu.name, count, batches, inputs.context_tokens[0])
    budget = kv_budget(ds, model_id, gpu.name, count, BOUND_PRECISIONS[0])
    rows = {}
    for figure_id in SPEED_IDS:
        rows[figure_id] = _speed_check(ds, figure_id, bounds, users, gpu_label, guide_params_b)
    for figure_id in GPU_COUNT_IDS:
        rows[figure_id] = _gpu_count_check(ds, figure_id, need, inputs, gpu)
    for row in _context_checks(ds, budget, users, gpu_label, BOUND_PRECISIONS[0]):
        rows[row["figure_id"]] = row
    rows[SHARDS_ID] = _shards_check(ds, need, inputs)
    for figure_id in NO_MEASUREMENT_IDS:
        rows[figure_id] = check_row(ds, figure_id, "", "", "", verdicts.UNVERIFIABLE,
                                    "no measurement is cited: no benchmark, workload or hardware is given")
    order = figures.loc[figures["section"] == SECTION, "figure_id"]
    missing = set(order) - set(rows)
    if missing:
        raise KeyError(f"no check for the engine figure(s) {', '.join(sorted(missing))}")
    return checks_frame([rows[i] for i in order]), bounds, budget


def system_label(ds: Dataset, model_id: str, gpu_id: str, precision: str, inp: int, out: int) -> str:
    """``DeepSeek R1 FP8 on B200, 8k/1k tokens`` (prompt / output, in units of 1,024): short enough for a legend
    on a phone."""
    model, gpu = _system_words(ds, model_id, gpu_id)
    return f"{model} {precision.upper()} on {gpu}, {inp / 1024:g}k/{out / 1024:g}k tokens"


def _system_words(ds: Dataset, model_id: str, gpu_id: str) -> tuple[str, str]:
    """``("DeepSeek R1", "B200")``: the model and the GPU as a speed chart names its line."""
    model = lookups.model(ds, model_id)["model_name"].removesuffix(" Instruct")
    return model, _short(ds["gpus"].set_index("gpu_id").at[gpu_id, "gpu_name"]).split()[0]


def speed_curves(ds: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Throughput per GPU against the speed promised to each user, for :data:`SPEED_SYSTEMS`, and the published
    points beside them.

    For each speed ``X`` in :data:`SPEED_GRID` and each class efficiency case, every replica of
    :data:`SPEED_REPLICAS` GPUs is rated (:func:`analysis.evaluation.resolve.speed_curve_tokens_per_s_per_gpu`:
    input + output tokens per second per GPU at the largest batch that still gives each user ``X``) and the best
    per GPU is kept, as published curves keep each GPU's best configuration.

    Returns
    -------
    ``(curves, points)``: ``curves`` has ``system``, ``tokens_per_s_per_user``, ``case`` (favourable, base,
    unfavourable engine efficiency), ``tokens_per_s_per_gpu`` and ``gpus_per_replica``; ``points`` the rows of
    ``speed_points.csv`` for those systems with ``system`` and ``model_tokens_per_s_per_gpu`` (the base case at the
    point's speed).
    """
    record = lookups.record(ds)
    frames, points = [], []
    published = ds["speed_points"]
    for efficiency_class, model_id, gpu_id, precision, inp, out in SPEED_SYSTEMS:
        label = system_label(ds, model_id, gpu_id, precision, inp, out)
        efficiencies = scenarios.efficiency_cases(ds, efficiency_class)

        system = (model_id, gpu_id, precision, inp, out)
        for case, efficiency in zip(("favourable", "base", "unfavourable"), efficiencies, strict=True):
            rate, size = _best_replica(record, system, SPEED_GRID, float(efficiency))
            frames.append(pd.DataFrame({"system": label, "end_label": "{} on {}".format(*_system_words(
                                            ds, model_id, gpu_id)), "tokens_per_s_per_user": SPEED_GRID, "case": case,
                                        "tokens_per_s_per_gpu": rate, "gpus_per_replica": size}))
        mine = published[(published["model_id"] == model_id) & (published["gpu_id"] == gpu_id)
                         & (published["precision"] == precision) & (published["input_tokens"] == inp)
                         & (published["output_tokens"] == out)]
        if len(mine):
            at, _ = _best_replica(record, system, mine["tokens_per_s_per_user"].to_numpy(dtype=float),
                                  float(efficiencies[1]))
            points.append(mine.assign(system=label, model_tokens_per_s_per_gpu=at))
    columns = [*published.columns, "system", "model_tokens_per_s_per_gpu"]
    return (pd.concat(frames, ignore_index=True),
            pd.concat(points, ignore_index=True) if points else pd.DataFrame(columns=columns))


def _best_replica(record: dict, system: tuple, speeds: np.ndarray, efficiency: float) -> tuple[np.ndarray, np.ndarray]:
    """The best tokens/s per GPU over :data:`SPEED_REPLICAS` at each speed, and the replica size that gives it."""
    model_id, gpu_id, precision, inp, out = system
    rates = np.array([resolve.speed_curve_tokens_per_s_per_gpu(record, model_id, gpu_id, precision, g, inp, out,
                                                               speeds, efficiency) for g in SPEED_REPLICAS])
    return rates.max(axis=0), np.array(SPEED_REPLICAS)[rates.argmax(axis=0)]


def speed_table(points: pd.DataFrame) -> pd.DataFrame:
    """Report text: each published point beside the model's base case at the same speed."""
    return pd.DataFrame({
        "System": points["system"],
        "Tokens/s per user": [f"{v:g}" for v in points["tokens_per_s_per_user"]],
        "Published, tokens/s per GPU": [f"{v:,.0f}" for v in points["total_tokens_per_s_per_gpu"]],
        "Model (base), tokens/s per GPU": [f"{v:,.0f}" for v in points["model_tokens_per_s_per_gpu"]],
        "Model / published": [f"{m / p:.2f}" for m, p in zip(points["model_tokens_per_s_per_gpu"],
                                                               points["total_tokens_per_s_per_gpu"], strict=True)],
    })


def _count(checks: pd.DataFrame, verdict: str) -> int:
    return int((checks["Verdict"] == verdict).sum())


def calibration_table(ds: Dataset) -> pd.DataFrame:
    """Each measured benchmark beside the roofline bound and the rate the model deploys the same system at
    (:func:`analysis.evaluation.lookups.calibration`): the efficiency it calibrates, and how far its class's
    median efficiency would miss it."""
    cal = lookups.calibration(ds)
    gpus = ds["gpus"].set_index("gpu_id")["gpu_name"]
    models = ds["models"].set_index("model_id")["model_name"]
    return pd.DataFrame({
        "benchmark_id": cal["benchmark_id"],
        "System": [f"{n} x {gpus[g]}" for n, g in zip(cal["gpu_count"], cal["gpu_id"], strict=True)],
        "Model": [f"{models[m]} ({p.upper()})" for m, p in zip(cal["model_id"], cal["precision"], strict=True)],
        "Engine": cal["engine"],
        "Tokens in / out": [f"{i:,.0f} / {o:,.0f}" for i, o in zip(cal["input_tokens"], cal["output_tokens"],
                                                                   strict=True)],
        "Measured, output tokens/s": [f"{v:,.0f}" for v in cal["measured_output_tokens_per_s"]],
        "Bound, output tokens/s": [f"{v:,.0f}" for v in cal["bound_output_tokens_per_s"]],
        "Model's rate, output tokens/s": [f"{v:,.0f}" for v in cal["deployed_output_tokens_per_s"]],
        "Efficiency": [f"{v:.2f}" for v in cal["efficiency"]],
        "At the class median": [f"{v:.2f}x" for v in cal["predicted_ratio"]],
        "Class": cal["efficiency_class"],
    })


@chapter_cache.cached
def build(ds: Dataset, model_id: str = "llama-3.3-70b") -> Chapter:
    """The inference-engines chapter: the comparison table as printed and the vLLM claims checked.

    Parameters
    ----------
    ds : the dataset.
    model_id : the model the guide's commands serve.

    Returns
    -------
    A :class:`~analysis.report.chapters.common.Chapter` with ``tables["bounds"]`` (decode bounds on the
    guide's GPUs), ``chart_data["bounds"]`` (the same, numeric) and facts prefixed ``eng_``.
    """
    checks, bounds, budget = engine_checks(ds, model_id)
    curves, points = speed_curves(ds)
    gpu, count = _deployment_gpu(ds)
    gpu_label = f"{count}× {_short(gpu['gpu_name'])}"
    users = int(figure(ds, USERS_ID)[0])
    low, high = figure(ds, SPEED_IDS[0])
    max_len = figure(ds, MAX_LEN_ID)[0]
    max_batch = assumption(ds, "max_batch_sequences")[0]
    one = bounds[bounds["sequences"] == 1].set_index("precision")
    many = bounds[bounds["sequences"] == users].set_index("precision")
    wide, eight = BOUND_PRECISIONS[0], BOUND_PRECISIONS[1]
    bound = float(one.at[wide, "per_sequence_weights_only_tokens_per_s"])
    kv = budget["kv_bytes_per_token"]
    facts = {
        "eng_gpus": gpu_label,
        "eng_bandwidth_tb_per_s": round(float(count * gpu["memory_bandwidth_tb_per_s"]), 3),
        "eng_weights_gb": fmt.gb(float(one.at[wide, "weights_gb"])),
        "eng_bound_tokens_per_s": round(bound, 1),
        "eng_bound_users_tokens_per_s": round(float(many.at[wide, "per_sequence_tokens_per_s"]), 1),
        "eng_bound_fp8_tokens_per_s": round(float(one.at[eight, "per_sequence_weights_only_tokens_per_s"]), 1),
        "eng_printed_low": low,
        "eng_printed_high": high,
        "eng_printed_speed": f"{low:.0f}–{high:.0f}",
        "eng_overstatement_low": fmt.relative(float(verdicts.relative_difference(low, bound))),
        "eng_overstatement_high": fmt.relative(float(verdicts.relative_difference(high, bound))),
        "eng_users": users,
        "eng_context_tokens": int(bounds["context_tokens"].iloc[0]),
        "eng_kv_bytes_per_token": int(kv),
        "eng_kv_budget_gb": fmt.gb(max(budget["budget_gb_high"], 0.0)),
        "eng_kv_budget_gb_low": fmt.gb(max(budget["budget_gb_low"], 0.0)),
        "eng_kv_budget_tokens": int(budget["tokens_high"]),
        "eng_max_model_len": int(max_len),
        "eng_sequence_kv_gb": fmt.gb(float(sizing.kv_cache_gb(kv, max_len, 1))),
        "eng_full_sequences": int(throughput.batch_size(max(budget["budget_gb_high"], 0.0), kv, max_len, max_batch)),
        "eng_tokens_per_user": round(budget["tokens_high"] / users),
        "eng_checked_cells": len(checks),
        "eng_impossible_cells": _count(checks, verdicts.IMPOSSIBLE),
        "eng_implied_cells": _count(checks, verdicts.IMPLIED),
        "eng_reproduced_cells": _count(checks, verdicts.REPRODUCED),
        "eng_unverifiable_cells": _count(checks, verdicts.UNVERIFIABLE),
        "eng_benchmarks": len(ds["benchmarks"]),
        **dict(zip(("eng_efficiency_high", "eng_efficiency_base", "eng_efficiency_low"),
                   (f"{v:.2f}" for v in scenarios.efficiency_cases(ds, "dense/tuned")), strict=True)),
        **dict(zip(("eng_moe_efficiency_high", "eng_moe_efficiency_base", "eng_moe_efficiency_low"),
                   (f"{v:.2f}" for v in scenarios.efficiency_cases(ds, "moe/tuned")), strict=True)),
        **_speed_facts(curves, points),
    }
    roofline = "Source: " + ex.model_source("gpus.csv", "models.csv", "precisions.csv", "assumptions.csv",
                                            case="a memory-bandwidth upper bound")
    exhibits = (
        ex.printed("engines-printed", TABLE),
        ex.checks("engines-checks", checks, "The section's numbers with their recomputation and verdict."),
        ex.Exhibit("engines-bounds",
                   f"On {gpu_label} at FP16 no request decodes faster than {facts['eng_bound_tokens_per_s']:g} "
                   f"tokens/s; FP8 raises the bound to {facts['eng_bound_fp8_tokens_per_s']:g}", roofline,
                   "Upper bounds on decode speed per precision and batch."),
        ex.Exhibit("engines-chart",
                   f"The guide's {facts['eng_printed_speed']} tokens/s per request is "
                   f"{facts['eng_overstatement_low']} to {facts['eng_overstatement_high']} above the FP16 bound",
                   roofline),
        ex.Exhibit("engines-speed",
                   f"Promising each user {facts['eng_speed_fast']:g} rather than {facts['eng_speed_slow']:g} tokens/s "
                   f"cuts the published throughput per GPU {facts['eng_speed_published_fall']}x and the model's "
                   f"{facts['eng_speed_model_fall']}x",
                   "Source: " + ex.model_source("speed_points.csv", "gpus.csv", "models.csv", "benchmarks.csv",
                                                "assumptions.csv", case="lines: base engine efficiency; bands: its "
                                                "class's lowest to highest"),
                   "Input + output tokens per second per GPU of the best replica of up to one node, at the largest "
                   "batch that still gives every user the speed on the x axis; dots: published points."),
        ex.Exhibit("engines-speed-points",
                   f"At the published speeds the model's base case gives {facts['eng_speed_ratio_range']} of the "
                   "published throughput", "Source: " + ex.model_source("speed_points.csv", "gpus.csv",
                                                                        "models.csv", "benchmarks.csv",
                                                                        "assumptions.csv", case="base case"),
                   "Each published point beside the model's base case at the same speed per user."),
        ex.Exhibit("engines-calibration",
                   f"Measured engines run at {facts['eng_efficiency_low']}–{facts['eng_efficiency_high']} of the "
                   f"model's rate for dense models and {facts['eng_moe_efficiency_low']}–"
                   f"{facts['eng_moe_efficiency_high']} for mixture-of-experts",
                   "Source: " + ex.model_source("benchmarks.csv", "gpus.csv", "models.csv", "assumptions.csv",
                                                case=""),
                   "Measured output tokens per second beside the roofline bound and the rate the cost model "
                   "deploys the same system at (usable memory, the KV cache's bytes per value, the batch cap), at "
                   "the benchmark's own prompt and output lengths; efficiency is measured over the model's rate, and "
                   "the next column the model's rate at its class's median efficiency over the measured one."),
    )
    return Chapter(printed=printed_table(ds, TABLE, "Feature", ENGINES), checks=checks,
                   tables={"bounds": bounds_table(bounds, gpu_label), "calibration": calibration_table(ds),
                           "speed_points": speed_table(points)},
                   chart_data={"bounds": bounds, "speed": curves, "speed_points": points}, facts=facts, key="engines",
                   exhibits=exhibits)


def _speed_facts(curves: pd.DataFrame, points: pd.DataFrame) -> dict[str, object]:
    """How throughput per GPU falls between the slowest and the fastest published speed, published and modelled."""
    slow, fast = float(points["tokens_per_s_per_user"].min()), float(points["tokens_per_s_per_user"].max())
    at = points.set_index("tokens_per_s_per_user")
    ratio = points["model_tokens_per_s_per_gpu"] / points["total_tokens_per_s_per_gpu"]
    model_fall = at.at[slow, "model_tokens_per_s_per_gpu"] / at.at[fast, "model_tokens_per_s_per_gpu"]
    published_fall = at.at[slow, "total_tokens_per_s_per_gpu"] / at.at[fast, "total_tokens_per_s_per_gpu"]
    return {"eng_speed_slow": slow, "eng_speed_fast": fast, "eng_speed_published_fall": f"{published_fall:.1f}",
            "eng_speed_model_fall": f"{model_fall:.1f}",
            "eng_speed_ratio_range": f"{ratio.min():.2f}–{ratio.max():.2f}",
            "eng_speed_system": str(points["system"].iloc[0]),
            "eng_speed_points": len(points), "eng_speed_systems": int(curves["system"].nunique())}
