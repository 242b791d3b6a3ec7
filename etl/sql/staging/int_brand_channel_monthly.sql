-- grain: one row per observed month × brand_id × channel
-- materialized: table
-- Every observed brand-month (int_observed_months) for every channel the brand ever booked
-- or used twins in; observed months without activity hold zeros, months outside coverage
-- have no row. Twin use in an unobserved month is left out here (marts.consent_monthly
-- counts it): without bookings there is nothing to compare it with.
with bookings as not materialized (
    select * from staging.int_bookings_monthly
),

usage as not materialized (
    select * from staging.int_usage_monthly
),

observed as not materialized (
    select * from staging.int_observed_months
),

shoots as (
    select
        month, brand_id, channel,
        sum(shoot_days)::double as shoot_days,
        sum(shoot_assets)::bigint as shoot_assets,
        sum(bookings)::bigint as bookings,
        sum(cancelled_for_twin_days)::double as cancelled_for_twin_days
    from bookings
    group by all
),

twin as (
    select
        month, brand_id, channel,
        sum(assets)::bigint as twin_assets,
        sum(uses)::bigint as twin_uses,
        sum(fee_paid_rep)::decimal(18, 4) as twin_fee_paid
    from usage
    group by all
),

adoption as (
    select brand_id, min(month) as adoption_month
    from usage
    group by all
),

pairs as (
    select brand_id, channel from shoots
    union
    select brand_id, channel from twin
),

final as (
    select
        observed.month,
        pairs.brand_id,
        pairs.channel,
        coalesce(shoots.shoot_days, 0) as shoot_days,
        coalesce(shoots.shoot_assets, 0) as shoot_assets,
        coalesce(shoots.bookings, 0) as bookings,
        coalesce(shoots.cancelled_for_twin_days, 0) as cancelled_for_twin_days,
        coalesce(twin.twin_assets, 0) as twin_assets,
        coalesce(twin.twin_uses, 0) as twin_uses,
        coalesce(twin.twin_fee_paid, 0)::decimal(18, 4) as twin_fee_paid,
        adoption.adoption_month,
        adoption.adoption_month is not null as is_adopter
    from observed
    inner join pairs on pairs.brand_id = observed.brand_id
    left join adoption on adoption.brand_id = observed.brand_id
    left join shoots
        on shoots.month = observed.month
        and shoots.brand_id = pairs.brand_id
        and shoots.channel = pairs.channel
    left join twin
        on twin.month = observed.month
        and twin.brand_id = pairs.brand_id
        and twin.channel = pairs.channel
)

select * from final
