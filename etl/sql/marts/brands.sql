-- grain: one row per brand_id
-- A brand's adoption month is the month of its first twin use. Its home region is the region
-- where it booked the most non-cancelled shoot days (ties: alphabetical first); empty for a
-- brand without bookings. The dashboard's region filter uses it for every brand-level figure
-- (displacement, crew impact, consent): the estimators work per brand, not per region.
-- Coverage: the months the loaded bookings files holding the brand cover (CONTRACT §2):
-- covered_from..covered_to, each file's range in `coverage`, observed_months in all.
-- the bookings summed by month × brand × channel × region (staging.int_bookings_monthly): a
-- twin-usage load keeps them
with bookings as not materialized (
    select * from staging.int_bookings_monthly
),

usage as not materialized (
    select * from staging.int_usage_monthly
),

activity as (
    select brand_id, region, month, shoot_days::double as shoot_days
    from bookings
    union all
    select brand_id, null, month, 0 from usage
),

by_region as (
    select brand_id, region, sum(shoot_days) as shoot_days
    from activity
    where region is not null
    group by all
),

home as (
    select brand_id,
        arg_min(region, (-shoot_days, region)) as home_region,
        list(region order by region) as regions
    from by_region
    group by all
),

spans as (
    select brand_id, min(month) as first_month, max(month) as last_month
    from activity
    group by all
),

coverage as (
    select brand_id,
        min(first_month) as covered_from,
        max(last_month) as covered_to,
        list(distinct strftime(first_month, '%Y-%m') || '..' || strftime(last_month, '%Y-%m')
            order by strftime(first_month, '%Y-%m') || '..' || strftime(last_month, '%Y-%m'))
            as coverage
    from staging.int_coverage
    group by all
),

observed as (
    select brand_id, count(*) as observed_months
    from staging.int_observed_months
    group by all
),

adoption as (
    select brand_id, min(month) as adoption_month
    from usage
    group by all
),

final as (
    select
        spans.brand_id,
        home.home_region,
        home.regions,
        adoption.adoption_month,
        adoption.adoption_month is not null as is_adopter,
        spans.first_month,
        spans.last_month,
        coverage.covered_from,
        coverage.covered_to,
        coalesce(coverage.coverage, []) as coverage,
        coalesce(observed.observed_months, 0) as observed_months
    from spans
    left join coverage using (brand_id)
    left join observed using (brand_id)
    left join home using (brand_id)
    left join adoption using (brand_id)
)

select * from final
