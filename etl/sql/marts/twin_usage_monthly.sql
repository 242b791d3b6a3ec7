-- grain: one row per month × brand_id × channel × region × consent_status
-- The usage detail behind consent_monthly and displacement's twin_assets, kept by the
-- region and channel of each use so the dashboard can filter them exactly.
with usage as (
    select * from staging.int_usage_daily
),

final as (
    select
        month,
        brand_id,
        channel,
        region,
        consent_status,
        sum(assets)::bigint as twin_assets,
        sum(uses)::bigint as twin_uses,
        sum(watermarked_assets)::bigint as watermarked_assets,
        sum(disclosed_assets)::bigint as disclosed_assets,
        sum(fee_paid_rep)::decimal(18, 4) as fee_paid,
        count(distinct model_id) as twin_models
    from usage
    group by all
)

select * from final
