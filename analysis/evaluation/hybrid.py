"""The hybrid fleet for a situation: a traffic profile from the dataset (or the reader's file), the spine's fleet
(bought, or rented when the situation has a rental offer) sized for it, and the cheapest number of owned replicas
with the rest sent to a per-token offer.

Three options at one volume, per case: all API (the API being replaced), all self-host (the spine's bought fleet,
sized for the profile's busiest hour with its burst headroom), and the hybrid (:func:`analysis.model.hybrid.optimum`
over ``0 ... all-self-host`` owned replicas of the size the spine chose, the load above them billed at the overflow
offer). With a ``hard_share``, that share of the tokens goes to the API being replaced whatever the price (tasks an
open model cannot do) and the hybrid serves the rest. Nothing here imports pandas.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from pathlib import Path

import numpy as np

from analysis.data.messages import say
from analysis.evaluation import resolve
from analysis.model import hybrid, spine

PARAMETERS = ("peak_over_mean", "trough_over_mean", "weekend_factor", "burst_headroom")
# Which end of each parameter's range favours self-hosting (a flatter load): +1 the high end, -1 the low end.
FAVOURS = {"peak_over_mean": -1, "trough_over_mean": +1, "weekend_factor": +1, "burst_headroom": -1}
# The largest fleet whose every size is tried (a volume past it is priced at the two ends only).
MAX_OWNED_REPLICAS = 5_000


class TrafficError(ValueError):
    """A traffic file or profile name the model cannot use; the message names the file, line, column and value."""


@dataclasses.dataclass(frozen=True)
class Profile:
    """A load profile per case (favourable, base, unfavourable): relative load per hour ``(3, H)``, mean 1, and
    the burst headroom within the hour ``(3,)``; its name and where it comes from."""

    name: str
    load: np.ndarray
    burst_headroom: np.ndarray
    source: str

    @property
    def peak_to_average(self) -> np.ndarray:
        """``max(load) x burst``: the figure a fleet sized for the busiest hour needs, per case."""
        return hybrid.peak_to_average(self.load, self.burst_headroom)


def _rows(record: dict, name: str) -> dict[str, dict[str, float]]:
    """A profile's four ranges; :class:`TrafficError` for a name no profile has or a figure it lacks."""
    profiles = record["traffic_profiles"]
    if name not in profiles:
        raise TrafficError(say("unknown_traffic", value=repr(name), names=", ".join(sorted(profiles))))
    missing = [p for p in PARAMETERS if p not in profiles[name]]
    if missing:
        raise TrafficError(f"traffic_profiles.csv: profile {name!r} lacks {', '.join(missing)}")
    return profiles[name]


def named_profile(record: dict, name: str) -> Profile:
    """A profile of ``traffic_profiles.csv`` in its three cases: each parameter at the end that favours
    self-hosting, its midpoint, the other end."""
    rows = _rows(record, name)
    cases = {p: spine.midpoint_cases(rows[p]["low"], rows[p]["high"], FAVOURS[p]) for p in PARAMETERS}
    load = hybrid.weekly_profile(cases["peak_over_mean"], cases["trough_over_mean"], cases["weekend_factor"])
    return Profile(name, load, cases["burst_headroom"], f"traffic_profiles.csv, profile {name}")


def profile_from_file(path: Path) -> Profile:
    """The reader's own profile: a CSV with columns ``hour`` (0-167 over a week, Monday 00:00 first, or 0-23 for a
    day) and ``relative_load`` (any scale; it is divided by its mean). No burst headroom beyond the file's hours.

    Raises :class:`TrafficError` listing every problem with its line, column and value.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TrafficError(f"{path}: no such traffic file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TrafficError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != ["hour", "relative_load"]:
        raise TrafficError(f"{path}, line 1: expected the header 'hour,relative_load', got "
                           f"{','.join(reader.fieldnames or []) or 'an empty file'!r}")
    problems, loads = [], {}
    for line, row in enumerate(reader, start=2):
        hour_text, load_text = (row.get("hour") or "").strip(), (row.get("relative_load") or "").strip()
        try:
            hour = int(hour_text)
        except ValueError:
            problems.append(f"{path}, line {line}, column 'hour': value {hour_text!r} is not a whole hour")
            continue
        try:
            load = float(load_text)
        except ValueError:
            load = math.nan
        if not (math.isfinite(load) and load >= 0):
            problems.append(f"{path}, line {line}, column 'relative_load': value {load_text!r} is not a number >= 0")
            continue
        if not 0 <= hour < hybrid.HOURS_PER_WEEK:
            problems.append(f"{path}, line {line}, column 'hour': value {hour_text!r} is not an hour of a week "
                            f"(0-{hybrid.HOURS_PER_WEEK - 1})")
        elif hour in loads:
            problems.append(f"{path}, line {line}, column 'hour': value {hour_text!r} is given twice")
        else:
            loads[hour] = load
    span = hybrid.HOURS_PER_DAY if loads and max(loads) < hybrid.HOURS_PER_DAY else hybrid.HOURS_PER_WEEK
    absent = [h for h in range(span) if h not in loads]
    if loads and absent and not problems:
        problems.append(f"{path}: hours {_hours_text(absent)} are missing: give every hour of a day (0-23) or of a "
                        "week (0-167)")
    if not problems and not any(v > 0 for v in loads.values()):
        problems.append(f"{path}: every relative_load is 0 or there is none: there is no traffic to serve")
    if problems:
        raise TrafficError("\n".join(problems))
    load = np.array([loads[h] for h in range(span)], dtype=float)
    load = np.tile(load / load.mean(), (3, 1))
    return Profile(path.name, load, np.ones(3), f"{path}")


def _hours_text(hours: list[int]) -> str:
    shown = ", ".join(str(h) for h in hours[:8])
    return shown + (f" and {len(hours) - 8} more" if len(hours) > 8 else "")


def profile(record: dict, name_or_file: str) -> Profile:
    """A named profile, or the file at that path when no profile has the name."""
    if name_or_file in record["traffic_profiles"]:
        return named_profile(record, name_or_file)
    if name_or_file.endswith(".csv") or Path(name_or_file).exists():
        return profile_from_file(Path(name_or_file))
    return named_profile(record, name_or_file)  # raises, listing the names


def _owned_usd_per_month(sit: spine.Situation, values: dict[str, np.ndarray], gpus_per_replica: np.ndarray,
                         replicas: np.ndarray, option: str = "buy") -> np.ndarray:
    """``(N, C)``: the monthly cost of keeping ``0 ... C - 1`` replicas (inf beyond each case's all-self-host
    fleet ``replicas``), by the spine's own fleet pricing: bought (:func:`analysis.model.spine.fleet_usd_per_month`,
    with spares) or rented around the clock (:func:`analysis.model.spine.rented_fleet_usd_per_month`)."""
    most = int(min(np.nanmax(np.where(np.isfinite(replicas), replicas, 0)), MAX_OWNED_REPLICAS))
    n, counts = len(replicas), np.arange(most + 1, dtype=float)
    # Every (case, count) pair at once: the value sets repeated once per count, the fleets flattened.
    repeated = {name: np.repeat(np.broadcast_to(np.asarray(x, dtype=float).reshape(-1), (n,)), most + 1)
                for name, x in values.items()}
    serving = (counts[None, :] * np.where(np.isfinite(gpus_per_replica), gpus_per_replica, 0.0)[:, None]).reshape(-1)
    if option == "rent":
        lines = spine.rented_fleet_usd_per_month(repeated, serving)
    else:
        spares = spine.spares_needed(serving, repeated["spare_gpu_share"], repeated["spare_min_serving_gpus"])
        lines = spine.fleet_usd_per_month(repeated, sit.constants["tdp_watts"], serving, spares)
    owned = sum(lines[name] for name in spine.LINES[option]).reshape(n, most + 1)
    owned[:, 0] = 0.0  # owning nothing costs nothing: no engineers, no networking
    return np.where(counts[None, :] <= replicas[:, None], owned, np.inf)


def _rented_replicas(result: dict[str, np.ndarray]) -> np.ndarray:
    """The replicas of the spine's rented fleet at its one volume; inf where no replica serves the model (inf
    GPUs in replicas of no size), as the spine says for buying."""
    per_replica = result["rent_gpus_per_replica"][:, 0]
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(per_replica), result["rent_gpus"][:, 0] / per_replica, np.inf)


def sampled_profile(record: dict, name: str, draws: int, seed: int) -> Profile:
    """A named profile drawn ``draws`` times: each of its four figures uniform over its range
    (``numpy.random.default_rng(seed)``, in the order of :data:`PARAMETERS`), for a Monte Carlo."""
    ranges = _rows(record, name)
    rng = np.random.default_rng(seed)
    uniforms = rng.random((len(PARAMETERS), int(draws)))
    drawn = {p: ranges[p]["low"] + (ranges[p]["high"] - ranges[p]["low"]) * u
             for p, u in zip(PARAMETERS, uniforms, strict=True)}
    load = hybrid.weekly_profile(drawn["peak_over_mean"], drawn["trough_over_mean"], drawn["weekend_factor"])
    return Profile(name, load, drawn["burst_headroom"], f"traffic_profiles.csv, profile {name} (sampled)")


def evaluate(sit: spine.Situation, overflow: spine.Situation, load: Profile, tokens_per_month: float,
             hard_share: float = 0.0, values: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """All API, all self-host and the hybrid at one volume, per case ``(3,)`` (or per value set of ``values``,
    one per row of ``load``: a Monte Carlo with :func:`sampled_profile`).

    ``sit`` prices the API being replaced (and the GPUs); ``overflow`` the offer the hybrid sends its overflow to
    (the same API, or the open model from a host: a situation with the same model and GPU). ``hard_share`` of
    the tokens go to the API being replaced in the hybrid whatever the price. When ``sit`` has a rental offer the
    fleet is rented, not bought: whole instances kept around the clock (a monthly or reserved commitment; renting
    by the hour only at the peaks is not modelled), no spares, the replica the spine rents.

    Returns ``all_api_usd_per_month``, ``all_selfhost_usd_per_month`` (the spine's bought or rented fleet at
    ``peak_to_average = max(load) x burst``), ``hybrid_usd_per_month``, ``owned_replicas``, ``owned_gpus``
    (serving, spares left out), ``gpus_per_replica``, ``all_selfhost_replicas``, ``in_house_share`` (of all
    tokens), ``utilization``, ``peak_to_average``, ``saving_vs_api`` and ``saving_vs_selfhost`` (shares of those
    bills), and ``curve_usd_per_month`` ``(3, C)``: the hybrid's cost at each owned count (the U-curve).
    """
    if not 0 <= hard_share < 1:
        raise ValueError(f"hard_share must be in [0, 1), got {hard_share!r}")
    values = {**(spine.case_values(sit) if values is None else values), "peak_to_average": load.peak_to_average}
    n = len(load.peak_to_average)
    volume = float(tokens_per_month)
    whole = spine.evaluate(sit, values, [volume])
    soft_volume = volume * (1 - hard_share)
    fleet = spine.evaluate(sit, values, [soft_volume]) if hard_share else whole
    # The overflow offer's price per token at the same traffic mix, case by case (its own situation may orient the
    # output share the other way; the tokens it is sent are the replaced API's).
    over_price = spine.evaluate(overflow, values, [soft_volume])["api_usd_per_token"]
    option = "buy" if sit.rental_offer_id is None else "rent"
    if option == "rent":
        per_replica, replicas = fleet["rent_gpus_per_replica"][:, 0], _rented_replicas(fleet)
        capacity_month = fleet["rent_replica_tokens_per_month"][:, 0]
    else:
        replicas, per_replica = fleet["replicas"][:, 0], fleet["gpus_per_replica"][:, 0]
        capacity_month = fleet["replica_tokens_per_month"][:, 0]
    hours = np.asarray(values["hours_per_month"], dtype=float)
    # One replica's tokens an hour at its target utilisation, net of the burst headroom (module docstring).
    replica_per_hour = capacity_month * np.max(load.load, axis=1) / hours
    owned = _owned_usd_per_month(sit, values, per_replica, replicas, option)
    best = hybrid.optimum(np.full(n, soft_volume), load.load, replica_per_hour, owned, over_price, hours)
    hard_usd = volume * hard_share * whole["api_usd_per_token"]
    all_api, all_self = whole["api_usd_per_month"][:, 0], whole[f"{option}_usd_per_month"][:, 0]
    all_replicas = whole["replicas"][:, 0] if option == "buy" else _rented_replicas(whole)
    # With no hard share both ends are candidates of the optimum; the spine's own bills are kept for them, so the
    # hybrid is never dearer than either by a last bit of summation order.
    total = hard_usd + best["usd_per_month"]
    owned_count, in_house, utilization = best["owned_replicas"], best["in_house_share"], best["utilization"]
    if not hard_share:
        # An end the search could not reach (a fleet past MAX_OWNED_REPLICAS) or that it reached a last bit dearer:
        # the answer is that end, with its own figures.
        selfhost = all_self < total
        api_end = ~selfhost & (all_api < total)
        total = np.where(selfhost, all_self, np.where(api_end, all_api, total))
        with np.errstate(divide="ignore", invalid="ignore"):
            owned_count = np.where(selfhost, all_replicas, np.where(api_end, 0.0, owned_count))
            in_house = np.where(selfhost, 1.0, np.where(api_end, 0.0, in_house))
            utilization = np.where(selfhost, volume / (all_replicas * replica_per_hour * hours),
                                   np.where(api_end, np.nan, utilization))
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "all_api_usd_per_month": all_api, "all_selfhost_usd_per_month": all_self,
            "hybrid_usd_per_month": total, "owned_replicas": owned_count,
            "owned_gpus": owned_count * per_replica, "gpus_per_replica": per_replica,
            "all_selfhost_replicas": all_replicas, "replica_tokens_per_hour": replica_per_hour,
            "in_house_share": in_house * (1 - hard_share), "utilization": utilization,
            "peak_to_average": load.peak_to_average,
            "saving_vs_api": 1 - total / all_api, "saving_vs_selfhost": 1 - total / all_self,
            "curve_usd_per_month": best["cost_usd_per_month"] + hard_usd[:, None],
        }


def situations(record: dict, model_id: str, gpu_id: str, precision: str, api_offer_id: str,
               overflow_offer_id: str | None, rental_offer_id: str | None = None,
               **kwargs) -> tuple[spine.Situation, spine.Situation]:
    """The situation of the API being replaced (renting ``rental_offer_id`` when given, else buying; the output
    share oriented for that acquisition) and of the overflow offer (the same when none is given)."""
    kwargs.setdefault("orient_on", "buy" if rental_offer_id is None else "rent")
    sit = resolve.situation(record, model_id, gpu_id, precision, api_offer_id, rental_offer_id, **kwargs)
    if overflow_offer_id is None or overflow_offer_id == api_offer_id:
        return sit, sit
    return sit, resolve.situation(record, model_id, gpu_id, precision, overflow_offer_id, rental_offer_id,
                                  **kwargs)
