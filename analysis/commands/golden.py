"""``python -m analysis golden``: what ``quote --format json`` answers for 500+ seeded situations, written to a file
that the calculator's JavaScript model is checked against under Node, without a browser.

Each vector is a situation in ``quote``'s option names and quote's answer: its JSON (with the dataset's label,
``data/``, where quote prints the folder's path), or the one line it refuses with. The situations are drawn from
a fixed seed over every model, GPU, precision, API and rental offer, buying and renting, volumes from 1M to 1e15
tokens a month, output shares and the reader's own prices and ranges, plus texts every parser must refuse.

Each answer carries quote's likely range (P10-P90 of the sampled inputs). Its draws are the report's 10,000 in every
:data:`FULL_LIKELY_EVERY`-th situation and :data:`LIKELY_DRAWS` in the others (the answer's ``likely.draws`` says
which), so Node checks the whole file in a few seconds while the full sampling is still held to quote's.

The file records the digest of what the answers depend on (the dataset's tables, the descriptor and the code of
``analysis/``); ``--check`` (and a fast test) say when it is stale, and ``make report`` writes it again then.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from analysis import paths
from analysis.commands import quote as quote_command
from analysis.commands import quote_options
from analysis.data import inputs, limits
from analysis.data.inputs import CUSTOM
from analysis.evaluation import quoting, uncertainty
from analysis.evaluation.resolve import MODEL_ASSUMPTIONS as SETTABLE
from analysis.model import lifetime as lifetime_model

if TYPE_CHECKING:  # pandas: only when the answers are computed, not to see whether the file is current
    from analysis.data import loading

# Gzipped JSON (mtime 0, so the same answers give the same bytes): about 900 kB of figures in about 150 kB.
GOLDEN_FILE = paths.REPO_ROOT / "tests" / "golden" / "calculator-quotes.json.gz"
SITUATIONS = 520
SEED = 20261205
# The likely range's draws: the report's (uncertainty.DRAWS) in situations 0, 50, 100, ... (11 of them), this many in
# the others (a draw costs the JavaScript about 10 microseconds; the stream and the percentiles are the same code).
LIKELY_DRAWS = 200
FULL_LIKELY_EVERY = 50
DATA_LABEL = "data/"
# Texts every option must refuse the same way in Python and JavaScript (one per vector, on a valid situation).
REFUSED_TEXTS = {"tokens_per_month": ["1,,0", "2_000", "1e300", "-5M", "\u0663", "nan"],
                 "pue": ["0.5", "1.2:x", "2:1.5"], "context_tokens": ["100.5"],
                 "output_share": ["0", "150%", "50%%"], "usd_per_m_input": ["-1", "$", "1e308"],
                 "target_utilization": ["0.9:0.1", "abc", "0"], "ml_engineer_usd_per_year": ["50%"],
                 "model": ["nope"], "gpu": ["h900"], "rent": ["x"]}


def options_argv(options: dict[str, object]) -> list[str]:
    """``quote``'s command line for the options (quote's names, one flag each; a row of ``assumptions.csv`` with no
    option of its own as ``--set NAME=...``)."""
    argv = []
    for name, value in options.items():
        if value is None:
            continue
        if value is True:  # a flag (--lifetime)
            argv.append(f"--{name.replace('_', '-')}")
            continue
        text = ":".join(repr(v) for v in value) if isinstance(value, list) else str(value)
        own_option = name not in SETTABLE or name in inputs.CUSTOM_RANGES
        argv.append((f"--{name.replace('_', '-')}=" if own_option else f"--set={name}=") + text)
    return argv


def random_situations(ds: loading.Dataset, count: int, seed: int) -> list[dict[str, object]]:
    """Situations a reader could ask for, every name valid; about a third with the reader's own values."""
    rng = np.random.default_rng(seed)
    models = sorted(ds["models"]["model_id"])
    gpus = sorted(ds["gpus"]["gpu_id"])
    precisions = sorted(ds["precisions"]["precision"])
    apis = sorted(ds["api_prices"]["offer_id"])
    priced = set(ds["gpu_prices"]["gpu_id"])
    rentals = ds["gpu_rentals"]
    profiles = sorted(set(ds["traffic_profiles"]["profile"]))
    out = []
    while len(out) < count:
        gpu = str(rng.choice(gpus))
        offers = sorted(rentals.loc[rentals["gpu_id"] == gpu, "offer_id"])
        options: dict[str, object] = {
            "tokens_per_month": float(10 ** rng.uniform(6, 15)), "model": str(rng.choice(models)), "gpu": gpu,
            "precision": str(rng.choice(precisions)), "api": str(rng.choice(apis))}
        if rng.random() < 0.3:
            options["output_share"] = round(float(rng.uniform(0.01, 1.0)), 3)
        how = rng.random()
        if how < 0.35 and offers:
            options["rent"] = str(rng.choice(offers))
        elif how < 0.45:
            options["rent"] = CUSTOM
            options["usd_per_gpu_hour"] = round(float(rng.uniform(0.2, 8.0)), 2)
        elif gpu not in priced or rng.random() < 0.15:
            options["usd_per_gpu"] = float(rng.integers(1_000, 60_000))
        if rng.random() < 0.15:
            options["api"] = CUSTOM
            options["usd_per_m_input"] = round(float(rng.uniform(0.0, 10.0)), 2)
            options["usd_per_m_output"] = round(float(rng.uniform(0.0, 40.0)), 2)
            if rng.random() < 0.5:
                options["usd_per_m_cached_input"] = round(float(rng.uniform(0.0, 1.0)), 3)
        elif rng.random() < 0.1:
            options["usd_per_m_output"] = round(float(rng.uniform(0.1, 40.0)), 2)
        if "rent" in options and options["rent"] != CUSTOM and rng.random() < 0.1:
            options["usd_per_gpu_hour"] = round(float(rng.uniform(0.2, 8.0)), 2)
        for name in SETTABLE:
            if name not in inputs.CUSTOM_RANGES and rng.random() < 0.04 and name != "output_token_share":
                rule = limits.limit(name)
                low, high = (float(x) for x in golden_range(ds, name))
                ends = sorted(float(x) for x in rng.uniform(low, high, 2))
                if rule.whole:
                    ends = [float(round(x)) for x in ends]
                else:
                    ends = [float(f"{x:.4g}") for x in ends]
                options[name] = ends if rng.random() < 0.6 else [ends[0], ends[0]]
        # The hybrid (quote --traffic) on bought or rented fleets of offers the dataset prices: a profile,
        # sometimes an overflow offer of its own and a share kept on the API.
        if options["api"] != CUSTOM and rng.random() < 0.3:
            options["traffic"] = str(rng.choice(profiles))
            if rng.random() < 0.5:
                options["overflow"] = str(rng.choice(apis))
            if rng.random() < 0.3:
                options["hard_share"] = round(float(rng.uniform(0.05, 0.5)), 2)
        # Over the hardware's life (quote --lifetime), sometimes with the reader's own lifetime ranges.
        if rng.random() < 0.25:
            options["lifetime"] = True
            for name, low, high in (("api_price_decline_per_year", 0.0, 0.95),
                                    ("gpu_throughput_gain_per_year", 0.0, 3.0), ("volume_growth_per_year", 0.0, 1.0),
                                    ("rental_price_ratio_per_year", 0.5, 1.5)):
                if rng.random() < 0.3:
                    ends = sorted(round(float(x), 3) for x in rng.uniform(low, high, 2))
                    options[name] = ends if rng.random() < 0.6 else [ends[0], ends[0]]
        for name in inputs.CUSTOM_RANGES:
            if rng.random() < 0.12:
                rule = limits.limit(name)
                scale = {"ml_engineer_usd_per_year": 400_000.0, "electricity_usd_per_kwh": 0.4}.get(name, rule.maximum)
                ends = sorted(round(float(x), 3) for x in rng.uniform(max(rule.minimum, 0.05 * scale), scale, 2))
                options[name] = ends if rng.random() < 0.6 else [ends[0], ends[0]]
        out.append(options)
    return out


def golden_range(ds: loading.Dataset, name: str) -> tuple[float, float]:
    """Where a drawn setting of ``name`` lies: from half its dataset low end to twice its high end, inside its limit."""
    row = ds["assumptions"].set_index("name").loc[name]
    rule = limits.limit(name)
    return max(rule.minimum, 0.5 * float(row["value_low"])), min(rule.maximum, 2.0 * float(row["value_high"]) or 1.0)


def refused_situations() -> list[dict[str, object]]:
    """One valid situation per refused text, with that text in its option."""
    base = {"tokens_per_month": "2B", "api": "openai-gpt-5.4", "model": "llama-3.3-70b", "gpu": "h100-sxm",
            "precision": "fp8"}
    return [{**base, name: text} for name, texts in REFUSED_TEXTS.items() for text in texts]


class _Refused(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    class Raising(argparse.ArgumentParser):
        def error(self, message: str):
            raise _Refused(message)

    parser = Raising(prog="python -m analysis")
    quote_options.add_parser(parser.add_subparsers(dest="command", required=True, parser_class=Raising),
                             quote_command.run)
    return parser


def answer(ds: loading.Dataset, options: dict[str, object], parser: argparse.ArgumentParser,
           draws: int = uncertainty.DRAWS) -> dict[str, object]:
    """quote's answer for the options: ``{"quote": <its JSON>}`` (its likely range over ``draws`` draws) or
    ``{"refused": <its message>}``."""
    from analysis.evaluation import lookups

    try:
        args = parser.parse_args(["quote", *options_argv(options), "--format", "json"])
        request = quote_command.request_from_args(args)
        quoting.check_request(lookups.record(ds), request)
    except _Refused as refused:
        message = str(refused)
        # argparse prefixes an option's refusal with "argument --name: "; the calculator names the field instead
        return {"refused": message.split(": ", 1)[1] if message.startswith("argument --") else message}
    except quoting.QuoteUsageError as refused:
        message = str(refused)  # --set's refusals name it and the input: "argument --set pue: ..."
        return {"refused": message.split(": ", 1)[1] if message.startswith("argument --") else message}
    record = json.loads(quote_command.render_json(quoting.make_quote(lookups.record(ds), request, draws),
                                                  ds.data_dir))
    record["situation"]["data_dir"] = DATA_LABEL
    if args.traffic is not None:  # the hybrid block quote --traffic adds
        record["hybrid"] = quote_command.hybrid_figures(lookups.record(ds), request, args.traffic, args.overflow,
                                                        args.hard_share or 0.0)
    overrides = {name: getattr(args, name) for name in lifetime_model.INPUTS}
    if args.lifetime or any(v is not None for v in overrides.values()):  # and the lifetime block, --lifetime
        record["lifetime"] = quote_command.lifetime_figures(lookups.record(ds), request, overrides)
    return {"quote": record}


def inputs_digest(data_dir: Path) -> str:
    """What the answers depend on: the dataset's tables, the canonical descriptor and ``analysis/``'s code."""
    digest = hashlib.sha256(paths.SCHEMA_FILE.read_bytes())
    for path in [*paths.dataset_files(data_dir),
                 *sorted(p for p in (paths.REPO_ROOT / "analysis").rglob("*.py") if "__pycache__" not in p.parts)]:
        digest.update(str(path.relative_to(paths.REPO_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def vectors(ds: loading.Dataset) -> dict[str, object]:
    """The golden file's content: the digest, and each situation with quote's answer."""
    parser = _parser()
    situations = random_situations(ds, SITUATIONS, SEED) + refused_situations()
    return {"inputs_sha256": inputs_digest(ds.data_dir), "seed": SEED,
            "vectors": [{"options": options, **answer(ds, options, parser, likely_draws(k))}
                        for k, options in enumerate(situations)]}


def likely_draws(index: int) -> int:
    """The likely range's draws in the golden file's ``index``-th situation (see :data:`FULL_LIKELY_EVERY`)."""
    return uncertainty.DRAWS if index % FULL_LIKELY_EVERY == 0 else LIKELY_DRAWS


def read(path: Path = GOLDEN_FILE) -> dict[str, object]:
    """The golden file's content."""
    return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))


def write(path: Path = GOLDEN_FILE) -> Path:
    """Write the golden file (atomically) for the repository's dataset."""
    from analysis.data import loading

    content = json.dumps(vectors(loading.load()), separators=(",", ":"), sort_keys=True, allow_nan=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(gzip.compress(content.encode("utf-8"), compresslevel=9, mtime=0))
    tmp.replace(path)
    return path


def stale(path: Path = GOLDEN_FILE) -> bool:
    """Whether the golden file is missing or was written from other data or code."""
    if not path.is_file():
        return True
    try:
        recorded = read(path).get("inputs_sha256")
    except (OSError, ValueError):
        return True
    return recorded != inputs_digest(paths.DATA_DIR)


def main(args: argparse.Namespace) -> int:
    """``--write`` when stale (or ``--force``), ``--check``: exit 1 when stale."""
    if args.check:
        if stale():
            print(f"{GOLDEN_FILE.relative_to(paths.REPO_ROOT)} is stale: run `python -m analysis golden`",
                  file=sys.stderr)
            return 1
        return 0
    if not args.force and not stale():
        print(f"{GOLDEN_FILE.relative_to(paths.REPO_ROOT)} is up to date")
        return 0
    path = write()
    count = len(read(path)["vectors"])
    print(f"wrote {path.relative_to(paths.REPO_ROOT)} ({count} situations, {path.stat().st_size / 1e3:.0f} kB)")
    return 0
