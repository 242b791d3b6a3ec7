"""Employment series for the Employment page: pure pandas, no Streamlit, no SQL.

A series is one role's figures within one source, one granularity (year, quarter or month)
and one area level (countries, or subdivisions such as GB-LND): the query hands over only
such rows, and nothing here adds up across them. People employed are summed over the areas
of that level (GB + SE, never GB + GB-LND); earnings are never summed: they stay per area, in
their published currency and basis.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.privacy import SUPPRESSED_COL

GRANULARITY_WORDS = {"year": "yearly", "quarter": "quarterly", "month": "monthly"}
LEVEL_WORDS = {"country": "countries", "subdivision": "subdivisions (e.g. GB-LND)"}
PERIODS_PER_YEAR = {"year": 1, "quarter": 4, "month": 12}


def _hidden(rows: pd.DataFrame) -> pd.Series:
    if SUPPRESSED_COL in rows.columns:
        return rows[SUPPRESSED_COL].fillna("") != ""
    return pd.Series(False, index=rows.index)


def employed_by_role(rows: pd.DataFrame) -> pd.DataFrame:
    """period, period_start, role, employed, areas, areas_hidden: people employed per role
    and period, summed over the areas shown (rows suppressed in public mode are left out
    and counted in areas_hidden, so no hidden area can be recovered by subtraction)."""
    cols = ["period", "period_start", "role", "employed", "areas", "areas_hidden"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    hidden = _hidden(rows)
    d = rows.assign(_hidden=hidden, _shown=rows["employed"].where(~hidden))
    out = d.groupby(["period", "period_start", "role"], as_index=False).agg(
        employed=("_shown", lambda s: s.sum(min_count=1)), areas=("_shown", "count"),
        areas_hidden=("_hidden", "sum"))
    return out.sort_values(["role", "period_start"], ignore_index=True)[cols]


def earnings_by_role(rows: pd.DataFrame, area: str) -> pd.DataFrame:
    """period, period_start, role, median_earnings, earnings_basis, currency for one area,
    as published (rows without a median are left out)."""
    d = rows[(rows["area"] == area) & rows["median_earnings"].notna()]
    return d[["period", "period_start", "role", "median_earnings", "earnings_basis",
              "currency"]].sort_values(["role", "period_start"], ignore_index=True)


def base_year(series: pd.DataFrame, value: str, granularity: str,
              arrival: date | None) -> int | None:
    """The first calendar year that the series covers in full (every period of it has a
    value) and that ends before twins arrived (the arrival month's year is not pre-twin);
    any full year when twins never arrived. None when there is no such year."""
    if series.empty:
        return None
    d = series[series[value].notna()]
    years = pd.to_datetime(d["period_start"]).dt.year
    counts = d.groupby(years)["period"].nunique()
    full = [int(y) for y, n in counts.items() if n == PERIODS_PER_YEAR[granularity]]
    pre = [y for y in full if arrival is None or y < arrival.year]
    return min(pre) if pre else None


def indexed(series: pd.DataFrame, value: str, by: list[str], granularity: str,
            arrival: date | None) -> pd.DataFrame:
    """The series with `index` = 100 × value ÷ its mean over its own base year (base_year),
    and `base_year`; per group of `by` columns (one role, or one role and area). A group
    with no full pre-twin year gets no index."""
    parts = []
    for _, part in series.groupby(by, sort=True):
        year = base_year(part, value, granularity, arrival)
        part = part.copy()
        part["base_year"] = year
        if year is None:
            part["index"] = float("nan")
        else:
            in_base = pd.to_datetime(part["period_start"]).dt.year == year
            part["index"] = 100 * part[value] / part.loc[in_base, value].mean()
        parts.append(part)
    if not parts:
        return series.assign(base_year=pd.Series(dtype="Int64"),
                             index=pd.Series(dtype="float64"))
    return pd.concat(parts, ignore_index=True)


def latest(series: pd.DataFrame) -> pd.DataFrame:
    """The rows of the series' latest period (by its start date, never by the label)."""
    if series.empty:
        return series
    return series[series["period_start"] == series["period_start"].max()]


def twin_share_by_period(monthly: pd.DataFrame, granularity: str) -> pd.DataFrame:
    """period_start, twin_share from twin_share_by_channel rows (month, shoot_assets,
    twin_assets), summed to the survey's periods."""
    if monthly.empty:
        return pd.DataFrame(columns=["period_start", "twin_share"])
    m = pd.to_datetime(monthly["month"])
    start = {"year": m.dt.to_period("Y"), "quarter": m.dt.to_period("Q"),
             "month": m.dt.to_period("M")}[granularity].dt.start_time
    d = monthly.assign(period_start=start).groupby("period_start", as_index=False)[
        ["twin_assets", "shoot_assets"]].sum()
    total = d["twin_assets"] + d["shoot_assets"]
    d["twin_share"] = (d["twin_assets"] / total.where(total > 0)).astype("float64")
    return d[["period_start", "twin_share"]]


# A statistics office's source published per employment type (fetch-nomis): "<family> (type)"
EMPLOYMENT_TYPES = ("employees", "self-employed")


def type_pairs(sources: list[str]) -> dict[str, tuple[str, str]]:
    """family → (employees source, self-employed source), for each family that has both."""
    names = set(sources)
    out = {}
    for s in sources:
        if s.endswith(" (employees)"):
            family = s[: -len(" (employees)")]
            if f"{family} (self-employed)" in names:
                out[family] = (s, f"{family} (self-employed)")
    return out


def employees_and_self_employed(employees: pd.DataFrame,
                                self_employed: pd.DataFrame) -> pd.DataFrame:
    """period, period_start, role, employees, self_employed, self_employed_share: one row per
    role and period of the two series side by side (people summed over the areas shown, as in
    employed_by_role; a share only where both figures are shown)."""
    cols = ["period", "period_start", "role", "employees", "self_employed",
            "self_employed_share"]
    a = employed_by_role(employees)[["period", "period_start", "role", "employed"]]
    b = employed_by_role(self_employed)[["period", "period_start", "role", "employed"]]
    if a.empty and b.empty:
        return pd.DataFrame(columns=cols)
    d = a.rename(columns={"employed": "employees"}).merge(
        b.rename(columns={"employed": "self_employed"}),
        on=["period", "period_start", "role"], how="outer")
    total = d["employees"] + d["self_employed"]
    d["self_employed_share"] = (d["self_employed"] / total).where(total > 0)
    return d.sort_values(["period_start", "role"], ignore_index=True)[cols]


def arrival(row: pd.Series, regional: bool) -> tuple[date | None, str]:
    """When twins arrived, from twin_arrival's row, and by whom: the first twin use by a brand
    based in the chosen regions (`regional`), else by any brand; (None, …) when none."""
    first, where = row["first_use"], ("by a brand based in the chosen regions" if regional
                                      else "by any brand")
    if first is None or first != first:  # no adopting brand in these regions
        first, where = row["first_use_any"], "by any brand (none in these regions)"
    return (None if first is None or first != first else first.date()), where
