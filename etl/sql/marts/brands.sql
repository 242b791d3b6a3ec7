-- grain: one row per brand_id
-- A brand's adoption month is the month of its first twin use. Its home region is the region
-- where it booked the most non-cancelled shoot days (ties: alphabetical first); a brand with
-- no bookings takes the region of most twin assets. The dashboard's region filter uses it
-- for brand-level figures (displacement, crew impact) that cannot be split by region.
with bookings as (
    select * from staging.stg_bookings
),

usage as (
    select * from staging.int_usage_daily
),

activity as (
    select brand_id, region, month,
        case when is_cancelled then 0 else days end::double as shoot_days, 0::double as twin_assets
    from bookings
    union all
    select brand_id, region, month, 0, assets from usage
),

by_region as (
    select brand_id, region, sum(shoot_days) as shoot_days, sum(twin_assets) as twin_assets
    from activity
    group by all
),

home as (
    select brand_id,
        arg_min(region, (-shoot_days, -twin_assets, region)) as home_region,
        list(region order by region) as regions
    from by_region
    group by all
),

spans as (
    select brand_id, min(month) as first_month, max(month) as last_month
    from activity
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
        spans.last_month
    from spans
    inner join home using (brand_id)
    left join adoption using (brand_id)
)

select * from final
