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
HYBRID = "hybrid"  # owned replicas for the baseline, the peaks bought per token
OPTION_COLOURS = {
    BUY: "#1f5fa8",           # blue: owning the GPUs
    BUY_OTHER: "#6aa6e0",     # light blue: owning GPUs for a second model
    RENT: "#e08a00",          # orange: renting them
    FRONTIER_API: "#c0392b",  # red: a frontier-priced API
    CHEAP_API: "#7b4fa0",     # purple: a cheap API
    HOSTED: "#2e8b57",        # green: the same open model from a hosted provider
    HYBRID: "#8c564b",        # brown: the hybrid of owning and buying per token
}
# Marks that are not an option: what the guide printed or claims (grey, on every chart), the report's own
# reference marks and labels (ink), and secondary labels (muted).
GUIDE_COLOUR = "#8a8a8a"
INK = "#222222"
MUTED = "#555555"
PAPER = "#ffffff"  # a chart's background: the halo that keeps a label legible over lines
# Where a figure comes from, on charts that set the guide's printed figure beside the report's.
SOURCE_COLOURS = {"guide printed": GUIDE_COLOUR, "first principles": INK}
# Scales of their own, in hues no option uses. Weight precision, widest first (teal, dark to light); requests
# decoded together, fewest first (magenta, light to dark); an input held at its low or high end in a stress
# test (olive, light and dark).
PRECISION_COLOURS = {"FP16": "#134e4a", "FP8": "#2a9d8f", "INT4": "#7cc6bb"}
CONCURRENCY_RAMP = ("#e7a1c6", "#c0508f", "#6d1a46")
END_COLOURS = {"low end": "#a7b04a", "high end": "#4f5713"}
# Categories with no meaning beyond their names (the lines of a bill, two benchmark set-ups), in order: a
# qualitative set kept apart from the options' hues where it can be (nine lines cannot all be).
CATEGORY_COLOURS = ("#3b6e8f", "#d4a017", "#6b8e23", "#9e4f7a", "#4a4a4a", "#b5651d", "#5f9ea0", "#a0522d",
                    "#708090")
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


def ramp_scale(order: list[str], ramp: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """``(domain, range)`` giving the values of ``order`` the ramp's colours in turn (a ramp of three for two
    values takes its ends, for one its first)."""
    if len(order) > len(ramp):
        raise ValueError(f"{len(order)} values for a ramp of {len(ramp)} colours")
    picks = [0, len(ramp) - 1] if len(order) == 2 else list(range(len(order)))
    return list(order), [ramp[i] for i in picks]


def precision_scale(labels: list[str]) -> tuple[list[str], list[str]]:
    """``(domain, range)`` for labels that start with a precision (``FP8``, ``INT4 weights``): each takes its
    precision's colour, whatever else is on the chart."""
    return list(labels), [PRECISION_COLOURS[label.split()[0].upper()] for label in labels]


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``: ``0.2126 R + 0.7152 G + 0.0722 B`` of the linearised channels."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio ``(L1 + 0.05) / (L2 + 0.05)``, the lighter colour's luminance over the darker's."""
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# The contrast a chart's text must reach against its background (WCAG AA for body text).
TEXT_CONTRAST = 4.5


def legible(colour: str, background: str = PAPER) -> str:
    """``colour`` as text: unchanged when it reaches :data:`TEXT_CONTRAST` on ``background``, else darkened in
    steps of 2% towards black until it does (a line's light blue names it in a deeper blue of the same hue)."""
    channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    shade = colour
    for step in range(51):
        shade = "#" + "".join(f"{round(c * (1 - step / 50)):02x}" for c in channels)
        if contrast(shade, background) >= TEXT_CONTRAST:
            break
    return shade


def palette() -> set[str]:
    """Every colour a chart may use: the scales above, the verdicts' and the neutral marks'."""
    colours = {*OPTION_COLOURS.values(), *VERDICT_COLOURS.values(), GUIDE_COLOUR, INK, MUTED, PAPER,
               *SOURCE_COLOURS.values(), *PRECISION_COLOURS.values(), *CONCURRENCY_RAMP, *END_COLOURS.values(),
               *CATEGORY_COLOURS}
    # Each colour's text shade, for a line's name printed in its colour (legible).
    return colours | {legible(c) for c in colours}


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


def _short_model(name: str) -> str:
    """A model's name in at most three words, without ``Instruct`` or ``Chat``: ``Llama 4 Maverick`` for
    ``Llama 4 Maverick 17B-128E``, ``DeepSeek V4 Flash`` as it is."""
    return " ".join([w for w in str(name).split() if w not in ("Instruct", "Chat")][:3])


def end_label(ds: Dataset, kind: str, offer_id: str | None = None, model_id: str | None = None) -> str:
    """A line's name short enough to print at its end on a phone: ``GPT-5.4`` or ``DeepSeek V4 Flash`` for an
    API, ``Hosted Llama 4 Maverick``, ``Buy`` or ``Rent`` (``Buy: DeepSeek V4 Flash`` when ``model_id`` tells two
    bought lines apart)."""
    if kind in (FRONTIER_API, CHEAP_API, HOSTED):
        words = _short_model(_offer_model_words(ds, lookups.api_offer(ds, offer_id)))
        return f"Hosted {words}" if kind == HOSTED else words
    verb = "Rent" if kind == RENT else "Buy"
    return verb if model_id is None else f"{verb}: {_short_model(lookups.model(ds, model_id)['model_name'])}"


def rental_words(ds: Dataset, offer_id: str) -> str:
    """``H100 SXM 80GB from Lambda`` for ``lambda-h100-8x``."""
    offer = lookups.rental_offer(ds, offer_id)
    return f"{gpu_words(ds, offer['gpu_id'])} from {offer['provider']}"
