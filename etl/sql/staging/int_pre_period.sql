-- grain: one row per adopting brand_id × pre-adoption month
-- The one definition of the pre-adoption period every mart uses: every observed month of the
-- brand before its adoption month (the month of its first twin use); the control trend
-- carries season and trend across it. A brand with no observed month before adoption has no
-- pre-period (no rows) and no honest estimate.
with observed as not materialized (
    select * from staging.int_observed_months
),

adoption as (
    select brand_id, min(month) as adoption_month
    from staging.int_usage_monthly
    group by all
),

final as (
    select
        adoption.brand_id,
        adoption.adoption_month,
        observed.month,
        count(*) over (partition by adoption.brand_id) as pre_months,
        min(observed.month) over (partition by adoption.brand_id) as pre_start
    from adoption
    inner join observed
        on observed.brand_id = adoption.brand_id
        and observed.month < adoption.adoption_month
)

select * from final
