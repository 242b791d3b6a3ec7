"""Shoots against twin images: twin shares, shoot days against the no-twin expectation,
the brands ranked, the estimates and the event study (marts.displacement_*)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.base import (
    BRAND,
    CHANNEL,
    HOME_REGION,
    PERIOD,
    Source,
    bound,
    counted,
    run,
    sql,
    twin_people,
    two_periods,
)
from etl.estimate import MIN_CONTROLS


def displacement_totals(db: Source, f: Filters) -> pd.DataFrame:
    """Two rows (current period, then the previous one of the same length) of totals:
    shoot_days, shoot_assets, twin_assets, twin_share,
    cancelled_for_twin_days, displaced_did, displaced_before_after, displaced_upper, brand_ids
    (the brands observed in the period: a change between periods names those that entered or
    left), models (distinct models behind the twin use).
    displaced_did is empty when any post-adoption month in the period has no difference in
    differences (fewer than 3 control brands: the monthly figure is then the brand's
    before/after shortfall, summed apart in displaced_before_after)."""
    return two_periods(db, f, "displacement_monthly",
                        f"and {BRAND} and {CHANNEL} and {HOME_REGION}",
                        ("brand", "channel", "region"), f"""
               coalesce(sum(shoot_days), 0)::double as shoot_days,
               coalesce(sum(shoot_assets), 0)::bigint as shoot_assets,
               coalesce(sum(twin_assets), 0)::bigint as twin_assets,
               sum(twin_assets) / nullif(sum(twin_assets) + sum(shoot_assets), 0) as twin_share,
               coalesce(sum(cancelled_for_twin_days), 0)::double as cancelled_for_twin_days,
               case when bool_or(post_adoption and not {_HAS_DID}) then null
                    else coalesce(sum(displaced_shoot_days_did), 0) end::double as displaced_did,
               coalesce(sum(displaced_shoot_days_did)
                        filter (where post_adoption and not {_HAS_DID}), 0)::double
                   as displaced_before_after,
               coalesce(sum(displaced_shoot_days_upper), 0)::double as displaced_upper,
               list(distinct brand_id order by brand_id) as brand_ids""",
                        people=(twin_people(f), {"models": "true"}))


# a post-adoption month whose monthly figure is a difference in differences (CONTRACT §4's
# 3 control brands); otherwise it is a before/after shortfall and is never called a DiD
_HAS_DID = ("(did_method in ('did_channel', 'did_all_channels') "
            f"and control_brands >= {MIN_CONTROLS})")
_TWIN_WHERE = f"{PERIOD} and {BRAND} and {CHANNEL} and {HOME_REGION}"


def _share_by(db: Source, f: Filters, keys: str, start: date | None = None) -> pd.DataFrame:
    """Shoot and twin images and the twin share grouped by `keys` (our own column list, e.g.
    `month, channel`; `half` is the half-year, `2026 H1`), with models: the distinct models
    behind the group's twin use. Halves are grouped as numbers and named at the end."""
    inner = keys.replace("half", "half_no")
    outer = keys.replace("half", "(half_no // 2) || ' H' || (half_no % 2 + 1) as half")
    half_no = "year(month) * 2 + (month(month) > 6)::int as half_no"
    return run(db, f"""
        with cells as (
            select *, {half_no}
            from marts.displacement_monthly
            where {_TWIN_WHERE}
        ),
        counted as ({counted(twin_people(f), inner, {"models": "true"}, _TWIN_WHERE,
                              extra=half_no)}),
        grouped as (
            select {inner},
                   sum(shoot_assets)::bigint as shoot_assets,
                   sum(twin_assets)::bigint as twin_assets,
                   sum(twin_assets) / nullif(sum(twin_assets) + sum(shoot_assets), 0)
                       as twin_share,
                   count(distinct month) as months
            from cells
            group by all
        )
        -- aggregated first, then joined: a join before the aggregate costs every cell
        select {outer}, shoot_assets, twin_assets, twin_share, months,
               coalesce(counted.models, 0)::bigint as models
        from grouped left join counted using ({inner})
        order by {inner}
    """, bound(f, "start", "end", "brand", "channel", "region", start=start))  # noqa: S608


def twin_share_by_channel(db: Source, f: Filters) -> pd.DataFrame:
    """month, channel, shoot_assets, twin_assets, twin_share, months, models."""
    return _share_by(db, f, "month, channel")


def twin_share_overall(db: Source, f: Filters) -> pd.DataFrame:
    """month, shoot_assets, twin_assets, twin_share, months, models: all channels together."""
    return _share_by(db, f, "month")


def twin_share_by_half(db: Source, f: Filters) -> pd.DataFrame:
    """half (`2026 H1`), channel, shoot_assets, twin_assets, twin_share, months, models — the
    whole history up to the period's end (the findings compare a half with a year before)."""
    return _share_by(db, f, "half, channel", start=date(2000, 1, 1))


def shoot_days_vs_expected(db: Source, f: Filters) -> pd.DataFrame:
    """month, actual_shoot_days, expected_did (actual + DiD shortfall; empty in a month with
    a post-adoption cell without a DiD, whose expectation is expected_before_after instead),
    expected_upper (actual + substitution bound), cancelled_for_twin_days, models (behind the
    twin images the upper bound is made from)."""
    return run(db, f"""
        with people as ({counted(twin_people(f), "month", {"models": "true"}, _TWIN_WHERE)}),
        grouped as (
            select month,
                   sum(shoot_days)::double as actual_shoot_days,
                   case when bool_or(post_adoption and not {_HAS_DID}) then null
                        else sum(shoot_days) + sum(displaced_shoot_days_did)
                        end::double as expected_did,
                   case when bool_or(post_adoption and not {_HAS_DID})
                        then sum(shoot_days) + sum(displaced_shoot_days_did)
                        end::double as expected_before_after,
                   (sum(shoot_days) + sum(displaced_shoot_days_upper))::double
                       as expected_upper,
                   sum(cancelled_for_twin_days)::double as cancelled_for_twin_days
            from marts.displacement_monthly
            where {_TWIN_WHERE}
            group by month
        )
        select grouped.*, coalesce(people.models, 0)::bigint as models
        from grouped left join people using (month)
        order by month
    """, bound(f, "start", "end", "brand", "channel", "region"))  # noqa: S608


def brands_ranked(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, adoption_month (first twin use, whole history), twin_assets, shoot_assets,
    twin_share, displaced_did (empty when a post-adoption month has no DiD: fewer than 3
    control brands), displaced_upper, cancelled_for_twin_days, models — most displaced
    first."""
    return run(db, f"""
        with adoption as (
            select brand_id, adoption_month from marts.brands
        ),
        people as (
            {counted(twin_people(f, by_brand=True), "brand_id", {"models": "true"},
                      _TWIN_WHERE)}
        ),
        period as (
            select brand_id,
                   sum(twin_assets)::bigint as twin_assets,
                   sum(shoot_assets)::bigint as shoot_assets,
                   sum(twin_assets) / nullif(sum(twin_assets) + sum(shoot_assets), 0)
                       as twin_share,
                   case when bool_or(post_adoption and not {_HAS_DID}) then null
                        else sum(displaced_shoot_days_did) end::double as displaced_did,
                   sum(displaced_shoot_days_upper)::double as displaced_upper,
                   sum(cancelled_for_twin_days)::double as cancelled_for_twin_days,
                   -- the ranking: the shortfall whether or not it is a DiD
                   sum(displaced_shoot_days_did) as shortfall
            from marts.displacement_monthly
            where {_TWIN_WHERE}
            group by brand_id
        )
        select p.brand_id, strftime(a.adoption_month, '%Y-%m') as adoption_month,
               p.twin_assets, p.shoot_assets, p.twin_share, p.displaced_did,
               p.displaced_upper, p.cancelled_for_twin_days,
               coalesce(pp.models, 0)::bigint as models
        from period p join adoption a using (brand_id) left join people pp using (brand_id)
        order by p.shortfall desc, p.twin_assets desc, p.brand_id
    """, bound(f, "start", "end", "brand", "channel", "region"))  # noqa: S608


def brand_choices(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, adoption_month (first twin use, whole history), displaced_did — the brands
    the selection names, most displaced first: which brand a page opens on (no people counted:
    it shows no figure about people)."""
    return run(db, f"""
        select d.brand_id, strftime(any_value(b.adoption_month), '%Y-%m') as adoption_month,
               sum(d.displaced_shoot_days_did)::double as displaced_did
        from marts.displacement_monthly d
        join marts.brands b using (brand_id)
        where {_TWIN_WHERE}
        group by d.brand_id
        order by displaced_did desc, sum(d.twin_assets) desc, d.brand_id
    """, bound(f, "start", "end", "brand", "channel", "region"))  # noqa: S608


def displacement_estimates(db: Source, f: Filters) -> pd.DataFrame:
    """scope, year, months_observed, did, did_low, did_high, upper, control_brands, estimable,
    note, brands, crew_days(_low/_high), crew_income(_low/_high), rho, pretrend_p,
    breakdown_m — for every calendar year
    the period touches. Scopes: `ALL` and every brand with no brand or region filter; else the
    filtered brands only. Estimates cover all channels (the channel filter does not apply).
    crew_people: distinct crew members booked by the scope that year (public mode hides the
    crew estimates below k); models: distinct models behind its twin images (the upper bound
    is made from them)."""
    return run(db, sql("displacement_estimates"), bound(f, "start", "end", "brand", "region"))


def coverage(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, covered_from, covered_to (YYYY-MM), coverage (each file's months, joined),
    observed_months — for the Data page: which months each brand's bookings files cover."""
    return run(db, sql("coverage"), bound(f, "brand"))


def event_study(db: Source, f: Filters) -> pd.DataFrame:
    """scope, event_month (−12…+36), effect, effect_low, effect_high, brands, placebo,
    joint_low, joint_high (the simultaneous 95% band).
    `ALL` without a brand or region filter; else each filtered brand's own rows. Event months
    count from each brand's adoption, so the period filter does not apply."""
    return run(db, sql("event_study"), bound(f, "brand", "region"))
