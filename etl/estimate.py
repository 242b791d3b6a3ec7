"""Displacement with a 95% interval, and the event study: marts.displacement_estimates and
marts.displacement_event_study (CONTRACT §4), written after the SQL marts in the same writer
transaction. Deterministic (no random draws) and fast: numpy over brand × month totals.

Point estimate: marts.displacement_monthly's difference in differences, summed (so the figures
agree exactly). Interval: the brand's own relative scatter σ around its pre-period level × the
control trend, over its pre-period's n months; a year's post months with expected shoot days E
give se² = σ² (ΣE² + (ΣE)²/n) (own noise per month, plus the pre-level's shared error), and
the interval uses Student's t with n − 1 degrees of freedom. Below 3 pre months the controls'
scatter stands in. For `ALL` the brands' errors add in quadrature and the shared control
trend's error (one brand's error ÷ the number of controls) adds fully. METHODOLOGY.md says more.
"""

from __future__ import annotations

import math
from collections import defaultdict

import duckdb
import numpy as np
import pandas as pd

MIN_CONTROLS = 3
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
}
EVENT_COLUMNS = {
    "scope": "varchar", "event_month": "integer", "effect": "double", "effect_low": "double",
    "effect_high": "double", "brands": "integer", "placebo": "boolean",
}


def t975(df: int) -> float:
    """Two-sided 95% quantile of Student's t."""
    return _T975[df - 1] if 1 <= df <= len(_T975) else 1.96


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


class _Panel:
    """Brand × month shoot-day totals over observed months (NaN where unobserved)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        rows = con.execute("""
            select brand_id, month, sum(shoot_days), sum(displaced_shoot_days_did),
                   sum(displaced_shoot_days_upper), min(control_brands),
                   any_value(adoption_month), bool_or(is_adopter), any_value(pre_months)
            from marts.displacement_monthly group by all""").fetchall()
        months = sorted({r[1] for r in rows})
        self.months = months
        self.brands = sorted({r[0] for r in rows})
        mi = {m: i for i, m in enumerate(months)}
        bi = {b: i for i, b in enumerate(self.brands)}
        shape = (len(self.brands), len(months))
        self.y = np.full(shape, np.nan)
        self.did = np.zeros(shape)
        self.upper = np.zeros(shape)
        self.controls = np.zeros(shape, dtype=int)
        self.adoption: dict[str, int | None] = {}
        self.pre_months: dict[str, int] = {}
        for b, m, y, did, up, nc, adopt, is_adopter, pre in rows:
            i, j = bi[b], mi[m]
            self.y[i, j], self.did[i, j], self.upper[i, j] = y, did, up
            self.controls[i, j] = nc or 0
            self.adoption[b] = _month_index(months, adopt) if is_adopter else None
            self.pre_months[b] = pre or 0
        self.index = bi
        self.observed = ~np.isnan(self.y)
        self.control_rows = [bi[b] for b in self.brands if self.adoption[b] is None]
        self.years = np.array([m.year for m in months])


def _month_index(months: list, month) -> int:
    """Months since the panel's first month (may lie outside the panel)."""
    first = months[0]
    return (month.year - first.year) * 12 + month.month - first.month


def _pre_window(p: _Panel, i: int, adopt: int) -> np.ndarray:
    """Indices of the brand's observed pre-adoption months (staging.int_pre_period's rule)."""
    idx = np.arange(0, max(min(adopt, len(p.months)), 0))
    return idx[p.observed[i, idx]]


def _brand_rows(p: _Panel, b: str, crew: dict) -> tuple[list[dict], dict]:
    """Estimate rows of one brand, and per year its (did, se, controls) for ALL."""
    i = p.index[b]
    adopt = p.adoption[b]
    rows, parts = [], {}
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
        pre = _pre_window(p, i, adopt)
        did = float(p.did[i, post].sum())
        se, q = _brand_se(p, i, pre, post, adopt)
        if math.isnan(se):
            rows.append({**base, "control_brands": n_controls, "estimable": False,
                         "note": "no shoot days expected in a pre-adoption month: "
                                 "the brand's scatter cannot be measured"})
            continue
        low, high = did - q * se, did + q * se
        # the DiD and the substitution bound must not contradict each other unexplained
        note = (UPPER_NOTE if low > upper + 1e-9 else None)
        rows.append({**base, "did": did, "did_low": low, "did_high": high,
                     "control_brands": n_controls, "estimable": True, "note": note,
                     **_crew(crew, b, year, did, low, high)})
        parts[int(year)] = (did, se, n_controls, q, upper, months)
    return rows, parts


def _brand_se(p: _Panel, i: int, pre: np.ndarray, post: np.ndarray, adopt: int
              ) -> tuple[float, float]:
    """Standard error and 95% multiplier of the DiD summed over the `post` months.

    The brand's pre-period months scatter around its level × control trend by `own` (relative);
    a post month's expected shoot days E carry that error, and the pre-level's error (own² ÷
    pre months, relative) is shared by every post month: var = own² (ΣE² + (ΣE)² ÷ n).
    Student's t on the pre-period's n − 1 degrees of freedom.
    """
    own, df = _scatter(p, i, pre, adopt)
    expected = p.did[i, post] + p.y[i, post]
    n = len(pre)
    se = own * math.sqrt(float(np.square(expected).sum()) + float(expected.sum()) ** 2 / n)
    return se, t975(df)


def _scatter(p: _Panel, i: int, pre: np.ndarray, adopt: int) -> tuple[float, int]:
    """The brand's relative monthly scatter and its degrees of freedom.

    With fewer than 3 pre months it cannot be measured: the controls' scatter (root mean
    square, each against the others, over the months before the brand's adoption) stands in.
    """
    if len(pre) >= 3:
        return _own_scatter(p, i, pre, p.control_rows), len(pre) - 1
    before = np.arange(min(max(adopt, 0), len(p.months)))
    found = []
    for c in p.control_rows:
        seen = before[p.observed[c, before]]
        if len(seen) >= 3:
            found.append(_own_scatter(p, c, seen, [d for d in p.control_rows if d != c]))
    found = [x for x in found if not math.isnan(x)]
    if not found:
        return 0.0, 1
    return math.sqrt(float(np.mean(np.square(found)))), max(len(found) - 1, 1)


def _own_scatter(p: _Panel, i: int, pre: np.ndarray, controls: list[int]) -> float:
    """Brand i's monthly relative scatter around its level × the control trend over `pre`.

    The trend is the controls observed in every one of those months, summed; the scatter
    counts the brand's own shocks and the controls' (both enter a post month's error).
    """
    ctrl = [c for c in controls if p.observed[c, pre].all()]
    trend = np.ones(len(pre))
    if ctrl:
        total = p.y[ctrl][:, pre].sum(axis=0)
        if total.mean() > 0:
            trend = total / total.mean()
    y = p.y[i, pre]
    expected = y.mean() * trend
    if (expected <= 0).any():
        return float("nan")
    return float(np.std(y / expected - 1, ddof=1))


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
    estimates, by_year = [], defaultdict(list)
    for b in p.brands:
        rows, parts = _brand_rows(p, b, crew)
        estimates.extend(rows)
        for year, part in parts.items():
            by_year[year].append(part)
    estimates.extend(_all_rows(p, estimates, by_year))
    return estimates, _event_study(p)


def _all_rows(p: _Panel, estimates: list[dict], by_year: dict) -> list[dict]:
    """ALL = every adopting brand's estimable post-adoption months of that year together."""
    adopters = {b for b in p.brands if p.adoption[b] is not None}
    if not adopters:
        return []
    out = []
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
        note = (f"{len(left_out)} adopting brand(s) not estimable this year are left out"
                if left_out else None)
        est = [r for r in post if r["estimable"]]
        crew = {}
        for name in ("crew_days", "crew_income"):
            total = sum(r[name] or 0 for r in est)
            ratio = total / did if abs(did) > 1e-6 else None
            crew[name] = total
            ends = sorted((low * ratio, high * ratio)) if ratio is not None else (None, None)
            crew[name + "_low"], crew[name + "_high"] = ends
        out.append({**base, "did": did, "did_low": low, "did_high": high,
                    "brands": len(parts), "control_brands": n_controls, "estimable": True,
                    "note": note, **crew})
    return out


def _event_study(p: _Panel) -> list[dict]:
    """Effects by months since adoption; before it, leave-one-out placebo effects."""
    cells: dict[tuple[str, int], list[tuple[float, float, int]]] = defaultdict(list)  # effect, se, df
    for b in p.brands:
        adopt = p.adoption[b]
        if adopt is None or p.pre_months[b] == 0:
            continue
        i = p.index[b]
        pre = _pre_window(p, i, adopt)
        own, df = _scatter(p, i, pre, adopt)
        if math.isnan(own) or len(pre) < 2:
            continue
        level = float(p.y[i, pre].mean())
        n = len(pre)
        for e in range(EVENT_FIRST, EVENT_LAST + 1):
            j = adopt + e
            if not (0 <= j < len(p.months)) or not p.observed[i, j]:
                continue
            if e >= 0:
                if p.controls[i, j] < MIN_CONTROLS:
                    continue
                effect = float(p.did[i, j])
            else:
                effect = _placebo_effect(p, i, pre, j)
                if effect is None:
                    continue
            # a post month: its own scatter plus the pre-level's error; a placebo month is
            # predicted from the other n − 1 pre months
            se = own * level * math.sqrt(1 + 1 / (n if e >= 0 else n - 1))
            cells[(b, e)].append((effect, se, df))
            cells[("ALL", e)].append((effect, se, df))
    out = []
    for (scope, e), parts in sorted(cells.items(), key=lambda kv: (kv[0][0] == "ALL", kv[0])):
        effect = sum(x[0] for x in parts)
        # brands' months in the same event month are different calendar months: independent
        se = math.sqrt(sum(x[1] ** 2 for x in parts))
        q = t975(min(x[2] for x in parts))
        out.append({"scope": scope, "event_month": e, "effect": effect,
                    "effect_low": effect - q * se, "effect_high": effect + q * se,
                    "brands": len(parts), "placebo": e < 0})
    return out


def _placebo_effect(p: _Panel, i: int, pre: np.ndarray, j: int) -> float | None:
    """Pre-adoption month j predicted from the other pre months and the controls (true: 0)."""
    rest = pre[pre != j]
    if not len(rest):
        return None
    ctrl = [c for c in p.control_rows if p.observed[c, j] and p.observed[c, rest].all()]
    if len(ctrl) < MIN_CONTROLS:
        return None
    base = p.y[ctrl][:, rest].sum(axis=1).mean() / len(rest)
    now = p.y[ctrl, j].mean()
    if base <= 0:
        return None
    return float(p.y[i, rest].mean() * now / base - p.y[i, j])
