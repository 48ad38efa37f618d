"""The finite, physical range of every number the model takes, as one rule object per input.

One rule serves every way a number enters: a cell of the dataset (the loader), a ``quote`` option, a
``whatif -p`` parameter and a field or link value of the browser calculator (its page embeds
:func:`calculator_rules`). The ranges live in the canonical descriptor, ``data/datapackage.json``:

* ``x-limits``: ``assumptions``, each row of ``assumptions.csv`` by name (the loader checks every row's low
  and high end against it, requires every one and refuses a row the model does not read), and ``inputs``,
  the reader's volume, ``tokens_per_month``;
* field constraints (``minimum``, ``exclusiveMinimum``, ``maximum``): the columns of the other tables; a
  reader's own price takes the range of the column it stands in for.

Run-control parameters that are no part of the dataset (Monte Carlo draws, seeds, grid sizes) have their
ranges here, in :data:`RUN_LIMITS`. Nothing in this module imports pandas, so the command line stays fast.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass

from analysis import paths
from analysis.data.messages import say


@dataclass(frozen=True)
class Limit:
    """The range an input must lie in: ``minimum`` (or above it) to ``maximum``, both finite.

    ``what`` says what the number is ("a share of tokens", "USD per kWh"); messages read
    ``'<value>' is out of range: <what> must be <range>``.
    """

    name: str
    minimum: float
    maximum: float
    what: str
    minimum_included: bool = True
    whole: bool = False

    def contains(self, value: float) -> bool:
        """Whether ``value`` is finite and inside the range (a whole number compared exactly, however large)."""
        if not math.isfinite(value):
            return False
        if self.whole and value != int(value):
            return False
        above = value >= self.minimum if self.minimum_included else value > self.minimum
        return above and value <= self.maximum

    @property
    def range_text(self) -> str:
        """``from 0.001 to 1`` or ``above 0 and at most 1`` (``whole numbers from 1 to 100000``)."""
        lead = "whole numbers " if self.whole else ""
        if self.minimum_included:
            return f"{lead}from {number_text(self.minimum)} to {number_text(self.maximum)}"
        return f"{lead}above {number_text(self.minimum)} and at most {number_text(self.maximum)}"

    def message(self, text: str) -> str:
        """The one line that refuses ``text``: its value, what the input is and the range."""
        return say("out_of_range", text=repr(text), what=self.what, range=self.range_text)

    def record(self) -> dict[str, object]:
        """The rule as data, for the calculator (its JavaScript composes the same message from it)."""
        return {"minimum": self.minimum, "maximum": self.maximum, "minimum_included": self.minimum_included,
                "whole": self.whole, "what": self.what, "range_text": self.range_text}


def number_text(value: float) -> str:
    """A limit as written in messages: ``1000``, ``0.001``, ``1e+16`` (Python's ``g`` format, 12 digits)."""
    if isinstance(value, int) or (value == int(value) and abs(value) < 1e12):
        return str(int(value))
    return f"{value:.12g}"


# Parameters of the notebooks that steer a run rather than describe the world: (minimum, maximum, what, whole).
RUN_LIMITS: dict[str, tuple[float, float, str, bool]] = {
    "draws": (1, 1_000_000, "Monte Carlo draws", True),
    "seed": (0, 2**63 - 1, "a random seed", True),
    "grid_points": (2, 10_000, "points on the volume grid", True),
    "max_price_age_days": (1, 36_500, "days", True),
    "jobs": (1, 256, "notebooks at once", True),
}
# Notebook parameters and reader inputs that take the range of a named limit: parameter -> limit name.
ALIASES = {"grid_low_tokens_per_month": "tokens_per_month", "grid_high_tokens_per_month": "tokens_per_month",
           "output_share": "output_token_share"}
# A reader's own price takes the range of the dataset column it stands in for: input -> (table, column).
PRICE_COLUMNS = {
    "usd_per_m_input": ("api_prices", "usd_per_m_input"),
    "usd_per_m_output": ("api_prices", "usd_per_m_output"),
    "usd_per_m_cached_input": ("api_prices", "usd_per_m_cached_input"),
    "usd_per_gpu": ("gpu_prices", "usd_low"),
    "usd_per_gpu_hour": ("gpu_rentals", "usd_per_gpu_hour_low"),
}
# Counts that only make sense whole (a notebook parameter given as 2.5 sequences is refused).
WHOLE = {"context_tokens", "concurrent_sequences", "max_batch_sequences", "spare_gpus", "spare_min_serving_gpus"}
PRICE_WORDS = {"api_prices": "USD per million tokens", "gpu_prices": "USD per GPU", "gpu_rentals": "USD per GPU-hour"}


@functools.cache
def _descriptor_text() -> str:
    return paths.SCHEMA_FILE.read_text(encoding="utf-8")


def _descriptor() -> dict:
    return json.loads(_descriptor_text())


def assumption_limits() -> dict[str, Limit]:
    """The range of every assumption the model reads (and of the reader's ``tokens_per_month``), from
    ``x-limits``."""
    return dict(_assumption_limits())


def assumption_names() -> tuple[str, ...]:
    """Every row ``assumptions.csv`` must hold: the assumptions the model reads, in the descriptor's order."""
    return tuple(_descriptor()["x-limits"]["assumptions"])


@functools.cache
def _assumption_limits() -> tuple[tuple[str, Limit], ...]:
    found = []
    declared = _descriptor()["x-limits"]
    for name, rule in {**declared["assumptions"], **declared["inputs"]}.items():
        included = "minimum" in rule
        low = float(rule["minimum"] if included else rule["exclusiveMinimum"])
        found.append((name, Limit(name, low, float(rule["maximum"]), rule["what"], included, name in WHOLE)))
    return tuple(found)


def column_limit(table: str, column: str, name: str | None = None, what: str | None = None) -> Limit:
    """The range a column's constraints give (the loader checks the same constraints through Frictionless)."""
    for resource in _descriptor()["resources"]:
        if resource["name"] != table:
            continue
        for field in resource["schema"]["fields"]:
            if field["name"] == column:
                c = field.get("constraints", {})
                included = "minimum" in c
                return Limit(name or column, float(c["minimum"] if included else c["exclusiveMinimum"]),
                             float(c["maximum"]), what or field.get("description", column), included,
                             field.get("type") == "integer")
    raise KeyError(f"{table}.{column} is not in the descriptor")


def limit(name: str) -> Limit:
    """The rule for an input by name: a reader's option, a notebook parameter or an assumption."""
    if name in PRICE_COLUMNS:
        table, column = PRICE_COLUMNS[name]
        return column_limit(table, column, name, PRICE_WORDS[table])
    if name in RUN_LIMITS:
        low, high, what, whole = RUN_LIMITS[name]
        # Whole ends stay Python ints: 2**63 - 1 as a float is 2**63, and a seed of 2**63 would pass.
        return Limit(name, low if whole else float(low), high if whole else float(high), what, True, whole)
    found = assumption_limits().get(ALIASES.get(name, name))
    if found is None:
        raise KeyError(f"no range is declared for {name!r}")
    return Limit(name, found.minimum, found.maximum, found.what, found.minimum_included, found.whole)


def known(name: str) -> bool:
    """Whether ``name`` has a declared range."""
    try:
        limit(name)
    except KeyError:
        return False
    return True
