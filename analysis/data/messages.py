"""Every message a quote can refuse or qualify with, as data: one template each, in one place.

Python formats them (:func:`say`), and the calculator's page carries the same templates in its record and fills
them the same way, so the browser and ``quote`` refuse a value in the same words and the JavaScript holds no
message text of its own. A template's ``{name}`` fields are filled with text: a value the reader typed is quoted
as Python's ``repr`` quotes it, a number is formatted by the caller.
"""

from __future__ import annotations

# What the valid names of each quote option are called in ``unknown_name``.
NOUNS: dict[str, str] = {"api": "API offers", "model": "models", "gpu": "GPUs", "precision": "precisions"}

MESSAGES: dict[str, str] = {
    # a reader's text that is no value (analysis.data.inputs)
    "tokens_not_number": "expected a number of tokens such as 2e9, 2000000000, 500M, 2B or 1.5T, got {text}",
    "tokens_missing": "give a volume of tokens a month, such as 2e9, 500M, 2B or 1.5T",
    "share_not_number": "expected a share such as 0.3 or 30%, got {text}",
    "price_not_number": "expected a price in USD such as 2.5, got {text}",
    "range_not_share": "expected 0.6, 60% or 0.5:0.7, got {text}",
    "range_not_usd": "expected one amount in USD or LOW:HIGH, got {text}",
    "range_not_number": "expected one number or LOW:HIGH, got {text}",
    "setting_not_name_value": "expected NAME=VALUE or NAME=LOW:HIGH, got {text}",
    "setting_unknown": "{name} is no input the model reads; settable: {names}",
    "setting_twice": "{name} is given twice",
    "setting_output_share_twice": ("give the output share once: --output-share pins it, output_token_share sets "
                                   "its range"),
    "range_reversed": "the low end {low} is above the high end {high} in {text}",
    "whole_not_number": "expected a whole number, got {text}",
    # a value outside its range (analysis.data.limits)
    "out_of_range": "{text} is out of range: {what} must be {range}",
    # a request the dataset cannot price (analysis.evaluation.quoting)
    "unknown_name": "unknown {option} {value}: valid {noun} are {names}",
    "custom_api_needs_prices": "--api custom needs --usd-per-m-input and --usd-per-m-output",
    "gpu_hour_needs_rent": "--usd-per-gpu-hour prices a rental: add --rent OFFER_ID, or --rent custom",
    "gpu_price_needs_buy": "--usd-per-gpu prices a purchase: leave out --rent to buy the GPUs",
    "custom_rent_needs_price": "--rent custom needs --usd-per-gpu-hour",
    "offers_for_gpu": "valid rental offers for {gpu} are {offers}",
    "no_offers_for_gpu": "gpu_rentals.csv has no offer for {gpu}",
    "unknown_rent": "unknown --rent {offer}: {offers}",
    "rent_other_gpu": "--rent {offer} rents {rented}, not --gpu {gpu}: {offers}",
    "no_purchase_price": "gpu_prices.csv has no purchase price for --gpu {gpu} (GPUs with a price: {priced}); give "
                         "one with --usd-per-gpu, or rent it with --rent instead: {offers}",
    # the hybrid fleet (analysis.evaluation.hybrid, quote --traffic)
    "unknown_traffic": "unknown traffic profile {value}: the profiles are {names}, or give a CSV file (columns hour, "
                       "relative_load)",
    "hybrid_needs_traffic": "--overflow and --hard-share price the hybrid: give --traffic too",
    "hard_share_too_high": "--hard-share must be below 1: some tokens must be left for the hybrid to serve",
    # why a break-even is fragile (analysis.evaluation.scenarios.fragility)
    "fragile_margin": "one more replica saves only {percent}% of its own cost beyond paying for itself",
    "fragile_never": "a case never breaks even",
    "fragile_spread": "the stress ends span {ratio}x",
}


def say(key: str, **fields: str) -> str:
    """The message ``key`` with its fields filled in (each already text)."""
    return MESSAGES[key].format(**fields)
