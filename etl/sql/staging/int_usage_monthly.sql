-- grain: one row per month × brand_id × channel × consent_status
-- materialized: table
-- The one pass over the (possibly many million) usage rows that displacement, consent,
-- brands and data quality read. Grouping on an integer month key and turning it into a
-- date afterwards is several times faster than date_trunc on every row.
with usage as (
    select * from staging.int_usage_classified
),

grouped as (
    select
        year(used_on) * 12 + month(used_on) - 1 as month_key,
        brand_id,
        channel,
        consent_code,
        count(*) as uses,
        sum(assets)::bigint as assets,
        coalesce(sum(assets) filter (where watermarked), 0)::bigint as watermarked_assets,
        coalesce(sum(assets) filter (where disclosed), 0)::bigint as disclosed_assets,
        sum(fee_paid_rep)::decimal(18, 4) as fee_paid_rep
    from usage
    group by all
),

final as (
    select
        make_date((month_key // 12)::int, (month_key % 12 + 1)::int, 1) as month,
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
