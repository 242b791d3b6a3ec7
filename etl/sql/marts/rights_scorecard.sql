-- grain: one row per brand_id (or ALL) × year × right
-- Twin images (assets) judged against ten rights: licensed, time_limited, purpose_limited,
-- non_exclusive, no_training, revocation_honoured, watermarked, disclosed, disclosed_checked
-- (disclosed as AI in the image itself, from scan-images), fair_pay (rules:
-- staging/int_usage_rights.sql and METHODOLOGY.md, "Rights"). Every image is met, not met or
-- unknown: assets_met + assets_not_met + assets_unknown = twin_assets; unknown is never met.
-- ALL sums the brands. models: distinct models behind the row (an unknown twin counts as one
-- person of its own), the people count public mode suppresses on.
with long as not materialized (
    select * from staging.int_usage_rights_long
),

both_levels as (
    select year, brand_id, person, assets, right_no, right_name, status from long
    union all
    select year, 'ALL', person, assets, right_no, right_name, status from long
),

counted as (
    select
        brand_id,
        year,
        right_name,
        any_value(right_no) as right_order,
        sum(assets)::bigint as twin_assets,
        coalesce(sum(assets) filter (where status = 1), 0)::bigint as assets_met,
        coalesce(sum(assets) filter (where status = 0), 0)::bigint as assets_not_met,
        coalesce(sum(assets) filter (where status is null), 0)::bigint as assets_unknown,
        count(distinct person) as models
    from both_levels
    group by brand_id, year, right_name
),

final as (
    select
        brand_id,
        year,
        right_name as "right",
        twin_assets,
        assets_met,
        assets_not_met,
        assets_unknown,
        round(assets_met / nullif(twin_assets, 0), 6) as share_met,
        round(assets_not_met / nullif(twin_assets, 0), 6) as share_not_met,
        round(assets_unknown / nullif(twin_assets, 0), 6) as share_unknown,
        models,
        right_order
    from counted
)

select * from final
