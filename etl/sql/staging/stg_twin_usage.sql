-- grain: one row per usage_id
with source as (
    select * from raw.twin_usage
),

final as (
    select
        usage_id,
        used_on,
        date_trunc('month', used_on)::date as month,
        twin_id,
        brand_id,
        nullif(license_id, '') as license_id,
        channel,
        region,
        assets,
        fee_paid,
        currency,
        fee_paid_rep,
        watermarked,
        disclosed
    from source
)

select * from final
