"""Twins of popular models, their licences to brands, and every use of them.

A brand's twin assets in a month = the assets of the shoots its twins replaced plus new
content no shoot would have made (the brand's new-content share), so the substitution upper
bound (twin assets ÷ assets per shoot day) is never below the true displacement. The first
use falls in the brand's adoption month (a pilot batch), which defines that month.

Licences exercise every right of the rights scorecard (CONTRACT §4): time limits and open or
long terms, `*` or listed channels and regions, exclusivity and training stated or not,
revocations some brands ignore, and per-asset fees above and below the model's own shoot
income per asset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.sim.common import Params, month_lengths, month_starts, rng, split_total
from etl.sim.crew import Crew, People
from etl.sim.world import Bookings, Brands, n_months

END_SENTINEL = 10**6  # day number far beyond the calendar: "no end date"
VIOLATIONS = ("none", "expired", "revoked", "channel", "region")


@dataclass
class Twins:
    model: np.ndarray        # index into People
    created: np.ndarray      # day number
    platform: np.ndarray     # int
    retired: np.ndarray      # bool


@dataclass
class Licences:
    pair: np.ndarray         # index into pairs (brand × twin)
    brand: np.ndarray
    twin: np.ndarray
    granted: np.ndarray
    valid_from: np.ndarray
    valid_to: np.ndarray     # END_SENTINEL = open-ended
    revoked: np.ndarray      # END_SENTINEL = never
    all_channels: np.ndarray  # bool: written `*`
    all_regions: np.ndarray  # bool: written `*` (else the brand's country)
    exclusive: np.ndarray    # int8: 1 true, 0 false, -1 not stated
    training: np.ndarray     # int8: training allowed, same coding
    only_channel: np.ndarray  # int channel the licence is limited to, -1 = the brand's channels
    fee_model: np.ndarray    # int index into fee model names
    fee_cents: np.ndarray    # int, local currency
    currency: np.ndarray     # str


@dataclass
class Usage:
    brand: np.ndarray
    channel: np.ndarray
    month: np.ndarray
    date: np.ndarray
    twin: np.ndarray
    licence: np.ndarray      # -1 = none
    region: np.ndarray       # int index into countries
    assets: np.ndarray
    fee_cents: np.ndarray
    watermarked: np.ndarray
    disclosed: np.ndarray
    countries: list[str]


def model_popularity(people: People, crew: Crew) -> np.ndarray:
    """Each model's share of booked model-days: how sought after they are."""
    models = crew.is_role("model")
    w = np.bincount(crew.person[models], weights=crew.halfdays[models], minlength=people.ids.size)
    w = np.where(people.role == "model", w + 1e-3, 0.0)  # unbooked models still may be chosen
    return w / w.sum()


def make_twins(p: Params, b: Brands, bk: Bookings, people: People, crew: Crew, truth: dict
               ) -> tuple[Twins, Licences, Usage]:
    """Twins of popular models, their licences, and every use of them by adopting brands."""
    r = rng(p.seed, "twins")
    pop = model_popularity(people, crew)
    tp = p["twins"]
    n_models = int((pop > 0).sum())
    n_twins = min(int(p.scale["twins"]), n_models)
    wt = pop ** tp["popularity_exponent"]
    model = r.choice(pop.size, n_twins, replace=False, p=wt / wt.sum())
    twin_w = pop[model] / pop[model].sum()
    pct = np.empty(n_twins)
    pct[np.argsort(twin_w)] = np.arange(n_twins) / max(n_twins - 1, 1)  # 1 = most popular

    pairs, special = _pairs(p, r, b, twin_w)
    first_start = np.full(n_twins, n_months(p))
    np.minimum.at(first_start, pairs[:, 1], pairs[:, 2])
    per_asset = shoot_income_per_asset(p, b, bk, crew, model, first_start)
    lic = _licences(p, r, b, pairs, special, pct, per_asset)
    usage = _usage(p, r, b, truth, pairs, special, lic, twin_w)

    first_grant = np.full(n_twins, END_SENTINEL)
    np.minimum.at(first_grant, lic.twin, lic.granted)
    np.minimum.at(first_grant, usage.twin, usage.date)  # a twin used without any licence
    lead = r.integers(tp["creation_lead_days"][0], tp["creation_lead_days"][1] + 1, n_twins)
    nm = n_months(p)
    starts = month_starts(p["calendar"]["first_month"], nm + 1)
    unused = first_grant == END_SENTINEL
    created = np.where(unused, r.integers(starts[12], starts[nm], n_twins), first_grant - lead)
    retired = unused & (r.random(n_twins) < tp["retired_share_unused"])
    platform = r.integers(0, len(tp["platforms"]), n_twins)
    return Twins(model, created, platform, retired), lic, usage


def shoot_income_per_asset(p: Params, b: Brands, bk: Bookings, crew: Crew, model: np.ndarray,
                           start: np.ndarray) -> np.ndarray:
    """Per twin: its model's shoot income (EUR at [fx]) per delivered asset over the 12 months
    before `start` (a month index); NaN where the model delivered nothing then."""
    nm = n_months(p)
    m = crew.is_role("model")
    booking, person = crew.booking[m], crew.person[m]
    fx = np.array([p["fx"][c] for c in b.currency])[bk.brand[booking]]
    income = crew.halfdays[m] / 2 * crew.day_rate[m] / fx
    # [model, month] sums for the twins' models only, then a 12-month window by cumulative sums
    uniq = np.unique(model)
    row = np.minimum(np.searchsorted(uniq, person), uniq.size - 1)
    mine = uniq[row] == person
    key = row[mine] * nm + bk.month[booking[mine]]
    inc = np.bincount(key, weights=income[mine], minlength=uniq.size * nm).reshape(-1, nm)
    ast = np.bincount(key, weights=bk.assets[booking[mine]], minlength=uniq.size * nm
                      ).reshape(-1, nm)
    ci = np.concatenate([np.zeros((uniq.size, 1)), np.cumsum(inc, axis=1)], axis=1)
    ca = np.concatenate([np.zeros((uniq.size, 1)), np.cumsum(ast, axis=1)], axis=1)
    t = np.searchsorted(uniq, model)
    hi, lo = np.minimum(start, nm), np.maximum(start - 12, 0)
    inc_w, ast_w = ci[t, hi] - ci[t, lo], ca[t, hi] - ca[t, lo]
    return np.where(ast_w > 0, inc_w / np.maximum(ast_w, 1), np.nan)


def _pairs(p: Params, r: np.random.Generator, b: Brands, twin_w: np.ndarray):
    """(brand, twin, first month) a brand licenses, plus four problem pairs per adopter.

    Problem kinds: 1 a pilot licence that lapses, 2 a licence the model revokes, 3 a licence
    limited to social media, 4 a twin the brand uses without ever licensing it.
    """
    nm = n_months(p)
    n_twins = twin_w.size
    size = b.base.sum(1)
    mean_size = size[b.adopter].mean()
    rows = []  # brand, twin, start month, kind (0 normal, 1–4 the problems above)
    for i in np.flatnonzero(b.adopter):
        k = int(np.clip(round(p["twins"]["pairs_per_brand"] * size[i] / mean_size), 2,
                        n_twins - 4))
        chosen = r.choice(n_twins, k + 4, replace=False, p=twin_w)
        a = int(b.adopt_m[i])
        later = a + r.integers(0, max(1, int((nm - a) * 0.6)), k)
        later[:2] = a  # the first twins arrive with adoption
        for j in range(k):
            rows.append((i, chosen[j], later[j], 0))
        for kind, t in zip((1, 2, 3, 4), chosen[k:], strict=True):
            rows.append((i, t, a, kind))
    arr = np.array(rows, dtype=np.int64)
    return arr[:, :3], arr[:, 3]


def _tristate(r: np.random.Generator, shares: dict, n: int) -> np.ndarray:
    """n draws of 1 (true), 0 (false) or -1 (not stated) with the given shares."""
    w = np.array([shares["true"], shares["false"], shares["unstated"]], float)
    return np.array([1, 0, -1], np.int8)[r.choice(3, n, p=w / w.sum())]


def _licences(p: Params, r: np.random.Generator, b: Brands, pairs: np.ndarray,
              special: np.ndarray, pct: np.ndarray, per_asset: np.ndarray) -> Licences:
    """A chain of renewals per normal pair covering its use; one licence per problem pair.

    Channels, regions, fee, exclusivity and training are drawn per pair: renewals keep them.
    """
    lp, cp = p["licences"], p["compliance"]
    nm = n_months(p)
    starts = month_starts(p["calendar"]["first_month"], nm + 1)
    end = starts[nm] - 1
    brand, twin, start = pairs[:, 0], pairs[:, 1], pairs[:, 2]
    n = brand.size
    lead = r.integers(lp["grant_lead_days"][0], lp["grant_lead_days"][1] + 1, n)
    frm = starts[start] - lead

    names = list(lp["fee_models"])
    fw = np.array([lp["fee_models"][k] for k in names])
    fee_model = r.choice(len(names), n, p=fw / fw.sum())
    fee_model[special > 0] = names.index("per_asset")
    fx = np.array([p["fx"][c] for c in b.currency[brand]])
    level = np.array([lp[f"{k}_eur"] for k in names])  # [model, (lo, hi)]
    eur = r.uniform(level[fee_model, 0], level[fee_model, 1]) * (1 + 2 * pct[twin])
    all_ch = r.random(n) < lp["all_channels_share"]
    rt = rng(p.seed, "licence-rights")  # its own stream: the draws above stay as they were
    ratio = rt.lognormal(np.log(lp["per_asset_ratio_median"]), lp["per_asset_ratio_sigma"], n)
    ref = per_asset[twin]
    tied = (fee_model == names.index("per_asset")) & ~np.isnan(ref)
    eur[tied] = ratio[tied] * ref[tied]
    cents = np.maximum(1, np.rint(eur * fx * 100)).astype(np.int64)
    all_reg = rt.random(n) < lp["all_regions_share"]
    exclusive = _tristate(rt, lp["exclusive"], n)
    training = _tristate(rt, lp["training_allowed"], n)
    social = p.channels.index("social")

    cols = {k: [] for k in ("pair", "granted", "from", "to", "revoked")}
    active = np.flatnonzero(special == 0)
    cur_from = frm[active]
    cur_grant = cur_from.copy()
    terms = np.array(lp["terms_months"])
    while active.size:
        months = terms[r.choice(terms.size, active.size, p=lp["terms_p"])]
        # valid_to may lie years ahead (the loader bounds no licence end), so a long licence
        # stays long however late it starts
        to = add_months(cur_from, months) - 1
        last = to >= end
        to = np.where(last & (r.random(active.size) < lp["open_ended_last"]), END_SENTINEL, to)
        for k, v in (("pair", active), ("granted", cur_grant), ("from", cur_from), ("to", to),
                     ("revoked", np.full(active.size, END_SENTINEL))):
            cols[k].append(v)
        active, to = active[~last], to[~last]
        cur_from = to + 1
        cur_grant = cur_from - r.integers(0, 21, active.size)

    sp = np.flatnonzero((special > 0) & (special < 4))  # kind 4: used with no licence at all
    sp_to = np.full(sp.size, END_SENTINEL)
    sp_rev = np.full(sp.size, END_SENTINEL)
    exp = special[sp] == 1
    sp_to[exp] = starts[np.minimum(start[sp][exp] + cp["expired_pilot_months"], nm)] - 1
    rev = special[sp] == 2
    sp_rev[rev] = starts[np.minimum(start[sp][rev] + cp["revoked_after_months"], nm)] + 14
    for k, v in (("pair", sp), ("granted", frm[sp]), ("from", frm[sp]), ("to", sp_to),
                 ("revoked", sp_rev)):
        cols[k].append(v)
    c = {k: np.concatenate(v) for k, v in cols.items()}
    order = np.lexsort((c["from"], c["pair"]))
    c = {k: v[order] for k, v in c.items()}
    pr = c["pair"]
    only = np.where(special[pr] == 3, social, -1)
    return Licences(pr, brand[pr], twin[pr], c["granted"], c["from"], c["to"], c["revoked"],
                    all_ch[pr] & (only < 0), all_reg[pr], exclusive[pr], training[pr], only,
                    fee_model[pr], cents[pr], b.currency[brand[pr]])


def _usage(p: Params, r: np.random.Generator, b: Brands, truth: dict, pairs: np.ndarray,
           special: np.ndarray, lic: Licences, twin_w: np.ndarray) -> Usage:
    """Twin-usage events: assets by brand × channel × month, split into batches.

    Arrays are int32/int8 and temporaries are dropped early: the large scale has ~10 million
    events and must stay within 2 GB.
    """
    nm = n_months(p)
    s = p["substitution"]
    replaced = truth["replaced_assets"]  # [brand, channel, month]
    bi, ci, mi = np.nonzero(np.ones_like(replaced, bool))  # brand-major: events come out sorted
    post = b.adopter[bi] & (mi >= b.adopt_m[bi])
    bi, ci, mi = bi[post], ci[post], mi[post]
    rep = replaced[bi, ci, mi]
    ns = b.new_share[bi]
    assets = rep + r.poisson(rep * ns / (1 - ns))
    eco = p.channels.index("ecommerce")
    pilot = (mi == b.adopt_m[bi]) & (ci == eco)
    assets = assets + np.where(pilot, 1 + r.poisson(s["pilot_assets"] - 1, bi.size), 0)
    has = assets > 0
    bi, ci, mi, assets = bi[has], ci[has], mi[has], assets[has].astype(np.int64)

    mu = float(p.scale["assets_per_event"])
    if mu <= 1:  # one asset per event
        gid = np.repeat(np.arange(assets.size, dtype=np.int32), assets)
        ev_assets = np.ones(gid.size, np.int32)
    else:
        n_ev = np.clip(r.poisson(assets / mu), 1, assets)
        gid, ev_assets = split_total(r, assets, n_ev)
        gid, ev_assets = gid.astype(np.int32), ev_assets.astype(np.int32)
    n = gid.size
    ev_b = bi[gid].astype(np.int32)
    ev_c = ci[gid].astype(np.int8)
    ev_m = mi[gid].astype(np.int16)
    del gid
    first = p["calendar"]["first_month"]
    starts, lengths = month_starts(first, nm), month_lengths(first, nm)
    date = (starts[ev_m] + np.floor(r.random(n) * lengths[ev_m])).astype(np.int32)

    # the twin: among the brand's normal pairs already started, by the model's popularity
    normal = special == 0
    pair_of = np.empty(n, np.int32)
    brand_ids = np.unique(ev_b)
    lo = np.searchsorted(ev_b, brand_ids, side="left")
    hi = np.searchsorted(ev_b, brand_ids, side="right")
    for i, a, z in zip(brand_ids, lo, hi, strict=True):
        mine = np.flatnonzero(normal & (pairs[:, 0] == i))
        mine = mine[np.argsort(pairs[mine, 2], kind="stable")]
        cum = np.cumsum(twin_w[pairs[mine, 1]])
        avail = np.searchsorted(pairs[mine, 2], ev_m[a:z], side="right")
        u = r.random(z - a) * cum[avail - 1]
        pair_of[a:z] = mine[np.minimum(np.searchsorted(cum, u, side="right"), avail - 1)]

    licence = _find_licence(lic, pair_of, date).astype(np.int32)

    # usage outside any valid licence, at each brand's own rate
    cp = p["compliance"]
    share = r.uniform(*cp["unlicensed_share"], b.ids.size)
    vw = np.array([cp["unlicensed_reasons"][k] for k in VIOLATIONS])
    bad = np.flatnonzero(r.random(n) < share[ev_b])
    kind = np.full(n, -1, np.int8)
    kind[bad] = r.choice(len(VIOLATIONS), bad.size, p=vw / vw.sum())
    # use outside the licence's region needs a licence that names its regions
    anywhere = bad[(kind[bad] == VIOLATIONS.index("region")) & lic.all_regions[licence[bad]]]
    kind[anywhere] = VIOLATIONS.index("none")
    for name, code, field in (("expired", 1, "valid_to"), ("revoked", 2, "revoked"),
                              ("channel", 3, None), ("none", 4, "none")):
        special_of = np.full(b.ids.size, -1)  # brand → its problem pair of this kind
        js = np.flatnonzero(special == code)
        special_of[pairs[js, 0]] = js
        sel = bad[kind[bad] == VIOLATIONS.index(name)]
        sp_pair = special_of[ev_b[sel]]
        if field == "none":  # a twin the brand never licensed
            pair_of[sel] = sp_pair
            licence[sel] = -1
            continue
        sp_lic = _find_licence(lic, sp_pair, np.zeros(sel.size, np.int64), first_only=True)
        if field is None:
            ok = ev_c[sel] != p.channels.index("social")
        else:
            ok = date[sel] > getattr(lic, field)[sp_lic]
        pair_of[sel[ok]] = sp_pair[ok]
        licence[sel[ok]] = sp_lic[ok]
        kind[sel[~ok]] = VIOLATIONS.index("none")  # not eligible: used with no licence instead
    _use_after_revocation(p, b, pairs, special, lic, ev_b, date, pair_of, licence, kind)
    countries = np.array(sorted(p["countries"]))
    home = np.searchsorted(countries, b.country).astype(np.int8)
    region = home[ev_b]
    reg = bad[kind[bad] == VIOLATIONS.index("region")]
    j = r.integers(0, countries.size - 1, reg.size)
    region[reg] = j + (j >= region[reg])  # any country but the brand's own

    fee = _fees(lic, licence, ev_m, date, ev_assets, kind)
    del kind
    wm = r.random(n) < r.uniform(*cp["watermarked"], b.ids.size)[ev_b]
    dc = r.random(n) < r.uniform(*cp["disclosed"], b.ids.size)[ev_b]
    twin = pairs[pair_of, 1].astype(np.int32)
    del pair_of
    order = np.argsort(date, kind="stable")  # by day; within a day by brand, channel
    return Usage(ev_b[order], ev_c[order], ev_m[order], date[order], twin[order],
                 licence[order], region[order], ev_assets[order], fee[order], wm[order],
                 dc[order], list(countries))


def _use_after_revocation(p: Params, b: Brands, pairs: np.ndarray, special: np.ndarray,
                         lic: Licences, ev_b: np.ndarray, date: np.ndarray, pair_of: np.ndarray,
                         licence: np.ndarray, kind: np.ndarray) -> None:
    """Some brands keep using a twin after the model revoked its licence (in place)."""
    cp = p["compliance"]
    r = rng(p.seed, "revocations")
    ignores = (r.random(b.ids.size) < cp["ignores_revocation"]) & b.adopter
    share = r.uniform(*cp["use_after_revocation"], b.ids.size)
    if not ignores.any():  # a demo always has a revocation followed by further use
        ignores[r.choice(np.flatnonzero(b.adopter))] = True
    js = np.flatnonzero(special == 2)  # one revoked pair per adopter
    rev_pair = np.full(b.ids.size, -1)
    rev_pair[pairs[js, 0]] = js
    rev_lic = _find_licence(lic, rev_pair, np.zeros(b.ids.size, np.int64), first_only=True)
    rev_day = np.where(rev_lic >= 0, lic.revoked[np.maximum(rev_lic, 0)], END_SENTINEL)
    pick = r.random(ev_b.size) < share[ev_b]
    sel = np.flatnonzero(pick & (kind < 0) & ignores[ev_b] & (date >= rev_day[ev_b]))
    pair_of[sel] = rev_pair[ev_b[sel]]
    licence[sel] = rev_lic[ev_b[sel]]
    kind[sel] = VIOLATIONS.index("revoked")


def add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Day number `months` calendar months after `days` (same day of month, rolling over)."""
    d = days.astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    offset = (d - m.astype("datetime64[D]")).astype(np.int64)
    return (m + months).astype("datetime64[D]").astype(np.int64) + offset


def _find_licence(lic: Licences, pair: np.ndarray, date: np.ndarray, first_only: bool = False
                  ) -> np.ndarray:
    """The licence of `pair` whose validity starts last on or before `date` (-1: no pair)."""
    key = lic.pair * (END_SENTINEL * 2) + lic.valid_from
    if first_only:
        idx = np.searchsorted(lic.pair, pair, side="left")
    else:
        idx = np.searchsorted(key, pair * (END_SENTINEL * 2) + date, side="right") - 1
    idx = np.clip(idx, 0, lic.pair.size - 1)
    return np.where(pair >= 0, idx, -1)


def _fees(lic: Licences, licence: np.ndarray, month: np.ndarray, date: np.ndarray,
          assets: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Fee per event: per asset, or a flat/campaign fee on the licence's first use each month."""
    fee = np.zeros(licence.size, np.int64)
    paid = (licence >= 0) & ~np.isin(kind, [1, 2])  # expired/revoked use goes unpaid
    li = np.where(licence >= 0, licence, 0)
    per_asset = paid & (lic.fee_model[li] == 0)
    fee[per_asset] = assets[per_asset] * lic.fee_cents[li[per_asset]]
    flat = np.flatnonzero(paid & (lic.fee_model[li] > 0))
    order = flat[np.lexsort((date[flat], month[flat], licence[flat]))]
    key = licence[order].astype(np.int64) * 1000 + month[order]
    firsts = order[np.r_[True, key[1:] != key[:-1]]] if order.size else order
    fee[firsts] = lic.fee_cents[li[firsts]]
    return fee
