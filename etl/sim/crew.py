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
    role: np.ndarray         # int index into role_names
    halfdays: np.ndarray
    day_rate: np.ndarray     # whole units of local currency
    role_names: list[str]

    def is_role(self, name: str) -> np.ndarray:
        return self.role == self.role_names.index(name)


def role_names(p: Params) -> list[str]:
    """Every role any channel's crew uses, sorted: crew rows store an index into this."""
    return sorted({rl for c in p.channels for rl in p["crew"][c]})


def _role_counts(p: Params, r: np.random.Generator, bk: Bookings
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(booking index, role index) for every seat on every shoot that happened."""
    names = role_names(p)
    idx_all, roles_all = [], []
    happened = bk.status != 2
    for ci, c in enumerate(p.channels):
        idx = np.flatnonzero(happened & (bk.channel == ci))
        for role, (lo, hi) in p["crew"][c].items():
            n = r.integers(lo, hi + 1, idx.size)
            idx_all.append(np.repeat(idx, n))
            roles_all.append(np.full(int(n.sum()), names.index(role), dtype=np.int8))
    booking = np.concatenate(idx_all)
    role = np.concatenate(roles_all)
    order = np.lexsort((role, booking))
    return booking[order], role[order]


def make_crew(p: Params, b: Brands, bk: Bookings) -> tuple[People, Crew]:
    """Pools sized to the work, skewed draws of people, and their day rates."""
    r = rng(p.seed, "crew")
    names = role_names(p)
    booking, role = _role_counts(p, r, bk)
    countries = sorted(p["countries"])
    country_code = np.searchsorted(countries, b.country)[bk.brand[booking]].astype(np.int8)
    halfdays = bk.halfdays[booking]
    years = n_months(p) / 12
    cp = p["crew"]

    ids, pc, pr, pw, pm = [], [], [], [], []
    person = np.empty(booking.size, np.int64)
    offset = 0
    group = country_code.astype(np.int64) * len(names) + role
    order = np.argsort(group, kind="stable")
    bounds = np.r_[0, np.flatnonzero(np.diff(group[order])) + 1, order.size]
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        rows = order[lo:hi]
        ctry, rl = countries[country_code[rows[0]]], names[role[rows[0]]]
        per_year = cp["model_days_per_person_year"] if rl == "model" else cp["days_per_person_year"]
        size = max(6, int(np.ceil(halfdays[rows].sum() / 2 / years / per_year)))
        exponent = cp["model_popularity_exponent"] if rl == "model" else cp["popularity_exponent"]
        w = zipf_weights(size, exponent)
        numbers = r.permutation(size) + 1  # ids do not give away the popularity rank
        ids.append(np.array([f"{ctry}-{rl}-{n:05d}" for n in numbers]))
        pc.append(np.full(size, ctry))
        pr.append(np.full(size, rl))
        pw.append(w)
        pm.append(_rate_multiplier(p, r, rl, size))
        person[rows] = offset + _distinct_draws(r, booking[rows], w)
        offset += size
    people = People(np.concatenate(ids), np.concatenate(pc), np.concatenate(pr),
                    np.concatenate(pw), np.concatenate(pm))
    rate = _day_rates(p, b, bk, booking, role, names, people, person)
    return people, Crew(booking, person, role, halfdays, rate, names)


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
               names: list[str], people: People, person: np.ndarray) -> np.ndarray:
    """Local-currency day rate of each seat, rounded to whole units."""
    rp, fx = p["rates"], p["fx"]
    chans = p.channels
    chan = bk.channel[booking]
    brand = bk.brand[booking]

    # per brand: the model rate table in its currency, crew level × USD → local
    model_table = np.empty((b.ids.size, len(chans)))
    crew_factor = np.empty(b.ids.size)
    for i, (cur, ctry) in enumerate(zip(b.currency, b.country, strict=True)):
        table, scale = rp.get(cur), 1.0
        if table is None:  # no published rates: GBP figures converted (ASSUMPTION)
            table, scale = rp["GBP"], fx[cur] / fx["GBP"]
        model_table[i] = np.array([table[c] for c in chans]) * scale
        crew_factor[i] = rp["country_level"][ctry] * fx[cur] / fx["USD"]

    hourly = rp["oews_hourly_median_usd"]
    rel = rp["relative_to_photographer"]
    usd_day = np.array([(hourly.get(rl) or hourly["photographer"] * rel.get(rl, 1.0))
                        for rl in names]) * p["crew"]["hours_per_day"]
    chan_factor = np.array([rp["channel_factor"][c] for c in chans])
    mult = people.rate_mult[person]
    rate = usd_day[role] * mult * crew_factor[brand] * chan_factor[chan]
    is_model = role == names.index("model")
    rate[is_model] = model_table[brand[is_model], chan[is_model]] * mult[is_model]
    return np.maximum(1, np.rint(rate)).astype(np.int64)


def survey(p: Params, b: Brands, bk: Bookings, people: People, crew: Crew) -> pd.DataFrame:
    """The quarterly union-style survey: people with work, hours, median day earnings."""
    months = bk.date[crew.booking].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    quarter = (months // 3).astype(np.int32)  # quarters since 1970
    f = pd.DataFrame({
        "quarter": quarter,
        "role": crew.role,
        "person": crew.person,  # a person belongs to one country × role pool
        "days": crew.halfdays / 2,
        "fee": crew.halfdays / 2 * crew.day_rate,
    })
    per_person = f.groupby(["quarter", "person", "role"], sort=True).agg(
        days=("days", "sum"), fee=("fee", "sum")).reset_index()
    per_person["day_earnings"] = per_person["fee"] / per_person["days"]
    per_person["area"] = people.country[per_person["person"].to_numpy()]
    out = per_person.groupby(["quarter", "area", "role"], sort=True).agg(
        employed=("person", "size"), days=("days", "sum"),
        median_earnings=("day_earnings", "median"),
        mean_earnings=("day_earnings", "mean")).reset_index()
    q = out["quarter"].to_numpy()
    out["period"] = [f"{1970 + x // 4}-Q{x % 4 + 1}" for x in q]
    out["role"] = np.array(crew.role_names)[out["role"].to_numpy()]
    currency = {c: v[0] for c, v in p["countries"].items()}
    out["currency"] = out["area"].map(currency)
    out["hours_worked"] = out["days"] * p["crew"]["hours_per_day"]
    out["earnings_basis"] = p["survey"]["earnings_basis"]
    out["source"] = p["survey"]["source"]
    return out[["period", "area", "role", "employed", "hours_worked", "median_earnings",
                "mean_earnings", "earnings_basis", "currency", "source"]]
