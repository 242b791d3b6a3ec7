-- grain: one row per booking_id
with source as (
    select * from raw.bookings
),

final as (
    select
        booking_id,
        brand_id,
        shoot_date,
        date_trunc('month', shoot_date)::date as month,
        channel,
        region,
        days,
        assets,
        status,
        cancel_reason,
        status = 'cancelled' as is_cancelled,
        status = 'cancelled' and cancel_reason = 'replaced_by_twin' as is_replaced_by_twin
    from source
)

select * from final
