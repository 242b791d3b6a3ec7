"""Brands, their counterfactual shoot demand, adoption of twins and the bookings that result.

Counterfactual shoot days of brand b, channel c, month m are
    base[b, c] × season[c, m] × trend[c, m] × own[b, m] × shock[b, m] × shock[b, c, m],
with the channel's season and trend shared by every brand, `own` the brand's own trend and
seasonal swing, and two lognormal shocks of mean 1 (the brand's month, and each channel of it).
Adopters and never-adopters draw `own` and the shocks from the same distributions,
independently across brands and months: parallel trends hold in expectation, which is what the
difference-in-differences estimator needs. After adoption each booking is replaced by a twin
with a probability that follows the brand's S-curve up to the channel's substitution rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from etl.sim.common import (
    Params,
    logistic,
    month_index,
    month_lengths,
    month_starts,
    rng,
)


@dataclass
class Brands:
    ids: np.ndarray          # str
    country: np.ndarray      # str
    currency: np.ndarray     # str
    active: np.ndarray       # bool [brand, channel]
    base: np.ndarray         # float [brand, channel]: mean counterfactual shoot days / month
    adopter: np.ndarray      # bool
    adopt_m: np.ndarray      # int month index (-1: never)
    intensity: np.ndarray    # float: multiplier on the channel substitution rates
    new_share: np.ndarray    # float: share of twin assets that is new content
    apd: np.ndarray          # float [brand, channel]: assets per full shoot day
    own: np.ndarray          # float [brand, month]: the brand's own trend × seasonal swing


@dataclass
class Bookings:
    """One row per booking (counterfactual ones never booked are dropped)."""

    brand: np.ndarray        # int
    channel: np.ndarray      # int
    month: np.ndarray        # int
    date: np.ndarray         # day number
    halfdays: np.ndarray     # int (days × 2)
    assets: np.ndarray       # int, 0 when cancelled
    status: np.ndarray       # int: 0 completed, 1 confirmed, 2 cancelled
    reason: np.ndarray       # int: -1 none, else index into CANCEL_REASONS


CANCEL_REASONS = ("replaced_by_twin", "budget", "schedule", "weather", "other")


def make_brands(p: Params) -> Brands:
    """Brands, their size by channel, their adoption month and twin behaviour."""
    r = rng(p.seed, "brands")
    n, n_never = int(p.scale["brands"]), int(p.scale["never_adopt"])
    chans = p.channels
    countries = list(p["countries"])
    cw = np.array([p["countries"][c][1] for c in countries], float)
    country = np.array(countries)[r.choice(len(countries), n, p=cw / cw.sum())]
    currency = np.array([p["countries"][c][0] for c in country])
    controls = np.zeros(n, bool)
    controls[r.permutation(n)[:n_never]] = True
    size = p.scale["brand_days_per_month"] * r.lognormal(0, p["demand"]["brand_size_sigma"], n)
    size /= np.exp(p["demand"]["brand_size_sigma"] ** 2 / 2)  # mean stays brand_days_per_month
    # a floor: a brand too small to shoot every month would make its displacement unmeasurable
    size = np.maximum(size, p["demand"]["brand_size_floor"] * p.scale["brand_days_per_month"])
    mix = np.array([p["channels"]["mix"][c] for c in chans])
    base = size[:, None] * mix[None, :] * r.lognormal(0, p["channels"]["mix_spread"], (n, len(chans)))
    active = np.ones((n, len(chans)), bool)
    optional = [chans.index(c) for c in ("campaign", "editorial", "lookbook")]
    draw = r.random((n, len(optional))) < p["channels"]["optional_active_prob"]
    active[:, optional] = draw | controls[:, None]
    base = np.where(active, base, 0.0)

    cal = p["calendar"]
    first = cal["first_month"]
    lo, hi = month_index(cal["earliest_adoption"], first), month_index(cal["latest_adoption"], first)
    center = month_index(cal["adoption_center"], first)
    n_adopt = n - n_never
    q = (np.arange(n_adopt) + 0.5) / n_adopt
    months = np.clip(np.rint(center + cal["adoption_spread_months"] * np.log(q / (1 - q))), lo, hi)
    step = p.world.get("adoption_step_months")
    if step:  # a world where brands adopt together: only every `step`-th month
        months = np.clip(lo + step * np.rint((months - lo) / step), lo, hi)
    adopt_m = np.full(n, -1)
    adopt_m[~controls] = r.permutation(months.astype(int))

    s = p["substitution"]
    intensity = np.where(controls, 0.0, r.uniform(*s["brand_intensity"], n))
    new_share = np.where(controls, 0.0, r.uniform(*p.scale["new_content_share"], n))
    apd = np.stack([r.uniform(*p["output"][c], n) for c in chans], axis=1)
    width = len(str(n))
    ids = np.array([f"BR{i + 1:0{max(width, 2)}d}" for i in range(n)])
    return Brands(ids, country, currency, active, base, ~controls, adopt_m, intensity,
                  new_share, apd, own_shape(p, n))


def own_shape(p: Params, n: int) -> np.ndarray:
    """[brand, month]: each brand's own yearly trend and seasonal swing (mean 1 over a year).

    Its own stream, drawn alike for adopters and never-adopters: parallel in expectation.
    """
    r = rng(p.seed, "brand-shape")
    nz = p.noise
    nm = n_months(p)
    growth = r.normal(0, nz["brand_trend_sd"], n)
    amp = r.uniform(*nz["brand_season_amplitude"], n)
    peak = r.uniform(0, 12, n)
    t = np.arange(nm)
    first_m = int(p["calendar"]["first_month"].split("-")[1]) - 1
    moy = (first_m + t) % 12
    swing = 1 + amp[:, None] * np.cos(2 * np.pi * (moy[None, :] - peak[:, None]) / 12)
    return np.exp(growth[:, None] * t[None, :] / 12) * swing


def n_months(p: Params) -> int:
    cal = p["calendar"]
    return month_index(cal["last_month"], cal["first_month"]) + 1


def demand_shape(p: Params) -> np.ndarray:
    """season × trend by [channel, month], shared by every brand (the common trend)."""
    nm = n_months(p)
    first_m = int(p["calendar"]["first_month"].split("-")[1]) - 1
    cal_month = (first_m + np.arange(nm)) % 12
    rows = []
    for c in p.channels:
        season = np.array(p["season"][c], float)
        season /= season.mean()
        trend = (1 + p["trend"][c]) ** (np.arange(nm) / 12)
        rows.append(season[cal_month] * trend)
    return np.array(rows)


def substitution_prob(p: Params, b: Brands, brand: np.ndarray, chan: np.ndarray,
                      month: np.ndarray) -> np.ndarray:
    """Chance a counterfactual booking is replaced by twins (0 before adoption)."""
    s = p["substitution"]
    rate = np.array([s["rate"][c] for c in p.channels])
    k = month - b.adopt_m[brand]
    ramp = logistic((k - s["ramp_midpoint_months"]) / s["ramp_width_months"])
    prob = rate[chan] * b.intensity[brand] * ramp
    # a world with anticipation cuts shoots in the months before the first twin use, by a
    # share of the mature rate (and no twin image is used then)
    ahead = p.world.get("anticipation_months", 0)
    cut = rate[chan] * b.intensity[brand] * p.world.get("anticipation_cut", 0.0)
    prob = np.where((k < 0) & (k >= -ahead), cut, prob)
    return np.where(b.adopter[brand] & (k >= -ahead), np.minimum(prob, 0.95), 0.0)


def _split_days(r: np.random.Generator, halfdays: np.ndarray, lengths: np.ndarray,
                probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut each cell's half days into bookings drawn from `lengths`, summing exactly."""
    out_cell, out_len = [], []
    rem = halfdays.astype(np.int64).copy()
    mean = float((lengths * probs).sum())
    while (rem > 0).any():
        cells = np.flatnonzero(rem > 0)
        k = np.ceil(rem[cells] / mean * 1.3).astype(np.int64) + 2
        cid = np.repeat(cells, k)
        lens = lengths[r.choice(lengths.size, cid.size, p=probs)]
        csum = np.cumsum(lens)
        starts = np.r_[0, np.cumsum(k)[:-1]]
        before = np.repeat(np.r_[0, csum[starts[1:] - 1]], k)
        within = csum - before
        keep = within <= rem[cid]
        kept = np.bincount(cid[keep], weights=lens[keep], minlength=rem.size).astype(np.int64)
        n_kept = np.bincount(cid[keep], minlength=rem.size)
        out_cell.append(cid[keep])
        out_len.append(lens[keep])
        exhausted = np.zeros(rem.size, bool)
        exhausted[cells] = n_kept[cells] < k  # a draw overshot: the remainder closes the cell
        rem -= kept
        last = np.flatnonzero(exhausted & (rem > 0))
        out_cell.append(last)
        out_len.append(rem[last])
        rem[exhausted] = 0
    cell = np.concatenate(out_cell)
    length = np.concatenate(out_len)
    order = np.argsort(cell, kind="stable")
    return cell[order], length[order]


def make_bookings(p: Params, b: Brands) -> tuple[Bookings, dict]:
    """All bookings plus the ground truth by [brand, channel, month] and replaced assets."""
    r = rng(p.seed, "bookings")
    nm = n_months(p)
    shape = demand_shape(p)
    sb, sc = p.noise["brand_month_sigma"], p.noise["channel_month_sigma"]
    expected = b.base[:, :, None] * shape[None, :, :] * b.own[:, None, :]
    channel_shock = r.lognormal(0, sc, expected.shape)
    rho = p.noise.get("brand_month_rho", 0.0)
    if rho:  # persistent shocks: AR(1) in logs with the same stationary sd
        eps = rng(p.seed, "brand-month").standard_normal((b.ids.size, 1, nm))
        x = np.empty_like(eps)
        x[..., 0] = eps[..., 0]
        for t in range(1, nm):
            x[..., t] = rho * x[..., t - 1] + math.sqrt(1 - rho**2) * eps[..., t]
        brand_shock = np.exp(sb * x)
    else:
        brand_shock = rng(p.seed, "brand-month").lognormal(0, sb, (b.ids.size, 1, nm))
    target = expected * channel_shock * brand_shock / np.exp((sb**2 + sc**2) / 2)  # mean 1
    # Round to half days carrying the error from month to month (one random offset per brand ×
    # channel): unbiased, and any run of months sums to within one half day of its target.
    cum = np.floor(np.cumsum(target * 2, axis=2) + r.random(target.shape[:2])[:, :, None])
    halfdays = np.diff(cum, axis=2, prepend=0).astype(np.int64)  # floor(offset) = 0
    halfdays[~b.active] = 0

    flat = halfdays.reshape(-1)
    cell_b, cell_c, cell_m = np.unravel_index(np.arange(flat.size), halfdays.shape)
    cells, lens = [], []
    dem = p["demand"]
    for ci, c in enumerate(p.channels):
        idx = np.flatnonzero(cell_c == ci)
        cc, ll = _split_days(r, flat[idx], np.array(dem["lengths"][c]), np.array(dem["length_p"][c]))
        cells.append(idx[cc])
        lens.append(ll)
    cell = np.concatenate(cells)
    length = np.concatenate(lens)
    bb, ch, mm = cell_b[cell], cell_c[cell], cell_m[cell]

    sub = r.random(cell.size) < substitution_prob(p, b, bb, ch, mm)
    visible = sub & (r.random(cell.size) < p["substitution"]["visible_cancel_share"])
    planned = _assets(p, r, b, bb, ch, length)
    replaced_assets = np.bincount(cell[sub], weights=planned[sub], minlength=flat.size)
    sub_halfdays = np.bincount(cell[sub], weights=length[sub], minlength=flat.size)

    # other cancellations happen in both worlds: extra bookings that never count as shoot days
    extra = np.flatnonzero(r.random(cell.size) < dem["other_cancel_rate"])
    reasons = list(dem["other_cancel_reasons"])
    rp = np.array([dem["other_cancel_reasons"][k] for k in reasons])
    extra_reason = np.array([CANCEL_REASONS.index(k) for k in reasons])[
        r.choice(len(reasons), extra.size, p=rp / rp.sum())]

    keep = ~sub | visible
    bk_b = np.r_[bb[keep], bb[extra]]
    bk_c = np.r_[ch[keep], ch[extra]]
    bk_m = np.r_[mm[keep], mm[extra]]
    bk_len = np.r_[length[keep], length[extra]]
    cancelled = np.r_[visible[keep], np.ones(extra.size, bool)]
    reason = np.r_[np.where(visible[keep], 0, -1), extra_reason]
    assets = np.where(cancelled, 0, np.r_[planned[keep], planned[extra]])

    first = p["calendar"]["first_month"]
    starts, lengths_m = month_starts(first, nm), month_lengths(first, nm)
    date = starts[bk_m] + np.floor(r.random(bk_m.size) * lengths_m[bk_m]).astype(np.int64)
    status = np.where(cancelled, 2, 0)
    last = (bk_m == nm - 1) & ~cancelled
    status[last & (r.random(bk_m.size) < dem["confirmed_share_last_month"])] = 1

    order = np.lexsort((r.random(date.size), bk_c, bk_b, date))
    bookings = Bookings(bk_b[order], bk_c[order], bk_m[order], date[order], bk_len[order],
                        assets[order], status[order], reason[order])
    truth = {
        "expected_days": np.where(b.active[:, :, None], expected, 0.0),
        "counterfactual_halfdays": halfdays,
        "actual_halfdays": halfdays - sub_halfdays.reshape(halfdays.shape).astype(np.int64),
        "replaced_assets": replaced_assets.reshape(halfdays.shape),
    }
    check = np.zeros(flat.size)
    ok = bookings.status != 2
    np.add.at(check, np.ravel_multi_index((bookings.brand[ok], bookings.channel[ok],
                                           bookings.month[ok]), halfdays.shape),
              bookings.halfdays[ok])
    assert np.array_equal(check.astype(np.int64), truth["actual_halfdays"].reshape(-1))
    return bookings, truth


def _assets(p: Params, r: np.random.Generator, b: Brands, brand: np.ndarray,
            chan: np.ndarray, halfdays: np.ndarray) -> np.ndarray:
    """Finished assets a booking delivers: days × the brand-channel's output per day."""
    noise = r.lognormal(0, p["output"]["per_booking_sigma"], brand.size)
    return np.maximum(1, np.rint(halfdays / 2 * b.apd[brand, chan] * noise)).astype(np.int64)



@dataclass
class Exports:
    """Which months of each brand's bookings are exported, and in which file."""

    first: np.ndarray        # int month index of the brand's first exported month
    last: np.ndarray         # int month index of its last
    partial: np.ndarray      # bool: the brand's bookings arrive in their own file


def make_exports(p: Params, b: Brands) -> Exports:
    """Pick the brands whose bookings arrive in files that start late or stop early.

    At most never_adopt − min_observed_controls never-adopters are picked (so enough controls
    are observed every month), at least one early-stopper is an adopter, and an adopter keeps
    min_observed_pre_months before and min_observed_post_months from its adoption.
    """
    n, nm = b.ids.size, n_months(p)
    first, last = np.zeros(n, np.int64), np.full(n, nm - 1, np.int64)
    partial = np.zeros(n, bool)
    if not p.noise["partial_exports"]:
        return Exports(first, last, partial)
    ex = p["exports"]
    r = rng(p.seed, "exports")
    n_late = max(1, round(ex["late_start_share"] * n))
    n_early = max(1, round(ex["early_stop_share"] * n))
    room = max(0, int(p.scale["never_adopt"]) - ex["min_observed_controls"])
    chosen = []
    order = r.permutation(n)
    for i in order:
        if len(chosen) == n_late + n_early:
            break
        if not b.adopter[i]:
            if room == 0:
                continue
            room -= 1
        chosen.append(int(i))
    late, early = chosen[:n_late], chosen[n_late:]
    if not b.adopter[early].any():  # a demo always has an adopter whose file stops early
        early[-1] = int(next(i for i in order if b.adopter[i] and i not in chosen))
    late, early = np.array(late), np.array(early)
    first[late] = r.integers(ex["late_start_months"][0], ex["late_start_months"][1] + 1,
                             late.size)
    last[early] = nm - 1 - r.integers(ex["early_stop_months"][0],
                                      ex["early_stop_months"][1] + 1, early.size)
    a = b.adopt_m
    first = np.where(b.adopter, np.minimum(first, a - ex["min_observed_pre_months"]), first)
    first = np.maximum(first, 0)
    last = np.where(b.adopter, np.maximum(last, a + ex["min_observed_post_months"] - 1), last)
    last = np.minimum(last, nm - 1)
    partial[late] = partial[early] = True
    end = p.world.get("controls_end")
    if end:  # a world whose first few controls' files stop early
        stop = month_index(end, p["calendar"]["first_month"])
        for i in np.flatnonzero(~b.adopter & (first < stop))[:p.world.get("controls_ending", 2)]:
            last[i], partial[i] = min(last[i], stop), True
    return Exports(first, last, partial)
