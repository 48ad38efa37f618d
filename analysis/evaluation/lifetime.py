"""The lifetime figures of a situation: the break-even and payback over the hardware's life, with the API's price
falling, the volume growing and the owned GPUs serving more each year, all discounted
(:mod:`analysis.model.lifetime`), beside the monthly figures of the spine.

Per case the lifetime inputs take the end that favours self-hosting (a slow API decline, a fast throughput gain, a
fast fall in rental prices; volume growth at its midpoint in every case: it raises both bills). A situation with a
rental offer is priced as renting (no purchase, so no payback); otherwise as buying. Nothing here imports pandas.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from analysis.model import lifetime, spine

# Which end of each lifetime input favours self-hosting: +1 the high end, -1 the low end, 0 neither (the base).
FAVOURS = {"api_price_decline_per_year": -1, "gpu_throughput_gain_per_year": +1, "volume_growth_per_year": 0,
           "rental_price_ratio_per_year": -1}
PRICE_COLUMNS = ("usd_per_m_input", "usd_per_m_output", "usd_per_m_cached_input")


def case_values(record: dict, overrides: dict[str, object] | None = None) -> dict[str, np.ndarray]:
    """The lifetime inputs per case ``[favourable, base, unfavourable]`` from ``assumptions.csv``, or from
    ``overrides`` (a value pins every case; a ``(low, high)`` pair replaces the row's range)."""
    out = {}
    for name in lifetime.INPUTS:
        given = (overrides or {}).get(name)
        if given is None:
            row = record["assumptions"][name]
            low, high = row["low"], row["high"]
        elif isinstance(given, tuple | list):
            low, high = float(given[0]), float(given[1])
        else:
            low = high = float(given)
        out[name] = spine.midpoint_cases(low, high, FAVOURS[name])
    return out


def _scaled(sit: spine.Situation, factor: float) -> spine.Situation:
    """The situation with the API's prices multiplied by ``factor``."""
    constants = dict(sit.constants)
    for name in PRICE_COLUMNS:
        constants[name] = constants[name] * factor
    return dataclasses.replace(sit, constants=constants)


def cash_operating_usd_per_month(result: dict[str, np.ndarray]) -> np.ndarray:
    """What a bought fleet of the spine's ``result`` pays in cash each month, per value set (volume 0): its power,
    facility, engineers, downtime, networking and monitoring, spares included (``buy_spares`` holds their ownership
    too: only their running cost, the serving GPUs' per GPU, is cash). The purchase is the capex."""
    line = {name: result[spine.line_key("buy", name)][:, 0] for name in spine.LINES["buy"]}
    spares = result["spare_gpus"][:, 0]
    serving = result["gpus"][:, 0] - spares
    with np.errstate(divide="ignore", invalid="ignore"):
        running = np.where(serving > 0, (line["power"] + line["facility"]) / serving, 0.0)
    return (line["power"] + line["facility"] + running * spares + line["engineers"] + line["downtime"]
            + line["networking_storage"] + line["monitoring"])


def _columns(values: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Every value as ``(n,)``: one per case or draw."""
    return {k: np.broadcast_to(np.asarray(x, dtype=float).reshape(-1), (n,)) for k, x in values.items()}


def evaluate(sit: spine.Situation, lifetime_values: dict[str, np.ndarray], tokens_per_month: float,
             values: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Monthly and lifetime figures at one volume, per case ``(3,)`` (or per value set of ``values``).

    Returns ``static_breakeven_tokens_per_month`` and ``static_breakeven_api_usd_per_month`` (the spine's),
    ``life_breakeven_tokens_per_month`` (today's volume at which self-hosting's net present cost over the
    hardware's life equals the API's) and ``life_breakeven_api_usd_per_month`` (today's API bill at that volume),
    ``static_payback_months`` (the spine's: purchase over the first month's cash saving) and ``life_payback_months``
    (the first month whose cumulative discounted saving, with the resale at the end, covers the purchase; inf:
    not within the hardware's life; NaN for renting, which buys nothing), ``api_npv_usd`` and ``selfhost_npv_usd``
    (net present costs over the life at this volume, of the bought or rented fleet), and ``horizon_months``.
    """
    if sit.rental_offer_id is not None:
        return _evaluate_rent(sit, lifetime_values, tokens_per_month, values)
    base = spine.case_values(sit) if values is None else values
    volume = float(tokens_per_month)
    static = spine.evaluate(sit, base, [volume])
    merged = {**base, **lifetime_values}
    life_values, peak, api_factor = lifetime.spine_values(merged)
    n = len(peak)
    out = {key: np.empty(n) for key in ("life_breakeven_tokens_per_month", "life_breakeven_api_usd_per_month",
                                        "life_payback_months", "api_npv_usd", "selfhost_npv_usd")}
    horizon = np.asarray(base["amortization_months"], dtype=float).reshape(-1)
    rate = np.asarray(base["cost_of_capital_per_year"], dtype=float).reshape(-1)
    d, _ = lifetime.discount_factors(rate, horizon)
    annuity = d.sum(axis=1)
    growth = lifetime.path(lifetime_values["volume_growth_per_year"], horizon)
    decline = lifetime.path(-np.asarray(lifetime_values["api_price_decline_per_year"], dtype=float), horizon)
    api_per_token = static["api_usd_per_token"]
    columns, residual = _columns(life_values, n), _columns(base, n)["residual_value_share"]
    for i in range(n):
        life = spine.evaluate(_scaled(sit, float(api_factor[i])), {k: x[i] for k, x in columns.items()},
                              [volume * peak[i]])
        be = float(life["buy_breakeven_tokens_per_month"][0]) / peak[i]
        out["life_breakeven_tokens_per_month"][i] = be
        out["life_breakeven_api_usd_per_month"][i] = be * api_per_token[i] if np.isfinite(be) else np.inf
        out["api_npv_usd"][i] = float(life["api_usd_per_month"][0, 0]) * annuity[i]
        out["selfhost_npv_usd"][i] = float(life["buy_usd_per_month"][0, 0]) * annuity[i]
        if not np.isfinite(life["gpus"][0, 0]):  # no replica serves the model: nothing to pay back
            out["life_payback_months"][i] = np.inf
            continue
        # Cash month by month: the API's bill along its path against the fleet's cash operating cost.
        capex = float(life["buy_capex_usd"][0, 0])
        api_month = volume * api_per_token[i] * growth[i] * decline[i]
        saved = (api_month - cash_operating_usd_per_month(life)[0])[: int(np.ceil(horizon[i]))]
        out["life_payback_months"][i] = lifetime.payback_month([capex], saved[None, :], [rate[i]], [horizon[i]],
                                                               [capex * residual[i]])[0]
    return {"static_breakeven_tokens_per_month": static["buy_breakeven_tokens_per_month"],
            "static_breakeven_api_usd_per_month": static["buy_breakeven_api_usd_per_month"],
            "static_payback_months": static["buy_payback_months"][:, 0], "horizon_months": horizon, **out}


def _evaluate_rent(sit: spine.Situation, lifetime_values: dict[str, np.ndarray], tokens_per_month: float,
                   values: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    """:func:`evaluate` for a rented fleet: the spine's rent break-even at the level figures of
    :func:`analysis.model.lifetime.spine_values` (the GPU-hour price along its path), in one pass over the cases."""
    base = spine.case_values(sit) if values is None else values
    volume = float(tokens_per_month)
    static = spine.evaluate(sit, base, [volume])
    life_values, peak, api_factor = lifetime.spine_values({**base, **lifetime_values})
    n = len(peak)
    horizon = np.broadcast_to(np.asarray(base["amortization_months"], dtype=float).reshape(-1), (n,))
    annuity = lifetime.discount_factors(base["cost_of_capital_per_year"], horizon)[0].sum(axis=1)
    scaled = {**life_values, spine.API_PRICE_FACTOR: api_factor}
    breakeven = spine.evaluate(sit, scaled, [volume])["rent_breakeven_tokens_per_month"] / peak
    # The bills at the volume each case's fleet is sized for (V x peak: a volume per case, so one case at a time).
    columns = _columns(scaled, n)
    api_npv, rent_npv = np.empty(n), np.empty(n)
    for i in range(n):
        at = spine.evaluate(sit, {k: x[i:i + 1] for k, x in columns.items()}, [volume * peak[i]])
        api_npv[i] = at["api_usd_per_month"][0, 0] * annuity[i]
        rent_npv[i] = at["rent_usd_per_month"][0, 0] * annuity[i]
    api_per_token = static["api_usd_per_token"]
    with np.errstate(invalid="ignore"):
        spend = np.where(np.isfinite(breakeven), breakeven * api_per_token, np.inf)
    return {"static_breakeven_tokens_per_month": static["rent_breakeven_tokens_per_month"],
            "static_breakeven_api_usd_per_month": static["rent_breakeven_api_usd_per_month"],
            "static_payback_months": np.full(n, np.nan), "horizon_months": horizon.copy(),
            "life_breakeven_tokens_per_month": breakeven, "life_breakeven_api_usd_per_month": spend,
            "life_payback_months": np.full(n, np.nan),
            "api_npv_usd": api_npv, "selfhost_npv_usd": rent_npv}


# The wait the option to wait is priced for (months).
WAIT_MONTHS = 12


def wait_a_year(sit: spine.Situation, lifetime_values: dict[str, np.ndarray], tokens_per_month: float,
                values: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Buy now, or pay the API for :data:`WAIT_MONTHS` months and buy then, per case, over the same window of
    ``H + 12`` months (``H`` the hardware's life), every month discounted.

    Buying now: the fleet's net present cost over its life, then the API for the last 12 months.
    Waiting: the API for the first 12 months, then a fleet bought at month 12 for the volume then
    (``V x (1 + g)``) on GPUs that serve ``1 + s`` times today's tokens (the year's software gain), discounted by
    ``d_12``. The API's bill follows its path (growth and decline) throughout; GPU prices are held where they are.
    Returns ``api_only_npv_usd`` (the API for the whole window), ``buy_now_npv_usd``, ``wait_npv_usd`` and
    ``waiting_saves_usd`` (buying now less waiting: positive when waiting is cheaper).
    """
    base = spine.case_values(sit) if values is None else values
    volume = float(tokens_per_month)
    horizon = np.asarray(base["amortization_months"], dtype=float).reshape(-1)
    rate = np.asarray(base["cost_of_capital_per_year"], dtype=float).reshape(-1)
    growth_rate = np.asarray(lifetime_values["volume_growth_per_year"], dtype=float)
    gain_rate = np.asarray(lifetime_values["gpu_throughput_gain_per_year"], dtype=float)
    if sit.rental_offer_id is not None:
        raise ValueError("waiting to buy prices a purchase: the situation rents")
    now = evaluate(sit, lifetime_values, volume, base)["selfhost_npv_usd"]
    # The fleet bought a year on: the volume then, on GPUs that serve (1 + s) times more: a volume of
    # V (1 + g) / (1 + s) at today's throughput, case by case.
    later_npv = np.empty_like(now)
    columns, life_columns = _columns(base, len(now)), _columns(lifetime_values, len(now))
    for i in range(len(now)):
        scale = (1 + growth_rate[i]) / (1 + gain_rate[i])
        one = {k: x[i:i + 1] for k, x in columns.items()}
        life = {k: x[i:i + 1] for k, x in life_columns.items()}
        later_npv[i] = evaluate(sit, life, volume * scale, one)["selfhost_npv_usd"][0]
    api_per_token = spine.evaluate(sit, base, [volume])["api_usd_per_token"]
    out = {"api_only_npv_usd": np.empty_like(now), "buy_now_npv_usd": np.empty_like(now),
           "wait_npv_usd": np.empty_like(now)}
    for i in range(len(now)):
        window = np.arange(int(np.ceil(horizon[i])) + WAIT_MONTHS, dtype=float)
        api = (volume * api_per_token[i] * (1 + growth_rate[i]) ** (window / 12)
               * (1 - float(lifetime_values["api_price_decline_per_year"][i])) ** (window / 12)
               * (1 + rate[i]) ** (-window / 12))
        first, last = api[:WAIT_MONTHS].sum(), api[-WAIT_MONTHS:].sum()
        out["api_only_npv_usd"][i] = api.sum()
        out["buy_now_npv_usd"][i] = now[i] + last
        out["wait_npv_usd"][i] = first + (1 + rate[i]) ** (-WAIT_MONTHS / 12) * later_npv[i]
    out["waiting_saves_usd"] = out["buy_now_npv_usd"] - out["wait_npv_usd"]
    return out


def breakeven_draws(sit: spine.Situation, draws: dict[str, np.ndarray], record: dict, seed: int) -> np.ndarray:
    """The break-even API spend today over the hardware's life for each Monte Carlo draw of the monthly inputs
    (``draws``: :func:`analysis.evaluation.uncertainty.sample_inputs`), each with its own uniform draw of the lifetime
    inputs from ``assumptions.csv`` (``numpy.random.default_rng(seed)``, in the order of
    :data:`analysis.model.lifetime.INPUTS`): one pass of the spine, the API's prices scaled per draw
    (``spine.API_PRICE_FACTOR``)."""
    n = len(next(iter(draws.values())))
    rng = np.random.default_rng(seed)
    uniforms = rng.random((len(lifetime.INPUTS), n))
    life = {}
    for name, u in zip(lifetime.INPUTS, uniforms, strict=True):
        row = record["assumptions"][name]
        life[name] = row["low"] + (row["high"] - row["low"]) * u
    values, peak, api_factor = lifetime.spine_values({**draws, **life})
    out = spine.evaluate(sit, {**values, spine.API_PRICE_FACTOR: api_factor}, [1e9])
    listed = spine.evaluate(sit, draws, [1e9])["api_usd_per_token"]
    volume = out["buy_breakeven_tokens_per_month"] / peak
    return np.where(np.isfinite(volume), volume * listed, np.inf)
