"""The report's visual language: one colour per option and per verdict, and the words that name them.

Every chart takes its colours from here, so buying is the same blue and "physically impossible" the same
red on every page, and a colour always comes with its word (a legend entry or a label).
"""

from __future__ import annotations

import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import lookups, verdicts

# Options a reader chooses between (the keys are the ``kind`` of a cost curve).
BUY, RENT, FRONTIER_API, CHEAP_API, HOSTED = "buy", "rent", "frontier_api", "cheap_api", "hosted"
BUY_OTHER = "buy_other"  # a second bought system on the same chart (another model)
OPTION_COLOURS = {
    BUY: "#1f5fa8",           # blue: owning the GPUs
    BUY_OTHER: "#6aa6e0",     # light blue: owning GPUs for a second model
    RENT: "#e08a00",          # orange: renting them
    FRONTIER_API: "#c0392b",  # red: a frontier-priced API
    CHEAP_API: "#7b4fa0",     # purple: a cheap API
    HOSTED: "#2e8b57",        # green: the same open model from a hosted provider
}
# Severity: red for what physics rules out, amber for contradictions, blue for the unstated, green for
# what holds, grey for what cannot be checked.
VERDICT_COLOURS = {
    verdicts.IMPOSSIBLE: "#c62828",
    verdicts.INCONSISTENT: "#ef8f00",
    verdicts.TIGHT: "#b08d57",
    verdicts.IMPLIED: "#1e6fd9",
    verdicts.REPRODUCED: "#2e7d32",
    verdicts.UNVERIFIABLE: "#8a8a8a",
}


def verdict_word(verdict: str) -> str:
    """The verdict's short word for legends and badges: ``impossible``, ``inconsistent``, ``implied``, ..."""
    return verdicts.KEYS[verdict]


def verdict_scale(order: list[str]) -> tuple[list[str], list[str]]:
    """``(domain, range)`` for a colour scale over these verdicts."""
    return list(order), [VERDICT_COLOURS[v] for v in order]


def option_scale(labels: pd.Series, kinds: pd.Series) -> tuple[list[str], list[str]]:
    """``(domain, range)`` for a colour scale over option labels, each coloured by its kind."""
    pairs = dict(zip(labels, kinds, strict=True))
    domain = list(dict.fromkeys(labels))
    return domain, [OPTION_COLOURS[pairs[label]] for label in domain]


def gpu_words(ds: Dataset, gpu_id: str) -> str:
    """``H100 SXM 80GB`` for ``h100-sxm``: the product name without the vendor."""
    return str(lookups.gpu(ds, gpu_id)["gpu_name"]).removeprefix("NVIDIA ").removeprefix("GeForce ")


def _offer_model_words(ds: Dataset, offer: pd.Series, short: bool = False) -> str:
    """The model an API offer serves, as readers know it: the open model's name when the offer names one
    (``DeepSeek V4 Flash``, not the API identifier ``deepseek-v4-flash``), else the provider's model name.
    ``short`` takes the guide's shorter name for the model where it has one (``Llama 4 Maverick``)."""
    if pd.isna(offer["model_id"]) or not offer["model_id"]:
        return str(offer["api_model"])
    model = lookups.model(ds, offer["model_id"])
    guide_name = model["guide_model"]
    return guide_name if short and isinstance(guide_name, str) and guide_name else str(model["model_name"])


def api_words(ds: Dataset, offer_id: str) -> str:
    """``GPT-5.4 (OpenAI)`` for ``openai-gpt-5.4``, ``DeepSeek V4 Flash (DeepSeek)`` for ``deepseek-v4-flash``."""
    offer = lookups.api_offer(ds, offer_id)
    return f"{_offer_model_words(ds, offer)} ({offer['provider']})"


def hosted_words(ds: Dataset, offer_id: str) -> str:
    """``Llama 4 Maverick from Together AI`` for a hosted open-model offer: the model as readers know it."""
    offer = lookups.api_offer(ds, offer_id)
    return f"{_offer_model_words(ds, offer, short=True)} from {offer['provider']}"


def rental_words(ds: Dataset, offer_id: str) -> str:
    """``H100 SXM 80GB from Lambda`` for ``lambda-h100-8x``."""
    offer = lookups.rental_offer(ds, offer_id)
    return f"{gpu_words(ds, offer['gpu_id'])} from {offer['provider']}"
