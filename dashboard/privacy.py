"""Public mode: hide every figure that counts or sums fewer than k distinct people."""

from __future__ import annotations

import pandas as pd

SUPPRESSED_COL = "suppressed"


def note(k: int) -> str:
    return f"suppressed: fewer than {k} people"


def suppress(df: pd.DataFrame, rules: dict[str, list[str]], k: int | None) -> pd.DataFrame:
    """Blank the value columns of rows whose people-count column is below k, and mark them.

    `rules` maps a count column (distinct people behind the row) to the value columns it
    protects; the count itself is blanked too (a count below k is itself a small figure).
    With k None (private mode) the frame is returned unchanged.
    """
    if k is None or df.empty:
        return df
    out = df.copy()
    marks = pd.Series("", index=out.index, dtype="object")
    for count_col, value_cols in rules.items():
        small = out[count_col].fillna(0) < k
        if not small.any():
            continue
        for col in [*value_cols, count_col]:
            out[col] = out[col].astype("float64").where(~small)
        marks = marks.where(~small, note(k))
    out[SUPPRESSED_COL] = marks
    return out


def coarse_lorenz(curve: pd.DataFrame, k: int | None) -> pd.DataFrame:
    """Public mode: Lorenz points only where each step holds at least k models.

    With fewer than 100 models every point of the full curve is one person, and the step
    between two points is that person's share of income. Keep deciles when each tenth of
    the cohort has ≥ k models, else quintiles, else drop the cohort.
    """
    if k is None or curve.empty:
        return curve
    kept = []
    for _, part in curve.groupby("cohort", sort=True):
        n = int(part["models"].iloc[0])
        steps = 10 if n / 10 >= k else 5 if n / 5 >= k else 0
        if not steps:
            continue
        rows = [part.iloc[[0]]]
        for j in range(1, steps + 1):
            at = part[part["pop_share"] >= j / steps - 1e-9]
            rows.append(at.iloc[[0]])
        kept.append(pd.concat(rows))
    if not kept:
        return curve.iloc[0:0]
    return pd.concat(kept, ignore_index=True)


def any_suppressed(df: pd.DataFrame) -> bool:
    return SUPPRESSED_COL in df.columns and bool((df[SUPPRESSED_COL] != "").any())
