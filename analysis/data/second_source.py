"""Every API row checked against two maintained price tables: LiteLLM's and genai-prices'.

``api_prices.csv`` follows genai-prices (:mod:`analysis.data.prices`), so comparing the rows with genai-prices
alone proves little. LiteLLM ships its own table, kept by other people (``data/sources/litellm/``: a dated
extract of the table inside its PyPI package, with its MIT licence). Each row names the LiteLLM entry it should
match (``litellm_ref``) and, when it differs from a source on purpose, why (``difference_reason``).

Per row and source the verdict is one of :data:`VERDICTS`:

* ``agrees``: input, output and cached-input prices each within :data:`TOLERANCE` of the row's (a price one
  side gives and the other leaves out is a difference, because the model prices cached input either way);
* ``differs, explained``: a difference, and the row gives its reason;
* ``differs, unexplained``: a difference with no reason: the check fails;
* ``not listed, explained`` / ``not listed, unexplained``: the row names no entry of that source, with or
  without a reason (without one the check fails);
* ``retired upstream``: the source dates the entry's retirement on or before the snapshot while the row is not
  marked retired: the check fails.

Reading the extract is :func:`read_extract`; the rest are functions over plain records. Printing and writing the
extract live in :mod:`analysis.commands.prices_check`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

EXTRACT_DIR = Path("sources") / "litellm"
EXTRACT_FILE = "model_prices.json"
# A relative difference of up to 2% is rounding between two tables, not a different price.
TOLERANCE = 0.02
VERDICTS = ("agrees", "differs, explained", "differs, unexplained", "not listed, explained", "not listed, unexplained",
            "retired upstream")
FAILING = ("differs, unexplained", "not listed, unexplained", "retired upstream")
PRICE_COLUMNS = ("usd_per_m_input", "usd_per_m_output", "usd_per_m_cached_input")
# LiteLLM's fields (USD per token) for the row's columns (USD per million tokens).
LITELLM_FIELDS = {"usd_per_m_input": "input_cost_per_token", "usd_per_m_output": "output_cost_per_token",
                  "usd_per_m_cached_input": "cache_read_input_token_cost"}

# An entry serves an open model when its name spells the model's id (separators free, Fireworks' "v3p3" for "3.3"),
# not directly followed by a dated checkpoint ("-0731": other weights, sold at other prices). Variants named for
# another tier or mode (fast, batch, thinking, vision, latest) and fine-tunes of the weights are left out, so the
# cheapest host is a base-tier offer of the same weights.
_NOT_THE_SAME_OFFER = re.compile(r"[-_/.](fast|batch|thinking|vision|instant|guard|exp)\b|deepseek-llama|dobby|"
                                 r"distill|r1[-_.]\d+(\.\d+)?b|-maas$|v4[-_.]?1|v4p1|/fw-|latest", re.IGNORECASE)
# Entries whose name is an open model's but which serve other weights: DeepSeek's own ``deepseek-v4-flash``
# serves V4.1 Flash since 2026-09-10 (genai-prices' comment on the entry, citing api-docs.deepseek.com/updates).
SERVES_OTHER_WEIGHTS = frozenset({"deepseek/deepseek-v4-flash", "deepseek-v4-flash"})
# Gateways resell other hosts' endpoints (and list the cheapest of them): not a host of their own.
GATEWAYS = frozenset({"openrouter", "vercel_ai_gateway", "clf_ai_gateway", "aihubmix", "requesty", "prism"})


@dataclass(frozen=True)
class SourcePrice:
    """One entry of a source: its prices in USD per million tokens (None where it gives none) and the date
    it says the entry retires (None if it gives none)."""

    ref: str
    usd_per_m: dict[str, float | None]
    retires_on: date | None = None


@dataclass(frozen=True)
class Comparison:
    """One row beside one source: the source's prices, the largest relative difference, the verdict."""

    offer_id: str
    source: str
    ref: str
    ours: dict[str, float | None]
    theirs: dict[str, float | None]
    difference: float | None  # largest |theirs / ours - 1| over the prices both give; None when not listed
    differing: tuple[str, ...]  # the columns that differ
    verdict: str
    reason: str


def litellm_price(ref: str, entry: dict) -> SourcePrice:
    """A LiteLLM entry's prices per million tokens and its ``deprecation_date``.

    ``usd_per_m = cost_per_token x 1e6``, rounded to 10 significant digits (LiteLLM stores 0.13 per million as
    1.3e-07, which times 1e6 is 0.12999999999999998).
    """
    prices = {}
    for column, field in LITELLM_FIELDS.items():
        value = entry.get(field)
        prices[column] = None if value is None else float(f"{float(value) * 1e6:.10g}")
    retires = entry.get("deprecation_date")
    return SourcePrice(ref, prices, date.fromisoformat(retires) if retires else None)


def _cached_as_billed(prices: dict[str, float | None]) -> dict[str, float | None]:
    if prices.get("usd_per_m_cached_input") is None:
        return {**prices, "usd_per_m_cached_input": prices.get("usd_per_m_input")}
    return prices


def _differing(ours: dict[str, float | None], theirs: dict[str, float | None]) -> tuple[tuple[str, ...], float]:
    """The columns whose prices differ by more than :data:`TOLERANCE`, and the largest relative difference
    (``|theirs / ours - 1|``; a price only one side gives counts as a difference of 1).

    A missing cached-input price is the input price, as the model bills it (``costs.api_lines_usd_per_month``):
    a source that lists cached input at the input price agrees with a row that lists none.
    """
    cached = "usd_per_m_cached_input"
    if ours.get(cached) is None and theirs.get(cached) is None:  # both bill cached input as input: compared there
        ours, theirs = {**ours, cached: None}, {**theirs, cached: None}
    else:
        ours, theirs = _cached_as_billed(ours), _cached_as_billed(theirs)
    columns, largest = [], 0.0
    for column in PRICE_COLUMNS:
        a, b = ours.get(column), theirs.get(column)
        if a is None and b is None:
            continue
        if a is None or b is None:
            columns.append(column)
            largest = max(largest, 1.0)
            continue
        gap = abs(b - a) / abs(a) if a else (0.0 if b == 0 else 1.0)
        largest = max(largest, gap)
        if gap > TOLERANCE:
            columns.append(column)
    return tuple(columns), largest


def compare(offer_id: str, source: str, ours: dict[str, float | None], found: SourcePrice | None,
            reason: str, retired_on: date | None, snapshot: date) -> Comparison:
    """The verdict on one row (``ours``, USD per million tokens) against one source's entry (``found``; None
    when the row names none or the source has no such entry).

    ``reason`` is the row's ``difference_reason`` (empty when it gives none); ``retired_on`` the row's own
    retirement date; ``snapshot`` the date the source's copy was taken.
    """
    if found is None:
        return Comparison(offer_id, source, "", ours, {c: None for c in PRICE_COLUMNS}, None, (),
                          "not listed, explained" if reason else "not listed, unexplained", reason)
    columns, largest = _differing(ours, found.usd_per_m)
    if found.retires_on is not None and found.retires_on <= snapshot and retired_on is None:
        verdict = "retired upstream"
    elif not columns:
        verdict = "agrees"
    else:
        verdict = "differs, explained" if reason else "differs, unexplained"
    return Comparison(offer_id, source, found.ref, ours, found.usd_per_m, largest, columns, verdict, reason)


def model_pattern(model_id: str) -> re.Pattern:
    """The names under which price tables list an open model: ``llama-3.3-70b`` matches ``Llama-3.3-70B-Instruct``,
    ``llama3.3-70b`` and ``llama-v3p3-70b-instruct``, not ``llama-3.3-70b-0731`` nor ``llama-3.3-700b``."""
    tokens = [("v?" if t[:1].isdigit() else "") + re.escape(t) for t in re.split(r"[-.]", model_id.lower())]
    return re.compile(r"(?<![a-z0-9])" + r"[-_.p]?".join(tokens) + r"(?![a-z0-9])(?![-_.]\d{4})")


def open_model_of(ref: str, model_ids: list[str]) -> str | None:
    """The open model (of ``model_ids``) whose weights an entry (``"<provider>/<model>"``) serves at its base
    tier, or None."""
    name = ref.lower()
    if name in SERVES_OTHER_WEIGHTS or name.split("/", 1)[0] in GATEWAYS or _NOT_THE_SAME_OFFER.search(name):
        return None
    for model_id in model_ids:
        if model_pattern(model_id).search(name):
            return model_id
    return None


def blended_usd_per_m(usd_per_m_input: float, usd_per_m_output: float, output_share: float) -> float:
    """USD per million tokens of a mix with ``output_share`` of its tokens output (no cached input):
    ``(1 - s) x p_in + s x p_out``."""
    return (1 - output_share) * usd_per_m_input + output_share * usd_per_m_output


@dataclass(frozen=True)
class Host:
    """The cheapest live base-tier entry for an open model in one source."""

    model_id: str
    source: str
    ref: str
    usd_per_m_input: float
    usd_per_m_output: float
    blended_usd_per_m: float


def cheapest_hosts(entries: list[SourcePrice], source: str, model_ids: list[str], output_share: float, on: date,
                   retired_refs: frozenset[str] = frozenset()) -> dict[str, Host]:
    """Per open model, the entry with the lowest blended price (:func:`blended_usd_per_m`) among those that
    give input and output prices above zero and do not retire on or before ``on`` (by the table's own date, or
    by ``retired_refs``: entries of offers ``api_prices.csv`` marks retired); ties go to the first ref in
    alphabetical order, so the answer does not depend on the order of the table."""
    best: dict[str, Host] = {}
    for entry in sorted(entries, key=lambda e: e.ref):
        if entry.ref in retired_refs:
            continue
        model_id = open_model_of(entry.ref, model_ids)
        p_in, p_out = entry.usd_per_m["usd_per_m_input"], entry.usd_per_m["usd_per_m_output"]
        if model_id is None or not p_in or not p_out or p_in <= 0 or p_out <= 0:
            continue
        if entry.retires_on is not None and entry.retires_on <= on:
            continue
        blended = blended_usd_per_m(p_in, p_out, output_share)
        if model_id not in best or blended < best[model_id].blended_usd_per_m:
            best[model_id] = Host(model_id, source, entry.ref, p_in, p_out, blended)
    return best


class ExtractError(ValueError):
    """The LiteLLM extract is missing or not what ``litellm-extract`` writes."""


def read_extract(data_dir: Path) -> dict:
    """The extract: ``{"litellm_version", "wheel", "wheel_sha256", "released_on", "entries": {ref: entry}}``.

    Raises :class:`ExtractError` naming the file and what is wrong with it.
    """
    path = data_dir / EXTRACT_DIR / EXTRACT_FILE
    try:
        extract = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExtractError(f"{path}: missing; write it with `python -m analysis prices litellm-extract WHEEL`") \
            from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExtractError(f"{path}: not JSON ({exc})") from None
    missing = [k for k in ("litellm_version", "released_on", "entries") if k not in extract]
    if not isinstance(extract, dict) or missing or not isinstance(extract.get("entries"), dict):
        raise ExtractError(f"{path}: expected an object with litellm_version, released_on and entries; "
                           f"missing: {', '.join(missing) or 'entries as an object'}")
    for ref, entry in extract["entries"].items():
        for field in LITELLM_FIELDS.values():
            value = entry.get(field)
            if value is not None and (not isinstance(value, int | float) or value < 0):
                raise ExtractError(f"{path}: entry {ref!r}, field {field}: {value!r} is not a price >= 0")
        retires = entry.get("deprecation_date")
        if retires is not None:
            try:
                date.fromisoformat(retires)
            except (TypeError, ValueError):
                raise ExtractError(f"{path}: entry {ref!r}, field deprecation_date: {retires!r} is not a "
                                   "date YYYY-MM-DD") from None
    return extract


def bundled_genai_prices() -> tuple[list, str]:
    """The genai-prices package's bundled providers and its version (its network updater is never used)."""
    import importlib.metadata

    from genai_prices.data import providers

    return providers, importlib.metadata.version("genai-prices")


def _row_prices(row: pd.Series) -> dict[str, float | None]:
    return {c: None if pd.isna(row[c]) else float(row[c]) for c in PRICE_COLUMNS}


def _date_or_none(value: object) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "" or value is pd.NaT:
        return None
    return value if isinstance(value, date) else pd.Timestamp(value).date()


def check(api_prices: pd.DataFrame, extract: dict, providers: list, genai_version: str) -> list[Comparison]:
    """Every row of ``api_prices`` (as loaded) beside its LiteLLM entry and its genai-prices entry, in the
    table's order, LiteLLM first.

    genai-prices is read under the row's own rule (``genai_prices_rule``) on the date the row was read, so a
    price the package schedules for later is not a difference today.
    """
    from analysis.data import prices

    snapshot = date.fromisoformat(extract["released_on"])
    entries = extract["entries"]
    out = []
    for _, row in api_prices.iterrows():
        ours = _row_prices(row)
        reason = "" if pd.isna(row.get("difference_reason")) else str(row["difference_reason"])
        retired = _date_or_none(row.get("retired_on"))
        ref = "" if pd.isna(row.get("litellm_ref")) else str(row["litellm_ref"])
        found = litellm_price(ref, entries[ref]) if ref in entries else None
        out.append(compare(row["offer_id"], f"litellm {extract['litellm_version']}", ours, found, reason, retired,
                           snapshot))
        gref = "" if pd.isna(row.get("genai_prices_ref")) else str(row["genai_prices_ref"])
        entry = prices.find_entry(providers, gref) if gref else None
        found = None
        on = _date_or_none(row["retrieved_on"])
        if entry is not None:
            rule = "in-force" if pd.isna(row.get("genai_prices_rule")) else str(row["genai_prices_rule"])
            found = SourcePrice(gref, prices.entry_price(entry[1], rule, on).usd_per_m)
        out.append(compare(row["offer_id"], f"genai-prices {genai_version}", ours, found, reason, retired, on))
    return out


def all_entries(extract: dict, providers: list, on: date) -> dict[str, list[SourcePrice]]:
    """Every entry of both sources as :class:`SourcePrice` (genai-prices at its price in force on ``on``)."""
    from analysis.data import prices

    litellm = [litellm_price(ref, entry) for ref, entry in extract["entries"].items()]
    genai = []
    for provider in providers:
        for model in provider.models:
            try:
                price = prices.entry_price(model, "in-force", on)
            except (AttributeError, TypeError, ValueError):  # an entry priced per request or per image
                continue
            genai.append(SourcePrice(f"{provider.id}/{model.id}", price.usd_per_m))
    return {"litellm": litellm, "genai-prices": genai}
