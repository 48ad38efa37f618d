"""Monthly costs of buying tokens from an API and of serving them yourself. Pure numpy functions.

Money is USD; volumes are tokens per month counting input and output together, as the guide does.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis.model.arrays import as_array

TOKENS_PER_MILLION = 1e6
SECONDS_PER_HOUR = 3600
WATTS_PER_KW = 1000
MONTHS_PER_YEAR = 12


def _share(name: str, value: ArrayLike) -> NDArray:
    arr = as_array(name, value)
    if (arr > 1).any():
        raise ValueError(f"{name} must be between 0 and 1, got {arr[arr > 1][0]!r}")
    return arr


def api_monthly_cost_usd(tokens_per_month: ArrayLike, output_share: ArrayLike, usd_per_m_input: ArrayLike,
                         usd_per_m_output: ArrayLike, cached_input_share: ArrayLike = 0.0,
                         usd_per_m_cached_input: ArrayLike = np.nan) -> NDArray:
    """API bill for a month of traffic.

    ``tokens / 1e6 x [(1 - s_out) x ((1 - c) x p_in + c x p_cached) + s_out x p_out]`` with ``s_out`` the
    output share of tokens and ``c`` the share of input tokens billed at the cached price (a missing
    cached price, NaN, bills them at the input price).
    """
    tokens = as_array("tokens_per_month", tokens_per_month)
    s_out = _share("output_share", output_share)
    p_in = as_array("usd_per_m_input", usd_per_m_input)
    p_out = as_array("usd_per_m_output", usd_per_m_output)
    c = _share("cached_input_share", cached_input_share)
    p_cached = as_array("usd_per_m_cached_input", usd_per_m_cached_input, allow_nan=True)
    p_cached = np.where(np.isnan(p_cached), p_in, p_cached)
    per_m = (1 - s_out) * ((1 - c) * p_in + c * p_cached) + s_out * p_out
    return tokens / TOKENS_PER_MILLION * per_m


def api_lines_usd_per_month(tokens_per_month: ArrayLike, output_share: ArrayLike, usd_per_m_input: ArrayLike,
                            usd_per_m_output: ArrayLike, cached_input_share: ArrayLike = 0.0,
                            usd_per_m_cached_input: ArrayLike = np.nan) -> dict[str, NDArray]:
    """The API bill of :func:`api_monthly_cost_usd` by line: ``input``, ``cached_input`` and ``output``.

    ``input = tokens / 1e6 x (1 - s_out) x (1 - c) x p_in``, ``cached_input = tokens / 1e6 x (1 - s_out) x c x
    p_cached`` (``p_in`` when the cached price is missing) and ``output = tokens / 1e6 x s_out x p_out``.
    """
    tokens = as_array("tokens_per_month", tokens_per_month) / TOKENS_PER_MILLION
    s_out = _share("output_share", output_share)
    p_in = as_array("usd_per_m_input", usd_per_m_input)
    c = _share("cached_input_share", cached_input_share)
    p_cached = as_array("usd_per_m_cached_input", usd_per_m_cached_input, allow_nan=True)
    p_cached = np.where(np.isnan(p_cached), p_in, p_cached)
    return {"input": tokens * ((1 - s_out) * (1 - c) * p_in), "cached_input": tokens * ((1 - s_out) * c * p_cached),
            "output": tokens * (s_out * as_array("usd_per_m_output", usd_per_m_output))}


def api_monthly_cost_guide_usd(tokens_per_month: ArrayLike, usd_per_m_input: ArrayLike,
                               usd_per_m_output: ArrayLike) -> NDArray:
    """The guide's convention: every token is charged the input price *plus* the output price.

    ``tokens / 1e6 x (p_in + p_out)``. It reproduces the guide's API columns ($1,750 for 100M GPT-5.4
    tokens at $2.50 + $15.00) and overstates any real bill by 1.5-3x.
    """
    tokens = as_array("tokens_per_month", tokens_per_month)
    return tokens / TOKENS_PER_MILLION * (as_array("usd_per_m_input", usd_per_m_input)
                                          + as_array("usd_per_m_output", usd_per_m_output))


def capacity_tokens_per_month(tokens_per_s: ArrayLike, hours_per_month: ArrayLike, peak_to_average: ArrayLike,
                              target_utilization: ArrayLike) -> NDArray:
    """Monthly volume one serving unit carries when sized for the busiest hour.

    ``tokens_per_s x 3600 x hours x target_utilization / peak_to_average``: the unit runs at
    ``target_utilization`` of its measured rate at peak, and the average is ``1 / peak_to_average`` of peak.
    """
    rate = as_array("tokens_per_s", tokens_per_s)
    hours = as_array("hours_per_month", hours_per_month, positive=True)
    peak = as_array("peak_to_average", peak_to_average, positive=True)
    if (peak < 1).any():
        raise ValueError("peak_to_average must be at least 1")
    util = _share("target_utilization", target_utilization)
    return rate * SECONDS_PER_HOUR * hours * util / peak


def units_needed(tokens_per_month: ArrayLike, unit_capacity_tokens_per_month: ArrayLike) -> NDArray:
    """Whole serving units for a volume: ``max(1, ceil(tokens / capacity))`` (inf when capacity is 0)."""
    tokens = as_array("tokens_per_month", tokens_per_month)
    cap = as_array("unit_capacity_tokens_per_month", unit_capacity_tokens_per_month)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.maximum(1.0, np.where(cap > 0, np.ceil(tokens / cap), np.inf))


def amortized_usd_per_month(capex_usd: ArrayLike, amortization_months: ArrayLike, residual_share: ArrayLike = 0.0,
                            cost_of_capital_per_year: ArrayLike = 0.0) -> NDArray:
    """Monthly cost of owning hardware.

    Straight-line depreciation of what is not recovered, plus interest on the average capital tied up:
    ``capex x (1 - r) / N + capex x (1 + r) / 2 x rate / 12``.
    """
    capex = as_array("capex_usd", capex_usd)
    months = as_array("amortization_months", amortization_months, positive=True)
    r = _share("residual_share", residual_share)
    rate = as_array("cost_of_capital_per_year", cost_of_capital_per_year)
    return capex * (1 - r) / months + capex * (1 + r) / 2 * rate / MONTHS_PER_YEAR


def power_usd_per_month(gpus: ArrayLike, tdp_watts: ArrayLike, server_power_factor: ArrayLike, pue: ArrayLike,
                        usd_per_kwh: ArrayLike, hours_per_month: ArrayLike) -> NDArray:
    """Electricity for owned GPUs running flat out.

    ``gpus x tdp_watts x server_power_factor x pue x hours / 1000 x usd_per_kwh``: the server adds
    CPUs, memory, fans and NICs to the GPU boards; the facility adds cooling (PUE).
    """
    watts = (as_array("gpus", gpus) * as_array("tdp_watts", tdp_watts)
             * as_array("server_power_factor", server_power_factor, positive=True)
             * as_array("pue", pue, positive=True))
    return watts * as_array("hours_per_month", hours_per_month) / WATTS_PER_KW * as_array("usd_per_kwh", usd_per_kwh)


def facility_usd_per_month(gpus: ArrayLike, tdp_watts: ArrayLike, server_power_factor: ArrayLike,
                           usd_per_kw_month: ArrayLike) -> NDArray:
    """Colocation for owned GPUs, priced per kW of IT load: ``gpus x tdp_watts x server_power_factor / 1000 x
    usd_per_kw_month``.

    Colocation is sold by the kW a rack may draw (space, cooling plant, power delivery, security); the energy
    drawn is billed apart (:func:`power_usd_per_month`, where the PUE adds the cooling's electricity).
    """
    kw = (as_array("gpus", gpus) * as_array("tdp_watts", tdp_watts)
          * as_array("server_power_factor", server_power_factor, positive=True)) / WATTS_PER_KW
    return kw * as_array("usd_per_kw_month", usd_per_kw_month)


def rental_usd_per_month(gpus: ArrayLike, usd_per_gpu_hour: ArrayLike, hours_per_month: ArrayLike) -> NDArray:
    """Rented GPUs billed by the hour around the clock: ``gpus x usd_per_gpu_hour x hours``."""
    return (as_array("gpus", gpus) * as_array("usd_per_gpu_hour", usd_per_gpu_hour)
            * as_array("hours_per_month", hours_per_month))


def engineering_usd_per_month(engineer_usd_per_year: ArrayLike, engineer_allocation: ArrayLike) -> NDArray:
    """Engineers' fully loaded cost spent on inference: ``salary / 12 x allocation``.

    ``engineer_allocation`` is in engineers: 0.25 is a quarter of one, 2.4 is two and a bit (a guide's hours a
    month can exceed one engineer's working month).
    """
    return (as_array("engineer_usd_per_year", engineer_usd_per_year) / MONTHS_PER_YEAR
            * as_array("engineer_allocation", engineer_allocation))


def downtime_usd_per_month(revenue_at_risk_usd_per_month: ArrayLike, selfhost_uptime: ArrayLike,
                           api_uptime: ArrayLike) -> NDArray:
    """Revenue lost to the extra downtime of self-hosting: ``revenue x max(0, api_uptime - selfhost_uptime)``."""
    revenue = as_array("revenue_at_risk_usd_per_month", revenue_at_risk_usd_per_month)
    gap = _share("api_uptime", api_uptime) - _share("selfhost_uptime", selfhost_uptime)
    return revenue * np.maximum(gap, 0.0)
