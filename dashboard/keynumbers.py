"""The key numbers of a selection against the period before it, from the disclosed
two-period totals (queries.*_totals): the Brand report page and `twinimpact report` show them,
and which brands entered or left between the two periods."""

from __future__ import annotations

import pandas as pd

KEY_QUERIES = ("displacement_totals", "crew_totals", "consent_totals")
BEFORE_AFTER = ("Shoot days below the pre-twin level (before/after: no difference in "
                "differences, fewer than 3 control brands)")


def turnover(displacement: pd.DataFrame) -> str | None:
    """Which brands entered or left between the previous period and this one (from
    displacement_totals' brand_ids), so a change is never read as like for like; None when
    the same brands are behind both, or there is no previous period."""
    if "brand_ids" not in displacement:
        return None
    # a period without rows has no list (NaN or None)
    ids = [{str(b) for b in x} if hasattr(x, "__iter__") and not isinstance(x, str) else set()
           for x in displacement["brand_ids"]]
    if len(ids) < 2 or not ids[1]:
        return None
    now, before = ids[0], ids[1]
    entered, left = sorted(now - before), sorted(before - now)
    parts = ([f"{', '.join(entered)} entered the data (this period only)"] if entered else []) \
        + ([f"{', '.join(left)} left the data (previous period only)"] if left else [])
    if not parts:
        return None
    return ("Changes against the previous period compare different brands: "
            + "; ".join(parts) + ".")


def numbers_from(displacement: pd.DataFrame, crew: pd.DataFrame,
                 consent: pd.DataFrame) -> pd.DataFrame:
    """The key numbers (see key_numbers) from the three disclosed KEY_QUERIES frames: a page
    fetches them with its other frames, on its threads."""
    d, d0 = (r for _, r in displacement.iterrows())
    c, c0 = (r for _, r in crew.iterrows())
    n, n0 = (r for _, r in consent.iterrows())
    # no rows at all for the previous period: "–", not a misleading zero
    d0, c0, n0 = (r if r["cells"] else pd.Series(float("nan"), index=r.index)
                  for r in (d0, c0, n0))

    def crew_value(row, col):
        return float(row[col])

    def licensed(row):
        # a suppressed count is NaN: the share is hidden with it
        return row["licensed_assets"] / row["twin_assets"] if row["twin_assets"] > 0 else None

    rows = [
        ("Twin share of images", d["twin_share"], d0["twin_share"], "pct"),
        ("Twin images", d["twin_assets"], d0["twin_assets"], "num"),
        ("Shoot days booked", d["shoot_days"], d0["shoot_days"], "num"),
        ("Shoot days displaced (difference in differences)", d["displaced_did"],
         d0["displaced_did"], "num"),
        ("Shoot days displaced (upper bound)", d["displaced_upper"], d0["displaced_upper"], "num"),
        ("Shoot days cancelled as 'replaced by twin'", d["cancelled_for_twin_days"],
         d0["cancelled_for_twin_days"], "num"),
        ("Crew days displaced", crew_value(c, "displaced_crew_days"),
         crew_value(c0, "displaced_crew_days"), "num"),
        ("Crew income displaced", crew_value(c, "displaced_crew_income"),
         crew_value(c0, "displaced_crew_income"), "money"),
        ("Twin images under a valid licence", licensed(n), licensed(n0), "pct"),
        ("Twin images watermarked", n["watermarked_share"], n0["watermarked_share"], "pct"),
        ("Twin images disclosed as AI", n["disclosed_share"], n0["disclosed_share"], "pct"),
    ]
    if d.get("displaced_before_after") or d0.get("displaced_before_after"):
        # months without a DiD (fewer than 3 control brands): their own figure, their own name
        rows.append((BEFORE_AFTER, d["displaced_before_after"], d0["displaced_before_after"],
                     "num"))
    out = pd.DataFrame(rows, columns=["metric", "value", "previous", "kind"])
    for col in ("value", "previous"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out
