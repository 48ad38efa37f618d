"""What a reader may type, and how it is read: the one grammar of numbers and the reader's own inputs.

A number is ASCII digits with an optional sign, point and exponent, commas only between groups of three
digits (``2,000,000``); a volume takes a K/M/B/T suffix, a share a ``%``, money a leading ``$``. Python's
``float()`` takes more (underscores, other scripts' digits, ``inf``, ``nan``): none of that is a number here.
Each value must then lie in its range (:mod:`analysis.data.limits`). ``quote``'s options, ``whatif -p`` and
the browser calculator read through these functions (the calculator carries :data:`NUMBER_PATTERN` and the
ranges in its page), so a text means the same everywhere and is refused in the same words.

Nothing here imports pandas or argparse: a refusal is an :class:`InputError`, which the command line turns
into its own kind of error.
"""

from __future__ import annotations

import math
import re

from analysis.data import limits
from analysis.data.messages import say

# Decimal multipliers accepted after a token count: 500M = 500e6, 2B = 2e9, 1.5T = 1.5e12.
TOKEN_SUFFIXES = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
NUMBER_PATTERN = r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
# What may surround the number, by the kind of input: (prefix, suffixes).
NUMBER_FORMS = {"tokens": ("", "KMBTkmbt"), "share": ("", "%"), "usd": ("$", ""), "plain": ("", "")}
# A volume as people write it: "300 million", "3B/month", "2 billion tokens a month" read as 300M, 3B and 2B.
TOKEN_WORDS = {"thousand": "K", "million": "M", "billion": "B", "trillion": "T"}
TOKEN_TAILS = ("/month", "/mo", " per month", " a month", " monthly", " tokens", " tok")

# The reader's own prices: USD per million API tokens, per GPU bought, per GPU-hour rented.
CUSTOM_PRICES = ("usd_per_m_input", "usd_per_m_output", "usd_per_m_cached_input", "usd_per_gpu",
                 "usd_per_gpu_hour")
# Rows of assumptions.csv a reader may set, as one value or LOW:HIGH, and how each is written (a share also
# as 60%, money also with a $). Their ranges are the rows' own.
CUSTOM_RANGES = {"cached_input_share": "share", "target_utilization": "share", "engineer_allocation": "share",
                 "ml_engineer_usd_per_year": "usd", "electricity_usd_per_kwh": "usd",
                 "min_tokens_per_s_per_user": "plain"}
# What a range that is no number is told, by how it is written.
RANGE_NOT_NUMBER = {"share": "range_not_share", "usd": "range_not_usd", "plain": "range_not_number"}
# Every other row the model reads is set by name (quote --set NAME=LOW[:HIGH], the calculator's "every other
# input"), its ends written as plain numbers.
SETTING_PATTERN = r"[a-z][a-z0-9_]*"


def range_form(name: str) -> str:
    """How the ends of ``name``'s range are written: its form in :data:`CUSTOM_RANGES`, else ``plain``."""
    return CUSTOM_RANGES.get(name, "plain")
# An offer the reader prices themselves: --api custom, --rent custom.
CUSTOM = "custom"


class InputError(ValueError):
    """A text that is no value of its input, or a value outside the input's range; the message says which."""


def read_number(text: str, form: str) -> float:
    """The number ``text`` spells in the given form (see :data:`NUMBER_FORMS`), or NaN when it spells none.

    ``tokens`` takes one K/M/B/T suffix (x 1e3 ... 1e12), ``share`` one ``%`` (/ 100), ``usd`` a leading ``$``.
    """
    prefix, suffixes = NUMBER_FORMS[form]
    lead = re.escape(prefix) + "?" if prefix else ""
    tail = f"[{re.escape(suffixes)}]?" if suffixes else ""
    match = re.fullmatch(rf"[ \t]*{lead}({NUMBER_PATTERN}){tail}[ \t]*", text)
    if match is None:
        return math.nan
    value = float(match.group(1).replace(",", ""))
    last = text.strip(" \t")[-1:]
    if form == "tokens" and last.upper() in TOKEN_SUFFIXES:
        value *= TOKEN_SUFFIXES[last.upper()]
    elif form == "share" and last == "%":
        value /= 100.0
    return value


def read_whole(text: str) -> int | None:
    """The whole number ``text`` spells, exactly (``9223372036854775807`` stays that, not the nearest float), or
    None: digits, or a number form (``1e3``, ``2,000``) whose value is finite and whole."""
    if re.fullmatch(r"[ \t]*[+-]?[0-9]+[ \t]*", text):
        return int(text)
    value = read_number(text, "plain")
    if not math.isfinite(value) or value != int(value):
        return None
    return int(value)


def in_range(name: str, value: float, text: str) -> float:
    """``value`` if it lies in ``name``'s range, else :class:`InputError` naming the value and the range."""
    rule = limits.limit(name)
    if not rule.contains(value):
        raise InputError(rule.message(text))
    return value


def token_text(text: str) -> str:
    """``text`` with the words people add to a volume turned into the number form: the trailing ``/month``,
    ``per month``, ``tokens`` (:data:`TOKEN_TAILS`, any case, any order) dropped, and a trailing ``thousand``,
    ``million``, ``billion`` or ``trillion`` written as its K/M/B/T (``"300 million"`` -> ``"300M"``)."""
    value = text.strip(" \t")
    changed = True
    while changed:
        changed = False
        for tail in TOKEN_TAILS:
            if value.lower().endswith(tail) and len(value) > len(tail):
                value, changed = value[: -len(tail)].rstrip(" \t"), True
    match = re.fullmatch(r"(.*?[0-9.])[ \t]*(" + "|".join(TOKEN_WORDS) + ")", value, re.IGNORECASE)
    return match.group(1) + TOKEN_WORDS[match.group(2).lower()] if match else value


def parse_tokens(text: str) -> float:
    """Tokens per month from ``2e9``, ``2000000000``, ``2,000,000,000``, ``500M``, ``2B``, ``1.5T``, ``30k``,
    ``300 million`` or ``3B/month`` (:func:`token_text`), inside the range of ``tokens_per_month``."""
    tokens = read_number(token_text(text), "tokens")
    if math.isnan(tokens):
        raise InputError(say("tokens_not_number", text=repr(text)))
    return in_range("tokens_per_month", tokens, text)


def parse_share(text: str) -> float:
    """The output share of tokens from ``0.3`` or ``30%``, inside the range of ``output_token_share``."""
    share = read_number(text, "share")
    if math.isnan(share):
        raise InputError(say("share_not_number", text=repr(text)))
    return in_range("output_share", share, text)


def parse_price(text: str, name: str = "usd_per_m_input") -> float:
    """A price in USD from ``2.5`` or ``$2.50`` (thousands separators allowed), inside the range of its column."""
    price = read_number(text, "usd")
    if math.isnan(price):
        raise InputError(say("price_not_number", text=repr(text)))
    return in_range(name, price, text)


def parse_range(name: str, text: str) -> tuple[float, float]:
    """``(low, high)`` of an input from ``0.6`` (both ends) or ``0.5:0.7``; shares also as ``60%``.

    Each end must lie inside the input's range and the low end must not exceed the high.
    """
    parts = text.split(":")
    form = range_form(name)
    ends = [read_number(part, form) for part in parts] if len(parts) <= 2 else [math.nan]
    if any(math.isnan(v) for v in ends):
        raise InputError(say(RANGE_NOT_NUMBER[form], text=repr(text)))
    for end in ends:
        in_range(name, end, text)
    low, high = ends[0], ends[-1]
    if low > high:
        raise InputError(say("range_reversed", low=f"{low:g}", high=f"{high:g}", text=repr(text)))
    return low, high


def split_setting(text: str) -> tuple[str, str]:
    """``(name, value)`` of ``NAME=LOW[:HIGH]`` (the value is read by :func:`parse_range` once the name is known to be
    one the model reads)."""
    name, sep, value = text.partition("=")
    if not sep or not re.fullmatch(SETTING_PATTERN, name):
        raise InputError(say("setting_not_name_value", text=repr(text)))
    return name, value


def parse_whole(name: str, text: str) -> int:
    """A whole number (read exactly) inside ``name``'s range."""
    value = read_whole(text)
    if value is None:
        raise InputError(say("whole_not_number", text=repr(text)))
    return in_range(name, value, text)
