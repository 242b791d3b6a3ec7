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
