"""Twin images with and without a valid licence (marts.consent_monthly)."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.base import (
    BRAND,
    HOME_REGION,
    PERIOD,
    Source,
    bound,
    counted,
    run,
    twin_people,
    two_periods,
)


def consent_over_time(db: Source, f: Filters) -> pd.DataFrame:
    """month, twin_assets, licensed_assets, unlicensed_assets, people (distinct models behind
    that month's twin use), unlicensed_people (… behind its unlicensed use)."""
    return run(db, f"""
        with people as ({counted(twin_people(f), "month",
                                  {"people": "true", "unlicensed_people": "unlicensed"},
                                  f"{PERIOD} and {BRAND} and {HOME_REGION}")})
        select month,
               sum(twin_assets)::bigint as twin_assets,
               sum(licensed_assets)::bigint as licensed_assets,
               sum(unlicensed_assets)::bigint as unlicensed_assets,
               coalesce(any_value(people.people), 0)::bigint as people,
               coalesce(any_value(people.unlicensed_people), 0)::bigint as unlicensed_people
        from marts.consent_monthly left join people using (month)
        where {PERIOD} and {BRAND} and {HOME_REGION}
        group by month
        order by month
    """, bound(f, "start", "end", "brand", "region"))  # noqa: S608


def unlicensed_reasons(db: Source, f: Filters) -> pd.DataFrame:
    """reason, assets, people: unlicensed twin assets by why no valid licence covered them, and
    the distinct models behind them (staging.int_usage_cube's consent codes, named as
    in marts.consent_monthly's unlicensed_reason_counts)."""
    return run(db, f"""
        with uses as (
            select month, brand_id, region, assets, person,
                   ['out_of_scope', 'expired', 'not_yet_valid', 'revoked', 'no_licence',
                    'no_licence', 'unknown_licence'][consent_code] as reason
            from ({twin_people(f, rows=True).sql})
            where consent_code > 0
        )
        select reason, sum(assets)::bigint as assets, count(distinct person) as people
        from uses
        where {PERIOD} and {BRAND} and {HOME_REGION}
        group by reason
        having sum(assets) > 0
        order by assets desc, reason
    """, bound(f, "start", "end", "brand", "region"))  # noqa: S608


def compliance_by_brand(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, twin_assets, licensed_share, watermarked_share, disclosed_share
    (asset-weighted), people (distinct models behind the brand's twin use), unlicensed_people,
    unwatermarked_people, undisclosed_people (… behind its unlicensed, unwatermarked,
    undisclosed use) — least licensed first."""
    return run(db, f"""
        with cells as (
            select brand_id, twin_assets as assets, licensed_assets,
                   watermarked_share, disclosed_share
            from marts.consent_monthly
            where {PERIOD} and {BRAND} and {HOME_REGION}
        ),
        people as ({counted(twin_people(f, by_brand=True), "brand_id", _CONSENT_FLAGS,
                             f"{PERIOD} and {BRAND} and {HOME_REGION}")})
        select brand_id,
               sum(assets)::bigint as twin_assets,
               sum(licensed_assets) / nullif(sum(assets), 0) as licensed_share,
               sum(watermarked_share * assets) / nullif(sum(assets), 0) as watermarked_share,
               sum(disclosed_share * assets) / nullif(sum(assets), 0) as disclosed_share,
               coalesce(any_value(people.people), 0)::bigint as people,
               coalesce(any_value(people.unlicensed_people), 0)::bigint as unlicensed_people,
               coalesce(any_value(people.unwatermarked_people), 0)::bigint
                   as unwatermarked_people,
               coalesce(any_value(people.undisclosed_people), 0)::bigint as undisclosed_people
        from cells left join people using (brand_id)
        group by brand_id
        having sum(assets) > 0
        order by licensed_share, brand_id
    """, bound(f, "start", "end", "brand", "region"))  # noqa: S608


def consent_totals(db: Source, f: Filters) -> pd.DataFrame:
    """Two rows (current period, then the previous one of the same length): twin_assets,
    licensed_assets, unlicensed_assets, watermarked_share, disclosed_share, cells, people
    (distinct models behind the twin use), unlicensed_people, unwatermarked_people,
    undisclosed_people (… behind its unlicensed, unwatermarked, undisclosed use)."""
    return two_periods(db, f, "consent_monthly", f"and {BRAND} and {HOME_REGION}",
                        ("brand", "region"), """
               coalesce(sum(twin_assets), 0)::bigint as twin_assets,
               coalesce(sum(licensed_assets), 0)::bigint as licensed_assets,
               coalesce(sum(unlicensed_assets), 0)::bigint as unlicensed_assets,
               sum(watermarked_share * twin_assets) / nullif(sum(twin_assets), 0)
                   as watermarked_share,
               sum(disclosed_share * twin_assets) / nullif(sum(twin_assets), 0)
                   as disclosed_share""",
                        people=(twin_people(f), _CONSENT_FLAGS))


# the models behind all twin use, and behind its unlicensed, unwatermarked, undisclosed part
_CONSENT_FLAGS = {"people": "true", "unlicensed_people": "unlicensed",
                  "unwatermarked_people": "unwatermarked",
                  "undisclosed_people": "undisclosed"}
