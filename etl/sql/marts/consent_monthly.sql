-- grain: one row per month × brand_id (months in which the brand used twins)
-- Counts are assets (generated images/videos), not usage events. A use is licensed when a
-- licence covers its twin, brand, day, channel and region (rules and reason precedence:
-- staging/int_usage_cube.sql and METHODOLOGY.md). A use naming a licence granted for
-- another twin or brand counts as no_licence (marts.data_quality lists it separately).
with usage as not materialized (
    select * from staging.int_usage_monthly
),

brands as (
    select brand_id, home_region from marts.brands
),

-- distinct people (models) whose twins the brand used that month; an unknown twin counts
-- as one person of its own
models as (
    select month, brand_id, twin_models from staging.int_usage_brand_people
),

monthly as (
    select
        month,
        brand_id,
        sum(assets)::bigint as twin_assets,
        sum(uses)::bigint as twin_uses,
        coalesce(sum(assets) filter (where consent_status = 'licensed'), 0)::bigint
            as licensed_assets,
        coalesce(sum(assets) filter (
            where consent_status in ('no_licence', 'licence_mismatch')), 0)::bigint
            as no_licence_assets,
        coalesce(sum(assets) filter (where consent_status = 'not_yet_valid'), 0)::bigint
            as not_yet_valid_assets,
        coalesce(sum(assets) filter (where consent_status = 'expired'), 0)::bigint
            as expired_assets,
        coalesce(sum(assets) filter (where consent_status = 'revoked'), 0)::bigint
            as revoked_assets,
        coalesce(sum(assets) filter (where consent_status = 'out_of_scope'), 0)::bigint
            as out_of_scope_assets,
        coalesce(sum(assets) filter (where consent_status = 'unknown_licence'), 0)::bigint
            as unknown_licence_assets,
        sum(watermarked_assets)::bigint as watermarked_assets,
        sum(disclosed_assets)::bigint as disclosed_assets,
        sum(fee_paid_rep)::decimal(18, 4) as twin_fee_paid
    from usage
    group by all
),

final as (
    select
        monthly.month,
        monthly.brand_id,
        brands.home_region as region,
        monthly.twin_assets,
        monthly.licensed_assets,
        monthly.twin_assets - monthly.licensed_assets as unlicensed_assets,
        map(
            ['no_licence', 'not_yet_valid', 'expired', 'revoked', 'out_of_scope',
             'unknown_licence'],
            [monthly.no_licence_assets, monthly.not_yet_valid_assets, monthly.expired_assets,
             monthly.revoked_assets, monthly.out_of_scope_assets,
             monthly.unknown_licence_assets]
        ) as unlicensed_reason_counts,
        round(monthly.watermarked_assets / monthly.twin_assets, 6) as watermarked_share,
        round(monthly.disclosed_assets / monthly.twin_assets, 6) as disclosed_share,
        round(monthly.licensed_assets / monthly.twin_assets, 6) as licensed_share,
        monthly.no_licence_assets,
        monthly.not_yet_valid_assets,
        monthly.expired_assets,
        monthly.revoked_assets,
        monthly.out_of_scope_assets,
        monthly.unknown_licence_assets,
        monthly.watermarked_assets,
        monthly.disclosed_assets,
        monthly.twin_uses,
        monthly.twin_fee_paid,
        coalesce(models.twin_models, 0)::bigint as twin_models
    from monthly
    left join brands using (brand_id)
    left join models using (month, brand_id)
)

select * from final
