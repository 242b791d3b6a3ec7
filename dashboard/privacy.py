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


def any_suppressed(df: pd.DataFrame) -> bool:
    return SUPPRESSED_COL in df.columns and bool((df[SUPPRESSED_COL] != "").any())
