-- grain: one row per crew row of a known, non-cancelled booking
-- materialized: table
-- Each crew row's day rate (reporting currency) with only what the median day rates of
-- marts.crew_impact_monthly need: a brand's pre-period (staging.int_pre_period) changes with
-- every twin-usage load, so its median is taken again then, from these four narrow columns
-- instead of every crew column.
with crew as not materialized (
    select * from staging.stg_booking_crew
    where booking_known and not is_cancelled
),

final as (
    select brand_id, role, month, day_rate_rep::double as day_rate
    from crew
)

select * from final
