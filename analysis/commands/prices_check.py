"""``python -m analysis prices check`` and ``prices litellm-extract``: every API row beside two maintained tables.

``check`` reads the dated LiteLLM extract in ``data/sources/litellm/`` and the installed genai-prices
package's bundled snapshot (never a network call), compares every row of ``api_prices.csv`` with both
(:mod:`analysis.data.second_source`) and prints one line per row and source. Exit status: 0 when every
difference has a reason, 3 when one does not (or a source retired an offer the row still sells), 1 when the
dataset or the extract is invalid; argparse gives 2 for a bad option.

``litellm-extract WHEEL`` rewrites the extract from a LiteLLM wheel (``pip download litellm==X --no-deps``):
the entries the rows name and every entry of an open model the report sizes, with the wheel's version and hash.
LiteLLM itself is not a dependency: its package pulls in boto3, openai, tokenizers and more for a 3 MB table.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from analysis.data import second_source
from analysis.data.second_source import EXTRACT_DIR, EXTRACT_FILE, ExtractError

OK, DIFFERS, INVALID = 0, 3, 1
_TABLE_IN_WHEEL = "litellm/model_prices_and_context_window_backup.json"
_KEPT_FIELDS = ("litellm_provider", "mode", *second_source.LITELLM_FIELDS.values(), "deprecation_date")


def _kept(ref: str, named: set[str], model_ids: list[str]) -> bool:
    """An entry the extract keeps: one a row names, or any whose name is one of the dataset's open models."""
    return ref in named or any(second_source.model_pattern(m).search(ref.lower()) for m in model_ids)


def extract_from_wheel(wheel: Path, named: set[str], model_ids: list[str], released_on: str) -> dict:
    """The extract of a LiteLLM wheel: the kept entries (:func:`_kept`), each with :data:`_KEPT_FIELDS`."""
    match = re.match(r"litellm-([^-]+)-", wheel.name)
    if match is None:
        raise ExtractError(f"{wheel}: not a LiteLLM wheel (litellm-<version>-...whl)")
    with zipfile.ZipFile(wheel) as archive:
        try:
            table = json.loads(archive.read(_TABLE_IN_WHEEL))
        except KeyError:
            raise ExtractError(f"{wheel}: has no {_TABLE_IN_WHEEL}") from None
    entries = {ref: {k: entry[k] for k in _KEPT_FIELDS if k in entry}
               for ref, entry in sorted(table.items())
               if ref != "sample_spec" and isinstance(entry, dict) and _kept(ref, named, model_ids)}
    return {"litellm_version": match.group(1), "wheel": wheel.name,
            "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(), "released_on": released_on,
            "source": f"https://pypi.org/project/litellm/{match.group(1)}/ (file {_TABLE_IN_WHEEL}, MIT licence)",
            "entries": entries}


def write_extract(data_dir: Path, wheel: Path, released_on: str, say: Callable[[str], None] = print,
                  warn: Callable[[str], None] = print) -> int:
    """Rewrite ``data/sources/litellm/model_prices.json`` from ``wheel`` (atomically), once the wheel exists and the
    dataset is valid (its rows name the entries kept); the exit status of the module's docstring."""
    from analysis.commands import janitor
    from analysis.commands.prices_sync import valid_tables

    if not wheel.is_file():
        warn(f"error: {wheel}: no such wheel (get one with `pip download litellm==X --no-deps`)")
        return INVALID
    tables = valid_tables(data_dir, "extracting", warn)
    if tables is None:
        return INVALID
    named = set(tables["api_prices"]["litellm_ref"].dropna()) - {""}
    model_ids = list(tables["models"]["model_id"])
    extract = extract_from_wheel(wheel, named, model_ids, released_on)
    target = data_dir / EXTRACT_DIR / EXTRACT_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = janitor.track(target.with_name(f".{EXTRACT_FILE}.{os.getpid()}.tmp"))
    tmp.write_text(json.dumps(extract, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    say(f"wrote {target}: {len(extract['entries'])} entries of LiteLLM {extract['litellm_version']}")
    return OK


def _price_text(prices: dict[str, float | None]) -> str:
    return " / ".join("-" if prices[c] is None else f"{prices[c]:g}" for c in second_source.PRICE_COLUMNS)


def check_records(data_dir: Path) -> list[dict]:
    """The check as records (one per row and source), for ``--format json`` and the data page.

    Raises :class:`ExtractError` for a bad extract and ``loading.DataValidationError`` for an invalid dataset.
    """
    from analysis.data import loading

    ds = loading.load(data_dir)
    extract = second_source.read_extract(data_dir)
    providers, version = second_source.bundled_genai_prices()
    return [{"offer_id": c.offer_id, "source": c.source, "ref": c.ref, "ours": c.ours, "theirs": c.theirs,
             "difference": c.difference, "differing": list(c.differing), "verdict": c.verdict, "reason": c.reason}
            for c in second_source.check(ds["api_prices"], extract, providers, version)]


def check(data_dir: Path, fmt: str = "table", say: Callable[[str], None] = print,
          warn: Callable[[str], None] = print) -> int:
    """Print every row beside both sources; the exit status of the module's docstring."""
    from analysis.data import loading

    try:
        records = check_records(data_dir)
    except loading.DataValidationError as exc:
        warn(f"error: {exc}")
        return INVALID
    except ExtractError as exc:
        warn(f"error: {exc}")
        return INVALID
    failing = [r for r in records if r["verdict"] in second_source.FAILING]
    if fmt == "json":
        say(json.dumps({"rows": records, "failing": len(failing)}, indent=1, sort_keys=True))
    else:
        header = f"{'offer':<28}{'source':<20}{'row in/out/cached':<28}{'source in/out/cached':<28}verdict"
        say(header)
        say("-" * len(header))
        for r in records:
            theirs = _price_text(r["theirs"]) if r["ref"] else "(no entry)"
            say(f"{r['offer_id']:<28}{r['source']:<20}{_price_text(r['ours']):<28}{theirs:<28}{r['verdict']}")
        counts = {v: sum(r["verdict"] == v for r in records) for v in second_source.VERDICTS}
        say(", ".join(f"{n} {v}" for v, n in counts.items() if n))
    for r in failing:
        what = {"retired upstream": f"{r['ref']} is retired in {r['source']}; set retired_on and replaced_by",
                "not listed, unexplained": f"names no {r['source']} entry and gives no difference_reason"}.get(
            r["verdict"], f"differs from {r['source']} {r['ref']} in {', '.join(r['differing'])} and gives no "
                          "difference_reason")
        warn(f"{data_dir / 'api_prices.csv'}: {r['offer_id']}: {what}")
    return DIFFERS if failing else OK
