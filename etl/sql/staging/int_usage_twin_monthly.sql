-- grain: one row per month × twin_id
-- materialized: table
-- Twin uses and fees by month, for model income (twin → model_id), the unknown-twin check and
-- the people count behind a brand's twin use (staging.int_usage_brand_people). No brand here:
-- nothing downstream needs twin × brand, and month × twin is ~20× fewer groups on 10 million
-- uses (270 thousand instead of 5 million on the benchmark's uniform data).
with usage as (
    select * from staging.int_usage_cube
),

twins as (
    select twin_id, model_id from staging.stg_twins
),

grouped as (
    select
        month,
        twin_id,
        sum(uses)::bigint as uses,
        sum(assets)::bigint as assets,
        sum(fee_paid_rep)::decimal(18, 4) as fee_paid_rep
    from usage
    group by all
),

final as (
    select
        grouped.month,
        grouped.twin_id,
        twins.model_id,
        twins.twin_id is not null as twin_known,
        grouped.uses,
        grouped.assets,
        grouped.fee_paid_rep
    from grouped
    left join twins on twins.twin_id = grouped.twin_id
)

select * from final
