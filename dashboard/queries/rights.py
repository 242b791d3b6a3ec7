"""The ten rights a union bargains for, scored per brand and year (marts.rights_scorecard)."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.base import (
    BRAND,
    IN_REGION,
    Source,
    bound,
    brand_filtered,
    in_region,
    run,
)

_YEARS = "year between year($start::date) and year($end::date)"

# every brand: the mart's ALL rows (models counted once); else the chosen brands' rows summed
_RIGHTS_SCOPE = (f"((len($brand::varchar[]) = 0 and len($region::varchar[]) = 0 "
                 f"and brand_id = 'ALL') or (brand_id <> 'ALL' and "
                 f"(len($brand::varchar[]) > 0 or len($region::varchar[]) > 0) "
                 f"and {BRAND} and {IN_REGION}))")


# the scorecard's sums over marts.rights_scorecard rows, with the people behind them
_RIGHTS_SUMS = """sum(twin_assets)::bigint as twin_assets,
               sum(assets_met)::bigint as assets_met,
               sum(assets_not_met)::bigint as assets_not_met,
               sum(assets_unknown)::bigint as assets_unknown,
               sum(assets_met) / nullif(sum(twin_assets), 0) as share_met,
               sum(assets_not_met) / nullif(sum(twin_assets), 0) as share_not_met,
               sum(assets_unknown) / nullif(sum(twin_assets), 0) as share_unknown,
               any_value(people.models) as models,
               any_value(split.split_models) as split_models"""


def _rights_split(group: str, where: str, industry: bool = False) -> str:
    """A CTE `split`: per `group` × right, the fewest distinct models behind any non-empty
    status (met, not met, unknown) — public mode hides the split below k, since each part
    is total − the others. `industry`: every brand together (the table without brands)."""
    table = ("staging.int_usage_rights_people_industry" if industry
             else "staging.int_usage_rights_people")
    return f"""split as (
            select {group}"right", coalesce(least(
                nullif(count(*) filter (where met), 0),
                nullif(count(*) filter (where not_met), 0),
                nullif(count(*) filter (where unknown), 0)
            ), 0) as split_models
            from (
                -- one row per person first (over the years and brands chosen), then counted
                select {group}"right_name" as "right", person,
                       bool_or(met) as met, bool_or(not_met) as not_met,
                       bool_or(unknown) as unknown
                from {table}
                where {where}
                group by all
            )
            group by all
        )"""  # noqa: S608 — fragments of our own code; every value is bound


def _brands_chosen(f: Filters) -> str:
    """The brand and region filters, where a people table has brands; `true` without them
    (the table without brands is read then)."""
    return f"{BRAND} and {IN_REGION}" if brand_filtered(f) else "true"



def rights_scorecard(db: Source, f: Filters) -> pd.DataFrame:
    """right, twin_assets, assets_met, assets_not_met, assets_unknown, share_met,
    share_not_met, share_unknown, models — the ten rights over the years the period touches,
    for the selected brands together (every brand: the ALL rows). models: distinct models
    whose twins made those images (staging.int_usage_rights)."""
    return run(db, f"""
        with picked as (
            select * from marts.rights_scorecard
            where {_YEARS} and {_RIGHTS_SCOPE}
        ),
        people as (
            select count(distinct person) as models from staging.int_usage_rights
            where {_YEARS} and {BRAND} and {in_region(f)}
        ),
        {_rights_split("", f"{_YEARS} and {_brands_chosen(f)}", industry=not brand_filtered(f))}
        select "right", any_value(right_order) as right_order,
               {_RIGHTS_SUMS}
        from picked cross join people join split using ("right")
        group by "right"
        order by right_order
    """, bound(f, "start", "end", "brand", "region"))  # noqa: S608


def rights_by_brand(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, right, twin_assets, assets_met, assets_not_met, assets_unknown, share_met,
    share_not_met, share_unknown, models — each selected brand over the years the period
    touches (models: distinct models whose twins the brand used in those years)."""
    return run(db, f"""
        with {_rights_split("brand_id, ", _YEARS)}
        select brand_id, "right", any_value(right_order) as right_order,
               {_RIGHTS_SUMS}
        from marts.rights_scorecard
        join (select brand_id, count(distinct person) as models
              from staging.int_usage_rights where {_YEARS} group by brand_id) as people
            using (brand_id)
        join split using (brand_id, "right")
        where brand_id <> 'ALL' and {_YEARS} and {BRAND} and {in_region(f)}
        group by brand_id, "right"
        order by brand_id, right_order
    """, bound(f, "start", "end", "brand", "region"))  # noqa: S608


def rights_by_year(db: Source, f: Filters) -> pd.DataFrame:
    """year, right, twin_assets, assets_met, assets_not_met, assets_unknown, share_met,
    share_not_met, share_unknown, models —
    the trend of each right for the selected brands together (every brand: the ALL rows),
    every year in the data (the period filter does not apply: a trend shows them all)."""
    return run(db, f"""
        with picked as (
            select * from marts.rights_scorecard
            where {_RIGHTS_SCOPE}
        ),
        people as (
            select year, count(distinct person) as models from staging.int_usage_rights
            where {BRAND} and {in_region(f)}
            group by year
        ),
        {_rights_split("year, ", _brands_chosen(f), industry=not brand_filtered(f))}
        select year, "right", any_value(right_order) as right_order,
               {_RIGHTS_SUMS}
        from picked join people using (year) join split using (year, "right")
        group by year, "right"
        order by year, right_order
    """, bound(f, "brand", "region"))  # noqa: S608
