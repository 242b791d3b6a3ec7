"""Public mode: hide every figure that counts or sums fewer than k distinct people."""

from __future__ import annotations

import pandas as pd

SUPPRESSED_COL = "suppressed"


def note(k: int) -> str:
    return f"suppressed: fewer than {k} people"


def secondary_note(k: int) -> str:
    return f"suppressed: would reveal a figure about fewer than {k} people"


def suppress(df: pd.DataFrame, rules: dict[str, list[str]], k: int | None,
             parts: tuple[str, ...] | None = None, derived: tuple[str, ...] = (),
             also: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """Blank the value columns of rows whose people-count column is below k, and mark them.

    `rules` maps a count column (distinct people behind the row) to the value columns it
    protects; the count itself is blanked too (a count below k is itself a small figure). A
    row with nobody behind it and nothing but zeros to show describes nobody and stays
    (`derived` columns, computed from other figures, are not looked at for that).
    `also`: count column → rows to hide as well, though k people are behind them (the rest
    of a wider selection shown elsewhere is fewer than k: disclosure.complements).
    `parts`: the rows add up (within these columns; `()` = all rows) to a total shown
    elsewhere. Where a part is hidden, the smallest part with at least k people is hidden
    too, so total − shown parts is a sum over at least k people, never the hidden part alone.
    With k None (private mode) the frame is returned unchanged.
    """
    if k is None or df.empty:
        return df
    out = df.copy()
    # suppressing a frame twice keeps the first pass's marks (idempotent)
    marks = (out[SUPPRESSED_COL].fillna("").astype("object") if SUPPRESSED_COL in out.columns
             else pd.Series("", index=out.index, dtype="object"))
    for count_col, value_cols in rules.items():
        n = out[count_col].fillna(0)
        # only derived columns (a share whose complement this count counts): nobody behind
        # the complement is nothing to hide
        own = [c for c in value_cols if c not in derived]
        values = out[own].apply(pd.to_numeric, errors="coerce").fillna(0)
        # a second pass finds the first one's counts blank: nothing more to hide (idempotent)
        small = (n < k) & ~((n == 0) & (values == 0).all(axis=1))
        rest = (also or {}).get(count_col, pd.Series(False, index=out.index)) & ~small
        second = pd.Series(False, index=out.index)
        if parts is not None:
            # one column by name, not a list of one: pandas 4 changes a list's group keys
            by = list(parts)[0] if len(parts) == 1 else list(parts)
            groups = (out.groupby(by, sort=False, dropna=False).groups.values()
                      if parts else [out.index])
            for idx in groups:
                if not small[idx].any() or rest[idx].any():  # a hidden part of ≥ k already
                    continue
                big = n[idx][~small[idx] & (n[idx] >= k)]
                if not big.empty:  # hide the smallest part that could be shown
                    second[big.sort_values(kind="stable").index[0]] = True
        hide = small | second | rest
        if not hide.any():
            continue
        for col in [*value_cols, count_col]:
            out[col] = out[col].astype("float64").where(~hide)
        marks = marks.where(~(second | rest) | marks.ne(""), secondary_note(k)) \
            .where(~small, note(k))
    out[SUPPRESSED_COL] = marks
    return out


def withhold(df: pd.DataFrame, rules: dict[str, list[str]], why: str) -> pd.DataFrame:
    """Every protected value of `df` blanked and marked `why` (no rows when nothing is named)."""
    if not rules or df.empty:
        return df.iloc[0:0]
    out = df.copy()
    for count_col, value_cols in rules.items():
        for col in [*value_cols, count_col]:
            out[col] = float("nan")
    out[SUPPRESSED_COL] = why
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
