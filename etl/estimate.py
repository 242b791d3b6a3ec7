"""Displacement with a 95% interval, and the event study: marts.displacement_estimates and
marts.displacement_event_study (CONTRACT §4), written after the SQL marts in the same writer
transaction. Deterministic (the one simulation, for the simultaneous bands, has a fixed seed)
and fast: numpy over brand × calendar-month totals.

Point estimate: marts.displacement_monthly's difference in differences, summed (so the figures
agree exactly). Interval: the DiD's own residuals. Before adoption each month's expected shoot
days E (pre-period level × the controls' trend, per channel, the same controls) is what the
DiD would have predicted; the brand's relative residuals y ÷ E − 1 there give its scatter σ and
the lag-1 autocorrelation ρ of its shocks (shrunk towards the adopters' pooled ρ when short).
A set of post months, and the pre-level they share, are one weighted sum of those shocks:
var = σ² wᵀ R w with R[s, t] = ρ^|s − t| over calendar months; Student's t on the residuals'
m − 1 degrees of freedom. Fewer than 3 residual months (or no scatter at all): not estimable.
For `ALL` the brands' errors add in quadrature and the shared control trend's error (one
brand's error ÷ the number of controls) adds fully. METHODOLOGY.md says more.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pandas as pd

MIN_CONTROLS = 3
MIN_RESIDUALS = 3   # residual months needed to measure a brand's scatter (2 degrees of freedom)
RHO_PRIOR_PAIRS = 48  # a brand's ρ is shrunk towards the pooled ρ as if it had this many pairs
RHO_MIN, RHO_MAX = -0.3, 0.9
PRETREND_MONTHS = (-3, -2, -1)  # the joint pre-trend test: the last three pre-adoption months
SIM_DRAWS, SIM_SEED = 5_000, 20261207  # the simultaneous bands' simulation (deterministic)
UPPER_NOTE = ("shoot days fell by more than the twin images could replace (the upper bound): "
              "part of the fall has other causes than twins")
EVENT_FIRST, EVENT_LAST = -12, 36
# Student's t, two-sided 95%, by degrees of freedom (1..30); 1.96 beyond
_T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042]

ESTIMATE_COLUMNS = {
    "scope": "varchar", "year": "integer", "months_observed": "integer", "did": "double",
    "did_low": "double", "did_high": "double", "upper": "double", "control_brands": "integer",
    "estimable": "boolean", "note": "varchar", "brands": "integer",
    "crew_days": "double", "crew_days_low": "double", "crew_days_high": "double",
    "crew_income": "double", "crew_income_low": "double", "crew_income_high": "double",
    "rho": "double", "pretrend_p": "double", "breakdown_m": "double",
}
EVENT_COLUMNS = {
    "scope": "varchar", "event_month": "integer", "effect": "double", "effect_low": "double",
    "effect_high": "double", "brands": "integer", "placebo": "boolean",
    "joint_low": "double", "joint_high": "double",
}


def t975(df: int) -> float:
    """Two-sided 95% quantile of Student's t."""
    return _T975[df - 1] if 1 <= df <= len(_T975) else 1.96


def f_sf(x: float, d1: int, d2: int) -> float:
    """P(F(d1, d2) > x): the regularised incomplete beta I_{d2/(d2 + d1 x)}(d2/2, d1/2)."""
    if x <= 0:
        return 1.0
    return _betainc(d2 / 2, d1 / 2, d2 / (d2 + d1 * x))


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function (continued fraction, Lentz's method)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(a * math.log(x) + b * math.log1p(-x)
                     + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b))
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _betainc(b, a, 1 - x)
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    f = d
    for m in range(1, 300):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            f *= c * d
        if abs(c * d - 1) < 1e-12:
            break
    return front * f / a


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recreate the two estimate marts from the SQL marts (inside the caller's transaction)."""
    est, ev = compute(con)
    _write(con, "displacement_estimates", est, ESTIMATE_COLUMNS,
           "grain: one row per scope (brand_id or ALL) × year")
    _write(con, "displacement_event_study", ev, EVENT_COLUMNS,
           "grain: one row per scope (brand_id or ALL) × event_month")


def _write(con, name: str, rows: list[dict], columns: dict[str, str], grain: str) -> None:
    frame = pd.DataFrame(rows, columns=list(columns))
    con.register("_estimate_rows", frame)
    try:
        casts = ", ".join(f"cast({c} as {t}) as {c}" for c, t in columns.items())
        # Names and types come from the constants above, never from data.
        con.execute(f"create or replace table marts.{name} as "  # noqa: S608
                    f"select {casts} from _estimate_rows")
        con.execute(f"comment on table marts.{name} is '{grain}'")
    finally:
        con.unregister("_estimate_rows")


def _month_number(month: date) -> int:
    return month.year * 12 + month.month - 1


class _Panel:
    """Brand × calendar-month totals (NaN where unobserved). The calendar is dense: a month no
    file covers is a month like any other, simply unobserved by every brand."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        rows = con.execute("""
            select brand_id, month, sum(shoot_days), sum(displaced_shoot_days_did),
                   sum(displaced_shoot_days_upper), min(control_brands),
                   any_value(adoption_month), bool_or(is_adopter), any_value(pre_months),
                   sum(pre_level * control_trend), sum(shoot_days * control_trend)
            from marts.displacement_monthly group by all""").fetchall()
        if not rows:
            self.months, self.brands = [], []
            return
        first = min(_month_number(r[1]) for r in rows)
        last = max(_month_number(r[1]) for r in rows)
        self.first = first
        self.months = list(range(first, last + 1))  # month numbers (year × 12 + month − 1)
        self.brands = sorted({r[0] for r in rows})
        bi = {b: i for i, b in enumerate(self.brands)}
        shape = (len(self.brands), len(self.months))
        self.y = np.full(shape, np.nan)
        self.did = np.zeros(shape)
        self.upper = np.zeros(shape)
        self.controls = np.zeros(shape, dtype=int)
        self.expected = np.full(shape, np.nan)   # Σ pre_level × control_trend (E)
        self.y_trend = np.full(shape, np.nan)    # Σ shoot_days × control_trend (leave-one-out)
        self.adoption: dict[str, int | None] = {}
        self.pre_months: dict[str, int] = {}
        for b, m, y, did, up, nc, adopt, is_adopter, pre, e, yt in rows:
            i, j = bi[b], _month_number(m) - first
            self.y[i, j], self.did[i, j], self.upper[i, j] = y, did, up
            self.controls[i, j] = nc or 0
            self.expected[i, j] = np.nan if e is None else e
            self.y_trend[i, j] = np.nan if yt is None else yt
            self.adoption[b] = _month_number(adopt) - first if is_adopter else None
            self.pre_months[b] = pre or 0
        self.index = bi
        self.observed = ~np.isnan(self.y)
        self.years = np.array([m // 12 for m in self.months])


@dataclass
class _Model:
    """One adopting brand's residual model: scatter σ, ρ, and its pre-period weights."""

    sigma: float
    rho: float
    df: int
    pre: np.ndarray          # observed pre-adoption month indices (the level's months)
    resid: np.ndarray        # month indices of the residuals
    r: np.ndarray            # relative residuals y ÷ E − 1
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the level's weights


def _pre_window(p: _Panel, i: int, adopt: int) -> np.ndarray:
    """Indices of the brand's observed pre-adoption months (staging.int_pre_period's rule)."""
    idx = np.arange(0, max(min(adopt, len(p.months)), 0))
    return idx[p.observed[i, idx]]


def _residuals(p: _Panel, i: int, adopt: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The brand's observed pre months, and those with a DiD prediction (≥ 3 controls, E > 0)
    with their relative residuals y ÷ E − 1: the DiD's own residuals."""
    pre = _pre_window(p, i, adopt)
    e = p.expected[i, pre]
    ok = (p.controls[i, pre] >= MIN_CONTROLS) & (e > 0)
    resid = pre[ok]
    return pre, resid, p.y[i, resid] / p.expected[i, resid] - 1


def _corr(idx: np.ndarray, rho: float) -> np.ndarray:
    """AR(1) correlation between calendar months."""
    return rho ** np.abs(idx[:, None] - idx[None, :]).astype(float)


def _raw_rho(idx: np.ndarray, r: np.ndarray) -> tuple[float, float, int]:
    """Lag-1 products and squares of demeaned residuals over consecutive calendar months."""
    z = r - r.mean()
    pos = {int(t): k for k, t in enumerate(idx)}
    pairs = [(pos[t], pos[t + 1]) for t in pos if t + 1 in pos]
    num = float(sum(z[a] * z[b] for a, b in pairs))
    return num, float(np.square(z).sum()), len(pairs)


def _debias(rho: float, n: float) -> float:
    """Undo the sample autocorrelation's downward bias, E ρ̂ ≈ ρ − (1 + 3ρ) ÷ n."""
    return (rho + 1 / n) / (1 - 3 / n) if n > 3 else rho


def _models(p: _Panel) -> tuple[dict[str, _Model], dict[str, str]]:
    """Every adopting brand's residual model, or why it has none."""
    raw, why = {}, {}
    for b in p.brands:
        adopt = p.adoption[b]
        if adopt is None or p.pre_months[b] == 0:
            continue
        pre, resid, r = _residuals(p, p.index[b], adopt)
        if len(resid) < MIN_RESIDUALS:
            why[b] = (f"fewer than {MIN_RESIDUALS} pre-adoption months with {MIN_CONTROLS} control "
                      f"brands ({len(resid)}): the brand's scatter cannot be measured")
            continue
        if float(np.square(r - r.mean()).sum()) < 1e-12:
            why[b] = "no scatter before adoption: the interval cannot be measured"
            continue
        raw[b] = (pre, resid, r)
    # pooled ρ over the adopters (each brand's residuals standardised), then shrunk per brand
    num = den = 0.0
    sizes = []
    for _pre, resid, r in raw.values():
        n_, d_, _k = _raw_rho(resid, r)
        num, den = num + n_ / d_, den + 1.0
        sizes.append(len(r))
    # Σ (num_b / den_b) ÷ brands: the mean of the brands' own ρ̂ (each brand weighs the same)
    pooled = _debias(num / den, float(np.mean(sizes))) if raw else 0.0
    out = {}
    for b, (pre, resid, r) in raw.items():
        n_, d_, k = _raw_rho(resid, r)
        own = _debias(n_ / d_, len(r)) if k else pooled
        rho = (k * own + RHO_PRIOR_PAIRS * pooled) / (k + RHO_PRIOR_PAIRS)
        rho = float(min(max(rho, RHO_MIN), RHO_MAX))
        m = len(r)
        z = r - r.mean()
        # E Σ (u − ū)² = σ² (m − 1ᵀR1 ÷ m): the AR(1) generalisation of m − 1
        dof = m - float(_corr(resid, rho).sum()) / m
        sigma = math.sqrt(float(np.square(z).sum()) / dof)
        e = p.expected[p.index[b], pre]
        e = np.where(np.isnan(e) | (e <= 0), 0.0, e)
        weights = e / e.sum() if e.sum() > 0 else np.full(len(pre), 1 / len(pre))
        out[b] = _Model(sigma, rho, m - 1, pre, resid, r, weights)
    return out, why


def _cov(p: _Panel, i: int, model: _Model, rows: list[np.ndarray]) -> np.ndarray:
    """Covariance of linear combinations (rows of weights over calendar months) of the brand's
    relative shocks × σ: σ² W R Wᵀ."""
    w = np.array(rows)
    used = np.flatnonzero(np.abs(w).sum(axis=0) > 0)
    r = _corr(used, model.rho)
    sub = w[:, used]
    return model.sigma ** 2 * sub @ r @ sub.T


def _post_weights(p: _Panel, i: int, model: _Model, post: np.ndarray) -> np.ndarray:
    """Weights of a sum of post months' DiD errors: each month's own shock (−E) and the
    pre-level's error shared by them all (+ΣE × the level's weights)."""
    w = np.zeros(len(p.months))
    e = p.expected[i, post]
    w[post] -= e
    w[model.pre] += float(e.sum()) * model.weights
    return w


def _placebo_weights(p: _Panel, i: int, model: _Model, j: int) -> np.ndarray:
    """Weights of a leave-one-out placebo effect in pre month j."""
    w = np.zeros(len(p.months))
    keep = model.pre != j
    lw = model.weights[keep]
    lw = lw / lw.sum() if lw.sum() > 0 else np.full(keep.sum(), 1 / keep.sum())
    w[j] -= p.expected[i, j]
    w[model.pre[keep]] += p.expected[i, j] * lw
    return w


def _brand_rows(p: _Panel, b: str, crew: dict, model: _Model | None, why: str | None,
                study: dict) -> tuple[list[dict], dict]:
    """Estimate rows of one brand, and per year its parts for ALL."""
    i = p.index[b]
    adopt = p.adoption[b]
    rows, parts = [], {}
    delta, pretrend = study.get("delta"), study.get("pretrend_p")
    for year in sorted(set(p.years[p.observed[i]])):
        in_year = (p.years == year) & p.observed[i]
        months = int(in_year.sum())
        upper = float(p.upper[i, in_year].sum())
        base = {"scope": b, "year": int(year), "months_observed": months, "upper": upper,
                "brands": 1}
        post = in_year & (np.arange(len(p.months)) >= (adopt if adopt is not None else 10**9))
        if adopt is None or not post.any():
            rows.append({**base, "did": 0.0, "did_low": 0.0, "did_high": 0.0,
                         "control_brands": None, "estimable": True,
                         "note": "never adopts twins" if adopt is None else "before adoption",
                         **dict.fromkeys(_CREW, 0.0)})
            continue
        n_controls = int(p.controls[i, post].min())
        if p.pre_months[b] == 0:
            rows.append({**base, "control_brands": n_controls, "estimable": False,
                         "note": "no observed pre-adoption months"})
            continue
        if n_controls < MIN_CONTROLS:
            rows.append({**base, "control_brands": n_controls, "estimable": False,
                         "note": f"fewer than {MIN_CONTROLS} control brands observed in "
                                 f"these months ({n_controls})"})
            continue
        if model is None:
            rows.append({**base, "control_brands": n_controls, "estimable": False,
                         "note": why})
            continue
        idx = np.flatnonzero(post)
        did = float(p.did[i, post].sum())
        se = math.sqrt(float(_cov(p, i, model, [_post_weights(p, i, model, idx)])[0, 0]))
        q = t975(model.df)
        low, high = did - q * se, did + q * se
        # the DiD and the substitution bound must not contradict each other unexplained
        note = (UPPER_NOTE if low > upper + 1e-9 else None)
        drift = delta * len(idx) if delta is not None else None
        rows.append({**base, "did": did, "did_low": low, "did_high": high,
                     "control_brands": n_controls, "estimable": True, "note": note,
                     **_crew(crew, b, year, did, low, high), "rho": model.rho,
                     "pretrend_p": pretrend, "breakdown_m": _breakdown(low, high, drift)})
        parts[int(year)] = (did, se, n_controls, q, upper, months, len(idx), b)
    return rows, parts


def _breakdown(low: float, high: float, drift: float | None) -> float | None:
    """Relative magnitudes (Rambachan & Roth): the M̄ at which the interval, widened by M̄ ×
    the largest pre-period deviation in every post month, first includes 0."""
    if drift is None or drift <= 0:
        return None
    if low > 0:
        return low / drift
    if high < 0:
        return -high / drift
    return 0.0


_CREW = [f"{n}{s}" for n in ("crew_days", "crew_income") for s in ("", "_low", "_high")]


def _crew(crew: dict, scope: str, year: int, did: float, low: float, high: float) -> dict:
    """Crew days and income displaced, carried through the interval by the scope's ratios."""
    days_per, income_per = crew.get((scope, year), (None, None))
    out = {}
    for name, per in (("crew_days", days_per), ("crew_income", income_per)):
        ends = sorted((low * per, high * per)) if per is not None else (None, None)
        out[name] = None if per is None else did * per
        out[name + "_low"], out[name + "_high"] = ends
    return out


def _crew_ratios(con) -> dict:
    """(scope, year) → (displaced crew days, crew income) per displaced shoot day.

    The crew mart's own ratio where the DiD is not ~0; else the brand's pre-period crew days
    per shoot day and crew income per crew day.
    """
    rows = con.execute("""
        with shoots as (
            select brand_id, year(month) as year, sum(displaced_shoot_days_did) as did
            from marts.displacement_monthly group by all
        ),
        crew as (
            select brand_id, year(month) as year, sum(displaced_crew_days) as crew_days,
                   sum(displaced_crew_income) as crew_income
            from marts.crew_impact_monthly group by all
        ),
        pre as (
            select d.brand_id, sum(d.shoot_days) as shoot_days from marts.displacement_monthly d
            inner join staging.int_pre_period p using (brand_id, month) group by all
        ),
        pre_crew as (
            select c.brand_id, sum(c.crew_days) as crew_days,
                   sum(c.crew_income)::double as crew_income
            from marts.crew_impact_monthly c
            inner join staging.int_pre_period p using (brand_id, month) group by all
        )
        select shoots.brand_id, shoots.year, shoots.did, crew.crew_days, crew.crew_income,
               pre.shoot_days, pre_crew.crew_days, pre_crew.crew_income
        from shoots
        left join crew using (brand_id, year)
        left join pre using (brand_id)
        left join pre_crew using (brand_id)""").fetchall()
    out = {}
    for b, year, did, cd, ci, pre_days, pre_cd, pre_ci in rows:
        if did and abs(did) > 1e-6 and cd is not None:
            out[(b, year)] = (cd / did, float(ci) / did)
        elif pre_days and pre_cd:
            out[(b, year)] = (pre_cd / pre_days, pre_cd / pre_days * pre_ci / pre_cd)
    return out


def compute(con: duckdb.DuckDBPyConnection) -> tuple[list[dict], list[dict]]:
    """The rows of both marts."""
    p = _Panel(con)
    if not p.months:
        return [], []
    crew = _crew_ratios(con)
    models, why = _models(p)
    events, studies = _event_study(p, models)
    for scope, value in _pretrend(p, models).items():
        studies.setdefault(scope, {})["pretrend_p"] = value
    estimates, by_year = [], defaultdict(list)
    for b in p.brands:
        rows, parts = _brand_rows(p, b, crew, models.get(b), why.get(b), studies.get(b, {}))
        estimates.extend(rows)
        for year, part in parts.items():
            by_year[year].append(part)
    estimates.extend(_all_rows(p, estimates, by_year, studies.get("ALL", {})))
    return estimates, events


def _all_rows(p: _Panel, estimates: list[dict], by_year: dict, study: dict) -> list[dict]:
    """ALL = every adopting brand's estimable post-adoption months of that year together."""
    adopters = {b for b in p.brands if p.adoption[b] is not None}
    if not adopters:
        return []
    out, before = [], None  # the brands behind last year's estimate
    for year in sorted(set(p.years)):
        brand_rows = [r for r in estimates if r["scope"] in adopters and r["year"] == year]
        post = [r for r in brand_rows if r["note"] != "before adoption"]
        left_out = [r for r in post if not r["estimable"]]
        parts = by_year.get(int(year), [])
        base = {"scope": "ALL", "year": int(year),
                "months_observed": sum(r["months_observed"] for r in brand_rows),
                "upper": sum(r["upper"] for r in brand_rows)}
        if not post:
            out.append({**base, "did": 0.0, "did_low": 0.0, "did_high": 0.0, "brands": 0,
                        "control_brands": None, "estimable": True, "note": "before adoption",
                        "crew_days": 0.0, "crew_days_low": 0.0, "crew_days_high": 0.0,
                        "crew_income": 0.0, "crew_income_low": 0.0, "crew_income_high": 0.0})
            continue
        if not parts:
            out.append({**base, "brands": 0, "control_brands": None, "estimable": False,
                        "note": "no adopting brand is estimable this year"})
            continue
        did = sum(x[0] for x in parts)
        n_controls = min(x[2] for x in parts)
        shared = sum(x[1] for x in parts) ** 2 / n_controls
        se = math.sqrt(sum(x[1] ** 2 for x in parts) + shared)
        q = t975(n_controls - 1)
        low, high = did - q * se, did + q * se
        notes = [f"{len(left_out)} adopting brand(s) not estimable this year are left out"
                 ] if left_out else []
        behind = {x[7] for x in parts}
        if before is not None and before[0] == int(year) - 1 and behind != before[1]:
            # a change from last year is not like for like: say which brands came and went
            came, went = sorted(behind - before[1]), sorted(before[1] - behind)
            notes.append("against " + str(int(year) - 1) + ": "
                         + "; ".join(([f"{', '.join(came)} added"] if came else [])
                                     + ([f"{', '.join(went)} no longer included"]
                                        if went else [])))
        before = (int(year), behind)
        note = "; ".join(notes) or None
        est = [r for r in post if r["estimable"]]
        crew = {}
        for name in ("crew_days", "crew_income"):
            total = sum(r[name] or 0 for r in est)
            ratio = total / did if abs(did) > 1e-6 else None
            crew[name] = total
            ends = sorted((low * ratio, high * ratio)) if ratio is not None else (None, None)
            crew[name + "_low"], crew[name + "_high"] = ends
        # the largest pre-adoption deviation per brand-month of ALL's event study, × the
        # brand-months after adoption this year
        delta = study.get("delta")
        drift = delta * sum(x[6] for x in parts) if delta is not None else None
        rho = float(np.mean([r["rho"] for r in est]))
        out.append({**base, "did": did, "did_low": low, "did_high": high,
                    "brands": len(parts), "control_brands": n_controls, "estimable": True,
                    "note": note, **crew, "rho": rho, "pretrend_p": study.get("pretrend_p"),
                    "breakdown_m": _breakdown(low, high, drift)})
    return out


def _event_study(p: _Panel, models: dict[str, _Model]) -> tuple[list[dict], dict]:
    """Effects by months since adoption; before it, leave-one-out placebo effects. Per scope
    also the joint pre-trend test and the largest pre-period deviation."""
    per_brand: dict[str, dict] = {}
    shared: dict[tuple[int, int], float] = defaultdict(float)  # (calendar j, e) → Σ s
    shared_sq: dict[tuple[int, int], float] = defaultdict(float)
    for b in p.brands:
        model = models.get(b)
        if model is None:
            continue
        i, adopt = p.index[b], p.adoption[b]
        n = p.pre_months[b]
        es, effects, weights, controls = [], [], [], []
        resid = set(model.resid.tolist())
        for e in range(EVENT_FIRST, EVENT_LAST + 1):
            j = adopt + e
            if not (0 <= j < len(p.months)) or not p.observed[i, j]:
                continue
            if p.controls[i, j] < MIN_CONTROLS:
                continue
            if e >= 0:
                effect, w = float(p.did[i, j]), _post_weights(p, i, model, np.array([j]))
            else:
                if j not in resid or n < 2 or len(model.pre) < 2:
                    continue
                # the level from the other n − 1 pre months, per channel, × the same trend
                effect = float((n * p.expected[i, j] - p.y_trend[i, j]) / (n - 1) - p.y[i, j])
                w = _placebo_weights(p, i, model, j)
            es.append(e)
            effects.append(effect)
            weights.append(w)
            controls.append(int(p.controls[i, j]))
        if not es:
            continue
        cov = _cov(p, i, model, weights)
        per_brand[b] = {"e": es, "effect": np.array(effects), "cov": cov, "df": model.df}
        for k, e in enumerate(es):
            s = math.sqrt(cov[k, k] / controls[k])
            shared[(adopt + e, e)] += s
            shared_sq[(adopt + e, e)] += s * s
    out, studies = [], {}
    for b, d in per_brand.items():
        out += _scope_rows(b, d["e"], d["effect"], d["cov"], [1] * len(d["e"]), d["df"])
        studies[b] = _study(d["e"], d["effect"], d["cov"], [1] * len(d["e"]))
    if per_brand:
        grid = list(range(EVENT_FIRST, EVENT_LAST + 1))
        pos = {e: k for k, e in enumerate(grid)}
        eff, cov, count = np.zeros(len(grid)), np.zeros((len(grid),) * 2), np.zeros(len(grid))
        for d in per_brand.values():
            k = [pos[e] for e in d["e"]]
            eff[k] += d["effect"]
            cov[np.ix_(k, k)] += d["cov"]
            count[k] += 1
        # brands in the same calendar month share the controls' noise there (brands adopting
        # in the same month share it in every event month): the cross-brand terms
        by_month: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
        for (j, e), s in shared.items():
            by_month[j].append((pos[e], s, shared_sq[(j, e)]))
        for items in by_month.values():
            for ka, sa, qa in items:
                for kb, sb, _qb in items:
                    cov[ka, kb] += sa * sb - (qa if ka == kb else 0.0)
        keep = np.flatnonzero(count > 0)
        es = [grid[k] for k in keep]
        df = min(d["df"] for d in per_brand.values())
        sub_cov = cov[np.ix_(keep, keep)]
        out += _scope_rows("ALL", es, eff[keep], sub_cov, count[keep].astype(int).tolist(), df)
        studies["ALL"] = _study(es, eff[keep], sub_cov, count[keep].astype(int).tolist())
    return out, studies


def _scope_rows(scope: str, es: list[int], effect: np.ndarray, cov: np.ndarray,
                brands: list[int], df: int) -> list[dict]:
    """Event-study rows: pointwise 95% intervals and simultaneous (sup-t) bands."""
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    q = t975(df)
    crit = _sup_t(cov) * q / 1.96
    return [{"scope": scope, "event_month": e, "effect": float(effect[k]),
             "effect_low": float(effect[k] - q * se[k]),
             "effect_high": float(effect[k] + q * se[k]), "brands": int(brands[k]),
             "placebo": e < 0, "joint_low": float(effect[k] - crit * se[k]),
             "joint_high": float(effect[k] + crit * se[k])} for k, e in enumerate(es)]


def _sup_t(cov: np.ndarray) -> float:
    """The 95% quantile of max |Z_k| ÷ sd_k, Z ~ N(0, cov): the simultaneous bands' multiplier
    (a fixed seed: the marts are reproducible)."""
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
    ok = sd > 0
    if ok.sum() <= 1:
        return 1.96
    corr = cov[np.ix_(ok, ok)] / np.outer(sd[ok], sd[ok])
    try:  # a square root of the correlation: Cholesky, or the eigen-decomposition if singular
        root = np.linalg.cholesky(corr + 1e-12 * np.eye(len(corr)))
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(corr)
        root = vecs * np.sqrt(np.clip(vals, 0.0, None))
    z = _draws(len(corr)) @ root.T
    return float(max(np.quantile(np.abs(z, out=z).max(axis=1), 0.95), 1.96))


@functools.lru_cache(maxsize=1)
def _all_draws() -> np.ndarray:
    """Standard normal draws for every event month (one matrix, sliced per scope)."""
    return np.random.default_rng(SIM_SEED).standard_normal(
        (SIM_DRAWS, EVENT_LAST - EVENT_FIRST + 1))


def _draws(k: int) -> np.ndarray:
    return _all_draws()[:, :k]


def _study(es: list[int], effect: np.ndarray, cov: np.ndarray, brands: list[int]) -> dict:
    """The largest pre-period deviation per brand-month (an event month's placebo effect ÷
    the brands behind it)."""
    pre = [k for k, e in enumerate(es) if e < 0]
    return {"delta": float(max(abs(effect[k]) / brands[k] for k in pre)) if pre else None}


def _pretrend(p: _Panel, models: dict[str, _Model]) -> dict[str, float]:
    """The joint pre-trend test per scope: are the last pre months (PRETREND_MONTHS) in line
    with the earlier ones? Out of sample: the tested months' residuals against the mean of the
    earlier residual months, with σ measured on those earlier months only (so anticipation in
    the tested months neither sets the yardstick nor hides in it). In shoot days, a brand's
    deviation d_t = E_t (r_t − mean r_S); covariance σ_S² A R Aᵀ; F test on W ÷ k with the
    earlier months' degrees of freedom. ALL adds its brands by event month (the controls'
    shared noise between brands in the same calendar month added as in the event study), on
    Welch–Satterthwaite degrees of freedom."""
    out, parts = {}, []
    for b, model in models.items():
        i, adopt = p.index[b], p.adoption[b]
        tested = {adopt + e: e for e in PRETREND_MONTHS}
        t_idx = [k for k, t in enumerate(model.resid) if int(t) in tested]
        s_idx = [k for k, t in enumerate(model.resid) if int(t) not in tested]
        if not t_idx or len(s_idx) < MIN_RESIDUALS:
            continue
        months = model.resid[s_idx + t_idx]
        r_s, r_t = model.r[s_idx], model.r[t_idx]
        corr = _corr(months, model.rho)
        m = len(s_idx)
        dof = m - float(corr[:m, :m].sum()) / m
        sigma2 = float(np.square(r_s - r_s.mean()).sum()) / dof
        if sigma2 <= 0:
            continue
        e_t = p.expected[i, model.resid[t_idx]]
        a = np.zeros((len(t_idx), len(months)))
        a[:, :m] = -e_t[:, None] / m
        a[np.arange(len(t_idx)), m + np.arange(len(t_idx))] = e_t
        d = e_t * (r_t - r_s.mean())
        cov = sigma2 * a @ corr @ a.T
        es = [tested[int(t)] for t in model.resid[t_idx]]
        controls = [int(p.controls[i, int(t)]) for t in model.resid[t_idx]]
        out[b] = _wald(d, cov, m - 1)
        parts.append((adopt, es, d, cov, m - 1, controls))
    if parts:
        grid = {e: k for k, e in enumerate(PRETREND_MONTHS)}
        d_all = np.zeros(len(grid))
        cov_all = np.zeros((len(grid), len(grid)))
        shared: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for adopt, es, d, cov, _df, controls in parts:
            k = [grid[e] for e in es]
            d_all[k] += d
            cov_all[np.ix_(k, k)] += cov
            for n, e in enumerate(es):
                shared[adopt + e].append((grid[e], math.sqrt(cov[n, n] / controls[n])))
        for items in shared.values():
            for ka, (pa, sa) in enumerate(items):
                for kb, (pb, sb) in enumerate(items):
                    if ka != kb:  # different brands in the same calendar month
                        cov_all[pa, pb] += sa * sb
        seen = [k for k in range(len(grid)) if cov_all[k, k] > 0]
        # Welch–Satterthwaite: the degrees of freedom of a sum of the brands' variance
        # estimates, each on its own; never fewer than the smallest brand's
        v = [float(np.trace(x[3])) for x in parts]
        df = sum(v) ** 2 / sum(vb**2 / x[4] for vb, x in zip(v, parts, strict=True))
        out["ALL"] = _wald(d_all[seen], cov_all[np.ix_(seen, seen)],
                           max(int(df), min(x[4] for x in parts)))
    return out


def _wald(d: np.ndarray, cov: np.ndarray, df: int) -> float | None:
    """p of the Wald statistic dᵀ V⁻¹ d as F(k, df) on W ÷ k."""
    if not len(d) or np.linalg.matrix_rank(cov) < len(d):
        return None
    w = float(d @ np.linalg.solve(cov, d))
    return f_sf(w / len(d), len(d), max(df, 1))
