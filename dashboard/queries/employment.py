"""Survey and BLS employment figures (marts.employment), and when twins arrived."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.base import HOME_REGION_BRANDS, ROLE, Source, bound, run

SURVEY_AREA = ("(len($region::varchar[]) = 0 "
           "or list_contains($region::varchar[], left(area, 2)))")


def employment_survey(db: Source, f: Filters) -> pd.DataFrame:
    """period, area, role, source, employed, median_earnings, mean_earnings, earnings_basis,
    currency — every non-BLS source (the union survey), filtered by role and region."""
    return run(db, f"""
        select period, area, role, source, employed::bigint as employed,
               median_earnings::double as median_earnings,
               mean_earnings::double as mean_earnings, earnings_basis, currency
        from marts.employment
        where source not ilike '%BLS%' and {ROLE} and {SURVEY_AREA}
        order by period, area, role, source
    """, bound(f, "role", "region"))  # noqa: S608


def employment_bls(db: Source, f: Filters) -> pd.DataFrame:
    """period, area, role, source, employed, median_earnings, mean_earnings, earnings_basis,
    currency — the BLS OEWS figures, filtered by role."""
    return run(db, f"""
        select period, area, role, source, employed::bigint as employed,
               median_earnings::double as median_earnings,
               mean_earnings::double as mean_earnings, earnings_basis, currency
        from marts.employment
        where source ilike '%BLS%' and {ROLE}
        order by role, period
    """, bound(f, "role"))  # noqa: S608


# Survey periods and areas, told apart so that no figure adds up what must not be added:
# a year, a quarter and a month of the same survey overlap; GB and GB-LND are nested.
GRANULARITY = ("case when length(period) = 4 then 'year' when period[6] = 'Q' then 'quarter' "
                "else 'month' end")
AREA_LEVEL = "case when length(area) = 2 then 'country' else 'subdivision' end"


def employment_sources(db: Source, f: Filters) -> pd.DataFrame:
    """source, granularity (`year|quarter|month`), area_level (`country|subdivision`), rows,
    periods, first_period, last_period — every series family of the surveys (BLS included),
    filtered by role and region; most rows first."""
    return run(db, f"""
        select source, {GRANULARITY} as granularity, {AREA_LEVEL} as area_level,
               count(*) as rows, count(distinct period) as periods,
               min(period) as first_period, max(period) as last_period
        from marts.employment
        where {ROLE} and {SURVEY_AREA}
        group by all
        order by rows desc, source, granularity, area_level
    """, bound(f, "role", "region"))  # noqa: S608


def employment_series(db: Source, f: Filters, source: str | None = None,
                      granularity: str | None = None,
                      area_level: str | None = None) -> pd.DataFrame:
    """period, period_start, area, role, source, granularity, area_level, employed,
    median_earnings, mean_earnings, earnings_basis, currency — one source, one granularity
    and one area level (never mixed), every period, filtered by role and region; as
    published. Without a source: the family with the most rows (employment_sources' first)."""
    series = {"source": source, "granularity": granularity, "area_level": area_level}
    return run(db, f"""
        with rows as (
            select *, {GRANULARITY} as granularity, {AREA_LEVEL} as area_level
            from marts.employment
            where {ROLE} and {SURVEY_AREA}
        ),
        chosen as (
            select source, granularity, area_level from rows
            where $source::varchar is null
            group by all
            order by count(*) desc, source, granularity, area_level
            limit 1
        )
        select period, period_start, area, role, source, granularity, area_level,
               employed::bigint as employed, median_earnings::double as median_earnings,
               mean_earnings::double as mean_earnings, earnings_basis, currency
        from rows
        where (source, granularity, area_level) in (
            select (source, granularity, area_level) from chosen
            union all
            select ($source::varchar, $granularity::varchar, $area_level::varchar))
        order by period_start, area, role
    """, {**bound(f, "role", "region"), **series})  # noqa: S608


def twin_arrival(db: Source, f: Filters) -> pd.DataFrame:
    """One row: first_use (the first month any brand based in the filter's regions used a
    twin; all brands when no region is chosen), first_use_any (any brand)."""
    return run(db, f"""
        select min(adoption_month) filter (where {HOME_REGION_BRANDS}) as first_use,
               min(adoption_month) as first_use_any
        from marts.brands
    """, bound(f, "region"))  # noqa: S608
