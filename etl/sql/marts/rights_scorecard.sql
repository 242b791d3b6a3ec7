-- grain: one row per brand_id (or ALL) × year × right
-- Twin images (assets) judged against nine rights: licensed, time_limited, purpose_limited,
-- non_exclusive, no_training, revocation_honoured, watermarked, disclosed, fair_pay (rules:
-- staging/int_usage_rights.sql and METHODOLOGY.md, "Rights"). Every image is met, not met or
-- unknown: assets_met + assets_not_met + assets_unknown = twin_assets; unknown is never met.
-- ALL sums the brands. models: distinct models behind the row (an unknown twin counts as one
-- person of its own), the people count public mode suppresses on.
with judged as not materialized (
    select * from staging.int_usage_rights
),

rights as (
    select * from (values
        (1, 'licensed'), (2, 'time_limited'), (3, 'purpose_limited'), (4, 'non_exclusive'),
        (5, 'no_training'), (6, 'revocation_honoured'), (7, 'watermarked'), (8, 'disclosed'),
        (9, 'fair_pay')
    ) as r(right_no, right_name)
),

long as (
    select
        judged.year,
        judged.brand_id,
        judged.person,
        judged.assets,
        rights.right_no,
        rights.right_name,
        [judged.licensed, judged.time_limited, judged.purpose_limited, judged.non_exclusive,
         judged.no_training, judged.revocation_honoured, judged.watermarked, judged.disclosed,
         judged.fair_pay][rights.right_no] as status
    from judged
    cross join rights
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
