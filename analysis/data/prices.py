"""API prices from the genai-prices package: which rows map to which entry, and what a sync would change.

``api_prices.csv`` names, per offer, the genai-prices entry it follows (``genai_prices_ref``,
``<provider id>/<model id>``) and the rule that picks the one price the report models from an entry
that has several (``genai_prices_rule``):

* ``in-force``: the price in force on the sync date. Prices that start on a later date, and prices that
  hold only in a daily window (a provider's peak hours), are listed as not modelled.
* ``daily-average``: the price in force on the sync date outside any daily window, averaged over the
  24 hours of a day with the prices of the daily windows, each weighted by its hours (a workload spread
  evenly over the day pays that average).
* ``weekday-average``: the same over a week whose daily windows apply Monday to Friday only (the weekend
  is off-peak all day): ``(p_off x (168 - 5 x H) + sum(p_w x 5 x h_w)) / 168`` with ``H`` the windows' hours
  a day. DeepSeek has billed weekends at the off-peak rate since 2026-08-23 (genai-prices' comment on its
  entries, which cannot express a day-of-week condition).

A price that steps up with the context length (``TieredPrices``) is taken at its base tier, the one
``context_tier`` names; the higher tiers are listed. Pure functions over the package's data classes:
reading the bundled snapshot and writing files live in :mod:`analysis.commands.prices_sync`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pandas as pd

RULES = ("in-force", "daily-average", "weekday-average")
# Days of a week on which a weekday-only daily window applies, and hours in a week.
WEEKDAYS_PER_WEEK, HOURS_PER_WEEK = 5, 168
# (our column, the package's price key)
FIELDS = (("usd_per_m_input", "input_mtok"), ("usd_per_m_output", "output_mtok"),
          ("usd_per_m_cached_input", "cache_read_mtok"))


@dataclass(frozen=True)
class EntryPrice:
    """The prices an entry gives under a rule (USD per million tokens; None where it has none), and
    the conditions of the entry that the chosen price leaves out."""

    usd_per_m: dict[str, float | None]
    not_modelled: list[str] = field(default_factory=list)


def _base(value: object, column: str, notes: list[str]) -> float | None:
    """A price as a float: a tiered price at its base tier (its higher tiers go to ``notes``)."""
    if value is None:
        return None
    tiers = getattr(value, "tiers", None)
    if tiers is not None:
        notes.append(f"{column}: tiers from " + ", ".join(f"{t.start:,} tokens at {t.price}" for t in tiers)
                     + f" (base {value.base} taken)")
        return float(value.base)
    return float(Decimal(value))


def _window_hours(constraint) -> float:
    """Hours a day a daily window lasts (it may wrap past midnight)."""
    start = datetime.combine(date(2000, 1, 1), constraint.start_time.replace(tzinfo=None))
    end = datetime.combine(date(2000, 1, 1), constraint.end_time.replace(tzinfo=None))
    hours = (end - start).total_seconds() / 3600
    return hours if hours > 0 else hours + 24


def _prices_of(model_price) -> dict[str, object]:
    return {ours: getattr(model_price, theirs, None) for ours, theirs in FIELDS}


def entry_price(model, rule: str, on: date) -> EntryPrice:
    """The prices of one genai-prices ``ModelInfo`` under ``rule`` on date ``on``.

    Raises ValueError for an unknown rule.
    """
    if rule not in RULES:
        raise ValueError(f"unknown genai_prices_rule {rule!r}: use one of {', '.join(RULES)}")
    notes: list[str] = []
    prices = model.prices
    if not isinstance(prices, list):  # one flat price
        return EntryPrice({c: _base(v, c, notes) for c, v in _prices_of(prices).items()}, notes)
    noon = datetime.combine(on, time(12, 0), tzinfo=UTC)
    dated = [p for p in prices if p.constraint is None or hasattr(p.constraint, "start_date")]
    windows = [p for p in prices if hasattr(getattr(p, "constraint", None), "start_time")]
    in_force = dated[0]
    for p in dated:  # the last one in force wins, as in the package
        if p.constraint is None or p.constraint.active(noon):
            in_force = p
    for p in dated:
        if p.constraint is not None and not p.constraint.active(noon):
            notes.append(f"a price from {p.constraint.start_date} (after the sync date)")
    base = {c: _base(v, c, notes) for c, v in _prices_of(in_force.prices).items()}
    if rule == "in-force" or not windows:
        notes.extend(f"daily window {w.constraint.start_time:%H:%M}-{w.constraint.end_time:%H:%M} UTC at "
                     + ", ".join(f"{c} {v}" for c, v in _prices_of(w.prices).items() if v is not None)
                     for w in windows)
        return EntryPrice(base, notes)
    # Hours of the averaging period spent in each window, and in none (at the in-force price).
    days = WEEKDAYS_PER_WEEK if rule == "weekday-average" else 1
    period = HOURS_PER_WEEK if rule == "weekday-average" else 24
    hours = [_window_hours(w.constraint) * days for w in windows]
    off_hours = period - sum(hours)
    averaged = {}
    for column, value in base.items():
        window_values = [_base(_prices_of(w.prices)[column], column, notes) for w in windows]
        if value is None or any(v is None for v in window_values):
            averaged[column] = value
            continue
        averaged[column] = (value * off_hours + sum(v * h for v, h in zip(window_values, hours, strict=True))) / period
    when = "over a week, windows on weekdays only" if rule == "weekday-average" else "over the day"
    notes.append(f"averaged {when}: {off_hours:g} h at the in-force price, "
                 + ", ".join(f"{h:g} h {w.constraint.start_time:%H:%M}-{w.constraint.end_time:%H:%M} UTC"
                             for w, h in zip(windows, hours, strict=True)))
    return EntryPrice(averaged, notes)


def find_entry(providers: list, ref: str):
    """The ``(provider, model)`` a ``genai_prices_ref`` names, or None."""
    provider_id, _, model_id = ref.partition("/")
    for provider in providers:
        if provider.id == provider_id:
            for model in provider.models:
                if model.id == model_id:
                    return provider, model
    return None


@dataclass(frozen=True)
class Plan:
    """What a sync would do: the new table, the price changes, the rows it could not map, the conditions
    of mapped entries that the chosen prices leave out."""

    table: pd.DataFrame
    changes: pd.DataFrame  # offer_id, field, old, new, change_pct
    unmapped: list[tuple[str, str]]
    not_modelled: list[tuple[str, str]]
    synced: list[str]


def _number_text(value: float) -> str:
    """A price as the CSV writes it: up to 6 significant digits, no trailing zeros (0.15, 1.3225)."""
    return f"{value:.6g}"


def plan(api_prices: pd.DataFrame, providers: list, version: str, on: date) -> Plan:
    """Every mapped row's prices from the snapshot, with its source and retrieval date.

    ``api_prices`` holds the CSV's cells as text (so untouched cells are written back unchanged).
    """
    table = api_prices.copy()
    changes, unmapped, not_modelled, synced = [], [], [], []
    for index, row in table.iterrows():
        offer, ref = row["offer_id"], str(row.get("genai_prices_ref") or "").strip()
        if not ref:
            unmapped.append((offer, "no genai_prices_ref: the package has no entry for this offer"))
            continue
        found = find_entry(providers, ref)
        if found is None:
            unmapped.append((offer, f"genai_prices_ref {ref!r} is not in genai-prices {version}"))
            continue
        rule = str(row.get("genai_prices_rule") or "in-force").strip()
        price = entry_price(found[1], rule, on)
        not_modelled.extend((offer, note) for note in price.not_modelled)
        for column, _ in FIELDS:
            new = price.usd_per_m[column]
            old_text = str(row[column] or "").strip()
            if new is None:
                if old_text:
                    not_modelled.append((offer, f"{column}: the package has no price; {old_text} kept"))
                continue
            new = float(_number_text(new))  # compared as it will be written, so a second sync finds nothing
            old = float(old_text) if old_text else None
            if old is None or abs(new - old) > 1e-12 * max(1.0, abs(old)):
                changes.append({"offer_id": offer, "field": column, "old": old, "new": new,
                                "change_pct": None if not old else (new / old - 1) * 100})
                table.at[index, column] = _number_text(new)
        table.at[index, "source"] = f"package: genai-prices {version} ({ref})"
        table.at[index, "retrieved_on"] = on.isoformat()
        synced.append(offer)
    return Plan(table, pd.DataFrame(changes, columns=["offer_id", "field", "old", "new", "change_pct"]),
                unmapped, not_modelled, synced)
