-- grain: one row per month × twin_id × brand_id
-- materialized: table
-- Twin fees by month, for model income (twin → model_id), the unknown-twin check and the
-- number of models behind a brand's twin use (public-mode suppression of consent figures).
with usage as (
    select * from staging.stg_twin_usage
),

twins as (
    select twin_id, model_id from staging.stg_twins
),

grouped as (
    select
        year(used_on) * 12 + month(used_on) - 1 as month_key,
        twin_id,
        brand_id,
        count(*) as uses,
        sum(assets)::bigint as assets,
        sum(fee_paid_rep)::decimal(18, 4) as fee_paid_rep
    from usage
    group by all
),

final as (
    select
        make_date((grouped.month_key // 12)::int, (grouped.month_key % 12 + 1)::int, 1)
            as month,
        grouped.twin_id,
        grouped.brand_id,
        twins.model_id,
        twins.twin_id is not null as twin_known,
        grouped.uses,
        grouped.assets,
        grouped.fee_paid_rep
    from grouped
    left join twins on twins.twin_id = grouped.twin_id
)

select * from final
