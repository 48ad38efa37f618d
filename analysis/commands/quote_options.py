"""The ``quote`` subcommand's options, kept apart from the model so that registering them imports neither
pandas nor the dataset loader: every other ``python -m analysis`` command starts faster.

Each option's value is read by :mod:`analysis.data.inputs` (one grammar and one range per input, shared with
``whatif -p`` and the calculator); an :class:`~analysis.data.inputs.InputError` becomes argparse's own error, so
a refusal is one line naming the option, the value and the rule.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from analysis.data import inputs, limits
from analysis.data.inputs import CUSTOM_PRICES, CUSTOM_RANGES

FORMATS = ("table", "json", "csv")


def _typed(name: str, parse: Callable[[str], object]):
    """An argparse type from a parser of :mod:`analysis.data.inputs`."""

    def convert(text: str) -> object:
        try:
            return parse(text)
        except inputs.InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name  # argparse names the type in its messages
    return convert


def whole_number_type(name: str):
    """An argparse type for a whole-number option whose range is :func:`analysis.data.limits.limit` ``(name)``."""
    return _typed(name, lambda text: inputs.parse_whole(name, text))


parse_tokens = _typed("tokens_per_month", inputs.parse_tokens)
parse_setting = _typed("setting", inputs.split_setting)
parse_share = _typed("output_share", inputs.parse_share)


def _price_type(name: str):
    return _typed(name, lambda text: inputs.parse_price(text, name))


def _range_type(name: str):
    return _typed(name, lambda text: inputs.parse_range(name, text))


# Options whose value may start with '-' (a negative number is a mistake the parser should explain).
_VALUE_OPTIONS = ("--tokens-per-month", "--output-share", "--set",
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


def add_parser(sub: argparse._SubParsersAction, handler: Callable[[argparse.Namespace], int]) -> None:
    """Register ``quote`` on the subcommand parsers of ``python -m analysis``, answered by ``handler``."""
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
    own.add_argument("--set", metavar="NAME=LOW[:HIGH]", action="append", type=parse_setting, default=None,
                     help="any other row of assumptions.csv the model reads, by name, its ends as plain numbers "
                          "(repeatable; e.g. --set amortization_months=60 --set pue=1.2:1.4)")
    mix = q.add_argument_group("traffic over a week and the hybrid fleet (bought, or rented with --rent)")
    mix.add_argument("--traffic", metavar="PROFILE|FILE", default=None,
                     help="a profile of traffic_profiles.csv (flat, chat, coding) or a CSV with columns hour "
                          "(0-167 over a week, or 0-23) and relative_load: adds all-self-host sized for its busiest "
                          "hour and the hybrid (owned replicas, the load above them to --overflow)")
    mix.add_argument("--overflow", metavar="OFFER_ID", default=None,
                     help="the per-token offer the hybrid sends the load above its owned replicas to (api_prices.csv; "
                          "default: the --api offer); a host of the same open model is usually cheaper")
    mix.add_argument("--hard-share", metavar="SHARE", type=parse_share, default=None,
                     help="share of tokens kept on the --api offer whatever the price (requests an open model "
                          "cannot serve; the guide's hybrid says 20%%); default 0")
    life = q.add_argument_group("the decision over the hardware's life (bought, or rented with --rent)")
    life.add_argument("--lifetime", action="store_true",
                      help="add the break-even and payback over the hardware's life (amortization_months), every "
                           "month discounted at cost_of_capital_per_year, with the API's price falling, the volume "
                           "growing and owned GPUs gaining throughput each year")
    for name, what in (("api_price_decline_per_year", "share of the API's price lost each year (0.45 or 45%%)"),
                       ("gpu_throughput_gain_per_year", "share of throughput owned GPUs gain each year from software"),
                       ("volume_growth_per_year", "share by which the volume grows each year"),
                       ("rental_price_ratio_per_year", "a rented GPU-hour's price a year on over today's (0.8: "
                                                       "20%% cheaper each year); read with --rent")):
        life.add_argument(f"--{name.replace('_', '-')}", metavar="LOW[:HIGH]", type=_range_type(name), default=None,
                          help=f"{what}; one value pins every case (default: the range of assumptions.csv); "
                               "implies --lifetime")
    q.add_argument("--data", metavar="DIR", default=None,
                   help="dataset folder, validated against data/datapackage.json (default: data/)")
    q.add_argument("--format", choices=FORMATS, default="table",
                   help="table (readable text, default), json or csv (one row per case), to stdout")
    q.set_defaults(func=handler, quote_parser=q)
