"""The ``quote`` subcommand's options, kept apart from the model so that registering them imports neither
pandas nor the dataset loader: every other ``python -m analysis`` command starts faster.
"""

from __future__ import annotations

import argparse
import math
import re

from analysis import limits

FORMATS = ("table", "json", "csv")
# Decimal multipliers accepted after a token count: 500M = 500e6, 2B = 2e9, 1.5T = 1.5e12.
TOKEN_SUFFIXES = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
# A number as a reader types it: ASCII digits, an optional sign, decimal point and exponent, and commas only
# between groups of three digits (2,000,000). Python's float() takes more (underscores, other scripts' digits,
# inf, nan): none of that is a number here. The calculator's JavaScript uses this same pattern.
NUMBER_PATTERN = r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
# What may surround the number, by the kind of input: (prefix, suffixes).
NUMBER_FORMS = {"tokens": ("", "KMBTkmbt"), "share": ("", "%"), "usd": ("$", ""), "plain": ("", "")}


def _run(args: argparse.Namespace) -> int:
    from analysis import quote

    return quote.run(args)


# ---------------------------------------------------------------- parsing the command line


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


def _in_range(name: str, value: float, text: str) -> float:
    rule = limits.limit(name)
    if not rule.contains(value):
        raise argparse.ArgumentTypeError(rule.message(text))
    return value


def parse_tokens(text: str) -> float:
    """Tokens per month from ``2e9``, ``2000000000``, ``2,000,000,000``, ``500M``, ``2B`` or ``1.5T``.

    A trailing K, M, B or T (either case) multiplies by 1e3, 1e6, 1e9 or 1e12. The result must lie in the
    range of ``tokens_per_month`` (:mod:`analysis.limits`).
    """
    tokens = read_number(text, "tokens")
    if math.isnan(tokens):
        raise argparse.ArgumentTypeError(
            f"expected a number of tokens such as 2e9, 2000000000, 500M, 2B or 1.5T, got {text!r}")
    return _in_range("tokens_per_month", tokens, text)


def parse_share(text: str) -> float:
    """The output share of tokens from ``0.3`` or ``30%``, inside the range of ``output_token_share``."""
    share = read_number(text, "share")
    if math.isnan(share):
        raise argparse.ArgumentTypeError(f"expected a share such as 0.3 or 30%, got {text!r}")
    return _in_range("output_share", share, text)


def read_whole(text: str) -> int | None:
    """The whole number ``text`` spells, exactly (``9223372036854775807`` stays that, not the nearest float), or
    None: digits, or a number form (``1e3``, ``2,000``) whose value is finite and whole."""
    if re.fullmatch(r"[ \t]*[+-]?[0-9]+[ \t]*", text):
        return int(text)
    value = read_number(text, "plain")
    if not math.isfinite(value) or value != int(value):
        return None
    return int(value)


def whole_number_type(name: str):
    """An argparse type for a whole-number option whose range is :func:`analysis.limits.limit` ``(name)``."""

    def parse(text: str) -> int:
        value = read_whole(text)
        if value is None:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
        return _in_range(name, value, text)

    parse.__name__ = name
    return parse


# The reader's own prices: USD per million API tokens, per GPU bought, per GPU-hour rented.
CUSTOM_PRICES = ("usd_per_m_input", "usd_per_m_output", "usd_per_m_cached_input", "usd_per_gpu",
                 "usd_per_gpu_hour")
# Rows of assumptions.csv a reader may set, as one value or LOW:HIGH, and how each is written (a share also
# as 60%, money also with a $). Their ranges are the rows' own (analysis.limits).
CUSTOM_RANGES = {"cached_input_share": "share", "target_utilization": "share", "engineer_allocation": "share",
                 "ml_engineer_usd_per_year": "usd", "electricity_usd_per_kwh": "usd"}
# An offer the reader prices themselves: --api custom, --rent custom.
CUSTOM = "custom"


def parse_price(text: str, name: str = "usd_per_m_input") -> float:
    """A price in USD from ``2.5`` or ``$2.50`` (thousands separators allowed), inside the range of its column."""
    price = read_number(text, "usd")
    if math.isnan(price):
        raise argparse.ArgumentTypeError(f"expected a price in USD such as 2.5, got {text!r}")
    return _in_range(name, price, text)


def _price_type(name: str):
    def parse(text: str) -> float:
        return parse_price(text, name)

    parse.__name__ = name  # argparse names the type in its messages
    return parse


def parse_range(name: str, text: str) -> tuple[float, float]:
    """``(low, high)`` of an input from ``0.6`` (both ends) or ``0.5:0.7``; shares also as ``60%``.

    Each end must lie inside the input's range (:mod:`analysis.limits`) and the low end must not exceed the high.
    """
    parts = text.split(":")
    ends = [read_number(part, CUSTOM_RANGES[name]) for part in parts] if len(parts) <= 2 else [math.nan]
    if any(math.isnan(v) for v in ends):
        example = "0.6, 60% or 0.5:0.7" if CUSTOM_RANGES[name] == "share" else "one amount in USD or LOW:HIGH"
        raise argparse.ArgumentTypeError(f"expected {example}, got {text!r}")
    for end in ends:
        _in_range(name, end, text)
    low, high = ends[0], ends[-1]
    if low > high:
        raise argparse.ArgumentTypeError(f"the low end {low:g} is above the high end {high:g} in {text!r}")
    return low, high


def _range_type(name: str):
    def parse(text: str) -> tuple[float, float]:
        return parse_range(name, text)

    parse.__name__ = name  # argparse names the type in its messages
    return parse


# Options whose value may start with '-' (a negative number is a mistake the parser should explain).
_VALUE_OPTIONS = ("--tokens-per-month", "--output-share",
                  *(f"--{name.replace('_', '-')}" for name in (*CUSTOM_PRICES, *CUSTOM_RANGES)))


def join_option_values(argv: list[str]) -> list[str]:
    """``--tokens-per-month -5B`` as ``--tokens-per-month=-5B``.

    argparse reads ``-5B`` as an unknown option and reports "expected one argument"; joined, the value
    reaches :func:`parse_tokens`, which says what is wrong with it.
    """
    out: list[str] = []
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        following = argv[i + 1] if i + 1 < len(argv) else ""
        if arg in _VALUE_OPTIONS and following.startswith("-") and not following.startswith("--"):
            out.append(f"{arg}={following}")
            skip = True
        else:
            out.append(arg)
    return out


_EPILOG = """\
cases:
  favourable    every input with a low/high range at the end that makes self-hosting cheaper
  base          every range at its midpoint (whole counts such as spare GPUs rounded up)
  unfavourable  every range at the end that makes self-hosting dearer

examples:
  python -m analysis quote --tokens-per-month 2B --api openai-gpt-5.4 \\
      --model llama-3.3-70b --gpu h100-sxm --precision fp8
  python -m analysis quote --tokens-per-month 500M --output-share 30% --api openai-gpt-5.4 \\
      --model llama-3.3-70b --gpu h100-sxm --precision fp8 --rent lambda-h100-8x --format json

exit status: 0 quoted; 1 invalid dataset or a situation the model cannot price;
2 bad option or a name the dataset does not have (the message lists the valid names).
"""


class Parser(argparse.ArgumentParser):
    """argparse, with a refusal in one line (the option, the value and the rule) instead of the usage block:
    ``--help`` prints the usage."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``quote`` on the subcommand parsers of ``python -m analysis``."""
    q = sub.add_parser(
        "quote", help="price one situation (API vs self-hosting, buy or rent) in about a second",
        description="API cost against self-hosting for one situation, in the model's three cases. "
                    "Money is USD; volumes count input and output tokens together.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    q.add_argument("--tokens-per-month", metavar="TOKENS", type=parse_tokens, required=True,
                   help="total tokens (input + output) per month; accepts 2e9, 2000000000 or a K/M/B/T "
                        "suffix (500M, 2B, 1.5T)")
    q.add_argument("--output-share", metavar="SHARE", type=parse_share, default=None,
                   help="output tokens / total tokens, as 0.3 or 30%%; sets every case to this value "
                        "(default: the output_token_share range of assumptions.csv, low to high by case)")
    q.add_argument("--api", metavar="OFFER_ID", required=True,
                   help="API offer to compare with: an offer_id of api_prices.csv (prices in USD per "
                        "million input, output and cached-input tokens), or custom with your own prices")
    q.add_argument("--model", metavar="MODEL_ID", required=True,
                   help="open model to self-host: a model_id of models.csv")
    q.add_argument("--gpu", metavar="GPU_ID", required=True,
                   help="GPU type: a gpu_id of gpus.csv (buying needs its USD price in gpu_prices.csv)")
    q.add_argument("--precision", metavar="PRECISION", required=True,
                   help="weight precision: a precision of precisions.csv (bits per parameter), e.g. fp16, fp8, int4")
    how = q.add_mutually_exclusive_group()
    how.add_argument("--buy", action="store_true",
                     help="buy the GPUs, amortised over amortization_months (the default)")
    how.add_argument("--rent", metavar="OFFER_ID", default=None,
                     help="rent instead: an offer_id of gpu_rentals.csv for the same GPU (USD per GPU-hour), or "
                          "custom with --usd-per-gpu-hour")
    own = q.add_argument_group(
        "your own prices and ranges", "override the dataset's values (a price pins every case; a range "
        "gives LOW:HIGH, one value pins every case)")
    own.add_argument("--usd-per-m-input", metavar="USD", type=_price_type("usd_per_m_input"), default=None,
                     help="API price per million input tokens (with --api custom, required)")
    own.add_argument("--usd-per-m-output", metavar="USD", type=_price_type("usd_per_m_output"), default=None,
                     help="API price per million output tokens (with --api custom, required)")
    own.add_argument("--usd-per-m-cached-input", metavar="USD", type=_price_type("usd_per_m_cached_input"),
                     default=None,
                     help="API price per million cached input tokens (default: the offer's, else the input price)")
    own.add_argument("--usd-per-gpu", metavar="USD", type=_price_type("usd_per_gpu"), default=None,
                     help="purchase price per GPU (buying only; prices a GPU that gpu_prices.csv lacks)")
    own.add_argument("--usd-per-gpu-hour", metavar="USD", type=_price_type("usd_per_gpu_hour"), default=None,
                     help="rental price per GPU-hour (renting only; with --rent custom, required: single "
                          "GPUs by the hour)")
    for name in CUSTOM_RANGES:
        rule = limits.limit(name)
        own.add_argument(f"--{name.replace('_', '-')}", metavar="LOW[:HIGH]", type=_range_type(name),
                         default=None, help=f"{rule.what}, {rule.range_text} (default: the {name} range of "
                                            "assumptions.csv)")
    q.add_argument("--data", metavar="DIR", default=None,
                   help="dataset folder, validated against data/datapackage.json (default: data/)")
    q.add_argument("--format", choices=FORMATS, default="table",
                   help="table (readable text, default), json or csv (one row per case), to stdout")
    q.set_defaults(func=_run, quote_parser=q)
