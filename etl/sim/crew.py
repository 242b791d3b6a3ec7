"""Who works each shoot: models and crew drawn from skewed country pools, at local day rates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.sim.common import Params, rng, zipf_weights
from etl.sim.world import Bookings, Brands, n_months


@dataclass
class People:
    """Everyone in any pool; index = person number used by crew rows and twins."""

    ids: np.ndarray          # str, e.g. GB-model-00042
    country: np.ndarray      # str
    role: np.ndarray         # str
    weight: np.ndarray       # popularity within the pool (sums to 1 per pool)
    rate_mult: np.ndarray    # the person's own rate multiplier


@dataclass
class Crew:
    booking: np.ndarray      # index into Bookings
    person: np.ndarray       # index into People
    role: np.ndarray         # str
    halfdays: np.ndarray
    day_rate: np.ndarray     # whole units of local currency
    currency: np.ndarray     # str


def _role_counts(p: Params, r: np.random.Generator, bk: Bookings
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(booking index, role name) for every seat on every shoot that happened."""
    idx_all, roles_all = [], []
    happened = bk.status != 2
    for ci, c in enumerate(p.channels):
        idx = np.flatnonzero(happened & (bk.channel == ci))
        for role, (lo, hi) in p["crew"][c].items():
            n = r.integers(lo, hi + 1, idx.size)
            idx_all.append(np.repeat(idx, n))
            roles_all.append(np.full(int(n.sum()), role, dtype=object))
    booking = np.concatenate(idx_all)
    role = np.concatenate(roles_all).astype(str)
    order = np.lexsort((role, booking))
    return booking[order], role[order]


def make_crew(p: Params, b: Brands, bk: Bookings) -> tuple[People, Crew]:
    """Pools sized to the work, skewed draws of people, and their day rates."""
    r = rng(p.seed, "crew")
    booking, role = _role_counts(p, r, bk)
    country = b.country[bk.brand[booking]]
    halfdays = bk.halfdays[booking]
    years = n_months(p) / 12
    cp = p["crew"]

    ids, pc, pr, pw, pm = [], [], [], [], []
    person = np.empty(booking.size, np.int64)
    offset = 0
    frame = pd.DataFrame({"country": country, "role": role, "hd": halfdays})
    for (ctry, rl), g in frame.groupby(["country", "role"], sort=True):
        per_year = cp["model_days_per_person_year"] if rl == "model" else cp["days_per_person_year"]
        size = max(6, int(np.ceil(g["hd"].sum() / 2 / years / per_year)))
        exponent = cp["model_popularity_exponent"] if rl == "model" else cp["popularity_exponent"]
        w = zipf_weights(size, exponent)
        numbers = r.permutation(size) + 1  # ids do not give away the popularity rank
        ids.append(np.array([f"{ctry}-{rl}-{n:05d}" for n in numbers]))
        pc.append(np.full(size, ctry))
        pr.append(np.full(size, rl))
        pw.append(w)
        pm.append(_rate_multiplier(p, r, rl, size))
        rows = g.index.to_numpy()
        person[rows] = offset + _distinct_draws(r, booking[rows], w)
        offset += size
    people = People(np.concatenate(ids), np.concatenate(pc), np.concatenate(pr),
                    np.concatenate(pw), np.concatenate(pm))
    rate = _day_rates(p, b, bk, booking, role, people, person)
    currency = b.currency[bk.brand[booking]]
    return people, Crew(booking, person, role, halfdays, rate, currency)


def _distinct_draws(r: np.random.Generator, booking: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Draw pool members by weight; redraw where one person would fill two seats of a shoot."""
    cum = np.cumsum(w)
    pick = np.minimum(np.searchsorted(cum, r.random(booking.size) * cum[-1]), w.size - 1)
    while True:
        order = np.lexsort((pick, booking))
        dup = np.zeros(booking.size, bool)
        same = (booking[order][1:] == booking[order][:-1]) & (pick[order][1:] == pick[order][:-1])
        dup[order[1:][same]] = True
        if not dup.any():
            return pick
        pick[dup] = np.minimum(np.searchsorted(cum, r.random(int(dup.sum())) * cum[-1]),
                               w.size - 1)


def _rate_multiplier(p: Params, r: np.random.Generator, role: str, size: int) -> np.ndarray:
    rp = p["rates"]
    if role == "model":
        pct = 1 - np.arange(size) / max(size - 1, 1)  # pool index 0 is the most popular
        return r.lognormal(0, rp["model_person_sigma"], size) * (
            1 + rp["model_popularity_premium"] * pct)
    return r.uniform(*rp["freelance_multiplier"], size)


def _day_rates(p: Params, b: Brands, bk: Bookings, booking: np.ndarray, role: np.ndarray,
               people: People, person: np.ndarray) -> np.ndarray:
    """Local-currency day rate of each seat, rounded to whole units."""
    rp, fx = p["rates"], p["fx"]
    chans = p.channels
    chan = bk.channel[booking]
    currency = b.currency[bk.brand[booking]]
    country = b.country[bk.brand[booking]]
    rate = np.zeros(booking.size)

    is_model = role == "model"
    for cur in fx:
        table = rp.get(cur)
        scale = 1.0
        if table is None:  # no published rates: GBP figures converted (ASSUMPTION)
            table, scale = rp["GBP"], fx[cur] / fx["GBP"]
        base = np.array([table[c] for c in chans]) * scale
        sel = is_model & (currency == cur)
        rate[sel] = base[chan[sel]] * people.rate_mult[person[sel]]

    hourly = rp["oews_hourly_median_usd"]
    rel = rp["relative_to_photographer"]
    crew_roles = np.unique(role[~is_model])
    usd_day = {rl: (hourly.get(rl) or hourly["photographer"] * rel[rl]) * p["crew"]["hours_per_day"]
               for rl in crew_roles}
    level = np.array([rp["country_level"][c] for c in country])
    to_local = np.array([fx[c] / fx["USD"] for c in currency])
    chan_factor = np.array([rp["channel_factor"][c] for c in chans])[chan]
    for rl in crew_roles:
        sel = role == rl
        rate[sel] = (usd_day[rl] * people.rate_mult[person[sel]] * level[sel] * to_local[sel]
                     * chan_factor[sel])
    return np.maximum(1, np.rint(rate)).astype(np.int64)


def survey(p: Params, b: Brands, bk: Bookings, people: People, crew: Crew) -> pd.DataFrame:
    """The quarterly union-style survey: people with work, hours, median day earnings."""
    date = bk.date[crew.booking].astype("datetime64[D]")
    year = date.astype("datetime64[Y]").astype(int) + 1970
    quarter = (date.astype("datetime64[M]").astype(int) % 12) // 3 + 1
    f = pd.DataFrame({
        "period": pd.Series(year).astype(str) + "-Q" + pd.Series(quarter).astype(str),
        "area": people.country[crew.person],
        "role": crew.role,
        "person": crew.person,
        "days": crew.halfdays / 2,
        "fee": crew.halfdays / 2 * crew.day_rate,
        "currency": crew.currency,
    })
    per_person = f.groupby(["period", "area", "role", "person", "currency"], sort=True).agg(
        days=("days", "sum"), fee=("fee", "sum")).reset_index()
    per_person["day_earnings"] = per_person["fee"] / per_person["days"]
    out = per_person.groupby(["period", "area", "role", "currency"], sort=True).agg(
        employed=("person", "size"), days=("days", "sum"),
        median_earnings=("day_earnings", "median"),
        mean_earnings=("day_earnings", "mean")).reset_index()
    out["hours_worked"] = out["days"] * p["crew"]["hours_per_day"]
    out["earnings_basis"] = p["survey"]["earnings_basis"]
    out["source"] = p["survey"]["source"]
    return out[["period", "area", "role", "employed", "hours_worked", "median_earnings",
                "mean_earnings", "earnings_basis", "currency", "source"]]
