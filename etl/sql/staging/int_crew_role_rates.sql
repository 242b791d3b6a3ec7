-- grain: one row per role
-- materialized: table
-- Each role's median day rate over all crew rows of known, non-cancelled bookings: the
-- fallback day rate of marts.crew_impact_monthly. Made from the crew alone, so a twin-usage
-- load keeps it.
with rates as not materialized (
    select * from staging.int_crew_day_rates
),

final as (
    select role, median(day_rate) as day_rate
    from rates
    group by all
)

select * from final
