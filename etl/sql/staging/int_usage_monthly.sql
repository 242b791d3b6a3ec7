-- grain: one row per month × brand_id × channel × consent_status
-- materialized: table
-- The usage that displacement, consent, brands and data quality read, from the one pass over
-- the usage rows (staging.int_usage_cube).
with usage as (
    select * from staging.int_usage_cube
),

grouped as (
    select
        month,
        brand_id,
        channel,
        consent_code,
        sum(uses)::bigint as uses,
        sum(assets)::bigint as assets,
        coalesce(sum(assets) filter (where watermarked), 0)::bigint as watermarked_assets,
        coalesce(sum(assets) filter (where disclosed), 0)::bigint as disclosed_assets,
        sum(fee_paid_rep)::decimal(18, 4) as fee_paid_rep
    from usage
    group by all
),

final as (
    select
        month,
        brand_id,
        channel,
        ['licensed', 'out_of_scope', 'expired', 'not_yet_valid', 'revoked', 'no_licence',
         'licence_mismatch', 'unknown_licence'][consent_code + 1] as consent_status,
        uses,
        assets,
        watermarked_assets,
        disclosed_assets,
        fee_paid_rep
    from grouped
)

select * from final
