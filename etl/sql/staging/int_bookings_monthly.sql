-- grain: one row per month × brand_id × channel × region (each group with at least one booking)
-- materialized: table
-- The bookings summed once (exact decimals, non-cancelled unless named): what
-- staging.int_brand_channel_monthly and marts.brands read of the bookings. Made from the
-- bookings alone, so a twin-usage load keeps it and neither reads the booking rows again.
with bookings as not materialized (
    select * from staging.stg_bookings
),

final as (
    select
        month, brand_id, channel, region,
        coalesce(sum(days) filter (where not is_cancelled), 0) as shoot_days,
        coalesce(sum(assets) filter (where not is_cancelled), 0)::bigint as shoot_assets,
        count(*) filter (where not is_cancelled) as bookings,
        coalesce(sum(days) filter (where is_replaced_by_twin), 0) as cancelled_for_twin_days
    from bookings
    group by all
)

select * from final
