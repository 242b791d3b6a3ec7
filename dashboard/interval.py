"""Words for an estimate with its 95% interval: pure functions, no Streamlit, no SQL."""

from __future__ import annotations

import math


def _num(x: float) -> str:
    """Whole numbers with thousands separators; a minus sign, not a hyphen."""
    text = f"{round(x):,}"
    return text.replace("-", "−")


def estimate(did: float | None, low: float | None, high: float | None, *,
             estimable: bool = True, note: str | None = None, unit: str = "shoot days") -> str:
    """'346 shoot days (95% interval 280–410)', or 'not estimable: <note>'."""
    if not estimable or did is None or low is None or high is None or any(
            isinstance(v, float) and math.isnan(v) for v in (did, low, high)):
        return f"not estimable: {note or 'no honest estimate for this selection'}"
    if round(low) == round(high) == round(did):
        return f"{_num(did)} {unit}"
    return f"{_num(did)} {unit} (95% interval {_num(low)}–{_num(high)})"


def row(r, unit: str = "shoot days", prefix: str = "did") -> str:
    """`estimate` for a row of marts.displacement_estimates (prefix: did, crew_days, …)."""
    get = r.get if hasattr(r, "get") else lambda k: getattr(r, k)
    low_key, high_key = (("did_low", "did_high") if prefix == "did"
                         else (f"{prefix}_low", f"{prefix}_high"))
    return estimate(get(prefix), get(low_key), get(high_key),
                    estimable=bool(get("estimable")), note=get("note"), unit=unit)


def agrees_with_upper(did: float | None, low: float | None, upper: float | None) -> bool:
    """False when the DiD's whole interval lies above the substitution bound: the two
    contradict each other and the page must say why (e.g. shoots fell for other reasons)."""
    if did is None or low is None or upper is None:
        return True
    return low <= upper + 1e-9


def headline_year(f) -> int | None:
    """The calendar year a headline estimate is for: the last whole year inside the period,
    else the period's last year (estimates are yearly: marts.displacement_estimates)."""
    start, end = f.start(), f.end()
    if start is None or end is None:
        return None
    year = end.year if end.month == 12 else end.year - 1
    return year if year >= start.year and (year > start.year or start.month == 1) \
        else end.year


def for_year(est, year: int | None) -> dict | None:
    """The selection's estimate for `year`: the `ALL` row when there is one, the brand's row
    for one brand, else the brands' rows added (their interval ends added: a conservative
    interval, since the brands share one control trend). None when there is no row."""
    if year is None or est.empty:
        return None
    rows = est[est["year"] == year]
    if rows.empty:
        return None
    if (rows["scope"] == "ALL").any():
        return rows[rows["scope"] == "ALL"].iloc[0].to_dict()
    if len(rows) == 1:
        return rows.iloc[0].to_dict()
    if not rows["estimable"].all():
        bad = rows[~rows["estimable"].astype(bool)]
        return {"estimable": False, "note": "not estimable for "
                + ", ".join(map(str, bad["scope"])) + ": " + str(bad["note"].iloc[0])}
    total = {c: rows[c].sum(min_count=1) for c in (
        "did", "did_low", "did_high", "upper", "crew_days", "crew_days_low", "crew_days_high",
        "crew_income", "crew_income_low", "crew_income_high") if c in rows}
    return {**total, "estimable": True, "note": "the brands' intervals added (conservative)"}


def short(r: dict | None) -> str:
    """'346 (280–410)' for a headline number; '–' when there is none or it is not estimable."""
    if not r or not r.get("estimable") or any(
            r.get(k) is None or (isinstance(r.get(k), float) and math.isnan(r.get(k)))
            for k in ("did", "did_low", "did_high")):
        return "–"
    return f"{_num(r['did'])} ({_num(r['did_low'])}–{_num(r['did_high'])})"


def sentence(r: dict | None, year: int | None, *, channel_filtered: bool = False) -> str | None:
    """The findings sentence for a year's estimate, saying what DiD and the bound each mean."""
    if r is None or year is None:
        return None
    scope = "across all channels, " if channel_filtered else ""
    if not r.get("estimable"):
        return (f"Shoot days displaced in {year} ({scope}difference in differences): "
                f"not estimable — {r.get('note') or 'no honest estimate'}.")
    text = f"In {year}, {scope}twins displaced {row(r)} against brands that use no twins"
    upper = r.get("upper")
    if upper is not None and not (isinstance(upper, float) and math.isnan(upper)):
        text += (f"; if every twin image had replaced shoot output, at most {_num(upper)} "
                 "(the upper bound)")
        if not agrees_with_upper(r["did"], r["did_low"], upper):
            text += (" — shoots fell by more than twins could replace, so other causes were "
                     "at work too")
    return text + "."


def _scope_rows(est):
    """The estimate rows of the selection's one scope: `ALL` when present, else a single
    brand; None for several brands (each has its own test)."""
    if est is None or est.empty or "pretrend_p" not in est:
        return None
    scopes = set(est["scope"])
    scope = "ALL" if "ALL" in scopes else (scopes.pop() if len(scopes) == 1 else None)
    return None if scope is None else est[est["scope"] == scope]


def pretrend_sentence(est) -> str | None:
    """The joint pre-trend test in words, for the selection's scope (see _scope_rows)."""
    rows = _scope_rows(est)
    if rows is None:
        return None
    p = rows["pretrend_p"].dropna()
    if p.empty:
        return None
    p = float(p.iloc[0])
    said = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    verdict = ("below 0.05: shoots had already departed from the comparison before the first "
               "twin use (anticipation, or trends that are not parallel), so the estimate may "
               "be biased" if p < 0.05 else
               "no sign that shoots departed from the comparison before the first twin use")
    return (f"Joint pre-trend test over the 3 months before the first twin use: {said}; "
            f"{verdict}.")
