"""Chapter: how sure is the break-even? A Monte Carlo over every input range, and a tornado.

The situation defaults to the guide's scenario 1 (Llama 4 Maverick at FP8 on H100s against GPT-5.4, bought
or rented from Lambda). The model is :mod:`analysis.evaluation.uncertainty`; this module turns its arrays into the
tables, chart data and glued facts a notebook shows, and sets them beside the three-case model
(:func:`analysis.evaluation.scenarios.compare`) and the payback months the guide prints for scenario 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.loading import Dataset
from analysis.evaluation import hybrid as evaluation_hybrid
from analysis.evaluation import lifetime as evaluation_lifetime
from analysis.evaluation import lookups, resolve, scenarios, uncertainty
from analysis.evaluation.lookups import figure
from analysis.model import spine
from analysis.report import exhibits as ex
from analysis.report import formatting as fmt
from analysis.report import numerics, visual
from analysis.report.chapters.common import (
    Chapter,
    breakeven_points,
    checks_frame,
    cost_curves,
    curve_volumes,
    guide_volumes,
    likely_spend_text,
    printed_table,
)
from analysis.report.chapters.scenario import SCENARIOS

# The guide's scenario whose printed payback months and break-even claim the results are set against.
GUIDE_SCENARIO = "s1"
OPTION_LABELS = {"buy": "Buy", "rent": "Rent"}
TOP_INPUTS = 3  # inputs named in the summary sentence


def _number(value: float) -> str:
    """An input's value as written in a table: whole numbers from 1,000 up, else four significant digits."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _range_sentence(p10: float, p50: float, p90: float) -> str:
    """``between 1.35B and 2.52B tokens a month (median 1.79B)``, said plainly when the top decile never does."""
    if not np.isfinite(p10):
        return "never, in at least 90% of the draws"
    if not np.isfinite(p90):
        median = f"median {fmt.tokens(p50)}" if np.isfinite(p50) else "and in at least half the draws never"
        return f"at {fmt.tokens(p10)} tokens a month or more ({median}), and in at least 10% of the draws never"
    return f"between {fmt.tokens(p10)} and {fmt.tokens(p90)} tokens a month (median {fmt.tokens(p50)})"


def _factor(value: float) -> str:
    """A swing factor as ``2.11x`` (``never`` when one end never breaks even)."""
    return f"{value:.2f}x" if np.isfinite(value) else "never"


def _grid(low_tokens_per_month: float, high_tokens_per_month: float, points: int) -> np.ndarray:
    """``points`` log-spaced volumes from ``low`` to ``high`` tokens per month."""
    if isinstance(points, bool) or not isinstance(points, int | np.integer) or points < 2:
        raise ValueError(f"grid_points must be a whole number of at least 2, got {points!r}")
    if not 0 < low_tokens_per_month < high_tokens_per_month < np.inf:
        raise ValueError("grid_low_tokens_per_month must be positive and below grid_high_tokens_per_month, got "
                         f"{low_tokens_per_month!r} and {high_tokens_per_month!r}")
    return numerics.log_grid(float(low_tokens_per_month), float(high_tokens_per_month), int(points))


def inputs_table(ds: Dataset, sit: spine.Situation) -> pd.DataFrame:
    """The inputs that are sampled (low < high), their range, deterministic base value, unit and source."""
    return pd.DataFrame([{"input_id": i.name, "Input": lookups.input_words(ds, i.name), "Low": _number(i.low),
                          "High": _number(i.high), "Base": _number(i.base), "Unit": i.unit, "Range from": i.source}
                         for i in sit.inputs if i.low < i.high])


def breakeven_table(mc: uncertainty.MonteCarlo, deterministic: pd.DataFrame) -> pd.DataFrame:
    """P10/P50/P90 of the break-even volume and API spend per option, beside the three-case model."""
    rows = []
    det = deterministic.set_index("case")
    for option in mc.situation.options:
        for measure, key, formatter, ranged in (
                ("Break-even volume, tokens/month", "breakeven_tokens_per_month", fmt.tokens, fmt.tokens_range),
                ("API spend at break-even, USD/month", "breakeven_api_usd_per_month", fmt.usd, fmt.usd_range)):
            column = f"{option}_{key}"
            p10, p50, p90 = uncertainty.percentiles(mc.outputs[column])
            rows.append({"Option": OPTION_LABELS[option], "Measure": measure, "P10": formatter(p10),
                         "P50": formatter(p50), "P90": formatter(p90),
                         "Three cases: base": formatter(det.loc["base", column]),
                         "Three cases: range": ranged(det[column].min(), det[column].max()),
                         "Never breaks even": fmt.share(np.isinf(mc.outputs[column]).mean())})
    return pd.DataFrame(rows)


def _guide_payback(ds: Dataset) -> dict[float, str]:
    """The payback months the guide prints in its scenario table, by volume (tokens per month)."""
    table_name = SCENARIOS[GUIDE_SCENARIO]["table_name"]
    printed = printed_table(ds, table_name, "row", ["Break-Even"])
    figures = ds["guide_figures"]
    volume_of = (figures[figures["table_name"] == table_name].dropna(subset=["tokens_per_month"])
                 .drop_duplicates("row_label").set_index("row_label")["tokens_per_month"])
    return dict(zip(printed["row"].map(volume_of), printed["Break-Even"], strict=True))


def volumes_table(ds: Dataset, sit: spine.Situation, values: dict[str, np.ndarray],
                  volumes: np.ndarray) -> pd.DataFrame:
    """At each volume of the guide's scenario table: the chance each option beats the API, P10/P50/P90 of
    its monthly savings and of the purchase's payback months, and the payback the guide prints."""
    out = spine.evaluate(sit, values, volumes)
    guide = _guide_payback(ds)
    rows = []
    for j, volume in enumerate(volumes):
        for option in sit.options:
            savings = out[f"{option}_savings_usd_per_month"][:, j]
            row = {"Tokens per month": fmt.tokens(volume), "Option": OPTION_LABELS[option],
                   "Cheaper than the API": fmt.share((savings > 0).mean())}
            row.update({f"Savings P{p}": fmt.usd(s) for p, s in zip(uncertainty.PERCENTILES,
                                                                    uncertainty.percentiles(savings), strict=True)})
            if option == "buy":
                payback = uncertainty.percentiles(out["buy_payback_months"][:, j])
                row.update({f"Payback P{p}": fmt.months(m) for p, m in zip(uncertainty.PERCENTILES, payback,
                                                                           strict=True)})
                row["Guide's payback (scenario 1)"] = guide.get(volume, "")
            else:  # nothing is bought, so there is nothing to pay back
                row.update({f"Payback P{p}": "no purchase" for p in uncertainty.PERCENTILES})
                row["Guide's payback (scenario 1)"] = ""
            rows.append(row)
    return pd.DataFrame(rows)


def tornado_frames(ds: Dataset, sit: spine.Situation, option: str,
                   clip_tokens_per_month: float) -> tuple[pd.DataFrame, pd.DataFrame, uncertainty.Tornado]:
    """The tornado of one option as a table (ranged inputs) and as chart data (inputs that move it).

    Chart data has one row per input and end: ``input``, ``end`` ("low end" or "high end"), ``input_value``,
    ``base_tokens_per_month``, ``breakeven_tokens_per_month`` (inf drawn at ``clip_tokens_per_month``) and
    ``breakeven_label`` (text, "never" for inf); ``order`` gives the bars' top-to-bottom order.
    """
    t = uncertainty.tornado(sit, option)
    ranged = {i.name for i in sit.inputs if i.low < i.high}
    units = {i.name: i.unit for i in sit.inputs}
    table, chart = [], []
    for k, name in enumerate(t.names):
        if name not in ranged:
            continue
        words = lookups.input_words(ds, name)
        table.append({"input_id": name, "Option": OPTION_LABELS[option], "Input": words, "Unit": units[name],
                      "Low": _number(t.low[k]), "High": _number(t.high[k]),
                      "Break-even, input at low": fmt.tokens(t.at_low_tokens_per_month[k]),
                      "Break-even, input at high": fmt.tokens(t.at_high_tokens_per_month[k]),
                      "Swing (high / low break-even)": _factor(t.swing_factor[k])})
        if t.swing_factor[k] == 1:
            continue
        for end, value, be in (("low end", t.low[k], t.at_low_tokens_per_month[k]),
                               ("high end", t.high[k], t.at_high_tokens_per_month[k])):
            chart.append({"input": words, "end": end, "input_value": float(value),
                          "base_tokens_per_month": t.base_tokens_per_month,
                          "breakeven_tokens_per_month": float(min(be, clip_tokens_per_month)),
                          "breakeven_label": fmt.tokens(be), "order": k})
    columns = ["input", "end", "input_value", "base_tokens_per_month", "breakeven_tokens_per_month",
               "breakeven_label", "order"]
    return pd.DataFrame(table), pd.DataFrame(chart, columns=columns), t


# The three choices of the intro's answer card: (key, the API replaced, the open model's situation).
# The hybrid of the answer card: its traffic profile, and the frontier-API spends searched (USD a month).
CARD_PROFILE = "chat"
CARD_HYBRID_SPENDS = np.geomspace(1e4, 1e7, 61)


def _hybrid_sentence(ds: Dataset) -> str:
    """Where owning GPUs first enters the cheapest mix of owned replicas and the hosted open model (base case),
    as the frontier API's spend: the hybrid's word on the card (:mod:`analysis.evaluation.hybrid`)."""
    record = lookups.record(ds)
    _, api_offer, model = CARD_ROWS[0]
    sit, over = evaluation_hybrid.situations(record, model, CARD_GPU, CARD_PRECISION, api_offer, CARD_HOSTED)
    price = float(spine.evaluate(sit, spine.case_values(sit), [1e9])["api_usd_per_token"][1])
    load = evaluation_hybrid.named_profile(record, CARD_PROFILE)
    for spend in CARD_HYBRID_SPENDS:
        result = evaluation_hybrid.evaluate(sit, over, load, spend / price)
        if result["owned_replicas"][1] >= 1:
            return (f"With {CARD_PROFILE} traffic and the peaks sent to the hosted model, owning GPUs first enters "
                    f"the cheapest mix at about {fmt.usd(spend)} a month of {visual.api_words(ds, api_offer)} spend "
                    f"({fmt.tokens(spend / price)} tokens), owning {int(result['owned_replicas'][1])} of "
                    f"{int(result['all_selfhost_replicas'][1])} replicas.")
    return (f"With {CARD_PROFILE} traffic and the peaks sent to the hosted model, owning GPUs never enters the "
            f"cheapest mix below {fmt.usd(CARD_HYBRID_SPENDS[-1])} a month of {visual.api_words(ds, api_offer)} "
            "spend.")


CARD_ROWS = (("frontier", "openai-gpt-5.4", "llama-4-maverick"), ("cheap", "deepseek-v4-flash", "deepseek-v4-flash"))
CARD_GPU, CARD_PRECISION, CARD_HOSTED = "h100-sxm", "fp8", "novita-llama-4-maverick"


def _case_band(favourable: float, unfavourable: float) -> str:
    """The break-even spend with every input at its favourable end, then at its unfavourable end."""
    if not np.isfinite(favourable):
        return "never"
    return fmt.usd_range(favourable, unfavourable) if np.isfinite(unfavourable) else f"{fmt.usd(favourable)} to never"


# The volume the hybrid is sampled at (tokens a month): where scenario 1's chat-traffic hybrid owns part of a fleet.
HYBRID_VOLUME = 1e11


def hybrid_spread(ds: Dataset, draws: int, seed: int) -> dict[str, str]:
    """The hybrid of the answer card's frontier row (chat traffic, peaks to the hosted model) with every input and
    the profile's four figures sampled (the profile on the seed after the lifetime's): P10-P90 of its owned
    replicas, in-house share and saving against owning the whole fleet."""
    record = lookups.record(ds)
    _, api_offer, model = CARD_ROWS[0]
    sit, over = evaluation_hybrid.situations(record, model, CARD_GPU, CARD_PRECISION, api_offer, CARD_HOSTED)
    inputs = uncertainty.sample_inputs(sit, draws, seed)
    load = evaluation_hybrid.sampled_profile(record, CARD_PROFILE, draws, seed + 2)
    result = evaluation_hybrid.evaluate(sit, over, load, HYBRID_VOLUME, 0.0, inputs)
    owned = uncertainty.percentiles(result["owned_replicas"])
    in_house = uncertainty.percentiles(result["in_house_share"])
    saving = uncertainty.percentiles(result["saving_vs_selfhost"])
    return {"uq_hybrid_volume": fmt.tokens(HYBRID_VOLUME), "uq_hybrid_profile": CARD_PROFILE,
            "uq_hybrid_owned": f"{owned[0]:.0f}–{owned[2]:.0f}" if owned[0] != owned[2] else f"{owned[0]:.0f}",
            "uq_hybrid_in_house": f"{fmt.share(in_house[0])}–{fmt.share(in_house[2])}",
            "uq_hybrid_saving": f"{fmt.share(saving[0])}–{fmt.share(saving[2])}",
            "uq_hybrid_saving_median": fmt.share(saving[1])}


def answer_card(ds: Dataset, draws: int, seed: int) -> dict[str, str]:
    """Facts for the intro's answer card: each choice's break-even, its P10-P90 range, GPUs and answer.

    Buying replaces a frontier API (GPT-5.4 with Llama 4 Maverick on H100s) or a cheap one (DeepSeek V4
    Flash with itself); the third choice buys the same open model from a hosted provider instead. Ranges
    come from the same Monte Carlo as this chapter (same draws and seed).
    """
    facts: dict[str, str] = {}
    spans = {}
    for key, api_offer, model in CARD_ROWS:
        sit = resolve.situation(lookups.record(ds), model, CARD_GPU, CARD_PRECISION, api_offer)
        mc = uncertainty.monte_carlo(sit, draws, seed, [1e9])
        cases = scenarios.compare(ds, model, CARD_GPU, CARD_PRECISION, api_offer, np.array([1e9]))
        breakevens = cases.breakeven.set_index("case")
        base = breakevens.loc["base"]
        p10, _, p90 = uncertainty.percentiles(mc.outputs["buy_breakeven_api_usd_per_month"])
        spans[key] = (float(p10), float(p90), float(base["buy_breakeven_api_usd_per_month"]))
        # Over the hardware's life: the same draws, each with a draw of the lifetime inputs (the next seed).
        life = evaluation_lifetime.breakeven_draws(sit, mc.inputs, lookups.record(ds), seed + 1)
        life_p10, life_p50, life_p90 = uncertainty.percentiles(life)
        facts[f"card_{key}_life_range"] = likely_spend_text(float(life_p10), float(life_p90))
        facts[f"card_{key}_life_median"] = fmt.usd(float(life_p50)) if np.isfinite(life_p50) else "never"
        never = not np.isfinite(base["buy_breakeven_tokens_per_month"])
        # The fleet bought at the base break-even (at 1B tokens when it never comes): serving GPUs and spares.
        volume = base["buy_breakeven_tokens_per_month"] if not never else 1e9
        fleet = scenarios.compare(ds, model, CARD_GPU, CARD_PRECISION, api_offer, np.array([volume])).table
        fleet = fleet.set_index("case").loc["base"]
        spares = int(fleet["spare_gpus"])
        gpu_word = visual.gpu_words(ds, CARD_GPU).split()[0]
        facts.update({
            f"card_{key}_usd": "never" if never else fmt.usd(base["buy_breakeven_api_usd_per_month"]),
            f"card_{key}_tokens": fmt.tokens(base["buy_breakeven_tokens_per_month"]),
            f"card_{key}_range": likely_spend_text(p10, p90),
            f"card_{key}_cases": _case_band(breakevens.at["favourable", "buy_breakeven_api_usd_per_month"],
                                            breakevens.at["unfavourable", "buy_breakeven_api_usd_per_month"]),
            f"card_{key}_gpus": fmt.fleet(fleet["gpus"], spares, gpu_word),
            # Where the answer turns on the volume, the rule it turns on (issue 29: no bare "Depends").
            f"card_{key}_answer": ("Keep the API" if never else
                                   f"Buy above {fmt.usd(base['buy_breakeven_api_usd_per_month'])}"
                                   if base["buy_fragile"] or not np.isfinite(p90) else "Buy"),
        })
    # The hosted open model against the frontier API, and against buying the same model.
    low, high = lookups.assumption(ds, "output_token_share")
    per_token = {offer: np.array([scenarios.api_usd_per_token(ds, CARD_ROWS[0][2], CARD_GPU, CARD_PRECISION, offer,
                                                                share) for share in (low, (low + high) / 2, high)])
                 for offer in (CARD_ROWS[0][1], CARD_HOSTED)}
    saving = 1 - per_token[CARD_HOSTED] / per_token[CARD_ROWS[0][1]]
    versus_buy = scenarios.compare(ds, CARD_ROWS[0][2], CARD_GPU, CARD_PRECISION, CARD_HOSTED, np.array([1e9]))
    buy_wins = versus_buy.breakeven.set_index("case").at["base", "buy_breakeven_api_usd_per_month"]
    facts.update({
        "card_hosted_usd": "from the first token",
        "card_hosted_tokens": "any volume",
        "card_hosted_range": f"saves {fmt.share(saving.min())}–{fmt.share(saving.max())} of the bill",
        "card_hosted_cases": f"saves {fmt.share(saving.min())}–{fmt.share(saving.max())}",
        "card_hosted_gpus": "none",
        "card_hosted_answer": "Switch" if saving.min() > 0 else "Switch where it is cheaper",
        "card_hosted_vs_buy": (f"cheaper than buying the GPUs up to {fmt.usd(buy_wins)} a month"
                               if np.isfinite(buy_wins) else "cheaper than buying the GPUs at every volume"),
    })
    facts["card_hybrid_sentence"] = _hybrid_sentence(ds)
    threshold = figure(ds, GUIDE_THRESHOLD_ID)[0]
    low_usd, high_usd, base_usd = spans["frontier"]
    if low_usd <= threshold <= high_usd:
        verdict = "holds only for frontier-priced APIs, and only as a rough guide"
    elif threshold < low_usd:
        verdict = "is too optimistic"
    else:
        verdict = "is too cautious"
    cheap = ("never pays against a cheap API such as DeepSeek V4 Flash" if not np.isfinite(spans["cheap"][2])
             else f"pays against DeepSeek V4 Flash only above {fmt.usd(spans['cheap'][2])}")
    facts["card_rule_sentence"] = (
        f"The guide's {fmt.usd(threshold)} a month rule {verdict}: buying the GPUs breaks even at "
        f"{fmt.usd(base_usd)} of GPT-5.4 spend ({likely_spend_text(low_usd, high_usd)} across the sampled inputs), "
        f"and {cheap}.")
    # A range is one figure: word joiners (U+2060) around its dash keep a narrow card cell from breaking it.
    return {k: v.replace("–", "\u2060–\u2060") if k.endswith(("_range", "_cases")) else v for k, v in facts.items()}


def _tornado_count_title(table: pd.DataFrame) -> str:
    """``9 of 22 uncertain inputs move the buy break-even, 11 the rent one``: how many swing each option."""
    moving = table[table["Swing (high / low break-even)"] != _factor(1.0)].groupby("Option", sort=False).size()
    ranged = table.groupby("Option", sort=False).size()
    first, *others = ranged.index
    parts = [f"{moving.get(first, 0)} of {ranged[first]} uncertain inputs move the {first.lower()} break-even",
             *(f"{moving.get(o, 0)} the {o.lower()} one" for o in others)]
    return ", ".join(parts)


# The guide's headline threshold ("break-even at $20K a month of spend"), drawn on the headline chart.
GUIDE_THRESHOLD_ID = "head.summary.break_even"


def guide_threshold(ds: Dataset) -> pd.DataFrame:
    """The guide's break-even spend as a horizontal mark for the headline chart: ``usd_per_month``, ``label``."""
    usd = float(figure(ds, GUIDE_THRESHOLD_ID)[0])
    return pd.DataFrame({"usd_per_month": [usd], "label": [f"the guide's {fmt.usd(usd)}"]})


def headline(ds: Dataset, draws: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The intro's headline chart: monthly cost against volume for the answer card's three choices.

    Lines: buying GPUs for each card row's open model, each API it would replace, and the hosted open model
    (base case), each with its likely range as a band (P10–P90 over the sampled inputs,
    :func:`analysis.report.chapters.common.cost_curves`). Returns ``(curves, break-even points, title)``.
    """
    grid = curve_volumes(ds)
    options, apis, points = [], [], []
    for (key, api_offer, model), kind in zip(CARD_ROWS, (visual.BUY, visual.BUY_OTHER), strict=True):
        compared = scenarios.compare(ds, model, CARD_GPU, CARD_PRECISION, api_offer, grid)
        # No count in the name: the fleet grows along the line (the card gives the one at the break-even).
        gpu_name, model_name = visual.gpu_words(ds, CARD_GPU).split()[0], lookups.model(ds, model)["model_name"]
        label = f"Buy {gpu_name}s for {model_name}"
        api_kind = visual.FRONTIER_API if key == "frontier" else visual.CHEAP_API
        options.append((label, compared, "buy_usd_per_month", kind, visual.end_label(ds, kind, model_id=model)))
        apis.append((f"API: {visual.api_words(ds, api_offer)}", compared, "api_usd_per_month", api_kind,
                     visual.end_label(ds, api_kind, api_offer)))
        points.append(breakeven_points(compared.breakeven.assign(option="buy"),
                                       f"vs {visual.api_words(ds, api_offer)}"))
    hosted = scenarios.compare(ds, CARD_ROWS[0][2], CARD_GPU, CARD_PRECISION, CARD_HOSTED, grid)
    apis.append((f"Hosted {visual.hosted_words(ds, CARD_HOSTED)}", hosted, "api_usd_per_month", visual.HOSTED,
                 visual.end_label(ds, visual.HOSTED, CARD_HOSTED)))
    curves = cost_curves(grid, options + apis, draws, seed)
    points = pd.concat(points, ignore_index=True)
    base = curves.pivot(index="tokens_per_month", columns="option", values="usd_base")
    buy_frontier, buy_cheap = options[0][0], options[1][0]
    below = [name for name, line, versus in (
        ("DeepSeek V4 Flash's API", apis[1][0], buy_cheap), ("the hosted model", apis[2][0], buy_frontier))
        if (base[line] < base[versus]).all()]
    crossing = points[points["label"].str.endswith(apis[0][0].removeprefix("API: "))]
    title = "Monthly cost by volume"
    if len(crossing):
        title += (f": buying GPUs for {lookups.model(ds, CARD_ROWS[0][2])['model_name']} crosses GPT-5.4 at "
                  f"{fmt.tokens(crossing['tokens_per_month'].iloc[0])} tokens a month")
    if below:
        title += f"; {' and '.join(below)} {'stays' if len(below) == 1 else 'stay'} below buying at every volume"
    return curves, points, title


def build(ds: Dataset, model: str = "llama-4-maverick", gpu: str = "h100-sxm", precision: str = "fp8",
          api_offer: str = "openai-gpt-5.4", rent_offer: str | None = "lambda-h100-8x",
          draws: int = uncertainty.DRAWS, seed: int = uncertainty.SEED, grid_low_tokens_per_month: float = 1e7,
          grid_high_tokens_per_month: float = 1e12, grid_points: int = 101) -> Chapter:
    """The uncertainty chapter: Monte Carlo percentiles, probability of beating the API, tornado.

    ``draws`` uniform draws of every input from mulberry32 seeded with ``seed``; the probability curve is
    evaluated on ``grid_points`` log-spaced volumes between the two grid ends (tokens per month).
    """
    grid = _grid(grid_low_tokens_per_month, grid_high_tokens_per_month, grid_points)
    sit = resolve.situation(lookups.record(ds), model, gpu, precision, api_offer, rent_offer)
    mc = uncertainty.monte_carlo(sit, draws, seed, grid)
    table_volumes = guide_volumes(ds, SCENARIOS[GUIDE_SCENARIO]["table_name"])
    deterministic = scenarios.compare(ds, model, gpu, precision, api_offer, table_volumes, rent_offer).breakeven
    claimed = figure(ds, SCENARIOS[GUIDE_SCENARIO]["summary_breakeven_id"])[0]
    at_claim = spine.evaluate(sit, mc.inputs, [claimed])
    probability = pd.concat([pd.DataFrame({
        "tokens_per_month": grid, "option": OPTION_LABELS[o], "kind": o,
        "probability_cheaper": mc.probability_cheaper(o),
        "probability_past_breakeven": mc.probability_past_breakeven(o)}) for o in sit.options], ignore_index=True)
    tables = {"inputs": inputs_table(ds, sit), "breakeven": breakeven_table(mc, deterministic),
              "volumes": volumes_table(ds, sit, mc.inputs, table_volumes)}
    chart_data = {"probability": probability}
    facts: dict[str, float | int | str] = {
        "uq_draws": f"{mc.draws:,}", "uq_seed": str(mc.seed),
        "uq_ranged_inputs": sum(i.low < i.high for i in sit.inputs),
        "uq_rate_source": (f"the throughput bound scaled by the engine efficiency sampled over the "
                           f"{sit.efficiency_class} benchmarks"),
        "uq_guide_breakeven": fmt.tokens(claimed),
        **answer_card(ds, draws, seed),
        **hybrid_spread(ds, draws, seed),
    }
    chart_data["headline"], chart_data["headline_points"], facts["card_chart_title"] = headline(ds, draws, seed)
    chart_data["headline_guide"] = guide_threshold(ds)
    tornado_tables = []
    for option in sit.options:
        table, chart, t = tornado_frames(ds, sit, option, grid_high_tokens_per_month)
        tornado_tables.append(table)
        chart_data[f"tornado_{option}"] = chart
        p10, p50, p90 = uncertainty.percentiles(mc.outputs[f"{option}_breakeven_tokens_per_month"])
        spend = uncertainty.percentiles(mc.outputs[f"{option}_breakeven_api_usd_per_month"])
        moving = [lookups.in_sentence(lookups.input_words(ds, n))
                  for n, f in zip(t.names, t.swing_factor, strict=True) if f > 1][:TOP_INPUTS]
        facts.update({
            f"uq_{option}_p10": fmt.tokens(p10), f"uq_{option}_p50": fmt.tokens(p50),
            f"uq_{option}_p90": fmt.tokens(p90), f"uq_{option}_usd_p50": fmt.usd(spend[1]),
            f"uq_{option}_range_sentence": _range_sentence(p10, p50, p90),
            f"uq_{option}_base": fmt.tokens(t.base_tokens_per_month),
            f"uq_{option}_top_inputs": ", ".join(moving) if moving else "none",
            f"uq_{option}_top_swing": _factor(t.swing_factor[0]),
            f"uq_{option}_cheaper_at_guide_breakeven":
                fmt.share((at_claim[f"{option}_savings_usd_per_month"][:, 0] > 0).mean()),
        })
    tables["tornado"] = pd.concat(tornado_tables, ignore_index=True)
    table_name = SCENARIOS[GUIDE_SCENARIO]["table_name"]
    source = "Source: " + ex.model_source("api_prices.csv", "gpus.csv", "gpu_prices.csv", "gpu_rentals.csv",
                                          "models.csv", "benchmarks.csv", "assumptions.csv",
                                          case=f"{facts['uq_draws']} uniform draws, seed {facts['uq_seed']}")
    api = visual.api_words(ds, api_offer)
    moved = {o: f"The {OPTION_LABELS[o].lower()} break-even moves most with {facts[f'uq_{o}_top_inputs']} "
                + (f"(up to {facts[f'uq_{o}_top_swing']})" if facts[f"uq_{o}_top_swing"] != "never"
                   else "(at one end it never breaks even)") for o in sit.options}
    exhibits = (
        ex.Exhibit("uq-inputs", f"{facts['uq_ranged_inputs']} inputs are uncertain; each is drawn uniformly "
                   "between its low and high", source,
                   "The sampled inputs: each drawn uniformly between low and high; base is the deterministic "
                   "base case."),
        ex.Exhibit("uq-breakeven", f"In 80% of draws buying breaks even between {facts['uq_buy_p10']} and "
                   f"{facts['uq_buy_p90']} tokens a month (median {facts['uq_buy_p50']})", source,
                   "Break-even volume and API spend: Monte Carlo percentiles beside the three-case model."),
        ex.Exhibit("uq-probability", f"At the guide's {facts['uq_guide_breakeven']} tokens a month, buying is "
                   f"cheaper than {api} in {facts['uq_buy_cheaper_at_guide_breakeven']} of draws", source),
        ex.Exhibit("uq-volumes", f"Median break-even spend: {facts['uq_buy_usd_p50']} a month for buying"
                   + (f", {facts['uq_rent_usd_p50']} for renting" if "rent" in sit.options else ""), source,
                   "Per volume: share of draws cheaper than the API, savings and payback percentiles, the guide's "
                   "payback."),
        *(ex.Exhibit(f"uq-tornado-{o}", moved[o], source.replace(f"{facts['uq_draws']} uniform draws",
                                                                 "one input at a time at its low or high end"))
          for o in sit.options),
        ex.Exhibit("uq-tornado", _tornado_count_title(tables["tornado"]), source.replace(
            f"{facts['uq_draws']} uniform draws", "one input at a time at its low or high end"),
            "One-at-a-time swings of the break-even volume, per option, largest first."),
    )
    return Chapter(printed=printed_table(ds, table_name, "Monthly Token Volume", ["Break-Even"]),
                   checks=checks_frame([]), tables=tables, chart_data=chart_data, facts=facts, key="uncertainty",
                   exhibits=exhibits)
