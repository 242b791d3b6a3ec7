"""Brands, their counterfactual shoot demand, adoption of twins and the bookings that result.

Counterfactual shoot days of brand b, channel c, month m are
    base[b, c] × season[c, m] × trend[c, m] × noise,
with season and trend shared by every brand of a channel (common trends: the assumption the
difference-in-differences estimator needs). After adoption each booking is replaced by a twin
with a probability that follows the brand's S-curve up to the channel's substitution rate.
"""

from __future__ import annotations

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
    adopt_m = np.full(n, -1)
    adopt_m[~controls] = r.permutation(months.astype(int))

    s = p["substitution"]
    intensity = np.where(controls, 0.0, r.uniform(*s["brand_intensity"], n))
    new_share = np.where(controls, 0.0, r.uniform(*p.scale["new_content_share"], n))
    apd = np.stack([r.uniform(*p["output"][c], n) for c in chans], axis=1)
    width = len(str(n))
    ids = np.array([f"BR{i + 1:0{max(width, 2)}d}" for i in range(n)])
    return Brands(ids, country, currency, active, base, ~controls, adopt_m, intensity,
                  new_share, apd)


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
    return np.where(b.adopter[brand] & (k >= 0), np.minimum(prob, 0.95), 0.0)


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
    sigma = p["demand"]["noise_sigma"]
    expected = b.base[:, :, None] * shape[None, :, :]
    target = expected * r.lognormal(0, sigma, expected.shape)
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

