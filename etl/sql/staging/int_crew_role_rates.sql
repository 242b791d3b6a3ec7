-- grain: one row per role
-- materialized: table
-- Each role's median day rate (reporting currency) over all crew rows of known,
-- non-cancelled bookings: the fallback day rate of marts.crew_impact_monthly. Made from the
-- crew alone, so a twin-usage load keeps it.
with crew as not materialized (
    select * from staging.stg_booking_crew
    where booking_known and not is_cancelled
),

final as (
    select role, median(day_rate_rep::double) as day_rate
    from crew
    group by all
)

select * from final
