"""Crew figures (marts.crew_impact_monthly)."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.base import (
    BRAND,
    HOME_REGION,
    PERIOD,
    ROLE,
    Source,
    bound,
    counted,
    crew_people,
    run,
    two_periods,
)

# The crew mart has no channel (displaced crew days are estimated per brand × role): crew
# figures do not follow the channel filter, and the pages say so on each of them.

def crew_totals(db: Source, f: Filters) -> pd.DataFrame:
    """Two rows (current period, then the previous one of the same length): crew_days,
    crew_income, displaced_crew_days, displaced_crew_income,
    people (distinct crew members booked in the selection)."""
    return two_periods(db, f, "crew_impact_monthly",
                        f"and {BRAND} and {ROLE} and {HOME_REGION}",
                        ("brand", "role", "region"), """
               coalesce(sum(crew_days), 0)::double as crew_days,
               coalesce(sum(crew_income), 0)::double as crew_income,
               coalesce(sum(displaced_crew_days), 0)::double as displaced_crew_days,
               coalesce(sum(displaced_crew_income), 0)::double as displaced_crew_income""",
                        people=(crew_people(f), {"people": "true"}))


_CREW_WHERE = f"{PERIOD} and {BRAND} and {ROLE} and {HOME_REGION}"


def crew_by_role(db: Source, f: Filters) -> pd.DataFrame:
    """role, crew_days, crew_income, displaced_crew_days, displaced_crew_income, people
    (distinct crew members of the role booked in the selection)."""
    return run(db, f"""
        with people as ({counted(crew_people(f), "role", {"people": "true"}, _CREW_WHERE)}),
        grouped as (
            select role,
                   sum(crew_days)::double as crew_days,
                   sum(crew_income)::double as crew_income,
                   sum(displaced_crew_days)::double as displaced_crew_days,
                   sum(displaced_crew_income)::double as displaced_crew_income
            from marts.crew_impact_monthly
            where {_CREW_WHERE}
            group by role
        )
        select grouped.*, coalesce(people.people, 0)::bigint as people
        from grouped left join people using (role)
        order by displaced_crew_days desc, role
    """, bound(f, "start", "end", "brand", "role", "region"))  # noqa: S608


def crew_income_by_year_role(db: Source, f: Filters) -> pd.DataFrame:
    """year, months (of that year in the period's data), role, crew_days, crew_income,
    displaced_crew_income, people (distinct crew members of the role that year)."""
    return run(db, f"""
        with cells as (
            select * from marts.crew_impact_monthly
            where {_CREW_WHERE}
        ),
        months as (
            select year(month) as year, count(distinct month) as months from cells group by all
        ),
        people as ({counted(crew_people(f), "year, role", {"people": "true"}, _CREW_WHERE,
                             extra="year(month) as year")}),
        grouped as (
            select year(month) as year, role,
                   sum(crew_days)::double as crew_days,
                   sum(crew_income)::double as crew_income,
                   sum(displaced_crew_income)::double as displaced_crew_income
            from cells
            group by all
        )
        select g.year, m.months, g.role, g.crew_days, g.crew_income, g.displaced_crew_income,
               coalesce(p.people, 0)::bigint as people
        from grouped g join months m using (year)
        left join people p using (year, role)
        order by year, role
    """, bound(f, "start", "end", "brand", "role", "region"))  # noqa: S608
